//! Signal processing on 16-bit samples: resampling, levels, tone detection and the comparison of
//! a recording with what was played.

mod band_filter;
mod compare;
mod fft;
pub(crate) mod goertzel;
mod level;
pub(crate) mod resample;

pub use compare::{
    audio_match, audio_match_band, audio_match_db, AudioMatch, DEFAULT_MAX_LAG, SEGMENT_SAMPLES,
    TELEPHONE_BAND,
};
pub use goertzel::{detect_tone, tone_level_dbfs, ToneDetection};
pub use level::{level_dbov, peak_level};
pub use resample::Resampler;
