//! Browser tests of the failover machine compiled to `wasm32-unknown-unknown`.
//!
//! Run in headless Chromium by the wasm CI step (wasm-bindgen-test-runner). On native targets
//! this file compiles to nothing.
#![cfg(target_arch = "wasm32")]

use connect_core::model::Timestamp;
use connect_failover::coordinator::{Action, FailoverMachine, Input, MachineSettings, RegionView};
use connect_failover::{Decision, DecisionMerger, DecisionSource, FailoverEvent, RegionInfo};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn machine() -> FailoverMachine {
    let regions = vec![
        RegionInfo::new("east", "arn:east"),
        RegionInfo::new("west", "arn:west"),
    ];
    FailoverMachine::new(regions, "east", MachineSettings::default()).expect("valid machine")
}

fn names(actions: &[Action]) -> Vec<&'static str> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Emit(e) => Some(e.name()),
            _ => None,
        })
        .collect()
}

#[wasm_bindgen_test]
fn a_soft_failover_waits_for_blocking_work_then_completes() {
    let mut m = machine();
    let t = Timestamp::from_millis(0);
    m.start(t);
    let decide = |arn: &str| Input::Decision(Decision::new(arn, false, t, DecisionSource::Push));
    m.handle(t, decide("arn:east")).expect("decision");
    let busy = RegionView::new(["call"], Some("Available"));
    m.handle(
        t,
        Input::Snapshot {
            region: "east".into(),
            view: busy,
        },
    )
    .expect("snapshot");
    let detected = m.handle(t, decide("arn:west")).expect("decision");
    assert_eq!(names(&detected), ["detected", "pending"]);
    let idle = RegionView::new(Vec::<String>::new(), Some("Offline"));
    let drained = m
        .handle(
            t,
            Input::Snapshot {
                region: "east".into(),
                view: idle,
            },
        )
        .expect("snapshot");
    assert_eq!(names(&drained), ["initiated", "media_handover"]);
    m.handle(
        t,
        Input::StateRequested {
            region: "west".into(),
            state: "Available".into(),
        },
    )
    .expect("requested");
    let shown = RegionView::new(Vec::<String>::new(), Some("Available"));
    let done = m
        .handle(
            t,
            Input::Snapshot {
                region: "west".into(),
                view: shown,
            },
        )
        .expect("snapshot");
    assert!(done.contains(&Action::Emit(FailoverEvent::Completed {
        active_region: "west".into(),
        active_ccp_url: None
    })));
}

#[wasm_bindgen_test]
fn the_merger_drops_stale_and_duplicate_decisions() {
    let at = Timestamp::from_millis;
    let mut merger = DecisionMerger::default();
    assert!(merger
        .offer(Decision::new("a", false, at(5), DecisionSource::Push))
        .is_some());
    assert!(merger
        .offer(Decision::new("a", false, at(6), DecisionSource::Push))
        .is_none());
    assert!(merger
        .offer(Decision::new("b", false, at(1), DecisionSource::Push))
        .is_none());
}

#[wasm_bindgen_test]
fn discovery_documents_parse() {
    let body = br#"{"InstanceArn":"arn:west","TerminateActiveContacts":true}"#;
    let d =
        Decision::from_discovery_document(body, Timestamp::from_millis(0), DecisionSource::Push)
            .expect("valid document");
    assert!(d.terminate_active_contacts);
}
