//! `SimServer` over real loopback HTTP and WebSockets: the CTI endpoint with its token
//! checks and bad-input handling, the long poll, the authorize endpoint, the WebSocket
//! topics, TLS, restart and agent discovery. No sleeps: every wait is on an answer.

#![cfg(all(feature = "mock", not(target_arch = "wasm32")))]

#[path = "support/sim_server.rs"]
mod support;

use std::sync::Arc;
use std::time::Duration;

use connect_core::mock::{ContactSpec, SimInstance, SimServer};
use connect_core::model::Timestamp;
use connect_core::time::ManualClock;
use futures::StreamExt;
use serde_json::{json, Value};
use support::*;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn cti_call_with_a_valid_token_returns_the_snapshot_on_both_paths() {
    let (_, server, client, bearer) = plain_with_agent().await;
    snapshot_ok(&server, &client, &bearer).await;
    let mut call = Call::new(&server, "GetAgentSnapshot", Some(&bearer), json!({}));
    call.url = format!("{}/connect/api", server.url());
    let (status, body) = call.send(&client).await;
    assert_eq!(status, 200);
    assert_eq!(body["snapshot"]["state"]["name"], "Available");
    // An operation without `authentication` in the body (§1.2) needs only the header.
    let (status, body) = Call::new(&server, "ClearContact", None, json!({"contactId": "nope"}))
        .send(&client)
        .await;
    assert_eq!((status, error_code(&body)), (401, "UnauthorizedException"));
}

#[tokio::test]
async fn missing_unknown_expired_or_mismatched_tokens_get_401() {
    let clock = Arc::new(ManualClock::new(Timestamp::from_millis(1_700_000_000_000)));
    let sim = SimInstance::builder()
        .agents(1)
        .clock(clock.clone())
        .build()
        .expect("sim");
    let server = plain(sim.clone()).await;
    let client = reqwest::Client::new();
    let bearer = token(&sim, "agent1");
    let other = token(&sim, "agent1");

    let cases = [
        Call::new(&server, "GetAgentSnapshot", None, json!({})),
        Call::new(&server, "GetAgentSnapshot", Some("not-a-token"), json!({})),
        Call::new(&server, "GetAgentSnapshot", Some(&bearer), json!({}))
            .raw(json!({"authentication": {"authToken": other}}).to_string()),
    ];
    for call in cases {
        let (status, body) = call.send(&client).await;
        assert_eq!((status, error_code(&body)), (401, "UnauthorizedException"));
    }
    // Missing body token where §1.2 requires it: a malformed request.
    let (status, body) = Call::new(&server, "GetAgentSnapshot", Some(&bearer), json!({}))
        .raw("{}")
        .send(&client)
        .await;
    assert_eq!((status, error_code(&body)), (400, "SerializationException"));

    snapshot_ok(&server, &client, &bearer).await;
    clock.advance(Duration::from_secs(13 * 3600)); // past the 12 h token lifetime
    let (status, body) = Call::new(&server, "GetAgentSnapshot", Some(&bearer), json!({}))
        .send(&client)
        .await;
    assert_eq!((status, error_code(&body)), (401, "UnauthorizedException"));
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("expired")),
        "{body}"
    );
}

#[tokio::test]
async fn unknown_targets_get_400_unknown_operation() {
    let (_, server, client, bearer) = plain_with_agent().await;
    for target in [
        "AmazonConnectCTIService.LaunchRocket",
        "Other.GetAgentSnapshot",
        "",
    ] {
        let mut call = Call::new(&server, "x", Some(&bearer), json!({}));
        call.target = target.to_owned();
        let (status, body) = call.send(&client).await;
        assert_eq!(
            (status, error_code(&body)),
            (400, "UnknownOperationException"),
            "{target}"
        );
    }
}

