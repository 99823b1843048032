//! The SCIM 2.0 client: sign-in and session renewal, discovery, the users
//! windows and edits. One [`Client`] is one signed-in connection; clones
//! share it.

mod discovery;
mod http;
mod manage;
mod users;
pub use users::UsersPage;

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use reqwest::{RequestBuilder, StatusCode};
use serde::Deserialize;

use crate::error::{ClientError, ClientResult};
use crate::model::{AuthKind, Capabilities, Catalogue};
use crate::secret::Secret;
use crate::server_url::ServerUrl;
use http::{status_error, transport_error, Answer};

/// Called with each new refresh token, so the app can keep it in the
/// keychain.
pub type RefreshListener = Box<dyn Fn(&Secret) + Send + Sync>;

/// The listener as kept: shared, so it is called outside its own lock.
type SharedListener = Arc<dyn Fn(&Secret) + Send + Sync>;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A connection to one SCIM server with one set of credentials. Cheap to
/// clone; clones share the session and the caches.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    url: ServerUrl,
    auth_kind: AuthKind,
    account: Option<String>,
    tokens: tokio::sync::Mutex<Tokens>,
    listener: Mutex<Option<SharedListener>>,
    capabilities: Mutex<Option<Capabilities>>,
    catalogue: Mutex<Option<Catalogue>>,
}

/// The credentials in memory. The access token never leaves the process.
struct Tokens {
    access: Option<Secret>,
    refresh: Option<Secret>,
    /// Bumped on every renewal, so a request that failed with an old token
    /// knows that someone else already renewed it.
    generation: u64,
}

/// What the token endpoint gave.
struct Grant {
    access: Secret,
    refresh: Secret,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    refresh_token: Option<String>,
}

#[derive(Deserialize)]
struct OAuthError {
    error: Option<String>,
    error_description: Option<String>,
}

