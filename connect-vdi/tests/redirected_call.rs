//! A full redirected call on loopback: the desktop's `RedirectedMediaEngine` drives the
//! endpoint engine, whose WebRTC peer talks real Opus through the simulated TURN server to a
//! customer leg. Audio is checked both ways, and nothing plays in the desktop.
#![cfg(feature = "mock")]

mod support;

use connect_softphone::audio::{level_dbov, AudioCodec};
use connect_softphone::media::MediaEvent;
use connect_softphone::mock::turn::SimTurnServer;
use connect_testkit::first_event;
use connect_vdi::desktop::MediaPlacement;
use connect_vdi::platform::{DeviceId, VdiPlatformKind};
use connect_vdi::protocol::DeviceKind;
use connect_vdi::{FallbackPolicy, VdiEvent};
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirected_call_carries_opus_audio_both_ways_from_the_endpoint() {
    let turn = SimTurnServer::start("sim-secret")
        .await
        .expect("TURN server");
    let (config, engine_heard) = engine_config();
    let engine = start_engine(config).await;
    let (desktop, mut events) = desktop(engine.url(), FallbackPolicy::FailClosed).await;
    let info = first_event!(events, |e| match e {
        VdiEvent::ClientConnected(info) => Some(info.clone()),
        _ => None,
    });
    assert_eq!(info.platform, VdiPlatformKind::Engine);
    assert_eq!(info.protocol, Some(1));
    assert_eq!(
        info.client_version.as_deref(),
        Some(env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(info.client_platform.as_deref(), Some("Native"));

    let devices = desktop.enumerate_devices().await.expect("endpoint devices");
    assert!(devices
        .iter()
        .all(|d| d.id.platform == VdiPlatformKind::Engine));
    assert_eq!(
        devices
            .iter()
            .filter(|d| d.kind == DeviceKind::AudioInput)
            .count(),
        2
    );

    let (source, sink, desktop_heard) = desktop_audio();
    let (agent, mut agent_events, placement) = desktop
        .open_peer(relay_config(&turn, "agent"), source, sink)
        .await
        .expect("redirected media");
    assert_eq!(placement, MediaPlacement::Redirected);
    let customer = customer(&turn).await;
    negotiate(&agent, &customer).await;

    let codecs = codecs_then_connected(&mut agent_events).await;
    assert_eq!(codecs.audio, AudioCodec::Opus);
    first_event!(agent_events, |e| {
        matches!(e, MediaEvent::FirstPacketReceived { .. }).then_some(())
    });

    // The agent (on the endpoint) hears the customer; the customer hears the endpoint's tone.
    let heard_on_endpoint = next_audio(&engine_heard, 1.0).await;
    assert!(
        has_tone(&heard_on_endpoint, CUSTOMER_TONE),
        "the endpoint plays the customer's audio"
    );
    assert!(!has_tone(&heard_on_endpoint, AGENT_TONE));
    let heard_by_customer = next_audio(&customer.heard, 1.0).await;
    assert!(
        has_tone(&heard_by_customer, AGENT_TONE),
        "the customer hears the endpoint's microphone"
    );
    assert_eq!(
        desktop_heard.len_samples(),
        0,
        "no audio plays in the desktop"
    );

    let stats = agent.stats().await.expect("stats from the endpoint");
    assert_eq!(stats.codec, Some(AudioCodec::Opus));
    assert!(
        stats.packets_sent >= FRAMES_PER_SECOND as u64 && stats.bytes_sent > 0,
        "{stats:?}"
    );
    assert!(
        stats.packets_received >= FRAMES_PER_SECOND as u64 && stats.bytes_received > 0,
        "{stats:?}"
    );
    assert!(stats.audio_input_level > 0.1, "{stats:?}");

    // Mute on the endpoint: silence flows, then the tone comes back.
    agent.set_muted(true);
    next_audio(&customer.heard, 0.4).await; // frames already in flight
    let muted = next_audio(&customer.heard, 0.5).await;
    assert!(
        level_dbov(&muted) < -60.0,
        "muted: {} dBov",
        level_dbov(&muted)
    );
    agent.set_muted(false);
    next_audio(&customer.heard, 0.4).await;
    assert!(has_tone(
        &next_audio(&customer.heard, 0.5).await,
        AGENT_TONE
    ));

    // Switching the microphone through the platform, mid-call, swaps the sender's source.
    let quiet = DeviceId::new(VdiPlatformKind::Engine, "quiet");
    let chosen = desktop
        .select_device(DeviceKind::AudioInput, &quiet)
        .await
        .expect("device selected");
    assert_eq!(chosen.label, "Silent microphone");
    next_audio(&customer.heard, 0.4).await;
    let switched = next_audio(&customer.heard, 0.5).await;
    assert!(
        level_dbov(&switched) < -60.0,
        "silent microphone: {} dBov",
        level_dbov(&switched)
    );
    let foreign = DeviceId::new(VdiPlatformKind::None, "quiet");
    assert!(desktop
        .select_device(DeviceKind::AudioInput, &foreign)
        .await
        .is_err());

    // Bad input gets typed errors, checked before anything reaches the endpoint's media.
    assert!(matches!(
        agent.send_dtmf("1x").await,
        Err(connect_softphone::media::MediaError::InvalidDtmf('x'))
    ));
    assert!(agent
        .accept_offer(connect_softphone::media::SessionDescription {
            sdp: " ".into(),
            candidates: vec![]
        })
        .await
        .is_err());

    agent.close().await.expect("closed");
    customer.peer.close().await.expect("closed");
    assert_eq!(engine.stats().peers_created, 1);
    assert!(turn.stats().packets_from_clients >= 2 * FRAMES_PER_SECOND as u64);
    desktop.shutdown().await;
    engine.shutdown().await;
    turn.stop().await;
}
