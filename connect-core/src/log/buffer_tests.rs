//! Tests of `LogBuffer`: rolling by entry time, the cap, export, line numbers, echo, session
//! fields, redaction on the way in, and the softphone upload queue.

use serde_json::json;

use super::{
    LogBuffer, LogComponent, LogEntry, LogLevel, LoggedException, DEFAULT_BUFFER_CAP,
    DEFAULT_ROLL_INTERVAL_MS, ROLL_TEXT,
};
use crate::model::Timestamp;

const T0: i64 = 1_700_000_000_000;
const ROLL: i64 = DEFAULT_ROLL_INTERVAL_MS;

fn at(offset: i64) -> Timestamp {
    Timestamp::from_millis(T0 + offset)
}

fn info(text: &str, offset: i64) -> LogEntry {
    LogEntry::new(LogLevel::Info, text, at(offset))
}

fn texts(logs: &LogBuffer) -> Vec<String> {
    logs.entries().into_iter().map(|e| e.text).collect()
}

fn buffer() -> LogBuffer {
    LogBuffer::builder().logger_id("L").build(at(0))
}

#[test]
fn rolls_when_an_entry_is_30_minutes_past_the_period_start() {
    let logs = buffer();
    logs.push(info("a", 0));
    logs.push(info("b", ROLL - 1));
    assert_eq!(texts(&logs), ["a", "b"], "29:59.999 does not roll");

    logs.push(info("c", ROLL));
    assert_eq!(
        texts(&logs),
        ["a", "b", ROLL_TEXT, "c"],
        "a and b are now the rolled buffer"
    );
    let notice = &logs.entries()[2];
    assert_eq!((notice.level, notice.time), (LogLevel::Info, at(ROLL)));

    logs.push(info("d", 2 * ROLL + 5));
    assert_eq!(
        texts(&logs),
        [ROLL_TEXT, "c", ROLL_TEXT, "d"],
        "the previous rolled buffer is dropped"
    );
}

#[test]
fn a_gap_of_two_periods_or_more_empties_the_rolled_buffer() {
    let logs = buffer();
    logs.push(info("a", 0));
    logs.push(info("b", 2 * ROLL + 1));
    assert_eq!(texts(&logs), [ROLL_TEXT, "b"]);
    assert_eq!(
        logs.entries()[0].time,
        at(2 * ROLL),
        "periods stay on the grid"
    );

    logs.push(info("c", 3 * ROLL - 1));
    assert_eq!(texts(&logs), [ROLL_TEXT, "b", "c"]);
}

#[test]
fn advance_to_rolls_without_storing_and_late_entries_do_not_roll() {
    let logs = buffer();
    logs.push(info("a", 10));
    logs.push(info("earlier than the start", -5_000));
    assert_eq!(texts(&logs), ["a", "earlier than the start"]);
    logs.advance_to(at(ROLL - 1));
    assert_eq!(logs.len(), 2);
    logs.advance_to(at(ROLL));
    assert_eq!(texts(&logs), ["a", "earlier than the start", ROLL_TEXT]);
}

#[test]
fn cap_drops_oldest_and_the_export_reports_it() {
    let logs = LogBuffer::builder().logger_id("L").cap(3).build(at(0));
    for (i, text) in ["1", "2", "3", "4", "5"].into_iter().enumerate() {
        logs.push(info(text, i as i64));
    }
    assert_eq!(texts(&logs), ["3", "4", "5"]);
    assert_eq!(logs.dropped_count(), 2);

    let export: serde_json::Value =
        serde_json::from_str(&logs.export(None, false).json).expect("JSON");
    let rows = export.as_array().expect("array");
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["level"], "WARN");
    assert_eq!(
        rows[0]["text"],
        "Log buffer cap of 3 entries reached: dropped the 2 oldest entries."
    );
    assert_eq!(rows[0]["time"], rows[1]["time"]);
    assert_eq!(rows[0]["loggerId"], "L");

    // After a roll the rolled buffer keeps its notice; the new one starts clean.
    logs.push(info("6", ROLL));
    let export: serde_json::Value =
        serde_json::from_str(&logs.export(None, false).json).expect("JSON");
    let levels: Vec<&str> = export
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|row| row["level"].as_str())
        .collect();
    assert_eq!(levels, ["WARN", "INFO", "INFO", "INFO", "INFO", "INFO"]);
    assert_eq!(logs.dropped_count(), 2);
    assert_eq!(DEFAULT_BUFFER_CAP, 20_000);
}

