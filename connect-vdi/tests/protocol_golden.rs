//! Golden fixtures of `connect-vdi/1`: one file per method (a request, its result and, for
//! some, an error reply) and per notification under `tests/fixtures/`. Each frame must go
//! through the typed codec and come back as exactly the same JSON, so that any change to a
//! field name or shape shows up as a diff of these files.

use std::path::{Path, PathBuf};

use connect_vdi::protocol::{
    DeviceList, Empty, Frame, GetUserMediaResult, HelloResult, Notification, PcRef, Request,
    RpcError, SdpResult, SetDeviceResult, StatsResult,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// Every method of the catalogue.
const METHODS: &[&str] = &[
    "hello",
    "getUserMedia",
    "enumerateDevices",
    "createPeerConnection",
    "addTrack",
    "createOffer",
    "createAnswer",
    "setLocalDescription",
    "setRemoteDescription",
    "addIceCandidate",
    "getStats",
    "setDevice",
    "mute",
    "insertDtmf",
    "replaceTrack",
    "close",
];

/// Every notification of the catalogue.
const NOTIFICATIONS: &[&str] = &[
    "connected",
    "disconnected",
    "deviceChange",
    "iceStateChange",
    "iceCandidate",
    "trackStarted",
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn load(name: &str) -> Value {
    let path = fixtures().join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).expect("fixture readable");
    serde_json::from_str(&text).expect("fixture is JSON")
}

/// A fixture's frame, parsed by the codec from its text.
fn frame(value: &Value) -> Frame {
    Frame::parse(&value.to_string()).expect("the codec accepts the fixture")
}

fn reencoded(frame: &Frame) -> Value {
    serde_json::from_str(&frame.to_text()).expect("the codec writes JSON")
}

fn typed_round_trip<T: Serialize + DeserializeOwned>(value: &Value) -> Value {
    let typed: T = serde_json::from_value(value.clone()).expect("the result has its type");
    serde_json::to_value(typed).expect("serializable")
}

fn result_round_trip(method: &str, result: &Value) -> Value {
    match method {
        "hello" => typed_round_trip::<HelloResult>(result),
        "getUserMedia" => typed_round_trip::<GetUserMediaResult>(result),
        "enumerateDevices" => typed_round_trip::<DeviceList>(result),
        "createPeerConnection" => typed_round_trip::<PcRef>(result),
        "createOffer" | "createAnswer" => typed_round_trip::<SdpResult>(result),
        "getStats" => typed_round_trip::<StatsResult>(result),
        "setDevice" => typed_round_trip::<SetDeviceResult>(result),
        _ => typed_round_trip::<Empty>(result),
    }
}

#[test]
fn every_method_request_and_reply_round_trips_exactly() {
    for method in METHODS {
        let fixture = load(method);
        let Frame::Request {
            id,
            method: name,
            params,
        } = frame(&fixture["request"])
        else {
            panic!("{method}: the request fixture is not a request");
        };
        assert_eq!(name, *method);
        let request = Request::parse(&name, params).expect("typed params");
        assert_eq!(request.method(), *method);
        let again = Frame::Request {
            id: id.clone(),
            method: request.method().to_owned(),
            params: request.params(),
        };
        assert_eq!(reencoded(&again), fixture["request"], "{method} request");

        let reply = frame(&fixture["response"]);
        let Frame::Response {
            id: reply_id,
            outcome: Ok(result),
        } = &reply
        else {
            panic!("{method}: the response fixture is not a result");
        };
        assert_eq!(*reply_id, id, "{method}: the reply echoes the request id");
        assert_eq!(
            reencoded(&reply),
            fixture["response"],
            "{method} response frame"
        );
        assert_eq!(
            result_round_trip(method, result),
            fixture["response"]["result"],
            "{method} typed result"
        );

        if let Some(error) = fixture.get("error") {
            let reply = frame(error);
            assert!(
                matches!(&reply, Frame::Response { outcome: Err(RpcError { code, .. }), .. } if *code < 0),
                "{method}: the error fixture is an error reply"
            );
            assert_eq!(reencoded(&reply), *error, "{method} error");
        }
    }
}

#[test]
fn every_notification_round_trips_exactly() {
    for name in NOTIFICATIONS {
        let fixture = load(name);
        let Frame::Notification { method, params } = frame(&fixture["notification"]) else {
            panic!("{name}: the fixture is not a notification");
        };
        assert_eq!(method, *name);
        let typed = Notification::parse(&method, params).expect("typed notification");
        assert!(
            !matches!(typed, Notification::Unknown(_)),
            "{name} is known"
        );
        assert_eq!(
            reencoded(&typed.to_frame()),
            fixture["notification"],
            "{name}"
        );
    }
}

#[test]
fn the_fixtures_are_exactly_the_catalogue() {
    let mut found: Vec<String> = std::fs::read_dir(fixtures())
        .expect("fixtures directory")
        .map(|entry| {
            entry
                .expect("directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter_map(|name| name.strip_suffix(".json").map(str::to_owned))
        .collect();
    found.sort();
    let mut expected: Vec<String> = METHODS
        .iter()
        .chain(NOTIFICATIONS)
        .map(|name| (*name).to_owned())
        .collect();
    expected.sort();
    assert_eq!(found, expected);
}
