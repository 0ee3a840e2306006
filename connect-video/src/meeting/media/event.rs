//! What a meeting media peer tells its owner.

use tokio::sync::broadcast;

/// Capacity of each subscriber's event queue; a slower subscriber gets [`MeetingMediaEvent::Lagged`].
pub const MEDIA_EVENT_QUEUE: usize = 1024;

/// The state of the peer's media connection (ICE + DTLS).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MediaConnectionState {
    /// Connecting.
    Connecting,
    /// Media can flow.
    Connected,
    /// Connectivity was lost, maybe for a moment.
    Disconnected,
    /// Connectivity failed.
    Failed,
    /// The peer was closed.
    Closed,
}

/// One event of a meeting media peer, in order.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum MeetingMediaEvent {
    /// The connection state changed.
    ConnectionState(MediaConnectionState),
    /// A remote video stream was bound to a receive slot (from the answer's track mapping).
    RemoteVideoAdded {
        /// The meeting-wide stream id.
        stream_id: u32,
        /// The receiving transceiver.
        mid: String,
    },
    /// A remote video stream is no longer received.
    RemoteVideoRemoved {
        /// The meeting-wide stream id.
        stream_id: u32,
    },
    /// A complete VP8 frame of a remote stream arrived.
    VideoFrameReceived {
        /// The meeting-wide stream id.
        stream_id: u32,
        /// Whether it is a keyframe.
        keyframe: bool,
        /// Its picture size, from the stream's last keyframe.
        dimensions: Option<(u16, u16)>,
        /// Complete frames of this stream so far.
        frames: u64,
    },
    /// The first audio packet arrived, or another 50 (about one second of audio).
    AudioReceived {
        /// Audio packets received so far.
        packets: u64,
    },
    /// The local camera started sending.
    LocalVideoStarted,
    /// The local camera stopped (asked, or its source ended or failed).
    LocalVideoStopped,
    /// A receiver asked the local video for a keyframe.
    KeyframeRequested,
    /// This subscriber fell behind and missed events.
    Lagged {
        /// How many.
        missed: u64,
    },
}

/// A subscription to a peer's events.
///
/// ```no_run
/// # async fn run(peer: connect_video::meeting::media::MeetingPeer) {
/// let mut events = peer.subscribe();
/// while let Some(event) = events.recv().await {
///     println!("{event:?}");
/// }
/// # }
/// ```
#[derive(Debug)]
pub struct MeetingMediaEvents(broadcast::Receiver<MeetingMediaEvent>);

impl MeetingMediaEvents {
    pub(crate) fn new(receiver: broadcast::Receiver<MeetingMediaEvent>) -> Self {
        Self(receiver)
    }

    /// The next event; `None` once the peer is gone.
    pub async fn recv(&mut self) -> Option<MeetingMediaEvent> {
        match self.0.recv().await {
            Ok(event) => Some(event),
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                Some(MeetingMediaEvent::Lagged { missed })
            }
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}
