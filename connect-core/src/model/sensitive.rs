//! Values that must never reach a log line or `Debug` output.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A string that is sent on the wire as-is but hidden from `Debug` and logs: tokens, TURN
/// credentials, phone numbers, connection data.
///
/// ```
/// use connect_core::model::Sensitive;
///
/// let token = Sensitive::new("secret-token");
/// assert_eq!(format!("{token:?}"), "Sensitive([redacted])");
/// assert_eq!(token.expose(), "secret-token");
/// assert_eq!(serde_json::to_string(&token).unwrap(), "\"secret-token\"");
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sensitive(String);

impl Sensitive {
    /// Wraps a sensitive value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself, for the wire or the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sensitive([redacted])")
    }
}

impl From<&str> for Sensitive {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<String> for Sensitive {
    fn from(value: String) -> Self {
        Self(value)
    }
}
