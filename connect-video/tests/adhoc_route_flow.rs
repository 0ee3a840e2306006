//! Ad-hoc route end to end (spec §6.8.6): during a simulated voice contact the agent creates a
//! route; the customer redeems it with the email in another case; the chat starts with the
//! SDK-set routing attributes and reaches that agent; a second redemption is refused.
#![cfg(feature = "mock")]

mod support;

use std::sync::Arc;

use connect_core::api::{
    AcceptContactRequest, ClearContactRequest, CtiApi, GetAgentSnapshotRequest,
};
use connect_core::mock::{ContactSpec, SimInstance};
use connect_video::escalation::{ChatStartPolicy, CustomerChatStart, PRIORITY_MARKER};
use connect_video::mock::SimParticipantService;
use connect_video::route::{
    BindingKey, InMemoryRouteStore, Redemption, RouteError, RouteOwner, RouteService,
};
use support::manual_clock;

#[tokio::test]
async fn a_redeemed_route_starts_a_chat_for_the_agent_who_created_it() {
    let clock = manual_clock();
    let sim = SimInstance::builder()
        .agents(1)
        .clock(clock.clone())
        .build()
        .expect("instance");
    let service = SimParticipantService::builder()
        .instance(sim.clone())
        .start()
        .await
        .expect("participant service");
    let cti = sim.client("agent1").expect("agent");

    // A voice call is in progress.
    let voice = sim.control().enqueue_voice("+15555550123").expect("call");
    cti.accept_contact(AcceptContactRequest::new(&voice))
        .await
        .expect("accept");
    clock.advance(std::time::Duration::from_secs(1));

    // The agent creates a route (owner from the authenticated agent context).
    let routes = RouteService::builder(
        Arc::new(InMemoryRouteStore::default()),
        BindingKey::generate().expect("key"),
    )
    .clock(clock.clone())
    .build();
    let owner = RouteOwner {
        agent_id: sim.agent_id("agent1").expect("agent id"),
        username: "agent1".into(),
        personal_queue_arn: "arn:aws:connect:us-east-1:1:instance/sim/queue/agent/agent1".into(),
    };
    let route = routes
        .create(&owner, "Ann.Lee@Example.com")
        .await
        .expect("route");

    // The call ends; the customer redeems the dictated reference with her email.
    sim.control().hang_up(&voice).expect("hang up");
    cti.clear_contact(ClearContactRequest::new(&voice))
        .await
        .expect("clear ACW");
    let redemption = Redemption {
        reference: route.reference.to_string(),
        email: "ann.lee@EXAMPLE.com".into(),
        source: "198.51.100.23".into(),
    };
    let redeemed = routes.redeem(&redemption).await.expect("redeemed");

    // The chat starts with the SDK's routing attributes, to that agent's personal queue.
    let policy = ChatStartPolicy::new("sim", "flow-adhoc");
    let start = CustomerChatStart {
        display_name: "Ann".into(),
        email: "ann.lee@example.com".into(),
        ..Default::default()
    };
    let request = policy.prepare(&start, Some(&redeemed)).expect("chat start");
    let spec = request.attributes.iter().fold(
        ContactSpec::chat("Ann").to_agent(&redeemed.owner.username),
        |spec, (k, v)| spec.attribute(k, v),
    );
    let chat = service.start_chat(spec, "Ann").expect("StartChatContact");

    let snapshot = cti
        .get_agent_snapshot(GetAgentSnapshotRequest::default())
        .await
        .expect("snapshot")
        .snapshot;
    let contact = snapshot
        .contacts
        .iter()
        .find(|c| c.contact_id == chat.contact_id)
        .expect("the chat is offered to the agent who created the route");
    let attribute = |name: &str| contact.attributes.get(name).and_then(|a| a.value.clone());
    assert_eq!(
        attribute("videoRouteToAgent"),
        Some(owner.personal_queue_arn.clone())
    );
    assert_eq!(
        attribute("videoRoutePriority").as_deref(),
        Some(PRIORITY_MARKER)
    );
    assert_eq!(
        attribute("videoReferenceId").as_deref(),
        Some(route.reference.as_str())
    );
    assert_eq!(
        attribute("customerEmailAddress").as_deref(),
        Some("ann.lee@example.com")
    );

    // The reference is single use.
    assert_eq!(routes.redeem(&redemption).await, Err(RouteError::Invalid));
}
