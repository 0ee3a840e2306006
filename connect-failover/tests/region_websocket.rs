//! Regions configured with a CCP WebSocket: the coordinator connects each region's session
//! over its own WebSocket, and `connected_session` waits for a region's session.
#![cfg(all(feature = "mock", not(target_arch = "wasm32")))]

mod support;

use connect_core::events::{AgentEvent, HealthEvent, TransportEvent};
use connect_core::ws::WsState;
use connect_failover::FailoverSettings;
use support::{builder_with_regions, sim, Harness, EAST, PATIENCE, WEST};

fn websocket_gained(event: &AgentEvent) -> bool {
    matches!(
        event,
        AgentEvent::Health(HealthEvent::Transport(TransportEvent::WebSocketGained))
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_region_session_connects_its_own_websocket() {
    let sim = sim().await;
    let regions = [EAST, WEST].map(|region| {
        sim.region_config_with_websocket(region, "agent1")
            .expect("region config")
    });
    let configured = builder_with_regions(&sim, FailoverSettings::default(), regions.to_vec());
    let mut h = Harness::start(sim, configured).await;

    for region in [EAST, WEST] {
        let session = tokio::time::timeout(PATIENCE, h.coordinator.connected_session(region))
            .await
            .expect("within patience")
            .expect("the region's session connects");
        let websocket = session
            .websocket()
            .expect("the session carries its CCP WebSocket");
        // Each region's socket opens in the background and its session reports it: already
        // read (while waiting for the other region's) or still to come.
        let seen = |h: &Harness| {
            h.region_events
                .iter()
                .any(|e| e.region == region && websocket_gained(&e.event))
        };
        if !seen(&h) {
            h.region_event(|e| e.region == region && websocket_gained(&e.event))
                .await;
        }
        assert_eq!(websocket.state(), WsState::Open, "{region}");
    }
    assert!(h.coordinator.connected_session("eu-west-1").await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_websocket_the_region_session_polls_only() {
    let h = Harness::default().await;
    let session = tokio::time::timeout(PATIENCE, h.coordinator.connected_session(WEST))
        .await
        .expect("within patience")
        .expect("the region's session connects");
    assert!(session.websocket().is_none());
}
