//! Session health: authentication and liveness, kept apart (R7), and loop failures.

use crate::model::Timestamp;
use crate::ws::ResumeCause;

/// Health of a session, reported as [`AgentEvent::Health`](super::AgentEvent::Health).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum HealthEvent {
    /// The authentication state changed.
    Auth(AuthState),
    /// Reachability of the CCP changed.
    Liveness(Liveness),
    /// Something happened to the session's connections (WebSocket, stale-connection resume).
    Transport(TransportEvent),
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

/// What happened to a session's connections, apart from authentication (R5, R7).
///
/// ```
/// use connect_core::events::TransportEvent;
/// use connect_core::ws::ResumeCause;
///
/// let event = TransportEvent::Resumed { cause: ResumeCause::ClockJump };
/// assert!(matches!(event, TransportEvent::Resumed { .. }));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportEvent {
    /// A stale connection was found and rebuilt: the long poll was re-issued at once and the
    /// WebSocket rebuilt on a fresh URL. Media layers rebuild their peer connections.
    Resumed {
        /// What found it stale.
        cause: ResumeCause,
    },
    /// The session's WebSocket opened (the first time, or again after a loss).
    WebSocketGained,
    /// The server confirmed these WebSocket topic subscriptions (after every (re)connect).
    Subscribed {
        /// The topics now subscribed.
        topics: Vec<String>,
    },
    /// The session's WebSocket went away; the manager reconnects with backoff.
    WebSocketLost {
        /// Why.
        reason: String,
    },
}
