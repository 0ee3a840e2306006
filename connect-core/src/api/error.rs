//! The CTI error type: what a call can fail with, and the predicates retry and auth logic use.
//!
//! The mapping to and from the wire (`{"__type": …, "message": …}`) is in `wire_error.rs`.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::CtiMethod;
use crate::model::wire_enum::wire_enum;

wire_enum! {
    /// The code of a service error: the `CTIExceptions` of upstream `src/api.js` plus the
    /// generic codes of the AWS JSON protocol. Unknown codes are kept in `Other`.
    ///
    /// ```
    /// use connect_core::api::CtiExceptionKind;
    ///
    /// let code: CtiExceptionKind = "InvalidStateException".parse().unwrap();
    /// assert_eq!(code, CtiExceptionKind::InvalidStateException);
    /// assert!(code.is_cti_exception());
    /// assert_eq!(CtiExceptionKind::InvalidAgentArnException.as_str(), "InvalidAgentARNException");
    /// ```
    pub enum CtiExceptionKind {
        /// `AccessDeniedException` (normally surfaced as [`CtiError::Auth`]).
        AccessDeniedException = "AccessDeniedException",
        /// `InvalidStateException`: the agent or contact is not in a state allowing the call.
        InvalidStateException = "InvalidStateException",
        /// `BadEndpointException`: the endpoint cannot be dialled or transferred to.
        BadEndpointException = "BadEndpointException",
        /// `InvalidAgentARNException`.
        InvalidAgentArnException = "InvalidAgentARNException",
        /// `InvalidConfigurationException`.
        InvalidConfigurationException = "InvalidConfigurationException",
        /// `InvalidContactTypeException`.
        InvalidContactTypeException = "InvalidContactTypeException",
        /// `PaginationException`.
        PaginationException = "PaginationException",
        /// `RefreshTokenExpiredException`.
        RefreshTokenExpiredException = "RefreshTokenExpiredException",
        /// `SendDataFailedException`.
        SendDataFailedException = "SendDataFailedException",
        /// `UnauthorizedException` (normally surfaced as [`CtiError::Auth`]).
        UnauthorizedException = "UnauthorizedException",
        /// `QuotaExceededException`.
        QuotaExceededException = "QuotaExceededException",
        /// Another softphone session of this agent holds the media connection.
        SoftphoneConnectionLimitBreachedException = "SoftphoneConnectionLimitBreachedException",
        /// `ThrottlingException`: transient.
        ThrottlingException = "ThrottlingException",
        /// `InternalServiceException`: transient.
        InternalServiceException = "InternalServiceException",
        /// `UnknownOperationException`: the service does not know the `X-Amz-Target`.
        UnknownOperationException = "UnknownOperationException",
        /// `SerializationException`: the request body did not parse.
        SerializationException = "SerializationException",
        /// No code in the body nor in `x-amzn-ErrorType`.
        UnknownError = "UnknownError",
    }
}

impl CtiExceptionKind {
    /// True for the eleven `CTIExceptions` of upstream `src/api.js`.
    ///
    /// ```
    /// # use connect_core::api::CtiExceptionKind;
    /// assert!(CtiExceptionKind::QuotaExceededException.is_cti_exception());
    /// assert!(!CtiExceptionKind::ThrottlingException.is_cti_exception());
    /// ```
    pub fn is_cti_exception(&self) -> bool {
        matches!(
            self,
            Self::AccessDeniedException
                | Self::InvalidStateException
                | Self::BadEndpointException
                | Self::InvalidAgentArnException
                | Self::InvalidConfigurationException
                | Self::InvalidContactTypeException
                | Self::PaginationException
                | Self::RefreshTokenExpiredException
                | Self::SendDataFailedException
                | Self::UnauthorizedException
                | Self::QuotaExceededException
        )
    }
}

/// Which authentication failure: upstream's `RetryableErrors`.
///
/// ```
/// use connect_core::api::AuthErrorKind;
///
/// assert_eq!(AuthErrorKind::Unauthorized.http_status(), 401);
/// assert_eq!(AuthErrorKind::AccessDenied.as_str(), "accessDenied");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuthErrorKind {
    /// 401 / `UnauthorizedException`: the token is missing, invalid or expired.
    Unauthorized,
    /// 403 / `AccessDeniedException`: the token is valid but not allowed.
    AccessDenied,
}

