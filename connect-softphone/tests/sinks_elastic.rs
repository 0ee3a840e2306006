//! The Elasticsearch/OpenSearch sink over real HTTP: valid NDJSON into daily indices with
//! idempotent ids, parsed by the receiving server; item-level retries and refusals.

use std::sync::Arc;
use std::time::Duration;

use connect_core::api::CtiMethod;
use connect_core::metrics::ApiCallRecord;
use connect_core::model::Timestamp;
use connect_softphone::sinks::{ElasticsearchSink, SinkAuth, SpoolConfig, StatsHub};
use connect_softphone::stats::*;
use serde_json::{json, Value};

#[path = "sinks_support/recorder.rs"]
mod recorder;

use recorder::{Recorder, Seen, SteppedClock};

/// 2024-05-01T23:59:59.000Z: one second before the index date changes.
const T0: i64 = 1_714_607_999_000;

/// Parses a `_bulk` body into (action, document) pairs, checking the NDJSON framing.
fn parse_bulk(seen: &Seen) -> Vec<(Value, Value)> {
    let text = std::str::from_utf8(&seen.body).expect("UTF-8");
    assert!(text.ends_with('\n'), "trailing newline");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len() % 2, 0);
    lines
        .chunks(2)
        .map(|pair| (pair[0].clone(), pair[1].clone()))
        .collect()
}

/// Answers `_bulk` like a cluster: one item per document, with the status `status_of`
/// gives the document's id.
fn bulk_answer(seen: &Seen, status_of: impl Fn(&str) -> u16) -> (u16, String) {
    let items: Vec<Value> = parse_bulk(seen)
        .iter()
        .map(|(action, _)| {
            let id = action["index"]["_id"].as_str().unwrap_or_default();
            let status = status_of(id);
            let mut item =
                json!({"_index": action["index"]["_index"], "_id": id, "status": status});
            if status >= 300 {
                item["error"] = json!({"type": "mapper_parsing_exception", "reason": "bad"});
            }
            json!({ "index": item })
        })
        .collect();
    let errors = items
        .iter()
        .any(|i| i["index"]["status"].as_u64() >= Some(300));
    (
        200,
        json!({"took": 3, "errors": errors, "items": items}).to_string(),
    )
}

fn call() -> Arc<CallContext> {
    let mut e = Enrichment::new("jdoe");
    e.contact_queue = Some("BasicQueue".into());
    e.hierarchy[0] = Some("EMEA".into());
    Arc::new(CallContext::new("c-1", "ac-1", e))
}

fn sample(direction: StreamDirection, ms: i64) -> Record {
    Record::StreamSample {
        call: call(),
        sample: StreamSample {
            packets_count: 50,
            round_trip_time_millis: Some(88),
            ..StreamSample::new(direction, Timestamp::from_millis(ms))
        },
    }
}

async fn hub(server: &Recorder, clock: &SteppedClock) -> StatsHub {
    let sink = ElasticsearchSink::builder(&server.url)
        .auth(SinkAuth::basic("elastic", "es-secret"))
        .build()
        .expect("sink builds");
    let (hub, _events) = StatsHub::builder()
        .clock(Arc::new(clock.clone()))
        .jitter_seed(3)
        .sink_with_spool(Arc::new(sink), SpoolConfig::default())
        .start()
        .await;
    hub
}

#[tokio::test]
async fn writes_ndjson_into_daily_indices() {
    let server = Recorder::with_responder(|seen| bulk_answer(seen, |_| 201)).await;
    let clock = SteppedClock::new(T0);
    let hub = hub(&server, &clock).await;
    let mut api = ApiMetricsCollector::new("jdoe");
    let mut records = vec![
        sample(StreamDirection::AudioInput, T0),
        sample(StreamDirection::AudioOutput, T0 + 1000),
    ];
    records.extend(api.records([
        ApiCallRecord::success(
            CtiMethod::AcceptContact,
            40,
            200,
            Timestamp::from_millis(T0),
        ),
        ApiCallRecord::success(
            CtiMethod::AcceptContact,
            41,
            200,
            Timestamp::from_millis(T0),
        ),
    ]));
    let report = TelemetryReport {
        call: CallReport {
            timings: CallTimings {
                call_end_time: Some(Timestamp::from_millis(T0 + 2000)),
                talking_time_millis: Some(5000),
                ..CallTimings::default()
            },
            ..CallReport::default()
        },
        ..TelemetryReport::default()
    };
    records.push(Record::Telemetry {
        call: call(),
        report: Arc::new(report),
    });
    // Not accepted by default: never reaches the cluster.
    records.push(Record::CallReport {
        call: call(),
        report: Arc::new(CallReport::default()),
    });
    hub.dispatch(records);
    hub.wait_until(|s| s[0].delivered == 5).await;

    let seen = server.accepted();
    assert_eq!(seen.len(), 1);
    let request = &seen[0];
    assert_eq!(request.path, "/_bulk");
    assert_eq!(request.header("content-type"), Some("application/x-ndjson"));
    assert!(request
        .header("authorization")
        .is_some_and(|a| a.starts_with("Basic ")));
    let docs = parse_bulk(request);
    let placed: Vec<(&str, &str)> = docs
        .iter()
        .map(|(action, _)| {
            (
                action["index"]["_index"].as_str().expect("index"),
                action["index"]["_id"].as_str().expect("id"),
            )
        })
        .collect();
    assert_eq!(
        placed,
        [
            (
                "softphonestreamstats-2024-05-01",
                "c-1:ac-1:audio_input:1714607999000"
            ),
            (
                "softphonestreamstats-2024-05-02",
                "c-1:ac-1:audio_output:1714608000000"
            ),
            ("apimetric-2024-05-01", "jdoe:acceptContact:1714607999000:0"),
            ("apimetric-2024-05-01", "jdoe:acceptContact:1714607999000:1"),
            ("softphonecallreport-2024-05-02", "c-1:ac-1:report"),
        ]
    );
    let stream = &docs[0].1["doc"];
    assert_eq!(stream["agent"], "jdoe");
    assert_eq!(stream["contactQueue"], "BasicQueue");
    assert_eq!(stream["hierarchyL1"], "EMEA");
    assert!(stream["hierarchyL2"].is_null());
    assert_eq!(stream["packetsCount"], 50);
    assert_eq!(stream["roundTripTimeMillis"], 88);
    assert_eq!(stream["timestamp"], "2024-05-01T23:59:59.000Z");
    assert_eq!(
        docs[2].1,
        json!({"doc": {"agent": "jdoe", "timestamp": "2024-05-01T23:59:59.000Z", "acceptContact": 40}})
    );
    let report = &docs[4].1["doc"];
    assert_eq!(report["report"]["talkingTimeMillis"], 5000);
    assert_eq!(report["timestamp"], "2024-05-02T00:00:01.000Z");
    hub.shutdown().await;
}

