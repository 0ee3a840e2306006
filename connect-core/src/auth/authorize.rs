//! [`AuthorizeEndpoint`]: tokens from the CCP's authorize endpoint with a login session
//! cookie, as the hosted CCP gets them (spec §4.3).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;
use url::Url;

use super::{parse_expiration, AccessToken, AuthError, AuthProvider};
use crate::api::CtiError;
use crate::http::{authorize_endpoint, http_client, transport_error, BuildError};
use crate::model::Sensitive;
use crate::session::deadline::with_deadline;
use crate::time::{Clock, SystemClock};

/// Builds an [`AuthorizeEndpoint`].
///
/// ```
/// use connect_core::auth::AuthorizeEndpoint;
///
/// let auth = AuthorizeEndpoint::builder("https://example.awsapps.com/connect/ccp-v2")
///     .cookie("lily-auth-prod=opaque")
///     .build()
///     .unwrap();
/// assert_eq!(auth.url().as_str(), "https://example.awsapps.com/connect/auth/authorize");
/// assert!(!format!("{auth:?}").contains("opaque"));
/// ```
#[must_use]
pub struct AuthorizeEndpointBuilder {
    ccp_url: String,
    endpoint: Option<String>,
    cookie: Option<Sensitive>,
    clock: Option<Arc<dyn Clock>>,
    root_certificates: Vec<Vec<u8>>,
    request_deadline: Duration,
    attempts: u32,
    retry_delay: Duration,
}

impl std::fmt::Debug for AuthorizeEndpointBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizeEndpointBuilder")
            .field("ccp_url", &self.ccp_url)
            .field("cookie", &self.cookie)
            .finish_non_exhaustive()
    }
}

impl AuthorizeEndpointBuilder {
    /// An explicit authorize URL, overriding the origin rule.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// The login session: the `Cookie` header value sent natively (a browser sends its own
    /// cookies).
    pub fn cookie(mut self, cookie: impl Into<Sensitive>) -> Self {
        self.cookie = Some(cookie.into());
        self
    }

    /// The clock of deadlines and retry waits (default: system).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Trusts an extra root certificate (PEM); ignored in a browser.
    pub fn add_root_certificate_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.root_certificates.push(pem.as_ref().to_vec());
        self
    }

    /// Deadline of each attempt (default 10 s, R4).
    pub fn request_deadline(mut self, deadline: Duration) -> Self {
        self.request_deadline = deadline;
        self
    }

    /// Attempts per authorization when the answer is 5xx, 429 or a transport failure
    /// (default 5), and the wait between them (default 2 s).
    pub fn retries(mut self, attempts: u32, delay: Duration) -> Self {
        self.attempts = attempts.max(1);
        self.retry_delay = delay;
        self
    }

    /// The provider.
    pub fn build(self) -> Result<AuthorizeEndpoint, BuildError> {
        let url = match &self.endpoint {
            Some(url) => Url::parse(url).map_err(|e| BuildError::InvalidUrl(e.to_string()))?,
            None => authorize_endpoint(&self.ccp_url)?,
        };
        Ok(AuthorizeEndpoint {
            client: http_client(&self.root_certificates)?,
            url,
            cookie: self.cookie,
            clock: self
                .clock
                .unwrap_or_else(|| Arc::new(SystemClock::default())),
            request_deadline: self.request_deadline,
            attempts: self.attempts,
            retry_delay: self.retry_delay,
            cached: Mutex::new(None),
        })
    }
}

/// Tokens from `GET <origin>/auth/authorize` (`/connect/auth/authorize` on `*.awsapps.com`)
/// with a login session cookie. The answer `{accessToken, expiration}` gives the token; the
/// expiration may be ISO-8601, epoch ms or epoch s. 5xx, 429 and transport failures are
/// retried (5 attempts, 2 s apart); 401 means the login session is gone
/// ([`AuthError::SessionEnded`]), 403 is [`AuthError::Denied`]. `token()` answers from a
/// cache until the token expires; `refresh()` always asks.
///
/// ```no_run
/// use connect_core::auth::{AuthProvider, AuthorizeEndpoint};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let auth = AuthorizeEndpoint::builder("https://example.my.connect.aws")
///     .cookie("session=...")
///     .build()
///     .unwrap();
/// let token = auth.token().await.unwrap();
/// println!("expires at {:?}", token.expires_at);
/// # }
/// ```
pub struct AuthorizeEndpoint {
    client: reqwest::Client,
    url: Url,
    cookie: Option<Sensitive>,
    clock: Arc<dyn Clock>,
    request_deadline: Duration,
    attempts: u32,
    retry_delay: Duration,
    cached: Mutex<Option<AccessToken>>,
}

