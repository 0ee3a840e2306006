//! Establishing redirection: open the link, `hello`, then wait for `connected`. Every failure
//! becomes a typed disconnect reason.

use std::sync::Arc;

use tokio::sync::broadcast::error::RecvError;

use super::link::{Link, LinkLoss};
use super::EngineClientConfig;
use crate::platform::VdiClientInfo;
use crate::protocol::codes::{INVALID_STATE, NO_COMMON_VERSION, UNAUTHORIZED};
use crate::protocol::{HelloParams, HelloResult, Notification, Request};
use crate::{FailureKind, VdiDisconnectReason, VdiError};

/// A link that completed the handshake.
pub(crate) struct Established {
    pub link: Arc<Link>,
    pub info: VdiClientInfo,
}

fn failure(kind: FailureKind, message: String) -> LinkLoss {
    LinkLoss {
        reason: VdiDisconnectReason::Failure(kind),
        message: Some(message),
    }
}

/// Runs the handshake.
pub(crate) async fn establish(config: &EngineClientConfig) -> Result<Established, LinkLoss> {
    let link = Link::open(config).await?;
    let mut notifications = link.notifications();
    let hello = Request::Hello(HelloParams {
        protocols: config.protocols.clone(),
        token: config.endpoint.token.clone(),
        client: config.client.clone(),
        desktop_id: config.desktop_id.clone(),
    });
    let result: HelloResult = link
        .call(&hello, config.hello_timeout)
        .await
        .map_err(|error| match error {
            VdiError::Rpc {
                code: UNAUTHORIZED,
                message,
                ..
            } => failure(
                FailureKind::AuthRejected,
                format!("pairing token rejected: {message}"),
            ),
            VdiError::Rpc {
                code: NO_COMMON_VERSION,
                message,
                ..
            } => LinkLoss {
                reason: VdiDisconnectReason::EndpointUnsupported,
                message: Some(format!(
                    "no common protocol version (desktop offers {:?}): {message}",
                    config.protocols
                )),
            },
            VdiError::Rpc {
                code: INVALID_STATE,
                message,
                ..
            } => failure(FailureKind::Transport, format!("engine busy: {message}")),
            VdiError::RequestTimeout { after, .. } => failure(
                FailureKind::ReadinessTimeout,
                format!("no hello reply within {after:?}"),
            ),
            VdiError::Disconnected { .. } => link.loss().unwrap_or(LinkLoss {
                reason: VdiDisconnectReason::EndpointDisconnected,
                message: Some("engine closed during hello".into()),
            }),
            other => failure(
                FailureKind::ProtocolMismatch,
                format!("hello failed: {other}"),
            ),
        })?;
    link.set_capabilities(result.capabilities);
    if !config.protocols.contains(&result.protocol) {
        return Err(LinkLoss {
            reason: VdiDisconnectReason::EndpointUnsupported,
            message: Some(format!(
                "engine chose protocol {} (desktop offers {:?})",
                result.protocol, config.protocols
            )),
        });
    }
    let wait = async {
        loop {
            match notifications.recv().await {
                Ok(Notification::Connected(params)) => {
                    return Ok(VdiClientInfo::from_engine(&params))
                }
                Ok(Notification::Disconnected(p)) => {
                    return Err(LinkLoss {
                        reason: VdiDisconnectReason::from_wire(&p.reason, p.message.as_deref()),
                        message: p.message,
                    })
                }
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return Err(link.lost().await),
            }
        }
    };
    let lost = link.lost();
    let info = tokio::select! {
        biased;
        waited = tokio::time::timeout(config.readiness_timeout, wait) => match waited {
            Ok(outcome) => outcome?,
            Err(_) => return Err(failure(FailureKind::ReadinessTimeout, format!("no connected notification within {:?}", config.readiness_timeout))),
        },
        loss = lost => return Err(loss),
    };
    Ok(Established { link, info })
}
