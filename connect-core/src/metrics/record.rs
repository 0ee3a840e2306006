//! One recorded CTI exchange.

use crate::api::CtiMethod;
use crate::model::Timestamp;

/// One HTTP exchange of a CTI call: what was called, how long it took and how it ended.
///
/// A call that is retried (R10) or re-sent after a token refresh (R7) yields one record per
/// exchange, numbered by `attempt`, so that backoff sleeps never inflate a latency.
///
/// ```
/// use connect_core::api::CtiMethod;
/// use connect_core::metrics::ApiCallRecord;
/// use connect_core::model::Timestamp;
///
/// let r = ApiCallRecord::failure(CtiMethod::GetAgentStates, 12, Some(503), "UnknownError", Timestamp::from_millis(5));
/// assert!(!r.success);
/// assert_eq!(r.status, Some(503));
/// assert!(!r.is_long_poll());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiCallRecord {
    /// The operation.
    pub operation: CtiMethod,
    /// Time from sending the request to having the whole response, in milliseconds.
    pub latency_ms: u64,
    /// Whether the service answered 2xx.
    pub success: bool,
    /// The HTTP status; `None` when no response arrived (transport failure).
    pub status: Option<u16>,
    /// The error code of a failure (`ThrottlingException`, `NetworkingError`, ...).
    pub error_code: Option<String>,
    /// When the request was sent.
    pub timestamp: Timestamp,
    /// 1 for the first exchange of a call, 2 for its first retry, ...
    pub attempt: u32,
}

impl ApiCallRecord {
    /// A successful first exchange.
    ///
    /// ```
    /// # use connect_core::{api::CtiMethod, metrics::ApiCallRecord, model::Timestamp};
    /// let r = ApiCallRecord::success(CtiMethod::AcceptContact, 40, 200, Timestamp::from_millis(0));
    /// assert!(r.success && r.attempt == 1);
    /// ```
    pub fn success(operation: CtiMethod, latency_ms: u64, status: u16, at: Timestamp) -> Self {
        Self {
            operation,
            latency_ms,
            success: true,
            status: Some(status),
            error_code: None,
            timestamp: at,
            attempt: 1,
        }
    }

    /// A failed first exchange.
    ///
    /// ```
    /// # use connect_core::{api::CtiMethod, metrics::ApiCallRecord, model::Timestamp};
    /// let r = ApiCallRecord::failure(CtiMethod::AcceptContact, 3, None, "NetworkingError", Timestamp::from_millis(0));
    /// assert_eq!(r.error_code.as_deref(), Some("NetworkingError"));
    /// ```
    pub fn failure(
        operation: CtiMethod,
        latency_ms: u64,
        status: Option<u16>,
        error_code: impl Into<String>,
        at: Timestamp,
    ) -> Self {
        Self {
            operation,
            latency_ms,
            success: false,
            status,
            error_code: Some(error_code.into()),
            timestamp: at,
            attempt: 1,
        }
    }

    /// The same record numbered as exchange `attempt` of its call.
    ///
    /// ```
    /// # use connect_core::{api::CtiMethod, metrics::ApiCallRecord, model::Timestamp};
    /// let r = ApiCallRecord::success(CtiMethod::AcceptContact, 1, 200, Timestamp::from_millis(0)).with_attempt(2);
    /// assert_eq!(r.attempt, 2);
    /// ```
    pub fn with_attempt(mut self, attempt: u32) -> Self {
        self.attempt = attempt;
        self
    }

    /// True for the `getAgentSnapshot` long poll, which is kept in its own series.
    ///
    /// ```
    /// # use connect_core::{api::CtiMethod, metrics::ApiCallRecord, model::Timestamp};
    /// let r = ApiCallRecord::success(CtiMethod::GetAgentSnapshot, 30_000, 200, Timestamp::from_millis(0));
    /// assert!(r.is_long_poll());
    /// ```
    pub fn is_long_poll(&self) -> bool {
        self.operation == CtiMethod::GetAgentSnapshot
    }
}
