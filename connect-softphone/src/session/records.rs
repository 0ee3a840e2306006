//! What the softphone machine keeps per call and per peer connection.

use connect_core::model::{IceServer, Timestamp};

use super::config::SessionTimeouts;
use super::health::HealthMonitor;
use super::reason::EndReason;
use super::report::SessionReport;
use super::types::{CallStart, PcId, SessionState};
use crate::signaling::proto::{IceCandidate, TransportChoice};
use crate::signaling::{ChannelKind, SignalingMachine};

/// One call (§7).
#[derive(Debug)]
pub(super) struct Call {
    pub start: CallStart,
    pub pc: PcId,
    pub state: SessionState,
    pub report: SessionReport,
    pub started: Timestamp,
    /// gUM deadline while the microphone opens.
    pub gum_deadline: Option<Timestamp>,
    pub mic_requested: bool,
    pub mic_ready: bool,
    /// The contact's ICE servers (`callConfigJson`).
    pub contact_servers: Vec<IceServer>,
    /// Cross-region probe: `Some(deadline)` while it runs.
    pub probe_deadline: Option<Timestamp>,
    /// Its answer (`None`: failed, timed out or not asked).
    pub api_servers: Option<Vec<IceServer>>,
    pub signaling_ready: bool,
    pub remote_set: bool,
    pub handshake: bool,
    pub invite_sent_at: Option<Timestamp>,
    pub setup_mark: Timestamp,
    pub talking_since: Option<Timestamp>,
    /// Hanging up: waiting for signaling before CleanUp.
    pub ending: Option<EndReason>,
}

impl Call {
    pub(super) fn new(start: CallStart, pc: PcId, now: Timestamp) -> Self {
        let report = SessionReport {
            call_start_time: Some(now),
            ..SessionReport::default()
        };
        Self {
            start,
            pc,
            state: SessionState::GrabLocalMedia,
            report,
            started: now,
            gum_deadline: None,
            mic_requested: false,
            mic_ready: false,
            contact_servers: Vec::new(),
            probe_deadline: None,
            api_servers: None,
            signaling_ready: false,
            remote_set: false,
            handshake: false,
            invite_sent_at: None,
            setup_mark: now,
            talking_since: None,
            ending: None,
        }
    }

    pub(super) fn id(&self) -> &str {
        &self.start.connection_id
    }

    pub(super) fn timers(&self) -> impl Iterator<Item = Timestamp> {
        [self.gum_deadline, self.probe_deadline]
            .into_iter()
            .flatten()
    }
}

/// Where an ICE restart stands (§5.5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum RestartStep {
    /// Fetching fresh credentials (`retry_at`: after a failure, with backoff).
    Credentials { retry_at: Option<Timestamp> },
    /// Restart offer being created.
    Offer,
    /// Restart offer being set.
    LocalDescription,
    /// Gathering (8 s).
    Gathering {
        deadline: Timestamp,
        finish_requested: bool,
    },
    /// Restart invite sent.
    Invite,
    /// Waiting 1 s before the next invite.
    RetryWait { until: Timestamp },
    /// Applying the restart answer.
    Answer,
}

/// One ICE restart in progress.
#[derive(Clone, Debug)]
pub(super) struct IceRestart {
    pub step: RestartStep,
    pub started: Timestamp,
    pub fetch_failures: u32,
    pub invite_retries: u32,
    pub sdp: String,
    pub candidates: Vec<IceCandidate>,
}

impl IceRestart {
    pub(super) fn timer(&self) -> Option<Timestamp> {
        match self.step {
            RestartStep::Credentials { retry_at } => retry_at,
            RestartStep::Gathering {
                deadline,
                finish_requested: false,
            } => Some(deadline),
            RestartStep::RetryWait { until } => Some(until),
            _ => None,
        }
    }
}

/// One peer connection and its signaling channel.
#[derive(Debug)]
pub(super) struct Pc {
    pub id: PcId,
    pub kind: ChannelKind,
    pub endpoint: Option<String>,
    /// `callId` of the direct URL (the first call's contact).
    pub contact_id: String,
    pub signaling: Option<SignalingMachine>,
    /// Calls on it, oldest first; the first is its setup call.
    pub calls: Vec<String>,
    pub health: HealthMonitor,
    pub restart: Option<IceRestart>,
    /// ICE failed/closed or signaling failed: destroyed when its last call ends (§5.3.7).
    pub unhealthy: bool,
    pub local_sdp: Option<String>,
    pub candidates: Option<Vec<IceCandidate>>,
    pub gather_deadline: Option<Timestamp>,
    pub finish_requested: bool,
    /// Multiplexed: waiting for the CCP socket before the channel counts as open.
    pub open_wanted: bool,
}

impl Pc {
    pub(super) fn new(
        id: PcId,
        choice: &TransportChoice,
        contact_id: &str,
        t: SessionTimeouts,
    ) -> Self {
        let (kind, endpoint) = match choice {
            TransportChoice::Multiplexed => (ChannelKind::Multiplexed, None),
            TransportChoice::Direct { endpoint } => (ChannelKind::Direct, Some(endpoint.clone())),
        };
        Self {
            id,
            kind,
            endpoint,
            contact_id: contact_id.to_owned(),
            signaling: None,
            calls: Vec::new(),
            health: HealthMonitor::new(t),
            restart: None,
            unhealthy: false,
            local_sdp: None,
            candidates: None,
            gather_deadline: None,
            finish_requested: false,
            open_wanted: false,
        }
    }

    pub(super) fn timers(&self) -> impl Iterator<Item = Timestamp> + '_ {
        let gather = self.gather_deadline.filter(|_| !self.finish_requested);
        let restart = self.restart.as_ref().and_then(IceRestart::timer);
        let signaling = self
            .signaling
            .as_ref()
            .and_then(SignalingMachine::poll_timeout);
        [gather, restart, signaling, self.health.poll_timeout()]
            .into_iter()
            .flatten()
    }
}
