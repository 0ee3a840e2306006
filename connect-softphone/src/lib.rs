//! # connect-softphone
//!
//! The Amazon Connect softphone, natively in Rust: Connect's softphone signaling, call sessions,
//! WebRTC audio (Opus over DTLS-SRTP through TURN), the jitter buffer and audio I/O.
//!
//! ## Live audio devices (feature `devices`)
//!
//! Files, tones and silence are always available as audio sources and sinks. With the `devices`
//! feature, `audio::devices` adds the machine's microphones and speakers through cpal: list
//! them with `list_input_devices()` / `list_output_devices()`, capture with `DeviceSource::open`
//! and play with `DeviceSink::open` (an id from the list, or `None` for the default device).
//! Capture is downmixed to mono and resampled to 48 kHz; playout is resampled to the device's
//! rate and copied to each of its channels. The device callbacks never wait: overflow and
//! underflow are counted. A device is closed when its source or sink is dropped, so a softphone
//! holds the microphone only during calls. On Linux the feature links ALSA (Debian
//! `libasound2-dev`); a machine without a sound card lists no devices and opening the default
//! one fails with [`audio::AudioError::DeviceUnavailable`].
//!
//! ## Signed requests to Amazon OpenSearch (feature `sigv4`)
//!
//! The Elasticsearch/OpenSearch stats sink authenticates with basic auth, an API key or a
//! bearer token; with the `sigv4` feature also with IAM credentials
//! (`sinks::SinkAuth::SigV4(SigV4Credentials::new(key_id, secret, region, "es" | "aoss"))`),
//! signing every `_bulk` request with AWS Signature Version 4.

pub mod audio;
mod error;
#[cfg(not(target_arch = "wasm32"))]
pub mod manager;
pub mod media;
#[cfg(feature = "mock")]
pub mod mock;
pub mod session;
pub mod signaling;
pub mod sinks;
pub mod stats;

pub use error::SoftphoneError;
