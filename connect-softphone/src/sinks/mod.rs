//! Where call-quality records go: the [`StatsSink`] trait, the sinks for Connect's CTI
//! ([`CtiSink`]), an HTTP JSON batch endpoint in the call-quality-monitoring solution's shape
//! ([`HttpJsonSink`]) and Elasticsearch/OpenSearch `_bulk` ([`ElasticsearchSink`]), and
//! [`StatsHub`], which gives each sink a bounded [`Spool`] and a delivery task with
//! full-jitter retries. Sink failures are logged and counted ([`MonitoringHealth`]); they
//! never reach a call.

mod api_feed;
pub mod cqm;
mod cti;
mod elastic;
mod health;
mod http;
mod http_json;
mod hub;
mod parts;
#[cfg(feature = "sigv4")]
mod sigv4;
mod sink;
mod spool;
mod worker;

pub use api_feed::API_LATENCY_WINDOW;
pub use cqm::CqmVersion;
pub use cti::CtiSink;
pub use elastic::{
    bulk_body, ElasticsearchSink, ElasticsearchSinkBuilder, MAX_BULK_BYTES, MAX_BULK_DOCS,
};
pub use health::{MonitoringHealth, SinkHealth};
pub use http::{SinkAuth, DEFAULT_SINK_DEADLINE};
pub use http_json::{HttpJsonSink, HttpJsonSinkBuilder};
pub use hub::{StatsEvents, StatsHub, StatsHubBuilder, EVENT_CAPACITY};
#[cfg(feature = "sigv4")]
pub use sigv4::SigV4Credentials;
/// The specification's name for [`StatsSink`].
pub use sink::StatsSink as QualitySink;
pub use sink::{SinkError, StatsSink};
pub use spool::{Admission, Batch, Spool, SpoolConfig};
