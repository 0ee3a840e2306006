//! The streaming halves of the device pipelines: mono samples at the device's rate into 20 ms
//! frames at 48 kHz (capture), and 48 kHz frames into the device's rate and channels (playback).

use crate::audio::dsp::resample::to_i16;
use crate::audio::{AudioFrame, Resampler, FRAME_SAMPLES, SAMPLE_RATE};

use super::convert::upmix;

/// Cuts captured mono audio at the device's rate into 48 kHz frames with running timestamps.
#[derive(Debug)]
pub(crate) struct CaptureFramer {
    resampler: Resampler,
    pending: Vec<i16>,
    next_timestamp: u64,
}

impl CaptureFramer {
    /// A framer for a device capturing at `device_rate` Hz.
    pub(crate) fn new(device_rate: u32) -> Self {
        Self {
            resampler: Resampler::new(device_rate, SAMPLE_RATE),
            pending: Vec::with_capacity(2 * FRAME_SAMPLES),
            next_timestamp: 0,
        }
    }

    /// Adds mono samples (16-bit scale) at the device's rate.
    pub(crate) fn push(&mut self, mono: &[f32]) {
        let resampled = self.resampler.process(mono);
        self.pending.extend(resampled.into_iter().map(to_i16));
    }

    /// The next whole frame, once enough audio has been pushed.
    pub(crate) fn pop_frame(&mut self) -> Option<AudioFrame> {
        if self.pending.len() < FRAME_SAMPLES {
            return None;
        }
        let samples: Vec<i16> = self.pending.drain(..FRAME_SAMPLES).collect();
        let timestamp = self.next_timestamp;
        self.next_timestamp += FRAME_SAMPLES as u64;
        Some(AudioFrame { timestamp, samples })
    }
}

/// Turns 48 kHz mono frames into interleaved samples (±1.0) at a device's rate and channels.
#[derive(Debug)]
pub(crate) struct PlaybackConverter {
    resampler: Resampler,
    channels: usize,
}

impl PlaybackConverter {
    /// A converter for a device playing at `device_rate` Hz on `channels` channels.
    pub(crate) fn new(device_rate: u32, channels: u16) -> Self {
        Self {
            resampler: Resampler::new(SAMPLE_RATE, device_rate),
            channels: usize::from(channels),
        }
    }

    /// The device samples for one frame.
    pub(crate) fn convert(&mut self, frame: &[i16]) -> Vec<f32> {
        let floats: Vec<f32> = frame.iter().map(|&s| f32::from(s)).collect();
        upmix(&self.resampler.process(&floats), self.channels)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::detect_tone;

    fn sine(rate: u32, freq: f64, amplitude: f64, len: usize) -> Vec<f32> {
        (0..len)
            .map(|n| {
                let t = n as f64 / f64::from(rate);
                (amplitude * (2.0 * std::f64::consts::PI * freq * t).sin()) as f32
            })
            .collect()
    }

    #[test]
    fn frames_have_the_right_size_and_timestamps_for_any_chunking() {
        // (device rate, chunk size in device samples, chunks, expected whole frames)
        let cases: &[(u32, usize, usize, usize)] = &[
            (48_000, 960, 10, 10),
            (48_000, 256, 75, 20),
            (44_100, 441, 100, 50),
            (44_100, 1_024, 43, 49),
            (16_000, 160, 100, 50),
            (96_000, 480, 40, 10),
        ];
        for &(rate, chunk, chunks, expected) in cases {
            let mut framer = CaptureFramer::new(rate);
            let mut frames = Vec::new();
            for _ in 0..chunks {
                framer.push(&vec![0.0; chunk]);
                frames.extend(std::iter::from_fn(|| framer.pop_frame()));
            }
            assert_eq!(frames.len(), expected, "{rate} Hz in chunks of {chunk}");
            for (i, frame) in frames.iter().enumerate() {
                assert_eq!(frame.samples.len(), FRAME_SAMPLES);
                assert_eq!(frame.timestamp, (i * FRAME_SAMPLES) as u64);
            }
        }
    }

    #[test]
    fn at_48k_samples_pass_through_unchanged() {
        let input: Vec<f32> = (0..1_500).map(|n| (n % 200) as f32 - 100.0).collect();
        let mut framer = CaptureFramer::new(48_000);
        framer.push(&input);
        let frame = framer.pop_frame().expect("one whole frame");
        let expected: Vec<i16> = input[..FRAME_SAMPLES].iter().map(|&s| s as i16).collect();
        assert_eq!(frame.samples, expected);
        assert!(framer.pop_frame().is_none(), "540 samples are not a frame");
    }

    #[test]
    fn a_44k1_capture_keeps_its_tone_at_48k() {
        for freq in [440.0, 1_000.0, 3_000.0] {
            let input = sine(44_100, freq, 10_000.0, 44_100);
            let mut framer = CaptureFramer::new(44_100);
            for chunk in input.chunks(512) {
                framer.push(chunk);
            }
            let samples: Vec<i16> = std::iter::from_fn(|| framer.pop_frame())
                .skip(5)
                .flat_map(|f| f.samples)
                .collect();
            assert!(samples.len() >= 40 * FRAME_SAMPLES);
            let found = detect_tone(&samples, SAMPLE_RATE, freq);
            let expected = 20.0 * (10_000.0f64 / 32_768.0).log10();
            assert!(found.is_present(expected - 0.5), "{freq} Hz: {found:?}");
            assert!(found.energy_fraction > 0.95, "{freq} Hz: {found:?}");
            // A neighbouring frequency is not there: the pitch did not move.
            assert!(!detect_tone(&samples, SAMPLE_RATE, freq * 1.1).is_present(-60.0));
        }
    }

    #[test]
    fn playback_is_resampled_and_upmixed_for_the_device() {
        // (device rate, channels, device samples per frame)
        let cases: &[(u32, u16, usize)] = &[
            (48_000, 1, 960),
            (48_000, 2, 1_920),
            (44_100, 2, 1_764),
            (16_000, 1, 320),
            (96_000, 6, 11_520),
        ];
        for &(rate, channels, expected) in cases {
            let mut converter = PlaybackConverter::new(rate, channels);
            for _ in 0..3 {
                let out = converter.convert(&[1_000; FRAME_SAMPLES]);
                assert_eq!(out.len(), expected, "{rate} Hz × {channels}");
                assert!(out.iter().all(|s| (-1.0..=1.0).contains(s)));
            }
        }
    }

    #[test]
    fn playback_at_44k1_keeps_the_tone_on_every_channel() {
        let tone: Vec<i16> = sine(48_000, 1_000.0, 16_384.0, 48_000)
            .into_iter()
            .map(|s| s as i16)
            .collect();
        let mut converter = PlaybackConverter::new(44_100, 2);
        let out: Vec<f32> = tone
            .chunks(FRAME_SAMPLES)
            .flat_map(|frame| converter.convert(frame))
            .collect();
        for channel in 0..2 {
            let samples: Vec<i16> = out
                .iter()
                .skip(channel)
                .step_by(2)
                .skip(4_410)
                .map(|&s| to_i16(s * 32_768.0))
                .collect();
            let found = detect_tone(&samples, 44_100, 1_000.0);
            assert!(found.is_present(-6.5), "channel {channel}: {found:?}");
        }
    }
}
