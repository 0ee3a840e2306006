//! [`FailoverError`]: what the coordinator, its sources and its harness can fail with.

use connect_core::api::CtiError;

/// Why a failover operation failed.
///
/// ```
/// use connect_failover::FailoverError;
///
/// let err = FailoverError::NotPending;
/// assert!(!err.is_retryable());
/// assert_eq!(err.to_string(), "no failover is pending");
/// ```
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FailoverError {
    /// The builder's settings contradict each other.
    #[error("invalid failover configuration: {0}")]
    Config(String),
    /// No region has this name.
    #[error("unknown region {0:?}")]
    UnknownRegion(String),
    /// `force_failover()` outside pending.
    #[error("no failover is pending")]
    NotPending,
    /// `failover_to()` names the region that is already active.
    #[error("region {0} is already active")]
    AlreadyActive(String),
    /// A CTI call of a region failed.
    #[error("region {region}: {source}")]
    Cti {
        /// The region.
        region: String,
        /// The CTI error.
        #[source]
        source: CtiError,
    },
    /// The agent-discovery document could not be fetched or read.
    #[error("agent discovery: {message}")]
    Discovery {
        /// What failed (never the presigned URL).
        message: String,
        /// The HTTP status, when the server answered.
        status: Option<u16>,
    },
    /// A deadline passed.
    #[error("{0} timed out")]
    Timeout(&'static str),
    /// The coordinator has shut down.
    #[error("the failover coordinator has stopped")]
    Stopped,
}

impl FailoverError {
    /// True for transient failures: transport errors, timeouts, HTTP 429 and 5xx.
    ///
    /// ```
    /// use connect_failover::FailoverError;
    /// let err = FailoverError::Discovery { message: "busy".into(), status: Some(503) };
    /// assert!(err.is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Cti { source, .. } => source.is_retryable(),
            Self::Discovery { status, .. } => {
                status.is_none_or(|s| s == 429 || (500..600).contains(&s))
            }
            Self::Timeout(_) => true,
            _ => false,
        }
    }

    /// True for timeouts.
    ///
    /// ```
    /// assert!(connect_failover::FailoverError::Timeout("discovery GET").is_timeout());
    /// ```
    pub fn is_timeout(&self) -> bool {
        match self {
            Self::Cti { source, .. } => source.is_timeout(),
            Self::Timeout(_) => true,
            _ => false,
        }
    }

    /// True for 401/403: a token or a presigned URL was refused.
    ///
    /// ```
    /// use connect_failover::FailoverError;
    /// assert!(FailoverError::Discovery { message: "expired".into(), status: Some(403) }.is_auth());
    /// ```
    pub fn is_auth(&self) -> bool {
        match self {
            Self::Cti { source, .. } => source.is_auth(),
            Self::Discovery { status, .. } => matches!(status, Some(401 | 403)),
            _ => false,
        }
    }

    /// A [`FailoverError::Cti`] of `region`.
    pub fn cti(region: &str, source: CtiError) -> Self {
        Self::Cti {
            region: region.to_owned(),
            source,
        }
    }
}
