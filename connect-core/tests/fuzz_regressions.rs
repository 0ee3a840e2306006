//! Inputs found by the fuzz targets in `fuzz/` (see `scripts/test fuzz`), kept as regression
//! tests: each one once broke an invariant its target checks.

use connect_core::log::{redact, scrub_text};
use serde_json::Value;

/// `redact` must be idempotent and must not depend on what scrubbing cuts away.
fn assert_redact_idempotent(text: &str) -> Value {
    let once = redact(Value::String(text.to_owned()));
    assert_eq!(
        redact(once.clone()),
        once,
        "redact is not idempotent on {text:?}"
    );
    let once_text = scrub_text(text);
    assert_eq!(
        scrub_text(&once_text),
        once_text,
        "scrub_text is not idempotent on {text:?}"
    );
    once
}

/// fuzz target `redaction`: in free text quoting JSON, the key rules ran before the line
/// scrubbing, so a `"state": {` that `AuthToken=` later cut from its line still suspended the
/// name rule for the rest of the text: `"VIP"` leaked, and only a second pass redacted it.
#[test]
fn redaction_state_scope_cut_by_a_line_marker() {
    // The input as the fuzzer found it.
    let found = "wss://hosransport\": {\"url\": \"wss://x/?AuthToken=QVFJ==\"}, \"papresignedToken\": \
        \"abc\", \"attrifbutes\": {\"a\": \"42\"}, \"state\": {\"name\":hToken=QVFJ== next\nDialing  \
        \"Available\"}, \"queue\": {\"name\": \"VIP\"}, \"cust\"wss://x/?AomerId\": \"68b39df2\", \
        \"callConfigJson\": \"{&quot;cr+1edential&quot;:&quot;s&quot;,&qu 555 010 0123 nt;s&quot;,\
        &qu 555 010 0123 now, maiot;name&ql jwebsocketauot+;:&quone@et;xa";
    let redacted = assert_redact_idempotent(found);
    assert!(!redacted.to_string().contains("VIP"), "{redacted}");

    // The same, reduced.
    let reduced = "log: AuthToken=abc \"state\": {\"x\": 1\n\"queue\": {\"name\": \"VIP\"}";
    let redacted = assert_redact_idempotent(reduced);
    assert_eq!(
        redacted,
        "log: [redacted]\n\"queue\": {\"name\": \"[redacted]\"}"
    );

    // A quote cut away by the marker shifted which quotes open string literals.
    let shifted = "AuthToken=\"x\n\"token\": \"s\"";
    let redacted = assert_redact_idempotent(shifted);
    assert_eq!(redacted, "[redacted]\n\"token\": \"[redacted]\"");
}

