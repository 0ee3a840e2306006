//! End to end with a real browser as the agent: headless Chromium's own WebRTC stack runs the
//! agent's softphone for one inbound call (`tests/e2e/agent_page.html`, plain JavaScript doing
//! what the CCP's softphone does) against the simulated media service. The page gets the
//! contact's `softphoneMediaInfo` from the simulated instance, signals over the service's
//! direct `/LilyRTC` WebSocket (`invite` → `result` → `accept`, `bye` both ways) and relays its
//! media through a real coturn, relay-only, as the customer leg does. The page plays 1 kHz as
//! the agent's microphone, the customer plays 440 Hz, and each side checks what it hears.
//! `scripts/setup chromium` and `scripts/setup coturn` install the two; without them these
//! tests fail.
#![cfg(feature = "mock")]

mod e2e;

use connect_core::api::{AcceptContactRequest, CtiApi, GetAgentSnapshotRequest};
use connect_core::mock::{AgentSpec, SimInstance, SimServer};
use connect_core::model::{AgentSnapshot, ContactStateType, Sensitive};
use connect_softphone::mock::media_service::{
    CustomerAudio, CustomerScript, MediaServiceEvent, SimMediaService,
};
use connect_softphone::mock::sim_signaling::SeenRequest;
use connect_softphone::signaling::proto::decode_call_config;
use connect_testkit::{first_event, within, HANG_GUARD};
use e2e::chromium::Chromium;
use e2e::coturn::Coturn;
use e2e::listen::recording_hears;
use e2e::page::{PageServer, AGENT_PAGE};
use serde_json::{json, Value};
use tokio::sync::broadcast;

/// The agent's microphone in the browser.
const AGENT_TONE: f64 = 1_000.0;
/// The customer's prompt.
const CUSTOMER_TONE: f64 = 440.0;
/// coturn's `static-auth-secret`, shared with the media service and the instance.
const SECRET: &str = "e2e-chromium-signaling-secret";

/// One inbound call: the simulated instance and media service relaying through coturn, and the
/// Chromium page as the agent's softphone.
struct Call {
    contact_id: String,
    call_context_token: String,
    /// The TURN user name the instance issued to the agent in `callConfigJson`.
    page_turn_user: String,
    page: PageServer,
    media: SimMediaService,
    sim: SimInstance,
    customer: broadcast::Receiver<MediaServiceEvent>,
    coturn: Coturn,
    // Dropped last: the browser, then the servers.
    _browser: Chromium,
    _server: SimServer,
}

impl Call {
    /// Starts coturn, the media service, the instance; rings the agent and opens the page on
    /// the agent connection's softphone parameters.
    async fn start() -> Call {
        let coturn = Coturn::start(SECRET).await;
        let media = SimMediaService::builder()
            .secret(SECRET)
            .external_turn(vec![coturn.url()])
            .direct_signaling()
            .start()
            .await
            .expect("media service");
        media.set_script(CustomerScript::default().audio(CustomerAudio::Tone {
            freq_hz: CUSTOMER_TONE,
            level_dbfs: -12.0,
        }));
        let sim = SimInstance::builder()
            .agent(AgentSpec::new("agent1"))
            .turn(media.turn_config())
            .build()
            .expect("sim instance");
        let server = SimServer::builder(sim.clone())
            .insecure_ws(true)
            .start()
            .await
            .expect("sim server");
        media.attach(&sim, &server);
        let customer = media.subscribe();

        let contact_id = sim
            .control()
            .enqueue_voice("+15555550123")
            .expect("the call is enqueued");
        let (call_config_json, call_context_token) = softphone_media_info(&sim, &contact_id).await;
        let config = decode_call_config(call_config_json.expose()).expect("callConfigJson");
        assert_eq!(
            config.use_web_socket_provider,
            Some(false),
            "direct signaling"
        );
        let page_turn_user = config
            .ice_servers
            .first()
            .and_then(|server| server.username.clone())
            .expect("a TURN user name for the agent");
        let page = PageServer::serve(AGENT_PAGE).await;
        page.send(json!({
            "type": "call",
            "contactId": contact_id,
            "callContextToken": call_context_token.expose(),
            "callConfigJson": call_config_json.expose(),
            "browserId": "e2e-browser",
            "sendHz": AGENT_TONE,
            "listenHz": CUSTOMER_TONE,
        }));
        let browser = Chromium::open(&page.url());
        Call {
            contact_id,
            call_context_token: call_context_token.expose().to_owned(),
            page_turn_user,
            page,
            media,
            sim,
            customer,
            coturn,
            _browser: browser,
            _server: server,
        }
    }

