//! The login session and the authorize endpoint (spec §4.3): `POST /_sim/login` opens a
//! session (a cookie), `GET /auth/authorize` (and `/connect/auth/authorize`) turns the cookie
//! into a fresh `{accessToken, expiration}`; without a live session it answers 401.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use serde_json::{json, Value};

use crate::api::CtiError;
use crate::log::format_iso8601;

use super::body::read_body;
use super::reply::{bad_request, cti_error, json_ok, unauthorized};
use super::state::{Shared, SESSION_COOKIE};

const JSON: &str = "application/json";

/// `GET /auth/authorize`.
pub(super) async fn authorize(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let agent = session_cookies(&headers).find_map(|value| shared.session_agent(value));
    let Some(agent) = agent else {
        return cti_error(&unauthorized("no login session"));
    };
    match shared.instance.issue_token(&agent) {
        Ok(token) => json_ok(
            &json!({
                "accessToken": token.auth_token.expose(),
                "expiration": format_iso8601(token.expires_at),
            }),
            JSON,
        ),
        Err(err) => cti_error(&err),
    }
}

/// `POST /_sim/login` with `{"username": "agent1"}`: sets the session cookie and answers
/// `{"agentId": …, "cookie": "sim_session=…"}`.
pub(super) async fn login(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match open_session(&shared, &headers, body).await {
        Ok((agent_id, cookie)) => {
            let mut response = json_ok(&json!({"agentId": agent_id, "cookie": cookie}), JSON);
            let set = format!("{cookie}; Path=/; HttpOnly; SameSite=Lax");
            if let Ok(value) = HeaderValue::from_str(&set) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            response
        }
        Err(err) => cti_error(&err),
    }
}

async fn open_session(
    shared: &Shared,
    headers: &HeaderMap,
    body: Body,
) -> Result<(String, String), CtiError> {
    let bytes = read_body(body, headers, shared.limits).await?;
    let body: Value = serde_json::from_slice(&bytes).map_err(|_| bad_request("malformed JSON"))?;
    let username = body
        .get("username")
        .and_then(Value::as_str)
        .ok_or_else(|| bad_request("expected {\"username\": \"…\"}"))?;
    let agent_id = shared.instance.resolve_agent(username)?;
    let value = shared.new_session(&agent_id);
    Ok((agent_id, format!("{SESSION_COOKIE}={value}")))
}

/// The values of every `sim_session` cookie in the request.
fn session_cookies(headers: &HeaderMap) -> impl Iterator<Item = &str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_session_cookie_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; sim_session=xyz"),
        );
        headers.append(header::COOKIE, HeaderValue::from_static("b=2"));
        assert_eq!(session_cookies(&headers).collect::<Vec<_>>(), ["xyz"]);
    }
}
