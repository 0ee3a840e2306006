//! Ready-made [`AudioSource`](crate::audio::AudioSource)s: tones, silence, speech-like signal,
//! WAV files.

mod limit;
mod silence;
mod speech;
mod tone;
mod wav;

pub use silence::SilenceSource;
pub use speech::SpeechLikeSource;
pub use tone::ToneSource;
pub use wav::WavFileSource;
