//! Every payload of `shared/fixtures/streams-sample-snapshots.json` parses, round-trips to equal
//! JSON, and yields the derived values the CCP computes from it.

use connect_core::model::{
    AgentSnapshot, AgentStateType, Channel, ConnectionType, ContactStateType, ContactType,
    RoutingProfile, Timestamp,
};
use serde_json::{Map, Value};

const FIXTURES: &str = include_str!("../../../shared/fixtures/streams-sample-snapshots.json");

fn fixtures() -> Map<String, Value> {
    serde_json::from_str(FIXTURES).expect("fixture file is JSON")
}

fn snapshot(name: &str) -> AgentSnapshot {
    serde_json::from_value(fixtures()[name].clone()).expect(name)
}

#[test]
fn every_fixture_round_trips_to_equal_json() {
    let all = fixtures();
    assert_eq!(all.len(), 9, "the fixture file holds nine snapshots");
    for (name, json) in &all {
        let parsed: AgentSnapshot = serde_json::from_value(json.clone()).expect(name);
        let text = serde_json::to_string(&parsed).expect(name);
        let back: Value = serde_json::from_str(&text).expect(name);
        assert_eq!(&back, json, "{name} did not round-trip");
    }
}

#[test]
fn timestamps_are_written_with_three_decimals() {
    let snap = snapshot("inboundVoiceContactDeskphone");
    assert_eq!(
        snap.snapshot_timestamp,
        Timestamp::from_millis(1_646_405_876_490)
    );
    let text = serde_json::to_string(&snap).expect("serialises");
    assert!(
        text.contains("\"snapshotTimestamp\":1646405876.490"),
        "{text}"
    );
}

#[test]
fn unknown_fields_and_enum_values_survive() {
    let mut json = fixtures()["chatContact"].clone();
    json["futureField"] = serde_json::json!({"x": [1, 2]});
    json["contacts"][0]["type"] = Value::from("carrier_pigeon");
    json["contacts"][0]["connections"][0]["newFlag"] = Value::from(true);
    let parsed: AgentSnapshot = serde_json::from_value(json.clone()).expect("parses");
    assert_eq!(
        parsed.contacts[0].kind,
        ContactType::Other("carrier_pigeon".into())
    );
    assert_eq!(serde_json::to_value(&parsed).expect("serialises"), json);
}

#[test]
fn inbound_softphone_voice_derived_values() {
    let snap = snapshot("inboundVoiceContactSoftphone");
    let contact = &snap.contacts[0];
    assert_eq!(contact.kind, ContactType::Voice);
    assert_eq!(contact.state.kind, ContactStateType::Connecting);
    let agent = contact.agent_connection().expect("agent connection");
    assert_eq!(agent.connection_id, "0532c53a-4fae-4d5a-a42f-8028f4063bda");
    let initial = contact.initial_connection().expect("initial connection");
    assert_eq!(
        initial.connection_id,
        "480acd08-2ff9-454a-83cc-af76a764ec45"
    );
    assert_eq!(initial.kind, ConnectionType::Inbound);
    assert!(contact.is_inbound());
    assert!(!contact.is_auto_accept());
    assert!(contact.third_party_connections().is_empty());
    assert!(agent.softphone_media_info.is_some());
    assert_eq!(snap.state.kind, AgentStateType::System);
    assert_eq!(snap.state.name, "PendingBusy");
}

#[test]
fn deskphone_voice_has_no_softphone_media() {
    let snap = snapshot("inboundVoiceContactDeskphone");
    let agent = snap.contacts[0]
        .agent_connection()
        .expect("agent connection");
    assert!(agent.softphone_media_info.is_none());
    assert!(snap.contacts[0].is_inbound());
}

#[test]
fn outbound_voice_is_not_inbound() {
    let snap = snapshot("outboundVoiceContact");
    let contact = &snap.contacts[0];
    assert_eq!(
        contact.initial_connection().map(|c| c.kind.clone()),
        Some(ConnectionType::Outbound)
    );
    assert!(!contact.is_inbound());
}

