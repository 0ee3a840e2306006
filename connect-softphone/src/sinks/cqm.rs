//! The bodies and documents of the call-quality-monitoring solution (CQM): the HTTP batch
//! bodies (`/softphonemetrics`, `/callreport`, `/apimetrics`) and the Elasticsearch documents
//! with their daily index names and idempotent ids. Pure functions.

use connect_core::log::format_iso8601;
use connect_core::model::Timestamp;
use serde_json::{json, Map, Value};

use crate::stats::{
    ApiLatencySample, CallContext, Enrichment, QualitySummary, StreamSample, TelemetryReport,
    CCP_VERSION,
};

/// Which CQM frontend's `/callreport` body to send.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CqmVersion {
    /// v1/v2: the enrichment and `report`.
    #[default]
    V2,
    /// v3: the bus event (`contactId`, `ccpVersion`, `report`) next to the same enrichment.
    V3,
}

fn to_value<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn insert_hierarchy(body: &mut Map<String, Value>, e: &Enrichment) {
    for (level, name) in e.hierarchy.iter().enumerate() {
        if let Some(name) = name {
            body.insert(format!("hierarchyL{}", level + 1), json!(name));
        }
    }
}

/// `POST /softphonemetrics`: one contact's records.
///
/// ```
/// use connect_core::model::Timestamp;
/// use connect_softphone::sinks::cqm;
/// use connect_softphone::stats::*;
///
/// let mut e = Enrichment::new("jdoe");
/// e.contact_queue = Some("BasicQueue".into());
/// let call = CallContext::new("c-1", "ac-1", e);
/// let s = StreamSample::new(StreamDirection::AudioInput, Timestamp::from_millis(1_714_557_601_000));
/// let body = cqm::softphone_metrics_body(&call, [&s]);
/// assert_eq!(body["agent"], "jdoe");
/// assert_eq!(body["contactQueue"], "BasicQueue");
/// assert!(body["agentPrivateIp"].is_null());
/// assert_eq!(body["softphoneStreamStatistics"][0]["timestamp"], "2024-05-01T10:00:01.000Z");
/// ```
pub fn softphone_metrics_body<'a>(
    call: &CallContext,
    samples: impl IntoIterator<Item = &'a StreamSample>,
) -> Value {
    let e = &call.enrichment;
    let mut body = Map::new();
    body.insert("agentPrivateIp".into(), json!(e.agent_private_ip));
    body.insert("callConfigJson".into(), json!(e.call_config_json()));
    body.insert("agentRoutingProfile".into(), json!(e.agent_routing_profile));
    body.insert("contactId".into(), json!(call.contact_id));
    body.insert("contactQueue".into(), json!(e.contact_queue));
    let samples: Vec<Value> = samples.into_iter().map(to_value).collect();
    body.insert("softphoneStreamStatistics".into(), Value::Array(samples));
    body.insert("agent".into(), json!(e.agent));
    insert_hierarchy(&mut body, e);
    Value::Object(body)
}

/// `POST /callreport`: one call's report (the telemetry report: the call report with the
/// un-renamed names plus the extended fields).
pub fn call_report_body(
    call: &CallContext,
    report: &TelemetryReport,
    version: CqmVersion,
) -> Value {
    let e = &call.enrichment;
    let mut body = Map::new();
    body.insert("agentPrivateIp".into(), json!(e.agent_private_ip));
    body.insert("callConfigJson".into(), json!(e.call_config_json()));
    body.insert("numberofCpu".into(), json!(e.number_of_cpu));
    body.insert(
        "localDeviceMemoryLimit".into(),
        json!(e.local_device_memory_limit),
    );
    body.insert("agentBrowserName".into(), json!(e.agent_browser_name));
    body.insert("agentBrowserversion".into(), json!(e.agent_browser_version));
    body.insert("agentRoutingProfile".into(), json!(e.agent_routing_profile));
    body.insert("contactQueue".into(), json!(e.contact_queue));
    body.insert("contactId".into(), json!(call.contact_id));
    if version == CqmVersion::V3 {
        body.insert("ccpVersion".into(), json!(CCP_VERSION));
    }
    body.insert("report".into(), to_value(report));
    body.insert("agent".into(), json!(e.agent));
    insert_hierarchy(&mut body, e);
    Value::Object(body)
}

/// `POST /apimetrics`: one agent's API samples.
///
/// ```
/// use connect_core::{api::CtiMethod, metrics::ApiCallRecord, model::Timestamp};
/// use connect_softphone::sinks::cqm;
/// use connect_softphone::stats::ApiLatencySample;
///
/// let s = ApiLatencySample::from_record(&ApiCallRecord::success(CtiMethod::AcceptContact, 40, 200, Timestamp::from_millis(0)), 0);
/// let body = cqm::api_metrics_body("jdoe", [&s]);
/// assert_eq!(body["API_METRIC"][0]["name"], "acceptContact");
/// assert_eq!(body["agent"], "jdoe");
/// ```
pub fn api_metrics_body<'a>(
    agent: &str,
    samples: impl IntoIterator<Item = &'a ApiLatencySample>,
) -> Value {
    let samples: Vec<Value> = samples.into_iter().map(to_value).collect();
    json!({ "API_METRIC": samples, "agent": agent })
}

