//! The REST routes of the simulated participant service (axum).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::participant::{
    BEARER_HEADER, PATH_CONNECTION, PATH_DISCONNECT, PATH_EVENT, PATH_MESSAGE, PATH_TRANSCRIPT,
};

use super::error::SimError;
use super::service::Shared;
use super::ws::websocket;

/// The service's routes.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(PATH_CONNECTION, post(connection))
        .route(PATH_MESSAGE, post(message))
        .route(PATH_EVENT, post(event))
        .route(PATH_TRANSCRIPT, post(transcript))
        .route(PATH_DISCONNECT, post(disconnect))
        .route("/chat", get(websocket))
        .with_state(shared)
}

fn error_response(error: &SimError) -> Response {
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
    let body = serde_json::json!({ "Message": error.message }).to_string();
    (
        status,
        [
            ("x-amzn-ErrorType", error.code),
            ("content-type", "application/json"),
        ],
        body,
    )
        .into_response()
}

/// Parses the body, authenticates, runs `op`, and answers the way the real service does;
/// honours the "corrupt the next answers" fault.
fn answer<Req: DeserializeOwned, Resp: Serialize>(
    shared: &Shared,
    path: &'static str,
    headers: &HeaderMap,
    body: &[u8],
    op: impl FnOnce(&str, &Req) -> Result<Resp, SimError>,
) -> Response {
    let Some(token) = headers.get(BEARER_HEADER).and_then(|v| v.to_str().ok()) else {
        return error_response(&SimError::forbidden("Missing X-Amz-Bearer"));
    };
    let request: Req = match serde_json::from_slice(body) {
        Ok(request) => request,
        Err(e) => return error_response(&SimError::validation(&e.to_string())),
    };
    if shared.take_corruption(path) {
        return (StatusCode::OK, "{\"Id\": not json").into_response();
    }
    match op(token, &request) {
        Ok(response) => {
            let body = serde_json::to_string(&response).unwrap_or_default();
            (StatusCode::OK, [("content-type", "application/json")], body).into_response()
        }
        Err(error) => error_response(&error),
    }
}

async fn connection(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    answer(&s, PATH_CONNECTION, &headers, &body, |t, r| {
        s.core.create_connection(t, r)
    })
}

async fn message(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    answer(&s, PATH_MESSAGE, &headers, &body, |t, r| {
        s.core.send_message(t, r)
    })
}

async fn event(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    answer(&s, PATH_EVENT, &headers, &body, |t, r| {
        s.core.send_event(t, r)
    })
}

async fn transcript(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    answer(&s, PATH_TRANSCRIPT, &headers, &body, |t, r| {
        s.core.get_transcript(t, r)
    })
}

async fn disconnect(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    answer(
        &s,
        PATH_DISCONNECT,
        &headers,
        &body,
        |t, _: &serde_json::Value| s.core.disconnect(t).map(|()| serde_json::json!({})),
    )
}
