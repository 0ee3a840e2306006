//! An agent session over the network with its WebSocket and auth provider: the WebSocket
//! killed mid-contact, the server restarted, a token refreshed before it expires, 401s past
//! the budget, and bad input from other clients while a session runs.
#![cfg(all(feature = "mock", feature = "http", feature = "ws"))]

#[path = "support/sim_server.rs"]
#[allow(dead_code)] // shared with tests/sim_server.rs, which uses the rest
mod support;

use std::sync::Arc;
use std::time::Duration;

use connect_core::api::CtiApi;
use connect_core::auth::{
    AuthManager, AuthProvider, FederationCredentials, FederationToken, StaticToken,
};
use connect_core::events::{
    AgentEvent, AuthState, ContactEventKind as K, Events, HealthEvent, LifecycleValidator,
    TransportEvent,
};
use connect_core::http::HttpCti;
use connect_core::mock::{ContactSpec, SimInstance, SimServer};
use connect_core::model::Timestamp;
use connect_core::session::{AgentSession, SessionSettings};
use connect_core::time::{Clock, ManualClock};
use connect_core::ws::{ResumeCause, TopicMessages, WsManager, WsUrlSource};
use serde_json::json;
use support::{plain, sim, token, Call, PATIENCE};
use tokio::io::AsyncWriteExt;

const TOPIC: &str = "aws/test-topic";

/// Quick retries so that outages cost milliseconds, not the CCP's 5 s.
fn quick_settings() -> SessionSettings {
    SessionSettings {
        poll_delay_after_failure: Duration::from_millis(50),
        ..SessionSettings::default()
    }
}

fn http_client(server: &SimServer, auth: Arc<dyn AuthProvider>) -> HttpCti {
    HttpCti::builder(server.url())
        .auth(auth)
        .build()
        .expect("client")
}

/// agent1's session on `server`, with its own WebSocket subscribed to [`TOPIC`].
async fn session_with_websocket(
    server: &SimServer,
    sim: &SimInstance,
) -> (AgentSession, Watch, TopicMessages) {
    let api = http_client(server, Arc::new(StaticToken::new(token(sim, "agent1"))));
    let source: Arc<dyn WsUrlSource> = Arc::new(api.clone());
    let (websocket, websocket_events) = WsManager::builder(source)
        .allow_insecure_loopback(true)
        .connect()
        .await
        .expect("websocket manager starts");
    let messages = websocket.subscribe(TOPIC);
    let (session, events) = AgentSession::builder(api)
        .settings(quick_settings())
        .websocket(websocket, websocket_events)
        .connect()
        .await
        .expect("session connects");
    (session, Watch::new(events), messages)
}

/// The session's events, each checked by a lifecycle validator as it is read.
struct Watch {
    events: Events,
    validator: LifecycleValidator,
}

impl Watch {
    fn new(events: Events) -> Self {
        Self {
            events,
            validator: LifecycleValidator::default(),
        }
    }

    /// The next event matching `want`, with everything seen before it; fails after
    /// [`PATIENCE`].
    async fn until(&mut self, want: impl Fn(&AgentEvent) -> bool) -> Vec<AgentEvent> {
        let mut seen = Vec::new();
        loop {
            let Ok(event) = tokio::time::timeout(PATIENCE, self.events.recv()).await else {
                let seen: Vec<String> = seen.iter().map(summary).collect();
                panic!("no matching event within patience; seen: {seen:#?}");
            };
            let event = event.expect("session still running");
            self.validator.observe(&event);
            let done = want(&event);
            seen.push(event);
            if done {
                return seen;
            }
        }
    }

    /// Waits for `contact_id` to ring, accepts it and waits for it to connect.
    async fn answer(&mut self, session: &AgentSession, contact_id: &str) {
        self.until(is_contact(K::Connecting)).await;
        session
            .contact(contact_id)
            .expect("contact in the snapshot")
            .accept()
            .await
            .expect("accept");
        self.until(is_contact(K::Connected)).await;
    }

