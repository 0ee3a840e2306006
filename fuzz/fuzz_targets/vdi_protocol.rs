//! Text → the VDI redirection protocol (`connect_vdi::protocol`): `Frame::parse`, then the
//! typed `Request::parse` / `Notification::parse`. Never a panic; a parsed frame re-serialises
//! and parses back equal, a typed request or notification survives its JSON form, and a
//! rejected frame's error reply is a JSON-RPC error object with the rejection's code.
#![no_main]

use connect_vdi::protocol::{Frame, Notification, Request};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let frame = match Frame::parse(text) {
        Ok(frame) => frame,
        Err(err) => {
            let reply: Value = serde_json::from_str(&err.reply()).expect("the reply is JSON");
            assert_eq!(reply["error"]["code"], err.code, "{reply}");
            return;
        }
    };
    let again = frame.to_text();
    let back = Frame::parse(&again).expect("to_text parses back");
    assert_eq!(back, frame, "frame changed on the wire: {again}");

    match frame {
        Frame::Request { method, params, .. } => {
            if let Ok(request) = Request::parse(&method, params) {
                let back = Request::parse(request.method(), request.params())
                    .expect("a typed request's params parse back");
                assert_eq!(back, request, "request changed on the wire");
            }
        }
        Frame::Notification { method, params } => {
            if let Ok(notification) = Notification::parse(&method, params) {
                let Frame::Notification { method, params } = notification.to_frame() else {
                    panic!("a notification's frame is not a notification");
                };
                let back = Notification::parse(&method, params)
                    .expect("a typed notification's params parse back");
                assert_eq!(back, notification, "notification changed on the wire");
            }
        }
        Frame::Response { .. } => {}
    }
});
