//! What the signaling machine is configured with, where it stands, and what it reports.

use std::time::Duration;

use connect_core::model::Sensitive;
use serde_json::Value;

use crate::signaling::proto::{DirectAuth, InviteResult};
use crate::signaling::{RpcMethod, SignalingError};

/// Deadlines of §10 that the signaling machine enforces (defaults are the spec's).
///
/// ```
/// use connect_softphone::signaling::SignalingTimeouts;
///
/// let t = SignalingTimeouts::default();
/// assert_eq!(t.answer.as_secs(), 5);
/// assert_eq!(t.connect_attempts, 3);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignalingTimeouts {
    /// Signaling connect, total: 10 s.
    pub connect: Duration,
    /// Attempts to open a direct socket inside `connect`: 3.
    pub connect_attempts: u32,
    /// Answer to `invite`: 5 s.
    pub answer: Duration,
    /// Answer to `bye`: 2 s.
    pub bye: Duration,
    /// Acknowledgement of `accept` / `connectContact` / `disconnectContact`: 2 s.
    pub ack: Duration,
    /// Signaling reconnect: 10 s.
    pub reconnect: Duration,
}

impl Default for SignalingTimeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            connect_attempts: 3,
            answer: Duration::from_secs(5),
            bye: Duration::from_secs(2),
            ack: Duration::from_secs(2),
            reconnect: Duration::from_secs(10),
        }
    }
}

/// What a missing acknowledgement of `accept` / `connectContact` / `disconnectContact` does
/// (R3).
///
/// ```
/// use connect_softphone::signaling::AckPolicy;
///
/// assert_eq!(AckPolicy::default(), AckPolicy::Lenient);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AckPolicy {
    /// Proceed, report `acceptAcknowledged=false`, warn (`AckMissing`); a later error still
    /// applies.
    #[default]
    Lenient,
    /// Fail with `SIGNALLING_HANDSHAKE_FAILURE`.
    Strict,
}

/// Which channel the machine signals over.
///
/// ```
/// use connect_softphone::signaling::ChannelKind;
///
/// assert_ne!(ChannelKind::Multiplexed, ChannelKind::Direct);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelKind {
    /// `aws/softphone` on the CCP WebSocket: open once that socket is up and subscribed.
    Multiplexed,
    /// A WebSocket of its own: opened with up to `connect_attempts` tries.
    Direct,
}

/// Configuration of one signaling machine.
///
/// ```
/// use connect_softphone::signaling::{ChannelKind, SignalingConfig};
///
/// let config = SignalingConfig::new(ChannelKind::Multiplexed, "browser-1");
/// assert!(!config.persistent_connection);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignalingConfig {
    /// The channel.
    pub kind: ChannelKind,
    /// Deadlines.
    pub timeouts: SignalingTimeouts,
    /// R3 policy.
    pub ack_policy: AckPolicy,
    /// `browserId` of invites.
    pub browser_id: String,
    /// The agent's `softphonePersistentConnection` flag: PPC when the PC is also allowlisted.
    pub persistent_connection: bool,
    /// Seed of the request-id generator.
    pub seed: u64,
}

impl SignalingConfig {
    /// Defaults for a channel of `kind`.
    pub fn new(kind: ChannelKind, browser_id: impl Into<String>) -> Self {
        Self {
            kind,
            timeouts: SignalingTimeouts::default(),
            ack_policy: AckPolicy::default(),
            browser_id: browser_id.into(),
            persistent_connection: false,
            seed: 0,
        }
    }
}

/// One call carried by the channel (the key of every per-call message, R2).
///
/// ```
/// use connect_softphone::signaling::CallLeg;
///
/// let leg = CallLeg::new("ac-1", Some("c-1".into()), None);
/// assert_eq!(leg.connection_id, "ac-1");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallLeg {
    /// Agent connection id (`connectionId` of the envelope).
    pub connection_id: String,
    /// Contact id (`None`: page-load PPC pre-establishment).
    pub contact_id: Option<String>,
    /// `callContextToken`.
    pub call_context_token: Option<Sensitive>,
}

impl CallLeg {
    /// A leg.
    pub fn new(
        connection_id: impl Into<String>,
        contact_id: Option<String>,
        call_context_token: Option<Sensitive>,
    ) -> Self {
        Self {
            connection_id: connection_id.into(),
            contact_id,
            call_context_token,
        }
    }
}

/// Per-call state on a shared PC (§5.4).
///
/// ```
/// use connect_softphone::signaling::LegState;
///
/// assert!(LegState::Disconnected.is_terminal());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LegState {
    /// Its invite is on the way (first call).
    Initial,
    /// `connectContact` sent.
    ConnectContact,
    /// Carrying media.
    Talking,
    /// Ended.
    Disconnected,
    /// The shared session failed.
    Failed,
}

impl LegState {
    /// `Disconnected` or `Failed`.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Disconnected | Self::Failed)
    }
}

/// Where a channel was when it went down (PendingReconnect returns there).
///
/// ```
/// use connect_softphone::signaling::Resume;
///
/// assert_ne!(Resume::Talking, Resume::Idle);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resume {
    /// Back to Talking.
    Talking,
    /// Back to Idle.
    Idle,
}

