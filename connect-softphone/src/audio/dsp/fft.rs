//! An in-place radix-2 complex FFT, enough for cross-correlating recordings.

/// Transforms `re`/`im` (same power-of-two length) in place; `inverse` also scales by 1/n.
pub(crate) fn fft(re: &mut [f64], im: &mut [f64], inverse: bool) {
    let n = re.len();
    debug_assert!(n.is_power_of_two() && im.len() == n);
    if n < 2 {
        return;
    }
    // Bit-reversal permutation.
    let mut j = 0;
    for i in 1..n {
        let mut bit = n >> 1;
        while j & bit != 0 {
            j ^= bit;
            bit >>= 1;
        }
        j |= bit;
        if i < j {
            re.swap(i, j);
            im.swap(i, j);
        }
    }
    let sign = if inverse { 1.0 } else { -1.0 };
    let mut len = 2;
    while len <= n {
        let angle = sign * 2.0 * std::f64::consts::PI / len as f64;
        let (w_re, w_im) = (angle.cos(), angle.sin());
        for start in (0..n).step_by(len) {
            let (mut c_re, mut c_im) = (1.0, 0.0);
            for k in 0..len / 2 {
                let (a, b) = (start + k, start + k + len / 2);
                let t_re = re[b] * c_re - im[b] * c_im;
                let t_im = re[b] * c_im + im[b] * c_re;
                re[b] = re[a] - t_re;
                im[b] = im[a] - t_im;
                re[a] += t_re;
                im[a] += t_im;
                (c_re, c_im) = (c_re * w_re - c_im * w_im, c_re * w_im + c_im * w_re);
            }
        }
        len <<= 1;
    }
    if inverse {
        let scale = 1.0 / n as f64;
        re.iter_mut().chain(im.iter_mut()).for_each(|v| *v *= scale);
    }
}

/// Cross-correlation `c[lag] = Σ a[i + lag] · b[i]` for every lag in `-(b.len()-1)..a.len()`,
/// returned with index `lag + b.len() - 1`.
pub(crate) fn cross_correlate(a: &[f64], b: &[f64]) -> Vec<f64> {
    if a.is_empty() || b.is_empty() {
        return Vec::new();
    }
    let out_len = a.len() + b.len() - 1;
    let n = out_len.next_power_of_two();
    let (mut a_re, mut a_im) = (vec![0.0; n], vec![0.0; n]);
    let (mut b_re, mut b_im) = (vec![0.0; n], vec![0.0; n]);
    a_re[..a.len()].copy_from_slice(a);
    // Reverse b so that the convolution becomes a correlation.
    for (slot, &v) in b_re.iter_mut().zip(b.iter().rev()) {
        *slot = v;
    }
    fft(&mut a_re, &mut a_im, false);
    fft(&mut b_re, &mut b_im, false);
    for i in 0..n {
        let re = a_re[i] * b_re[i] - a_im[i] * b_im[i];
        let im = a_re[i] * b_im[i] + a_im[i] * b_re[i];
        a_re[i] = re;
        a_im[i] = im;
    }
    fft(&mut a_re, &mut a_im, true);
    a_re.truncate(out_len);
    a_re
}

/// Keeps only the frequencies between `low` and `high` (fractions of the sample rate) of a real
/// signal, with a brick-wall filter on a zero-padded transform (so without wrap-around).
pub(crate) fn band_limit(signal: &[f64], low: f64, high: f64) -> Vec<f64> {
    if signal.is_empty() {
        return Vec::new();
    }
    let n = (2 * signal.len()).next_power_of_two();
    let (mut re, mut im) = (vec![0.0; n], vec![0.0; n]);
    re[..signal.len()].copy_from_slice(signal);
    fft(&mut re, &mut im, false);
    for k in 0..n {
        // Bin k and bin n − k are the same frequency.
        let f = k.min(n - k) as f64 / n as f64;
        if f < low || f > high {
            re[k] = 0.0;
            im[k] = 0.0;
        }
    }
    fft(&mut re, &mut im, true);
    re.truncate(signal.len());
    re
}

#[cfg(test)]
mod tests {
    use super::*;

    fn direct(a: &[f64], b: &[f64]) -> Vec<f64> {
        let offset = b.len() as i64 - 1;
        (-offset..a.len() as i64)
            .map(|lag| {
                b.iter()
                    .enumerate()
                    .filter_map(|(i, &bv)| {
                        let ai = i as i64 + lag;
                        (0..a.len() as i64)
                            .contains(&ai)
                            .then(|| a[ai as usize] * bv)
                    })
                    .sum()
            })
            .collect()
    }

    #[test]
    fn matches_the_direct_sum() {
        let cases: &[(&[f64], &[f64])] = &[
            (&[1.0], &[1.0]),
            (&[1.0, 2.0, 3.0], &[0.5, -1.0]),
            (&[0.0, 0.0, 1.0, 0.0, -2.0], &[1.0, 0.0, -2.0]),
            (
                &[3.0, -1.0, 4.0, 1.0, -5.0, 9.0, 2.0],
                &[2.0, 6.0, -5.0, 3.0],
            ),
        ];
        for &(a, b) in cases {
            let fast = cross_correlate(a, b);
            let slow = direct(a, b);
            assert_eq!(fast.len(), slow.len());
            for (f, s) in fast.iter().zip(&slow) {
                assert!((f - s).abs() < 1e-9, "{fast:?} vs {slow:?}");
            }
        }
        assert!(cross_correlate(&[], &[1.0]).is_empty());
    }
}
