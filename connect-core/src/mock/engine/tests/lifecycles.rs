//! One test (or table) per lifecycle row of spec §9.2.

use std::time::Duration;

use super::{Harness, TestResult};
use crate::api::{CtiError, CtiExceptionKind};
use crate::mock::{AgentSpec, AnswerScript, ContactSpec, SimSettings, SimSpec};
use crate::model::{
    AgentState, AgentStateType as A, CallType, ConnectionStateType as L, ConnectionType,
    ContactStateType as S, Endpoint, EndpointType, InitiationMethod,
};

fn code(result: TestResult) -> Option<CtiExceptionKind> {
    match result {
        Err(CtiError::Service { code, .. }) => Some(code),
        _ => None,
    }
}

#[test]
fn inbound_voice_rings_then_connects_after_answer_delay() -> TestResult {
    let mut h = Harness::agents(1);
    let before = h.e.version(&h.agent(0))?;
    let c = h.e.enqueue(
        ContactSpec::voice("+15555550123").attribute("tier", "gold"),
        h.t,
    )?;
    let contact = h.contact(0, &c).expect("offered");
    assert_eq!(contact.state.kind, S::Connecting);
    assert_eq!(contact.initiation_method, Some(InitiationMethod::Inbound));
    assert_eq!(contact.attributes["tier"].value.as_deref(), Some("gold"));
    assert!(contact.queue.as_ref().and_then(|q| q.name.as_deref()) == Some("BasicQueue"));
    let customer = h.initial_leg(0, &c);
    assert_eq!(
        (customer.kind, customer.state.kind),
        (ConnectionType::Inbound, L::Connected)
    );
    let agent_leg = h.agent_leg(0, &c);
    assert_eq!(agent_leg.state.kind, L::Connecting);
    assert!(!agent_leg.initial);
    let media = agent_leg
        .softphone_media_info
        .clone()
        .expect("softphone media");
    assert_eq!(media.call_type, Some(CallType::AudioOnly));
    assert_eq!(media.auto_accept, Some(false));
    let raw = media
        .call_config_json
        .as_ref()
        .map(|j| j.expose().to_owned())
        .unwrap_or_default();
    assert!(
        raw.contains("&quot;signalingEndpoint&quot;:&quot;/LilyRTC&quot;"),
        "{raw}"
    );
    let config = media
        .call_config()
        .expect("present")
        .map_err(|e| CtiError::InvalidRequest(e.to_string()))?;
    assert_eq!(config.use_web_socket_provider, Some(true));
    let user = config.ice_servers[0].username.clone().unwrap_or_default();
    let (expiry, _) = user.split_once(':').expect("<expiry>:<id>");
    assert!(expiry.parse::<i64>().is_ok_and(|e| e > super::T0 / 1000));
    assert_eq!(h.state(0), ("PendingBusy".to_owned(), A::System));
    assert!(h.e.version(&h.agent(0))? > before);

    h.accept(0, &c)?;
    h.advance(199);
    assert_eq!(h.contact_state(0, &c), Some(S::Connecting));
    h.advance(1);
    assert_eq!(h.contact_state(0, &c), Some(S::Connected));
    assert_eq!(h.agent_leg(0, &c).state.kind, L::Connected);
    assert_eq!(h.state(0), ("Busy".to_owned(), A::System));
    // Accepting twice is refused.
    assert_eq!(
        code(h.accept(0, &c)),
        Some(CtiExceptionKind::InvalidStateException)
    );
    Ok(())
}

#[test]
fn voice_ring_timeout_misses_errors_the_agent_and_requeues() -> TestResult {
    let mut h = Harness::agents(1);
    let c = h.e.enqueue(ContactSpec::voice("+15555550123"), h.t)?;
    h.advance(19_999);
    assert_eq!(h.contact_state(0, &c), Some(S::Connecting));
    h.advance(1);
    assert_eq!(h.contact_state(0, &c), Some(S::Missed));
    assert_eq!(h.state(0), ("MissedCallAgent".to_owned(), A::Error));
    assert_eq!(h.agent_leg(0, &c).state.kind, L::Disconnected);
    h.advance(2_000); // missed_linger
    assert_eq!(h.contact(0, &c), None);
    assert_eq!(h.e.queued_contacts(), std::slice::from_ref(&c));
    // Still in error: not offered again until the agent sets a state.
    assert_eq!(h.state(0).0, "MissedCallAgent");
    h.put_state(0, "Available")?;
    assert_eq!(h.contact_state(0, &c), Some(S::Connecting));
    let counters = h.e.counters();
    assert_eq!((counters.offered, counters.missed), (2, 1));
    Ok(())
}

