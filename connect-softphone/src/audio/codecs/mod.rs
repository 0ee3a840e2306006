//! The codecs that carry frames over RTP: Opus through libopus (native targets) and PCMU
//! (G.711 µ-law), and the lookup of a codec by its SDP name.

mod mulaw;
#[cfg(not(target_arch = "wasm32"))]
mod opus;
mod opus_config;
mod opus_packet;
mod pcmu;
mod select;

#[cfg(not(target_arch = "wasm32"))]
pub use opus::{OpusDecoder, OpusEncoder, OPUS_CLOCK_RATE};
pub use opus_config::{OpusConfig, OPUS_MAX_COMPLEXITY};
pub use opus_packet::has_fec as opus_packet_has_fec;
pub use pcmu::{PcmuDecoder, PcmuEncoder, PCMU_CLOCK_RATE, PCMU_FRAME_SAMPLES};
pub use select::{codec_for, AudioCodec};
