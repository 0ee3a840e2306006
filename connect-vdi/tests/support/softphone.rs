//! The whole softphone path over loopback with redirected media: the simulated instance and
//! media service (optionally behind an impairment relay), an agent session over HTTP and
//! WebSocket, and a `SoftphoneManager` whose media engine is the desktop's
//! `RedirectedMediaEngine`.

use std::sync::Arc;

use connect_core::auth::StaticToken;
use connect_core::http::HttpCti;
use connect_core::mock::{AgentSpec, SimInstance, SimServer};
use connect_core::session::AgentSession;
use connect_core::ws::{WsManager, WsUrlSource};
use connect_softphone::audio::{AudioSink, MemorySink};
use connect_softphone::manager::{SoftphoneEvent, SoftphoneEvents, SoftphoneManager};
use connect_softphone::media::{MediaEngine, PeerConfig};
use connect_softphone::mock::impairment::Impairment;
use connect_softphone::mock::media_service::SimMediaService;
use connect_softphone::session::SoftphoneConfig;
use connect_testkit::first_event;
use connect_vdi::RedirectedMediaEngine;

/// A running softphone over a redirected media engine.
pub struct SoftphoneRig {
    pub media: SimMediaService,
    pub sim: SimInstance,
    pub server: SimServer,
    pub session: AgentSession,
    pub softphone: SoftphoneManager,
    pub events: SoftphoneEvents,
    /// What the softphone's desktop-side sink received (nothing, when redirected).
    pub desktop_heard: MemorySink,
}

impl SoftphoneRig {
    /// Starts everything; `impairment` puts the relay in front of the agent's TURN path.
    pub async fn start(
        desktop: RedirectedMediaEngine,
        config: Option<SoftphoneConfig>,
        impairment: Option<Impairment>,
    ) -> Self {
        let mut media = SimMediaService::builder();
        if let Some(impairment) = impairment {
            media = media.impairment(impairment);
        }
        let media = media.start().await.expect("media service");
        let sim = SimInstance::builder()
            .agent(AgentSpec::new("agent1").auto_accept(true))
            .turn(media.turn_config())
            .build()
            .expect("sim instance");
        let server = SimServer::builder(sim.clone())
            .insecure_ws(true)
            .start()
            .await
            .expect("sim server");
        media.attach(&sim, &server);
        let token = sim.issue_token("agent1").expect("token");
        let api = HttpCti::builder(server.url())
            .auth(Arc::new(StaticToken::new(token.auth_token)))
            .build()
            .expect("HTTP CTI client");
        let urls: Arc<dyn WsUrlSource> = Arc::new(api.clone());
        let (websocket, ws_events) = WsManager::builder(urls)
            .allow_insecure_loopback(true)
            .connect()
            .await
            .expect("CCP WebSocket");
        let (session, _agent_events) = AgentSession::builder(api)
            .websocket(websocket, ws_events)
            .connect()
            .await
            .expect("agent session");
        let engine: Arc<dyn MediaEngine> = Arc::new(desktop);
        let desktop_heard = MemorySink::new();
        let sink = desktop_heard.clone();
        let mut builder = SoftphoneManager::builder_shared(session.clone(), engine)
            .sink_factory(move |_| Box::new(sink.clone()) as Box<dyn AudioSink>)
            .peer_config(PeerConfig::loopback());
        if let Some(config) = config {
            builder = builder.config(config);
        }
        let (softphone, events) = builder.connect().await.expect("softphone");
        Self {
            media,
            sim,
            server,
            session,
            softphone,
            events,
            desktop_heard,
        }
    }

    /// A customer calls in; returns the contact id.
    pub fn call_in(&self) -> String {
        self.sim
            .control()
            .enqueue_voice("+15555550123")
            .expect("enqueued")
    }

    /// Waits for the first softphone event matching `pick`; a call that ends first fails.
    pub async fn until<T>(&mut self, mut pick: impl FnMut(&SoftphoneEvent) -> Option<T>) -> T {
        first_event!(self.events, |event| {
            let found = pick(event);
            if let (None, SoftphoneEvent::Ended { reason, .. }) = (&found, event) {
                panic!("call ended early: {reason:?}");
            }
            found
        })
    }

    /// Hangs up from the customer's side and waits for the call's end event.
    pub async fn hang_up(&mut self, contact_id: &str) -> SoftphoneEvent {
        self.sim
            .control()
            .hang_up(contact_id)
            .expect("customer hangs up");
        first_event!(
            self.events,
            |event| {
                matches!(event, SoftphoneEvent::Ended { contact_id: id, .. } if id == contact_id)
                    .then(|| event.clone())
            },
            "call ends"
        )
    }

    /// Stops everything.
    pub async fn stop(self) {
        self.softphone.shutdown().await;
        self.session.shutdown().await;
        self.media.stop().await;
        self.server.shutdown().await;
    }
}
