//! Streaming rational-ratio resampler (windowed-sinc polyphase filter).

/// Zero crossings of the sinc on each side of the filter centre, at the narrower of the two rates.
const ZERO_CROSSINGS: f64 = 16.0;
/// Fraction of the lower Nyquist frequency that is kept.
const PASSBAND: f64 = 0.9;
/// Largest coefficient table kept in memory; larger ratios compute coefficients on the fly.
const MAX_TABLE: usize = 1 << 16;

/// Converts a mono stream from one sample rate to another, chunk by chunk.
///
/// The output lags the input by a fixed delay of a few milliseconds (the filter's half length), so
/// that every chunk of `n` input samples yields exactly `n × to / from` output samples whenever
/// that number is whole (960 samples at 48 kHz ↔ 160 samples at 8 kHz, for example).
///
/// ```
/// use connect_softphone::audio::Resampler;
///
/// let mut down = Resampler::new(48_000, 8_000);
/// let narrow = down.process_i16(&[0; 960]);
/// assert_eq!(narrow.len(), 160);
/// ```
#[derive(Clone, Debug)]
pub struct Resampler {
    /// Interpolation factor (output rate / gcd).
    up: u64,
    /// Decimation factor (input rate / gcd).
    down: u64,
    /// Taps on each side of the centre, in input samples.
    half: usize,
    /// Normalised cutoff (1.0 = input Nyquist).
    cutoff: f64,
    /// `up × 2·half` coefficients, one row per phase, when small enough to keep.
    table: Option<Vec<f32>>,
    /// Input samples from index `base` on.
    history: Vec<f32>,
    /// Absolute input index of `history[0]` (negative indices are the zeros before the stream).
    base: i64,
    /// Index of the next output sample.
    next_out: u64,
    /// Scratch row for ratios whose table is not kept.
    row: Vec<f32>,
}

impl Resampler {
    /// A resampler from `from` Hz to `to` Hz. Equal rates pass samples through unchanged.
    ///
    /// A rate of 0 is treated as 1 Hz so that the resampler never divides by zero.
    pub fn new(from: u32, to: u32) -> Self {
        let (from, to) = (u64::from(from.max(1)), u64::from(to.max(1)));
        let g = gcd(from, to);
        let (up, down) = (to / g, from / g);
        let cutoff = PASSBAND * (up as f64 / down as f64).min(1.0);
        let half = if up == down {
            0
        } else {
            (ZERO_CROSSINGS / cutoff).ceil() as usize
        };
        let mut resampler = Self {
            up,
            down,
            half,
            cutoff,
            table: None,
            history: vec![0.0; 2 * half],
            base: -(2 * half as i64),
            next_out: 0,
            row: vec![0.0; 2 * half],
        };
        let table_len = (up as usize).saturating_mul(2 * half);
        if up != down && table_len <= MAX_TABLE {
            let mut table = Vec::with_capacity(table_len);
            for phase in 0..up {
                resampler.fill_row(phase);
                table.extend_from_slice(&resampler.row);
            }
            resampler.table = Some(table);
        }
        resampler
    }

    /// Whether input and output rates are the same (samples pass through).
    pub fn is_passthrough(&self) -> bool {
        self.up == self.down
    }

    /// The fixed delay the filter adds, in input samples.
    pub fn delay_input_samples(&self) -> usize {
        self.half
    }

    /// Resamples the next chunk of a stream of floating-point samples.
    pub fn process(&mut self, input: &[f32]) -> Vec<f32> {
        if self.is_passthrough() {
            return input.to_vec();
        }
        self.history.extend_from_slice(input);
        let received = self.base + self.history.len() as i64;
        let taps = 2 * self.half;
        let mut out = Vec::with_capacity(input.len() * self.up as usize / self.down as usize + 1);
        loop {
            let q = self.next_out * self.down;
            let ip = (q / self.up) as i64;
            if ip >= received {
                break;
            }
            let phase = q % self.up;
            let start = (ip - taps as i64 + 1 - self.base) as usize;
            if self.table.is_none() {
                self.fill_row(phase);
            }
            let window = &self.history[start..start + taps];
            let row: &[f32] = match &self.table {
                Some(table) => {
                    let at = phase as usize * taps;
                    &table[at..at + taps]
                }
                None => &self.row,
            };
            out.push(window.iter().zip(row).map(|(x, h)| x * h).sum());
            self.next_out += 1;
        }
        let next_ip = ((self.next_out * self.down) / self.up) as i64;
        let keep_from = (next_ip - taps as i64 + 1 - self.base).max(0) as usize;
        self.history.drain(..keep_from.min(self.history.len()));
        self.base += keep_from as i64;
        out
    }

