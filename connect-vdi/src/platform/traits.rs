//! [`VdiPlatform`]: the per-platform interface (spec §4), one implementation per platform.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use connect_softphone::media::MediaEngine;
use tokio::sync::broadcast::{self, error::RecvError};

use super::{DeviceId, MediaDevice, PlatformProfile, VdiClientInfo, VdiPlatformKind};
use crate::protocol::DeviceKind;
use crate::{VdiDisconnectReason, VdiError, VdiEvent};

/// A handler run whenever redirection drops (every platform, with the typed reason).
pub type CleanupHandler = Box<dyn Fn(&VdiDisconnectReason) + Send + Sync>;

/// One subscriber's ordered VDI events.
#[derive(Debug)]
pub struct VdiEvents {
    receiver: broadcast::Receiver<VdiEvent>,
}

impl VdiEvents {
    /// Wraps a subscription.
    pub fn new(receiver: broadcast::Receiver<VdiEvent>) -> Self {
        Self { receiver }
    }

    /// The next event; `None` once the platform is gone. A slow subscriber gets
    /// [`VdiEvent::Lagged`].
    pub async fn recv(&mut self) -> Option<VdiEvent> {
        match self.receiver.recv().await {
            Ok(event) => Some(event),
            Err(RecvError::Lagged(dropped)) => Some(VdiEvent::Lagged { dropped }),
            Err(RecvError::Closed) => None,
        }
    }
}

/// A VDI platform: where the softphone's media is created, how readiness and disconnects are
/// reported, and which devices exist.
///
/// The upstream hooks map as follows: `_gUM`, `_createRtcPeerConnection`, `addStream`,
/// `setRemoteDescription`, `_ontrack` and `close` of a call are the [`MediaEngine`] /
/// `MediaPeer` calls of [`VdiPlatform::media_engine`] (so SDP munging and the offer/answer flow
/// are identical on every platform); `whenConnected`, `onConnectionNeedingCleanup`,
/// `getStrategyName`, `getVdiClientVersion`, `getMetadata`, `_isEarlyMediaConnectionSupported`,
/// `_enumerateDevices` and device selection are methods here.
#[async_trait]
pub trait VdiPlatform: Send + Sync {
    /// Which platform (`getStrategyName`).
    fn kind(&self) -> VdiPlatformKind;

    /// Its readiness signal, timeouts and limitations.
    fn profile(&self) -> &'static PlatformProfile {
        PlatformProfile::of(self.kind())
    }

    /// The endpoint's version block, once connected.
    fn client_info(&self) -> Option<VdiClientInfo>;

    /// Sanitised telemetry extras (`vdiMetadata`).
    fn metadata(&self) -> BTreeMap<String, String> {
        self.client_info()
            .map(|info| info.metadata())
            .unwrap_or_default()
    }

    /// Whether a standby peer connection can be pre-warmed.
    fn supports_early_media(&self) -> bool {
        self.profile().early_media
    }

    /// Waits until redirection is ready (default 10 s); awaited before every call's media.
    async fn when_connected(&self, timeout: Duration) -> Result<VdiClientInfo, VdiError>;

    /// A new subscription to the platform's events.
    fn events(&self) -> VdiEvents;

    /// Registers a handler run on every disconnect.
    fn on_cleanup_needed(&self, handler: CleanupHandler);

    /// The media engine calls run on (redirected, local, or refusing per the fallback policy).
    fn media_engine(&self) -> Result<Arc<dyn MediaEngine>, VdiError>;

    /// The platform's devices (never a local device API while redirecting).
    async fn enumerate_devices(&self) -> Result<Vec<MediaDevice>, VdiError>;

    /// Selects a device; works between and during calls and persists.
    async fn select_device(&self, kind: DeviceKind, id: &DeviceId)
        -> Result<MediaDevice, VdiError>;

    /// Releases the platform.
    async fn close(&self);
}
