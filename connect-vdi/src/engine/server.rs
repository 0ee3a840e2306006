//! [`EndpointEngine`]: the WebSocket server on the endpoint that runs the calls' media.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use connect_core::model::Sensitive;
use connect_softphone::media::{MediaEngine, WebRtcEngine};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::{info, warn};

use super::connection::serve;
use super::DeviceSet;
use crate::protocol::codes::PROTOCOL_VERSION;
use crate::protocol::{ConnectedParams, NameVersion, OsInfo};
use crate::VdiError;

/// The engine's settings.
#[derive(Clone)]
pub struct EngineConfig {
    /// The pairing token the desktop must present (never logged).
    pub token: Sensitive,
    /// Protocol versions spoken (default `[1]`).
    pub protocols: Vec<u32>,
    /// This engine's name and version.
    pub engine: NameVersion,
    /// The media stack the calls run on (default `WebRtcEngine`).
    pub media: Arc<dyn MediaEngine>,
    /// Capture and playout devices.
    pub devices: DeviceSet,
    /// Local UDP addresses the peers bind (default `0.0.0.0:0`).
    pub peer_bind_addrs: Vec<String>,
    /// Silence after which a desktop connection's peers are torn down (5 s).
    pub liveness_timeout: Duration,
    /// When set, the engine cannot redirect on this endpoint: after `hello` it sends
    /// `disconnected{endpointUnsupported, message}` and closes.
    pub unsupported: Option<String>,
}

impl std::fmt::Debug for EngineConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineConfig")
            .field("token", &self.token)
            .field("protocols", &self.protocols)
            .field("engine", &self.engine)
            .field("devices", &self.devices)
            .field("peer_bind_addrs", &self.peer_bind_addrs)
            .field("liveness_timeout", &self.liveness_timeout)
            .field("unsupported", &self.unsupported)
            .finish_non_exhaustive()
    }
}

impl EngineConfig {
    /// Defaults with this pairing token and these devices.
    pub fn new(token: impl Into<Sensitive>, devices: DeviceSet) -> Self {
        Self {
            token: token.into(),
            protocols: vec![PROTOCOL_VERSION],
            engine: NameVersion::new("connect-media-engine", env!("CARGO_PKG_VERSION")),
            media: Arc::new(WebRtcEngine::new()),
            devices,
            peer_bind_addrs: vec!["0.0.0.0:0".into()],
            liveness_timeout: Duration::from_secs(5),
            unsupported: None,
        }
    }
}

/// What the engine has done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EngineStats {
    /// Desktop connections accepted.
    pub connections: u64,
    /// Peer connections created.
    pub peers_created: u64,
}

pub(super) struct ServerInner {
    pub(super) config: EngineConfig,
    pub(super) shutdown: watch::Sender<bool>,
    active: Mutex<Option<u64>>,
    connections: AtomicU64,
    peers_created: AtomicU64,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    helpers: Mutex<Vec<tokio::task::AbortHandle>>,
}

impl ServerInner {
    /// Takes the single desktop slot for `conn`; false when another connection holds it.
    pub(super) fn claim(&self, conn: u64) -> bool {
        let mut active = self.active.lock().unwrap_or_else(PoisonError::into_inner);
        match *active {
            Some(other) if other != conn => false,
            _ => {
                *active = Some(conn);
                true
            }
        }
    }

    pub(super) fn release(&self, conn: u64) {
        let mut active = self.active.lock().unwrap_or_else(PoisonError::into_inner);
        if *active == Some(conn) {
            *active = None;
        }
    }

