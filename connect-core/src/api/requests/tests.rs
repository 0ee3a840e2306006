//! Request bodies and responses against the wire names of spec §2.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::*;
use crate::api::{CtiError, CtiMethod, CtiRequest, Empty};
use crate::model::{
    AgentConfiguration, AgentState, AgentStateType, Endpoint, EndpointType, Reference, Timestamp,
    TransportType,
};

fn body<R: CtiRequest>(req: &R) -> Value {
    Value::Object(req.to_body().expect("valid request"))
}

fn invalid<R: CtiRequest>(req: &R) -> String {
    match req.to_body() {
        Err(CtiError::InvalidRequest(msg)) => msg,
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
}

#[test]
fn snapshot_long_poll_omits_absent_token() {
    let req = GetAgentSnapshotRequest {
        next_token: None,
        timeout: Some(30_000),
    };
    assert_eq!(body(&req), json!({"timeout": 30000}));
}

#[test]
fn arn_members_keep_their_capitals() {
    let req = GetRoutingProfileQueuesRequest::page("arn:rp", Some("n".into()), 500);
    assert_eq!(
        body(&req),
        json!({"routingProfileARN": "arn:rp", "nextToken": "n", "maxResults": 500})
    );
    let req = GetEndpointsRequest {
        queue_arns: vec!["arn:q".into()],
        ..Default::default()
    };
    assert_eq!(body(&req), json!({"queueARNs": ["arn:q"]}));
    let mut req = CreateOutboundContactRequest::new(Endpoint::phone_number("+15555550100"));
    req.queue_arn = Some("arn:q".into());
    req.related_contact_id = Some("c-0".into());
    assert_eq!(
        body(&req),
        json!({
            "endpoint": {"type": "phone_number", "phoneNumber": "+15555550100"},
            "queueARN": "arn:q",
            "relatedContactId": "c-0",
        })
    );
}

#[test]
fn nested_nulls_are_omitted() {
    // AgentState and Endpoint serialise `null` ARNs on their own; the body never carries them.
    let req = PutAgentStateRequest::new(AgentState::new(AgentStateType::Offline, "Offline"));
    assert_eq!(
        body(&req),
        json!({"state": {"type": "offline", "name": "Offline"}})
    );
    let req = CreateAdditionalConnectionRequest::new("c", Endpoint::new(EndpointType::Agent));
    assert_eq!(
        body(&req),
        json!({"contactId": "c", "endpoint": {"type": "agent"}})
    );
}

#[test]
fn agent_state_timestamps_keep_millisecond_precision() {
    let mut state = AgentState::new(AgentStateType::Routable, "Available");
    state.start_timestamp = Some(Timestamp::from_millis(1_646_311_432_223));
    let text = serde_json::to_string(&body(&PutAgentStateRequest::new(state))).expect("json");
    assert!(text.contains("\"startTimestamp\":1646311432.223"), "{text}");
}

#[test]
fn task_contact_with_references() {
    let mut endpoint = Endpoint::new(EndpointType::Queue);
    endpoint.endpoint_arn = Some("arn:qc".into());
    let mut req = CreateTaskContactRequest::new(endpoint, "Review");
    req.previous_contact_id = Some("c-prev".into());
    req.description = Some("see link".into());
    req.idempotency_token = Some("idem-1".into());
    let reference = Reference {
        value: Some("https://example.invalid".into()),
        kind: "URL".into(),
        arn: None,
        status: None,
        status_reason: Some("ok".into()),
    };
    req.references = Some(BTreeMap::from([("doc".to_owned(), reference)]));
    assert_eq!(
        body(&req),
        json!({
            "endpoint": {"endpointARN": "arn:qc", "type": "queue"},
            "name": "Review",
            "previousContactId": "c-prev",
            "description": "see link",
            "references": {"doc": {"value": "https://example.invalid", "type": "URL", "statusReason": "ok"}},
            "idempotencyToken": "idem-1",
        })
    );
    req.related_contact_id = Some("c-rel".into());
    let with_related = body(&req);
    assert_eq!(with_related["relatedContactId"], "c-rel");
    assert!(with_related.get("previousContactId").is_none());
    req.name = " ".into();
    assert_eq!(invalid(&req), "`name` is required");
}

#[test]
fn simple_contact_and_connection_requests() {
    assert_eq!(
        body(&ClearContactRequest::new("c")),
        json!({"contactId": "c"})
    );
    assert_eq!(
        body(&ToggleActiveConnectionsRequest::new("c", "l")),
        json!({"contactId": "c", "connectionId": "l"})
    );
    assert_eq!(
        invalid(&RejectContactRequest::new("")),
        "`contactId` is required"
    );
    assert_eq!(
        invalid(&MuteParticipantRequest::new("c", "")),
        "`connectionId` is required"
    );
    assert_eq!(
        invalid(&SendDigitsRequest::new("c", "l", "")),
        "`digits` is required"
    );
    assert_eq!(
        body(&UpdateMonitorParticipantStateRequest::new(
            "c",
            MonitorMode::SilentMonitor
        )),
        json!({"contactId": "c", "targetMonitorMode": "SILENT_MONITOR"})
    );
}

#[test]
fn create_transport_members_per_type() {
    assert_eq!(
        body(&CreateTransportRequest::softphone("client-1")),
        json!({"transportType": "softphone", "softphoneClientId": "client-1"})
    );
    assert_eq!(
        body(&CreateTransportRequest::web_rtc("c")),
        json!({"transportType": "web_rtc", "contactId": "c"})
    );
    assert_eq!(
        body(&CreateTransportRequest::agent_discovery()),
        json!({"transportType": "agent_discovery"})
    );
    let mut req = CreateTransportRequest::web_socket();
    req.contact_id = Some("c".into());
    assert_eq!(
        invalid(&req),
        "`contactId` does not belong to transport type `web_socket`"
    );
    let mut req = CreateTransportRequest::chat_token("c", "p");
    req.participant_id = None;
    assert_eq!(invalid(&req), "`participantId` is required");
    let req = CreateTransportRequest {
        transport_type: TransportType::Softphone,
        participant_id: None,
        contact_id: None,
        softphone_client_id: None,
    };
    assert_eq!(invalid(&req), "`softphoneClientId` is required");
    let mut req = CreateTransportRequest::web_socket();
    req.transport_type = TransportType::Other("future".into());
    req.contact_id = Some("c".into());
    assert_eq!(
        body(&req),
        json!({"transportType": "future", "contactId": "c"})
    );
}

#[test]
fn call_report_uses_the_model_wire_names() {
    let report = CallReport {
        call_start_time: Some(Timestamp::from_millis(1_000)),
        softphone_stream_statistics: vec![StreamStatistic {
            packet_count: Some(10),
            packets_lost: Some(1),
            jitter_buffer_millis: Some(20),
            round_trip_time_millis: Some(30),
            ..StreamStatistic::new(
                Timestamp::from_millis(2_000),
                SoftphoneStreamType::AudioInput,
            )
        }],
        gum_time_millis: Some(1),
        initialization_time_millis: Some(2),
        ice_collection_time_millis: Some(3),
        signalling_connect_time_millis: Some(4),
        handshake_time_millis: Some(5),
        pre_talk_time_millis: Some(6),
        talk_time_millis: Some(7),
        cleanup_time_millis: Some(8),
        handshake_failure: Some(true),
        no_remote_ice_candidate_failure: Some(false),
        ..CallReport::default()
    };
    let json = serde_json::to_value(&report).expect("json");
    let keys: Vec<&str> = json
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let mut expected = vec![
        "callStartTime",
        "softphoneStreamStatistics",
        "gumTimeMillis",
        "initializationTimeMillis",
        "iceCollectionTimeMillis",
        "signallingConnectTimeMillis",
        "handshakeTimeMillis",
        "preTalkTimeMillis",
        "talkTimeMillis",
        "cleanupTimeMillis",
        "handshakeFailure",
        "noRemoteIceCandidateFailure",
    ];
    expected.sort_unstable();
    let mut keys = keys;
    keys.sort_unstable();
    assert_eq!(keys, expected);
    assert_eq!(
        json["softphoneStreamStatistics"][0],
        json!({
            "timestamp": 2.0, "softphoneStreamType": "audio_input", "packetCount": 10,
            "packetsLost": 1, "jitterBufferMillis": 20, "roundTripTimeMillis": 30,
        })
    );
    let back: CallReport = serde_json::from_value(json).expect("parses back");
    assert_eq!(back, report);
    // Upstream's pre-rename names are not ours.
    let text = serde_json::to_string(&report).expect("json");
    for old in [
        "packetsCount",
        "handshakingTimeMillis",
        "talkingTimeMillis",
        "handshakingFailure",
    ] {
        assert!(!text.contains(old), "{old}");
    }
}

#[test]
fn metrics_and_logs() {
    let mut req = SendSoftphoneCallMetricsRequest::new("c", vec![]);
    req.ccp_version = Some("2.28.2".into());
    assert_eq!(
        body(&req),
        json!({"contactId": "c", "ccpVersion": "2.28.2", "softphoneStreamStatistics": []})
    );
    let req = SendClientLogsRequest {
        log_events: vec![ClientLogEvent::new(Timestamp::from_millis(5), "ccp", "x")],
    };
    assert_eq!(
        body(&req),
        json!({"logEvents": [{"timestamp": 0.005, "component": "ccp", "message": "x"}]})
    );
}

#[test]
fn update_configuration_sends_the_upstream_subset() {
    let config: AgentConfiguration = serde_json::from_value(json!({
        "name": "Jane", "username": "jane", "agentARN": "arn:agent",
        "softphoneEnabled": true, "softphoneAutoAccept": true, "extension": null,
        "routingProfile": {
            "name": "Basic", "routingProfileARN": "arn:rp",
            "defaultOutboundQueue": {"queueARN": "arn:q", "name": "Out"},
            "channelConcurrencyMap": {"VOICE": 1}, "queues": [{"queueARN": "arn:q"}],
        },
        "agentPreferences": {"LANGUAGE": "de_DE", "locale": "fr_FR"},
        "agentStates": [], "permissions": [], "dialableCountries": ["de"],
        "voiceEnhancementMode": "VOICE_ISOLATION", "somethingNew": 1,
    }))
    .expect("configuration");
    assert_eq!(
        body(&UpdateAgentConfigurationRequest::new(&config)),
        json!({"configuration": {
            "name": "Jane", "softphoneEnabled": true, "softphoneAutoAccept": true,
            "routingProfile": {
                "name": "Basic", "routingProfileARN": "arn:rp",
                "defaultOutboundQueue": {"queueARN": "arn:q", "name": "Out"},
            },
            "agentPreferences": {"LANGUAGE": "de_DE", "locale": "fr_FR"},
            "voiceEnhancementMode": "VOICE_ISOLATION",
        }})
    );
}

#[test]
fn list_responses_parse_and_require_their_list() {
    let r = GetRoutingProfileQueuesRequest::parse_response(
        br#"{"queues":[{"queueARN":"arn:q/agent/a-1","name":null}],"nextToken":"n","x":1}"#,
    )
    .expect("queues");
    assert_eq!(r.queues.len(), 1);
    assert_eq!(r.queues[0].queue_id(), Some("arn:q/agent/a-1"));
    assert_eq!(r.queues[0].name, None);
    assert_eq!(r.next_token.as_deref(), Some("n"));
    assert_eq!(r.extra["x"], 1);
    let err = GetAgentStatesRequest::parse_response(br#"{"nextToken":"n"}"#).expect_err("states*");
    assert!(
        matches!(err, CtiError::InvalidResponse { operation: CtiMethod::GetAgentStates, ref message } if message.contains("states")),
        "{err}"
    );
}

#[test]
fn snapshot_response_requires_next_token() {
    let err = GetAgentSnapshotRequest::parse_response(
        br#"{"snapshot":{"state":{"type":"routable","name":"A"},"contacts":[],"snapshotTimestamp":1}}"#,
    )
    .expect_err("nextToken*");
    assert!(err.to_string().contains("nextToken"), "{err}");
}

#[test]
fn create_transport_response_is_the_model_type() {
    let r = CreateTransportRequest::parse_response(
        br#"{"webSocketTransport":{"url":"wss://x/ticket","transportLifeTimeInSeconds":3600}}"#,
    )
    .expect("transport");
    assert_eq!(
        r.web_socket_transport
            .map(|w| w.transport_life_time_in_seconds),
        Some(3600)
    );
}

#[test]
fn requests_round_trip_through_their_body() {
    // The simulator parses the bodies the client sends.
    let req = CreateTaskContactRequest {
        scheduled_time: Some(5),
        ..CreateTaskContactRequest::new(Endpoint::phone_number("+1"), "t")
    };
    let back: CreateTaskContactRequest = serde_json::from_value(body(&req)).expect("parses back");
    assert_eq!(back.name, "t");
    assert_eq!(back.scheduled_time, Some(5));
    let back: SendDigitsRequest =
        serde_json::from_value(body(&SendDigitsRequest::new("c", "l", "12"))).expect("digits");
    assert_eq!(back.digits.expose(), "12");
    let empty: Empty = serde_json::from_value(json!({})).expect("empty");
    assert_eq!(empty, Empty {});
}
