//! The protocol on a real socket: the engine rejects malformed frames with the right JSON-RPC
//! errors and keeps serving; the desktop ignores malformed frames from a misbehaving engine,
//! types bad results as errors, and declares a silent engine lost after 5 s.
#![cfg(feature = "mock")]

mod support;

use std::time::Duration;

use connect_testkit::{first_event, within};
use connect_vdi::protocol::Request;
use connect_vdi::{FallbackPolicy, VdiDisconnectReason, VdiError, VdiEvent};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use support::*;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::server::{Request as HttpRequest, Response};
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

type Client =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn raw_client(url: &str) -> Client {
    let mut request = url.into_client_request().expect("request");
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("connect-vdi.v1"),
    );
    tokio_tungstenite::connect_async(request)
        .await
        .expect("handshake")
        .0
}

/// Sends one text frame and returns the next JSON message.
async fn exchange(client: &mut Client, text: &str) -> Value {
    client.send(Message::text(text)).await.expect("send");
    next_json(client).await
}

async fn next_json(client: &mut Client) -> Value {
    loop {
        match within("reply", client.next())
            .await
            .expect("open")
            .expect("frame")
        {
            Message::Text(text) => {
                return serde_json::from_str(&text).expect("the engine sends JSON")
            }
            _ => continue,
        }
    }
}

fn code(reply: &Value) -> i64 {
    reply["error"]["code"].as_i64().unwrap_or_default()
}

fn request(id: i64, method: &str, params: Value) -> String {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string()
}

#[tokio::test]
async fn the_engine_rejects_malformed_frames_and_keeps_serving() {
    let (config, _) = engine_config();
    let engine = start_engine(config).await;

    // Without the subprotocol the handshake is refused.
    assert!(tokio_tungstenite::connect_async(engine.url())
        .await
        .is_err());

    let mut client = raw_client(&engine.url()).await;
    let cases: Vec<(String, i64)> = vec![
        ("not json".into(), -32700),
        ("[]".into(), -32600),
        (
            r#"[{"jsonrpc":"2.0","id":1,"method":"hello"}]"#.into(),
            -32600,
        ),
        (
            r#"{"jsonrpc":"1.0","id":1,"method":"hello"}"#.into(),
            -32600,
        ),
        (request(2, "enumerateDevices", json!({})), -32001),
        (request(3, "hello", json!({"protocols": "one"})), -32602),
    ];
    for (text, expected) in &cases {
        let reply = exchange(&mut client, text).await;
        assert_eq!(code(&reply), *expected, "{text} → {reply}");
    }
    client
        .send(Message::binary(vec![1u8, 2, 3]))
        .await
        .expect("send");
    assert_eq!(code(&next_json(&mut client).await), -32600);

    let hello = request(
        4,
        "hello",
        json!({"protocols": [1], "token": TOKEN, "client": {"name": "raw", "version": "0"}, "desktopId": "d1"}),
    );
    let reply = exchange(&mut client, &hello).await;
    assert_eq!(reply["result"]["protocol"], 1, "{reply}");
    assert_eq!(reply["result"]["capabilities"]["video"], false);
    let connected = next_json(&mut client).await;
    assert_eq!(connected["method"], "connected", "{connected}");
    assert_eq!(connected["params"]["clientPlatform"], "Native");

    let after_hello: Vec<(String, i64)> = vec![
        (hello.replace("\"id\":4", "\"id\":5"), -32005),
        (request(6, "reboot", json!({})), -32601),
        (
            request(7, "getUserMedia", json!({"audio": {}, "video": true})),
            -32021,
        ),
        (
            request(8, "getUserMedia", json!({"audio": {"deviceId": "nope"}})),
            -32010,
        ),
        (
            request(9, "createOffer", json!({"pcId": "pc-unknown"})),
            -32004,
        ),
        (
            request(10, "mute", json!({"trackId": "t", "muted": "yes"})),
            -32602,
        ),
        (request(11, "close", json!({})), -32602),
        (
            request(
                12,
                "setDevice",
                json!({"kind": "audiooutput", "deviceId": "mic"}),
            ),
            -32010,
        ),
    ];
    for (text, expected) in &after_hello {
        let reply = exchange(&mut client, text).await;
        assert_eq!(code(&reply), *expected, "{text} → {reply}");
    }
    let devices = exchange(&mut client, &request(13, "enumerateDevices", json!({}))).await;
    assert_eq!(
        devices["result"]["devices"].as_array().map(Vec::len),
        Some(3),
        "{devices}"
    );
    let stream = exchange(
        &mut client,
        &request(
            14,
            "getUserMedia",
            json!({"audio": {"echoCancellation": true}}),
        ),
    )
    .await;
    assert_eq!(stream["result"]["tracks"][0]["deviceId"], "mic", "{stream}");
    engine.shutdown().await;
}

