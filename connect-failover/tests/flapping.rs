//! Flapping decisions (A→B→A within seconds) settle on the last decision, with every failover
//! reported exactly once and duplicates ignored.
#![cfg(all(feature = "mock", not(target_arch = "wasm32")))]

mod support;

use std::time::Duration;

use connect_failover::{FailoverEvent, FailoverSettings, PushSource};
use support::{builder, sim, Harness, EAST, WEST};

/// Checks that the failover events form whole sequences: `Detected`, optional `Pending`,
/// optional `Initiated`, then `Completed` or `Cancelled`.
fn assert_well_formed(events: &[FailoverEvent]) {
    let mut open = false;
    let mut last = "";
    for event in events.iter().filter(|e| e.is_sequence()) {
        let name = event.name();
        let ok = match name {
            "detected" => !open,
            "pending" => open && last == "detected",
            "initiated" => open && matches!(last, "detected" | "pending"),
            "completed" => open && last == "initiated",
            "cancelled" => open,
            _ => true,
        };
        assert!(ok, "{name} after {last} in {events:?}");
        open = !matches!(name, "completed" | "cancelled");
        last = name;
    }
    assert!(!open, "a failover left open: {events:?}");
}

#[tokio::test(start_paused = true)]
async fn flapping_through_the_poller_settles_without_duplicate_events() {
    let mut h = Harness::default().await;
    h.failover(|e| matches!(e, FailoverEvent::Initialized { .. }))
        .await;
    h.sim.traffic().set_active(WEST, false).expect("to west");
    h.failover(|e| matches!(e, FailoverEvent::Detected { .. }))
        .await;
    h.sim
        .traffic()
        .set_active(EAST, false)
        .expect("back to east");
    // Settled: the last failover ends in east, whether it was cancelled or completed and undone.
    settle_in_east(&mut h).await;
    assert_well_formed(&h.seen);
    let detected = h
        .seen
        .iter()
        .filter(|e| matches!(e, FailoverEvent::Detected { .. }))
        .count();
    assert!(detected <= 2, "{:?}", h.seen);
    h.coordinator.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn pushed_flapping_and_duplicates_settle_on_the_last_decision() {
    let sim = sim().await;
    let (push, handle) = PushSource::new(sim.clock());
    let builder = builder(&sim, FailoverSettings::default()).source(push);
    let mut h = Harness::start(sim, builder).await;
    h.failover(|e| matches!(e, FailoverEvent::Initialized { .. }))
        .await;
    let arn = |region: &str| h.sim.region(region).expect("region").instance_arn.clone();
    let (east, west) = (arn(EAST), arn(WEST));
    // Six decisions within two seconds, duplicates included; the last one is east.
    for target in [&west, &west, &east, &west, &east, &east] {
        handle.push(target, false).expect("pushed");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    settle_in_east(&mut h).await;
    assert_well_formed(&h.seen);
    h.coordinator.shutdown().await;
}

/// Waits until a failover ends with the coordinator active in east and the agent available
/// there.
async fn settle_in_east(h: &mut Harness) {
    let east_active = |h: &Harness| {
        h.coordinator.status().state
            == connect_failover::coordinator::FailoverState::Active {
                region: EAST.into(),
            }
    };
    while !east_active(h) {
        h.failover(|e| {
            matches!(
                e,
                FailoverEvent::Completed { .. } | FailoverEvent::Cancelled { .. }
            )
        })
        .await;
    }
    if h.sim_agent_state(EAST) != "Available" {
        h.region_event(|e| {
            e.region == EAST
                && matches!(&e.event,
            connect_core::events::AgentEvent::StateChange { new, .. } if new == "Available")
        })
        .await;
    }
    assert_eq!(h.sim_agent_state(EAST), "Available");
}
