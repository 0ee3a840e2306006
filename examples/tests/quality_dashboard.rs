//! The quality dashboard over real HTTP on 127.0.0.1: batches produced and POSTed by the
//! SDK's own `HttpJsonSink` through a `StatsHub`, the numbers the dashboard computes from
//! them, the HTML report, refusals that leave the receiver running, and the binary end to
//! end.

use std::io::{BufRead, BufReader};
use std::ops::Range;
use std::process::{Command, Stdio};
use std::sync::Arc;

use connect_core::api::CtiMethod;
use connect_core::metrics::ApiCallRecord;
use connect_core::model::Timestamp;
use connect_examples::dashboard::{DashboardServer, GroupBy, GroupRow};
use connect_softphone::sinks::{CqmVersion, HttpJsonSink, StatsHub};
use connect_softphone::stats::*;

const T0: i64 = 1_714_557_600_000; // 2024-05-01T10:00:00Z

fn call(agent: &str, contact: &str, queue: &str) -> Arc<CallContext> {
    let mut e = Enrichment::new(agent);
    e.contact_queue = Some(queue.into());
    e.agent_routing_profile = Some("Basic Routing Profile".into());
    Arc::new(CallContext::new(contact, format!("ac-{contact}"), e))
}

/// What one direction does every second: packets, lost, jitter (ms).
#[derive(Clone, Copy)]
struct Flow(u64, u64, u64);

/// Two records per second of `seconds` (s after T0), input then output, both with `rtt`.
fn samples(
    call: &Arc<CallContext>,
    seconds: Range<i64>,
    input: Flow,
    output: Flow,
    rtt: u64,
) -> Vec<Record> {
    let mut records = Vec::new();
    for s in seconds {
        for (direction, flow) in [
            (StreamDirection::AudioInput, input),
            (StreamDirection::AudioOutput, output),
        ] {
            let sample = StreamSample {
                packets_count: flow.0,
                packets_lost: flow.1,
                jitter_millis: Some(flow.2),
                round_trip_time_millis: Some(rtt),
                audio_level: Some(1200),
                ..StreamSample::new(direction, Timestamp::from_millis(T0 + 1000 * s))
            };
            records.push(Record::StreamSample {
                call: Arc::clone(call),
                sample,
            });
        }
    }
    records
}

fn report(call: &Arc<CallContext>, talking_ms: u64, flags: FailureFlags) -> Record {
    let failed = flags != FailureFlags::default();
    let report = TelemetryReport {
        call: CallReport {
            timings: CallTimings {
                call_start_time: Some(Timestamp::from_millis(T0)),
                call_end_time: Some(Timestamp::from_millis(T0 + 30_000)),
                talking_time_millis: Some(talking_ms),
                ..CallTimings::default()
            },
            flags,
            ..CallReport::default()
        },
        details: TelemetryDetails {
            end_reason: Some(
                if failed {
                    "handshake failed"
                } else {
                    "hung up"
                }
                .into(),
            ),
            ..TelemetryDetails::default()
        },
        ..TelemetryReport::default()
    };
    Record::Telemetry {
        call: Arc::clone(call),
        report: Arc::new(report),
    }
}

async fn hub(url: &str, version: CqmVersion) -> StatsHub {
    let sink = HttpJsonSink::builder(url)
        .version(version)
        .build()
        .expect("sink builds");
    StatsHub::builder()
        .jitter_seed(3)
        .sink(Arc::new(sink))
        .start()
        .await
        .0
}

async fn deliver(hub: &StatsHub, records: Vec<Record>) {
    let before = hub.sinks()[0].delivered;
    let n = records.len() as u64;
    hub.dispatch(records);
    hub.wait_until(|s| s[0].delivered == before + n || s[0].rejected > 0)
        .await;
    assert_eq!(
        hub.health().rejected_records,
        0,
        "the receiver refused records"
    );
}

async fn receiver() -> DashboardServer {
    DashboardServer::builder()
        .bind("127.0.0.1:0".parse().expect("address"))
        .await
        .expect("binds")
}

fn row<'a>(rows: &'a [GroupRow], key: &str) -> &'a GroupRow {
    rows.iter().find(|r| r.key == key).expect("a row")
}

fn mos(rtt: f64, jitter: f64, loss_pct: f64) -> f64 {
    MosInputs {
        latency_ms: rtt / 2.0,
        jitter_ms: jitter,
        loss_pct,
    }
    .mos()
}

