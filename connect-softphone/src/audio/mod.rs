//! Audio: 20 ms frames of 48 kHz mono `i16`, the sources that produce them and the sinks that
//! consume them, the codecs that carry them over RTP, the jitter buffer that plays them out,
//! RFC 4733 DTMF, and the signal measurements tests use (tone detection, recording comparison).
//!
//! Every endpoint exchanges [`AudioFrame`]s. Sources are pulled by the encoder clock; sinks are
//! pushed by the jitter-buffer playout clock.

mod channel;
mod codec;
mod codecs;
#[cfg(all(feature = "devices", not(target_arch = "wasm32")))]
pub mod devices;
mod dsp;
mod dtmf;
mod error;
mod frame;
mod io;
mod jitter;
mod sinks;
mod sources;

pub use channel::{channel_sink, channel_source, ChannelSink, ChannelSource};
pub use codec::{AudioDecoder, AudioEncoder};
pub use codecs::*;
pub use dsp::*;
pub use dtmf::*;
pub use error::AudioError;
pub use frame::{AudioFrame, FRAME_DURATION_MS, FRAME_SAMPLES, SAMPLE_RATE};
pub use io::{AudioSink, AudioSource, SourceInfo};
pub use jitter::*;
pub use sinks::*;
pub use sources::*;
