/**
 * An in-memory `Backend` for UI tests and the browser test build. It behaves
 * like the Rust side over a Roster server: windows of rows (tab, search that
 * ignores case and accents, sort, offset/limit), versions that change on every
 * save, Conflict for a stale version, Forbidden for what the signed-in
 * administrator does not hold, Validation for bad input. Hooks let tests
 * inject failures, hold a call in flight, or play a second client.
 *
 * Never imported by the production entry (main.ts).
 */
import { appError, type Backend } from './backend';
import type { AppError } from './bindings/AppError';
import type { AuditChange } from './bindings/AuditChange';
import type { AuditEntry } from './bindings/AuditEntry';
import type { AuditPage } from './bindings/AuditPage';
import type { DeleteOutcome } from './bindings/DeleteOutcome';
import type { DeleteRequest } from './bindings/DeleteRequest';
import type { DepartmentInfo } from './bindings/DepartmentInfo';
import type { NotificationSettings } from './bindings/NotificationSettings';
import type { EventsPage } from './bindings/EventsPage';
import type { OutboxMessage } from './bindings/OutboxMessage';
import type { OutboxPage } from './bindings/OutboxPage';
import type { PasswordReset } from './bindings/PasswordReset';
import type { UsageEvent } from './bindings/UsageEvent';
import type { UserLimits } from './bindings/UserLimits';
import type { UserResources } from './bindings/UserResources';
import type { UserStatistics } from './bindings/UserStatistics';
import type { ApplicationMode } from './bindings/ApplicationMode';
import type { Catalogue } from './bindings/Catalogue';
import type { ConnectionStatus } from './bindings/ConnectionStatus';
import type { ErrorKind } from './bindings/ErrorKind';
import type { InviteRequest } from './bindings/InviteRequest';
import type { NewRole } from './bindings/NewRole';
import type { Me } from './bindings/Me';
import type { ProfileSummary } from './bindings/ProfileSummary';
import type { ResourceRef } from './bindings/ResourceRef';
import type { Sort } from './bindings/Sort';
import type { Status } from './bindings/Status';
import type { SyncState } from './bindings/SyncState';
import type { Tab } from './bindings/Tab';
import type { TabCounts } from './bindings/TabCounts';
import type { UserDetail } from './bindings/UserDetail';
import type { UserEdit } from './bindings/UserEdit';
import type { UserRow } from './bindings/UserRow';
import type { UsersWindow } from './bindings/UsersWindow';
import type { WindowRequest } from './bindings/WindowRequest';
import { DEPARTMENTS, fakeCatalogue } from './fake-catalogue';
import { fold } from './fold';
import { ipRangeProblem } from './limits';

export type FakeMethod = keyof Backend;

export const FAKE_SERVER_URL = 'https://roster.nordlys-consulting.example';
export const FAKE_PASSWORD = 'correct horse battery staple';
export const FAKE_TOKEN = 'rst_3f9a7c1e5b2d4f6a8c0e';
const DOMAIN = 'nordlys-consulting.example';

/** The two administrators whose e-mail and `FAKE_PASSWORD` sign in. */
export const FAKE_OWNER_EMAIL = `ingrid.olafsdottir@${DOMAIN}`;
export const FAKE_ADMIN_EMAIL = `amara.okafor@${DOMAIN}`;

export interface FakeOptions {
  /** How many users the organisation has (default 10,000). */
  users?: number;
  /** Changes the generated people; the same seed gives the same people. */
  seed?: number;
  /** Start signed in, as on a later launch; null (default) is a first run. */
  signedInAs?: 'owner' | 'admin' | 'demo' | null;
  /** Replace what the signed-in administrator holds (e.g. without "users:edit"). */
  mePermissions?: string[];
  /** Reported in every ConnectionStatus, as when the keychain is unusable. */
  keychainWarning?: string | null;
  /** Delay every answer, like a network round trip. */
  latencyMs?: number;
}

interface FakeUser {
  id: string;
  version: number;
  givenName: string;
  familyName: string;
  email: string;
  status: Status;
  role: string;
  departments: string[];
  applications: ApplicationMode[];
  permissions: string[];
  groups: string[];
  created: number;
  lastActive: number | null;
  creditLimit: number | null;
  creditsUsed: number | null;
  allowedIps: string[];
  notifications: NotificationSettings;
  resources: ResourceRef[];
  invitationExpiresAt: number | null;
  /** Folded name and e-mail, what search matches. */
  searchKey: string;
  /** Folded "family given", what the Name column sorts on. */
  nameKey: string;
}

interface Session {
  profile: ProfileSummary;
  me: Me;
}

interface PendingFailure {
  error: AppError;
  method: FakeMethod | undefined;
}

interface Hold {
  method: FakeMethod;
  started: Promise<void>;
  markStarted: () => void;
  released: Promise<void>;
}

/** A recorded call, for assertions such as "save was not sent". */
export interface FakeCall {
  method: FakeMethod;
  args: unknown[];
}

// ---------------------------------------------------------------------------
// Deterministic people

/** mulberry32: small, fast, and the same sequence for the same seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Name = [display: string, slug: string];

/** "Display|slug" pairs, compact to write; the slug is the e-mail's ASCII form. */
function names(list: string): Name[] {
  return list.split(',').map((entry) => {
    const [display = '', slug = ''] = entry.trim().split('|');
    return [display, slug];
  });
}