    /// Answers `contact_id` once it rings, then [`hang_up_and_clear`](Self::hang_up_and_clear).
    async fn finish_contact(&mut self, session: &AgentSession, contact_id: &str) {
        self.answer(session, contact_id).await;
        self.hang_up_and_clear(session, contact_id).await;
    }

    /// Hangs up and clears a connected `contact_id`, checking every lifecycle event came once.
    async fn hang_up_and_clear(&mut self, session: &AgentSession, contact_id: &str) {
        let contact = || {
            session
                .contact(contact_id)
                .expect("contact in the snapshot")
        };
        contact().hang_up().await.expect("hang up");
        self.until(is_contact(K::Acw)).await;
        contact().clear().await.expect("clear");
        self.until(is_contact(K::Destroyed)).await;
        assert!(
            self.validator.violations().is_empty(),
            "{:?}",
            self.validator.violations()
        );
    }
}

/// One line per event, for failure messages.
fn summary(event: &AgentEvent) -> String {
    match event {
        AgentEvent::Contact(c) => format!("contact {}: {:?}", c.contact_id, c.kind),
        AgentEvent::Refresh { .. } => "refresh".into(),
        other => format!("{other:?}"),
    }
}

/// A voice call from `caller` queued for the agent; returns its contact id.
fn ring(sim: &SimInstance, caller: &str) -> String {
    sim.control()
        .enqueue(ContactSpec::voice(caller))
        .expect("enqueued")
}

/// The next message on the test topic.
async fn next_message(messages: &mut TopicMessages, what: &str) -> serde_json::Value {
    tokio::time::timeout(PATIENCE, messages.recv())
        .await
        .unwrap_or_else(|_| panic!("{what} within patience"))
        .expect("subscription alive")
}

fn is_contact(kind: K) -> impl Fn(&AgentEvent) -> bool {
    move |event| matches!(event, AgentEvent::Contact(c) if c.kind == kind)
}

fn is_transport(want: fn(&TransportEvent) -> bool) -> impl Fn(&AgentEvent) -> bool {
    move |event| matches!(event, AgentEvent::Health(HealthEvent::Transport(t)) if want(t))
}

fn subscribed_to_topic(t: &TransportEvent) -> bool {
    matches!(t, TransportEvent::Subscribed { topics } if topics.iter().any(|x| x == TOPIC))
}

#[tokio::test]
async fn websocket_killed_mid_contact_reconnects_resubscribes_and_loses_nothing() {
    let sim = sim(1);
    let server = plain(sim.clone()).await;
    let (session, mut watch, mut messages) = session_with_websocket(&server, &sim).await;
    watch.until(is_transport(subscribed_to_topic)).await;

    let contact_id = ring(&sim, "+15555550123");
    watch.answer(&session, &contact_id).await;

    assert_eq!(server.kill_websockets(), 1, "the session's socket was open");
    let outage = watch.until(is_transport(subscribed_to_topic)).await;
    let lost = outage.iter().position(is_transport(|t| {
        matches!(t, TransportEvent::WebSocketLost { .. })
    }));
    let gained = outage.iter().position(is_transport(|t| {
        matches!(t, TransportEvent::WebSocketGained)
    }));
    assert!(
        lost < gained && lost.is_some(),
        "lost, then gained: {outage:?}"
    );

    assert_eq!(server.publish("agent1", TOPIC, json!({"n": 1})), 1);
    let message = next_message(&mut messages, "topic message after resubscription").await;
    assert_eq!(message, json!({"n": 1}));

    watch.hang_up_and_clear(&session, &contact_id).await;
    assert_eq!(server.publish("agent1", TOPIC, json!({"n": 2})), 1);
    let next = next_message(&mut messages, "second topic message").await;
    assert_eq!(next, json!({"n": 2}), "the first message came exactly once");
    session.shutdown().await;
}