impl AuthErrorKind {
    /// Upstream's `RetryableErrors` spelling: `unauthorized` or `accessDenied`.
    ///
    /// ```
    /// # use connect_core::api::AuthErrorKind;
    /// assert_eq!(AuthErrorKind::Unauthorized.as_str(), "unauthorized");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthorized => "unauthorized",
            Self::AccessDenied => "accessDenied",
        }
    }

    /// The wire code: `UnauthorizedException` or `AccessDeniedException`.
    ///
    /// ```
    /// # use connect_core::api::AuthErrorKind;
    /// assert_eq!(AuthErrorKind::AccessDenied.code(), "AccessDeniedException");
    /// ```
    pub fn code(self) -> &'static str {
        match self {
            Self::Unauthorized => "UnauthorizedException",
            Self::AccessDenied => "AccessDeniedException",
        }
    }

    /// The HTTP status: 401 or 403.
    ///
    /// ```
    /// # use connect_core::api::AuthErrorKind;
    /// assert_eq!(AuthErrorKind::AccessDenied.http_status(), 403);
    /// ```
    pub fn http_status(self) -> u16 {
        match self {
            Self::Unauthorized => 401,
            Self::AccessDenied => 403,
        }
    }
}

impl fmt::Display for AuthErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a request failed below HTTP.
///
/// ```
/// use connect_core::api::TransportErrorKind;
///
/// assert_eq!(TransportErrorKind::Connect.to_string(), "connect");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransportErrorKind {
    /// No answer within the deadline (R4).
    Timeout,
    /// The connection could not be made: the request provably was not sent.
    Connect,
    /// The connection was closed or reset before the response was complete.
    Closed,
    /// Any other transport failure.
    Other,
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Timeout => "timeout",
            Self::Connect => "connect",
            Self::Closed => "closed",
            Self::Other => "other",
        })
    }
}

/// Upstream's `retryStatus` of a failed call: whether the auth budget (§4.3) will retry it.
///
/// ```
/// use connect_core::api::RetryStatus;
///
/// assert_eq!(RetryStatus::Exhausted.as_str(), "exhausted");
/// assert_eq!(serde_json::to_string(&RetryStatus::Retrying).unwrap(), "\"retrying\"");
/// assert_eq!(RetryStatus::default(), RetryStatus::None);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RetryStatus {
    /// The call will be retried.
    Retrying,
    /// The retry budget is used up.
    Exhausted,
    /// The call is not retried.
    #[default]
    None,
}

impl RetryStatus {
    /// The wire spelling: `retrying`, `exhausted` or `none`.
    ///
    /// ```
    /// # use connect_core::api::RetryStatus;
    /// assert_eq!(RetryStatus::None.as_str(), "none");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Retrying => "retrying",
            Self::Exhausted => "exhausted",
            Self::None => "none",
        }
    }
}

impl fmt::Display for RetryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a CTI call failed (spec §1.3, R6, R9).
///
/// Messages never contain the auth token, request bodies or response bodies; a service
/// message is the server's `message` text.
///
/// ```
/// use connect_core::api::{CtiError, CtiExceptionKind};
///
/// let err = CtiError::Service {
///     code: CtiExceptionKind::ThrottlingException,
///     message: "slow down".into(),
///     status: 429,
/// };
/// assert!(err.is_retryable());
/// assert!(!err.is_auth());
/// assert_eq!(err.code(), "ThrottlingException");
/// assert_eq!(err.to_string(), "service error ThrottlingException (HTTP 429): slow down");
/// ```
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CtiError {
    /// 401 / `UnauthorizedException` or 403 / `AccessDeniedException`: feeds the auth state
    /// machine (§4.3, R7).
    #[error("authentication failed ({kind}): {message}")]
    Auth {
        /// Which auth failure.
        kind: AuthErrorKind,
        /// The server's message.
        message: String,
    },
    /// Any other error the service answered with.
    #[error("service error {code} (HTTP {status}): {message}")]
    Service {
        /// The error code (`__type` after the last `#`).
        code: CtiExceptionKind,
        /// The server's message.
        message: String,
        /// The HTTP status.
        status: u16,
    },
    /// No usable HTTP response: timeout, connect failure, reset.
    #[error("transport error ({kind}): {message}")]
    Transport {
        /// What went wrong.
        kind: TransportErrorKind,
        /// A description (never the request or its headers).
        message: String,
    },
    /// A 2xx body that does not parse as the operation's typed response.
    #[error("invalid response to {operation}: {message}")]
    InvalidResponse {
        /// The operation.
        operation: CtiMethod,
        /// What did not parse (string values from the body are redacted).
        message: String,
    },
    /// A caller error caught before sending.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// A list kept returning a `nextToken` it had returned before, or more than 100 pages (R6).
    #[error("pagination loop in {operation}")]
    PaginationLoop {
        /// The list operation.
        operation: CtiMethod,
    },
    /// `createOutboundContact` succeeded but no matching contact appeared in time (R9); the
    /// call may exist.
    #[error("no new outbound contact appeared in time (the call may exist)")]
    OutboundCorrelationTimeout,
    /// The backend does not offer this operation (hosted-only methods without the
    /// `hosted-ops` capability, or a partial test double).
    #[error("{operation} is not supported by this backend")]
    Unsupported {
        /// The operation.
        operation: CtiMethod,
    },
}

