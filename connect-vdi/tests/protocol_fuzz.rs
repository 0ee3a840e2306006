//! Property tests of the protocol parsers: arbitrary input never panics, and every typed
//! message survives a round trip through its JSON text.

use connect_vdi::protocol::{Frame, Notification, Request};
use proptest::prelude::*;
use serde_json::Value;

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[a-zA-Z0-9:. \\-]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("jsonrpc".to_owned()),
                    Just("id".to_owned()),
                    Just("method".to_owned()),
                    Just("params".to_owned()),
                    Just("result".to_owned()),
                    Just("error".to_owned()),
                    Just("pcId".to_owned()),
                    Just("candidate".to_owned()),
                    Just("reason".to_owned()),
                    "[a-zA-Z]{1,8}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

const METHODS: &[&str] = &[
    "hello",
    "getUserMedia",
    "enumerateDevices",
    "createPeerConnection",
    "addTrack",
    "createOffer",
    "setLocalDescription",
    "setRemoteDescription",
    "addIceCandidate",
    "getStats",
    "setDevice",
    "mute",
    "close",
    "connected",
    "disconnected",
    "deviceChange",
    "iceStateChange",
    "iceCandidate",
    "trackStarted",
];

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in ".{0,512}") {
        let _ = Frame::parse(&text);
    }

    #[test]
    fn arbitrary_json_never_panics_and_errors_are_typed(value in json_value(), method in prop::sample::select(METHODS)) {
        let text = value.to_string();
        match Frame::parse(&text) {
            Ok(frame) => prop_assert_eq!(Frame::parse(&frame.to_text()).ok(), Some(frame)),
            Err(error) => prop_assert!(error.code == -32700 || error.code == -32600),
        }
        if let Err(error) = Request::parse(method, value.clone()) {
            prop_assert!(error.code == -32601 || error.code == -32602);
        }
        let _ = Notification::parse(method, value);
    }

    #[test]
    fn envelopes_with_arbitrary_params_never_panic(params in json_value(), method in prop::sample::select(METHODS), id in any::<i64>()) {
        let request = serde_json::json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string();
        if let Ok(Frame::Request { method, params, .. }) = Frame::parse(&request) {
            if let Ok(typed) = Request::parse(&method, params) {
                let again = Request::parse(typed.method(), typed.params());
                prop_assert_eq!(again.ok(), Some(typed));
            }
        }
    }
}