#[tokio::test]
async fn bad_input_gets_a_4xx_in_the_cti_shape_and_the_server_keeps_answering() {
    let (_, server, client, bearer) = plain_with_agent().await;
    let auth = json!({"authToken": bearer});
    let huge = format!(
        r#"{{"authentication":{auth},"pad":"{}"}}"#,
        "x".repeat(2 << 20)
    );
    let cases: Vec<(Call, u16, &str)> = vec![
        (
            Call::new(&server, "GetAgentSnapshot", Some(&bearer), json!({}))
                .raw("{\"authentication\":"),
            400,
            "SerializationException",
        ),
        (
            Call::new(&server, "GetAgentSnapshot", Some(&bearer), json!({})).raw("[1,2]"),
            400,
            "SerializationException",
        ),
        (
            Call::new(&server, "GetAgentSnapshot", Some(&bearer), json!({}))
                .raw(vec![0xff, 0xfe, 0x00]),
            400,
            "SerializationException",
        ),
        (
            Call::new(
                &server,
                "GetAgentSnapshot",
                Some(&bearer),
                json!({"timeout": "soon"}),
            ),
            400,
            "SerializationException",
        ),
        (
            Call::new(
                &server,
                "AcceptContact",
                Some(&bearer),
                json!({"contactId": 42}),
            ),
            400,
            "SerializationException",
        ),
        (
            Call::new(
                &server,
                "PutAgentState",
                Some(&bearer),
                json!({"state": [1]}),
            ),
            400,
            "SerializationException",
        ),
        (
            Call::new(&server, "GetAgentSnapshot", Some(&bearer), json!({})).raw(huge),
            413,
            "RequestEntityTooLargeException",
        ),
    ];
    for (call, status, code) in cases {
        let (got, body) = call.send(&client).await;
        assert_eq!((got, error_code(&body)), (status, code), "{body}");
        snapshot_ok(&server, &client, &bearer).await;
    }
    let mut call = Call::new(&server, "GetAgentSnapshot", Some(&bearer), json!({}));
    call.content_type = "text/plain";
    let (status, body) = call.send(&client).await;
    assert_eq!((status, error_code(&body)), (400, "SerializationException"));
    // Wrong method and unknown path.
    let resp = client.get(server.api_url()).send().await.expect("answer");
    assert_eq!(resp.status().as_u16(), 405);
    let resp = client
        .get(format!("{}/nope", server.url()))
        .send()
        .await
        .expect("answer");
    assert_eq!(resp.status().as_u16(), 404);
    snapshot_ok(&server, &client, &bearer).await;
}

#[tokio::test]
async fn a_slow_client_gets_408_and_does_not_hold_up_others() {
    let sim = sim(1);
    let server = SimServer::builder(sim.clone())
        .insecure_ws(true)
        .read_timeout(Duration::from_millis(300))
        .start()
        .await
        .expect("server");
    let bearer = token(&sim, "agent1");
    let addr = server.local_addr();
    let head = format!(
        "POST /api HTTP/1.1\r\nHost: {addr}\r\nX-Amz-Target: AmazonConnectCTIService.GetAgentSnapshot\r\n\
         Content-Type: {AMZ_JSON}\r\nX-Amz-Bearer: {bearer}\r\nContent-Length: 100\r\n\r\n{{\"auth"
    );
    // Blocking std socket on a blocking thread: send a partial body, read until the server
    // answers and closes.
    let slow = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
        stream.write_all(head.as_bytes()).expect("write");
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer
    });
    // Meanwhile, other clients are served. No pooled connections: the short read timeout
    // also closes idle keep-alive connections, which would race a reused one.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    snapshot_ok(&server, &client, &bearer).await;
    let answer = slow.await.expect("slow client");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("RequestTimeoutException"), "{answer}");
    snapshot_ok(&server, &client, &bearer).await;
}

#[tokio::test]
async fn the_long_poll_returns_early_on_a_new_contact_and_blocks_nobody() {
    let (sim, server, client, bearer) = plain_with_agent().await;
    let (status, first) = Call::new(&server, "GetAgentSnapshot", Some(&bearer), json!({}))
        .send(&client)
        .await;
    assert_eq!(status, 200);
    let next = first["nextToken"].as_str().expect("nextToken").to_owned();
    let poll = Call::new(
        &server,
        "GetAgentSnapshot",
        Some(&bearer),
        json!({"nextToken": next, "timeout": 600_000}),
    );
    let poll = tokio::spawn({
        let client = client.clone();
        async move { poll.send(&client).await }
    });
    // Another request is answered while the poll waits.
    let (status, _) = Call::new(&server, "GetAgentConfiguration", Some(&bearer), json!({}))
        .send(&client)
        .await;
    assert_eq!(status, 200);
    let contact = sim
        .control()
        .enqueue(ContactSpec::voice("+15555550123"))
        .expect("enqueue");
    let (status, body) = tokio::time::timeout(PATIENCE, poll)
        .await
        .expect("the poll returned before its 10-minute timeout")
        .expect("poll task");
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["snapshot"]["contacts"][0]["contactId"],
        contact.as_str()
    );
    assert_ne!(body["nextToken"], first["nextToken"]);
}

