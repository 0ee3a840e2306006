//! Tests of the `tracing` bridge: mapping, redaction of what reaches the buffer and the echo,
//! session filtering, and time from the injected clock.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tracing_subscriber::layer::SubscriberExt;

use super::{LogBuffer, LogComponent, LogLayer, LogLevel};
use crate::model::Timestamp;
use crate::time::ManualClock;

const T0: i64 = 1_646_369_082_782;

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(Timestamp::from_millis(T0)))
}

/// A layer over a fresh buffer that echoes into the returned vector.
fn echoing(logs: &LogBuffer, clock: Arc<ManualClock>) -> (LogLayer, Arc<Mutex<Vec<String>>>) {
    let echoed = Arc::new(Mutex::new(Vec::new()));
    let sink = echoed.clone();
    let layer = LogLayer::new(logs.clone(), clock).with_echo(Box::new(move |line: &str| {
        sink.lock().expect("echo lock").push(line.to_owned());
    }));
    (layer, echoed)
}

#[test]
fn secrets_reach_neither_the_export_nor_the_echo() {
    const BEARER: &str = "bearer-4f9c2e1a7d";
    const TURN_CREDENTIAL: &str = "turnpass-8c1b5e";
    const PHONE_DIGITS: &str = "14255550123";
    const PARTICIPANT_TOKEN: &str = "ptok-77aa21";
    const AUTH_TOKEN: &str = "QVFJREFIaHlzZWNyZXQ";

    let logs = LogBuffer::builder()
        .level(LogLevel::Trace)
        .build(Timestamp::from_millis(T0));
    logs.set_echo_level(LogLevel::Trace);
    let (layer, echoed) = echoing(&logs, clock());
    let subscriber = tracing_subscriber::registry().with(layer);
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!(
            "X-Amz-Bearer" = BEARER,
            operation = "GetAgentSnapshot",
            "CTI request"
        );
        tracing::debug!(x_amz_bearer = BEARER, "retrying with the same header");
        tracing::info!(
            component = "softphone",
            turn_credential = TURN_CREDENTIAL,
            ice_servers = %format!("[{{\"urls\":[\"turn:x:3478\"],\"credential\":\"{TURN_CREDENTIAL}\"}}]"),
            "ICE servers received"
        );
        tracing::warn!(
            phone = "+14255550123",
            "Dialing +1 425 555 0123 for the customer"
        );
        tracing::error!(customer = ?("Phone number", "+14255550123"), "Phone number +14255550123 unreachable");
        tracing::info!(
            participantToken = PARTICIPANT_TOKEN,
            component = "chat",
            "chat session started"
        );
        tracing::trace!(url = %format!("wss://host/?AuthToken={AUTH_TOKEN}"), "connecting; AuthToken={}", AUTH_TOKEN);
        tracing::info!(
            callConfigJson = %format!("{{\"iceServers\":[{{\"credential\":\"{TURN_CREDENTIAL}\"}}]}}"),
            "call config"
        );
    });

    let export = logs.export(None, false).json;
    let echo = echoed.lock().expect("echo lock").join("\n");
    assert_eq!(logs.len(), 8, "every event was stored");
    assert_eq!(
        echoed.lock().expect("echo lock").len(),
        8,
        "every event was echoed"
    );
    for secret in [
        BEARER,
        TURN_CREDENTIAL,
        PHONE_DIGITS,
        "425 555 0123",
        PARTICIPANT_TOKEN,
        AUTH_TOKEN,
    ] {
        assert!(
            !export.contains(secret),
            "{secret} leaked into the export:\n{export}"
        );
        assert!(
            !echo.contains(secret),
            "{secret} leaked into the echo:\n{echo}"
        );
    }
    // What is not secret stays readable.
    assert!(export.contains("GetAgentSnapshot") && export.contains("turn:x:3478"));
    assert!(echo.contains("[INFO] [null]: CTI request"));
}

