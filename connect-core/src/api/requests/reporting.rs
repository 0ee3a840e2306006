//! Client reporting: log upload and softphone call metrics (methods 24, 26, 27).
//!
//! The types carry the wire names of the model (`packetCount`, `handshakeTimeMillis`, …), not
//! the pre-rename names upstream builds before sending.

use serde::{Deserialize, Serialize};

use crate::api::request::{cti_request, require};
use crate::api::Empty;
use crate::model::wire_enum::wire_enum;
use crate::model::Timestamp;

/// One entry of `sendClientLogs.logEvents`.
///
/// ```
/// use connect_core::api::ClientLogEvent;
/// use connect_core::model::Timestamp;
///
/// let e = ClientLogEvent::new(Timestamp::from_millis(1_646_369_082_782), "ccp", "hello");
/// assert_eq!(serde_json::to_string(&e).unwrap(),
///     r#"{"timestamp":1646369082.782,"component":"ccp","message":"hello"}"#);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientLogEvent {
    /// When the entry was logged.
    #[serde(default)]
    pub timestamp: Timestamp,
    /// The component that logged it.
    #[serde(default)]
    pub component: String,
    /// The (already redacted) text.
    #[serde(default)]
    pub message: String,
}

impl ClientLogEvent {
    /// An entry.
    ///
    /// ```
    /// # use connect_core::api::ClientLogEvent;
    /// # use connect_core::model::Timestamp;
    /// assert_eq!(ClientLogEvent::new(Timestamp::from_millis(0), "c", "m").component, "c");
    /// ```
    pub fn new(
        timestamp: Timestamp,
        component: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            timestamp,
            component: component.into(),
            message: message.into(),
        }
    }
}

/// `sendClientLogs{logEvents}`.
///
/// ```
/// use connect_core::api::{ClientLogEvent, CtiRequest, SendClientLogsRequest};
/// use connect_core::model::Timestamp;
///
/// let req = SendClientLogsRequest { log_events: vec![ClientLogEvent::new(Timestamp::from_millis(1500), "ccp", "m")] };
/// assert_eq!(serde_json::Value::Object(req.to_body().unwrap()),
///     serde_json::json!({"logEvents": [{"timestamp": 1.5, "component": "ccp", "message": "m"}]}));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendClientLogsRequest {
    /// The entries.
    pub log_events: Vec<ClientLogEvent>,
}

cti_request!(SendClientLogsRequest => SendClientLogs, Empty);

wire_enum! {
    /// Which direction a [`StreamStatistic`] measures.
    ///
    /// ```
    /// use connect_core::api::SoftphoneStreamType;
    /// assert_eq!(SoftphoneStreamType::AudioInput.as_str(), "audio_input");
    /// ```
    pub enum SoftphoneStreamType {
        /// What the agent's microphone sends.
        AudioInput = "audio_input",
        /// What the agent hears.
        AudioOutput = "audio_output",
    }
}

/// Statistics of one audio stream over one interval.
///
/// ```
/// use connect_core::api::{SoftphoneStreamType, StreamStatistic};
/// use connect_core::model::Timestamp;
///
/// let mut s = StreamStatistic::new(Timestamp::from_millis(2000), SoftphoneStreamType::AudioOutput);
/// s.packet_count = Some(50);
/// s.audio_level = Some(0.25);
/// assert_eq!(serde_json::to_value(&s).unwrap(), serde_json::json!({
///     "timestamp": 2.0, "softphoneStreamType": "audio_output", "packetCount": 50, "audioLevel": 0.25,
/// }));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamStatistic {
    /// End of the interval.
    #[serde(default)]
    pub timestamp: Timestamp,
    /// The stream.
    pub softphone_stream_type: SoftphoneStreamType,
    /// Packets sent or received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packet_count: Option<i64>,
    /// Packets lost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packets_lost: Option<i64>,
    /// Audio level, 0.0–1.0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_level: Option<f64>,
    /// Jitter buffer delay in ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jitter_buffer_millis: Option<i64>,
    /// Round-trip time in ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round_trip_time_millis: Option<i64>,
}

impl StreamStatistic {
    /// A statistic of `stream` at `timestamp` with no measurements yet.
    ///
    /// ```
    /// # use connect_core::api::{SoftphoneStreamType, StreamStatistic};
    /// # use connect_core::model::Timestamp;
    /// let s = StreamStatistic::new(Timestamp::from_millis(0), SoftphoneStreamType::AudioInput);
    /// assert_eq!(s.packets_lost, None);
    /// ```
    pub fn new(timestamp: Timestamp, stream: SoftphoneStreamType) -> Self {
        Self {
            timestamp,
            softphone_stream_type: stream,
            packet_count: None,
            packets_lost: None,
            audio_level: None,
            jitter_buffer_millis: None,
            round_trip_time_millis: None,
        }
    }
}

