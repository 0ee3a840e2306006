//! Call-quality monitoring of a real softphone call: the manager samples the call's media
//! counters every second, and at its end the quality summary reaches the app and the call
//! report and metrics reach Connect over CTI (the simulator journals them).
#![cfg(all(feature = "mock", not(target_arch = "wasm32")))]

mod softphone_support;

use std::time::Instant;

use connect_core::mock::JournalEvent;
use connect_softphone::manager::SoftphoneEvent;
use connect_softphone::stats::{Grade, StatsEvent};
use connect_testkit::{first_event, within};
use softphone_support::{next_samples, Options, Rig};

const SECOND: usize = 48_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_is_sampled_summarised_and_reported_to_connect() {
    let mut rig = Rig::start(Options::default()).await;
    let mut quality = rig.softphone.stats_hub().subscribe();
    let contact_id = rig.call_in();
    rig.started(&contact_id).await;
    rig.media_both_ways(&contact_id, Instant::now()).await;
    rig.accept_until_connected(&contact_id).await;
    // Two seconds of the customer's audio at the agent: two or three readings of the counters.
    next_samples(&rig.agent_heard(&contact_id), 2 * SECOND).await;
    rig.sim
        .control()
        .hang_up(&contact_id)
        .expect("customer hangs up");
    let SoftphoneEvent::Ended { .. } = rig.ended(&contact_id).await else {
        unreachable!("ended() returns Ended")
    };

    let summary = first_event!(
        quality,
        |e| match e {
            StatsEvent::QualitySummary(s) if s.contact_id == contact_id => Some(s.clone()),
            _ => None,
        },
        "the call's final quality summary"
    );
    assert!(
        summary.audio_input.packets >= 50,
        "a second or more of packets heard: {summary:?}"
    );
    assert!(summary.audio_output.packets >= 50, "{summary:?}");
    assert_eq!(summary.audio_input.lost, 0, "loopback loses nothing");
    let buffered = summary
        .audio_input
        .jitter_buffer_ms
        .expect("the jitter buffer's delay is measured");
    assert!(buffered > 0.0, "{summary:?}");
    // RTCP round trip on loopback: measured, and small.
    let rtt = summary.rtt_ms_mean.expect("RTT measured");
    assert!((0.0..50.0).contains(&rtt), "{summary:?}");
    let mos = summary.mos.expect("MOS once the RTT is known");
    assert!(mos >= 4.2, "clean loopback call: MOS {mos}");
    assert_eq!(summary.grade, Grade::Good, "{summary:?}");

    // The call report and the final metrics batch go to Connect over CTI.
    let hub = rig.softphone.stats_hub().clone();
    within(
        "records delivered",
        hub.wait_until(|sinks| sinks.iter().all(|s| s.queued == 0 && s.delivered >= 2)),
    )
    .await;
    let recorded: Vec<(&str, serde_json::Value)> = rig
        .sim
        .journal()
        .entries()
        .into_iter()
        .filter_map(|e| match e.event {
            JournalEvent::Recorded {
                method, payload, ..
            } => Some((method, payload)),
            _ => None,
        })
        .collect();
    let report = recorded
        .iter()
        .find(|(m, _)| *m == "sendSoftphoneCallReport")
        .map(|(_, p)| p)
        .expect("call report sent");
    assert_eq!(report["contactId"], contact_id.as_str(), "{report}");
    let statistics = report["report"]["softphoneStreamStatistics"]
        .as_array()
        .expect("stream statistics");
    assert_eq!(statistics.len(), 2, "{report}");
    assert!(
        report["report"]["talkTimeMillis"].as_u64().is_some(),
        "{report}"
    );
    let metrics = recorded
        .iter()
        .find(|(m, _)| *m == "sendSoftphoneCallMetrics")
        .map(|(_, p)| p)
        .expect("metrics batch sent");
    assert_eq!(metrics["contactId"], contact_id.as_str(), "{metrics}");
    let samples = metrics["softphoneStreamStatistics"]
        .as_array()
        .expect("samples");
    assert!(
        samples.len() >= 2,
        "one input and one output record a second: {metrics}"
    );
    rig.stop().await;
}
