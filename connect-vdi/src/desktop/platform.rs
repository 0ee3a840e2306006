//! [`EnginePlatform`]: the `Engine` platform — [`VdiPlatform`] over a [`RedirectedMediaEngine`].

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use connect_softphone::media::MediaEngine;

use super::RedirectedMediaEngine;
use crate::platform::{
    CleanupHandler, DeviceId, MediaDevice, VdiClientInfo, VdiEvents, VdiPlatform, VdiPlatformKind,
};
use crate::protocol::DeviceKind;
use crate::VdiError;

/// The endpoint-engine platform.
#[derive(Clone, Debug)]
pub struct EnginePlatform {
    engine: RedirectedMediaEngine,
}

impl EnginePlatform {
    /// The platform over a connected engine handle.
    pub fn new(engine: RedirectedMediaEngine) -> Self {
        Self { engine }
    }
}

#[async_trait]
impl VdiPlatform for EnginePlatform {
    fn kind(&self) -> VdiPlatformKind {
        VdiPlatformKind::Engine
    }

    fn client_info(&self) -> Option<VdiClientInfo> {
        self.engine.client_info()
    }

    async fn when_connected(&self, timeout: Duration) -> Result<VdiClientInfo, VdiError> {
        self.engine.when_connected(timeout).await
    }

    fn events(&self) -> VdiEvents {
        self.engine.events()
    }

    fn on_cleanup_needed(&self, handler: CleanupHandler) {
        self.engine.on_cleanup_needed(handler);
    }

    fn media_engine(&self) -> Result<Arc<dyn MediaEngine>, VdiError> {
        Ok(Arc::new(self.engine.clone()))
    }

    async fn enumerate_devices(&self) -> Result<Vec<MediaDevice>, VdiError> {
        self.engine.enumerate_devices().await
    }

    async fn select_device(
        &self,
        kind: DeviceKind,
        id: &DeviceId,
    ) -> Result<MediaDevice, VdiError> {
        self.engine.select_device(kind, id).await
    }

    async fn close(&self) {
        self.engine.shutdown().await;
    }
}
