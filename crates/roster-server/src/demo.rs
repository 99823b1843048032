//! A realistic, deterministic demo organisation.
//!
//! [`generate`] builds "Northwind Holdings": an Owner, an Admin who can sign in
//! with a fixed demo password, and as many further users as asked for, with a
//! believable spread of statuses, roles, departments, resources, custom
//! permissions, credit limits, allowed IP ranges and activity; two custom
//! roles held by a few of them; the usage events their credits were spent on;
//! and the audit log's recent history (at most [`MAX_HISTORY`] entries, the
//! newest of each kind). Names come from
//! many cultures and scripts; e-mail addresses are ASCII transliterations at
//! reserved example domains (`*.example`, `example.com/.org/.net`), unique, and
//! a few are very long.
//!
//! The same `n` and `now` always give the same organisation: all randomness
//! comes from a small splitmix64 generator with fixed seeds, one stream per
//! user, so a user's identity does not depend on how many users follow it.
//!
//! Performance: `generate(100_000, now)` took 0.29–0.39 s of wall time in a
//! release build on a 2-core machine that was busy with other builds (load
//! average about 3), and about 0.25 s when timed alone in a loop; most of it
//! is memory allocation for the users' strings. Measured with `cargo test
//! --release -p roster-server --lib demo -- --nocapture`, which prints the
//! time of the 100k test; nothing asserts on it. E-mail collisions are
//! resolved with a set of address digests and per-address counters, so the
//! cost is linear in `n`. The roles, usage events (about 1.1 per user) and
//! history added later are linear too; what they cost to seed is noted in
//! `seed.rs`.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use serde::Serialize;

use crate::catalogue::{Capability, Catalogue, Role};

/// The Owner's sign-in address.
pub const DEMO_OWNER_EMAIL: &str = "zoe.ashworth@northwind.example";
/// The Owner's demo password. Demo mode only; never a real credential.
pub const DEMO_OWNER_PASSWORD: &str = "northwind-owner-demo";
/// The demo Admin's sign-in address (user 1).
pub const DEMO_ADMIN_EMAIL: &str = "lukasz.wisniewski@northwind.example";
/// The demo Admin's password. Demo mode only; never a real credential.
pub const DEMO_ADMIN_PASSWORD: &str = "northwind-admin-demo";

const ORG_NAME: &str = "Northwind Holdings";
const ORG_DOMAIN: &str = "northwind.example";
/// Where a few people with very long names work, to exercise long addresses.
const LONG_DOMAIN: &str = "research-and-development.northwind-holdings.example";
/// Where guests and outside reviewers come from.
const EXTERNAL_DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "example.net",
    "contoso.example",
    "fabrikam.example",
    "adatum.example",
    "tailspin-toys.example",
    "brightline-agency.example",
    "kessler-audit.example",
];

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;
const INVITATION_TTL: i64 = 7 * DAY;
/// The most audit entries the demo writes, however large the organisation.
pub const MAX_HISTORY: usize = 333;

/// The demo organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoOrg {
    pub name: String,
    pub domain: String,
    pub departments: Vec<String>,
    pub resources: Vec<DemoResource>,
    pub users: Vec<DemoUser>,
    /// User-defined roles, held by a few users.
    pub roles: Vec<DemoRole>,
    /// The audit log, oldest first: at most [`MAX_HISTORY`] entries.
    pub history: Vec<DemoAuditEntry>,
    pub password_reset: Option<DemoPasswordReset>,
    /// The account's credits left after everything users spent.
    pub account_balance: i64,
}

/// A resource (task, monitor, review, case) shared with users through ACLs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoResource {
    /// Stable, e.g. `"task-0001"`.
    pub id: String,
    /// `tasks`, `monitors`, `reviews` or `cases`.
    pub application: String,
    pub name: String,
    /// Index into [`DemoOrg::users`].
    pub owner: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DemoStatus {
    Pending,
    Active,
    Archived,
}

impl DemoStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DemoStatus::Pending => "pending",
            DemoStatus::Active => "active",
            DemoStatus::Archived => "archived",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoUser {
    pub given_name: String,
    pub family_name: String,
    /// Unique, lowercase ASCII.
    pub email: String,
    pub status: DemoStatus,
    /// A catalogue role id.
    pub role: String,
    pub departments: Vec<String>,
    /// Unix seconds.
    pub created: i64,
    /// None for pending users and for some who never signed in.
    pub last_active: Option<i64>,
    /// (application id, custom?): only applications set to Custom are listed;
    /// an absent application means All.
    pub applications: Vec<(String, bool)>,
    /// Granted permission ids for the custom applications; always within the
    /// role's ceiling.
    pub permissions: Vec<String>,
    /// Indices into [`DemoOrg::resources`].
    pub resources: Vec<usize>,
    pub credit_limit: Option<i64>,
    /// Never above `credit_limit`; the sum of `events`.
    pub credits_used: i64,
    /// What the credits were spent on, oldest first.
    pub events: Vec<DemoEvent>,
    /// CIDRs, for a few users only.
    pub allowed_ips: Vec<String>,
    pub notify_email: bool,
    pub notify_in_app: bool,
    /// `never`, `daily` or `weekly`.
    pub digest: &'static str,
    /// Present for every pending user, and only for them.
    pub invitation: Option<DemoInvitation>,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub locale: String,
    pub timezone: String,
    /// Only the Owner and the demo Admin have one.
    #[serde(skip)]
    pub password: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoInvitation {
    pub sent_at: i64,
    /// `sent_at` + 7 days; about a fifth have already expired.
    pub expires_at: i64,
    /// Index of the Owner or Admin who sent it.
    pub invited_by: usize,
    /// Whether the invitation e-mail was sent (most were); the others were
    /// invited without one and wait for a resend.
    pub emailed: bool,
}

/// A user-defined role: defined by the Owner or an Admin, within what a
/// built-in role holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoRole {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub capabilities: Vec<Capability>,
    pub permissions: Vec<String>,
    /// Index of the Owner or Admin who defined it.
    pub defined_by: usize,
    pub defined_at: i64,
}

impl DemoRole {
    /// The catalogue role; `created_by` is the author's e-mail address.
    pub fn to_role(&self, created_by: &str) -> Role {
        Role {
            id: self.id.to_owned(),
            name: self.name.to_owned(),
            description: self.description.to_owned(),
            builtin: false,
            capabilities: self.capabilities.clone(),
            permissions: self.permissions.clone(),
            requires_resource: false,
            created_by: Some(created_by.to_owned()),
        }
    }
}

/// Something a user spent credits on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoEvent {
    /// An application id.
    pub application: &'static str,
    pub description: String,
    pub credits: i64,
    /// Unix seconds.
    pub at: i64,
}

/// One entry of the account's audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoAuditEntry {
    /// Unix seconds.
    pub at: i64,
    /// Index of the user who did it: the Owner or an Admin, or the user
    /// themself for an accepted invitation.
    pub actor: usize,
    pub action: DemoAction,
}

/// What an audit entry records; `user` and `role` are indices into
/// [`DemoOrg::users`] and [`DemoOrg::roles`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum DemoAction {
    /// `role.create`.
    DefineRole { role: usize },
    /// `user.invite`.
    Invite { user: usize, emailed: bool },
    /// `user.accept`.
    Accept { user: usize },
    /// `user.update` of the role, from one role id to another.
    ChangeRole {
        user: usize,
        from: &'static str,
        to: &'static str,
    },
    /// `user.archive`.
    Archive { user: usize },
    /// `user.password-reset`.
    PasswordReset { user: usize },
}

/// A password reset link sent recently, still valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoPasswordReset {
    pub user: usize,
    /// The Owner or Admin who sent it.
    pub requested_by: usize,
    /// Unix seconds; the link works for 24 hours.
    pub at: i64,
}

// ---------------------------------------------------------------------------
// Randomness: splitmix64, one stream per purpose and per user.

const SEED_USERS: u64 = 0x526f_7374_6572_0001;
const SEED_RESOURCES: u64 = 0x526f_7374_6572_0002;
const SEED_ACCESS: u64 = 0x526f_7374_6572_0003;
const SEED_ROLES: u64 = 0x526f_7374_6572_0004;
const SEED_USAGE: u64 = 0x526f_7374_6572_0005;
const SEED_HISTORY: u64 = 0x526f_7374_6572_0006;

fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn for_index(base: u64, index: usize) -> Self {
        Rng(mix64(base ^ mix64(index as u64 + 1)))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.0)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [0, n); `n` must be positive.
    fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// Uniform in [lo, hi].
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as usize) as i64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An index chosen with the given relative weights.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut roll = self.below(total as usize) as u32;
        for (i, &w) in weights.iter().enumerate() {
            if roll < w {
                return i;
            }
            roll -= w;
        }
        weights.len() - 1
    }
}

// ---------------------------------------------------------------------------
// Names.

/// Where a culture's phone numbers come from: only fictional ranges are used
/// (UK 020 7946 0xxx, NANP 555-01xx).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Region {
    Emea,
    Elsewhere,
}

/// A culture's names, compactly: entries separated by `;`, each
/// `display[:romanised][:m|f]`. Without a romanised form the display form is
/// transliterated. Family names may have a feminine form after a `/`
/// (`Kowalski/Kowalska`), also in the romanised part.
struct CultureDef {
    locale: &'static str,
    timezones: &'static [&'static str],
    region: Region,
    weight: u32,
    given: &'static str,
    family: &'static str,
}

use Region::{Elsewhere, Emea};

