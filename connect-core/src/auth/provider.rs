//! [`AuthProvider`], the source of agent tokens, and the simplest one, [`StaticToken`].

use std::fmt::Debug;

use async_trait::async_trait;

use super::{AccessToken, AuthError};
use crate::model::{Sensitive, Timestamp};

/// Where a transport gets the agent token it sends (`X-Amz-Bearer`, `authentication`).
///
/// Object safe; share it as `Arc<dyn AuthProvider>`. `token()` is called before every request
/// and should be cheap (return a cached token); `refresh()` is called when the current token
/// was rejected (401) or is about to expire, and must return a new one or say why not.
/// Wrap a provider in an [`AuthManager`](super::AuthManager) for proactive refresh,
/// single-flight and typed states.
///
/// ```
/// use connect_core::auth::{AccessToken, AuthError, AuthProvider};
///
/// #[derive(Debug)]
/// struct FromEnv;
///
/// #[async_trait::async_trait]
/// impl AuthProvider for FromEnv {
///     async fn token(&self) -> Result<AccessToken, AuthError> {
///         Ok(AccessToken::new(std::env::var("CCP_TOKEN").unwrap_or_default()))
///     }
///     async fn refresh(&self) -> Result<AccessToken, AuthError> {
///         Err(AuthError::RefreshUnsupported)
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let provider: std::sync::Arc<dyn AuthProvider> = std::sync::Arc::new(FromEnv);
/// assert!(provider.refresh().await.is_err());
/// # }
/// ```
#[cfg_attr(not(target_arch = "wasm32"), async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait(?Send))]
pub trait AuthProvider: Debug + Send + Sync {
    /// The token to send now.
    async fn token(&self) -> Result<AccessToken, AuthError>;

    /// A new token, replacing the current one.
    async fn refresh(&self) -> Result<AccessToken, AuthError>;
}

/// A fixed token supplied by the caller; it cannot be refreshed.
///
/// ```
/// use connect_core::auth::{AuthError, AuthProvider, StaticToken};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let provider = StaticToken::new("agent-token");
/// assert_eq!(provider.token().await.unwrap().value.expose(), "agent-token");
/// assert_eq!(provider.refresh().await, Err(AuthError::RefreshUnsupported));
/// assert!(!format!("{provider:?}").contains("agent-token"));
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct StaticToken {
    token: AccessToken,
}

impl StaticToken {
    /// A token without a known expiry.
    pub fn new(token: impl Into<Sensitive>) -> Self {
        Self {
            token: AccessToken::new(token),
        }
    }

    /// A token with a known expiry (so that an [`AuthManager`](super::AuthManager) reports
    /// `Expired` in time).
    ///
    /// ```
    /// # use connect_core::{auth::StaticToken, model::Timestamp};
    /// let provider = StaticToken::expiring("t", Timestamp::from_millis(1_000));
    /// # let _ = provider;
    /// ```
    pub fn expiring(token: impl Into<Sensitive>, expires_at: Timestamp) -> Self {
        Self {
            token: AccessToken::new(token).expiring_at(expires_at),
        }
    }
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait(?Send))]
impl AuthProvider for StaticToken {
    async fn token(&self) -> Result<AccessToken, AuthError> {
        Ok(self.token.clone())
    }

    async fn refresh(&self) -> Result<AccessToken, AuthError> {
        Err(AuthError::RefreshUnsupported)
    }
}
