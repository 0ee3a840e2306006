//! Shared by the signaling network tests: the simulator with its signaling service, and a
//! small driver that runs the softphone machine over real transports with a stand-in media
//! engine (the media itself is not under test here).

#![allow(dead_code)] // each test file uses a different part

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use connect_core::api::{CreateTransportRequest, CtiApi};
use connect_core::mock::{SimClient, SimInstance, SimServer};
use connect_core::model::{Sensitive, Timestamp};
use connect_core::time::{Clock, SystemClock};
use connect_core::ws::{TungsteniteConnector, WsConnector, WsManager, WsUrlSource};
use connect_softphone::mock::sim_signaling::{Answer, AnswerProvider, Offer, SimSignaling};
use connect_softphone::session::{
    Action, CallStart, CredentialPurpose, PcId, SessionEvent, SessionState, SoftphoneConfig,
    SoftphoneMachine,
};
use connect_softphone::signaling::proto::{api_ice_servers, IceCandidate};
use connect_softphone::signaling::transport::{
    DirectTransport, MultiplexedTransport, SignalingTransport, TransportEvent,
};
use connect_softphone::signaling::ChannelKind;
use connect_testkit::{first_event, within};
use tokio::sync::{mpsc, oneshot, watch};

/// A syntactically valid audio answer (the media is not exercised here).
pub const ANSWER_SDP: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\na=sendrecv\r\n";
const OFFER_SDP: &str = "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n";

/// Answers every offer with [`ANSWER_SDP`] and one relay candidate.
pub struct FixedAnswers;

#[async_trait]
impl AnswerProvider for FixedAnswers {
    async fn answer(&self, _offer: Offer) -> Result<Answer, String> {
        Ok(Answer {
            sdp: ANSWER_SDP.to_owned(),
            candidates: vec![candidate("198.51.100.9")],
        })
    }
}

fn candidate(ip: &str) -> IceCandidate {
    IceCandidate::new(
        format!("candidate:1 1 udp 41885439 {ip} 3478 typ relay raddr 0.0.0.0 rport 0"),
        "0",
        0,
    )
}

/// The simulator: instance, loopback server (plain `ws://`), signaling service, agent client.
pub struct Sim {
    pub instance: SimInstance,
    pub server: SimServer,
    pub signaling: SimSignaling,
    pub client: Arc<SimClient>,
}

impl Sim {
    pub async fn start() -> Self {
        let instance = SimInstance::builder()
            .agents(1)
            .build()
            .expect("sim instance");
        let server = SimServer::builder(instance.clone())
            .insecure_ws(true)
            .start()
            .await
            .expect("sim server");
        let signaling = SimSignaling::new(Arc::new(FixedAnswers));
        signaling.register(&server);
        let login = instance.agent_ids().into_iter().next().expect("one agent");
        let client = Arc::new(instance.client(&login).expect("agent client"));
        Self {
            instance,
            server,
            signaling,
            client,
        }
    }

    /// `callConfigJson` as Connect sends it (`&quot;`-escaped).
    pub fn call_config(endpoint: &str, multiplexed: bool) -> Sensitive {
        let json = serde_json::json!({
            "signalingEndpoint": endpoint,
            "iceServers": [{"urls": ["turn:127.0.0.1:3478?transport=udp"], "username": "1:a", "credential": "pw&x"}],
            "protocol": "LilyRTC/1.0/WSS",
            "useWebSocketProvider": multiplexed,
        });
        Sensitive::new(json.to_string().replace('"', "&quot;"))
    }
}

/// What the driver saw.
#[derive(Debug, Default)]
pub struct Seen {
    pub malformed: usize,
    pub answers_applied: usize,
    pub closed_pcs: usize,
    pub channel_downs: usize,
}

enum Command {
    Start(CallStart),
    Hangup(String),
    Inspect(Box<dyn FnOnce(&SoftphoneMachine) + Send>),
}