const CULTURES: &[CultureDef] = &[
    CultureDef {
        locale: "en-US",
        timezones: &["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"],
        region: Elsewhere,
        weight: 14,
        given: "Michael:m;Jennifer:f;Christopher:m;Jessica:f;Tyler:m;Ashley:f;Brandon:m;Madison:f;\
                Marcus:m;Keisha:f;Dakota;Savannah:f",
        family: "Johnson;Miller;Davis;Anderson;Thompson;Jackson;Harris;Robinson;Coleman;Washington",
    },
    CultureDef {
        locale: "en-GB",
        timezones: &["Europe/London"],
        region: Emea,
        weight: 10,
        given: "Oliver:m;Amelia:f;Harry:m;Isla:f;George:m;Imogen:f;Alfie:m;Poppy:f;Rhys:m;Ffion:f;\
                Callum:m;Eilidh:f",
        family: "Smith;Jones;Taylor;Williams;Evans;Hughes;Pemberton;MacDonald;Llewellyn;Fairbairn;\
                 O'Neill",
    },
    CultureDef {
        locale: "en-AU",
        timezones: &["Australia/Sydney", "Australia/Melbourne", "Australia/Perth"],
        region: Elsewhere,
        weight: 3,
        given: "Lachlan:m;Matilda:f;Cooper:m;Charlotte:f;Jarrah;Mia:f",
        family: "Mitchell;Kelly;Campbell;Stewart;Fitzgerald;Nguyen",
    },
    CultureDef {
        locale: "en-IE",
        timezones: &["Europe/Dublin"],
        region: Emea,
        weight: 2,
        given: "Siobhán:f;Niamh:f;Aoife:f;Róisín:f;Éabha:f;Seán:m;Pádraig:m;Cillian:m;Oisín:m;Ciarán:m",
        family: "Ó Briain/Ní Bhriain;Ó Súilleabháin/Ní Shúilleabháin;Mac Cárthaigh/Nic Cárthaigh;\
                 Ó Conchúir/Ní Chonchúir;Murphy;Walsh;Byrne;O'Sullivan",
    },
    CultureDef {
        locale: "de-DE",
        timezones: &["Europe/Berlin", "Europe/Vienna", "Europe/Zurich"],
        region: Emea,
        weight: 6,
        given: "Jürgen:m;Jörg:m;Günther:m;Matthias:m;Lukas:m;Maximilian:m;Käthe:f;Sophie:f;Lena:f;\
                Ursula:f;Anneliese:f;Hannah:f",
        family: "Müller;Schmidt;Schneider;Fischer;Weiß;Becker;Schäfer;Köhler;Groß;Hoffmann;Krüger;Böhm",
    },
    CultureDef {
        locale: "fr-FR",
        timezones: &["Europe/Paris", "Europe/Brussels"],
        region: Emea,
        weight: 5,
        given: "François:m;Benoît:m;Jérôme:m;Gaël:m;Théo:m;Hélène:f;Amélie:f;Léa:f;Chloé:f;Anaïs:f;\
                Noémie:f;Thérèse:f;Zoé:f",
        family: "Lefèvre;Dubois;Moreau;Girard;Rousseau;Mercier;Lemaître;Fontaine;Bérenger;Chevalier;Faure",
    },
    CultureDef {
        locale: "fr-CA",
        timezones: &["America/Toronto"],
        region: Elsewhere,
        weight: 1,
        given: "Émilie:f;Mathieu:m;Geneviève:f;Étienne:m",
        family: "Tremblay;Gagnon;Bérubé;Côté;Bouchard;Pelletier",
    },
    CultureDef {
        locale: "es-ES",
        timezones: &["Europe/Madrid"],
        region: Emea,
        weight: 4,
        given: "José:m;María:f;Núria:f;Iñaki:m;Ángel:m;Lucía:f;Álvaro:m;Begoña:f;Jesús:m;Ainhoa:f",
        family: "Núñez;García;Fernández;González;Rodríguez;López;Martínez;Sánchez;Ibáñez;Muñoz;Jiménez;\
                 Gómez Ruiz",
    },
    CultureDef {
        locale: "es-MX",
        timezones: &["America/Mexico_City"],
        region: Elsewhere,
        weight: 3,
        given: "Guadalupe:f;Andrés:m;Ximena:f;Rodrigo:m;Fernanda:f;Joaquín:m;Itzel:f;Emiliano:m",
        family: "Hernández;Ramírez;Cruz;Vázquez;Domínguez;Castañeda;Ortiz Peña;Zúñiga",
    },
    CultureDef {
        locale: "pt-BR",
        timezones: &["America/Sao_Paulo"],
        region: Elsewhere,
        weight: 4,
        given: "João:m;Thiago:m;Antônio:m;Vinícius:m;Beatriz:f;Luíza:f;Letícia:f;Conceição:f;Mariana:f",
        family: "Silva;Santos;Oliveira;Souza;Gonçalves;Araújo;Magalhães;Brandão;Assunção",
    },
    CultureDef {
        locale: "pt-PT",
        timezones: &["Europe/Lisbon"],
        region: Emea,
        weight: 1,
        given: "Gonçalo:m;Inês:f;Tomás:m;Leonor:f",
        family: "Simões;Carvalho;Rebelo;Antunes",
    },
    CultureDef {
        locale: "it-IT",
        timezones: &["Europe/Rome"],
        region: Emea,
        weight: 3,
        given: "Niccolò:m;Giulia:f;Lorenzo:m;Chiara:f;Mattia:m;Francesca:f",
        family: "Rossi;Bianchi;Esposito;Colombo;De Luca;Ricci;Galli",
    },
    CultureDef {
        locale: "pl-PL",
        timezones: &["Europe/Warsaw"],
        region: Emea,
        weight: 3,
        given: "Łukasz:m;Paweł:m;Wojciech:m;Grzegorz:m;Michał:m;Małgorzata:f;Zofia:f;Agnieszka:f;\
                Katarzyna:f;Joanna:f",
        family: "Kowalski/Kowalska;Nowak;Wiśniewski/Wiśniewska;Wójcik;Kamiński/Kamińska;\
                 Lewandowski/Lewandowska;Zieliński/Zielińska;Dąbrowski/Dąbrowska;Żak;Błaszczyk",
    },
    CultureDef {
        locale: "cs-CZ",
        timezones: &["Europe/Prague"],
        region: Emea,
        weight: 2,
        given: "Jiří:m;Tomáš:m;Ondřej:m;Petr:m;Tereza:f;Kateřina:f;Lucie:f;Zuzana:f",
        family: "Novák/Nováková;Svoboda/Svobodová;Dvořák/Dvořáková;Černý/Černá;\
                 Procházka/Procházková;Kučera/Kučerová;Veselý/Veselá",
    },
    CultureDef {
        locale: "hu-HU",
        timezones: &["Europe/Budapest"],
        region: Emea,
        weight: 1,
        given: "Bence:m;Gábor:m;Ádám:m;Péter:m;Zsófia:f;Réka:f;Eszter:f;Dóra:f",
        family: "Nagy;Kovács;Tóth;Szabó;Horváth;Varga;Németh;Lőrincz",
    },
    CultureDef {
        locale: "ro-RO",
        timezones: &["Europe/Bucharest"],
        region: Emea,
        weight: 1,
        given: "Ștefan:m;Mihai:m;Ioana:f;Andreea:f",
        family: "Popescu;Ionescu;Dumitrescu;Stănescu;Țurcanu",
    },
    CultureDef {
        locale: "sv-SE",
        timezones: &["Europe/Stockholm"],
        region: Emea,
        weight: 2,
        given: "Björn:m;Göran:m;Erik:m;Anders:m;Åsa:f;Linnéa:f;Ingrid:f;Maja:f",
        family: "Andersson;Johansson;Lindqvist;Öberg;Ångström;Sjöberg;Åkesson;Nordström",
    },
    CultureDef {
        locale: "da-DK",
        timezones: &["Europe/Copenhagen"],
        region: Emea,
        weight: 2,
        given: "Søren:m;Frederik:m;Rasmus:m;Mads:m;Mette:f;Signe:f;Astrid:f;Freja:f",
        family: "Jensen;Nielsen;Sørensen;Møller;Kjær;Ærø;Østergaard;Thygesen",
    },
    CultureDef {
        locale: "nb-NO",
        timezones: &["Europe/Oslo"],
        region: Emea,
        weight: 1,
        given: "Håkon:m;Øyvind:m;Sindre:m;Ingvild:f;Solveig:f;Tuva:f",
        family: "Hansen;Johannessen;Bråten;Haugen;Løvås;Strøm",
    },
    CultureDef {
        locale: "fi-FI",
        timezones: &["Europe/Helsinki"],
        region: Emea,
        weight: 1,
        given: "Väinö:m;Eetu:m;Juha:m;Aino:f;Siiri:f;Päivi:f",
        family: "Korhonen;Virtanen;Mäkinen;Nieminen;Hämäläinen;Järvinen",
    },
    CultureDef {
        locale: "is-IS",
        timezones: &["Atlantic/Reykjavik"],
        region: Emea,
        weight: 1,
        given: "Þór:m;Jón:m;Ólafur:m;Guðrún:f;Sigríður:f;Björk:f",
        family: "Jónsson/Jónsdóttir;Sigurðsson/Sigurðardóttir;Guðmundsson/Guðmundsdóttir;\
                 Einarsson/Einarsdóttir",
    },
    CultureDef {
        locale: "nl-NL",
        timezones: &["Europe/Amsterdam"],
        region: Emea,
        weight: 3,
        given: "Daan:m;Bram:m;Thijs:m;Jeroen:m;Sanne:f;Fleur:f;Zoë:f;Eva:f;Noëlle:f",
        family: "de Vries;van den Berg;Jansen;de Jong;van Dijk;Bakker;Visser;van der Linden",
    },
    CultureDef {
        locale: "tr-TR",
        timezones: &["Europe/Istanbul"],
        region: Emea,
        weight: 2,
        given: "Mehmet:m;Mustafa:m;Oğuz:m;Barış:m;İbrahim:m;Ayşe:f;Emine:f;Çağla:f;Gülşen:f;Şule:f",
        family: "Yılmaz;Kaya;Demir;Şahin;Çelik;Yıldız;Öztürk;Aydın;Doğan",
    },
    CultureDef {
        locale: "el-GR",
        timezones: &["Europe/Athens"],
        region: Emea,
        weight: 2,
        given: "Γιώργος:Giorgos:m;Νίκος:Nikos:m;Δημήτρης:Dimitris:m;Κώστας:Kostas:m;Ελένη:Eleni:f;\
                Μαρία:Maria:f;Κατερίνα:Katerina:f;Σοφία:Sofia:f",
        family: "Παπαδόπουλος/Παπαδοπούλου:Papadopoulos/Papadopoulou;Παπαδάκης/Παπαδάκη:Papadakis/Papadaki;\
                 Γεωργίου:Georgiou;Οικονόμου:Oikonomou;Νικολάου:Nikolaou;Βασιλείου:Vasileiou;\
                 Καραγιάννης/Καραγιάννη:Karagiannis/Karagianni",
    },
    CultureDef {
        locale: "ru-RU",
        timezones: &["Europe/Moscow"],
        region: Emea,
        weight: 3,
        given: "Дмитрий:Dmitry:m;Сергей:Sergey:m;Алексей:Alexey:m;Иван:Ivan:m;Михаил:Mikhail:m;\
                Анна:Anna:f;Ольга:Olga:f;Наталья:Natalya:f;Екатерина:Ekaterina:f;Татьяна:Tatyana:f",
        family: "Иванов/Иванова:Ivanov/Ivanova;Смирнов/Смирнова:Smirnov/Smirnova;\
                 Кузнецов/Кузнецова:Kuznetsov/Kuznetsova;Попов/Попова:Popov/Popova;\
                 Соколов/Соколова:Sokolov/Sokolova;Лебедев/Лебедева:Lebedev/Lebedeva;\
                 Волков/Волкова:Volkov/Volkova",
    },
    CultureDef {
        locale: "uk-UA",
        timezones: &["Europe/Kyiv"],
        region: Emea,
        weight: 2,
        given: "Андрій:Andriy:m;Тарас:Taras:m;Богдан:Bohdan:m;Олена:Olena:f;Оксана:Oksana:f;Ірина:Iryna:f",
        family: "Шевченко:Shevchenko;Коваленко:Kovalenko;Бондаренко:Bondarenko;Мельник:Melnyk;\
                 Ткаченко:Tkachenko;Кравчук:Kravchuk",
    },
    CultureDef {
        locale: "ar",
        timezones: &["Asia/Dubai", "Africa/Cairo", "Asia/Riyadh", "Asia/Amman"],
        region: Emea,
        weight: 3,
        given: "محمد:Mohammed:m;أحمد:Ahmed:m;عمر:Omar:m;يوسف:Youssef:m;خالد:Khalid:m;فاطمة:Fatima:f;\
                ليلى:Layla:f;نور:Nour:f;مريم:Maryam:f;سارة:Sara:f",
        family: "العلي:Al-Ali;الحسن:Al-Hassan;منصور:Mansour;حداد:Haddad;الخطيب:Al-Khatib;\
                 عبد الله:Abdullah;ناصر:Nasser;الشامي:Al-Shami",
    },
    CultureDef {
        locale: "fa-IR",
        timezones: &["Asia/Tehran"],
        region: Emea,
        weight: 1,
        given: "رضا:Reza:m;علی:Ali:m;زهرا:Zahra:f;نازنین:Nazanin:f",
        family: "حسینی:Hosseini;رضایی:Rezaei;کریمی:Karimi;احمدی:Ahmadi",
    },
    CultureDef {
        locale: "he-IL",
        timezones: &["Asia/Jerusalem"],
        region: Emea,
        weight: 1,
        given: "דוד:David:m;איתי:Itai:m;אורי:Ori:m;נועה:Noa:f;יעל:Yael:f;תמר:Tamar:f",
        family: "כהן:Cohen;לוי:Levi;מזרחי:Mizrahi;פרץ:Peretz;ביטון:Biton;אברהם:Avraham",
    },
    CultureDef {
        locale: "hi-IN",
        timezones: &["Asia/Kolkata"],
        region: Elsewhere,
        weight: 3,
        given: "राहुल:Rahul:m;अमित:Amit:m;विक्रम:Vikram:m;अर्जुन:Arjun:m;प्रिया:Priya:f;अनन्या:Ananya:f;\
                दीपिका:Deepika:f;कविता:Kavita:f",
        family: "शर्मा:Sharma;वर्मा:Verma;गुप्ता:Gupta;सिंह:Singh;अग्रवाल:Agarwal;मेहता:Mehta;जोशी:Joshi",
    },
    CultureDef {
        locale: "en-IN",
        timezones: &["Asia/Kolkata"],
        region: Elsewhere,
        weight: 4,
        given: "Aarav:m;Rohan:m;Karthik:m;Siddharth:m;Sneha:f;Lakshmi:f;Divya:f;Meenakshi:f",
        family: "Iyer;Reddy;Nair;Chatterjee;Banerjee;Khan;Desai;Krishnamurthy;Subramanian",
    },
    CultureDef {
        locale: "zh-CN",
        timezones: &["Asia/Shanghai"],
        region: Elsewhere,
        weight: 5,
        given: "芳:Fang:f;伟:Wei:m;娜:Na:f;秀英:Xiuying:f;敏:Min:f;静:Jing:f;磊:Lei:m;强:Qiang:m;杰:Jie:m;\
                晓明:Xiaoming:m;婷:Ting:f;浩然:Haoran:m",
        family: "王:Wang;李:Li;张:Zhang;刘:Liu;陈:Chen;杨:Yang;黄:Huang;赵:Zhao;吴:Wu;周:Zhou",
    },
    CultureDef {
        locale: "zh-TW",
        timezones: &["Asia/Taipei"],
        region: Elsewhere,
        weight: 1,
        given: "怡君:Yi-Chun:f;志明:Chih-Ming:m;雅婷:Ya-Ting:f;家豪:Chia-Hao:m",
        family: "林:Lin;陳:Chen;黃:Huang;蔡:Tsai",
    },
    CultureDef {
        locale: "en-SG",
        timezones: &["Asia/Singapore"],
        region: Elsewhere,
        weight: 2,
        given: "Wei Ling:f;Jun Jie:m;Hui Min:f;Zhi Hao:m;Siti:f;Arjun:m",
        family: "Tan;Lim;Ng;Goh;Teo;Rahman",
    },
    CultureDef {
        locale: "ja-JP",
        timezones: &["Asia/Tokyo"],
        region: Elsewhere,
        weight: 4,
        given: "太郎:Taro:m;翔太:Shota:m;大輔:Daisuke:m;健:Ken:m;蓮:Ren:m;花子:Hanako:f;陽菜:Hina:f;\
                美咲:Misaki:f;結衣:Yui:f;さくら:Sakura:f",
        family: "山田:Yamada;佐藤:Sato;鈴木:Suzuki;高橋:Takahashi;田中:Tanaka;伊藤:Ito;渡辺:Watanabe;\
                 中村:Nakamura;小林:Kobayashi",
    },
    CultureDef {
        locale: "ko-KR",
        timezones: &["Asia/Seoul"],
        region: Elsewhere,
        weight: 3,
        given: "민준:Minjun:m;지훈:Jihoon:m;도윤:Doyun:m;예준:Yejun:m;서연:Seoyeon:f;하은:Haeun:f;\
                수빈:Subin:f;지우:Jiwoo:f",
        family: "김:Kim;이:Lee;박:Park;최:Choi;정:Jung;강:Kang;조:Cho;윤:Yoon",
    },
    CultureDef {
        locale: "vi-VN",
        timezones: &["Asia/Ho_Chi_Minh"],
        region: Elsewhere,
        weight: 3,
        given: "Thị Hương:f;Thị Lan:f;Ngọc Ánh:f;Thu Trang:f;Văn Minh:m;Đức Anh:m;Quang Huy:m;Hoàng Nam:m",
        family: "Nguyễn;Trần;Lê;Phạm;Hoàng;Huỳnh;Phan;Vũ;Đặng;Bùi",
    },
    CultureDef {
        locale: "th-TH",
        timezones: &["Asia/Bangkok"],
        region: Elsewhere,
        weight: 1,
        given: "สมชาย:Somchai:m;ปรีชา:Preecha:m;สุดา:Suda:f;มาลี:Malee:f",
        family: "ทองดี:Thongdee;ศรีสุข:Srisuk;บุญมี:Boonmee;สุขสวัสดิ์:Suksawat",
    },
    CultureDef {
        locale: "en-NG",
        timezones: &["Africa/Lagos"],
        region: Emea,
        weight: 2,
        given: "Adébáyọ̀:m;Chiamaka:f;Olúwaseun:m;Ngozi:f;Emeka:m;Fúnmiláyọ̀:f;Chinedu:m;Adaeze:f",
        family: "Okafor;Adéyẹmí;Okonkwo;Balógun;Eze;Nwosu;Ọlátúnjí",
    },
    CultureDef {
        locale: "sw-KE",
        timezones: &["Africa/Nairobi"],
        region: Emea,
        weight: 1,
        given: "Wanjiru:f;Achieng:f;Njeri:f;Otieno:m;Kamau:m;Kiprotich:m",
        family: "Mwangi;Odhiambo;Kariuki;Mutua;Kimani;Chebet",
    },
    CultureDef {
        locale: "am-ET",
        timezones: &["Africa/Addis_Ababa"],
        region: Emea,
        weight: 1,
        given: "አበበ:Abebe:m;ዮናስ:Yonas:m;ሰላም:Selam:f;ሄለን:Helen:f",
        family: "በቀለ:Bekele;ተስፋዬ:Tesfaye;ገብሬ:Gebre;ወልደ:Wolde",
    },
];

