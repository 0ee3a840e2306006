//! Errors of building an HTTP client, and the mapping of reqwest failures to typed transport
//! errors.

use crate::api::{CtiError, TransportErrorKind};

/// Why an `HttpCti` or `AuthorizeEndpoint` could not be built.
///
/// ```
/// use connect_core::http::{BuildError, HttpCti};
///
/// let err = HttpCti::builder("nope").build().unwrap_err();
/// assert!(matches!(err, BuildError::InvalidUrl(_)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The CCP URL or endpoint is not an http(s) URL.
    #[error("invalid URL: {0}")]
    InvalidUrl(String),
    /// No [`AuthProvider`](crate::auth::AuthProvider) was given.
    #[error("an auth provider is required")]
    MissingAuth,
    /// A root certificate is not valid PEM.
    #[error("invalid root certificate: {0}")]
    InvalidCertificate(String),
    /// The HTTP client could not be created.
    #[error("HTTP client: {0}")]
    Client(String),
}

/// The typed transport error of a failed reqwest exchange: timeouts, connect failures (the
/// request provably was not sent), and closed connections (it may have been).
pub(crate) fn transport_error(error: &reqwest::Error) -> CtiError {
    CtiError::transport(transport_kind(error), describe(error))
}

fn transport_kind(error: &reqwest::Error) -> TransportErrorKind {
    if error.is_timeout() {
        return TransportErrorKind::Timeout;
    }
    #[cfg(not(target_arch = "wasm32"))]
    if error.is_connect() {
        return TransportErrorKind::Connect;
    }
    if error.is_body() || error.is_decode() || error.is_request() {
        TransportErrorKind::Closed
    } else {
        TransportErrorKind::Other
    }
}

/// The error and its causes on one line (reqwest errors name the URL, never headers or body).
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