    /// Waits until the page is talking and its media is up; checks the signaling it sent and
    /// that both legs relay through coturn. The agent then accepts the contact over CTI.
    async fn until_media(&mut self) {
        let talking = self.page.recv_type("talking").await;
        eprintln!("the page is talking: {talking}");
        assert_eq!(talking["acceptAcknowledged"], true, "{talking}");
        let pc_id = talking["peerConnectionId"]
            .as_str()
            .expect("an allowlisted peer connection");
        for side in ["localCandidates", "remoteCandidates"] {
            let candidates = talking[side].as_array().expect("candidate list");
            assert!(!candidates.is_empty(), "{side}: {talking}");
            for candidate in candidates {
                let line = candidate["candidate"].as_str().unwrap_or_default();
                assert!(
                    self.coturn.relays(line),
                    "{side}: a relay candidate on a coturn relay address: {line}"
                );
            }
        }
        self.check_setup_signaling(pc_id, &talking["localCandidates"]);

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
        let contact = self.contact_id.clone();
        self.until_customer(
            "first audio from the page",
            |e| matches!(e, MediaServiceEvent::FirstAudio { contact_id } if *contact_id == contact),
        )
        .await;
        self.sim
            .client("agent1")
            .expect("agent client")
            .accept_contact(AcceptContactRequest::new(self.contact_id.as_str()))
            .await
            .expect("the agent accepts over CTI");
        until_contact_state(&self.sim, &self.contact_id, ContactStateType::Connected).await;
    }

    /// What the service received while the call was set up: a direct socket opened with the
    /// call id and contact token, then `invite` and `accept` in full form.
    fn check_setup_signaling(&self, pc_id: &str, candidates: &Value) {
        let journal = self.media.signaling().journal();
        let of = |method: &str| -> SeenRequest {
            journal
                .iter()
                .find(|r| r.method == method)
                .cloned()
                .unwrap_or_else(|| panic!("no {method} in {journal:?}"))
        };
        let connect = of("connect");
        assert_eq!(connect.connection_id, self.contact_id);
        assert_eq!(connect.params["auth"], "contactCtx");
        let invite = of("invite");
        assert_eq!(invite.connection_id, self.contact_id);
        let p = &invite.params;
        assert_eq!(p["contactId"], self.contact_id.as_str());
        assert_eq!(p["callContextToken"], self.call_context_token.as_str());
        assert_eq!(p["browserId"], "e2e-browser");
        assert_eq!(p["candidates"], *candidates);
        assert_eq!(
            (&p["iceRestart"], &p["persistentConnection"]),
            (&json!(false), &json!(false))
        );
        assert!(p["peerConnectionId"].is_null() && p["peerConnectionToken"].is_null());
        let sdp = p["sdp"].as_str().expect("offer sdp");
        assert!(
            sdp.contains("useinbandfec=1")
                && sdp.contains("usedtx=0")
                && sdp.contains("minptime=20"),
            "the offer is munged: {sdp}"
        );
        assert!(sdp.trim_end().ends_with("a=maxptime:20"), "{sdp}");
        let accept = of("accept");
        assert_eq!(accept.params["contactId"], self.contact_id.as_str());
        assert_eq!(accept.params["peerConnectionId"], pc_id);
        assert!(accept.params["peerConnectionToken"].is_string());
    }

    /// The customer hears the page's tone and the page hears the customer's; neither relay
    /// allocation came from the embedded TURN server.
    async fn check_audio_both_ways(&mut self) {
        let recording = self
            .media
            .recording(&self.contact_id)
            .expect("customer recording");
        recording_hears(
            &recording,
            AGENT_TONE,
            CUSTOMER_TONE,
            "the customer hears Chromium's microphone",
        )
        .await;
        self.page
            .hears(CUSTOMER_TONE, "Chromium hears the customer's prompt")
            .await;
        assert_eq!(
            self.media.turn().stats().allocations,
            0,
            "the embedded TURN server is unused"
        );
        let allocations = self.coturn.allocations();
        eprintln!("coturn's allocations:\n{}", allocations.join("\n"));
        let customer_user = format!(":customer-{}>", self.contact_id);
        let page_user = format!("<{}>", self.page_turn_user);
        for (who, user) in [("the customer", customer_user), ("Chromium", page_user)] {
            assert!(
                allocations.iter().any(|l| l.contains(&user)),
                "coturn allocated {who}'s relay:\n{}",
                self.coturn.log()
            );
        }
    }