/** Name pools per culture, so a person's given and family names belong together. */
const CULTURES: {
  weight: number;
  given: Name[];
  family: Name[];
  /** How often a person has two family names (joined by a space when common, else a hyphen). */
  doubleFamily?: number;
}[] = [
  {
    doubleFamily: 0.2,
    weight: 16,
    given: names(
      'Emma|emma, Oliver|oliver, Charlotte|charlotte, James|james, Amelia|amelia, Harry|harry, Grace|grace, Thomas|thomas, Isla|isla, Jack|jack, Sophie|sophie, William|william, Ella|ella, George|george, Lucy|lucy, Daniel|daniel, Hannah|hannah, Samuel|samuel, Eleanor|eleanor, Michael|michael',
    ),
    family: names(
      'Smith|smith, Taylor|taylor, Brown|brown, Wilson|wilson, Evans|evans, Wright|wright, Thompson|thompson, Fitzgerald-Worthington|fitzgerald-worthington, Hughes|hughes, Walker|walker, Robinson|robinson, Clarke|clarke, Hall|hall, Patel|patel, Murphy|murphy, O’Brien|obrien, MacLeod|macleod, Campbell|campbell, Kennedy|kennedy, Bennett|bennett',
    ),
  },
  {
    doubleFamily: 0.2,
    weight: 9,
    given: names(
      'Zoë|zoe, Chloé|chloe, François|francois, Renée|renee, Hélène|helene, Jérôme|jerome, Léa|lea, Théo|theo, Margaux|margaux, Benoît|benoit, Élodie|elodie, Gaël|gael, Anaïs|anais, Noël|noel',
    ),
    family: names(
      'Lefèvre|lefevre, Moreau|moreau, Dubois|dubois, Bénard|benard, Mercier-Châtelain|mercier-chatelain, Girard|girard, Rousseau|rousseau, Faure|faure, Lemaître|lemaitre, Gauthier|gauthier, Périer|perier, Delacroix|delacroix',
    ),
  },
  {
    doubleFamily: 0.15,
    weight: 9,
    given: names(
      'Jürgen|juergen, Anna|anna, Lukas|lukas, Sophie|sophie, Jörg|joerg, Käthe|kaethe, Maximilian|maximilian, Lena|lena, Felix|felix, Greta|greta, Matthias|matthias, Jana|jana, Björn|bjoern, Ute|ute',
    ),
    family: names(
      'Müller|mueller, Schröder|schroeder, Weiß|weiss, Groß|gross, Köhler|koehler, von Hohenberg-Schwarzenfeld|von-hohenberg-schwarzenfeld, Becker|becker, Hoffmann|hoffmann, Schäfer|schaefer, Krüger|krueger, Wagner|wagner, Fuchs|fuchs, Zimmermann|zimmermann',
    ),
  },
  {
    doubleFamily: 0.1,
    weight: 6,
    given: names(
      'Åsa|asa, Søren|soren, Björn|bjorn, Ingrid|ingrid, Øyvind|oyvind, Sigríður|sigridur, Astrid|astrid, Mikkel|mikkel, Freja|freja, Nils|nils, Eyþór|eythor, Linnéa|linnea',
    ),
    family: names(
      'Ólafsdóttir|olafsdottir, Lindqvist|lindqvist, Jørgensen|jorgensen, Åkesson|akesson, Þórsson|thorsson, Nyström|nystrom, Halvorsen|halvorsen, Bergström|bergstrom, Kristiansen|kristiansen, Sæther|saether',
    ),
  },
  {
    doubleFamily: 0.15,
    weight: 6,
    given: names(
      'Łukasz|lukasz, Małgorzata|malgorzata, Zofia|zofia, Paweł|pawel, Agnieszka|agnieszka, Wojciech|wojciech, Katarzyna|katarzyna, Michał|michal, Jędrzej|jedrzej',
    ),
    family: names(
      'Wiśniewski|wisniewski, Kowalczyk|kowalczyk, Żuławska|zulawska, Dąbrowski|dabrowski, Nowak|nowak, Wójcik|wojcik, Lewandowska|lewandowska, Szymański|szymanski, Kamińska|kaminska',
    ),
  },
  {
    doubleFamily: 0.9,
    weight: 9,
    given: names(
      'José|jose, María|maria, João|joao, Inês|ines, Begoña|begona, Raúl|raul, Lucía|lucia, Sebastián|sebastian, Adrián|adrian, Mónica|monica, Gonçalo|goncalo, Ángela|angela',
    ),
    family: names(
      'García|garcia, Núñez|nunez, Gonçalves|goncalves, Peña|pena, Fernández de la Fuente|fernandez-de-la-fuente, Rodríguez|rodriguez, Martín|martin, Sánchez|sanchez, Gómez|gomez, Ibáñez|ibanez, Conceição|conceicao',
    ),
  },
  {
    weight: 4,
    given: names(
      'Ngọc Anh|ngoc.anh, Minh|minh, Hương|huong, Đức|duc, Thảo|thao, Quang|quang, Linh|linh',
    ),
    family: names('Nguyễn|nguyen, Trần|tran, Phạm|pham, Lê|le, Hoàng|hoang, Võ|vo'),
  },
  {
    weight: 4,
    given: names(
      'Дмитрий|dmitry, Анастасия|anastasia, Сергей|sergey, Йоанна|yoanna, Ольга|olga, Алексей|alexey, Екатерина|ekaterina',
    ),
    family: names(
      'Иванова|ivanova, Смирнов|smirnov, Кузнецова|kuznetsova, Попов|popov, Соколова|sokolova, Волков|volkov',
    ),
  },
  {
    weight: 3,
    given: names(
      'Ελένη|eleni, Σωκράτης|sokratis, Αλεξάνδρα|alexandra, Γιώργος|giorgos, Δήμητρα|dimitra',
    ),
    family: names(
      'Παπαδοπούλου|papadopoulou, Γεωργίου|georgiou, Οικονόμου|oikonomou, Νικολάου|nikolaou',
    ),
  },
  {
    weight: 4,
    given: names('芳|fang, 伟|wei, 秀英|xiuying, 静|jing, 磊|lei, 娜|na'),
    family: names('王|wang, 李|li, 张|zhang, 刘|liu, 陈|chen'),
  },
  {
    weight: 3,
    given: names('太郎|taro, さくら|sakura, 翔太|shota, 陽菜|hina, 健|ken'),
    family: names('山田|yamada, 佐藤|sato, 鈴木|suzuki, 高橋|takahashi, 渡辺|watanabe'),
  },
  {
    weight: 3,
    given: names('민준|minjun, 서연|seoyeon, 지호|jiho, 하은|haeun'),
    family: names('김|kim, 박|park, 이|lee, 최|choi'),
  },
  {
    weight: 3,
    given: names('ليلى|layla, عمر|omar, فاطمة|fatima, يوسف|youssef'),
    family: names('حداد|haddad, الخطيب|alkhatib, منصور|mansour'),
  },
  {
    weight: 5,
    given: names(
      'Amara|amara, Chinedu|chinedu, Ngozi|ngozi, Oluwaseun|oluwaseun, Kwame|kwame, Adaeze|adaeze, Tunde|tunde, Efua|efua',
    ),
    family: names(
      'Okafor|okafor, Adeyemi|adeyemi, Oyelaran-Babatunde|oyelaran-babatunde, Mensah|mensah, Eze|eze, Boateng|boateng',
    ),
  },
  {
    weight: 5,
    given: names(
      'Priya|priya, Arjun|arjun, Aditi|aditi, Rohan|rohan, Kavya|kavya, Vikram|vikram, Ananya|ananya',
    ),
    family: names(
      'Raghunathan|raghunathan, Sharma|sharma, Venkataraman|venkataraman, Iyer|iyer, Gupta|gupta, Chatterjee|chatterjee',
    ),
  },
  {
    weight: 3,
    given: names('İlkay|ilkay, Çağla|cagla, Şükrü|sukru, Elif|elif, Emre|emre'),
    family: names('Yılmaz|yilmaz, Öztürk|ozturk, Güneş|gunes, Demir|demir, Şahin|sahin'),
  },
];

const CULTURE_WEIGHT = CULTURES.reduce((sum, c) => sum + c.weight, 0);

/** Sub-domains that make long e-mail addresses, as large organisations have. */
const MAIL_HOSTS = [
  DOMAIN,
  DOMAIN,
  DOMAIN,
  DOMAIN,
  `emea.${DOMAIN}`,
  `regional-procurement.${DOMAIN}`,
  `customer-success.north-america.${DOMAIN}`,
];

const GROUPS = ['All staff', 'Lisbon office', 'Kraków office', 'On-call rota', 'Works council'];

const RESOURCES: ResourceRef[] = [
  { id: 'task-1042', name: 'Weekly SEO audit — nordlys.example', application: 'tasks' },
  { id: 'task-2210', name: 'Competitor crawl (DACH)', application: 'tasks' },
  { id: 'review-88', name: 'Brand guidelines v3', application: 'reviews' },
  { id: 'case-5120', name: 'Case #5120 — supplier complaint', application: 'cases' },
];

const DAY = 24 * 3600 * 1000;

/** Roles that see every resource whatever is granted. */
const FULL_ACCESS = new Set(['owner', 'admin', 'manager']);
/** The account's balance of credits, charged by every usage event. */
const ACCOUNT_BALANCE = 250_000;

/** A page of a newest-first list keyed by `key`, as the server pages it. */
function page<T>(
  items: T[],
  key: (item: T) => number,
  before: number | null,
  limit: number | null,
): { total: number; nextBefore: number | null; items: T[] } {
  const newest = [...items].sort((a, b) => key(b) - key(a));
  const from = newest.filter((item) => before === null || key(item) < before);
  const taken = from.slice(0, Math.max(1, Math.min(limit ?? 50, 500)));
  const last = taken.at(-1);
  return {
    total: items.length,
    nextBefore: from.length > taken.length && last !== undefined ? key(last) : null,
    items: taken,
  };
}

function pick<T>(rnd: () => number, items: readonly T[]): T {
  return items[Math.floor(rnd() * items.length)] as T;
}

function version(user: FakeUser): string {
  return `W/"${user.version}"`;
}

function keys(user: FakeUser): void {
  user.searchKey = fold(`${user.givenName} ${user.familyName} ${user.email}`);
  user.nameKey = fold(`${user.familyName} ${user.givenName}`);
}

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * A deep copy of what the UI sent, as crossing IPC would make it (JSON). The
 * UI may pass reactive proxies, which structuredClone refuses.
 */
function sent<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------

export class FakeBackend implements Backend {
  /** Every call made, in order. */
  readonly calls: FakeCall[] = [];
  latencyMs: number;
  keychainWarning: string | null;

  private readonly catalogueData: Catalogue;
  private users: FakeUser[] = [];
  private readonly byId = new Map<string, FakeUser>();
  private nextId = 1;
  private readonly now = Date.now();