fn http_client() -> ClientResult<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        // A redirect could carry the bearer token somewhere unexpected;
        // the user types the final address instead.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Roster/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|_| {
            ClientError::Internal("Roster could not set up its network connection.".into())
        })
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Client {
    fn new(
        url: ServerUrl,
        auth_kind: AuthKind,
        account: Option<String>,
        access: Secret,
        refresh: Option<Secret>,
    ) -> ClientResult<Client> {
        Ok(Client {
            inner: Arc::new(Inner {
                http: http_client()?,
                url,
                auth_kind,
                account,
                tokens: tokio::sync::Mutex::new(Tokens {
                    access: Some(access),
                    refresh,
                    generation: 0,
                }),
                listener: Mutex::new(None),
                capabilities: Mutex::new(None),
                catalogue: Mutex::new(None),
            }),
        })
    }

    /// Signs in with e-mail and password (OAuth 2.0 password grant at
    /// `<root>/oauth/token`). Returns the client and the refresh token to
    /// keep in the keychain; the access token stays in memory.
    pub async fn sign_in_password(
        url: ServerUrl,
        email: &str,
        password: &Secret,
    ) -> ClientResult<(Client, Secret)> {
        let email = email.trim();
        if email.is_empty() || password.is_empty() {
            return Err(ClientError::Validation(
                "Enter both your e-mail address and your password.".into(),
            ));
        }
        let http = http_client()?;
        let form = [
            ("grant_type", "password"),
            ("username", email),
            ("password", password.expose()),
        ];
        let grant = token_request(&http, &url, &form, Purpose::SignIn).await?;
        let client = Client::new(
            url,
            AuthKind::Password,
            Some(email.to_owned()),
            grant.access,
            Some(grant.refresh.clone()),
        )?;
        Ok((client, grant.refresh))
    }

    /// Resumes a session from a stored refresh token. The server rotates it:
    /// the returned one replaces it (the old one no longer works).
    pub async fn resume(url: ServerUrl, refresh: Secret) -> ClientResult<(Client, Secret)> {
        let http = http_client()?;
        let grant = refresh_request(&http, &url, &refresh).await?;
        let client = Client::new(
            url,
            AuthKind::Password,
            None,
            grant.access,
            Some(grant.refresh.clone()),
        )?;
        Ok((client, grant.refresh))
    }

    /// Connects with an API token, checked by one authenticated request.
    pub async fn with_api_token(url: ServerUrl, token: Secret) -> ClientResult<Client> {
        if token.expose().trim().is_empty() {
            return Err(ClientError::Validation("Enter the API token.".into()));
        }
        let token = Secret::new(token.expose().trim());
        let client = Client::new(url, AuthKind::ApiToken, None, token, None)?;
        client.check_access().await?;
        Ok(client)
    }

    /// Proves the credentials work with the cheapest authenticated request.
    async fn check_access(&self) -> ClientResult<()> {
        let caps = self.capabilities().await?;
        if caps.roster_extension {
            self.me().await.map(drop)
        } else {
            let url = self.inner.url.scim(&["Users"]);
            let answer = self
                .inner
                .send(|http| {
                    http.get(url.clone())
                        .query(&[("count", "0"), ("attributes", "id")])
                })
                .await?;
            answer
                .json::<serde_json::Value>("the list of users")
                .map(drop)
        }
    }

    /// Calls `listener` with each new refresh token after a renewal.
    pub fn set_refresh_listener(&self, listener: RefreshListener) {
        *lock(&self.inner.listener) = Some(Arc::from(listener));
    }

    /// Ends the session: the refresh token is revoked at the server
    /// (network failures are ignored: the token is forgotten either way).
    /// An API token is only forgotten, never revoked.
    pub async fn sign_out(&self) {
        let (access, refresh) = {
            let mut tokens = self.inner.tokens.lock().await;
            tokens.generation += 1;
            (tokens.access.take(), tokens.refresh.take())
        };
        if self.inner.auth_kind != AuthKind::Password {
            return;
        }
        let url = self.inner.url.at_root(&["oauth", "revoke"]);
        for token in [refresh, access].into_iter().flatten() {
            let request = self
                .inner
                .http
                .post(url.clone())
                .form(&[("token", token.expose())]);
            if let Err(e) = request.send().await {
                tracing::debug!(reason = %transport_error(&self.inner.url, e), "sign-out could not reach the server");
                return;
            }
        }
    }

    pub fn url(&self) -> &ServerUrl {
        &self.inner.url
    }

    pub fn auth_kind(&self) -> AuthKind {
        self.inner.auth_kind
    }

    /// The e-mail signed in with, when this client signed in with one.
    pub fn account(&self) -> Option<&str> {
        self.inner.account.as_deref()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("url", &self.inner.url.base())
            .field("auth", &self.inner.auth_kind)
            .finish_non_exhaustive()
    }
}

/// Why the token endpoint is called: its refusals read differently.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Purpose {
    SignIn,
    Renew,
}

async fn refresh_request(
    http: &reqwest::Client,
    url: &ServerUrl,
    refresh: &Secret,
) -> ClientResult<Grant> {
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh.expose()),
    ];
    token_request(http, url, &form, Purpose::Renew).await
}

async fn token_request(
    http: &reqwest::Client,
    url: &ServerUrl,
    form: &[(&str, &str)],
    purpose: Purpose,
) -> ClientResult<Grant> {
    let endpoint = url.at_root(&["oauth", "token"]);
    let answer = read(url, http.post(endpoint).form(form)).await?;
    if answer.status.is_success() {
        let tokens: TokenAnswer = answer.json("the sign-in answer")?;
        let access = tokens
            .access_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ClientError::unreadable("the sign-in answer has no access token."))?;
        let refresh = tokens
            .refresh_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ClientError::unreadable("the sign-in answer has no refresh token."))?;
        return Ok(Grant {
            access: Secret::new(access),
            refresh: Secret::new(refresh),
        });
    }
    let oauth: Option<OAuthError> = serde_json::from_slice(&answer.body).ok();
    let code = oauth
        .as_ref()
        .and_then(|o| o.error.clone())
        .unwrap_or_default();
    let description = oauth
        .and_then(|o| o.error_description)
        .filter(|d| !d.trim().is_empty());
    match (answer.status, code.as_str()) {
        (_, "invalid_grant") | (StatusCode::UNAUTHORIZED, _) | (_, "invalid_client") => {
            Err(match purpose {
                Purpose::Renew => ClientError::session_ended(),
                Purpose::SignIn => ClientError::Unauthorized(
                    description.unwrap_or_else(|| "The e-mail or the password is wrong.".into()),
                ),
            })
        }
        (StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED, _)
        | (_, "unsupported_grant_type") => Err(ClientError::Validation(format!(
            "The server at {} does not offer sign-in with a password; connect with an API token instead.",
            url.origin()
        ))),
        (StatusCode::BAD_REQUEST, _) => Err(ClientError::Validation(
            description.unwrap_or_else(|| "The server refused the sign-in request.".into()),
        )),
        _ => Err(status_error(url, &answer, "The server refused the sign-in.")),
    }
}

