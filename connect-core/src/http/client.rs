//! [`HttpCti`]: the CTI API over HTTP(S), one typed method per operation.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use url::Url;

use super::{HttpCtiBuilder, RetryPolicy};
use crate::api::*;
use crate::auth::AuthProvider;
use crate::metrics::ApiLatencyRecorder;
use crate::time::{Clock, Jitter};

/// [`CtiApi`] over HTTP(S) (reqwest with rustls natively, fetch in a browser), speaking AWS
/// JSON 1.0 exactly as spec §1 describes: `POST` to the CTI endpoint with `Content-Type:
/// application/x-amz-json-1.0`, `X-Amz-Target`, `X-Amz-Bearer`, `authentication.authToken`
/// in the body except for the nine methods without it, `null` members omitted; non-2xx
/// answers become typed [`CtiError`]s.
///
/// Every call has a deadline (long poll: its `timeout` + 10 s; others 10 s); idempotent reads
/// retry transient failures (R10); a 401 triggers one single-flight refresh through the
/// [`AuthProvider`] and one re-send (R7); every HTTP exchange is recorded in the
/// [`ApiLatencyRecorder`]. Cheap to clone. `Debug` never shows a token.
///
/// ```no_run
/// use std::sync::Arc;
/// use connect_core::api::{CtiApi, GetAgentConfigurationRequest};
/// use connect_core::auth::StaticToken;
/// use connect_core::http::HttpCti;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let cti = HttpCti::builder("https://example.my.connect.aws")
///     .auth(Arc::new(StaticToken::new("agent-token")))
///     .build()
///     .unwrap();
/// let config = cti.get_agent_configuration(GetAgentConfigurationRequest::default()).await;
/// println!("{config:?}; {:?}", cti.latency().summary());
/// # }
/// ```
#[derive(Clone)]
pub struct HttpCti {
    pub(crate) inner: Arc<Inner>,
}

/// The shared state of an [`HttpCti`].
pub(crate) struct Inner {
    pub(crate) client: reqwest::Client,
    pub(crate) endpoint: Url,
    pub(crate) auth: Arc<dyn AuthProvider>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) request_deadline: Duration,
    pub(crate) long_poll_grace: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) latency: ApiLatencyRecorder,
    pub(crate) hosted_ops: bool,
    pub(crate) max_response_bytes: usize,
    pub(crate) jitter: Jitter,
    pub(crate) refresh_lock: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for HttpCti {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpCti")
            .field("endpoint", &self.inner.endpoint.as_str())
            .field("auth", &self.inner.auth)
            .field("request_deadline", &self.inner.request_deadline)
            .field("long_poll_grace", &self.inner.long_poll_grace)
            .field("retry", &self.inner.retry)
            .field("hosted_ops", &self.inner.hosted_ops)
            .finish_non_exhaustive()
    }
}

impl HttpCti {
    /// A builder for the CCP at `ccp_url` (any URL of it: only its origin counts).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_core::{auth::StaticToken, http::HttpCti};
    /// let cti = HttpCti::builder("https://example.awsapps.com/connect/ccp-v2")
    ///     .auth(Arc::new(StaticToken::new("t"))).build().unwrap();
    /// assert_eq!(cti.endpoint().path(), "/connect/api");
    /// ```
    pub fn builder(ccp_url: impl Into<String>) -> HttpCtiBuilder {
        HttpCtiBuilder::new(ccp_url)
    }

    /// The CTI endpoint requests go to.
    pub fn endpoint(&self) -> &Url {
        &self.inner.endpoint
    }

    /// The API latency of every exchange so far.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_core::{auth::StaticToken, http::HttpCti};
    /// let cti = HttpCti::builder("https://x.my.connect.aws").auth(Arc::new(StaticToken::new("t"))).build().unwrap();
    /// assert_eq!(cti.latency().summary().overall.count, 0);
    /// ```
    pub fn latency(&self) -> &ApiLatencyRecorder {
        &self.inner.latency
    }

    /// The auth provider in use.
    pub fn auth(&self) -> &Arc<dyn AuthProvider> {
        &self.inner.auth
    }
}

macro_rules! http_cti_api {
    ($( $fn_name:ident($req:ty) ),+ $(,)?) => {
        #[cfg_attr(not(target_arch = "wasm32"), async_trait)]
        #[cfg_attr(target_arch = "wasm32", async_trait(?Send))]
        impl CtiApi for HttpCti {
            $(
                async fn $fn_name(
                    &self,
                    req: $req,
                ) -> Result<<$req as CtiRequest>::Response, CtiError> {
                    self.call(req).await
                }
            )+
        }
    };
}

crate::for_each_cti_operation!(http_cti_api);