/// The states of §6.
///
/// ```
/// use connect_softphone::signaling::{SignalingError, SignalingState};
///
/// assert!(SignalingState::Failed(SignalingError::Timeout).is_terminal());
/// assert!(!SignalingState::Talking.is_terminal());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignalingState {
    /// Opening the channel (10 s, 3 attempts direct).
    PendingConnect,
    /// Open; the invite may go.
    PendingInvite,
    /// `invite` sent (5 s).
    PendingAnswer,
    /// Answer received; `accept` goes out at once.
    PendingAccept,
    /// `accept` sent (2 s, R3).
    PendingAcceptAck,
    /// `connectContact` sent on a PPC (2 s, R3).
    PendingConnectContact,
    /// Handshake done.
    Talking,
    /// PPC without a call (`inactivityDuration`).
    Idle,
    /// Channel down in Talking or Idle (10 s).
    PendingReconnect(Resume),
    /// `bye` sent (2 s).
    PendingRemoteHangup,
    /// Server `bye` received; waiting for the session's hang-up.
    PendingLocalHangup,
    /// Terminal.
    Disconnected,
    /// Terminal.
    Failed(SignalingError),
}

impl SignalingState {
    /// Disconnected or Failed.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Disconnected | Self::Failed(_))
    }

    /// Before the handshake (setup states of R4).
    pub fn is_setup(&self) -> bool {
        matches!(
            self,
            Self::PendingConnect
                | Self::PendingInvite
                | Self::PendingAnswer
                | Self::PendingAccept
                | Self::PendingAcceptAck
                | Self::PendingConnectContact
        )
    }
}

/// A non-fatal signaling condition.
///
/// ```
/// use connect_softphone::signaling::{RpcMethod, SignalingWarning};
///
/// let w = SignalingWarning::AckMissing { method: RpcMethod::Accept };
/// assert!(matches!(w, SignalingWarning::AckMissing { .. }));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignalingWarning {
    /// No acknowledgement within the deadline; proceeding (R3 lenient).
    AckMissing {
        /// Of which request.
        method: RpcMethod,
    },
    /// A server error that changes nothing while talking (logged).
    IgnoredError {
        /// Of which request.
        method: RpcMethod,
        /// The error.
        error: SignalingError,
    },
}

/// What the machine reports to the session layer.
///
/// ```
/// use connect_softphone::signaling::SignalingEvent;
///
/// let e = SignalingEvent::Disconnected { bye_acknowledged: Some(true) };
/// assert!(matches!(e, SignalingEvent::Disconnected { .. }));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SignalingEvent {
    /// The channel is open: the invite may go (PendingInvite).
    Ready,
    /// The answer to the invite; `accept` has been sent.
    Answered(Box<InviteResult>),
    /// A call's handshake is done (`accept` or `connectContact` acknowledged, or lenient
    /// deadline).
    Talking {
        /// The call.
        connection_id: String,
        /// Whether the server acknowledged it.
        acknowledged: bool,
    },
    /// Page-load pre-establishment done: the PPC is Idle with no call.
    IdleReady,
    /// `disconnectContact` of a call completed.
    ContactDisconnected {
        /// The call.
        connection_id: String,
        /// Whether the server acknowledged it.
        acknowledged: bool,
    },
    /// Server `bye`: the session should hang up (its reply goes out then).
    RemoteHangup {
        /// The call it was addressed to.
        connection_id: Option<String>,
    },
    /// The answer to an ICE-restart invite; `accept` has been sent.
    IceRestartAnswered(Box<InviteResult>),
    /// The ICE-restart invite failed.
    IceRestartFailed(SignalingError),
    /// A 400 `Stale Peer Connection`: restart ICE (§5.5).
    StalePeerConnection,
    /// A new `clientToken` for the direct reconnect URL.
    ClientTokenRenewed,
    /// `PCBye` for this PC: torn down without `bye`.
    PcBye,
    /// `idleConnection` arrived on this channel (client-level; close an idle PPC).
    IdleConnection,
    /// `quotaBreached` arrived on this channel (client-level; another softphone is active).
    QuotaBreached,
    /// The channel went down while Talking or Idle (PendingReconnect).
    ChannelLost,
    /// The channel is back.
    ChannelRestored,
    /// A non-fatal condition.
    Warning(SignalingWarning),
    /// Terminal failure.
    Failed(SignalingError),
    /// Terminal end. `bye_acknowledged`: `None` when no `bye` was sent by us.
    Disconnected {
        /// Whether our `bye` was answered.
        bye_acknowledged: Option<bool>,
    },
}

/// What the machine asks its driver to do.
///
/// ```
/// use connect_softphone::signaling::SignalingOutput;
///
/// let o = SignalingOutput::Send { connection_id: "ac-1".into(), message: serde_json::json!({}) };
/// assert!(matches!(o, SignalingOutput::Send { .. }));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SignalingOutput {
    /// Open the channel (direct: a socket with this auth; multiplexed: make sure
    /// `aws/softphone` is subscribed) and report `channel_opened` / `channel_down`.
    OpenChannel {
        /// Query auth of a direct socket.
        auth: DirectAuth,
        /// 1-based attempt.
        attempt: u32,
    },
    /// Close a direct socket (multiplexed: stop routing to this machine).
    CloseChannel,
    /// Send a JSON-RPC message for this call.
    Send {
        /// The envelope's `connectionId`.
        connection_id: String,
        /// The JSON-RPC message.
        message: Value,
    },
    /// Deliver an event.
    Event(SignalingEvent),
}
