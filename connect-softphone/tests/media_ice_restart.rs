//! The TURN server dies mid-call: ICE goes `disconnected`, the engine restarts it after the
//! grace period with fresh credentials, and audio comes back.

mod media_support;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use connect_softphone::media::{
    CredentialProvider, IcePolicy, IceServer, MediaError, MediaEvent, PeerConfig, WebRtcEngine,
};
use connect_softphone::mock::turn::SimTurnServer;
use connect_testkit::first_event;
use media_support::{connect, has_tone, leg, relay_config, FRAMES_PER_SECOND};

/// Issues fresh credentials for the server's current listener, like `CreateTransport`.
struct FreshCredentials {
    turn: SimTurnServer,
    issued: AtomicU32,
}

#[async_trait]
impl CredentialProvider for FreshCredentials {
    async fn fresh_ice_servers(&self) -> Result<Vec<IceServer>, MediaError> {
        let n = self.issued.fetch_add(1, Ordering::SeqCst);
        Ok(vec![self.turn.issue_credentials(
            &format!("agent-{n}"),
            Duration::from_secs(3600),
        )])
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn turn_restart_mid_call_recovers_with_fresh_credentials() {
    let turn = SimTurnServer::start("sim-secret")
        .await
        .expect("TURN server");
    let provider = Arc::new(FreshCredentials {
        turn: turn.clone(),
        issued: AtomicU32::new(0),
    });
    let engine = WebRtcEngine::new();
    let mut agent_config = relay_config(&turn, "agent");
    agent_config.credentials = Some(provider.clone());
    // The customer leg is a media server with a host address, as Connect's is.
    let customer_config = PeerConfig {
        ice_policy: IcePolicy::All,
        bind_addrs: vec!["127.0.0.1:0".to_owned()],
        ..PeerConfig::default()
    };
    let mut agent = leg(&engine, agent_config, 440.0).await;
    let customer = leg(&engine, customer_config, 1_000.0).await;
    connect(&agent, &customer).await;
    assert!(has_tone(
        &customer.heard.next_frames(FRAMES_PER_SECOND).await,
        440.0
    ));

    // Kill the relay; a new one comes up elsewhere with a new secret.
    turn.stop().await;
    let killed = Instant::now();
    turn.rotate_secret("rotated-secret");
    turn.restart().await.expect("TURN restarted");

    first_event!(agent.events, |e| {
        (*e == MediaEvent::Disconnected).then_some(())
    });
    let offer = first_event!(agent.events, |e| match e {
        MediaEvent::IceRestartOffer(offer) => Some(offer.clone()),
        MediaEvent::IceRestartFailed { reason, .. } => panic!("restart failed: {reason}"),
        _ => None,
    });
    assert!(
        provider.issued.load(Ordering::SeqCst) >= 1,
        "fresh credentials were fetched"
    );
    assert!(offer.candidates.iter().all(|c| c.is_relay()));
    let answer = customer
        .peer
        .accept_offer(offer)
        .await
        .expect("restart answer");
    agent
        .peer
        .apply_answer(answer)
        .await
        .expect("restart answer applied");
    first_event!(agent.events, |e| {
        (*e == MediaEvent::Connected).then_some(())
    });
    let recovered = killed.elapsed();

    customer.heard.next_frames(10).await;
    assert!(has_tone(
        &customer.heard.next_frames(FRAMES_PER_SECOND).await,
        440.0
    ));
    assert!(has_tone(
        &agent.heard.next_frames(FRAMES_PER_SECOND).await,
        1_000.0
    ));
    assert!(turn.stats().allocations >= 2);
    eprintln!("audio back {recovered:?} after the TURN server was killed");

    agent.peer.close().await.expect("closed");
    customer.peer.close().await.expect("closed");
    turn.stop().await;
}
