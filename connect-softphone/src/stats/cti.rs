//! The CTI encoder: SDK records → `SendSoftphoneCallMetrics` / `SendSoftphoneCallReport`
//! requests, with the wire renames (`packetsCount` → `packetCount`, `handshakingTimeMillis` →
//! `handshakeTimeMillis`, `preTalkingTimeMillis` → `preTalkTimeMillis`, `talkingTimeMillis` →
//! `talkTimeMillis`, `handshakingFailure` → `handshakeFailure`) and the schema's members only
//! (no `jitterMillis`; jitter and RTT left out of the report's statistics).

use connect_core::api::{
    CallReport as CtiCallReport, SendSoftphoneCallMetricsRequest, SendSoftphoneCallReportRequest,
    StreamStatistic,
};

use super::{CallReport, ReportStatistic, StreamSample};

/// The `ccpVersion` every request carries.
pub const CCP_VERSION: &str = "V2";

fn long(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The CTI element of one per-second record.
///
/// ```
/// use connect_core::model::Timestamp;
/// use connect_softphone::stats::{cti_statistic, StreamDirection, StreamSample};
///
/// let s = StreamSample { packets_count: 50, packets_lost: 1, audio_level: Some(1204), jitter_buffer_millis: Some(42),
///     round_trip_time_millis: Some(88), jitter_millis: Some(3),
///     ..StreamSample::new(StreamDirection::AudioInput, Timestamp::from_millis(1_700_000_001_000)) };
/// assert_eq!(serde_json::to_value(cti_statistic(&s)).unwrap(), serde_json::json!({
///     "timestamp": 1700000001.0, "softphoneStreamType": "audio_input", "packetCount": 50, "packetsLost": 1,
///     "audioLevel": 1204.0, "jitterBufferMillis": 42, "roundTripTimeMillis": 88 }));
/// ```
pub fn cti_statistic(sample: &StreamSample) -> StreamStatistic {
    StreamStatistic {
        packet_count: Some(long(sample.packets_count)),
        packets_lost: Some(long(sample.packets_lost)),
        audio_level: sample.audio_level.map(f64::from),
        jitter_buffer_millis: sample.jitter_buffer_millis.map(long),
        round_trip_time_millis: sample.round_trip_time_millis.map(long),
        ..StreamStatistic::new(sample.timestamp, sample.softphone_stream_type.to_cti())
    }
}

fn report_statistic(stat: &ReportStatistic) -> StreamStatistic {
    StreamStatistic {
        packet_count: Some(long(stat.packets_count)),
        packets_lost: Some(stat.packets_lost),
        audio_level: stat.audio_level.map(f64::from),
        ..StreamStatistic::new(stat.timestamp, stat.softphone_stream_type.to_cti())
    }
}

/// `SendSoftphoneCallMetrics` for one contact's buffered records (time order kept).
pub fn metrics_request<'a>(
    contact_id: &str,
    samples: impl IntoIterator<Item = &'a StreamSample>,
) -> SendSoftphoneCallMetricsRequest {
    let mut request = SendSoftphoneCallMetricsRequest::new(
        contact_id,
        samples.into_iter().map(cti_statistic).collect(),
    );
    request.ccp_version = Some(CCP_VERSION.to_owned());
    request
}

/// The CTI model of a call report, renamed. A failure flag that was never evaluated stays
/// `None` and is omitted on the wire.
pub fn cti_report(report: &CallReport) -> CtiCallReport {
    let t = &report.timings;
    let f = &report.flags;
    let ms = |v: Option<u64>| v.map(long);
    CtiCallReport {
        call_start_time: t.call_start_time,
        call_end_time: t.call_end_time,
        softphone_stream_statistics: report
            .softphone_stream_statistics
            .iter()
            .map(report_statistic)
            .collect(),
        gum_time_millis: ms(t.gum_time_millis),
        initialization_time_millis: ms(t.initialization_time_millis),
        ice_collection_time_millis: ms(t.ice_collection_time_millis),
        signalling_connect_time_millis: ms(t.signalling_connect_time_millis),
        handshake_time_millis: ms(t.handshaking_time_millis),
        pre_talk_time_millis: ms(t.pre_talking_time_millis),
        talk_time_millis: ms(t.talking_time_millis),
        cleanup_time_millis: ms(t.cleanup_time_millis),
        ice_collection_failure: f.ice_collection_failure,
        signalling_connection_failure: f.signalling_connection_failure,
        handshake_failure: f.handshaking_failure,
        gum_other_failure: f.gum_other_failure,
        gum_timeout_failure: f.gum_timeout_failure,
        create_offer_failure: f.create_offer_failure,
        set_local_description_failure: f.set_local_description_failure,
        user_busy_failure: f.user_busy_failure,
        invalid_remote_sdp_failure: f.invalid_remote_sdp_failure,
        no_remote_ice_candidate_failure: f.no_remote_ice_candidate_failure,
        set_remote_description_failure: f.set_remote_description_failure,
    }
}

/// `SendSoftphoneCallReport` for one call.
pub fn report_request(contact_id: &str, report: &CallReport) -> SendSoftphoneCallReportRequest {
    let mut request = SendSoftphoneCallReportRequest::new(contact_id, cti_report(report));
    request.ccp_version = Some(CCP_VERSION.to_owned());
    request
}
