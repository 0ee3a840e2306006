//! `CreateParticipantConnection` for the socket machine: token choice and renewal, the agent's
//! acknowledgement, URL checks and the mapping of failures.

use std::sync::Arc;

use connect_core::model::Sensitive;

use crate::participant::{
    parse_expiry, ChatError, ConnectionDetails, CreateParticipantConnectionRequest, FetchFailure,
    FetchPurpose,
};

use super::session::Shared;

/// Fetches new connection details for `purpose`, storing the new connection token.
pub(crate) async fn fetch_connection(
    shared: Arc<Shared>,
    purpose: FetchPurpose,
) -> Result<ConnectionDetails, FetchFailure> {
    let result = create(&shared, purpose).await;
    result.map_err(|error| match error {
        ChatError::Auth { message } => FetchFailure::Forbidden(message),
        e if e.is_retryable() => FetchFailure::Retryable(e),
        e => FetchFailure::Fatal(e),
    })
}

async fn create(shared: &Shared, purpose: FetchPurpose) -> Result<ConnectionDetails, ChatError> {
    let request = CreateParticipantConnectionRequest::chat();
    let token = shared.auth.token().await?;
    let mut response = shared
        .client
        .create_participant_connection(&token, &request)
        .await;
    if matches!(response, Err(ChatError::Auth { .. })) && shared.auth.can_refresh() {
        tracing::info!("participant token refused; fetching a fresh one");
        let fresh = shared.auth.refresh().await?;
        response = shared
            .client
            .create_participant_connection(&fresh, &request)
            .await;
    }
    let response = response?;
    let credentials = response.connection_credentials.ok_or_else(|| {
        ChatError::protocol("CreateParticipantConnection", "no ConnectionCredentials")
    })?;
    let mut token_expiry = parse_expiry(credentials.expiry.as_deref());
    shared.set_connection_token(credentials.connection_token);
    if purpose == FetchPurpose::Connect && shared.auth.is_agent() {
        acknowledge(shared, &mut token_expiry).await;
    }
    let (url, url_expiry) = match response.websocket {
        Some(ws) => {
            connect_core::ws::check_ws_url(ws.url.expose(), shared.insecure_loopback)
                .map_err(ChatError::Config)?;
            let expiry = parse_expiry(ws.connection_expiry.as_deref());
            (Some(ws.url), expiry)
        }
        None => (None, None),
    };
    Ok(ConnectionDetails {
        url,
        url_expiry,
        token_expiry,
    })
}

/// The agent's `ConnectParticipant: true` call. A failure is logged: the chat works without it.
async fn acknowledge(shared: &Shared, token_expiry: &mut Option<connect_core::model::Timestamp>) {
    let Ok(token) = shared.auth.token().await else {
        return;
    };
    let request = CreateParticipantConnectionRequest::acknowledge();
    match shared
        .client
        .create_participant_connection(&token, &request)
        .await
    {
        Ok(response) => {
            if let Some(credentials) = response.connection_credentials {
                *token_expiry = parse_expiry(credentials.expiry.as_deref()).or(*token_expiry);
                shared.set_connection_token(credentials.connection_token);
            }
        }
        Err(error) => tracing::warn!(%error, "agent acknowledgement failed"),
    }
}

/// The current connection token, or why there is none.
pub(crate) fn require_token(token: Option<Sensitive>) -> Result<Sensitive, ChatError> {
    token.ok_or(ChatError::Stopped)
}
