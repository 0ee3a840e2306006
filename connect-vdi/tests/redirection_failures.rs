//! What the desktop side does when redirection is unavailable: an unreachable engine, a wrong
//! token, an unsupported endpoint, a second desktop, an engine killed mid-call, an engine that
//! goes silent. Every case yields a typed reason, an event, and the fallback policy.
#![cfg(feature = "mock")]

mod support;

use std::sync::{Arc, Mutex};

use connect_softphone::media::MediaEvent;
use connect_softphone::mock::turn::SimTurnServer;
use connect_testkit::first_event;
use connect_vdi::desktop::MediaPlacement;
use connect_vdi::platform::VdiEvents;
use connect_vdi::{FailureKind, FallbackPolicy, VdiDisconnectReason, VdiError, VdiEvent};
use support::*;

/// The next `ClientDisconnected`, then the policy event that follows it.
async fn disconnected_then_policy(
    events: &mut VdiEvents,
) -> (VdiDisconnectReason, Option<String>, VdiEvent) {
    let (reason, message) = first_event!(events, |e| match e {
        VdiEvent::ClientDisconnected { reason, message } => Some((reason.clone(), message.clone())),
        _ => None,
    });
    let policy = first_event!(events, |e| {
        matches!(
            e,
            VdiEvent::FailedClosed { .. } | VdiEvent::FallbackEngaged { .. }
        )
        .then(|| e.clone())
    });
    (reason, message, policy)
}

async fn unused_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("ws://{}", listener.local_addr().expect("addr"));
    drop(listener);
    url
}

