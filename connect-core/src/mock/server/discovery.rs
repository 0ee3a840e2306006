//! `GET /_sim/discovery/<id>`: the agent-discovery "presigned URL" (spec §4.4, failover.md
//! §1.1), answering which instance is active: `{"InstanceArn", "TerminateActiveContacts"}`.
//! By default this server's own instance is active; the two-region failover harness sets
//! another ARN with [`SimServer::set_active_region`](super::SimServer::set_active_region).
//! A wrong `<id>` answers 403 `AccessDeniedException`, like an invalid presigned URL.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::json;

use crate::api::{AuthErrorKind, CtiError};

use super::reply::{cti_error, json_ok};
use super::state::Shared;

/// The route handler.
pub(super) async fn discovery(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Response {
    let discovery = shared.discovery();
    if id != discovery.id {
        return cti_error(&CtiError::Auth {
            kind: AuthErrorKind::AccessDenied,
            message: "invalid or expired presigned URL".to_owned(),
        });
    }
    json_ok(
        &json!({
            "InstanceArn": discovery.instance_arn,
            "TerminateActiveContacts": discovery.terminate_active_contacts,
        }),
        "application/json",
    )
}
