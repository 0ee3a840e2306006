//! The meeting client: one attendee in a meeting, with the signalling and the media joined up
//! (native).
//!
//! [`MeetingSession::builder`]`(join).connect()` joins (`JOIN` → `JOIN_ACK`), builds the media
//! peer with the `JOIN_ACK`'s TURN servers and subscribes (`SUBSCRIBE` with its offer →
//! `SUBSCRIBE_ACK`'s answer and tracks), sending audio only: cameras are off until
//! [`MeetingSession::start_local_video`]. From then on the session subscribes again, one
//! subscription at a time, whenever `INDEX` changes the remote videos it should receive (within
//! the subscription limit; [`MeetingEvent::AtCapacity`] beyond it), when the camera starts or
//! stops, and after every re-join (with a fresh peer, since the media server forgot the old
//! one). Content share is a second attendee connection (`<id>#content`) with its own task.

mod builder;
mod content;
mod driver;
mod error;
mod event;
mod handle;
mod link;
mod plan;
mod reuse;
mod stats;

pub use builder::MeetingSessionBuilder;
pub use error::MeetingError;
pub use event::{MeetingEvent, MeetingEvents, TileId};
pub use handle::MeetingSession;
pub use stats::{MeetingStats, TileStats};
