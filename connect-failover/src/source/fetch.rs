//! [`DiscoveryFetch`]: the `GET` of the agent-discovery presigned URL, and its HTTP
//! implementation.

use async_trait::async_trait;
use connect_core::model::Sensitive;

use crate::FailoverError;

/// Fetches the discovery document behind a presigned URL. The caller applies the per-attempt
/// timeout; implementations answer the body of a 2xx, else [`FailoverError::Discovery`] with
/// the status (401/403 make the poller fetch a new URL).
#[cfg_attr(not(target_arch = "wasm32"), async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait(?Send))]
pub trait DiscoveryFetch: std::fmt::Debug + Send + Sync {
    /// `GET url`.
    async fn get(&self, url: &Sensitive) -> Result<Vec<u8>, FailoverError>;
}

/// [`DiscoveryFetch`] over HTTP(S) with reqwest (rustls natively, fetch in a browser).
///
/// ```
/// use connect_failover::source::HttpDiscoveryFetch;
/// let fetch = HttpDiscoveryFetch::default();
/// # let _ = fetch;
/// ```
#[derive(Clone, Debug, Default)]
pub struct HttpDiscoveryFetch {
    client: reqwest::Client,
}

impl HttpDiscoveryFetch {
    /// Uses `client` (e.g. one trusting a test CA).
    pub fn with_client(client: reqwest::Client) -> Self {
        Self { client }
    }
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait(?Send))]
impl DiscoveryFetch for HttpDiscoveryFetch {
    async fn get(&self, url: &Sensitive) -> Result<Vec<u8>, FailoverError> {
        // Errors never carry the URL: it is a credential.
        let failed =
            |message: String, status: Option<u16>| FailoverError::Discovery { message, status };
        let response = self
            .client
            .get(url.expose())
            .send()
            .await
            .map_err(|e| failed(describe(&e), None))?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|e| failed(describe(&e), Some(status)))?;
        if (200..300).contains(&status) {
            Ok(body.to_vec())
        } else {
            Err(failed(format!("HTTP {status}"), Some(status)))
        }
    }
}

/// A reqwest error without its URL.
fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timeout"
    } else if is_connect(error) {
        "connect"
    } else if error.is_body() || error.is_decode() {
        "body"
    } else {
        "request"
    };
    let detail = std::error::Error::source(error)
        .map(|source| format!(": {source}"))
        .unwrap_or_default();
    format!("{kind} error{detail}")
}

#[cfg(not(target_arch = "wasm32"))]
fn is_connect(error: &reqwest::Error) -> bool {
    error.is_connect()
}

/// The browser's fetch does not tell connect failures apart.
#[cfg(target_arch = "wasm32")]
fn is_connect(_error: &reqwest::Error) -> bool {
    false
}
