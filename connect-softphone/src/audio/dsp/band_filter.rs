//! A streaming band-pass filter for comparing recordings: Butterworth high-pass and low-pass
//! sections as cascaded biquads (RBJ audio-EQ cookbook). Both signals of a comparison go
//! through the same filter, so its phase response shifts them alike and alignment is kept;
//! it costs a few operations per sample, where a brick-wall filter needs a transform of the
//! whole signal.

/// Q of the two sections of a 4th-order Butterworth filter.
const BUTTERWORTH_4: [f64; 2] = [0.541_196_1, 1.306_563];
/// Q of the four sections of an 8th-order Butterworth filter.
const BUTTERWORTH_8: [f64; 4] = [0.509_795_6, 0.601_344_9, 0.899_976_2, 2.562_915_4];

/// One second-order section, transposed direct form II.
#[derive(Clone, Copy, Debug)]
struct Biquad {
    b: [f64; 3],
    a: [f64; 2],
    z: [f64; 2],
}

impl Biquad {
    /// `high`: a high-pass section, else a low-pass one, at `cutoff` (a fraction of the rate).
    fn new(high: bool, cutoff: f64, q: f64) -> Self {
        let w0 = 2.0 * std::f64::consts::PI * cutoff;
        let (sin, cos) = w0.sin_cos();
        let alpha = sin / (2.0 * q);
        let a0 = 1.0 + alpha;
        let (b0, b1) = if high {
            ((1.0 + cos) / 2.0, -(1.0 + cos))
        } else {
            ((1.0 - cos) / 2.0, 1.0 - cos)
        };
        Self {
            b: [b0 / a0, b1 / a0, b0 / a0],
            a: [-2.0 * cos / a0, (1.0 - alpha) / a0],
            z: [0.0; 2],
        }
    }

    fn run(&mut self, x: f64) -> f64 {
        let y = self.b[0] * x + self.z[0];
        self.z[0] = self.b[1] * x - self.a[0] * y + self.z[1];
        self.z[1] = self.b[2] * x - self.a[1] * y;
        y
    }
}

/// Filters `samples` taken at `rate` Hz to the band `low_hz..high_hz`: a 4th-order high-pass
/// and an 8th-order low-pass (−48 dB per octave above the band).
pub(crate) fn band_pass(samples: &[i16], rate: u32, (low_hz, high_hz): (f64, f64)) -> Vec<f64> {
    let rate = f64::from(rate.max(1));
    let mut sections: Vec<Biquad> = BUTTERWORTH_4
        .iter()
        .map(|&q| Biquad::new(true, low_hz / rate, q))
        .chain(
            BUTTERWORTH_8
                .iter()
                .map(|&q| Biquad::new(false, high_hz / rate, q)),
        )
        .collect();
    samples
        .iter()
        .map(|&s| {
            sections
                .iter_mut()
                .fold(f64::from(s), |value, section| section.run(value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RMS gain of the filter for a sine of `hz` at 48 kHz, measured after it settles.
    fn gain_db(hz: f64) -> f64 {
        let sine: Vec<i16> = (0..48_000)
            .map(|n| {
                (10_000.0 * (2.0 * std::f64::consts::PI * hz * n as f64 / 48_000.0).sin()) as i16
            })
            .collect();
        let out = band_pass(&sine, 48_000, (100.0, 3_800.0));
        let rms = |v: &[f64]| (v.iter().map(|x| x * x).sum::<f64>() / v.len() as f64).sqrt();
        let input: Vec<f64> = sine[24_000..].iter().map(|&s| f64::from(s)).collect();
        20.0 * (rms(&out[24_000..]) / rms(&input)).log10()
    }

    #[test]
    fn passes_the_telephone_band_and_stops_the_rest() {
        // (frequency, lowest gain, highest gain) in dB
        for (hz, low, high) in [
            (30.0, -100.0, -30.0),
            (100.0, -3.5, -2.5),
            (1_000.0, -0.1, 0.1),
            (3_000.0, -0.5, 0.1),
            (3_800.0, -3.5, -2.5),
            (8_000.0, -100.0, -45.0),
        ] {
            let gain = gain_db(hz);
            assert!((low..=high).contains(&gain), "{hz} Hz: {gain:.2} dB");
        }
    }
}
