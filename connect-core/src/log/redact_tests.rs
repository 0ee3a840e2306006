//! Table-driven tests of every redaction rule: §8.3 (with upstream's own test vectors from
//! `test/unit/log.spec.js`) and R12.

use proptest::prelude::*;
use serde_json::{json, Value};

use super::{obfuscate, redact, scrub_text, MAX_REDACTION_DEPTH};

fn check(table: &[(Value, Value)]) {
    for (input, expected) in table {
        assert_eq!(&redact(input.clone()), expected, "input: {input}");
    }
}

#[test]
fn attributes_are_replaced_whole() {
    check(&[
        (
            json!({"attributes": {"a": "1"}}),
            json!({"attributes": "[redacted]"}),
        ),
        (
            json!({"Attributes": ["x"]}),
            json!({"Attributes": "[redacted]"}),
        ),
        (
            json!({"attributes": 5}),
            json!({"attributes": "[redacted]"}),
        ),
        (
            json!({"contact": {"attributes": null}}),
            json!({"contact": {"attributes": "[redacted]"}}),
        ),
    ]);
}

#[test]
fn state_keeps_names_but_not_secrets() {
    check(&[
        (
            json!({"state": {"name": "Offline", "type": "offline"}, "name": "x"}),
            json!({"state": {"name": "Offline", "type": "offline"}, "name": "[redacted]"}),
        ),
        (
            json!({"agentAvailabilityState": {"state": "Offline"}}),
            json!({"agentAvailabilityState": {"state": "Offline"}}),
        ),
        (
            json!({"state": {"nested": {"displayName": "Lunch"}}}),
            json!({"state": {"nested": {"displayName": "Lunch"}}}),
        ),
        (
            json!({"state": {"token": "t", "note": "+15551234567", "attributes": {}}}),
            json!({"state": {"token": "[redacted]", "note": "[redacted]", "attributes": "[redacted]"}}),
        ),
    ]);
}

#[test]
fn section_8_3_names_redact_string_values_only() {
    let keys = [
        "quickConnectName",
        "token",
        "login",
        "credential",
        "internalIp",
        "authToken",
        "phoneNumber",
        "firstName",
        "lastName",
        "emailAddress",
        "address",
        "displayName",
        "agentName",
        "description",
        "name",
        "value",
        "summary",
        "queueName",
        // Same keys, other spellings.
        "QUICKCONNECTNAME",
        "phone_number",
        "first-name",
        "Agent Name",
        "queue.name",
    ];
    for key in keys {
        check(&[(json!({ key: "secret text" }), json!({ key: "[redacted]" }))]);
    }
    check(&[
        (json!({"name": 42}), json!({"name": 42})),
        (json!({"value": true}), json!({"value": true})),
        (json!({"name": null}), json!({"name": null})),
        (
            json!({"value": {"inner": "+15551234567", "other": "ok"}}),
            json!({"value": {"inner": "[redacted]", "other": "ok"}}),
        ),
        (
            json!({"names": "kept", "nickname": "kept"}),
            json!({"names": "kept", "nickname": "kept"}),
        ),
    ]);
}

#[test]
fn r12_secret_keys_redact_any_non_null_value() {
    let keys = [
        "participantToken",
        "callContextToken",
        "nextToken",
        "ConnectionAuthenticationToken",
        "connection_token",
        "X-Amz-Bearer",
        "x_amz_bearer",
        "authentication",
        "Authorization",
        "turnCredential",
        "ParticipantCredentials",
        "password",
        "db_password",
        "client_secret",
        "secretAccessKey",
    ];
    for key in keys {
        check(&[
            (json!({ key: "s3cr3t" }), json!({ key: "[redacted]" })),
            (
                json!({ key: {"nested": "s3cr3t"} }),
                json!({ key: "[redacted]" }),
            ),
            (json!({ key: 12345 }), json!({ key: "[redacted]" })),
            (json!({ key: null }), json!({ key: null })),
        ]);
    }
    check(&[(
        json!({"tokenExpiry": 5, "tokens": 2, "bearer": "x"}),
        json!({"tokenExpiry": 5, "tokens": 2, "bearer": "x"}),
    )]);
}

