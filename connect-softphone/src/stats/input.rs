//! The input of the sampler: one raw snapshot of a call's media counters per tick.
//!
//! Plain data, filled by whatever runs the media (the WebRTC engine, a VDI endpoint, a test)
//! from its own statistics, once per second. Counters are cumulative since the start of the
//! call; point values (jitter, level, RTT) are the latest estimate.

use connect_core::model::Timestamp;

/// Cumulative counters and point values of one RTP stream (one direction of the call).
///
/// ```
/// use connect_softphone::stats::StreamCounters;
///
/// let inbound = StreamCounters { packets: 50, packets_lost: 1, jitter_secs: Some(0.012),
///     audio_level: Some(0.04), ..StreamCounters::default() };
/// assert_eq!(inbound.bytes, 0);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StreamCounters {
    /// The stream's RTP synchronisation source, once known.
    pub ssrc: Option<u32>,
    /// Packets received (inbound stream) or sent (outbound stream), cumulative.
    pub packets: u64,
    /// RTP payload bytes received or sent, cumulative.
    pub bytes: u64,
    /// Packets lost, cumulative: for the inbound stream the RFC 3550 count computed locally
    /// (expected − received, so it may step back after duplicates); for the outbound stream the
    /// cumulative count Connect reports in RTCP receiver reports.
    pub packets_lost: i64,
    /// RFC 3550 inter-arrival jitter in seconds: computed locally for the inbound stream; for
    /// the outbound stream the receiver-report jitter divided by the clock rate. `None` until
    /// known (no receiver report yet).
    pub jitter_secs: Option<f64>,
    /// Audio level, linear 0.0–1.0 (1.0 = 0 dBov): the peak absolute sample over the last
    /// 100 ms of the audio played out (inbound) or of the microphone (outbound). `None` when
    /// unknown.
    pub audio_level: Option<f64>,
}

/// Cumulative counters of the inbound jitter buffer (the W3C `RTCInboundRtpStreamStats`
/// names, as the jitter buffer exports them).
///
/// ```
/// use connect_softphone::stats::JitterBufferCounters;
///
/// let jb = JitterBufferCounters { delay_secs: 1920.0, emitted_count: 48_000, ..Default::default() };
/// assert_eq!(jb.target_delay_ms, 0);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JitterBufferCounters {
    /// `jitterBufferDelay`: Σ over emitted samples of the time each spent in the buffer, seconds.
    pub delay_secs: f64,
    /// `jitterBufferEmittedCount`: samples played out of the buffer.
    pub emitted_count: u64,
    /// `concealedSamples`: samples made up by PLC or FEC.
    pub concealed_samples: u64,
    /// `concealmentEvents`: runs of concealed frames.
    pub concealment_events: u64,
    /// Packets dropped because they arrived after their playout time.
    pub late: u64,
    /// Packets dropped because they were received twice.
    pub duplicates: u64,
    /// Packets dropped because the buffer was over its capacity.
    pub overflow: u64,
    /// Playout ticks that found the buffer empty.
    pub underflow: u64,
    /// The current target delay, milliseconds.
    pub target_delay_ms: u32,
}

/// One raw reading of both directions of a call, taken once per tick.
///
/// `input` is the audio the agent hears (Connect → agent, tag `audio_input`); `output` is the
/// agent's microphone audio (agent → Connect, tag `audio_output`).
///
/// ```
/// use connect_core::model::Timestamp;
/// use connect_softphone::stats::{StatsSnapshot, StreamCounters};
///
/// let snapshot = StatsSnapshot {
///     timestamp: Timestamp::from_millis(1_700_000_001_000),
///     input: StreamCounters { packets: 50, ..Default::default() },
///     output: StreamCounters { packets: 50, ..Default::default() },
///     round_trip_time_secs: Some(0.088),
///     ..Default::default()
/// };
/// assert!(!snapshot.muted);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StatsSnapshot {
    /// When the counters were read (wall clock).
    pub timestamp: Timestamp,
    /// Whether the call was muted when the counters were read.
    pub muted: bool,
    /// The inbound stream (`audio_input`).
    pub input: StreamCounters,
    /// The outbound stream (`audio_output`).
    pub output: StreamCounters,
    /// The inbound jitter buffer.
    pub jitter_buffer: JitterBufferCounters,
    /// Round-trip time from the RTCP receiver reports' LSR/DLSR, seconds; `None` until the
    /// first receiver report.
    pub round_trip_time_secs: Option<f64>,
    /// Echo return loss in dB while an echo canceller runs.
    pub echo_return_loss_db: Option<f64>,
    /// Echo return loss enhancement in dB while an echo canceller runs.
    pub echo_return_loss_enhancement_db: Option<f64>,
}