#[test]
fn chat_and_task_ring_timeout_end_in_error_without_agent_error() -> TestResult {
    for spec in [ContactSpec::chat("Ann"), ContactSpec::task("Review")] {
        let mut h = Harness::agents(1);
        let c = h.e.enqueue(spec, h.t)?;
        h.advance(20_000);
        assert_eq!(h.contact_state(0, &c), Some(S::Error));
        assert_eq!(h.state(0), ("Available".to_owned(), A::Routable));
        h.advance(2_000);
        // Removed, re-queued, and offered again to the only agent.
        assert_eq!(h.contact_state(0, &c), Some(S::Connecting));
        assert_eq!(h.e.counters().offered, 2);
    }
    Ok(())
}

#[test]
fn reject_lingers_then_requeues_to_the_next_agent() -> TestResult {
    let mut h = Harness::agents(2);
    let c = h.e.enqueue(ContactSpec::voice("+15555550123"), h.t)?;
    let first = h.holder(&c).expect("offered");
    let agent = h.agent(first);
    h.e.reject_contact(&agent, &c, h.t)?;
    assert_eq!(h.contact_state(first, &c), Some(S::Rejected));
    assert_eq!(h.state(first), ("Available".to_owned(), A::Routable));
    h.advance(2_000);
    let second = h.holder(&c).expect("re-offered");
    assert_ne!(first, second, "the longest idle agent gets it");
    assert_eq!(
        h.e.journal().contact_states(&c),
        [S::Connecting, S::Rejected, S::Connecting]
    );
    assert_eq!(h.e.counters().rejected, 1);
    // A connected contact cannot be rejected.
    h.connect_voice(second, &c)?;
    let agent = h.agent(second);
    assert_eq!(
        code(h.e.reject_contact(&agent, &c, h.t)),
        Some(CtiExceptionKind::InvalidStateException)
    );
    Ok(())
}

#[test]
fn hang_up_or_agent_leaving_ends_in_acw_until_cleared() -> TestResult {
    // (who ends the call, clear with completeContact?)
    for (customer_hangs_up, complete) in [(true, false), (false, false), (false, true)] {
        let mut h = Harness::agents(1);
        let c = h.e.enqueue(ContactSpec::voice("+15555550123"), h.t)?;
        h.connect_voice(0, &c)?;
        h.advance(5_000);
        if customer_hangs_up {
            h.e.customer_hang_up(&c, false, h.t)?;
        } else {
            let leg = h.agent_leg(0, &c).connection_id;
            h.destroy(0, &c, &leg)?;
        }
        assert_eq!(h.contact_state(0, &c), Some(S::Ended));
        assert!(h.leg_states(0, &c).iter().all(|s| *s == L::Disconnected));
        assert_eq!(h.state(0), ("AfterCallWork".to_owned(), A::NotRoutable));
        // ACW blocks routing.
        let next = h.e.enqueue(ContactSpec::voice("+15555550124"), h.t)?;
        assert_eq!(h.contact(0, &next), None);
        if complete {
            let agent = h.agent(0);
            h.e.clear_contact(&agent, &c, h.t)?; // completeContact maps here too
        } else {
            h.clear(0, &c)?;
        }
        assert_eq!(h.contact(0, &c), None);
        assert_eq!(h.contact_state(0, &next), Some(S::Connecting));
        assert_eq!(h.e.counters().handled, 1);
    }
    Ok(())
}

#[test]
fn clear_refuses_active_contacts() -> TestResult {
    let mut h = Harness::agents(1);
    let c = h.e.enqueue(ContactSpec::voice("+15555550123"), h.t)?;
    assert_eq!(
        code(h.clear(0, &c)),
        Some(CtiExceptionKind::InvalidStateException)
    );
    Ok(())
}

