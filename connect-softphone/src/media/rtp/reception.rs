//! [`ReceptionStats`]: RFC 3550 §A.3 reception counts of one inbound RTP stream.

/// Packets received and lost on one inbound stream, as RFC 3550 §A.3 counts them: the
/// expected count runs from the first sequence number to the extended highest one (16-bit
/// wrap counted), and `lost = expected − received`. A packet that arrives late, after others
/// with higher numbers, is no longer counted lost: the count is cumulative, not a sum of
/// per-report gaps. Duplicates are counted as received, so `lost` may go below zero, as the
/// RFC allows.
///
/// ```
/// use connect_softphone::media::rtp::ReceptionStats;
///
/// let mut stats = ReceptionStats::default();
/// for seq in [65_534u16, 65_535, 1, 0, 3] {
///     stats.on_packet(seq);
/// }
/// assert_eq!(stats.received(), 5);
/// assert_eq!(stats.expected(), 6); // 65534 … 3 across the wrap
/// assert_eq!(stats.lost(), 1); // 2 never came; 0 came late and is not lost
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReceptionStats {
    base: Option<u32>,
    max_seq: u16,
    cycles: u32,
    received: u64,
}

/// A jump this large ahead of the highest number is taken as a sequence wrap or a late packet
/// from before the wrap (RFC 3550's `MAX_DROPOUT`).
const MAX_DROPOUT: u16 = 3_000;

impl ReceptionStats {
    /// Counts one packet with sequence number `seq`.
    pub fn on_packet(&mut self, seq: u16) {
        self.received += 1;
        let Some(_) = self.base else {
            self.base = Some(u32::from(seq));
            self.max_seq = seq;
            return;
        };
        let delta = seq.wrapping_sub(self.max_seq);
        if delta != 0 && delta < MAX_DROPOUT {
            if seq < self.max_seq {
                self.cycles += 1 << 16;
            }
            self.max_seq = seq;
        }
        // Otherwise a duplicate or a late packet: received, the highest number stays.
    }

    /// Packets received, duplicates included.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Packets expected: extended highest sequence number − first + 1 (0 before any packet).
    pub fn expected(&self) -> u64 {
        self.base.map_or(0, |base| {
            u64::from(self.cycles) + u64::from(self.max_seq) + 1 - u64::from(base)
        })
    }

    /// Cumulative packets lost: expected − received (negative after duplicates).
    pub fn lost(&self) -> i64 {
        self.expected() as i64 - self.received as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(seqs: &[u16]) -> ReceptionStats {
        let mut stats = ReceptionStats::default();
        for &seq in seqs {
            stats.on_packet(seq);
        }
        stats
    }

    #[test]
    fn counts_table() {
        // (packets, expected, lost)
        let cases: &[(&[u16], u64, i64)] = &[
            (&[], 0, 0),
            (&[10], 1, 0),
            (&[10, 11, 12], 3, 0),
            (&[10, 12], 3, 1),
            (&[10, 12, 11], 3, 0),
            (&[10, 11, 11], 2, -1),
            (&[65_535, 0, 1], 3, 0),
            (&[65_530, 2], 9, 7),
            (&[100, 50], 1, -1),
        ];
        for (seqs, expected, lost) in cases {
            let stats = after(seqs);
            assert_eq!(stats.expected(), *expected, "{seqs:?}");
            assert_eq!(stats.lost(), *lost, "{seqs:?}");
        }
    }

    #[test]
    fn many_wraps_are_counted() {
        let mut stats = ReceptionStats::default();
        let mut seq = 1_000u16;
        for i in 0..200_000u32 {
            if i % 20 != 7 {
                stats.on_packet(seq);
            }
            seq = seq.wrapping_add(1);
        }
        assert_eq!(stats.expected(), 200_000);
        assert_eq!(stats.lost(), 10_000);
    }
}
