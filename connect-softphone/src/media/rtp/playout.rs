//! Decoding in sequence order, concealing gaps: FEC from the next packet for the frame just
//! before it, PLC for the others. Late and duplicate packets are dropped.

use crate::audio::{AudioDecoder, AudioError, AudioFrame, FRAME_SAMPLES};

/// A gap wider than this many packets is a resynchronisation, not loss.
const MAX_CONCEALED_GAP: u16 = 10;

/// Turns arriving payloads into 20 ms frames in order, as they come: for consumers without a
/// playout clock (a recorder, a mixer fed by packets); a call's speaker goes through the
/// adaptive [`JitterPlayout`](crate::audio::JitterPlayout) instead.
pub struct InOrderPlayout {
    decoder: Box<dyn AudioDecoder>,
    expected: Option<u16>,
    next_timestamp: u64,
    concealed: u64,
    dropped: u64,
}

impl std::fmt::Debug for InOrderPlayout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InOrderPlayout")
            .field("expected", &self.expected)
            .field("concealed", &self.concealed)
            .field("dropped", &self.dropped)
            .finish()
    }
}

impl InOrderPlayout {
    /// A playout around a decoder.
    pub fn new(decoder: Box<dyn AudioDecoder>) -> Self {
        Self {
            decoder,
            expected: None,
            next_timestamp: 0,
            concealed: 0,
            dropped: 0,
        }
    }

    /// Frames made up so far by FEC or PLC.
    pub fn concealed(&self) -> u64 {
        self.concealed
    }

    /// Late or duplicate packets dropped so far.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// A packet with this sequence number arrived: the frames to play now, in order.
    pub fn push(&mut self, sequence: u16, payload: &[u8]) -> Result<Vec<AudioFrame>, AudioError> {
        let mut frames = Vec::new();
        if let Some(expected) = self.expected {
            let ahead = sequence.wrapping_sub(expected);
            if ahead >= u16::MAX / 2 {
                self.dropped += 1;
                return Ok(frames);
            }
            if ahead <= MAX_CONCEALED_GAP {
                for missing in 0..ahead {
                    let samples = if missing + 1 == ahead {
                        match self.decoder.decode_fec(payload)? {
                            Some(samples) => samples,
                            None => self.decoder.conceal()?,
                        }
                    } else {
                        self.decoder.conceal()?
                    };
                    self.concealed += 1;
                    frames.push(self.frame(samples));
                }
            }
        }
        let samples = self.decoder.decode(payload)?;
        frames.push(self.frame(samples));
        self.expected = Some(sequence.wrapping_add(1));
        Ok(frames)
    }

    fn frame(&mut self, samples: Vec<i16>) -> AudioFrame {
        let frame = AudioFrame::from_samples(self.next_timestamp, samples);
        self.next_timestamp += FRAME_SAMPLES as u64;
        frame
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes a payload's first byte into a constant frame; FEC and PLC are recognisable.
    struct Marker;

    impl AudioDecoder for Marker {
        fn clock_rate(&self) -> u32 {
            48_000
        }
        fn decode(&mut self, payload: &[u8]) -> Result<Vec<i16>, AudioError> {
            Ok(vec![i16::from(payload[0]); FRAME_SAMPLES])
        }
        fn decode_fec(&mut self, next: &[u8]) -> Result<Option<Vec<i16>>, AudioError> {
            Ok(Some(vec![-i16::from(next[0]); FRAME_SAMPLES]))
        }
        fn conceal(&mut self) -> Result<Vec<i16>, AudioError> {
            Ok(vec![0; FRAME_SAMPLES])
        }
    }

    fn firsts(frames: &[AudioFrame]) -> Vec<i16> {
        frames.iter().map(|f| f.samples[0]).collect()
    }

    #[test]
    fn order_gaps_late_and_wrap() {
        let mut playout = InOrderPlayout::new(Box::new(Marker));
        // (sequence, payload marker, expected first samples)
        let steps: Vec<(u16, u8, Vec<i16>)> = vec![
            (65534, 1, vec![1]),
            (65535, 2, vec![2]),
            (0, 3, vec![3]),           // wrap
            (2, 5, vec![-5, 5]),       // one lost: FEC from the next packet
            (1, 4, vec![]),            // late
            (2, 5, vec![]),            // duplicate
            (6, 9, vec![0, 0, -9, 9]), // three lost: PLC, PLC, FEC
            (500, 7, vec![7]),         // resync
        ];
        for (sequence, marker, expected) in steps {
            let frames = playout.push(sequence, &[marker]).expect("decodes");
            assert_eq!(firsts(&frames), expected, "sequence {sequence}");
        }
        assert_eq!(playout.concealed(), 4);
        assert_eq!(playout.dropped(), 2);
    }

    #[test]
    fn timestamps_advance_one_frame_each() {
        let mut playout = InOrderPlayout::new(Box::new(Marker));
        let frames: Vec<AudioFrame> = [(10u16, 1u8), (12, 2)]
            .iter()
            .flat_map(|(s, m)| playout.push(*s, &[*m]).expect("decodes"))
            .collect();
        let stamps: Vec<u64> = frames.iter().map(|f| f.timestamp).collect();
        assert_eq!(stamps, vec![0, 960, 1920]);
    }
}