/// The enrichment of an Elasticsearch document.
fn es_enrichment(call: &CallContext) -> Map<String, Value> {
    let e = &call.enrichment;
    let mut doc = Map::new();
    doc.insert("agent".into(), json!(e.agent));
    doc.insert("contactId".into(), json!(call.contact_id));
    doc.insert("contactQueue".into(), json!(e.contact_queue));
    doc.insert("agentRoutingProfile".into(), json!(e.agent_routing_profile));
    for (level, name) in e.hierarchy.iter().enumerate() {
        doc.insert(format!("hierarchyL{}", level + 1), json!(name));
    }
    doc.insert("signalingEndpoint".into(), json!(e.signaling_endpoint));
    doc.insert("iceServers".into(), json!(e.ice_servers));
    doc.insert("agentPublicIp".into(), json!(e.agent_public_ip));
    doc.insert("agentPrivateIp".into(), json!(e.agent_private_ip));
    doc
}

/// An Elasticsearch document: its index, id and body.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// The daily index (`<prefix>YYYY-MM-DD`, the UTC day of the document's time).
    pub index: String,
    /// The idempotent id.
    pub id: String,
    /// The body (`{"doc": …}` unless unwrapped).
    pub body: Value,
}

/// `<prefix>YYYY-MM-DD` for the UTC day of `time`.
///
/// ```
/// use connect_core::model::Timestamp;
/// use connect_softphone::sinks::cqm::daily_index;
/// assert_eq!(daily_index("apimetric-", Timestamp::from_millis(1_714_607_999_999)), "apimetric-2024-05-01");
/// ```
pub fn daily_index(prefix: &str, time: Timestamp) -> String {
    let iso = format_iso8601(time);
    format!("{prefix}{}", iso.get(..10).unwrap_or(&iso))
}

fn document(
    prefix: &str,
    time: Timestamp,
    id: String,
    doc: Map<String, Value>,
    wrap: bool,
) -> Document {
    let body = if wrap {
        json!({ "doc": doc })
    } else {
        Value::Object(doc)
    };
    Document {
        index: daily_index(prefix, time),
        id,
        body,
    }
}

fn merge(doc: &mut Map<String, Value>, value: Value) {
    if let Value::Object(fields) = value {
        doc.extend(fields);
    }
}

/// The `softphonestreamstats-` document of one record; id
/// `contactId:agentConnectionId:streamType:epochMs`.
pub fn stream_document(call: &CallContext, sample: &StreamSample, wrap: bool) -> Document {
    let mut doc = es_enrichment(call);
    merge(&mut doc, to_value(sample));
    let id = format!(
        "{}:{}:{}:{}",
        call.contact_id,
        call.agent_connection_id,
        sample.softphone_stream_type.as_str(),
        sample.timestamp.as_millis()
    );
    document("softphonestreamstats-", sample.timestamp, id, doc, wrap)
}

/// The `softphonecallreport-` document of one call, dated by the report's `callEndTime`
/// (else its start, else the last statistic); id `contactId:agentConnectionId:report`.
/// `None` when the report carries no time at all.
pub fn report_document(
    call: &CallContext,
    report: &TelemetryReport,
    wrap: bool,
) -> Option<Document> {
    let timings = &report.call.timings;
    let time = timings
        .call_end_time
        .or(timings.call_start_time)
        .or_else(|| {
            report
                .call
                .softphone_stream_statistics
                .last()
                .map(|s| s.timestamp)
        })?;
    let mut doc = es_enrichment(call);
    doc.insert("report".into(), to_value(report));
    doc.insert("timestamp".into(), json!(format_iso8601(time)));
    let id = format!("{}:{}:report", call.contact_id, call.agent_connection_id);
    Some(document("softphonecallreport-", time, id, doc, wrap))
}

/// The `apimetric-` document of one API sample: `{agent, timestamp, <apiName>: ms}`; id
/// `agent:api:epochMs:seq`.
pub fn api_document(agent: &str, sample: &ApiLatencySample, wrap: bool) -> Document {
    let mut doc = Map::new();
    doc.insert("agent".into(), json!(agent));
    doc.insert("timestamp".into(), json!(format_iso8601(sample.timestamp)));
    doc.insert(sample.name.clone(), json!(sample.time));
    let id = format!(
        "{agent}:{}:{}:{}",
        sample.name,
        sample.timestamp.as_millis(),
        sample.seq
    );
    document("apimetric-", sample.timestamp, id, doc, wrap)
}

/// The `softphonequalitysummary-` document of one window (an SDK index); id
/// `contactId:agentConnectionId:summary:windowEndMs`.
pub fn summary_document(call: &CallContext, summary: &QualitySummary, wrap: bool) -> Document {
    let mut doc = es_enrichment(call);
    merge(&mut doc, to_value(summary));
    doc.insert(
        "timestamp".into(),
        json!(format_iso8601(summary.window_end)),
    );
    let id = format!(
        "{}:{}:summary:{}",
        call.contact_id,
        call.agent_connection_id,
        summary.window_end.as_millis()
    );
    document(
        "softphonequalitysummary-",
        summary.window_end,
        id,
        doc,
        wrap,
    )
}
