//! Hold, resume, toggle, conference, and transfers to phone numbers, queues and agents.

use super::{Harness, TestResult};
use crate::api::{CtiError, CtiExceptionKind};
use crate::mock::{AnswerScript, ContactSpec};
use crate::model::{
    ConnectionStateType as L, ConnectionType, ContactStateType as S, Endpoint, EndpointType,
    InitiationMethod,
};

/// A connected call on agent 0 of `n`, and its customer leg.
fn connected_call(n: usize) -> Result<(Harness, String, String), CtiError> {
    let mut h = Harness::agents(n);
    for i in 1..n {
        h.put_state(i, "Break")?;
    }
    let c = h.e.enqueue(ContactSpec::voice("+15555550123"), h.t)?;
    h.connect_voice(0, &c)?;
    let customer = h.initial_leg(0, &c).connection_id;
    Ok((h, c, customer))
}

fn third_party(h: &mut Harness, c: &str) -> String {
    let contact = h.contact(0, c).expect("contact");
    contact.third_party_connections()[0].connection_id.clone()
}

#[test]
fn hold_resume_toggle_conference() -> TestResult {
    let (mut h, c, customer) = connected_call(1)?;
    let agent = h.agent(0);
    h.e.hold_connection(&agent, &c, &customer, h.t)?;
    assert_eq!(h.initial_leg(0, &c).state.kind, L::Hold);
    assert!(
        h.e.hold_connection(&agent, &c, &customer, h.t).is_err(),
        "already held"
    );
    h.e.resume_connection(&agent, &c, &customer, h.t)?;
    assert_eq!(h.initial_leg(0, &c).state.kind, L::Connected);
    assert!(
        h.e.toggle_active_connections(&agent, &c, &customer, h.t)
            .is_err(),
        "nobody held"
    );
    assert!(
        h.e.conference_connections(&agent, &c, h.t).is_err(),
        "no third party"
    );

    h.e.create_additional_connection(&agent, &c, &Endpoint::phone_number("+15555550199"), h.t)?;
    let third = third_party(&mut h, &c);
    assert_eq!(h.leg_states(0, &c), [L::Connected, L::Hold, L::Connecting]);
    h.advance(200);
    assert_eq!(h.leg_states(0, &c), [L::Connected, L::Hold, L::Connected]);
    h.e.toggle_active_connections(&agent, &c, &third, h.t)?;
    assert_eq!(h.leg_states(0, &c), [L::Connected, L::Connected, L::Hold]);
    h.e.conference_connections(&agent, &c, h.t)?;
    assert_eq!(
        h.leg_states(0, &c),
        [L::Connected, L::Connected, L::Connected]
    );
    // The third party leaves: the call goes on with the customer.
    h.destroy(0, &c, &third)?;
    assert_eq!(h.contact_state(0, &c), Some(S::Connected));
    Ok(())
}

#[test]
fn phone_transfer_completes_when_the_agent_leaves() -> TestResult {
    let (mut h, c, _) = connected_call(1)?;
    let agent = h.agent(0);
    h.e.create_additional_connection(&agent, &c, &Endpoint::phone_number("+15555550199"), h.t)?;
    let leg = h.contact(0, &c).expect("contact").third_party_connections()[0].clone();
    assert_eq!((leg.kind, leg.initial), (ConnectionType::Outbound, false));
    h.advance(200);
    let own = h.agent_leg(0, &c).connection_id;
    h.destroy(0, &c, &own)?;
    assert_eq!(h.contact_state(0, &c), Some(S::Ended));
    assert_eq!(h.state(0).0, "AfterCallWork");
    Ok(())
}

#[test]
fn phone_third_party_busy_drops_the_leg() -> TestResult {
    let (mut h, c, _) = connected_call(1)?;
    h.e.script_dial("+15555550199", AnswerScript::Busy);
    let agent = h.agent(0);
    h.e.create_additional_connection(&agent, &c, &Endpoint::phone_number("+15555550199"), h.t)?;
    h.advance(200);
    assert_eq!(
        h.leg_states(0, &c),
        [L::Connected, L::Hold, L::Disconnected]
    );
    assert_eq!(h.contact_state(0, &c), Some(S::Connected));
    Ok(())
}