#[test]
fn outbound_voice_outcomes() -> TestResult {
    // (script, ms until the outcome, contact state, agent state)
    let cases = [
        (AnswerScript::Answer, 200, S::Connected, "Busy"),
        (
            AnswerScript::AnswerAfter(Duration::from_secs(3)),
            3_000,
            S::Connected,
            "Busy",
        ),
        (
            AnswerScript::NoAnswer,
            20_000,
            S::Error,
            "FailedConnectCustomer",
        ),
        (AnswerScript::Busy, 200, S::Error, "LineEngagedCustomer"),
        (
            AnswerScript::Manual,
            20_000,
            S::Error,
            "FailedConnectCustomer",
        ),
    ];
    for (script, after, state, agent_state) in cases {
        let mut h = Harness::agents(1);
        h.e.script_dial("+15555550100", script);
        let agent = h.agent(0);
        let c = h.e.create_outbound_contact(
            &agent,
            &Endpoint::phone_number("+15555550100"),
            None,
            None,
            h.t,
        )?;
        let contact = h.contact(0, &c).expect("created");
        assert_eq!(contact.initiation_method, Some(InitiationMethod::Outbound));
        let customer = h.initial_leg(0, &c);
        assert_eq!(
            (customer.kind, customer.state.kind),
            (ConnectionType::Outbound, L::Connecting)
        );
        assert!(contact.queue.is_some());
        assert_eq!(h.state(0), ("CallingCustomer".to_owned(), A::System));
        h.advance(after - 1);
        assert_eq!(h.contact_state(0, &c), Some(S::Connecting), "{script:?}");
        h.advance(1);
        assert_eq!(h.contact_state(0, &c), Some(state.clone()), "{script:?}");
        assert_eq!(h.state(0).0, agent_state, "{script:?}");
        if state == S::Error {
            h.clear(0, &c)?;
            assert_eq!(
                h.state(0).0,
                "Available",
                "clearing a failed call clears the error"
            );
        }
    }
    Ok(())
}

#[test]
fn outbound_answered_by_the_test() -> TestResult {
    let mut h = Harness::agents(1);
    h.e.script_dial("+15555550100", AnswerScript::Manual);
    let agent = h.agent(0);
    let c = h.e.create_outbound_contact(
        &agent,
        &Endpoint::phone_number("+15555550100"),
        None,
        None,
        h.t,
    )?;
    h.advance(10_000);
    assert_eq!(h.contact_state(0, &c), Some(S::Connecting));
    assert_eq!(
        h.agent_leg(0, &c).state.kind,
        L::Connected,
        "the agent's leg is up after answer_delay"
    );
    assert_eq!(h.state(0).0, "CallingCustomer");
    h.e.customer_answer(&c, h.t)?;
    assert_eq!(h.contact_state(0, &c), Some(S::Connected));
    assert_eq!(h.state(0).0, "Busy");
    assert!(h.e.customer_answer(&c, h.t).is_err());
    Ok(())
}

#[test]
fn outbound_refusals() -> TestResult {
    let spec = SimSpec::default()
        .agent(AgentSpec::new("noperm").permissions(Vec::<String>::new()))
        .agent(AgentSpec::new("us-only").dialable_countries(["us"]));
    let mut h = Harness::new(spec);
    let (noperm, us_only) = (h.agent(0), h.agent(1));
    let uk = Endpoint::phone_number("+442071234567");
    let us = Endpoint::phone_number("+15555550100");
    let cases = [
        (
            &noperm,
            &us,
            CtiExceptionKind::InvalidConfigurationException,
        ),
        (&us_only, &uk, CtiExceptionKind::BadEndpointException),
        (
            &us_only,
            &Endpoint::phone_number("12"),
            CtiExceptionKind::BadEndpointException,
        ),
        (
            &us_only,
            &Endpoint::new(EndpointType::Queue),
            CtiExceptionKind::BadEndpointException,
        ),
    ];
    for (agent, endpoint, expected) in cases {
        let result =
            h.e.create_outbound_contact(agent, endpoint, None, None, h.t)
                .map(|_| ());
        assert_eq!(code(result), Some(expected));
    }
    h.e.create_outbound_contact(&us_only, &us, None, None, h.t)?;
    let again =
        h.e.create_outbound_contact(&us_only, &us, None, None, h.t)
            .map(|_| ());
    assert_eq!(code(again), Some(CtiExceptionKind::InvalidStateException));
    Ok(())
}

