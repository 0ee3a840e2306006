//! SDP text handling: the offer munging of spec §9, and reading what an answer negotiated.
//!
//! Pure functions over SDP text; no parser state survives a call.

mod inspect;
mod lines;
mod munge;

pub use inspect::{audio_mid, ice_ufrag, negotiate, payload_map, strip_candidates, PayloadKind};
pub use munge::{munge_offer, MungeOptions};
