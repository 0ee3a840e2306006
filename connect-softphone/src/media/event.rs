//! What a media peer reports while it runs, delivered in order to each subscriber.

use std::time::Duration;

use tokio::sync::broadcast::{self, error::RecvError};

use super::{NegotiatedCodecs, SessionDescription};

/// Queue length of each event subscriber before it is told it lagged.
pub const EVENT_QUEUE: usize = 256;

/// The ICE connection state (W3C `RTCIceConnectionState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IceState {
    /// Not started.
    New,
    /// Connectivity checks running.
    Checking,
    /// A working pair was found.
    Connected,
    /// Checks finished with a working pair.
    Completed,
    /// Consent was lost; may come back on its own.
    Disconnected,
    /// No working pair; needs an ICE restart.
    Failed,
    /// The peer was closed.
    Closed,
}

impl IceState {
    /// Whether media can flow in this state.
    pub fn is_connected(self) -> bool {
        matches!(self, Self::Connected | Self::Completed)
    }
}

/// One event of a call's media.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum MediaEvent {
    /// ICE changed state.
    IceStateChanged(IceState),
    /// Media transport is up (ICE and DTLS-SRTP): at setup and again after each recovery.
    Connected,
    /// ICE reports `disconnected` (consent lost).
    Disconnected,
    /// ICE or DTLS failed.
    Failed,
    /// The codecs of the call, from a valid answer (applied by the offerer, created by the
    /// answerer); always before the `Connected` that the answer leads to.
    CodecsNegotiated(NegotiatedCodecs),
    /// The first inbound RTP packet arrived, this long after the peer was created.
    FirstPacketReceived {
        /// Time from peer creation to the first inbound RTP packet.
        after: Duration,
    },
    /// A `telephone-event` (RFC 4733) arrived from the far end.
    DtmfReceived {
        /// `0-9`, `*`, `#` or `A-D`.
        digit: char,
    },
    /// The audio source ended; digital silence is sent from now on.
    SourceEnded,
    /// An ICE restart began (automatic, after the disconnection grace).
    IceRestartStarted {
        /// 1 for the first attempt of this outage.
        attempt: u32,
    },
    /// The ICE-restart offer to send in `invite{iceRestart:true}`; apply its answer with
    /// [`MediaPeer::apply_answer`](super::MediaPeer::apply_answer).
    IceRestartOffer(SessionDescription),
    /// An automatic ICE-restart attempt failed.
    IceRestartFailed {
        /// Which attempt failed.
        attempt: u32,
        /// Why, for logs.
        reason: String,
        /// No further attempt will be made for this outage (recovery window over).
        final_attempt: bool,
    },
    /// This subscriber fell behind and missed events.
    Lagged {
        /// How many events were dropped.
        dropped: u64,
    },
}

/// One subscriber's ordered media events.
#[derive(Debug)]
pub struct MediaEvents {
    receiver: broadcast::Receiver<MediaEvent>,
}

impl MediaEvents {
    /// Wraps a subscription.
    pub fn new(receiver: broadcast::Receiver<MediaEvent>) -> Self {
        Self { receiver }
    }

    /// The next event, or `None` once the peer is gone.
    pub async fn recv(&mut self) -> Option<MediaEvent> {
        match self.receiver.recv().await {
            Ok(event) => Some(event),
            Err(RecvError::Lagged(dropped)) => Some(MediaEvent::Lagged { dropped }),
            Err(RecvError::Closed) => None,
        }
    }

    /// Waits until the media transport is up and returns the codecs in use, announced by
    /// `CodecsNegotiated`, which always comes first. `None` when the peer fails or goes away
    /// before (or connects without having announced its codecs).
    ///
    /// ```
    /// use connect_softphone::audio::AudioCodec;
    /// use connect_softphone::media::{MediaEvent, MediaEvents, NegotiatedCodecs};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let (tx, rx) = tokio::sync::broadcast::channel(8);
    /// let mut events = MediaEvents::new(rx);
    /// let codecs = NegotiatedCodecs { audio: AudioCodec::Opus, payload_type: 111, telephone_event: None };
    /// tx.send(MediaEvent::CodecsNegotiated(codecs)).unwrap();
    /// tx.send(MediaEvent::Connected).unwrap();
    /// assert_eq!(events.connected().await, Some(codecs));
    /// # }
    /// ```
    pub async fn connected(&mut self) -> Option<NegotiatedCodecs> {
        let mut codecs = None;
        while let Some(event) = self.recv().await {
            match event {
                MediaEvent::CodecsNegotiated(negotiated) => codecs = Some(negotiated),
                MediaEvent::Connected => return codecs,
                MediaEvent::Failed => return None,
                _ => {}
            }
        }
        None
    }
}
