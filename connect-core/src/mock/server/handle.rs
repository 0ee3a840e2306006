//! [`SimServer`]: the handle on a running server — its URLs, its test CA, and the controls
//! tests use (publish, topic handlers, kill/freeze sockets, login sessions, stop/restart).

use std::fmt;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde_json::Value;
use tokio::task::JoinHandle;

use crate::api::CtiError;
use crate::mock::SimInstance;

use super::builder::{SimServerBuilder, SimServerError};
use super::listener::{bind, serve};
use super::routes::router;
use super::state::{Shared, SESSION_COOKIE};
use super::tls::TestPki;
use super::topic::TopicHandler;

/// The simulated instance as an HTTP + WebSocket server on loopback, speaking the CCP wire
/// protocol (spec §9.3): `POST /api` and `/connect/api` (CTI), `GET /auth/authorize` and
/// `/connect/auth/authorize` (session cookie → token), `GET /ws?ticket=…` (WebSocket),
/// `GET /_sim/discovery/<id>` (agent discovery) and `POST /_sim/login` (opens a session).
///
/// A cheap-to-clone handle; the server stops when the last handle is dropped or on
/// [`shutdown`](Self::shutdown).
///
/// ```
/// use connect_core::mock::{SimInstance, SimServer};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let sim = SimInstance::builder().agents(1).build().unwrap();
/// let server = SimServer::builder(sim.clone()).insecure_ws(true).start().await.unwrap();
/// let token = sim.issue_token("agent1").unwrap();
/// // A client POSTs to server.api_url() with X-Amz-Bearer: token.auth_token.expose() …
/// assert_eq!(server.api_url(), format!("{}/api", server.url()));
/// server.shutdown().await;
/// # }
/// ```
#[derive(Clone)]
pub struct SimServer {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Arc<Shared>,
    addr: SocketAddr,
    pki: Option<TestPki>,
    tasks: Mutex<Option<Tasks>>,
}

/// The accept loop and the instance's timer loop.
struct Tasks {
    serve: JoinHandle<()>,
    timers: JoinHandle<()>,
}

impl Tasks {
    fn abort(&self) {
        self.serve.abort();
        self.timers.abort();
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(tasks) = self
            .tasks
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            tasks.abort();
        }
        self.shared.hub.kill_all();
    }
}

impl fmt::Debug for SimServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimServer")
            .field("url", &self.url())
            .field("running", &self.is_running())
            .finish_non_exhaustive()
    }
}

impl SimServer {
    /// The options, with defaults: `127.0.0.1:0`, no TLS, 1 MiB bodies, 30 s read timeout.
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let sim = SimInstance::builder().agents(2).build().unwrap();
    /// let server = SimServer::builder(sim).insecure_ws(true).start().await.unwrap();
    /// assert!(server.url().starts_with("http://127.0.0.1:"));
    /// # }
    /// ```
    pub fn builder(instance: SimInstance) -> SimServerBuilder {
        SimServerBuilder::new(instance)
    }