#[test]
fn export_layout_matches_json_stringify_with_4_spaces() {
    let logs = buffer();
    logs.push(info("hello", 0));
    let export = logs.export(None, false);
    assert_eq!(export.file_name, "agent-log.txt");
    let expected = r#"[
    {
        "component": "ccp",
        "level": "INFO",
        "text": "hello",
        "time": "2023-11-14T22:13:20.000Z",
        "exception": null,
        "objects": [],
        "line": 0,
        "agentResourceId": null,
        "loggerId": "L",
        "contextLayer": "Sdk",
        "region": null,
        "sessionId": null
    }
]"#;
    assert_eq!(export.json, expected);
}

#[test]
fn export_file_names() {
    let plain = buffer();
    let regional = LogBuffer::builder().region("us-west-2").build(at(0));
    let table = [
        (&plain, None, "agent-log.txt"),
        (&plain, Some(""), "agent-log.txt"),
        (&plain, Some("my-log"), "my-log.txt"),
        (&regional, None, "us-west-2-agent-log.txt"),
        (&regional, Some("crm"), "us-west-2-crm.txt"),
    ];
    for (logs, name, expected) in table {
        assert_eq!(logs.export(name, false).file_name, expected);
    }
}

#[test]
fn filtered_export_keeps_entries_at_or_above_the_log_level() {
    let logs = buffer();
    for level in LogLevel::ALL {
        logs.push(LogEntry::new(level, level.as_str(), at(0)));
    }
    logs.set_level(LogLevel::Warn);
    let export: Vec<serde_json::Value> =
        serde_json::from_str(&logs.export(None, true).json).expect("JSON");
    let levels: Vec<&str> = export.iter().filter_map(|e| e["level"].as_str()).collect();
    assert_eq!(levels, ["WARN", "ERROR", "CRITICAL"]);
    let all: Vec<serde_json::Value> =
        serde_json::from_str(&logs.export(None, false).json).expect("JSON");
    assert_eq!(all.len(), 8);
}

#[test]
fn line_numbers_count_entries_at_or_above_the_log_level() {
    let logs = buffer();
    let levels = [
        LogLevel::Info,
        LogLevel::Debug,
        LogLevel::Warn,
        LogLevel::Trace,
        LogLevel::Info,
    ];
    for level in levels {
        logs.push(LogEntry::new(level, "x", at(0)));
    }
    let lines: Vec<u64> = logs.entries().iter().map(|e| e.line).collect();
    assert_eq!(lines, [0, 0, 1, 0, 2]);
}

#[test]
fn echo_needs_both_the_log_level_and_the_echo_level() {
    // (log level, echo level, entry level, echoed?)
    let table = [
        (LogLevel::Info, LogLevel::Info, LogLevel::Info, true),
        (LogLevel::Info, LogLevel::Info, LogLevel::Debug, false),
        (LogLevel::Info, LogLevel::Warn, LogLevel::Info, false),
        (LogLevel::Info, LogLevel::Warn, LogLevel::Error, true),
        (LogLevel::Warn, LogLevel::Trace, LogLevel::Info, false),
        (LogLevel::Trace, LogLevel::Trace, LogLevel::Trace, true),
        (LogLevel::Info, LogLevel::Info, LogLevel::Critical, true),
    ];
    for (level, echo_level, entry_level, echoed) in table {
        let logs = LogBuffer::builder()
            .level(level)
            .echo_level(echo_level)
            .build(at(0));
        let line = logs.push(LogEntry::new(entry_level, "msg", at(0)));
        assert_eq!(line.is_some(), echoed, "{level} {echo_level} {entry_level}");
        if let Some(line) = line {
            assert_eq!(
                line,
                format!("[2023-11-14T22:13:20.000Z] [{entry_level}] [null]: msg")
            );
        }
    }
}