/// Sends a request and reads the whole answer.
async fn read(url: &ServerUrl, request: RequestBuilder) -> ClientResult<Answer> {
    let response = request.send().await.map_err(|e| transport_error(url, e))?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .bytes()
        .await
        .map_err(|e| transport_error(url, e))?;
    Ok(Answer {
        status,
        headers,
        body: body.to_vec(),
    })
}

impl Inner {
    fn unauthorized_message(&self) -> &'static str {
        match self.auth_kind {
            AuthKind::Password => crate::error::SESSION_ENDED,
            AuthKind::ApiToken => "The server does not accept this API token (it may have been revoked or mistyped). Enter a valid API token.",
        }
    }

    async fn current_access(&self) -> ClientResult<(Secret, u64)> {
        let tokens = self.tokens.lock().await;
        match &tokens.access {
            Some(access) => Ok((access.clone(), tokens.generation)),
            None => Err(ClientError::Unauthorized(
                "You are signed out; sign in again.".into(),
            )),
        }
    }

    /// Renews the access token after a 401 seen with token `generation`.
    /// Renewals are serialised: refresh tokens work once, so two requests
    /// renewing at the same time would end the session.
    async fn renew(&self, generation: u64) -> ClientResult<Option<Secret>> {
        let mut tokens = self.tokens.lock().await;
        if tokens.generation != generation {
            return match &tokens.access {
                Some(access) => Ok(Some(access.clone())),
                None => Err(ClientError::session_ended()),
            };
        }
        let Some(refresh) = tokens.refresh.clone() else {
            return Ok(None);
        };
        match refresh_request(&self.http, &self.url, &refresh).await {
            Ok(grant) => {
                tokens.access = Some(grant.access.clone());
                tokens.refresh = Some(grant.refresh.clone());
                tokens.generation += 1;
                let listener = lock(&self.listener).clone();
                if let Some(listener) = listener {
                    // Under the tokens lock, so listeners see rotations in order.
                    listener(&grant.refresh);
                }
                Ok(Some(grant.access))
            }
            Err(error) => {
                if matches!(error, ClientError::Unauthorized(_)) {
                    tokens.access = None;
                    tokens.refresh = None;
                    tokens.generation += 1;
                }
                Err(error)
            }
        }
    }

    /// Sends an authenticated request built by `build` (called again for the
    /// retry), renewing the session once on 401. Failed statuses become
    /// errors.
    async fn send(
        &self,
        build: impl Fn(&reqwest::Client) -> RequestBuilder,
    ) -> ClientResult<Answer> {
        let (access, generation) = self.current_access().await?;
        let mut answer = read(&self.url, build(&self.http).bearer_auth(access.expose())).await?;
        if answer.status == StatusCode::UNAUTHORIZED {
            if let Some(access) = self.renew(generation).await? {
                answer = read(&self.url, build(&self.http).bearer_auth(access.expose())).await?;
            }
        }
        if answer.status.is_success() {
            Ok(answer)
        } else {
            Err(status_error(
                &self.url,
                &answer,
                self.unauthorized_message(),
            ))
        }
    }
}
