//! `HttpCti` and `AuthorizeEndpoint` over real loopback HTTP, against a small HTTP/1.1 server
//! (`support/http_server.rs`) that records what it received and answers like spec §1.

#![cfg(all(feature = "http", not(target_arch = "wasm32")))]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use connect_core::api::*;
use connect_core::auth::*;
use connect_core::http::{HttpCti, RetryPolicy};
use connect_core::model::Timestamp;
use serde_json::json;
use tokio::net::TcpListener;

#[path = "support/http_server.rs"]
mod http_server;

use http_server::{Reply, Seen, Server};

fn cti(url: &str, auth: Arc<dyn AuthProvider>) -> HttpCti {
    HttpCti::builder(url)
        .auth(auth)
        .retry_policy(RetryPolicy {
            base: Duration::from_millis(5),
            ..RetryPolicy::default()
        })
        .build()
        .expect("client")
}

fn static_cti(url: &str) -> HttpCti {
    cti(url, Arc::new(StaticToken::new("tok-secret-1")))
}

#[tokio::test]
async fn framing_headers_body_and_endpoint() {
    let server = Server::start(|seen, _| match seen.header("x-amz-target") {
        Some("AmazonConnectCTIService.GetAgentStates") => Reply::ok(json!({
            "states": [{"type": "routable", "name": "Available"}], "nextToken": null
        })),
        _ => Reply::ok(json!({})),
    })
    .await;
    let api = static_cti(&server.url);
    assert_eq!(api.endpoint().as_str(), format!("{}/api", server.url));

    let states = api
        .get_agent_states(GetAgentStatesRequest::page(None, 500))
        .await
        .expect("states");
    assert_eq!(states.states[0].name, "Available");
    api.clear_contact(ClearContactRequest::new("c-1"))
        .await
        .expect("clear");
    api.hold_connection(HoldConnectionRequest::new("c-1", "conn-2"))
        .await
        .expect("hold");

    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    for (request, op) in seen
        .iter()
        .zip(["GetAgentStates", "ClearContact", "HoldConnection"])
    {
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, "/api");
        assert_eq!(
            request.header("content-type"),
            Some("application/x-amz-json-1.0")
        );
        assert_eq!(
            request.header("x-amz-target"),
            Some(format!("AmazonConnectCTIService.{op}").as_str())
        );
        assert_eq!(request.header("x-amz-bearer"), Some("tok-secret-1"));
        assert_eq!(request.header("authorization"), None);
    }
    // Null members omitted; `authentication` only where the method carries it.
    assert_eq!(
        seen[0].json(),
        json!({"maxResults": 500, "authentication": {"authToken": "tok-secret-1"}})
    );
    assert_eq!(seen[1].json(), json!({"contactId": "c-1"}));
    assert_eq!(
        seen[2].json(),
        json!({"contactId": "c-1", "connectionId": "conn-2",
               "authentication": {"authToken": "tok-secret-1"}})
    );
}

#[tokio::test]
async fn explicit_endpoint_overrides_the_origin_rule() {
    let server = Server::start(|_, _| Reply::ok(json!({}))).await;
    let api = HttpCti::builder("https://example.awsapps.com/connect/ccp-v2")
        .endpoint(format!("{}/connect/api", server.url))
        .auth(Arc::new(StaticToken::new("t")))
        .build()
        .expect("client");
    api.accept_contact(AcceptContactRequest::new("c"))
        .await
        .expect("accept");
    assert_eq!(server.seen()[0].path, "/connect/api");
}

