//! Reading webrtc-rs statistics into a [`MediaStats`] snapshot.

use std::sync::atomic::Ordering;
use std::time::Duration;

use rtc::statistics::report::RTCStatsReportEntry;
use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
use webrtc::peer_connection::RTCStatsReport;

use super::shared::{lock, Shared};
use crate::media::MediaStats;

fn seconds(value: f64) -> Duration {
    Duration::try_from_secs_f64(value).unwrap_or_default()
}

/// Builds the snapshot from a report and the peer's own counters.
pub(super) fn snapshot(report: &RTCStatsReport, shared: &Shared) -> MediaStats {
    let mut stats = MediaStats {
        codec: shared.negotiated().map(|n| n.codecs.audio),
        ice_state: *lock(&shared.ice_state),
        audio_input_level: shared.input_level.get(),
        audio_output_level: shared.output_level.get(),
        concealed_frames: shared.concealed.load(Ordering::Relaxed),
        dtmf_events_sent: lock(&shared.dtmf).events_sent(),
        ..MediaStats::default()
    };
    for entry in report.iter() {
        match entry {
            RTCStatsReportEntry::InboundRtp(inbound)
                if inbound.received_rtp_stream_stats.rtp_stream_stats.kind == RtpCodecKind::Audio =>
            {
                let received = &inbound.received_rtp_stream_stats;
                stats.packets_received += received.packets_received;
                stats.bytes_received += inbound.bytes_received;
                stats.packets_lost += received.packets_lost;
                stats.jitter = stats.jitter.max(seconds(received.jitter));
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
                stats.remote_jitter = stats.remote_jitter.max(seconds(received.jitter));
                if remote.round_trip_time_measurements > 0 {
                    stats.round_trip_time = Some(seconds(remote.round_trip_time));
                }
            }
            _ => {}
        }
    }
    stats
}
