//! The vendor platforms (Citrix, WorkSpaces, Omnissa, Azure) on a native build: their
//! profiles are known, but their vendor globals exist only in a browser, so every media
//! operation reports `PlatformUnavailable` for the fallback policy to handle.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use connect_softphone::media::MediaEngine;

use super::{
    CleanupHandler, DeviceId, MediaDevice, PlatformHub, VdiClientInfo, VdiEvents, VdiPlatform,
    VdiPlatformKind,
};
use crate::protocol::DeviceKind;
use crate::VdiError;

/// A vendor platform requested where it cannot run.
///
/// ```
/// use connect_vdi::platform::{UnavailablePlatform, VdiPlatform, VdiPlatformKind};
///
/// let citrix = UnavailablePlatform::new(VdiPlatformKind::Citrix);
/// assert!(citrix.media_engine().is_err());
/// ```
#[derive(Debug)]
pub struct UnavailablePlatform {
    kind: VdiPlatformKind,
    hub: PlatformHub,
}

impl UnavailablePlatform {
    /// The platform `kind`, unavailable in this build.
    pub fn new(kind: VdiPlatformKind) -> Self {
        Self {
            kind,
            hub: PlatformHub::default(),
        }
    }

    /// The error every operation returns.
    pub fn error(&self) -> VdiError {
        VdiError::PlatformUnavailable {
            kind: self.kind,
            detail: format!(
                "{} needs {} in a browser build of the SDK",
                self.profile().upstream_strategy,
                if self.profile().vendor_component.is_empty() {
                    "the browser's redirected WebRTC"
                } else {
                    self.profile().vendor_component
                }
            ),
        }
    }
}

#[async_trait]
impl VdiPlatform for UnavailablePlatform {
    fn kind(&self) -> VdiPlatformKind {
        self.kind
    }

    fn client_info(&self) -> Option<VdiClientInfo> {
        None
    }

    async fn when_connected(&self, _timeout: Duration) -> Result<VdiClientInfo, VdiError> {
        Err(self.error())
    }

    fn events(&self) -> VdiEvents {
        self.hub.subscribe()
    }

    fn on_cleanup_needed(&self, handler: CleanupHandler) {
        self.hub.on_cleanup(handler);
    }

    fn media_engine(&self) -> Result<Arc<dyn MediaEngine>, VdiError> {
        Err(self.error())
    }

    async fn enumerate_devices(&self) -> Result<Vec<MediaDevice>, VdiError> {
        Err(self.error())
    }

    async fn select_device(
        &self,
        _kind: DeviceKind,
        _id: &DeviceId,
    ) -> Result<MediaDevice, VdiError> {
        Err(self.error())
    }

    async fn close(&self) {}
}
