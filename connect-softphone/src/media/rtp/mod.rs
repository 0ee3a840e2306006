//! The audio side of RTP: DTMF events (RFC 4733) and in-order decoding with concealment.
//! Pure state machines, fed packet by packet and tick by tick.

mod dtmf;
mod playout;

pub use dtmf::{DtmfPacket, DtmfReceiver, DtmfSender, DTMF_VOLUME};
pub use playout::InOrderPlayout;
