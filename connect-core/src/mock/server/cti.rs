//! `POST /api` and `/connect/api`: one CTI operation per request (spec §1, §9.3).
//!
//! Checks, in order: `X-Amz-Target` (unknown → 400 `UnknownOperationException`),
//! `Content-Type` (`application/x-amz-json-1.0`), `X-Amz-Bearer` (missing, unknown or expired
//! → 401), the body (size, time, a JSON object), `authentication.authToken` where §1.2
//! requires it (missing → 400, not the header's token → 401); then the operation runs on the
//! agent's [`SimClient`](crate::mock::SimClient) through [`dispatch`].

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use serde_json::{Map, Value};

use crate::api::{dispatch, CtiError, CtiExceptionKind, CtiMethod};
use crate::mock::SimClient;

use super::body::read_body;
use super::reply::{bad_request, cti_error, json_ok, service, unauthorized, AMZ_JSON};
use super::state::Shared;

/// The route handler.
pub(super) async fn cti(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match call(&shared, &headers, body).await {
        Ok(value) => json_ok(&value, AMZ_JSON),
        Err(err) => {
            tracing::debug!(code = err.code(), "sim server: CTI call refused");
            cti_error(&err)
        }
    }
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

async fn call(shared: &Shared, headers: &HeaderMap, body: Body) -> Result<Value, CtiError> {
    let target = header_str(headers, "x-amz-target").unwrap_or_default();
    let method = CtiMethod::from_target(target).ok_or_else(|| {
        service(
            CtiExceptionKind::UnknownOperationException,
            400,
            format!("unknown operation {target:?}"),
        )
    })?;
    let content_type = header_str(headers, header::CONTENT_TYPE.as_str()).unwrap_or_default();
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    if !essence.eq_ignore_ascii_case(AMZ_JSON) {
        return Err(bad_request(format!(
            "Content-Type must be {AMZ_JSON}, not {content_type:?}"
        )));
    }
    let bearer = header_str(headers, "x-amz-bearer")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| unauthorized("missing X-Amz-Bearer"))?;
    let agent_id = shared.instance.authenticate(bearer)?;

    let bytes = read_body(body, headers, shared.limits).await?;
    let body = parse_object(&bytes)?;
    if method.carries_authentication() {
        check_body_token(&body, method, bearer)?;
    }
    let client = SimClient::new(shared.instance.clone(), agent_id);
    dispatch(&client, method, body).await
}

/// The body as a JSON object (an empty body counts as `{}`).
fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, CtiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(bad_request("the body must be a JSON object")),
        Err(e) => Err(bad_request(format!(
            "malformed JSON at line {} column {}",
            e.line(),
            e.column()
        ))),
    }
}

fn check_body_token(
    body: &Map<String, Value>,
    method: CtiMethod,
    bearer: &str,
) -> Result<(), CtiError> {
    let token = body
        .get("authentication")
        .and_then(|a| a.get("authToken"))
        .and_then(Value::as_str)
        .ok_or_else(|| {
            bad_request(format!(
                "{method} requires authentication.authToken in the body"
            ))
        })?;
    if token != bearer {
        return Err(unauthorized(
            "authentication.authToken does not match X-Amz-Bearer",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bodies_must_be_objects() {
        assert!(parse_object(b"").is_ok_and(|m| m.is_empty()));
        assert!(parse_object(b"{\"a\":1}").is_ok());
        assert_eq!(
            parse_object(b"[1]").map_err(|e| e.code().to_owned()),
            Err("SerializationException".to_owned())
        );
        assert!(parse_object(b"{").is_err());
    }

    #[test]
    fn body_token_must_match_the_header() {
        let Value::Object(body) = json!({"authentication": {"authToken": "t1"}}) else {
            unreachable!()
        };
        let m = CtiMethod::AcceptContact;
        assert!(check_body_token(&body, m, "t1").is_ok());
        assert_eq!(
            check_body_token(&body, m, "t2").map_err(|e| e.http_status()),
            Err(Some(401))
        );
        assert_eq!(
            check_body_token(&Map::new(), m, "t1").map_err(|e| e.http_status()),
            Err(Some(400))
        );
    }
}
