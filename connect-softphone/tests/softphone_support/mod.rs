//! Shared by the softphone tests: the whole simulated stack on loopback (instance, HTTP +
//! WebSocket server, media service with its TURN relay and customer legs), an agent session
//! over `HttpCti` with its CCP WebSocket, and the softphone manager on the WebRTC engine.

#![allow(dead_code)] // each test file uses a different part

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use connect_core::auth::StaticToken;
use connect_core::events::{AgentEvent, ContactEventKind, Events};
use connect_core::http::HttpCti;
use connect_core::mock::{AgentSpec, SimInstance, SimServer};
use connect_core::session::AgentSession;
use connect_core::ws::{WsManager, WsUrlSource};
use connect_softphone::audio::{
    detect_tone, AudioError, AudioFrame, AudioSource, MemorySink, SourceInfo, ToneSource,
};
use connect_softphone::manager::{
    CallRecordings, DtmfMode, SoftphoneEvent, SoftphoneEvents, SoftphoneManager,
};
use connect_softphone::media::{PeerConfig, WebRtcEngine};
use connect_softphone::mock::impairment::Impairment;
use connect_softphone::mock::media_service::{CustomerScript, MediaServiceEvent, SimMediaService};
use connect_softphone::session::SoftphoneConfig;
use connect_testkit::{first_event, within};
use tokio::sync::{broadcast, watch};

/// 20 ms frames per second.
pub const FRAMES_PER_SECOND: usize = 50;

/// The agent's microphone tone.
pub const AGENT_TONE: f64 = 440.0;

/// The customer's tone (the media service's default prompt).
pub const CUSTOMER_TONE: f64 = 1_000.0;

/// How the rig is set up.
#[derive(Clone, Debug)]
pub struct Options {
    pub dtmf_mode: DtmfMode,
    pub script: CustomerScript,
    /// The session machine's configuration (default: the manager's own).
    pub config: Option<SoftphoneConfig>,
    /// A call already rings when the softphone attaches to the session.
    pub ringing_before_attach: bool,
    /// The agent has auto-accept on (the server accepts its contacts).
    pub auto_accept: bool,
    /// Network impairment on the agent's media path (none: the agent uses TURN directly).
    pub impairment: Option<Impairment>,
    /// The seed of the impairment's random draws (none: the service's default).
    pub impairment_seed: Option<u64>,
    /// The agent signals over the direct `/LilyRTC` WebSocket, not `aws/softphone`.
    pub direct_signaling: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            dtmf_mode: DtmfMode::Cti,
            script: CustomerScript::default(),
            config: None,
            ringing_before_attach: false,
            auto_accept: false,
            impairment: None,
            impairment_seed: None,
            direct_signaling: false,
        }
    }
}

/// Counts the agent microphones that are open.
#[derive(Clone)]
pub struct Microphones {
    open: Arc<watch::Sender<usize>>,
    opened: Arc<AtomicUsize>,
}

impl Default for Microphones {
    fn default() -> Self {
        Self {
            open: Arc::new(watch::Sender::new(0)),
            opened: Arc::default(),
        }
    }
}

impl Microphones {
    pub fn open_now(&self) -> usize {
        *self.open.borrow()
    }

    /// Waits until no microphone is open.
    pub async fn wait_closed(&self) {
        let mut open = self.open.subscribe();
        within("microphone released", open.wait_for(|n| *n == 0))
            .await
            .expect("counter alive");
    }

    pub fn opened_total(&self) -> usize {
        self.opened.load(Ordering::SeqCst)
    }
}

/// The agent's microphone: a tone, counted while open.
struct Microphone {
    tone: ToneSource,
    open: Arc<watch::Sender<usize>>,
}

#[async_trait::async_trait]
impl AudioSource for Microphone {
    async fn next_frame(&mut self) -> Result<Option<AudioFrame>, AudioError> {
        self.tone.next_frame().await
    }

    fn info(&self) -> SourceInfo {
        SourceInfo {
            name: "test microphone".into(),
            device_id: Some("mic-1".into()),
            native_rate: 48_000,
        }
    }
}

impl Drop for Microphone {
    fn drop(&mut self) {
        self.open.send_modify(|n| *n -= 1);
    }
}

