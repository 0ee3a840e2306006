//! The RFC 4733 `telephone-event` payload: event code, end bit, volume, duration.

use crate::audio::AudioError;

/// One `telephone-event` payload (RFC 4733 §2.3), 4 bytes on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TelephoneEvent {
    /// Event code: 0–9 for the digits, 10 `*`, 11 `#`, 12–15 `A`–`D`.
    pub event: u8,
    /// Whether this packet ends the event.
    pub end: bool,
    /// Power level, in −dBm0 (0–63).
    pub volume: u8,
    /// Duration so far, in RTP timestamp units.
    pub duration: u16,
}

impl TelephoneEvent {
    /// The 4-byte payload.
    pub fn to_bytes(self) -> [u8; 4] {
        let [d0, d1] = self.duration.to_be_bytes();
        [
            self.event,
            (u8::from(self.end) << 7) | (self.volume & 0x3F),
            d0,
            d1,
        ]
    }

    /// Parses a payload; shorter than 4 bytes is an error (extra bytes are ignored).
    pub fn parse(payload: &[u8]) -> Result<Self, AudioError> {
        match payload {
            [event, flags, d0, d1, ..] => Ok(Self {
                event: *event,
                end: flags & 0x80 != 0,
                volume: flags & 0x3F,
                duration: u16::from_be_bytes([*d0, *d1]),
            }),
            _ => {
                tracing::debug!(len = payload.len(), "short telephone-event payload");
                Err(AudioError::InvalidInput(format!(
                    "telephone-event payload of {} bytes",
                    payload.len()
                )))
            }
        }
    }
}

/// The event code of a DTMF digit (`0-9 * # A-D`, letters in either case).
pub fn event_code(digit: char) -> Option<u8> {
    match digit.to_ascii_uppercase() {
        d @ '0'..='9' => Some(d as u8 - b'0'),
        '*' => Some(10),
        '#' => Some(11),
        d @ 'A'..='D' => Some(d as u8 - b'A' + 12),
        _ => None,
    }
}

/// The digit of a DTMF event code, if it is one.
pub fn digit_of(code: u8) -> Option<char> {
    match code {
        0..=9 => Some(char::from(b'0' + code)),
        10 => Some('*'),
        11 => Some('#'),
        12..=15 => Some(char::from(b'A' + code - 12)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_table() {
        let cases = [
            ('0', 0),
            ('9', 9),
            ('*', 10),
            ('#', 11),
            ('A', 12),
            ('d', 15),
        ];
        for (digit, code) in cases {
            assert_eq!(event_code(digit), Some(code));
            assert_eq!(digit_of(code), Some(digit.to_ascii_uppercase()));
        }
        assert_eq!(event_code('E'), None);
        assert_eq!(event_code(','), None);
        assert_eq!(digit_of(16), None);
    }

    #[test]
    fn payload_round_trip_and_short_input() {
        let event = TelephoneEvent {
            event: 11,
            end: true,
            volume: 10,
            duration: 4_800,
        };
        let bytes = event.to_bytes();
        assert_eq!(bytes, [11, 0x8A, 0x12, 0xC0]);
        assert_eq!(TelephoneEvent::parse(&bytes).expect("parses"), event);
        assert!(TelephoneEvent::parse(&bytes[..3])
            .expect_err("short")
            .is_invalid_input());
    }
}