#[test]
fn chat_legs_and_lifecycle() -> TestResult {
    let mut h = Harness::agents(1);
    let c = h.e.enqueue(ContactSpec::chat("Ann"), h.t)?;
    let contact = h.contact(0, &c).expect("offered");
    assert_eq!(contact.state.kind, S::Connecting);
    let customer = h.initial_leg(0, &c);
    assert_eq!(
        (customer.kind, customer.endpoint.is_none()),
        (ConnectionType::Inbound, true)
    );
    let name = customer
        .chat_media_info
        .and_then(|m| m.customer_name)
        .map(|n| n.expose().to_owned());
    assert_eq!(name.as_deref(), Some("Ann"));
    let agent_leg = h.agent_leg(0, &c);
    let data = agent_leg
        .chat_media_info
        .and_then(|m| m.connection_data)
        .expect("connection data");
    let parsed: serde_json::Value =
        serde_json::from_str(data.expose()).map_err(|e| CtiError::InvalidRequest(e.to_string()))?;
    assert!(parsed["ConnectionAuthenticationToken"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));
    // Chat leaves the selected state.
    assert_eq!(h.state(0), ("Available".to_owned(), A::Routable));
    h.accept(0, &c)?;
    assert_eq!(h.contact_state(0, &c), Some(S::Connected));
    h.e.customer_hang_up(&c, true, h.t)?;
    assert_eq!(h.contact_state(0, &c), Some(S::Ended));
    assert_eq!(h.state(0).0, "Available", "no AfterCallWork for chat");
    h.clear(0, &c)?;
    assert_eq!(h.contact(0, &c), None);
    Ok(())
}

#[test]
fn task_single_initial_agent_leg_pause_and_resume() -> TestResult {
    let mut h = Harness::agents(1);
    let c = h.e.enqueue(
        ContactSpec::task("Review")
            .description("Q3")
            .reference("doc", "https://x"),
        h.t,
    )?;
    let contact = h.contact(0, &c).expect("offered");
    assert_eq!(contact.initiation_method, Some(InitiationMethod::Api));
    assert_eq!(contact.connections.len(), 1);
    let leg = &contact.connections[0];
    assert_eq!(
        (leg.kind.clone(), leg.initial, leg.endpoint.is_none()),
        (ConnectionType::Agent, true, true)
    );
    assert_eq!(contact.name.as_deref(), Some("Review"));
    assert_eq!(contact.references.as_ref().map(|r| r.len()), Some(1));
    let agent = h.agent(0);
    assert_eq!(
        code(h.e.pause_contact(&agent, &c, h.t)),
        Some(CtiExceptionKind::InvalidStateException)
    );
    h.accept(0, &c)?;
    h.e.pause_contact(&agent, &c, h.t)?;
    assert_eq!(h.contact_state(0, &c), Some(S::Paused));
    h.e.resume_contact(&agent, &c, h.t)?;
    assert_eq!(h.contact_state(0, &c), Some(S::Connected));
    let voice = h.e.enqueue(ContactSpec::voice("+15555550100"), h.t)?;
    assert_eq!(
        h.contact(0, &voice),
        None,
        "voice waits while a task is active"
    );
    assert_eq!(
        code(h.e.pause_contact(&agent, &voice, h.t)),
        Some(CtiExceptionKind::InvalidStateException)
    );
    Ok(())
}

#[test]
fn queued_callback_incoming_accept_dial_connect() -> TestResult {
    let mut h = Harness::agents(1);
    let c = h.e.enqueue(ContactSpec::callback("+15555550123"), h.t)?;
    assert_eq!(h.contact_state(0, &c), Some(S::Incoming));
    assert_eq!(h.state(0), ("Pending".to_owned(), A::NotRoutable));
    assert!(h.agent_leg(0, &c).softphone_media_info.is_none());
    h.accept(0, &c)?;
    assert_eq!(h.contact_state(0, &c), Some(S::Connecting));
    assert_eq!(h.state(0), ("CallingCustomer".to_owned(), A::System));
    assert_eq!(h.initial_leg(0, &c).state.kind, L::Connecting);
    assert!(h.agent_leg(0, &c).softphone_media_info.is_some());
    h.advance(200);
    assert_eq!(h.contact_state(0, &c), Some(S::Connected));
    assert_eq!(h.state(0).0, "Busy");
    Ok(())
}

#[test]
fn queued_callback_no_answer_after_retries() -> TestResult {
    let settings = SimSettings {
        callback_retries: 1,
        ..SimSettings::default()
    };
    let mut h = Harness::new(SimSpec::default().agents(1).settings(settings));
    let c = h.e.enqueue(
        ContactSpec::callback("+15555550123").answer(AnswerScript::NoAnswer),
        h.t,
    )?;
    h.accept(0, &c)?;
    h.advance(20_000);
    assert_eq!(
        h.contact_state(0, &c),
        Some(S::Connecting),
        "redialled once"
    );
    h.advance(20_000);
    assert_eq!(h.contact_state(0, &c), Some(S::Error));
    assert_eq!(h.state(0), ("MissedCallCustomer".to_owned(), A::Error));
    assert_eq!(h.e.counters().failed, 1);
    Ok(())
}