  private profiles: ProfileSummary[] = [];
  /** Profiles with a stored secret (the fake's keychain). */
  private readonly secrets = new Set<string>();
  private session: Session | null = null;
  private sessionExpired = false;
  private offline = false;
  private readonly mePermissions: string[] | undefined;

  private failures: PendingFailure[] = [];
  private holds: Hold[] = [];
  private readonly windowCache = new Map<string, FakeUser[]>();
  private outboxData: OutboxMessage[] = [];
  private auditData: AuditEntry[] = [];
  private eventData = new Map<string, UsageEvent[]>();

  constructor(options: FakeOptions = {}) {
    this.latencyMs = options.latencyMs ?? 0;
    this.keychainWarning = options.keychainWarning ?? null;
    this.mePermissions = options.mePermissions;
    this.catalogueData = fakeCatalogue();
    this.generate(options.users ?? 10_000, options.seed ?? 2024);
    const as = options.signedInAs ?? null;
    if (as === 'demo') {
      this.session = this.demoSession();
    } else if (as !== null) {
      const email = as === 'owner' ? FAKE_OWNER_EMAIL : FAKE_ADMIN_EMAIL;
      this.session = this.passwordSession(FAKE_SERVER_URL, email);
    }
  }

  // -------------------------------------------------------------------------
  // Hooks for tests

  /** The next call (to `method`, or to any data method) rejects with `kind`. */
  failNext(kind: ErrorKind, message?: string, method?: FakeMethod): void {
    this.failures.push({ error: appError(kind, message ?? defaultMessage(kind)), method });
  }

  /**
   * Holds the next call to `method` in flight until `release()`; `started`
   * resolves once that call has been made.
   */
  holdNext(method: FakeMethod): { started: Promise<void>; release: () => void } {
    let markStarted = () => {};
    let release = () => {};
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.holds.push({ method, started, markStarted, released });
    return { started, release };
  }

  /** Another client changes the user: the version the UI holds goes stale. */
  bumpVersion(id: string): void {
    const user = this.require(id);
    user.version += 1;
    this.changed();
  }

  /** The session ends on the server: data calls are Unauthorized until a sign-in. */
  expireSession(): void {
    this.sessionExpired = true;
  }

  /** The network goes away (or comes back). */
  setOffline(offline: boolean): void {
    this.offline = offline;
  }

  /** The stored state of one user, for assertions. */
  peek(id: string): UserDetail {
    return this.detail(this.require(id));
  }

  /** The id of the user with this e-mail (ignoring case), if any. */
  idOf(email: string): string | undefined {
    const wanted = email.toLowerCase();
    return this.users.find((u) => u.email.toLowerCase() === wanted)?.id;
  }

  callsTo(method: FakeMethod): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  // -------------------------------------------------------------------------
  // Backend: connections

  async listProfiles(): Promise<ProfileSummary[]> {
    await this.enter('listProfiles', [], false);
    return structuredClone(this.profiles);
  }

  async currentConnection(): Promise<ConnectionStatus | null> {
    await this.enter('currentConnection', [], false);
    return this.session === null ? null : this.status(this.session);
  }

  async connectWithPassword(
    serverUrl: string,
    email: string,
    password: string,
  ): Promise<ConnectionStatus> {
    await this.enter('connectWithPassword', [serverUrl, email, '<redacted>'], false);
    const url = checkServerUrl(serverUrl);
    if (email.trim() === '' || password === '') {
      throw appError('validation', 'Enter your e-mail address and password.');
    }
    const user = this.users.find((u) => u.email.toLowerCase() === email.trim().toLowerCase());
    const isAdmin = user !== undefined && (user.role === 'owner' || user.role === 'admin');
    if (!isAdmin || password !== FAKE_PASSWORD || user.status !== 'active') {
      throw appError('unauthorized', 'The e-mail address or password is incorrect.');
    }
    this.session = this.passwordSession(url, user.email);
    return this.status(this.session);
  }

  async connectWithToken(serverUrl: string, token: string): Promise<ConnectionStatus> {
    await this.enter('connectWithToken', [serverUrl, '<redacted>'], false);
    const url = checkServerUrl(serverUrl);
    if (token.trim() !== FAKE_TOKEN) {
      throw appError('unauthorized', 'The server did not accept this API token.');
    }
    const profile = this.saveProfile({
      name: new URL(url).host,
      serverUrl: url,
      account: null,
      auth: 'apiToken',
      demo: false,
    });
    this.session = {
      profile,
      me: { userId: null, name: 'API token', role: 'owner', permissions: this.allPermissions() },
    };
    return this.status(this.session);
  }

  async openDemo(): Promise<ConnectionStatus> {
    await this.enter('openDemo', [], false);
    this.session = this.demoSession();
    return this.status(this.session);
  }

  async switchProfile(profileId: string): Promise<ConnectionStatus> {
    await this.enter('switchProfile', [profileId], false);
    const profile = this.profiles.find((p) => p.id === profileId);
    if (profile === undefined) throw appError('notFound', 'This connection no longer exists.');
    if (!this.secrets.has(profile.id)) {
      throw appError('unauthorized', 'You signed out of this connection. Sign in again.');
    }
    this.sessionExpired = false;
    if (profile.demo) {
      this.session = this.demoSession();
    } else if (profile.auth === 'password' && profile.account !== null) {
      this.session = this.passwordSession(profile.serverUrl, profile.account);
    } else {
      this.session = {
        profile,
        me: { userId: null, name: 'API token', role: 'owner', permissions: this.allPermissions() },
      };
    }
    return this.status(this.session);
  }

  async signOut(): Promise<void> {
    await this.enter('signOut', [], false);
    if (this.session !== null) this.secrets.delete(this.session.profile.id);
    this.session = null;
  }

  // -------------------------------------------------------------------------
  // Backend: data

  async catalogue(): Promise<Catalogue> {
    await this.enter('catalogue', [], true);
    const me = this.me();
    const catalogue = structuredClone(this.catalogueData);
    for (const role of catalogue.roles) {
      const missing = role.permissions.find((p) => !me.permissions.includes(p));
      role.grantable = role.assignable && missing === undefined;
      role.notGrantableReason = !role.assignable
        ? 'There is exactly one Owner, and ownership cannot be transferred.'
        : missing !== undefined
          ? `The role ${role.name} includes '${missing}', which you do not hold yourself.`
          : null;
    }
    return catalogue;
  }

  async usersWindow(request: WindowRequest): Promise<UsersWindow> {
    request = sent(request);
    await this.enter('usersWindow', [request], true);
    const search = fold(request.search.trim());
    const department = fold(request.department?.trim() ?? '');
    const matching = this.sorted(request.tab, search, department, request.sort);
    const offset = Math.max(0, Math.min(request.offset, matching.length));
    const rows = matching.slice(offset, offset + request.limit).map((u) => this.row(u));
    return { total: matching.length, counts: this.counts(search, department), offset, rows };
  }

  async getUser(id: string): Promise<UserDetail> {
    await this.enter('getUser', [id], true);
    return this.detail(this.require(id));
  }

  async saveUser(id: string, version: string | null, edit: UserEdit): Promise<UserDetail> {
    edit = sent(edit);
    await this.enter('saveUser', [id, version, edit], true);
    const user = this.require(id);
    const me = this.me();
    this.checkVersion(user, version);
    this.requirePermission(me, 'users:edit', "You don't have permission to edit users.");
    if (user.role === 'owner' && me.role !== 'owner') {
      throw appError('forbidden', 'Only the Owner can change the Owner.');
    }
    this.validate(edit, user.id);
    if (edit.role !== user.role) this.checkRoleGrant(me, edit.role);
    const before = new Set(this.entitlements(user));
    const after = { ...user, ...edit, role: edit.role ?? user.role } as FakeUser;
    for (const permission of this.entitlements(after)) {
      if (!before.has(permission)) this.checkGrant(me, permission);
    }
    const changes: AuditChange[] = [];
    const note = (field: string, was: string, now: string) => {
      if (was !== now) changes.push({ field, before: was || null, after: now || null });
    };
    note('name.givenName', user.givenName, edit.givenName.trim());
    note('name.familyName', user.familyName, edit.familyName.trim());
    note('emails', user.email, edit.email.trim());
    note('role', user.role, edit.role ?? user.role);
    note('departments', user.departments.join(', '), edit.departments.join(', '));
    note('permissions', user.permissions.join(', '), edit.permissions.join(', '));
    user.givenName = edit.givenName.trim();
    user.familyName = edit.familyName.trim();
    user.email = edit.email.trim();
    user.role = edit.role ?? user.role;
    user.departments = [...edit.departments];
    user.applications = sent(edit.applications);
    user.permissions = [...edit.permissions];
    user.version += 1;
    keys(user);
    this.record(
      'user.update',
      user,
      `Changed ${user.givenName} ${user.familyName}: ${changes.map((c) => c.field).join(', ')}`,
      changes,
    );
    this.changed();
    return this.detail(user);
  }

