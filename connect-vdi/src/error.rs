//! The crate's error type.

use std::time::Duration;

use crate::platform::VdiPlatformKind;
use crate::VdiDisconnectReason;

/// What went wrong in a VDI platform, the redirection protocol or the endpoint engine.
///
/// ```
/// use connect_vdi::{VdiDisconnectReason, VdiError};
///
/// let error = VdiError::RedirectionUnavailable {
///     reason: VdiDisconnectReason::EndpointDisconnected,
///     message: Some("engine exited".into()),
/// };
/// assert!(error.is_redirection_unavailable());
/// assert_eq!(error.disconnect_reason(), Some(&VdiDisconnectReason::EndpointDisconnected));
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum VdiError {
    /// The platform cannot run in this build or environment (a vendor platform on native).
    #[error("VDI platform {kind} unavailable: {detail}")]
    PlatformUnavailable {
        /// The platform asked for.
        kind: VdiPlatformKind,
        /// Why.
        detail: String,
    },
    /// Media redirection is not available and the fallback policy is fail-closed.
    #[error("media redirection unavailable: {reason}{}", message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    RedirectionUnavailable {
        /// Why redirection is not available.
        reason: VdiDisconnectReason,
        /// The raw message, when there is one.
        message: Option<String>,
    },
    /// The platform did not become ready in time.
    #[error("VDI platform {kind} not ready after {after:?}")]
    ReadinessTimeout {
        /// The platform.
        kind: VdiPlatformKind,
        /// How long it waited.
        after: Duration,
    },
    /// A request to the engine got no reply in time.
    #[error("{method} timed out after {after:?}")]
    RequestTimeout {
        /// The method.
        method: &'static str,
        /// Its deadline.
        after: Duration,
    },
    /// The engine answered with a JSON-RPC error.
    #[error("engine refused {method}: {message} ({code})")]
    Rpc {
        /// The method.
        method: &'static str,
        /// The JSON-RPC error code.
        code: i64,
        /// The engine's message.
        message: String,
    },
    /// A message broke the protocol (malformed JSON, wrong shape).
    #[error("protocol error: {0}")]
    Protocol(String),
    /// The WebSocket to the engine failed.
    #[error("transport error: {0}")]
    Transport(String),
    /// The connection to the engine is gone.
    #[error("engine connection lost: {reason}")]
    Disconnected {
        /// Why.
        reason: VdiDisconnectReason,
    },
    /// A device id that no device of the active platform has, or one issued by another
    /// platform.
    #[error("device not found: {0}")]
    DeviceNotFound(String),
    /// Bad configuration (URL, token, flags).
    #[error("configuration error: {0}")]
    Config(String),
    /// The endpoint's media stack failed.
    #[error("media error: {0}")]
    Media(String),
}

impl VdiError {
    /// Whether a deadline passed.
    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            Self::ReadinessTimeout { .. } | Self::RequestTimeout { .. }
        )
    }

    /// Whether the pairing token was rejected.
    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            Self::Rpc {
                code: crate::protocol::codes::UNAUTHORIZED,
                ..
            }
        )
    }

    /// Whether trying again later (at the next call boundary) may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Transport(_)
                | Self::Disconnected { .. }
                | Self::RequestTimeout { .. }
                | Self::ReadinessTimeout { .. }
                | Self::RedirectionUnavailable { .. }
        )
    }

    /// Whether this is the fail-closed outcome of the fallback policy.
    pub fn is_redirection_unavailable(&self) -> bool {
        matches!(self, Self::RedirectionUnavailable { .. })
    }

    /// The disconnect reason this error carries, if any.
    pub fn disconnect_reason(&self) -> Option<&VdiDisconnectReason> {
        match self {
            Self::RedirectionUnavailable { reason, .. } | Self::Disconnected { reason } => {
                Some(reason)
            }
            _ => None,
        }
    }
}
