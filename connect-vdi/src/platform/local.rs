//! `None`: no redirection; media runs in this process on the local media engine.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use connect_softphone::media::MediaEngine;

use super::{
    CleanupHandler, DeviceId, MediaDevice, PlatformHub, VdiClientInfo, VdiEvents, VdiPlatform,
    VdiPlatformKind,
};
use crate::protocol::DeviceKind;
use crate::VdiError;

/// The platform without redirection: ready at once, the given engine (normally
/// `WebRtcEngine`), and the application's own device list.
///
/// ```
/// use std::sync::Arc;
/// use connect_softphone::media::WebRtcEngine;
/// use connect_vdi::platform::{LocalPlatform, VdiPlatform, VdiPlatformKind};
///
/// let local = LocalPlatform::new(Arc::new(WebRtcEngine::new()));
/// assert_eq!(local.kind(), VdiPlatformKind::None);
/// assert!(local.supports_early_media());
/// ```
pub struct LocalPlatform {
    engine: Arc<dyn MediaEngine>,
    devices: Mutex<Vec<MediaDevice>>,
    hub: PlatformHub,
}

impl LocalPlatform {
    /// Local media on `engine`, with one default input and one default output.
    pub fn new(engine: Arc<dyn MediaEngine>) -> Self {
        let device = |kind, id: &str, label: &str| MediaDevice {
            id: DeviceId::new(VdiPlatformKind::None, id),
            kind,
            label: label.to_owned(),
            group_id: String::new(),
            is_default: true,
        };
        Self {
            engine,
            devices: Mutex::new(vec![
                device(DeviceKind::AudioInput, "default", "Default microphone"),
                device(DeviceKind::AudioOutput, "default", "Default speaker"),
            ]),
            hub: PlatformHub::default(),
        }
    }

    /// Replaces the device list (the application's own capture and playout devices).
    pub fn with_devices(self, devices: Vec<MediaDevice>) -> Self {
        *self.devices.lock().unwrap_or_else(PoisonError::into_inner) = devices;
        self
    }
}

#[async_trait]
impl VdiPlatform for LocalPlatform {
    fn kind(&self) -> VdiPlatformKind {
        VdiPlatformKind::None
    }

    fn client_info(&self) -> Option<VdiClientInfo> {
        Some(VdiClientInfo::bare(VdiPlatformKind::None))
    }

    async fn when_connected(&self, _timeout: Duration) -> Result<VdiClientInfo, VdiError> {
        Ok(VdiClientInfo::bare(VdiPlatformKind::None))
    }

    fn events(&self) -> VdiEvents {
        self.hub.subscribe()
    }

    fn on_cleanup_needed(&self, handler: CleanupHandler) {
        self.hub.on_cleanup(handler);
    }

    fn media_engine(&self) -> Result<Arc<dyn MediaEngine>, VdiError> {
        Ok(Arc::clone(&self.engine))
    }

    async fn enumerate_devices(&self) -> Result<Vec<MediaDevice>, VdiError> {
        Ok(self
            .devices
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone())
    }

    async fn select_device(
        &self,
        kind: DeviceKind,
        id: &DeviceId,
    ) -> Result<MediaDevice, VdiError> {
        let mut devices = self.devices.lock().unwrap_or_else(PoisonError::into_inner);
        let index = devices
            .iter()
            .position(|d| d.kind == kind && &d.id == id)
            .ok_or_else(|| VdiError::DeviceNotFound(format!("{} ({})", id.id, id.platform)))?;
        for (i, device) in devices.iter_mut().enumerate() {
            if device.kind == kind {
                device.is_default = i == index;
            }
        }
        Ok(devices[index].clone())
    }

    async fn close(&self) {}
}