#[tokio::test]
async fn an_unreachable_engine_fails_closed_with_a_transport_failure() {
    let (desktop, mut events) = desktop(unused_url().await, FallbackPolicy::FailClosed).await;
    let (reason, message, policy) = disconnected_then_policy(&mut events).await;
    assert_eq!(reason, VdiDisconnectReason::Failure(FailureKind::Transport));
    assert!(
        message
            .as_deref()
            .is_some_and(|m| m.starts_with("Websocket Connection Failure")),
        "{message:?}"
    );
    assert!(
        matches!(
            policy,
            VdiEvent::FailedClosed {
                reason: VdiDisconnectReason::Failure(FailureKind::Transport),
                ..
            }
        ),
        "{policy:?}"
    );

    let (source, sink, _) = desktop_audio();
    let error = desktop
        .open_peer(Default::default(), source, sink)
        .await
        .err()
        .expect("media refused");
    assert!(error.is_redirection_unavailable(), "{error}");
    assert_eq!(
        error.disconnect_reason(),
        Some(&VdiDisconnectReason::Failure(FailureKind::Transport))
    );
    first_event!(events, |e| {
        matches!(e, VdiEvent::FailedClosed { .. }).then_some(())
    });
    assert!(desktop
        .when_connected(std::time::Duration::from_secs(1))
        .await
        .is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_engine_falls_back_in_desktop_and_redirection_returns_at_the_next_call() {
    let url = unused_url().await;
    let (desktop, mut events) = desktop(url.clone(), FallbackPolicy::InDesktop).await;
    let (reason, _, policy) = disconnected_then_policy(&mut events).await;
    assert_eq!(reason, VdiDisconnectReason::Failure(FailureKind::Transport));
    assert!(
        matches!(policy, VdiEvent::FallbackEngaged { .. }),
        "{policy:?}"
    );

    let (source, sink, _) = desktop_audio();
    let (local, _, placement) = desktop
        .open_peer(host_config(), source, sink)
        .await
        .expect("local media");
    assert_eq!(placement, MediaPlacement::InDesktop);
    first_event!(events, |e| {
        matches!(e, VdiEvent::FallbackEngaged { .. }).then_some(())
    });
    local.close().await.expect("closed");

    // The engine comes up on the configured address; the next call is redirected again.
    let (mut config, _) = engine_config();
    config.peer_bind_addrs = vec!["127.0.0.1:0".into()];
    let engine = start_engine_at(config, url.trim_start_matches("ws://")).await;
    let (source, sink, _) = desktop_audio();
    let (peer, _, placement) = desktop
        .open_peer(host_config(), source, sink)
        .await
        .expect("redirected");
    assert_eq!(placement, MediaPlacement::Redirected);
    first_event!(events, |e| {
        matches!(e, VdiEvent::RedirectionRestored(_)).then_some(())
    });
    peer.close().await.expect("closed");
    engine.shutdown().await;
}

/// A peer configuration that needs no TURN server (host candidates on loopback).
fn host_config() -> connect_softphone::media::PeerConfig {
    connect_softphone::media::PeerConfig {
        ice_policy: connect_softphone::media::IcePolicy::All,
        bind_addrs: vec!["127.0.0.1:0".into()],
        ..Default::default()
    }
}

async fn start_engine_at(
    config: connect_vdi::engine::EngineConfig,
    addr: &str,
) -> connect_vdi::EndpointEngine {
    connect_vdi::EndpointEngine::start(config, addr)
        .await
        .expect("engine listens on the freed port")
}

#[tokio::test]
async fn a_wrong_token_is_rejected_as_an_auth_failure() {
    let (config, _) = engine_config();
    let engine = start_engine(config).await;
    let wrong = connect_vdi::platform::EngineEndpoint {
        url: engine.url(),
        token: "not-the-token-000000".into(),
    };
    let (_desktop, mut events) = connect_vdi::RedirectedMediaEngine::builder(wrong)
        .connect()
        .await
        .expect("config ok");
    let (reason, _, _) = disconnected_then_policy(&mut events).await;
    assert_eq!(
        reason,
        VdiDisconnectReason::Failure(FailureKind::AuthRejected)
    );
    engine.shutdown().await;
}

#[tokio::test]
async fn an_engine_with_an_unsupported_version_is_endpoint_unsupported() {
    let (mut config, _) = engine_config();
    config.protocols = vec![2];
    let engine = start_engine(config).await;
    let (desktop, mut events) = desktop(engine.url(), FallbackPolicy::FailClosed).await;
    let (reason, message, policy) = disconnected_then_policy(&mut events).await;
    assert_eq!(reason, VdiDisconnectReason::EndpointUnsupported);
    assert!(
        message.as_deref().is_some_and(|m| m.contains("protocol")),
        "{message:?}"
    );
    assert!(matches!(
        policy,
        VdiEvent::FailedClosed {
            reason: VdiDisconnectReason::EndpointUnsupported,
            ..
        }
    ));
    let (source, sink, _) = desktop_audio();
    let error = desktop
        .open_peer(Default::default(), source, sink)
        .await
        .err()
        .expect("refused");
    assert_eq!(
        error.disconnect_reason(),
        Some(&VdiDisconnectReason::EndpointUnsupported)
    );
    engine.shutdown().await;
}

#[tokio::test]
async fn an_endpoint_that_cannot_redirect_says_so() {
    let (mut config, _) = engine_config();
    config.unsupported = Some("Unsupported endpoint connected".into());
    let engine = start_engine(config).await;
    let (_desktop, mut events) = desktop(engine.url(), FallbackPolicy::InDesktop).await;
    let (reason, message, policy) = disconnected_then_policy(&mut events).await;
    assert_eq!(reason, VdiDisconnectReason::EndpointUnsupported);
    assert_eq!(message.as_deref(), Some("Unsupported endpoint connected"));
    assert!(matches!(
        policy,
        VdiEvent::FallbackEngaged {
            reason: VdiDisconnectReason::EndpointUnsupported,
            ..
        }
    ));
    engine.shutdown().await;
}

#[tokio::test]
async fn a_second_desktop_is_refused_while_the_first_is_connected() {
    let (config, _) = engine_config();
    let engine = start_engine(config).await;
    let (_first, mut first_events) = desktop(engine.url(), FallbackPolicy::FailClosed).await;
    first_event!(first_events, |e| {
        matches!(e, VdiEvent::ClientConnected(_)).then_some(())
    });
    let (_second, mut events) = desktop(engine.url(), FallbackPolicy::FailClosed).await;
    let (reason, message, _) = disconnected_then_policy(&mut events).await;
    assert!(
        matches!(reason, VdiDisconnectReason::Failure(_)),
        "{reason:?}"
    );
    assert!(
        message
            .as_deref()
            .is_some_and(|m| m.contains("another desktop")),
        "{message:?}"
    );
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_engine_killed_mid_call_disconnects_the_call_and_applies_the_policy() {
    let turn = SimTurnServer::start("sim-secret")
        .await
        .expect("TURN server");
    let (config, engine_heard) = engine_config();
    let engine = start_engine(config).await;
    let (desktop, mut events) = desktop(engine.url(), FallbackPolicy::FailClosed).await;
    let cleaned: Arc<Mutex<Vec<VdiDisconnectReason>>> = Arc::default();
    desktop.on_cleanup_needed(Box::new({
        let cleaned = Arc::clone(&cleaned);
        move |reason| cleaned.lock().expect("lock").push(reason.clone())
    }));
    let (source, sink, _) = desktop_audio();
    let (agent, mut agent_events, _) = desktop
        .open_peer(relay_config(&turn, "agent"), source, sink)
        .await
        .expect("redirected");
    let customer = customer(&turn).await;
    negotiate(&agent, &customer).await;
    first_event!(agent_events, |e| {
        (*e == MediaEvent::Connected).then_some(())
    });
    assert!(has_tone(
        &next_audio(&engine_heard, 0.5).await,
        CUSTOMER_TONE
    ));

    engine.kill();
    let (reason, _, policy) = disconnected_then_policy(&mut events).await;
    assert_eq!(reason, VdiDisconnectReason::EndpointDisconnected);
    assert!(
        matches!(
            policy,
            VdiEvent::FailedClosed {
                reason: VdiDisconnectReason::EndpointDisconnected,
                ..
            }
        ),
        "{policy:?}"
    );
    first_event!(agent_events, |e| {
        (*e == MediaEvent::Failed).then_some(())
    });
    assert!(
        agent.stats().await.is_err(),
        "the call's media is torn down"
    );
    assert_eq!(
        cleaned.lock().expect("lock").as_slice(),
        [VdiDisconnectReason::EndpointDisconnected]
    );

    // The next call follows the policy: fail-closed, with the reason of the reconnect attempt.
    let (source, sink, _) = desktop_audio();
    let error = desktop
        .open_peer(relay_config(&turn, "agent"), source, sink)
        .await
        .err()
        .expect("refused");
    assert!(
        matches!(
            error,
            VdiError::RedirectionUnavailable {
                reason: VdiDisconnectReason::Failure(FailureKind::Transport),
                ..
            }
        ),
        "{error}"
    );
    customer.peer.close().await.expect("closed");
    turn.stop().await;
}
