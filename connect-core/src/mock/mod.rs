//! A simulated Amazon Connect instance (feature `mock`), deterministic and in-process.
//!
//! - [`SimEngine`]: the sans-IO routing machine — agents, routing profiles, queues (with each
//!   agent's personal queue), routing by priority then age, the contact lifecycles of spec
//!   §9.2 — told the time by its caller.
//! - [`SimInstance`]: a cheap-to-clone handle running the engine against a
//!   [`Clock`](crate::time::Clock), with fault injection and customer controls.
//! - [`SimClient`]: one agent's [`CtiApi`](crate::api::CtiApi) over the instance.
//! - `SimServer` (native only): the instance as an HTTP + WebSocket server on loopback,
//!   speaking the CCP wire protocol, with a `TopicHandler` extension point for WebSocket
//!   topics.
//!
//! Ids derive from a seed; the [`Journal`] records every state change.
//!
//! ```
//! use std::sync::Arc;
//! use connect_core::api::{AcceptContactRequest, CtiApi, GetAgentSnapshotRequest};
//! use connect_core::mock::{ContactSpec, SimInstance};
//! use connect_core::model::{ContactStateType, Timestamp};
//! use connect_core::time::ManualClock;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let clock = Arc::new(ManualClock::new(Timestamp::from_millis(1_700_000_000_000)));
//! let sim = SimInstance::builder().seed(7).agents(1).clock(clock.clone()).build().unwrap();
//! let agent = sim.client("agent1").unwrap();
//! let contact = sim.control().enqueue(ContactSpec::voice("+15555550123")).unwrap();
//! agent.accept_contact(AcceptContactRequest::new(&contact)).await.unwrap();
//! clock.advance(std::time::Duration::from_millis(200));
//! let snap = agent.get_agent_snapshot(GetAgentSnapshotRequest::default()).await.unwrap().snapshot;
//! assert_eq!(snap.contacts[0].state.kind, ContactStateType::Connected);
//! # }
//! ```

mod auth;
mod builder;
mod client;
mod config;
mod control;
mod engine;
mod faults;
mod ids;
mod instance;
mod journal;
mod long_poll;
mod script;
#[cfg(not(target_arch = "wasm32"))]
mod server;
mod transport;
mod turn;

pub use auth::{SimToken, TICKET_VALIDITY_MS};
pub use builder::SimInstanceBuilder;
pub use client::SimClient;
pub use config::{
    AgentSpec, QueueEntry, QueueSpec, RoutingProfileSpec, SimSettings, StateSpec, DEFAULT_PROFILE,
    DEFAULT_QUEUE,
};
pub use control::SimControl;
pub use engine::{Page, SimConfigError, SimEngine, SimSpec};
pub use faults::{Reachability, SimFaults};
pub use ids::{base64_std, base64_url, base64_url_decode, IdGen};
pub use instance::SimInstance;
pub use journal::{Journal, JournalEntry, JournalEvent};
pub use long_poll::{next_token, token_version, DEFAULT_LONG_POLL_TIMEOUT_MS};
pub use script::{AnswerScript, ArrivalScript, ContactSpec, Counters, SimChannel};
#[cfg(not(target_arch = "wasm32"))]
pub use server::{
    SimServer, SimServerBuilder, SimServerError, TopicHandler, WsPeer, DEFAULT_MAX_BODY_BYTES,
    DEFAULT_READ_TIMEOUT,
};
pub use turn::{turn_credential, TurnConfig};

#[cfg(test)]
mod tests;
