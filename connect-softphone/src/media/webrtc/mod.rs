//! The media engine on webrtc-rs 0.21: the peer connection driver (async, tokio), with the
//! SDP, gathering and restart rules taken from the sans-IO parts of this module.

mod core;
mod engine;
mod far_end;
mod handler;
mod pacing;
mod peer;
mod receive;
mod runtime;
mod send;
mod setup;
mod shared;
mod stats;
mod supervisor;

pub use engine::WebRtcEngine;
pub use runtime::DriverRuntime;
pub use setup::{configuration as rtc_configuration, settings as rtc_settings};