#[tokio::test]
async fn throttled_items_are_retried_and_refused_items_counted() {
    let attempts = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = Arc::clone(&attempts);
    let server = Recorder::with_responder(move |seen| {
        let first = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0;
        bulk_answer(seen, |id| match id {
            id if id.contains("audio_input") && first => 429,
            id if id.contains("audio_output") => 400,
            _ => 201,
        })
    })
    .await;
    let clock = SteppedClock::new(T0);
    let hub = hub(&server, &clock).await;
    hub.dispatch([
        sample(StreamDirection::AudioInput, T0),
        sample(StreamDirection::AudioOutput, T0),
        sample(StreamDirection::AudioInput, T0 + 1000),
    ]);
    clock.advance_when_sleeping(Duration::from_secs(61)).await;
    hub.wait_until(|s| s[0].delivered == 2 && s[0].rejected == 1)
        .await;
    let seen = server.accepted();
    assert_eq!(seen.len(), 2);
    let retried: Vec<String> = parse_bulk(&seen[1])
        .iter()
        .map(|(a, _)| a["index"]["_id"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        retried,
        [
            "c-1:ac-1:audio_input:1714607999000",
            "c-1:ac-1:audio_input:1714608000000"
        ]
    );
    let health = hub.health();
    assert_eq!((health.rejected_records, health.dropped_records), (1, 0));
    hub.shutdown().await;
}

#[tokio::test]
async fn large_batches_are_split_under_the_document_limit() {
    let server = Recorder::with_responder(|seen| bulk_answer(seen, |_| 201)).await;
    let sink = ElasticsearchSink::builder(&server.url)
        .build()
        .expect("sink builds");
    let spool = SpoolConfig {
        max_batch_records: 5000,
        ..SpoolConfig::default()
    };
    let (hub, _events) = StatsHub::builder()
        .sink_with_spool(Arc::new(sink), spool)
        .start()
        .await;
    hub.dispatch((0..2500).map(|i| sample(StreamDirection::AudioInput, T0 + i)));
    hub.wait_until(|s| s[0].delivered == 2500).await;
    let sizes: Vec<usize> = server
        .accepted()
        .iter()
        .map(|s| parse_bulk(s).len())
        .collect();
    assert_eq!(sizes, [1000, 1000, 500]);
    assert!(server
        .accepted()
        .iter()
        .all(|s| s.body.len() <= connect_softphone::sinks::MAX_BULK_BYTES));
    hub.shutdown().await;
}

/// With IAM credentials (Amazon OpenSearch Service), every `_bulk` request is signed with
/// SigV4 over its body, and the secret never travels.
#[cfg(feature = "sigv4")]
#[tokio::test]
async fn bulk_requests_are_signed_with_sigv4() {
    use connect_softphone::sinks::SigV4Credentials;
    use sha2::{Digest, Sha256};

    let server = Recorder::with_responder(|seen| bulk_answer(seen, |_| 201)).await;
    let credentials = SigV4Credentials::new("AKIDEXAMPLE", "sigv4-secret", "us-east-1", "es")
        .with_session_token("session-token");
    let sink = ElasticsearchSink::builder(&server.url)
        .auth(SinkAuth::SigV4(credentials))
        .build()
        .expect("sink builds");
    let (hub, _events) = StatsHub::builder()
        .clock(Arc::new(SteppedClock::new(T0)))
        .sink_with_spool(Arc::new(sink), SpoolConfig::default())
        .start()
        .await;
    hub.dispatch(vec![sample(StreamDirection::AudioInput, T0)]);
    hub.wait_until(|s| s[0].delivered == 1).await;

    let seen = server.accepted();
    let request = &seen[0];
    let authorization = request.header("authorization").expect("signed");
    let date = request.header("x-amz-date").expect("x-amz-date");
    assert_eq!(date.len(), 16, "{date}");
    assert!(authorization.starts_with(&format!(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{}/us-east-1/es/aws4_request, \
         SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, \
         Signature=",
        &date[..8]
    )));
    let signature = authorization.rsplit('=').next().expect("signature");
    assert!(signature.len() == 64 && signature.chars().all(|c| c.is_ascii_hexdigit()));
    let body_hash: String = Sha256::digest(&request.body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        request.header("x-amz-content-sha256"),
        Some(body_hash.as_str())
    );
    assert_eq!(
        request.header("x-amz-security-token"),
        Some("session-token")
    );
    assert!(!format!("{:?}", request.headers).contains("sigv4-secret"));
    hub.shutdown().await;
}
