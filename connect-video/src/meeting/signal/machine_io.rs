//! What the signalling machine is configured with, what it asks its driver to do, and the
//! events it reports.

use std::time::Duration;

use super::frame::FrameError;
use super::proto::SdkSignalFrame;
use super::status::MeetingStatus;
use super::types::{DataMessage, IndexUpdate, JoinAck, SubscribeAck};

/// Identifies one socket the machine asked for, so that late events of an old socket are
/// ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SocketId(pub u64);

/// The signalling timings (the Chime SDK client's defaults).
///
/// ```
/// use connect_video::meeting::signal::SignalingTimings;
/// let t = SignalingTimings::default();
/// assert_eq!(t.connect_timeout.as_secs(), 15);
/// assert_eq!(t.reconnect_window.as_secs(), 120);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignalingTimings {
    /// From opening a socket to `JOIN_ACK` (and from `LEAVE` to `LEAVE_ACK`).
    pub connect_timeout: Duration,
    /// How long after a loss the session keeps trying to reconnect.
    pub reconnect_window: Duration,
    /// Wait before the second reconnection attempt (the first is immediate).
    pub first_backoff: Duration,
    /// Wait before every later attempt.
    pub later_backoff: Duration,
    /// Keep-alive ping interval once joined.
    pub ping_interval: Duration,
    /// Unanswered pings after which the connection counts as lost.
    pub max_missed_pongs: u32,
}

impl Default for SignalingTimings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(15),
            reconnect_window: Duration::from_secs(120),
            first_backoff: Duration::from_secs(1),
            later_backoff: Duration::from_secs(5),
            ping_interval: Duration::from_secs(10),
            max_missed_pongs: 4,
        }
    }
}

/// What the machine needs to know about the client.
///
/// ```
/// use connect_video::meeting::signal::MachineConfig;
/// let config = MachineConfig::new(42);
/// assert_eq!(config.max_videos, 25);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MachineConfig {
    /// Timings.
    pub timings: SignalingTimings,
    /// Identifies this audio session across reconnections (random per session).
    pub audio_session_id: u64,
    /// The most videos to ask for in `JOIN`.
    pub max_videos: u32,
    /// Application name for `JOIN`'s client details.
    pub app_name: String,
}

impl MachineConfig {
    /// Default timings and limits with this audio session id.
    pub fn new(audio_session_id: u64) -> Self {
        Self {
            timings: SignalingTimings::default(),
            audio_session_id,
            max_videos: super::types::DEFAULT_VIDEO_SUBSCRIPTION_LIMIT,
            app_name: "connect-video".into(),
        }
    }
}

/// Where the session is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignalingState {
    /// Not started.
    Idle,
    /// A socket is being opened.
    Connecting,
    /// `JOIN` sent, waiting for `JOIN_ACK`.
    Joining,
    /// Joined; no subscription yet (or it must be redone after a reconnection).
    Joined,
    /// `SUBSCRIBE` sent, waiting for `SUBSCRIBE_ACK`.
    Subscribing,
    /// Subscribed.
    Subscribed,
    /// Waiting out a back-off before the next connection attempt.
    WaitingToReconnect,
    /// `LEAVE` sent, waiting for `LEAVE_ACK`.
    Leaving,
    /// Over.
    Ended(MeetingStatus),
}

impl SignalingState {
    /// Whether frames may be sent (joined, subscribing or subscribed).
    pub fn is_joined(self) -> bool {
        matches!(self, Self::Joined | Self::Subscribing | Self::Subscribed)
    }
}

/// What the machine reports.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SignalingEvent {
    /// `JOIN_ACK` arrived (after every join and re-join).
    JoinAck(JoinAck),
    /// The connection was lost; the session is reconnecting (once per outage).
    Reconnecting {
        /// Why.
        status: MeetingStatus,
    },
    /// Joined again after a loss; any subscription must be redone with a fresh offer.
    Reconnected,
    /// The meeting's sources.
    Index(IndexUpdate),
    /// The answer to the last `SUBSCRIBE`.
    SubscribeAck(SubscribeAck),
    /// An attendee arrived or left.
    Presence {
        /// The attendee.
        attendee_id: String,
        /// Its external user id, when known.
        external_user_id: Option<String>,
        /// Whether it is now present.
        present: bool,
    },
    /// An attendee's mute state changed.
    MuteChanged {
        /// The attendee.
        attendee_id: String,
        /// Whether it is muted.
        muted: bool,
    },
    /// A data message arrived.
    DataMessage(DataMessage),
    /// The server answered with a non-fatal error.
    ServerError {
        /// Status.
        status: u32,
        /// Description.
        description: String,
    },
    /// A malformed frame arrived and was skipped.
    MalformedFrame(FrameError),
    /// The session is over.
    Ended {
        /// Why.
        status: MeetingStatus,
    },
}

/// What the machine asks its driver to do.
#[derive(Clone, Debug, PartialEq)]
pub enum SignalingOutput {
    /// Open a new socket (any previous one was closed first).
    Connect(SocketId),
    /// Send a frame on this socket.
    Send(SocketId, Box<SdkSignalFrame>),
    /// Close this socket with this code.
    Close(SocketId, u16),
    /// Report an event.
    Event(SignalingEvent),
}
