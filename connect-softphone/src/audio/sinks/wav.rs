//! A sink that records to a 48 kHz mono 16-bit WAV file.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use async_trait::async_trait;

use crate::audio::{AudioError, AudioFrame, AudioSink, SAMPLE_RATE};

fn file_error(what: &str, error: impl std::fmt::Display) -> AudioError {
    tracing::warn!(%error, "{what}");
    AudioError::File(format!("{what}: {error}"))
}

/// Records frames to a WAV file (48 kHz, mono, 16-bit). The header is brought up to date by
/// [`AudioSink::flush`], by [`WavFileSink::finalize`] and when the sink is dropped.
///
/// ```
/// use connect_softphone::audio::{AudioFrame, AudioSink, WavFileSink, WavFileSource};
///
/// # tokio::runtime::Builder::new_current_thread().build().expect("rt").block_on(async {
/// let path = std::env::temp_dir().join(format!("wav-sink-doc-{}.wav", std::process::id()));
/// let mut sink = WavFileSink::create(&path).expect("create");
/// sink.write_frame(&AudioFrame::from_samples(0, vec![100; 960])).await.expect("write");
/// sink.finalize().expect("finalize");
/// assert_eq!(WavFileSource::open(&path).expect("open").len_samples(), 960);
/// # std::fs::remove_file(&path).ok();
/// # });
/// ```
pub struct WavFileSink {
    writer: Option<hound::WavWriter<BufWriter<File>>>,
}

impl std::fmt::Debug for WavFileSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WavFileSink")
            .field("open", &self.writer.is_some())
            .finish()
    }
}

impl WavFileSink {
    /// Creates (or truncates) the file.
    pub fn create(path: impl AsRef<Path>) -> Result<Self, AudioError> {
        let path = path.as_ref();
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: SAMPLE_RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let writer = hound::WavWriter::create(path, spec)
            .map_err(|e| file_error(&format!("create {}", path.display()), e))?;
        Ok(Self {
            writer: Some(writer),
        })
    }

    /// Writes the final header and closes the file.
    pub fn finalize(mut self) -> Result<(), AudioError> {
        match self.writer.take() {
            Some(writer) => writer.finalize().map_err(|e| file_error("finalize WAV", e)),
            None => Ok(()),
        }
    }
}

#[async_trait]
impl AudioSink for WavFileSink {
    async fn write_frame(&mut self, frame: &AudioFrame) -> Result<(), AudioError> {
        let writer = self.writer.as_mut().ok_or(AudioError::Closed)?;
        let mut chunk = writer.get_i16_writer(frame.samples.len() as u32);
        for &sample in &frame.samples {
            chunk.write_sample(sample);
        }
        chunk.flush().map_err(|e| file_error("write WAV", e))
    }

    async fn flush(&mut self) -> Result<(), AudioError> {
        match self.writer.as_mut() {
            Some(writer) => writer.flush().map_err(|e| file_error("flush WAV", e)),
            None => Ok(()),
        }
    }
}
