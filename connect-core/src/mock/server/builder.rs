//! [`SimServerBuilder`]: how a [`SimServer`] listens (address, TLS, `ws://` opt-in) and its
//! limits; and [`SimServerError`], what starting it can fail with.

use std::net::SocketAddr;
use std::time::Duration;

use crate::mock::SimInstance;

use super::handle::SimServer;
use super::state::Limits;

/// Default request body limit: 1 MiB.
///
/// ```
/// assert_eq!(connect_core::mock::DEFAULT_MAX_BODY_BYTES, 1 << 20);
/// ```
pub const DEFAULT_MAX_BODY_BYTES: usize = 1 << 20;

/// Default time a client gets to send a request's headers, its body, or a TLS handshake.
///
/// ```
/// assert_eq!(connect_core::mock::DEFAULT_READ_TIMEOUT.as_secs(), 30);
/// ```
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a [`SimServer`] could not start.
///
/// ```
/// use connect_core::mock::{SimInstance, SimServer, SimServerError};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let sim = SimInstance::builder().build().unwrap();
/// // A plain server must opt into ws:// WebSocket URLs.
/// let err = SimServer::builder(sim).start().await.unwrap_err();
/// assert!(matches!(err, SimServerError::Config(_)));
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimServerError {
    /// Binding the port or writing the CA file failed.
    #[error("sim server I/O: {0}")]
    Io(#[from] std::io::Error),
    /// Generating the test certificate failed.
    #[error("sim server TLS: {0}")]
    Tls(String),
    /// The options contradict each other.
    #[error("sim server configuration: {0}")]
    Config(String),
}

/// Options of a [`SimServer`] (from [`SimServer::builder`]).
///
/// ```
/// use std::time::Duration;
/// use connect_core::mock::{SimInstance, SimServer};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let sim = SimInstance::builder().agents(1).build().unwrap();
/// let server = SimServer::builder(sim)
///     .tls(true)
///     .max_body_bytes(64 * 1024)
///     .read_timeout(Duration::from_secs(5))
///     .start()
///     .await
///     .unwrap();
/// assert!(server.url().starts_with("https://127.0.0.1:"));
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct SimServerBuilder {
    pub(super) instance: SimInstance,
    pub(super) listen: SocketAddr,
    pub(super) tls: bool,
    pub(super) insecure_ws: bool,
    pub(super) agent_discovery: bool,
    pub(super) limits: Limits,
}

impl SimServerBuilder {
    pub(super) fn new(instance: SimInstance) -> Self {
        Self {
            instance,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            tls: false,
            insecure_ws: false,
            agent_discovery: false,
            limits: Limits {
                max_body_bytes: DEFAULT_MAX_BODY_BYTES,
                read_timeout: DEFAULT_READ_TIMEOUT,
            },
        }
    }

    /// The address to listen on (default `127.0.0.1:0`: any free port).
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// let b = SimServer::builder(SimInstance::builder().build().unwrap()).listen("127.0.0.1:0".parse().unwrap());
    /// ```
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Serve HTTPS and `wss://` with a generated test CA (default off). The CA's PEM is at
    /// [`SimServer::ca_cert_path`] for clients to trust.
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// let b = SimServer::builder(SimInstance::builder().build().unwrap()).tls(true);
    /// ```
    pub fn tls(mut self, tls: bool) -> Self {
        self.tls = tls;
        self
    }

    /// Without TLS, hand out `ws://` WebSocket URLs (default off: a plain server refuses to
    /// start without it, since real clients reject `ws://`; only SDK sessions that opt into
    /// insecure loopback can use them). Ignored with [`tls`](Self::tls).
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// let b = SimServer::builder(SimInstance::builder().build().unwrap()).insecure_ws(true);
    /// ```
    pub fn insecure_ws(mut self, insecure_ws: bool) -> Self {
        self.insecure_ws = insecure_ws;
        self
    }

    /// Largest accepted request body (and WebSocket message); larger → 413 (default
    /// [`DEFAULT_MAX_BODY_BYTES`]).
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// let b = SimServer::builder(SimInstance::builder().build().unwrap()).max_body_bytes(4096);
    /// ```
    pub fn max_body_bytes(mut self, max: usize) -> Self {
        self.limits.max_body_bytes = max;
        self
    }

    /// Time a client gets for its request headers, its body and the TLS handshake; slower →
    /// the connection is closed, or 408 for a body (default [`DEFAULT_READ_TIMEOUT`]).
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// let b = SimServer::builder(SimInstance::builder().build().unwrap()).read_timeout(Duration::from_secs(2));
    /// ```
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.read_timeout = timeout;
        self
    }

    /// Make `createTransport agent_discovery` hand out this server's discovery URL
    /// ([`SimServer::discovery_url`]) (default off: a single-region instance answers
    /// `InvalidConfigurationException`).
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// let b = SimServer::builder(SimInstance::builder().build().unwrap()).agent_discovery(true);
    /// ```
    pub fn agent_discovery(mut self, enabled: bool) -> Self {
        self.agent_discovery = enabled;
        self
    }

    /// Binds, points the instance's `web_socket` transport URLs at this server, and starts
    /// serving (and the instance's timers) on the current tokio runtime.
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimServer};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let sim = SimInstance::builder().agents(1).build().unwrap();
    /// let server = SimServer::builder(sim).insecure_ws(true).start().await.unwrap();
    /// assert!(server.ws_base_url().starts_with("ws://127.0.0.1:"));
    /// # }
    /// ```
    pub async fn start(self) -> Result<SimServer, SimServerError> {
        if !self.tls && !self.insecure_ws {
            return Err(SimServerError::Config(
                "a plain server issues ws:// WebSocket URLs: set insecure_ws(true), or tls(true)"
                    .to_owned(),
            ));
        }
        if self.limits.max_body_bytes == 0 || self.limits.read_timeout.is_zero() {
            return Err(SimServerError::Config(
                "max_body_bytes and read_timeout must be positive".to_owned(),
            ));
        }
        SimServer::launch(self).await
    }
}
