//! Digital silence: the muted microphone and the idle persistent-connection feed.

use std::time::Duration;

use async_trait::async_trait;

use super::limit::FrameClock;
use crate::audio::{AudioError, AudioFrame, AudioSource, SourceInfo, SAMPLE_RATE};

/// Endless (or time-limited) digital silence.
///
/// ```
/// use connect_softphone::audio::{AudioSource, SilenceSource};
///
/// # tokio::runtime::Builder::new_current_thread().build().expect("rt").block_on(async {
/// let mut silence = SilenceSource::new();
/// assert!(silence.next_frame().await.expect("ok").expect("frame").is_silent());
/// # });
/// ```
#[derive(Clone, Debug, Default)]
pub struct SilenceSource {
    clock: FrameClock,
}

impl SilenceSource {
    /// Endless silence.
    pub fn new() -> Self {
        Self::default()
    }

    /// Ends the stream after `duration` (rounded up to whole frames).
    pub fn with_duration(mut self, duration: Duration) -> Self {
        self.clock.limit(duration);
        self
    }
}

#[async_trait]
impl AudioSource for SilenceSource {
    async fn next_frame(&mut self) -> Result<Option<AudioFrame>, AudioError> {
        Ok(self.clock.tick().map(AudioFrame::silence))
    }

    fn info(&self) -> SourceInfo {
        SourceInfo {
            name: "silence".into(),
            device_id: None,
            native_rate: SAMPLE_RATE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn ends_after_its_duration() {
        let mut source = SilenceSource::new().with_duration(Duration::from_millis(60));
        let mut stamps = Vec::new();
        while let Some(frame) = source.next_frame().await.expect("silence") {
            assert!(frame.is_silent());
            stamps.push(frame.timestamp);
        }
        assert_eq!(stamps, [0, 960, 1_920]);
        assert_eq!(source.info().name, "silence");
    }
}
