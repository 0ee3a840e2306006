//! The HTTP side shared by the HTTP sinks: authentication, extra headers, a deadline per
//! request, and the mapping of answers to [`SinkError`]s (408, 429, 5xx and network errors
//! are retryable; a larger `Retry-After` wins; other statuses are permanent).

use std::time::Duration;

use connect_core::model::Sensitive;
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, RETRY_AFTER};

use super::SinkError;

/// The default deadline of one sink request.
pub const DEFAULT_SINK_DEADLINE: Duration = Duration::from_secs(10);

/// How a sink authenticates. Secrets are hidden in `Debug` output.
///
/// ```
/// use connect_softphone::sinks::SinkAuth;
/// let auth = SinkAuth::bearer("tok-secret");
/// assert!(!format!("{auth:?}").contains("tok-secret"));
/// ```
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub enum SinkAuth {
    /// No authentication.
    #[default]
    None,
    /// `Authorization: Bearer <token>`.
    Bearer(Sensitive),
    /// HTTP basic authentication.
    Basic {
        /// The user.
        username: String,
        /// The password.
        password: Sensitive,
    },
    /// A header carrying a secret, e.g. `x-api-key` (API Gateway) or `Authorization: ApiKey …`
    /// (Elasticsearch).
    Header {
        /// The header's name.
        name: String,
        /// Its value.
        value: Sensitive,
    },
    /// AWS Signature Version 4 (feature `sigv4`): Amazon OpenSearch Service (`es`) and
    /// OpenSearch Serverless (`aoss`).
    #[cfg(feature = "sigv4")]
    SigV4(super::SigV4Credentials),
}

impl SinkAuth {
    /// `Authorization: Bearer <token>`.
    pub fn bearer(token: impl Into<String>) -> Self {
        Self::Bearer(Sensitive::new(token.into()))
    }

    /// HTTP basic authentication.
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self::Basic {
            username: username.into(),
            password: Sensitive::new(password.into()),
        }
    }

    /// `x-api-key: <key>` (Amazon API Gateway, as the call-quality-monitoring solution uses).
    pub fn api_key(key: impl Into<String>) -> Self {
        Self::Header {
            name: "x-api-key".to_owned(),
            value: Sensitive::new(key.into()),
        }
    }

    /// `Authorization: ApiKey <encoded>` (Elasticsearch API keys).
    pub fn elastic_api_key(encoded: impl Into<String>) -> Self {
        Self::Header {
            name: "Authorization".to_owned(),
            value: Sensitive::new(format!("ApiKey {}", encoded.into())),
        }
    }
}

/// What every HTTP sink's builder sets: authentication, extra headers, the request deadline
/// and optionally the app's own reqwest client.
#[derive(Debug)]
pub(crate) struct HttpOptions {
    pub(crate) auth: SinkAuth,
    pub(crate) headers: Vec<(String, Sensitive)>,
    pub(crate) deadline: Duration,
    pub(crate) client: Option<reqwest::Client>,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            auth: SinkAuth::None,
            headers: Vec::new(),
            deadline: DEFAULT_SINK_DEADLINE,
            client: None,
        }
    }
}

/// The builder methods of [`HttpOptions`], for a builder that keeps them in a field `http`.
/// `$auth_doc` documents `auth`, the one method whose choices differ between sinks.
macro_rules! http_options_builder_methods {
    ($auth_doc:literal) => {
        #[doc = $auth_doc]
        pub fn auth(mut self, auth: $crate::sinks::SinkAuth) -> Self {
            self.http.auth = auth;
            self
        }

        /// An extra header on every request (its value is treated as a secret).
        pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
            let value = connect_core::model::Sensitive::new(value.into());
            self.http.headers.push((name.into(), value));
            self
        }

        /// The deadline of each request (default 10 s).
        pub fn deadline(mut self, deadline: std::time::Duration) -> Self {
            self.http.deadline = deadline;
            self
        }

        /// A reqwest client of the app's (its own timeouts apply).
        pub fn client(mut self, client: reqwest::Client) -> Self {
            self.http.client = Some(client);
            self
        }
    };
}
pub(crate) use http_options_builder_methods;

