//! # connect-softphone
//!
//! The Amazon Connect softphone, natively in Rust: Connect's softphone signaling, call sessions,
//! WebRTC audio (Opus over DTLS-SRTP through TURN), the jitter buffer and audio I/O.

pub mod audio;
pub mod media;
pub mod session;
pub mod signaling;