/// The whole stack.
pub struct Rig {
    pub media: SimMediaService,
    pub sim: SimInstance,
    pub server: SimServer,
    pub session: AgentSession,
    pub softphone: SoftphoneManager,
    pub events: SoftphoneEvents,
    pub customer: broadcast::Receiver<MediaServiceEvent>,
    pub microphones: Microphones,
    /// The call that rang before the softphone attached.
    pub early: Option<String>,
    heard: CallRecordings,
}

impl Rig {
    pub async fn start(options: Options) -> Self {
        let mut media = SimMediaService::builder();
        if let Some(impairment) = options.impairment {
            media = media.impairment(impairment);
        }
        if let Some(seed) = options.impairment_seed {
            media = media.impairment_seed(seed);
        }
        if options.direct_signaling {
            media = media.direct_signaling();
        }
        let media = media.start().await.expect("media service");
        media.set_script(options.script);
        let sim = SimInstance::builder()
            .agent(AgentSpec::new("agent1").auto_accept(options.auto_accept))
            .turn(media.turn_config())
            .build()
            .expect("sim instance");
        let server = SimServer::builder(sim.clone())
            .insecure_ws(true)
            .start()
            .await
            .expect("sim server");
        media.attach(&sim, &server);
        let (session, mut agent_events) = agent_session(&sim, &server, "agent1").await;
        let early = options.ringing_before_attach.then(|| {
            sim.control()
                .enqueue_voice("+15555550199")
                .expect("enqueued")
        });
        if let Some(contact_id) = &early {
            until_contact(&mut agent_events, contact_id, ContactEventKind::Connecting).await;
        }
        let microphones = Microphones::default();
        let heard = CallRecordings::default();
        let mics = microphones.clone();
        let mut builder = SoftphoneManager::builder(session.clone(), WebRtcEngine::new());
        if let Some(config) = options.config {
            builder = builder.config(config);
        }
        let (softphone, events) = builder
            .dtmf_mode(options.dtmf_mode)
            .peer_config(PeerConfig::loopback())
            .source_factory(move |_call| {
                mics.open.send_modify(|n| *n += 1);
                mics.opened.fetch_add(1, Ordering::SeqCst);
                Ok(Box::new(Microphone {
                    tone: ToneSource::new(AGENT_TONE, -12.0),
                    open: Arc::clone(&mics.open),
                }) as Box<dyn AudioSource>)
            })
            .sink_factory(heard.sink_factory())
            .connect()
            .await
            .expect("softphone manager");
        let customer = media.subscribe();
        Self {
            media,
            sim,
            server,
            session,
            softphone,
            events,
            customer,
            microphones,
            early,
            heard,
        }
    }

    /// An inbound call rings the agent; returns its contact id.
    pub fn call_in(&self) -> String {
        self.sim
            .control()
            .enqueue_voice("+15555550123")
            .expect("enqueued")
    }

    /// The agent accepts `contact_id`; returns once the contact is connected.
    pub async fn accept_until_connected(&self, contact_id: &str) {
        let mut events = self.session.subscribe();
        self.session
            .contact(contact_id)
            .expect("contact in the snapshot")
            .accept()
            .await
            .expect("accept");
        until_contact(&mut events, contact_id, ContactEventKind::Connected).await;
    }

    /// What the agent heard on the call of `contact_id`.
    pub fn agent_heard(&self, contact_id: &str) -> MemorySink {
        self.heard.get(contact_id).expect("call has a sink")
    }

    /// The next softphone event matching `f` (others are skipped).
    pub async fn until(
        &mut self,
        what: &str,
        f: impl Fn(&SoftphoneEvent) -> bool,
    ) -> SoftphoneEvent {
        first_event!(self.events, |e| f(e).then(|| e.clone()), what)
    }

    /// The next customer-side event matching `f`.
    pub async fn until_customer(
        &mut self,
        what: &str,
        f: impl Fn(&MediaServiceEvent) -> bool,
    ) -> MediaServiceEvent {
        first_event!(
            self.customer,
            |e| f(e).then(|| e.clone()),
            format!("customer {what}")
        )
    }

