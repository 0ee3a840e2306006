//! The whole softphone path with redirected media: an agent session over HTTP + WebSocket to
//! the simulator, its `SoftphoneManager` signalling on `aws/softphone`, and media on the
//! desktop's `RedirectedMediaEngine`, so the WebRTC peer runs in the endpoint engine. The
//! simulated customer's audio is heard on the engine's speaker, the engine's microphone at the
//! customer.
#![cfg(feature = "mock")]

mod support;

use std::sync::Arc;

use connect_core::auth::StaticToken;
use connect_core::http::HttpCti;
use connect_core::mock::{AgentSpec, SimInstance, SimServer};
use connect_core::session::AgentSession;
use connect_core::ws::{WsManager, WsUrlSource};
use connect_softphone::audio::{level_dbov, AudioSink, MemorySink};
use connect_softphone::manager::{SoftphoneEvent, SoftphoneManager};
use connect_softphone::media::{MediaEngine, PeerConfig};
use connect_softphone::mock::media_service::SimMediaService;
use connect_vdi::{FallbackPolicy, VdiEvent};
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_softphone_call_runs_on_the_endpoint_engine() {
    let (config, engine_heard) = engine_config();
    let engine = start_engine(config).await;
    let (desktop, mut vdi_events) = desktop(engine.url(), FallbackPolicy::FailClosed).await;
    wait_vdi(&mut vdi_events, |e| {
        matches!(e, VdiEvent::ClientConnected(_)).then_some(())
    })
    .await;

    let media = SimMediaService::start().await.expect("media service");
    let sim = SimInstance::builder()
        .agent(AgentSpec::new("agent1").auto_accept(true))
        .turn(media.turn_config())
        .build()
        .expect("sim instance");
    let server = SimServer::builder(sim.clone())
        .insecure_ws(true)
        .start()
        .await
        .expect("sim server");
    media.attach(&sim, &server);
    let token = sim.issue_token("agent1").expect("token");
    let api = HttpCti::builder(server.url())
        .auth(Arc::new(StaticToken::new(token.auth_token)))
        .build()
        .expect("HTTP CTI client");
    let urls: Arc<dyn WsUrlSource> = Arc::new(api.clone());
    let (websocket, ws_events) = WsManager::builder(urls)
        .allow_insecure_loopback(true)
        .connect()
        .await
        .expect("CCP WebSocket");
    let (session, _agent_events) = AgentSession::builder(api)
        .websocket(websocket, ws_events)
        .connect()
        .await
        .expect("agent session");
    let engine_for_calls: Arc<dyn MediaEngine> = Arc::new(desktop);
    let desktop_heard = MemorySink::new();
    let desktop_sink = desktop_heard.clone();
    let (softphone, mut events) =
        SoftphoneManager::builder_shared(session.clone(), engine_for_calls)
            .sink_factory(move |_| Box::new(desktop_sink.clone()) as Box<dyn AudioSink>)
            .peer_config(PeerConfig::loopback())
            .connect()
            .await
            .expect("softphone");

    let contact_id = sim
        .control()
        .enqueue_voice("+15555550123")
        .expect("enqueued");
    let id = contact_id.clone();
    tokio::time::timeout(HANG_GUARD, async {
        loop {
            match events.recv().await.expect("softphone alive") {
                SoftphoneEvent::MediaStarted { contact_id } if contact_id == id => return,
                SoftphoneEvent::Ended { reason, .. } => panic!("call ended: {reason:?}"),
                _ => {}
            }
        }
    })
    .await
    .expect("media starts");
    // The customer's 1 kHz prompt plays on the engine's speaker, the engine's 440 Hz
    // microphone reaches the customer.
    assert!(has_tone(
        &next_audio(&engine_heard, 0.5).await,
        CUSTOMER_TONE
    ));
    let recording = media.recording(&contact_id).expect("customer recording");
    assert!(has_tone(&next_audio(&recording, 0.5).await, AGENT_TONE));
    let in_desktop = desktop_heard.samples();
    assert!(
        in_desktop.is_empty() || level_dbov(&in_desktop) < -60.0,
        "nothing plays in the desktop"
    );

    sim.control()
        .hang_up(&contact_id)
        .expect("customer hangs up");
    let id = contact_id.clone();
    tokio::time::timeout(HANG_GUARD, async {
        loop {
            if let SoftphoneEvent::Ended {
                contact_id, reason, ..
            } = events.recv().await.expect("softphone alive")
            {
                if contact_id == id {
                    return reason;
                }
            }
        }
    })
    .await
    .expect("call ends");
    softphone.shutdown().await;
    session.shutdown().await;
    media.stop().await;
    server.shutdown().await;
}
