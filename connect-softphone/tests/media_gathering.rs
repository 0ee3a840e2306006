//! Gathering without a usable TURN server ends with the typed error the session reports as
//! `ICE_COLLECTION_TIMEOUT`.

mod media_support;

use std::net::UdpSocket;
use std::sync::Arc;
use std::time::Duration;

use connect_core::model::Timestamp;
use connect_core::time::ManualClock;
use connect_softphone::audio::SilenceSource;
use connect_softphone::media::{IceServer, MediaEngine, MediaError, PeerConfig, WebRtcEngine};
use connect_softphone::mock::turn::SimTurnServer;
use media_support::{capture, relay_config};

async fn offer_error(config: PeerConfig) -> MediaError {
    let (sink, _heard) = capture();
    let (peer, _events) = WebRtcEngine::new()
        .create_peer(config, Box::new(SilenceSource::new()), sink)
        .await
        .expect("peer created");
    let error = peer.create_offer().await.expect_err("no relay candidate");
    peer.close().await.expect("closed");
    error
}

#[tokio::test(start_paused = true)]
async fn unreachable_turn_times_out_with_no_candidates() {
    // A bound socket that never answers: the TURN allocation can only time out.
    let silent = UdpSocket::bind("127.0.0.1:0").expect("socket");
    let url = format!("turn:{}?transport=udp", silent.local_addr().expect("addr"));
    let config = PeerConfig {
        ice_servers: vec![IceServer::new([url.clone()], "1:agent", "secret")],
        bind_addrs: vec!["127.0.0.1:0".to_owned()],
        ..PeerConfig::default()
    };
    let error = offer_error(config).await;
    assert!(error.is_ice_collection_timeout(), "{error}");
    assert!(error.to_string().contains(&url));
    assert!(!error.to_string().contains("secret"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_credentials_yield_no_relay_candidate() {
    let clock = Arc::new(ManualClock::new(Timestamp::from_millis(1_700_000_000_000)));
    let turn = SimTurnServer::start_with_clock("sim-secret", clock.clone())
        .await
        .expect("TURN server");
    let mut config = relay_config(&turn, "agent");
    config.timings.gathering_timeout = Duration::from_secs(3);
    clock.advance(Duration::from_secs(7200));
    let error = offer_error(config).await;
    assert!(matches!(error, MediaError::NoCandidates { .. }), "{error}");
    assert_eq!(turn.stats().allocations, 0);
    turn.stop().await;
}
