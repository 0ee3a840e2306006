//! `SimTurnServer`: an embedded TURN server (webrtc-rs `turn`) on `127.0.0.1`, with
//! time-limited REST-API credentials as coturn's `use-auth-secret` issues them.
//!
//! - user name `<expiry-unix-seconds>:<name>`, credential `base64(HMAC-SHA1(secret, user name))`;
//! - relay addresses on loopback;
//! - counts allocations and relayed packets;
//! - can be stopped and restarted (on a fresh port) to force ICE restarts.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use base64::prelude::{Engine, BASE64_STANDARD};
use connect_core::time::{Clock, SystemClock};
use ring::hmac;
use tokio::net::UdpSocket;
use tracing::{debug, info};
use turn::auth::{generate_auth_key, AuthHandler};
use turn::relay::relay_static::RelayAddressGeneratorStatic;
use turn::server::config::{ConnConfig, ServerConfig};
use turn::server::Server;
use webrtc_util::vnet::net::Net;
use webrtc_util::Conn;

use super::impairment::{classify, stun_message_type, DatagramKind};
use crate::media::IceServer;

/// Realm the server authenticates in.
pub const SIM_TURN_REALM: &str = "connect.sim";

/// Why the simulated TURN server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimTurnError {
    /// Binding the loopback socket failed.
    #[error("binding the TURN socket failed: {0}")]
    Bind(#[from] std::io::Error),
    /// The TURN server refused its configuration.
    #[error("TURN server error: {0}")]
    Server(String),
    /// The impairment relay in front of the server could not start.
    #[error("impairment relay: {0}")]
    Impairment(#[from] super::impairment::ImpairmentError),
    /// The service's options do not go together.
    #[error("media service configuration: {0}")]
    Config(String),
}

/// What the server has done so far (over every start).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TurnStats {
    /// Successful allocations.
    pub allocations: u64,
    /// Packets clients sent through their allocations (ChannelData or Send indications).
    pub packets_from_clients: u64,
    /// Packets relayed to clients (ChannelData or Data indications).
    pub packets_to_clients: u64,
}

#[derive(Debug, Default)]
struct Counters {
    allocations: AtomicU64,
    from_clients: AtomicU64,
    to_clients: AtomicU64,
}

/// The embedded TURN server. Cheap to clone; dropping the last clone leaves a running server
/// to stop with the runtime, so call [`SimTurnServer::stop`] when done.
#[derive(Clone)]
pub struct SimTurnServer {
    inner: Arc<Inner>,
}

struct Inner {
    secret: Mutex<String>,
    clock: Arc<dyn Clock>,
    counters: Arc<Counters>,
    running: tokio::sync::Mutex<Option<Server>>,
    addr: Mutex<Option<SocketAddr>>,
}

