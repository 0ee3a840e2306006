//! Bytes → `AgentSnapshot`. Whatever parses must survive the round trip: serialised and parsed
//! again it gives the same value, and serialising that gives the same JSON.
#![no_main]

use connect_core::model::AgentSnapshot;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(snapshot) = serde_json::from_slice::<AgentSnapshot>(data) else {
        return;
    };
    let json = serde_json::to_vec(&snapshot).expect("a parsed snapshot serialises");
    let again: AgentSnapshot = match serde_json::from_slice(&json) {
        Ok(again) => again,
        Err(e) => panic!(
            "serialised snapshot does not parse back: {e}\n{}",
            String::from_utf8_lossy(&json)
        ),
    };
    assert_eq!(snapshot, again, "round trip changed the snapshot");
    let json_again = serde_json::to_vec(&again).expect("serialises");
    assert_eq!(json, json_again, "round trip changed the JSON");
});
