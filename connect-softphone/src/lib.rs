//! # connect-softphone
//!
//! The Amazon Connect softphone, natively in Rust: Connect's softphone signaling, call sessions,
//! WebRTC audio (Opus over DTLS-SRTP through TURN), the jitter buffer and audio I/O.

pub mod audio;
mod error;
#[cfg(not(target_arch = "wasm32"))]
pub mod manager;
pub mod media;
#[cfg(feature = "mock")]
pub mod mock;
pub mod session;
pub mod signaling;
pub mod sinks;
pub mod stats;

pub use error::SoftphoneError;
