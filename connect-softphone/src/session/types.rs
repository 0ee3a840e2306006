//! The softphone machine's vocabulary: ids, call states, inputs from the media engine, the
//! actions it asks for and the events it reports.

use std::time::Duration;

use connect_core::model::{IceServer, Sensitive};
use serde_json::Value;

use super::reason::{EndReason, FailureReason, SetupStep};
use super::report::SessionReport;
use crate::signaling::proto::{DirectAuth, IceCandidate};
use crate::signaling::{ChannelKind, SignalingWarning};

/// Identifies one peer connection the machine asked the driver to create.
///
/// ```
/// use connect_softphone::session::PcId;
///
/// assert!(PcId(1) < PcId(2));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PcId(pub u64);

/// What starts a call (§2.1): the agent connection with its `softphoneMediaInfo`.
///
/// ```
/// use connect_softphone::session::CallStart;
///
/// let start = CallStart::new("ac-1", "c-1", None, None);
/// assert!(!start.app_supplied_source);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct CallStart {
    /// Agent connection id (the call's key).
    pub connection_id: String,
    /// Contact id.
    pub contact_id: String,
    /// `callContextToken`.
    pub call_context_token: Option<Sensitive>,
    /// `callConfigJson`, raw.
    pub call_config_json: Option<Sensitive>,
    /// The app supplies the audio source: GrabLocalMedia is skipped.
    pub app_supplied_source: bool,
}

impl CallStart {
    /// A call with a microphone to open.
    pub fn new(
        connection_id: impl Into<String>,
        contact_id: impl Into<String>,
        call_context_token: Option<Sensitive>,
        call_config_json: Option<Sensitive>,
    ) -> Self {
        Self {
            connection_id: connection_id.into(),
            contact_id: contact_id.into(),
            call_context_token,
            call_config_json,
            app_supplied_source: false,
        }
    }
}

/// ICE connection state as the media engine reports it.
///
/// ```
/// use connect_softphone::session::IceConnectionState;
///
/// assert_ne!(IceConnectionState::Connected, IceConnectionState::Failed);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IceConnectionState {
    /// Checking.
    Checking,
    /// Connected or completed.
    Connected,
    /// Disconnected (may recover).
    Disconnected,
    /// Failed.
    Failed,
    /// Closed.
    Closed,
}

/// Why the microphone did not open.
///
/// ```
/// use connect_softphone::session::MicrophoneFailure;
///
/// assert_ne!(MicrophoneFailure::Timeout, MicrophoneFailure::Other);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MicrophoneFailure {
    /// Not open within the deadline.
    Timeout,
    /// Refused or failed.
    Other,
}

/// Why credentials are fetched.
///
/// ```
/// use connect_softphone::session::CredentialPurpose;
///
/// assert_ne!(CredentialPurpose::CrossRegionProbe, CredentialPurpose::IceRestart);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialPurpose {
    /// The §2.3 cross-region check before the first offer (1 s, one try).
    CrossRegionProbe,
    /// Fresh credentials for an ICE restart (retried with backoff, R11).
    IceRestart,
}

/// Media health while Talking (R10).
///
/// ```
/// use connect_softphone::session::MediaHealth;
///
/// assert_ne!(MediaHealth::Connected, MediaHealth::MediaLost);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaHealth {
    /// Media flows.
    Connected,
    /// ICE disconnected, or inbound RTP silent for 3 s.
    MediaDegraded,
    /// ICE failed, or degradation could not be recovered.
    MediaLost,
    /// A recovery attempt brought media back (then `Connected`).
    MediaRecovered,
}

/// What changed the media health.
///
/// ```
/// use connect_softphone::session::HealthCause;
///
/// assert_ne!(HealthCause::IceDisconnected, HealthCause::IceFailed);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HealthCause {
    /// ICE reported `disconnected`.
    IceDisconnected,
    /// ICE reported `failed`.
    IceFailed,
    /// No inbound RTP for the silence threshold while ICE is connected.
    NoInboundRtp,
    /// Degraded past the grace and the PC is not allowlisted.
    NotRecoverable,
    /// Every ICE-restart attempt failed.
    RestartsExhausted,
    /// ICE and RTP are back.
    Recovered,
}

