//! One CTI call of an [`HttpCti`]: framing (§1.1, §1.2), the exchange, error mapping (§1.3),
//! transient retries (R10), the reactive refresh on 401 (R7), the deadline (R4) and the
//! latency record.

use serde_json::{Map, Value};

use super::error::transport_error;
use super::retry::idempotency_token;
use super::HttpCti;
use crate::api::{add_authentication, AuthErrorKind, CtiError, CtiMethod, CtiRequest};
use crate::auth::AccessToken;
use crate::metrics::ApiCallRecord;
use crate::session::deadline::with_deadline;

/// The content type of requests and responses.
const AMZ_JSON_1_0: &str = "application/x-amz-json-1.0";
/// `timeout` assumed for a long poll that does not say (ms).
const DEFAULT_POLL_TIMEOUT_MS: u64 = 30_000;

/// What one exchange gave: the HTTP status if any, and the body or the error.
struct Outcome {
    status: Option<u16>,
    result: Result<Vec<u8>, CtiError>,
}

impl HttpCti {
    /// Sends `request` and parses its answer, under the deadline, retries and refresh rules.
    pub(crate) async fn call<R: CtiRequest>(&self, request: R) -> Result<R::Response, CtiError> {
        let method = R::METHOD;
        if method.is_hosted_only() && !self.inner.hosted_ops {
            return Err(CtiError::Unsupported { operation: method });
        }
        let body = request.to_body()?;
        let limit = self.deadline_for(method, &body);
        let deadline_at = self.inner.clock.now().add_millis(millis(limit));
        let clock = self.inner.clock.clone();
        let bytes = with_deadline(
            &*clock,
            limit,
            method.name(),
            self.send_with_retries(method, body, deadline_at),
        )
        .await?;
        R::parse_response(&bytes)
    }

    fn deadline_for(&self, method: CtiMethod, body: &Map<String, Value>) -> std::time::Duration {
        if method == CtiMethod::GetAgentSnapshot {
            let timeout = body
                .get("timeout")
                .and_then(Value::as_u64)
                .unwrap_or(DEFAULT_POLL_TIMEOUT_MS);
            std::time::Duration::from_millis(timeout) + self.inner.long_poll_grace
        } else {
            self.inner.request_deadline
        }
    }

    async fn send_with_retries(
        &self,
        method: CtiMethod,
        mut body: Map<String, Value>,
        deadline_at: crate::model::Timestamp,
    ) -> Result<Vec<u8>, CtiError> {
        let inner = &self.inner;
        let mut exchange = 0u32;
        let mut transient_attempt = 0u32;
        let mut refreshed = false;
        loop {
            exchange += 1;
            transient_attempt += 1;
            let token = inner.auth.token().await.map_err(|e| e.to_cti_error())?;
            let error = match self.send(method, &body, &token, exchange).await {
                Ok(bytes) => return Ok(bytes),
                Err(error) => error,
            };
            let unauthorized = error.auth_kind() == Some(AuthErrorKind::Unauthorized);
            // A refresh exchange rejected with 401 means the refresh token is bad; refreshing
            // again from inside it would wait on itself.
            if unauthorized && !refreshed && method != CtiMethod::GetNewAuthToken {
                refreshed = true;
                if self.refresh_after_rejection(&token).await {
                    // The rejected request was not executed: send it again once.
                    transient_attempt -= 1;
                    continue;
                }
                return Err(error);
            }
            if !inner.retry.should_retry(method, &error, transient_attempt) {
                return Err(error);
            }
            let delay = inner
                .retry
                .delay(transient_attempt, inner.jitter.next_unit());
            if inner.clock.now().add_millis(millis(delay)) >= deadline_at {
                return Err(error);
            }
            if method == CtiMethod::CreateTaskContact && !body.contains_key("idempotencyToken") {
                body.insert(
                    "idempotencyToken".into(),
                    Value::String(idempotency_token(&inner.jitter)),
                );
            }
            tracing::debug!(
                operation = method.name(),
                attempt = transient_attempt,
                delay_ms = delay.as_millis() as u64,
                error = %error,
                "retrying CTI request"
            );
            inner.clock.sleep(delay).await;
        }
    }