#[tokio::test]
async fn a_server_restart_mid_contact_is_recovered_without_help() {
    let sim = sim(1);
    let server = plain(sim.clone()).await;
    let (session, mut watch, _messages) = session_with_websocket(&server, &sim).await;
    let contact_id = ring(&sim, "+15555550123");
    watch.answer(&session, &contact_id).await;

    server.restart().await.expect("restarts on the same port");
    let recovery = watch.until(is_transport(subscribed_to_topic)).await;
    assert!(
        recovery.iter().any(is_transport(|t| matches!(
            t,
            TransportEvent::WebSocketLost { .. }
        ))),
        "the restart cut the socket: {recovery:?}"
    );

    watch.hang_up_and_clear(&session, &contact_id).await;
    let next = ring(&sim, "+15555550199");
    watch.finish_contact(&session, &next).await;
    session.shutdown().await;
}

#[tokio::test]
async fn a_token_is_refreshed_before_it_expires_and_no_call_fails() {
    let clock = Arc::new(ManualClock::new(Timestamp::from_millis(1_700_000_000_000)));
    let sim = SimInstance::builder()
        .agents(1)
        .clock(clock.clone())
        .build()
        .expect("simulator");
    let server = plain(sim.clone()).await;
    let issued = sim.issue_token("agent1").expect("token");
    let first_expiry = issued.expires_at;
    let credentials = FederationCredentials {
        access_token: issued.auth_token,
        access_token_expiration: Some(issued.expires_at),
        refresh_token: issued.refresh_token,
        refresh_token_expiration: None,
    };
    let provider = Arc::new(FederationToken::new(credentials).with_clock(clock.clone()));
    let manager = AuthManager::new(provider.clone(), clock.clone());
    tokio::spawn(manager.run());
    let api = http_client(&server, Arc::new(manager.clone()));
    let cti: Arc<dyn CtiApi> = Arc::new(api.clone());
    provider.refresh_via_cti(&cti);
    let (session, events) = AgentSession::builder(api)
        .settings(quick_settings())
        .auth_states(manager.subscribe())
        .connect()
        .await
        .expect("session connects");
    let mut watch = Watch::new(events);

    // 31 minutes before expiry nothing happens; one minute later the proactive refresh runs.
    clock.advance(Duration::from_millis(
        (first_expiry.millis_since(clock.now()) - 31 * 60_000) as u64,
    ));
    clock.advance(Duration::from_secs(60));
    let refreshed = watch.until(|event| {
        matches!(event, AgentEvent::Health(HealthEvent::Auth(AuthState::Valid { expires_at: Some(at) })) if *at > first_expiry)
    })
    .await;
    assert!(
        refreshed.iter().any(|e| matches!(
            e,
            AgentEvent::Health(HealthEvent::Auth(AuthState::Refreshing))
        )),
        "refreshing, then valid with a later expiry: {refreshed:?}"
    );

    // Past the old token's expiry every call still works: a whole contact runs.
    clock.advance(Duration::from_secs(31 * 60));
    let contact_id = ring(&sim, "+15555550123");
    let mut seen = watch.until(is_contact(K::Connecting)).await;
    session
        .contact(&contact_id)
        .expect("offered")
        .accept()
        .await
        .expect("accept with the refreshed token");
    // The simulated customer's side answers on the simulator's (manual) clock.
    clock.advance(Duration::from_secs(10));
    seen.extend(watch.until(is_contact(K::Connected)).await);
    watch.hang_up_and_clear(&session, &contact_id).await;
    let failures: Vec<_> = seen.iter().filter(|event| is_failure(event)).collect();
    assert!(failures.is_empty(), "no call failed: {failures:?}");
    session.shutdown().await;
}

/// A loop error or an auth failure: what a refresh in time must never cause.
fn is_failure(event: &AgentEvent) -> bool {
    matches!(
        event,
        AgentEvent::Health(HealthEvent::LoopError { .. })
            | AgentEvent::Health(HealthEvent::Auth(AuthState::Expired | AuthState::Denied))
    )
}

