//! How closely a recording matches what was played: align by cross-correlation, then measure the
//! signal-to-noise ratio of the aligned, gain-matched recording.

use super::band_filter::band_pass;
use super::fft::{band_limit, cross_correlate};

/// Default lag window of [`audio_match_db`]: one second at 48 kHz.
pub const DEFAULT_MAX_LAG: usize = 48_000;
/// The band [`audio_match_db`] compares, in Hz: what a telephone carries.
pub const TELEPHONE_BAND: (f64, f64) = (100.0, 3_800.0);
/// Length of the pieces [`audio_match_db`] aligns separately: half a second at 48 kHz.
pub const SEGMENT_SAMPLES: usize = 24_000;
/// Decimation of [`audio_match_db`]'s coarse alignment: 48 kHz to 8 kHz.
const COARSE_STEP: usize = 6;
/// Bound of the reported SNR, in dB (both ways), so that perfect copies and silence stay finite.
const SNR_LIMIT_DB: f64 = 100.0;

/// The result of comparing a recording with a reference.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AudioMatch {
    /// Signal-to-noise ratio of the aligned recording against the scaled reference, in dB
    /// (±100 at most). Above ~10 dB the recording clearly is the reference (after a lossy codec);
    /// unrelated audio is at or below 0 dB.
    pub snr_db: f64,
    /// Where the reference starts in the recording, in samples (positive: the recording is late).
    pub lag_samples: i64,
    /// Least-squares gain from the reference to the recording.
    pub gain: f64,
    /// Samples compared (the overlap of the two once aligned).
    pub overlap_samples: usize,
}

/// Compares `recorded` with `reference` over the full band, searching lags within ±`max_lag`
/// samples.
///
/// Returns `None` when the two do not overlap at any lag in the window, or the reference is
/// silent over the overlap.
///
/// ```
/// use connect_softphone::audio::audio_match;
///
/// let reference: Vec<i16> = (0..4_800).map(|n| ((n * 7919) % 2_001) as i16 - 1_000).collect();
/// let mut recorded = vec![0i16; 300];
/// recorded.extend(reference.iter().map(|s| s / 2));
/// let found = audio_match(&reference, &recorded, 1_000).expect("overlap");
/// assert_eq!(found.lag_samples, 300);
/// assert!(found.snr_db > 40.0);
/// assert!((found.gain - 0.5).abs() < 0.01);
/// ```
pub fn audio_match(reference: &[i16], recorded: &[i16], max_lag: usize) -> Option<AudioMatch> {
    audio_match_band(reference, recorded, max_lag, None)
}

/// Like [`audio_match`], but compares only the band `low_hz..high_hz` of both signals (taken at
/// 48 kHz) when `band` is given: lossy speech codecs keep the telephone band far better than
/// the rest, so [`TELEPHONE_BAND`] makes the measure robust to them.
pub fn audio_match_band(
    reference: &[i16],
    recorded: &[i16],
    max_lag: usize,
    band: Option<(f64, f64)>,
) -> Option<AudioMatch> {
    let r = prepare(reference, band);
    let x = prepare(recorded, band);
    measure(&r, &x, max_lag).map(|m| m.summary())
}

