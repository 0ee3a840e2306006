//! A deterministic speech-like signal: voiced syllables with gliding pitch and formants,
//! fricatives and pauses, from a seed.

use std::time::Duration;

use async_trait::async_trait;
use connect_core::time::SplitMix64;

use super::limit::FrameClock;
use super::tone::amplitude_for_dbfs;
use crate::audio::dsp::resample::to_i16;
use crate::audio::{AudioError, AudioFrame, AudioSource, SourceInfo, FRAME_SAMPLES, SAMPLE_RATE};

const FS: f64 = SAMPLE_RATE as f64;
/// Samples between updates of the formant filters (1 ms).
const CONTROL_PERIOD: u64 = 48;
/// Scales the raw synthesis so that active speech has about the requested RMS level
/// (measured over many seeds).
const CALIBRATION: f64 = 0.71;

/// What the talker is doing.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Segment {
    Voiced,
    Fricative,
    Pause,
}

/// A two-pole resonator (one formant).
#[derive(Clone, Copy, Debug, Default)]
struct Resonator {
    a1: f64,
    a2: f64,
    gain: f64,
    y1: f64,
    y2: f64,
}

impl Resonator {
    fn tune(&mut self, freq: f64, bandwidth: f64) {
        let r = (-std::f64::consts::PI * bandwidth / FS).exp();
        self.a1 = 2.0 * r * (2.0 * std::f64::consts::PI * freq / FS).cos();
        self.a2 = -r * r;
        self.gain = 1.0 - r;
    }

    fn run(&mut self, x: f64) -> f64 {
        let y = self.gain * x + self.a1 * self.y1 + self.a2 * self.y2;
        self.y2 = self.y1;
        self.y1 = y;
        y
    }
}

/// A speech-like test signal: the same seed always gives the same samples.
///
/// Syllables of 100–300 ms carry a glottal pulse train (pitch 90–220 Hz, gliding) shaped by three
/// gliding formants; some begin with a fricative; phrases end in pauses. Its level is about
/// `level_dbfs` RMS (relative to a full-scale sine) while the talker talks. Unlike a tone it never
/// repeats, so recordings of it can be aligned unambiguously (see [`audio_match`](crate::audio::audio_match)).
///
/// ```
/// use connect_softphone::audio::{AudioSource, SpeechLikeSource};
///
/// # tokio::runtime::Builder::new_current_thread().build().expect("rt").block_on(async {
/// let mut a = SpeechLikeSource::new(7);
/// let mut b = SpeechLikeSource::new(7);
/// assert_eq!(a.next_frame().await.expect("ok"), b.next_frame().await.expect("ok"));
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct SpeechLikeSource {
    seed: u64,
    rng: SplitMix64,
    amplitude: f64,
    clock: FrameClock,
    n: u64,
    segment: Segment,
    remaining: u64,
    segment_len: u64,
    syllables_left_in_phrase: u32,
    f0: f64,
    f0_target: f64,
    glottal_phase: f64,
    formants: [Resonator; 3],
    formant_freqs: [f64; 3],
    formant_targets: [f64; 3],
    last_pulse: f64,
    noise_hp: f64,
}

impl SpeechLikeSource {
    /// An endless talker at −20 dBFS, from `seed`.
    pub fn new(seed: u64) -> Self {
        let mut source = Self {
            seed,
            rng: SplitMix64::new(seed),
            amplitude: amplitude_for_dbfs(-20.0),
            clock: FrameClock::default(),
            n: 0,
            segment: Segment::Pause,
            remaining: 0,
            segment_len: 1,
            syllables_left_in_phrase: 0,
            f0: 130.0,
            f0_target: 130.0,
            glottal_phase: 0.0,
            formants: [Resonator::default(); 3],
            formant_freqs: [500.0, 1_500.0, 2_500.0],
            formant_targets: [500.0, 1_500.0, 2_500.0],
            last_pulse: 0.0,
            noise_hp: 0.0,
        };
        source.retune();
        // Start talking at once rather than with a pause.
        source.next_segment();
        source
    }

    /// Sets the active-speech level, in dBFS RMS (default −20).
    pub fn with_level(mut self, level_dbfs: f64) -> Self {
        self.amplitude = amplitude_for_dbfs(level_dbfs);
        self
    }

