//! Reading an Opus packet's header (RFC 6716 §3) without decoding it.

/// Whether an Opus packet carries in-band FEC (SILK LBRR) data for the packet before it.
///
/// CELT-only packets never do. For SILK and hybrid packets the LBRR flag of the first frame sits
/// in the first bits of its range-coded data (after one VAD flag per 20 ms SILK frame), which
/// are coded with equal probabilities and so can be read directly (libopus 1.5's
/// `opus_packet_has_lbrr` reads them the same way). Malformed packets have none.
pub fn has_fec(packet: &[u8]) -> bool {
    let Some(&toc) = packet.first() else {
        return false;
    };
    let config = toc >> 3;
    if config >= 16 {
        return false; // CELT-only
    }
    let mono = toc & 0x04 == 0;
    // Samples per frame at 48 kHz: SILK-only configs 0..12 are 10/20/40/60 ms; hybrid 12..16 are
    // 10/20 ms. A 40 or 60 ms SILK frame holds 2 or 3 internal 20 ms frames.
    let silk_frames = if config < 12 {
        match config % 4 {
            2 => 2,
            3 => 3,
            _ => 1,
        }
    } else {
        1
    };
    let Some(first) = first_frame(packet) else {
        return false;
    };
    let Some(&byte) = first.first() else {
        return false;
    };
    let lbrr = (byte >> (7 - silk_frames)) & 1 == 1;
    if mono {
        lbrr
    } else {
        lbrr || (byte >> (6 - 2 * silk_frames)) & 1 == 1
    }
}

/// The bytes of the first frame of a packet (frame-count codes 0–3 of RFC 6716 §3.2).
fn first_frame(packet: &[u8]) -> Option<&[u8]> {
    let toc = *packet.first()?;
    let rest = &packet[1..];
    match toc & 0x03 {
        0 => Some(rest),
        1 => Some(&rest[..rest.len() / 2]),
        2 => {
            let (len, used) = frame_length(rest)?;
            rest.get(used..used + len)
        }
        _ => {
            let &count_byte = rest.first()?;
            let count = usize::from(count_byte & 0x3F);
            let (vbr, padded) = (count_byte & 0x80 != 0, count_byte & 0x40 != 0);
            let mut at = 1;
            let mut padding = 0usize;
            if padded {
                loop {
                    let &p = rest.get(at)?;
                    at += 1;
                    padding += if p == 255 { 254 } else { usize::from(p) };
                    if p != 255 {
                        break;
                    }
                }
            }
            if count == 0 {
                return None;
            }
            if vbr {
                let (len, _) = frame_length(rest.get(at..)?)?;
                // Skip the count − 1 length fields to reach the first frame's data.
                let mut skip = at;
                for _ in 0..count - 1 {
                    let (_, used) = frame_length(rest.get(skip..)?)?;
                    skip += used;
                }
                rest.get(skip..skip + len)
            } else {
                let data = rest.len().checked_sub(at + padding)?;
                let len = data / count;
                rest.get(at..at + len)
            }
        }
    }
}

/// One frame-length field: one byte below 252, else two (`b0 + 4·b1`).
fn frame_length(bytes: &[u8]) -> Option<(usize, usize)> {
    let &b0 = bytes.first()?;
    if b0 < 252 {
        Some((usize::from(b0), 1))
    } else {
        let &b1 = bytes.get(1)?;
        Some((usize::from(b0) + 4 * usize::from(b1), 2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_lbrr_flag_table() {
        // SILK-only, 20 ms (config 1), mono, code 0: toc = 1 << 3 = 0x08.
        let cases: &[(&[u8], bool)] = &[
            (&[], false),
            (&[0x08], false),
            (&[0x08, 0b0100_0000, 0x00], true),
            (&[0x08, 0b1000_0000, 0x00], false),
            // CELT-only (config 31) never carries FEC.
            (&[0xF8, 0xFF, 0xFF], false),
            // Hybrid 20 ms (config 13), code 1 (two equal frames).
            (&[0x69, 0b0100_0000, 0x00], true),
            // Code 2: first frame length 1, flag set in it.
            (&[0x0A, 0x01, 0b0100_0000, 0x00], true),
            // Code 2 with a length that runs past the end: malformed.
            (&[0x0A, 0x09, 0b0100_0000], false),
            // Code 3, CBR, two frames, no padding.
            (&[0x0B, 0x02, 0b0100_0000, 0x00], true),
            // Code 3, VBR, two frames: lengths 1 then the rest.
            (&[0x0B, 0x82, 0x01, 0b0100_0000, 0x00], true),
            // Code 3 with zero frames: malformed.
            (&[0x0B, 0x00], false),
            // SILK 40 ms (config 2): two VAD flags precede LBRR.
            (&[0x10, 0b0010_0000], true),
            (&[0x10, 0b0100_0000], false),
        ];
        for &(packet, expected) in cases {
            assert_eq!(has_fec(packet), expected, "{packet:02x?}");
        }
    }
}