#[tokio::test]
async fn a_wrong_token_gets_unauthorised_then_close_4401() {
    let (config, _) = engine_config();
    let engine = start_engine(config).await;
    let mut client = raw_client(&engine.url()).await;
    let hello = request(
        1,
        "hello",
        json!({"protocols": [1], "token": "wrong-token-wrong-token", "client": {"name": "raw", "version": "0"}}),
    );
    assert_eq!(code(&exchange(&mut client, &hello).await), -32002);
    let close = loop {
        match client.next().await {
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(close.map(|f| u16::from(f.code)), Some(4401));
    engine.shutdown().await;
}

/// A misbehaving engine: it pairs, sends garbage, then the version block, then answers
/// `enumerateDevices` with a malformed result — or, when `silent`, stops talking.
async fn fake_engine(silent: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("ws://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.expect("accept");
        #[allow(clippy::result_large_err)] // tungstenite's callback signature
        let agree = |_: &HttpRequest, mut response: Response| {
            response.headers_mut().insert(
                "Sec-WebSocket-Protocol",
                HeaderValue::from_static("connect-vdi.v1"),
            );
            Ok(response)
        };
        let mut socket = tokio_tungstenite::accept_hdr_async(stream, agree)
            .await
            .expect("handshake");
        let id_of = |text: &str| {
            serde_json::from_str::<Value>(text)
                .ok()
                .map(|v| v["id"].clone())
        };
        let Some(Ok(Message::Text(hello))) = socket.next().await else {
            return;
        };
        let id = id_of(&hello).unwrap_or(Value::Null);
        let reply = json!({"jsonrpc": "2.0", "id": id, "result": {"protocol": 1, "engine": {"name": "fake", "version": "9"}, "capabilities": {"earlyMedia": false, "iceRestart": false, "codecs": ["opus"], "video": false}}});
        for text in [
            reply.to_string(),
            "{".into(),
            "[1,2]".into(),
            r#"{"jsonrpc":"2.0","method":"iceStateChange","params":{"pcId":5}}"#.into(),
            r#"{"jsonrpc":"2.0","id":999,"result":{}}"#.into(),
            r#"{"jsonrpc":"2.0","method":"somethingNew","params":{}}"#.into(),
            json!({"jsonrpc": "2.0", "method": "connected", "params": {"engine": {"name": "fake", "version": "9"}, "protocol": 1, "mediaStack": {"name": "none", "version": "0"}, "os": {"family": "Linux"}, "clientPlatform": "Native"}}).to_string(),
        ] {
            socket.send(Message::text(text)).await.expect("send");
        }
        if silent {
            // Hold the socket without reading (so no pong) until the test ends.
            std::future::pending::<()>().await;
        }
        while let Some(Ok(message)) = socket.next().await {
            if let Message::Text(text) = message {
                let id = id_of(&text).unwrap_or(Value::Null);
                let bad = json!({"jsonrpc": "2.0", "id": id, "result": {"devices": 5}});
                if socket.send(Message::text(bad.to_string())).await.is_err() {
                    return;
                }
            }
        }
    });
    url
}

#[tokio::test]
async fn the_desktop_ignores_malformed_frames_and_types_bad_results() {
    let (desktop, mut events) = desktop(fake_engine(false).await, FallbackPolicy::FailClosed).await;
    let info = first_event!(events, |e| match e {
        VdiEvent::ClientConnected(info) => Some(info.clone()),
        _ => None,
    });
    assert_eq!(info.client_version.as_deref(), Some("9"));
    let error = desktop
        .enumerate_devices()
        .await
        .expect_err("malformed result");
    assert!(matches!(error, VdiError::Protocol(_)), "{error}");
}

#[tokio::test]
async fn a_silent_engine_is_lost_after_five_seconds() {
    let (_desktop, mut events) = desktop(fake_engine(true).await, FallbackPolicy::FailClosed).await;
    first_event!(events, |e| {
        matches!(e, VdiEvent::ClientConnected(_)).then_some(())
    });
    let started = tokio::time::Instant::now();
    let (reason, message) = first_event!(events, |e| match e {
        VdiEvent::ClientDisconnected { reason, message } => Some((reason.clone(), message.clone())),
        _ => None,
    });
    assert_eq!(reason, VdiDisconnectReason::EndpointDisconnected);
    assert!(
        message.as_deref().is_some_and(|m| m.contains("no frame")),
        "{message:?}"
    );
    assert!(
        started.elapsed() >= Duration::from_secs(5),
        "lost only after 5 s of silence"
    );
    assert!(Request::parse("hello", json!({})).is_err());
}
