//! Extended RTP sequence numbers: 16-bit wrap, reordering, and when a jump means a new stream.

/// Largest sequence jump (either way) that is still the same stream.
pub const MAX_JUMP: i64 = 100;

/// What a sequence number means for the stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeqVerdict {
    /// Part of the stream, with this extended sequence number.
    InStream(i64),
    /// Far behind the stream: a straggler (or the first packet of a restarted sender, which is
    /// only believed when the next packet follows it).
    Stale,
    /// A new stream starts here, with this extended sequence number.
    Resync(i64),
}

/// Turns 16-bit sequence numbers into monotonic 64-bit ones (RFC 3550 §A.1 style).
#[derive(Clone, Debug, Default)]
pub struct SeqTracker {
    /// Highest extended sequence number seen.
    highest: Option<i64>,
    /// After a stale packet, the sequence number that would confirm a sender restart.
    probation: Option<u16>,
}

impl SeqTracker {
    /// Classifies `seq`, updating the highest sequence number seen.
    pub fn track(&mut self, seq: u16) -> SeqVerdict {
        let Some(highest) = self.highest else {
            return self.restart(seq);
        };
        let delta = i64::from(seq.wrapping_sub(highest as u16) as i16);
        if delta > MAX_JUMP {
            return self.restart(seq);
        }
        if delta < -MAX_JUMP {
            if self.probation == Some(seq) {
                return self.restart(seq);
            }
            self.probation = Some(seq.wrapping_add(1));
            return SeqVerdict::Stale;
        }
        self.probation = None;
        let extended = highest + delta;
        self.highest = Some(highest.max(extended));
        SeqVerdict::InStream(extended)
    }

    fn restart(&mut self, seq: u16) -> SeqVerdict {
        // Start well above zero so that reordered packets before the first stay positive.
        let extended = (1 << 16) + i64::from(seq);
        self.highest = Some(extended);
        self.probation = None;
        SeqVerdict::Resync(extended)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SeqVerdict::*;

    #[test]
    fn wrap_reorder_jumps_and_restarts() {
        let base = 1 << 16;
        let steps: &[(u16, SeqVerdict)] = &[
            (65_534, Resync(base + 65_534)),
            (65_535, InStream(base + 65_535)),
            (0, InStream(base + 65_536)),
            (65_533, InStream(base + 65_533)), // reordered across the wrap
            (2, InStream(base + 65_538)),
            (1, InStream(base + 65_537)),
            (102, InStream(base + 65_638)), // +100: still the stream
            (203, Resync(base + 203)),      // +101: a new stream
            (50, Stale),                    // far behind
            (204, InStream(base + 204)),
            (60, Stale),
            (61, Resync(base + 61)), // the sender restarted at 60
        ];
        let mut tracker = SeqTracker::default();
        for (i, &(seq, expected)) in steps.iter().enumerate() {
            assert_eq!(tracker.track(seq), expected, "step {i}: seq {seq}");
        }
    }
}
