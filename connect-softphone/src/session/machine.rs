//! [`SoftphoneMachine`]: every call session (§7) and peer connection of one softphone, with
//! their signaling machines; sans-IO, told the time, returning [`Action`]s.

use std::collections::{BTreeMap, VecDeque};

use connect_core::model::{IceServer, Timestamp};
use connect_core::time::SplitMix64;

use super::config::SoftphoneConfig;
use super::reason::{EndReason, FailureReason};
use super::records::{Call, Pc};
use super::types::{
    Action, CallStart, CredentialPurpose, IceConnectionState, MicrophoneFailure, PcId,
    SessionEvent, SessionState,
};
use crate::signaling::proto::IceCandidate;

/// The softphone's sessions as one sans-IO machine.
///
/// The driver feeds it what happens (calls starting and ending, media-engine results, signaling
/// traffic, the time) and carries out the [`Action`]s it returns from
/// [`poll_action`](Self::poll_action), calling [`tick`](Self::tick) at
/// [`poll_timeout`](Self::poll_timeout).
///
/// ```
/// use connect_core::model::{Sensitive, Timestamp};
/// use connect_softphone::session::*;
///
/// let t0 = Timestamp::from_millis(0);
/// let mut config = SoftphoneConfig::new("browser-1", "client-1");
/// config.cross_region_check = false;
/// let mut m = SoftphoneMachine::new(config);
/// let cfg = r#"{"iceServers":[{"urls":["turn:127.0.0.1:3478"]}],"useWebSocketProvider":true}"#;
/// m.start_call(t0, CallStart::new("ac-1", "c-1", Some(Sensitive::new("cct")), Some(Sensitive::new(cfg))));
/// assert_eq!(m.call_state("ac-1"), Some(SessionState::GrabLocalMedia));
/// let mut saw_mic = false;
/// while let Some(action) = m.poll_action() {
///     saw_mic |= matches!(action, Action::OpenMicrophone { .. });
/// }
/// assert!(saw_mic);
/// m.hangup(t0, "ac-1");
/// assert_eq!(m.call_state("ac-1"), None); // ended
/// ```
#[derive(Debug)]
pub struct SoftphoneMachine {
    pub(super) config: SoftphoneConfig,
    pub(super) pcs: BTreeMap<PcId, Pc>,
    pub(super) calls: BTreeMap<String, Call>,
    pub(super) out: VecDeque<Action>,
    pub(super) next_pc: u64,
    pub(super) rng: SplitMix64,
    /// Whether the CCP socket is connected with `aws/softphone` subscribed.
    pub(super) multiplexed_up: bool,
    pub(super) unrouted: u64,
    pub(super) malformed: u64,
}

impl SoftphoneMachine {
    /// A softphone with no call.
    pub fn new(config: SoftphoneConfig) -> Self {
        Self {
            rng: SplitMix64::new(config.seed ^ 0x5EED),
            config,
            pcs: BTreeMap::new(),
            calls: BTreeMap::new(),
            out: VecDeque::new(),
            next_pc: 1,
            multiplexed_up: false,
            unrouted: 0,
            malformed: 0,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &SoftphoneConfig {
        &self.config
    }

    /// The state of a live call (`None` once it ended).
    pub fn call_state(&self, connection_id: &str) -> Option<SessionState> {
        self.calls.get(connection_id).map(|c| c.state)
    }

    /// The PC carrying a live call.
    pub fn call_pc(&self, connection_id: &str) -> Option<PcId> {
        self.calls.get(connection_id).map(|c| c.pc)
    }

    /// Live calls.
    pub fn calls(&self) -> impl Iterator<Item = &str> {
        self.calls.keys().map(String::as_str)
    }

    /// Open peer connections.
    pub fn peer_connections(&self) -> impl Iterator<Item = PcId> + '_ {
        self.pcs.keys().copied()
    }

    /// The signaling machine of a PC (for observation).
    pub fn signaling(&self, pc: PcId) -> Option<&crate::signaling::SignalingMachine> {
        self.pcs.get(&pc)?.signaling.as_ref()
    }

    /// The signaling state of a PC (for observation).
    pub fn signaling_state(&self, pc: PcId) -> Option<&crate::signaling::SignalingState> {
        self.signaling(pc).map(|s| s.state())
    }

    /// Inbound messages for no known call or PC (R2 `unroutedMessages`).
    pub fn unrouted_messages(&self) -> u64 {
        self.unrouted
    }

    /// Inbound messages dropped as malformed.
    pub fn malformed_messages(&self) -> u64 {
        self.malformed
            + self
                .pcs
                .values()
                .filter_map(|pc| pc.signaling.as_ref())
                .map(|s| s.dropped_messages())
                .sum::<u64>()
    }

    /// The next thing to do.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.out.pop_front()
    }

