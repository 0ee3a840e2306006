//! The traits every audio source and sink implements.

use async_trait::async_trait;

use super::{AudioError, AudioFrame};

/// What a source is, for logs and device events.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceInfo {
    /// Human-readable name (a file name, "tone 440 Hz", a device name).
    pub name: String,
    /// Device id, for live devices.
    pub device_id: Option<String>,
    /// The rate the source produces before resampling to 48 kHz, in Hz.
    pub native_rate: u32,
}

/// Produces 20 ms frames, pulled by the encoder clock.
///
/// ```
/// use async_trait::async_trait;
/// use connect_softphone::audio::{AudioError, AudioFrame, AudioSource, SourceInfo};
///
/// struct Zeros(u64);
///
/// #[async_trait]
/// impl AudioSource for Zeros {
///     async fn next_frame(&mut self) -> Result<Option<AudioFrame>, AudioError> {
///         self.0 += 960;
///         Ok(Some(AudioFrame::silence(self.0 - 960)))
///     }
///     fn info(&self) -> SourceInfo {
///         SourceInfo { name: "zeros".into(), device_id: None, native_rate: 48_000 }
///     }
/// }
/// ```
#[async_trait]
pub trait AudioSource: Send {
    /// The next frame; `None` at the end of the stream.
    async fn next_frame(&mut self) -> Result<Option<AudioFrame>, AudioError>;
    /// What this source is.
    fn info(&self) -> SourceInfo;
}

/// Consumes 20 ms frames, pushed by the jitter-buffer playout clock.
///
/// ```
/// use async_trait::async_trait;
/// use connect_softphone::audio::{AudioError, AudioFrame, AudioSink};
///
/// struct Count(usize);
///
/// #[async_trait]
/// impl AudioSink for Count {
///     async fn write_frame(&mut self, _frame: &AudioFrame) -> Result<(), AudioError> {
///         self.0 += 1;
///         Ok(())
///     }
/// }
/// ```
#[async_trait]
pub trait AudioSink: Send {
    /// Plays or stores one frame.
    async fn write_frame(&mut self, frame: &AudioFrame) -> Result<(), AudioError>;
    /// Writes out anything buffered (a file's header, a device's queue).
    async fn flush(&mut self) -> Result<(), AudioError> {
        Ok(())
    }
}
