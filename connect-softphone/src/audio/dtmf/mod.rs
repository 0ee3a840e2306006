//! DTMF over RTP (RFC 4733 `telephone-event`): digits to packets and packets back to digits.

mod depacketizer;
mod event;
mod packetizer;

pub use depacketizer::DtmfDepacketizer;
pub use event::TelephoneEvent;
pub use packetizer::{dtmf_packets, dtmf_packets_with, DtmfPacket, DtmfTiming};
