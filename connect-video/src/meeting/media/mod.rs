//! Meeting media over webrtc-rs: Opus audio, VP8 video and content share.
//!
//! - [`MeetingPeer`]: one attendee's peer (audio both ways, the camera off until
//!   [`MeetingPeer::start_local_video`], receive slots for remote video), or a content-share
//!   peer (send-only video). The signalling hands its offers to `SUBSCRIBE` and the
//!   `SUBSCRIBE_ACK`'s answer and `(mid, stream_id)` track mapping back.
//! - [`video`]: IVF files, the shipped test pattern, the receive-side VP8 frame assembler and,
//!   with the `vpx` feature, libvpx encoding and decoding.
//!
//! Audio reuses the softphone's pieces: [`AudioSource`](connect_softphone::audio::AudioSource)
//! and [`AudioSink`](connect_softphone::audio::AudioSink), libopus and the in-order playout.
//!
//! The SDP layout, which the simulated SFU mirrors: m-section 0 is the audio (`sendrecv`,
//! attendees only), then the local video (`sendonly`, present even while the camera is off so
//! that starting it needs no renegotiation), then one `recvonly` video section per receive
//! slot. Descriptions carry their candidates (no trickle).

mod config;
pub(crate) mod engine;
mod error;
mod event;
mod peer;
pub mod video;

pub use config::{MeetingPeerConfig, PeerMode};
pub use error::MeetingMediaError;
pub use event::{MediaConnectionState, MeetingMediaEvent, MeetingMediaEvents, MEDIA_EVENT_QUEUE};
pub use peer::{MeetingMediaStats, MeetingPeer, RemoteVideoStats};
