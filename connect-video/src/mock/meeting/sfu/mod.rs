//! The simulated meeting service's SFU: [`SfuRouter`], one webrtc-rs peer per attendee (host
//! candidates on 127.0.0.1; attendees reach it directly or through their TURN relay), RTP
//! forwarded between attendees without transcoding.
//!
//! - Audio of an attendee goes to every other attendee of the meeting except content shares,
//!   on one downstream audio track per subscriber (Opus packets are forwarded, not mixed: with
//!   more than two speakers their packets share that track).
//! - Video goes only to the subscribers that asked for its stream id, one receive slot
//!   (`recvonly` m-section of the subscriber's offer) per stream.
//! - Each subscriber's tracks have their own SSRCs; sequence numbers and timestamps are
//!   rewritten so they continue when a slot changes source.
//! - Keyframe requests (PLI/FIR) of a subscriber are relayed to the sender, and the SFU asks
//!   the sender for a keyframe whenever a subscriber's slot is bound to its stream or the
//!   subscriber's connection comes up.
//! - Content attendees (`<attendee>#content`) send only and receive nothing.

mod attendee;
mod down;
mod offer;
mod registry;
mod rewrite;
mod router;
mod slots;
mod uplink;

pub use router::{AttendeeStats, SfuRouter};