/// The Talking substates of §7 (R10 media health and the §5.5 ICE restart).
///
/// ```
/// use connect_softphone::session::TalkingState;
///
/// assert_eq!(TalkingState::default(), TalkingState::Connected);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TalkingState {
    /// Media flows.
    #[default]
    Connected,
    /// Media degraded, inside the grace.
    MediaDegraded,
    /// Media lost, inside the recovery window.
    MediaLost,
    /// Fetching credentials, new configuration, restart offer.
    IceRestart,
    /// Setting the restart offer.
    SetLocalDescription,
    /// Gathering for the restart.
    ConnectSignalingAndIceCollection,
    /// Restart invite sent (retries §5.5).
    InviteAnswer,
    /// Applying the restart answer.
    Accept,
}

/// The session states of §7.
///
/// ```
/// use connect_softphone::session::{FailureReason, SessionState};
///
/// assert!(SessionState::Failed(FailureReason::UserBusy).is_terminal());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionState {
    /// Opening the microphone (and probing credentials).
    GrabLocalMedia,
    /// Creating the offer.
    CreateOffer,
    /// Setting the local description.
    SetLocalDescription,
    /// Signaling connect and ICE gathering, in parallel.
    ConnectSignalingAndIceCollection,
    /// `invite` sent.
    InviteAnswer,
    /// Applying the answer; `accept` acknowledgement.
    Accept,
    /// `connectContact` on a persistent PC.
    ConnectContact,
    /// Handshake done and remote description set.
    Talking(TalkingState),
    /// Releasing resources.
    CleanUp,
    /// Terminal.
    Disconnected,
    /// Terminal.
    Failed(FailureReason),
}

impl SessionState {
    /// Disconnected or Failed.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Disconnected | Self::Failed(_))
    }

    /// The setup step of a pre-Talking state (R4).
    pub fn setup_step(self) -> Option<SetupStep> {
        Some(match self {
            Self::GrabLocalMedia => SetupStep::GrabLocalMedia,
            Self::CreateOffer => SetupStep::CreateOffer,
            Self::SetLocalDescription => SetupStep::SetLocalDescription,
            Self::ConnectSignalingAndIceCollection => SetupStep::ConnectSignalingAndIceCollection,
            Self::InviteAnswer => SetupStep::InviteAnswer,
            Self::Accept => SetupStep::Accept,
            Self::ConnectContact => SetupStep::ConnectContact,
            _ => return None,
        })
    }
}

