//! [`Record`]: what the sampler hands to the sinks, with the call it belongs to.

use std::io;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use super::{ApiLatencySample, CallReport, QualitySummary, StreamSample, TelemetryReport};

/// Who and what a call's records describe (the enrichment of the quality exports), computed
/// once per agent connection.
///
/// ```
/// use connect_softphone::stats::Enrichment;
///
/// let e = Enrichment::new("jdoe").with_call_config(r#"{"signalingEndpoint":"wss://sig.example/LilyRTC",
///     "iceServers":[{"urls":["turn:203.0.113.7:3478?transport=udp"],"username":"u","credential":"secret"}]}"#);
/// assert_eq!(e.signaling_endpoint.as_deref(), Some("wss://sig.example/LilyRTC"));
/// assert_eq!(e.ice_servers.as_deref(), Some("turn:203.0.113.7:3478"));
/// assert!(!e.call_config_json().unwrap_or_default().contains("secret"));
/// assert!(!format!("{e:?}").contains("secret"));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Enrichment {
    /// The agent's username (agent configuration `username`).
    pub agent: String,
    /// The call's queue name.
    pub contact_queue: Option<String>,
    /// The agent's routing-profile name.
    pub agent_routing_profile: Option<String>,
    /// Hierarchy group names, level 1 to 5 (from an app-supplied source).
    pub hierarchy: [Option<String>; 5],
    /// The signaling endpoint (from the call configuration).
    pub signaling_endpoint: Option<String>,
    /// Each ICE server's first URL without `?transport=udp`, joined with `", "`.
    pub ice_servers: Option<String>,
    /// The agent's public address, e.g. the TURN allocation's mapped address.
    pub agent_public_ip: Option<String>,
    /// The agent's private address.
    pub agent_private_ip: Option<String>,
    /// CPU count (call reports only).
    pub number_of_cpu: Option<u32>,
    /// Memory in GB (call reports only).
    pub local_device_memory_limit: Option<f64>,
    /// The client's name (call reports only): `connect-softphone`.
    pub agent_browser_name: String,
    /// The client's version (call reports only): this crate's version.
    pub agent_browser_version: String,
    call_config_json: Option<String>,
}

impl Enrichment {
    /// The enrichment of an agent with `username`; the client name and version are this SDK's
    /// and the CPU count is the host's.
    pub fn new(username: impl Into<String>) -> Self {
        Self {
            agent: username.into(),
            number_of_cpu: std::thread::available_parallelism()
                .ok()
                .and_then(|n| u32::try_from(n.get()).ok()),
            agent_browser_name: "connect-softphone".to_owned(),
            agent_browser_version: env!("CARGO_PKG_VERSION").to_owned(),
            ..Self::default()
        }
    }

    /// Sets the call configuration (`callConfigJson`), from which the signaling endpoint and
    /// the ICE servers are taken. TURN credentials (`username`, `credential`, `password`) are
    /// removed: they never leave the SDK in an export. Text that is not JSON is dropped.
    pub fn with_call_config(mut self, call_config_json: &str) -> Self {
        let Ok(mut config) = serde_json::from_str::<Value>(call_config_json) else {
            tracing::warn!("call configuration is not JSON; not exported");
            return self;
        };
        self.signaling_endpoint = config
            .get("signalingEndpoint")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let Some(servers) = config.get_mut("iceServers").and_then(Value::as_array_mut) {
            let mut firsts = Vec::new();
            for server in servers.iter_mut() {
                if let Some(server) = server.as_object_mut() {
                    for secret in ["username", "credential", "password"] {
                        server.remove(secret);
                    }
                }
                let first = match server.get("urls").or_else(|| server.get("url")) {
                    Some(Value::Array(urls)) => urls.first().and_then(Value::as_str),
                    Some(Value::String(url)) => Some(url.as_str()),
                    _ => None,
                };
                if let Some(url) = first {
                    firsts.push(url.replace("?transport=udp", ""));
                }
            }
            self.ice_servers = Some(firsts.join(", "));
        }
        self.call_config_json = Some(config.to_string());
        self
    }

    /// The call configuration as exported (without credentials).
    pub fn call_config_json(&self) -> Option<&str> {
        self.call_config_json.as_deref()
    }
}