#[tokio::test]
async fn errors_map_to_typed_cti_errors() {
    let server = Server::start(|seen, _| {
        let contact = seen.json()["contactId"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        match contact.as_str() {
            "401" => Reply::error(401, "UnauthorizedException", "expired"),
            "403" => Reply::error(403, "AccessDeniedException", "no"),
            "400" => Reply::error(400, "InvalidStateException", "Agent busy"),
            "header" => Reply {
                headers: vec![("x-amzn-ErrorType", "QuotaExceededException:http://x".into())],
                ..Reply::json(400, json!(null))
            },
            _ => Reply {
                body: String::new(),
                ..Reply::json(500, json!(null))
            },
        }
    })
    .await;
    let api = static_cti(&server.url);
    let accept = |id: &str| api.accept_contact(AcceptContactRequest::new(id));

    let err = accept("401").await.expect_err("401");
    assert_eq!(err.auth_kind(), Some(AuthErrorKind::Unauthorized));
    let err = accept("403").await.expect_err("403");
    assert_eq!(err.auth_kind(), Some(AuthErrorKind::AccessDenied));
    let err = accept("400").await.expect_err("400");
    assert_eq!(
        err,
        CtiError::Service {
            code: CtiExceptionKind::InvalidStateException,
            message: "Agent busy".into(),
            status: 400
        }
    );
    let err = accept("header").await.expect_err("header code");
    assert_eq!(err.code(), "QuotaExceededException");
    let err = accept("500").await.expect_err("500");
    assert!(matches!(
        err,
        CtiError::Service {
            code: CtiExceptionKind::UnknownError,
            status: 500,
            ..
        }
    ));
    assert!(err.is_retryable());
    // A static token cannot be refreshed: the 401 was not re-sent; the 500 mutation not retried.
    assert_eq!(server.seen().len(), 5);
}

#[tokio::test]
async fn a_read_is_retried_on_503_then_succeeds() {
    let server = Server::start(|_, index| {
        if index < 2 {
            Reply::error(503, "InternalServiceException", "busy")
        } else {
            Reply::ok(json!({"permissions": ["outboundCall"]}))
        }
    })
    .await;
    let api = static_cti(&server.url);
    let page = api
        .get_agent_permissions(GetAgentPermissionsRequest::default())
        .await
        .expect("third attempt succeeds");
    assert_eq!(page.permissions, ["outboundCall"]);
    assert_eq!(server.seen().len(), 3);
    let attempts: Vec<(u32, Option<u16>)> = api
        .latency()
        .records()
        .iter()
        .map(|r| (r.attempt, r.status))
        .collect();
    assert_eq!(attempts, [(1, Some(503)), (2, Some(503)), (3, Some(200))]);
}

#[tokio::test]
async fn mutations_are_not_retried_unless_provably_unsent() {
    let server = Server::start(|_, _| Reply::error(500, "InternalServiceException", "oops")).await;
    let api = static_cti(&server.url);
    let err = api
        .accept_contact(AcceptContactRequest::new("c"))
        .await
        .expect_err("500");
    assert_eq!(err.http_status(), Some(500));
    assert_eq!(server.seen().len(), 1);

    // Nothing listens: a connect failure, retried (it was never sent), then reported as such.
    let closed = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let api = static_cti(&url);
    let err = api
        .create_outbound_contact(CreateOutboundContactRequest::new(
            connect_core::model::Endpoint::phone_number("+15550100"),
        ))
        .await
        .expect_err("refused");
    assert!(err.was_not_sent(), "{err}");
    let records = api.latency().records();
    assert_eq!(records.len(), 3);
    assert!(records.iter().all(|r| r.status.is_none() && !r.success));
}

#[tokio::test]
async fn the_deadline_ends_a_hanging_request() {
    let server = Server::start(|_, _| Reply {
        delay: Duration::from_secs(30),
        ..Reply::ok(json!({}))
    })
    .await;
    let api = HttpCti::builder(&server.url)
        .auth(Arc::new(StaticToken::new("t")))
        .request_deadline(Duration::from_millis(200))
        .long_poll_grace(Duration::from_millis(100))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let started = std::time::Instant::now();
    let err = api
        .accept_contact(AcceptContactRequest::new("c"))
        .await
        .expect_err("timeout");
    assert!(err.is_timeout(), "{err}");
    let err = api
        .get_agent_snapshot(GetAgentSnapshotRequest::long_poll(
            None,
            Duration::from_millis(100),
        ))
        .await
        .expect_err("long poll timeout");
    assert!(err.is_timeout(), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// Hands out `old` until refreshed, then `new-<n>`; counts refreshes.
#[derive(Debug, Default)]
struct Rotating {
    refreshes: AtomicU32,
}

#[async_trait]
impl AuthProvider for Rotating {
    async fn token(&self) -> Result<AccessToken, AuthError> {
        Ok(AccessToken::new(
            match self.refreshes.load(Ordering::SeqCst) {
                0 => "old".to_owned(),
                n => format!("new-{n}"),
            },
        ))
    }

    async fn refresh(&self) -> Result<AccessToken, AuthError> {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let n = self.refreshes.fetch_add(1, Ordering::SeqCst) + 1;
        Ok(AccessToken::new(format!("new-{n}")))
    }
}

#[tokio::test]
async fn a_401_refreshes_once_and_resends_once() {
    let server = Server::start(|seen, _| {
        if seen.header("x-amz-bearer") == Some("old") {
            Reply::error(401, "UnauthorizedException", "expired")
        } else {
            Reply::ok(json!({}))
        }
    })
    .await;
    let auth = Arc::new(Rotating::default());
    let api = cti(&server.url, auth.clone());
    // Several calls rejected at once share one refresh.
    let calls: Vec<_> = (0..5)
        .map(|i| {
            let api = api.clone();
            tokio::spawn(async move {
                api.accept_contact(AcceptContactRequest::new(format!("c{i}")))
                    .await
            })
        })
        .collect();
    for call in calls {
        call.await
            .expect("no panic")
            .expect("succeeds after refresh");
    }
    assert_eq!(auth.refreshes.load(Ordering::SeqCst), 1);
    let seen = server.seen();
    assert_eq!(seen.len(), 10);
    let resent: Vec<&Seen> = seen
        .iter()
        .filter(|s| s.header("x-amz-bearer") == Some("new-1"))
        .collect();
    assert_eq!(resent.len(), 5);
    assert!(resent
        .iter()
        .all(|s| s.json()["authentication"]["authToken"] == "new-1"));
}

#[tokio::test]
async fn a_401_after_the_refresh_is_returned() {
    let server = Server::start(|_, _| Reply::error(401, "UnauthorizedException", "no")).await;
    let auth = Arc::new(Rotating::default());
    let api = cti(&server.url, auth.clone());
    let err = api
        .get_agent_configuration(GetAgentConfigurationRequest::default())
        .await
        .expect_err("still 401");
    assert_eq!(err.auth_kind(), Some(AuthErrorKind::Unauthorized));
    assert_eq!(server.seen().len(), 2);
    assert_eq!(auth.refreshes.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn the_long_poll_is_recorded_apart() {
    let server = Server::start(|seen, _| match seen.header("x-amz-target") {
        Some("AmazonConnectCTIService.GetAgentSnapshot") => Reply::ok(json!({
            "snapshot": {"state": {"type": "routable", "name": "Available"}, "contacts": [],
                         "snapshotTimestamp": 1646368813.952},
            "nextToken": "n1"
        })),
        _ => Reply::ok(json!({})),
    })
    .await;
    let api = static_cti(&server.url);
    let mut feed = api.latency().subscribe();
    api.get_agent_snapshot(GetAgentSnapshotRequest::long_poll(
        None,
        Duration::from_secs(30),
    ))
    .await
    .expect("snapshot");
    api.accept_contact(AcceptContactRequest::new("c"))
        .await
        .expect("accept");
    assert_eq!(
        feed.try_recv().expect("fed").operation,
        CtiMethod::GetAgentSnapshot
    );
    let summary = api.latency().summary();
    assert_eq!(summary.overall.count, 1);
    assert!(summary.operations.contains_key(&CtiMethod::AcceptContact));
    assert_eq!(api.latency().long_poll_summary().count, 1);
    let poll = &api.latency().long_polls()[0];
    assert!(poll.success && poll.status == Some(200) && poll.timestamp > Timestamp::from_millis(0));
}

fn authorize_server_reply(seen: &Seen, index: usize, failures: usize) -> Reply {
    if seen.method != "GET" || seen.path != "/auth/authorize" {
        return Reply::json(404, json!({}));
    }
    if index < failures {
        return Reply::json(503, json!({}));
    }
    match seen.header("cookie") {
        Some("sess=ok") => Reply::ok(json!({
            "accessToken": "az-token", "expiration": "2030-01-01T00:00:00Z"
        })),
        _ => Reply::json(401, json!({"message": "login"})),
    }
}

#[tokio::test]
async fn authorize_endpoint_with_and_without_a_session_cookie() {
    let server = Server::start(|seen, index| authorize_server_reply(seen, index, 0)).await;
    let with = AuthorizeEndpoint::builder(&server.url)
        .cookie("sess=ok")
        .build()
        .expect("provider");
    let token = with.token().await.expect("token");
    assert_eq!(token.value.expose(), "az-token");
    assert_eq!(
        token.expires_at,
        connect_core::log::parse_iso8601("2030-01-01T00:00:00Z")
    );
    // Cached until it expires.
    with.token().await.expect("cached");
    assert_eq!(server.seen().len(), 1);

    let without = AuthorizeEndpoint::builder(&server.url)
        .build()
        .expect("provider");
    let err = without.token().await.expect_err("no session");
    assert!(matches!(err, AuthError::SessionEnded { .. }), "{err}");
    assert!(err.to_cti_error().is_auth());
}

#[tokio::test]
async fn authorize_endpoint_retries_5xx() {
    let server = Server::start(|seen, index| authorize_server_reply(seen, index, 2)).await;
    let auth = AuthorizeEndpoint::builder(&server.url)
        .cookie("sess=ok")
        .retries(5, Duration::from_millis(10))
        .build()
        .expect("provider");
    assert_eq!(
        auth.refresh().await.expect("third attempt").value.expose(),
        "az-token"
    );
    assert_eq!(server.seen().len(), 3);
}

/// A `Write` sink for a tracing subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn tokens_never_reach_debug_or_logs() {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || sink.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = Server::start(|seen, index| match index {
        0 => Reply::error(401, "UnauthorizedException", "expired"),
        1 => Reply::error(503, "InternalServiceException", "busy"),
        _ if seen.path == "/auth/authorize" => authorize_server_reply(seen, 0, 0),
        _ => Reply::ok(json!({"permissions": []})),
    })
    .await;
    let authorize = Arc::new(
        AuthorizeEndpoint::builder(&server.url)
            .cookie("sess=ok")
            .build()
            .expect("provider"),
    );
    let api = cti(&server.url, Arc::new(StaticToken::new("tok-secret-1")));
    let _ = api.accept_contact(AcceptContactRequest::new("c")).await;
    let _ = api
        .get_agent_permissions(GetAgentPermissionsRequest::default())
        .await;
    let manager = AuthManager::new(
        authorize.clone(),
        Arc::new(connect_core::time::SystemClock::default()),
    );
    let _ = manager.refresh().await;
    let text = format!(
        "{api:?} {authorize:?} {manager:?} {:?}",
        manager.token().await
    );
    assert!(!text.contains("tok-secret-1"), "{text}");
    assert!(!text.contains("az-token"), "{text}");
    assert!(!text.contains("sess=ok"), "{text}");

    let logs = String::from_utf8_lossy(&captured.0.lock().expect("lock")).to_string();
    assert!(logs.contains("CTI"), "something was logged: {logs}");
    for secret in ["tok-secret-1", "az-token", "sess=ok"] {
        assert!(!logs.contains(secret), "{secret} in logs:\n{logs}");
    }
}
