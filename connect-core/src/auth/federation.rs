//! [`FederationToken`]: an access token with a refresh token, as Connect's
//! `GetFederationToken` returns them.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use async_trait::async_trait;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::{parse_expiration, AccessToken, AuthError, AuthProvider};
use crate::api::{CtiApi, GetNewAuthTokenRequest};
use crate::model::{Sensitive, Timestamp};
use crate::time::{Clock, SystemClock};

/// The `Credentials` of a `GetFederationToken` answer. Expirations are accepted as epoch
/// seconds, epoch milliseconds or ISO-8601 text. `Debug` hides both tokens.
///
/// ```
/// use connect_core::auth::FederationCredentials;
///
/// let creds = FederationCredentials::from_json(br#"{"Credentials": {
///     "AccessToken": "acc", "AccessTokenExpiration": 1700000000,
///     "RefreshToken": "ref", "RefreshTokenExpiration": "2023-11-15T22:13:20Z"}}"#).unwrap();
/// assert_eq!(creds.access_token.expose(), "acc");
/// assert_eq!(creds.access_token_expiration.unwrap().as_millis(), 1_700_000_000_000);
/// assert!(!format!("{creds:?}").contains("ref\""));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FederationCredentials {
    /// The agent access token.
    pub access_token: Sensitive,
    /// When the access token expires.
    #[serde(default, deserialize_with = "expiration")]
    pub access_token_expiration: Option<Timestamp>,
    /// The token that gets a new access token.
    pub refresh_token: Sensitive,
    /// When the refresh token expires.
    #[serde(default, deserialize_with = "expiration")]
    pub refresh_token_expiration: Option<Timestamp>,
}

fn expiration<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
    let value = Value::deserialize(d)?;
    if value.is_null() {
        return Ok(None);
    }
    parse_expiration(&value)
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom("unreadable expiration"))
}

impl FederationCredentials {
    /// Reads a `GetFederationToken` answer, or its `Credentials` object alone. Parse errors
    /// never quote the input.
    ///
    /// ```
    /// # use connect_core::auth::FederationCredentials;
    /// assert!(FederationCredentials::from_json(br#"{"AccessToken":"a","RefreshToken":"r"}"#).is_ok());
    /// let err = FederationCredentials::from_json(br#"{"AccessToken":"secret"}"#).unwrap_err();
    /// assert!(!err.to_string().contains("secret"));
    /// ```
    pub fn from_json(body: &[u8]) -> Result<Self, AuthError> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|_| AuthError::InvalidResponse("federation token is not JSON".into()))?;
        let creds = match value {
            Value::Object(mut obj) if obj.contains_key("Credentials") => {
                obj.remove("Credentials").unwrap_or_default()
            }
            other => other,
        };
        serde_json::from_value(creds).map_err(|e| {
            // serde quotes offending string values, which may be tokens: keep only unquoted
            // messages (`missing field ...`).
            let message = e.to_string();
            AuthError::InvalidResponse(if message.contains('"') {
                "federation credentials have a member of the wrong type".into()
            } else {
                format!("federation credentials: {message}")
            })
        })
    }

    fn access(&self) -> AccessToken {
        AccessToken {
            value: self.access_token.clone(),
            expires_at: self.access_token_expiration,
        }
    }
}

/// What a caller-supplied refresher returns.
#[cfg(not(target_arch = "wasm32"))]
pub type FederationRefreshFuture =
    futures::future::BoxFuture<'static, Result<FederationCredentials, AuthError>>;
/// What a caller-supplied refresher returns.
#[cfg(target_arch = "wasm32")]
pub type FederationRefreshFuture =
    futures::future::LocalBoxFuture<'static, Result<FederationCredentials, AuthError>>;

type Refresher = dyn Fn(Sensitive) -> FederationRefreshFuture + Send + Sync;

