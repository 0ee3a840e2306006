//! End to end with a real third-party TURN relay: coturn (`use-auth-secret`, time-limited REST
//! API credentials, the way Connect issues them) carrying a softphone call's Opus audio both
//! ways, relay-only. `scripts/setup coturn` installs coturn; without it this test fails.
#![cfg(feature = "mock")]

mod e2e;
mod media_support;

use std::time::Duration;

use connect_core::model::Sensitive;
use connect_softphone::media::{IcePolicy, IceServer, MediaEvent, PeerConfig, WebRtcEngine};
use connect_testkit::first_event;
use e2e::coturn::Coturn;
use media_support::{has_tone, leg, FRAMES_PER_SECOND};

const AGENT_TONE: f64 = 440.0;
const CUSTOMER_TONE: f64 = 1_000.0;

/// A relay-only peer configuration with fresh coturn credentials for `name`.
fn coturn_config(coturn: &Coturn, name: &str, ttl: Duration) -> PeerConfig {
    PeerConfig {
        ice_servers: vec![coturn.ice_server(name, ttl)],
        ice_policy: IcePolicy::Relay,
        bind_addrs: vec!["127.0.0.1:0".to_owned()],
        ..PeerConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_runs_through_coturn_with_audio_both_ways() {
    let coturn = Coturn::start("e2e-coturn-secret").await;
    let engine = WebRtcEngine::new();
    let hour = Duration::from_secs(3600);
    let mut agent = leg(&engine, coturn_config(&coturn, "agent", hour), AGENT_TONE).await;
    let mut customer = leg(
        &engine,
        coturn_config(&coturn, "customer", hour),
        CUSTOMER_TONE,
    )
    .await;

    let offer = agent
        .peer
        .create_offer()
        .await
        .expect("offer gathered via coturn");
    assert!(
        !offer.candidates.is_empty() && offer.candidates.iter().all(|c| c.is_relay()),
        "relay candidates from coturn only: {:?}",
        offer.candidates
    );
    let answer = customer
        .peer
        .accept_offer(offer)
        .await
        .expect("answer gathered via coturn");
    agent
        .peer
        .apply_answer(answer)
        .await
        .expect("answer applied");
    for events in [&mut agent.events, &mut customer.events] {
        first_event!(events, |e| (*e == MediaEvent::Connected).then_some(()));
    }

    let agent_heard = agent.heard.next_frames(FRAMES_PER_SECOND).await;
    let customer_heard = customer.heard.next_frames(FRAMES_PER_SECOND).await;
    assert!(
        has_tone(&agent_heard, CUSTOMER_TONE),
        "agent hears the customer"
    );
    assert!(
        has_tone(&customer_heard, AGENT_TONE),
        "customer hears the agent"
    );
    agent.peer.close().await.expect("closed");
    customer.peer.close().await.expect("closed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coturn_refuses_expired_credentials_so_no_relay_candidate_is_gathered() {
    let coturn = Coturn::start("e2e-coturn-secret").await;
    let engine = WebRtcEngine::new();
    let mut config = coturn_config(&coturn, "agent", Duration::ZERO);
    // Expired an hour ago: coturn checks the timestamp in the user name.
    let stale = format!("{}:agent", 1_000_000_000);
    config.ice_servers[0] = IceServer::new(
        vec![coturn.url()],
        stale.clone(),
        Sensitive::new(connect_core::mock::turn_credential(coturn.secret(), &stale)),
    );
    config.timings.gathering_timeout = Duration::from_secs(2);
    let agent = leg(&engine, config, AGENT_TONE).await;
    let error = agent
        .peer
        .create_offer()
        .await
        .expect_err("no relay candidate with expired credentials");
    assert!(error.is_ice_collection_timeout(), "{error}");
    assert!(!error.to_string().contains(coturn.secret()));
}