#[test]
fn monitoring_contact_uses_the_monitoring_connection_as_agent_connection() {
    let snap = snapshot("monitoringVoiceContact");
    let contact = &snap.contacts[0];
    let agent = contact.agent_connection().expect("agent connection");
    assert!(matches!(
        agent.kind,
        ConnectionType::Monitoring | ConnectionType::Agent
    ));
}

#[test]
fn queued_callback_incoming_then_connecting() {
    let incoming = snapshot("queuedCallbackContactIncoming");
    assert_eq!(incoming.contacts[0].kind, ContactType::QueueCallback);
    assert_eq!(incoming.contacts[0].state.kind, ContactStateType::Incoming);
    let connecting = snapshot("queuedCallbackContactConnecting");
    assert_eq!(
        connecting.contacts[0].state.kind,
        ContactStateType::Connecting
    );
    assert_eq!(
        incoming.contacts[0].contact_id,
        connecting.contacts[0].contact_id
    );
}

#[test]
fn chat_and_task_contacts() {
    let chat = snapshot("chatContact");
    let contact = &chat.contacts[0];
    assert_eq!(contact.kind, ContactType::Chat);
    assert!(contact.is_inbound());
    assert!(contact
        .connections
        .iter()
        .any(|c| c.chat_media_info.is_some()));
    let task = snapshot("taskContact");
    let contact = &task.contacts[0];
    assert_eq!(contact.kind, ContactType::Task);
    assert!(
        contact.is_inbound(),
        "a task not initiated outbound is inbound"
    );
}

#[test]
fn state_durations_apply_skew() {
    let snap = snapshot("inboundVoiceContactSoftphone");
    // The poll response arrived 250 ms (local clock) after the server stamped it.
    let received = snap.snapshot_timestamp.add_millis(-250);
    let skew = snap.skew_millis(received);
    assert_eq!(skew, 250);
    let now_local = received.add_millis(1_000);
    // Agent state started 1 ms before the snapshot was stamped... plus 1 s of local time.
    assert_eq!(snap.state_duration_millis(now_local, skew), 1_000);
    let contact = &snap.contacts[0];
    assert_eq!(contact.state_duration_millis(now_local, skew), 1_001);
}

#[test]
fn channel_concurrency_defaults() {
    let no_map: RoutingProfile = serde_json::from_str(r#"{"name":"p"}"#).expect("parses");
    assert_eq!(no_map.channel_concurrency(&Channel::Voice), 1);
    assert_eq!(no_map.channel_concurrency(&Channel::Chat), 1);
    assert_eq!(no_map.channel_concurrency(&Channel::Task), 0);
    let with_map: RoutingProfile =
        serde_json::from_str(r#"{"name":"p","channelConcurrencyMap":{"CHAT":3,"TASK":10}}"#)
            .expect("parses");
    assert_eq!(with_map.channel_concurrency(&Channel::Voice), 0);
    assert_eq!(with_map.channel_concurrency(&Channel::Chat), 3);
    assert_eq!(with_map.channel_concurrency(&Channel::Task), 10);
}

#[test]
fn sensitive_values_are_hidden_from_debug() {
    let outbound = format!("{:?}", snapshot("outboundVoiceContact"));
    assert!(!outbound.contains("3474295233"), "{outbound}");
    let mut chat = fixtures()["chatContact"].clone();
    chat["contacts"][0]["connections"][0]["chatMediaInfo"]["connectionData"] =
        Value::from("{\"ConnectionAuthenticationToken\":\"QVVUSC1TRUNSRVQ\"}");
    let chat: AgentSnapshot = serde_json::from_value(chat).expect("parses");
    assert!(!format!("{chat:?}").contains("QVVUSC1TRUNSRVQ"));
}
