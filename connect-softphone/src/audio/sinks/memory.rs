//! A sink that keeps everything in memory, readable through shared handles.

use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use tokio::sync::watch;

use crate::audio::{AudioError, AudioFrame, AudioSink};

#[derive(Debug)]
struct Shared {
    samples: Mutex<Vec<i16>>,
    /// Number of samples recorded so far, for waiters.
    count: watch::Sender<usize>,
}

/// Records frames in memory. Clones share one recording, so a test keeps a clone and hands the
/// other to the call.
///
/// ```
/// use connect_softphone::audio::{AudioFrame, AudioSink, MemorySink};
///
/// # tokio::runtime::Builder::new_current_thread().build().expect("rt").block_on(async {
/// let sink = MemorySink::new();
/// let mut for_the_call = sink.clone();
/// for_the_call.write_frame(&AudioFrame::silence(0)).await.expect("write");
/// sink.wait_for_samples(960).await;
/// assert_eq!(sink.samples().len(), 960);
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct MemorySink {
    shared: Arc<Shared>,
}

impl MemorySink {
    /// An empty recording.
    pub fn new() -> Self {
        Self {
            shared: Arc::new(Shared {
                samples: Mutex::new(Vec::new()),
                count: watch::Sender::new(0),
            }),
        }
    }

    /// A copy of everything recorded so far (48 kHz mono).
    pub fn samples(&self) -> Vec<i16> {
        self.lock().clone()
    }

    /// Number of samples recorded so far.
    pub fn len_samples(&self) -> usize {
        self.lock().len()
    }

    /// Forgets what was recorded.
    pub fn clear(&self) {
        self.lock().clear();
        self.shared.count.send_replace(0);
    }

    /// Waits until at least `samples` samples have been recorded.
    pub async fn wait_for_samples(&self, samples: usize) {
        let mut rx = self.shared.count.subscribe();
        // The sender lives in `self.shared`, so the channel cannot close while we wait.
        let _ = rx.wait_for(|&n| n >= samples).await;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<i16>> {
        self.shared
            .samples
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Default for MemorySink {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl AudioSink for MemorySink {
    async fn write_frame(&mut self, frame: &AudioFrame) -> Result<(), AudioError> {
        let len = {
            let mut samples = self.lock();
            samples.extend_from_slice(&frame.samples);
            samples.len()
        };
        self.shared.count.send_replace(len);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn clones_share_the_recording_and_waiters_wake() {
        let sink = MemorySink::new();
        let mut writer = sink.clone();
        let waiter = tokio::spawn({
            let sink = sink.clone();
            async move {
                sink.wait_for_samples(1_920).await;
                sink.len_samples()
            }
        });
        for t in [0, 960] {
            writer
                .write_frame(&AudioFrame::from_samples(t, vec![7; 960]))
                .await
                .expect("write");
        }
        assert_eq!(waiter.await.expect("waiter"), 1_920);
        assert!(sink.samples().iter().all(|&s| s == 7));
        sink.clear();
        assert_eq!(writer.len_samples(), 0);
    }
}
