//! Hard failover (`TerminateActiveContacts`) ends the live call at once; forced failover
//! switches during pending and leaves the old call operable (or hangs it up).
#![cfg(all(feature = "mock", not(target_arch = "wasm32")))]

mod support;

use connect_core::events::ContactEventKind as K;
use connect_core::mock::JournalEvent;
use connect_failover::{FailoverError, FailoverEvent, FailoverMode, InitiateReason};
use support::{Harness, EAST, WEST};

/// A connected call in east, answered by the app.
async fn live_call(h: &mut Harness) -> String {
    h.failover(|e| matches!(e, FailoverEvent::Initialized { .. }))
        .await;
    let call = h.ring(EAST, "+15555550123").await;
    h.answer(EAST, &call).await;
    call
}

fn customer_left(h: &Harness, call: &str) -> bool {
    h.instance(EAST)
        .journal()
        .events()
        .iter()
        .any(|e| matches!(e, JournalEvent::CustomerLeft { contact, .. } if contact == call))
}

#[tokio::test(start_paused = true)]
async fn hard_failover_ends_the_call_and_switches_without_waiting() {
    let mut h = Harness::default().await;
    let call = live_call(&mut h).await;
    h.sim.traffic().set_active(WEST, true).expect("TDG updated");
    let detected = h
        .failover(|e| matches!(e, FailoverEvent::Detected { .. }))
        .await;
    let td = h.now();
    assert!(matches!(
        detected,
        FailoverEvent::Detected {
            mode: FailoverMode::Hard,
            ..
        }
    ));
    h.failover(|e| matches!(e, FailoverEvent::Completed { .. }))
        .await;
    assert_eq!(h.sequence(), ["detected", "initiated", "completed"]);
    assert!(h.seen.contains(&FailoverEvent::Initiated {
        from: EAST.into(),
        to: WEST.into(),
        reason: InitiateReason::Hard
    }));
    let tr = h
        .agent_state_at(WEST, "Available")
        .expect("available in west");
    assert!(tr.millis_since(td) <= 3_000, "{} ms", tr.millis_since(td));
    // The SDK ended the call (destroyConnection, then clearContact).
    h.contact(EAST, |c| c.contact_id == call && c.kind == K::Destroyed)
        .await;
    assert!(!customer_left(&h, &call));
    let offline = |e: &connect_failover::RegionEvent| {
        e.region == EAST
            && matches!(&e.event,
                connect_core::events::AgentEvent::StateChange { new, .. } if new == "Offline")
    };
    if !h.region_events.iter().any(offline) {
        h.region_event(offline).await;
    }
    assert_eq!(h.sim_agent_state(EAST), "Offline");
    h.coordinator.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn forced_failover_switches_during_pending_and_keeps_the_call_operable() {
    let mut h = Harness::default().await;
    assert_eq!(
        h.coordinator.force_failover().await,
        Err(FailoverError::NotPending)
    );
    let call = live_call(&mut h).await;
    h.sim
        .traffic()
        .set_active(WEST, false)
        .expect("TDG updated");
    h.failover(|e| matches!(e, FailoverEvent::Pending { .. }))
        .await;
    h.coordinator.force_failover().await.expect("forced");
    h.failover(|e| matches!(e, FailoverEvent::Completed { .. }))
        .await;
    assert!(h.seen.contains(&FailoverEvent::Initiated {
        from: EAST.into(),
        to: WEST.into(),
        reason: InitiateReason::Forced
    }));
    assert_eq!(h.sim_agent_state(WEST), "Available");
    // The old call is still live, visible and operable in east.
    assert_eq!(h.sim_agent_state(EAST), "Busy");
    let session = h.coordinator.session(EAST).expect("east session");
    session
        .contact(&call)
        .expect("still there")
        .hang_up()
        .await
        .expect("hang up");
    h.contact(EAST, |c| c.contact_id == call && c.kind == K::Acw)
        .await;
    session
        .contact(&call)
        .expect("in ACW")
        .clear()
        .await
        .expect("clear");
    h.contact(EAST, |c| c.contact_id == call && c.kind == K::Destroyed)
        .await;
    assert_eq!(
        h.sequence(),
        ["detected", "pending", "initiated", "completed"]
    );
    h.coordinator.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn forced_failover_with_hang_up_ends_the_old_call() {
    let mut h = Harness::default().await;
    let call = live_call(&mut h).await;
    h.sim
        .traffic()
        .set_active(WEST, false)
        .expect("TDG updated");
    h.failover(|e| matches!(e, FailoverEvent::Pending { .. }))
        .await;
    h.coordinator
        .force_failover_hang_up()
        .await
        .expect("forced");
    h.failover(|e| matches!(e, FailoverEvent::Completed { .. }))
        .await;
    assert!(h.seen.contains(&FailoverEvent::Initiated {
        from: EAST.into(),
        to: WEST.into(),
        reason: InitiateReason::ForcedHangUp
    }));
    h.contact(EAST, |c| c.contact_id == call && c.kind == K::Destroyed)
        .await;
    assert!(!customer_left(&h, &call));
    h.coordinator.shutdown().await;
}
