//! The client's methods: pagination, configuration, transports, recorded calls, the wire
//! dispatch path.

use std::time::Duration;

use serde_json::json;

use super::{sim, TestResult};
use crate::api::*;
use crate::mock::{turn_credential, JournalEvent, SimInstance, TurnConfig};
use crate::model::{ContactStateType, Endpoint, EndpointType, Queue, Timestamp};

#[tokio::test]
async fn lists_paginate_and_merge_into_a_usable_configuration() -> TestResult {
    let (sim, _clock) = sim(SimInstance::builder().agents(3).max_page_size(1));
    let client = sim.client("agent1")?;
    let page = client
        .get_agent_states(GetAgentStatesRequest::page(None, 500))
        .await?;
    assert_eq!(page.states.len(), 1);
    assert!(page.next_token.is_some());
    let states = client.all_agent_states().await?;
    let names: Vec<&str> = states.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Available", "Break", "Offline"]);
    assert!(states.iter().all(|s| s
        .agent_state_arn
        .as_deref()
        .is_some_and(|a| a.contains("/agent-state/"))));
    let bad = client
        .get_agent_states(GetAgentStatesRequest::page(Some("nope".into()), 1))
        .await
        .err();
    assert_eq!(
        bad.map(|e| e.code().to_owned()).as_deref(),
        Some("PaginationException")
    );

    let mut config = client
        .get_agent_configuration(GetAgentConfigurationRequest::default())
        .await?
        .configuration;
    let profile = config
        .routing_profile
        .routing_profile_arn
        .clone()
        .unwrap_or_default();
    config.routing_profile.queues = Some(client.all_routing_profile_queues(&profile).await?);
    config.permissions = Some(client.all_permissions().await?);
    config.dialable_countries = Some(client.all_dialable_countries().await?);
    assert_eq!(config.agent_id().as_deref(), Some(client.agent_id()));
    assert_eq!(config.region().as_deref(), Some("us-east-1"));
    let instance = sim.with_engine(|e| e.instance_arn());
    assert!(instance.ends_with(&config.instance_id().unwrap_or_default()));
    assert_eq!(config.dialable_countries.map(|c| c.len()), Some(3));
    assert_eq!(
        config
            .routing_profile
            .channel_concurrency(&crate::model::Channel::Task),
        1
    );

    let endpoints = client.all_endpoints(vec![]).await?;
    let kinds: Vec<EndpointType> = endpoints.iter().map(|e| e.kind.clone()).collect();
    assert_eq!(
        kinds,
        [
            EndpointType::Queue,
            EndpointType::Agent,
            EndpointType::Agent
        ]
    );
    Ok(())
}

#[tokio::test]
async fn transports() -> TestResult {
    let turn = TurnConfig {
        secret: "s3cret".into(),
        ..TurnConfig::default()
    };
    let (sim, _clock) = sim(SimInstance::builder().agents(1).turn(turn));
    sim.set_ws_base_url("ws://127.0.0.1:4567/");
    let client = sim.client("agent1")?;

    let ws = client
        .create_transport(CreateTransportRequest::web_socket())
        .await?;
    let ws = ws.web_socket_transport.ok_or("web socket")?;
    assert_eq!(ws.transport_life_time_in_seconds, 300);
    let url = ws.url.expose().to_owned();
    let ticket = url
        .strip_prefix("ws://127.0.0.1:4567/ws?ticket=")
        .ok_or("url")?;
    assert_eq!(sim.redeem_ws_ticket(ticket)?, client.agent_id());

    let soft = client
        .create_transport(CreateTransportRequest::softphone("c-1"))
        .await?;
    let server = soft
        .softphone_transport
        .ok_or("softphone")?
        .softphone_media_connections
        .remove(0);
    let user = server.username.unwrap_or_default();
    assert!(user.starts_with(&format!("{}:", super::T0 / 1000 + 4 * 3600)));
    assert_eq!(
        server.credential.map(|c| c.expose().to_owned()),
        Some(turn_credential("s3cret", &user))
    );

    let chat = sim.control().enqueue_chat("Ann")?;
    let snap = client
        .get_agent_snapshot(GetAgentSnapshotRequest::default())
        .await?
        .snapshot;
    let participant = snap.contacts[0]
        .agent_connection()
        .map(|c| c.connection_id.clone())
        .unwrap_or_default();
    let token = client
        .create_transport(CreateTransportRequest::chat_token(&chat, &participant))
        .await?;
    assert!(token.chat_token_transport.is_some());
    assert!(client
        .create_transport(CreateTransportRequest::chat_token(&chat, "other"))
        .await
        .is_err());
    let rtc = client
        .create_transport(CreateTransportRequest::web_rtc(&chat))
        .await?;
    assert_eq!(
        rtc.web_rtc_transport
            .and_then(|t| t.meeting.media_region)
            .as_deref(),
        Some("us-east-1")
    );
    let discovery = client
        .create_transport(CreateTransportRequest::agent_discovery())
        .await
        .err();
    assert_eq!(
        discovery.map(|e| e.code().to_owned()).as_deref(),
        Some("InvalidConfigurationException")
    );
    Ok(())
}