impl std::fmt::Debug for AuthorizeEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizeEndpoint")
            .field("url", &self.url.as_str())
            .field("cookie", &self.cookie.as_ref().map(|_| "[redacted]"))
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl AuthorizeEndpoint {
    /// A builder for the CCP at `ccp_url` (only its origin counts).
    pub fn builder(ccp_url: impl Into<String>) -> AuthorizeEndpointBuilder {
        AuthorizeEndpointBuilder {
            ccp_url: ccp_url.into(),
            endpoint: None,
            cookie: None,
            clock: None,
            root_certificates: Vec::new(),
            request_deadline: Duration::from_secs(10),
            attempts: 5,
            retry_delay: Duration::from_secs(2),
        }
    }

    /// The authorize URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Asks the endpoint for a token, with the retries above.
    pub async fn authorize(&self) -> Result<AccessToken, AuthError> {
        let mut attempt = 1;
        loop {
            let result = with_deadline(
                &*self.clock,
                self.request_deadline,
                "authorize",
                self.attempt(),
            )
            .await
            .map_err(|e| AuthError::from_cti(&e))
            .and_then(|r| r);
            match result {
                Err(error) if error.is_retryable() && attempt < self.attempts => {
                    tracing::debug!(attempt, error = %error, "authorize failed; retrying");
                    attempt += 1;
                    self.clock.sleep(self.retry_delay).await;
                }
                Ok(token) => {
                    *self.cached.lock().unwrap_or_else(PoisonError::into_inner) =
                        Some(token.clone());
                    return Ok(token);
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// One exchange; the outer `Result` carries transport failures for the deadline wrapper.
    async fn attempt(&self) -> Result<Result<AccessToken, AuthError>, CtiError> {
        let mut request = self
            .client
            .get(self.url.clone())
            .header(reqwest::header::ACCEPT, "application/json");
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(cookie) = &self.cookie {
            let mut value = reqwest::header::HeaderValue::from_str(cookie.expose())
                .map_err(|_| CtiError::InvalidRequest("the cookie is not a valid header".into()))?;
            value.set_sensitive(true);
            request = request.header(reqwest::header::COOKIE, value);
        }
        #[cfg(target_arch = "wasm32")]
        {
            request = request.fetch_credentials_include();
        }
        let response = request.send().await.map_err(|e| transport_error(&e))?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(|e| transport_error(&e))?;
        Ok(match status {
            200..=299 => parse_authorize(&body),
            401 => Err(AuthError::SessionEnded {
                message: "authorize answered 401: the login session is gone".into(),
            }),
            403 => Err(AuthError::Denied {
                message: "authorize answered 403".into(),
            }),
            _ => Err(AuthError::Service {
                status,
                message: format!("authorize answered HTTP {status}"),
            }),
        })
    }
}

/// Reads `{accessToken, expiration}`.
fn parse_authorize(body: &[u8]) -> Result<AccessToken, AuthError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|_| AuthError::InvalidResponse("authorize answer is not JSON".into()))?;
    let token = value
        .get("accessToken")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| AuthError::InvalidResponse("authorize answer has no accessToken".into()))?;
    let expiration = value.get("expiration").filter(|v| !v.is_null());
    let expires_at = expiration.and_then(parse_expiration);
    if expiration.is_some() && expires_at.is_none() {
        tracing::warn!("authorize answer has an unreadable expiration; treated as unknown");
    }
    Ok(AccessToken {
        value: Sensitive::new(token),
        expires_at,
    })
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait(?Send))]
impl AuthProvider for AuthorizeEndpoint {
    async fn token(&self) -> Result<AccessToken, AuthError> {
        let cached = self
            .cached
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        match cached {
            Some(token) if !token.is_expired(self.clock.now()) => Ok(token),
            _ => self.authorize().await,
        }
    }

    async fn refresh(&self) -> Result<AccessToken, AuthError> {
        self.authorize().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorize_answers() {
        let token = parse_authorize(br#"{"accessToken":"a","expiration":"2023-11-14T22:13:20Z"}"#)
            .expect("token");
        assert_eq!(
            token.expires_at.map(|t| t.as_millis()),
            Some(1_700_000_000_000)
        );
        let token =
            parse_authorize(br#"{"accessToken":"a","expiration":1700000000000}"#).expect("token");
        assert_eq!(
            token.expires_at.map(|t| t.as_millis()),
            Some(1_700_000_000_000)
        );
        let token = parse_authorize(br#"{"accessToken":"a","expiration":"later"}"#).expect("token");
        assert_eq!(token.expires_at, None);
        assert!(parse_authorize(br#"{"accessToken":""}"#).is_err());
        assert!(parse_authorize(b"<html>").is_err());
    }
}
