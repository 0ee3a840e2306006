//! Reading webrtc-rs statistics into a [`MediaStats`] snapshot.

use std::sync::atomic::Ordering;
use std::time::Duration;

use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
use rtc::statistics::report::RTCStatsReportEntry;
use webrtc::peer_connection::RTCStatsReport;

use super::shared::{lock, Shared};
use crate::media::MediaStats;

fn seconds(value: f64) -> Duration {
    Duration::try_from_secs_f64(value).unwrap_or_default()
}

/// Builds the snapshot from a report and the peer's own counters.
///
/// webrtc-rs 0.21 reports RTCP jitter in RTP clock units (converted here with the negotiated
/// clock rate) and does not compute an RTCP round-trip time (it records 0), so the round-trip
/// time is this SDK's own RFC 3550 `A − LSR − DLSR` from the far end's report blocks
/// ([`FarEndReport`](super::far_end::FarEndReport)); until the first such block, the ICE
/// consent-check time of the nominated candidate pair (the same path). Inbound packets
/// received and lost are this SDK's own RFC 3550 counts: webrtc-rs sums the gaps it sees at
/// each receiver report and never takes back a packet that arrives after its report, so it
/// over-counts loss when packets are reordered.
pub(super) fn snapshot(report: &RTCStatsReport, shared: &Shared) -> MediaStats {
    let clock_rate = shared
        .negotiated()
        .map_or(48_000.0, |n| f64::from(n.codecs.audio.clock_rate()));
    let jitter = |units: f64| seconds(units / clock_rate);
    let mut stats = MediaStats {
        codec: shared.negotiated().map(|n| n.codecs.audio),
        ice_state: *lock(&shared.ice_state),
        audio_input_level: shared.input_level.get(),
        audio_output_level: shared.output_level.get(),
        concealed_frames: shared.concealed.load(Ordering::Relaxed),
        jitter_buffer: lock(&shared.jitter_buffer).clone(),
        dtmf_events_sent: lock(&shared.dtmf).events_sent(),
        ..MediaStats::default()
    };
    for entry in report.iter() {
        match entry {
            RTCStatsReportEntry::InboundRtp(inbound)
                if inbound.received_rtp_stream_stats.rtp_stream_stats.kind
                    == RtpCodecKind::Audio =>
            {
                let received = &inbound.received_rtp_stream_stats;
                stats.packets_received += received.packets_received;
                stats.bytes_received += inbound.bytes_received;
                stats.packets_lost += received.packets_lost;
                stats.jitter = stats.jitter.max(jitter(received.jitter));
            }
            RTCStatsReportEntry::OutboundRtp(outbound)
                if outbound.sent_rtp_stream_stats.rtp_stream_stats.kind == RtpCodecKind::Audio =>
            {
                stats.packets_sent += outbound.sent_rtp_stream_stats.packets_sent;
                stats.bytes_sent += outbound.sent_rtp_stream_stats.bytes_sent;
            }
            RTCStatsReportEntry::RemoteInboundRtp(remote) => {
                let received = &remote.received_rtp_stream_stats;
                stats.remote_packets_lost += received.packets_lost;
                stats.remote_fraction_lost = remote.fraction_lost;
                stats.remote_jitter = stats.remote_jitter.max(jitter(received.jitter));
            }
            RTCStatsReportEntry::IceCandidatePair(pair)
                if pair.nominated && pair.current_round_trip_time > 0.0 =>
            {
                stats.round_trip_time = Some(seconds(pair.current_round_trip_time));
            }
            _ => {}
        }
    }
    if let Some(rtt) = shared.far_end.round_trip_time() {
        stats.round_trip_time = Some(rtt);
        stats.round_trip_time_from_rtcp = true;
    }
    let reception = *lock(&shared.reception);
    if reception.received() > 0 {
        stats.packets_received = reception.received();
        stats.packets_lost = reception.lost();
    }
    stats
}
