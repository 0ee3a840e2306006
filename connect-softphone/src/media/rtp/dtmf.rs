//! RFC 4733 `telephone-event`: a sender paced by the 20 ms packet clock and a receiver that
//! reports each event once.

use std::collections::VecDeque;

use crate::media::MediaError;

/// Volume field of sent events (spec §11.2: 10, i.e. −10 dBm0).
pub const DTMF_VOLUME: u8 = 10;
/// Packets carrying the tone (5 × 20 ms = 100 ms).
const TONE_TICKS: u32 = 5;
/// Times the end packet is sent.
const END_REPEATS: u32 = 3;
/// Gap after each digit: 70 ms, rounded up to the 20 ms packet clock.
const GAP_TICKS: u32 = 4;
/// A `,` pauses 500 ms.
const PAUSE_TICKS: u32 = 25;

/// One `telephone-event` packet to send instead of audio at this tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DtmfPacket {
    /// The 4-byte payload (event, E/R/volume, duration).
    pub payload: [u8; 4],
    /// Marker bit: set on the first packet of an event.
    pub marker: bool,
    /// RTP timestamp: the event's start, constant for all its packets.
    pub timestamp: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Idle,
    Tone { event: u8, start: u32, sent: u32 },
    End { event: u8, start: u32, sent: u32 },
    Silent { ticks: u32 },
}

/// Turns queued digits into packets, one decision per 20 ms tick.
///
/// ```
/// use connect_softphone::media::rtp::DtmfSender;
///
/// let mut sender = DtmfSender::default();
/// sender.queue("1").unwrap();
/// let first = sender.tick(1000, 960).expect("a tone packet");
/// assert!(first.marker);
/// assert_eq!(first.payload, [1, 10, 0x03, 0xC0]); // event 1, volume 10, 960 samples
/// ```
#[derive(Clone, Debug)]
pub struct DtmfSender {
    pending: VecDeque<u8>,
    state: State,
    events_sent: u64,
}

impl Default for DtmfSender {
    fn default() -> Self {
        Self {
            pending: VecDeque::new(),
            state: State::Idle,
            events_sent: 0,
        }
    }
}

/// `,` is queued as this pseudo-event.
const PAUSE: u8 = 0xFF;

impl DtmfSender {
    /// Queues digits (`0-9 * # A-D`, `,` = pause); nothing is queued if one is invalid.
    pub fn queue(&mut self, digits: &str) -> Result<(), MediaError> {
        let events = digits
            .chars()
            .map(|c| {
                if c == ',' {
                    Ok(PAUSE)
                } else {
                    event_code(c).ok_or(MediaError::InvalidDtmf(c))
                }
            })
            .collect::<Result<Vec<u8>, MediaError>>()?;
        self.pending.extend(events);
        Ok(())
    }

    /// Whether an event or pause is playing or queued.
    pub fn is_busy(&self) -> bool {
        self.state != State::Idle || !self.pending.is_empty()
    }

    /// Events started so far.
    pub fn events_sent(&self) -> u64 {
        self.events_sent
    }

    /// The packet to send at this tick instead of audio, if any. `timestamp` is the RTP
    /// timestamp audio would carry now; `samples_per_tick` the clock units of 20 ms.
    pub fn tick(&mut self, timestamp: u32, samples_per_tick: u32) -> Option<DtmfPacket> {
        if self.state == State::Idle {
            self.state = match self.pending.pop_front() {
                Some(PAUSE) => State::Silent { ticks: PAUSE_TICKS },
                Some(event) => {
                    self.events_sent += 1;
                    State::Tone {
                        event,
                        start: timestamp,
                        sent: 0,
                    }
                }
                None => return None,
            };
        }
        match self.state {
            State::Idle => None,
            State::Silent { ticks } => {
                self.state = if ticks <= 1 {
                    State::Idle
                } else {
                    State::Silent { ticks: ticks - 1 }
                };
                None
            }
            State::Tone { event, start, sent } => {
                let sent = sent + 1;
                self.state = if sent >= TONE_TICKS {
                    State::End {
                        event,
                        start,
                        sent: 0,
                    }
                } else {
                    State::Tone { event, start, sent }
                };
                Some(packet(
                    event,
                    false,
                    sent * samples_per_tick,
                    sent == 1,
                    start,
                ))
            }
            State::End { event, start, sent } => {
                let sent = sent + 1;
                self.state = if sent >= END_REPEATS {
                    State::Silent { ticks: GAP_TICKS }
                } else {
                    State::End { event, start, sent }
                };
                Some(packet(
                    event,
                    true,
                    TONE_TICKS * samples_per_tick,
                    false,
                    start,
                ))
            }
        }
    }
}