  async inviteUser(request: InviteRequest): Promise<UserDetail> {
    request = sent(request);
    await this.enter('inviteUser', [request], true);
    const me = this.me();
    this.requirePermission(me, 'users:invite', "You don't have permission to invite users.");
    const edit = request.user;
    this.validate(edit, null);
    this.checkRoleGrant(me, edit.role);
    const user: FakeUser = {
      id: this.newId(),
      version: 1,
      givenName: edit.givenName.trim(),
      familyName: edit.familyName.trim(),
      email: edit.email.trim(),
      status: 'pending',
      role: edit.role ?? 'member',
      departments: [...edit.departments],
      applications: sent(edit.applications),
      permissions: [...edit.permissions],
      groups: [],
      created: Date.now(),
      lastActive: null,
      creditLimit: null,
      creditsUsed: null,
      allowedIps: [],
      notifications: { email: true, inApp: true, digest: 'weekly' },
      resources: [],
      invitationExpiresAt: Date.now() + 7 * DAY,
      searchKey: '',
      nameKey: '',
    };
    for (const permission of this.entitlements(user)) this.checkGrant(me, permission);
    keys(user);
    this.users.push(user);
    this.byId.set(user.id, user);
    if (request.sendEmail) this.mail(user, 'invitation');
    this.record('user.invite', user, `Invited ${user.email}`, []);
    this.changed();
    return this.detail(user);
  }

  async setArchived(id: string, version: string | null, archived: boolean): Promise<UserDetail> {
    await this.enter('setArchived', [id, version, archived], true);
    const user = this.require(id);
    const me = this.me();
    this.checkVersion(user, version);
    this.requirePermission(
      me,
      'users:archive',
      "You don't have permission to archive or reactivate users.",
    );
    if (user.role === 'owner') throw appError('forbidden', "The Owner can't be archived.");
    if (archived && user.status === 'pending') {
      throw appError('validation', 'A pending invitation is revoked, not archived.');
    }
    user.status = archived ? 'archived' : 'active';
    user.version += 1;
    this.record(
      archived ? 'user.archive' : 'user.reactivate',
      user,
      `${archived ? 'Archived' : 'Reactivated'} ${user.givenName} ${user.familyName}`,
      [],
    );
    this.changed();
    return this.detail(user);
  }

  async deleteUser(id: string, version: string | null): Promise<void> {
    await this.enter('deleteUser', [id, version], true);
    const user = this.require(id);
    const me = this.me();
    this.checkVersion(user, version);
    this.requirePermission(me, 'users:delete', "You don't have permission to delete users.");
    if (user.role === 'owner') throw appError('forbidden', "The Owner can't be deleted.");
    this.remove(user);
    this.record('user.delete', user, `Deleted ${user.givenName} ${user.familyName}`, []);
  }

  // -------------------------------------------------------------------------
  // Backend: invitations, outbox, resources, credits, history

  /** Test hook: the invitation of a pending user has expired. */
  expireInvitation(id: string): void {
    this.require(id).invitationExpiresAt = Date.now() - DAY;
    this.changed();
  }

  /** Test hook: a usage event, as an application would record it. */
  recordUsage(id: string, description: string, credits: number): void {
    const user = this.require(id);
    const used = user.creditsUsed ?? 0;
    if (user.creditLimit !== null && used + credits > user.creditLimit) {
      throw appError(
        'validation',
        `This costs ${credits} credits, but ${user.givenName} has only ${user.creditLimit - used} of their ${user.creditLimit}-credit limit left.`,
      );
    }
    user.creditsUsed = used + credits;
    const events = this.eventsOf(user);
    events.push({
      seq: (events.at(0)?.seq ?? 0) + events.length + 1,
      id: `evt-${events.length + 1}`,
      application: 'tasks',
      description,
      credits,
      created: new Date().toISOString(),
    });
  }

  async resendInvitation(id: string): Promise<UserDetail> {
    await this.enter('resendInvitation', [id], true);
    const user = this.require(id);
    this.requirePermission(this.me(), 'users:invite', "You don't have permission to invite users.");
    if (user.status !== 'pending') {
      throw appError(
        'validation',
        `${user.givenName} ${user.familyName} has already accepted their invitation; there is nothing to resend.`,
      );
    }
    user.invitationExpiresAt = Date.now() + 7 * DAY;
    user.version += 1;
    this.mail(user, 'invitation');
    this.record('user.invite', user, `Resent the invitation to ${user.email}`, []);
    this.changed();
    return this.detail(user);
  }

  async revokeInvitation(id: string): Promise<void> {
    await this.enter('revokeInvitation', [id], true);
    const user = this.require(id);
    this.requirePermission(this.me(), 'users:invite', "You don't have permission to invite users.");
    if (user.status !== 'pending') {
      throw appError('validation', 'Only a pending invitation can be revoked.');
    }
    this.remove(user);
    this.record('user.delete', user, `Revoked the invitation of ${user.email}`, []);
  }

  async outbox(before: number | null, limit: number | null): Promise<OutboxPage> {
    await this.enter('outbox', [before, limit], true);
    this.requirePermission(
      this.me(),
      'users:invite',
      "You don't have permission to see the outbox.",
    );
    const { total, nextBefore, items } = page(this.outboxData, (m) => m.id, before, limit);
    return sent({ total, nextBefore, messages: items });
  }

  async resetPassword(id: string): Promise<PasswordReset> {
    await this.enter('resetPassword', [id], true);
    const user = this.require(id);
    this.requirePermission(
      this.me(),
      'users:reset-password',
      "You don't have permission to reset passwords.",
    );
    if (user.status === 'pending') {
      throw appError(
        'validation',
        `${user.email} has not accepted their invitation yet; resend the invitation instead.`,
      );
    }
    if (user.status === 'archived') {
      throw appError('validation', `${user.email} is archived; reactivate them first.`);
    }
    const message = this.mail(user, 'password-reset');
    this.record('user.password-reset', user, `Sent a password reset link to ${user.email}`, []);
    return { outboxId: message.id, expiresAt: new Date(Date.now() + DAY).toISOString() };
  }

  async resources(): Promise<ResourceRef[]> {
    await this.enter('resources', [], true);
    return structuredClone(RESOURCES);
  }

  async userResources(id: string): Promise<UserResources> {
    await this.enter('userResources', [id], true);
    return this.resourcesOf(this.require(id));
  }

  async grantResources(id: string, resources: string[]): Promise<UserResources> {
    resources = sent(resources);
    await this.enter('grantResources', [id, resources], true);
    const user = this.require(id);
    this.requirePermission(this.me(), 'users:edit', "You don't have permission to edit users.");
    for (const rid of resources) {
      const resource = RESOURCES.find((r) => r.id === rid);
      if (resource === undefined) throw appError('validation', `There is no resource ${rid}.`);
      if (!user.resources.some((r) => r.id === rid)) user.resources.push({ ...resource });
    }
    user.version += 1;
    this.record(
      'user.grant',
      user,
      `Shared ${resources.length} resource(s) with ${user.email}`,
      [],
    );
    this.changed();
    return this.resourcesOf(user);
  }

