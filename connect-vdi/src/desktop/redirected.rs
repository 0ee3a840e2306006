//! [`RedirectedMediaEngine`]: a `MediaEngine` whose calls run on the endpoint engine, with the
//! fallback policy applied — never silently — whenever redirection is unavailable.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use connect_softphone::audio::{AudioSink, AudioSource};
use connect_softphone::media::{
    MediaEngine, MediaError, MediaEvents, MediaPeer, PeerConfig, WebRtcEngine,
};
use tokio::sync::broadcast::error::RecvError;
use tracing::{error, info, warn};

use super::handshake::establish;
use super::link::{Link, LinkLoss};
use super::peer::RedirectedPeer;
use super::{EngineClientConfig, FallbackPolicy};
use crate::platform::{
    CleanupHandler, EngineEndpoint, MediaDevice, PlatformHub, VdiClientInfo, VdiEvents,
    VdiPlatformKind,
};
use crate::protocol::Notification;
use crate::{VdiError, VdiEvent};

/// Where a call's media ended up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaPlacement {
    /// On the endpoint engine.
    Redirected,
    /// In the desktop (fallback policy `InDesktop`).
    InDesktop,
}

enum State {
    Up(Arc<Link>),
    Down(LinkLoss),
}

pub(super) struct Inner {
    pub(super) config: EngineClientConfig,
    policy: FallbackPolicy,
    local: Arc<dyn MediaEngine>,
    state: tokio::sync::Mutex<State>,
    pub(super) hub: PlatformHub,
    info: Mutex<Option<VdiClientInfo>>,
    pub(super) selected_input: Mutex<Option<String>>,
    pub(super) devices: Mutex<Vec<MediaDevice>>,
}

/// The desktop side of media redirection. Cheap to clone.
///
/// ```no_run
/// use connect_vdi::{FallbackPolicy, RedirectedMediaEngine};
/// use connect_vdi::platform::EngineEndpoint;
///
/// # async fn run() -> Result<(), connect_vdi::VdiError> {
/// let endpoint = EngineEndpoint { url: "ws://127.0.0.1:9443".into(), token: "pairing-token".into() };
/// let (engine, mut events) = RedirectedMediaEngine::builder(endpoint)
///     .policy(FallbackPolicy::FailClosed)
///     .connect()
///     .await?;
/// // `engine` is a `connect_softphone::media::MediaEngine`: give it to the softphone.
/// while let Some(event) = events.recv().await {
///     println!("{event:?}");
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedirectedMediaEngine {
    pub(super) inner: Arc<Inner>,
}

impl std::fmt::Debug for RedirectedMediaEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedirectedMediaEngine")
            .field("url", &self.inner.config.endpoint.url)
            .field("policy", &self.inner.policy)
            .finish_non_exhaustive()
    }
}

/// Builds a [`RedirectedMediaEngine`].
pub struct RedirectedMediaEngineBuilder {
    config: EngineClientConfig,
    policy: FallbackPolicy,
    local: Option<Arc<dyn MediaEngine>>,
}

impl RedirectedMediaEngineBuilder {
    /// The fallback policy (default [`FallbackPolicy::FailClosed`]).
    pub fn policy(mut self, policy: FallbackPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The in-desktop engine used by [`FallbackPolicy::InDesktop`] (default `WebRtcEngine`).
    pub fn local_engine(mut self, engine: Arc<dyn MediaEngine>) -> Self {
        self.local = Some(engine);
        self
    }

    /// Adjusts the timeouts and identification.
    pub fn configure(mut self, f: impl FnOnce(&mut EngineClientConfig)) -> Self {
        f(&mut self.config);
        self
    }

    /// Connects to the engine. An unreachable or refusing engine is not an error here: it is
    /// reported as [`VdiEvent::ClientDisconnected`] and the policy applies to calls. Only bad
    /// configuration fails.
    pub async fn connect(self) -> Result<(RedirectedMediaEngine, VdiEvents), VdiError> {
        self.config.validate()?;
        let inner = Arc::new(Inner {
            config: self.config,
            policy: self.policy,
            local: self.local.unwrap_or_else(|| Arc::new(WebRtcEngine::new())),
            state: tokio::sync::Mutex::new(State::Down(LinkLoss {
                reason: crate::VdiDisconnectReason::EndpointDisconnected,
                message: Some("not connected yet".into()),
            })),
            hub: PlatformHub::default(),
            info: Mutex::new(None),
            selected_input: Mutex::new(None),
            devices: Mutex::new(Vec::new()),
        });
        let events = inner.hub.subscribe();
        let engine = RedirectedMediaEngine { inner };
        let mut state = engine.inner.state.lock().await;
        if let Err(loss) = engine.inner.establish_locked(&mut state, false).await {
            engine.inner.announce_policy(&loss);
        }
        drop(state);
        Ok((engine, events))
    }
}

impl RedirectedMediaEngine {
    /// A builder for the engine at `endpoint`.
    pub fn builder(endpoint: EngineEndpoint) -> RedirectedMediaEngineBuilder {
        RedirectedMediaEngineBuilder {
            config: EngineClientConfig::new(endpoint),
            policy: FallbackPolicy::default(),
            local: None,
        }
    }