/// SNR in dB of `recorded` against `reference` in the [`TELEPHONE_BAND`]; −100 when they cannot
/// be compared.
///
/// The delay of a call may change while it plays (a jitter buffer inserts and removes frames),
/// so every [`SEGMENT_SAMPLES`] of the recording is aligned on its own, within
/// ±[`DEFAULT_MAX_LAG`] (1 s) of where the last matching segment puts it (delay that grows over
/// a long call is followed), and the SNR is taken over all segments together. Both signals go through the same telephone-band filter; each segment is aligned first on
/// 8 kHz copies, then to the sample at 48 kHz, so a whole call compares in a fraction of its
/// length. A clean PCMU round trip of speech scores about 30 dB and a clean Opus round trip
/// about 8–10 dB (Opus's SILK layer shapes its coding noise rather than matching the
/// waveform); unrelated audio scores well below 0 dB.
///
/// ```
/// use connect_softphone::audio::audio_match_db;
///
/// let reference: Vec<i16> = (0..48_000).map(|n| ((n * 7919) % 2_001) as i16 - 1_000).collect();
/// let mut recorded = vec![0i16; 4_800];
/// recorded.extend_from_slice(&reference);
/// assert!(audio_match_db(&reference, &recorded) > 30.0);
/// ```
pub fn audio_match_db(reference: &[i16], recorded: &[i16]) -> f64 {
    let rate = crate::audio::SAMPLE_RATE;
    // The recording may start before the reference does: a second of silence in front of the
    // reference lets its first segments align too. Offsets below are into the padded reference.
    let mut r = vec![0.0; DEFAULT_MAX_LAG];
    r.extend(band_pass(reference, rate, TELEPHONE_BAND));
    let x = band_pass(recorded, rate, TELEPHONE_BAND);
    let (r_coarse, x_coarse) = (decimate(&r), decimate(&x));
    let (mut signal, mut noise) = (0.0, 0.0);
    // How far the recording has drifted from the reference, in padded-reference samples: the
    // search follows the last segment that matched, so delay added bit by bit over a long call
    // (a jitter buffer growing, a sender dropping a stalled backlog) is tracked.
    let mut drift = DEFAULT_MAX_LAG as i64;
    for start in (0..x.len()).step_by(SEGMENT_SAMPLES) {
        let segment = &x[start..(start + SEGMENT_SAMPLES).min(x.len())];
        let expected = (start as i64 + drift).max(0) as usize;
        let coarse = coarse_offset(
            &r_coarse,
            &x_coarse[start / COARSE_STEP..],
            expected / COARSE_STEP,
            segment.len() / COARSE_STEP,
        );
        let Some(offset) = coarse.and_then(|c| fine_offset(&r, segment, c * COARSE_STEP)) else {
            continue;
        };
        let Some((_, s, n)) = fit(&r[offset..offset + segment.len()], segment) else {
            continue;
        };
        if s > n {
            drift = offset as i64 - start as i64;
        }
        signal += s;
        noise += n;
    }
    snr_db(signal, noise)
}

/// Every [`COARSE_STEP`]th sample (the signal is band-limited below the new Nyquist already).
fn decimate(signal: &[f64]) -> Vec<f64> {
    signal.iter().step_by(COARSE_STEP).copied().collect()
}

