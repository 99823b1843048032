//! Where secrets live: the OS keychain in the app, memory in tests.
//!
//! One entry per profile (the refresh token or API token), under a service
//! name made of the app identifier and the build kind, so a debug build never
//! reads a release build's tokens. A missing entry is `None`, not an error.

use std::collections::HashMap;
use std::sync::Mutex;

use roster_client::Secret;

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct KeychainError(pub String);

pub trait SecretStore: Send + Sync {
    fn get(&self, account: &str) -> Result<Option<Secret>, KeychainError>;
    fn set(&self, account: &str, secret: &Secret) -> Result<(), KeychainError>;
    fn delete(&self, account: &str) -> Result<(), KeychainError>;
}

/// The OS keychain (Secret Service on Linux, Keychain on macOS, Credential
/// Manager on Windows) through the keyring crate. Calls block on D-Bus or
/// the OS: callers run them on the blocking pool.
pub struct Keychain {
    service: String,
}

impl Keychain {
    pub fn new(identifier: &str) -> Self {
        let kind = if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        };
        Keychain {
            service: format!("{identifier}.{kind}"),
        }
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry, KeychainError> {
        keyring::Entry::new(&self.service, account).map_err(explain)
    }
}

fn explain(e: keyring::Error) -> KeychainError {
    KeychainError(format!(
        "The system keychain is not available ({e}). Roster keeps this session in memory only; you will need to sign in again next time."
    ))
}

impl SecretStore for Keychain {
    fn get(&self, account: &str) -> Result<Option<Secret>, KeychainError> {
        match self.entry(account)?.get_password() {
            Ok(p) => Ok(Some(Secret::new(p))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(explain(e)),
        }
    }

    fn set(&self, account: &str, secret: &Secret) -> Result<(), KeychainError> {
        self.entry(account)?
            .set_password(secret.expose())
            .map_err(explain)
    }

    fn delete(&self, account: &str) -> Result<(), KeychainError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(explain(e)),
        }
    }
}

/// Secrets in memory: for tests, and the fallback when the keychain fails.
#[derive(Default)]
pub struct MemoryStore(Mutex<HashMap<String, String>>);

impl SecretStore for MemoryStore {
    fn get(&self, account: &str) -> Result<Option<Secret>, KeychainError> {
        Ok(self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(account)
            .map(|s| Secret::new(s.clone())))
    }

    fn set(&self, account: &str, secret: &Secret) -> Result<(), KeychainError> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(account.to_string(), secret.expose().to_string());
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<(), KeychainError> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(account);
        Ok(())
    }
}
