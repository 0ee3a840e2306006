//! The Opus loss hint from the far end's RTCP reports (spec §11.2): an interceptor that only
//! observes inbound sender and receiver reports and keeps the latest fraction lost of the
//! stream this peer sends, for the send loop to hand to the encoder.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use rtc::interceptor::{Interceptor, Packet, StreamInfo, TaggedPacket};
use rtc::rtcp::receiver_report::ReceiverReport;
use rtc::rtcp::reception_report::ReceptionReport;
use rtc::rtcp::sender_report::SenderReport;
use rtc::sansio::Protocol;
use rtc::shared::error::Error;

/// The packet loss the far end last reported for our stream, in percent (0–100).
#[derive(Debug, Default)]
pub(super) struct ReportedLoss(AtomicU8);

impl ReportedLoss {
    /// The latest report (0 until one arrives).
    pub(super) fn percent(&self) -> u8 {
        self.0.load(Ordering::Relaxed)
    }

    fn set(&self, percent: u8) {
        self.0.store(percent, Ordering::Relaxed);
    }
}

/// RFC 3550 §6.4.1: the fraction lost is a fixed-point number with the binary point at the
/// left edge. Rounded up, so any reported loss turns the encoder's FEC on.
fn percent(fraction_lost: u8) -> u8 {
    (u16::from(fraction_lost) * 100).div_ceil(256) as u8
}

/// Reads reception reports about `ssrc` into a [`ReportedLoss`]; every packet passes on
/// unchanged.
pub(super) struct LossObserver {
    ssrc: u32,
    loss: Arc<ReportedLoss>,
    reads: VecDeque<TaggedPacket>,
    writes: VecDeque<TaggedPacket>,
}

impl LossObserver {
    /// Observes reports about the stream sent on `ssrc`.
    pub(super) fn new(ssrc: u32, loss: Arc<ReportedLoss>) -> Self {
        Self {
            ssrc,
            loss,
            reads: VecDeque::new(),
            writes: VecDeque::new(),
        }
    }

    fn observe(&self, packet: &TaggedPacket) {
        let Packet::Rtcp(packets) = &packet.message.packet else {
            return;
        };
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
            for report in reports.iter().filter(|r| r.ssrc == self.ssrc) {
                let now = percent(report.fraction_lost);
                if now != self.loss.percent() {
                    tracing::debug!(loss_percent = now, "far end reports a new loss rate");
                }
                self.loss.set(now);
            }
        }
    }
}

impl Protocol<TaggedPacket, TaggedPacket, ()> for LossObserver {
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

impl Interceptor for LossObserver {
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
    fn reports_about_our_stream_set_the_hint_and_pass_through() {
        let loss = Arc::new(ReportedLoss::default());
        let mut observer = LossObserver::new(0xA, Arc::clone(&loss));
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
            assert_eq!(loss.percent(), expected);
            let passed = observer.poll_read().expect("passed on");
            assert!(matches!(&passed.message.packet, Packet::Rtcp(p) if p.len() == count));
        }
        observer.handle_write(rtcp(vec![])).expect("written");
        assert!(observer.poll_write().is_some());
    }
}
