//! [`SignalingMachine`]: the §6 state machine, its inputs from the session and the channel,
//! and its timers.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use connect_core::model::{Sensitive, Timestamp};

use super::types::{
    CallLeg, ChannelKind, LegState, Resume, SignalingConfig, SignalingEvent, SignalingOutput,
    SignalingState,
};
use crate::signaling::proto::{
    ClientRequest, DirectAuth, IceCandidate, InviteParams, PeerConnectionRef, RequestIds,
};
use crate::signaling::{RpcMethod, SignalingError};

/// Why a request is pending: it decides what its answer or its deadline does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Purpose {
    /// The call setup handshake (`invite`, `accept`).
    Setup,
    /// An ICE restart (`invite{iceRestart}`, its `accept`).
    IceRestart,
    /// A call on the shared PC (`connectContact`, `disconnectContact`).
    Leg,
    /// Hang-up.
    Bye,
}

/// One request waiting for its answer.
#[derive(Clone, Debug)]
pub(super) struct Pending {
    pub method: RpcMethod,
    pub purpose: Purpose,
    pub connection_id: String,
    pub deadline: Timestamp,
}

/// The signaling machine of one channel (one peer connection), told the time by its caller.
///
/// Feed it the session's requests (`invite`, `hangup`, `connect_contact`, `ice_restart`,
/// `destroy`), the channel's news (`channel_opened`, `channel_down`, `receive`) and the time
/// (`tick` at `poll_timeout`); carry out what `poll_output` returns.
///
/// ```
/// use connect_core::model::Timestamp;
/// use connect_softphone::signaling::*;
///
/// let t0 = Timestamp::from_millis(0);
/// let config = SignalingConfig::new(ChannelKind::Multiplexed, "browser-1");
/// let mut m = SignalingMachine::new(config, CallLeg::new("ac-1", Some("c-1".into()), None), t0);
/// assert!(matches!(m.poll_output(), Some(SignalingOutput::OpenChannel { attempt: 1, .. })));
/// m.channel_opened(t0);
/// assert_eq!(m.state(), &SignalingState::PendingInvite);
/// m.invite(t0, "v=0".into(), vec![]);
/// assert_eq!(m.state(), &SignalingState::PendingAnswer);
/// ```
#[derive(Debug)]
pub struct SignalingMachine {
    pub(super) config: SignalingConfig,
    pub(super) state: SignalingState,
    pub(super) ids: RequestIds,
    pub(super) out: VecDeque<SignalingOutput>,
    pub(super) legs: Vec<(CallLeg, LegState)>,
    pub(super) pc: PeerConnectionRef,
    pub(super) inactivity: Option<Duration>,
    pub(super) client_token: Option<Sensitive>,
    pub(super) channel_up: bool,
    /// Deadline of the state itself (connect, reconnect, inactivity).
    pub(super) deadline: Option<Timestamp>,
    pub(super) attempts: u32,
    pub(super) pending: BTreeMap<String, Pending>,
    /// Acknowledgements whose lenient deadline passed: a later error still applies.
    pub(super) late: BTreeMap<String, Pending>,
    /// The server `bye` to answer (PendingLocalHangup).
    pub(super) server_bye: Option<serde_json::Value>,
    /// `PCBye` arrived while calls remained: tear down without `bye` after the last.
    pub(super) pc_bye_pending: bool,
    pub(super) dropped: u64,
}