  async revokeResource(id: string, resource: string): Promise<UserResources> {
    await this.enter('revokeResource', [id, resource], true);
    const user = this.require(id);
    this.requirePermission(this.me(), 'users:edit', "You don't have permission to edit users.");
    const held = user.resources.find((r) => r.id === resource);
    if (held === undefined) throw appError('notFound', 'They do not have this resource.');
    if (user.role === 'guest' && user.resources.length === 1) {
      throw appError(
        'validation',
        `A Guest must keep access to at least one resource, and "${held.name}" is ${user.givenName} ${user.familyName}'s last; share another one first.`,
      );
    }
    user.resources = user.resources.filter((r) => r !== held);
    user.version += 1;
    this.record('user.revoke', user, `Took "${held.name}" away from ${user.email}`, []);
    this.changed();
    return this.resourcesOf(user);
  }

  async setLimits(id: string, version: string | null, limits: UserLimits): Promise<UserDetail> {
    limits = sent(limits);
    await this.enter('setLimits', [id, version, limits], true);
    const user = this.require(id);
    this.checkVersion(user, version);
    this.requirePermission(this.me(), 'users:edit', "You don't have permission to edit users.");
    for (const range of limits.allowedIps) {
      const problem = ipRangeProblem(range);
      if (problem !== null) throw appError('validation', problem);
    }
    if (limits.creditLimit !== null && limits.creditLimit < 0) {
      throw appError('validation', 'A credit limit cannot be negative.');
    }
    const changes: AuditChange[] = [];
    if (user.creditLimit !== limits.creditLimit) {
      changes.push({
        field: 'creditLimit',
        before: user.creditLimit === null ? null : String(user.creditLimit),
        after: limits.creditLimit === null ? null : String(limits.creditLimit),
      });
    }
    if (user.allowedIps.join(', ') !== limits.allowedIps.join(', ')) {
      changes.push({
        field: 'allowedIps',
        before: user.allowedIps.length === 0 ? null : user.allowedIps.join(', '),
        after: limits.allowedIps.length === 0 ? null : limits.allowedIps.join(', '),
      });
    }
    user.creditLimit = limits.creditLimit;
    user.allowedIps = [...limits.allowedIps];
    user.version += 1;
    this.record(
      'user.update',
      user,
      `Changed ${user.givenName} ${user.familyName}: limits`,
      changes,
    );
    this.changed();
    return this.detail(user);
  }

  async userStatistics(id: string): Promise<UserStatistics> {
    await this.enter('userStatistics', [id], true);
    const user = this.require(id);
    const events = this.eventsOf(user);
    const used = user.creditsUsed ?? 0;
    const balance = ACCOUNT_BALANCE - used;
    const role = this.catalogueData.roles.find((r) => r.id === user.role);
    return {
      userId: user.id,
      role: user.role,
      accountType: role?.name ?? user.role,
      status: user.status,
      creditLimit: user.creditLimit,
      creditsUsed: used,
      remainingCredits:
        user.creditLimit === null ? balance : Math.min(balance, user.creditLimit - used),
      accountBalance: balance,
      created: new Date(user.created).toISOString(),
      lastActive: user.lastActive === null ? null : new Date(user.lastActive).toISOString(),
      events: events.length,
      eventCredits: events.reduce((sum, e) => sum + e.credits, 0),
    };
  }

  async userEvents(id: string, before: number | null, limit: number | null): Promise<EventsPage> {
    await this.enter('userEvents', [id, before, limit], true);
    const events = this.eventsOf(this.require(id));
    const { total, nextBefore, items } = page(events, (e) => e.seq, before, limit);
    return sent({ total, nextBefore, events: items });
  }

  async auditLog(
    user: string | null,
    before: number | null,
    limit: number | null,
  ): Promise<AuditPage> {
    await this.enter('auditLog', [user, before, limit], true);
    this.requirePermission(
      this.me(),
      'security:audit-log',
      "You don't have permission to read the audit log.",
    );
    const entries = this.auditData.filter(
      (e) => user === null || e.targetId === user || e.actorId === user,
    );
    const { total, nextBefore, items } = page(entries, (e) => e.seq, before, limit);
    return sent({ total, nextBefore, entries: items });
  }

  async deleteWithTransfer(id: string, request: DeleteRequest): Promise<DeleteOutcome> {
    request = sent(request);
    await this.enter('deleteWithTransfer', [id, request], true);
    const user = this.require(id);
    const me = this.me();
    this.requirePermission(me, 'users:delete', "You don't have permission to delete users.");
    if (user.role === 'owner') throw appError('forbidden', "The Owner can't be deleted.");
    if (user.id === me.userId) throw appError('forbidden', 'You cannot delete yourself.');
    let heir: FakeUser | null = null;
    if (request.transferTo !== null) {
      heir = this.byId.get(request.transferTo) ?? null;
      if (heir === null || heir.status !== 'active' || heir === user) {
        throw appError('validation', 'Their resources can only go to another active user.');
      }
      for (const resource of user.resources) {
        if (!heir.resources.some((r) => r.id === resource.id)) heir.resources.push({ ...resource });
      }
      heir.version += 1;
    }
    const affected = structuredClone(user.resources);
    this.remove(user);
    const name = `${user.givenName} ${user.familyName}`;
    const heirName = heir === null ? null : `${heir.givenName} ${heir.familyName}`;
    this.record(
      'user.delete',
      user,
      heirName === null
        ? `Deleted ${name} and their resources`
        : `Deleted ${name}; their resources went to ${heirName}`,
      [],
    );
    return { deletedName: name, transferredTo: heirName, affected };
  }

