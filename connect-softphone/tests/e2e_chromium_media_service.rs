//! End to end with a real browser as the media service: the Rust softphone (a
//! `SoftphoneManager` on an `AgentSession` against the simulated instance) calls headless
//! Chromium, whose own WebRTC stack answers in Connect's media service's place
//! (`tests/e2e/service_page.html`). The contact's `callConfigJson` sends the agent to the direct
//! `/LilyRTC` socket of a relay in the test (a page cannot listen for WebSockets), which
//! forwards each JSON-RPC frame unchanged to and from the page: `invite` → `result` → `accept`,
//! then `bye` one way or the other. Both peers relay their media through a real coturn,
//! relay-only. The agent's microphone plays 440 Hz, the page 1 kHz, and each side checks
//! what it hears. `scripts/setup chromium` and `scripts/setup coturn` install the two; without
//! them these tests fail.
#![cfg(feature = "mock")]

mod e2e;
mod softphone_support;

use std::time::Duration;

use connect_core::events::ContactEventKind;
use connect_core::mock::{AgentSpec, SimInstance, SimServer, TurnConfig};
use connect_core::session::AgentSession;
use connect_softphone::audio::{AudioSource, ToneSource};
use connect_softphone::manager::{
    CallRecordings, SoftphoneEvent, SoftphoneEvents, SoftphoneManager,
};
use connect_softphone::media::{PeerConfig, WebRtcEngine};
use connect_softphone::session::EndReason;
use connect_softphone::signaling::proto::decode_call_config;
use connect_testkit::first_event;
use e2e::chromium::Chromium;
use e2e::coturn::Coturn;
use e2e::listen::recording_hears;
use e2e::page::{PageServer, SERVICE_PAGE};
use e2e::relay::{Side, SignalingRelay};
use serde_json::{json, Value};
use softphone_support::{agent_session, until_contact};

/// The agent's microphone.
const AGENT_TONE: f64 = 440.0;
/// What the page plays as the customer.
const SERVICE_TONE: f64 = 1_000.0;
/// coturn's `static-auth-secret`, shared with the instance and the page's credentials.
const SECRET: &str = "e2e-chromium-media-service-secret";
/// The TURN user name of the page's credentials.
const SERVICE_TURN_USER: &str = "media-service";
/// The `inactivityDuration` the page's invite result carries (not persistent).
const INACTIVITY_MS: u64 = 0;

/// One inbound call from the agent's softphone to the Chromium page.
struct Call {
    contact_id: String,
    softphone: SoftphoneManager,
    events: SoftphoneEvents,
    heard: CallRecordings,
    session: AgentSession,
    page: PageServer,
    relay: SignalingRelay,
    coturn: Coturn,
    /// The answering peer connection's id, once the page answered.
    pc_id: Value,
    // Dropped last: the browser, then the servers.
    _browser: Chromium,
    _sim: SimInstance,
    _server: SimServer,
}

