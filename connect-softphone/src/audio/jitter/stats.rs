//! The counters a jitter buffer exports (names as in `monitoring.md` and W3C `RTCInboundRtpStreamStats`).

use serde::Serialize;

/// Cumulative counters of one jitter buffer.
///
/// Serialised with the exported names (`jitterBufferDelay`, `jitterBufferEmittedCount`,
/// `concealedSamples`, `concealmentEvents`, `late`, `duplicates`, `overflow`, `underflow`,
/// `targetDelayMs`, ...).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct JitterBufferStats {
    /// Σ over emitted samples of the time each spent in the buffer, in seconds.
    pub jitter_buffer_delay: f64,
    /// Samples (48 kHz) emitted from received packets.
    pub jitter_buffer_emitted_count: u64,
    /// Samples (48 kHz) made up by FEC or PLC, including those inserted to grow the delay.
    pub concealed_samples: u64,
    /// Runs of concealed frames (a run starts with a concealed frame after a decoded one).
    pub concealment_events: u64,
    /// Frames rebuilt from the next packet's FEC data (a subset of the concealed ones).
    pub fec_frames: u64,
    /// Packets that arrived after their playout time, dropped.
    pub late: u64,
    /// Packets received twice, dropped.
    pub duplicates: u64,
    /// Packets dropped because the buffer was over its capacity.
    pub overflow: u64,
    /// Playout ticks that found the buffer empty.
    pub underflow: u64,
    /// Quiet frames dropped to shrink the delay.
    pub shrink_drops: u64,
    /// Times the stream was resynchronised (new SSRC or sequence jump).
    pub resyncs: u64,
    /// Buffered packets discarded by a resynchronisation.
    pub flushed: u64,
    /// Packets accepted into the buffer.
    pub packets_received: u64,
    /// The current target delay, in milliseconds.
    pub target_delay_ms: u32,
    /// The RFC 3550 interarrival jitter, in milliseconds.
    pub jitter_ms: f64,
}
