//! [`ElasticsearchSink`]: documents into daily indices through `POST <base>/_bulk` (NDJSON),
//! for Elasticsearch and OpenSearch.

use std::sync::Arc;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{json, Value};

use super::cqm::{self, Document};
use super::http::{http_options_builder_methods, HttpOptions, Poster};
use super::parts::{send_parts, Part};
use super::{SinkError, StatsSink};
use crate::stats::{Record, RecordKind};

/// Documents per `_bulk` request at most.
pub const MAX_BULK_DOCS: usize = 1_000;
/// Bytes per `_bulk` request at most.
pub const MAX_BULK_BYTES: usize = 5 * 1024 * 1024;

/// Builds an [`ElasticsearchSink`].
#[derive(Debug)]
pub struct ElasticsearchSinkBuilder {
    base: String,
    http: HttpOptions,
    wrap_in_doc: bool,
    quality_summaries: bool,
}

impl ElasticsearchSinkBuilder {
    http_options_builder_methods!(
        " How to authenticate: basic, API key ([`SinkAuth::elastic_api_key`](super::SinkAuth::elastic_api_key)), bearer, or AWS SigV4 (`SinkAuth::SigV4`, feature `sigv4`) for Amazon OpenSearch Service and Serverless."
    );

    /// Wrap each document as `{"doc": …}` (default true, as the solution's pipelines index
    /// them); false writes the fields flat.
    pub fn wrap_in_doc(mut self, wrap: bool) -> Self {
        self.wrap_in_doc = wrap;
        self
    }

    /// Also index quality summaries into `softphonequalitysummary-YYYY-MM-DD` (default false).
    pub fn quality_summaries(mut self, enabled: bool) -> Self {
        self.quality_summaries = enabled;
        self
    }

    /// The sink.
    pub fn build(self) -> Result<ElasticsearchSink, SinkError> {
        let poster = Poster::new(self.http)?;
        Ok(ElasticsearchSink {
            url: format!("{}/_bulk", self.base.trim_end_matches('/')),
            poster: Arc::new(poster),
            wrap_in_doc: self.wrap_in_doc,
            quality_summaries: self.quality_summaries,
        })
    }
}

/// Indexes stream records (`softphonestreamstats-`), telemetry reports
/// (`softphonecallreport-`) and API samples (`apimetric-`) into daily indices, with
/// deterministic ids so that retries are idempotent. At most 1 000 documents or 5 MiB per
/// request. When the answer has `errors: true`, items refused with 429 or 5xx are retried
/// and other refused items are dropped and counted.
///
/// ```
/// use connect_softphone::sinks::{ElasticsearchSink, SinkAuth, StatsSink};
/// use connect_softphone::stats::RecordKind;
///
/// let sink = ElasticsearchSink::builder("https://search.example:9200")
///     .auth(SinkAuth::basic("elastic", "changeme")).build().unwrap();
/// assert!(sink.accepts(RecordKind::ApiLatencySample));
/// assert!(!sink.accepts(RecordKind::QualitySummary));
/// ```
#[derive(Clone, Debug)]
pub struct ElasticsearchSink {
    url: String,
    poster: Arc<Poster>,
    wrap_in_doc: bool,
    quality_summaries: bool,
}

/// The NDJSON body of documents: an action line and a document line each, with a trailing
/// newline.
///
/// ```
/// use connect_softphone::sinks::cqm::Document;
/// use connect_softphone::sinks::bulk_body;
///
/// let doc = Document { index: "apimetric-2024-05-01".into(), id: "jdoe:acceptContact:0:0".into(),
///     body: serde_json::json!({"doc": {"agent": "jdoe"}}) };
/// assert_eq!(bulk_body(&[doc]),
///     "{\"index\":{\"_id\":\"jdoe:acceptContact:0:0\",\"_index\":\"apimetric-2024-05-01\"}}\n{\"doc\":{\"agent\":\"jdoe\"}}\n");
/// ```
pub fn bulk_body(documents: &[Document]) -> String {
    let mut body = String::new();
    for doc in documents {
        body.push_str(&json!({"index": {"_index": doc.index, "_id": doc.id}}).to_string());
        body.push('\n');
        body.push_str(&doc.body.to_string());
        body.push('\n');
    }
    body
}

/// The parts of a `_bulk` answer this sink reads.
#[derive(Debug, Deserialize)]
struct BulkAnswer {
    #[serde(default)]
    errors: bool,
    #[serde(default)]
    items: Vec<Value>,
}