/// The end-of-call softphone report (`sendSoftphoneCallReport.report`), with the model's wire
/// names. Unknown durations are `None`; failure flags are tri-state: `Some(true)` failed,
/// `Some(false)` passed, `None` (omitted on the wire) when the step was never evaluated.
///
/// ```
/// use connect_core::api::CallReport;
///
/// let report = CallReport { handshake_time_millis: Some(120),
///     invalid_remote_sdp_failure: Some(true), handshake_failure: Some(false),
///     ..CallReport::default() };
/// let json = serde_json::to_value(&report).unwrap();
/// assert_eq!(json["handshakeTimeMillis"], 120);
/// assert_eq!(json["invalidRemoteSDPFailure"], true);
/// assert_eq!(json["handshakeFailure"], false);
/// assert!(json.get("userBusyFailure").is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallReport {
    /// When the call started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_start_time: Option<Timestamp>,
    /// When the call ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_end_time: Option<Timestamp>,
    /// Final statistics of the streams.
    #[serde(default)]
    pub softphone_stream_statistics: Vec<StreamStatistic>,
    /// Time to get the microphone (getUserMedia), ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gum_time_millis: Option<i64>,
    /// Time to initialise the session, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initialization_time_millis: Option<i64>,
    /// Time to gather ICE candidates, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ice_collection_time_millis: Option<i64>,
    /// Time to connect signalling, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signalling_connect_time_millis: Option<i64>,
    /// Time of the offer/answer handshake, ms (upstream's `handshakingTimeMillis`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handshake_time_millis: Option<i64>,
    /// Time before talking, ms (upstream's `preTalkingTimeMillis`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_talk_time_millis: Option<i64>,
    /// Talk time, ms (upstream's `talkingTimeMillis`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub talk_time_millis: Option<i64>,
    /// Time to tear down, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup_time_millis: Option<i64>,
    /// ICE gathering failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ice_collection_failure: Option<bool>,
    /// Signalling did not connect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signalling_connection_failure: Option<bool>,
    /// The handshake failed (upstream's `handshakingFailure`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handshake_failure: Option<bool>,
    /// getUserMedia failed for another reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gum_other_failure: Option<bool>,
    /// getUserMedia timed out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gum_timeout_failure: Option<bool>,
    /// Creating the offer failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_offer_failure: Option<bool>,
    /// Setting the local description failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_local_description_failure: Option<bool>,
    /// The agent was busy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_busy_failure: Option<bool>,
    /// The remote SDP was invalid.
    #[serde(
        rename = "invalidRemoteSDPFailure",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub invalid_remote_sdp_failure: Option<bool>,
    /// No remote ICE candidate arrived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_remote_ice_candidate_failure: Option<bool>,
    /// Setting the remote description failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_remote_description_failure: Option<bool>,
}

/// `sendSoftphoneCallReport{contactId, ccpVersion, report}`.
///
/// ```
/// use connect_core::api::{CallReport, CtiRequest, SendSoftphoneCallReportRequest};
///
/// let req = SendSoftphoneCallReportRequest::new("c-1", CallReport::default());
/// let body = serde_json::Value::Object(req.to_body().unwrap());
/// assert_eq!(body["contactId"], "c-1");
/// assert_eq!(body["report"]["softphoneStreamStatistics"], serde_json::json!([]));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendSoftphoneCallReportRequest {
    /// The call's contact.
    pub contact_id: String,
    /// The reporting client's version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ccp_version: Option<String>,
    /// The report.
    pub report: CallReport,
}

impl SendSoftphoneCallReportRequest {
    /// `report` for `contact_id`.
    ///
    /// ```
    /// # use connect_core::api::{CallReport, SendSoftphoneCallReportRequest};
    /// assert!(SendSoftphoneCallReportRequest::new("c", CallReport::default()).ccp_version.is_none());
    /// ```
    pub fn new(contact_id: impl Into<String>, report: CallReport) -> Self {
        Self {
            contact_id: contact_id.into(),
            ccp_version: None,
            report,
        }
    }
}

cti_request!(SendSoftphoneCallReportRequest => SendSoftphoneCallReport, Empty, |r| {
    require("contactId", &r.contact_id)
});

/// `sendSoftphoneCallMetrics{contactId, ccpVersion, softphoneStreamStatistics}`.
///
/// ```
/// use connect_core::api::{CtiRequest, SendSoftphoneCallMetricsRequest, SoftphoneStreamType, StreamStatistic};
/// use connect_core::model::Timestamp;
///
/// let stats = vec![StreamStatistic::new(Timestamp::from_millis(1000), SoftphoneStreamType::AudioInput)];
/// let req = SendSoftphoneCallMetricsRequest::new("c-1", stats);
/// assert_eq!(serde_json::Value::Object(req.to_body().unwrap()), serde_json::json!({
///     "contactId": "c-1",
///     "softphoneStreamStatistics": [{"timestamp": 1.0, "softphoneStreamType": "audio_input"}],
/// }));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendSoftphoneCallMetricsRequest {
    /// The call's contact.
    pub contact_id: String,
    /// The reporting client's version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ccp_version: Option<String>,
    /// Statistics since the previous send.
    pub softphone_stream_statistics: Vec<StreamStatistic>,
}

impl SendSoftphoneCallMetricsRequest {
    /// `statistics` for `contact_id`.
    ///
    /// ```
    /// # use connect_core::api::SendSoftphoneCallMetricsRequest;
    /// assert!(SendSoftphoneCallMetricsRequest::new("c", vec![]).softphone_stream_statistics.is_empty());
    /// ```
    pub fn new(contact_id: impl Into<String>, statistics: Vec<StreamStatistic>) -> Self {
        Self {
            contact_id: contact_id.into(),
            ccp_version: None,
            softphone_stream_statistics: statistics,
        }
    }
}

cti_request!(SendSoftphoneCallMetricsRequest => SendSoftphoneCallMetrics, Empty, |r| {
    require("contactId", &r.contact_id)
});