#[test]
fn hashed_keys_match_upstream_digests() {
    check(&[
        (
            json!({
                "customerId": "69b39df2-a06a-4f66-a9a9-ad699004d245",
                "CustomerId": "52d67abc-9aa8-4276-9de0-8dbe48220a1c",
                "SpeakerId": "1c58b4c5-6dff-4182-9eab-479aa2e78a3c",
                "CustomerSpeakerId": "89376e97-9370-481f-ba55-afdca7854c09",
                "DomainId": "XKkbTGuCuCnYgOD1iPHzPv"
            }),
            json!({
                "customerId": "[obfuscated value] 86afb5d2f86f0ddbe298a8dd895bf5aa",
                "CustomerId": "[obfuscated value] a80f842e82ba7031ae6e22d939b179cf",
                "SpeakerId": "[obfuscated value] 7e7d858bbf580fdaba583bfb0bf4a118",
                "CustomerSpeakerId": "[obfuscated value] 82d1d42ff66faf8403e8eda577bb9e10",
                "DomainId": "XKkbTGuCuCnYgOD1iPHzPv"
            }),
        ),
        (
            json!({"agentDiscoveryTransport": {"presignedUrl": "https://presignedurl"}}),
            json!({"agentDiscoveryTransport": {"presignedUrl": "[obfuscated value] 57d2675deb0ead32441d389bb95cadc5"}}),
        ),
        (
            json!({"PreSignedConnectionUrl": "https://presignedurl"}),
            json!({"PreSignedConnectionUrl": "[obfuscated value] 57d2675deb0ead32441d389bb95cadc5"}),
        ),
        (json!({"customerId": 7}), json!({"customerId": 7})),
    ]);
}

#[test]
fn url_and_text_values_are_scrubbed_and_non_strings_survive() {
    let auth_url =
        "wss://15isv8flsl.execute-api.us-west-2.amazonaws.com/gamma/?AuthToken=QVFJREFIa==";
    let redacted_url = "wss://15isv8flsl.execute-api.us-west-2.amazonaws.com/gamma/?[redacted]";
    check(&[
        (
            json!({"webSocketTransport": {"url": auth_url, "transportLifeTimeInSeconds": 3869,
                "expiry": "2021-03-09T20:03:34.625Z"}}),
            json!({"webSocketTransport": {"url": redacted_url, "transportLifeTimeInSeconds": 3869,
                "expiry": "2021-03-09T20:03:34.625Z"}}),
        ),
        (
            json!({"webSocketTransport": {"url": {"text": auth_url, "url": []}, "text": 545}}),
            json!({"webSocketTransport": {"url": {"text": redacted_url, "url": []}, "text": 545}}),
        ),
        (
            json!({"text": "Contact event with email user@example.com"}),
            json!({"text": "Contact event with email email address [redacted]"}),
        ),
        (
            json!({"anyKey": "Phone number +1 555 0100 is busy", "list": ["Send digit 7"]}),
            json!({"anyKey": "phone number[redacted]", "list": ["send digit [redacted]"]}),
        ),
    ]);
}

#[test]
fn upstream_sensitive_information_vector() {
    let call_config = r#"{"signalingEndpoint":"wss://abc.bcd.cde.amazonaws.com/LilyRTC","iceServers":[{"urls":["turn:abc.cde.com.:3478?transport=udp"],"username":"abc:cde-efg-gef-ert-wer","credential":"3hide+Me4+please=","sessionToken":"{\"internalIp\":\"10.0.0.0\"}"}],"protocol":"LilyRTC/1.0/WSS","useWebSocketProvider":true}"#;
    // Upstream keeps `sessionToken`; R12 redacts every key ending in `token`.
    let call_config_redacted = r#"{"signalingEndpoint":"wss://abc.bcd.cde.amazonaws.com/LilyRTC","iceServers":[{"urls":["turn:abc.cde.com.:3478?transport=udp"],"username":"abc:cde-efg-gef-ert-wer","credential":"[redacted]","sessionToken":"[redacted]"}],"protocol":"LilyRTC/1.0/WSS","useWebSocketProvider":true}"#;
    check(&[(
        json!({
            "authToken": "testing_token=AFSDFAa==",
            "presignedurl": "https://test.xyz",
            "contacts": [{
                "phonenumber": "1234567890",
                "attributes": {"test": "test123"},
                "randomContactProperty": "should not be retracted",
                "quickConnectName": "HideMe!",
                "internalIp": "123.0.1.1",
                "connections": [{"softphoneMediaInfo": {"callConfigJson": call_config}}]
            }]
        }),
        json!({
            "authToken": "[redacted]",
            "presignedurl": "[obfuscated value] ebb1a2ed4662431abe920657782af6a1",
            "contacts": [{
                "phonenumber": "[redacted]",
                "attributes": "[redacted]",
                "randomContactProperty": "should not be retracted",
                "quickConnectName": "[redacted]",
                "internalIp": "[redacted]",
                "connections": [{"softphoneMediaInfo": {"callConfigJson": call_config_redacted}}]
            }]
        }),
    )]);
}

