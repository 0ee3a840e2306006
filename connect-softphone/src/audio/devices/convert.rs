//! Pure sample conversions between a device's format and the softphone's: downmix to mono,
//! upmix to the device's channels, the rates a device supports, and unique device ids.

use cpal::{FromSample, Sample};

/// Full scale of a 16-bit sample, the scale of the mono `f32` samples exchanged inside.
const FULL_SCALE: f32 = 32_768.0;

/// Sample rates worth reporting when a device gives a continuous range, in Hz.
const COMMON_RATES: [u32; 9] = [
    8_000, 11_025, 16_000, 22_050, 32_000, 44_100, 48_000, 88_200, 96_000,
];

/// Averages interleaved frames of `channels` samples into mono `f32` samples at 16-bit scale
/// (a full-scale device sample becomes ±32 768). A trailing partial frame is averaged over the
/// channels it has; `channels` 0 is treated as mono.
pub(crate) fn downmix<T>(interleaved: &[T], channels: usize) -> Vec<f32>
where
    T: Sample,
    f32: FromSample<T>,
{
    interleaved
        .chunks(channels.max(1))
        .map(|frame| {
            let sum: f32 = frame.iter().map(|&s| s.to_sample::<f32>()).sum();
            sum / frame.len() as f32 * FULL_SCALE
        })
        .collect()
}

/// Repeats each mono sample (16-bit scale) on `channels` channels, scaled to ±1.0 for the device;
/// `channels` 0 is treated as mono.
pub(crate) fn upmix(mono: &[f32], channels: usize) -> Vec<f32> {
    let channels = channels.max(1);
    let mut out = Vec::with_capacity(mono.len() * channels);
    for &sample in mono {
        let value = (sample / FULL_SCALE).clamp(-1.0, 1.0);
        out.extend(std::iter::repeat_n(value, channels));
    }
    out
}

/// The distinct rates in a device's supported ranges (inclusive `(min, max)` in Hz): each range's
/// ends and the common rates inside it, sorted.
pub(crate) fn rates_in_ranges(ranges: &[(u32, u32)]) -> Vec<u32> {
    let mut rates: Vec<u32> = ranges
        .iter()
        .flat_map(|&(min, max)| {
            let inside = COMMON_RATES
                .into_iter()
                .filter(move |r| (min..=max).contains(r));
            [min, max].into_iter().chain(inside)
        })
        .filter(|&rate| rate > 0)
        .collect();
    rates.sort_unstable();
    rates.dedup();
    rates
}

/// Ids for devices listed under `names`: the name itself, or `name#n` for the n-th device
/// (from 2) that shares a name with an earlier one.
pub(crate) fn unique_ids<S: AsRef<str>>(names: &[S]) -> Vec<String> {
    let mut ids = Vec::with_capacity(names.len());
    for (index, name) in names.iter().enumerate() {
        let name = name.as_ref();
        let earlier = names[..index].iter().filter(|n| n.as_ref() == name).count();
        ids.push(if earlier == 0 {
            name.to_owned()
        } else {
            format!("{name}#{}", earlier + 1)
        });
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downmix_table() {
        // (interleaved i16 input, channels, expected mono)
        let cases: &[(&[i16], usize, &[f32])] = &[
            (&[100, -100, 7], 1, &[100.0, -100.0, 7.0]),
            (&[100, 300, -50, 50], 2, &[200.0, 0.0]),
            (&[30, 60, 90, 3, 3, 3], 3, &[60.0, 3.0]),
            (&[100, 300, 40], 2, &[200.0, 40.0]),
            (&[5, 6], 0, &[5.0, 6.0]),
            (&[], 2, &[]),
            (&[i16::MIN, i16::MIN], 2, &[-32_768.0]),
        ];
        for &(input, channels, expected) in cases {
            assert_eq!(downmix(input, channels), expected, "{input:?} / {channels}");
        }
    }

    #[test]
    fn downmix_scales_float_devices_to_16_bit() {
        let mono = downmix(&[1.0f32, 0.0, -0.5, -0.5], 2);
        assert_eq!(mono, [16_384.0, -16_384.0]);
    }

    #[test]
    fn upmix_table() {
        // (mono input at 16-bit scale, channels, expected interleaved output at ±1.0)
        let cases: &[(&[f32], usize, &[f32])] = &[
            (&[16_384.0], 1, &[0.5]),
            (&[16_384.0, -32_768.0], 2, &[0.5, 0.5, -1.0, -1.0]),
            (&[40_000.0], 3, &[1.0, 1.0, 1.0]),
            (&[8_192.0], 0, &[0.25]),
            (&[], 2, &[]),
        ];
        for &(input, channels, expected) in cases {
            assert_eq!(upmix(input, channels), expected, "{input:?} / {channels}");
        }
    }

    #[test]
    fn rates_table() {
        // (supported ranges, expected rates)
        type Case = (&'static [(u32, u32)], &'static [u32]);
        let cases: &[Case] = &[
            (&[(48_000, 48_000)], &[48_000]),
            (&[(44_100, 44_100), (48_000, 48_000)], &[44_100, 48_000]),
            (
                &[(8_000, 48_000)],
                &[8_000, 11_025, 16_000, 22_050, 32_000, 44_100, 48_000],
            ),
            (&[(4_000, 12_000)], &[4_000, 8_000, 11_025, 12_000]),
            (&[(0, 0)], &[]),
            (&[], &[]),
        ];
        for &(ranges, expected) in cases {
            assert_eq!(rates_in_ranges(ranges), expected, "{ranges:?}");
        }
    }

    #[test]
    fn ids_are_unique_and_stable() {
        let cases: &[(&[&str], &[&str])] = &[
            (&["default", "USB"], &["default", "USB"]),
            (
                &["USB", "USB", "HDA", "USB"],
                &["USB", "USB#2", "HDA", "USB#3"],
            ),
            (&[], &[]),
        ];
        for &(names, expected) in cases {
            assert_eq!(unique_ids(names), expected, "{names:?}");
        }
    }
}
