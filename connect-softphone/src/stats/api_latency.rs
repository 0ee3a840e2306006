//! [`ApiLatencySample`]: one timed CTI call in the Streams `API_METRIC` shape, made from
//! connect-core's latency records.

use std::sync::Arc;

use connect_core::metrics::ApiCallRecord;
use connect_core::model::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::Record;

/// A `{name, value}` dimension.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dimension {
    /// The dimension's name.
    pub name: String,
    /// Its value (a string or a number).
    pub value: Value,
}

fn dimension(name: &str, value: Value) -> Dimension {
    Dimension {
        name: name.to_owned(),
        value,
    }
}

/// One timed CTI call (Streams `API_METRIC`, with CQM's client `timestamp`).
///
/// ```
/// use connect_core::api::CtiMethod;
/// use connect_core::metrics::ApiCallRecord;
/// use connect_core::model::Timestamp;
/// use connect_softphone::stats::ApiLatencySample;
///
/// let call = ApiCallRecord::success(CtiMethod::AcceptContact, 40, 200, Timestamp::from_millis(1_714_557_600_000));
/// let json = serde_json::to_value(ApiLatencySample::from_record(&call, 0)).unwrap();
/// assert_eq!(json, serde_json::json!({
///     "name": "acceptContact", "time": 40, "error": null, "error5xx": 0, "fault": 0,
///     "dimensions": [{"name": "Category", "value": "API"}],
///     "optionalDimensions": [{"name": "HttpStatusCode", "value": 200},
///         {"name": "HttpGenericStatusCode", "value": "2XX"}, {"name": "RetryStatus", "value": "NONE"}],
///     "timestamp": "2024-05-01T10:00:00.000Z" }));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiLatencySample {
    /// The client method (`getAgentSnapshot`, `acceptContact`, …).
    pub name: String,
    /// Latency, ms.
    pub time: u64,
    /// The failure (`{"type": code, "statusCode": status}`), null on success.
    pub error: Option<Value>,
    /// 1 on a 5xx answer, else 0.
    #[serde(rename = "error5xx")]
    pub error_5xx: u8,
    /// 1 on 5xx, 0 on 2xx, absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<u8>,
    /// Always `Category = API`.
    pub dimensions: Vec<Dimension>,
    /// `HttpStatusCode`, `HttpGenericStatusCode` (when a response arrived) and `RetryStatus`.
    pub optional_dimensions: Vec<Dimension>,
    /// When the call was made.
    #[serde(with = "super::iso")]
    pub timestamp: Timestamp,
    /// The `getAgentSnapshot` long poll, excluded from every average.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub long_poll: bool,
    /// A sequence number that tells apart samples of one agent and API in one millisecond
    /// (part of the export's idempotent document id; not serialised).
    #[serde(skip)]
    pub seq: u64,
}

impl ApiLatencySample {
    /// The sample of one recorded exchange, numbered `seq`.
    pub fn from_record(record: &ApiCallRecord, seq: u64) -> Self {
        let server_error = record.status.is_some_and(|s| (500..600).contains(&s));
        let fault = match record.status {
            Some(s) if (500..600).contains(&s) => Some(1),
            Some(s) if (200..300).contains(&s) => Some(0),
            _ => None,
        };
        let error = (!record.success).then(|| {
            json!({
                "type": record.error_code.as_deref().unwrap_or("UnknownError"),
                "statusCode": record.status,
            })
        });
        let mut optional_dimensions = Vec::with_capacity(3);
        if let Some(status) = record.status {
            optional_dimensions.push(dimension("HttpStatusCode", json!(status)));
            optional_dimensions.push(dimension(
                "HttpGenericStatusCode",
                json!(format!("{}XX", status / 100)),
            ));
        }
        let retry = if record.attempt > 1 {
            "RETRYING"
        } else {
            "NONE"
        };
        optional_dimensions.push(dimension("RetryStatus", json!(retry)));
        Self {
            name: record.operation.name().to_owned(),
            time: record.latency_ms,
            error,
            error_5xx: u8::from(server_error),
            fault,
            dimensions: vec![dimension("Category", json!("API"))],
            optional_dimensions,
            timestamp: record.timestamp,
            long_poll: record.is_long_poll(),
            seq,
        }
    }
}

/// Turns connect-core's latency records into export records for one agent, numbering them.
///
/// ```
/// use connect_core::api::CtiMethod;
/// use connect_core::metrics::ApiCallRecord;
/// use connect_core::model::Timestamp;
/// use connect_softphone::stats::{ApiMetricsCollector, RecordKind};
///
/// let mut collector = ApiMetricsCollector::new("jdoe");
/// let t = Timestamp::from_millis(0);
/// let records = collector.records([ApiCallRecord::success(CtiMethod::AcceptContact, 40, 200, t)]);
/// assert_eq!(records[0].kind(), RecordKind::ApiLatencySample);
/// ```
#[derive(Clone, Debug)]
pub struct ApiMetricsCollector {
    agent: Arc<str>,
    next_seq: u64,
}

impl ApiMetricsCollector {
    /// A collector for the agent with `username`.
    pub fn new(username: impl Into<Arc<str>>) -> Self {
        Self {
            agent: username.into(),
            next_seq: 0,
        }
    }

    /// One record per exchange, in order.
    pub fn records(&mut self, calls: impl IntoIterator<Item = ApiCallRecord>) -> Vec<Record> {
        calls
            .into_iter()
            .map(|call| {
                let sample = ApiLatencySample::from_record(&call, self.next_seq);
                self.next_seq += 1;
                Record::ApiLatency {
                    agent: Arc::clone(&self.agent),
                    sample,
                }
            })
            .collect()
    }
}
