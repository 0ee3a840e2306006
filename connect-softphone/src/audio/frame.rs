//! The unit of audio exchanged everywhere in the softphone.

/// Internal sample rate, in Hz.
pub const SAMPLE_RATE: u32 = 48_000;
/// Frame length, in milliseconds.
pub const FRAME_DURATION_MS: u32 = 20;
/// Samples in one mono frame (20 ms at 48 kHz).
pub const FRAME_SAMPLES: usize = (SAMPLE_RATE / 1000 * FRAME_DURATION_MS) as usize;

/// 20 ms of 48 kHz mono signed 16-bit audio, with its media timestamp.
///
/// ```
/// use connect_softphone::audio::{AudioFrame, FRAME_SAMPLES};
///
/// let frame = AudioFrame::silence(960);
/// assert_eq!(frame.samples.len(), FRAME_SAMPLES);
/// assert!(frame.is_silent());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AudioFrame {
    /// Media timestamp of the first sample, in samples at 48 kHz since the stream started.
    pub timestamp: u64,
    /// Exactly [`FRAME_SAMPLES`] samples.
    pub samples: Vec<i16>,
}

impl AudioFrame {
    /// A frame of digital silence at `timestamp`.
    pub fn silence(timestamp: u64) -> Self {
        Self {
            timestamp,
            samples: vec![0; FRAME_SAMPLES],
        }
    }

    /// A frame from samples; shorter input is padded with silence, longer input is cut.
    pub fn from_samples(timestamp: u64, mut samples: Vec<i16>) -> Self {
        samples.resize(FRAME_SAMPLES, 0);
        Self { timestamp, samples }
    }

    /// Whether every sample is zero.
    pub fn is_silent(&self) -> bool {
        self.samples.iter().all(|&s| s == 0)
    }
}