    /// When `tick` must be called next.
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        let calls = self.calls.values().flat_map(Call::timers);
        let pcs = self.pcs.values().flat_map(Pc::timers);
        calls.chain(pcs).min()
    }

    /// A call starts (§2.1). A second start for a live call is ignored.
    pub fn start_call(&mut self, now: Timestamp, start: CallStart) {
        if self.calls.contains_key(&start.connection_id) {
            tracing::debug!(call = %start.connection_id, "call already has a session");
            return;
        }
        self.begin_call(now, start);
    }

    /// The app hangs a call up, or its contact ended (§5.2, R4). Accepts the agent
    /// connection id or the contact id (queued callbacks change the former).
    pub fn hangup(&mut self, now: Timestamp, id: &str) {
        let key = if self.calls.contains_key(id) {
            Some(id.to_owned())
        } else {
            self.calls
                .values()
                .find(|c| c.start.contact_id == id)
                .map(|c| c.id().to_owned())
        };
        match key {
            Some(key) => self.local_hangup(now, &key),
            None => tracing::debug!(%id, "hang-up for no live call"),
        }
    }

    /// Ends every call and peer connection (client shutdown: `bye` on persistent PCs).
    pub fn shutdown(&mut self, now: Timestamp) {
        let calls: Vec<String> = self.calls.keys().cloned().collect();
        for call in calls {
            self.end_call(now, &call, EndReason::PeerConnectionClosed);
        }
        let pcs: Vec<PcId> = self.pcs.keys().copied().collect();
        for pc in pcs {
            self.destroy_pc(now, pc);
        }
    }

    /// The call's microphone source is open.
    pub fn microphone_opened(&mut self, now: Timestamp, call: &str) {
        let Some(c) = self.calls.get_mut(call) else {
            return;
        };
        if c.mic_ready || c.state.is_terminal() {
            return;
        }
        c.mic_ready = true;
        c.gum_deadline = None;
        c.report.gum_time_millis = Some(now.as_millis() - c.setup_mark.as_millis());
        match c.state {
            SessionState::GrabLocalMedia => self.try_create_offer(now, call),
            SessionState::ConnectContact => self.try_talking(now, call),
            _ => {}
        }
    }

    /// The call's microphone could not be opened.
    pub fn microphone_failed(&mut self, now: Timestamp, call: &str, failure: MicrophoneFailure) {
        let reason = match failure {
            MicrophoneFailure::Timeout => FailureReason::GumTimeoutFailure,
            MicrophoneFailure::Other => FailureReason::GumOtherFailure,
        };
        if self.calls.get(call).is_some_and(|c| !c.mic_ready) {
            self.fail_call(now, call, reason);
        }
    }

    /// `CreateTransport` softphone answered (or failed, with its message).
    pub fn credentials_fetched(
        &mut self,
        now: Timestamp,
        pc: PcId,
        purpose: CredentialPurpose,
        result: Result<Vec<IceServer>, String>,
    ) {
        if let Err(message) = &result {
            if crate::signaling::proto::is_connection_limit_breached(message) {
                self.event(SessionEvent::MultipleSoftphoneActiveSessions);
            }
        }
        match purpose {
            CredentialPurpose::CrossRegionProbe => self.probe_answered(now, pc, result.ok()),
            CredentialPurpose::IceRestart => self.restart_credentials(now, pc, result),
        }
    }

    /// The offer (setup or ICE restart) was created, or failed.
    pub fn offer_created(&mut self, now: Timestamp, pc: PcId, result: Result<String, String>) {
        if self.restart_offer(now, pc, &result) {
            return;
        }
        let Some(call) = self.setup_call(pc, SessionState::CreateOffer) else {
            return;
        };
        match result {
            Ok(sdp) => {
                self.set_state(&call, SessionState::SetLocalDescription);
                self.act(Action::SetLocalDescription { pc, sdp });
            }
            Err(error) => {
                tracing::warn!(%error, "create offer failed");
                self.fail_call(now, &call, FailureReason::CreateOfferFailure);
            }
        }
    }

    /// The local description was set (with the SDP as munged and set), or failed.
    pub fn local_description_set(
        &mut self,
        now: Timestamp,
        pc: PcId,
        result: Result<String, String>,
    ) {
        if self.restart_local_description(now, pc, &result) {
            return;
        }
        let Some(call) = self.setup_call(pc, SessionState::SetLocalDescription) else {
            return;
        };
        match result {
            Ok(sdp) => self.connect_and_gather(now, pc, &call, sdp),
            Err(error) => {
                tracing::warn!(%error, "set local description failed");
                self.fail_call(now, &call, FailureReason::SetLocalDescriptionFailure);
            }
        }
    }

    /// Gathering ended (by any rule, R6) with these candidates.
    pub fn gathering_done(&mut self, now: Timestamp, pc: PcId, candidates: Vec<IceCandidate>) {
        if self.restart_gathered(now, pc, &candidates) {
            return;
        }
        let Some(call) = self.setup_call(pc, SessionState::ConnectSignalingAndIceCollection) else {
            return;
        };
        let Some(p) = self.pcs.get_mut(&pc) else {
            return;
        };
        if p.candidates.is_some() {
            return;
        }
        p.gather_deadline = None;
        if candidates.is_empty() {
            return self.fail_call(now, &call, FailureReason::IceCollectionTimeout);
        }
        p.candidates = Some(candidates);
        if let Some(c) = self.calls.get_mut(&call) {
            c.report.ice_collection_time_millis = Some(now.as_millis() - c.setup_mark.as_millis());
        }
        self.try_invite(now, &call);
    }

    /// The remote description was set and the candidates added, or it failed.
    pub fn remote_description_set(&mut self, now: Timestamp, pc: PcId, result: Result<(), String>) {
        if self.restart_remote_description(now, pc, &result) {
            return;
        }
        let Some(call) = self.setup_call(pc, SessionState::Accept) else {
            return;
        };
        match result {
            Ok(()) => {
                if let Some(c) = self.calls.get_mut(&call) {
                    c.remote_set = true;
                }
                self.try_talking(now, &call);
            }
            Err(error) => {
                tracing::warn!(%error, "set remote description failed");
                self.fail_call(now, &call, FailureReason::SetRemoteDescriptionFailure);
            }
        }
    }

    /// The PC's ICE connection state changed.
    pub fn ice_state(&mut self, now: Timestamp, pc: PcId, state: IceConnectionState) {
        if matches!(
            state,
            IceConnectionState::Failed | IceConnectionState::Closed
        ) {
            if let Some(p) = self.pcs.get_mut(&pc) {
                p.unhealthy = true;
            }
        }
        let signals = match self.pcs.get_mut(&pc) {
            Some(p) => p.health.ice_state(now, state),
            None => return,
        };
        self.health_signals(now, pc, signals);
    }

    /// An inbound RTP packet arrived on the PC (first-RTP time, silence detection).
    pub fn rtp_received(&mut self, now: Timestamp, pc: PcId) {
        let Some(p) = self.pcs.get_mut(&pc) else {
            return;
        };
        let signals = p.health.rtp(now);
        let calls = p.calls.clone();
        for call in calls {
            if let Some(c) = self.calls.get_mut(&call) {
                if let (Some(since), None) = (c.talking_since, c.report.first_rtp_time_millis) {
                    c.report.first_rtp_time_millis = Some(now.as_millis() - since.as_millis());
                }
            }
        }
        self.health_signals(now, pc, signals);
    }

    /// The host's network changed, or connect-core reported `Transport(Resumed)` (R11):
    /// degraded PCs restart ICE now.
    pub fn network_changed(&mut self, now: Timestamp) {
        let degraded: Vec<PcId> = self
            .pcs
            .values()
            .filter(|p| p.health.state() != super::types::MediaHealth::Connected)
            .map(|p| p.id)
            .collect();
        for pc in degraded {
            self.start_restart(now, pc);
        }
    }

    /// Fires the deadlines that have passed.
    pub fn tick(&mut self, now: Timestamp) {
        self.tick_calls(now);
        let pcs: Vec<PcId> = self.pcs.keys().copied().collect();
        for pc in pcs {
            self.tick_pc(now, pc);
        }
    }

    pub(super) fn act(&mut self, action: Action) {
        self.out.push_back(action);
    }

    pub(super) fn event(&mut self, event: SessionEvent) {
        self.act(Action::Event(event));
    }

    pub(super) fn set_state(&mut self, call: &str, state: SessionState) {
        let Some(c) = self.calls.get_mut(call) else {
            return;
        };
        if c.state == state {
            return;
        }
        c.state = state;
        self.event(SessionEvent::StateChanged {
            call: call.to_owned(),
            state,
        });
    }

    /// The call setting a PC up, if it is in `state`.
    pub(super) fn setup_call(&self, pc: PcId, state: SessionState) -> Option<String> {
        let first = self.pcs.get(&pc)?.calls.first()?;
        self.calls
            .get(first)
            .filter(|c| c.state == state && c.ending.is_none())
            .map(|c| c.id().to_owned())
    }
}