impl Call {
    /// Starts coturn, the relay and the page (until its signaling socket is open), then the
    /// instance, the agent's session and softphone; rings the agent.
    async fn start() -> Call {
        let coturn = Coturn::start(SECRET).await;
        let relay = SignalingRelay::start().await;
        let mut page = PageServer::serve(SERVICE_PAGE).await;
        let credentials = coturn.ice_server(SERVICE_TURN_USER, Duration::from_secs(3600));
        page.send(json!({
            "type": "serve",
            "signalingUrl": relay.service_url(),
            "iceServers": [{
                "urls": credentials.urls,
                "username": credentials.username,
                "credential": credentials.credential.expose(),
            }],
            "inactivityDuration": INACTIVITY_MS,
            "sendHz": SERVICE_TONE,
            "listenHz": AGENT_TONE,
        }));
        let browser = Chromium::open(&page.url());
        page.recv_type("ready").await;

        let sim = SimInstance::builder()
            .agent(AgentSpec::new("agent1"))
            .turn(TurnConfig {
                urls: vec![coturn.url()],
                secret: SECRET.to_owned(),
                ttl_secs: 3600,
                signaling_endpoint: relay.endpoint(),
                use_web_socket_provider: false,
            })
            .build()
            .expect("sim instance");
        let server = SimServer::builder(sim.clone())
            .insecure_ws(true)
            .start()
            .await
            .expect("sim server");
        let (session, _agent_events) = agent_session(&sim, &server, "agent1").await;
        let heard = CallRecordings::default();
        let (softphone, events) = SoftphoneManager::builder(session.clone(), WebRtcEngine::new())
            .peer_config(PeerConfig::loopback())
            .source_factory(|_call| {
                Ok(Box::new(ToneSource::new(AGENT_TONE, -12.0)) as Box<dyn AudioSource>)
            })
            .sink_factory(heard.sink_factory())
            .connect()
            .await
            .expect("softphone manager");
        let contact_id = sim
            .control()
            .enqueue_voice("+15555550123")
            .expect("the call is enqueued");
        Call {
            contact_id,
            softphone,
            events,
            heard,
            session,
            page,
            relay,
            coturn,
            pc_id: Value::Null,
            _browser: browser,
            _sim: sim,
            _server: server,
        }
    }

    /// The softphone's next event matching `f`; a failure of the call fails the test.
    async fn until(&mut self, what: &str, f: impl Fn(&SoftphoneEvent) -> bool) -> SoftphoneEvent {
        first_event!(
            self.events,
            |e| match e {
                _ if f(e) => Some(e.clone()),
                SoftphoneEvent::Failed { reason, .. } => {
                    panic!("the call failed waiting for {what}: {reason:?}")
                }
                _ => None,
            },
            what
        )
    }

    /// Waits until the call is talking with media up on both sides; checks the signaling and
    /// that both peers relay through coturn. The agent then accepts the contact over CTI.
    async fn until_media(&mut self) {
        let contact = self.contact_id.clone();
        self.until("SessionConnected", |e| {
            matches!(e, SoftphoneEvent::SessionConnected { contact_id } if *contact_id == contact)
        })
        .await;
        let answered = self.page.recv_type("answered").await;
        eprintln!("the page answered: {answered}");
        for side in ["localCandidates", "remoteCandidates"] {
            let candidates = answered[side].as_array().expect("candidate list");
            assert!(!candidates.is_empty(), "{side}: {answered}");
            for candidate in candidates {
                let line = candidate["candidate"].as_str().unwrap_or_default();
                assert!(
                    self.coturn.relays(line),
                    "{side}: a relay candidate on a coturn relay address: {line}"
                );
            }
        }
        self.pc_id = answered["peerConnectionId"].clone();
        self.check_setup_signaling(&answered).await;
        let accepted = self.page.recv_type("accepted").await;
        assert_eq!(accepted["peerConnectionId"], self.pc_id, "{accepted}");

        let path = self.page.recv_type("media").await;
        eprintln!("Chromium's selected candidate pair: {path}");
        assert_eq!(path["local"]["url"], self.coturn.url(), "{path}");
        for end in ["local", "remote"] {
            assert_eq!(path[end]["candidateType"], "relay", "{path}");
            let port = path[end]["port"].as_u64().expect("candidate port");
            assert!(
                u16::try_from(port).is_ok_and(|p| self.coturn.relay_ports().contains(&p)),
                "{end}: a coturn relay address: {path}"
            );
        }
        self.until(
            "MediaStarted",
            |e| matches!(e, SoftphoneEvent::MediaStarted { contact_id } if *contact_id == contact),
        )
        .await;
        self.accept_until_connected().await;
    }

