//! Text → the CCP WebSocket's frames (`connect_core::ws`): `Inbound::parse` never panics, and
//! a `Frame` that deserialises re-serialises (`to_text`) and parses back equal, with the same
//! meaning to `Inbound::parse`.
#![no_main]

use connect_core::ws::{Frame, Inbound};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let inbound = Inbound::parse(text);
    // A message re-sent on its topic means the same thing to the receiver.
    if let Inbound::Message { topic, content } = &inbound {
        let again = Frame::new(topic.clone(), content.clone()).to_text();
        assert_eq!(
            Inbound::parse(&again),
            inbound,
            "message changed on the wire: {again}"
        );
    }
    if let Ok(frame) = serde_json::from_str::<Frame>(text) {
        let again = frame.to_text();
        let back: Frame = serde_json::from_str(&again).expect("to_text parses back");
        assert_eq!(back, frame, "frame changed on the wire: {again}");
        if !matches!(inbound, Inbound::Malformed { .. }) {
            assert_eq!(Inbound::parse(&again), inbound, "meaning changed: {again}");
        }
    }
});
