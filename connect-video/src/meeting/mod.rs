//! Meetings (the Chime SDK shape): join data from any of its sources, the signalling client and
//! the media (Opus audio, VP8 video, content share), and the session that joins them.

pub mod join;
#[cfg(not(target_arch = "wasm32"))]
pub mod media;
#[cfg(not(target_arch = "wasm32"))]
pub mod session;
pub mod signal;
