//! The HTTP JSON sink over real HTTP on 127.0.0.1, and the spool's outage behaviour: nothing
//! lost up to the bound, then the oldest dropped and counted.

use std::sync::Arc;
use std::time::Duration;

use connect_core::api::CtiMethod;
use connect_core::metrics::ApiCallRecord;
use connect_core::metrics::ApiLatencyRecorder;
use connect_core::model::Timestamp;
use connect_softphone::sinks::{
    CqmVersion, HttpJsonSink, SinkAuth, SpoolConfig, StatsEvents, StatsHub, StatsSink,
    API_LATENCY_WINDOW,
};
use connect_softphone::stats::*;

#[path = "sinks_support/recorder.rs"]
mod recorder;

use recorder::{Recorder, SteppedClock};

const T0: i64 = 1_714_557_600_000; // 2024-05-01T10:00:00Z

fn call(contact: &str) -> Arc<CallContext> {
    let mut e = Enrichment::new("jdoe").with_call_config(
        r#"{"signalingEndpoint":"wss://sig.example/LilyRTC","iceServers":[{"urls":["turn:203.0.113.7:3478?transport=udp"],"username":"u","credential":"turn-secret"}]}"#,
    );
    e.contact_queue = Some("BasicQueue".into());
    e.agent_routing_profile = Some("Basic Routing Profile".into());
    Arc::new(CallContext::new(contact, "ac-1", e))
}

/// `n` stream records of `call`, one per second from `start` (s).
fn samples(call: &Arc<CallContext>, start: i64, n: i64) -> Vec<Record> {
    (start..start + n)
        .map(|s| Record::StreamSample {
            call: Arc::clone(call),
            sample: StreamSample {
                packets_count: 50,
                ..StreamSample::new(
                    StreamDirection::AudioInput,
                    Timestamp::from_millis(T0 + 1000 * s),
                )
            },
        })
        .collect()
}