impl SignalingMachine {
    /// A machine for the first call `leg` (`contact_id: None` for page-load pre-establishment),
    /// in PendingConnect: its first output opens the channel.
    pub fn new(config: SignalingConfig, leg: CallLeg, now: Timestamp) -> Self {
        let auth = DirectAuth::ContactContext(leg.call_context_token.clone());
        let mut machine = Self {
            ids: RequestIds::new(config.seed),
            deadline: Some(after(now, config.timeouts.connect)),
            config,
            state: SignalingState::PendingConnect,
            out: VecDeque::new(),
            legs: vec![(leg, LegState::Initial)],
            pc: PeerConnectionRef::default(),
            inactivity: None,
            client_token: None,
            channel_up: false,
            attempts: 1,
            pending: BTreeMap::new(),
            late: BTreeMap::new(),
            server_bye: None,
            pc_bye_pending: false,
            dropped: 0,
        };
        machine.output(SignalingOutput::OpenChannel { auth, attempt: 1 });
        machine
    }

    /// The current state.
    pub fn state(&self) -> &SignalingState {
        &self.state
    }

    /// The PC identity from the invite result (null before).
    pub fn peer_connection(&self) -> &PeerConnectionRef {
        &self.pc
    }

    /// Whether this PC persists between calls: the agent flag is on and the PC is allowlisted.
    pub fn is_persistent(&self) -> bool {
        self.config.persistent_connection && self.pc.is_allowlisted()
    }

    /// `inactivityDuration` of the invite result.
    pub fn inactivity_duration(&self) -> Option<Duration> {
        self.inactivity
    }

    /// The last `renewClientToken` value.
    pub fn client_token(&self) -> Option<&Sensitive> {
        self.client_token.as_ref()
    }

    /// Whether the channel is open.
    pub fn is_channel_up(&self) -> bool {
        self.channel_up
    }

    /// The calls on this channel and their states (§5.4).
    pub fn legs(&self) -> impl Iterator<Item = (&CallLeg, LegState)> {
        self.legs.iter().map(|(leg, state)| (leg, *state))
    }

    /// Whether `connection_id` is one of this channel's calls (routing, R2).
    pub fn carries(&self, connection_id: &str) -> bool {
        self.legs
            .iter()
            .any(|(leg, _)| leg.connection_id == connection_id)
    }

    /// Inbound messages dropped as malformed or unclassifiable.
    pub fn dropped_messages(&self) -> u64 {
        self.dropped
    }

    /// The next thing to do.
    pub fn poll_output(&mut self) -> Option<SignalingOutput> {
        self.out.pop_front()
    }

