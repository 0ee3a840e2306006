//! The route table (spec §9.3). Unknown paths answer 404 and wrong methods 405, both in the
//! CTI error shape.

use std::sync::Arc;

use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use super::authorize::{authorize, login};
use super::cti::cti;
use super::discovery::discovery;
use super::reply::{cti_error, other};
use super::state::Shared;
use super::ws::ws;

/// Every route of the server.
pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/api", post(cti))
        .route("/connect/api", post(cti))
        .route("/auth/authorize", get(authorize))
        .route("/connect/auth/authorize", get(authorize))
        .route("/ws", get(ws))
        .route("/_sim/login", post(login))
        .route("/_sim/discovery/{id}", get(discovery))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(shared)
}

async fn not_found() -> Response {
    cti_error(&other("ResourceNotFoundException", 404, "no such route"))
}

async fn method_not_allowed() -> Response {
    cti_error(&other(
        "MethodNotAllowedException",
        405,
        "method not allowed on this route",
    ))
}
