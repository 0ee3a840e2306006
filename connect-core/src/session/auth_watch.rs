//! Follows the auth provider's state (R7): every change becomes a health event, and the loops
//! pause while the token is expired or denied, resuming when a usable token comes back.

use std::sync::Arc;

use tokio::sync::watch;

use super::shared::Shared;
use crate::events::{AuthState, HealthEvent};

/// Reports the current auth state, then every change, as [`HealthEvent::Auth`].
pub(crate) async fn run_auth_watch(shared: Arc<Shared>, mut states: watch::Receiver<AuthState>) {
    loop {
        let state = states.borrow_and_update().clone();
        tracing::info!(state = ?state, "auth provider state");
        shared.health(HealthEvent::Auth(state));
        if states.changed().await.is_err() {
            return;
        }
    }
}

/// Waits while `states` (when given) says no request may be sent.
pub(crate) async fn until_auth_usable(states: Option<&watch::Receiver<AuthState>>) {
    if let Some(states) = states {
        let mut states = states.clone();
        let _ = states.wait_for(AuthState::is_usable).await;
    }
}
