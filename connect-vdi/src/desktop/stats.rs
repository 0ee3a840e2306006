//! W3C stats objects from the engine → the softphone's [`MediaStats`].

use std::time::Duration;

use connect_softphone::media::{AudioCodec, MediaStats};

use crate::protocol::StatsReport;

fn seconds(value: Option<f64>) -> Duration {
    value
        .filter(|v| v.is_finite() && *v >= 0.0)
        .map(Duration::from_secs_f64)
        .unwrap_or_default()
}

/// Folds a `getStats` report list into one snapshot.
///
/// ```
/// use connect_vdi::desktop::media_stats;
/// use connect_vdi::protocol::StatsReport;
///
/// let out = StatsReport { kind: "outbound-rtp".into(), packets_sent: Some(50), ..Default::default() };
/// assert_eq!(media_stats(&[out]).packets_sent, 50);
/// ```
pub fn media_stats(reports: &[StatsReport]) -> MediaStats {
    let mut stats = MediaStats::default();
    for report in reports {
        match report.kind.as_str() {
            "outbound-rtp" => {
                stats.packets_sent = report.packets_sent.unwrap_or_default();
                stats.bytes_sent = report.bytes_sent.unwrap_or_default();
                stats.codec = match report
                    .mime_type
                    .as_deref()
                    .map(str::to_ascii_lowercase)
                    .as_deref()
                {
                    Some("audio/opus") => Some(AudioCodec::Opus),
                    Some("audio/pcmu") => Some(AudioCodec::Pcmu),
                    _ => stats.codec,
                };
            }
            "inbound-rtp" => {
                stats.packets_received = report.packets_received.unwrap_or_default();
                stats.bytes_received = report.bytes_received.unwrap_or_default();
                stats.packets_lost = report.packets_lost.unwrap_or_default();
                stats.jitter = seconds(report.jitter);
                stats.audio_output_level = report.audio_level.unwrap_or_default();
                stats.concealed_frames = report.concealment_events.unwrap_or_default();
            }
            "remote-inbound-rtp" => {
                stats.remote_packets_lost = report.packets_lost.unwrap_or_default();
                stats.remote_fraction_lost = report.fraction_lost.unwrap_or_default();
                stats.remote_jitter = seconds(report.jitter);
                stats.round_trip_time = report.round_trip_time.map(|s| seconds(Some(s)));
            }
            "media-source" => stats.audio_input_level = report.audio_level.unwrap_or_default(),
            _ => {}
        }
    }
    stats
}
