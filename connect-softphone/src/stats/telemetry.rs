//! [`TelemetryReport`]: the extended end-of-call report (the call report plus per-second
//! arrays, connection and path facts, counters, environment and the SDK's additions), and
//! [`SoftphoneReport`], the `{contactId, ccpVersion, report}` envelope it travels in.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{CallReport, QualitySummary, SilenceCounters, StreamDirection, StreamSample};

/// The per-second values of one direction, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PerSecondSeries {
    /// Packets per second.
    pub packets_count: Vec<u64>,
    /// Packets lost per second.
    pub packets_lost: Vec<u64>,
    /// Audio level per second (0–32768).
    pub audio_level: Vec<Option<u32>>,
    /// Jitter-buffer delay per second, ms.
    pub jitter_buffer_millis: Vec<Option<u64>>,
    /// RTT per second, ms (the output direction only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round_trip_time_millis: Option<Vec<Option<u64>>>,
}

impl PerSecondSeries {
    /// The series of `samples` of one direction.
    pub fn of(direction: StreamDirection, samples: &VecDeque<StreamSample>) -> Self {
        Self {
            packets_count: samples.iter().map(|s| s.packets_count).collect(),
            packets_lost: samples.iter().map(|s| s.packets_lost).collect(),
            audio_level: samples.iter().map(|s| s.audio_level).collect(),
            jitter_buffer_millis: samples.iter().map(|s| s.jitter_buffer_millis).collect(),
            round_trip_time_millis: (direction == StreamDirection::AudioOutput)
                .then(|| samples.iter().map(|s| s.round_trip_time_millis).collect()),
        }
    }
}

/// `softphoneStreamPerSecondStatistics`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PerSecondStatistics {
    /// The audio the agent heard.
    #[serde(rename = "AUDIO_INPUT")]
    pub audio_input: PerSecondSeries,
    /// The agent's microphone audio.
    #[serde(rename = "AUDIO_OUTPUT")]
    pub audio_output: PerSecondSeries,
}

/// What the session knows at the end of a call that the sampler does not: connection and
/// path facts, timing, environment, ICE restarts and the SDK's additions. Filled by the
/// call-session driver; everything defaults to "not known".
///
/// ```
/// use connect_softphone::stats::TelemetryDetails;
///
/// let d = TelemetryDetails { is_connected: true, ..Default::default() };
/// let json = serde_json::to_value(&d).unwrap();
/// assert_eq!(json["isPCMv2Path"], false);
/// assert!(json["rtcJsVersion"].is_null());
/// assert_eq!(json["sdkVersion"], env!("CARGO_PKG_VERSION"));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TelemetryDetails {
    /// ICE connections that went `disconnected`.
    pub ice_connections_lost: u32,
    /// ICE connections that went `failed`.
    pub ice_connections_failed: u32,
    /// The peer connection failed.
    pub peer_connection_failed: bool,
    /// `connect()` → first inbound RTP packet, ms.
    #[serde(rename = "firstRTPTimeMillis")]
    pub first_rtp_time_millis: Option<u64>,
    /// Media was connected at the end.
    pub is_connected: bool,
    /// Peer connections open at the end.
    pub active_peer_connection_count: u32,
    /// Media went through a media cluster.
    pub is_media_cluster_path: bool,
    /// The call used a persistent peer connection.
    pub is_persistent_peer_connection: bool,
    /// The call reused an existing persistent peer connection.
    pub is_existing_persistent_peer_connection: bool,
    /// The call used the PCM v2 path.
    #[serde(rename = "isPCMv2Path")]
    pub is_pcm_v2_path: bool,
    /// Time until media was ready, ms.
    pub ccp_media_ready_latency_millis: Option<u64>,
    /// Local clock minus server clock, ms.
    pub skew_time_millis: Option<i64>,
    /// The contact's subtype.
    pub contact_subtype: Option<String>,
    /// The VDI platform, when media is redirected.
    pub vdi_platform: Option<String>,
    /// The VDI platform's details.
    pub vdi_metadata: Option<Value>,
    /// The VDI client's version.
    pub vdi_client_version: Option<String>,
    /// The host's description (user-agent data).
    pub user_agent_data: Option<Value>,
    /// Always null: no connect-rtc-js here.
    pub rtc_js_version: Option<String>,
    /// Always null: no amazon-connect-streams here.
    pub stream_js_version: Option<String>,
    /// Where the ICE (TURN) credentials came from.
    pub ice_credential_source: Option<String>,
    /// The contact's credentials came from another region.
    pub is_contact_credentials_different_region: Option<bool>,
    /// ICE restarts attempted.
    pub ice_restart_attempts: u32,
    /// ICE restarts that succeeded.
    pub ice_restart_successes: u32,
    /// `invite` retries during ICE restarts.
    pub ice_restart_invite_retries: u32,
    /// Time of the last ICE restart, ms.
    pub ice_restart_time_millis: Option<u64>,
    /// The last ICE restart failed.
    pub ice_restart_failed: bool,
    /// This SDK's version.
    pub sdk_version: String,
    /// Why the session ended.
    pub end_reason: Option<String>,
    /// The `accept` was acknowledged.
    pub accept_acknowledged: Option<bool>,
    /// The `bye` was acknowledged.
    pub bye_acknowledged: Option<bool>,
    /// Signaling messages that matched no request.
    pub unrouted_messages: u64,
    /// Media-health state changes during the call.
    pub media_health_transitions: u32,
}

