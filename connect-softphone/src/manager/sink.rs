//! [`SwitchSink`]: the sink a peer connection plays into, switched to the sink of the call it
//! carries (a persistent peer connection carries one call after another), silent while idle.

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::Mutex;

use crate::audio::{AudioError, AudioFrame, AudioSink};

/// Clones share the target.
#[derive(Clone, Default)]
pub(super) struct SwitchSink {
    target: Arc<Mutex<Option<Box<dyn AudioSink>>>>,
}

impl SwitchSink {
    /// Plays into `sink`.
    pub(super) fn to(sink: Box<dyn AudioSink>) -> Self {
        Self {
            target: Arc::new(Mutex::new(Some(sink))),
        }
    }

    /// Plays into `sink` from now on (`None`: discard); the previous sink is flushed.
    pub(super) async fn switch(&self, sink: Option<Box<dyn AudioSink>>) {
        let previous = std::mem::replace(&mut *self.target.lock().await, sink);
        if let Some(mut previous) = previous {
            if let Err(error) = previous.flush().await {
                tracing::warn!(%error, "call audio sink flush failed");
            }
        }
    }
}

#[async_trait]
impl AudioSink for SwitchSink {
    async fn write_frame(&mut self, frame: &AudioFrame) -> Result<(), AudioError> {
        match self.target.lock().await.as_mut() {
            Some(sink) => sink.write_frame(frame).await,
            None => Ok(()),
        }
    }

    async fn flush(&mut self) -> Result<(), AudioError> {
        match self.target.lock().await.as_mut() {
            Some(sink) => sink.flush().await,
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::MemorySink;

    #[tokio::test]
    async fn frames_go_to_the_current_call_only() {
        let switch = SwitchSink::default();
        let mut writer = switch.clone();
        writer
            .write_frame(&AudioFrame::silence(0))
            .await
            .expect("idle: discarded");
        let first = MemorySink::new();
        switch.switch(Some(Box::new(first.clone()))).await;
        writer
            .write_frame(&AudioFrame::silence(960))
            .await
            .expect("first call");
        let second = MemorySink::new();
        switch.switch(Some(Box::new(second.clone()))).await;
        writer
            .write_frame(&AudioFrame::silence(1920))
            .await
            .expect("second call");
        writer.flush().await.expect("flush");
        assert_eq!((first.len_samples(), second.len_samples()), (960, 960));
    }
}