/// The timestamps (s after T0) of every record the server accepted, in order.
fn delivered_seconds(server: &Recorder) -> Vec<i64> {
    server
        .accepted()
        .iter()
        .flat_map(|seen| {
            let body = seen.json();
            body["softphoneStreamStatistics"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|s| {
            let text = s["timestamp"].as_str().expect("ISO timestamp");
            let t = connect_core::log::parse_iso8601(text).expect("parses");
            (t.as_millis() - T0) / 1000
        })
        .collect()
}

async fn hub_with(
    server: &Recorder,
    clock: &SteppedClock,
    spool: SpoolConfig,
) -> (StatsHub, StatsEvents) {
    let sink = HttpJsonSink::builder(format!("{}/prod", server.url))
        .auth(SinkAuth::api_key("key-secret"))
        .version(CqmVersion::V3)
        .build()
        .expect("sink builds");
    StatsHub::builder()
        .clock(Arc::new(clock.clone()))
        .jitter_seed(7)
        .sink_with_spool(Arc::new(sink), spool)
        .start()
        .await
}

#[tokio::test]
async fn batches_arrive_with_the_solutions_bodies() {
    let server = Recorder::start().await;
    let clock = SteppedClock::new(T0);
    let (hub, _events) = hub_with(&server, &clock, SpoolConfig::default()).await;
    let a = call("c-a");
    let b = call("c-b");
    let mut records = samples(&a, 0, 2);
    records.extend(samples(&b, 0, 1));
    let mut api = ApiMetricsCollector::new("jdoe");
    records.extend(api.records([
        ApiCallRecord::success(
            CtiMethod::AcceptContact,
            40,
            200,
            Timestamp::from_millis(T0),
        ),
        ApiCallRecord::failure(
            CtiMethod::GetAgentStates,
            12,
            Some(503),
            "UnknownError",
            Timestamp::from_millis(T0),
        ),
    ]));
    let report = TelemetryReport {
        call: CallReport {
            timings: CallTimings {
                talking_time_millis: Some(9000),
                ..CallTimings::default()
            },
            ..CallReport::default()
        },
        ..TelemetryReport::default()
    };
    records.push(Record::Telemetry {
        call: Arc::clone(&a),
        report: Arc::new(report),
    });
    hub.dispatch(records);
    hub.wait_until(|s| s[0].delivered == 6).await;

    let seen = server.accepted();
    let mut paths: Vec<&str> = seen.iter().map(|s| s.path.as_str()).collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        [
            "/prod/apimetrics",
            "/prod/callreport",
            "/prod/softphonemetrics",
            "/prod/softphonemetrics"
        ]
    );
    for s in &seen {
        assert_eq!(s.header("x-api-key"), Some("key-secret"));
        assert_eq!(s.header("content-type"), Some("application/json"));
        let body = s.json();
        assert_eq!(body["agent"], "jdoe");
        assert!(
            !s.body.windows(11).any(|w| w == b"turn-secret"),
            "credentials exported"
        );
    }
    let metrics_a = seen
        .iter()
        .map(|s| s.json())
        .find(|b| b["contactId"] == "c-a" && b.get("softphoneStreamStatistics").is_some())
        .expect("c-a metrics");
    assert_eq!(metrics_a["contactQueue"], "BasicQueue");
    assert_eq!(metrics_a["agentRoutingProfile"], "Basic Routing Profile");
    assert!(metrics_a["agentPrivateIp"].is_null());
    let config: serde_json::Value =
        serde_json::from_str(metrics_a["callConfigJson"].as_str().expect("text")).expect("JSON");
    assert_eq!(config["signalingEndpoint"], "wss://sig.example/LilyRTC");
    let stats = metrics_a["softphoneStreamStatistics"]
        .as_array()
        .expect("list");
    assert_eq!(stats.len(), 2);
    assert_eq!(stats[0]["packetsCount"], 50);
    assert_eq!(stats[0]["timestamp"], "2024-05-01T10:00:00.000Z");

    let report = seen
        .iter()
        .find(|s| s.path.ends_with("/callreport"))
        .expect("report")
        .json();
    assert_eq!(report["ccpVersion"], "V2");
    assert_eq!(report["contactId"], "c-a");
    assert_eq!(report["agentBrowserName"], "connect-softphone");
    assert_eq!(report["report"]["talkingTimeMillis"], 9000);
    let api = seen
        .iter()
        .find(|s| s.path.ends_with("/apimetrics"))
        .expect("api")
        .json();
    let samples = api["API_METRIC"].as_array().expect("list");
    assert_eq!(samples.len(), 2);
    assert_eq!(samples[1]["name"], "getAgentStates");
    assert_eq!(samples[1]["error5xx"], 1);
    assert_eq!(samples[1]["fault"], 1);
    assert_eq!(hub.health().sink_errors, 0);
    hub.shutdown().await;
}

#[tokio::test]
async fn a_clients_api_calls_are_posted_every_window() {
    let server = Recorder::start().await;
    let clock = SteppedClock::new(T0);
    let (hub, _events) = hub_with(&server, &clock, SpoolConfig::default()).await;
    let recorder = ApiLatencyRecorder::default();
    let feed = hub.forward_api_latency(&recorder, "jdoe", API_LATENCY_WINDOW);
    let at = Timestamp::from_millis(T0);
    recorder.record(ApiCallRecord::success(
        CtiMethod::AcceptContact,
        40,
        200,
        at,
    ));
    recorder.record(ApiCallRecord::success(
        CtiMethod::GetAgentSnapshot,
        29_000,
        200,
        at,
    ));
    clock.advance_when_sleeping(API_LATENCY_WINDOW).await;
    hub.wait_until(|s| s[0].delivered == 2).await;
    let body = server.accepted()[0].json();
    assert_eq!(server.accepted()[0].path, "/prod/apimetrics");
    assert_eq!(body["agent"], "jdoe");
    let samples = body["API_METRIC"].as_array().expect("list");
    assert_eq!(samples[0]["name"], "acceptContact");
    assert_eq!(samples[0]["time"], 40);
    assert_eq!(samples[1]["name"], "getAgentSnapshot");
    assert_eq!(samples[1]["longPoll"], true, "kept out of the averages");
    feed.abort();
    hub.shutdown().await;
}

#[tokio::test]
async fn an_outage_loses_nothing_up_to_the_bound() {
    let server = Recorder::start().await;
    server.fail_with(Some(503));
    let clock = SteppedClock::new(T0);
    let spool = SpoolConfig {
        max_records: 100,
        max_batch_records: 10,
        ..SpoolConfig::default()
    };
    let (hub, _events) = hub_with(&server, &clock, spool).await;
    let a = call("c-a");
    hub.dispatch(samples(&a, 0, 60));
    server.wait_for_requests(1).await;
    hub.dispatch(samples(&a, 60, 40));
    // Still down after a first backoff.
    let seen = server.seen().len();
    clock.advance_when_sleeping(Duration::from_secs(61)).await;
    server.wait_for_requests(seen + 1).await;
    assert_eq!(hub.health().dropped_records, 0);
    server.fail_with(None);
    clock.advance_when_sleeping(Duration::from_secs(61)).await;
    hub.wait_until(|s| s[0].delivered == 100).await;
    assert_eq!(delivered_seconds(&server), (0..100).collect::<Vec<_>>());
    let health = hub.health();
    assert_eq!((health.dropped_records, health.rejected_records), (0, 0));
    assert!(health.sink_errors >= 2);
    hub.shutdown().await;
}

#[tokio::test]
async fn beyond_the_bound_the_oldest_are_dropped_and_counted() {
    let server = Recorder::start().await;
    server.fail_with(Some(500));
    let clock = SteppedClock::new(T0);
    let spool = SpoolConfig {
        max_records: 50,
        max_batch_records: 10,
        ..SpoolConfig::default()
    };
    let (hub, mut events) = hub_with(&server, &clock, spool).await;
    let a = call("c-a");
    hub.dispatch(samples(&a, 0, 10));
    server.wait_for_requests(1).await;
    hub.dispatch(samples(&a, 10, 70));
    // The failed batch went back in front and the bound applies once it is back.
    clock.advance_when_sleeping(Duration::from_secs(61)).await;
    server.wait_for_requests(2).await;
    hub.wait_until(|s| s[0].dropped == 30).await;
    let backpressure = events.recv().await;
    assert!(
        matches!(&backpressure, Some(StatsEvent::SinkBackpressure { sink }) if sink == "http-json"),
        "{backpressure:?}"
    );
    server.fail_with(None);
    clock.advance_when_sleeping(Duration::from_secs(61)).await;
    hub.wait_until(|s| s[0].delivered == 50).await;
    assert_eq!(delivered_seconds(&server), (30..80).collect::<Vec<_>>());
    assert_eq!(hub.health().dropped_records, 30);
    assert!(
        events.try_recv().is_none(),
        "backpressure is reported once per outage"
    );
    hub.shutdown().await;
}

#[tokio::test]
async fn refusals_are_dropped_and_counted_and_do_not_block_the_rest() {
    let server = Recorder::start().await;
    server.fail_next(&[400]);
    let clock = SteppedClock::new(T0);
    let (hub, _events) = hub_with(&server, &clock, SpoolConfig::default()).await;
    hub.dispatch(samples(&call("c-a"), 0, 3));
    hub.wait_until(|s| s[0].rejected == 3).await;
    hub.dispatch(samples(&call("c-a"), 3, 2));
    hub.wait_until(|s| s[0].delivered == 2).await;
    assert_eq!(delivered_seconds(&server), [3, 4]);
    assert_eq!(hub.health().rejected_records, 3);
    hub.shutdown().await;
}

#[tokio::test]
async fn shutdown_during_an_outage_counts_what_is_left() {
    let server = Recorder::start().await;
    server.fail_with(Some(503));
    let clock = SteppedClock::new(T0);
    let spool = SpoolConfig {
        shutdown_drain: Duration::from_secs(5),
        ..SpoolConfig::default()
    };
    let (hub, _events) = hub_with(&server, &clock, spool).await;
    hub.dispatch(samples(&call("c-a"), 0, 7));
    server.wait_for_requests(1).await;
    let shutdown = tokio::spawn({
        let hub = hub.clone();
        async move { hub.shutdown().await }
    });
    // Both the backoff and the drain sleep; moving past the drain ends the shutdown.
    clock.advance_when_sleepers(2, Duration::from_secs(5)).await;
    shutdown.await.expect("shutdown completes");
    assert_eq!(hub.health().dropped_records, 7);
    assert_eq!(hub.sinks()[0].queued, 0);
}

#[test]
fn accepts_the_kinds_of_the_solution() {
    let sink = HttpJsonSink::builder("http://127.0.0.1:9")
        .build()
        .expect("builds");
    let kinds = [
        (RecordKind::StreamSample, true),
        (RecordKind::CallReport, false),
        (RecordKind::TelemetryReport, true),
        (RecordKind::ApiLatencySample, true),
        (RecordKind::QualitySummary, false),
    ];
    for (kind, accepted) in kinds {
        assert_eq!(sink.accepts(kind), accepted, "{kind:?}");
    }
}

/// A sink that panics on its first delivery, then counts what it gets.
#[derive(Debug, Default)]
struct Fragile {
    calls: std::sync::atomic::AtomicUsize,
}

#[async_trait::async_trait]
impl StatsSink for Fragile {
    fn name(&self) -> &str {
        "fragile"
    }

    fn accepts(&self, _: RecordKind) -> bool {
        true
    }

    async fn send(&self, _batch: &[Record]) -> Result<(), connect_softphone::sinks::SinkError> {
        let call = self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        assert!(call > 0, "a sink bug");
        Ok(())
    }
}

#[tokio::test]
async fn a_panicking_sink_is_contained_and_others_go_on() {
    let server = Recorder::start().await;
    let clock = SteppedClock::new(T0);
    let http = HttpJsonSink::builder(&server.url).build().expect("builds");
    let (hub, _events) = StatsHub::builder()
        .clock(Arc::new(clock))
        .sink(Arc::new(Fragile::default()))
        .sink(Arc::new(http))
        .start()
        .await;
    hub.dispatch(samples(&call("c-a"), 0, 2));
    hub.wait_until(|s| s[0].rejected == 2 && s[1].delivered == 2)
        .await;
    hub.dispatch(samples(&call("c-a"), 2, 3));
    hub.wait_until(|s| s[0].delivered == 3 && s[1].delivered == 5)
        .await;
    let health = hub.health();
    assert_eq!((health.sink_errors, health.rejected_records), (1, 2));
    hub.shutdown().await;
}
