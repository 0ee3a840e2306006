//! ICE restart of redirected calls. The media path through TURN goes dark mid-call (an
//! impairment relay drops every media datagram), the endpoint engine reports ICE
//! `disconnected`, and the call recovers with an ICE restart on the same endpoint peer:
//! driven by the softphone's session machine (fresh credentials from `CreateTransport`, a
//! restart `invite`), or by the redirected peer itself when its configuration carries a
//! credential provider — as the in-desktop engine does.
#![cfg(feature = "mock")]

mod support;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use connect_softphone::manager::SoftphoneEvent;
use connect_softphone::media::sdp::ice_ufrag;
use connect_softphone::media::{CredentialProvider, IceServer, IceTimings, MediaError, MediaEvent};
use connect_softphone::mock::impairment::{Impairment, ImpairmentRelay};
use connect_softphone::mock::turn::SimTurnServer;
use connect_softphone::session::{MediaHealth, SessionState, SoftphoneConfig, TalkingState};
use connect_testkit::first_event;
use connect_vdi::FallbackPolicy;
use support::softphone::SoftphoneRig;
use support::*;

/// Every media datagram on the agent's path is lost.
fn blackout() -> Impairment {
    Impairment {
        loss_pct: 100.0,
        ..Impairment::default()
    }
}

