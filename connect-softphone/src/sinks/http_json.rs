//! [`HttpJsonSink`]: the call-quality-monitoring solution's bodies POSTed as JSON to
//! `<base>/softphonemetrics`, `<base>/callreport` and `<base>/apimetrics`.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;

use super::cqm::{self, CqmVersion};
use super::http::{http_options_builder_methods, HttpOptions, Poster};
use super::parts::{group_by, runs, send_parts, Part};
use super::{SinkError, StatsSink};
use crate::stats::{Record, RecordKind};

/// Builds an [`HttpJsonSink`].
#[derive(Debug)]
pub struct HttpJsonSinkBuilder {
    base: String,
    http: HttpOptions,
    version: CqmVersion,
}

impl HttpJsonSinkBuilder {
    http_options_builder_methods!(" How to authenticate (default none).");

    /// Which `/callreport` body to send (default v2).
    pub fn version(mut self, version: CqmVersion) -> Self {
        self.version = version;
        self
    }

    /// The sink.
    pub fn build(self) -> Result<HttpJsonSink, SinkError> {
        let poster = Poster::new(self.http)?;
        Ok(HttpJsonSink {
            base: self.base.trim_end_matches('/').to_owned(),
            poster: Arc::new(poster),
            version: self.version,
        })
    }
}

/// POSTs stream records (one body per contact per batch), telemetry reports and API
/// samples (one body per agent per batch) as the call-quality-monitoring solution's
/// frontend does. 2xx is done; 408, 429, 5xx and network errors are retried; other
/// statuses drop the records and count them.
///
/// ```
/// use connect_softphone::sinks::{HttpJsonSink, SinkAuth, StatsSink};
/// use connect_softphone::stats::RecordKind;
///
/// let sink = HttpJsonSink::builder("https://cqm.example/prod").auth(SinkAuth::api_key("k")).build().unwrap();
/// assert!(sink.accepts(RecordKind::TelemetryReport));
/// assert!(!sink.accepts(RecordKind::CallReport));
/// ```
#[derive(Clone, Debug)]
pub struct HttpJsonSink {
    base: String,
    poster: Arc<Poster>,
    version: CqmVersion,
}

impl HttpJsonSink {
    /// A builder for the API at `base` (e.g. an API Gateway stage URL).
    pub fn builder(base: impl Into<String>) -> HttpJsonSinkBuilder {
        HttpJsonSinkBuilder {
            base: base.into(),
            http: HttpOptions::default(),
            version: CqmVersion::default(),
        }
    }

    /// Groups a batch into `(route, body)` requests, in order: each run of stream records
    /// one body per contact, each run of API samples one body per agent, each report its own.
    fn plan(&self, batch: &[Record]) -> Vec<Part<(&'static str, Value)>> {
        let mut parts = Vec::new();
        for (kind, run) in runs(batch) {
            match kind {
                RecordKind::StreamSample => {
                    let by_contact =
                        group_by(batch, run, |r| r.call().map(|c| c.contact_id.as_str()));
                    for indices in by_contact {
                        let mut call = None;
                        let mut samples = Vec::new();
                        for &i in &indices {
                            if let Record::StreamSample { call: c, sample } = &batch[i] {
                                call.get_or_insert(c);
                                samples.push(sample);
                            }
                        }
                        if let Some(call) = call {
                            let body = cqm::softphone_metrics_body(call, samples);
                            parts.push(Part {
                                indices,
                                item: ("softphonemetrics", body),
                            });
                        }
                    }
                }
                RecordKind::ApiLatencySample => {
                    let by_agent = group_by(batch, run, |r| match r {
                        Record::ApiLatency { agent, .. } => Some(&**agent),
                        _ => None,
                    });
                    for indices in by_agent {
                        let mut agent = "";
                        let mut samples = Vec::new();
                        for &i in &indices {
                            if let Record::ApiLatency { agent: a, sample } = &batch[i] {
                                agent = &**a;
                                samples.push(sample);
                            }
                        }
                        let body = cqm::api_metrics_body(agent, samples);
                        parts.push(Part {
                            indices,
                            item: ("apimetrics", body),
                        });
                    }
                }
                RecordKind::TelemetryReport => {
                    for i in run {
                        if let Record::Telemetry { call, report } = &batch[i] {
                            let body = cqm::call_report_body(call, report, self.version);
                            parts.push(Part {
                                indices: vec![i],
                                item: ("callreport", body),
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        parts
    }
}

#[async_trait]
impl StatsSink for HttpJsonSink {
    fn name(&self) -> &str {
        "http-json"
    }

    fn accepts(&self, kind: RecordKind) -> bool {
        matches!(
            kind,
            RecordKind::StreamSample | RecordKind::TelemetryReport | RecordKind::ApiLatencySample
        )
    }

    async fn send(&self, batch: &[Record]) -> Result<(), SinkError> {
        let parts = self.plan(batch);
        send_parts(&parts, |part| {
            let (route, body) = &part.item;
            let url = format!("{}/{route}", self.base);
            let body = body.to_string().into_bytes();
            let poster = Arc::clone(&self.poster);
            async move { poster.post(&url, "application/json", body).await.map(drop) }
        })
        .await
    }
}
