//! The echo line of a customer leg: what the customer hears is recorded and played back.

use async_trait::async_trait;
use tokio::sync::mpsc;

use crate::audio::{
    AudioError, AudioFrame, AudioSink, AudioSource, MemorySink, SourceInfo, SAMPLE_RATE,
};

/// Frames the line holds before it drops (200 ms).
const LINE_FRAMES: usize = 10;

/// The sink side: records, and queues each frame for playback.
pub(super) struct EchoSink {
    heard: MemorySink,
    line: mpsc::Sender<AudioFrame>,
}

/// The source side: the oldest queued frame, or silence when none is waiting (the encoder
/// clock never waits for the far end).
pub(super) struct EchoSource {
    line: mpsc::Receiver<AudioFrame>,
    timestamp: u64,
}

/// A connected pair recording into `heard`.
pub(super) fn echo_line(heard: MemorySink) -> (EchoSink, EchoSource) {
    let (tx, rx) = mpsc::channel(LINE_FRAMES);
    (
        EchoSink { heard, line: tx },
        EchoSource {
            line: rx,
            timestamp: 0,
        },
    )
}

#[async_trait]
impl AudioSink for EchoSink {
    async fn write_frame(&mut self, frame: &AudioFrame) -> Result<(), AudioError> {
        self.heard.write_frame(frame).await?;
        // A full line drops the frame: playback never blocks the receive loop.
        let _ = self.line.try_send(frame.clone());
        Ok(())
    }
}

#[async_trait]
impl AudioSource for EchoSource {
    async fn next_frame(&mut self) -> Result<Option<AudioFrame>, AudioError> {
        let timestamp = self.timestamp;
        self.timestamp += crate::audio::FRAME_SAMPLES as u64;
        Ok(Some(match self.line.try_recv() {
            Ok(frame) => AudioFrame::from_samples(timestamp, frame.samples),
            Err(_) => AudioFrame::silence(timestamp),
        }))
    }

    fn info(&self) -> SourceInfo {
        SourceInfo {
            name: "echo".into(),
            device_id: None,
            native_rate: SAMPLE_RATE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn what_is_heard_is_recorded_and_played_back() {
        let heard = MemorySink::new();
        let (mut sink, mut source) = echo_line(heard.clone());
        let silent = source.next_frame().await.expect("frame").expect("some");
        assert!(silent.is_silent());
        sink.write_frame(&AudioFrame::from_samples(0, vec![5; 960]))
            .await
            .expect("write");
        let echoed = source.next_frame().await.expect("frame").expect("some");
        assert_eq!((echoed.samples[0], echoed.timestamp), (5, 960));
        assert_eq!(heard.len_samples(), 960);
    }
}