    /// Resamples the next chunk of a stream of 16-bit samples (rounded and clipped).
    pub fn process_i16(&mut self, input: &[i16]) -> Vec<i16> {
        if self.is_passthrough() {
            return input.to_vec();
        }
        let floats: Vec<f32> = input.iter().map(|&s| f32::from(s)).collect();
        self.process(&floats).into_iter().map(to_i16).collect()
    }

    /// Computes the coefficients of one phase into `self.row`, normalised to unit DC gain.
    fn fill_row(&mut self, phase: u64) {
        let half = self.half as f64;
        let frac = phase as f64 / self.up as f64;
        let mut sum = 0.0;
        for (i, slot) in self.row.iter_mut().enumerate() {
            // Tap i multiplies input ip - 2·half + 1 + i; its distance from the sampling point is:
            let x = frac + half - 1.0 - i as f64;
            let value = self.cutoff * sinc(self.cutoff * x) * blackman(x / half);
            sum += value;
            *slot = value as f32;
        }
        if sum.abs() > f64::EPSILON {
            for slot in &mut self.row {
                *slot = (f64::from(*slot) / sum) as f32;
            }
        }
    }
}

/// Rounds and clips a float sample to 16 bits.
pub(crate) fn to_i16(sample: f32) -> i16 {
    sample
        .round()
        .clamp(f32::from(i16::MIN), f32::from(i16::MAX)) as i16
}

fn sinc(x: f64) -> f64 {
    if x.abs() < 1e-12 {
        1.0
    } else {
        let px = std::f64::consts::PI * x;
        px.sin() / px
    }
}

/// Blackman window over `t` in [-1, 1] (zero outside).
fn blackman(t: f64) -> f64 {
    if t.abs() >= 1.0 {
        return 0.0;
    }
    let a = std::f64::consts::PI * t;
    0.42 + 0.5 * a.cos() + 0.08 * (2.0 * a).cos()
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::dsp::goertzel::tone_level_dbfs;

    fn sine(rate: u32, freq: f64, amplitude: f64, len: usize) -> Vec<i16> {
        (0..len)
            .map(|n| {
                let t = n as f64 / f64::from(rate);
                (amplitude * (2.0 * std::f64::consts::PI * freq * t).sin()) as i16
            })
            .collect()
    }

    #[test]
    fn chunk_sizes_follow_the_ratio() {
        let cases: &[(u32, u32, usize, usize)] = &[
            (48_000, 8_000, 960, 160),
            (8_000, 48_000, 160, 960),
            (44_100, 48_000, 441, 480),
            (16_000, 48_000, 320, 960),
            (48_000, 48_000, 960, 960),
            (96_000, 48_000, 1920, 960),
        ];
        for &(from, to, chunk, expected) in cases {
            let mut r = Resampler::new(from, to);
            for _ in 0..5 {
                assert_eq!(
                    r.process_i16(&vec![0; chunk]).len(),
                    expected,
                    "{from}->{to}"
                );
            }
        }
    }

    #[test]
    fn a_tone_in_the_passband_keeps_its_level() {
        let cases: &[(u32, u32, f64)] = &[
            (48_000, 8_000, 1_000.0),
            (8_000, 48_000, 1_000.0),
            (44_100, 48_000, 3_000.0),
            (22_050, 48_000, 440.0),
        ];
        for &(from, to, freq) in cases {
            let input = sine(from, freq, 10_000.0, from as usize);
            let out = Resampler::new(from, to).process_i16(&input);
            let steady = &out[out.len() / 4..];
            let level = tone_level_dbfs(steady, to, freq);
            let expected = 20.0 * (10_000.0f64 / 32_768.0).log10();
            assert!(
                (level - expected).abs() < 0.5,
                "{from}->{to}: {level} vs {expected}"
            );
        }
    }

    #[test]
    fn content_above_the_new_nyquist_is_removed() {
        let input = sine(48_000, 6_000.0, 10_000.0, 48_000);
        let out = Resampler::new(48_000, 8_000).process_i16(&input);
        let peak = out[out.len() / 4..].iter().map(|s| s.unsigned_abs()).max();
        assert!(peak.unwrap_or(0) < 100, "aliased peak {peak:?}");
    }

    #[test]
    fn odd_ratios_without_a_table_still_work() {
        let mut r = Resampler::new(44_101, 48_000);
        assert!(r.table.is_none());
        let out = r.process_i16(&sine(44_101, 500.0, 8_000.0, 44_101));
        let level = tone_level_dbfs(&out[out.len() / 4..], 48_000, 500.0);
        assert!((level - 20.0 * (8_000.0f64 / 32_768.0).log10()).abs() < 0.5);
    }
}
