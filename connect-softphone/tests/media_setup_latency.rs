//! Media setup time on loopback, relay-only through the simulated TURN server, over several
//! calls: from the offer to audio played out on both sides, with the phases in between.
//! Printed for the record, never asserted as a limit.

mod media_support;

use std::time::{Duration, Instant};

use connect_softphone::media::{IceState, MediaEvent, MediaEvents, WebRtcEngine};
use connect_softphone::mock::turn::SimTurnServer;
use connect_testkit::first_event;
use media_support::{has_tone, leg, relay_config, Leg, FRAMES_PER_SECOND};

const CALLS: usize = 12;
const AGENT_TONE: f64 = 440.0;
const CUSTOMER_TONE: f64 = 1_000.0;

/// When each phase of one call ended, measured from the start of `create_offer`.
#[derive(Clone, Copy, Debug, Default)]
struct Phases {
    offer: Duration,
    answer: Duration,
    ice_connected: Duration,
    transport_up: Duration,
    audio_both_ways: Duration,
}

impl Phases {
    fn in_order(&self) -> bool {
        self.offer <= self.answer
            && self.answer <= self.ice_connected
            && self.ice_connected <= self.transport_up
            && self.transport_up <= self.audio_both_ways
    }
}

/// When `events` reports ICE connected and then the transport up, both from `started`.
async fn connected_at(events: &mut MediaEvents, started: Instant) -> (Duration, Duration) {
    let ice = first_event!(events, |e| {
        matches!(e, MediaEvent::IceStateChanged(IceState::Connected)).then(|| started.elapsed())
    });
    let up = first_event!(events, |e| {
        (*e == MediaEvent::Connected).then(|| started.elapsed())
    });
    (ice, up)
}

async fn one_call(engine: &WebRtcEngine, turn: &SimTurnServer, n: usize) -> Phases {
    let agent = leg(
        engine,
        relay_config(turn, &format!("agent-{n}")),
        AGENT_TONE,
    )
    .await;
    let customer = leg(
        engine,
        relay_config(turn, &format!("cust-{n}")),
        CUSTOMER_TONE,
    )
    .await;
    let Leg {
        peer: agent_peer,
        events: mut agent_events,
        heard: agent_heard,
    } = agent;
    let Leg {
        peer: customer_peer,
        events: mut customer_events,
        heard: customer_heard,
    } = customer;

    let started = Instant::now();
    let offer = agent_peer.create_offer().await.expect("offer gathered");
    let offered = started.elapsed();
    let answer = customer_peer
        .accept_offer(offer)
        .await
        .expect("answer gathered");
    agent_peer
        .apply_answer(answer)
        .await
        .expect("answer applied");
    let answered = started.elapsed();
    let ((agent_ice, agent_up), (customer_ice, customer_up)) = tokio::join!(
        connected_at(&mut agent_events, started),
        connected_at(&mut customer_events, started)
    );
    tokio::join!(agent_heard.wait_frames(1), customer_heard.wait_frames(1));
    let phases = Phases {
        offer: offered,
        answer: answered,
        ice_connected: agent_ice.max(customer_ice),
        transport_up: agent_up.max(customer_up),
        audio_both_ways: started.elapsed(),
    };

    // What was played out is the other side's tone, not noise or our own: over half a second,
    // as the jitter buffer may first fill up to its 200 ms maximum after a bursty start.
    let (agent_got, customer_got) = tokio::join!(
        agent_heard.next_frames(FRAMES_PER_SECOND / 2),
        customer_heard.next_frames(FRAMES_PER_SECOND / 2)
    );
    assert!(has_tone(&agent_got, CUSTOMER_TONE), "call {n}: agent hears");
    assert!(
        has_tone(&customer_got, AGENT_TONE),
        "call {n}: customer hears"
    );
    agent_peer.close().await.expect("closed");
    customer_peer.close().await.expect("closed");
    phases
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() - 1) * p / 100]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_only_setup_time_over_several_calls() {
    let turn = SimTurnServer::start("sim-secret")
        .await
        .expect("TURN server");
    let engine = WebRtcEngine::new();
    let mut calls = Vec::with_capacity(CALLS);
    for n in 0..CALLS {
        let phases = one_call(&engine, &turn, n).await;
        assert!(phases.in_order(), "call {n}: {phases:?}");
        calls.push(phases);
    }
    assert!(turn.stats().allocations >= 2 * CALLS as u64);
    turn.stop().await;

    let column = |pick: fn(&Phases) -> Duration| {
        let mut values: Vec<Duration> = calls.iter().map(pick).collect();
        values.sort();
        format!(
            "p50 {:>9.1?}  p90 {:>9.1?}  max {:>9.1?}",
            percentile(&values, 50),
            percentile(&values, 90),
            values[values.len() - 1]
        )
    };
    eprintln!("relay-only media setup on loopback, {CALLS} calls, from the start of the offer:");
    eprintln!("  offer gathered       {}", column(|p| p.offer));
    eprintln!("  answer applied       {}", column(|p| p.answer));
    eprintln!("  ICE connected        {}", column(|p| p.ice_connected));
    eprintln!("  DTLS-SRTP up         {}", column(|p| p.transport_up));
    eprintln!("  audio both ways      {}", column(|p| p.audio_both_ways));
}