    /// What crossed the relay while the call was set up: one agent socket opened with the call
    /// id and contact token; `invite` in full form, answered by the page with the answer, its
    /// candidates and the PC identity; `accept` for that PC, acknowledged.
    async fn check_setup_signaling(&self, answered: &Value) {
        let sockets = self.relay.agent_sockets();
        assert_eq!(sockets.len(), 1, "one direct socket");
        assert_eq!(sockets[0].get("callId"), Some(&self.contact_id));
        let token = sockets[0]
            .get("contactCtx")
            .filter(|t| !t.is_empty())
            .expect("the socket carries the call context token");

        let invite = self.relay.request(Side::Agent, "invite").await;
        let p = &invite["params"];
        assert_eq!(p["contactId"], self.contact_id.as_str());
        assert_eq!(p["callContextToken"], token.as_str());
        assert!(p["browserId"].is_string());
        assert_eq!(p["candidates"], answered["remoteCandidates"]);
        assert_eq!(
            (&p["iceRestart"], &p["persistentConnection"]),
            (&json!(false), &json!(false))
        );
        assert!(p["peerConnectionId"].is_null() && p["peerConnectionToken"].is_null());
        let offer = p["sdp"].as_str().expect("offer sdp");
        assert!(
            offer.contains("useinbandfec=1") && offer.contains("minptime=20"),
            "the offer is munged: {offer}"
        );
        let result = &self.relay.response(Side::Service, &invite["id"]).await["result"];
        assert_eq!(result["peerConnectionId"], self.pc_id);
        assert!(result["peerConnectionToken"].is_string(), "{result}");
        assert_eq!(result["inactivityDuration"], INACTIVITY_MS);
        assert_eq!(result["candidates"], answered["localCandidates"]);
        let answer = result["sdp"].as_str().expect("answer sdp");
        assert!(
            answer.contains("opus/48000") && !answer.contains("a=candidate:"),
            "Chrome's answer, its candidates beside it: {answer}"
        );

        let accept = self.relay.request(Side::Agent, "accept").await;
        assert_eq!(accept["params"]["contactId"], self.contact_id.as_str());
        assert_eq!(accept["params"]["peerConnectionId"], self.pc_id);
        assert_eq!(
            accept["params"]["peerConnectionToken"],
            result["peerConnectionToken"]
        );
        let ack = self.relay.response(Side::Service, &accept["id"]).await;
        assert_eq!(ack["result"]["peerConnectionId"], self.pc_id, "{ack}");
    }

    /// The agent accepts the contact over CTI; returns once it is connected.
    async fn accept_until_connected(&self) {
        let mut events = self.session.subscribe();
        self.session
            .contact(&self.contact_id)
            .expect("contact in the snapshot")
            .accept()
            .await
            .expect("the agent accepts over CTI");
        until_contact(&mut events, &self.contact_id, ContactEventKind::Connected).await;
    }

    /// The agent hears the page's tone and the page hears the agent's; coturn allocated a relay
    /// for each of them.
    async fn check_audio_both_ways(&mut self) {
        let recording = self.heard.get(&self.contact_id).expect("the call's sink");
        recording_hears(
            &recording,
            SERVICE_TONE,
            AGENT_TONE,
            "the agent hears Chromium's tone",
        )
        .await;
        self.page
            .hears(AGENT_TONE, "Chromium hears the agent's microphone")
            .await;

        let allocations = self.coturn.allocations();
        eprintln!("coturn's allocations:\n{}", allocations.join("\n"));
        let agent_user = format!("<{}>", self.agent_turn_user());
        let service_user = format!(":{SERVICE_TURN_USER}>");
        for (who, user) in [("the agent", agent_user), ("Chromium", service_user)] {
            assert!(
                allocations.iter().any(|l| l.contains(&user)),
                "coturn allocated {who}'s relay:\n{}",
                self.coturn.log()
            );
        }
    }

