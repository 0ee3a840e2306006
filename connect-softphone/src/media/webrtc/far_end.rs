//! What the far end reports about the stream this peer sends (spec §11.2, RFC 3550 §6.4.1):
//! an interceptor that only observes inbound sender and receiver reports and keeps the latest
//! fraction lost (the Opus loss hint the send loop hands to the encoder) and the round-trip
//! time `A − LSR − DLSR` of the reception report block about our stream.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rtc::interceptor::{Interceptor, Packet, StreamInfo, TaggedPacket};
use rtc::rtcp::receiver_report::ReceiverReport;
use rtc::rtcp::reception_report::ReceptionReport;
use rtc::rtcp::sender_report::SenderReport;
use rtc::sansio::Protocol;
use rtc::shared::error::Error;

/// Seconds between the NTP epoch (1900) and the Unix epoch (1970).
const NTP_UNIX_OFFSET_SECS: u64 = 2_208_988_800;

/// The latest report about our stream: loss in percent (0–100) and RTT in microseconds
/// (0 until a report block answering one of our sender reports arrives).
#[derive(Debug, Default)]
pub(super) struct FarEndReport {
    loss_percent: AtomicU8,
    rtt_micros: AtomicU32,
}

impl FarEndReport {
    /// The latest fraction lost, in percent (0 until a report arrives).
    pub(super) fn loss_percent(&self) -> u8 {
        self.loss_percent.load(Ordering::Relaxed)
    }

    /// The latest RTCP round-trip time, once measured.
    pub(super) fn round_trip_time(&self) -> Option<Duration> {
        match self.rtt_micros.load(Ordering::Relaxed) {
            0 => None,
            micros => Some(Duration::from_micros(u64::from(micros))),
        }
    }
}

/// RFC 3550 §6.4.1: the fraction lost is a fixed-point number with the binary point at the
/// left edge. Rounded up, so any reported loss turns the encoder's FEC on.
fn percent(fraction_lost: u8) -> u8 {
    (u16::from(fraction_lost) * 100).div_ceil(256) as u8
}

/// The middle 32 bits of the NTP timestamp of `at` (units of 1/65536 s), as LSR carries it.
fn ntp_middle(at: SystemTime) -> u32 {
    let since_unix = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since_unix.as_secs() + NTP_UNIX_OFFSET_SECS;
    let fraction = (u64::from(since_unix.subsec_nanos()) << 32) / 1_000_000_000;
    (((secs & 0xFFFF) << 16) | (fraction >> 16)) as u32
}

/// RFC 3550 §6.4.1: the round-trip time of a report block received at `arrival` (NTP middle
/// 32 bits), from its LSR and DLSR; `None` while the far end has no sender report of ours
/// (LSR 0) or the result is not positive.
fn round_trip(arrival: u32, lsr: u32, dlsr: u32) -> Option<Duration> {
    if lsr == 0 {
        return None;
    }
    let units = arrival.wrapping_sub(lsr).wrapping_sub(dlsr);
    // More than half the 65536 s range is a negative difference (clock steps, bad reports).
    if units == 0 || units > u32::MAX / 2 {
        return None;
    }
    Some(Duration::from_micros(u64::from(units) * 1_000_000 / 65_536))
}

/// Reads reception reports about `ssrc` into a [`FarEndReport`]; every packet passes on
/// unchanged.
pub(super) struct ReportObserver {
    ssrc: u32,
    report: Arc<FarEndReport>,
    reads: VecDeque<TaggedPacket>,
    writes: VecDeque<TaggedPacket>,
}

impl ReportObserver {
    /// Observes reports about the stream sent on `ssrc`.
    pub(super) fn new(ssrc: u32, report: Arc<FarEndReport>) -> Self {
        Self {
            ssrc,
            report,
            reads: VecDeque::new(),
            writes: VecDeque::new(),
        }
    }

    fn observe(&self, packet: &TaggedPacket) {
        let Packet::Rtcp(packets) = &packet.message.packet else {
            return;
        };
        let arrival = ntp_middle(SystemTime::now());
        for rtcp in packets {
            let any = rtcp.as_any();
            let reports: &[ReceptionReport] = if let Some(rr) = any.downcast_ref::<ReceiverReport>()
            {
                &rr.reports
            } else if let Some(sr) = any.downcast_ref::<SenderReport>() {
                &sr.reports
            } else {
                continue;
            };
            for block in reports.iter().filter(|r| r.ssrc == self.ssrc) {
                let now = percent(block.fraction_lost);
                if now != self.report.loss_percent() {
                    tracing::debug!(loss_percent = now, "far end reports a new loss rate");
                }
                self.report.loss_percent.store(now, Ordering::Relaxed);
                if let Some(rtt) = round_trip(arrival, block.last_sender_report, block.delay) {
                    let micros = u32::try_from(rtt.as_micros()).unwrap_or(u32::MAX);
                    self.report
                        .rtt_micros
                        .store(micros.max(1), Ordering::Relaxed);
                }
            }
        }
    }
}

impl Protocol<TaggedPacket, TaggedPacket, ()> for ReportObserver {
    type Rout = TaggedPacket;
    type Wout = TaggedPacket;
    type Eout = ();
    type Error = Error;
    type Time = std::time::Instant;

