//! # connect-core
//!
//! The agent side of Amazon Connect, natively in Rust: the CTI wire model and API, the agent and
//! contact model with ordered events, the agent session that drives them, logs with redaction,
//! and (behind the `mock` feature) a simulated Amazon Connect instance.
//!
//! ```
//! use connect_core::model::AgentSnapshot;
//!
//! let json = r#"{"state":{"agentStateARN":null,"type":"routable","name":"Available","startTimestamp":1646311432.223},
//!   "nextState":null,"agentAvailabilityState":{"state":"Available","timeStamp":1646311432.223},
//!   "contacts":[],"snapshotTimestamp":1646368813.952}"#;
//! let snapshot: AgentSnapshot = serde_json::from_str(json).unwrap();
//! assert_eq!(snapshot.state.name, "Available");
//! ```

pub mod api;
pub mod auth;
pub mod events;
#[cfg(feature = "http")]
pub mod http;
pub mod log;
pub mod metrics;
#[cfg(feature = "mock")]
pub mod mock;
pub mod model;
pub mod session;
pub mod task;
pub mod time;
pub mod ws;