/// An access token plus refresh token. `token()` returns the current access token;
/// `refresh()` exchanges the refresh token, through a caller-supplied async refresher (e.g. a
/// backend calling `GetFederationToken` again) or, once [`FederationToken::refresh_via_cti`]
/// is set, through CTI `getNewAuthToken{refreshToken}`. An expired refresh token is
/// [`AuthError::SessionEnded`].
///
/// ```
/// use std::sync::Arc;
/// use connect_core::auth::{AuthProvider, FederationCredentials, FederationToken};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let creds = FederationCredentials::from_json(br#"{"AccessToken":"a1","RefreshToken":"r"}"#).unwrap();
/// let provider = FederationToken::with_refresher(creds, |refresh_token| {
///     Box::pin(async move {
///         assert_eq!(refresh_token.expose(), "r");
///         FederationCredentials::from_json(br#"{"AccessToken":"a2","RefreshToken":"r2"}"#)
///     })
/// });
/// assert_eq!(provider.refresh().await.unwrap().value.expose(), "a2");
/// assert_eq!(provider.token().await.unwrap().value.expose(), "a2");
/// # }
/// ```
pub struct FederationToken {
    credentials: Mutex<FederationCredentials>,
    refresher: Option<Arc<Refresher>>,
    cti: Mutex<Option<Weak<dyn CtiApi>>>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for FederationToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let creds = self.creds();
        f.debug_struct("FederationToken")
            .field("access_token_expiration", &creds.access_token_expiration)
            .field("refresh_token_expiration", &creds.refresh_token_expiration)
            .field("refresher", &self.refresher.is_some())
            .finish_non_exhaustive()
    }
}

impl FederationToken {
    /// Credentials without a refresher (until [`FederationToken::refresh_via_cti`]).
    ///
    /// ```
    /// # use connect_core::auth::{FederationCredentials, FederationToken};
    /// let creds = FederationCredentials::from_json(br#"{"AccessToken":"a","RefreshToken":"r"}"#).unwrap();
    /// let provider = FederationToken::new(creds);
    /// # let _ = provider;
    /// ```
    pub fn new(credentials: FederationCredentials) -> Self {
        Self {
            credentials: Mutex::new(credentials),
            refresher: None,
            cti: Mutex::new(None),
            clock: Arc::new(SystemClock::default()),
        }
    }

    /// Credentials refreshed by `refresher`, given the current refresh token.
    pub fn with_refresher<F>(credentials: FederationCredentials, refresher: F) -> Self
    where
        F: Fn(Sensitive) -> FederationRefreshFuture + Send + Sync + 'static,
    {
        Self {
            refresher: Some(Arc::new(refresher)),
            ..Self::new(credentials)
        }
    }

    /// The clock that decides whether the refresh token has expired (default: system).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_core::{auth::*, model::Timestamp, time::ManualClock};
    /// # let creds = FederationCredentials::from_json(br#"{"AccessToken":"a","RefreshToken":"r"}"#).unwrap();
    /// let provider = FederationToken::new(creds).with_clock(Arc::new(ManualClock::new(Timestamp::from_millis(0))));
    /// # let _ = provider;
    /// ```
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Refreshes through CTI `getNewAuthToken` on `api` (used when no refresher closure was
    /// given). Only a weak reference is kept, so `api` may itself use this provider.
    ///
    /// ```no_run
    /// # use std::sync::Arc;
    /// # use connect_core::{api::CtiApi, auth::*, http::HttpCti};
    /// # let creds = FederationCredentials::from_json(br#"{"AccessToken":"a","RefreshToken":"r"}"#).unwrap();
    /// let provider = Arc::new(FederationToken::new(creds));
    /// let cti: Arc<dyn CtiApi> = Arc::new(
    ///     HttpCti::builder("https://example.my.connect.aws").auth(provider.clone()).build().unwrap());
    /// provider.refresh_via_cti(&cti);
    /// ```
    pub fn refresh_via_cti(&self, api: &Arc<dyn CtiApi>) {
        *self.cti.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::downgrade(api));
    }

    /// The current credentials.
    ///
    /// ```
    /// # use connect_core::auth::{FederationCredentials, FederationToken};
    /// # let creds = FederationCredentials::from_json(br#"{"AccessToken":"a","RefreshToken":"r"}"#).unwrap();
    /// assert_eq!(FederationToken::new(creds).credentials().refresh_token.expose(), "r");
    /// ```
    pub fn credentials(&self) -> FederationCredentials {
        self.creds().clone()
    }

