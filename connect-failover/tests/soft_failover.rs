//! Soft failover over HTTP on loopback: a live voice call in the old region runs to its end,
//! after-contact work is cleared, then the agent becomes routable in the new region.
#![cfg(all(feature = "mock", not(target_arch = "wasm32")))]

mod support;

use std::time::Duration;

use connect_core::events::ContactEventKind as K;
use connect_core::mock::{ContactSpec, JournalEvent};
use connect_failover::{FailoverEvent, FailoverMode, InitiateReason};
use support::{Harness, EAST, POLL, WEST};

#[tokio::test(start_paused = true)]
async fn soft_failover_waits_for_the_live_call_and_drops_nothing() {
    let mut h = Harness::default().await;
    h.failover(
        |e| matches!(e, FailoverEvent::Initialized { active_region } if active_region == EAST),
    )
    .await;

    // A call in the active region, answered by the app; the customer talks for 30 s.
    let call = h
        .instance(EAST)
        .control()
        .enqueue(ContactSpec::voice("+15555550123").hang_up_after(Duration::from_secs(30)))
        .expect("call enqueued");
    h.contact(EAST, |c| c.contact_id == call && c.kind == K::Connecting)
        .await;
    let session = h.coordinator.session(EAST).expect("east session");
    session
        .contact(&call)
        .expect("the call is in the snapshot")
        .accept()
        .await
        .expect("accepted");
    h.contact(EAST, |c| c.contact_id == call && c.kind == K::Connected)
        .await;

    // T0: the traffic distribution group moves the agent to us-west-2 (soft).
    let t0 = h.now();
    h.sim
        .traffic()
        .set_active(WEST, false)
        .expect("TDG updated");
    let detected = h
        .failover(|e| matches!(e, FailoverEvent::Detected { .. }))
        .await;
    let td = h.now();
    assert_eq!(
        detected,
        FailoverEvent::Detected {
            from: EAST.into(),
            to: WEST.into(),
            mode: FailoverMode::Soft
        }
    );
    assert!(
        td.millis_since(t0) <= (POLL + Duration::from_secs(2)).as_millis() as i64,
        "detected {} ms after the TDG change",
        td.millis_since(t0)
    );
    let pending = h
        .failover(|e| matches!(e, FailoverEvent::Pending { .. }))
        .await;
    assert_eq!(
        pending,
        FailoverEvent::Pending {
            to: WEST.into(),
            blocking: vec![call.clone()]
        }
    );

    // The call goes on until the customer hangs up; the app clears after-contact work.
    h.contact(EAST, |c| c.contact_id == call && c.kind == K::Acw)
        .await;
    session
        .contact(&call)
        .expect("the call is in ACW")
        .clear()
        .await
        .expect("ACW cleared");
    let cleared = h.now();
    let initiated = h
        .failover(|e| matches!(e, FailoverEvent::Initiated { .. }))
        .await;
    assert_eq!(
        initiated,
        FailoverEvent::Initiated {
            from: EAST.into(),
            to: WEST.into(),
            reason: InitiateReason::Drained
        }
    );
    let completed = h
        .failover(|e| matches!(e, FailoverEvent::Completed { .. }))
        .await;
    assert!(
        matches!(&completed, FailoverEvent::Completed { active_region, .. } if active_region == WEST)
    );
    assert_eq!(
        h.sequence(),
        ["detected", "pending", "initiated", "completed"]
    );

    // Routable in the new region within 3 s of the last blocking contact being cleared.
    let tr = h
        .agent_state_at(WEST, "Available")
        .expect("agent available in west");
    assert!(tr >= cleared, "routable in west only after ACW was cleared");
    assert!(
        tr.millis_since(cleared) <= 3_000,
        "{} ms",
        tr.millis_since(cleared)
    );
    assert_eq!(h.sim_agent_state(WEST), "Available");

    // Zero dropped: the customer ended the call; the SDK never hung it up.
    let journal = h.instance(EAST).journal();
    assert!(journal.events().iter().any(|e| matches!(e,
        JournalEvent::CustomerLeft { contact, how: "hang_up" } if *contact == call)));
    assert_eq!(h.instance(EAST).counters().handled, 1);
    // The old region's agent goes offline (its enqueued next state applied at clear).
    assert_eq!(h.sim_agent_state(EAST), "Offline");
    h.coordinator.shutdown().await;
}