#[tokio::test]
async fn authorize_needs_a_live_login_session() {
    let sim = sim(1);
    let server = plain(sim.clone()).await;
    let client = reqwest::Client::new();
    let authorize = format!("{}/auth/authorize", server.url());
    let resp = client.get(&authorize).send().await.expect("answer");
    assert_eq!(resp.status().as_u16(), 401);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(error_code(&body), "UnauthorizedException");

    let cookie = server.login_cookie("agent1").expect("cookie");
    for path in ["/auth/authorize", "/connect/auth/authorize"] {
        let resp = client
            .get(format!("{}{path}", server.url()))
            .header("Cookie", format!("other=1; {cookie}"))
            .send()
            .await
            .expect("answer");
        assert_eq!(resp.status().as_u16(), 200);
        let body: Value = resp.json().await.expect("json");
        assert!(
            body["expiration"]
                .as_str()
                .is_some_and(|e| e.ends_with('Z')),
            "{body}"
        );
        let access = body["accessToken"].as_str().expect("accessToken");
        snapshot_ok(&server, &client, access).await;
    }
    // The test login route sets the same cookie over HTTP.
    let resp = client
        .post(format!("{}/_sim/login", server.url()))
        .body(r#"{"username":"agent1"}"#)
        .send()
        .await
        .expect("answer");
    assert_eq!(resp.status().as_u16(), 200);
    let set_cookie = resp.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(set_cookie.starts_with("sim_session="));
    assert_eq!(server.end_login_sessions("agent1"), 2);
    let resp = client
        .get(&authorize)
        .header("Cookie", cookie)
        .send()
        .await
        .expect("answer");
    assert_eq!(resp.status().as_u16(), 401);
}

#[tokio::test]
async fn websocket_subscribe_heartbeat_publish_handlers_and_kill() {
    let sim = sim(1);
    let server = plain(sim.clone()).await;
    server.register_topic_handler("aws/softphone", Arc::new(Echo));
    let client = reqwest::Client::new();
    let bearer = token(&sim, "agent1");
    let url = ws_url(&server, &client, &bearer).await;
    assert!(
        url.starts_with(&format!("{}/ws?ticket=", server.ws_base_url())),
        "{url}"
    );
    let bad =
        tokio_tungstenite::connect_async(format!("{}/ws?ticket=forged", server.ws_base_url()))
            .await;
    assert!(bad.is_err(), "a forged ticket is refused");

    let (mut ws, _) = tokio_tungstenite::connect_async(&url)
        .await
        .expect("ws opens");
    send_json(
        &mut ws,
        r#"{"topic":"aws/subscribe","content":{"topics":["aws/agent-snapshot"]}}"#,
    )
    .await;
    assert_eq!(
        next_json(&mut ws).await,
        json!({"topic":"aws/subscribe","content":{"status":"success","topics":["aws/agent-snapshot"]}})
    );
    send_json(&mut ws, r#"{"topic":"aws/heartbeat"}"#).await;
    assert_eq!(next_json(&mut ws).await, json!({"topic":"aws/heartbeat"}));

    assert_eq!(server.websocket_count(Some("agent1")), 1);
    assert_eq!(
        server.publish("agent1", "aws/agent-snapshot", json!({"n": 1})),
        1
    );
    assert_eq!(server.publish("agent1", "not-subscribed", json!({})), 0);
    assert_eq!(
        next_json(&mut ws).await,
        json!({"topic":"aws/agent-snapshot","content":{"n":1}})
    );

    for bad in [
        "nonsense",
        r#"{"content":{}}"#,
        r#"{"topic":"aws/subscribe","content":{"topics":"x"}}"#,
        r#"{"topic":"app/none"}"#,
    ] {
        send_json(&mut ws, bad).await;
        let answer = next_json(&mut ws).await;
        assert!(answer["message"].is_string(), "{bad} → {answer}");
    }
    send_json(
        &mut ws,
        r#"{"topic":"aws/softphone","content":{"offer":"sdp"}}"#,
    )
    .await;
    let agent_id = sim.agent_id("agent1").expect("agent");
    assert_eq!(
        next_json(&mut ws).await,
        json!({"topic":"aws/softphone","content":{"agent": agent_id, "echo": {"offer":"sdp"}}})
    );

    // Frozen: the heartbeat answer is dropped, not delayed.
    server.freeze_websockets(true);
    send_json(&mut ws, r#"{"topic":"aws/heartbeat"}"#).await;
    send_json(
        &mut ws,
        r#"{"topic":"aws/unsubscribe","content":{"topics":["aws/agent-snapshot"]}}"#,
    )
    .await;
    // Thaw only after the server handled both frames (the unsubscribe takes effect).
    let ticked = tokio::time::timeout(PATIENCE, async {
        while server.publish("agent1", "aws/agent-snapshot", Value::Null) > 0 {
            tokio::task::yield_now().await;
        }
    });
    ticked.await.expect("unsubscribe handled");
    server.freeze_websockets(false);
    send_json(
        &mut ws,
        r#"{"topic":"aws/subscribe","content":{"topics":["t2"]}}"#,
    )
    .await;
    assert_eq!(
        next_json(&mut ws).await,
        json!({"topic":"aws/subscribe","content":{"status":"success","topics":["t2"]}}),
        "nothing sent while frozen comes late"
    );

    assert_eq!(server.kill_websockets(), 1);
    let end = tokio::time::timeout(PATIENCE, ws.next())
        .await
        .expect("ends in time");
    assert!(
        !matches!(end, Some(Ok(Message::Text(_)))),
        "no more frames: {end:?}"
    );
    // A new socket from the same URL (within 85 s) works.
    let (mut ws, _) = tokio_tungstenite::connect_async(&url)
        .await
        .expect("reopens");
    send_json(&mut ws, r#"{"topic":"aws/heartbeat"}"#).await;
    assert_eq!(next_json(&mut ws).await, json!({"topic":"aws/heartbeat"}));
}

#[tokio::test]
async fn tls_serves_https_and_wss_with_the_generated_ca() {
    let sim = sim(1);
    let server = SimServer::builder(sim.clone())
        .tls(true)
        .start()
        .await
        .expect("server");
    assert!(server.url().starts_with("https://127.0.0.1:"));
    let pem = std::fs::read(server.ca_cert_path().expect("CA path")).expect("CA file");
    let untrusting = reqwest::Client::new();
    assert!(
        untrusting.post(server.api_url()).send().await.is_err(),
        "unknown CA refused"
    );

    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("pem"))
        .build()
        .expect("client");
    let bearer = token(&sim, "agent1");
    snapshot_ok(&server, &client, &bearer).await;
    // `localhost` is in the certificate too.
    let mut call = Call::new(&server, "GetAgentSnapshot", Some(&bearer), json!({}));
    call.url = call.url.replace("127.0.0.1", "localhost");
    assert_eq!(call.send(&client).await.0, 200);

    let url = ws_url(&server, &client, &bearer).await;
    assert!(url.starts_with("wss://127.0.0.1:"), "{url}");
    let config = tls_client_config(server.ca_cert_pem().expect("pem"));
    let connector = tokio_tungstenite::Connector::Rustls(Arc::new(config));
    let (mut ws, _) =
        tokio_tungstenite::connect_async_tls_with_config(&url, None, false, Some(connector))
            .await
            .expect("wss opens");
    send_json(&mut ws, r#"{"topic":"aws/heartbeat"}"#).await;
    assert_eq!(next_json(&mut ws).await, json!({"topic":"aws/heartbeat"}));
}

#[tokio::test]
async fn restart_cuts_every_connection_and_serves_again_on_the_same_port() {
    let (_, server, client, bearer) = plain_with_agent().await;
    let url = ws_url(&server, &client, &bearer).await;
    let (mut ws, _) = tokio_tungstenite::connect_async(&url)
        .await
        .expect("ws opens");
    let port = server.local_addr().port();

    server.stop().await;
    assert!(
        std::net::TcpStream::connect(server.local_addr()).is_err(),
        "port closed"
    );
    let end = tokio::time::timeout(PATIENCE, ws.next())
        .await
        .expect("socket ends");
    assert!(!matches!(end, Some(Ok(Message::Text(_)))));

    server.start().await.expect("starts again");
    assert_eq!(server.local_addr().port(), port);
    snapshot_ok(&server, &client, &bearer).await; // tokens survive a restart
    server.restart().await.expect("restarts");
    snapshot_ok(&server, &client, &bearer).await;
}

#[tokio::test]
async fn agent_discovery_url_answers_the_active_region() {
    let sim = sim(1);
    let server = SimServer::builder(sim.clone())
        .insecure_ws(true)
        .agent_discovery(true)
        .start()
        .await
        .expect("server");
    let client = reqwest::Client::new();
    let bearer = token(&sim, "agent1");
    let (status, body) = Call::new(
        &server,
        "CreateTransport",
        Some(&bearer),
        json!({"transportType": "agent_discovery"}),
    )
    .send(&client)
    .await;
    assert_eq!(status, 200, "{body}");
    let presigned = body["agentDiscoveryTransport"]["presignedUrl"]
        .as_str()
        .expect("url");
    assert_eq!(presigned, server.discovery_url());
    let arn = sim.with_engine(|e| e.instance_arn());
    let answer: Value = client
        .get(presigned)
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    assert_eq!(
        answer,
        json!({"InstanceArn": arn, "TerminateActiveContacts": false})
    );
    server.set_active_region("arn:aws:connect:us-west-2:1:instance/x", true);
    let answer: Value = client
        .get(presigned)
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    assert_eq!(
        answer["InstanceArn"],
        "arn:aws:connect:us-west-2:1:instance/x"
    );
    assert_eq!(answer["TerminateActiveContacts"], true);
    let forged = client
        .get(format!("{}/_sim/discovery/forged", server.url()))
        .send()
        .await
        .expect("answer");
    assert_eq!(forged.status().as_u16(), 403);
}