/// The status of one answer item (`{"index": {"status": …}}`).
fn item_status(item: &Value) -> Option<u64> {
    item.as_object()?.values().next()?.get("status")?.as_u64()
}

impl ElasticsearchSink {
    /// A builder for the cluster at `base` (e.g. `https://search-domain.region.es.amazonaws.com`).
    pub fn builder(base: impl Into<String>) -> ElasticsearchSinkBuilder {
        ElasticsearchSinkBuilder {
            base: base.into(),
            http: HttpOptions::default(),
            wrap_in_doc: true,
            quality_summaries: false,
        }
    }

    /// The document of a record (`None` when it has none: a report without any time).
    fn document(&self, record: &Record) -> Option<Document> {
        let wrap = self.wrap_in_doc;
        match record {
            Record::StreamSample { call, sample } => Some(cqm::stream_document(call, sample, wrap)),
            Record::Telemetry { call, report } => cqm::report_document(call, report, wrap),
            Record::ApiLatency { agent, sample } => Some(cqm::api_document(agent, sample, wrap)),
            Record::QualitySummary { call, summary } => {
                Some(cqm::summary_document(call, summary, wrap))
            }
            _ => None,
        }
    }

    /// Splits the batch's documents into requests within the size limits.
    fn chunks(&self, batch: &[Record]) -> (Vec<Part<String>>, usize) {
        let mut parts = Vec::new();
        let mut unindexable = 0;
        let mut indices = Vec::new();
        let mut docs: Vec<Document> = Vec::new();
        let mut bytes = 0;
        for (i, record) in batch.iter().enumerate() {
            let Some(doc) = self.document(record) else {
                unindexable += 1;
                continue;
            };
            let size = doc.body.to_string().len() + doc.index.len() + doc.id.len() + 40;
            if !docs.is_empty() && (docs.len() >= MAX_BULK_DOCS || bytes + size > MAX_BULK_BYTES) {
                parts.push(Part {
                    indices: std::mem::take(&mut indices),
                    item: bulk_body(&std::mem::take(&mut docs)),
                });
                bytes = 0;
            }
            bytes += size;
            indices.push(i);
            docs.push(doc);
        }
        if !docs.is_empty() {
            parts.push(Part {
                indices,
                item: bulk_body(&docs),
            });
        }
        (parts, unindexable)
    }

    async fn send_chunk(&self, part: &Part<String>) -> Result<(), SinkError> {
        let answer = self
            .poster
            .post(
                &self.url,
                "application/x-ndjson",
                part.item.clone().into_bytes(),
            )
            .await?;
        let answer: BulkAnswer = serde_json::from_slice(&answer)
            .map_err(|e| SinkError::retryable(format!("_bulk answer does not parse: {e}")))?;
        if !answer.errors {
            return Ok(());
        }
        let mut retry = Vec::new();
        let mut rejected = 0;
        for (k, &index) in part.indices.iter().enumerate() {
            match answer.items.get(k).and_then(item_status) {
                Some(200..=299) => {}
                Some(429) | Some(500..=599) | None => retry.push(index),
                Some(status) => {
                    tracing::warn!(status, "search cluster refused a document; dropped");
                    rejected += 1;
                }
            }
        }
        Err(SinkError::retry_only(
            format!("_bulk: {} to retry, {rejected} refused", retry.len()),
            retry,
            rejected,
        ))
    }
}

#[async_trait]
impl StatsSink for ElasticsearchSink {
    fn name(&self) -> &str {
        "elasticsearch"
    }

    fn accepts(&self, kind: RecordKind) -> bool {
        match kind {
            RecordKind::StreamSample
            | RecordKind::TelemetryReport
            | RecordKind::ApiLatencySample => true,
            RecordKind::QualitySummary => self.quality_summaries,
            RecordKind::CallReport => false,
        }
    }

    async fn send(&self, batch: &[Record]) -> Result<(), SinkError> {
        let (parts, unindexable) = self.chunks(batch);
        let sent = send_parts(&parts, |part| self.send_chunk(part)).await;
        if unindexable == 0 {
            return sent;
        }
        tracing::warn!(
            unindexable,
            "records without a time cannot be indexed; dropped"
        );
        let (retry, rejected, retry_after) = match sent {
            Ok(()) => (Vec::new(), 0, None),
            Err(e) => (e.retry_only.unwrap_or_default(), e.rejected, e.retry_after),
        };
        let mut error =
            SinkError::retry_only("records without a time", retry, rejected + unindexable);
        error.retry_after = retry_after;
        Err(error)
    }
}