/// The call a record belongs to.
///
/// ```
/// use connect_softphone::stats::{CallContext, Enrichment};
/// let call = CallContext::new("c-1", "ac-1", Enrichment::new("jdoe"));
/// assert_eq!(call.contact_id, "c-1");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct CallContext {
    /// The contact.
    pub contact_id: String,
    /// The agent's connection on the contact.
    pub agent_connection_id: String,
    /// Who and what.
    pub enrichment: Enrichment,
}

impl CallContext {
    /// The context of one agent connection.
    pub fn new(
        contact_id: impl Into<String>,
        agent_connection_id: impl Into<String>,
        enrichment: Enrichment,
    ) -> Self {
        Self {
            contact_id: contact_id.into(),
            agent_connection_id: agent_connection_id.into(),
            enrichment,
        }
    }
}

/// The kinds of record a sink may accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecordKind {
    /// Per-second stream records.
    StreamSample,
    /// End-of-call reports.
    CallReport,
    /// Extended telemetry reports.
    TelemetryReport,
    /// API latency samples.
    ApiLatencySample,
    /// Window quality summaries.
    QualitySummary,
}

/// One record for the sinks. Cheap to clone (large payloads are shared).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Record {
    /// A per-second stream record.
    StreamSample {
        /// Its call.
        call: Arc<CallContext>,
        /// The record.
        sample: StreamSample,
    },
    /// An end-of-call report.
    CallReport {
        /// Its call.
        call: Arc<CallContext>,
        /// The report.
        report: Arc<CallReport>,
    },
    /// An extended telemetry report.
    Telemetry {
        /// Its call.
        call: Arc<CallContext>,
        /// The report.
        report: Arc<TelemetryReport>,
    },
    /// An API latency sample.
    ApiLatency {
        /// The agent's username.
        agent: Arc<str>,
        /// The sample.
        sample: ApiLatencySample,
    },
    /// A window's quality summary.
    QualitySummary {
        /// Its call.
        call: Arc<CallContext>,
        /// The summary.
        summary: Arc<QualitySummary>,
    },
}

/// An `io::Write` that only counts.
struct Counter(usize);

impl io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn json_len<T: Serialize + ?Sized>(value: &T) -> usize {
    let mut counter = Counter(0);
    match serde_json::to_writer(&mut counter, value) {
        Ok(()) => counter.0,
        Err(_) => 0,
    }
}

/// Per-record bookkeeping beyond the payload (the context, the queue entry).
const RECORD_OVERHEAD: usize = 64;

impl Record {
    /// Its kind.
    pub fn kind(&self) -> RecordKind {
        match self {
            Self::StreamSample { .. } => RecordKind::StreamSample,
            Self::CallReport { .. } => RecordKind::CallReport,
            Self::Telemetry { .. } => RecordKind::TelemetryReport,
            Self::ApiLatency { .. } => RecordKind::ApiLatencySample,
            Self::QualitySummary { .. } => RecordKind::QualitySummary,
        }
    }

    /// The call it belongs to (`None` for API samples).
    pub fn call(&self) -> Option<&Arc<CallContext>> {
        match self {
            Self::StreamSample { call, .. }
            | Self::CallReport { call, .. }
            | Self::Telemetry { call, .. }
            | Self::QualitySummary { call, .. } => Some(call),
            Self::ApiLatency { .. } => None,
        }
    }

    /// The approximate memory it takes in a spool: its JSON size plus a fixed overhead.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use connect_core::model::Timestamp;
    /// use connect_softphone::stats::*;
    ///
    /// let call = Arc::new(CallContext::new("c", "ac", Enrichment::new("jdoe")));
    /// let sample = StreamSample::new(StreamDirection::AudioInput, Timestamp::from_millis(0));
    /// let record = Record::StreamSample { call, sample };
    /// assert!((100..400).contains(&record.approx_bytes()));
    /// ```
    pub fn approx_bytes(&self) -> usize {
        RECORD_OVERHEAD
            + match self {
                Self::StreamSample { sample, .. } => json_len(sample),
                Self::CallReport { report, .. } => json_len(&**report),
                Self::Telemetry { report, .. } => json_len(&**report),
                Self::ApiLatency { sample, .. } => json_len(sample),
                Self::QualitySummary { summary, .. } => json_len(&**summary),
            }
    }
}
