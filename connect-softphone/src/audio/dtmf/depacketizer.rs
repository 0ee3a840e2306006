//! RFC 4733 packets back to digits: one digit per event, however many end packets arrive.

use super::event::{digit_of, TelephoneEvent};
use crate::audio::AudioError;

/// Collects digits from received `telephone-event` packets.
///
/// An event is identified by its RTP timestamp; it yields its digit once, on its first end packet
/// (or, if every end packet was lost, when the next event starts).
///
/// ```
/// use connect_softphone::audio::{dtmf_packets, DtmfDepacketizer};
///
/// let mut depacketizer = DtmfDepacketizer::new();
/// let mut digits = String::new();
/// for packet in dtmf_packets("42#", 48_000).expect("valid") {
///     let payload = packet.event.to_bytes();
///     if let Some(digit) = depacketizer.push(1_000 + packet.timestamp_offset, &payload).expect("parses") {
///         digits.push(digit);
///     }
/// }
/// assert_eq!(digits, "42#");
/// ```
#[derive(Clone, Debug, Default)]
pub struct DtmfDepacketizer {
    /// The event in progress: (RTP timestamp, event code, already reported).
    current: Option<(u32, u8, bool)>,
}

impl DtmfDepacketizer {
    /// An empty depacketizer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes one packet (its RTP timestamp and payload); returns a digit when one completes.
    /// Events that are not digits (codes above 15) are ignored.
    pub fn push(&mut self, rtp_timestamp: u32, payload: &[u8]) -> Result<Option<char>, AudioError> {
        let event = TelephoneEvent::parse(payload)?;
        let mut completed = None;
        match self.current {
            Some((timestamp, code, reported)) if timestamp == rtp_timestamp => {
                if event.end && !reported {
                    self.current = Some((timestamp, code, true));
                    completed = digit_of(code);
                }
                return Ok(completed);
            }
            Some((_, code, false)) => {
                // The previous event's end packets were all lost.
                completed = digit_of(code);
            }
            _ => {}
        }
        self.current = Some((rtp_timestamp, event.event, event.end));
        if event.end {
            // A new event whose first packet seen is already an end packet.
            return Ok(completed.or_else(|| digit_of(event.event)));
        }
        Ok(completed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(code: u8, end: bool, duration: u16) -> [u8; 4] {
        TelephoneEvent {
            event: code,
            end,
            volume: 10,
            duration,
        }
        .to_bytes()
    }

    #[test]
    fn events_to_digits_table() {
        // (timestamp, code, end, expected digit)
        let steps: &[(u32, u8, bool, Option<char>)] = &[
            (100, 1, false, None),
            (100, 1, false, None),
            (100, 1, true, Some('1')),
            (100, 1, true, None), // repeated end packet
            (100, 1, true, None),
            (900, 11, false, None),
            // every end of '#' lost: it completes when the next event starts
            (1_700, 3, false, Some('#')),
            (1_700, 3, true, Some('3')),
            (2_500, 12, true, Some('A')), // only an end packet arrived
            (2_500, 12, true, None),
            (3_300, 16, true, None), // not a digit (flash)
        ];
        let mut depacketizer = DtmfDepacketizer::new();
        for (i, &(ts, code, end, expected)) in steps.iter().enumerate() {
            let got = depacketizer
                .push(ts, &payload(code, end, 800))
                .expect("parses");
            assert_eq!(got, expected, "step {i}");
        }
        assert!(depacketizer.push(1, &[1, 2]).is_err());
    }
}
