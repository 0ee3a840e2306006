//! Browser tests of connect-core compiled to `wasm32-unknown-unknown`.
//!
//! Run in headless Chromium by `scripts/test wasm` (wasm-bindgen-test-runner + chromedriver).
//! On native targets this file compiles to nothing.
#![cfg(target_arch = "wasm32")]

use connect_core::model::AgentSnapshot;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// Agent snapshots captured from Amazon Connect Streams, keyed by scenario.
const SNAPSHOTS: &str = include_str!("../../../shared/fixtures/streams-sample-snapshots.json");

/// The raw JSON of one scenario of `SNAPSHOTS`.
fn snapshot_json(scenario: &str) -> String {
    let all: serde_json::Value = serde_json::from_str(SNAPSHOTS).expect("fixture file is JSON");
    let one = all
        .get(scenario)
        .unwrap_or_else(|| panic!("fixture has no scenario {scenario:?}"));
    serde_json::to_string(one).expect("a JSON value serialises")
}

#[wasm_bindgen_test]
fn parses_a_snapshot_without_contacts() {
    let snapshot: AgentSnapshot =
        serde_json::from_str(&snapshot_json("noContacts")).expect("snapshot parses");
    assert_eq!(snapshot.state.name, "PendingBusy");
    assert!(snapshot.contacts.is_empty());
}

#[wasm_bindgen_test]
fn parses_a_snapshot_with_a_ringing_softphone_call() {
    let snapshot: AgentSnapshot =
        serde_json::from_str(&snapshot_json("inboundVoiceContactSoftphone"))
            .expect("snapshot parses");
    assert_eq!(snapshot.contacts.len(), 1);
}

#[wasm_bindgen_test]
fn every_fixture_snapshot_round_trips() {
    let all: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(SNAPSHOTS).expect("fixture file is a JSON object");
    assert!(!all.is_empty());
    for (scenario, json) in all {
        let snapshot: AgentSnapshot = serde_json::from_value(json)
            .unwrap_or_else(|e| panic!("{scenario}: snapshot does not parse: {e}"));
        let once = serde_json::to_value(&snapshot)
            .unwrap_or_else(|e| panic!("{scenario}: snapshot does not serialise: {e}"));
        let again: AgentSnapshot = serde_json::from_value(once.clone())
            .unwrap_or_else(|e| panic!("{scenario}: serialised snapshot does not parse: {e}"));
        let twice = serde_json::to_value(&again)
            .unwrap_or_else(|e| panic!("{scenario}: snapshot does not serialise: {e}"));
        assert_eq!(once, twice, "{scenario}: a round trip changed the snapshot");
    }
}
