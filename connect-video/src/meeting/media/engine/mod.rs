//! webrtc-rs building blocks shared by the meeting client's peer and the simulated SFU: the
//! codecs and payload types both sides register, peer construction on the softphone's driver
//! runtime, keyframe requests delivered to the application, event plumbing and the wait for ICE gathering.

mod gather;
mod handler;
mod keyframe;
mod setup;

pub(crate) use gather::wait_gathered;
pub(crate) use handler::PeerSignal;
pub(crate) use keyframe::{is_keyframe_request, picture_loss};
pub(crate) use setup::{build_peer, opus_track, random_ssrc, vp8_track, PT_OPUS, PT_VP8};
