//! Clients for `tests/sim_server.rs`: CTI calls over reqwest, WebSocket frames over
//! tokio-tungstenite, a rustls config trusting the server's test CA.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use connect_core::mock::{SimInstance, SimServer, TopicHandler, WsPeer};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub const AMZ_JSON: &str = "application/x-amz-json-1.0";
/// Upper bound on any single wait, so a broken server fails the test instead of hanging it.
pub const PATIENCE: Duration = Duration::from_secs(20);

pub async fn plain(sim: SimInstance) -> SimServer {
    SimServer::builder(sim)
        .insecure_ws(true)
        .start()
        .await
        .expect("server starts")
}

/// A one-agent simulator behind a plain server, an HTTP client, and `agent1`'s bearer token.
pub async fn plain_with_agent() -> (SimInstance, SimServer, reqwest::Client, String) {
    let sim = sim(1);
    let server = plain(sim.clone()).await;
    let bearer = token(&sim, "agent1");
    (sim, server, reqwest::Client::new(), bearer)
}

pub fn sim(agents: usize) -> SimInstance {
    SimInstance::builder()
        .seed(5)
        .agents(agents)
        .build()
        .expect("sim builds")
}

pub fn token(sim: &SimInstance, login: &str) -> String {
    let token = sim.issue_token(login).expect("token");
    token.auth_token.expose().to_owned()
}

/// One CTI call; an object `body` gets `authentication.authToken` = `bearer` unless it has
/// one.
pub struct Call {
    pub url: String,
    pub target: String,
    pub bearer: Option<String>,
    pub body: Vec<u8>,
    pub content_type: &'static str,
}

impl Call {
    pub fn new(server: &SimServer, operation: &str, bearer: Option<&str>, body: Value) -> Self {
        let mut body = body;
        if let (Some(token), Some(obj)) = (bearer, body.as_object_mut()) {
            obj.entry("authentication")
                .or_insert_with(|| json!({ "authToken": token }));
        }
        Self {
            url: server.api_url(),
            target: operation.to_owned(),
            bearer: bearer.map(str::to_owned),
            body: body.to_string().into_bytes(),
            content_type: AMZ_JSON,
        }
    }

    pub fn raw(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    pub async fn send(self, client: &reqwest::Client) -> (u16, Value) {
        let target = if self.target.contains('.') {
            self.target
        } else {
            format!("AmazonConnectCTIService.{}", self.target)
        };
        let mut req = client
            .post(&self.url)
            .header("X-Amz-Target", target)
            .header("Content-Type", self.content_type)
            .body(self.body);
        if let Some(bearer) = self.bearer {
            req = req.header("X-Amz-Bearer", bearer);
        }
        let resp = tokio::time::timeout(PATIENCE, req.send())
            .await
            .expect("answer in time")
            .expect("HTTP answer");
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.expect("body");
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }
}

pub fn error_code(body: &Value) -> &str {
    let kind = body["__type"].as_str().unwrap_or_default();
    assert!(
        kind.starts_with("com.amazonaws.connect#"),
        "CTI error shape: {body}"
    );
    assert!(body["message"].is_string(), "CTI error shape: {body}");
    kind.rsplit('#').next().unwrap_or_default()
}

pub async fn snapshot_ok(server: &SimServer, client: &reqwest::Client, bearer: &str) {
    let (status, body) = Call::new(server, "GetAgentSnapshot", Some(bearer), json!({}))
        .send(client)
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["snapshot"]["state"]["name"].is_string(), "{body}");
}

pub async fn ws_url(server: &SimServer, client: &reqwest::Client, bearer: &str) -> String {
    let (status, body) = Call::new(
        server,
        "CreateTransport",
        Some(bearer),
        json!({"transportType": "web_socket"}),
    )
    .send(client)
    .await;
    assert_eq!(status, 200, "{body}");
    let transport = &body["webSocketTransport"];
    assert!(transport["transportLifeTimeInSeconds"].as_i64() >= Some(300));
    transport["url"].as_str().expect("url").to_owned()
}

pub async fn next_json(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(PATIENCE, ws.next())
            .await
            .expect("a frame in time")
            .expect("socket open")
            .expect("frame");
        if let Message::Text(text) = msg {
            return serde_json::from_str(text.as_str()).expect("JSON frame");
        }
    }
}

pub async fn send_json(ws: &mut Ws, frame: &str) {
    ws.send(Message::Text(frame.into())).await.expect("send");
}

/// Echoes `aws/softphone` frames with the agent id.
pub struct Echo;

#[async_trait]
impl TopicHandler for Echo {
    async fn on_message(&self, peer: &WsPeer, content: Value) {
        peer.send(
            "aws/softphone",
            json!({"agent": peer.agent_id(), "echo": content}),
        );
    }
}

pub fn tls_client_config(pem: &str) -> rustls::ClientConfig {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;
    let mut roots = rustls::RootCertStore::empty();
    let ca = CertificateDer::from_pem_slice(pem.as_bytes()).expect("CA pem");
    roots.add(ca).expect("trusted");
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth()
}
