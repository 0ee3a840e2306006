//! Per-subscriber SSRC mapping: a forwarded stream leaves on the subscriber's own SSRC, with
//! sequence numbers and timestamps that continue smoothly when the source behind it changes.

use rtc::rtp::Header;

/// Rewrites the headers of the packets one outbound track forwards.
#[derive(Debug)]
pub(super) struct RtpRewriter {
    ssrc: u32,
    /// Timestamp step inserted at a source change (one frame or packet of the media).
    switch_step: u32,
    source: Option<u32>,
    sequence_offset: u16,
    timestamp_offset: u32,
    last: Option<(u16, u32)>,
}

impl RtpRewriter {
    /// A rewriter onto `ssrc`.
    pub(super) fn new(ssrc: u32, switch_step: u32) -> Self {
        Self {
            ssrc,
            switch_step,
            source: None,
            sequence_offset: 0,
            timestamp_offset: 0,
            last: None,
        }
    }

    /// Maps one header onto the outbound stream.
    pub(super) fn rewrite(&mut self, header: &mut Header) {
        if self.source != Some(header.ssrc) {
            if let Some((sequence, timestamp)) = self.last {
                self.sequence_offset = sequence
                    .wrapping_add(1)
                    .wrapping_sub(header.sequence_number);
                self.timestamp_offset = timestamp
                    .wrapping_add(self.switch_step)
                    .wrapping_sub(header.timestamp);
            }
            self.source = Some(header.ssrc);
        }
        header.ssrc = self.ssrc;
        header.sequence_number = header.sequence_number.wrapping_add(self.sequence_offset);
        header.timestamp = header.timestamp.wrapping_add(self.timestamp_offset);
        let newer = self.last.is_none_or(|(last, _)| {
            let ahead = header.sequence_number.wrapping_sub(last);
            ahead != 0 && ahead < u16::MAX / 2
        });
        if newer {
            self.last = Some((header.sequence_number, header.timestamp));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(ssrc: u32, sequence_number: u16, timestamp: u32) -> Header {
        Header {
            ssrc,
            sequence_number,
            timestamp,
            ..Header::default()
        }
    }

    fn out(rewriter: &mut RtpRewriter, ssrc: u32, seq: u16, ts: u32) -> (u32, u16, u32) {
        let mut h = header(ssrc, seq, ts);
        rewriter.rewrite(&mut h);
        (h.ssrc, h.sequence_number, h.timestamp)
    }

    #[test]
    fn one_source_keeps_its_numbers_on_the_new_ssrc() {
        let mut rewriter = RtpRewriter::new(99, 3000);
        assert_eq!(out(&mut rewriter, 5, 100, 9000), (99, 100, 9000));
        assert_eq!(out(&mut rewriter, 5, 101, 12000), (99, 101, 12000));
        // Reordering passes through unchanged.
        assert_eq!(out(&mut rewriter, 5, 99, 6000), (99, 99, 6000));
    }

    #[test]
    fn a_new_source_continues_the_sequence() {
        let mut rewriter = RtpRewriter::new(99, 3000);
        out(&mut rewriter, 5, 65_535, 1000);
        assert_eq!(out(&mut rewriter, 7, 40, 500_000), (99, 0, 4000));
        assert_eq!(out(&mut rewriter, 7, 41, 503_000), (99, 1, 7000));
        // Back to the first source: continues again.
        assert_eq!(out(&mut rewriter, 5, 0, 2000), (99, 2, 10_000));
    }
}
