//! A sink that discards audio but counts it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use async_trait::async_trait;

use crate::audio::{AudioError, AudioFrame, AudioSink};

/// Discards every frame; clones share a frame counter.
///
/// ```
/// use connect_softphone::audio::{AudioFrame, AudioSink, NullSink};
///
/// # tokio::runtime::Builder::new_current_thread().build().expect("rt").block_on(async {
/// let sink = NullSink::new();
/// sink.clone().write_frame(&AudioFrame::silence(0)).await.expect("write");
/// assert_eq!(sink.frames_written(), 1);
/// # });
/// ```
#[derive(Clone, Debug, Default)]
pub struct NullSink {
    frames: Arc<AtomicU64>,
}

impl NullSink {
    /// A new sink.
    pub fn new() -> Self {
        Self::default()
    }

    /// Frames written so far.
    pub fn frames_written(&self) -> u64 {
        self.frames.load(Ordering::Relaxed)
    }
}

#[async_trait]
impl AudioSink for NullSink {
    async fn write_frame(&mut self, _frame: &AudioFrame) -> Result<(), AudioError> {
        self.frames.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}