#[test]
fn session_fields_are_filled_in() {
    let logs = LogBuffer::builder()
        .region("eu-central-1")
        .session_id("s-9")
        .logger_id("L")
        .build(at(0));
    let mut foreign = info("first", 0);
    foreign.logger_id = "other".into();
    foreign.context_layer = "CCP".into();
    logs.push(foreign);
    logs.set_agent_resource_id("agent-1");
    logs.push(info("second", 1));
    logs.push(info("third", 2).with_agent_resource_id("explicit"));
    let entries = logs.entries();
    for entry in &entries {
        assert_eq!(entry.logger_id, "L");
        assert_eq!(entry.context_layer, "Sdk");
        assert_eq!(entry.region.as_deref(), Some("eu-central-1"));
        assert_eq!(entry.session_id.as_deref(), Some("s-9"));
    }
    let agents: Vec<Option<&str>> = entries
        .iter()
        .map(|e| e.agent_resource_id.as_deref())
        .collect();
    assert_eq!(agents, [None, Some("agent-1"), Some("explicit")]);
}

#[test]
fn push_redacts_text_exception_and_objects() {
    let logs = buffer();
    let echo = logs.push(
        LogEntry::new(
            LogLevel::Error,
            "Dialing +15551234567 for jane@example.com",
            at(0),
        )
        .with_exception(LoggedException::new("E", "AuthToken=abc"))
        .with_object(
            json!({"participantToken": "ptok", "callConfigJson": "{\"credential\":\"turn-pass\"}"}),
        ),
    );
    assert_eq!(
        echo.as_deref(),
        Some("[2023-11-14T22:13:20.000Z] [ERROR] [null]: Dialing [redacted] for email address [redacted]")
    );
    let json = logs.export(None, false).json;
    for secret in [
        "15551234567",
        "jane@example.com",
        "abc",
        "ptok",
        "turn-pass",
    ] {
        assert!(!json.contains(secret), "{secret} leaked");
    }
}

#[test]
fn handles_share_state_across_threads() {
    fn is_send_sync<T: Send + Sync + Clone + 'static>() {}
    is_send_sync::<LogBuffer>();
    let logs = buffer();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let logs = logs.clone();
            std::thread::spawn(move || {
                for i in 0..250 {
                    logs.push(info(&format!("{t}-{i}"), i));
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("thread finished");
    }
    assert_eq!(logs.len(), 1000);
    let mut lines: Vec<u64> = logs.entries().iter().map(|e| e.line).collect();
    lines.sort_unstable();
    assert_eq!(
        lines,
        (0..1000).collect::<Vec<u64>>(),
        "line numbers are unique"
    );
}

#[test]
fn softphone_upload_queue_is_opt_in_and_softphone_only() {
    let softphone = |i| info("rtp stats", i).with_component(LogComponent::Softphone);
    let off = buffer();
    for i in 0..500 {
        off.push(softphone(i));
    }
    assert!(off.take_softphone_batch_if_due().is_none());
    assert!(off.drain_softphone_logs().is_empty());

    let on = LogBuffer::builder().softphone_upload(true).build(at(0));
    for i in 0..400 {
        on.push(softphone(i));
        on.push(info("ccp", i));
    }
    assert!(
        on.take_softphone_batch_if_due().is_none(),
        "exactly 400 waiting"
    );
    on.push(softphone(400));
    let batch = on.take_softphone_batch_if_due().expect("due");
    assert_eq!(batch.len(), 401);
    assert!(batch.iter().all(|e| e.component == LogComponent::Softphone));
    on.push(softphone(401));
    assert_eq!(on.drain_softphone_logs().len(), 1);
}
