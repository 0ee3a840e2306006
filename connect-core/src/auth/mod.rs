//! Agent authentication (spec §4.3, R7): where tokens come from ([`AuthProvider`]:
//! [`StaticToken`], [`FederationToken`], and with the `http` feature [`AuthorizeEndpoint`]),
//! and their lifecycle ([`AuthMachine`], sans-IO, driven by [`AuthManager`]): proactive
//! refresh 30 minutes before expiry, single-flight reactive refresh, and typed
//! [`AuthState`](crate::events::AuthState)s kept apart from transport liveness.
//!
//! ```
//! use std::sync::Arc;
//! use connect_core::auth::{AuthManager, AuthProvider, StaticToken};
//! use connect_core::time::SystemClock;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let auth = AuthManager::new(Arc::new(StaticToken::new("agent-token")), Arc::new(SystemClock::default()));
//! assert_eq!(auth.token().await.unwrap().value.expose(), "agent-token");
//! # }
//! ```

#[cfg(feature = "http")]
mod authorize;
mod expiration;
mod federation;
mod machine;
mod manager;
mod provider;
mod token;

#[cfg(feature = "http")]
pub use authorize::{AuthorizeEndpoint, AuthorizeEndpointBuilder};
pub use expiration::parse_expiration;
pub use federation::{FederationCredentials, FederationRefreshFuture, FederationToken};
pub use machine::{AuthAction, AuthConfig, AuthMachine};
pub use manager::AuthManager;
pub use provider::{AuthProvider, StaticToken};
pub use token::{AccessToken, AuthError};

#[cfg(all(test, not(target_arch = "wasm32")))]
mod manager_tests;
