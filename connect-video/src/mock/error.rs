//! [`SimError`]: the simulated service's error answers, shaped like the real service's.

/// An error answer: HTTP status, exception name (`x-amzn-ErrorType`) and message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct SimError {
    /// HTTP status.
    pub status: u16,
    /// Exception name.
    pub code: &'static str,
    /// Message.
    pub message: String,
}

impl SimError {
    /// 403 `AccessDeniedException`.
    pub fn forbidden(message: &str) -> Self {
        Self {
            status: 403,
            code: "AccessDeniedException",
            message: message.to_owned(),
        }
    }

    /// 400 `ValidationException`.
    pub fn validation(message: &str) -> Self {
        Self {
            status: 400,
            code: "ValidationException",
            message: message.to_owned(),
        }
    }

    /// 404 `ResourceNotFoundException`.
    pub fn not_found(message: &str) -> Self {
        Self {
            status: 404,
            code: "ResourceNotFoundException",
            message: message.to_owned(),
        }
    }
}
