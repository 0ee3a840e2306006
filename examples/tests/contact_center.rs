//! Runs the `contact-center` demo small: its report accounts for every offer, and its voice
//! calls carry audio both ways, with the quality the monitoring measures falling as the
//! media path is impaired.

use std::process::Command;

use serde_json::Value;

/// Runs the demo with `args` and returns its JSON report.
fn run(args: &[&str]) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_contact-center"))
        .args(args)
        .arg("--json")
        .output()
        .expect("the demo runs");
    assert!(
        output.status.success(),
        "demo failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().expect("one JSON line");
    serde_json::from_str(line).expect("JSON report")
}

fn number(report: &Value, key: &str) -> f64 {
    report[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} in {report}"))
}

#[test]
fn the_demo_accounts_for_every_offer_in_order() {
    let report = run(&[
        "--agents",
        "3",
        "--calls",
        "0",
        "--contacts",
        "12",
        "--miss-every",
        "4",
    ]);
    let number = |key| number(&report, key) as u64;
    assert_eq!(number("agents"), 3);
    assert_eq!(number("events_out_of_order"), 0);
    assert_eq!(
        number("contacts_handled") + number("contacts_missed"),
        number("contacts_offered")
    );
    assert!(
        number("contacts_missed") >= 1,
        "every 4th offer rings out: {report}"
    );
    assert!(
        number("contacts_handled") >= 12,
        "every customer is served: {report}"
    );
}

/// One test, so that the two runs do not compete for the CPU (the jitter would show it).
#[test]
fn calls_carry_audio_both_ways_and_impairment_shows_in_the_monitoring() {
    // A lower Opus complexity on every leg still carries the words.
    let clean = run(&[
        "--agents",
        "3",
        "--calls",
        "3",
        "--contacts",
        "2",
        "--talk-ms",
        "3000",
        "--opus-complexity",
        "5",
    ]);
    assert_eq!(number(&clean, "calls_completed"), 3.0, "{clean}");
    assert_eq!(number(&clean, "calls_failed"), 0.0, "{clean}");
    assert_eq!(number(&clean, "events_out_of_order"), 0.0, "{clean}");
    assert!(number(&clean, "setup_ms_p95") >= number(&clean, "setup_ms_p50"));
    assert!(
        number(&clean, "audio_match_db_min") > 3.0,
        "each side heard the other's words through Opus, SRTP and TURN: {clean}"
    );
    assert!(number(&clean, "loss_pct_max") < 1.0, "{clean}");
    assert!(number(&clean, "mos_min") > 3.5, "{clean}");

    // 5 % loss and ±40 ms of jitter on the agents' media path, both ways.
    let impaired = run(&[
        "--agents",
        "6",
        "--calls",
        "6",
        "--contacts",
        "0",
        "--talk-ms",
        "8000",
        "--impair-loss",
        "5",
        "--impair-jitter-ms",
        "40",
    ]);
    let loss = number(&impaired, "loss_pct_p50");
    assert!(
        (3.5..=6.5).contains(&loss),
        "the monitoring measures the injected 5 % loss: {impaired}"
    );
    // Uniform delays over 0–80 ms: an RFC 3550 jitter of about 27 ms.
    let jitter = number(&impaired, "jitter_ms_p50");
    assert!(
        (15.0..=40.0).contains(&jitter),
        "the monitoring measures the injected jitter: {impaired}"
    );
    assert!(
        number(&impaired, "mos_p50") < number(&clean, "mos_p50"),
        "MOS falls on the impaired path: {impaired} vs {clean}"
    );
    assert!(
        number(&impaired, "audio_match_db_min") > -100.0,
        "{impaired}"
    );
}

#[test]
fn an_opus_complexity_out_of_range_is_refused_before_anything_starts() {
    let output = Command::new(env!("CARGO_BIN_EXE_contact-center"))
        .args(["--opus-complexity", "11", "--json"])
        .output()
        .expect("the demo runs");
    assert!(!output.status.success());
    assert!(output.stdout.is_empty(), "no report");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--opus-complexity"), "{stderr}");
}