#[test]
fn agent_transfer_goes_through_the_personal_queue() -> TestResult {
    let (mut h, c, _) = connected_call(2)?;
    let (a0, a1) = (h.agent(0), h.agent(1));
    // The quick connect of agent 1, as getEndpoints lists it.
    let (endpoints, _) = h.e.endpoints(&a0, None, None)?;
    let qc = endpoints
        .into_iter()
        .find(|e| e.kind == EndpointType::Agent)
        .expect("agent quick connect");
    h.e.create_additional_connection(&a0, &c, &qc, h.t)?;
    let routed = h.e.queued_contacts();
    assert_eq!(routed.len(), 1, "waiting for agent 1 (on Break)");
    let child = routed[0].clone();
    h.put_state(1, "Available")?;
    let offered = h.contact(1, &child).expect("offered to agent 1");
    assert_eq!(offered.initiation_method, Some(InitiationMethod::Transfer));
    assert_eq!(offered.initial_contact_id.as_deref(), Some(c.as_str()));
    let personal = offered.queue.and_then(|q| q.queue_arn).unwrap_or_default();
    assert!(
        personal.ends_with(&format!("/queue/agent/{a1}")),
        "{personal}"
    );
    assert_eq!(h.leg_states(0, &c)[2], L::Connecting);
    h.connect_voice(1, &child)?;
    assert_eq!(h.leg_states(0, &c), [L::Connected, L::Hold, L::Connected]);
    // Agent 0 leaves: transfer complete; agent 1 keeps the customer.
    let own = h.agent_leg(0, &c).connection_id;
    h.destroy(0, &c, &own)?;
    assert_eq!(h.contact_state(0, &c), Some(S::Ended));
    assert_eq!(h.contact_state(1, &child), Some(S::Connected));
    h.e.customer_hang_up(&child, false, h.t)?;
    assert_eq!(h.contact_state(1, &child), Some(S::Ended));
    assert_eq!(h.e.counters().handled, 2);
    let _ = a1;
    Ok(())
}

#[test]
fn queue_transfer_cancelled_and_customer_leaving_reaches_the_routed_contact() -> TestResult {
    let (mut h, c, _) = connected_call(1)?;
    let agent = h.agent(0);
    let arn = h.e.queue_arn("BasicQueue").expect("queue");
    let mut endpoint = Endpoint::new(EndpointType::Queue);
    endpoint.queue = Some(crate::model::Queue::new(arn, "BasicQueue"));
    h.e.create_additional_connection(&agent, &c, &endpoint, h.t)?;
    assert_eq!(h.e.queued_contacts().len(), 1);
    // Dropping the third-party leg withdraws the routed contact.
    let third = third_party(&mut h, &c);
    h.destroy(0, &c, &third)?;
    assert!(h.e.queued_contacts().is_empty());
    // Again, and this time the customer hangs up: both contacts go.
    h.e.create_additional_connection(&agent, &c, &endpoint, h.t)?;
    assert_eq!(h.e.queued_contacts().len(), 1);
    h.e.customer_hang_up(&c, false, h.t)?;
    assert!(h.e.queued_contacts().is_empty());
    assert_eq!(h.contact_state(0, &c), Some(S::Ended));
    Ok(())
}

#[test]
fn chat_transfer_moves_the_chat() -> TestResult {
    let mut h = Harness::agents(2);
    h.put_state(1, "Break")?;
    let c = h.e.enqueue(ContactSpec::chat("Ann"), h.t)?;
    h.accept(0, &c)?;
    let (a0, a1) = (h.agent(0), h.agent(1));
    let mut to_agent = Endpoint::new(EndpointType::Agent);
    to_agent.agent_login = h.e.agent_username(&a1);
    assert!(h
        .e
        .create_additional_connection(&a0, &c, &Endpoint::phone_number("+15555550100"), h.t)
        .is_err());
    h.e.create_additional_connection(&a0, &c, &to_agent, h.t)?;
    assert_eq!(h.contact_state(0, &c), Some(S::Ended));
    h.put_state(1, "Available")?;
    let moved = h.snap(1).contacts[0].clone();
    assert_eq!(moved.initiation_method, Some(InitiationMethod::Transfer));
    assert_eq!(moved.initial_contact_id.as_deref(), Some(c.as_str()));
    Ok(())
}

#[test]
fn transfer_refusals() -> TestResult {
    let (mut h, c, _) = connected_call(1)?;
    let agent = h.agent(0);
    let mut to_self = Endpoint::new(EndpointType::Agent);
    to_self.agent_login = Some("agent1".into());
    let mut unknown = Endpoint::new(EndpointType::Queue);
    unknown.endpoint_arn = Some("arn:nope".into());
    for endpoint in [to_self, unknown] {
        match h.e.create_additional_connection(&agent, &c, &endpoint, h.t) {
            Err(CtiError::Service { code, .. }) => {
                assert_eq!(code, CtiExceptionKind::BadEndpointException)
            }
            other => panic!("{other:?}"),
        }
    }
    Ok(())
}