    pub(super) async fn launch(options: SimServerBuilder) -> Result<Self, SimServerError> {
        let pki = if options.tls {
            Some(TestPki::generate()?)
        } else {
            None
        };
        let listener = bind(options.listen)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(options.instance, options.limits));
        let server = Self {
            inner: Arc::new(Inner {
                shared,
                addr,
                pki,
                tasks: Mutex::new(None),
            }),
        };
        server.instance().set_ws_base_url(&server.ws_base_url());
        if options.agent_discovery {
            let url = server.discovery_url();
            server
                .instance()
                .with_engine(|engine| engine.settings_mut().agent_discovery_url = Some(url));
        }
        server.spawn(listener);
        Ok(server)
    }

    fn tasks(&self) -> MutexGuard<'_, Option<Tasks>> {
        self.inner
            .tasks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn spawn(&self, listener: tokio::net::TcpListener) {
        let shared = &self.inner.shared;
        let tls = self.inner.pki.as_ref().map(|pki| pki.acceptor.clone());
        let app = router(Arc::clone(shared));
        let serve = tokio::spawn(serve(listener, app, tls, shared.limits.read_timeout));
        let timers = tokio::spawn(shared.instance.run_timers());
        if let Some(old) = self.tasks().replace(Tasks { serve, timers }) {
            old.abort();
        }
    }

    /// The simulated instance behind the server.
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let sim = SimInstance::builder().agents(1).build().unwrap();
    /// let server = SimServer::builder(sim.clone()).insecure_ws(true).start().await.unwrap();
    /// assert_eq!(server.instance().agent_ids(), sim.agent_ids());
    /// # }
    /// ```
    pub fn instance(&self) -> &SimInstance {
        &self.inner.shared.instance
    }

    /// The address the server listens on.
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = SimServer::builder(SimInstance::builder().build().unwrap()).insecure_ws(true).start().await.unwrap();
    /// assert_ne!(server.local_addr().port(), 0);
    /// # }
    /// ```
    pub fn local_addr(&self) -> SocketAddr {
        self.inner.addr
    }

    /// `host:port` for URLs: loopback when listening on an unspecified address.
    fn authority(&self) -> String {
        let addr = self.inner.addr;
        let ip = match addr.ip() {
            ip if !ip.is_unspecified() => ip,
            std::net::IpAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            std::net::IpAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        };
        SocketAddr::new(ip, addr.port()).to_string()
    }

    /// The CCP origin: `http://127.0.0.1:PORT`, or `https://…` with TLS.
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = SimServer::builder(SimInstance::builder().build().unwrap()).insecure_ws(true).start().await.unwrap();
    /// assert_eq!(server.url(), format!("http://127.0.0.1:{}", server.local_addr().port()));
    /// # }
    /// ```
    pub fn url(&self) -> String {
        let scheme = if self.is_tls() { "https" } else { "http" };
        format!("{scheme}://{}", self.authority())
    }

    /// The CTI endpoint: `<url>/api` (the server also answers `<url>/connect/api`).
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = SimServer::builder(SimInstance::builder().build().unwrap()).insecure_ws(true).start().await.unwrap();
    /// assert!(server.api_url().ends_with("/api"));
    /// # }
    /// ```
    pub fn api_url(&self) -> String {
        format!("{}/api", self.url())
    }

    /// The origin of WebSocket URLs: `wss://127.0.0.1:PORT` with TLS, else `ws://…`.
    /// `createTransport web_socket` answers `<ws_base_url>/ws?ticket=…`.
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = SimServer::builder(SimInstance::builder().build().unwrap()).tls(true).start().await.unwrap();
    /// assert!(server.ws_base_url().starts_with("wss://"));
    /// # }
    /// ```
    pub fn ws_base_url(&self) -> String {
        let scheme = if self.is_tls() { "wss" } else { "ws" };
        format!("{scheme}://{}", self.authority())
    }

    /// The agent-discovery "presigned URL": `<url>/_sim/discovery/<id>`.
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = SimServer::builder(SimInstance::builder().build().unwrap()).insecure_ws(true).start().await.unwrap();
    /// assert!(server.discovery_url().contains("/_sim/discovery/"));
    /// # }
    /// ```
    pub fn discovery_url(&self) -> String {
        format!(
            "{}/_sim/discovery/{}",
            self.url(),
            self.inner.shared.discovery().id
        )
    }

    /// Whether the server speaks TLS.
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = SimServer::builder(SimInstance::builder().build().unwrap()).tls(true).start().await.unwrap();
    /// assert!(server.is_tls());
    /// # }
    /// ```
    pub fn is_tls(&self) -> bool {
        self.inner.pki.is_some()
    }

    /// The test CA's certificate (PEM), with TLS.
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = SimServer::builder(SimInstance::builder().build().unwrap()).tls(true).start().await.unwrap();
    /// assert!(server.ca_cert_pem().unwrap().starts_with("-----BEGIN CERTIFICATE-----"));
    /// # }
    /// ```
    pub fn ca_cert_pem(&self) -> Option<&str> {
        self.inner.pki.as_ref().map(|pki| pki.ca_pem.as_str())
    }

    /// The file holding [`ca_cert_pem`](Self::ca_cert_pem) (in the temp dir; removed when
    /// the server is dropped), with TLS.
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = SimServer::builder(SimInstance::builder().build().unwrap()).tls(true).start().await.unwrap();
    /// let pem = std::fs::read_to_string(server.ca_cert_path().unwrap()).unwrap();
    /// assert_eq!(pem, server.ca_cert_pem().unwrap());
    /// # }
    /// ```
    pub fn ca_cert_path(&self) -> Option<&Path> {
        self.inner.pki.as_ref().map(TestPki::ca_path)
    }

    /// Sends `{topic, content}` to every open socket of agent `login` (username or id) that
    /// subscribed to `topic`; returns how many sockets it was sent to.
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = SimServer::builder(SimInstance::builder().agents(1).build().unwrap()).insecure_ws(true).start().await.unwrap();
    /// assert_eq!(server.publish("agent1", "aws/agent-snapshot", serde_json::json!({})), 0); // no socket yet
    /// # }
    /// ```
    pub fn publish(&self, login: &str, topic: &str, content: Value) -> usize {
        match self.instance().agent_id(login) {
            Some(agent_id) => self.inner.shared.hub.publish(&agent_id, topic, &content),
            None => 0,
        }
    }

    /// Routes the client frames of `topic` to `handler` (replacing any previous one); the
    /// softphone registers `aws/softphone` this way.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use async_trait::async_trait;
    /// use connect_core::mock::{SimInstance, SimServer, TopicHandler, WsPeer};
    ///
    /// struct Ack;
    /// #[async_trait]
    /// impl TopicHandler for Ack {
    ///     async fn on_message(&self, peer: &WsPeer, _content: serde_json::Value) {
    ///         peer.send("aws/softphone", serde_json::json!({"ack": true}));
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = SimServer::builder(SimInstance::builder().build().unwrap()).insecure_ws(true).start().await.unwrap();
    /// server.register_topic_handler("aws/softphone", Arc::new(Ack));
    /// # }
    /// ```
    pub fn register_topic_handler(&self, topic: &str, handler: Arc<dyn TopicHandler>) {
        self.inner.shared.set_handler(topic, Some(handler));
    }

    /// Removes the handler of `topic`; its frames get an error frame again.
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = SimServer::builder(SimInstance::builder().build().unwrap()).insecure_ws(true).start().await.unwrap();
    /// server.unregister_topic_handler("aws/softphone");
    /// # }
    /// ```
    pub fn unregister_topic_handler(&self, topic: &str) {
        self.inner.shared.set_handler(topic, None);
    }

    /// Drops every open WebSocket at once, without a close frame (a network cut); returns
    /// how many there were. Clients reconnect with a new `createTransport` URL.
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = SimServer::builder(SimInstance::builder().build().unwrap()).insecure_ws(true).start().await.unwrap();
    /// assert_eq!(server.kill_websockets(), 0);
    /// # }
    /// ```
    pub fn kill_websockets(&self) -> usize {
        self.inner.shared.hub.kill_all()
    }

    /// While frozen, open sockets stay up but the server sends nothing on them: no
    /// heartbeat answers, no subscribe answers, no published frames (dropped, not queued) —
    /// a stale socket, found by the client's missed heartbeat.
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = SimServer::builder(SimInstance::builder().build().unwrap()).insecure_ws(true).start().await.unwrap();
    /// server.freeze_websockets(true);
    /// server.freeze_websockets(false);
    /// # }
    /// ```
    pub fn freeze_websockets(&self, frozen: bool) {
        self.inner.shared.hub.set_frozen(frozen);
    }

    /// While set, `aws/subscribe` and `aws/unsubscribe` answer `{"status": "failure"}`.
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = SimServer::builder(SimInstance::builder().build().unwrap()).insecure_ws(true).start().await.unwrap();
    /// server.fail_subscriptions(true);
    /// # }
    /// ```
    pub fn fail_subscriptions(&self, fail: bool) {
        self.inner.shared.hub.set_fail_subscriptions(fail);
    }

    /// Number of open WebSockets, of agent `login` or (with `None`) of everyone.
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = SimServer::builder(SimInstance::builder().agents(1).build().unwrap()).insecure_ws(true).start().await.unwrap();
    /// assert_eq!(server.websocket_count(Some("agent1")), 0);
    /// # }
    /// ```
    pub fn websocket_count(&self, login: Option<&str>) -> usize {
        let hub = &self.inner.shared.hub;
        match login {
            None => hub.count(),
            Some(login) => self
                .instance()
                .agent_id(login)
                .map_or(0, |agent_id| hub.count_of(&agent_id)),
        }
    }

    /// Opens a login session for agent `login`, as a browser login would; returns the
    /// `Cookie` header value (`sim_session=…`) that `GET /auth/authorize` accepts.
    /// (`POST /_sim/login` with `{"username": …}` does the same over HTTP.)
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = SimServer::builder(SimInstance::builder().agents(1).build().unwrap()).insecure_ws(true).start().await.unwrap();
    /// assert!(server.login_cookie("agent1").unwrap().starts_with("sim_session="));
    /// assert!(server.login_cookie("nobody").is_err());
    /// # }
    /// ```
    pub fn login_cookie(&self, login: &str) -> Result<String, CtiError> {
        let agent_id = self.instance().resolve_agent(login)?;
        let value = self.inner.shared.new_session(&agent_id);
        Ok(format!("{SESSION_COOKIE}={value}"))
    }

    /// Ends every login session of agent `login`: `/auth/authorize` answers 401 to their
    /// cookies (the login is gone); returns how many sessions ended.
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = SimServer::builder(SimInstance::builder().agents(1).build().unwrap()).insecure_ws(true).start().await.unwrap();
    /// server.login_cookie("agent1").unwrap();
    /// assert_eq!(server.end_login_sessions("agent1"), 1);
    /// # }
    /// ```
    pub fn end_login_sessions(&self, login: &str) -> usize {
        match self.instance().agent_id(login) {
            Some(agent_id) => self.inner.shared.end_sessions(&agent_id),
            None => 0,
        }
    }

    /// What the discovery URL answers from now on: `{"InstanceArn": instance_arn,
    /// "TerminateActiveContacts": terminate_active_contacts}` (default: this instance's ARN,
    /// false).
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = SimServer::builder(SimInstance::builder().build().unwrap()).insecure_ws(true).start().await.unwrap();
    /// server.set_active_region("arn:aws:connect:us-west-2:111122223333:instance/other", true);
    /// # }
    /// ```
    pub fn set_active_region(&self, instance_arn: &str, terminate_active_contacts: bool) {
        self.inner
            .shared
            .set_active_region(instance_arn.to_owned(), terminate_active_contacts);
    }

    /// Whether the server is accepting connections.
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = SimServer::builder(SimInstance::builder().build().unwrap()).insecure_ws(true).start().await.unwrap();
    /// assert!(server.is_running());
    /// server.stop().await;
    /// assert!(!server.is_running());
    /// # }
    /// ```
    pub fn is_running(&self) -> bool {
        self.tasks().is_some()
    }

    /// Stops serving: the port is closed and every connection (HTTP requests in flight,
    /// long polls, WebSockets) is dropped. The instance keeps its state; tokens stay valid.
    /// [`start`](Self::start) serves again on the same port.
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = SimServer::builder(SimInstance::builder().build().unwrap()).insecure_ws(true).start().await.unwrap();
    /// server.stop().await;
    /// assert!(std::net::TcpStream::connect(server.local_addr()).is_err());
    /// # }
    /// ```
    pub async fn stop(&self) {
        let tasks = self.tasks().take();
        self.inner.shared.hub.kill_all();
        if let Some(tasks) = tasks {
            tasks.abort();
            // Awaiting the aborted tasks makes sure the listener is closed on return.
            let _ = tasks.serve.await;
            let _ = tasks.timers.await;
        }
    }

    /// Serves again on the same address after [`stop`](Self::stop) (no-op while running).
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = SimServer::builder(SimInstance::builder().build().unwrap()).insecure_ws(true).start().await.unwrap();
    /// server.stop().await;
    /// server.start().await.unwrap();
    /// assert!(server.is_running());
    /// # }
    /// ```
    pub async fn start(&self) -> Result<(), SimServerError> {
        if self.is_running() {
            return Ok(());
        }
        let listener = bind(self.inner.addr)?;
        self.spawn(listener);
        Ok(())
    }

    /// [`stop`](Self::stop) then [`start`](Self::start): a server restarted mid-session,
    /// same port, same instance; every client connection is cut.
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = SimServer::builder(SimInstance::builder().build().unwrap()).insecure_ws(true).start().await.unwrap();
    /// let port = server.local_addr().port();
    /// server.restart().await.unwrap();
    /// assert_eq!(server.local_addr().port(), port);
    /// # }
    /// ```
    pub async fn restart(&self) -> Result<(), SimServerError> {
        self.stop().await;
        self.start().await
    }

    /// Stops the server for good (as [`stop`](Self::stop); dropping the last handle does
    /// the same without waiting).
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = SimServer::builder(SimInstance::builder().build().unwrap()).insecure_ws(true).start().await.unwrap();
    /// server.shutdown().await;
    /// # }
    /// ```
    pub async fn shutdown(&self) {
        self.stop().await;
    }
}
