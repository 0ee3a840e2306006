//! [`HttpCtiBuilder`]: configuration of an [`HttpCti`] with the spec's defaults.

use std::sync::Arc;
use std::time::Duration;

use super::client::Inner;
use super::endpoint::{cti_endpoint, explicit_endpoint};
use super::{BuildError, HttpCti, RetryPolicy};
use crate::auth::AuthProvider;
use crate::metrics::ApiLatencyRecorder;
use crate::time::{Clock, Jitter, SystemClock};

/// Deadline of every request but the long poll (R4).
///
/// ```
/// assert_eq!(connect_core::http::DEFAULT_REQUEST_DEADLINE.as_secs(), 10);
/// ```
pub const DEFAULT_REQUEST_DEADLINE: Duration = Duration::from_secs(10);

/// What the long poll's deadline adds to its `timeout` (R4).
///
/// ```
/// assert_eq!(connect_core::http::DEFAULT_LONG_POLL_GRACE.as_secs(), 10);
/// ```
pub const DEFAULT_LONG_POLL_GRACE: Duration = Duration::from_secs(10);

/// The largest response body accepted (natively), in bytes.
///
/// ```
/// assert_eq!(connect_core::http::DEFAULT_MAX_RESPONSE_BYTES, 16 * 1024 * 1024);
/// ```
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// Builds an [`HttpCti`]. Only the auth provider is required.
///
/// ```no_run
/// use std::sync::Arc;
/// use std::time::Duration;
/// use connect_core::auth::StaticToken;
/// use connect_core::http::HttpCti;
///
/// let cti = HttpCti::builder("https://example.my.connect.aws/ccp-v2")
///     .auth(Arc::new(StaticToken::new("agent-token")))
///     .request_deadline(Duration::from_secs(5))
///     .build()
///     .unwrap();
/// assert_eq!(cti.endpoint().as_str(), "https://example.my.connect.aws/api");
/// ```
#[must_use]
pub struct HttpCtiBuilder {
    ccp_url: String,
    endpoint: Option<String>,
    auth: Option<Arc<dyn AuthProvider>>,
    clock: Option<Arc<dyn Clock>>,
    root_certificates: Vec<Vec<u8>>,
    request_deadline: Duration,
    long_poll_grace: Duration,
    retry: RetryPolicy,
    latency: Option<ApiLatencyRecorder>,
    hosted_ops: bool,
    max_response_bytes: usize,
}

impl std::fmt::Debug for HttpCtiBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpCtiBuilder")
            .field("ccp_url", &self.ccp_url)
            .field("endpoint", &self.endpoint)
            .field("request_deadline", &self.request_deadline)
            .finish_non_exhaustive()
    }
}

impl HttpCtiBuilder {
    pub(crate) fn new(ccp_url: impl Into<String>) -> Self {
        Self {
            ccp_url: ccp_url.into(),
            endpoint: None,
            auth: None,
            clock: None,
            root_certificates: Vec::new(),
            request_deadline: DEFAULT_REQUEST_DEADLINE,
            long_poll_grace: DEFAULT_LONG_POLL_GRACE,
            retry: RetryPolicy::default(),
            latency: None,
            hosted_ops: false,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    /// Where tokens come from (required).
    pub fn auth(mut self, auth: Arc<dyn AuthProvider>) -> Self {
        self.auth = Some(auth);
        self
    }

    /// An explicit CTI endpoint, overriding the origin rule of §1.1.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_core::{auth::StaticToken, http::HttpCti};
    /// let cti = HttpCti::builder("https://x.my.connect.aws")
    ///     .endpoint("https://proxy.example/cti")
    ///     .auth(Arc::new(StaticToken::new("t"))).build().unwrap();
    /// assert_eq!(cti.endpoint().as_str(), "https://proxy.example/cti");
    /// ```
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The clock of deadlines, backoff sleeps and latency timing (default: system).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Trusts an extra root certificate (PEM), e.g. the simulator's test certificate.
    /// Ignored in a browser, which uses its own trust store.
    pub fn add_root_certificate_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.root_certificates.push(pem.as_ref().to_vec());
        self
    }

    /// Deadline of every request except the long poll (default 10 s).
    pub fn request_deadline(mut self, deadline: Duration) -> Self {
        self.request_deadline = deadline;
        self
    }

    /// What the long poll's deadline adds to its `timeout` (default 10 s).
    pub fn long_poll_grace(mut self, grace: Duration) -> Self {
        self.long_poll_grace = grace;
        self
    }

    /// The transient-failure retry policy (default: R10).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Where API latency is recorded (default: a recorder of its own, see
    /// [`HttpCti::latency`]).
    pub fn latency_recorder(mut self, recorder: ApiLatencyRecorder) -> Self {
        self.latency = Some(recorder);
        self
    }

    /// Enables the hosted-only methods `addNewConnection` and `transferContact`.
    pub fn hosted_ops(mut self, enabled: bool) -> Self {
        self.hosted_ops = enabled;
        self
    }

    /// The largest response body accepted (default 16 MiB; native only).
    pub fn max_response_bytes(mut self, max: usize) -> Self {
        self.max_response_bytes = max;
        self
    }

    /// The client. Fails on a bad URL or certificate, or without an auth provider.
    pub fn build(self) -> Result<HttpCti, BuildError> {
        let endpoint = match &self.endpoint {
            Some(explicit) => explicit_endpoint(explicit)?,
            None => cti_endpoint(&self.ccp_url)?,
        };
        let auth = self.auth.ok_or(BuildError::MissingAuth)?;
        let clock = self
            .clock
            .unwrap_or_else(|| Arc::new(SystemClock::default()));
        let client = http_client(&self.root_certificates)?;
        let jitter = Jitter::from_time(clock.now());
        Ok(HttpCti {
            inner: Arc::new(Inner {
                client,
                endpoint,
                auth,
                clock,
                request_deadline: self.request_deadline,
                long_poll_grace: self.long_poll_grace,
                retry: self.retry,
                latency: self.latency.unwrap_or_default(),
                hosted_ops: self.hosted_ops,
                max_response_bytes: self.max_response_bytes,
                jitter,
                refresh_lock: tokio::sync::Mutex::new(()),
            }),
        })
    }
}

/// A reqwest client trusting the platform roots plus `root_certificates` (PEM). In a
/// browser, fetch and its trust store are used.
pub(crate) fn http_client(root_certificates: &[Vec<u8>]) -> Result<reqwest::Client, BuildError> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let mut builder = reqwest::Client::builder().use_rustls_tls();
        for pem in root_certificates {
            let certificate = reqwest::Certificate::from_pem(pem)
                .map_err(|e| BuildError::InvalidCertificate(e.to_string()))?;
            builder = builder.add_root_certificate(certificate);
        }
        builder
            .build()
            .map_err(|e| BuildError::Client(e.to_string()))
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = root_certificates;
        reqwest::Client::builder()
            .build()
            .map_err(|e| BuildError::Client(e.to_string()))
    }
}