    /// The next customer-side event matching `f`.
    async fn until_customer(&mut self, what: &str, f: impl Fn(&MediaServiceEvent) -> bool) {
        first_event!(
            self.customer,
            |e| f(e).then_some(()),
            format!("customer {what}")
        )
    }

    /// Waits for the customer leg to close; no leg is left.
    async fn until_leg_closed(&mut self) {
        let contact = self.contact_id.clone();
        self.until_customer(
            "leg closed",
            |e| matches!(e, MediaServiceEvent::LegClosed { contact_id } if *contact_id == contact),
        )
        .await;
        assert_eq!(self.media.live_legs(), 0);
    }

    async fn stop(self) {
        self.media.stop().await;
    }
}

/// The agent's snapshot now.
async fn snapshot(sim: &SimInstance) -> AgentSnapshot {
    sim.client("agent1")
        .expect("agent client")
        .get_agent_snapshot(GetAgentSnapshotRequest::default())
        .await
        .expect("agent snapshot")
        .snapshot
}

/// Long-polls the agent's snapshots until `contact_id` is in state `kind`.
async fn until_contact_state(sim: &SimInstance, contact_id: &str, kind: ContactStateType) {
    let api = sim.client("agent1").expect("agent client");
    let wait = async {
        let mut token = None;
        loop {
            let response = api
                .get_agent_snapshot(GetAgentSnapshotRequest::long_poll(token, HANG_GUARD))
                .await
                .expect("agent snapshot");
            let contact = response.snapshot.contact(contact_id);
            if contact.is_some_and(|c| c.state.kind == kind) {
                return;
            }
            token = Some(response.next_token);
        }
    };
    within(&format!("contact {contact_id} {kind:?}"), wait).await;
}

/// The agent connection's `callConfigJson` (as the snapshot carries it, HTML-escaped) and
/// `callContextToken` for `contact_id`.
async fn softphone_media_info(sim: &SimInstance, contact_id: &str) -> (Sensitive, Sensitive) {
    let snapshot = snapshot(sim).await;
    let contact = snapshot
        .contact(contact_id)
        .expect("the call rings the agent");
    let info = contact
        .connections
        .iter()
        .find_map(|c| c.softphone_media_info.clone())
        .expect("the agent connection has softphone media");
    (
        info.call_config_json.expect("callConfigJson"),
        info.call_context_token.expect("callContextToken"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_as_the_agent_calls_through_coturn_and_hangs_up_with_bye() {
    let mut call = Call::start().await;
    call.until_media().await;
    call.check_audio_both_ways().await;

    call.page.send(json!({"type": "hangup"}));
    let ended = call.page.recv_type("ended").await;
    eprintln!("the page ended the call: {ended}");
    assert_eq!(ended["by"], "local", "{ended}");
    assert_eq!(ended["byeAcknowledged"], true, "the service answers bye");
    call.until_leg_closed().await;
    let journal = call.media.signaling().journal();
    let bye = journal
        .iter()
        .find(|r| r.method == "bye")
        .expect("the page sent bye");
    assert_eq!(bye.connection_id, call.contact_id);
    assert_eq!(bye.params["contactId"], call.contact_id.as_str());
    assert_eq!(
        bye.params["callContextToken"],
        call.call_context_token.as_str()
    );
    assert!(bye.params["peerConnectionId"].is_string(), "{bye:?}");
    call.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_customer_hangs_up_and_chromium_gets_bye() {
    let mut call = Call::start().await;
    call.until_media().await;

    let mut seen = call.media.signaling().watch();
    assert!(call.media.customer_hangs_up(&call.contact_id).await);
    let ended = call.page.recv_type("ended").await;
    eprintln!("the page ended the call: {ended}");
    assert_eq!(ended["by"], "remote", "{ended}");
    let bye_id = ended["byeId"].clone();
    assert!(bye_id.is_string(), "the server bye carries an id: {ended}");
    call.until_leg_closed().await;
    // The page answered the server's bye with result{} and the same id.
    let response = first_event!(
        seen,
        |r: &SeenRequest| {
            (r.method == "response" && r.params["id"] == bye_id).then(|| r.clone())
        },
        "the page answers the server's bye"
    );
    assert_eq!(response.params["result"], json!({}), "{response:?}");
    assert_eq!(response.connection_id, call.contact_id);
    assert!(
        !call
            .media
            .signaling()
            .journal()
            .iter()
            .any(|r| r.method == "bye"),
        "the page does not send a bye of its own after the server's"
    );
    until_contact_state(&call.sim, &call.contact_id, ContactStateType::Ended).await;
    call.stop().await;
}