    pub(super) fn peer_created(&self) {
        self.peers_created.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn connected_params(&self) -> ConnectedParams {
        ConnectedParams {
            engine: self.config.engine.clone(),
            protocol: PROTOCOL_VERSION,
            media_stack: NameVersion::new("webrtc-rs", "0.21"),
            os: OsInfo::current(),
            client_platform: "Native".into(),
        }
    }

    /// Registers a connection's helper task, so that [`EndpointEngine::kill`] stops it too.
    pub(super) fn helper(&self, task: tokio::task::AbortHandle) {
        let mut helpers = self.helpers.lock().unwrap_or_else(PoisonError::into_inner);
        helpers.retain(|t| !t.is_finished());
        helpers.push(task);
    }

    fn track(&self, task: JoinHandle<()>) {
        let mut tasks = self.tasks.lock().unwrap_or_else(PoisonError::into_inner);
        tasks.retain(|t| !t.is_finished());
        tasks.push(task);
    }
}

/// The endpoint media engine: a WebSocket server speaking `connect-vdi/1` that creates,
/// negotiates and plays each call's media locally. Cheap to clone.
///
/// ```no_run
/// use connect_vdi::engine::{DeviceSet, EngineConfig};
/// use connect_vdi::EndpointEngine;
///
/// # async fn run() -> Result<(), connect_vdi::VdiError> {
/// let config = EngineConfig::new("pairing-token", DeviceSet::fake(440.0));
/// let engine = EndpointEngine::start(config, "127.0.0.1:0").await?;
/// println!("{}", engine.url());
/// engine.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct EndpointEngine {
    inner: Arc<ServerInner>,
    addr: SocketAddr,
}

impl std::fmt::Debug for EndpointEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointEngine")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl EndpointEngine {
    /// Binds `listen` (loopback by default in deployments) and starts serving.
    pub async fn start(config: EngineConfig, listen: &str) -> Result<Self, VdiError> {
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|e| VdiError::Transport(format!("bind {listen}: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| VdiError::Transport(e.to_string()))?;
        let inner = Arc::new(ServerInner {
            config,
            shutdown: watch::channel(false).0,
            active: Mutex::new(None),
            connections: AtomicU64::new(0),
            peers_created: AtomicU64::new(0),
            tasks: Mutex::new(Vec::new()),
            helpers: Mutex::new(Vec::new()),
        });
        let accept = tokio::spawn({
            let inner = Arc::clone(&inner);
            async move {
                let mut stop = inner.shutdown.subscribe();
                loop {
                    let (stream, peer) = tokio::select! {
                        accepted = listener.accept() => match accepted {
                            Ok(accepted) => accepted,
                            Err(error) => {
                                warn!(target: "connect_vdi::engine", %error, "accept failed");
                                continue;
                            }
                        },
                        _ = stop.wait_for(|s| *s) => return,
                    };
                    let conn = inner.connections.fetch_add(1, Ordering::Relaxed) + 1;
                    info!(target: "connect_vdi::engine", conn, %peer, "connection accepted");
                    let _ = stream.set_nodelay(true);
                    inner.track(tokio::spawn(serve(stream, Arc::clone(&inner), conn)));
                }
            }
        });
        inner.track(accept);
        info!(target: "connect_vdi::engine", %addr, "endpoint media engine listening");
        Ok(Self { inner, addr })
    }

    /// The listening address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL desktops connect to (`ws://<addr>`).
    pub fn url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// What the engine has done so far.
    pub fn stats(&self) -> EngineStats {
        EngineStats {
            connections: self.inner.connections.load(Ordering::Relaxed),
            peers_created: self.inner.peers_created.load(Ordering::Relaxed),
        }
    }

    /// Stops gracefully: the connected desktop gets `disconnected{endpointDisconnected,
    /// "engine shutting down"}`, every peer connection is closed, the listener stops.
    pub async fn shutdown(&self) {
        self.inner.shutdown.send_replace(true);
        let tasks: Vec<_> = self
            .inner
            .tasks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain(..)
            .collect();
        for task in tasks {
            let _ = task.await;
        }
    }

    /// Stops at once, as a crash would: no `disconnected`, sockets and peers dropped.
    pub fn kill(&self) {
        for task in self
            .inner
            .tasks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain(..)
        {
            task.abort();
        }
        for task in self
            .inner
            .helpers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain(..)
        {
            task.abort();
        }
    }
}