impl Default for TelemetryDetails {
    fn default() -> Self {
        Self {
            ice_connections_lost: 0,
            ice_connections_failed: 0,
            peer_connection_failed: false,
            first_rtp_time_millis: None,
            is_connected: false,
            active_peer_connection_count: 0,
            is_media_cluster_path: false,
            is_persistent_peer_connection: false,
            is_existing_persistent_peer_connection: false,
            is_pcm_v2_path: false,
            ccp_media_ready_latency_millis: None,
            skew_time_millis: None,
            contact_subtype: None,
            vdi_platform: None,
            vdi_metadata: None,
            vdi_client_version: None,
            user_agent_data: None,
            rtc_js_version: None,
            stream_js_version: None,
            ice_credential_source: None,
            is_contact_credentials_different_region: None,
            ice_restart_attempts: 0,
            ice_restart_successes: 0,
            ice_restart_invite_retries: 0,
            ice_restart_time_millis: None,
            ice_restart_failed: false,
            sdk_version: env!("CARGO_PKG_VERSION").to_owned(),
            end_reason: None,
            accept_acknowledged: None,
            bye_acknowledged: None,
            unrouted_messages: 0,
            media_health_transitions: 0,
        }
    }
}

/// The extended telemetry report: the call report (un-renamed names) plus the per-second
/// history, the session's details, the §6 counters (current runs at the end and the longest
/// runs), the stats read errors and the last quality summary.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TelemetryReport {
    /// The call report.
    #[serde(flatten)]
    pub call: CallReport,
    /// Per-second values of both directions (at most the sampler's history limit each).
    pub softphone_stream_per_second_statistics: PerSecondStatistics,
    /// The session's details.
    #[serde(flatten)]
    pub details: TelemetryDetails,
    /// The counters' current runs at call end.
    #[serde(flatten)]
    pub counters: SilenceCounters,
    /// The longest run of each counter.
    pub longest_runs: SilenceCounters,
    /// Ticks whose stats could not be read.
    pub stats_errors: u64,
    /// The summary of the last window.
    pub quality_summary: Option<QualitySummary>,
}

/// The envelope of the telemetry report on the event bus: `{contactId, ccpVersion, report}`.
///
/// ```
/// use connect_softphone::stats::{SoftphoneReport, TelemetryReport};
///
/// let event = SoftphoneReport::new("c-1", TelemetryReport::default());
/// let json = serde_json::to_value(&event).unwrap();
/// assert_eq!((json["contactId"].as_str(), json["ccpVersion"].as_str()), (Some("c-1"), Some("V2")));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SoftphoneReport {
    /// The call's contact.
    pub contact_id: String,
    /// Always `V2`.
    pub ccp_version: String,
    /// The report.
    pub report: TelemetryReport,
}

impl SoftphoneReport {
    /// The envelope of `report` for `contact_id`.
    pub fn new(contact_id: impl Into<String>, report: TelemetryReport) -> Self {
        Self {
            contact_id: contact_id.into(),
            ccp_version: super::CCP_VERSION.to_owned(),
            report,
        }
    }
}