    /// The fallback policy.
    pub fn policy(&self) -> FallbackPolicy {
        self.inner.policy
    }

    /// A new subscription to the VDI events.
    pub fn events(&self) -> VdiEvents {
        self.inner.hub.subscribe()
    }

    /// Registers a handler run on every disconnect.
    pub fn on_cleanup_needed(&self, handler: CleanupHandler) {
        self.inner.hub.on_cleanup(handler);
    }

    /// The endpoint's version block while connected.
    pub fn client_info(&self) -> Option<VdiClientInfo> {
        self.inner
            .info
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Waits until redirection is ready, reconnecting if it is down.
    pub async fn when_connected(&self, timeout: Duration) -> Result<VdiClientInfo, VdiError> {
        match tokio::time::timeout(timeout, self.inner.link()).await {
            Err(_) => Err(VdiError::ReadinessTimeout {
                kind: VdiPlatformKind::Engine,
                after: timeout,
            }),
            Ok(Err(loss)) => Err(VdiError::RedirectionUnavailable {
                reason: loss.reason,
                message: loss.message,
            }),
            Ok(Ok(_)) => self.client_info().ok_or(VdiError::Disconnected {
                reason: crate::VdiDisconnectReason::EndpointDisconnected,
            }),
        }
    }

    /// Creates a call's media: on the endpoint when redirection is up (reconnecting first if
    /// it is down — a call boundary), otherwise as the policy says. `source` and `sink` are
    /// used only for in-desktop media; redirected media captures and plays on the endpoint's
    /// selected devices.
    pub async fn open_peer(
        &self,
        config: PeerConfig,
        source: Box<dyn AudioSource>,
        sink: Box<dyn AudioSink>,
    ) -> Result<(Arc<dyn MediaPeer>, MediaEvents, MediaPlacement), VdiError> {
        let loss = match self.inner.link().await {
            Ok(link) => match RedirectedPeer::open(Arc::clone(&self.inner), link, &config).await {
                Ok((peer, events)) => return Ok((peer, events, MediaPlacement::Redirected)),
                Err(VdiError::Disconnected { reason }) => LinkLoss {
                    reason,
                    message: Some("engine lost while creating the call's media".into()),
                },
                Err(other) => return Err(other),
            },
            Err(loss) => loss,
        };
        self.inner.announce_policy(&loss);
        match self.inner.policy {
            FallbackPolicy::FailClosed => Err(VdiError::RedirectionUnavailable {
                reason: loss.reason,
                message: loss.message,
            }),
            FallbackPolicy::InDesktop => {
                let (peer, events) = self
                    .inner
                    .local
                    .create_peer(config, source, sink)
                    .await
                    .map_err(|e| VdiError::Media(e.to_string()))?;
                Ok((peer, events, MediaPlacement::InDesktop))
            }
        }
    }

    /// Ends the connection cleanly (`close{all}`).
    pub async fn shutdown(&self) {
        let state = self.inner.state.lock().await;
        if let State::Up(link) = &*state {
            let close = crate::protocol::Request::Close(crate::protocol::CloseParams {
                all: true,
                ..Default::default()
            });
            if let Err(e) = link
                .call::<serde_json::Value>(&close, self.inner.config.request_timeout)
                .await
            {
                warn!(target: "connect_vdi", error = %e, "close{{all}} failed");
            }
            link.close();
        }
    }
}

#[async_trait]
impl MediaEngine for RedirectedMediaEngine {
    async fn create_peer(
        &self,
        config: PeerConfig,
        source: Box<dyn AudioSource>,
        sink: Box<dyn AudioSink>,
    ) -> Result<(Arc<dyn MediaPeer>, MediaEvents), MediaError> {
        self.open_peer(config, source, sink)
            .await
            .map(|(peer, events, _)| (peer, events))
            .map_err(|e| MediaError::Setup(e.to_string()))
    }
}

impl Inner {
    /// The live link, reconnecting (with events) when it is down.
    pub(super) async fn link(self: &Arc<Self>) -> Result<Arc<Link>, LinkLoss> {
        let mut state = self.state.lock().await;
        if let State::Up(link) = &*state {
            match link.loss() {
                None => return Ok(Arc::clone(link)),
                Some(loss) => self.on_lost(&mut state, loss),
            }
        }
        self.establish_locked(&mut state, true).await
    }

