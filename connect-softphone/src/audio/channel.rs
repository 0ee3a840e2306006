//! Sources and sinks backed by tokio channels, so that applications feed or consume frames.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::mpsc;

use crate::audio::{
    AudioError, AudioFrame, AudioSink, AudioSource, SourceInfo, FRAME_SAMPLES, SAMPLE_RATE,
};

/// A source fed by the application through a channel; it ends when every sender is dropped.
///
/// ```
/// use connect_softphone::audio::{channel_source, AudioFrame, AudioSource};
///
/// # tokio::runtime::Builder::new_current_thread().build().expect("rt").block_on(async {
/// let (feed, mut source) = channel_source(8);
/// feed.send(AudioFrame::silence(0)).await.expect("send");
/// drop(feed);
/// assert!(source.next_frame().await.expect("frame").is_some());
/// assert!(source.next_frame().await.expect("end").is_none());
/// # });
/// ```
#[derive(Debug)]
pub struct ChannelSource {
    rx: mpsc::Receiver<AudioFrame>,
}

impl ChannelSource {
    /// A source that reads frames from `rx`.
    pub fn new(rx: mpsc::Receiver<AudioFrame>) -> Self {
        Self { rx }
    }
}

/// A channel of `capacity` frames: the sender for the application and the source for the call.
pub fn channel_source(capacity: usize) -> (mpsc::Sender<AudioFrame>, ChannelSource) {
    let (tx, rx) = mpsc::channel(capacity.max(1));
    (tx, ChannelSource::new(rx))
}

#[async_trait]
impl AudioSource for ChannelSource {
    async fn next_frame(&mut self) -> Result<Option<AudioFrame>, AudioError> {
        match self.rx.recv().await {
            Some(frame) if frame.samples.len() != FRAME_SAMPLES => {
                tracing::warn!(
                    len = frame.samples.len(),
                    "channel source got a frame of the wrong size"
                );
                Err(AudioError::InvalidInput(format!(
                    "frame has {} samples, expected {FRAME_SAMPLES}",
                    frame.samples.len()
                )))
            }
            other => Ok(other),
        }
    }

    fn info(&self) -> SourceInfo {
        SourceInfo {
            name: "channel".into(),
            device_id: None,
            native_rate: SAMPLE_RATE,
        }
    }
}

/// A sink that hands frames to the application through a channel. It never blocks the playout:
/// when the application falls `capacity` frames behind, frames are dropped and counted.
///
/// ```
/// use connect_softphone::audio::{channel_sink, AudioFrame, AudioSink};
///
/// # tokio::runtime::Builder::new_current_thread().build().expect("rt").block_on(async {
/// let (mut sink, mut frames) = channel_sink(1);
/// sink.write_frame(&AudioFrame::silence(0)).await.expect("write");
/// sink.write_frame(&AudioFrame::silence(960)).await.expect("full, dropped");
/// assert_eq!(sink.dropped_frames(), 1);
/// assert_eq!(frames.recv().await.map(|f| f.timestamp), Some(0));
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct ChannelSink {
    tx: mpsc::Sender<AudioFrame>,
    dropped: Arc<AtomicU64>,
}

impl ChannelSink {
    /// A sink that writes frames to `tx`.
    pub fn new(tx: mpsc::Sender<AudioFrame>) -> Self {
        Self {
            tx,
            dropped: Arc::default(),
        }
    }

    /// Frames dropped because the application was not reading fast enough.
    pub fn dropped_frames(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

/// A channel of `capacity` frames: the sink for the call and the receiver for the application.
pub fn channel_sink(capacity: usize) -> (ChannelSink, mpsc::Receiver<AudioFrame>) {
    let (tx, rx) = mpsc::channel(capacity.max(1));
    (ChannelSink::new(tx), rx)
}

#[async_trait]
impl AudioSink for ChannelSink {
    async fn write_frame(&mut self, frame: &AudioFrame) -> Result<(), AudioError> {
        match self.tx.try_send(frame.clone()) {
            Ok(()) => Ok(()),
            Err(mpsc::error::TrySendError::Full(_)) => {
                let dropped = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                tracing::debug!(dropped, "channel sink full, frame dropped");
                Ok(())
            }
            Err(mpsc::error::TrySendError::Closed(_)) => Err(AudioError::Closed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn source_rejects_bad_frames_and_sink_reports_closed() {
        let (feed, mut source) = channel_source(2);
        feed.send(AudioFrame {
            timestamp: 0,
            samples: vec![0; 10],
        })
        .await
        .expect("send");
        let error = source.next_frame().await.expect_err("wrong size");
        assert!(error.is_invalid_input());

        let (mut sink, frames) = channel_sink(2);
        drop(frames);
        let error = sink
            .write_frame(&AudioFrame::silence(0))
            .await
            .expect_err("closed");
        assert!(error.is_closed());
    }
}