/// People with very long names, to exercise long addresses (60–90
/// characters): (given, family, culture locale).
const LONG_NAMES: &[(&str, &str, &str)] = &[
    ("Juan-Pablo", "Montenegro-Villalobos", "es-MX"),
    ("Anna-Katharina", "von Hohenzollern-Sigmaringen", "de-DE"),
    ("Marie-Thérèse", "Lefèvre-Desjardins", "fr-FR"),
    (
        "Karl-Theodor",
        "Wolfeschlegelsteinhausen-Bergdorff",
        "de-DE",
    ),
    ("Ananya", "Bhattacharya-Chattopadhyay", "en-IN"),
    (
        "María-Fernanda",
        "Fernández de la Fuente-Echeverría",
        "es-ES",
    ),
    (
        "Siobhán-Aoife",
        "Ní Shúilleabháin-Mac Giolla Phádraig",
        "en-IE",
    ),
    ("Hans-Christian", "Schwarzenberg-Liechtenstein", "da-DK"),
];

/// The owner and the demo admin: (given, family, locale, timezone, title,
/// department).
const OWNER: (&str, &str, &str, &str, &str, &str) = (
    "Zoë",
    "Ashworth",
    "en-GB",
    "Europe/London",
    "Founder & Managing Director",
    "Executive Office",
);
const ADMIN: (&str, &str, &str, &str, &str, &str) = (
    "Łukasz",
    "Wiśniewski",
    "pl-PL",
    "Europe/Warsaw",
    "Identity & Access Administrator",
    "IT Operations",
);

struct Name {
    display: &'static str,
    /// Lowercase ASCII for e-mail addresses.
    slug: String,
}

struct Given {
    name: Name,
    feminine: bool,
}

struct Family {
    masculine: Name,
    feminine: Name,
}

struct Culture {
    def: &'static CultureDef,
    given: Vec<Given>,
    family: Vec<Family>,
}

fn parse_cultures() -> Vec<Culture> {
    CULTURES
        .iter()
        .map(|def| {
            let german = def.locale.starts_with("de");
            let given = entries(def.given)
                .map(|entry| {
                    let mut parts = entry.split(':');
                    let display = parts.next().unwrap_or_default();
                    let mut romanised = None;
                    let mut feminine = false;
                    for part in parts {
                        match part {
                            "f" => feminine = true,
                            "m" => {}
                            other => romanised = Some(other),
                        }
                    }
                    Given {
                        name: Name {
                            display,
                            slug: slug(romanised.unwrap_or(display), german),
                        },
                        feminine,
                    }
                })
                .collect();
            let family = entries(def.family)
                .map(|entry| {
                    let (display, romanised) = match entry.split_once(':') {
                        Some((d, r)) => (d, r),
                        None => (entry, entry),
                    };
                    let (d_m, d_f) = display.split_once('/').unwrap_or((display, display));
                    let (r_m, r_f) = romanised.split_once('/').unwrap_or((romanised, romanised));
                    Family {
                        masculine: Name {
                            display: d_m,
                            slug: slug(r_m, german),
                        },
                        feminine: Name {
                            display: d_f,
                            slug: slug(r_f, german),
                        },
                    }
                })
                .collect();
            Culture { def, given, family }
        })
        .collect()
}

/// The `;`-separated entries of a name list, trimmed (the lists are wrapped
/// with `\` line continuations, which leave no whitespace, but be lenient).
fn entries(list: &'static str) -> impl Iterator<Item = &'static str> {
    list.split(';').map(str::trim).filter(|e| !e.is_empty())
}

/// The ASCII spelling of one Latin letter with diacritics (and a few
/// ligatures), or None for anything else. German umlauts become `ae`, `oe`,
/// `ue` when `german` is set, as German addresses spell them.
fn latin_ascii(c: char, german: bool) -> Option<&'static str> {
    Some(match c {
        'ä' | 'Ä' if german => "ae",
        'ö' | 'Ö' if german => "oe",
        'ü' | 'Ü' if german => "ue",
        'À'..='Å' | 'à'..='å' | 'Ā' | 'ā' | 'Ă' | 'ă' | 'Ą' | 'ą' => "a",
        'Æ' | 'æ' => "ae",
        'Ç' | 'ç' | 'Ć' | 'ć' | 'Č' | 'č' => "c",
        'Ð' | 'ð' | 'Đ' | 'đ' | 'Ď' | 'ď' => "d",
        'È'..='Ë' | 'è'..='ë' | 'Ē' | 'ē' | 'Ė' | 'ė' | 'Ę' | 'ę' | 'Ě' | 'ě' => "e",
        'Ğ' | 'ğ' => "g",
        'Ì'..='Ï' | 'ì'..='ï' | 'Ī' | 'ī' | 'Į' | 'į' | 'İ' | 'ı' => "i",
        'Ł' | 'ł' | 'Ľ' | 'ľ' | 'Ĺ' | 'ĺ' => "l",
        'Ñ' | 'ñ' | 'Ń' | 'ń' | 'Ň' | 'ň' => "n",
        'Ò'..='Ö' | 'Ø' | 'ò'..='ö' | 'ø' | 'Ō' | 'ō' | 'Ő' | 'ő' | 'Ơ' | 'ơ' => "o",
        'Œ' | 'œ' => "oe",
        'Ř' | 'ř' => "r",
        'Ś' | 'ś' | 'Š' | 'š' | 'Ş' | 'ş' | 'Ș' | 'ș' => "s",
        'ß' => "ss",
        'Ť' | 'ť' | 'Ţ' | 'ţ' | 'Ț' | 'ț' => "t",
        'Þ' | 'þ' => "th",
        'Ù'..='Ü' | 'ù'..='ü' | 'Ū' | 'ū' | 'Ů' | 'ů' | 'Ű' | 'ű' | 'Ų' | 'ų' | 'Ư' | 'ư' => {
            "u"
        }
        'Ý' | 'ý' | 'Ÿ' | 'ÿ' => "y",
        'Ź' | 'ź' | 'Ż' | 'ż' | 'Ž' | 'ž' => "z",
        // Latin Extended Additional: Vietnamese (and Yoruba ẹ, ọ) vowels with
        // stacked diacritics, laid out as runs of one base letter each.
        '\u{1EA0}'..='\u{1EB7}' => "a",
        '\u{1EB8}'..='\u{1EC7}' => "e",
        '\u{1EC8}'..='\u{1ECB}' => "i",
        '\u{1ECC}'..='\u{1EE3}' => "o",
        '\u{1EE4}'..='\u{1EF1}' => "u",
        '\u{1EF2}'..='\u{1EF9}' => "y",
        _ => return None,
    })
}

