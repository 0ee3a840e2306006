//! Events: the snapshot diff that yields them, and their ordered delivery to subscribers.
//!
//! The diff is a pure function ([`diff`]); the session feeds it every snapshot and publishes
//! the batch it returns.

mod diff;
mod health;
mod types;

pub use diff::{diff, transition_events, DiffState};
pub use health::{AuthState, HealthEvent, Liveness};
pub use types::{AgentEvent, ContactEvent, ContactEventKind};

#[cfg(test)]
mod tests;
