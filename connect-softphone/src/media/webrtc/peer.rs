//! [`MediaPeer`] on webrtc-rs: the handle the call driver holds.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use async_trait::async_trait;
use tokio::task::JoinHandle;
use webrtc::peer_connection::StatsSelector;

use super::core::Core;
use super::shared::{lock, Shared};
use super::stats;
use crate::audio::{AudioSink, AudioSource};
use crate::media::{IceServer, MediaError, MediaEvents, MediaPeer, MediaStats, SessionDescription};

/// One call's WebRTC media; closing (or dropping) it stops its tasks.
pub(super) struct WebRtcPeer {
    pub(super) core: Arc<Core>,
    pub(super) sink: Arc<tokio::sync::Mutex<Box<dyn AudioSink>>>,
    pub(super) tasks: std::sync::Mutex<Vec<JoinHandle<()>>>,
}

impl WebRtcPeer {
    fn shared(&self) -> &Shared {
        &self.core.shared
    }

    fn ensure_open(&self) -> Result<(), MediaError> {
        if self.shared().is_closed() {
            Err(MediaError::Closed)
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl MediaPeer for WebRtcPeer {
    async fn create_offer(&self) -> Result<SessionDescription, MediaError> {
        self.ensure_open()?;
        self.core.create_offer().await
    }

    async fn apply_answer(&self, answer: SessionDescription) -> Result<(), MediaError> {
        self.ensure_open()?;
        self.core.apply_answer(answer).await
    }

    async fn accept_offer(
        &self,
        offer: SessionDescription,
    ) -> Result<SessionDescription, MediaError> {
        self.ensure_open()?;
        self.core.accept_offer(offer).await
    }

    async fn restart_ice(
        &self,
        ice_servers: Vec<IceServer>,
    ) -> Result<SessionDescription, MediaError> {
        self.ensure_open()?;
        self.core.restart(ice_servers).await
    }

    fn set_muted(&self, muted: bool) {
        self.shared().muted.store(muted, Ordering::Relaxed);
    }

    fn is_muted(&self) -> bool {
        self.shared().muted.load(Ordering::Relaxed)
    }

    async fn replace_source(&self, source: Box<dyn AudioSource>) -> Result<(), MediaError> {
        self.ensure_open()?;
        *self.shared().source.lock().await = source;
        self.shared().source_replaced.store(true, Ordering::Release);
        Ok(())
    }

    async fn send_dtmf(&self, digits: &str) -> Result<(), MediaError> {
        self.ensure_open()?;
        if let Some(negotiated) = self.shared().negotiated() {
            if negotiated.codecs.telephone_event.is_none() {
                return Err(MediaError::DtmfNotNegotiated);
            }
        }
        lock(&self.shared().dtmf).queue(digits)
    }

    async fn stats(&self) -> Result<MediaStats, MediaError> {
        self.ensure_open()?;
        let report = self
            .core
            .pc
            .get_stats(std::time::Instant::now(), StatsSelector::None)
            .await;
        Ok(stats::snapshot(&report, self.shared()))
    }

    fn subscribe(&self) -> MediaEvents {
        MediaEvents::new(self.shared().events.subscribe())
    }

    async fn close(&self) -> Result<(), MediaError> {
        if self.shared().closed.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        for task in lock(&self.tasks).drain(..) {
            task.abort();
        }
        if let Err(error) = self.sink.lock().await.flush().await {
            tracing::warn!(%error, "audio sink flush failed");
        }
        self.core
            .pc
            .close()
            .await
            .map_err(|e| MediaError::Setup(format!("close: {e}")))
    }
}

impl Drop for WebRtcPeer {
    fn drop(&mut self) {
        for task in lock(&self.tasks).drain(..) {
            task.abort();
        }
        if !self.shared().closed.swap(true, Ordering::AcqRel) {
            let pc = Arc::clone(&self.core.pc);
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    let _ = pc.close().await;
                });
            }
        }
    }
}
