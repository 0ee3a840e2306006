//! A sine tone at a chosen frequency and level, optionally switched on and off in a cadence.

use std::time::Duration;

use async_trait::async_trait;

use super::limit::FrameClock;
use crate::audio::{AudioError, AudioFrame, AudioSource, SourceInfo, SAMPLE_RATE};

/// Peak amplitude of a sine at `level_dbfs` (a full-scale sine is 0 dBFS).
pub(crate) fn amplitude_for_dbfs(level_dbfs: f64) -> f64 {
    (32_768.0 * 10f64.powf(level_dbfs / 20.0)).min(32_767.0)
}

/// A sine tone: frequency, level in dBFS, optional on/off cadence and optional duration.
///
/// ```
/// use std::time::Duration;
/// use connect_softphone::audio::{AudioSource, ToneSource};
///
/// # tokio::runtime::Builder::new_current_thread().build().expect("rt").block_on(async {
/// // A 425 Hz ringback-like cadence: 1 s on, 4 s off, for 2 s.
/// let mut tone = ToneSource::new(425.0, -10.0)
///     .with_cadence(Duration::from_secs(1), Duration::from_secs(4))
///     .with_duration(Duration::from_secs(2));
/// let first = tone.next_frame().await.expect("tone").expect("frame");
/// assert!(!first.is_silent());
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct ToneSource {
    freq_hz: f64,
    level_dbfs: f64,
    amplitude: f64,
    /// (on, off) lengths in samples.
    cadence: Option<(u64, u64)>,
    clock: FrameClock,
}

impl ToneSource {
    /// A continuous tone of `freq_hz` at `level_dbfs` (for example −20.0).
    pub fn new(freq_hz: f64, level_dbfs: f64) -> Self {
        Self {
            freq_hz,
            level_dbfs,
            amplitude: amplitude_for_dbfs(level_dbfs),
            cadence: None,
            clock: FrameClock::default(),
        }
    }

    /// Plays the tone for `on`, then silence for `off`, repeatedly. A zero `on` is silent.
    pub fn with_cadence(mut self, on: Duration, off: Duration) -> Self {
        let samples = |d: Duration| {
            u64::try_from(d.as_micros() * u128::from(SAMPLE_RATE) / 1_000_000).unwrap_or(u64::MAX)
        };
        self.cadence = Some((samples(on), samples(off)));
        self
    }

    /// Ends the stream after `duration` (rounded up to whole frames).
    pub fn with_duration(mut self, duration: Duration) -> Self {
        self.clock.limit(duration);
        self
    }

    fn sample(&self, n: u64) -> i16 {
        if let Some((on, off)) = self.cadence {
            let period = on.saturating_add(off).max(1);
            if n % period >= on {
                return 0;
            }
        }
        let phase = 2.0 * std::f64::consts::PI * self.freq_hz * n as f64 / f64::from(SAMPLE_RATE);
        (self.amplitude * phase.sin()).round() as i16
    }
}

#[async_trait]
impl AudioSource for ToneSource {
    async fn next_frame(&mut self) -> Result<Option<AudioFrame>, AudioError> {
        Ok(self.clock.tick().map(|timestamp| {
            let samples = (0..crate::audio::FRAME_SAMPLES as u64)
                .map(|i| self.sample(timestamp + i))
                .collect();
            AudioFrame { timestamp, samples }
        }))
    }

    fn info(&self) -> SourceInfo {
        SourceInfo {
            name: format!("tone {} Hz {} dBFS", self.freq_hz, self.level_dbfs),
            device_id: None,
            native_rate: SAMPLE_RATE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::detect_tone;

    async fn collect(mut source: ToneSource) -> Vec<AudioFrame> {
        let mut frames = Vec::new();
        while let Some(frame) = source.next_frame().await.expect("tone") {
            frames.push(frame);
        }
        frames
    }

    #[tokio::test]
    async fn levels_and_frequencies_table() {
        let cases: &[(f64, f64)] = &[(440.0, -20.0), (1_000.0, 0.0), (2_600.0, -35.0)];
        for &(freq, level) in cases {
            let frames =
                collect(ToneSource::new(freq, level).with_duration(Duration::from_millis(200)))
                    .await;
            assert_eq!(frames.len(), 10);
            let samples: Vec<i16> = frames.iter().flat_map(|f| f.samples.clone()).collect();
            let found = detect_tone(&samples, SAMPLE_RATE, freq);
            assert!((found.level_dbfs - level).abs() < 0.2, "{freq}: {found:?}");
        }
    }

    #[tokio::test]
    async fn cadence_switches_on_and_off_on_frame_boundaries() {
        let source = ToneSource::new(1_000.0, -10.0)
            .with_cadence(Duration::from_millis(40), Duration::from_millis(60))
            .with_duration(Duration::from_millis(200));
        let pattern: Vec<bool> = collect(source)
            .await
            .iter()
            .map(|f| !f.is_silent())
            .collect();
        assert_eq!(
            pattern,
            [true, true, false, false, false, true, true, false, false, false]
        );
    }

    #[tokio::test]
    async fn phase_is_continuous_across_frames() {
        let frames =
            collect(ToneSource::new(1_234.0, -6.0).with_duration(Duration::from_millis(40))).await;
        let last = f64::from(frames[0].samples[959]);
        let first = f64::from(frames[1].samples[0]);
        let max_step = amplitude_for_dbfs(-6.0) * 2.0 * std::f64::consts::PI * 1_234.0 / 48_000.0;
        assert!((first - last).abs() <= max_step + 1.0);
        assert_eq!(frames[1].timestamp, 960);
    }
}