/// A name as an e-mail local-part fragment: transliterated to lowercase
/// ASCII letters, digits and single hyphens; spaces, apostrophes and
/// combining marks disappear ("Ó Briain" → "obriain", "Weiß" → "weiss").
/// Scripts other than Latin are dropped, which is why non-Latin names carry a
/// romanised form.
fn slug(name: &str, german: bool) -> String {
    fn push(s: &str, out: &mut String) {
        for b in s.chars() {
            let b = b.to_ascii_lowercase();
            if b.is_ascii_alphanumeric() {
                out.push(b);
            } else if b == '-' && !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
    }
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii() {
            let mut buf = [0u8; 4];
            push(c.encode_utf8(&mut buf), &mut out);
        } else if let Some(ascii) = latin_ascii(c, german) {
            push(ascii, &mut out);
        }
        // Anything else (combining marks, other scripts) is dropped.
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

// ---------------------------------------------------------------------------
// Departments, titles, resources.

const DEPARTMENTS: [&str; 12] = [
    "Executive Office",
    "Finance",
    "Legal & Compliance",
    "Human Resources",
    "IT Operations",
    "Research & Development",
    "Marketing",
    "Customer Success",
    "Sales EMEA",
    "Sales APAC",
    "Procurement",
    "Facilities",
];
const DEPARTMENT_WEIGHTS: [u32; 12] = [2, 8, 5, 5, 9, 18, 10, 14, 10, 8, 5, 4];
const RND: usize = 5;

/// Per department: the titles of its staff, and the title of its head.
const TITLES: [(&[&str], &str); 12] = [
    (
        &["Executive Assistant", "Chief of Staff", "Strategy Analyst"],
        "Chief Operating Officer",
    ),
    (
        &[
            "Financial Controller",
            "Accounts Payable Specialist",
            "FP&A Analyst",
            "Payroll Officer",
        ],
        "Head of Finance",
    ),
    (
        &[
            "Legal Counsel",
            "Compliance Officer",
            "Data Protection Officer",
            "Paralegal",
        ],
        "General Counsel",
    ),
    (
        &[
            "HR Business Partner",
            "Recruiter",
            "People Operations Coordinator",
            "Learning & Development Specialist",
        ],
        "Head of People",
    ),
    (
        &[
            "Systems Administrator",
            "Site Reliability Engineer",
            "Service Desk Analyst",
            "Network Engineer",
        ],
        "Head of IT Operations",
    ),
    (
        &[
            "Software Engineer",
            "Senior Data Scientist",
            "Research Scientist",
            "QA Engineer",
            "Product Designer",
        ],
        "Director of Research & Development",
    ),
    (
        &[
            "SEO Specialist",
            "Content Strategist",
            "Brand Designer",
            "Marketing Analyst",
            "Social Media Manager",
        ],
        "Head of Marketing",
    ),
    (
        &[
            "Customer Success Manager",
            "Support Engineer",
            "Onboarding Specialist",
            "Technical Account Manager",
        ],
        "VP Customer Success",
    ),
    (
        &[
            "Account Executive",
            "Sales Development Representative",
            "Solutions Consultant",
        ],
        "Sales Director EMEA",
    ),
    (
        &[
            "Account Executive",
            "Sales Development Representative",
            "Solutions Consultant",
        ],
        "Sales Director APAC",
    ),
    (
        &[
            "Procurement Specialist",
            "Category Buyer",
            "Supplier Quality Analyst",
        ],
        "Head of Procurement",
    ),
    (
        &[
            "Facilities Coordinator",
            "Workplace Manager",
            "Health & Safety Officer",
        ],
        "Head of Facilities",
    ),
];
const ADMIN_TITLES: &[&str] = &[
    "IT Administrator",
    "Identity & Access Administrator",
    "Systems Administrator",
    "Office Manager",
];
const GUEST_TITLES: &[&str] = &[
    "External Auditor",
    "Consultant",
    "Agency Account Director",
    "Client Partner",
    "Freelance Designer",
    "Legal Advisor",
];

const SITES: &[&str] = &[
    "shop.example.com",
    "www.northwind.example",
    "blog.northwind.example",
    "docs.northwind.example",
    "careers.northwind.example",
    "support.northwind.example",
    "investors.northwind.example",
    "events.northwind.example",
    "store.example.org",
    "partners.example.net",
    "de.shop.example.com",
    "fr.shop.example.com",
    "jp.shop.example.com",
];
const HOSTS: &[&str] = &[
    "api.northwind.example",
    "auth.northwind.example",
    "cdn.northwind.example",
    "vpn.northwind.example",
    "mail.northwind.example",
    "erp.northwind.example",
    "intranet.northwind.example",
    "payments.northwind.example",
    "shop.example.com",
    "status.example.org",
];
const SERVERS: &[&str] = &[
    "db-01.ops.northwind.example",
    "db-02.ops.northwind.example",
    "files-01.ops.northwind.example",
    "backup-01.ops.northwind.example",
    "build-03.rnd.northwind.example",
];
const QUEUES: &[&str] = &[
    "orders-eu",
    "orders-apac",
    "invoice-export",
    "email-outbound",
    "search-reindex",
];
const PRODUCTS: &[&str] = &[
    "Aurora desk lamp",
    "Fjord water bottle",
    "Nimbus smart kettle",
    "Kestrel trail shoe",
    "Sol oat bar",
    "Tundra winter jacket",
    "Atlas travel adapter",
];
const EVENTS: &[&str] = &[
    "spring trade fair, Lyon",
    "partner summit, Lisbon",
    "retail expo, Singapore",
    "design week, Milan",
];
const PRIVACY_REGIONS: &[&str] = &["EU", "UK", "California", "Brazil", "Japan"];
const CASE_TOPICS: &[&str] = &[
    "Expense claim irregularity",
    "Conflict of interest in a supplier tender",
    "Data subject access request",
    "Workplace safety concern",
    "Harassment complaint",
    "Suspected invoice fraud",
    "Anonymous hotline report",
    "Breach of confidentiality",
    "Gift and hospitality disclosure",
    "Phishing incident follow-up",
    "Discrimination complaint",
    "Misuse of a company vehicle",
];

/// Resource applications: (application id, resource kind, weight).
const RESOURCE_APPS: [(&str, &str, u32); 4] = [
    ("tasks", "task", 35),
    ("monitors", "monitor", 25),
    ("reviews", "review", 20),
    ("cases", "case", 20),
];

fn resource_name(app: usize, seq: usize, year: i64, r: &mut Rng) -> String {
    let quarter = 1 + r.below(4);
    let round = 1 + r.below(4);
    match app {
        0 => {
            let site = r.pick(SITES);
            let what = *r.pick(&[
                "Weekly SEO audit",
                "Backlink monitoring",
                "Broken-link crawl",
                "Keyword rank tracking",
                "Core Web Vitals report",
                "Competitor price check",
                "Accessibility scan (WCAG 2.2)",
                "Content gap analysis",
                "Sitemap validation",
                "Monthly traffic report",
            ]);
            format!("{what} — {site}")
        }
        1 => match r.below(7) {
            0 | 1 => format!("Uptime: {}", r.pick(HOSTS)),
            2 => format!("TLS certificate expiry: {}", r.pick(HOSTS)),
            3 => format!("Response time: {}/health", r.pick(HOSTS)),
            4 => format!("Disk space: {}", r.pick(SERVERS)),
            5 => format!("Backup job heartbeat: {}", r.pick(SERVERS)),
            _ => format!("Queue depth: {}", r.pick(QUEUES)),
        },
        2 => match r.below(10) {
            0 => format!("Q{quarter} brand guidelines review"),
            1 => format!("Product catalogue {year} — proofs, round {round}"),
            2 => format!("Packaging artwork v{round} — {}", r.pick(PRODUCTS)),
            3 => format!("Annual report {} — draft {round}", year - 1),
            4 => format!("Homepage redesign — round {round}"),
            5 => format!("Press release: {} launch", r.pick(PRODUCTS)),
            6 => format!("Employee handbook {year} update"),
            7 => format!("Stand graphics — {}", r.pick(EVENTS)),
            8 => format!("Investor deck Q{quarter} {year}"),
            _ => format!("Privacy notice update — {}", r.pick(PRIVACY_REGIONS)),
        },
        _ => {
            let topic = r.pick(CASE_TOPICS);
            if r.chance(0.5) {
                let dept = DEPARTMENTS[r.weighted(&DEPARTMENT_WEIGHTS)];
                format!("Case {year}-{seq:04}: {topic} ({dept})")
            } else {
                format!("Case {year}-{seq:04}: {topic}")
            }
        }
    }
}

/// The calendar year of a Unix time (proleptic Gregorian, UTC).
fn year_of(secs: i64) -> i64 {
    let z = secs.div_euclid(DAY) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let year = yoe + era * 400;
    if mp >= 10 {
        year + 1
    } else {
        year
    }
}

// ---------------------------------------------------------------------------
// E-mail addresses.

/// A 64-bit digest of an address. The address sets below hold digests, not
/// strings: an address that is taken always has its digest in the set, so a
/// duplicate can never be handed out; a digest collision (about one in 10^9
/// at 100k users) would only give someone an unneeded number suffix.
fn digest(text: &str) -> u64 {
    let mut h = 0x243F_6A88_85A3_08D3 ^ text.len() as u64;
    for chunk in text.as_bytes().chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        h = mix64(h ^ u64::from_le_bytes(word));
    }
    h
}

/// Hashes an already well-mixed `u64` digest as itself.
#[derive(Default)]
struct DigestHasher(u64);

impl Hasher for DigestHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type ByDigest = BuildHasherDefault<DigestHasher>;

/// Hands out unique addresses: the first person gets `local@domain`, later
/// ones `local2@domain`, `local3@domain`… Counters per base address keep this
/// linear however many people share a name.
#[derive(Default)]
struct Addresses {
    taken: HashSet<u64, ByDigest>,
    next: HashMap<u64, u32, ByDigest>,
}

impl Addresses {
    fn with_capacity(n: usize) -> Self {
        Addresses {
            taken: HashSet::with_capacity_and_hasher(n, ByDigest::default()),
            next: HashMap::default(),
        }
    }

    /// RFC 5321 limits the local part to 64 octets; leave room for a suffix.
    const MAX_LOCAL: usize = 64 - 5;

    fn claim(&mut self, local: &str, domain: &str) -> String {
        let mut local = if local.is_empty() { "user" } else { local };
        if local.len() > Self::MAX_LOCAL {
            local = local[..Self::MAX_LOCAL].trim_end_matches(['-', '.', '_']);
        }
        let mut email = String::with_capacity(local.len() + domain.len() + 5);
        email.push_str(local);
        email.push('@');
        email.push_str(domain);
        let base = digest(&email);
        if self.taken.insert(base) {
            return email;
        }
        let counter = self.next.entry(base).or_insert(2);
        loop {
            email.clear();
            email.push_str(local);
            email.push_str(&counter.to_string());
            email.push('@');
            email.push_str(domain);
            *counter += 1;
            if self.taken.insert(digest(&email)) {
                return email;
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Generation.

const ROLE_IDS: [&str; 5] = ["admin", "manager", "member", "viewer", "guest"];
const ROLE_WEIGHTS: [u32; 5] = [4, 10, 55, 20, 11];

struct Ceilings<'a> {
    catalogue: &'a Catalogue,
    /// Per role id: the applications a custom setting is worth showing for
    /// (not account settings, not the profile, at least two permissions
    /// within the ceiling), with those permissions in catalogue order.
    custom_candidates: HashMap<&'a str, Vec<(&'a str, Vec<&'a str>)>>,
}

impl<'a> Ceilings<'a> {
    fn new(catalogue: &'a Catalogue) -> Self {
        let custom_candidates = catalogue
            .roles
            .iter()
            .map(|role: &'a Role| {
                let apps = catalogue
                    .applications
                    .iter()
                    .filter(|app| !app.account_setting && app.id != "profile")
                    .filter_map(|app| {
                        let allowed: Vec<&str> = app
                            .permissions
                            .iter()
                            .filter(|p| role.allows(&p.id))
                            .map(|p| p.id.as_str())
                            .collect();
                        (allowed.len() >= 2).then_some((app.id.as_str(), allowed))
                    })
                    .collect();
                (role.id.as_str(), apps)
            })
            .collect();
        Ceilings {
            catalogue,
            custom_candidates,
        }
    }

    /// Picks 1–3 applications to set to Custom and the permissions granted in
    /// them: always the first (view) permission, each other with even odds,
    /// never a sub-permission without its parent, and never all of them (or
    /// the setting would equal All).
    fn custom(&self, role: &str, r: &mut Rng) -> (Vec<(String, bool)>, Vec<String>) {
        let Some(candidates) = self.custom_candidates.get(role) else {
            return (Vec::new(), Vec::new());
        };
        if candidates.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let count = (1 + r.below(3)).min(candidates.len());
        let mut chosen: Vec<usize> = Vec::with_capacity(count);
        while chosen.len() < count {
            let k = r.below(candidates.len());
            if !chosen.contains(&k) {
                chosen.push(k);
            }
        }
        chosen.sort_unstable();
        let mut apps = Vec::with_capacity(count);
        let mut granted: Vec<String> = Vec::new();
        for k in chosen {
            let (app, allowed) = &candidates[k];
            let start = granted.len();
            for (j, perm) in allowed.iter().enumerate() {
                if j > 0 && !r.chance(0.5) {
                    continue;
                }
                let parent = self
                    .catalogue
                    .permission(perm)
                    .and_then(|(_, p)| p.parent.as_deref());
                if parent.is_some_and(|parent| !granted[start..].iter().any(|g| g == parent)) {
                    continue;
                }
                granted.push((*perm).to_owned());
            }
            if granted.len() - start == allowed.len() {
                // The last permission is never a parent of an earlier one.
                granted.pop();
            }
            apps.push(((*app).to_owned(), true));
        }
        (apps, granted)
    }
}

/// Builds the demo organisation with `n` users (the Owner first, then the
/// demo Admin, then everyone else) as of `now` (Unix seconds). The same `n`
/// and `now` give identical output. `n == 0` gives an organisation with no
/// users and no resources.
pub fn generate(n: usize, now: i64) -> DemoOrg {
    let catalogue = Catalogue::default_catalogue();
    let ceilings = Ceilings::new(&catalogue);
    let cultures = parse_cultures();
    let culture_weights: Vec<u32> = cultures.iter().map(|c| c.def.weight).collect();
    let org_created = now - 6 * 365 * DAY;

    let mut addresses = Addresses::with_capacity(n);
    let mut users: Vec<DemoUser> = Vec::with_capacity(n);
    // Who may send invitations: the Owner and active Admins.
    let mut inviters: Vec<usize> = Vec::new();

    for i in 0..n {
        let mut r = Rng::for_index(SEED_USERS, i);
        let user = match i {
            0 => fixed_user(OWNER, "owner", org_created, now, &mut addresses, &mut r),
            1 => fixed_user(
                ADMIN,
                "admin",
                org_created + 3 * DAY,
                now,
                &mut addresses,
                &mut r,
            ),
            _ => random_user(
                i,
                now,
                org_created,
                &cultures,
                &culture_weights,
                &ceilings,
                &inviters,
                &mut addresses,
                &mut r,
            ),
        };
        if (user.role == "owner" || user.role == "admin") && user.status == DemoStatus::Active {
            inviters.push(i);
        }
        users.push(user);
    }

    let resources = generate_resources(&users, now);
    assign_resources(&mut users, resources.len());
    let (roles, role_changes) = assign_custom_roles(&mut users, now);
    let account_balance = spend_credits(&mut users);
    let password_reset = pick_password_reset(&users, &inviters, now);
    let history = history(
        &mut users,
        &roles,
        role_changes,
        password_reset,
        &inviters,
        now,
    );

    DemoOrg {
        name: ORG_NAME.to_owned(),
        domain: ORG_DOMAIN.to_owned(),
        departments: DEPARTMENTS.iter().map(|d| (*d).to_owned()).collect(),
        resources,
        users,
        roles,
        history,
        password_reset,
        account_balance,
    }
}

fn fixed_user(
    (given, family, locale, timezone, title, department): (&str, &str, &str, &str, &str, &str),
    role: &str,
    created: i64,
    now: i64,
    addresses: &mut Addresses,
    r: &mut Rng,
) -> DemoUser {
    let local = format!("{}.{}", slug(given, false), slug(family, false));
    let email = addresses.claim(&local, ORG_DOMAIN);
    let owner = role == "owner";
    DemoUser {
        given_name: given.to_owned(),
        family_name: family.to_owned(),
        email,
        status: DemoStatus::Active,
        role: role.to_owned(),
        departments: vec![department.to_owned()],
        created,
        last_active: Some(now - r.between(60, if owner { 3_600 } else { DAY })),
        applications: Vec::new(),
        permissions: Vec::new(),
        resources: Vec::new(),
        credit_limit: None,
        credits_used: r.between(500, 12_000),
        events: Vec::new(),
        allowed_ips: Vec::new(),
        notify_email: true,
        notify_in_app: true,
        digest: if owner { "daily" } else { "weekly" },
        invitation: None,
        title: Some(title.to_owned()),
        phone: Some(if owner {
            "+44 20 7946 0018".to_owned()
        } else {
            "+44 20 7946 0342".to_owned()
        }),
        locale: locale.to_owned(),
        timezone: timezone.to_owned(),
        password: Some(if owner {
            DEMO_OWNER_PASSWORD
        } else {
            DEMO_ADMIN_PASSWORD
        }),
    }
}

#[allow(clippy::too_many_arguments)]
fn random_user(
    i: usize,
    now: i64,
    org_created: i64,
    cultures: &[Culture],
    culture_weights: &[u32],
    ceilings: &Ceilings<'_>,
    inviters: &[usize],
    addresses: &mut Addresses,
    r: &mut Rng,
) -> DemoUser {
    let status = match r.unit() {
        u if u < 0.84 => DemoStatus::Active,
        u if u < 0.93 => DemoStatus::Pending,
        _ => DemoStatus::Archived,
    };
    // One in 397 people has a very long name and works in R&D.
    let long_name = (i % 397 == 5).then(|| LONG_NAMES[(i / 397) % LONG_NAMES.len()]);
    let role = match long_name {
        Some(_) => "member",
        None => ROLE_IDS[r.weighted(&ROLE_WEIGHTS)],
    };
    let external = role == "guest" || (role == "viewer" && r.chance(0.3));

    // Identity.
    let culture = match long_name {
        Some((_, _, locale)) => cultures
            .iter()
            .find(|c| c.def.locale == locale)
            .unwrap_or(&cultures[0]),
        None => &cultures[r.weighted(culture_weights)],
    };
    let german = culture.def.locale.starts_with("de");
    let (given_name, family_name, given_slug, family_slug) = match long_name {
        Some((given, family, _)) => (
            given,
            family,
            Cow::Owned(slug(given, german)),
            Cow::Owned(slug(family, german)),
        ),
        None => {
            let given = r.pick(&culture.given);
            let family = r.pick(&culture.family);
            let family = if given.feminine {
                &family.feminine
            } else {
                &family.masculine
            };
            (
                given.name.display,
                family.display,
                Cow::Borrowed(given.name.slug.as_str()),
                Cow::Borrowed(family.slug.as_str()),
            )
        }
    };
    let (local, domain) = if long_name.is_some() {
        let local = format!("{given_slug}.{family_slug}");
        let domain = if local.len() <= 39 {
            LONG_DOMAIN
        } else {
            ORG_DOMAIN
        };
        (local, domain)
    } else if external {
        let domain = *r.pick(EXTERNAL_DOMAINS);
        let local = match r.below(4) {
            0 => format!("{}{family_slug}", &given_slug[..given_slug.len().min(1)]),
            1 => format!("{given_slug}_{family_slug}"),
            _ => format!("{given_slug}.{family_slug}"),
        };
        (local, domain)
    } else {
        (format!("{given_slug}.{family_slug}"), ORG_DOMAIN)
    };
    let email = addresses.claim(&local, domain);

    // Organisation.
    let mut departments: Vec<String> = Vec::new();
    let mut department_index = None;
    if long_name.is_some() {
        departments.push(DEPARTMENTS[RND].to_owned());
        department_index = Some(RND);
    } else if !external {
        let count = [0, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 3][r.below(12)];
        let mut picked: Vec<usize> = Vec::with_capacity(count);
        while picked.len() < count {
            let d = r.weighted(&DEPARTMENT_WEIGHTS);
            if !picked.contains(&d) {
                picked.push(d);
            }
        }
        department_index = picked.first().copied();
        departments = picked.iter().map(|&d| DEPARTMENTS[d].to_owned()).collect();
    }
    let title = if external {
        r.chance(0.5).then(|| (*r.pick(GUEST_TITLES)).to_owned())
    } else if !r.chance(0.75) {
        None
    } else if role == "admin" {
        Some((*r.pick(ADMIN_TITLES)).to_owned())
    } else {
        let (staff, head) = TITLES[department_index.unwrap_or(RND)];
        if role == "manager" && r.chance(0.6) {
            Some(head.to_owned())
        } else {
            Some((*r.pick(staff)).to_owned())
        }
    };
    let phone = r.chance(0.45).then(|| match culture.def.region {
        Region::Emea => format!("+44 20 7946 0{:03}", r.below(1000)),
        Region::Elsewhere => format!("+1 202 555 01{:02}", r.below(100)),
    });
    let timezone = (*r.pick(culture.def.timezones)).to_owned();

    // Time line.
    let (created, last_active, invitation) = if status == DemoStatus::Pending {
        let sent_at = now - (r.unit() * 8.75 * DAY as f64) as i64;
        let created = sent_at - r.between(1, 300);
        let invitation = DemoInvitation {
            sent_at,
            expires_at: sent_at + INVITATION_TTL,
            invited_by: inviters
                .get(r.below(inviters.len().max(1)))
                .copied()
                .unwrap_or(0),
            emailed: true,
        };
        (created, None, Some(invitation))
    } else {
        // Accounts grow over time: later dates are more likely.
        let span = (now - DAY - (org_created + 30 * DAY)) as f64;
        let created = org_created + 30 * DAY + (span * r.unit().sqrt()) as i64;
        let last_active = if status == DemoStatus::Active {
            if r.chance(0.04) {
                None
            } else {
                let age = (90.0 * DAY as f64 * r.unit().powi(2)) as i64;
                let t = now - age;
                Some(if t > created {
                    t
                } else {
                    created + ((now - created) as f64 * r.unit()) as i64
                })
            }
        } else if r.chance(0.15) {
            None
        } else {
            Some(created + ((now - created) as f64 * r.unit() * 0.95) as i64)
        };
        (created, last_active, None)
    };

    // Permissions.
    let (applications, permissions) = if (role == "member" || role == "viewer") && r.chance(0.15) {
        ceilings.custom(role, r)
    } else {
        (Vec::new(), Vec::new())
    };

    // Credits: only members get a limit; everyone who works spends.
    let spends = status != DemoStatus::Pending;
    let (credit_limit, credits_used) = match role {
        "member" if r.chance(0.4) => {
            let limit = 100 + 50 * r.below(99) as i64;
            let used = if !spends {
                0
            } else if r.chance(0.06) {
                limit
            } else {
                (limit as f64 * r.unit().powf(1.3)) as i64
            };
            (Some(limit), used)
        }
        "member" if spends && r.chance(0.65) => (None, r.between(0, 8_000)),
        "admin" | "manager" if spends && r.chance(0.5) => (None, r.between(0, 15_000)),
        _ => (None, 0),
    };

    let allowed_ips = if role != "guest" && r.chance(0.03) {
        let count = 1 + r.below(2);
        (0..count).map(|_| random_cidr(r)).collect()
    } else {
        Vec::new()
    };

    DemoUser {
        given_name: given_name.to_owned(),
        family_name: family_name.to_owned(),
        email,
        status,
        role: role.to_owned(),
        departments,
        created,
        last_active,
        applications,
        permissions,
        resources: Vec::new(),
        credit_limit,
        credits_used,
        events: Vec::new(),
        allowed_ips,
        notify_email: r.chance(0.85),
        notify_in_app: r.chance(0.92),
        digest: ["never", "daily", "weekly"][r.weighted(&[25, 20, 55])],
        invitation,
        title,
        phone,
        locale: culture.def.locale.to_owned(),
        timezone,
        password: None,
    }
}

/// An office or VPN range from the documentation and private blocks.
fn random_cidr(r: &mut Rng) -> String {
    match r.below(5) {
        0 => "127.0.0.0/8".to_owned(),
        1 => format!("10.{}.{}.0/24", r.below(256), r.below(256)),
        2 => format!("10.{}.0.0/16", r.below(256)),
        3 => format!("192.168.{}.0/24", r.below(256)),
        _ => format!("2001:db8:{:x}::/48", r.below(0x10000)),
    }
}

/// About max(20, n/200) resources (at most 2000), spread over tasks,
/// monitors, reviews and cases, each owned by someone who can create
/// resources and has accepted their invitation.
fn generate_resources(users: &[DemoUser], now: i64) -> Vec<DemoResource> {
    if users.is_empty() {
        return Vec::new();
    }
    let count = (users.len() / 200).clamp(20, 2000);
    let creators: Vec<usize> = users
        .iter()
        .enumerate()
        .filter(|(_, u)| {
            u.status != DemoStatus::Pending
                && matches!(u.role.as_str(), "owner" | "admin" | "manager" | "member")
        })
        .map(|(i, _)| i)
        .collect();
    let year = year_of(now);
    let weights: Vec<u32> = RESOURCE_APPS.iter().map(|a| a.2).collect();
    let mut seq = [0usize; 4];
    let mut r = Rng::new(SEED_RESOURCES);
    (0..count)
        .map(|_| {
            let app = r.weighted(&weights);
            seq[app] += 1;
            let (application, kind, _) = RESOURCE_APPS[app];
            let name = resource_name(app, seq[app], year, &mut r);
            let owner = if creators.is_empty() {
                0
            } else {
                *r.pick(&creators)
            };
            DemoResource {
                id: format!("{kind}-{:04}", seq[app]),
                application: application.to_owned(),
                name,
                owner,
            }
        })
        .collect()
}

/// Shares resources through ACLs: every guest gets 1–3, most viewers and
/// members a few; roles with full access need none.
fn assign_resources(users: &mut [DemoUser], count: usize) {
    if count == 0 {
        return;
    }
    for (i, user) in users.iter_mut().enumerate() {
        let mut r = Rng::for_index(SEED_ACCESS, i);
        let how_many = match user.role.as_str() {
            "guest" => 1 + r.below(3),
            "viewer" if r.chance(0.65) => 1 + r.below(4),
            "member" if r.chance(0.75) => 1 + r.below(6),
            _ => 0,
        };
        let how_many = how_many.min(count);
        while user.resources.len() < how_many {
            let k = r.below(count);
            if !user.resources.contains(&k) {
                user.resources.push(k);
            }
        }
        user.resources.sort_unstable();
    }
}

// ---------------------------------------------------------------------------
// Custom roles, credits spent, and the audit log's recent history.

const SUPPORT_LEAD: &str = "custom-support-lead";
const COMPLIANCE_REVIEWER: &str = "custom-compliance-reviewer";
const FINANCE: usize = 1;
const LEGAL: usize = 2;
const CUSTOMER_SUCCESS: usize = 7;

/// The demo's user-defined roles: a Support lead (within the Manager's
/// permissions), defined by the Owner, and a Compliance reviewer (within the
/// Admin's: it reads the audit log), defined by the demo Admin.
fn custom_roles(n: usize, now: i64) -> Vec<DemoRole> {
    let perms = |list: &[&str]| list.iter().map(|p| (*p).to_owned()).collect::<Vec<_>>();
    let mut roles = vec![DemoRole {
        id: SUPPORT_LEAD,
        name: "Support lead",
        description: "Leads the support desk: handles, assigns and closes the cases shared with them, \
                      and reads the whole team's statistics. Sees only the resources shared with them.",
        capabilities: vec![Capability::CreateModify, Capability::Execute, Capability::View],
        permissions: perms(&[
            "profile:view",
            "profile:edit",
            "cases:view",
            "cases:create",
            "cases:handle",
            "cases:comment",
            "cases:assign",
            "cases:change-status",
            "cases:close",
            "cases:export",
            "statistics:view",
            "statistics:export",
            "statistics:view-all",
            "tasks:view",
            "tasks:download",
            "reviews:view",
            "categories:view",
            "channels:view",
        ]),
        defined_by: 0,
        defined_at: now - 75 * DAY,
    }];
    if n >= 2 {
        roles.push(DemoRole {
            id: COMPLIANCE_REVIEWER,
            name: "Compliance reviewer",
            description:
                "Reads the audit log and the cases, reviews and statistics shared with them for \
                          compliance checks; changes nothing.",
            capabilities: vec![Capability::View],
            permissions: perms(&[
                "profile:view",
                "profile:edit",
                "cases:view",
                "reviews:view",
                "statistics:view",
                "statistics:export",
                "channels:view",
                "security:audit-log",
            ]),
            defined_by: 1,
            defined_at: now - 31 * DAY - 5 * HOUR,
        });
    }
    roles
}

/// A role change the history records: user, previous role, when.
struct RoleChange {
    user: usize,
    from: &'static str,
    to: &'static str,
    at: i64,
}

/// Defines the custom roles and gives them to a few people: about a third
/// of the active Members in Customer Success become Support leads, more than
/// half of the active Viewers in Legal & Compliance or Finance Compliance
/// reviewers (only people without custom permissions or a credit limit,
/// which were set for their old role).
fn assign_custom_roles(users: &mut [DemoUser], now: i64) -> (Vec<DemoRole>, Vec<RoleChange>) {
    if users.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let roles = custom_roles(users.len(), now);
    let mut changes = Vec::new();
    for (i, u) in users.iter_mut().enumerate().skip(2) {
        if u.status != DemoStatus::Active || !u.applications.is_empty() || u.credit_limit.is_some()
        {
            continue;
        }
        let in_department = |d: usize| u.departments.iter().any(|n| n == DEPARTMENTS[d]);
        let mut r = Rng::for_index(SEED_ROLES, i);
        let (from, to, chance) = match u.role.as_str() {
            "member" if in_department(CUSTOMER_SUCCESS) => ("member", SUPPORT_LEAD, 0.35),
            "viewer" if in_department(LEGAL) || in_department(FINANCE) => {
                ("viewer", COMPLIANCE_REVIEWER, 0.6)
            }
            _ => continue,
        };
        let Some(role) = roles.iter().find(|role| role.id == to) else {
            continue;
        };
        if !r.chance(chance) {
            continue;
        }
        let since = role.defined_at.max(u.created) + HOUR;
        if since >= now {
            continue;
        }
        let at = since + ((now - HOUR - since).max(0) as f64 * r.unit()) as i64;
        u.role = to.to_owned();
        changes.push(RoleChange {
            user: i,
            from,
            to,
            at,
        });
    }
    (roles, changes)
}

/// Splits what each user spent into 1–4 usage events over the six weeks
/// before their last activity (the last one then), so that the credits used
/// are the sum of the events and never above the limit; someone who never
/// signed in spent nothing. Returns the account's balance: what was bought,
/// a round sum with room to spare, less everything spent.
fn spend_credits(users: &mut [DemoUser]) -> i64 {
    let mut spent = 0i64;
    for (i, u) in users.iter_mut().enumerate() {
        let Some(end) = u.last_active else {
            u.credits_used = 0;
            continue;
        };
        if u.credits_used == 0 {
            continue;
        }
        let mut r = Rng::for_index(SEED_USAGE, i);
        let total = u.credits_used;
        let count = 1 + r.below(total.min(4) as usize);
        // Distinct cut points split the total into `count` positive parts.
        let mut cuts: Vec<i64> = Vec::with_capacity(count + 1);
        while cuts.len() < count - 1 {
            let c = r.between(1, total - 1);
            if !cuts.contains(&c) {
                cuts.push(c);
            }
        }
        cuts.push(0);
        cuts.push(total);
        cuts.sort_unstable();
        let start = u.created.max(end - 42 * DAY);
        let mut times: Vec<i64> = (1..count)
            .map(|_| start + ((end - start) as f64 * r.unit()) as i64)
            .collect();
        times.push(end);
        times.sort_unstable();
        let support = u.role == SUPPORT_LEAD;
        u.events = cuts
            .windows(2)
            .zip(times)
            .map(|(w, at)| {
                let (application, description) = usage(support, &mut r);
                DemoEvent {
                    application,
                    description,
                    credits: w[1] - w[0],
                    at,
                }
            })
            .collect();
        spent += total;
    }
    let bought = ((spent + spent / 4 + 100_000) / 50_000 + 1) * 50_000;
    bought - spent
}

/// What one usage event was: an application and a description.
fn usage(support: bool, r: &mut Rng) -> (&'static str, String) {
    let app = if support {
        3
    } else {
        r.weighted(&[5, 3, 2, 1])
    };
    let n = 5 * (1 + r.below(40));
    match app {
        0 => (
            "tasks",
            match r.below(4) {
                0 => format!("Site audit — {} ({n} pages)", r.pick(SITES)),
                1 => format!("Keyword rank report — {}", r.pick(SITES)),
                2 => format!("Broken-link crawl — {} ({} URLs)", r.pick(SITES), n * 20),
                _ => format!("Competitor price check ({n} products)"),
            },
        ),
        1 => (
            "monitors",
            match r.below(3) {
                0 => format!("Uptime checks — {} ({} runs)", r.pick(HOSTS), n * 12),
                1 => format!("Response time checks — {}/health", r.pick(HOSTS)),
                _ => format!("TLS certificate scan — {}", r.pick(HOSTS)),
            },
        ),
        2 => (
            "reviews",
            match r.below(3) {
                0 => format!("Proof review — {} packaging ({n} pages)", r.pick(PRODUCTS)),
                1 => format!("Video review, {} minutes", 1 + n / 5),
                _ => format!("Brand guidelines check ({n} pages)"),
            },
        ),
        _ => (
            "cases",
            match r.below(3) {
                0 => format!("Case attachments translated ({} pages)", 1 + n / 5),
                1 => "Case exported as PDF".to_owned(),
                _ => format!("Hotline report transcribed ({} minutes)", 1 + n / 10),
            },
        ),
    }
}

/// The Owner or an Admin who already had their account at `at`.
fn actor_at(users: &[DemoUser], inviters: &[usize], at: i64, r: &mut Rng) -> usize {
    let able: Vec<usize> = inviters
        .iter()
        .copied()
        .filter(|&k| users[k].created < at)
        .collect();
    if able.is_empty() {
        0
    } else {
        *r.pick(&able)
    }
}

/// A password reset link sent a few hours ago to the first active Member
/// seen in the last two days.
fn pick_password_reset(
    users: &[DemoUser],
    inviters: &[usize],
    now: i64,
) -> Option<DemoPasswordReset> {
    let user = (2..users.len()).find(|&i| {
        let u = &users[i];
        u.status == DemoStatus::Active
            && u.role == "member"
            && u.last_active.is_some_and(|t| t >= now - 2 * DAY)
    })?;
    let mut r = Rng::for_index(SEED_HISTORY, user);
    let at = now - r.between(HOUR, 20 * HOUR);
    Some(DemoPasswordReset {
        user,
        requested_by: actor_at(users, inviters, at, &mut r),
        at,
    })
}

/// Keeps the `cap` newest of `entries`.
fn newest(mut entries: Vec<DemoAuditEntry>, cap: usize) -> Vec<DemoAuditEntry> {
    entries.sort_by_key(|e| e.at);
    let skip = entries.len().saturating_sub(cap);
    entries.split_off(skip)
}

/// The audit log of the last while, oldest first: the roles being defined
/// and given, invitations (of the pending users, and of those who joined in
/// the last two months, with their acceptance), promotions to Manager,
/// archives, and the password reset. Each kind keeps its newest entries only,
/// so the log stays a few hundred entries long at any size. Decides which
/// invitations were sent without an e-mail.
fn history(
    users: &mut [DemoUser],
    roles: &[DemoRole],
    role_changes: Vec<RoleChange>,
    reset: Option<DemoPasswordReset>,
    inviters: &[usize],
    now: i64,
) -> Vec<DemoAuditEntry> {
    let mut defined = Vec::new();
    let mut invited = Vec::new();
    let mut joined = Vec::new();
    let mut changed: Vec<DemoAuditEntry> = role_changes
        .into_iter()
        .map(|c| {
            let mut r = Rng::for_index(SEED_HISTORY, c.user);
            DemoAuditEntry {
                at: c.at,
                actor: actor_at(users, inviters, c.at, &mut r),
                action: DemoAction::ChangeRole {
                    user: c.user,
                    from: c.from,
                    to: c.to,
                },
            }
        })
        .collect();
    let mut archived = Vec::new();
    for (k, role) in roles.iter().enumerate() {
        if role.defined_by < users.len() {
            defined.push(DemoAuditEntry {
                at: role.defined_at,
                actor: role.defined_by,
                action: DemoAction::DefineRole { role: k },
            });
        }
    }
    for i in 2..users.len() {
        let mut r = Rng::for_index(SEED_HISTORY, i);
        let u = &users[i];
        match u.status {
            DemoStatus::Pending => {
                let emailed = !r.chance(0.1);
                let Some(inv) = users[i].invitation.as_mut() else {
                    continue;
                };
                inv.emailed = emailed;
                invited.push(DemoAuditEntry {
                    at: inv.sent_at,
                    actor: inv.invited_by,
                    action: DemoAction::Invite { user: i, emailed },
                });
            }
            status => {
                if u.created >= now - 60 * DAY {
                    let invite_at = u.created;
                    let mut accept_at = invite_at + r.between(10 * 60, 2 * DAY);
                    if let Some(t) = u.last_active {
                        accept_at = accept_at.min(t);
                    }
                    let accept_at = accept_at.min(now).max(invite_at);
                    joined.push((
                        DemoAuditEntry {
                            at: invite_at,
                            actor: actor_at(users, inviters, invite_at, &mut r),
                            action: DemoAction::Invite {
                                user: i,
                                emailed: true,
                            },
                        },
                        DemoAuditEntry {
                            at: accept_at,
                            actor: i,
                            action: DemoAction::Accept { user: i },
                        },
                    ));
                }
                if status == DemoStatus::Active && u.role == "manager" && r.chance(0.25) {
                    let at = u.created + ((now - u.created) as f64 * r.unit().sqrt()) as i64;
                    changed.push(DemoAuditEntry {
                        at,
                        actor: actor_at(users, inviters, at, &mut r),
                        action: DemoAction::ChangeRole {
                            user: i,
                            from: "member",
                            to: "manager",
                        },
                    });
                }
                if status == DemoStatus::Archived {
                    let since = u.last_active.unwrap_or(u.created);
                    let at = (since + r.between(HOUR, 20 * DAY))
                        .min(now - HOUR)
                        .max(since);
                    archived.push(DemoAuditEntry {
                        at,
                        actor: actor_at(users, inviters, at, &mut r),
                        action: DemoAction::Archive { user: i },
                    });
                }
            }
        }
    }
    let mut log = defined;
    log.extend(newest(invited, 150));
    // The newest joiners, each with their invitation and its acceptance.
    joined.sort_by_key(|(invite, _)| invite.at);
    let skip = joined.len().saturating_sub(40);
    for (invite, accept) in joined.into_iter().skip(skip) {
        log.push(invite);
        log.push(accept);
    }
    log.extend(newest(changed, 50));
    log.extend(newest(archived, 50));
    if let Some(reset) = reset {
        log.push(DemoAuditEntry {
            at: reset.at,
            actor: reset.requested_by,
            action: DemoAction::PasswordReset { user: reset.user },
        });
    }
    // Stable: an invitation and its acceptance at the same second keep
    // their order.
    newest(log, MAX_HISTORY)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};
    use std::time::Instant;

    /// 2025-03-14T12:00:00Z.
    const NOW: i64 = 1_741_953_600;

    fn is_reserved_domain(domain: &str) -> bool {
        ["example", "example.com", "example.org", "example.net"]
            .iter()
            .any(|d| domain == *d || domain.ends_with(&format!(".{d}")))
    }

    /// Checks every invariant the generator promises.
    fn check(org: &DemoOrg, now: i64) {
        let mut catalogue = Catalogue::default_catalogue();
        check_roles(org, &catalogue);
        catalogue
            .roles
            .extend(org.roles.iter().map(|r| r.to_role("author@example.com")));
        check_credits(org);
        check_history(org, now);
        let users = &org.users;
        let n = users.len();
        assert_eq!(org.departments.len(), 12);
        if n == 0 {
            assert!(org.resources.is_empty());
            return;
        }
        assert_eq!(users[0].role, "owner");
        assert_eq!(users[0].status, DemoStatus::Active);
        assert_eq!(users[0].email, DEMO_OWNER_EMAIL);
        assert_eq!(users[0].password, Some(DEMO_OWNER_PASSWORD));
        assert_eq!(users.iter().filter(|u| u.role == "owner").count(), 1);
        if n >= 2 {
            assert_eq!(users[1].role, "admin");
            assert_eq!(users[1].status, DemoStatus::Active);
            assert_eq!(users[1].email, DEMO_ADMIN_EMAIL);
            assert_eq!(users[1].password, Some(DEMO_ADMIN_PASSWORD));
        }
        assert_eq!(
            users.iter().filter(|u| u.password.is_some()).count(),
            n.min(2)
        );

        let expected_resources = (n / 200).clamp(20, 2000);
        assert_eq!(org.resources.len(), expected_resources);
        let mut resource_ids = HashSet::new();
        for res in &org.resources {
            assert!(resource_ids.insert(res.id.as_str()), "duplicate {}", res.id);
            let app = catalogue
                .application(&res.application)
                .expect("application");
            let kind = app.resource_kind.as_deref().expect("resource application");
            assert!(res.id.starts_with(&format!("{kind}-")), "{}", res.id);
            assert!(!res.name.trim().is_empty());
            let owner = &users[res.owner];
            assert!(
                res.owner == 0
                    || (owner.status != DemoStatus::Pending
                        && ["admin", "manager", "member", SUPPORT_LEAD]
                            .contains(&owner.role.as_str())),
                "{} owned by a {} {:?}",
                res.id,
                owner.role,
                owner.status
            );
        }

        let mut emails = HashSet::new();
        for (i, u) in users.iter().enumerate() {
            let role = catalogue.role(&u.role).expect("catalogue role");
            // Identity.
            assert!(!u.given_name.is_empty() && !u.family_name.is_empty(), "{i}");
            assert!(
                emails.insert(u.email.as_str()),
                "duplicate e-mail {}",
                u.email
            );
            assert!(u.email.is_ascii() && u.email.len() <= 254, "{}", u.email);
            assert_eq!(u.email, u.email.to_ascii_lowercase());
            let (local, domain) = u.email.split_once('@').expect("@");
            assert!(!local.is_empty() && local.len() <= 64, "{}", u.email);
            assert!(
                local
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)),
                "{}",
                u.email
            );
            assert!(!local.starts_with(['.', '-']) && !local.ends_with(['.', '-']));
            assert!(is_reserved_domain(domain), "{}", u.email);
            assert!(!u.locale.is_empty() && u.timezone.contains('/'), "{i}");
            // Organisation.
            assert!(u.departments.len() <= 3, "{i}");
            let unique: HashSet<_> = u.departments.iter().collect();
            assert_eq!(unique.len(), u.departments.len());
            assert!(u.departments.iter().all(|d| org.departments.contains(d)));
            assert!(["never", "daily", "weekly"].contains(&u.digest));
            // Status and time line.
            assert!(u.created >= now - 6 * 365 * DAY && u.created <= now, "{i}");
            match u.status {
                DemoStatus::Pending => {
                    assert!(u.last_active.is_none(), "{i}");
                    let inv = u.invitation.expect("pending users have an invitation");
                    assert_eq!(inv.expires_at, inv.sent_at + 7 * DAY);
                    assert!(u.created < inv.sent_at && inv.sent_at <= now, "{i}");
                    let by = &users[inv.invited_by];
                    assert!(inv.invited_by < i, "{i}");
                    assert!(by.role == "owner" || by.role == "admin", "{i}");
                    assert_eq!(by.status, DemoStatus::Active);
                    assert_eq!(u.credits_used, 0);
                }
                status => {
                    assert!(u.invitation.is_none(), "{i}");
                    if let Some(t) = u.last_active {
                        assert!(u.created <= t && t <= now, "{i}");
                        if status == DemoStatus::Active {
                            assert!(t >= now - 90 * DAY, "{i}");
                        }
                    }
                }
            }
            // Permissions within the role's ceiling, only for custom apps.
            for (app, custom) in &u.applications {
                let app = catalogue.application(app).expect("application");
                assert!(!app.account_setting);
                assert!(*custom);
            }
            for perm in &u.permissions {
                let (app, p) = catalogue.permission(perm).expect("permission exists");
                assert!(role.allows(perm), "{}: {perm} above {}", u.email, u.role);
                assert!(u.applications.iter().any(|(a, c)| *c && *a == app.id));
                if let Some(parent) = &p.parent {
                    assert!(u.permissions.contains(parent), "{perm} without {parent}");
                }
            }
            // Resources.
            if role.requires_resource {
                assert!(!u.resources.is_empty(), "guest {} has no resource", u.email);
            }
            assert!(u.resources.iter().all(|&k| k < org.resources.len()));
            let unique: HashSet<_> = u.resources.iter().collect();
            assert_eq!(unique.len(), u.resources.len());
            // Credits.
            assert!(u.credits_used >= 0);
            if let Some(limit) = u.credit_limit {
                assert_eq!(u.role, "member");
                assert!((100..=5000).contains(&limit), "{limit}");
                assert!(u.credits_used <= limit, "{} > {limit}", u.credits_used);
            }
            // Allowed IPs.
            for cidr in &u.allowed_ips {
                let (addr, prefix) = cidr.split_once('/').expect("CIDR");
                let prefix: u8 = prefix.parse().expect("prefix length");
                if let Ok(v4) = addr.parse::<Ipv4Addr>() {
                    let [a, b, ..] = v4.octets();
                    assert!(a == 127 || a == 10 || (a == 192 && b == 168), "{cidr}");
                    assert!(prefix <= 32);
                } else {
                    let v6: Ipv6Addr = addr.parse().expect("IP address");
                    assert_eq!(&v6.segments()[..2], &[0x2001, 0x0db8], "{cidr}");
                    assert!(prefix <= 128);
                }
            }
        }
    }

    /// Custom roles: real permissions with their parents, within a built-in
    /// role, defined by the Owner or the Admin.
    fn check_roles(org: &DemoOrg, catalogue: &Catalogue) {
        let mut ids = HashSet::new();
        for role in &org.roles {
            assert!(ids.insert(role.id), "{} once", role.id);
            assert!(role.id.starts_with("custom-"));
            assert!(catalogue.role(role.id).is_none(), "not a built-in id");
            assert!(role.capabilities.contains(&Capability::View));
            assert!(!role.description.trim().is_empty());
            for p in &role.permissions {
                let (_, perm) = catalogue.permission(p).expect("a catalogue permission");
                if let Some(parent) = &perm.parent {
                    assert!(role.permissions.contains(parent), "{p} without {parent}");
                }
            }
            let within = catalogue.roles.iter().filter(|r| r.id != "owner").any(|b| {
                role.permissions.iter().all(|p| b.allows(p))
                    && role.capabilities.iter().all(|c| b.has_capability(*c))
            });
            assert!(within, "{} is within a built-in role", role.id);
            let author = &org.users[role.defined_by];
            assert!(["owner", "admin"].contains(&author.role.as_str()));
            assert!(author.created < role.defined_at);
        }
    }

    /// Credits: the events add up to what was spent, within the limit and
    /// the user's activity; the account was charged.
    fn check_credits(org: &DemoOrg) {
        let catalogue = Catalogue::default_catalogue();
        let mut spent = 0;
        for u in &org.users {
            let sum: i64 = u.events.iter().map(|e| e.credits).sum();
            assert_eq!(sum, u.credits_used, "{}: events add up", u.email);
            assert!(u.events.len() <= 4);
            if u.last_active.is_none() {
                assert_eq!(
                    u.credits_used, 0,
                    "{}: never active, spent nothing",
                    u.email
                );
            }
            for (k, e) in u.events.iter().enumerate() {
                assert!(e.credits > 0);
                assert!(catalogue.application(e.application).is_some());
                assert!(!e.description.trim().is_empty());
                let last = u.last_active.expect("spenders were active");
                assert!(u.created <= e.at && e.at <= last, "{}", u.email);
                assert!(e.at >= last - 42 * DAY);
                if k > 0 {
                    assert!(u.events[k - 1].at <= e.at, "oldest first");
                }
            }
            if let Some(e) = u.events.last() {
                assert_eq!(Some(e.at), u.last_active, "the last activity spent");
            }
            spent += u.credits_used;
        }
        assert!(org.account_balance > 0);
        assert_eq!(
            (org.account_balance + spent) % 50_000,
            0,
            "bought in round sums"
        );
    }

    /// The audit log: oldest first, bounded, done by the Owner or an Admin
    /// who had their account then, to users who existed then, agreeing
    /// with what the users are now.
    fn check_history(org: &DemoOrg, now: i64) {
        let users = &org.users;
        assert!(org.history.len() <= MAX_HISTORY);
        for (k, e) in org.history.iter().enumerate() {
            assert!(e.at <= now);
            if k > 0 {
                assert!(org.history[k - 1].at <= e.at, "oldest first");
            }
            let actor = &users[e.actor];
            let target = match &e.action {
                DemoAction::DefineRole { role } => {
                    assert_eq!(org.roles[*role].defined_by, e.actor);
                    None
                }
                DemoAction::Accept { user } => {
                    assert_eq!(e.actor, *user, "people accept for themselves");
                    assert_ne!(users[*user].status, DemoStatus::Pending);
                    Some(*user)
                }
                DemoAction::Invite { user, emailed } => {
                    if let Some(inv) = users[*user].invitation {
                        assert_eq!((inv.sent_at, inv.invited_by), (e.at, e.actor));
                        assert_eq!(inv.emailed, *emailed);
                    }
                    Some(*user)
                }
                DemoAction::ChangeRole { user, from, to } => {
                    assert_eq!(users[*user].role, *to, "the role they have now");
                    assert_ne!(from, to);
                    Some(*user)
                }
                DemoAction::Archive { user } => {
                    assert_eq!(users[*user].status, DemoStatus::Archived);
                    Some(*user)
                }
                DemoAction::PasswordReset { user } => {
                    assert_eq!(org.password_reset.map(|p| p.user), Some(*user));
                    Some(*user)
                }
            };
            if !matches!(e.action, DemoAction::Accept { .. }) {
                assert!(
                    ["owner", "admin"].contains(&actor.role.as_str())
                        && actor.status == DemoStatus::Active,
                    "{:?} by a {}",
                    e.action,
                    actor.role
                );
                assert!(actor.created < e.at || e.actor == 0, "{:?}", e.action);
            }
            if let Some(t) = target {
                assert!(users[t].created <= e.at, "{:?}", e.action);
            }
        }
        if let Some(reset) = org.password_reset {
            let u = &users[reset.user];
            assert_eq!((u.status, u.role.as_str()), (DemoStatus::Active, "member"));
            assert!(now - 24 * HOUR < reset.at && reset.at < now, "still valid");
        }
    }

    #[test]
    fn deterministic() {
        assert_eq!(generate(700, NOW), generate(700, NOW));
        assert_ne!(generate(50, NOW), generate(50, NOW + DAY));
    }

    #[test]
    fn users_do_not_depend_on_how_many_follow() {
        let small = generate(100, NOW);
        let large = generate(1000, NOW);
        for (a, b) in small.users.iter().zip(&large.users) {
            assert_eq!(a.email, b.email);
            assert_eq!(a.given_name, b.given_name);
            assert_eq!(a.role, b.role);
        }
    }

    #[test]
    fn empty_and_tiny_organisations() {
        let org = generate(0, NOW);
        assert!(org.users.is_empty());
        check(&org, NOW);

        let org = generate(1, NOW);
        assert_eq!(org.users.len(), 1);
        check(&org, NOW);

        let org = generate(2, NOW);
        assert_eq!(org.users.len(), 2);
        check(&org, NOW);

        let org = generate(10, NOW);
        assert_eq!(org.users.len(), 10);
        check(&org, NOW);
    }

    #[test]
    fn thousand_users_hold_every_invariant() {
        let org = generate(1000, NOW);
        assert_eq!(org.users.len(), 1000);
        check(&org, NOW);
        let users = &org.users;
        // Names from many scripts; addresses transliterated.
        assert!(users
            .iter()
            .any(|u| !u.given_name.is_ascii() || !u.family_name.is_ascii()));
        assert!(users
            .iter()
            .any(|u| u.given_name.chars().any(|c| c as u32 > 0x2000)));
        // A few very long addresses.
        assert!(users.iter().any(|u| (60..=90).contains(&u.email.len())));
        assert!(users.iter().any(|u| u.email.ends_with(LONG_DOMAIN)));
        // Some custom permissions, some credit limits, some IP ranges.
        assert!(users.iter().any(|u| !u.permissions.is_empty()));
        assert!(users.iter().any(|u| u.credit_limit.is_some()));
        assert!(users
            .iter()
            .any(|u| u.credit_limit.is_none() && u.credits_used > 0));
        assert!(users.iter().any(|u| !u.allowed_ips.is_empty()));
        assert!(users
            .iter()
            .any(|u| u.email.contains('2') || u.email.contains('3')));
        // The new tables have something to show.
        assert_eq!(org.roles.len(), 2);
        for role in &org.roles {
            let holders = users.iter().filter(|u| u.role == role.id).count();
            assert!((1..=40).contains(&holders), "{}: {holders}", role.id);
        }
        let spenders = users.iter().filter(|u| !u.events.is_empty()).count();
        assert!(spenders > 200, "{spenders} users spent credits");
        let kinds: HashSet<&str> = org
            .history
            .iter()
            .map(|e| match e.action {
                DemoAction::DefineRole { .. } => "define",
                DemoAction::Invite { .. } => "invite",
                DemoAction::Accept { .. } => "accept",
                DemoAction::ChangeRole { .. } => "role",
                DemoAction::Archive { .. } => "archive",
                DemoAction::PasswordReset { .. } => "reset",
            })
            .collect();
        assert_eq!(kinds.len(), 6, "every kind of entry: {kinds:?}");
        assert!(org.password_reset.is_some());
        assert!(
            users
                .iter()
                .filter_map(|u| u.invitation)
                .any(|inv| !inv.emailed),
            "some were invited without an e-mail"
        );
    }

    fn fraction(users: &[DemoUser], pred: impl Fn(&DemoUser) -> bool) -> f64 {
        users.iter().filter(|u| pred(u)).count() as f64 / users.len() as f64
    }

    #[test]
    fn hundred_thousand_users_have_the_intended_spread() {
        let start = Instant::now();
        let org = generate(100_000, NOW);
        let elapsed = start.elapsed();
        println!("generate(100_000) took {elapsed:?}");
        check(&org, NOW);
        let users = &org.users;
        assert_eq!(org.resources.len(), 500);

        let near = |actual: f64, expected: f64| (actual - expected).abs() < 0.01;
        assert!(near(
            fraction(users, |u| u.status == DemoStatus::Active),
            0.84
        ));
        assert!(near(
            fraction(users, |u| u.status == DemoStatus::Pending),
            0.09
        ));
        assert!(near(
            fraction(users, |u| u.status == DemoStatus::Archived),
            0.07
        ));
        // Support leads were Members, Compliance reviewers Viewers.
        fn was(u: &DemoUser) -> &str {
            match u.role.as_str() {
                SUPPORT_LEAD => "member",
                COMPLIANCE_REVIEWER => "viewer",
                role => role,
            }
        }
        for (role, share) in [
            ("admin", 0.04),
            ("manager", 0.10),
            ("member", 0.55),
            ("viewer", 0.20),
            ("guest", 0.11),
        ] {
            assert!(near(fraction(users, |u| was(u) == role), share), "{role}");
        }
        assert_eq!(org.history.len(), MAX_HISTORY, "the log is capped");
        let events: usize = users.iter().map(|u| u.events.len()).sum();
        println!("{events} usage events");
        let expired = users
            .iter()
            .filter_map(|u| u.invitation)
            .filter(|inv| inv.expires_at < NOW)
            .count() as f64
            / users.iter().filter(|u| u.invitation.is_some()).count() as f64;
        assert!((0.15..0.25).contains(&expired), "{expired}");
        let members: Vec<_> = users
            .iter()
            .filter(|u| u.role == "member")
            .cloned()
            .collect();
        let limited = fraction(&members, |u| u.credit_limit.is_some());
        assert!((0.35..0.45).contains(&limited), "{limited}");
        let custom = fraction(users, |u| !u.applications.is_empty())
            / fraction(users, |u| u.role == "member" || u.role == "viewer");
        assert!((0.12..0.18).contains(&custom), "{custom}");

        // Varied names: many distinct given and family names and full names.
        let given: HashSet<_> = users.iter().map(|u| u.given_name.as_str()).collect();
        let family: HashSet<_> = users.iter().map(|u| u.family_name.as_str()).collect();
        let full: HashSet<_> = users
            .iter()
            .map(|u| (&u.given_name, &u.family_name))
            .collect();
        assert!(given.len() >= 150, "{}", given.len());
        assert!(family.len() >= 150, "{}", family.len());
        assert!(full.len() >= 2000, "{}", full.len());
        let long = users
            .iter()
            .filter(|u| (60..=90).contains(&u.email.len()))
            .count();
        assert!((100..1000).contains(&long), "{long}");
    }

    #[test]
    fn name_lists_are_well_formed() {
        let cultures = parse_cultures();
        let mut given = HashSet::new();
        let mut family = HashSet::new();
        for c in &cultures {
            assert!(
                !c.given.is_empty() && !c.family.is_empty(),
                "{}",
                c.def.locale
            );
            assert!(c.given.iter().any(|g| g.feminine), "{}", c.def.locale);
            for g in &c.given {
                assert!(
                    !g.name.slug.is_empty(),
                    "{} in {}",
                    g.name.display,
                    c.def.locale
                );
                assert!(!g.name.display.contains(['/', ':']));
                given.insert(g.name.display);
            }
            for f in &c.family {
                for name in [&f.masculine, &f.feminine] {
                    assert!(
                        !name.slug.is_empty(),
                        "{} in {}",
                        name.display,
                        c.def.locale
                    );
                    family.insert(name.display);
                }
            }
        }
        assert!(given.len() >= 150, "{} given names", given.len());
        assert!(family.len() >= 150, "{} family names", family.len());
        for (g, f, locale) in LONG_NAMES {
            assert!(cultures.iter().any(|c| c.def.locale == *locale), "{locale}");
            let local = format!("{}.{}", slug(g, false), slug(f, false));
            let domain = if local.len() <= 39 {
                LONG_DOMAIN
            } else {
                ORG_DOMAIN
            };
            let len = local.len() + 1 + domain.len();
            assert!((60..=90).contains(&len), "{local}@{domain}: {len}");
        }
    }

    #[test]
    fn transliteration() {
        assert_eq!(slug("Łukasz", false), "lukasz");
        assert_eq!(slug("Wiśniewski", false), "wisniewski");
        assert_eq!(slug("Zoë", false), "zoe");
        assert_eq!(slug("Siobhán", false), "siobhan");
        assert_eq!(slug("Ó Briain", false), "obriain");
        assert_eq!(slug("O'Neill", false), "oneill");
        assert_eq!(slug("Müller", true), "mueller");
        assert_eq!(slug("Müller", false), "muller");
        assert_eq!(slug("Weiß", true), "weiss");
        assert_eq!(slug("Ærø", false), "aero");
        assert_eq!(slug("Þór Guðmundsson", false), "thorgudmundsson");
        assert_eq!(slug("Nguyễn", false), "nguyen");
        assert_eq!(slug("Thị Hương", false), "thihuong");
        assert_eq!(slug("Đặng", false), "dang");
        assert_eq!(slug("Adébáyọ̀", false), "adebayo");
        assert_eq!(slug("Yılmaz", false), "yilmaz");
        assert_eq!(slug("İbrahim", false), "ibrahim");
        assert_eq!(slug("Ștefan Țurcanu", false), "stefanturcanu");
        assert_eq!(slug("Dvořáková", false), "dvorakova");
        assert_eq!(slug("Lőrincz", false), "lorincz");
        assert_eq!(
            slug("Fernández de la Fuente-Echeverría", false),
            "fernandezdelafuente-echeverria"
        );
        assert_eq!(slug("Yi-Chun", false), "yi-chun");
        assert_eq!(slug("王", false), "");
        assert_eq!(slug("-x--y-", false), "x-y");
    }

    #[test]
    fn colliding_addresses_get_numbers() {
        let mut a = Addresses::default();
        assert_eq!(
            a.claim("anna.ivanova", "northwind.example"),
            "anna.ivanova@northwind.example"
        );
        assert_eq!(
            a.claim("anna.ivanova", "northwind.example"),
            "anna.ivanova2@northwind.example"
        );
        assert_eq!(
            a.claim("anna.ivanova", "example.com"),
            "anna.ivanova@example.com"
        );
        assert_eq!(
            a.claim("anna.ivanova", "northwind.example"),
            "anna.ivanova3@northwind.example"
        );
        assert_eq!(a.claim("", "example.org"), "user@example.org");
        let long = "a".repeat(80);
        let email = a.claim(&long, "example.org");
        assert!(email.split('@').next().unwrap().len() <= 64);
    }

    #[test]
    fn fixed_accounts_match_their_constants() {
        let org = generate(2, NOW);
        assert_eq!(org.users[0].given_name, "Zoë");
        assert_eq!(org.users[1].family_name, "Wiśniewski");
        assert_eq!(org.users[0].email, DEMO_OWNER_EMAIL);
        assert_eq!(org.users[1].email, DEMO_ADMIN_EMAIL);
        assert!(org.users.iter().all(|u| u.allowed_ips.is_empty()));
    }

    #[test]
    fn years_from_unix_time() {
        assert_eq!(year_of(0), 1970);
        assert_eq!(year_of(NOW), 2025);
        assert_eq!(year_of(1_704_067_199), 2023); // 2023-12-31T23:59:59Z
        assert_eq!(year_of(1_704_067_200), 2024);
        assert_eq!(year_of(-1), 1969);
    }

    #[test]
    fn serialises_without_passwords() {
        let org = generate(3, NOW);
        let json = serde_json::to_value(&org).unwrap();
        assert_eq!(json["users"][0]["status"], "active");
        assert_eq!(json["users"][0]["givenName"], "Zoë");
        assert!(json["users"][0].get("password").is_none());
        assert!(!json.to_string().contains(DEMO_OWNER_PASSWORD));
    }
}