/// The softphone machine on a task, over real transports.
pub struct Phone {
    commands: mpsc::UnboundedSender<Command>,
    changes: watch::Receiver<u64>,
    pub events: mpsc::UnboundedReceiver<SessionEvent>,
    pub seen: Arc<Mutex<Seen>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Phone {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Phone {
    /// A phone whose multiplexed channel rides a `WsManager` on the simulator.
    pub async fn connect(sim: &Sim) -> Self {
        let source: Arc<dyn WsUrlSource> = sim.client.clone();
        let (manager, ws_events) = WsManager::builder(source)
            .allow_insecure_loopback(true)
            .connect()
            .await
            .expect("ws manager");
        let (mux, mux_events) = MultiplexedTransport::new(manager);
        mux.follow(ws_events);
        let mut config = SoftphoneConfig::new("browser-1", "client-1");
        config.cross_region_check = false;
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (event_tx, events) = mpsc::unbounded_channel();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let (transport_tx, transport_rx) = mpsc::unbounded_channel();
        let forward = transport_tx.clone();
        let mut mux_events = mux_events;
        tokio::spawn(async move {
            while let Some(event) = mux_events.recv().await {
                if forward.send((None, event)).is_err() {
                    break;
                }
            }
        });
        let driver = Driver {
            machine: SoftphoneMachine::new(config),
            clock: SystemClock::default(),
            mux,
            direct: HashMap::new(),
            transport_tx,
            events: event_tx,
            seen: Arc::clone(&seen),
            client: Arc::clone(&sim.client),
            connector: Arc::new(TungsteniteConnector::default()),
        };
        let (changed, changes) = watch::channel(0);
        let task = tokio::spawn(driver.run(command_rx, transport_rx, changed));
        Self {
            commands,
            changes,
            events,
            seen,
            task,
        }
    }

    pub fn start(&self, call: &str, config: Sensitive) {
        let start = CallStart::new(
            call,
            format!("contact-{call}"),
            Some(Sensitive::new(format!("cct/{call}"))),
            Some(config),
        );
        let _ = self.commands.send(Command::Start(start));
    }

    pub fn hangup(&self, call: &str) {
        let _ = self.commands.send(Command::Hangup(call.to_owned()));
    }

    /// Runs `f` on the machine between two inputs.
    pub async fn inspect<T: Send + 'static>(
        &self,
        f: impl FnOnce(&SoftphoneMachine) -> T + Send + 'static,
    ) -> T {
        let (tx, rx) = oneshot::channel();
        let _ = self.commands.send(Command::Inspect(Box::new(move |m| {
            let _ = tx.send(f(m));
        })));
        rx.await.expect("driver alive")
    }

    /// Waits until `f` holds for the machine and what the driver saw (checked after every
    /// input the driver processes).
    pub async fn wait_for(
        &mut self,
        what: &str,
        f: impl Fn(&SoftphoneMachine, &Seen) -> bool + Send + Sync + 'static,
    ) {
        let f = Arc::new(f);
        let wait = async {
            loop {
                self.changes.borrow_and_update();
                let (check, seen) = (Arc::clone(&f), Arc::clone(&self.seen));
                if self
                    .inspect(move |m| check(m, &seen.lock().expect("seen")))
                    .await
                {
                    return;
                }
                if self.changes.changed().await.is_err() {
                    panic!("driver stopped while waiting for {what}");
                }
            }
        };
        within(what, wait).await;
    }

    /// The next event matching `f` (others are skipped).
    pub async fn until(&mut self, what: &str, f: impl Fn(&SessionEvent) -> bool) -> SessionEvent {
        first_event!(self.events, |e| f(e).then(|| e.clone()), what)
    }

    pub async fn until_talking(&mut self, call: &str) {
        let call = call.to_owned();
        self.until("Talking", move |e| {
            matches!(e, SessionEvent::StateChanged { call: c, state: SessionState::Talking(_) } if *c == call)
        })
        .await;
    }
}

type Tagged = (Option<PcId>, TransportEvent);

struct Driver {
    machine: SoftphoneMachine,
    clock: SystemClock,
    mux: MultiplexedTransport,
    direct: HashMap<PcId, DirectTransport>,
    transport_tx: mpsc::UnboundedSender<Tagged>,
    events: mpsc::UnboundedSender<SessionEvent>,
    seen: Arc<Mutex<Seen>>,
    client: Arc<SimClient>,
    connector: Arc<dyn WsConnector>,
}

impl Driver {
    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    async fn run(
        mut self,
        mut commands: mpsc::UnboundedReceiver<Command>,
        mut transports: mpsc::UnboundedReceiver<Tagged>,
        changed: watch::Sender<u64>,
    ) {
        loop {
            changed.send_modify(|n| *n += 1);
            self.carry_out().await;
            let sleep = match self.machine.poll_timeout() {
                Some(at) => {
                    let wait = (at.as_millis() - self.now().as_millis()).max(0) as u64;
                    tokio::time::sleep(Duration::from_millis(wait))
                }
                None => tokio::time::sleep(Duration::from_secs(3600)),
            };
            tokio::select! {
                command = commands.recv() => match command {
                    Some(Command::Start(start)) => self.machine.start_call(self.now(), start),
                    Some(Command::Hangup(call)) => self.machine.hangup(self.now(), &call),
                    Some(Command::Inspect(f)) => f(&self.machine),
                    None => return,
                },
                Some((source, event)) = transports.recv() => self.transport_event(source, event),
                () = sleep => self.machine.tick(self.now()),
            }
        }
    }

