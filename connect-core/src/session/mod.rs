//! The agent session: long poll, configuration refresh, ordered events, and the user's actions
//! on the agent and its contacts.

mod agent;
mod auth_budget;
mod auth_watch;
mod clock_watch;
mod configuration;
mod contact;
pub(crate) mod deadline;
mod handle;
mod liveness;
mod outbound;
mod poll;
mod resume;
mod settings;
mod shared;
mod subscribers;
#[cfg(feature = "ws")]
mod websocket_watch;

pub use agent::Agent;
pub use auth_budget::{AuthBudget, DEFAULT_ACCESS_DENIED_BUDGET, DEFAULT_UNAUTHORIZED_BUDGET};
pub use contact::ContactHandle;
pub use handle::{AgentSession, AgentSessionBuilder};
pub use outbound::{find_outbound_contact, OutboundContact};
pub use settings::SessionSettings;