/// Where in `r` the first `len` samples of `x` fit best, within ±[`DEFAULT_MAX_LAG`] (scaled
/// to the coarse rate) of `expected`: the largest correlation normalised by the reference's
/// energy.
fn coarse_offset(r: &[f64], x: &[f64], expected: usize, len: usize) -> Option<usize> {
    let segment = x.get(..len).filter(|s| !s.is_empty())?;
    let max_lag = DEFAULT_MAX_LAG / COARSE_STEP;
    let lo = expected.saturating_sub(max_lag);
    let hi = (expected + len + max_lag).min(r.len());
    let window = r.get(lo..hi).filter(|w| w.len() >= len)?;
    let correlation = cross_correlate(window, segment);
    let mut energy = vec![0.0; window.len() + 1];
    for (i, v) in window.iter().enumerate() {
        energy[i + 1] = energy[i] + v * v;
    }
    (0..=window.len() - len)
        .filter_map(|lag| {
            let e = energy[lag + len] - energy[lag];
            (e > 0.0).then(|| (lag, correlation[lag + len - 1] / e.sqrt()))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(lag, _)| lo + lag)
}

/// Refines a coarse offset to the sample: the best fit of `segment` in `r` within
/// ±[`COARSE_STEP`] samples of `around`.
fn fine_offset(r: &[f64], segment: &[f64], around: usize) -> Option<usize> {
    let last = r.len().checked_sub(segment.len())?;
    (around.saturating_sub(COARSE_STEP)..=(around + COARSE_STEP).min(last))
        .filter_map(|offset| {
            let (rr, rx) = energy_and_correlation(&r[offset..offset + segment.len()], segment);
            (rr > 0.0).then(|| (offset, rx / rr.sqrt()))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(offset, _)| offset)
}

/// `Σ r²` and `Σ r·x` of two signals of the same length.
fn energy_and_correlation(r: &[f64], x: &[f64]) -> (f64, f64) {
    r.iter().zip(x).fold((0.0, 0.0), |(rr, rx), (rv, xv)| {
        (rr + rv * rv, rx + rv * xv)
    })
}

/// The least-squares gain from `r` to `x` (same length), and the signal and noise energy of
/// `x` against the scaled `r`; `None` when `r` is silent.
fn fit(r: &[f64], x: &[f64]) -> Option<(f64, f64, f64)> {
    let (rr, rx) = energy_and_correlation(r, x);
    if rr <= 0.0 {
        return None;
    }
    let gain = rx / rr;
    let noise = r
        .iter()
        .zip(x)
        .map(|(rv, xv)| (xv - gain * rv) * (xv - gain * rv))
        .sum();
    Some((gain, gain * gain * rr, noise))
}

/// What one alignment found, before it is summarised.
struct Measured {
    lag: i64,
    gain: f64,
    signal: f64,
    noise: f64,
    overlap: usize,
}

impl Measured {
    fn summary(&self) -> AudioMatch {
        AudioMatch {
            snr_db: snr_db(self.signal, self.noise),
            lag_samples: self.lag,
            gain: self.gain,
            overlap_samples: self.overlap,
        }
    }
}

fn snr_db(signal: f64, noise: f64) -> f64 {
    if signal <= 0.0 {
        -SNR_LIMIT_DB
    } else if noise <= 0.0 {
        SNR_LIMIT_DB
    } else {
        (10.0 * (signal / noise).log10()).clamp(-SNR_LIMIT_DB, SNR_LIMIT_DB)
    }
}

/// Aligns `x` (recording) on `r` (reference) by cross-correlation within ±`max_lag`, then fits
/// a gain over the overlap.
fn measure(r: &[f64], x: &[f64], max_lag: usize) -> Option<Measured> {
    if r.is_empty() || x.is_empty() {
        return None;
    }
    let correlation = cross_correlate(x, r);
    let zero = r.len() as i64 - 1;
    let max_lag = i64::try_from(max_lag).unwrap_or(i64::MAX);
    let (lag, _) = correlation
        .iter()
        .enumerate()
        .map(|(i, &c)| (i as i64 - zero, c))
        .filter(|&(lag, _)| lag.abs() <= max_lag && overlap(r.len(), x.len(), lag).is_some())
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    let (start, end) = overlap(r.len(), x.len(), lag)?;
    let shift = |i: usize| (i as i64 + lag) as usize;
    let (gain, signal, noise) = fit(&r[start..end], &x[shift(start)..shift(end)])?;
    Some(Measured {
        lag,
        gain,
        signal,
        noise,
        overlap: end - start,
    })
}

/// Samples as floats, band-limited when asked.
fn prepare(samples: &[i16], band: Option<(f64, f64)>) -> Vec<f64> {
    let floats: Vec<f64> = samples.iter().map(|&s| f64::from(s)).collect();
    match band {
        Some((low, high)) => {
            let rate = f64::from(crate::audio::SAMPLE_RATE);
            band_limit(&floats, low / rate, high / rate)
        }
        None => floats,
    }
}

/// Range of reference indices that land inside the recording at `lag`, if any.
fn overlap(reference_len: usize, recorded_len: usize, lag: i64) -> Option<(usize, usize)> {
    let start = (-lag).max(0);
    let end = (reference_len as i64).min(recorded_len as i64 - lag);
    (end > start).then_some((start as usize, end as usize))
}

#[cfg(test)]
mod tests {
    use super::*;
    use connect_core::time::SplitMix64;

    fn noise(seed: u64, len: usize, amplitude: f64) -> Vec<i16> {
        let mut rng = SplitMix64::new(seed);
        (0..len)
            .map(|_| ((rng.next_f64() * 2.0 - 1.0) * amplitude) as i16)
            .collect()
    }

    #[test]
    fn lag_gain_and_snr_table() {
        let reference = noise(1, 9_600, 8_000.0);
        // (delay in samples, gain, added noise amplitude, expected lag, minimum SNR, maximum SNR)
        let cases: &[(i64, f64, f64, i64, f64, f64)] = &[
            (0, 1.0, 0.0, 0, 99.0, 100.0),
            (480, 1.0, 0.0, 480, 99.0, 100.0),
            (-240, 1.0, 0.0, -240, 99.0, 100.0),
            (1_000, 0.25, 0.0, 1_000, 40.0, 100.0),
            (300, 1.0, 800.0, 300, 17.0, 23.0),
            (300, 1.0, 8_000.0, 300, -3.0, 3.0),
        ];
        for &(delay, gain, noise_amp, lag, min_snr, max_snr) in cases {
            let extra = noise(2, 9_600 + 2_000, noise_amp);
            let recorded: Vec<i16> = (0..9_600 + 2_000)
                .map(|i| {
                    let src = i as i64 - delay;
                    let s = if (0..9_600).contains(&src) {
                        f64::from(reference[src as usize]) * gain
                    } else {
                        0.0
                    };
                    (s + f64::from(extra[i])) as i16
                })
                .collect();
            let found = audio_match(&reference, &recorded, 4_800).expect("overlap");
            assert_eq!(found.lag_samples, lag, "delay {delay}");
            assert!(
                (min_snr..=max_snr).contains(&found.snr_db),
                "delay {delay} noise {noise_amp}: {found:?}"
            );
        }
    }

    #[test]
    fn a_delay_that_changes_midway_still_matches_segment_by_segment() {
        let reference = noise(5, 96_000, 8_000.0);
        // 10 ms late for the first second, then 30 ms late (960 samples of silence inserted).
        let mut recorded = vec![0i16; 480];
        recorded.extend_from_slice(&reference[..48_000]);
        recorded.extend(std::iter::repeat_n(0, 960));
        recorded.extend_from_slice(&reference[48_000..]);
        let global = audio_match(&reference, &recorded, 4_800).expect("overlap");
        assert!(global.snr_db < 5.0, "{global:?}");
        let segmented = audio_match_db(&reference, &recorded);
        assert!(segmented > 15.0, "{segmented}");
    }

    #[test]
    fn delay_growing_well_past_the_search_window_is_followed() {
        let reference = noise(6, 16 * 48_000, 8_000.0);
        // 200 ms of silence before every two seconds: 1.6 s late by the end.
        let mut recorded = Vec::new();
        for chunk in reference.chunks(2 * 48_000) {
            recorded.extend(std::iter::repeat_n(0, 9_600));
            recorded.extend_from_slice(chunk);
        }
        // A segment that straddles a gap matches only its larger part; the rest counts as noise.
        let segmented = audio_match_db(&reference, &recorded);
        assert!(segmented > 10.0, "{segmented}");
    }

    #[test]
    fn unrelated_or_silent_audio_does_not_match() {
        let a = noise(3, 24_000, 8_000.0);
        let b = noise(4, 24_000, 8_000.0);
        assert!(audio_match_db(&a, &b) < 0.0);
        assert_eq!(audio_match_db(&a, &[]), -100.0);
        assert_eq!(audio_match(&[0; 100], &a, 10), None);
    }
}