    async fn establish_locked(
        self: &Arc<Self>,
        state: &mut State,
        restoring: bool,
    ) -> Result<Arc<Link>, LinkLoss> {
        match establish(&self.config).await {
            Ok(established) => {
                info!(target: "connect_vdi", url = %self.config.endpoint.url, engine = ?established.info.client_version, "media redirection established");
                *self.info.lock().unwrap_or_else(PoisonError::into_inner) =
                    Some(established.info.clone());
                *state = State::Up(Arc::clone(&established.link));
                self.hub
                    .emit(VdiEvent::ClientConnected(established.info.clone()));
                if restoring {
                    self.hub
                        .emit(VdiEvent::RedirectionRestored(established.info));
                }
                tokio::spawn(monitor(Arc::downgrade(self), Arc::clone(&established.link)));
                Ok(established.link)
            }
            Err(loss) => {
                let repeated = matches!(&*state, State::Down(previous) if previous.reason == loss.reason && restoring);
                if !repeated {
                    self.disconnected(&loss);
                }
                *state = State::Down(loss.clone());
                Err(loss)
            }
        }
    }

    fn on_lost(&self, state: &mut State, loss: LinkLoss) {
        *state = State::Down(loss.clone());
        self.disconnected(&loss);
        self.announce_policy(&loss);
    }

    fn disconnected(&self, loss: &LinkLoss) {
        error!(target: "connect_vdi", reason = %loss.reason, message = ?loss.message, "media redirection unavailable");
        *self.info.lock().unwrap_or_else(PoisonError::into_inner) = None;
        self.hub.emit(VdiEvent::ClientDisconnected {
            reason: loss.reason.clone(),
            message: loss.message.clone(),
        });
        self.hub.run_cleanup(&loss.reason);
    }

    /// Emits the policy's event and its log line.
    fn announce_policy(&self, loss: &LinkLoss) {
        let platform = VdiPlatformKind::Engine;
        let (reason, message) = (loss.reason.clone(), loss.message.clone());
        match self.policy {
            FallbackPolicy::FailClosed => {
                error!(target: "connect_vdi::fallback", %platform, %reason, ?message, "fail-closed: call media refused while redirection is unavailable");
                self.hub.emit(VdiEvent::FailedClosed {
                    platform,
                    reason,
                    message,
                });
            }
            FallbackPolicy::InDesktop => {
                warn!(target: "connect_vdi::fallback", %platform, %reason, ?message, "fallback: call media runs in the desktop while redirection is unavailable");
                self.hub.emit(VdiEvent::FallbackEngaged {
                    platform,
                    reason,
                    message,
                });
            }
        }
    }
}

/// Watches one link: device changes while it lives, the disconnect transition when it dies.
async fn monitor(inner: std::sync::Weak<Inner>, link: Arc<Link>) {
    let mut notifications = link.notifications();
    let loss = loop {
        tokio::select! {
            loss = link.lost() => break loss,
            notification = notifications.recv() => match notification {
                Ok(Notification::DeviceChange(list)) => {
                    let Some(inner) = inner.upgrade() else { return };
                    inner.on_device_change(&list.devices);
                }
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => break link.lost().await,
            },
        }
    };
    let Some(inner) = inner.upgrade() else { return };
    let mut state = inner.state.lock().await;
    if matches!(&*state, State::Up(current) if Arc::ptr_eq(current, &link)) {
        inner.on_lost(&mut state, loss);
    }
}