/// A reqwest client with a sink's authentication and headers.
#[derive(Clone, Debug)]
pub(crate) struct Poster {
    client: reqwest::Client,
    auth: SinkAuth,
    headers: HeaderMap,
}

impl Poster {
    pub(crate) fn new(options: HttpOptions) -> Result<Self, SinkError> {
        let HttpOptions {
            auth,
            headers,
            deadline,
            client,
        } = options;
        let client = match client {
            Some(client) => client,
            None => reqwest::Client::builder()
                .timeout(deadline)
                .build()
                .map_err(|e| SinkError::permanent(format!("HTTP client: {e}")))?,
        };
        let mut map = HeaderMap::new();
        for (name, value) in &headers {
            let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| SinkError::permanent(format!("invalid header name {name:?}")))?;
            let mut value = HeaderValue::from_str(value.expose())
                .map_err(|_| SinkError::permanent(format!("invalid value for header {name}")))?;
            value.set_sensitive(true);
            map.insert(name, value);
        }
        Ok(Self {
            client,
            auth,
            headers: map,
        })
    }

    /// POSTs `body` and returns the answer's body; failures are mapped to [`SinkError`]s.
    pub(crate) async fn post(
        &self,
        url: &str,
        content_type: &'static str,
        body: Vec<u8>,
    ) -> Result<Vec<u8>, SinkError> {
        let mut request = self
            .client
            .post(url)
            .headers(self.headers.clone())
            .header(CONTENT_TYPE, content_type);
        request = match &self.auth {
            SinkAuth::None => request,
            SinkAuth::Bearer(token) => request.bearer_auth(token.expose()),
            SinkAuth::Basic { username, password } => {
                request.basic_auth(username, Some(password.expose()))
            }
            SinkAuth::Header { name, value } => {
                let mut value = HeaderValue::from_str(value.expose()).map_err(|_| {
                    SinkError::permanent(format!("invalid value for header {name}"))
                })?;
                value.set_sensitive(true);
                request.header(name.as_str(), value)
            }
            #[cfg(feature = "sigv4")]
            SinkAuth::SigV4(credentials) => {
                super::sigv4::sign_request(request, credentials, url, content_type, &body)?
            }
        };
        let request = request.body(body);
        let response = request.send().await.map_err(|e| {
            // reqwest's error text names the URL, never the headers.
            SinkError::retryable(format!("POST {url}: {}", e.without_url()))
        })?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = response.bytes().await.map_err(|e| {
            SinkError::retryable(format!(
                "POST {url}: reading the answer: {}",
                e.without_url()
            ))
        })?;
        classify(url, status, retry_after).map(|()| body.to_vec())
    }
}

/// The error of a non-2xx status, or `Ok` for 2xx.
fn classify(url: &str, status: u16, retry_after: Option<Duration>) -> Result<(), SinkError> {
    match status {
        200..=299 => Ok(()),
        408 | 429 | 500..=599 => {
            let error = SinkError::retryable(format!("POST {url}: HTTP {status}"));
            Err(match retry_after {
                Some(delay) => error.with_retry_after(delay),
                None => error,
            })
        }
        _ => Err(SinkError::permanent(format!("POST {url}: HTTP {status}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_retryable_or_permanent() {
        let cases = [
            (200, None),
            (204, None),
            (408, Some(true)),
            (429, Some(true)),
            (500, Some(true)),
            (503, Some(true)),
            (400, Some(false)),
            (401, Some(false)),
            (404, Some(false)),
        ];
        for (status, expected) in cases {
            let got = classify("u", status, None).err().map(|e| e.retryable);
            assert_eq!(got, expected, "{status}");
        }
        let throttled = classify("u", 429, Some(Duration::from_secs(7))).expect_err("429 fails");
        assert_eq!(throttled.retry_after, Some(Duration::from_secs(7)));
    }
}
