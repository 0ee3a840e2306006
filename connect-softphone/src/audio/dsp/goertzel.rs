//! Tone detection with the Goertzel algorithm: is a frequency present, and at what level.

/// What [`detect_tone`] found at one frequency.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ToneDetection {
    /// Level of the sine at that frequency, in dBFS (a full-scale sine is 0 dBFS).
    pub level_dbfs: f64,
    /// Share of the signal's energy that this sine carries (0–1).
    pub energy_fraction: f64,
}

impl ToneDetection {
    /// Whether the tone is there: at least `min_level_dbfs` loud and carrying at least half of
    /// the signal's energy.
    pub fn is_present(&self, min_level_dbfs: f64) -> bool {
        self.level_dbfs >= min_level_dbfs && self.energy_fraction >= 0.5
    }
}

/// Measures the sine at `freq_hz` in `samples` (taken at `rate` Hz), with a Hann window.
///
/// ```
/// use connect_softphone::audio::{detect_tone, AudioSource, ToneSource};
///
/// # tokio_test_block(async {
/// let mut tone = ToneSource::new(1_000.0, -12.0);
/// let frame = tone.next_frame().await.expect("tone").expect("endless");
/// let found = detect_tone(&frame.samples, 48_000, 1_000.0);
/// assert!(found.is_present(-13.0));
/// assert!((found.level_dbfs + 12.0).abs() < 0.5);
/// # });
/// # fn tokio_test_block(f: impl std::future::Future<Output = ()>) {
/// #     tokio::runtime::Builder::new_current_thread().build().expect("runtime").block_on(f)
/// # }
/// ```
pub fn detect_tone(samples: &[i16], rate: u32, freq_hz: f64) -> ToneDetection {
    let level_dbfs = tone_level_dbfs(samples, rate, freq_hz);
    let mean_square = if samples.is_empty() {
        0.0
    } else {
        samples.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / samples.len() as f64
    };
    let amplitude = 32_768.0 * 10f64.powf(level_dbfs / 20.0);
    let energy_fraction = if mean_square > 0.0 {
        (amplitude * amplitude / 2.0 / mean_square).min(1.0)
    } else {
        0.0
    };
    ToneDetection {
        level_dbfs,
        energy_fraction,
    }
}

/// Level of the sine at `freq_hz`, in dBFS; very low (−200 dBFS) when absent or when `samples`
/// is empty.
pub fn tone_level_dbfs(samples: &[i16], rate: u32, freq_hz: f64) -> f64 {
    let n = samples.len();
    if n == 0 || rate == 0 {
        return -200.0;
    }
    let omega = 2.0 * std::f64::consts::PI * freq_hz / f64::from(rate);
    let coeff = 2.0 * omega.cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    let mut window_sum = 0.0;
    for (i, &sample) in samples.iter().enumerate() {
        let w = hann(i, n);
        window_sum += w;
        let s0 = f64::from(sample) * w + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    let power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    let amplitude = 2.0 * power.max(0.0).sqrt() / window_sum.max(f64::MIN_POSITIVE);
    20.0 * (amplitude / 32_768.0).max(1e-10).log10()
}

fn hann(i: usize, n: usize) -> f64 {
    if n < 2 {
        return 1.0;
    }
    0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / (n - 1) as f64).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f64, amplitude: f64, len: usize) -> Vec<i16> {
        (0..len)
            .map(|n| {
                let t = n as f64 / 48_000.0;
                (amplitude * (2.0 * std::f64::consts::PI * freq * t).sin()).round() as i16
            })
            .collect()
    }

    #[test]
    fn measures_tones_table() {
        // (signal frequency, amplitude, probed frequency, expected level or None for absent)
        let cases: &[(f64, f64, f64, Option<f64>)] = &[
            (1_000.0, 32_767.0, 1_000.0, Some(0.0)),
            (440.0, 3_277.0, 440.0, Some(-20.0)),
            (2_600.0, 1_036.0, 2_600.0, Some(-30.0)),
            (1_000.0, 10_000.0, 1_400.0, None),
        ];
        for &(freq, amplitude, probe, expected) in cases {
            let found = detect_tone(&sine(freq, amplitude, 4_800), 48_000, probe);
            match expected {
                Some(level) => {
                    assert!((found.level_dbfs - level).abs() < 0.3, "{freq}: {found:?}");
                    assert!(found.is_present(level - 1.0));
                    assert!(found.energy_fraction > 0.95);
                }
                None => {
                    assert!(!found.is_present(-60.0), "{freq} at {probe}: {found:?}");
                    assert!(found.level_dbfs < -50.0);
                }
            }
        }
    }

    #[test]
    fn silence_and_empty_input_have_no_tone() {
        assert!(!detect_tone(&[0; 960], 48_000, 1_000.0).is_present(-100.0));
        assert!(!detect_tone(&[], 48_000, 1_000.0).is_present(-100.0));
    }
}
