//! The media engine: one WebRTC peer per call carrying Opus (or PCMU) audio over DTLS-SRTP
//! through TURN, behind the object-safe [`MediaEngine`] / [`MediaPeer`] traits that call
//! control drives.
//!
//! - data: [`IceServer`], [`SessionDescription`], [`IceCandidate`], [`MediaStats`],
//!   [`MediaEvent`];
//! - machines told the time: [`GatheringRule`] (spec §8, R6), [`RestartPolicy`] (§5.5, R11),
//!   the SDP munging of §9 ([`sdp`]), RFC 4733, in-order decoding and RFC 3550 reception
//!   counts ([`rtp`]);
//! - the driver: [`WebRtcEngine`] on webrtc-rs (native targets); its receive path plays each
//!   remote track through the adaptive jitter buffer ([`crate::audio::JitterPlayout`]) on a
//!   20 ms playout clock.

mod codecs;
mod credentials;
mod engine;
mod error;
mod event;
mod gathering;
mod restart;
pub mod rtp;
pub mod sdp;
mod stats;
mod types;
#[cfg(not(target_arch = "wasm32"))]
mod webrtc;

pub use crate::audio::AudioCodec;
pub use codecs::{CodecFactory, DefaultCodecs};
pub use credentials::CredentialProvider;
pub use engine::{MediaEngine, MediaPeer, PeerConfig};
pub use error::MediaError;
pub use event::{IceState, MediaEvent, MediaEvents, EVENT_QUEUE};
pub use gathering::{GatherStep, GatheringRule};
pub use restart::{RestartAction, RestartPolicy};
pub use stats::MediaStats;
pub use types::{
    IceCandidate, IcePolicy, IceServer, IceTimings, NegotiatedCodecs, SessionDescription,
};
#[cfg(not(target_arch = "wasm32"))]
pub use webrtc::{rtc_configuration, rtc_settings, DriverRuntime, WebRtcEngine};
