//! The audio side of RTP: DTMF events (RFC 4733), in-order decoding with concealment and the
//! RFC 3550 reception counts. Pure state machines, fed packet by packet and tick by tick.

mod dtmf;
mod playout;
mod reception;

pub use dtmf::{DtmfPacket, DtmfReceiver, DtmfSender, DTMF_VOLUME};
pub use playout::InOrderPlayout;
pub use reception::ReceptionStats;
