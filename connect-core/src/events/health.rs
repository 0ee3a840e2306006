//! Session health: authentication and liveness, kept apart (R7), and loop failures.

use crate::model::Timestamp;

/// Health of a session, reported as [`AgentEvent::Health`](super::AgentEvent::Health).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum HealthEvent {
    /// The authentication state changed.
    Auth(AuthState),
    /// Reachability of the CCP changed.
    Liveness(Liveness),
    /// A background loop failed once; it backs off and goes on.
    LoopError {
        /// Which loop (`snapshot`, `configuration`, ...).
        task: &'static str,
        /// What failed (never contains secrets).
        message: String,
    },
    /// A callback subscriber panicked and was removed; the session goes on.
    SubscriberPanicked {
        /// The panic message.
        message: String,
    },
}

/// Authentication state of a session.
///
/// ```
/// use connect_core::events::AuthState;
/// assert!(AuthState::Valid { expires_at: None }.is_usable());
/// assert!(!AuthState::Expired.is_usable());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthState {
    /// The token works.
    Valid {
        /// When it expires, if known.
        expires_at: Option<Timestamp>,
    },
    /// A refresh is in flight.
    Refreshing,
    /// 401 past the budget: loops pause until the provider yields a token.
    Expired,
    /// 403 past the budget.
    Denied,
}

impl AuthState {
    /// Whether requests may be sent.
    pub fn is_usable(&self) -> bool {
        matches!(self, Self::Valid { .. } | Self::Refreshing)
    }
}

/// Whether the CCP answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Liveness {
    /// Requests succeed.
    Connected,
    /// Requests fail; the session retries.
    Degraded {
        /// Since when.
        since: Timestamp,
        /// Last failure.
        cause: String,
    },
    /// Nothing answers.
    Disconnected {
        /// Since when.
        since: Timestamp,
    },
}
