//! PCMU (G.711 µ-law, 8 kHz, payload type 0), resampled to and from the 48 kHz internal format.

use super::mulaw::{decode_sample, encode_sample};
use crate::audio::dsp::resample::to_i16;
use crate::audio::{AudioDecoder, AudioEncoder, AudioError, AudioFrame, Resampler, FRAME_SAMPLES};

/// RTP clock rate of PCMU.
pub const PCMU_CLOCK_RATE: u32 = 8_000;
/// Samples in one 20 ms PCMU payload.
pub const PCMU_FRAME_SAMPLES: usize = 160;
/// Frames of concealment (20 ms each) before the decoder falls silent: 60 ms.
const PLC_FRAMES: u32 = 3;

/// Encodes 48 kHz frames into 160-byte PCMU payloads.
///
/// ```
/// use connect_softphone::audio::{AudioEncoder, AudioFrame, PcmuEncoder};
///
/// let mut encoder = PcmuEncoder::new();
/// let payload = encoder.encode(&AudioFrame::silence(0)).expect("encode");
/// assert_eq!(payload.len(), 160);
/// ```
#[derive(Debug)]
pub struct PcmuEncoder {
    resampler: Resampler,
}

impl PcmuEncoder {
    /// A new encoder.
    pub fn new() -> Self {
        Self {
            resampler: Resampler::new(crate::audio::SAMPLE_RATE, PCMU_CLOCK_RATE),
        }
    }
}

impl Default for PcmuEncoder {
    fn default() -> Self {
        Self::new()
    }
}

impl AudioEncoder for PcmuEncoder {
    fn clock_rate(&self) -> u32 {
        PCMU_CLOCK_RATE
    }

    fn encode(&mut self, frame: &AudioFrame) -> Result<Vec<u8>, AudioError> {
        if frame.samples.len() != FRAME_SAMPLES {
            tracing::warn!(
                len = frame.samples.len(),
                "PCMU encoder got a frame of the wrong size"
            );
            return Err(AudioError::Codec(format!(
                "frame has {} samples, expected {FRAME_SAMPLES}",
                frame.samples.len()
            )));
        }
        let narrow = self.resampler.process_i16(&frame.samples);
        Ok(narrow.into_iter().map(encode_sample).collect())
    }
}

/// Decodes PCMU payloads into 48 kHz samples; conceals a loss by repeating the last frame while
/// fading it out over 60 ms, then plays silence.
///
/// ```
/// use connect_softphone::audio::{AudioDecoder, PcmuDecoder};
///
/// let mut decoder = PcmuDecoder::new();
/// let samples = decoder.decode(&[0xFF; 160]).expect("decode");
/// assert_eq!(samples.len(), 960);
/// assert_eq!(decoder.decode_fec(&[0xFF; 160]).expect("no FEC in PCMU"), None);
/// ```
#[derive(Debug)]
pub struct PcmuDecoder {
    resampler: Resampler,
    last: Vec<i16>,
    concealed_in_a_row: u32,
}

impl PcmuDecoder {
    /// A new decoder.
    pub fn new() -> Self {
        Self {
            resampler: Resampler::new(PCMU_CLOCK_RATE, crate::audio::SAMPLE_RATE),
            last: vec![0; FRAME_SAMPLES],
            concealed_in_a_row: 0,
        }
    }
}

impl Default for PcmuDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl AudioDecoder for PcmuDecoder {
    fn clock_rate(&self) -> u32 {
        PCMU_CLOCK_RATE
    }

    fn decode(&mut self, payload: &[u8]) -> Result<Vec<i16>, AudioError> {
        if payload.is_empty() {
            tracing::debug!("empty PCMU payload");
            return Err(AudioError::Codec("empty PCMU payload".into()));
        }
        let narrow: Vec<i16> = payload.iter().map(|&b| decode_sample(b)).collect();
        let wide = self.resampler.process_i16(&narrow);
        if wide.len() == FRAME_SAMPLES {
            self.last.clone_from(&wide);
        }
        self.concealed_in_a_row = 0;
        Ok(wide)
    }

    fn decode_fec(&mut self, _next_payload: &[u8]) -> Result<Option<Vec<i16>>, AudioError> {
        Ok(None)
    }

    fn conceal(&mut self) -> Result<Vec<i16>, AudioError> {
        let k = self.concealed_in_a_row;
        self.concealed_in_a_row = self.concealed_in_a_row.saturating_add(1);
        if k >= PLC_FRAMES {
            return Ok(vec![0; FRAME_SAMPLES]);
        }
        // A linear fade from (1 − k/3) to (1 − (k+1)/3) across this frame.
        let n = self.last.len() as f32;
        let total = (PLC_FRAMES as f32) * n;
        Ok(self
            .last
            .iter()
            .enumerate()
            .map(|(i, &s)| {
                let gain = 1.0 - (k as f32 * n + i as f32 + 1.0) / total;
                to_i16(f32::from(s) * gain)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::detect_tone;

    fn tone_frame(index: u64) -> AudioFrame {
        let samples = (0..FRAME_SAMPLES)
            .map(|i| {
                let n = index as f64 * FRAME_SAMPLES as f64 + i as f64;
                (8_000.0 * (2.0 * std::f64::consts::PI * 1_000.0 * n / 48_000.0).sin()) as i16
            })
            .collect();
        AudioFrame::from_samples(index * FRAME_SAMPLES as u64, samples)
    }

    #[test]
    fn a_tone_survives_the_round_trip() {
        let (mut enc, mut dec) = (PcmuEncoder::new(), PcmuDecoder::new());
        let mut out = Vec::new();
        for i in 0..25 {
            let payload = enc.encode(&tone_frame(i)).expect("encode");
            assert_eq!(payload.len(), PCMU_FRAME_SAMPLES);
            out.extend(dec.decode(&payload).expect("decode"));
        }
        let found = detect_tone(&out[4_800..], 48_000, 1_000.0);
        let expected = 20.0 * (8_000.0f64 / 32_768.0).log10();
        assert!((found.level_dbfs - expected).abs() < 0.5, "{found:?}");
        assert!(found.energy_fraction > 0.95);
    }

    #[test]
    fn concealment_fades_out_over_60_ms_then_is_silent() {
        let (mut enc, mut dec) = (PcmuEncoder::new(), PcmuDecoder::new());
        for i in 0..5 {
            dec.decode(&enc.encode(&tone_frame(i)).expect("encode"))
                .expect("decode");
        }
        let peak = |s: &[i16]| s.iter().map(|v| v.unsigned_abs()).max().unwrap_or(0);
        let last_peak = peak(&dec.last);
        let concealed: Vec<Vec<i16>> = (0..5).map(|_| dec.conceal().expect("plc")).collect();
        // (frame, whether it still carries sound)
        let expected = [(0, true), (1, true), (2, true), (3, false), (4, false)];
        for (k, audible) in expected {
            assert_eq!(concealed[k].len(), FRAME_SAMPLES);
            assert_eq!(peak(&concealed[k]) > 0, audible, "frame {k}");
        }
        assert!(peak(&concealed[0]) <= last_peak);
        assert!(peak(&concealed[2]) < peak(&concealed[0]));
        // A real packet ends the concealment.
        dec.decode(&[0xFF; 160]).expect("decode");
        assert_eq!(dec.concealed_in_a_row, 0);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(PcmuDecoder::new().decode(&[]).is_err());
        let short = AudioFrame {
            timestamp: 0,
            samples: vec![0; 10],
        };
        assert!(PcmuEncoder::new().encode(&short).is_err());
    }
}
