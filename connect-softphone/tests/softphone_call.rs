//! A whole softphone call over the network: the simulated instance rings the agent, the
//! softphone manager sets the call up on `aws/softphone`, Opus audio crosses both ways over
//! DTLS-SRTP through the embedded TURN relay, and the call ends with the contact.
#![cfg(all(feature = "mock", not(target_arch = "wasm32")))]

mod softphone_support;

use std::sync::Arc;
use std::time::Instant;

use connect_core::events::ContactEventKind;
use connect_softphone::audio::{
    audio_match_db, level_dbov, AudioSource, SpeechLikeSource, ToneSource,
};
use connect_softphone::manager::{CallInfo, SoftphoneEvent};
use connect_softphone::mock::media_service::{CustomerAudio, CustomerScript, MediaServiceEvent};
use connect_softphone::session::{EndReason, SessionState, TalkingState};
use softphone_support::{
    has_tone, next_samples, until_audio, until_contact, Options, Rig, AGENT_TONE, CUSTOMER_TONE,
    FRAMES_PER_SECOND,
};

const SECOND: usize = 48_000;

/// The tone of the microphone switched to during a call.
const SWITCHED_TONE: f64 = 660.0;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audio_crosses_both_ways_and_the_customer_hangs_up() {
    let mut rig = Rig::start(Options::default()).await;
    assert_eq!(
        rig.microphones.open_now(),
        0,
        "no microphone before the call"
    );
    let contact_id = rig.call_in();
    let started = Instant::now();
    let connection_id = rig.started(&contact_id).await;
    let id = contact_id.clone();
    rig.until(
        "SessionConnected",
        move |e| matches!(e, SoftphoneEvent::SessionConnected { contact_id } if *contact_id == id),
    )
    .await;
    assert_eq!(
        rig.microphones.open_now(),
        1,
        "the call's microphone is open"
    );
    // Media is up before the agent accepts; the agent accepts over CTI.
    rig.session
        .contact(&contact_id)
        .expect("contact in the snapshot")
        .accept()
        .await
        .expect("accept");
    let (agent, customer) = rig.media_both_ways(&contact_id, started).await;
    eprintln!(
        "setup: contact ringing → audio at the agent {agent:?}, at the customer {customer:?}"
    );

    let agent_heard = next_samples(&rig.agent_heard(&contact_id), SECOND).await;
    assert!(
        has_tone(&agent_heard, CUSTOMER_TONE),
        "the agent hears the customer's prompt"
    );
    assert!(!has_tone(&agent_heard, AGENT_TONE));
    let recording = rig
        .media
        .recording(&contact_id)
        .expect("customer recording");
    let customer_heard = next_samples(&recording, SECOND).await;
    assert!(
        has_tone(&customer_heard, AGENT_TONE),
        "the customer hears the agent's microphone"
    );
    assert!(!has_tone(&customer_heard, CUSTOMER_TONE));
    let relay = rig.media.turn().stats();
    assert!(
        relay.allocations >= 2,
        "both legs relay through TURN: {relay:?}"
    );
    assert!(
        relay.packets_to_clients >= 2 * FRAMES_PER_SECOND as u64,
        "{relay:?}"
    );

    let calls = rig.softphone.calls().await;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].connection_id, connection_id);
    assert_eq!(
        calls[0].state,
        Some(SessionState::Talking(TalkingState::Connected))
    );
    let stats = rig.softphone.stats(&contact_id).await.expect("stats");
    assert!(
        stats.packets_received > 0 && stats.packets_sent > 0,
        "{stats:?}"
    );

    rig.sim
        .control()
        .hang_up(&contact_id)
        .expect("customer hangs up");
    let SoftphoneEvent::Ended { reason, report, .. } = rig.ended(&contact_id).await else {
        unreachable!("ended() returns Ended")
    };
    assert_eq!(
        reason,
        EndReason::LocalHangup,
        "the contact ended: the softphone says bye"
    );
    assert_eq!(report.bye_acknowledged, Some(true));
    assert_eq!(report.accept_acknowledged, Some(true));
    assert!(report.first_rtp_time_millis.is_some(), "{report:?}");
    assert!(report.talk_time_millis.is_some_and(|t| t > 0), "{report:?}");
    rig.microphones.wait_closed().await;
    let bye = rig
        .media
        .signaling()
        .journal()
        .into_iter()
        .find(|r| r.method == "bye")
        .expect("bye sent");
    assert_eq!(bye.connection_id, connection_id);
    assert_eq!(bye.params["contactId"], contact_id.as_str());
    rig.until_customer("leg closed", |e| {
        matches!(
            e,
            connect_softphone::mock::media_service::MediaServiceEvent::LegClosed { .. }
        )
    })
    .await;
    assert_eq!(rig.media.live_legs(), 0);
    assert!(rig.softphone.calls().await.is_empty());
    rig.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_over_the_direct_signaling_socket_carries_audio_both_ways() {
    let mut rig = Rig::start(Options {
        direct_signaling: true,
        ..Options::default()
    })
    .await;
    let contact_id = rig.call_in();
    let connection_id = rig.started(&contact_id).await;
    rig.media_both_ways(&contact_id, Instant::now()).await;
    rig.accept_until_connected(&contact_id).await;
    assert!(has_tone(
        &next_samples(&rig.agent_heard(&contact_id), SECOND / 2).await,
        CUSTOMER_TONE
    ));
    let recording = rig.media.recording(&contact_id).expect("recording");
    assert!(has_tone(
        &next_samples(&recording, SECOND / 2).await,
        AGENT_TONE
    ));
    // The call's invite went over a direct socket opened with a call id and a token.
    let journal = rig.media.signaling().journal();
    let connect = journal
        .iter()
        .find(|r| r.method == "connect")
        .expect("a direct socket opened");
    assert_ne!(connect.params["auth"], "");
    assert!(journal
        .iter()
        .any(|r| r.method == "invite" && r.connection_id == connect.connection_id));
    assert_eq!(rig.softphone.calls().await[0].connection_id, connection_id);
    rig.sim
        .control()
        .hang_up(&contact_id)
        .expect("customer hangs up");
    rig.ended(&contact_id).await;
    rig.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_hangs_up_and_the_next_call_opens_a_fresh_microphone() {
    let mut rig = Rig::start(Options::default()).await;
    for round in 1..=2 {
        let contact_id = rig.call_in();
        rig.started(&contact_id).await;
        let contact = rig
            .session
            .contact(&contact_id)
            .expect("contact in the snapshot");
        rig.media_both_ways(&contact_id, Instant::now()).await;
        rig.accept_until_connected(&contact_id).await;
        assert_eq!(rig.microphones.open_now(), 1);
        assert_eq!(rig.microphones.opened_total(), round);

        contact.hang_up().await.expect("agent hangs up over CTI");
        let SoftphoneEvent::Ended { reason, report, .. } = rig.ended(&contact_id).await else {
            unreachable!("ended() returns Ended")
        };
        assert_eq!(reason, EndReason::LocalHangup);
        assert_eq!(report.bye_acknowledged, Some(true));
        rig.microphones.wait_closed().await;
        contact.clear().await.expect("after-contact work cleared");
    }
    rig.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mute_sends_silence_and_survives_a_microphone_switch() {
    let mut rig = Rig::start(Options::default()).await;
    let contact_id = rig.call_in();
    rig.started(&contact_id).await;
    rig.media_both_ways(&contact_id, Instant::now()).await;
    let recording = rig
        .media
        .recording(&contact_id)
        .expect("customer recording");
    assert!(has_tone(
        &next_samples(&recording, SECOND / 2).await,
        AGENT_TONE
    ));

    rig.softphone
        .set_muted(&contact_id, true)
        .await
        .expect("mute");
    let id = contact_id.clone();
    rig.until("Muted", move |e| {
        *e == SoftphoneEvent::Muted {
            contact_id: id.clone(),
            muted: true,
        }
    })
    .await;
    // Audio already in flight plays out first.
    until_audio(&recording, |w| level_dbov(w) < -60.0).await;
    let muted = next_samples(&recording, SECOND / 2).await;
    assert!(
        level_dbov(&muted) < -60.0,
        "muted: {} dBov",
        level_dbov(&muted)
    );

    // A new microphone while muted: still silent, then heard once unmuted.
    rig.softphone
        .set_microphone(Arc::new(|_: &CallInfo| {
            Ok(Box::new(ToneSource::new(SWITCHED_TONE, -12.0)) as Box<dyn AudioSource>)
        }))
        .await
        .expect("switch");
    rig.until("DeviceChanged", |e| {
        matches!(e, SoftphoneEvent::DeviceChanged { source: Some(_) })
    })
    .await;
    assert!(
        level_dbov(&next_samples(&recording, SECOND / 2).await) < -60.0,
        "mute survives the switch"
    );
    rig.softphone
        .set_muted(&contact_id, false)
        .await
        .expect("unmute");
    until_audio(&recording, |w| has_tone(w, SWITCHED_TONE)).await;
    let heard = next_samples(&recording, SECOND / 2).await;
    assert!(
        has_tone(&heard, SWITCHED_TONE),
        "the new microphone is heard"
    );
    assert!(!has_tone(&heard, AGENT_TONE));
    rig.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_speech_reaches_the_agent_intact() {
    const SEED: u64 = 11;
    let script = CustomerScript::default().audio(CustomerAudio::SpeechLike { seed: SEED });
    let mut rig = Rig::start(Options {
        script,
        ..Options::default()
    })
    .await;
    let contact_id = rig.call_in();
    rig.started(&contact_id).await;
    rig.media_both_ways(&contact_id, Instant::now()).await;
    let heard = rig.agent_heard(&contact_id);
    next_samples(&heard, 2 * SECOND).await;
    let mut talker = SpeechLikeSource::new(SEED);
    let mut reference = Vec::new();
    while reference.len() < 4 * SECOND {
        let frame = talker.next_frame().await.expect("frame").expect("endless");
        reference.extend_from_slice(&frame.samples);
    }
    let snr = audio_match_db(&reference, &heard.samples()[..2 * SECOND]);
    eprintln!("customer speech at the agent: {snr:.1} dB against the original");
    assert!(
        snr > 3.0,
        "the agent hears the customer's words: {snr:.1} dB"
    );
    rig.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_echoing_customer_hangs_up_on_script() {
    let script = CustomerScript::default()
        .audio(CustomerAudio::Echo)
        .hang_up_after(std::time::Duration::from_secs(1));
    let mut rig = Rig::start(Options {
        script,
        ..Options::default()
    })
    .await;
    let contact_id = rig.call_in();
    rig.started(&contact_id).await;
    rig.session
        .contact(&contact_id)
        .expect("contact")
        .accept()
        .await
        .expect("accept");
    rig.media_both_ways(&contact_id, Instant::now()).await;
    // The agent hears its own voice back, once it has crossed both jitter buffers.
    until_audio(&rig.agent_heard(&contact_id), |w| has_tone(w, AGENT_TONE)).await;
    let id = contact_id.clone();
    rig.until_customer("scripted hang-up", move |e| {
        *e == MediaServiceEvent::HungUp {
            contact_id: id.clone(),
        }
    })
    .await;
    let SoftphoneEvent::Ended { reason, .. } = rig.ended(&contact_id).await else {
        unreachable!("ended() returns Ended")
    };
    assert_eq!(reason, EndReason::LocalHangup);
    rig.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_already_ringing_when_the_softphone_attaches_is_picked_up() {
    let mut rig = Rig::start(Options {
        ringing_before_attach: true,
        ..Options::default()
    })
    .await;
    let contact_id = rig.early.clone().expect("an early call");
    rig.started(&contact_id).await;
    rig.media_both_ways(&contact_id, Instant::now()).await;
    let heard = next_samples(&rig.agent_heard(&contact_id), SECOND / 2).await;
    assert!(has_tone(&heard, CUSTOMER_TONE));
    rig.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auto_accept_agent_is_connected_by_the_server() {
    let mut rig = Rig::start(Options {
        auto_accept: true,
        ..Options::default()
    })
    .await;
    let mut agent_events = rig.session.subscribe();
    let contact_id = rig.call_in();
    rig.started(&contact_id).await;
    rig.media_both_ways(&contact_id, Instant::now()).await;
    // Nobody calls AcceptContact: the contact connects by itself.
    until_contact(&mut agent_events, &contact_id, ContactEventKind::Connected).await;
    let heard = next_samples(&rig.agent_heard(&contact_id), SECOND / 2).await;
    assert!(has_tone(&heard, CUSTOMER_TONE));
    rig.stop().await;
}
