//! [`StreamStats`]: the per-direction view of one snapshot, in the upstream names and units.

use serde::{Deserialize, Serialize};

use super::{StatsSnapshot, StreamDirection};

/// The scale of integer audio levels: ⌊level × 32768⌋ keeps the legacy `getStats` range.
pub const AUDIO_LEVEL_SCALE: f64 = 32768.0;

/// Whole milliseconds of a duration in seconds (floored, never negative).
pub(crate) fn floor_ms(secs: f64) -> u64 {
    if secs.is_finite() && secs > 0.0 {
        (secs * 1000.0).floor() as u64
    } else {
        0
    }
}

/// An audio level 0.0–1.0 on the integer 0–32768 scale (floored, clamped).
///
/// ```
/// use connect_softphone::stats::scale_audio_level;
/// assert_eq!(scale_audio_level(0.5), 16384);
/// assert_eq!(scale_audio_level(2.0), 32768);
/// assert_eq!(scale_audio_level(f64::NAN), 0);
/// ```
pub fn scale_audio_level(level: f64) -> u32 {
    if level.is_finite() {
        (level.clamp(0.0, 1.0) * AUDIO_LEVEL_SCALE).floor() as u32
    } else {
        0
    }
}

/// One direction of a snapshot, as upstream's `getStats` wrapper presents it: cumulative
/// counters and point values in integer units, with RTT and the jitter-buffer values
/// cross-filled so that both directions carry the one-way metrics.
///
/// ```
/// use connect_core::model::Timestamp;
/// use connect_softphone::stats::{StatsSnapshot, StreamCounters, StreamDirection, StreamStats};
///
/// let snapshot = StatsSnapshot {
///     input: StreamCounters { packets: 50, jitter_secs: Some(0.0125), ..Default::default() },
///     round_trip_time_secs: Some(0.0889),
///     muted: true,
///     output: StreamCounters { audio_level: Some(0.3), ..Default::default() },
///     ..Default::default()
/// };
/// let input = StreamStats::read(&snapshot, StreamDirection::AudioInput);
/// assert_eq!((input.packets_count, input.jitter_milliseconds, input.rtt_milliseconds), (50, Some(12), Some(88)));
/// let output = StreamStats::read(&snapshot, StreamDirection::AudioOutput);
/// assert_eq!(output.audio_level, Some(0)); // muted
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamStats {
    /// The direction.
    pub softphone_stream_type: Option<StreamDirection>,
    /// Packets received (input) or sent (output), cumulative.
    pub packets_count: u64,
    /// Packets lost, cumulative (may step back).
    pub packets_lost: i64,
    /// ⌊RFC 3550 jitter × 1000⌋, ms.
    pub jitter_milliseconds: Option<u64>,
    /// ⌊Σ jitter-buffer delay × 1000⌋, ms, cumulative.
    pub jb_milliseconds: u64,
    /// Samples played out of the jitter buffer, cumulative.
    pub jitter_buffer_emitted_count: u64,
    /// ⌊level × 32768⌋ (0 for the microphone while muted).
    pub audio_level: Option<u32>,
    /// ⌊RTT × 1000⌋, ms; `None` until the first receiver report.
    pub rtt_milliseconds: Option<u64>,
    /// Concealment events (input only).
    pub concealment_events: Option<u64>,
    /// Echo return loss, dB, while an echo canceller runs.
    pub echo_return_loss: Option<f64>,
    /// Echo return loss enhancement, dB, while an echo canceller runs.
    pub echo_return_loss_enhancement: Option<f64>,
}

impl StreamStats {
    /// The `direction` view of `snapshot`.
    pub fn read(snapshot: &StatsSnapshot, direction: StreamDirection) -> Self {
        let (stream, concealment_events) = match direction {
            StreamDirection::AudioInput => (
                &snapshot.input,
                Some(snapshot.jitter_buffer.concealment_events),
            ),
            StreamDirection::AudioOutput => (&snapshot.output, None),
        };
        let muted_mic = direction == StreamDirection::AudioOutput && snapshot.muted;
        let audio_level = if muted_mic {
            Some(0)
        } else {
            stream.audio_level.map(scale_audio_level)
        };
        Self {
            softphone_stream_type: Some(direction),
            packets_count: stream.packets,
            packets_lost: stream.packets_lost,
            jitter_milliseconds: stream.jitter_secs.map(floor_ms),
            jb_milliseconds: floor_ms(snapshot.jitter_buffer.delay_secs),
            jitter_buffer_emitted_count: snapshot.jitter_buffer.emitted_count,
            audio_level,
            rtt_milliseconds: snapshot.round_trip_time_secs.map(floor_ms),
            concealment_events,
            echo_return_loss: snapshot.echo_return_loss_db,
            echo_return_loss_enhancement: snapshot.echo_return_loss_enhancement_db,
        }
    }
}