#[tokio::test]
async fn unauthorized_past_the_budget_is_a_typed_auth_event_and_the_session_comes_back() {
    let sim = sim(1);
    let server = plain(sim.clone()).await;
    let api = http_client(&server, Arc::new(StaticToken::new(token(&sim, "agent1"))));
    let settings = SessionSettings {
        unauthorized_budget: 3,
        ..quick_settings()
    };
    let (session, events) = AgentSession::builder(api)
        .settings(settings)
        .connect()
        .await
        .expect("session connects");
    let mut watch = Watch::new(events);

    sim.faults().revoke_token("agent1").expect("agent exists");
    watch
        .until(|event| {
            matches!(
                event,
                AgentEvent::Health(HealthEvent::Auth(AuthState::Expired))
            )
        })
        .await;

    // The first successful poll after the token is back is a long poll: a new contact ends it.
    sim.faults().restore_token("agent1").expect("agent exists");
    let contact_id = ring(&sim, "+15555550123");
    watch
        .until(|event| {
            matches!(
                event,
                AgentEvent::Health(HealthEvent::Auth(AuthState::Valid { .. }))
            )
        })
        .await;
    watch.finish_contact(&session, &contact_id).await;
    session.shutdown().await;
}

#[tokio::test]
async fn bad_clients_do_not_disturb_a_live_session() {
    let sim = sim(1);
    let server = SimServer::builder(sim.clone())
        .insecure_ws(true)
        .read_timeout(Duration::from_millis(500))
        .start()
        .await
        .expect("server starts");
    let bearer = token(&sim, "agent1");
    let (session, mut watch, _messages) = session_with_websocket(&server, &sim).await;
    let contact_id = ring(&sim, "+15555550123");
    watch.until(is_contact(K::Connecting)).await;

    // A slow client holds a half-sent request open while the others misbehave.
    let mut slow = tokio::net::TcpStream::connect(server.local_addr())
        .await
        .expect("connects");
    slow.write_all(b"POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        .await
        .expect("partial request written");

    let client = reqwest::Client::new();
    let target = "com.amazonaws.services.connect.CustomerControlPlaneService.GetAgentSnapshot";
    let bad: Vec<Vec<u8>> = vec![
        b"{not json".to_vec(),
        br#"{"timeout":"thirty","authentication":{"authToken":5}}"#.to_vec(),
        vec![b'['; 64],
        format!("{{\"pad\":\"{}\"}}", "x".repeat(4 << 20)).into_bytes(),
    ];
    for body in bad {
        let (status, reply) = Call::new(&server, target, Some(&bearer), json!({}))
            .raw(body)
            .send(&client)
            .await;
        assert!(
            (400..500).contains(&status),
            "4xx for bad input, got {status}: {reply}"
        );
        assert!(
            reply.get("__type").is_some() || reply.get("message").is_some(),
            "{reply}"
        );
    }

    session
        .contact(&contact_id)
        .expect("offered")
        .accept()
        .await
        .expect("accept");
    watch.until(is_contact(K::Connected)).await;
    watch.hang_up_and_clear(&session, &contact_id).await;
    drop(slow);
    assert!(server.is_running());
    session.shutdown().await;
}

#[tokio::test]
async fn notify_network_changed_resumes_the_poll_and_rebuilds_the_websocket() {
    let sim = sim(1);
    let server = plain(sim.clone()).await;
    let (session, mut watch, mut messages) = session_with_websocket(&server, &sim).await;
    watch.until(is_transport(subscribed_to_topic)).await;

    session.notify_network_changed();
    watch
        .until(is_transport(|t| {
            matches!(
                t,
                TransportEvent::Resumed {
                    cause: ResumeCause::NetworkChanged
                }
            )
        }))
        .await;
    // The replacement socket was subscribed before it took over (make-before-break); while
    // the old one closes, a message may reach both, and still comes out once.
    for n in 1..=2 {
        assert!(server.publish("agent1", TOPIC, json!({ "n": n })) >= 1);
        let message = next_message(&mut messages, "topic message on the new socket").await;
        assert_eq!(message, json!({ "n": n }), "in order, exactly once");
    }
    let contact_id = ring(&sim, "+15555550123");
    watch.finish_contact(&session, &contact_id).await;
    session.shutdown().await;
}