    fn transport_event(&mut self, source: Option<PcId>, event: TransportEvent) {
        let now = self.now();
        match (source, event) {
            (None, TransportEvent::Opened) => self.machine.multiplexed_up(now),
            (None, TransportEvent::Down { reason }) => {
                self.seen.lock().expect("seen").channel_downs += 1;
                self.machine.multiplexed_down(now, &reason);
            }
            (_, TransportEvent::Resumed) => self.machine.network_changed(now),
            (Some(pc), TransportEvent::Opened) => self.machine.channel_opened(now, pc),
            (Some(pc), TransportEvent::Down { reason }) => {
                self.seen.lock().expect("seen").channel_downs += 1;
                self.direct.remove(&pc);
                self.machine.channel_down(now, pc, &reason);
            }
            (source, TransportEvent::Message(envelope)) => {
                if let Err(error) = self.machine.receive_envelope(now, source, &envelope) {
                    tracing::warn!(%error, "dropped");
                    self.seen.lock().expect("seen").malformed += 1;
                }
            }
            (_, TransportEvent::Malformed(_)) => self.seen.lock().expect("seen").malformed += 1,
            (_, other) => tracing::debug!(?other, "transport event"),
        }
    }

    /// Carries out every pending action; the stand-in media engine answers at once.
    async fn carry_out(&mut self) {
        while let Some(action) = self.machine.poll_action() {
            let now = self.now();
            match action {
                Action::OpenMicrophone { call } => self.machine.microphone_opened(now, &call),
                Action::FetchCredentials { pc, purpose, .. } => {
                    let result = self
                        .client
                        .create_transport(CreateTransportRequest::softphone("client-1"))
                        .await
                        .map_err(|e| e.to_string())
                        .map(|r| api_ice_servers(&r).unwrap_or_default());
                    self.machine
                        .credentials_fetched(self.now(), pc, purpose, result);
                    let _ = CredentialPurpose::IceRestart;
                }
                Action::CreateOffer { pc, .. } | Action::RestartIce { pc, .. } => {
                    self.machine
                        .offer_created(now, pc, Ok(OFFER_SDP.to_owned()));
                }
                Action::SetLocalDescription { pc, sdp } => {
                    self.machine.local_description_set(now, pc, Ok(sdp));
                }
                Action::GatherCandidates { pc, .. } => {
                    self.machine
                        .gathering_done(now, pc, vec![candidate("192.0.2.10")]);
                }
                Action::ApplyAnswer {
                    pc,
                    sdp,
                    candidates,
                } => {
                    assert!(sdp.starts_with("v=0") && !candidates.is_empty());
                    self.seen.lock().expect("seen").answers_applied += 1;
                    self.machine.remote_description_set(now, pc, Ok(()));
                }
                Action::ClosePeerConnection { .. } => {
                    self.seen.lock().expect("seen").closed_pcs += 1
                }
                Action::OpenSignaling {
                    pc,
                    endpoint,
                    auth,
                    contact_id,
                    ..
                } => {
                    let endpoint = endpoint.unwrap_or_default();
                    match DirectTransport::connect(
                        Arc::clone(&self.connector),
                        &endpoint,
                        &contact_id,
                        &auth,
                    )
                    .await
                    {
                        Ok((transport, mut events)) => {
                            self.direct.insert(pc, transport);
                            let forward = self.transport_tx.clone();
                            tokio::spawn(async move {
                                while let Some(event) = events.recv().await {
                                    if forward.send((Some(pc), event)).is_err() {
                                        break;
                                    }
                                }
                            });
                        }
                        Err(error) => self.machine.channel_down(now, pc, &error.to_string()),
                    }
                }
                Action::CloseSignaling { pc } => {
                    if let Some(t) = self.direct.remove(&pc) {
                        t.close().await;
                    }
                }
                Action::SendSignal {
                    pc,
                    kind,
                    connection_id,
                    message,
                } => {
                    let sent = match kind {
                        ChannelKind::Multiplexed => {
                            self.mux.send(&connection_id, message).await.is_ok()
                        }
                        _ => match self.direct.get(&pc) {
                            Some(t) => t.send(&connection_id, message).await.is_ok(),
                            None => false,
                        },
                    };
                    if !sent && kind == ChannelKind::Direct {
                        self.machine.channel_down(self.now(), pc, "send failed");
                    }
                }
                Action::Event(event) => {
                    let _ = self.events.send(event);
                }
                _ => {}
            }
        }
    }
}