    /// Single-flight refresh after `rejected` got a 401: if another call already replaced the
    /// token, use that one; otherwise ask the provider. True when a new token is there.
    async fn refresh_after_rejection(&self, rejected: &AccessToken) -> bool {
        let _flight = self.inner.refresh_lock.lock().await;
        if let Ok(current) = self.inner.auth.token().await {
            if current.value != rejected.value {
                return true;
            }
        }
        match self.inner.auth.refresh().await {
            Ok(_) => {
                tracing::info!("auth token refreshed after a 401");
                true
            }
            Err(error) => {
                tracing::warn!(error = %error, "auth token refresh after a 401 failed");
                false
            }
        }
    }

    /// One HTTP exchange, recorded in the latency recorder.
    async fn send(
        &self,
        method: CtiMethod,
        body: &Map<String, Value>,
        token: &AccessToken,
        attempt: u32,
    ) -> Result<Vec<u8>, CtiError> {
        let inner = &self.inner;
        let mut body = body.clone();
        add_authentication(&mut body, method, token.value.expose());
        let payload = serde_json::to_vec(&body)
            .map_err(|e| CtiError::InvalidRequest(format!("body does not serialise: {e}")))?;
        let mut bearer = reqwest::header::HeaderValue::from_str(token.value.expose())
            .map_err(|_| CtiError::InvalidRequest("the auth token is not a valid header".into()))?;
        bearer.set_sensitive(true);
        let request = inner
            .client
            .post(inner.endpoint.clone())
            .header(reqwest::header::CONTENT_TYPE, AMZ_JSON_1_0)
            .header("X-Amz-Target", method.target())
            .header("X-Amz-Bearer", bearer)
            .body(payload);

        let started = inner.clock.now();
        let outcome = self.exchange(method, request).await;
        let latency = inner.clock.now().millis_since(started).max(0) as u64;
        let record = match (&outcome.result, outcome.status) {
            (Ok(_), Some(status)) => ApiCallRecord::success(method, latency, status, started),
            (Ok(_), None) => ApiCallRecord::success(method, latency, 200, started),
            (Err(error), status) => {
                ApiCallRecord::failure(method, latency, status, error.code(), started)
            }
        };
        inner.latency.record(record.with_attempt(attempt));
        if let Err(error) = &outcome.result {
            tracing::debug!(operation = method.name(), attempt, latency_ms = latency, error = %error, "CTI exchange failed");
        }
        outcome.result
    }

    async fn exchange(&self, method: CtiMethod, request: reqwest::RequestBuilder) -> Outcome {
        let response = match request.send().await {
            Ok(response) => response,
            Err(error) => {
                return Outcome {
                    status: None,
                    result: Err(transport_error(&error)),
                }
            }
        };
        let status = response.status().as_u16();
        let error_type = response
            .headers()
            .get("x-amzn-ErrorType")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = match read_body(method, response, self.inner.max_response_bytes).await {
            Ok(body) => body,
            Err(error) => {
                return Outcome {
                    status: Some(status),
                    result: Err(error),
                }
            }
        };
        let result = if (200..300).contains(&status) {
            Ok(body)
        } else {
            Err(CtiError::from_wire(status, &body, error_type.as_deref()))
        };
        Outcome {
            status: Some(status),
            result,
        }
    }
}

fn too_large(method: CtiMethod, max: usize) -> CtiError {
    CtiError::InvalidResponse {
        operation: method,
        message: format!("response body larger than {max} bytes"),
    }
}

#[cfg(not(target_arch = "wasm32"))]
async fn read_body(
    method: CtiMethod,
    mut response: reqwest::Response,
    max: usize,
) -> Result<Vec<u8>, CtiError> {
    if response
        .content_length()
        .is_some_and(|len| len > max as u64)
    {
        return Err(too_large(method, max));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| transport_error(&e))? {
        if body.len() + chunk.len() > max {
            return Err(too_large(method, max));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(target_arch = "wasm32")]
async fn read_body(
    method: CtiMethod,
    response: reqwest::Response,
    max: usize,
) -> Result<Vec<u8>, CtiError> {
    if response
        .content_length()
        .is_some_and(|len| len > max as u64)
    {
        return Err(too_large(method, max));
    }
    let body = response.bytes().await.map_err(|e| transport_error(&e))?;
    Ok(body.to_vec())
}

fn millis(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}
