//! Offers routed to the agent in a suppressed region never reach the app: rejected (default)
//! or hidden; and an offer routed to the old region right after the TDG change is surfaced
//! exactly once.
#![cfg(all(feature = "mock", not(target_arch = "wasm32")))]

mod support;

use connect_core::events::{AgentEvent, ContactEventKind as K};
use connect_core::model::ContactStateType;
use connect_failover::{FailoverEvent, FailoverSettings, InactiveOfferPolicy};
use support::{builder, sim, Harness, EAST, WEST};

/// Fails over (idle agent) from east to west and waits for completion.
async fn move_to_west(h: &mut Harness) {
    h.failover(|e| matches!(e, FailoverEvent::Initialized { .. }))
        .await;
    h.sim
        .traffic()
        .set_active(WEST, false)
        .expect("TDG updated");
    h.failover(|e| matches!(e, FailoverEvent::Completed { .. }))
        .await;
    assert_eq!(h.sequence(), ["detected", "initiated", "completed"]);
}

/// Makes the east agent routable behind the coordinator's back and offers it a call; waits
/// until the coordinator has the agent offline there again.
async fn offer_in_suppressed_east(h: &mut Harness) -> String {
    let control = h.instance(EAST).control();
    control
        .set_agent_state("agent1", "Available")
        .expect("drift");
    let offer = control.enqueue_voice("+15555550199").expect("offered");
    let east_state = |name: &'static str| {
        move |e: &connect_failover::RegionEvent| {
            e.region == EAST
                && matches!(&e.event, AgentEvent::StateChange { new, .. } if new == name)
        }
    };
    // The session sees the offer ringing, then the coordinator rejects it and re-asserts
    // offline.
    h.region_event(east_state("PendingBusy")).await;
    h.region_event(east_state("Offline")).await;
    h.drain_region_events();
    offer
}

#[tokio::test(start_paused = true)]
async fn offers_in_the_old_region_are_rejected_and_never_reach_the_app() {
    let mut h = Harness::default().await;
    move_to_west(&mut h).await;
    let offer = offer_in_suppressed_east(&mut h).await;
    assert!(
        !h.app_saw(&offer),
        "the app never sees the old region's offer"
    );
    let states = h.instance(EAST).journal().contact_states(&offer);
    assert!(states.contains(&ContactStateType::Rejected), "{states:?}");
    assert_eq!(
        h.instance(EAST).control().queued_contacts(),
        vec![offer.clone()],
        "re-queued"
    );
    assert_eq!(h.sim_agent_state(EAST), "Offline");

    // New work in the active region is surfaced exactly once.
    let call = h.ring(WEST, "+15555550100").await;
    assert_eq!(h.inits_of(&call), 1);
    h.coordinator.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn under_hide_offers_in_the_old_region_ring_out_unseen() {
    let sim = sim().await;
    let settings = FailoverSettings {
        inactive_offer_policy: InactiveOfferPolicy::Hide,
        ..FailoverSettings::default()
    };
    let builder = builder(&sim, settings);
    let mut h = Harness::start(sim, builder).await;
    move_to_west(&mut h).await;
    let control = h.instance(EAST).control();
    control
        .set_agent_state("agent1", "Available")
        .expect("drift");
    let offer = control.enqueue_voice("+15555550199").expect("offered");
    // The offer rings out in the old region: the agent lands in MissedCallAgent there, and the
    // coordinator puts it back offline.
    h.region_event(|e| {
        e.region == EAST
            && matches!(&e.event, AgentEvent::StateChange { old, new, .. } if old == "MissedCallAgent" && new == "Offline")
    })
    .await;
    h.drain_region_events();
    assert!(!h.app_saw(&offer));
    let states = h.instance(EAST).journal().contact_states(&offer);
    assert!(states.contains(&ContactStateType::Missed), "{states:?}");
    assert!(!states.contains(&ContactStateType::Rejected), "{states:?}");
    h.coordinator.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn an_offer_routed_to_the_old_region_right_after_the_change_is_surfaced_once() {
    let mut h = Harness::default().await;
    h.failover(|e| matches!(e, FailoverEvent::Initialized { .. }))
        .await;
    h.sim
        .traffic()
        .set_active(WEST, false)
        .expect("TDG updated");
    // Before detection the old region is still active: its offer reaches the app.
    let offer = h.ring(EAST, "+15555550123").await;
    // The surfaced offer blocks the soft failover (it may still be accepted), then rings out.
    let pending = h
        .failover(|e| matches!(e, FailoverEvent::Pending { .. }))
        .await;
    assert_eq!(
        pending,
        FailoverEvent::Pending {
            to: WEST.into(),
            blocking: vec![offer.clone()]
        }
    );
    h.contact(EAST, |c| c.contact_id == offer && c.kind == K::Destroyed)
        .await;
    h.failover(|e| matches!(e, FailoverEvent::Completed { .. }))
        .await;
    assert_eq!(h.inits_of(&offer), 1, "surfaced exactly once");
    assert!(!h
        .region_events
        .iter()
        .any(|e| e.region == WEST
            && matches!(&e.event, AgentEvent::Contact(c) if c.contact_id == offer)));
    h.coordinator.shutdown().await;
}
