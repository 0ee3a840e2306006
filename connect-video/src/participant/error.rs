//! [`ChatError`]: everything that can go wrong in the participant client and the chat session.

/// Errors of the participant service client and of a chat session.
///
/// ```
/// use connect_video::participant::ChatError;
///
/// let e = ChatError::Service { status: 503, code: "ServiceUnavailable".into(), message: "busy".into() };
/// assert!(e.is_retryable());
/// assert!(ChatError::Auth { message: "Access denied".into() }.is_auth());
/// assert!(ChatError::Ended.is_ended());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChatError {
    /// The chat has ended or this participant disconnected: nothing can be sent any more.
    #[error("the chat has ended")]
    Ended,
    /// The token was refused (HTTP 401 or 403).
    #[error("access denied: {message}")]
    Auth {
        /// The service's message.
        message: String,
    },
    /// The request did not complete before its deadline.
    #[error("the request timed out")]
    Timeout,
    /// The request could not be sent or its answer not read (connection refused, reset…).
    #[error("transport failure: {0}")]
    Transport(String),
    /// The service answered with an error status.
    #[error("service error {status} {code}: {message}")]
    Service {
        /// HTTP status.
        status: u16,
        /// The exception name (`ThrottlingException`, `ValidationException`…), or empty.
        code: String,
        /// The service's message.
        message: String,
    },
    /// A frame or body from the network could not be understood.
    #[error("malformed {what}: {detail}")]
    Protocol {
        /// What was being parsed (`chat frame`, `SendMessage response`…).
        what: String,
        /// Why it was refused.
        detail: String,
    },
    /// The content was refused locally (unknown content type, too long, empty).
    #[error("invalid content: {0}")]
    InvalidContent(String),
    /// The client or session is misconfigured (bad endpoint, insecure URL, missing token).
    #[error("configuration error: {0}")]
    Config(String),
    /// The session's task has stopped (shut down or dropped).
    #[error("the chat session has stopped")]
    Stopped,
}

impl ChatError {
    /// Whether trying again later may succeed: timeouts, transport failures, throttling, 5xx.
    ///
    /// ```
    /// # use connect_video::participant::ChatError;
    /// assert!(ChatError::Timeout.is_retryable());
    /// assert!(!ChatError::Ended.is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Timeout | Self::Transport(_) => true,
            Self::Service { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }

    /// Whether the request timed out.
    ///
    /// ```
    /// # use connect_video::participant::ChatError;
    /// assert!(ChatError::Timeout.is_timeout());
    /// ```
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout)
    }

    /// Whether a token was refused.
    ///
    /// ```
    /// # use connect_video::participant::ChatError;
    /// assert!(!ChatError::Timeout.is_auth());
    /// ```
    pub fn is_auth(&self) -> bool {
        matches!(self, Self::Auth { .. })
    }

    /// Whether the chat is over for this participant.
    ///
    /// ```
    /// # use connect_video::participant::ChatError;
    /// assert!(ChatError::Ended.is_ended());
    /// ```
    pub fn is_ended(&self) -> bool {
        matches!(self, Self::Ended)
    }

    /// Whether input from the network was malformed.
    ///
    /// ```
    /// # use connect_video::participant::ChatError;
    /// assert!(ChatError::protocol("chat frame", "not JSON").is_protocol());
    /// ```
    pub fn is_protocol(&self) -> bool {
        matches!(self, Self::Protocol { .. })
    }

    /// A [`ChatError::Protocol`] about `what`.
    ///
    /// ```
    /// # use connect_video::participant::ChatError;
    /// assert_eq!(ChatError::protocol("x", "y").to_string(), "malformed x: y");
    /// ```
    pub fn protocol(what: impl Into<String>, detail: impl ToString) -> Self {
        Self::Protocol {
            what: what.into(),
            detail: detail.to_string(),
        }
    }
}
