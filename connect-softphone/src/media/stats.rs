//! A snapshot of one call's media statistics.

use std::time::Duration;

use super::{AudioCodec, IceState};
use crate::audio::JitterBufferStats;

/// Counters and levels of a call's audio, read on demand.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MediaStats {
    /// The audio codec in use, once negotiated.
    pub codec: Option<AudioCodec>,
    /// The ICE state when the snapshot was taken.
    pub ice_state: Option<IceState>,
    /// RTP packets sent.
    pub packets_sent: u64,
    /// RTP payload bytes sent.
    pub bytes_sent: u64,
    /// RTP packets received.
    pub packets_received: u64,
    /// RTP payload bytes received.
    pub bytes_received: u64,
    /// Inbound packets lost (RFC 3550 cumulative count, from our receiver).
    pub packets_lost: i64,
    /// Inbound interarrival jitter (RFC 3550).
    pub jitter: Duration,
    /// Outbound packets the far end reports lost (RTCP receiver reports).
    pub remote_packets_lost: i64,
    /// Outbound fraction lost the far end reports (0.0–1.0).
    pub remote_fraction_lost: f64,
    /// Outbound jitter the far end reports.
    pub remote_jitter: Duration,
    /// Round-trip time of the media path, once measured: from RTCP (RFC 3550 A − LSR − DLSR
    /// of the far end's report about our stream) when the far end answers our sender reports,
    /// otherwise from ICE consent checks.
    pub round_trip_time: Option<Duration>,
    /// Whether [`round_trip_time`](Self::round_trip_time) was measured from RTCP reports.
    pub round_trip_time_from_rtcp: bool,
    /// Level of the audio last sent, 0.0–1.0 (peak, linear; 0 while muted).
    pub audio_input_level: f64,
    /// Level of the audio last played out, 0.0–1.0.
    pub audio_output_level: f64,
    /// Frames made up by concealment (loss or late packets).
    pub concealed_frames: u64,
    /// The inbound jitter buffer's counters (delay, emitted and concealed samples, late,
    /// duplicate and overflow packets, underflows, target delay), once audio arrived.
    pub jitter_buffer: Option<JitterBufferStats>,
    /// RFC 4733 events sent.
    pub dtmf_events_sent: u64,
}