#[test]
fn auto_accept_connects_without_accept() -> TestResult {
    let mut h = Harness::new(SimSpec::default().agent(AgentSpec::new("auto").auto_accept(true)));
    let voice = h.e.enqueue(ContactSpec::voice("+15555550123"), h.t)?;
    let media = h.agent_leg(0, &voice).softphone_media_info.expect("media");
    assert_eq!(media.auto_accept, Some(true));
    h.advance(200);
    assert_eq!(h.contact_state(0, &voice), Some(S::Connected));
    let leg = h.agent_leg(0, &voice).connection_id;
    h.destroy(0, &voice, &leg)?;
    h.clear(0, &voice)?;
    let chat = h.e.enqueue(ContactSpec::chat("Ann"), h.t)?;
    assert_eq!(
        h.contact_state(0, &chat),
        Some(S::Connected),
        "chat connects at once"
    );
    Ok(())
}

#[test]
fn next_state_applies_when_the_last_contact_is_cleared() -> TestResult {
    let mut h = Harness::agents(1);
    let c = h.e.enqueue(ContactSpec::voice("+15555550123"), h.t)?;
    h.connect_voice(0, &c)?;
    let agent = h.agent(0);
    let brk = AgentState::new(A::NotRoutable, "Break");
    h.e.put_agent_state(&agent, &brk, true, h.t)?;
    assert_eq!(
        h.snap(0).next_state.map(|s| s.name).as_deref(),
        Some("Break")
    );
    assert_eq!(h.state(0).0, "Busy");
    h.e.customer_hang_up(&c, false, h.t)?;
    h.clear(0, &c)?;
    let snap = h.snap(0);
    assert_eq!((snap.state.name.as_str(), snap.next_state), ("Break", None));
    Ok(())
}

#[test]
fn monitoring_silent_then_barge_ends_with_the_contact() -> TestResult {
    let mut h = Harness::agents(2);
    let c = h.e.enqueue(ContactSpec::voice("+15555550123"), h.t)?;
    let handler = h.holder(&c).expect("offered");
    let supervisor = 1 - handler;
    h.connect_voice(handler, &c)?;
    let sup = h.agent(supervisor);
    let leg = h.e.start_monitoring(&sup, &c, h.t)?;
    let seen = h.contact(supervisor, &c).expect("monitoring contact");
    assert_eq!(seen.connections[0].kind, ConnectionType::Monitoring);
    assert_eq!(seen.connections[0].state.kind, L::SilentMonitor);
    assert!(seen.queue.is_none());
    h.e.update_monitor_state(&sup, &c, "BARGE", h.t)?;
    assert_eq!(
        h.contact(supervisor, &c)
            .map(|c| c.connections[0].state.kind.clone()),
        Some(L::Barge)
    );
    h.e.customer_hang_up(&c, false, h.t)?;
    assert_eq!(h.contact(supervisor, &c), None);
    assert_eq!(
        code(h.e.update_monitor_state(&sup, &c, "BARGE", h.t)),
        Some(CtiExceptionKind::InvalidStateException)
    );
    let _ = leg;
    Ok(())
}

#[test]
fn abandon_in_queue_and_while_ringing() -> TestResult {
    let mut h = Harness::agents(1);
    h.put_state(0, "Break")?;
    let waiting = h.e.enqueue(
        ContactSpec::voice("+15555550123").abandon_after(Duration::from_secs(30)),
        h.t,
    )?;
    h.advance(30_000);
    assert!(h.e.queued_contacts().is_empty());
    h.put_state(0, "Available")?;
    let ringing = h.e.enqueue(ContactSpec::voice("+15555550124"), h.t)?;
    h.e.customer_hang_up(&ringing, false, h.t)?;
    assert_eq!(h.contact(0, &ringing), None);
    assert_eq!(h.e.counters().abandoned, 2);
    assert_eq!(h.state(0).0, "Available");
    let _ = waiting;
    Ok(())
}

#[test]
fn scripted_hang_up_after_connected() -> TestResult {
    let mut h = Harness::agents(1);
    let c = h.e.enqueue(
        ContactSpec::voice("+15555550123").hang_up_after(Duration::from_secs(60)),
        h.t,
    )?;
    h.connect_voice(0, &c)?;
    h.advance(59_999);
    assert_eq!(h.contact_state(0, &c), Some(S::Connected));
    h.advance(1);
    assert_eq!(h.contact_state(0, &c), Some(S::Ended));
    Ok(())
}
