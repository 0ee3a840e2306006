//! [`QualitySummary`]: one window's quality (every 30 s, aligned with the flush, and the final
//! partial window at call end).

use connect_core::model::Timestamp;
use serde::{Deserialize, Serialize};

use super::{Breach, Grade, SilenceCounters, StreamDirection};

/// One direction over one window.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectionSummary {
    /// Packets received (input) or sent (output).
    pub packets: u64,
    /// Packets lost.
    pub lost: u64,
    /// Loss, percent: input `100·lost ÷ (lost + received)`, output `100·lost ÷ max(sent, 1)`
    /// (0 when nothing was expected).
    pub loss_pct: f64,
    /// Mean RFC 3550 jitter, ms; null when never known in the window.
    pub jitter_ms: Option<f64>,
    /// Mean jitter-buffer delay per played-out sample, ms; null when nothing was played out.
    pub jitter_buffer_ms: Option<f64>,
    /// Mean audio level on the 0–32768 scale; null when never known.
    pub audio_level_mean: Option<f64>,
}

/// The quality of one window of one call (`QualitySummary` event).
///
/// ```
/// use connect_softphone::stats::{Grade, QualitySummary};
///
/// let s = QualitySummary::default();
/// assert_eq!(s.grade, Grade::Good);
/// let json = serde_json::to_value(&s).unwrap();
/// assert!(json.get("consecutiveNoAudioInputPackets").is_some());
/// assert!(json.get("mosDirection").is_some());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QualitySummary {
    /// The call's contact.
    pub contact_id: String,
    /// The agent's connection on the contact.
    pub agent_connection_id: String,
    /// Start of the window.
    #[serde(with = "super::iso")]
    pub window_start: Timestamp,
    /// End of the window.
    #[serde(with = "super::iso")]
    pub window_end: Timestamp,
    /// The audio the agent heard.
    pub audio_input: DirectionSummary,
    /// The agent's microphone audio.
    pub audio_output: DirectionSummary,
    /// Mean RTT, ms; null when no RTT arrived in the window.
    pub rtt_ms_mean: Option<f64>,
    /// Largest RTT, ms.
    pub rtt_ms_max: Option<f64>,
    /// MOS of the input direction; null while no RTT was ever known.
    pub mos_input: Option<f64>,
    /// MOS of the output direction.
    pub mos_output: Option<f64>,
    /// The worse of the two.
    pub mos: Option<f64>,
    /// Which direction `mos` is.
    pub mos_direction: Option<StreamDirection>,
    /// The worst grade of MOS, loss, jitter and RTT.
    pub grade: Grade,
    /// The thresholds crossed.
    pub breaches: Vec<Breach>,
    /// The consecutive-silence counters at the end of the window.
    #[serde(flatten)]
    pub counters: SilenceCounters,
}
