//! The whole softphone path with redirected media: an agent session over HTTP + WebSocket to
//! the simulator, its `SoftphoneManager` signalling on `aws/softphone`, and media on the
//! desktop's `RedirectedMediaEngine`, so the WebRTC peer runs in the endpoint engine. The
//! simulated customer's audio is heard on the engine's speaker, the engine's microphone at the
//! customer.
#![cfg(feature = "mock")]

mod support;

use connect_softphone::audio::level_dbov;
use connect_softphone::manager::SoftphoneEvent;
use connect_testkit::first_event;
use connect_vdi::{FallbackPolicy, VdiEvent};
use support::softphone::SoftphoneRig;
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_softphone_call_runs_on_the_endpoint_engine() {
    let (config, engine_heard) = engine_config();
    let engine = start_engine(config).await;
    let (desktop, mut vdi_events) = desktop(engine.url(), FallbackPolicy::FailClosed).await;
    first_event!(vdi_events, |e| {
        matches!(e, VdiEvent::ClientConnected(_)).then_some(())
    });
    let mut rig = SoftphoneRig::start(desktop, None, None).await;

    let contact_id = rig.call_in();
    let id = contact_id.clone();
    rig.until(|e| {
        matches!(e, SoftphoneEvent::MediaStarted { contact_id } if *contact_id == id).then_some(())
    })
    .await;
    // The customer's 1 kHz prompt plays on the engine's speaker, the engine's 440 Hz
    // microphone reaches the customer.
    assert!(has_tone(
        &next_audio(&engine_heard, 0.5).await,
        CUSTOMER_TONE
    ));
    let recording = rig
        .media
        .recording(&contact_id)
        .expect("customer recording");
    assert!(has_tone(&next_audio(&recording, 0.5).await, AGENT_TONE));
    let in_desktop = rig.desktop_heard.samples();
    assert!(
        in_desktop.is_empty() || level_dbov(&in_desktop) < -60.0,
        "nothing plays in the desktop"
    );

    rig.hang_up(&contact_id).await;
    rig.stop().await;
}
