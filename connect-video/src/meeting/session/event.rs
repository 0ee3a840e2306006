//! [`MeetingEvent`]: what a meeting session tells the application, in order.

use tokio::sync::mpsc;

use crate::meeting::signal::MeetingStatus;

/// A remote video tile: one remote video stream (a camera or a content share) shown by this
/// session. Ids are given in order from 1 and never reused within a session.
///
/// ```
/// use connect_video::meeting::session::TileId;
/// assert_eq!(TileId(3).to_string(), "tile 3");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId(pub u32);

impl std::fmt::Display for TileId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "tile {}", self.0)
    }
}

/// One event of a meeting session.
///
/// ```
/// use connect_video::meeting::session::{MeetingEvent, TileId};
/// let event = MeetingEvent::VideoTileAdded {
///     tile: TileId(1),
///     attendee_id: "a-1#content".into(),
///     is_content: true,
/// };
/// assert!(matches!(event, MeetingEvent::VideoTileAdded { is_content: true, .. }));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MeetingEvent {
    /// The session joined the meeting (first `JOIN_ACK`) as this attendee.
    Joined {
        /// This session's attendee id.
        attendee_id: String,
    },
    /// An attendee (or a content share, `<id>#content`) arrived or left.
    AttendeePresence {
        /// The attendee.
        attendee_id: String,
        /// Its external user id, when known.
        external_user_id: Option<String>,
        /// Whether it is now present.
        present: bool,
    },
    /// A remote video is now received and shown on `tile`.
    VideoTileAdded {
        /// The tile.
        tile: TileId,
        /// The attendee sending it (`<id>#content` for a content share).
        attendee_id: String,
        /// Whether it is a content share.
        is_content: bool,
    },
    /// A remote video is no longer received.
    VideoTileRemoved {
        /// The tile.
        tile: TileId,
        /// The attendee that sent it.
        attendee_id: String,
    },
    /// The local camera started sending.
    LocalVideoStarted,
    /// The local camera stopped (asked, or its source ended or failed).
    LocalVideoStopped,
    /// This session's content share is being sent.
    ContentShareStarted,
    /// This session's content share stopped (asked, its source ended, or its connection ended).
    ContentShareStopped,
    /// An attendee's mute state changed, as the meeting reports it (this session's own
    /// attendee included).
    MuteChanged {
        /// The attendee.
        attendee_id: String,
        /// Whether it is muted.
        muted: bool,
    },
    /// More remote videos are on offer than this session may receive, or the meeting takes no
    /// more video senders. Reported when it becomes true.
    AtCapacity,
    /// The signalling connection was lost; the session is reconnecting.
    Reconnecting {
        /// Why.
        status: MeetingStatus,
    },
    /// Joined again after a loss; the media was set up again.
    Reconnected,
    /// The session is over.
    Left {
        /// Why: [`MeetingStatus::Left`] after [`leave`](super::MeetingSession::leave),
        /// [`MeetingStatus::MeetingEnded`] when the meeting was deleted, ...
        status: MeetingStatus,
    },
}

/// The sending side of the event stream (shared by the session's tasks).
pub(super) type EventSender = mpsc::UnboundedSender<MeetingEvent>;

/// The session's events, in order. Ends after [`MeetingEvent::Left`].
///
/// ```no_run
/// # async fn run(mut events: connect_video::meeting::session::MeetingEvents) {
/// use connect_video::meeting::session::MeetingEvent;
/// while let Some(event) = events.recv().await {
///     if let MeetingEvent::VideoTileAdded { tile, attendee_id, .. } = event {
///         println!("{tile}: video of {attendee_id}");
///     }
/// }
/// # }
/// ```
#[derive(Debug)]
pub struct MeetingEvents {
    events: mpsc::UnboundedReceiver<MeetingEvent>,
}

impl MeetingEvents {
    pub(super) fn new(events: mpsc::UnboundedReceiver<MeetingEvent>) -> Self {
        Self { events }
    }

    /// The next event; `None` once the session is over and every event was read.
    pub async fn recv(&mut self) -> Option<MeetingEvent> {
        self.events.recv().await
    }
}

impl futures::Stream for MeetingEvents {
    type Item = MeetingEvent;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.events.poll_recv(cx)
    }
}