    /// Ends the stream after `duration` (rounded up to whole frames).
    pub fn with_duration(mut self, duration: Duration) -> Self {
        self.clock.limit(duration);
        self
    }

    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.rng.next_f64()
    }

    fn next_segment(&mut self) {
        let (segment, ms) = if self.segment == Segment::Fricative {
            (Segment::Voiced, self.uniform(100.0, 260.0))
        } else if self.syllables_left_in_phrase == 0 && self.segment != Segment::Pause {
            (Segment::Pause, self.uniform(120.0, 450.0))
        } else {
            if self.segment == Segment::Pause {
                self.syllables_left_in_phrase = 2 + (self.rng.next_u64() % 5) as u32;
            }
            self.syllables_left_in_phrase -= 1;
            // A new syllable: new pitch and vowel targets.
            self.f0_target = self.uniform(90.0, 220.0);
            self.formant_targets = [
                self.uniform(280.0, 850.0),
                self.uniform(850.0, 2_300.0),
                self.uniform(2_300.0, 3_200.0),
            ];
            if self.rng.next_f64() < 0.3 {
                (Segment::Fricative, self.uniform(40.0, 90.0))
            } else {
                (Segment::Voiced, self.uniform(100.0, 300.0))
            }
        };
        self.segment = segment;
        self.segment_len = ((ms / 1_000.0) * FS) as u64;
        self.remaining = self.segment_len;
    }

    fn retune(&mut self) {
        const BANDWIDTHS: [f64; 3] = [90.0, 110.0, 170.0];
        for ((resonator, freq), bw) in self
            .formants
            .iter_mut()
            .zip(self.formant_freqs)
            .zip(BANDWIDTHS)
        {
            resonator.tune(freq, bw);
        }
    }

    fn envelope(&self) -> f64 {
        // 15 ms attack and 25 ms release inside each segment.
        let done = (self.segment_len - self.remaining) as f64 / FS;
        let left = self.remaining as f64 / FS;
        (done / 0.015).min(1.0) * (left / 0.025).min(1.0)
    }

    fn sample(&mut self) -> f64 {
        if self.remaining == 0 {
            self.next_segment();
        }
        self.remaining -= 1;
        if self.n % CONTROL_PERIOD == 0 {
            // Glide pitch and formants towards their targets (~30 ms time constant).
            let k = 1.0 - (-(CONTROL_PERIOD as f64) / (0.03 * FS)).exp();
            self.f0 += (self.f0_target - self.f0) * k;
            for (f, t) in self.formant_freqs.iter_mut().zip(self.formant_targets) {
                *f += (t - *f) * k;
            }
            self.retune();
        }
        self.n += 1;
        let envelope = self.envelope();
        let excitation = match self.segment {
            Segment::Pause => 0.0,
            Segment::Voiced => {
                // Rosenberg glottal pulse, differentiated (lip radiation).
                self.glottal_phase = (self.glottal_phase + self.f0 / FS) % 1.0;
                let p = self.glottal_phase;
                let pulse = if p < 0.4 {
                    0.5 * (1.0 - (std::f64::consts::PI * p / 0.4).cos())
                } else if p < 0.56 {
                    (std::f64::consts::PI * (p - 0.4) / 0.32).cos()
                } else {
                    0.0
                };
                let d = pulse - self.last_pulse;
                self.last_pulse = pulse;
                d * 40.0
            }
            Segment::Fricative => {
                let white = self.uniform(-1.0, 1.0);
                let hp = white - self.noise_hp;
                self.noise_hp = white;
                hp * 0.6
            }
        };
        let shaped = if self.segment == Segment::Fricative {
            excitation + 0.3 * self.formants[2].run(excitation) * 8.0
        } else {
            self.formants
                .iter_mut()
                .map(|r| r.run(excitation))
                .sum::<f64>()
        };
        shaped * envelope
    }
}

#[async_trait]
impl AudioSource for SpeechLikeSource {
    async fn next_frame(&mut self) -> Result<Option<AudioFrame>, AudioError> {
        let Some(timestamp) = self.clock.tick() else {
            return Ok(None);
        };
        let scale = self.amplitude * CALIBRATION;
        let samples = (0..FRAME_SAMPLES)
            .map(|_| to_i16((self.sample() * scale) as f32))
            .collect();
        Ok(Some(AudioFrame { timestamp, samples }))
    }

    fn info(&self) -> SourceInfo {
        SourceInfo {
            name: format!("speech-like seed {}", self.seed),
            device_id: None,
            native_rate: SAMPLE_RATE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn render(seed: u64, seconds: u64) -> Vec<i16> {
        let mut source = SpeechLikeSource::new(seed).with_duration(Duration::from_secs(seconds));
        let mut out = Vec::new();
        while let Some(frame) = source.next_frame().await.expect("speech") {
            out.extend(frame.samples);
        }
        out
    }

    fn rms_dbfs(samples: &[i16]) -> f64 {
        let ms = samples.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>()
            / samples.len().max(1) as f64;
        20.0 * (ms.sqrt() * std::f64::consts::SQRT_2 / 32_768.0)
            .max(1e-10)
            .log10()
    }

    #[tokio::test]
    async fn same_seed_same_signal_other_seed_other_signal() {
        assert_eq!(render(1, 1).await, render(1, 1).await);
        assert_ne!(render(1, 1).await, render(2, 1).await);
    }

    #[tokio::test]
    async fn talks_at_about_the_requested_level_with_pauses() {
        for seed in [1, 2, 3] {
            let samples = render(seed, 10).await;
            let frames: Vec<&[i16]> = samples.chunks(960).collect();
            let active: Vec<i16> = frames
                .iter()
                .filter(|f| rms_dbfs(f) > -45.0)
                .flat_map(|f| f.iter().copied())
                .collect();
            let quiet = frames.iter().filter(|f| rms_dbfs(f) < -60.0).count();
            let level = rms_dbfs(&active);
            assert!(
                (level + 20.0).abs() < 4.0,
                "seed {seed}: active level {level:.1} dBFS"
            );
            assert!(quiet >= 20, "seed {seed}: only {quiet} quiet frames");
            assert!(
                active.len() > samples.len() / 3,
                "seed {seed}: mostly silent"
            );
        }
    }
}
