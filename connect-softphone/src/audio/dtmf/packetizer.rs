//! Digits to RFC 4733 packets: 100 ms tone, 70 ms gap, volume 10, marker on the first packet,
//! one timestamp per event, the end packet three times, `,` a 500 ms pause.

use std::time::Duration;

use super::event::{event_code, TelephoneEvent};
use crate::audio::AudioError;

/// One `telephone-event` RTP packet to send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DtmfPacket {
    /// When to send it, from the start of the digit string.
    pub at: Duration,
    /// RTP marker bit (set on the first packet of each event).
    pub marker: bool,
    /// RTP timestamp offset of the event start, in clock units from the start of the string
    /// (the same for every packet of an event).
    pub timestamp_offset: u32,
    /// The payload.
    pub event: TelephoneEvent,
}

/// Timing of the packetizer; the defaults are the SDK's (`softphone.md` §11.2).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DtmfTiming {
    /// Tone length.
    pub tone: Duration,
    /// Silence after each tone.
    pub gap: Duration,
    /// Length of a `,` pause.
    pub pause: Duration,
    /// Interval between packets of one event (the audio packet time).
    pub packet_interval: Duration,
    /// Volume, in −dBm0.
    pub volume: u8,
    /// How many times the end packet is sent.
    pub end_repeats: u8,
}

impl Default for DtmfTiming {
    fn default() -> Self {
        Self {
            tone: Duration::from_millis(100),
            gap: Duration::from_millis(70),
            pause: Duration::from_millis(500),
            packet_interval: Duration::from_millis(20),
            volume: 10,
            end_repeats: 3,
        }
    }
}

/// Turns a digit string into the packets that carry it at `clock_rate` (48 000 with Opus, 8 000
/// with PCMU), with the default timing.
///
/// ```
/// use connect_softphone::audio::dtmf_packets;
///
/// let packets = dtmf_packets("1,#", 8_000).expect("valid digits");
/// // 100 ms of tone in 20 ms packets (5), the last one sent 3 times: 7 packets per digit.
/// assert_eq!(packets.len(), 14);
/// assert!(packets[0].marker && !packets[1].marker);
/// assert_eq!(packets[6].event.duration, 800);
/// // The second digit starts after 100 + 70 ms and the 500 ms pause.
/// assert_eq!(packets[7].timestamp_offset, 8 * 670);
/// ```
pub fn dtmf_packets(digits: &str, clock_rate: u32) -> Result<Vec<DtmfPacket>, AudioError> {
    dtmf_packets_with(digits, clock_rate, &DtmfTiming::default())
}

/// Like [`dtmf_packets`], with explicit timing.
pub fn dtmf_packets_with(
    digits: &str,
    clock_rate: u32,
    timing: &DtmfTiming,
) -> Result<Vec<DtmfPacket>, AudioError> {
    let units =
        |d: Duration| -> u64 { (d.as_micros() * u128::from(clock_rate) / 1_000_000) as u64 };
    let interval = timing.packet_interval.max(Duration::from_millis(1));
    let mut packets = Vec::new();
    let mut at = Duration::ZERO;
    for digit in digits.chars() {
        if digit == ',' {
            at += timing.pause;
            continue;
        }
        let Some(code) = event_code(digit) else {
            tracing::warn!(%digit, "not a DTMF digit");
            return Err(AudioError::InvalidInput(format!(
                "not a DTMF digit: {digit:?}"
            )));
        };
        let start = at;
        let timestamp_offset = u32::try_from(units(start)).unwrap_or(u32::MAX);
        let mut elapsed = Duration::ZERO;
        let mut first = true;
        while elapsed < timing.tone {
            elapsed = (elapsed + interval).min(timing.tone);
            let end = elapsed >= timing.tone;
            let event = TelephoneEvent {
                event: code,
                end,
                volume: timing.volume,
                duration: u16::try_from(units(elapsed)).unwrap_or(u16::MAX),
            };
            let repeats = if end { timing.end_repeats.max(1) } else { 1 };
            for _ in 0..repeats {
                packets.push(DtmfPacket {
                    at: start + elapsed - interval.min(elapsed),
                    marker: first,
                    timestamp_offset,
                    event,
                });
                first = false;
            }
        }
        at = start + timing.tone + timing.gap;
    }
    Ok(packets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_digit_at_each_clock_rate() {
        for (clock, per_ms) in [(8_000u32, 8u16), (48_000, 48)] {
            let packets = dtmf_packets("5", clock).expect("digit");
            let durations: Vec<u16> = packets.iter().map(|p| p.event.duration).collect();
            let d = |ms: u16| ms * per_ms;
            assert_eq!(
                durations,
                [d(20), d(40), d(60), d(80), d(100), d(100), d(100)]
            );
            let ends: Vec<bool> = packets.iter().map(|p| p.event.end).collect();
            assert_eq!(ends, [false, false, false, false, true, true, true]);
            assert!(packets
                .iter()
                .all(|p| p.event.event == 5 && p.event.volume == 10));
            assert!(packets.iter().all(|p| p.timestamp_offset == 0));
            assert_eq!(packets.iter().filter(|p| p.marker).count(), 1);
            let times: Vec<u64> = packets.iter().map(|p| p.at.as_millis() as u64).collect();
            assert_eq!(times, [0, 20, 40, 60, 80, 80, 80]);
        }
    }

    #[test]
    fn digit_strings_table() {
        // (digits, event codes in order of events, start of each event in ms)
        let cases: &[(&str, &[u8], &[u32])] = &[
            ("", &[], &[]),
            ("12", &[1, 2], &[0, 170]),
            ("*#", &[10, 11], &[0, 170]),
            ("a,D", &[12, 15], &[0, 670]),
            (",,9", &[9], &[1_000]),
        ];
        for &(digits, codes, starts) in cases {
            let packets = dtmf_packets(digits, 8_000).expect("valid");
            let firsts: Vec<&DtmfPacket> = packets.iter().filter(|p| p.marker).collect();
            let got_codes: Vec<u8> = firsts.iter().map(|p| p.event.event).collect();
            let got_starts: Vec<u32> = firsts.iter().map(|p| p.timestamp_offset / 8).collect();
            assert_eq!(got_codes, codes, "{digits:?}");
            assert_eq!(got_starts, starts, "{digits:?}");
            assert!(firsts
                .iter()
                .zip(starts)
                .all(|(p, &ms)| p.at.as_millis() as u32 == ms));
        }
    }

    #[test]
    fn invalid_digits_are_rejected() {
        for bad in ["1E", "x", "1 2"] {
            assert!(dtmf_packets(bad, 8_000).expect_err(bad).is_invalid_input());
        }
    }
}