impl CtiError {
    /// A transport error of `kind`.
    ///
    /// ```
    /// # use connect_core::api::{CtiError, TransportErrorKind};
    /// let err = CtiError::transport(TransportErrorKind::Timeout, "no answer in 10 s");
    /// assert!(err.is_timeout() && err.is_retryable());
    /// ```
    pub fn transport(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        Self::Transport {
            kind,
            message: message.into(),
        }
    }

    /// True for what R10 retries on idempotent reads: transport errors and transient service
    /// errors (HTTP 429, 5xx, `ThrottlingException`, `InternalServiceException`).
    ///
    /// ```
    /// # use connect_core::api::{CtiError, CtiExceptionKind};
    /// let err = CtiError::Service { code: CtiExceptionKind::UnknownError, message: String::new(), status: 503 };
    /// assert!(err.is_retryable());
    /// let err = CtiError::Service { code: CtiExceptionKind::InvalidStateException, message: String::new(), status: 400 };
    /// assert!(!err.is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Transport { .. } => true,
            Self::Service { code, status, .. } => {
                *status == 429
                    || (500..600).contains(status)
                    || matches!(
                        code,
                        CtiExceptionKind::ThrottlingException
                            | CtiExceptionKind::InternalServiceException
                    )
            }
            _ => false,
        }
    }

    /// True for [`CtiError::Auth`] (401 or 403).
    ///
    /// ```
    /// # use connect_core::api::{AuthErrorKind, CtiError};
    /// let err = CtiError::Auth { kind: AuthErrorKind::Unauthorized, message: String::new() };
    /// assert!(err.is_auth());
    /// ```
    pub fn is_auth(&self) -> bool {
        matches!(self, Self::Auth { .. })
    }

    /// The auth failure kind, for the per-kind budgets of §4.3.
    ///
    /// ```
    /// # use connect_core::api::{AuthErrorKind, CtiError};
    /// let err = CtiError::Auth { kind: AuthErrorKind::AccessDenied, message: String::new() };
    /// assert_eq!(err.auth_kind(), Some(AuthErrorKind::AccessDenied));
    /// ```
    pub fn auth_kind(&self) -> Option<AuthErrorKind> {
        match self {
            Self::Auth { kind, .. } => Some(*kind),
            _ => None,
        }
    }

    /// True for a transport timeout and for [`CtiError::OutboundCorrelationTimeout`].
    ///
    /// ```
    /// # use connect_core::api::CtiError;
    /// assert!(CtiError::OutboundCorrelationTimeout.is_timeout());
    /// ```
    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            Self::Transport {
                kind: TransportErrorKind::Timeout,
                ..
            } | Self::OutboundCorrelationTimeout
        )
    }

    /// True when the request provably never reached the server (connect failure): the only
    /// case in which R10 may retry a mutation blindly.
    ///
    /// ```
    /// # use connect_core::api::{CtiError, TransportErrorKind};
    /// assert!(CtiError::transport(TransportErrorKind::Connect, "refused").was_not_sent());
    /// assert!(!CtiError::transport(TransportErrorKind::Closed, "reset").was_not_sent());
    /// ```
    pub fn was_not_sent(&self) -> bool {
        matches!(
            self,
            Self::Transport {
                kind: TransportErrorKind::Connect,
                ..
            }
        )
    }

    /// True when another softphone session holds the agent's media connection: the code, or
    /// the code quoted in the message of a failed `createTransport` (surfaced by the softphone
    /// as `multiple_softphone_active_sessions`).
    ///
    /// ```
    /// # use connect_core::api::{CtiError, CtiExceptionKind};
    /// let err = CtiError::Service {
    ///     code: CtiExceptionKind::UnknownError,
    ///     message: "SoftphoneConnectionLimitBreachedException: too many".into(),
    ///     status: 400,
    /// };
    /// assert!(err.is_softphone_connection_limit());
    /// ```
    pub fn is_softphone_connection_limit(&self) -> bool {
        const CODE: &str = "SoftphoneConnectionLimitBreachedException";
        match self {
            Self::Service { code, message, .. } => {
                *code == CtiExceptionKind::SoftphoneConnectionLimitBreachedException
                    || message.contains(CODE)
            }
            _ => false,
        }
    }

    /// The HTTP status of an error the service answered with (canonical 401/403 for auth).
    ///
    /// ```
    /// # use connect_core::api::{CtiError, TransportErrorKind};
    /// assert_eq!(CtiError::transport(TransportErrorKind::Closed, "reset").http_status(), None);
    /// ```
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Self::Auth { kind, .. } => Some(kind.http_status()),
            Self::Service { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The wire code of this error, as [`CtiError::to_wire`] writes it.
    ///
    /// | variant | code |
    /// |---|---|
    /// | `Auth` | `UnauthorizedException` / `AccessDeniedException` |
    /// | `Service` | its code |
    /// | `Transport` | `TimeoutError` (timeout) / `NetworkingError` (the AWS SDK's codes) |
    /// | `InvalidResponse`, `InvalidRequest` | `SerializationException` |
    /// | `PaginationLoop` | `PaginationException` |
    /// | `OutboundCorrelationTimeout` | `TimeoutError` |
    /// | `Unsupported` | `UnknownOperationException` |
    ///
    /// ```
    /// # use connect_core::api::{CtiError, CtiMethod};
    /// let err = CtiError::PaginationLoop { operation: CtiMethod::GetAgentStates };
    /// assert_eq!(err.code(), "PaginationException");
    /// ```
    pub fn code(&self) -> &str {
        match self {
            Self::Auth { kind, .. } => kind.code(),
            Self::Service { code, .. } => code.as_str(),
            Self::Transport {
                kind: TransportErrorKind::Timeout,
                ..
            }
            | Self::OutboundCorrelationTimeout => "TimeoutError",
            Self::Transport { .. } => "NetworkingError",
            Self::InvalidResponse { .. } | Self::InvalidRequest(_) => {
                CtiExceptionKind::SerializationException.as_str()
            }
            Self::PaginationLoop { .. } => CtiExceptionKind::PaginationException.as_str(),
            Self::Unsupported { .. } => CtiExceptionKind::UnknownOperationException.as_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(code: CtiExceptionKind, status: u16) -> CtiError {
        CtiError::Service {
            code,
            message: String::new(),
            status,
        }
    }

    #[test]
    fn retryable_covers_transport_429_5xx_and_throttling() {
        for kind in [
            TransportErrorKind::Timeout,
            TransportErrorKind::Connect,
            TransportErrorKind::Closed,
            TransportErrorKind::Other,
        ] {
            assert!(CtiError::transport(kind, "x").is_retryable(), "{kind}");
        }
        assert!(service(CtiExceptionKind::UnknownError, 429).is_retryable());
        assert!(service(CtiExceptionKind::UnknownError, 500).is_retryable());
        assert!(service(CtiExceptionKind::UnknownError, 599).is_retryable());
        assert!(service(CtiExceptionKind::ThrottlingException, 400).is_retryable());
        assert!(!service(CtiExceptionKind::UnknownError, 600).is_retryable());
        assert!(!service(CtiExceptionKind::InvalidStateException, 400).is_retryable());
        assert!(!CtiError::Auth {
            kind: AuthErrorKind::Unauthorized,
            message: String::new()
        }
        .is_retryable());
        assert!(!CtiError::OutboundCorrelationTimeout.is_retryable());
        assert!(!CtiError::InvalidRequest("x".into()).is_retryable());
    }

    #[test]
    fn timeout_and_not_sent_predicates() {
        assert!(CtiError::transport(TransportErrorKind::Timeout, "t").is_timeout());
        assert!(!CtiError::transport(TransportErrorKind::Connect, "c").is_timeout());
        assert!(!CtiError::transport(TransportErrorKind::Timeout, "t").was_not_sent());
        assert!(!service(CtiExceptionKind::UnknownError, 504).is_timeout());
    }

    #[test]
    fn codes_of_local_errors() {
        let op = CtiMethod::GetEndpoints;
        assert_eq!(
            CtiError::transport(TransportErrorKind::Timeout, "").code(),
            "TimeoutError"
        );
        assert_eq!(
            CtiError::transport(TransportErrorKind::Closed, "").code(),
            "NetworkingError"
        );
        assert_eq!(
            CtiError::InvalidResponse {
                operation: op,
                message: String::new()
            }
            .code(),
            "SerializationException"
        );
        assert_eq!(
            CtiError::Unsupported { operation: op }.code(),
            "UnknownOperationException"
        );
    }

    #[test]
    fn display_names_the_operation() {
        let err = CtiError::Unsupported {
            operation: CtiMethod::TransferContact,
        };
        assert_eq!(
            err.to_string(),
            "TransferContact is not supported by this backend"
        );
    }

    #[test]
    fn exception_kind_round_trips_unknown_codes() {
        let code: CtiExceptionKind = "NewFancyException".parse().unwrap_or_else(|n| match n {});
        assert_eq!(code, CtiExceptionKind::Other("NewFancyException".into()));
        assert_eq!(code.as_str(), "NewFancyException");
        assert!(!code.is_cti_exception());
    }
}
