//! G.711 µ-law sample companding (ITU-T G.711, the classic biased-segment algorithm).

const BIAS: i32 = 0x84;
const CLIP: i32 = 32_635;

/// Compresses one 16-bit linear sample into a µ-law byte.
pub fn encode_sample(sample: i16) -> u8 {
    let mut magnitude = i32::from(sample);
    let sign = if magnitude < 0 {
        magnitude = -magnitude;
        0x80
    } else {
        0
    };
    let biased = magnitude.min(CLIP) + BIAS;
    // `biased >> 7` is 1..=255, so the segment (exponent) is its highest set bit, 0..=7.
    let exponent = 31 - ((biased >> 7) as u32).leading_zeros() as i32;
    let mantissa = (biased >> (exponent + 3)) & 0x0F;
    !((sign | (exponent << 4) | mantissa) as u8)
}

/// Expands one µ-law byte into a 16-bit linear sample.
pub fn decode_sample(byte: u8) -> i16 {
    let code = !byte;
    let exponent = i32::from((code >> 4) & 0x07);
    let mantissa = i32::from(code & 0x0F);
    let magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
    // The largest magnitude is 32 124, so the value always fits.
    let value = if code & 0x80 != 0 {
        -magnitude
    } else {
        magnitude
    };
    value as i16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_code_points() {
        // (linear, µ-law byte) pairs of the G.711 table.
        let cases: &[(i16, u8)] = &[
            (0, 0xFF),
            (-1, 0x7F),
            (32_767, 0x80),
            (-32_768, 0x00),
            (8, 0xFE),
            (1_000, 0xCE),
            (-1_000, 0x4E),
        ];
        for &(linear, code) in cases {
            assert_eq!(encode_sample(linear), code, "encode {linear}");
        }
        assert_eq!(decode_sample(0xFF), 0);
        assert_eq!(decode_sample(0x80), 32_124);
        assert_eq!(decode_sample(0x00), -32_124);
    }

    #[test]
    fn every_code_round_trips() {
        for code in 0..=255u8 {
            let linear = decode_sample(code);
            let again = encode_sample(linear);
            // 0x7F (−0) decodes to 0, which encodes as +0 (0xFF).
            let expected = if code == 0x7F { 0xFF } else { code };
            assert_eq!(again, expected, "code {code:#04x}");
        }
    }

    #[test]
    fn quantisation_error_is_relative() {
        for linear in (-32_000i16..32_000).step_by(97) {
            let back = decode_sample(encode_sample(linear));
            let error = (i32::from(back) - i32::from(linear)).abs();
            let allowed = (i32::from(linear).abs() / 16).max(8);
            assert!(error <= allowed, "{linear} -> {back}");
        }
    }
}