#[test]
fn upstream_task_contact_vector() {
    check(&[(
        json!({"snapshot": {
            "state": {"type": "offline", "name": "Offline"},
            "contacts": [{
                "contactId": "contact-123",
                "queue": {"name": "Support Queue", "queueId": "queue-456"},
                "name": "Customer Contact",
                "description": "Customer needs help",
                "references": {
                    "Account Number": {"value": "ACC-123456", "type": "STRING"},
                    "Agent Name": {"value": "Jane Doe", "type": "STRING"}
                }
            }]
        }}),
        json!({"snapshot": {
            "state": {"type": "offline", "name": "Offline"},
            "contacts": [{
                "contactId": "contact-123",
                "queue": {"name": "[redacted]", "queueId": "queue-456"},
                "name": "[redacted]",
                "description": "[redacted]",
                "references": {
                    "Account Number": {"value": "[redacted]", "type": "STRING"},
                    "Agent Name": {"value": "[redacted]", "type": "STRING"}
                }
            }]
        }}),
    )]);
}

#[test]
fn json_inside_strings_gets_key_rules_and_keeps_its_layout() {
    check(&[
        (
            json!({"connectionData": r#"{"ConnectionAuthenticationToken":"cat","ConnectionId":"c-1"}"#}),
            json!({"connectionData": r#"{"ConnectionAuthenticationToken":"[redacted]","ConnectionId":"c-1"}"#}),
        ),
        (
            json!({"body": "{ \"z\": 1, \"name\": \"Bob\", \"a\": [\"+15551234567\"] }"}),
            json!({"body": "{ \"z\": 1, \"name\": \"[redacted]\", \"a\": [\"[redacted]\"] }"}),
        ),
        (
            json!({"message": "[INFO] calling +15551234567"}),
            json!({"message": "[INFO] calling [redacted]"}),
        ),
        (
            json!({"message": r#"CreateParticipantConnection failed: {"participantToken":"abc","code":403}"#}),
            json!({"message": r#"CreateParticipantConnection failed: {"participantToken":"[redacted]","code":403}"#}),
        ),
    ]);
}

#[test]
fn depth_limit_replaces_what_it_cannot_see() {
    fn nest(mut value: Value, levels: usize) -> Value {
        for _ in 0..levels {
            value = json!({ "k": value });
        }
        value
    }
    // Reachable: the key rule applies at depth 150.
    let shallow = redact(nest(json!({"token": "t"}), 150));
    assert!(!shallow.to_string().contains("\"t\""));
    assert!(shallow.to_string().contains("[redacted]"));
    // Beyond the limit: replaced unseen, and nothing below survives.
    let deep = redact(nest(json!("+15551234567 plain"), MAX_REDACTION_DEPTH + 10));
    let text = deep.to_string();
    assert!(!text.contains("plain") && text.contains("[redacted]"));
    // At exactly the limit the value is still inspected (scrubbed, not replaced).
    let edge = redact(nest(json!("keep me"), MAX_REDACTION_DEPTH));
    assert!(edge.to_string().contains("keep me"));
    let over = redact(nest(json!("keep me"), MAX_REDACTION_DEPTH + 1));
    assert!(!over.to_string().contains("keep me"));
}

#[test]
fn scrub_text_table() {
    let presigned = "https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA%2F&X-Amz-Signature=abc";
    let table: Vec<(&str, String)> = vec![
        ("nothing here", "nothing here".into()),
        ("url ?AuthToken=abc==&x=1", "url ?[redacted]".into()),
        (
            "a authtoken=abc\nnext line",
            "a [redacted]\nnext line".into(),
        ),
        ("ConnectionAuthenticationToken: xyz", "[redacted]".into()),
        (
            "got ConnectionAuthenticationToken=xyz",
            "got [redacted]".into(),
        ),
        (
            "Phone number +1 555 0100 and more",
            "phone number[redacted]".into(),
        ),
        (
            "Invalid phone number format",
            "Invalid phone number[redacted]".into(),
        ),
        ("Send digit 5 to 4", "send digit [redacted]".into()),
        (
            "mail jane.doe+tag@sub.example.co.uk, thanks",
            "mail email address [redacted], thanks".into(),
        ),
        ("a@b.com.", "email address [redacted].".into()),
        (
            "not@an, a@b.c, @handle, x@-.io",
            "not@an, a@b.c, @handle, x@-.io".into(),
        ),
        ("call +15551234567", "call [redacted]".into()),
        ("call +44 20 7946 0958.", "call [redacted].".into()),
        ("call +1 (555) 010-0123 now", "call [redacted] now".into()),
        ("sip:+15551234567@host", "sip:[redacted]@host".into()),
        ("uk +(44) 20 7946 0958", "uk [redacted]".into()),
        ("short +123456", "short +123456".into()),
        ("long +1234567890123456", "long +1234567890123456".into()),
        (
            "at 2024-01-01T00:00:00+05:30",
            "at 2024-01-01T00:00:00+05:30".into(),
        ),
        ("1+1=2", "1+1=2".into()),
        ("café +15551234567 ü", "café [redacted] ü".into()),
        (
            "GET https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA%2F&X-Amz-Signature=abc done",
            format!("GET {} done", obfuscate(presigned)),
        ),
        ("two\n+15551234567\nlines", "two\n[redacted]\nlines".into()),
        ("", String::new()),
    ];
    for (input, expected) in table {
        assert_eq!(scrub_text(input), expected, "input: {input:?}");
    }
}

fn json_strategy() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("name".to_owned()),
        Just("state".to_owned()),
        Just("attributes".to_owned()),
        Just("customerId".to_owned()),
        Just("participantToken".to_owned()),
        Just("callConfigJson".to_owned()),
        "[a-z]{1,6}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[ -~]{0,30}".prop_map(Value::String),
        Just(Value::String(
            r#"{"credential":"c","x":["+15551234567"]}"#.into()
        )),
        Just(Value::String("AuthToken=abc\nmail a@b.io".into())),
    ];
    leaf.prop_recursive(4, 40, 5, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..4)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn redaction_is_idempotent(value in json_strategy()) {
        let once = redact(value);
        prop_assert_eq!(redact(once.clone()), once);
    }

    #[test]
    fn e164_numbers_never_survive_scrubbing(
        prefix in "[a-zA-Z ,:]{0,20}",
        digits in "[1-9][0-9]{6,14}",
        suffix in "[a-zA-Z ,:]{0,20}",
    ) {
        let text = format!("{prefix}+{digits}{suffix}");
        let scrubbed = scrub_text(&text);
        prop_assert!(!scrubbed.contains(&digits), "{} -> {}", text, scrubbed);
    }

    #[test]
    fn secret_fields_never_survive(secret in "[0-9][a-zA-Z0-9]{7,19}", key in "(participant|call_context|session|auth)(_t|T)oken") {
        let value = redact(json!({ "outer": { key: secret.clone() } }));
        prop_assert!(!value.to_string().contains(&secret));
    }
}

#[test]
fn html_escaped_call_config_inside_a_json_string_is_redacted() {
    let config = r#"{&quot;iceServers&quot;:[{&quot;urls&quot;:[&quot;turn:h:3478&quot;],&quot;username&quot;:&quot;1767266405:a1&quot;,&quot;credential&quot;:&quot;c2VjcmV0LXR1cm4=&quot;}]}"#;
    let snapshot =
        serde_json::json!({"softphoneMediaInfo": {"callConfigJson": config}}).to_string();
    let logged = redact(serde_json::json!({ "snapshot": snapshot }));
    let text = logged.to_string();
    assert!(!text.contains("c2VjcmV0LXR1cm4="), "{text}");
    assert!(
        text.contains("turn:h:3478"),
        "non-secret parts stay readable: {text}"
    );
}
