//! A SCIM User as the rules of [`super`] read it: only the attributes they
//! look at, borrowed from the JSON text (or from a [`Value`]) where no
//! escape had to be undone, without building a `Value` of the whole user.
//!
//! Reading is as lenient as reading a `Value` with `get`/`as_str`: an
//! attribute of another type than expected reads as absent, one given twice
//! counts once (the last, as in a `Value`), and everything else is skipped.
//! Skipped values are still read through (strings unescaped, numbers
//! parsed), so text that a `Value` would refuse is refused here too, with
//! the same error.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use roster_scim::urn;

/// A string attribute, as written (untrimmed); another type reads as none.
pub type Text<'a> = Option<Cow<'a, str>>;

/// The attributes of a User that the rows, the panel and the edits read.
#[derive(Debug, Default)]
pub struct UserDoc<'a> {
    pub id: Text<'a>,
    pub user_name: Text<'a>,
    pub display_name: Text<'a>,
    pub name: Name<'a>,
    pub emails: Vec<Email<'a>>,
    pub active: Option<bool>,
    pub roles: Vec<Role<'a>>,
    pub meta: Meta<'a>,
    /// The Roster extension; all absent when the user has none.
    pub ext: Extension<'a>,
}

#[derive(Debug, Default)]
pub struct Name<'a> {
    pub given_name: Text<'a>,
    pub family_name: Text<'a>,
    pub formatted: Text<'a>,
}

/// An `emails` entry; one that is not an object has every part absent.
#[derive(Debug, Default)]
pub struct Email<'a> {
    pub value: Text<'a>,
    pub kind: Text<'a>,
    pub primary: Option<bool>,
}

/// A core `roles` entry; one that is not an object has every part absent.
#[derive(Debug, Default)]
pub struct Role<'a> {
    pub value: Text<'a>,
    pub display: Text<'a>,
    pub primary: Option<bool>,
}

#[derive(Debug, Default)]
pub struct Meta<'a> {
    pub version: Text<'a>,
    pub created: Text<'a>,
}

#[derive(Debug, Default)]
pub struct Extension<'a> {
    pub status: Text<'a>,
    pub role: Text<'a>,
    /// Every entry, each none unless a string.
    pub departments: Vec<Text<'a>>,
    pub last_active: Text<'a>,
    pub invitation: Invitation<'a>,
}

#[derive(Debug, Default)]
pub struct Invitation<'a> {
    pub expired: Option<bool>,
    pub expires_at: Text<'a>,
}

impl<'a> UserDoc<'a> {
    /// A user's JSON text, read; an error only for text that is not JSON.
    pub fn from_json(json: &'a str) -> serde_json::Result<UserDoc<'a>> {
        serde_json::from_str::<Lenient<UserDoc<'a>>>(json).map(|doc| doc.0)
    }

    /// The same attributes of a parsed user.
    pub fn of(user: &'a Value) -> UserDoc<'a> {
        // Every JSON value is accepted, so reading a Value cannot fail.
        Lenient::deserialize(user)
            .map(|doc: Lenient<UserDoc<'a>>| doc.0)
            .unwrap_or_default()
    }
}

/// Reads `T` from any JSON value: one of another type gives the default.
struct Lenient<T>(T);

/// Any JSON value, read through and dropped.
struct Skip;

/// What a JSON value gives as a `T`; the default for any other type.
trait Read<'de>: Default {
    fn string(_: Cow<'de, str>) -> Self {
        Self::default()
    }

    fn boolean(_: bool) -> Self {
        Self::default()
    }

    fn array<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Self::default())
    }

    /// An object's attribute (`key`): read its value from `map` if wanted.
    /// Returns whether it was.
    fn attribute<A: MapAccess<'de>>(&mut self, _key: &str, _map: &mut A) -> Result<bool, A::Error> {
        Ok(false)
    }
}

impl<'de, T: Read<'de>> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(LenientVisitor(PhantomData))
            .map(Lenient)
    }
}

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Not `deserialize_ignored_any`: it skips strings and numbers
        // without checking them as a `Value` does.
        deserializer
            .deserialize_any(LenientVisitor::<()>(PhantomData))
            .map(|()| Skip)
    }
}

impl Read<'_> for () {}

impl<'de> Read<'de> for Text<'de> {
    fn string(s: Cow<'de, str>) -> Self {
        Some(s)
    }
}

impl Read<'_> for Option<bool> {
    fn boolean(b: bool) -> Self {
        Some(b)
    }
}

impl<'de, T: Read<'de>> Read<'de> for Vec<T> {
    fn array<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(Lenient(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(items)
    }
}

/// An object's key, borrowed when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let Lenient(key) = Lenient::<Text<'de>>::deserialize(deserializer)?;
        Ok(Key(key.unwrap_or_default()))
    }
}

struct LenientVisitor<T>(PhantomData<T>);

impl<'de, T: Read<'de>> Visitor<'de> for LenientVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<T, E> {
        Ok(T::boolean(b))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<T, E> {
        Ok(T::default())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<T, E> {
        Ok(T::default())
    }

    fn visit_i128<E: de::Error>(self, _: i128) -> Result<T, E> {
        Ok(T::default())
    }

    fn visit_u128<E: de::Error>(self, _: u128) -> Result<T, E> {
        Ok(T::default())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<T, E> {
        Ok(T::default())
    }

    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<T, E> {
        Ok(T::string(Cow::Borrowed(s)))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<T, E> {
        Ok(T::string(Cow::Owned(s.to_owned())))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<T, E> {
        Ok(T::string(Cow::Owned(s)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        Ok(T::default())
    }

    fn visit_none<E: de::Error>(self) -> Result<T, E> {
        Ok(T::default())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        T::array(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut object = T::default();
        while let Some(Key(key)) = map.next_key()? {
            if !object.attribute(&key, &mut map)? {
                map.next_value::<Skip>()?;
            }
        }
        Ok(object)
    }
}

/// The value of the attribute just read, as a `T`.
fn next<'de, T: Read<'de>, A: MapAccess<'de>>(map: &mut A) -> Result<T, A::Error> {
    map.next_value::<Lenient<T>>().map(|v| v.0)
}

/// Which attribute of an object goes into which field of its type.
macro_rules! attributes {
    ($($ty:ident { $($key:pat => $field:ident,)* })*) => {$(
        impl<'de> Read<'de> for $ty<'de> {
            fn attribute<A: MapAccess<'de>>(
                &mut self,
                key: &str,
                map: &mut A,
            ) -> Result<bool, A::Error> {
                match key {
                    $($key => self.$field = next(map)?,)*
                    _ => return Ok(false),
                }
                Ok(true)
            }
        }
    )*};
}

attributes! {
    UserDoc {
        "id" => id,
        "userName" => user_name,
        "displayName" => display_name,
        "name" => name,
        "emails" => emails,
        "active" => active,
        "roles" => roles,
        "meta" => meta,
        urn::ROSTER_USER => ext,
    }
    Name {
        "givenName" => given_name,
        "familyName" => family_name,
        "formatted" => formatted,
    }
    Email {
        "value" => value,
        "type" => kind,
        "primary" => primary,
    }
    Role {
        "value" => value,
        "display" => display,
        "primary" => primary,
    }
    Meta {
        "version" => version,
        "created" => created,
    }
    Extension {
        "status" => status,
        "role" => role,
        "departments" => departments,
        "lastActive" => last_active,
        "invitation" => invitation,
    }
    Invitation {
        "expired" => expired,
        "expiresAt" => expires_at,
    }
}