#[tokio::test]
async fn outbound_and_task_creation() -> TestResult {
    let (sim, clock) = sim(SimInstance::builder().agents(1));
    let client = sim.client("agent1")?;
    let empty = client
        .create_outbound_contact(CreateOutboundContactRequest::new(Endpoint::phone_number(
            "sip:+15555550100@host",
        )))
        .await?;
    assert_eq!(empty, Empty {});
    let snap = client
        .get_agent_snapshot(GetAgentSnapshotRequest::default())
        .await?
        .snapshot;
    let call = snap.contacts[0].clone();
    assert_eq!(
        call.initial_connection()
            .and_then(|c| c.endpoint.as_ref())
            .and_then(|e| e.phone_digits())
            .as_deref(),
        Some("+15555550100")
    );
    clock.advance(Duration::from_millis(200));
    let leg = call
        .initial_connection()
        .map(|c| c.connection_id.clone())
        .unwrap_or_default();
    client
        .send_digits(SendDigitsRequest::new(&call.contact_id, &leg, "42#"))
        .await?;
    let own = call
        .agent_connection()
        .map(|c| c.connection_id.clone())
        .unwrap_or_default();
    client
        .mute_participant(MuteParticipantRequest::new(&call.contact_id, &own))
        .await?;
    client
        .destroy_connection(DestroyConnectionRequest::new(&call.contact_id, &own))
        .await?;
    client
        .complete_contact(CompleteContactRequest::new(&call.contact_id))
        .await?;

    let arn = sim
        .with_engine(|e| e.queue_arn("BasicQueue"))
        .unwrap_or_default();
    let mut endpoint = Endpoint::new(EndpointType::Queue);
    endpoint.queue = Some(Queue::new(arn, "BasicQueue"));
    let mut req = CreateTaskContactRequest::new(endpoint, "Follow up");
    req.idempotency_token = Some("once".into());
    let first = client.create_task_contact(req.clone()).await?.contact_id;
    let again = client.create_task_contact(req).await?.contact_id;
    assert!(first.is_some());
    assert_eq!(first, again);
    let journal = sim.journal();
    assert!(journal
        .iter()
        .any(|e| matches!(&e.event, JournalEvent::Digits { digits, .. } if digits == "42#")));
    assert!(journal
        .iter()
        .any(|e| matches!(&e.event, JournalEvent::Mute { muted: true, .. })));
    Ok(())
}

#[tokio::test]
async fn recorded_calls_and_token_refresh() -> TestResult {
    let (sim, _clock) = sim(SimInstance::builder().agents(1));
    let client = sim.client("agent1")?;
    let t = Timestamp::from_millis(super::T0);
    client
        .send_client_logs(SendClientLogsRequest {
            log_events: vec![ClientLogEvent::new(t, "ccp", "hello")],
        })
        .await?;
    client
        .send_softphone_call_metrics(SendSoftphoneCallMetricsRequest::new("c-1", vec![]))
        .await?;
    client
        .send_softphone_call_report(SendSoftphoneCallReportRequest::new(
            "c-1",
            CallReport::default(),
        ))
        .await?;
    client
        .notify_contact_issue(NotifyContactIssueRequest::new("c-1"))
        .await?;
    let methods: Vec<&str> = sim
        .journal()
        .iter()
        .filter_map(|e| match &e.event {
            JournalEvent::Recorded { method, .. } => Some(*method),
            _ => None,
        })
        .collect();
    assert_eq!(
        methods,
        [
            "sendClientLogs",
            "sendSoftphoneCallMetrics",
            "sendSoftphoneCallReport",
            "notifyContactIssue"
        ]
    );
    let token = sim.issue_token("agent1")?;
    let renewed = client
        .get_new_auth_token(GetNewAuthTokenRequest::new(token.refresh_token.expose()))
        .await?;
    let bearer = renewed
        .new_auth_token
        .map(|t| t.expose().to_owned())
        .unwrap_or_default();
    assert_eq!(sim.authenticate(&bearer)?, client.agent_id());
    assert!(client
        .get_new_auth_token(GetNewAuthTokenRequest::new("bogus"))
        .await
        .is_err());
    Ok(())
}

#[tokio::test]
async fn wire_dispatch_reaches_the_engine() -> TestResult {
    let (sim, clock) = sim(SimInstance::builder().agents(1));
    let client = sim.client("agent1")?;
    let contact = sim.control().enqueue_voice("+15555550123")?;
    let body = json!({"contactId": contact, "authentication": {"authToken": "t"}});
    let serde_json::Value::Object(body) = body else {
        return Err("object".into());
    };
    let out = dispatch(&client, CtiMethod::AcceptContact, body).await?;
    assert_eq!(out, json!({}));
    clock.advance(Duration::from_millis(200));
    let snap = dispatch(&client, CtiMethod::GetAgentSnapshot, serde_json::Map::new()).await?;
    assert_eq!(
        snap["snapshot"]["contacts"][0]["state"]["type"],
        "connected"
    );
    assert_eq!(snap["snapshot"]["state"]["name"], "Busy");
    let err = dispatch(&client, CtiMethod::HoldConnection, serde_json::Map::new())
        .await
        .err();
    assert!(matches!(err, Some(CtiError::InvalidRequest(_))));
    let state = sim.journal().contact_states(&contact);
    assert_eq!(state.last(), Some(&ContactStateType::Connected));
    Ok(())
}
