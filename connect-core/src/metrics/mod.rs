//! API latency: every CTI call a transport makes is recorded (operation, latency, outcome,
//! status, time) in an [`ApiLatencyRecorder`], with the `getAgentSnapshot` long poll kept in a
//! series of its own so that its deliberate holds do not distort the latency of the other
//! operations.
//!
//! ```
//! use connect_core::api::CtiMethod;
//! use connect_core::metrics::{ApiCallRecord, ApiLatencyRecorder};
//! use connect_core::model::Timestamp;
//!
//! let recorder = ApiLatencyRecorder::new(1024);
//! recorder.record(ApiCallRecord::success(CtiMethod::AcceptContact, 40, 200, Timestamp::from_millis(0)));
//! recorder.record(ApiCallRecord::success(CtiMethod::GetAgentSnapshot, 30_000, 200, Timestamp::from_millis(0)));
//! let summary = recorder.summary();
//! assert_eq!(summary.operations.len(), 1);
//! assert_eq!(recorder.long_poll_summary().count, 1);
//! ```

mod record;
mod recorder;
mod summary;

pub use record::ApiCallRecord;
pub use recorder::{ApiLatencyRecorder, DEFAULT_LATENCY_CAPACITY};
pub use summary::{LatencyStats, LatencySummary};
