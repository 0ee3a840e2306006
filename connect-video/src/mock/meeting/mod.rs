//! The simulated meeting service: a control plane for meetings and attendees, the signalling
//! subset on a loopback WebSocket, and an SFU that forwards RTP between attendees.

mod connection;
mod control;
mod error;
mod escalation;
mod room;
mod router;
mod service;
pub mod sfu;

pub use error::MeetingSimError;
pub use service::{SimMeetingService, SimMeetingServiceBuilder, SimTurnCredentials};

pub use router::{
    MediaRouter, RouterError, SentStream, StreamMedia, SubscribeAnswer, SubscribeRequest,
};
