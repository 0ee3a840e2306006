//! Signal levels: dBov of a frame and the peak audio level of the stats.

/// RMS level in dBov (0 dBov is the RMS of a full-scale square wave); −200 for digital silence.
///
/// ```
/// use connect_softphone::audio::level_dbov;
///
/// assert!((level_dbov(&[16_384; 960]) + 6.02).abs() < 0.01);
/// assert_eq!(level_dbov(&[0; 960]), -200.0);
/// ```
pub fn level_dbov(samples: &[i16]) -> f64 {
    if samples.is_empty() {
        return -200.0;
    }
    let mean_square =
        samples.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / samples.len() as f64;
    if mean_square == 0.0 {
        return -200.0;
    }
    10.0 * (mean_square / (32_768.0 * 32_768.0)).log10()
}

/// Peak absolute sample as a linear level 0–1 (1.0 = 0 dBov), as the call statistics report it.
///
/// ```
/// use connect_softphone::audio::peak_level;
///
/// assert_eq!(peak_level(&[0, -16_384, 100]), 0.5);
/// ```
pub fn peak_level(samples: &[i16]) -> f64 {
    let peak = samples.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0);
    f64::from(peak) / 32_768.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_table() {
        let cases: &[(&[i16], f64, f64)] = &[
            (&[32_767, -32_768], 0.0, 1.0),
            (&[328, -328], -40.0, 0.01),
            (&[100, 100], -50.3, 0.003),
            (&[], -200.0, 0.0),
        ];
        for &(samples, dbov, peak) in cases {
            assert!((level_dbov(samples) - dbov).abs() < 0.1, "{samples:?}");
            assert!((peak_level(samples) - peak).abs() < 0.001, "{samples:?}");
        }
    }
}
