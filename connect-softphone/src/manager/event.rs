//! [`SoftphoneEvent`]: what the softphone reports, in order, to each subscriber.

use tokio::sync::broadcast::{self, error::RecvError};

use crate::audio::SourceInfo;
use crate::session::{
    EndReason, FailureReason, HealthCause, MediaHealth, SessionReport, SessionState,
    SoftphoneErrorType,
};
use crate::signaling::SignalingWarning;

/// Queue length of each subscriber before it is told it lagged.
pub(super) const EVENT_QUEUE: usize = 256;

/// One thing the softphone did or saw. Calls are named by contact id.
///
/// ```
/// use connect_softphone::manager::SoftphoneEvent;
///
/// fn describe(event: &SoftphoneEvent) -> String {
///     match event {
///         SoftphoneEvent::SessionConnected { contact_id } => format!("{contact_id} talking"),
///         SoftphoneEvent::Ended { contact_id, reason, .. } => format!("{contact_id} ended: {reason:?}"),
///         other => format!("{other:?}"),
///     }
/// }
/// # let _ = describe;
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SoftphoneEvent {
    /// A softphone voice contact rang or dialled: its call session started (§2.1).
    SessionStarted {
        /// The contact.
        contact_id: String,
        /// The agent connection.
        connection_id: String,
    },
    /// A call's session state changed (§7).
    StateChanged {
        /// The contact.
        contact_id: String,
        /// The new state.
        state: SessionState,
    },
    /// The signaling handshake is done and the answer applied: the call is Talking.
    SessionConnected {
        /// The contact.
        contact_id: String,
    },
    /// The first audio packet from the far end arrived.
    MediaStarted {
        /// The contact.
        contact_id: String,
    },
    /// Media health changed (degraded, lost, recovered).
    MediaHealth {
        /// The contact.
        contact_id: String,
        /// The new health.
        state: MediaHealth,
        /// Why.
        cause: HealthCause,
    },
    /// The call's microphone was muted or unmuted.
    Muted {
        /// The contact.
        contact_id: String,
        /// Muted now?
        muted: bool,
    },
    /// The microphone changed (for the live calls and the calls to come).
    DeviceChanged {
        /// The new source, as the factory opened it for a live call (`None` if no call).
        source: Option<SourceInfo>,
    },
    /// An RFC 4733 digit arrived from the far end.
    DtmfReceived {
        /// The contact.
        contact_id: String,
        /// `0-9`, `*`, `#` or `A-D`.
        digit: char,
    },
    /// Digits were sent.
    DigitsSent {
        /// The contact.
        contact_id: String,
        /// The digits.
        digits: String,
    },
    /// A signaling condition worth knowing (a missing acknowledgement, an ignored error).
    SignalingWarning {
        /// The contact, if the warning concerns a call.
        contact_id: Option<String>,
        /// What.
        warning: SignalingWarning,
    },
    /// Another softphone holds the agent (`multiple_softphone_active_sessions`).
    MultipleSoftphoneActiveSessions,
    /// A call failed (then [`Ended`](Self::Ended)).
    Failed {
        /// The contact.
        contact_id: String,
        /// The §7 reason.
        reason: FailureReason,
        /// The Streams error type it is published as (`None`: logged only).
        error_type: Option<SoftphoneErrorType>,
    },
    /// A call ended, with its report.
    Ended {
        /// The contact.
        contact_id: String,
        /// How.
        reason: EndReason,
        /// What the session measured and decided.
        report: Box<SessionReport>,
    },
    /// This subscriber fell behind and missed events.
    Lagged {
        /// How many.
        dropped: u64,
    },
}

/// One subscriber's ordered softphone events.
///
/// ```no_run
/// # async fn demo(mut events: connect_softphone::manager::SoftphoneEvents) {
/// while let Some(event) = events.recv().await {
///     println!("{event:?}");
/// }
/// # }
/// ```
#[derive(Debug)]
pub struct SoftphoneEvents {
    receiver: broadcast::Receiver<SoftphoneEvent>,
}

impl SoftphoneEvents {
    pub(super) fn new(receiver: broadcast::Receiver<SoftphoneEvent>) -> Self {
        Self { receiver }
    }

    /// The next event; `None` once the manager has stopped.
    pub async fn recv(&mut self) -> Option<SoftphoneEvent> {
        match self.receiver.recv().await {
            Ok(event) => Some(event),
            Err(RecvError::Lagged(dropped)) => Some(SoftphoneEvent::Lagged { dropped }),
            Err(RecvError::Closed) => None,
        }
    }
}