    fn creds(&self) -> MutexGuard<'_, FederationCredentials> {
        self.credentials
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    async fn exchange(&self, refresh_token: Sensitive) -> Result<FederationCredentials, AuthError> {
        if let Some(refresher) = &self.refresher {
            return refresher(refresh_token).await;
        }
        let api = self
            .cti
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .and_then(Weak::upgrade)
            .ok_or(AuthError::RefreshUnsupported)?;
        let answer = api
            .get_new_auth_token(GetNewAuthTokenRequest {
                refresh_token: refresh_token.clone(),
            })
            .await
            .map_err(|e| AuthError::from_cti(&e))?;
        let access_token = answer.new_auth_token.ok_or_else(|| {
            AuthError::InvalidResponse("getNewAuthToken answered without newAuthToken".into())
        })?;
        let current = self.credentials();
        Ok(FederationCredentials {
            access_token,
            access_token_expiration: answer.expiration_date_time,
            ..current
        })
    }
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait(?Send))]
impl AuthProvider for FederationToken {
    async fn token(&self) -> Result<AccessToken, AuthError> {
        Ok(self.creds().access())
    }

    async fn refresh(&self) -> Result<AccessToken, AuthError> {
        let (refresh_token, refresh_expiry) = {
            let creds = self.creds();
            (creds.refresh_token.clone(), creds.refresh_token_expiration)
        };
        if refresh_expiry.is_some_and(|at| self.clock.now() >= at) {
            return Err(AuthError::SessionEnded {
                message: "the refresh token has expired".into(),
            });
        }
        let fresh = self.exchange(refresh_token).await?;
        let token = fresh.access();
        *self.creds() = fresh;
        tracing::info!(expires_at = ?token.expires_at, "federation token refreshed");
        Ok(token)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::api::{CtiError, GetNewAuthTokenResponse};
    use crate::time::ManualClock;

    fn creds(refresh_expiry: Option<i64>) -> FederationCredentials {
        FederationCredentials {
            access_token: "a1".into(),
            access_token_expiration: Some(Timestamp::from_millis(1_000)),
            refresh_token: "r1".into(),
            refresh_token_expiration: refresh_expiry.map(Timestamp::from_millis),
        }
    }

    #[derive(Debug)]
    struct Exchanger;

    #[async_trait]
    impl CtiApi for Exchanger {
        async fn get_new_auth_token(
            &self,
            req: GetNewAuthTokenRequest,
        ) -> Result<GetNewAuthTokenResponse, CtiError> {
            if req.refresh_token.expose() != "r1" {
                return Err(CtiError::from_wire(401, b"", None));
            }
            Ok(GetNewAuthTokenResponse {
                new_auth_token: Some("a2".into()),
                expiration_date_time: Some(Timestamp::from_millis(9_000)),
                ..Default::default()
            })
        }
    }

    #[tokio::test]
    async fn refreshes_through_get_new_auth_token() {
        let provider = FederationToken::new(creds(None));
        assert_eq!(provider.refresh().await, Err(AuthError::RefreshUnsupported));
        let api: Arc<dyn CtiApi> = Arc::new(Exchanger);
        provider.refresh_via_cti(&api);
        let token = provider.refresh().await.expect("refreshed");
        assert_eq!(token.value.expose(), "a2");
        assert_eq!(token.expires_at, Some(Timestamp::from_millis(9_000)));
        assert_eq!(provider.credentials().refresh_token.expose(), "r1");
        drop(api);
        assert_eq!(provider.refresh().await, Err(AuthError::RefreshUnsupported));
    }

    #[tokio::test]
    async fn expired_refresh_token_ends_the_session() {
        let clock = Arc::new(ManualClock::new(Timestamp::from_millis(5_000)));
        let provider = FederationToken::with_refresher(creds(Some(5_000)), |_| {
            Box::pin(async { Err(AuthError::RefreshUnsupported) })
        })
        .with_clock(clock);
        assert!(matches!(
            provider.refresh().await,
            Err(AuthError::SessionEnded { .. })
        ));
        assert_eq!(
            provider.token().await.expect("current").value.expose(),
            "a1"
        );
    }
}
