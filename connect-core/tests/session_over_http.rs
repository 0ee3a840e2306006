//! An agent session over real HTTP on loopback: `HttpCti` against `SimServer`.
#![cfg(all(feature = "mock", feature = "http"))]

use std::sync::Arc;

use connect_core::api::CtiMethod;
use connect_core::auth::StaticToken;
use connect_core::events::{AgentEvent, ContactEventKind as K, LifecycleValidator};
use connect_core::http::HttpCti;
use connect_core::mock::{ContactSpec, SimInstance, SimServer};
use connect_core::session::AgentSession;

#[tokio::test]
async fn a_voice_contact_runs_end_to_end_over_http() {
    let sim = SimInstance::builder().agents(1).build().expect("simulator");
    let server = SimServer::builder(sim.clone())
        .insecure_ws(true)
        .start()
        .await
        .expect("server starts on loopback");
    let token = sim.issue_token("agent1").expect("token");
    let api = HttpCti::builder(server.url())
        .auth(Arc::new(StaticToken::new(token.auth_token)))
        .build()
        .expect("client");
    let latency = api.latency().clone();
    let (session, mut events) = AgentSession::builder(api)
        .connect()
        .await
        .expect("connects");
    let contact_id = sim
        .control()
        .enqueue(ContactSpec::voice("+15555550123"))
        .expect("enqueued");

    let mut validator = LifecycleValidator::default();
    let mut seen = Vec::new();
    while let Some(event) = events.recv().await {
        validator.observe(&event);
        let AgentEvent::Contact(c) = event else {
            continue;
        };
        assert_eq!(c.contact_id, contact_id);
        if c.kind.is_lifecycle() {
            seen.push(c.kind.clone());
        }
        let handle = session.contact(&contact_id);
        match (c.kind, handle) {
            (K::Connecting, Some(h)) => h.accept().await.expect("accept over HTTP"),
            (K::Connected, Some(h)) => h.hang_up().await.expect("hang up over HTTP"),
            (K::Acw, Some(h)) => h.clear().await.expect("clear over HTTP"),
            (K::Destroyed, _) => break,
            _ => {}
        }
    }
    assert_eq!(
        seen,
        [
            K::Init,
            K::Connecting,
            K::Connected,
            K::Ended,
            K::Acw,
            K::Destroyed
        ]
    );
    assert_eq!(validator.violations(), &[]);
    let summary = latency.summary();
    for operation in [
        CtiMethod::AcceptContact,
        CtiMethod::DestroyConnection,
        CtiMethod::ClearContact,
        CtiMethod::GetAgentConfiguration,
    ] {
        assert!(
            summary.operations.contains_key(&operation),
            "latency recorded for {operation}"
        );
    }
    assert!(
        !summary
            .operations
            .contains_key(&CtiMethod::GetAgentSnapshot),
        "the long poll is kept out of the latency stats"
    );
    assert!(
        !latency.long_polls().is_empty(),
        "the long poll is recorded apart"
    );
    session.shutdown().await;
    server.shutdown().await;
}

#[tokio::test]
async fn a_session_connects_over_https_trusting_the_simulator_ca() {
    let sim = SimInstance::builder().agents(1).build().expect("simulator");
    let server = SimServer::builder(sim.clone())
        .tls(true)
        .start()
        .await
        .expect("TLS server starts");
    assert!(server.url().starts_with("https://"));
    let ca = server.ca_cert_pem().expect("test CA").to_owned();
    let token = sim.issue_token("agent1").expect("token");
    let untrusting = HttpCti::builder(server.url())
        .auth(Arc::new(StaticToken::new(token.auth_token.clone())))
        .build()
        .expect("client");
    let refused = AgentSession::builder(untrusting)
        .settings(connect_core::session::SessionSettings {
            connect_deadline: std::time::Duration::ZERO,
            ..Default::default()
        })
        .connect()
        .await;
    assert!(
        refused.is_err(),
        "a client that does not trust the CA is refused"
    );
    let api = HttpCti::builder(server.url())
        .auth(Arc::new(StaticToken::new(token.auth_token)))
        .add_root_certificate_pem(ca)
        .build()
        .expect("client");
    let (session, _events) = AgentSession::builder(api)
        .connect()
        .await
        .expect("connects over TLS");
    assert!(session.configuration().is_some());
    session.shutdown().await;
    server.shutdown().await;
}
