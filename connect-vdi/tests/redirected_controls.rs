//! The media controls a softphone needs beyond the offerer's call sequence, over the
//! redirection: the endpoint answering a remote offer (`setRemoteDescription{offer}`,
//! `createAnswer`), RFC 4733 digits (`insertDtmf`) and swapping what the sender sends
//! (`replaceTrack`) — never capturing in the desktop.
#![cfg(feature = "mock")]

mod support;

use connect_softphone::audio::{level_dbov, SilenceSource, ToneSource};
use connect_softphone::media::{MediaError, MediaEvent};
use connect_softphone::mock::turn::SimTurnServer;
use connect_testkit::first_event;
use connect_vdi::FallbackPolicy;
use support::*;

/// A tone only a desktop-side capture could produce.
const DESKTOP_TONE: f64 = 2_000.0;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_endpoint_answers_sends_dtmf_and_swaps_its_source() {
    let turn = SimTurnServer::start("sim-secret")
        .await
        .expect("TURN server");
    let (config, _engine_heard) = engine_config();
    let engine = start_engine(config).await;
    let (desktop, _events) = desktop(engine.url(), FallbackPolicy::FailClosed).await;
    let (source, sink, _) = desktop_audio();
    let (agent, mut agent_events, _) = desktop
        .open_peer(relay_config(&turn, "agent"), source, sink)
        .await
        .expect("redirected media");
    let mut customer = customer(&turn).await;

    // The far end offers; the endpoint answers with its own relay candidates.
    let offer = customer.peer.create_offer().await.expect("customer offer");
    let answer = agent.accept_offer(offer).await.expect("endpoint answer");
    assert!(
        !answer.candidates.is_empty() && answer.candidates.iter().all(|c| c.is_relay()),
        "{:?}",
        answer.candidates
    );
    customer
        .peer
        .apply_answer(answer)
        .await
        .expect("customer applies the answer");
    codecs_then_connected(&mut agent_events).await;
    assert!(has_tone(
        &next_audio(&customer.heard, 0.5).await,
        AGENT_TONE
    ));

    // RFC 4733 digits from the endpoint reach the far end, in order.
    agent.send_dtmf("19#").await.expect("digits queued");
    let mut digits = String::new();
    while digits.len() < 3 {
        let digit = first_event!(customer.events, |e| match e {
            MediaEvent::DtmfReceived { digit } => Some(*digit),
            _ => None,
        });
        digits.push(digit);
    }
    assert_eq!(digits, "19#");
    assert!(matches!(
        agent.send_dtmf("5z").await,
        Err(MediaError::InvalidDtmf('z'))
    ));

    // An idle source (silence) stops the capture; any other source means the endpoint's
    // selected microphone again — the desktop's own tone never reaches the customer.
    agent
        .replace_source(Box::new(SilenceSource::new()))
        .await
        .expect("silence");
    next_audio(&customer.heard, 0.4).await; // frames already in flight
    let idle = next_audio(&customer.heard, 0.5).await;
    assert!(
        level_dbov(&idle) < -60.0,
        "idle: {} dBov",
        level_dbov(&idle)
    );
    agent
        .replace_source(Box::new(ToneSource::new(DESKTOP_TONE, -12.0)))
        .await
        .expect("microphone again");
    next_audio(&customer.heard, 0.4).await;
    let talking = next_audio(&customer.heard, 0.5).await;
    assert!(has_tone(&talking, AGENT_TONE), "the endpoint's microphone");
    assert!(!has_tone(&talking, DESKTOP_TONE), "no desktop capture");

    // The mute state survives a swap.
    agent.set_muted(true);
    agent
        .replace_source(Box::new(ToneSource::new(DESKTOP_TONE, -12.0)))
        .await
        .expect("swap while muted");
    next_audio(&customer.heard, 0.4).await;
    let muted = next_audio(&customer.heard, 0.5).await;
    assert!(
        level_dbov(&muted) < -60.0,
        "muted: {} dBov",
        level_dbov(&muted)
    );
    assert!(agent.is_muted());

    agent.close().await.expect("closed");
    customer.peer.close().await.expect("closed");
    desktop.shutdown().await;
    engine.shutdown().await;
    turn.stop().await;
}
