//! The manager's task: owns the session machine, the peers and the signaling channels, and
//! feeds the machine everything that happens (agent events, signaling traffic, media events,
//! results of media operations, the time).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use connect_core::api::CtiApi;
use connect_core::events::{AgentEvent, Events, HealthEvent, TransportEvent as CoreTransport};
use connect_core::model::{AgentSnapshot, Timestamp};
use connect_core::time::Clock;
use connect_core::ws::WsConnector;
use tokio::sync::{broadcast, mpsc, oneshot};

use super::event::SoftphoneEvent;
use super::handle::CallSummary;
use super::peers::{PcMedia, PeerInput};
use super::quality::{Quality, Reading};
use super::trigger::Trigger;
use super::types::{CallInfo, SinkFactory, SourceFactory};
use super::warm::Prewarmed;
use super::SoftphoneManagerError;
use crate::audio::AudioSource;
use crate::media::{MediaEngine, MediaPeer, PeerConfig};
use crate::session::{PcId, SoftphoneMachine};
use crate::signaling::proto::SOFTPHONE_TOPIC;
use crate::signaling::transport::{
    DirectTransport, MultiplexedTransport, SignalingTransport, TransportEvent, TransportEvents,
};

/// A reply channel.
pub(super) type Reply<T> = oneshot::Sender<T>;

/// What the handle asks of the driver.
pub(super) enum Command {
    HangUp {
        contact_id: String,
        reply: Reply<Result<(), SoftphoneManagerError>>,
    },
    SetMuted {
        contact_id: String,
        muted: bool,
        reply: Reply<Result<(), SoftphoneManagerError>>,
    },
    Peer {
        contact_id: String,
        reply: Reply<Result<Arc<dyn MediaPeer>, SoftphoneManagerError>>,
    },
    Calls {
        reply: Reply<Vec<CallSummary>>,
    },
    SetMicrophone {
        factory: SourceFactory,
        reply: Reply<()>,
    },
    Prewarm {
        reply: Reply<Result<Vec<String>, SoftphoneManagerError>>,
    },
    ReleaseIdle {
        reply: Reply<Result<usize, SoftphoneManagerError>>,
    },
    Shutdown {
        reply: Reply<()>,
    },
}

/// What the driver's own tasks report back.
pub(super) enum Input {
    /// A media operation finished or a peer reported something.
    Peer(PcId, PeerInput),
    /// `CreateTransport` softphone answered.
    Credentials {
        pc: PcId,
        purpose: crate::session::CredentialPurpose,
        result: Result<Vec<connect_core::model::IceServer>, String>,
    },
    /// A direct signaling socket opened (or failed to).
    DirectOpened {
        pc: PcId,
        result: Result<(DirectTransport, TransportEvents), String>,
    },
    /// News from a direct signaling socket.
    Direct(PcId, TransportEvent),
    /// Pre-warmed TURN credentials arrived (`SoftphoneManager::prewarm`).
    Prewarmed(Vec<connect_core::model::IceServer>),
    /// The media counters of the sampled calls, read at `at`.
    Stats {
        at: Timestamp,
        readings: Vec<Reading>,
    },
}

/// One call the manager follows.
pub(super) struct CallRecord {
    pub(super) info: CallInfo,
    /// The microphone, between `OpenMicrophone` and the peer taking it.
    pub(super) source: Option<Box<dyn AudioSource>>,
    pub(super) muted: bool,
    pub(super) pc: Option<PcId>,
    /// `SessionConnected` was reported.
    pub(super) connected: bool,
}

/// Everything the driver owns.
pub(super) struct Driver {
    pub(super) machine: SoftphoneMachine,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) api: Arc<dyn CtiApi>,
    pub(super) engine: Arc<dyn MediaEngine>,
    pub(super) peer_template: PeerConfig,
    pub(super) mux: MultiplexedTransport,
    pub(super) direct: HashMap<PcId, DirectTransport>,
    pub(super) connector: Arc<dyn WsConnector>,
    pub(super) sources: SourceFactory,
    pub(super) sinks: SinkFactory,
    pub(super) trigger: Trigger,
    /// Calls by agent connection id.
    pub(super) calls: BTreeMap<String, CallRecord>,
    pub(super) pcs: HashMap<PcId, PcMedia>,
    pub(super) inputs: mpsc::UnboundedSender<Input>,
    pub(super) events: broadcast::Sender<SoftphoneEvent>,
    /// Call-quality sampling of the talking calls.
    pub(super) quality: Quality,
    /// TURN credentials fetched ahead of the next call.
    pub(super) prewarmed: Option<Prewarmed>,
}

