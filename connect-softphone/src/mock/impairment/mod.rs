//! Network impairment for the simulated media path: a loopback UDP relay placed in front of
//! the embedded TURN server that drops and delays the datagrams carrying media, netem-style.
//!
//! - [`classify`]: which TURN datagrams carry media (ChannelData, Send and Data indications)
//!   and which are control transactions (left untouched, as are relayed DTLS records:
//!   [`relays_dtls`]);
//! - [`Impairer`]: the seeded, sans-IO decision of each media datagram's fate;
//! - [`ImpairmentRelay`]: the driver, one upstream socket per client, a delay line per
//!   direction;
//! - [`ImpairmentStats`]: what the relay did, per direction.
//!
//! The relay is usually started by the media service
//! (`SimMediaService::builder().impairment(..)`), which then hands the agent the relay's
//! address instead of the TURN server's.

mod classify;
mod config;
mod delay_line;
mod impairer;
mod relay;
mod stats;

pub use classify::{classify, relays_dtls, stun_message_type, DatagramKind};
pub use config::{Impairment, ImpairmentError};
pub use impairer::{Fate, Impairer};
pub use relay::ImpairmentRelay;
pub use stats::{DirectionStats, ImpairmentStats};
