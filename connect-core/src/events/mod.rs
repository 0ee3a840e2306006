//! Events: the snapshot diff that yields them, and their ordered delivery to subscribers.
//!
//! The diff is a pure function ([`diff`]); the session feeds it every snapshot and publishes
//! the batch it returns on an [`EventBus`]; each subscriber reads its own [`Events`].

mod bus;
mod diff;
mod health;
mod stream;
mod types;
mod validator;

pub use bus::{EventBus, DEFAULT_SUBSCRIBER_QUEUE};
pub use diff::{diff, transition_events, DiffState};
pub use health::{AuthState, HealthEvent, Liveness, TransportEvent};
pub use stream::{ContactEvents, Events};
pub use types::{AgentEvent, ContactEvent, ContactEventKind};
pub use validator::{LifecycleValidator, OrderViolation};

#[cfg(test)]
mod tests;