    /// The TURN user name the instance issued to the agent in `callConfigJson`.
    fn agent_turn_user(&self) -> String {
        let contact = self
            .session
            .contact(&self.contact_id)
            .and_then(|c| c.data())
            .expect("the contact in the snapshot");
        let info = contact
            .connections
            .iter()
            .find_map(|c| c.softphone_media_info.clone())
            .expect("the agent connection has softphone media");
        let raw = info.call_config_json.expect("callConfigJson");
        let config = decode_call_config(raw.expose()).expect("callConfigJson decodes");
        assert_eq!(
            config.use_web_socket_provider,
            Some(false),
            "direct signaling"
        );
        config
            .ice_servers
            .first()
            .and_then(|server| server.username.clone())
            .expect("a TURN user name for the agent")
    }

    /// Waits for the call to end; returns the reason and whether `bye` was acknowledged. The
    /// softphone then has no call.
    async fn ended(&mut self) -> (EndReason, Option<bool>) {
        let contact = self.contact_id.clone();
        let event = self
            .until(
                "Ended",
                |e| matches!(e, SoftphoneEvent::Ended { contact_id, .. } if *contact_id == contact),
            )
            .await;
        let SoftphoneEvent::Ended { reason, report, .. } = event else {
            unreachable!("until() returns the matching event")
        };
        eprintln!("the softphone ended the call: {reason:?}, {report:?}");
        assert_eq!(report.accept_acknowledged, Some(true), "{report:?}");
        assert!(report.first_rtp_time_millis.is_some(), "{report:?}");
        assert!(self.softphone.calls().await.is_empty());
        (reason, report.bye_acknowledged)
    }

    async fn stop(self) {
        self.softphone.shutdown().await;
        self.session.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_softphone_calls_chromium_as_the_media_service_and_hangs_up_with_bye() {
    let mut call = Call::start().await;
    call.until_media().await;
    call.check_audio_both_ways().await;

    call.session
        .contact(&call.contact_id)
        .expect("contact in the snapshot")
        .hang_up()
        .await
        .expect("the agent hangs up over CTI");
    let ended = call.page.recv_type("ended").await;
    eprintln!("the page ended the call: {ended}");
    assert_eq!(ended["by"], "agent", "{ended}");
    let (reason, bye_acknowledged) = call.ended().await;
    assert_eq!(reason, EndReason::LocalHangup, "the contact ended: bye");
    assert_eq!(bye_acknowledged, Some(true), "the page answers bye");

    let bye = call.relay.request(Side::Agent, "bye").await;
    assert_eq!(bye["id"], ended["byeId"], "{bye}");
    let p = &bye["params"];
    assert_eq!(p["contactId"], call.contact_id.as_str());
    assert_eq!(p["peerConnectionId"], call.pc_id);
    assert!(p["peerConnectionToken"].is_string(), "{bye}");
    let token = call.relay.agent_sockets()[0]
        .get("contactCtx")
        .cloned()
        .expect("the call context token");
    assert_eq!(p["callContextToken"], token.as_str());
    let response = call.relay.response(Side::Service, &bye["id"]).await;
    assert_eq!(response["result"], json!({}), "{response}");
    call.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_as_the_media_service_hangs_up_and_the_softphone_ends_the_call() {
    let mut call = Call::start().await;
    call.until_media().await;

    call.page.send(json!({"type": "hangup"}));
    let (reason, _) = call.ended().await;
    assert_eq!(reason, EndReason::RemoteHangup, "the service's bye");
    let ended = call.page.recv_type("ended").await;
    eprintln!("the page ended the call: {ended}");
    assert_eq!(ended["by"], "service", "{ended}");
    assert_eq!(ended["byeAcknowledged"], true, "the softphone answers bye");

    let bye = call.relay.request(Side::Service, "bye").await;
    assert_eq!(bye["id"], ended["byeId"], "{bye}");
    let response = call.relay.response(Side::Agent, &bye["id"]).await;
    assert_eq!(response["result"], json!({}), "{response}");
    assert!(
        !call
            .relay
            .journal()
            .iter()
            .any(|f| f.from == Side::Agent && f.message["method"] == "bye"),
        "the softphone sends no bye of its own after the service's"
    );
    call.stop().await;
}