#[test]
fn events_map_to_entries() {
    let logs = LogBuffer::builder()
        .level(LogLevel::Trace)
        .build(Timestamp::from_millis(T0));
    let (layer, _) = echoing(&logs, clock());
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        tracing::trace!("t");
        tracing::debug!("d");
        tracing::info!("i");
        tracing::warn!("w");
        tracing::error!("e");
        tracing::error!(critical = true, "c");
        tracing::info!(critical = false, "not critical");
        tracing::info!(component = "softphone", "s");
        tracing::info!(component = %"task", "k");
        tracing::info!(
            count = 3_u64,
            delta = -2_i64,
            ratio = 0.5,
            ok = true,
            label = "x",
            "fields"
        );
        tracing::info!(answer = 42);
    });
    let entries = logs.entries();
    let summary: Vec<(LogLevel, &str, &str)> = entries
        .iter()
        .map(|e| (e.level, e.component.as_str(), e.text.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            (LogLevel::Trace, "ccp", "t"),
            (LogLevel::Debug, "ccp", "d"),
            (LogLevel::Info, "ccp", "i"),
            (LogLevel::Warn, "ccp", "w"),
            (LogLevel::Error, "ccp", "e"),
            (LogLevel::Critical, "ccp", "c"),
            (LogLevel::Info, "ccp", "not critical"),
            (LogLevel::Info, "softphone", "s"),
            (LogLevel::Info, "task", "k"),
            (LogLevel::Info, "ccp", "fields"),
            (LogLevel::Info, "ccp", ""),
        ]
    );
    assert!(
        entries[..9].iter().all(|e| e.objects.is_empty()),
        "special fields are not objects"
    );
    assert_eq!(
        entries[9].objects,
        [serde_json::json!({"count": 3, "delta": -2, "ratio": 0.5, "ok": true, "label": "x"})]
    );
    assert_eq!(entries[10].objects, [serde_json::json!({"answer": 42})]);
    assert_eq!(entries[7].component, LogComponent::Softphone);
}

#[test]
fn errors_become_exceptions() {
    let logs = LogBuffer::new(Timestamp::from_millis(T0));
    let (layer, _) = echoing(&logs, clock());
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        let error = std::io::Error::other("token AuthToken=abc expired");
        tracing::error!(error = &error as &dyn std::error::Error, "request failed");
    });
    let entry = &logs.entries()[0];
    let exception = entry.exception.as_ref().expect("exception");
    assert_eq!(exception.kind, "error");
    assert_eq!(exception.message, "token [redacted]");
    assert!(entry.objects.is_empty());
}

#[test]
fn time_comes_from_the_clock() {
    let clock = clock();
    let logs = LogBuffer::new(Timestamp::from_millis(T0));
    let (layer, echoed) = echoing(&logs, clock.clone());
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        tracing::info!("first");
        clock.advance(Duration::from_millis(1_234));
        tracing::info!("second");
    });
    let times: Vec<i64> = logs.entries().iter().map(|e| e.time.as_millis()).collect();
    assert_eq!(times, [T0, T0 + 1_234]);
    assert_eq!(
        echoed.lock().expect("echo lock")[1],
        "[2022-03-04T04:44:44.016Z] [INFO] [null]: second"
    );
}

#[test]
fn session_filtered_layers_keep_their_own_events() {
    let (a, b, all) = (
        LogBuffer::builder()
            .session_id("a")
            .build(Timestamp::from_millis(T0)),
        LogBuffer::builder()
            .session_id("b")
            .build(Timestamp::from_millis(T0)),
        LogBuffer::new(Timestamp::from_millis(T0)),
    );
    let clock = clock();
    let subscriber = tracing_subscriber::registry()
        .with(LogLayer::new(a.clone(), clock.clone()).only_session("a"))
        .with(LogLayer::new(b.clone(), clock.clone()).only_session("b"))
        .with(LogLayer::new(all.clone(), clock));
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!("outside any session");
        let span_a = tracing::info_span!("session", session_id = "a");
        let span_b = tracing::info_span!("session", session_id = %"b");
        span_a.in_scope(|| {
            tracing::info!("in a");
            tracing::info_span!("poll", attempt = 1).in_scope(|| tracing::info!("nested in a"));
            span_b.in_scope(|| tracing::info!("innermost session wins: b"));
            tracing::info!(session_id = "b", "event field wins: b");
        });
        let late = tracing::info_span!("session", session_id = tracing::field::Empty);
        late.record("session_id", "b");
        late.in_scope(|| tracing::info!("recorded later: b"));
    });
    assert_eq!(
        a.entries()
            .iter()
            .map(|e| e.text.as_str())
            .collect::<Vec<_>>(),
        ["in a", "nested in a"]
    );
    assert_eq!(
        b.entries()
            .iter()
            .map(|e| e.text.as_str())
            .collect::<Vec<_>>(),
        [
            "innermost session wins: b",
            "event field wins: b",
            "recorded later: b"
        ]
    );
    assert_eq!(all.len(), 6, "an unfiltered layer keeps everything");
    assert!(b
        .entries()
        .iter()
        .all(|e| e.session_id.as_deref() == Some("b")));
    assert!(
        b.entries().iter().all(|e| e.objects.is_empty()),
        "session_id is not an object field"
    );
}