/// fuzz target `redaction`: free text quoting JSON (here not valid JSON only because of a raw
/// NUL in a string) left string literals that hold JSON alone, so the token in
/// `connectionData` stayed; redacting `customerId` removed the NUL, the text became valid JSON
/// and only a second pass redacted the token.
#[test]
fn redaction_json_inside_a_string_of_free_text() {
    let found = "{\"webSocketTransport\": {\"url\": \"wss://x/?2uthToken=QVFJ==\"}, \
        \"partiot;,&quot;name&quotcipantToken\": \"abc\", \"attributes\": {\"a\": \"42\"}, \
        \"state\": {\"name\": \"Availab\u{fffd}\u{fffd}\"}, \"queu\u{fffd}\": {\"name\": \"VIP\"}, \
        \"customerId\": \"&quot;credential&quot;:&quot;s&quot;,&quot;name&quot;:&quot;x&qu\u{0}t;}\", \
        \"connectionData\": \"{\\\"token\\\":\\\"t\\\",\\\"phoneNumber\\\":\\\"+15551234567\\\"}\", \
        \"note\": \"body: {\\\"participantToken\\\":\\\"abc\\\"} then\"}";
    let redacted = assert_redact_idempotent(found).to_string();
    assert!(
        !redacted.contains("VIP") && !redacted.contains(r#"\\\"t\\\""#),
        "{redacted}"
    );
    assert!(!redacted.contains("abc"), "{redacted}");

    let reduced = "{\"id\": \"\u{0}\", \"data\": \"{\\\"token\\\":\\\"t\\\"}\"}";
    assert_eq!(
        assert_redact_idempotent(reduced),
        "{\"id\": \"\u{0}\", \"data\": \"{\\\"token\\\":\\\"[redacted]\\\"}\"}"
    );
}

/// fuzz target `redaction`: a string holding both plain quotes and `&quot;` was read as
/// HTML-escaped JSON once the first pass had redacted enough of it, and escaping back turned
/// its plain quotes into `&quot;`: a second pass changed it again.
#[test]
fn redaction_mixed_plain_and_html_quotes() {
    let found = "{\"webSquot;:&quot;x&quot;}\", \"connectionData\": \"{\\\"token\\\":ential&quott;s&quot;,\
        &quot;name&quot;:&quot;x&quot;}\", \"connectionData\": \"{\\\"token\\\":ential&quot;:&quot;s&quot;,\
        &quot;na\u{fffd}e&quot;:&uqot;x&quot;}\", \"connectionData\": \"{cb\\\\\"} then*}";
    assert_redact_idempotent(found);

    let reduced = "{\"token\":t,&quot;name&quot;:&quot;x&quot;}";
    assert_eq!(
        assert_redact_idempotent(reduced),
        "{\"token\":\"[redacted]\",&quot;name&quot;:&quot;x&quot;}"
    );
    // Escaped only: still read as JSON.
    assert_eq!(
        assert_redact_idempotent("{&quot;password&quot;:&quot;s&quot;}"),
        "{&quot;password&quot;:&quot;[redacted]&quot;}"
    );
}

/// fuzz target `snapshot_json`: integer seconds were accepted up to `i64::MAX / 1000`, but the
/// serialised `16463688135952.000` is read back as an `f64` and was refused (and near the old
/// `f64` limit of 9e15 ms a value could come back a millisecond off): a snapshot that parsed
/// did not survive its own round trip. Timestamps are now limited to ±1e15 ms on every path.
#[test]
fn snapshot_timestamp_round_trip_range() {
    use connect_core::model::{AgentSnapshot, Timestamp};

    let found = r#"{"state":{"agentStateARN":null,"type":"system","name":"PendingBusy","startTimestamp":1646368813.952,"agentStkteARN":null},"nextState":null,"contacts":[],"snapshotTimestamp":16463688135952,"agentAvailabiliyyState":{"state":"Available","timeStamp":1646311432.223},"initialContactcontacts":[]}"#;
    assert!(serde_json::from_str::<AgentSnapshot>(found).is_err());

    for text in [
        "16463688135952",
        "16463688135952.000",
        "-1000000000001",
        "8999999999999.999",
    ] {
        assert!(serde_json::from_str::<Timestamp>(text).is_err(), "{text}");
    }
    for millis in [
        1_000_000_000_000_000,
        -1_000_000_000_000_000,
        999_999_999_999_999,
        1_646_368_813_952,
        0,
        -1,
    ] {
        let t = Timestamp::from_millis(millis);
        let json = serde_json::to_string(&t).expect("serialises");
        assert_eq!(
            serde_json::from_str::<Timestamp>(&json).ok(),
            Some(t),
            "{json}"
        );
    }
    let integer: Timestamp =
        serde_json::from_str("1000000000000").expect("largest integer seconds");
    assert_eq!(integer.as_millis(), 1_000_000_000_000_000);
}

/// fuzz target `snapshot_json`: a long decimal in a field kept in `extra` was read one ulp off
/// the nearest `f64` (serde_json's default parser), so after a round trip the snapshot held a
/// different number. connect-core now enables serde_json's `float_roundtrip`.
#[test]
fn snapshot_extra_numbers_survive_the_round_trip() {
    use connect_core::model::AgentSnapshot;

    let found = r#"{"agentAvailabiliyyState":{"state":"Available","timeStamp":1646311432.223},"contamts":[],"nextState":null,"snapshotTimestamp":1646368812.952,"state":{"agentStkteARN":null,"name":"PendingBusy","starrTimestamp":1646368813.9577777777777777777777777777777777777777777777777777777777777777777777777772,"type":"systeroutable"}}"#;
    let once: AgentSnapshot = serde_json::from_str(found).expect("parses");
    let json = serde_json::to_string(&once).expect("serialises");
    let twice: AgentSnapshot = serde_json::from_str(&json).expect("parses back");
    assert_eq!(once, twice);
    assert_eq!(json, serde_json::to_string(&twice).expect("serialises"));
}

/// fuzz target `cti_error`: a `#` in the `x-amzn-ErrorType` header stayed in the code, so
/// `to_wire` wrote `com.amazonaws.connect#s.connect#X` and `from_wire` read back `X`: the code
/// changed on the wire. The header is now read like `__type`.
#[test]
fn cti_error_header_code_survives_the_wire() {
    use connect_core::api::{CtiError, CtiExceptionKind};

    let mut found = 63351u16.to_be_bytes().to_vec();
    found.extend_from_slice(br#"s.connect#UnauthorizedException","message""#);
    let (status, body) = (u16::from_be_bytes([found[0], found[1]]), &found[2..]);
    let header = std::str::from_utf8(body).ok();
    for header in [None, header] {
        let err = CtiError::from_wire(status, body, header);
        let (wire_status, wire_body) = err.to_wire();
        let bytes = serde_json::to_vec(&wire_body).expect("serialises");
        let back = CtiError::from_wire(wire_status, &bytes, None);
        assert_eq!(back.code(), err.code(), "{wire_body}");
        assert_eq!(back, err, "{wire_body}");
    }

    let err = CtiError::from_wire(400, b"", Some("ns#ThrottlingException:detail"));
    assert_eq!(
        err,
        CtiError::Service {
            code: CtiExceptionKind::ThrottlingException,
            message: "HTTP 400 with an empty body".into(),
            status: 400,
        }
    );
}