    fn handle_read(&mut self, msg: TaggedPacket) -> Result<(), Self::Error> {
        self.observe(&msg);
        self.reads.push_back(msg);
        Ok(())
    }

    fn poll_read(&mut self) -> Option<Self::Rout> {
        self.reads.pop_front()
    }

    fn handle_write(&mut self, msg: TaggedPacket) -> Result<(), Self::Error> {
        self.writes.push_back(msg);
        Ok(())
    }

    fn poll_write(&mut self) -> Option<Self::Wout> {
        self.writes.pop_front()
    }
}

impl Interceptor for ReportObserver {
    fn bind_local_stream(&mut self, _info: &StreamInfo) {}
    fn unbind_local_stream(&mut self, _info: &StreamInfo) {}
    fn bind_remote_stream(&mut self, _info: &StreamInfo) {}
    fn unbind_remote_stream(&mut self, _info: &StreamInfo) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use rtc::interceptor::AttributedPacket;
    use rtc::shared::{TransportContext, TransportMessage};

    fn rtcp(packets: Vec<Box<dyn rtc::rtcp::Packet>>) -> TaggedPacket {
        TransportMessage {
            now: std::time::Instant::now(),
            transport: TransportContext::default(),
            message: AttributedPacket::new(Packet::Rtcp(packets)),
        }
    }

    fn block(ssrc: u32, fraction_lost: u8) -> ReceptionReport {
        ReceptionReport {
            ssrc,
            fraction_lost,
            ..Default::default()
        }
    }

    #[test]
    fn fraction_lost_becomes_a_percentage_rounded_up() {
        for (fraction, expected) in [(0, 0), (1, 1), (26, 11), (64, 25), (128, 50), (255, 100)] {
            assert_eq!(percent(fraction), expected, "{fraction}/256");
        }
    }

    #[test]
    fn round_trip_is_arrival_minus_lsr_minus_dlsr() {
        // Units of 1/65536 s: arrival 10 s, LSR 9.5 s, DLSR 0.375 s → 125 ms.
        let (arrival, lsr, dlsr) = (655_360, 622_592, 24_576);
        let rtt = Some(Duration::from_millis(125));
        assert_eq!(round_trip(arrival, lsr, dlsr), rtt);
        assert_eq!(round_trip(arrival, 0, dlsr), None, "no sender report yet");
        assert_eq!(round_trip(arrival, arrival, dlsr), None, "negative");
        // Across the 16-bit seconds wrap: LSR just before it, arrival just after.
        assert_eq!(round_trip(4_096, u32::MAX - 4_095, 0), rtt);
    }

    #[test]
    fn the_ntp_middle_bits_of_a_known_instant() {
        // 1970-01-01T00:00:01.5Z: NTP seconds 2 208 988 801, fraction 0.5.
        let at = UNIX_EPOCH + Duration::from_millis(1_500);
        let secs = (2_208_988_801u64 & 0xFFFF) as u32;
        assert_eq!(ntp_middle(at), (secs << 16) | 0x8000);
    }

    #[test]
    fn a_report_answering_our_sender_report_gives_the_rtt() {
        let report = Arc::new(FarEndReport::default());
        let mut observer = ReportObserver::new(0xA, Arc::clone(&report));
        let now = ntp_middle(SystemTime::now());
        let block = ReceptionReport {
            ssrc: 0xA,
            last_sender_report: now.wrapping_sub(65_536 / 2), // sent 0.5 s ago
            delay: 65_536 / 4,                                // held 0.25 s
            ..Default::default()
        };
        observer
            .handle_read(rtcp(vec![Box::new(ReceiverReport {
                reports: vec![block],
                ..Default::default()
            })]))
            .expect("observed");
        let rtt = report.round_trip_time().expect("measured");
        assert!(
            (Duration::from_millis(249)..Duration::from_secs(60)).contains(&rtt),
            "{rtt:?}"
        );
    }

    #[test]
    fn reports_about_our_stream_set_the_hint_and_pass_through() {
        let loss = Arc::new(FarEndReport::default());
        let mut observer = ReportObserver::new(0xA, Arc::clone(&loss));
        assert_eq!(loss.round_trip_time(), None);
        // (packet, hint afterwards)
        let steps: Vec<(Vec<Box<dyn rtc::rtcp::Packet>>, u8)> = vec![
            (
                vec![Box::new(ReceiverReport {
                    reports: vec![block(0xB, 200), block(0xA, 64)],
                    ..Default::default()
                })],
                25,
            ),
            (
                vec![Box::new(ReceiverReport {
                    reports: vec![block(0xB, 255)],
                    ..Default::default()
                })],
                25,
            ),
            (
                vec![Box::new(SenderReport {
                    reports: vec![block(0xA, 0)],
                    ..Default::default()
                })],
                0,
            ),
        ];
        for (packets, expected) in steps {
            let count = packets.len();
            observer.handle_read(rtcp(packets)).expect("observed");
            assert_eq!(loss.loss_percent(), expected);
            let passed = observer.poll_read().expect("passed on");
            assert!(matches!(&passed.message.packet, Packet::Rtcp(p) if p.len() == count));
        }
        observer.handle_write(rtcp(vec![])).expect("written");
        assert!(observer.poll_write().is_some());
    }
}