impl std::fmt::Debug for SimTurnServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimTurnServer")
            .field("addr", &self.addr())
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl SimTurnServer {
    /// Starts a server on `127.0.0.1:0` with this shared secret, on the system clock.
    pub async fn start(secret: impl Into<String>) -> Result<Self, SimTurnError> {
        Self::start_with_clock(secret, Arc::new(SystemClock::default())).await
    }

    /// Starts a server whose credential expiry is judged by `clock`.
    pub async fn start_with_clock(
        secret: impl Into<String>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, SimTurnError> {
        let server = Self {
            inner: Arc::new(Inner {
                secret: Mutex::new(secret.into()),
                clock,
                counters: Arc::new(Counters::default()),
                running: tokio::sync::Mutex::new(None),
                addr: Mutex::new(None),
            }),
        };
        server.restart().await?;
        Ok(server)
    }

    /// The listening address, while running.
    pub fn addr(&self) -> Option<SocketAddr> {
        *lock(&self.inner.addr)
    }

    /// The `turn:` URL of the current listener (`turn:127.0.0.1:<port>?transport=udp`).
    pub fn url(&self) -> Option<String> {
        self.addr().map(|addr| format!("turn:{addr}?transport=udp"))
    }

    /// Issues credentials valid for `ttl` from now, for the current listener.
    pub fn issue_credentials(&self, name: &str, ttl: Duration) -> IceServer {
        let expiry = self.inner.clock.now().as_millis() / 1000 + ttl.as_secs() as i64;
        let username = format!("{expiry}:{name}");
        let credential = sign(&lock(&self.inner.secret), &username);
        IceServer::new(self.url(), username, credential)
    }

    /// Replaces the shared secret: every credential issued before is refused from now on.
    pub fn rotate_secret(&self, secret: impl Into<String>) {
        *lock(&self.inner.secret) = secret.into();
    }

    /// Counters so far.
    pub fn stats(&self) -> TurnStats {
        let counters = &self.inner.counters;
        TurnStats {
            allocations: counters.allocations.load(Ordering::Relaxed),
            packets_from_clients: counters.from_clients.load(Ordering::Relaxed),
            packets_to_clients: counters.to_clients.load(Ordering::Relaxed),
        }
    }

    /// Stops the server: its allocations and relays are gone. Idempotent.
    pub async fn stop(&self) {
        if let Some(server) = self.inner.running.lock().await.take() {
            if let Err(error) = server.close().await {
                debug!(%error, "TURN server close");
            }
            info!(addr = ?self.addr(), "simulated TURN server stopped");
        }
        *lock(&self.inner.addr) = None;
    }

    /// (Re)starts the server on a fresh loopback port; issue new credentials afterwards.
    pub async fn restart(&self) -> Result<SocketAddr, SimTurnError> {
        self.stop().await;
        let socket = super::udp::bind_loopback()?;
        let addr = socket.local_addr()?;
        let conn = Arc::new(CountingConn {
            socket,
            counters: Arc::clone(&self.inner.counters),
        });
        let server = Server::new(ServerConfig {
            conn_configs: vec![ConnConfig {
                conn,
                relay_addr_generator: Box::new(RelayAddressGeneratorStatic {
                    relay_address: IpAddr::V4(Ipv4Addr::LOCALHOST),
                    address: Ipv4Addr::LOCALHOST.to_string(),
                    net: Arc::new(Net::new(None)),
                }),
            }],
            realm: SIM_TURN_REALM.to_owned(),
            auth_handler: Arc::new(RestApiAuth {
                inner: Arc::clone(&self.inner),
            }),
            channel_bind_timeout: Duration::ZERO,
            alloc_close_notify: None,
        })
        .await
        .map_err(|e| SimTurnError::Server(e.to_string()))?;
        *self.inner.running.lock().await = Some(server);
        *lock(&self.inner.addr) = Some(addr);
        info!(%addr, "simulated TURN server listening");
        Ok(addr)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `base64(HMAC-SHA1(secret, username))`.
fn sign(secret: &str, username: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret.as_bytes());
    BASE64_STANDARD.encode(hmac::sign(&key, username.as_bytes()).as_ref())
}

/// Checks `<expiry>:<name>` user names against the clock and derives their key.
struct RestApiAuth {
    inner: Arc<Inner>,
}

impl AuthHandler for RestApiAuth {
    fn auth_handle(
        &self,
        username: &str,
        realm: &str,
        src_addr: SocketAddr,
    ) -> Result<Vec<u8>, turn::Error> {
        let expiry: i64 = username
            .split(':')
            .next()
            .and_then(|e| e.parse().ok())
            .ok_or_else(|| turn::Error::Other("malformed time-limited user name".into()))?;
        if expiry * 1000 < self.inner.clock.now().as_millis() {
            debug!(%src_addr, "expired TURN credential refused");
            return Err(turn::Error::Other("expired credential".into()));
        }
        let password = sign(&lock(&self.inner.secret), username);
        Ok(generate_auth_key(username, realm, &password))
    }
}

/// The listening socket, counting what it carries.
struct CountingConn {
    socket: UdpSocket,
    counters: Arc<Counters>,
}

/// STUN message type of an Allocate success response.
const ALLOCATE_SUCCESS: u16 = 0x0103;

#[async_trait]
impl Conn for CountingConn {
    async fn connect(&self, addr: SocketAddr) -> webrtc_util::Result<()> {
        Ok(self.socket.connect(addr).await?)
    }

    async fn recv(&self, buf: &mut [u8]) -> webrtc_util::Result<usize> {
        Ok(self.socket.recv(buf).await?)
    }

    async fn recv_from(&self, buf: &mut [u8]) -> webrtc_util::Result<(usize, SocketAddr)> {
        let (n, from) = self.socket.recv_from(buf).await?;
        if matches!(
            classify(&buf[..n]),
            DatagramKind::ChannelData | DatagramKind::SendIndication
        ) {
            self.counters.from_clients.fetch_add(1, Ordering::Relaxed);
        }
        Ok((n, from))
    }

    async fn send(&self, buf: &[u8]) -> webrtc_util::Result<usize> {
        Ok(self.socket.send(buf).await?)
    }

    async fn send_to(&self, buf: &[u8], target: SocketAddr) -> webrtc_util::Result<usize> {
        if matches!(
            classify(buf),
            DatagramKind::ChannelData | DatagramKind::DataIndication
        ) {
            self.counters.to_clients.fetch_add(1, Ordering::Relaxed);
        } else if stun_message_type(buf) == Some(ALLOCATE_SUCCESS) {
            self.counters.allocations.fetch_add(1, Ordering::Relaxed);
        }
        Ok(self.socket.send_to(buf, target).await?)
    }

    fn local_addr(&self) -> webrtc_util::Result<SocketAddr> {
        Ok(self.socket.local_addr()?)
    }

    fn remote_addr(&self) -> Option<SocketAddr> {
        None
    }

    async fn close(&self) -> webrtc_util::Result<()> {
        Ok(())
    }

    fn as_any(&self) -> &(dyn std::any::Any + Send + Sync) {
        self
    }
}