    /// When `tick` must be called next.
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        self.pending
            .values()
            .map(|p| p.deadline)
            .chain(self.deadline)
            .min()
    }

    /// The channel is open (direct socket open; multiplexed: CCP socket up and subscribed).
    pub fn channel_opened(&mut self, now: Timestamp) {
        let _ = now;
        self.channel_up = true;
        match self.state {
            SignalingState::PendingConnect => {
                self.deadline = None;
                self.state = SignalingState::PendingInvite;
                self.event(SignalingEvent::Ready);
            }
            SignalingState::PendingReconnect(resume) => {
                self.state = match resume {
                    Resume::Talking => SignalingState::Talking,
                    Resume::Idle => SignalingState::Idle,
                };
                self.deadline = match resume {
                    Resume::Idle => self.inactivity.map(|d| after(now, d)),
                    Resume::Talking => None,
                };
                self.event(SignalingEvent::ChannelRestored);
            }
            _ => {}
        }
    }

    /// The channel closed, failed to open, or a send could not be written (R5).
    pub fn channel_down(&mut self, now: Timestamp, reason: &str) {
        let was_up = std::mem::replace(&mut self.channel_up, false);
        tracing::info!(state = ?self.state, reason, was_up, "softphone signaling channel down");
        match self.state.clone() {
            SignalingState::PendingConnect => {
                let budget_left = self.deadline.is_some_and(|d| now < d);
                if self.config.kind == ChannelKind::Multiplexed && budget_left {
                    return; // the CCP socket reconnects by itself: wait inside the deadline
                }
                if budget_left && self.attempts < self.config.timeouts.connect_attempts {
                    self.attempts += 1;
                    let auth = DirectAuth::ContactContext(self.first_leg_token());
                    self.output(SignalingOutput::OpenChannel {
                        auth,
                        attempt: self.attempts,
                    });
                } else {
                    self.fail(SignalingError::ChannelDown);
                }
            }
            SignalingState::Talking | SignalingState::Idle => {
                let resume = if self.state == SignalingState::Idle {
                    Resume::Idle
                } else {
                    Resume::Talking
                };
                self.state = SignalingState::PendingReconnect(resume);
                self.deadline = Some(after(now, self.config.timeouts.reconnect));
                self.event(SignalingEvent::ChannelLost);
                let auth = match &self.client_token {
                    Some(token) => DirectAuth::ClientToken(token.clone()),
                    None => DirectAuth::ContactContext(self.first_leg_token()),
                };
                self.output(SignalingOutput::OpenChannel { auth, attempt: 1 });
            }
            SignalingState::PendingRemoteHangup => self.disconnect(Some(false)),
            SignalingState::PendingLocalHangup => self.disconnect(None),
            SignalingState::Disconnected | SignalingState::Failed(_) => {}
            _ => self.fail(SignalingError::ChannelDown),
        }
    }

    /// Sends the call's `invite` (PendingInvite → PendingAnswer). False in any other state.
    pub fn invite(&mut self, now: Timestamp, sdp: String, candidates: Vec<IceCandidate>) -> bool {
        if self.state != SignalingState::PendingInvite {
            tracing::warn!(state = ?self.state, "invite outside PendingInvite ignored");
            return false;
        }
        let Some((leg, state)) = self.legs.first_mut() else {
            return false;
        };
        *state = LegState::Initial;
        let leg = leg.clone();
        let params = InviteParams::call(
            sdp,
            candidates,
            leg.call_context_token.clone(),
            leg.contact_id.clone().unwrap_or_default(),
            self.config.browser_id.clone(),
            self.config.persistent_connection,
        );
        let timeout = self.config.timeouts.answer;
        self.request(
            now,
            ClientRequest::Invite(params),
            Purpose::Setup,
            &leg.connection_id,
            timeout,
        );
        self.state = SignalingState::PendingAnswer;
        true
    }

    /// Sends `invite{iceRestart:true}` on an allowlisted PC while Talking or Idle (§5.5).
    /// False when no restart is possible now.
    pub fn ice_restart(
        &mut self,
        now: Timestamp,
        sdp: String,
        candidates: Vec<IceCandidate>,
    ) -> bool {
        let ready = matches!(self.state, SignalingState::Talking | SignalingState::Idle);
        if !ready || !self.pc.is_allowlisted() || !self.channel_up {
            return false;
        }
        let params = InviteParams::ice_restart(
            sdp,
            candidates,
            self.config.browser_id.clone(),
            self.pc.clone(),
        );
        let connection = self.pc_connection_id();
        let timeout = self.config.timeouts.answer;
        self.request(
            now,
            ClientRequest::Invite(params),
            Purpose::IceRestart,
            &connection,
            timeout,
        );
        true
    }

    /// A new call on this persistent PC (§5.3 step 3, §5.4): `connectContact`. Accepted in
    /// Idle (→ PendingConnectContact) and in Talking (a further call on the shared PC).
    pub fn connect_contact(&mut self, now: Timestamp, leg: CallLeg) -> bool {
        let from_idle = self.state == SignalingState::Idle;
        if !(from_idle || self.state == SignalingState::Talking) || !self.is_persistent() {
            tracing::warn!(state = ?self.state, "connectContact not possible now");
            return false;
        }
        let request = ClientRequest::ConnectContact {
            contact_id: leg.contact_id.clone().unwrap_or_default(),
            persistent_connection: true,
            peer_connection: self.pc.clone(),
            call_context_token: leg.call_context_token.clone(),
        };
        let connection = leg.connection_id.clone();
        self.legs.retain(|(l, _)| l.connection_id != connection);
        self.legs.push((leg, LegState::ConnectContact));
        let timeout = self.config.timeouts.ack;
        self.request(now, request, Purpose::Leg, &connection, timeout);
        if from_idle {
            self.deadline = None;
            self.state = SignalingState::PendingConnectContact;
        }
        true
    }

    /// The session hangs call `connection_id` up (any state, R4, R12).
    pub fn hangup(&mut self, now: Timestamp, connection_id: &str) {
        match self.state.clone() {
            SignalingState::PendingConnect | SignalingState::PendingInvite => {
                self.disconnect(None);
            }
            SignalingState::PendingAnswer
            | SignalingState::PendingAccept
            | SignalingState::PendingAcceptAck => self.send_bye(now, Some(connection_id)),
            SignalingState::PendingConnectContact | SignalingState::Talking => {
                self.end_leg(now, connection_id);
            }
            SignalingState::PendingReconnect(_) => {
                // Channel down: the hang-up is local only ([R12]).
                self.set_leg(connection_id, LegState::Disconnected);
                if !self.is_persistent() || self.pc_bye_pending {
                    self.disconnect(Some(false));
                } else if !self.has_active_legs() {
                    self.state = SignalingState::PendingReconnect(Resume::Idle);
                }
            }
            SignalingState::PendingLocalHangup => {
                if let Some(id) = self.server_bye.take() {
                    let reply =
                        crate::signaling::proto::result_response(&id, serde_json::json!({}));
                    self.send(connection_id, reply);
                }
                self.disconnect(None);
            }
            SignalingState::Failed(_) => {
                // [R12]: still send `bye` (with PPC fields) when possible, without waiting.
                if self.channel_up {
                    let request = self.bye_request(Some(connection_id));
                    let id = self.ids.next_id();
                    self.send(connection_id, request.to_message(&id));
                }
            }
            SignalingState::Idle
            | SignalingState::PendingRemoteHangup
            | SignalingState::Disconnected => {}
        }
    }

    /// Ends the PC itself (inactivity expiry, shutdown, unhealthy PC): `bye` and wait, or a
    /// local end when the channel is down.
    pub fn destroy(&mut self, now: Timestamp) {
        match self.state {
            SignalingState::PendingConnect | SignalingState::PendingInvite => self.disconnect(None),
            SignalingState::PendingRemoteHangup
            | SignalingState::Disconnected
            | SignalingState::Failed(_) => {}
            SignalingState::PendingLocalHangup => {
                let connection = self.pc_connection_id();
                self.hangup(now, &connection);
            }
            SignalingState::PendingReconnect(_) => self.disconnect(Some(false)),
            _ => {
                let active = self
                    .legs
                    .iter()
                    .rev()
                    .find(|(_, s)| !s.is_terminal())
                    .map(|(l, _)| l.connection_id.clone());
                self.send_bye(now, active.as_deref());
            }
        }
    }

    /// Fires the deadlines that have passed.
    pub fn tick(&mut self, now: Timestamp) {
        let expired: Vec<String> = self
            .pending
            .iter()
            .filter(|(_, p)| p.deadline <= now)
            .map(|(id, _)| id.clone())
            .collect();
        for id in expired {
            if let Some(pending) = self.pending.remove(&id) {
                self.expire(now, id, pending);
            }
        }
        if self.deadline.is_some_and(|d| d <= now) {
            self.deadline = None;
            match self.state {
                SignalingState::PendingConnect | SignalingState::PendingReconnect(_) => {
                    self.fail(SignalingError::Timeout);
                }
                SignalingState::Idle => {
                    tracing::info!("persistent peer connection inactive: bye");
                    self.send_bye(now, None);
                }
                _ => {}
            }
        }
    }
}

/// `now + duration`, saturating.
pub(crate) fn after(now: Timestamp, duration: Duration) -> Timestamp {
    now.add_millis(i64::try_from(duration.as_millis()).unwrap_or(i64::MAX))
}
