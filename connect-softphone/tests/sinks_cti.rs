//! The CTI sink through connect-core's HTTP CTI client against a recording server: one
//! metrics request per contact per flush, the report after it, and retries on throttling.

use std::sync::Arc;
use std::time::Duration;

use connect_core::auth::StaticToken;
use connect_core::http::{HttpCti, RetryPolicy};
use connect_core::model::Timestamp;
use connect_softphone::sinks::{CtiSink, SpoolConfig, StatsHub};
use connect_softphone::stats::*;

#[path = "sinks_support/recorder.rs"]
mod recorder;

use recorder::{Recorder, SteppedClock};

const T0: i64 = 1_700_000_000_000;

fn cti(server: &Recorder) -> HttpCti {
    HttpCti::builder(&server.url)
        .auth(Arc::new(StaticToken::new("agent-token")))
        .retry_policy(RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        })
        .build()
        .expect("client builds")
}

fn snapshot(s: i64) -> StatsSnapshot {
    StatsSnapshot {
        timestamp: Timestamp::from_millis(T0 + 1000 * s),
        input: StreamCounters {
            packets: 50 * s as u64,
            audio_level: Some(0.5),
            ..Default::default()
        },
        output: StreamCounters {
            packets: 50 * s as u64,
            ..Default::default()
        },
        round_trip_time_secs: Some(0.125),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_call_reaches_connect_in_order_and_survives_throttling() {
    let server = Recorder::start().await;
    // The first metrics request is throttled.
    server.fail_next(&[429]);
    let clock = SteppedClock::new(T0);
    let (hub, _events) = StatsHub::builder()
        .clock(Arc::new(clock.clone()))
        .jitter_seed(1)
        .sink_with_spool(
            Arc::new(CtiSink::new(Arc::new(cti(&server)))),
            SpoolConfig::default(),
        )
        .start()
        .await;

    let call = Arc::new(CallContext::new("c-1", "ac-1", Enrichment::new("jdoe")));
    let mut sampler = CallSampler::new(call, SamplerConfig::default(), Timestamp::from_millis(T0));
    for s in 1..=30 {
        let out = sampler.tick(Timestamp::from_millis(T0 + 1000 * s), snapshot(s));
        hub.publish(out.events, out.records);
    }
    clock.advance_when_sleeping(Duration::from_secs(61)).await;
    hub.wait_until(|s| s[0].delivered == 60).await;
    for s in 31..=32 {
        let out = sampler.tick(Timestamp::from_millis(T0 + 1000 * s), snapshot(s));
        hub.publish(out.events, out.records);
    }
    let end = sampler.finish(Timestamp::from_millis(T0 + 32_500), CallEndInput::default());
    hub.publish(end.events, end.records);
    hub.wait_until(|s| s[0].delivered == 65).await;

    let seen = server.accepted();
    let targets: Vec<&str> = seen
        .iter()
        .map(|s| s.header("x-amz-target").unwrap_or_default())
        .collect();
    assert_eq!(
        targets,
        [
            "AmazonConnectCTIService.SendSoftphoneCallMetrics",
            "AmazonConnectCTIService.SendSoftphoneCallReport",
            "AmazonConnectCTIService.SendSoftphoneCallMetrics",
        ]
    );
    let first = seen[0].json();
    assert_eq!(first["authentication"]["authToken"], "agent-token");
    assert_eq!(first["contactId"], "c-1");
    assert_eq!(first["ccpVersion"], "V2");
    let stats = first["softphoneStreamStatistics"].as_array().expect("list");
    assert_eq!(stats.len(), 60);
    assert_eq!(stats[2]["packetCount"], 50);
    assert_eq!(stats[2]["audioLevel"], 16384.0);
    assert_eq!(stats[2]["roundTripTimeMillis"], 125);
    assert!(stats[2].get("jitterMillis").is_none());
    let report = seen[1].json();
    assert_eq!(
        report["report"]["softphoneStreamStatistics"][0]["packetCount"],
        1600
    );
    assert_eq!(
        seen[2].json()["softphoneStreamStatistics"]
            .as_array()
            .map(Vec::len),
        Some(4)
    );
    let health = hub.health();
    assert_eq!(
        (
            health.sink_errors,
            health.dropped_records,
            health.rejected_records
        ),
        (1, 0, 0)
    );
    hub.shutdown().await;
}