/// What the machine asks its driver to do.
///
/// ```
/// use connect_softphone::session::{Action, PcId};
///
/// let a = Action::ClosePeerConnection { pc: PcId(1) };
/// assert!(matches!(a, Action::ClosePeerConnection { .. }));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Action {
    /// Open the call's microphone source; report `microphone_opened` / `microphone_failed`.
    OpenMicrophone {
        /// The call.
        call: String,
    },
    /// Release the call's capture device (R9).
    CloseMicrophone {
        /// The call.
        call: String,
    },
    /// Put the call's (re)opened source on the PC's sender, without renegotiation (PPC reuse).
    SwapSource {
        /// The PC.
        pc: PcId,
        /// The call whose source to use.
        call: String,
    },
    /// Feed the idle PPC's sender with `SilenceSource` (R9).
    UseIdleSource {
        /// The PC.
        pc: PcId,
    },
    /// `CreateTransport` softphone; report `credentials_fetched`.
    FetchCredentials {
        /// The PC.
        pc: PcId,
        /// Why.
        purpose: CredentialPurpose,
        /// Give up after this long.
        timeout: Duration,
    },
    /// Create the PC with its own configuration (R1: relay only, these ICE servers), add
    /// the call's audio track, create the offer; report `offer_created`.
    CreateOffer {
        /// The PC.
        pc: PcId,
        /// The call whose source feeds the track.
        call: String,
        /// ICE servers of this PC.
        ice_servers: Vec<IceServer>,
    },
    /// Replace the PC's ICE servers and create an ICE-restart offer; report `offer_created`.
    RestartIce {
        /// The PC.
        pc: PcId,
        /// Fresh ICE servers.
        ice_servers: Vec<IceServer>,
    },
    /// Munge (§9) and set the local description; report `local_description_set` with the
    /// SDP as set.
    SetLocalDescription {
        /// The PC.
        pc: PcId,
        /// The offer as created.
        sdp: String,
    },
    /// Gather (no trickle) by the completion rules of §8 and R6; report `gathering_done`.
    GatherCandidates {
        /// The PC.
        pc: PcId,
        /// Extra window after the upstream rule fires (R6).
        extra_window: Duration,
    },
    /// The gathering deadline passed: report the candidates gathered so far now.
    FinishGathering {
        /// The PC.
        pc: PcId,
    },
    /// Set the remote description and add every remote candidate; report
    /// `remote_description_set`.
    ApplyAnswer {
        /// The PC.
        pc: PcId,
        /// The answer.
        sdp: String,
        /// The remote candidates.
        candidates: Vec<IceCandidate>,
    },
    /// Close the PC.
    ClosePeerConnection {
        /// The PC.
        pc: PcId,
    },
    /// Open the PC's signaling channel; report `channel_opened` / `channel_down`.
    OpenSignaling {
        /// The PC.
        pc: PcId,
        /// Which channel.
        kind: ChannelKind,
        /// Direct: the resolved endpoint (no query).
        endpoint: Option<String>,
        /// Direct: the query auth.
        auth: DirectAuth,
        /// Direct: the call's contact id (`callId`).
        contact_id: String,
        /// 1-based attempt.
        attempt: u32,
    },
    /// Close the PC's signaling channel (direct socket).
    CloseSignaling {
        /// The PC.
        pc: PcId,
    },
    /// Send a JSON-RPC message on the PC's channel (multiplexed: in the envelope with
    /// `connection_id`); report `channel_down` if it cannot be written (R5).
    SendSignal {
        /// The PC.
        pc: PcId,
        /// The channel.
        kind: ChannelKind,
        /// `connectionId` of the envelope (R2).
        connection_id: String,
        /// The JSON-RPC message.
        message: Value,
    },
    /// Report an event.
    Event(SessionEvent),
}

/// What the machine reports to the app (the manager turns them into `SoftphoneEvent`s).
///
/// ```
/// use connect_softphone::session::{FailureReason, SessionEvent};
///
/// let e = SessionEvent::SessionFailed { call: "ac-1".into(), reason: FailureReason::UserBusy };
/// assert!(matches!(e, SessionEvent::SessionFailed { .. }));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SessionEvent {
    /// A call changed state.
    StateChanged {
        /// The call.
        call: String,
        /// The new state.
        state: SessionState,
    },
    /// Media health of a call changed (R10).
    MediaHealth {
        /// The call.
        call: String,
        /// The new health.
        state: MediaHealth,
        /// Why.
        cause: HealthCause,
    },
    /// A signaling condition worth knowing (R3 `AckMissing`, ignored errors).
    SignalingWarning {
        /// The call, if the warning concerns one.
        call: Option<String>,
        /// What.
        warning: SignalingWarning,
    },
    /// Another softphone holds the agent (`quotaBreached`, `CreateTransport` limit).
    MultipleSoftphoneActiveSessions,
    /// A call failed (then `SessionEnded`).
    SessionFailed {
        /// The call.
        call: String,
        /// Why.
        reason: FailureReason,
    },
    /// A call ended.
    SessionEnded {
        /// The call.
        call: String,
        /// How.
        reason: EndReason,
        /// Its report.
        report: Box<SessionReport>,
    },
    /// A persistent PC became idle (no call) or was pre-established.
    PeerConnectionIdle {
        /// The PC.
        pc: PcId,
    },
    /// A PC was closed.
    PeerConnectionClosed {
        /// The PC.
        pc: PcId,
    },
}
