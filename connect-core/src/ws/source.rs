//! Where WebSocket URLs come from: `createTransport{web_socket}` or any other [`WsUrlSource`].

use std::fmt::Debug;
use std::time::Duration;

use async_trait::async_trait;

use crate::api::{CreateTransportRequest, CtiApi};
use crate::model::Sensitive;

/// A freshly issued WebSocket URL and how long a socket opened with it may live.
///
/// ```
/// use std::time::Duration;
/// use connect_core::ws::WsUrl;
///
/// let url = WsUrl::new("wss://example.com/ws?ticket=t", Duration::from_secs(300));
/// assert_eq!(url.url.expose(), "wss://example.com/ws?ticket=t");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct WsUrl {
    /// The URL (it carries a ticket: sensitive).
    pub url: Sensitive,
    /// `transportLifeTimeInSeconds`: when the socket is rotated.
    pub lifetime: Duration,
}

impl WsUrl {
    /// A URL with its socket lifetime.
    ///
    /// ```
    /// # use connect_core::ws::WsUrl;
    /// let u = WsUrl::new("wss://h/", std::time::Duration::from_secs(300));
    /// assert_eq!(u.lifetime.as_secs(), 300);
    /// ```
    pub fn new(url: impl Into<Sensitive>, lifetime: Duration) -> Self {
        Self {
            url: url.into(),
            lifetime,
        }
    }
}

/// Why a URL could not be fetched. Every failure is retried with the reconnect policy.
///
/// ```
/// use connect_core::ws::WsUrlError;
///
/// let e = WsUrlError::new("connection refused", true);
/// assert!(e.retryable);
/// assert_eq!(e.to_string(), "WebSocket URL fetch failed: connection refused");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("WebSocket URL fetch failed: {message}")]
pub struct WsUrlError {
    /// What went wrong.
    pub message: String,
    /// Whether the cause is transient (network, 5xx, throttling).
    pub retryable: bool,
}

impl WsUrlError {
    /// An error with its text.
    ///
    /// ```
    /// # use connect_core::ws::WsUrlError;
    /// assert!(!WsUrlError::new("no transport", false).retryable);
    /// ```
    pub fn new(message: impl Into<String>, retryable: bool) -> Self {
        Self {
            message: message.into(),
            retryable,
        }
    }
}

/// Issues WebSocket URLs. Implemented for every [`CtiApi`] through
/// `createTransport{transportType: web_socket}`.
///
/// ```
/// use std::time::Duration;
/// use connect_core::ws::{WsUrl, WsUrlError, WsUrlSource};
///
/// #[derive(Debug)]
/// struct Fixed;
///
/// #[async_trait::async_trait]
/// impl WsUrlSource for Fixed {
///     async fn fetch_ws_url(&self) -> Result<WsUrl, WsUrlError> {
///         Ok(WsUrl::new("wss://example.com/ws", Duration::from_secs(300)))
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// assert_eq!(Fixed.fetch_ws_url().await.unwrap().lifetime.as_secs(), 300);
/// # }
/// ```
#[cfg_attr(not(target_arch = "wasm32"), async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait(?Send))]
pub trait WsUrlSource: Debug + Send + Sync {
    /// Fetches a new URL.
    async fn fetch_ws_url(&self) -> Result<WsUrl, WsUrlError>;
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait(?Send))]
impl<T: CtiApi + ?Sized> WsUrlSource for T {
    async fn fetch_ws_url(&self) -> Result<WsUrl, WsUrlError> {
        let response = self
            .create_transport(CreateTransportRequest::web_socket())
            .await
            .map_err(|err| WsUrlError::new(err.to_string(), err.is_retryable()))?;
        let transport = response.web_socket_transport.ok_or_else(|| {
            WsUrlError::new(
                "createTransport answered without `webSocketTransport`",
                false,
            )
        })?;
        let seconds = u64::try_from(transport.transport_life_time_in_seconds).unwrap_or(0);
        Ok(WsUrl::new(transport.url, Duration::from_secs(seconds)))
    }
}
