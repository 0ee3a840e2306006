//! [`StreamSample`]: the per-second record of one direction (upstream `RTPStreamStats`), and
//! [`derive_samples`], the step that turns two consecutive snapshots into a pair of records.

use connect_core::model::Timestamp;
use serde::{Deserialize, Serialize};

use super::stream_stats::floor_ms;
use super::{StatsSnapshot, StreamDirection, StreamStats};

/// What `jitterBufferMillis` carries.
///
/// ```
/// use connect_softphone::stats::JitterBufferMetric;
/// assert_eq!(JitterBufferMetric::default(), JitterBufferMetric::PerInterval);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum JitterBufferMetric {
    /// The mean jitter-buffer delay over the interval:
    /// ⌊1000 × Δ jitterBufferDelay ÷ Δ jitterBufferEmittedCount⌋ ms (null when nothing was
    /// played out).
    #[default]
    PerInterval,
    /// The cumulative `jbMilliseconds`, as current upstream clients send it.
    CumulativeCompat,
}

/// One direction over one second (upstream `RTPStreamStats`): counters are deltas since the
/// previous tick, levels and delays are point values. Serialised with the un-renamed names
/// and an ISO-8601 timestamp, as events and the call-quality-monitoring exports carry it;
/// `jitterMillis` (RFC 3550 jitter) is an SDK addition that the CTI encoder leaves out.
///
/// ```
/// use connect_core::model::Timestamp;
/// use connect_softphone::stats::{StreamDirection, StreamSample};
///
/// let s = StreamSample { packets_count: 50, packets_lost: 1, audio_level: Some(1204),
///     jitter_buffer_millis: Some(42), round_trip_time_millis: Some(88), jitter_millis: Some(3),
///     ..StreamSample::new(StreamDirection::AudioInput, Timestamp::from_millis(1_714_557_601_000)) };
/// assert_eq!(serde_json::to_value(&s).unwrap(), serde_json::json!({
///     "softphoneStreamType": "audio_input", "timestamp": "2024-05-01T10:00:01.000Z",
///     "packetsLost": 1, "packetsCount": 50, "audioLevel": 1204, "jitterBufferMillis": 42,
///     "roundTripTimeMillis": 88, "jitterMillis": 3 }));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamSample {
    /// The direction.
    pub softphone_stream_type: StreamDirection,
    /// When the counters were read.
    #[serde(with = "super::iso")]
    pub timestamp: Timestamp,
    /// Packets lost during the interval (Δ, never negative).
    pub packets_lost: u64,
    /// Packets received or sent during the interval (Δ, never negative).
    pub packets_count: u64,
    /// ⌊level × 32768⌋ at the tick.
    pub audio_level: Option<u32>,
    /// Jitter-buffer delay, ms, as chosen by [`JitterBufferMetric`].
    pub jitter_buffer_millis: Option<u64>,
    /// Round-trip time, ms; null until the first receiver report.
    pub round_trip_time_millis: Option<u64>,
    /// RFC 3550 inter-arrival jitter of this direction, ms.
    pub jitter_millis: Option<u64>,
}

impl StreamSample {
    /// A record of `direction` at `timestamp` with zero counters and no point values.
    pub fn new(direction: StreamDirection, timestamp: Timestamp) -> Self {
        Self {
            softphone_stream_type: direction,
            timestamp,
            packets_lost: 0,
            packets_count: 0,
            audio_level: None,
            jitter_buffer_millis: None,
            round_trip_time_millis: None,
            jitter_millis: None,
        }
    }
}

/// `cur > prev ? cur − prev : 0`: a counter that goes backwards or resets yields 0.
///
/// ```
/// use connect_softphone::stats::clamped_delta;
/// assert_eq!(clamped_delta(10, 4), 6);
/// assert_eq!(clamped_delta(4, 10), 0);
/// ```
pub fn clamped_delta(cur: i64, prev: i64) -> u64 {
    if cur > prev {
        cur.abs_diff(prev)
    } else {
        0
    }
}

/// `u64` counters as the `i64` the delta rule takes (saturating).
fn signed(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The mean jitter-buffer delay of an interval in ms, from its Δ delay (s) and Δ samples.
pub(crate) fn interval_jitter_buffer_ms(delta_delay_secs: f64, delta_emitted: u64) -> Option<u64> {
    (delta_emitted > 0).then(|| floor_ms(delta_delay_secs / delta_emitted as f64))
}

/// The step of the 1 s sampler: the two records (input, then output) of the interval ending
/// at `cur`. Without a previous snapshot (the first tick) the cumulative values pass through.
///
/// ```
/// use connect_core::model::Timestamp;
/// use connect_softphone::stats::*;
///
/// let at = |ms, packets, lost, delay, emitted| StatsSnapshot {
///     timestamp: Timestamp::from_millis(ms),
///     input: StreamCounters { packets, packets_lost: lost, ..Default::default() },
///     jitter_buffer: JitterBufferCounters { delay_secs: delay, emitted_count: emitted, ..Default::default() },
///     ..Default::default()
/// };
/// let prev = at(1000, 50, 2, 1920.0, 48_000);
/// let cur = at(2000, 100, 1, 3960.0, 96_000); // loss count stepped back after a duplicate
/// let [input, output] = derive_samples(Some(&prev), &cur, JitterBufferMetric::PerInterval);
/// assert_eq!((input.packets_count, input.packets_lost), (50, 0));
/// assert_eq!(input.jitter_buffer_millis, Some(42)); // 2040 s over 48 000 samples: 42.5 ms each
/// assert_eq!(output.jitter_buffer_millis, Some(42)); // cross-filled
/// ```
pub fn derive_samples(
    prev: Option<&StatsSnapshot>,
    cur: &StatsSnapshot,
    metric: JitterBufferMetric,
) -> [StreamSample; 2] {
    let jitter_buffer_millis = match metric {
        JitterBufferMetric::PerInterval => {
            let (prev_delay, prev_count) = prev.map_or((0.0, 0), |p| {
                (p.jitter_buffer.delay_secs, p.jitter_buffer.emitted_count)
            });
            let delta_count =
                clamped_delta(signed(cur.jitter_buffer.emitted_count), signed(prev_count));
            let delta_delay = (cur.jitter_buffer.delay_secs - prev_delay).max(0.0);
            interval_jitter_buffer_ms(delta_delay, delta_count)
        }
        JitterBufferMetric::CumulativeCompat => Some(floor_ms(cur.jitter_buffer.delay_secs)),
    };
    StreamDirection::BOTH.map(|direction| {
        let now = StreamStats::read(cur, direction);
        let (prev_packets, prev_lost) = prev.map_or((0, 0), |p| {
            let s = StreamStats::read(p, direction);
            (signed(s.packets_count), s.packets_lost)
        });
        StreamSample {
            softphone_stream_type: direction,
            timestamp: cur.timestamp,
            packets_lost: clamped_delta(now.packets_lost, prev_lost),
            packets_count: clamped_delta(signed(now.packets_count), prev_packets),
            audio_level: now.audio_level,
            jitter_buffer_millis,
            round_trip_time_millis: now.rtt_milliseconds,
            jitter_millis: now.jitter_milliseconds,
        }
    })
}
