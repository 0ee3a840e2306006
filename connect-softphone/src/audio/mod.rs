//! Audio: 20 ms frames of 48 kHz mono `i16`, the sources that produce them and the sinks that
//! consume them, and the codecs that carry them over RTP.
//!
//! Every endpoint exchanges [`AudioFrame`]s. Sources are pulled by the encoder clock; sinks are
//! pushed by the jitter-buffer playout clock.

mod codec;
mod error;
mod frame;
mod io;

pub use codec::{AudioDecoder, AudioEncoder};
pub use error::AudioError;
pub use frame::{AudioFrame, FRAME_DURATION_MS, FRAME_SAMPLES, SAMPLE_RATE};
pub use io::{AudioSink, AudioSource, SourceInfo};