#[tokio::test]
async fn sdk_batches_become_the_dashboards_numbers_and_report() {
    let server = receiver().await;
    let hub = hub(server.url(), CqmVersion::V2).await;
    let c1 = call("ann", "c-1", "Sales");
    let c2 = call("ann", "c-2", "Support");
    let c3 = call("bob", "c-3", "Sales");
    let mut records = samples(&c1, 0..10, Flow(48, 2, 10), Flow(50, 1, 10), 100);
    records.extend(samples(&c2, 0..10, Flow(50, 0, 5), Flow(50, 0, 5), 80));
    records.extend(samples(&c3, 0..5, Flow(45, 5, 40), Flow(50, 0, 40), 600));
    records.push(report(&c1, 120_000, FailureFlags::default()));
    records.push(report(&c2, 6_000, FailureFlags::default()));
    let handshake = FailureFlags {
        handshaking_failure: Some(true),
        ice_collection_failure: Some(false),
        ..FailureFlags::default()
    };
    records.push(report(&c3, 0, handshake));
    records.extend(ApiMetricsCollector::new("ann").records([
        ApiCallRecord::success(
            CtiMethod::AcceptContact,
            40,
            200,
            Timestamp::from_millis(T0),
        ),
        ApiCallRecord::success(
            CtiMethod::AcceptContact,
            80,
            200,
            Timestamp::from_millis(T0),
        ),
        ApiCallRecord::failure(
            CtiMethod::GetAgentStates,
            12,
            Some(503),
            "ServiceUnavailable",
            Timestamp::from_millis(T0),
        ),
    ]));
    deliver(&hub, records).await;
    assert_eq!(server.progress().call_reports, 3);

    let agents = server.read(|d| d.groups(GroupBy::Agent));
    let ann = row(&agents, "ann");
    assert_eq!(ann.calls, 2);
    // Input: 20 lost of 1000 expected; output: 10 lost of 1000 sent.
    assert_eq!(ann.quality.loss_pct(StreamDirection::AudioInput), Some(2.0));
    assert_eq!(
        ann.quality.loss_pct(StreamDirection::AudioOutput),
        Some(1.0)
    );
    assert_eq!(ann.quality.rtt_ms(), Some(90.0));
    assert_eq!(ann.quality.jitter_ms_both(), Some(7.5));
    // c-1: input 4 % loss is its worse direction; c-2 is clean.
    let (m1, m2) = (mos(100.0, 10.0, 4.0), mos(80.0, 5.0, 0.0));
    assert!((ann.mos_min.expect("MOS") - m1).abs() < 1e-12);
    assert!((ann.mos_mean.expect("MOS") - (m1 + m2) / 2.0).abs() < 1e-12);
    assert_eq!(
        (ann.short_calls, ann.failed_calls, ann.high_rtt_calls),
        (1, 0, 0)
    );
    let bob = row(&agents, "bob");
    assert_eq!(
        bob.quality.loss_pct(StreamDirection::AudioInput),
        Some(10.0)
    );
    assert_eq!((bob.failed_calls, bob.high_rtt_calls), (1, 1));

    let queues = server.read(|d| d.groups(GroupBy::Queue));
    let sales = row(&queues, "Sales");
    assert_eq!(sales.calls, 2);
    // 20 + 25 lost of 500 + 250 expected.
    assert_eq!(
        sales.quality.loss_pct(StreamDirection::AudioInput),
        Some(6.0)
    );
    assert_eq!(row(&queues, "Support").calls, 1);

    let (width, points) = server.read(|d| d.series());
    assert_eq!((width, points.len()), (1, 10));
    assert_eq!(points[0].start, Timestamp::from_millis(T0));
    assert_eq!(points[0].rtt_ms, Some(260.0));
    assert_eq!(points[9].rtt_ms, Some(90.0));

    let api = server.read(|d| d.api());
    assert_eq!(api[0].name, "acceptContact");
    assert_eq!((api[0].count, api[0].mean_ms), (2, Some(60.0)));
    assert_eq!(
        (api[1].name.as_str(), api[1].errors_5xx),
        ("getAgentStates", 1)
    );

    let failed: Vec<(String, Vec<String>)> = server.read(|d| {
        d.failed_calls()
            .iter()
            .map(|c| {
                let outcome = c.outcome.as_ref().expect("a report");
                (c.info.contact_id.clone(), outcome.failures())
            })
            .collect()
    });
    assert_eq!(
        failed,
        [("c-3".to_owned(), vec!["handshakingFailure".to_owned()])]
    );

    // The report, as served at GET / over HTTP.
    let page = reqwest::get(server.url()).await.expect("GET /");
    assert_eq!(page.status(), 200);
    let content_type = page.headers()["content-type"].to_str().expect("text");
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let html = page.text().await.expect("the page");
    for needle in [
        "ann",
        "bob",
        "Sales",
        "Support",
        "Basic Routing Profile",
        "c-3",
    ] {
        assert!(html.contains(&format!(">{needle}<")), "{needle} missing");
    }
    for chart in [
        "Packet loss (%)",
        "Jitter (ms)",
        "Round-trip time (ms)",
        "MOS",
    ] {
        assert!(
            html.contains(&format!(r#"role="img" aria-label="{chart}""#)),
            "{chart} plot missing"
        );
    }
    assert_eq!(html.matches("<svg").count(), 4);
    assert_eq!(html.matches("<polyline").count(), 6, "every series drawn");
    assert!(!html.contains("no data"));
    assert!(html.contains("Failed calls (1)"));
    assert!(html.contains("handshakingFailure"));
    assert!(html.contains("handshake failed"));
    assert!(html.contains("Short calls (1 under 10 s)"));
    assert!(html.contains(">acceptContact<"));
    assert!(!html.contains("<script"), "no scripts");
    assert!(
        !html.contains("src=") && !html.contains("<link") && !html.contains("https://"),
        "no external resources"
    );
    hub.shutdown().await;
    server.shutdown().await;
}

#[tokio::test]
async fn refused_posts_get_4xx_and_later_batches_are_still_accepted() {
    let server = DashboardServer::builder()
        .max_body_bytes(4096)
        .bind("127.0.0.1:0".parse().expect("address"))
        .await
        .expect("binds");
    let client = reqwest::Client::new();
    let post = |path: &str, body: String| {
        client
            .post(format!("{}{path}", server.url()))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let not_json = post("prod/softphonemetrics", "{not json".into())
        .await
        .expect("answered");
    assert_eq!(not_json.status(), 400);
    let error: serde_json::Value = not_json.json().await.expect("a JSON error");
    let message = error["error"].as_str().expect("a message");
    assert!(
        message.starts_with("malformed softphonemetrics body"),
        "{message}"
    );

    let no_contact = post("callreport", r#"{"agent":"ann","report":{}}"#.into())
        .await
        .expect("answered");
    assert_eq!(no_contact.status(), 400);
    let huge = format!(
        r#"{{"agent":"ann","API_METRIC":[],"pad":"{}"}}"#,
        "x".repeat(5000)
    );
    let too_large = post("apimetrics", huge).await.expect("answered");
    assert_eq!(too_large.status(), 413);
    let nowhere = post("elsewhere", "{}".into()).await.expect("answered");
    assert_eq!(nowhere.status(), 404);
    let get = client
        .get(format!("{}softphonemetrics", server.url()))
        .send()
        .await
        .expect("answered");
    assert_eq!(get.status(), 405);
    let progress = server.progress();
    assert_eq!((progress.accepted, progress.rejected), (0, 4));

    // The receiver goes on: a v3 call report and stream records through the SDK's sink.
    let hub = hub(&format!("{}prod", server.url()), CqmVersion::V3).await;
    let c = call("cy", "c-9", "Billing");
    let mut records = samples(&c, 0..3, Flow(50, 0, 2), Flow(50, 0, 2), 40);
    records.push(report(&c, 45_000, FailureFlags::default()));
    deliver(&hub, records).await;
    let progress = server.progress();
    assert_eq!(
        (progress.accepted, progress.rejected, progress.call_reports),
        (2, 4, 1)
    );
    let calls = server.read(|d| d.groups(GroupBy::Queue));
    assert_eq!((calls[0].key.as_str(), calls[0].calls), ("Billing", 1));
    assert_eq!(calls[0].quality.records(), 6);
    hub.shutdown().await;
    server.shutdown().await;
}

#[tokio::test]
async fn the_binary_prints_its_url_and_writes_the_report_after_the_calls() {
    let dir = std::env::temp_dir().join(format!("quality-dashboard-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let out = dir.join("report.html");
    let mut child = Command::new(env!("CARGO_BIN_EXE_quality-dashboard"))
        .args(["--listen", "127.0.0.1:0", "--until-calls", "1", "--out"])
        .arg(&out)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("the first line");
    let url = first
        .trim()
        .strip_prefix("listening on ")
        .expect("the URL line")
        .to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with('/'),
        "{url}"
    );

    let hub = hub(&url, CqmVersion::V2).await;
    let c = call("dee", "c-7", "Claims");
    let mut records = samples(&c, 0..4, Flow(50, 1, 3), Flow(50, 0, 3), 120);
    records.push(report(&c, 3_000, FailureFlags::default()));
    deliver(&hub, records).await;
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .expect("joins")
        .expect("exits");
    assert!(status.success());
    let mut last = String::new();
    stdout.read_line(&mut last).expect("the last line");
    assert!(last.starts_with("wrote "), "{last}");
    assert!(last.contains("1 call reports"), "{last}");
    let html = std::fs::read_to_string(&out).expect("the report");
    assert!(html.contains(">dee<") && html.contains(">Claims<"));
    assert_eq!(html.matches("<svg").count(), 4);
    hub.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
