//! The audio side of RTP: DTMF events (RFC 4733) and the RFC 3550 reception counts. Pure state
//! machines, fed packet by packet. Decoding and playout are the jitter buffer's
//! ([`crate::audio::JitterPlayout`]).

mod dtmf;
mod reception;

pub use dtmf::{DtmfPacket, DtmfReceiver, DtmfSender, DTMF_VOLUME};
pub use reception::ReceptionStats;
