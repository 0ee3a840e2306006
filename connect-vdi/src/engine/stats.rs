//! The softphone's [`MediaStats`] → W3C stats objects for `getStats`.

use connect_softphone::media::{AudioCodec, MediaStats};

use crate::protocol::StatsReport;

/// The W3C view of one peer's statistics at `timestamp` (ms since the epoch).
pub fn w3c_reports(pc_id: &str, stats: &MediaStats, timestamp: f64) -> Vec<StatsReport> {
    let base = |kind: &str| StatsReport {
        id: format!("{pc_id}-{kind}"),
        kind: kind.to_owned(),
        timestamp,
        kind_of_media: Some("audio".into()),
        ..StatsReport::default()
    };
    let mime = stats.codec.map(|c| match c {
        AudioCodec::Pcmu => "audio/PCMU".to_owned(),
        _ => "audio/opus".to_owned(),
    });
    vec![
        StatsReport {
            packets_sent: Some(stats.packets_sent),
            bytes_sent: Some(stats.bytes_sent),
            mime_type: mime.clone(),
            ..base("outbound-rtp")
        },
        StatsReport {
            packets_received: Some(stats.packets_received),
            bytes_received: Some(stats.bytes_received),
            packets_lost: Some(stats.packets_lost),
            jitter: Some(stats.jitter.as_secs_f64()),
            audio_level: Some(stats.audio_output_level),
            concealment_events: Some(stats.concealed_frames),
            mime_type: mime,
            ..base("inbound-rtp")
        },
        StatsReport {
            packets_lost: Some(stats.remote_packets_lost),
            fraction_lost: Some(stats.remote_fraction_lost),
            jitter: Some(stats.remote_jitter.as_secs_f64()),
            round_trip_time: stats.round_trip_time.map(|d| d.as_secs_f64()),
            ..base("remote-inbound-rtp")
        },
        StatsReport {
            audio_level: Some(stats.audio_input_level),
            ..base("media-source")
        },
    ]
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::desktop::media_stats;

    #[test]
    fn stats_survive_the_w3c_round_trip() {
        let stats = MediaStats {
            codec: Some(AudioCodec::Opus),
            packets_sent: 500,
            bytes_sent: 40_000,
            packets_received: 498,
            bytes_received: 39_000,
            packets_lost: 2,
            jitter: Duration::from_millis(3),
            remote_packets_lost: 1,
            remote_fraction_lost: 0.25,
            remote_jitter: Duration::from_millis(4),
            round_trip_time: Some(Duration::from_millis(12)),
            audio_input_level: 0.5,
            audio_output_level: 0.25,
            concealed_frames: 3,
            ..MediaStats::default()
        };
        let back = media_stats(&w3c_reports("pc1", &stats, 1.0));
        assert_eq!(
            back,
            MediaStats {
                ice_state: None,
                dtmf_events_sent: 0,
                ..stats
            }
        );
    }
}