  async createRole(role: NewRole): Promise<Catalogue> {
    role = sent(role);
    await this.enter('createRole', [role], true);
    const me = this.me();
    this.requirePermission(me, 'configuration:edit', "You don't have permission to define roles.");
    const name = role.name.trim();
    if (name === '') throw appError('validation', 'Give the role a name.');
    if (this.catalogueData.roles.some((r) => r.name.toLowerCase() === name.toLowerCase())) {
      throw appError('validation', `There is already a role called ${name}.`);
    }
    for (const permission of role.permissions) {
      if (!me.permissions.includes(permission)) {
        throw appError(
          'forbidden',
          `You cannot give a role the permission '${permission}' because you do not hold it yourself.`,
        );
      }
    }
    const slug = `custom-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
    let id = slug;
    for (let n = 2; this.catalogueData.roles.some((r) => r.id === id); n++) id = `${slug}-${n}`;
    this.catalogueData.roles.push({
      id,
      name,
      description: role.description.trim(),
      permissions: [...role.permissions],
      assignable: true,
      grantable: true,
      notGrantableReason: null,
      custom: true,
    });
    return this.catalogue();
  }

  async updateRole(id: string, role: NewRole): Promise<Catalogue> {
    role = sent(role);
    await this.enter('updateRole', [id, role], true);
    const me = this.me();
    this.requirePermission(me, 'configuration:edit', "You don't have permission to change roles.");
    const existing = this.customRole(id);
    const name = role.name.trim();
    if (name === '') throw appError('validation', 'Give the role a name.');
    const clash = this.catalogueData.roles.find(
      (r) => r.id !== id && r.name.toLowerCase() === name.toLowerCase(),
    );
    if (clash !== undefined) {
      throw appError('validation', `A role called '${name}' already exists; choose another name.`);
    }
    for (const permission of role.permissions) {
      if (!me.permissions.includes(permission) && !existing.permissions.includes(permission)) {
        throw appError(
          'forbidden',
          `You cannot give a role the permission '${permission}' because you do not hold it yourself.`,
        );
      }
    }
    existing.name = name;
    existing.description = role.description.trim();
    existing.permissions = [...role.permissions];
    this.changed();
    return this.catalogue();
  }

  async deleteRole(id: string): Promise<Catalogue> {
    await this.enter('deleteRole', [id], true);
    this.requirePermission(
      this.me(),
      'configuration:edit',
      "You don't have permission to delete roles.",
    );
    const role = this.customRole(id);
    const holders = this.users.filter((u) => u.role === id).length;
    if (holders > 0) {
      throw appError(
        'validation',
        `${holders} user(s) still have the role ${role.name}; give them another role first.`,
      );
    }
    this.catalogueData.roles = this.catalogueData.roles.filter((r) => r.id !== id);
    return this.catalogue();
  }

  async setNotifications(
    id: string,
    version: string | null,
    settings: NotificationSettings,
  ): Promise<UserDetail> {
    settings = sent(settings);
    await this.enter('setNotifications', [id, version, settings], true);
    const user = this.require(id);
    this.checkVersion(user, version);
    this.requirePermission(this.me(), 'users:edit', "You don't have permission to edit users.");
    const text = (n: NotificationSettings) =>
      `e-mail ${n.email ? 'on' : 'off'}, in-app ${n.inApp ? 'on' : 'off'}, summary ${n.digest}`;
    const changes: AuditChange[] = [
      { field: 'notifications', before: text(user.notifications), after: text(settings) },
    ];
    user.notifications = { ...settings };
    user.version += 1;
    this.changed();
    this.record('user.update', user, 'Changed notification settings', changes);
    return this.detail(user);
  }

  async departments(): Promise<DepartmentInfo[]> {
    await this.enter('departments', [], true);
    return this.departmentList();
  }

  async createDepartment(name: string): Promise<DepartmentInfo[]> {
    await this.enter('createDepartment', [name], true);
    this.requireDepartmentManager();
    const wanted = this.departmentName(name);
    this.departmentFree(wanted, null);
    this.catalogueData.departments.push(wanted);
    return this.departmentList();
  }

  async renameDepartment(name: string, newName: string): Promise<DepartmentInfo[]> {
    await this.enter('renameDepartment', [name, newName], true);
    this.requireDepartmentManager();
    const old = this.knownDepartment(name);
    const wanted = this.departmentName(newName);
    this.departmentFree(wanted, old);
    this.catalogueData.departments = this.catalogueData.departments.map((d) =>
      d === old ? wanted : d,
    );
    for (const user of this.users) {
      if (!user.departments.includes(old)) continue;
      user.departments = user.departments.map((d) => (d === old ? wanted : d));
      user.version += 1;
    }
    this.changed();
    return this.departmentList();
  }

  async deleteDepartment(name: string): Promise<DepartmentInfo[]> {
    await this.enter('deleteDepartment', [name], true);
    this.requireDepartmentManager();
    const old = this.knownDepartment(name);
    this.catalogueData.departments = this.catalogueData.departments.filter((d) => d !== old);
    for (const user of this.users) {
      if (!user.departments.includes(old)) continue;
      user.departments = user.departments.filter((d) => d !== old);
      user.version += 1;
    }
    this.changed();
    return this.departmentList();
  }

  private customRole(id: string): Catalogue['roles'][number] {
    const role = this.catalogueData.roles.find((r) => r.id === id);
    if (role === undefined) throw appError('notFound', 'This role no longer exists.');
    if (!role.custom) {
      throw appError('validation', `${role.name} is built in; only custom roles can be changed.`);
    }
    return role;
  }

  private departmentList(): DepartmentInfo[] {
    const members = new Map<string, number>();
    for (const user of this.users) {
      for (const d of user.departments) members.set(d, (members.get(d) ?? 0) + 1);
    }
    return [...this.catalogueData.departments]
      .sort((a, b) => a.localeCompare(b, undefined, { sensitivity: 'base' }))
      .map((name) => ({ name, members: members.get(name) ?? 0 }));
  }

  private requireDepartmentManager(): void {
    this.requirePermission(
      this.me(),
      'categories:manage',
      "You don't have permission to manage departments.",
    );
  }

  private departmentName(name: string): string {
    const trimmed = name.trim();
    if (trimmed === '') throw appError('validation', 'Give the department a name.');
    if ([...trimmed].length > 100) {
      throw appError('validation', "A department's name can be at most 100 characters.");
    }
    return trimmed;
  }

  private knownDepartment(name: string): string {
    const found = this.catalogueData.departments.find((d) => d === name);
    if (found === undefined) throw appError('notFound', `There is no department called ${name}.`);
    return found;
  }

  /** Refuses a name another department has (ignoring case); `self` may keep its own. */
  private departmentFree(name: string, self: string | null): void {
    const taken = this.catalogueData.departments.find(
      (d) => d !== self && d.toLowerCase() === name.toLowerCase(),
    );
    if (taken !== undefined) {
      throw appError('validation', `There is already a department called ${taken}.`);
    }
  }

  private remove(user: FakeUser): void {
    this.users = this.users.filter((u) => u !== user);
    this.byId.delete(user.id);
    this.changed();
  }

  private resourcesOf(user: FakeUser): UserResources {
    return {
      userId: user.id,
      fullAccess: FULL_ACCESS.has(user.role),
      requiresResource: user.role === 'guest',
      resources: structuredClone(user.resources),
    };
  }

  /** A user's events: made up on first sight from their credits used. */
  private eventsOf(user: FakeUser): UsageEvent[] {
    let events = this.eventData.get(user.id);
    if (events === undefined) {
      events = [];
      const used = user.creditsUsed ?? 0;
      const parts = used === 0 ? [] : [Math.floor(used / 2), used - Math.floor(used / 2)];
      const tasks = ['Site audit (40 pages)', 'Competitor crawl'];
      parts.forEach((credits, i) => {
        events!.push({
          seq: i + 1,
          id: `evt-${user.id}-${i + 1}`,
          application: 'tasks',
          description: tasks[i] ?? 'Usage',
          credits,
          created: new Date(this.now - (parts.length - i) * DAY).toISOString(),
        });
      });
      this.eventData.set(user.id, events);
    }
    return events;
  }

  private mail(user: FakeUser, kind: 'invitation' | 'password-reset'): OutboxMessage {
    const token = Math.random().toString(36).slice(2, 14);
    const link = `${FAKE_SERVER_URL}/${kind === 'invitation' ? 'invite' : 'reset'}/${token}`;
    const message: OutboxMessage = {
      id: this.outboxData.length + 1,
      kind,
      userId: user.id,
      to: user.email,
      subject: kind === 'invitation' ? 'You are invited to Roster' : 'Reset your Roster password',
      body: `Hello ${user.givenName},\n\nOpen ${link} to continue.\n`,
      link,
      created: new Date().toISOString(),
      status: 'queued',
      sentAt: null,
      error: null,
    };
    this.outboxData.push(message);
    return message;
  }

  private record(action: string, user: FakeUser, summary: string, changes: AuditChange[]): void {
    const me = this.session?.me;
    this.auditData.push({
      seq: this.auditData.length + 1,
      at: new Date().toISOString(),
      actorId: me?.userId ?? null,
      actor: me?.name ?? 'The server',
      action,
      targetId: user.id,
      target: `${user.givenName} ${user.familyName}`,
      summary,
      changes,
    });
  }

  // -------------------------------------------------------------------------
  // The offline copy: the fake's users are always "synced"; tests change
  // the state with `setSync`.

  private syncListeners = new Set<(state: SyncState) => void>();
  private syncData: SyncState = {
    asOf: new Date().toISOString(),
    offline: false,
    users: 0,
    running: null,
    error: null,
    notice: null,
    sessionEnded: false,
    revision: 0,
  };

  /** Test hook: a new sync state, sent to every listener. */
  setSync(change: Partial<SyncState>): void {
    this.syncData = { ...this.syncData, ...change, revision: this.syncData.revision + 1 };
    const state = sent(this.syncData);
    for (const listener of this.syncListeners) listener(state);
  }

  async syncState(): Promise<SyncState> {
    // Answered from the copy: works offline too.
    this.calls.push({ method: 'syncState', args: [] });
    await Promise.resolve();
    return sent({ ...this.syncData, users: this.users.length });
  }

  async syncNow(): Promise<void> {
    await this.enter('syncNow', [], true);
    this.setSync({ running: { phase: 'changes', done: 0, total: 0 } });
    await sleep(this.latencyMs);
    this.setSync({
      running: null,
      offline: false,
      error: null,
      asOf: new Date().toISOString(),
      users: this.users.length,
    });
  }

  async cancelSync(): Promise<void> {
    await this.enter('cancelSync', [], true);
    this.setSync({
      running: null,
      error: 'The sync was cancelled; the offline copy is as it was.',
    });
  }

  onSyncState(listener: (state: SyncState) => void): Promise<() => void> {
    this.syncListeners.add(listener);
    return Promise.resolve(() => this.syncListeners.delete(listener));
  }

  // -------------------------------------------------------------------------
  // Internals

  /** Every call starts here: log, latency, holds, injected and state failures. */
  private async enter(method: FakeMethod, args: unknown[], needsSession: boolean): Promise<void> {
    this.calls.push({ method, args });
    const hold = this.holds.find((h) => h.method === method);
    if (hold !== undefined) {
      this.holds = this.holds.filter((h) => h !== hold);
      hold.markStarted();
      await hold.released;
    } else if (this.latencyMs > 0) {
      await sleep(this.latencyMs);
    } else {
      // Answers always arrive asynchronously, as over IPC.
      await Promise.resolve();
    }
    const failure = this.failures.find(
      (f) => f.method === method || (f.method === undefined && needsSession),
    );
    if (failure !== undefined) {
      this.failures = this.failures.filter((f) => f !== failure);
      throw structuredClone(failure.error);
    }
    if (this.offline) {
      throw appError('offline', "Roster can't reach the server. Check your network connection.");
    }
    if (needsSession) {
      if (this.session === null) throw appError('unauthorized', 'You are not signed in.');
      if (this.sessionExpired) {
        throw appError('unauthorized', 'Your session has expired. Sign in again to continue.');
      }
    }
  }

  private generate(count: number, seed: number): void {
    const rnd = random(seed);
    const used = new Set<string>();
    const roleDraw: [string, number][] = [
      ['admin', 0.02],
      ['manager', 0.08],
      ['member', 0.6],
      ['viewer', 0.2],
      ['guest', 0.1],
    ];
    for (let i = 0; i < count; i++) {
      let given: Name;
      let family: Name;
      let host = DOMAIN;
      if (i === 0) {
        given = ['Ingrid', 'ingrid'];
        family = ['Ólafsdóttir', 'olafsdottir'];
      } else if (i === 1) {
        given = ['Amara', 'amara'];
        family = ['Okafor', 'okafor'];
      } else if (i === 2) {
        // The longest name and e-mail the table must cope with.
        given = ['Maximiliane Alexandra', 'maximiliane.alexandra'];
        family = ['von Hohenberg-Schwarzenfeld', 'von-hohenberg-schwarzenfeld'];
        host = `regional-procurement.${DOMAIN}`;
      } else {
        let draw = rnd() * CULTURE_WEIGHT;
        let culture = CULTURES[0]!;
        for (const c of CULTURES) {
          draw -= c.weight;
          if (draw < 0) {
            culture = c;
            break;
          }
        }
        given = pick(rnd, culture.given);
        family = pick(rnd, culture.family);
        // Two family names, as in Spain and Portugal and for many married couples.
        const second = pick(rnd, culture.family);
        if (
          culture.doubleFamily !== undefined &&
          second !== family &&
          rnd() < culture.doubleFamily
        ) {
          const join = culture.doubleFamily >= 0.5 ? ' ' : '-';
          family = [`${family[0]}${join}${second[0]}`, `${family[1]}-${second[1]}`];
        }
        host = pick(rnd, MAIL_HOSTS);
      }
      let local = `${given[1]}.${family[1]}`;
      for (let n = 2; used.has(`${local}@${host}`); n++) local = `${given[1]}.${family[1]}${n}`;
      const email = `${local}@${host}`;
      used.add(email);

      let role = 'member';
      if (i === 0) role = 'owner';
      else if (i === 1) role = 'admin';
      else {
        let draw = rnd();
        for (const [id, share] of roleDraw) {
          draw -= share;
          if (draw < 0) {
            role = id;
            break;
          }
        }
      }
      const statusDraw = rnd();
      const status: Status =
        i < 3
          ? 'active'
          : statusDraw < 0.05
            ? 'pending'
            : statusDraw < 0.15
              ? 'archived'
              : 'active';
      const created = this.now - Math.floor(30 + rnd() * 2000) * DAY;
      let lastActive: number | null = null;
      if (status === 'active' && rnd() > 0.03) {
        lastActive = this.now - Math.floor(rnd() * rnd() * 400 * DAY);
      } else if (status === 'archived') {
        lastActive = this.now - Math.floor((200 + rnd() * 900) * DAY);
      }
      const departments: string[] = [];
      const departmentCount = Math.floor(rnd() * 3.4);
      for (let d = 0; d < departmentCount; d++) {
        const department = pick(rnd, DEPARTMENTS);
        if (!departments.includes(department)) departments.push(department);
      }
      const applications: ApplicationMode[] = [];
      const permissions: string[] = [];
      if ((role === 'member' || role === 'viewer') && rnd() < 0.35) {
        const ceiling = this.ceiling(role);
        for (const app of this.catalogueData.applications) {
          if (rnd() < 0.4) {
            applications.push({ application: app.id, mode: 'custom' });
            for (const perm of app.permissions) {
              if (ceiling.has(perm.id) && rnd() < 0.6) permissions.push(perm.id);
            }
          }
        }
      }
      const hasLimit = role === 'member' && rnd() < 0.4;
      const creditLimit = hasLimit ? 500 * (1 + Math.floor(rnd() * 10)) : null;
      const user: FakeUser = {
        id: this.newId(),
        version: 1,
        givenName: given[0],
        familyName: family[0],
        email,
        status,
        role,
        departments,
        applications,
        permissions,
        groups: rnd() < 0.6 ? [pick(rnd, GROUPS)] : [],
        created,
        lastActive,
        creditLimit,
        creditsUsed:
          role === 'member'
            ? Math.floor(rnd() * (creditLimit ?? 3000))
            : role === 'guest'
              ? 0
              : null,
        allowedIps: rnd() < 0.1 ? ['203.0.113.0/24', '2001:db8:4a1::/48'] : [],
        // From the index, not the random draws: the people stay the same
        // as before users had notification settings.
        notifications: {
          email: i % 5 !== 0,
          inApp: i % 10 !== 3,
          digest: (['weekly', 'daily', 'weekly', 'never'] as const)[i % 4]!,
        },
        resources: role === 'guest' || rnd() < 0.2 ? [pick(rnd, RESOURCES)] : [],
        invitationExpiresAt:
          status === 'pending' ? this.now + Math.floor((rnd() * 24 - 10) * DAY) : null,
        searchKey: '',
        nameKey: '',
      };
      keys(user);
      this.users.push(user);
      this.byId.set(user.id, user);
    }
  }

  private newId(): string {
    return `u-${String(this.nextId++).padStart(6, '0')}`;
  }

  private require(id: string): FakeUser {
    const user = this.byId.get(id);
    if (user === undefined) throw appError('notFound', 'This user no longer exists.');
    return user;
  }

  private changed(): void {
    this.windowCache.clear();
  }

  private ceiling(roleId: string | null): Set<string> {
    const role = this.catalogueData.roles.find((r) => r.id === roleId);
    return new Set(role?.permissions ?? []);
  }

  private allPermissions(): string[] {
    return this.catalogueData.applications.flatMap((a) => a.permissions.map((p) => p.id));
  }

  /** What a user holds in effect: All applications up to the role's ceiling, Custom as granted. */
  private entitlements(user: Pick<FakeUser, 'role' | 'applications' | 'permissions'>): string[] {
    const ceiling = this.ceiling(user.role);
    const custom = new Set(
      user.applications.filter((a) => a.mode === 'custom').map((a) => a.application),
    );
    const granted = new Set(user.permissions);
    return this.catalogueData.applications.flatMap((app) =>
      app.permissions
        .filter((p) => ceiling.has(p.id) && (!custom.has(app.id) || granted.has(p.id)))
        .map((p) => p.id),
    );
  }

  private me(): Me {
    if (this.session === null) throw appError('unauthorized', 'You are not signed in.');
    return this.session.me;
  }

  private requirePermission(me: Me, permission: string, message: string): void {
    if (!me.permissions.includes(permission)) throw appError('forbidden', message);
  }

  private checkGrant(me: Me, permission: string): void {
    if (!me.permissions.includes(permission)) {
      const name =
        this.catalogueData.applications
          .flatMap((a) => a.permissions)
          .find((p) => p.id === permission)?.name ?? permission;
      throw appError('forbidden', `You can't grant “${name}”: you don't have it yourself.`);
    }
  }

  private checkRoleGrant(me: Me, roleId: string | null): void {
    const role = this.catalogueData.roles.find((r) => r.id === roleId);
    if (role === undefined) throw appError('validation', 'Choose a role.');
    if (!role.assignable) throw appError('forbidden', `Nobody can be given the ${role.name} role.`);
    if (!role.permissions.every((p) => me.permissions.includes(p))) {
      throw appError(
        'forbidden',
        `You can't give the ${role.name} role: it holds permissions you don't have.`,
      );
    }
  }

  private checkVersion(user: FakeUser, sent: string | null): void {
    if (sent !== null && sent !== version(user)) {
      throw appError('conflict', 'This user was changed by someone else since you opened it.');
    }
  }

  private validate(edit: UserEdit, self: string | null): void {
    if (edit.givenName.trim() === '' || edit.familyName.trim() === '') {
      throw appError('validation', 'First name and last name are required.');
    }
    const email = edit.email.trim();
    if (!EMAIL_SHAPE.test(email)) {
      throw appError('validation', `“${email}” is not a valid e-mail address.`);
    }
    const other = this.users.find(
      (u) => u.id !== self && u.email.toLowerCase() === email.toLowerCase(),
    );
    if (other !== undefined) {
      throw appError('validation', `Another user already signs in with ${email}.`);
    }
  }

  /** `department` folded; '' for every department. */
  private matches(user: FakeUser, search: string, department: string): boolean {
    return (
      (search === '' || user.searchKey.includes(search)) &&
      (department === '' || user.departments.some((d) => fold(d) === department))
    );
  }

  private counts(search: string, department: string): TabCounts {
    const counts: TabCounts = { active: 0, pending: 0, archived: 0 };
    for (const user of this.users) {
      if (this.matches(user, search, department)) counts[user.status] += 1;
    }
    return counts;
  }

  private sorted(tab: Tab, search: string, department: string, sort: Sort): FakeUser[] {
    const key = `${tab}\u0000${search}\u0000${department}\u0000${sort.key}\u0000${sort.descending}`;
    const cached = this.windowCache.get(key);
    if (cached !== undefined) return cached;
    const roleRank = new Map(this.catalogueData.roles.map((r, index) => [r.id, index]));
    const compareKey = (a: FakeUser, b: FakeUser): number => {
      switch (sort.key) {
        case 'name':
          return a.nameKey < b.nameKey ? -1 : a.nameKey > b.nameKey ? 1 : 0;
        case 'email':
          return a.email < b.email ? -1 : a.email > b.email ? 1 : 0;
        case 'role':
          return (roleRank.get(a.role) ?? 99) - (roleRank.get(b.role) ?? 99);
        case 'lastActive':
          return (a.lastActive ?? -Infinity) - (b.lastActive ?? -Infinity) || 0;
      }
    };
    const direction = sort.descending ? -1 : 1;
    const list = this.users
      .filter((u) => u.status === tab && this.matches(u, search, department))
      .sort((a, b) => {
        const byKey = compareKey(a, b) * direction;
        if (byKey !== 0) return byKey;
        if (a.nameKey !== b.nameKey) return a.nameKey < b.nameKey ? -1 : 1;
        return a.id < b.id ? -1 : 1;
      });
    if (this.windowCache.size > 24) this.windowCache.clear();
    this.windowCache.set(key, list);
    return list;
  }

  private row(user: FakeUser): UserRow {
    return {
      id: user.id,
      displayName: `${user.givenName} ${user.familyName}`,
      email: user.email,
      status: user.status,
      role: user.role,
      roleName: this.catalogueData.roles.find((r) => r.id === user.role)?.name ?? null,
      lastActive: user.lastActive === null ? null : new Date(user.lastActive).toISOString(),
      departments: [...user.departments],
      invitationExpired:
        user.status === 'pending' &&
        user.invitationExpiresAt !== null &&
        user.invitationExpiresAt < Date.now(),
    };
  }

  private detail(user: FakeUser): UserDetail {
    const iso = (time: number | null) => (time === null ? null : new Date(time).toISOString());
    return {
      id: user.id,
      version: version(user),
      givenName: user.givenName,
      familyName: user.familyName,
      email: user.email,
      status: user.status,
      role: user.role,
      departments: [...user.departments],
      applications: structuredClone(user.applications),
      permissions: [...user.permissions],
      entitlements: this.entitlements(user),
      groups: [...user.groups],
      created: iso(user.created),
      lastActive: iso(user.lastActive),
      creditLimit: user.creditLimit,
      creditsUsed: user.creditsUsed,
      allowedIps: [...user.allowedIps],
      notifications: { ...user.notifications },
      resources: structuredClone(user.resources),
      invitationExpiresAt: iso(user.invitationExpiresAt),
    };
  }

  private saveProfile(summary: Omit<ProfileSummary, 'id'>): ProfileSummary {
    const existing = this.profiles.find(
      (p) =>
        p.serverUrl === summary.serverUrl &&
        p.account === summary.account &&
        p.auth === summary.auth &&
        p.demo === summary.demo,
    );
    const profile = existing ?? { id: `profile-${this.profiles.length + 1}`, ...summary };
    if (existing === undefined) this.profiles.push(profile);
    this.secrets.add(profile.id);
    this.sessionExpired = false;
    return profile;
  }

  private passwordSession(serverUrl: string, email: string): Session {
    const user = this.users.find((u) => u.email === email);
    if (user === undefined) throw appError('internal', `no such fake account ${email}`);
    const profile = this.saveProfile({
      name: `${user.givenName} ${user.familyName} · ${new URL(serverUrl).host}`,
      serverUrl,
      account: email,
      auth: 'password',
      demo: false,
    });
    return { profile, me: this.meFor(user) };
  }

  private demoSession(): Session {
    const profile = this.saveProfile({
      name: 'Demo organisation',
      serverUrl: 'http://127.0.0.1:8350',
      account: FAKE_ADMIN_EMAIL,
      auth: 'password',
      demo: true,
    });
    const admin = this.users.find((u) => u.email === FAKE_ADMIN_EMAIL);
    if (admin === undefined) throw appError('internal', 'the demo has no admin');
    return { profile, me: this.meFor(admin) };
  }

  private meFor(user: FakeUser): Me {
    return {
      userId: user.id,
      name: `${user.givenName} ${user.familyName}`,
      role: user.role,
      permissions:
        user.role === 'owner'
          ? this.allPermissions()
          : (this.mePermissions ?? [...this.ceiling(user.role)]),
    };
  }

  private status(session: Session): ConnectionStatus {
    return structuredClone({
      profile: session.profile,
      me: session.me,
      capabilities: {
        rosterExtension: true,
        etag: true,
        patch: true,
        sort: true,
        maxResults: 1000,
      },
      keychainWarning: this.keychainWarning,
    });
  }
}

function checkServerUrl(serverUrl: string): string {
  const trimmed = serverUrl.trim().replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw appError('validation', 'Enter the server address, such as https://roster.example.org.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw appError('validation', 'The server address must start with https://.');
  }
  if (url.hostname.endsWith('.invalid')) {
    throw appError(
      'offline',
      `Roster can't reach ${url.host}. Check the address and your network.`,
    );
  }
  return trimmed;
}

function defaultMessage(kind: ErrorKind): string {
  switch (kind) {
    case 'unauthorized':
      return 'Your session has expired. Sign in again to continue.';
    case 'forbidden':
      return "You don't have permission to do this.";
    case 'offline':
      return "Roster can't reach the server. Check your network connection.";
    case 'notFound':
      return 'This user no longer exists.';
    case 'conflict':
      return 'This user was changed by someone else since you opened it.';
    case 'validation':
      return 'Some of the details are not valid.';
    case 'keychain':
      return "Roster couldn't use the system keychain.";
    case 'internal':
      return 'Something went wrong on the server.';
  }
}
