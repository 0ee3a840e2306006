//! Impaired regions: the primary cut off at start-up (discovery and work go through the healthy
//! region; nobody reloads), and the old region cut off while a call is live during pending.
#![cfg(all(feature = "mock", not(target_arch = "wasm32")))]

mod support;

use std::time::Duration;

use connect_core::model::AgentStateType;
use connect_failover::mock::Impairment;
use connect_failover::{
    DesiredState, FailoverEvent, FailoverSettings, InitiateReason, RegionHealth,
};
use support::{builder, sim, Harness, EAST, POLL, WEST};

#[tokio::test(start_paused = true)]
async fn startup_with_the_primary_cut_off_works_in_the_healthy_region() {
    let sim = sim().await;
    sim.traffic()
        .impair(EAST, Impairment::CutOffRefused)
        .await
        .expect("east cut off");
    sim.traffic().set_active(WEST, false).expect("TDG updated");
    let west = &sim.region(WEST).expect("west").instance;
    west.control()
        .set_agent_state("agent1", "Offline")
        .expect("west agent offline");
    let started = sim.clock().now();
    let builder = builder(&sim, FailoverSettings::default())
        .desired_state(DesiredState::new("Available", AgentStateType::Routable));
    let mut h = Harness::start(sim, builder).await;
    h.failover(|e| matches!(e, FailoverEvent::RegionHealth { region, health: RegionHealth::Impaired } if region == EAST))
        .await;
    h.failover(
        |e| matches!(e, FailoverEvent::Initialized { active_region } if active_region == WEST),
    )
    .await;
    let tr = match h.agent_state_at(WEST, "Available") {
        Some(at) => at,
        None => {
            h.region_event(|e| {
                e.region == WEST
                    && matches!(&e.event,
                connect_core::events::AgentEvent::StateChange { new, .. } if new == "Available")
            })
            .await;
            h.agent_state_at(WEST, "Available")
                .expect("available in west")
        }
    };
    assert!(
        tr.millis_since(started) <= 10_000,
        "{} ms",
        tr.millis_since(started)
    );
    assert_eq!(h.coordinator.active_region().as_deref(), Some(WEST));

    // Work flows in the healthy region.
    h.ring(WEST, "+15555550100").await;

    // The primary comes back: its session connects and its agent is kept offline.
    h.sim
        .traffic()
        .impair(EAST, Impairment::Healthy)
        .await
        .expect("east back");
    h.failover(|e| matches!(e, FailoverEvent::RegionHealth { region, health: RegionHealth::Healthy } if region == EAST))
        .await;
    h.region_event(|e| {
        e.region == EAST
            && matches!(&e.event,
        connect_core::events::AgentEvent::StateChange { new, .. } if new == "Offline")
    })
    .await;
    assert!(!h.sequence().contains(&"detected"), "{:?}", h.seen);
    h.coordinator.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn the_old_region_cut_off_during_pending_moves_the_agent_over() {
    let mut h = Harness::default().await;
    h.failover(|e| matches!(e, FailoverEvent::Initialized { .. }))
        .await;
    let call = h.ring(EAST, "+15555550123").await;
    h.answer(EAST, &call).await;

    h.sim
        .traffic()
        .set_active(WEST, false)
        .expect("TDG updated");
    h.failover(|e| matches!(e, FailoverEvent::Pending { .. }))
        .await;
    let cut = h.now();
    h.sim
        .traffic()
        .impair(EAST, Impairment::CutOffRefused)
        .await
        .expect("east cut off");
    let lost = h
        .failover(|e| matches!(e, FailoverEvent::ContactsLost { .. }))
        .await;
    assert_eq!(
        lost,
        FailoverEvent::ContactsLost {
            region: EAST.into(),
            contacts: vec![call]
        }
    );
    h.failover(|e| matches!(e, FailoverEvent::Completed { .. }))
        .await;
    assert!(h.seen.contains(&FailoverEvent::Initiated {
        from: EAST.into(),
        to: WEST.into(),
        reason: InitiateReason::FromRegionLost
    }));
    let tr = h
        .agent_state_at(WEST, "Available")
        .expect("available in west");
    let bound = FailoverSettings::default().region_dead_after + POLL + Duration::from_secs(3);
    assert!(
        tr.millis_since(cut) <= bound.as_millis() as i64,
        "{} ms",
        tr.millis_since(cut)
    );
    assert_eq!(
        h.sequence(),
        ["detected", "pending", "initiated", "completed"]
    );
    h.coordinator.shutdown().await;
}