/// The streams the driver reads.
pub(super) struct Streams {
    pub(super) commands: mpsc::UnboundedReceiver<Command>,
    pub(super) inputs: mpsc::UnboundedReceiver<Input>,
    pub(super) agent: Events,
    pub(super) signaling: TransportEvents,
    /// The session's snapshot when the manager attached (contacts may already ring).
    pub(super) initial: Option<Arc<AgentSnapshot>>,
}

impl Driver {
    pub(super) fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub(super) fn emit(&self, event: SoftphoneEvent) {
        let _ = self.events.send(event);
    }

    /// Runs until shut down, the last handle is dropped, or the agent session stops.
    pub(super) async fn run(mut self, mut streams: Streams) {
        if let Some(snapshot) = streams.initial.take() {
            let now = self.now();
            self.reconcile(now, &snapshot);
        }
        loop {
            self.carry_out().await;
            let due = match (self.machine.poll_timeout(), self.quality.due()) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let wait =
                due.map(|at| Duration::from_millis(at.millis_since(self.now()).max(0) as u64));
            let clock = Arc::clone(&self.clock);
            let timer = async move {
                match wait {
                    Some(wait) => clock.sleep(wait).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                command = streams.commands.recv() => match command {
                    Some(Command::Shutdown { reply }) => {
                        self.stop().await;
                        let _ = reply.send(());
                        return;
                    }
                    Some(command) => self.command(command),
                    None => break,
                },
                Some(input) = streams.inputs.recv() => self.input(input),
                event = streams.agent.recv() => match event {
                    Some(event) => self.agent_event(&event),
                    None => break,
                },
                Some(event) = streams.signaling.recv() => self.signaling_event(None, event),
                () = timer => {
                    let now = self.now();
                    if self.quality.due().is_some_and(|at| at <= now) {
                        self.read_stats(now);
                    }
                    self.machine.tick(now);
                }
            }
        }
        self.stop().await;
    }

    /// Ends every call (`bye` goes out, nobody waits for it) and closes every peer.
    async fn stop(&mut self) {
        let now = self.now();
        self.machine.shutdown(now);
        self.carry_out().await;
        for (_, media) in self.pcs.drain() {
            media.close();
        }
        for (_, socket) in self.direct.drain() {
            socket.close().await;
        }
        self.mux.close().await;
        tracing::info!("softphone manager stopped");
    }

    fn command(&mut self, command: Command) {
        let now = self.now();
        match command {
            Command::HangUp { contact_id, reply } => {
                let result = self.call_of(&contact_id).map(|_| ());
                if result.is_ok() {
                    self.machine.hangup(now, &contact_id);
                }
                let _ = reply.send(result);
            }
            Command::SetMuted {
                contact_id,
                muted,
                reply,
            } => {
                let _ = reply.send(self.set_muted(&contact_id, muted));
            }
            Command::Peer { contact_id, reply } => {
                let peer = self.call_of(&contact_id).and_then(|connection| {
                    self.calls
                        .get(&connection)
                        .and_then(|c| c.pc)
                        .and_then(|pc| self.pcs.get(&pc))
                        .and_then(|m| m.peer.clone())
                        .ok_or(SoftphoneManagerError::NoMedia { contact_id })
                });
                let _ = reply.send(peer);
            }
            Command::Calls { reply } => {
                let calls = self
                    .calls
                    .iter()
                    .map(|(connection_id, c)| CallSummary {
                        contact_id: c.info.contact_id.clone(),
                        connection_id: connection_id.clone(),
                        state: self.machine.call_state(connection_id),
                        muted: c.muted,
                    })
                    .collect();
                let _ = reply.send(calls);
            }
            Command::SetMicrophone { factory, reply } => {
                self.set_microphone(factory);
                let _ = reply.send(());
            }
            Command::Prewarm { reply } => self.prewarm(reply),
            Command::ReleaseIdle { reply } => {
                let _ = reply.send(self.release_idle(now));
            }
            Command::Shutdown { .. } => {} // handled by the loop
        }
    }

    /// The agent connection id of the live call of `contact_id`.
    pub(super) fn call_of(&self, contact_id: &str) -> Result<String, SoftphoneManagerError> {
        self.calls
            .iter()
            .find(|(_, c)| c.info.contact_id == contact_id)
            .map(|(id, _)| id.clone())
            .ok_or_else(|| SoftphoneManagerError::NoSuchCall {
                contact_id: contact_id.to_owned(),
            })
    }

    fn input(&mut self, input: Input) {
        let now = self.now();
        match input {
            Input::Peer(pc, input) => self.peer_input(now, pc, input),
            Input::Credentials {
                pc,
                purpose,
                result,
            } => self.machine.credentials_fetched(now, pc, purpose, result),
            Input::DirectOpened { pc, result } => self.direct_opened(now, pc, result),
            Input::Direct(pc, event) => self.signaling_event(Some(pc), event),
            Input::Prewarmed(servers) => self.store_prewarmed(now, servers),
            Input::Stats { at, readings } => self.stats_read(at, readings),
        }
    }

    fn agent_event(&mut self, event: &AgentEvent) {
        let now = self.now();
        match event {
            AgentEvent::Init { snapshot, .. } | AgentEvent::Refresh { snapshot, .. } => {
                self.reconcile(now, snapshot);
            }
            AgentEvent::Resync {
                snapshot: Some(snapshot),
                ..
            } => self.reconcile(now, snapshot),
            AgentEvent::Health(HealthEvent::Transport(transport)) => match transport {
                CoreTransport::Subscribed { topics }
                    if topics.iter().any(|t| t == SOFTPHONE_TOPIC) =>
                {
                    tracing::debug!("aws/softphone subscribed");
                    self.machine.multiplexed_up(now);
                }
                CoreTransport::WebSocketLost { reason } => {
                    self.machine.multiplexed_down(now, reason);
                }
                CoreTransport::Resumed { cause } => {
                    tracing::info!(?cause, "CCP transport resumed: checking media");
                    self.machine.network_changed(now);
                }
                _ => {}
            },
            _ => {}
        }
    }

    /// Starts and ends calls as the snapshot says (§2.1).
    fn reconcile(&mut self, now: Timestamp, snapshot: &AgentSnapshot) {
        let plan = self.trigger.plan(snapshot);
        for contact_id in plan.end {
            if self.call_of(&contact_id).is_ok() {
                tracing::info!(%contact_id, "contact over: hanging the softphone call up");
                self.machine.hangup(now, &contact_id);
            }
        }
        for wanted in plan.start {
            let info = wanted.info.clone();
            tracing::info!(contact_id = %info.contact_id, connection_id = %info.connection_id,
                auto_accept = info.auto_accept, "softphone call starts");
            self.emit(SoftphoneEvent::SessionStarted {
                contact_id: info.contact_id.clone(),
                connection_id: info.connection_id.clone(),
            });
            self.calls.insert(
                info.connection_id.clone(),
                CallRecord {
                    info,
                    source: None,
                    muted: false,
                    pc: None,
                    connected: false,
                },
            );
            self.machine.start_call(now, wanted.call_start());
        }
    }

    /// News from the multiplexed channel (`source` None) or a direct socket.
    fn signaling_event(&mut self, source: Option<PcId>, event: TransportEvent) {
        let now = self.now();
        match (source, event) {
            (_, TransportEvent::Message(envelope)) => {
                if let Err(error) = self.machine.receive_envelope(now, source, &envelope) {
                    tracing::warn!(%error, "softphone signaling message dropped");
                }
            }
            (_, TransportEvent::Malformed(error)) => {
                tracing::debug!(%error, "malformed softphone frame ignored");
            }
            (None, TransportEvent::Opened) => self.machine.multiplexed_up(now),
            (None, TransportEvent::Down { reason }) => self.machine.multiplexed_down(now, &reason),
            (Some(pc), TransportEvent::Opened) => self.machine.channel_opened(now, pc),
            (Some(pc), TransportEvent::Down { reason }) => {
                self.direct.remove(&pc);
                self.machine.channel_down(now, pc, &reason);
            }
            (_, TransportEvent::Resumed) => self.machine.network_changed(now),
        }
    }
}
