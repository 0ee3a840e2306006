//! [`CallReport`]: the end-of-call report with every timing and failure flag, in the SDK's
//! (un-renamed) names. The CTI encoder ([`super::cti`]) applies the wire renames.

use connect_core::model::Timestamp;
use serde::{Deserialize, Serialize};

use super::{StreamDirection, StreamStats};

/// The session's timings, measured by the call-session machine.
///
/// ```
/// use connect_softphone::stats::CallTimings;
/// let t = CallTimings { handshaking_time_millis: Some(410), ..Default::default() };
/// assert_eq!(serde_json::to_value(&t).unwrap()["handshakingTimeMillis"], 410);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallTimings {
    /// The session's `connect()`.
    #[serde(with = "super::iso::option", default)]
    pub call_start_time: Option<Timestamp>,
    /// The session's end.
    #[serde(with = "super::iso::option", default)]
    pub call_end_time: Option<Timestamp>,
    /// Time to open the microphone, ms.
    pub gum_time_millis: Option<u64>,
    /// `connect()` → local description set, ms.
    pub initialization_time_millis: Option<u64>,
    /// Gathering start → gathering counted complete, ms.
    pub ice_collection_time_millis: Option<u64>,
    /// Gathering start → signaling connected, ms.
    pub signalling_connect_time_millis: Option<u64>,
    /// Signaling connected → handshake done, ms (CTI `handshakeTimeMillis`).
    pub handshaking_time_millis: Option<u64>,
    /// `connect()` → Talking, ms (CTI `preTalkTimeMillis`).
    pub pre_talking_time_millis: Option<u64>,
    /// Time in Talking, ms (CTI `talkTimeMillis`).
    pub talking_time_millis: Option<u64>,
    /// Time in CleanUp, ms.
    pub cleanup_time_millis: Option<u64>,
}

/// The eleven failure flags, tri-state: `None` = step never evaluated, `Some(false)` =
/// passed, `Some(true)` = failed.
///
/// ```
/// use connect_softphone::stats::FailureFlags;
/// let f = FailureFlags { user_busy_failure: Some(true), handshaking_failure: Some(true), ..Default::default() };
/// let json = serde_json::to_value(&f).unwrap();
/// assert_eq!(json["handshakingFailure"], true);
/// assert!(json["invalidRemoteSDPFailure"].is_null());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FailureFlags {
    /// Gathering ended with zero candidates.
    pub ice_collection_failure: Option<bool>,
    /// Signaling did not connect.
    pub signalling_connection_failure: Option<bool>,
    /// The handshake failed (CTI `handshakeFailure`).
    pub handshaking_failure: Option<bool>,
    /// The microphone failed to open for a reason other than a timeout.
    pub gum_other_failure: Option<bool>,
    /// The microphone did not open in time.
    pub gum_timeout_failure: Option<bool>,
    /// Creating the offer failed.
    pub create_offer_failure: Option<bool>,
    /// Setting the local description failed.
    pub set_local_description_failure: Option<bool>,
    /// The answer was 486 (user busy).
    pub user_busy_failure: Option<bool>,
    /// The answer's SDP was empty or invalid.
    #[serde(rename = "invalidRemoteSDPFailure")]
    pub invalid_remote_sdp_failure: Option<bool>,
    /// The answer had no ICE candidate.
    pub no_remote_ice_candidate_failure: Option<bool>,
    /// Setting the remote description failed.
    pub set_remote_description_failure: Option<bool>,
}

/// The last cumulative reading of one direction, as the report carries it (jitter and RTT
/// are left out).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportStatistic {
    /// When the counters were read.
    #[serde(with = "super::iso")]
    pub timestamp: Timestamp,
    /// The direction.
    pub softphone_stream_type: StreamDirection,
    /// Packets received or sent, cumulative.
    pub packets_count: u64,
    /// Packets lost, cumulative.
    pub packets_lost: i64,
    /// ⌊level × 32768⌋ at the last reading.
    pub audio_level: Option<u32>,
}

impl ReportStatistic {
    /// The report entry of one direction's stats read at `timestamp`.
    pub fn new(timestamp: Timestamp, direction: StreamDirection, stats: &StreamStats) -> Self {
        Self {
            timestamp,
            softphone_stream_type: direction,
            packets_count: stats.packets_count,
            packets_lost: stats.packets_lost,
            audio_level: stats.audio_level,
        }
    }
}

/// The end-of-call report: timings, failure flags and the last cumulative statistics of both
/// directions (an empty list when media never flowed, e.g. a setup failure).
///
/// ```
/// use connect_softphone::stats::{CallReport, CallTimings};
///
/// let report = CallReport { timings: CallTimings { talking_time_millis: Some(184_900), ..Default::default() },
///     ..Default::default() };
/// let json = serde_json::to_value(&report).unwrap();
/// assert_eq!(json["talkingTimeMillis"], 184_900);
/// assert_eq!(json["softphoneStreamStatistics"], serde_json::json!([]));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallReport {
    /// Timings.
    #[serde(flatten)]
    pub timings: CallTimings,
    /// Failure flags.
    #[serde(flatten)]
    pub flags: FailureFlags,
    /// The last cumulative reading per direction (input, output).
    pub softphone_stream_statistics: Vec<ReportStatistic>,
}
