//! The coordinator's calls on a region's session, each with the request retries of §3.6:
//! keeping the agent offline, rejecting hidden offers, hard cleanup, and activation.

use std::sync::Arc;
use std::time::Duration;

use connect_core::api::CtiError;
use connect_core::model::{AgentState, AgentStateType, Contact, ContactStateType};
use connect_core::session::AgentSession;
use connect_core::time::{Clock, Jitter};

use crate::coordinator::{
    is_offer, map_desired_state, reconnect_delay, DesiredState, StateMapping,
};
use crate::retry::with_retries;

/// What the jobs need: the clock, jitter and the per-attempt timeout.
#[derive(Clone, Debug)]
pub(crate) struct JobContext {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) jitter: Arc<Jitter>,
    pub(crate) timeout: Duration,
}

impl JobContext {
    async fn retried<T, F, Fut>(&self, what: &'static str, call: F) -> Result<T, CtiError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, CtiError>>,
    {
        let deadline = self.timeout * 3 + Duration::from_secs(5);
        with_retries(
            &*self.clock,
            &self.jitter,
            self.timeout,
            deadline,
            what,
            call,
        )
        .await
    }
}

/// The region's first `offline` state.
fn offline_state(session: &AgentSession) -> Result<AgentState, CtiError> {
    session
        .agent()
        .states()
        .into_iter()
        .find(|s| s.kind == AgentStateType::Offline)
        .ok_or_else(|| CtiError::InvalidRequest("the region has no offline agent state".into()))
}

/// Sets the agent offline — enqueued as the next state when it still has contacts, so nothing
/// new is routed and live work is not disturbed.
pub(crate) async fn set_offline(
    context: &JobContext,
    session: &AgentSession,
    enqueue: bool,
) -> Result<(), CtiError> {
    let state = offline_state(session)?;
    let agent = session.agent();
    context
        .retried("putAgentState offline", || {
            let state = state.clone();
            let agent = agent.clone();
            async move {
                if enqueue {
                    agent.enqueue_next_state(state).await
                } else {
                    agent.set_state(state).await
                }
            }
        })
        .await
}

/// Rejects a hidden offer so the service routes it elsewhere.
pub(crate) async fn reject(
    context: &JobContext,
    session: &AgentSession,
    contact_id: &str,
) -> Result<(), CtiError> {
    let Some(contact) = session.contact(contact_id) else {
        return Ok(());
    };
    context
        .retried("rejectContact", || {
            let contact = contact.clone();
            async move { contact.reject().await }
        })
        .await
}

/// Hard cleanup of one contact: offers are rejected; live contacts get `destroyConnection` on
/// the agent's leg, then `clearContact`; contacts in after-contact work get `clearContact`.
pub(crate) async fn clean_up(
    context: &JobContext,
    session: &AgentSession,
    contact: &Contact,
) -> Result<(), CtiError> {
    let Some(handle) = session.contact(&contact.contact_id) else {
        return Ok(());
    };
    if is_offer(contact) {
        return reject(context, session, &contact.contact_id).await;
    }
    if contact.state.kind.is_active() {
        context
            .retried("destroyConnection", || {
                let handle = handle.clone();
                async move { handle.hang_up().await }
            })
            .await?;
    }
    if matches!(
        contact.state.kind,
        ContactStateType::Missed | ContactStateType::Rejected | ContactStateType::Error
    ) {
        return Ok(());
    }
    context
        .retried("clearContact", || {
            let handle = handle.clone();
            async move { handle.clear().await }
        })
        .await
}

/// How an activation ended.
#[derive(Debug)]
pub(crate) enum Activated {
    /// This state was requested (or already selected).
    Requested(String),
    /// The desired state has no counterpart: the agent was set offline (this state).
    MappingFailed(String),
}

/// Makes the agent work in the region: the desired state mapped by name and type is selected
/// (also clearing an enqueued offline state); with no desired state, the current selection
/// stands. Retries with reconnect backoff until it succeeds (the caller aborts it when the
/// region is no longer to be activated).
pub(crate) async fn activate(
    context: &JobContext,
    session: &AgentSession,
    desired: Option<DesiredState>,
) -> Activated {
    let mut failures = 0;
    loop {
        match try_activate(context, session, desired.as_ref()).await {
            Ok(activated) => return activated,
            Err(error) => {
                failures += 1;
                let delay = reconnect_delay(failures, context.jitter.next_unit());
                tracing::warn!(error = %error, retry_in_ms = delay.as_millis() as u64, "activation failed");
                context.clock.sleep(delay).await;
            }
        }
    }
}

async fn try_activate(
    context: &JobContext,
    session: &AgentSession,
    desired: Option<&DesiredState>,
) -> Result<Activated, CtiError> {
    let agent = session.agent();
    if agent.configuration().is_none() {
        return Err(CtiError::InvalidRequest("no configuration yet".into()));
    }
    let Some(desired) = desired else {
        let current = session
            .snapshot()
            .and_then(|s| s.agent_availability_state.as_ref().map(|a| a.state.clone()))
            .ok_or_else(|| CtiError::InvalidRequest("no snapshot yet".into()))?;
        return Ok(Activated::Requested(current));
    };
    let mapping = map_desired_state(desired, &agent.states());
    let (state, failed) = match mapping {
        StateMapping::Exact(state) | StateMapping::Fallback(state) => (state, false),
        StateMapping::Failed => (offline_state(session)?, true),
    };
    let name = state.name.clone();
    context
        .retried("putAgentState", || {
            let agent = agent.clone();
            let state = state.clone();
            async move { agent.set_state(state).await }
        })
        .await?;
    Ok(if failed {
        Activated::MappingFailed(name)
    } else {
        Activated::Requested(name)
    })
}