    /// Waits for the call of `contact_id` to start; returns its agent connection id.
    pub async fn started(&mut self, contact_id: &str) -> String {
        let id = contact_id.to_owned();
        match self.until("SessionStarted", move |e| matches!(e, SoftphoneEvent::SessionStarted { contact_id, .. } if *contact_id == id)).await {
            SoftphoneEvent::SessionStarted { connection_id, .. } => connection_id,
            other => panic!("{other:?}"),
        }
    }

    /// Waits until audio flows both ways on `contact_id` (the agent's first inbound packet and
    /// the customer's); returns when each side got it, measured from `since`.
    pub async fn media_both_ways(
        &mut self,
        contact_id: &str,
        since: Instant,
    ) -> (Duration, Duration) {
        let (mut agent, mut customer) = (None, None);
        let wait = async {
            while agent.is_none() || customer.is_none() {
                tokio::select! {
                    event = self.events.recv() => match event {
                        Some(SoftphoneEvent::MediaStarted { contact_id: c }) if c == contact_id => agent = Some(since.elapsed()),
                        Some(SoftphoneEvent::Ended { contact_id: c, reason, .. }) if c == contact_id => panic!("call ended during setup: {reason:?}"),
                        Some(_) => {}
                        None => panic!("softphone stopped"),
                    },
                    event = self.customer.recv() => match event {
                        Ok(MediaServiceEvent::FirstAudio { contact_id: c }) if c == contact_id => customer = Some(since.elapsed()),
                        Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => panic!("media service gone"),
                    },
                }
            }
        };
        within("media flows both ways", wait).await;
        (agent.expect("agent side"), customer.expect("customer side"))
    }

    /// Waits for the call of `contact_id` to end; returns the event.
    pub async fn ended(&mut self, contact_id: &str) -> SoftphoneEvent {
        let id = contact_id.to_owned();
        self.until(
            "Ended",
            move |e| matches!(e, SoftphoneEvent::Ended { contact_id, .. } if *contact_id == id),
        )
        .await
    }

    pub async fn stop(self) {
        self.softphone.shutdown().await;
        self.session.shutdown().await;
        self.media.stop().await;
    }
}

/// `agent`'s session on `server`: CTI over HTTP with the agent's token, and the CCP WebSocket.
pub async fn agent_session(
    sim: &SimInstance,
    server: &SimServer,
    agent: &str,
) -> (AgentSession, Events) {
    let token = sim.issue_token(agent).expect("token");
    let api = HttpCti::builder(server.url())
        .auth(Arc::new(StaticToken::new(token.auth_token)))
        .build()
        .expect("HTTP CTI client");
    let source: Arc<dyn WsUrlSource> = Arc::new(api.clone());
    let (websocket, ws_events) = WsManager::builder(source)
        .allow_insecure_loopback(true)
        .connect()
        .await
        .expect("CCP WebSocket");
    AgentSession::builder(api)
        .websocket(websocket, ws_events)
        .connect()
        .await
        .expect("agent session")
}

/// Waits on the agent session's `events` until the contact `contact_id` reaches `kind`.
pub async fn until_contact(events: &mut Events, contact_id: &str, kind: ContactEventKind) {
    first_event!(
        events,
        |e| matches!(e, AgentEvent::Contact(c) if c.contact_id == contact_id && c.kind == kind)
            .then_some(()),
        format!("contact {contact_id} {kind:?}")
    )
}

/// Waits for `count` more samples in `sink` and returns them.
pub async fn next_samples(sink: &MemorySink, count: usize) -> Vec<i16> {
    let from = sink.len_samples();
    within("audio keeps arriving", sink.wait_for_samples(from + count)).await;
    sink.samples()[from..from + count].to_vec()
}

/// Reads `sink` 100 ms at a time until a window satisfies `f`.
pub async fn until_audio(sink: &MemorySink, f: impl Fn(&[i16]) -> bool) {
    let wait = async {
        loop {
            let from = sink.len_samples();
            sink.wait_for_samples(from + 4_800).await;
            if f(&sink.samples()[from..from + 4_800]) {
                return;
            }
        }
    };
    within("the awaited audio arrives", wait).await;
}

/// Whether `freq` dominates these 48 kHz samples at a usable level.
pub fn has_tone(samples: &[i16], freq: f64) -> bool {
    detect_tone(samples, 48_000, freq).is_present(-30.0)
}
