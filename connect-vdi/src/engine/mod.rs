//! The endpoint media engine: a WebSocket server on the agent's machine that speaks
//! `connect-vdi/1` and runs each call's media (webrtc-rs, Opus, the softphone's audio
//! sources and sinks) on its own devices. The `connect-media-engine` binary runs it.

mod connection;
mod controls;
mod devices;
#[cfg(feature = "devices")]
mod live;
mod peer;
mod server;
mod session;
mod stats;

pub use devices::{DeviceSet, InputSpec};
pub use server::{EndpointEngine, EngineConfig, EngineStats};
pub use stats::w3c_reports;
