//! Two WebRTC peers through the simulated TURN server, relay-only, exchanging real audio.

mod media_support;

use std::time::Instant;

use connect_softphone::audio::{level_dbov, AudioCodec};
use connect_softphone::media::{MediaEvent, WebRtcEngine};
use connect_softphone::mock::turn::SimTurnServer;
use connect_testkit::{first_event, within};
use media_support::{
    codecs_then_connected, connect, has_tone, leg, relay_config, FRAMES_PER_SECOND,
};

const AGENT_TONE: f64 = 440.0;
const CUSTOMER_TONE: f64 = 1_000.0;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opus_tone_flows_both_ways_through_turn() {
    let turn = SimTurnServer::start("sim-secret")
        .await
        .expect("TURN server");
    let engine = WebRtcEngine::new();
    let mut agent = leg(&engine, relay_config(&turn, "agent"), AGENT_TONE).await;
    let mut customer = leg(&engine, relay_config(&turn, "customer"), CUSTOMER_TONE).await;

    let started = Instant::now();
    let offer = agent.peer.create_offer().await.expect("offer gathered");
    assert!(!offer.candidates.is_empty());
    assert!(
        offer.candidates.iter().all(|c| c.is_relay()),
        "relay-only: {:?}",
        offer.candidates
    );
    assert!(
        offer.sdp.contains("minptime=20;useinbandfec=1;usedtx=0"),
        "{}",
        offer.sdp
    );
    assert!(offer.sdp.ends_with("a=ptime:20\r\na=maxptime:20\r\n"));
    assert!(!offer.sdp.contains("a=candidate"));
    let gathered = started.elapsed();
    let answer = customer
        .peer
        .accept_offer(offer)
        .await
        .expect("answer gathered");
    assert!(answer.candidates.iter().all(|c| c.is_relay()));
    agent
        .peer
        .apply_answer(answer)
        .await
        .expect("answer applied");

    let codecs = codecs_then_connected(&mut agent.events).await;
    assert_eq!(codecs.audio, AudioCodec::Opus);
    first_event!(customer.events, |e| {
        (*e == MediaEvent::Connected).then_some(())
    });
    agent.heard.wait_frames(1).await;
    customer.heard.wait_frames(1).await;
    let setup = started.elapsed();
    eprintln!("call setup on loopback: gathering {gathered:?}, offer → audio both ways {setup:?}");

    let agent_heard = agent.heard.next_frames(FRAMES_PER_SECOND).await;
    let customer_heard = customer.heard.next_frames(FRAMES_PER_SECOND).await;
    assert!(
        has_tone(&agent_heard, CUSTOMER_TONE),
        "agent hears the customer's tone"
    );
    assert!(!has_tone(&agent_heard, AGENT_TONE));
    assert!(
        has_tone(&customer_heard, AGENT_TONE),
        "customer hears the agent's tone"
    );
    assert!(!has_tone(&customer_heard, CUSTOMER_TONE));

    let relay = turn.stats();
    assert!(relay.allocations >= 2, "{relay:?}");
    assert!(
        relay.packets_from_clients >= 2 * FRAMES_PER_SECOND as u64,
        "{relay:?}"
    );
    assert!(
        relay.packets_to_clients >= 2 * FRAMES_PER_SECOND as u64,
        "{relay:?}"
    );

    // The round-trip time from RTCP needs a sender report from each side and the far end's
    // receiver report answering it: wait for it.
    let stats = within("a round-trip time is measured from RTCP", async {
        loop {
            let stats = agent.peer.stats().await.expect("stats");
            if stats.round_trip_time_from_rtcp {
                return stats;
            }
            agent.heard.next_frames(10).await;
        }
    })
    .await;
    eprintln!("agent stats: {stats:?}");
    let rtt = stats.round_trip_time.expect("measured");
    assert!(
        rtt < std::time::Duration::from_secs(1),
        "loopback RTT {rtt:?}"
    );
    assert!(
        stats.jitter < std::time::Duration::from_secs(1),
        "jitter in seconds: {stats:?}"
    );
    assert_eq!(stats.codec, Some(AudioCodec::Opus));
    assert!(stats.packets_sent >= FRAMES_PER_SECOND as u64 && stats.bytes_sent > 0);
    assert!(stats.packets_received >= FRAMES_PER_SECOND as u64 && stats.bytes_received > 0);
    assert!(stats.audio_input_level > 0.1 && stats.audio_output_level > 0.1);

    agent.peer.close().await.expect("closed");
    customer.peer.close().await.expect("closed");
    turn.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mute_sends_silence_and_dtmf_reaches_the_far_end() {
    let turn = SimTurnServer::start("sim-secret")
        .await
        .expect("TURN server");
    let engine = WebRtcEngine::new();
    let agent = leg(&engine, relay_config(&turn, "agent"), AGENT_TONE).await;
    let mut customer = leg(&engine, relay_config(&turn, "customer"), CUSTOMER_TONE).await;
    connect(&agent, &customer).await;
    customer.heard.wait_frames(FRAMES_PER_SECOND / 2).await;

    agent.peer.set_muted(true);
    assert!(agent.peer.is_muted());
    // What is in flight and in the jitter buffer (up to 200 ms) still carries the tone.
    customer
        .heard
        .until_frames(5, |stretch| level_dbov(stretch) < -60.0)
        .await;
    let muted = customer.heard.next_frames(FRAMES_PER_SECOND / 2).await;
    assert!(
        level_dbov(&muted) < -60.0,
        "muted audio is silence: {} dBov",
        level_dbov(&muted)
    );
    agent.peer.set_muted(false);
    customer
        .heard
        .until_frames(5, |stretch| has_tone(stretch, AGENT_TONE))
        .await;
    assert!(has_tone(
        &customer.heard.next_frames(FRAMES_PER_SECOND / 2).await,
        AGENT_TONE
    ));

    agent.peer.send_dtmf("1#9").await.expect("digits queued");
    let mut heard = String::new();
    while heard.len() < 3 {
        heard.push(first_event!(customer.events, |e| match e {
            MediaEvent::DtmfReceived { digit } => Some(*digit),
            _ => None,
        }));
    }
    assert_eq!(heard, "1#9");
    assert!(agent.peer.send_dtmf("1x").await.is_err());

    agent.peer.close().await.expect("closed");
    customer.peer.close().await.expect("closed");
    turn.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pcmu_is_used_when_the_answer_selects_it() {
    let turn = SimTurnServer::start("sim-secret")
        .await
        .expect("TURN server");
    let engine = WebRtcEngine::new();
    let mut agent = leg(&engine, relay_config(&turn, "agent"), AGENT_TONE).await;
    let mut pcmu_only = relay_config(&turn, "customer");
    pcmu_only.codecs = vec![AudioCodec::Pcmu];
    let customer = leg(&engine, pcmu_only, CUSTOMER_TONE).await;
    connect(&agent, &customer).await;
    let codecs = codecs_then_connected(&mut agent.events).await;
    assert_eq!((codecs.audio, codecs.payload_type), (AudioCodec::Pcmu, 0));
    agent.heard.wait_frames(10).await;
    assert!(has_tone(
        &agent.heard.next_frames(FRAMES_PER_SECOND).await,
        CUSTOMER_TONE
    ));
    assert!(has_tone(
        &customer.heard.next_frames(FRAMES_PER_SECOND).await,
        AGENT_TONE
    ));
    agent.peer.close().await.expect("closed");
    customer.peer.close().await.expect("closed");
    turn.stop().await;
}
