//! WAV files as a source: PCM (8–32 bit) or float, any rate and channel count, resampled to
//! 48 kHz mono, played once or in a loop.

use std::io::Read;
use std::path::Path;

use async_trait::async_trait;

use crate::audio::dsp::resample::to_i16;
use crate::audio::{
    AudioError, AudioFrame, AudioSource, Resampler, SourceInfo, FRAME_SAMPLES, SAMPLE_RATE,
};

fn file_error(what: &str, error: impl std::fmt::Display) -> AudioError {
    tracing::warn!(%error, "{what}");
    AudioError::File(format!("{what}: {error}"))
}

/// Plays a WAV file, converted to 48 kHz mono.
///
/// The file is read and converted when opened; the last frame is padded with silence.
///
/// ```
/// use connect_softphone::audio::{AudioSource, WavFileSource};
///
/// # tokio::runtime::Builder::new_current_thread().build().expect("rt").block_on(async {
/// // A 10 ms, 8 kHz, 16-bit mono file, built in memory.
/// let mut bytes = std::io::Cursor::new(Vec::new());
/// let spec = hound::WavSpec {
///     channels: 1,
///     sample_rate: 8_000,
///     bits_per_sample: 16,
///     sample_format: hound::SampleFormat::Int,
/// };
/// let mut writer = hound::WavWriter::new(&mut bytes, spec).expect("writer");
/// for _ in 0..80 {
///     writer.write_sample(1_000i16).expect("sample");
/// }
/// writer.finalize().expect("finalize");
///
/// let mut source = WavFileSource::from_reader(std::io::Cursor::new(bytes.into_inner()), "prompt")
///     .expect("valid WAV");
/// assert_eq!(source.info().native_rate, 8_000);
/// assert!(source.next_frame().await.expect("read").is_some());
/// assert!(source.next_frame().await.expect("read").is_none());
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct WavFileSource {
    name: String,
    native_rate: u32,
    samples: Vec<i16>,
    position: usize,
    looping: bool,
    next_timestamp: u64,
}

impl WavFileSource {
    /// Opens a WAV file to play once.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, AudioError> {
        let path = path.as_ref();
        let file = std::fs::File::open(path)
            .map_err(|e| file_error(&format!("open {}", path.display()), e))?;
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        Self::from_reader(std::io::BufReader::new(file), &name)
    }

    /// Reads a WAV stream (a file, or bytes in memory) to play once; `name` names it in logs.
    pub fn from_reader(reader: impl Read, name: &str) -> Result<Self, AudioError> {
        let mut wav =
            hound::WavReader::new(reader).map_err(|e| file_error("read WAV header", e))?;
        let spec = wav.spec();
        let channels = usize::from(spec.channels.max(1));
        let interleaved: Vec<f32> = match spec.sample_format {
            hound::SampleFormat::Float => wav
                .samples::<f32>()
                .map(|s| s.map(|v| v * 32_768.0))
                .collect::<Result<_, _>>()
                .map_err(|e| file_error("read WAV samples", e))?,
            hound::SampleFormat::Int => {
                // Scale any integer depth to the 16-bit range.
                let scale = 2f32.powi(16 - i32::from(spec.bits_per_sample));
                wav.samples::<i32>()
                    .map(|s| s.map(|v| v as f32 * scale))
                    .collect::<Result<_, _>>()
                    .map_err(|e| file_error("read WAV samples", e))?
            }
        };
        let mono: Vec<f32> = interleaved
            .chunks(channels)
            .map(|c| c.iter().sum::<f32>() / c.len() as f32)
            .collect();
        let samples = to_48k(mono, spec.sample_rate);
        tracing::debug!(
            name,
            rate = spec.sample_rate,
            channels,
            samples = samples.len(),
            "WAV source opened"
        );
        Ok(Self {
            name: name.to_owned(),
            native_rate: spec.sample_rate,
            samples,
            position: 0,
            looping: false,
            next_timestamp: 0,
        })
    }

    /// Plays the file again and again (an empty file still ends at once).
    pub fn looping(mut self, looping: bool) -> Self {
        self.looping = looping;
        self
    }

    /// Length of the converted audio, in 48 kHz samples.
    pub fn len_samples(&self) -> usize {
        self.samples.len()
    }
}

/// Resamples a whole signal to 48 kHz, without the filter's delay and with its tail.
fn to_48k(mono: Vec<f32>, rate: u32) -> Vec<i16> {
    let mut resampler = Resampler::new(rate, SAMPLE_RATE);
    if resampler.is_passthrough() {
        return mono.into_iter().map(to_i16).collect();
    }
    let rate = u64::from(rate.max(1));
    let expected = (mono.len() as u64 * u64::from(SAMPLE_RATE) / rate) as usize;
    let delay_in = resampler.delay_input_samples();
    let delay_out = ((delay_in as u64 * u64::from(SAMPLE_RATE) + rate / 2) / rate) as usize;
    let mut input = mono;
    input.extend(std::iter::repeat_n(0.0, delay_in + 1));
    resampler
        .process(&input)
        .into_iter()
        .skip(delay_out)
        .take(expected)
        .map(to_i16)
        .collect()
}

#[async_trait]
impl AudioSource for WavFileSource {
    async fn next_frame(&mut self) -> Result<Option<AudioFrame>, AudioError> {
        if self.samples.is_empty() || (!self.looping && self.position >= self.samples.len()) {
            return Ok(None);
        }
        let mut frame = Vec::with_capacity(FRAME_SAMPLES);
        while frame.len() < FRAME_SAMPLES {
            if self.position >= self.samples.len() {
                if !self.looping {
                    break;
                }
                self.position = 0;
            }
            let take = (FRAME_SAMPLES - frame.len()).min(self.samples.len() - self.position);
            frame.extend_from_slice(&self.samples[self.position..self.position + take]);
            self.position += take;
        }
        let timestamp = self.next_timestamp;
        self.next_timestamp += FRAME_SAMPLES as u64;
        Ok(Some(AudioFrame::from_samples(timestamp, frame)))
    }

    fn info(&self) -> SourceInfo {
        SourceInfo {
            name: self.name.clone(),
            device_id: None,
            native_rate: self.native_rate,
        }
    }
}