fn packet(event: u8, end: bool, duration: u32, marker: bool, timestamp: u32) -> DtmfPacket {
    let duration = u16::try_from(duration).unwrap_or(u16::MAX).to_be_bytes();
    let flags = if end { 0x80 } else { 0 } | (DTMF_VOLUME & 0x3F);
    DtmfPacket {
        payload: [event, flags, duration[0], duration[1]],
        marker,
        timestamp,
    }
}

fn event_code(digit: char) -> Option<u8> {
    match digit {
        '0'..='9' => Some(digit as u8 - b'0'),
        '*' => Some(10),
        '#' => Some(11),
        'A'..='D' => Some(digit as u8 - b'A' + 12),
        'a'..='d' => Some(digit as u8 - b'a' + 12),
        _ => None,
    }
}

fn event_digit(code: u8) -> Option<char> {
    match code {
        0..=9 => Some(char::from(b'0' + code)),
        10 => Some('*'),
        11 => Some('#'),
        12..=15 => Some(char::from(b'A' + code - 12)),
        _ => None,
    }
}

/// Reports each received event once, keyed by its RTP timestamp.
///
/// ```
/// use connect_softphone::media::rtp::DtmfReceiver;
///
/// let mut receiver = DtmfReceiver::default();
/// assert_eq!(receiver.on_packet(500, &[11, 10, 0, 160]), Some('#'));
/// assert_eq!(receiver.on_packet(500, &[11, 0x8A, 0, 255]), None);
/// ```
#[derive(Clone, Debug, Default)]
pub struct DtmfReceiver {
    last: Option<(u32, u8)>,
}

impl DtmfReceiver {
    /// A `telephone-event` payload arrived with this RTP timestamp; returns a new digit.
    pub fn on_packet(&mut self, timestamp: u32, payload: &[u8]) -> Option<char> {
        let code = *payload.first()?;
        if payload.len() < 4 || self.last == Some((timestamp, code)) {
            return None;
        }
        self.last = Some((timestamp, code));
        event_digit(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_digit_is_five_tone_packets_three_ends_then_a_gap() {
        let mut sender = DtmfSender::default();
        sender.queue("5").expect("valid digit");
        let packets: Vec<Option<DtmfPacket>> = (0..12).map(|i| sender.tick(i * 960, 960)).collect();
        let sent: Vec<&DtmfPacket> = packets.iter().flatten().collect();
        assert_eq!(sent.len(), 8);
        assert!(sent.iter().all(|p| p.timestamp == 0 && p.payload[0] == 5));
        assert_eq!(sent.iter().filter(|p| p.marker).count(), 1);
        let durations: Vec<u16> = sent
            .iter()
            .map(|p| u16::from_be_bytes([p.payload[2], p.payload[3]]))
            .collect();
        assert_eq!(
            durations,
            vec![960, 1920, 2880, 3840, 4800, 4800, 4800, 4800]
        );
        assert_eq!(sent.iter().filter(|p| p.payload[1] & 0x80 != 0).count(), 3);
        assert!(
            packets[8..].iter().all(Option::is_none),
            "gap after the digit"
        );
        assert!(!sender.is_busy());
    }

    #[test]
    fn pause_and_invalid_digits() {
        let mut sender = DtmfSender::default();
        assert!(matches!(
            sender.queue("1x"),
            Err(MediaError::InvalidDtmf('x'))
        ));
        assert!(!sender.is_busy());
        sender.queue(",").expect("pause is valid");
        assert!((0..25).all(|i| sender.tick(i * 160, 160).is_none()));
        assert!(!sender.is_busy());
    }

    #[test]
    fn every_digit_round_trips() {
        let mut sender = DtmfSender::default();
        let mut receiver = DtmfReceiver::default();
        let digits = "0123456789*#ABCD";
        sender.queue(digits).expect("valid digits");
        let mut heard = String::new();
        for tick in 0..(16 * 12) {
            if let Some(p) = sender.tick(tick * 960, 960) {
                heard.extend(receiver.on_packet(p.timestamp, &p.payload));
            }
        }
        assert_eq!(heard, digits);
        assert_eq!(sender.events_sent(), 16);
    }
}