/// Short deadlines, so that the whole recovery takes seconds.
fn quick_recovery() -> SoftphoneConfig {
    let mut config = SoftphoneConfig::new("browser-1", "client-1");
    config.session.rtp_silence = Duration::from_secs(1);
    config.session.ice_restart_grace = Duration::from_secs(1);
    config.session.ice_gathering = Duration::from_secs(2);
    config.session.recovery_window = Duration::from_secs(20);
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirected_softphone_call_recovers_by_ice_restart_like_an_in_desktop_one() {
    let (config, engine_heard) = engine_config();
    let engine = start_engine(config).await;
    let (desktop, _vdi_events) = desktop(engine.url(), FallbackPolicy::FailClosed).await;
    let mut rig =
        SoftphoneRig::start(desktop, Some(quick_recovery()), Some(Impairment::default())).await;
    let contact_id = rig.call_in();
    let id = contact_id.clone();
    rig.until(|e| {
        matches!(e, SoftphoneEvent::MediaStarted { contact_id } if *contact_id == id).then_some(())
    })
    .await;
    let recording = rig
        .media
        .recording(&contact_id)
        .expect("customer recording");
    assert!(has_tone(&next_audio(&recording, 0.5).await, AGENT_TONE));

    rig.media.set_impairment(blackout()).expect("blackout");
    let id = contact_id.clone();
    rig.until(|e| {
        matches!(e, SoftphoneEvent::StateChanged { contact_id, state: SessionState::Talking(TalkingState::IceRestart) } if *contact_id == id).then_some(())
    })
    .await;
    rig.media
        .set_impairment(Impairment::default())
        .expect("path back");
    let id = contact_id.clone();
    rig.until(|e| {
        matches!(e, SoftphoneEvent::MediaHealth { contact_id, state: MediaHealth::Connected, .. } if *contact_id == id).then_some(())
    })
    .await;
    // Audio flows again both ways, on the same endpoint peer and the same customer leg.
    assert!(has_tone(&next_audio(&recording, 0.5).await, AGENT_TONE));
    assert!(has_tone(
        &next_audio(&engine_heard, 0.5).await,
        CUSTOMER_TONE
    ));
    assert_eq!(engine.stats().peers_created, 1, "restarted, not rebuilt");
    assert_eq!(rig.media.live_legs(), 1);

    let SoftphoneEvent::Ended { report, .. } = rig.hang_up(&contact_id).await else {
        unreachable!("hang_up returns Ended")
    };
    assert_eq!(report.ice_restarts.ice_restart_successes, 1, "{report:?}");
    rig.stop().await;
    engine.shutdown().await;
}

/// Fresh credentials for the agent's path (through the relay), counted.
struct ThroughRelay {
    turn: Arc<SimTurnServer>,
    relay: SocketAddr,
    fetched: AtomicUsize,
}

impl ThroughRelay {
    fn servers(&self) -> Vec<IceServer> {
        let issued = self
            .turn
            .issue_credentials("agent", Duration::from_secs(3600));
        vec![IceServer {
            urls: vec![format!("turn:{}?transport=udp", self.relay)],
            ..issued
        }]
    }
}

#[async_trait]
impl CredentialProvider for ThroughRelay {
    async fn fresh_ice_servers(&self) -> Result<Vec<IceServer>, MediaError> {
        self.fetched.fetch_add(1, Ordering::SeqCst);
        Ok(self.servers())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirected_peer_with_a_credential_provider_restarts_ice_itself() {
    let turn = Arc::new(
        SimTurnServer::start("sim-secret")
            .await
            .expect("TURN server"),
    );
    let relay = ImpairmentRelay::start(
        turn.addr().expect("TURN listening"),
        Impairment::default(),
        7,
    )
    .await
    .expect("impairment relay");
    let credentials = Arc::new(ThroughRelay {
        turn: Arc::clone(&turn),
        relay: relay.local_addr(),
        fetched: AtomicUsize::new(0),
    });
    let (config, _engine_heard) = engine_config();
    let engine = start_engine(config).await;
    let (desktop, _vdi_events) = desktop(engine.url(), FallbackPolicy::FailClosed).await;
    let mut agent_config = relay_config(&turn, "agent");
    agent_config.ice_servers = credentials.servers();
    agent_config.credentials = Some(Arc::clone(&credentials) as Arc<dyn CredentialProvider>);
    agent_config.timings = IceTimings {
        restart_grace: Duration::from_secs(1),
        ..IceTimings::default()
    };
    let (source, sink, _) = desktop_audio();
    let (agent, mut agent_events, _) = desktop
        .open_peer(agent_config, source, sink)
        .await
        .expect("redirected media");
    let customer = customer(&turn).await;
    let first = agent.create_offer().await.expect("offer");
    let answer = customer
        .peer
        .accept_offer(first.clone())
        .await
        .expect("customer answers");
    agent.apply_answer(answer).await.expect("answer applied");
    first_event!(agent_events, |e| {
        (*e == MediaEvent::Connected).then_some(())
    });
    assert!(has_tone(
        &next_audio(&customer.heard, 0.5).await,
        AGENT_TONE
    ));

    relay.set_impairment(blackout()).expect("blackout");
    first_event!(agent_events, |e| {
        (*e == MediaEvent::Disconnected).then_some(())
    });
    let attempt = first_event!(agent_events, |e| match e {
        MediaEvent::IceRestartStarted { attempt } => Some(*attempt),
        _ => None,
    });
    assert_eq!(attempt, 1);
    let restart = first_event!(agent_events, |e| match e {
        MediaEvent::IceRestartOffer(offer) => Some(offer.clone()),
        MediaEvent::IceRestartFailed { reason, .. } => panic!("restart failed: {reason}"),
        _ => None,
    });
    assert_ne!(
        ice_ufrag(&restart.sdp),
        ice_ufrag(&first.sdp),
        "fresh ICE credentials"
    );
    assert!(credentials.fetched.load(Ordering::SeqCst) >= 1);

    relay
        .set_impairment(Impairment::default())
        .expect("path back");
    let answer = customer
        .peer
        .accept_offer(restart)
        .await
        .expect("customer answers the restart");
    agent.apply_answer(answer).await.expect("restart answered");
    next_audio(&customer.heard, 0.4).await;
    assert!(has_tone(
        &next_audio(&customer.heard, 0.5).await,
        AGENT_TONE
    ));
    assert_eq!(engine.stats().peers_created, 1);

    agent.close().await.expect("closed");
    customer.peer.close().await.expect("closed");
    desktop.shutdown().await;
    engine.shutdown().await;
    relay.stop();
    turn.stop().await;
}
