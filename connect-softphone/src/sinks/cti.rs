//! [`CtiSink`]: stream records → `SendSoftphoneCallMetrics` (one request per contact per
//! flush), call reports → `SendSoftphoneCallReport`, through connect-core's [`CtiApi`].

use std::sync::Arc;

use async_trait::async_trait;
use connect_core::api::{CtiApi, CtiError};

use super::parts::{group_by, runs, send_parts, Part};
use super::{SinkError, StatsSink};
use crate::stats::{cti, CallReport, Record, RecordKind, StreamSample};

/// Sends quality records to Connect's CTI service. Throttling, 5xx, network and
/// authentication failures are retryable (an auth failure waits for the session's token
/// refresh); other refusals drop the records and count them.
///
/// ```
/// use std::sync::Arc;
/// use connect_core::api::CtiApi;
/// use connect_softphone::sinks::{CtiSink, StatsSink};
/// use connect_softphone::stats::RecordKind;
///
/// #[derive(Debug)]
/// struct Offline;
/// impl CtiApi for Offline {}
///
/// let sink = CtiSink::new(Arc::new(Offline));
/// assert!(sink.accepts(RecordKind::StreamSample) && sink.accepts(RecordKind::CallReport));
/// assert!(!sink.accepts(RecordKind::TelemetryReport));
/// ```
#[derive(Debug, Clone)]
pub struct CtiSink {
    api: Arc<dyn CtiApi>,
}

/// One CTI request of a batch.
enum Request<'a> {
    Metrics {
        contact_id: &'a str,
        samples: Vec<&'a StreamSample>,
    },
    Report {
        contact_id: &'a str,
        report: &'a CallReport,
    },
}

impl CtiSink {
    /// A sink sending through `api` (the agent session's CTI client).
    pub fn new(api: Arc<dyn CtiApi>) -> Self {
        Self { api }
    }

    async fn send_request(&self, request: &Request<'_>) -> Result<(), SinkError> {
        let result = match request {
            Request::Metrics {
                contact_id,
                samples,
            } => {
                let req = cti::metrics_request(contact_id, samples.iter().copied());
                self.api.send_softphone_call_metrics(req).await
            }
            Request::Report { contact_id, report } => {
                let req = cti::report_request(contact_id, report);
                self.api.send_softphone_call_report(req).await
            }
        };
        result.map(drop).map_err(sink_error)
    }
}

fn sink_error(error: CtiError) -> SinkError {
    if error.is_retryable() || error.is_auth() {
        SinkError::retryable(error.to_string())
    } else {
        SinkError::permanent(error.to_string())
    }
}

/// Groups a batch into requests, in order: each run of stream records becomes one metrics
/// request per contact (first-seen order), each call report its own request.
fn plan(batch: &[Record]) -> Vec<Part<Request<'_>>> {
    let mut parts = Vec::new();
    for (kind, run) in runs(batch) {
        match kind {
            RecordKind::StreamSample => {
                let by_contact = group_by(batch, run, |r| r.call().map(|c| c.contact_id.as_str()));
                for indices in by_contact {
                    let mut contact_id = "";
                    let mut samples = Vec::new();
                    for &i in &indices {
                        if let Record::StreamSample { call, sample } = &batch[i] {
                            contact_id = call.contact_id.as_str();
                            samples.push(sample);
                        }
                    }
                    let item = Request::Metrics {
                        contact_id,
                        samples,
                    };
                    parts.push(Part { indices, item });
                }
            }
            RecordKind::CallReport => {
                for i in run {
                    if let Record::CallReport { call, report } = &batch[i] {
                        let item = Request::Report {
                            contact_id: &call.contact_id,
                            report,
                        };
                        parts.push(Part {
                            indices: vec![i],
                            item,
                        });
                    }
                }
            }
            _ => {}
        }
    }
    parts
}

#[async_trait]
impl StatsSink for CtiSink {
    fn name(&self) -> &str {
        "cti"
    }

    fn accepts(&self, kind: RecordKind) -> bool {
        matches!(kind, RecordKind::StreamSample | RecordKind::CallReport)
    }

    async fn send(&self, batch: &[Record]) -> Result<(), SinkError> {
        let parts = plan(batch);
        send_parts(&parts, |part| self.send_request(&part.item)).await
    }
}
