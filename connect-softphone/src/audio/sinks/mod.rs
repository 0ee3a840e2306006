//! Ready-made [`AudioSink`](crate::audio::AudioSink)s: memory, WAV file, null, and a channel to
//! the application.

mod memory;
mod null;
mod wav;

pub use memory::MemorySink;
pub use null::NullSink;
pub use wav::WavFileSink;
