//! `Agent`: the agent's state, configuration and agent-level actions.

use std::sync::Arc;

use super::outbound::{correlate_outbound, OutboundContact};
use super::shared::Shared;
use crate::api::{
    CreateOutboundContactRequest, CreateTaskContactRequest, CtiApiExt, CtiError, CtiMethod,
    PutAgentStateRequest,
};
use crate::model::{AgentConfiguration, AgentState, Endpoint};

/// The agent of a session.
///
/// ```no_run
/// # async fn demo(session: connect_core::session::AgentSession) -> Result<(), connect_core::api::CtiError> {
/// let agent = session.agent();
/// agent.set_state_by_name("Available").await?;
/// let call = agent.create_outbound_call(connect_core::model::Endpoint::phone_number("+15555550100")).await?;
/// println!("dialling contact {}", call.contact_id);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Agent {
    shared: Arc<Shared>,
}

impl Agent {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }

    /// The effective state of the latest snapshot.
    pub fn state(&self) -> Option<AgentState> {
        Some(self.shared.snapshot()?.state.clone())
    }

    /// The latest complete configuration.
    pub fn configuration(&self) -> Option<Arc<AgentConfiguration>> {
        self.shared.state().configuration.clone()
    }

    /// The selectable states.
    pub fn states(&self) -> Vec<AgentState> {
        self.configuration()
            .and_then(|c| c.agent_states.clone())
            .unwrap_or_default()
    }

    /// Sets the agent's state now.
    pub async fn set_state(&self, state: AgentState) -> Result<(), CtiError> {
        self.put_state(state, false).await
    }

    /// Enqueues `state` as the next state: applied when the current work ends.
    pub async fn enqueue_next_state(&self, state: AgentState) -> Result<(), CtiError> {
        self.put_state(state, true).await
    }

    /// Sets the selectable state with this name (`Available`, `Offline`, ...).
    pub async fn set_state_by_name(&self, name: &str) -> Result<(), CtiError> {
        let state = self
            .states()
            .into_iter()
            .find(|s| s.name == name)
            .ok_or_else(|| CtiError::InvalidRequest(format!("no agent state named {name:?}")))?;
        self.set_state(state).await
    }

    async fn put_state(&self, state: AgentState, enqueue: bool) -> Result<(), CtiError> {
        let request = PutAgentStateRequest {
            state,
            enqueue_next_state: Some(enqueue),
        };
        self.shared
            .call(
                CtiMethod::PutAgentState,
                self.shared.api.put_agent_state(request),
            )
            .await
            .map(drop)
    }

    /// Dials `endpoint` and returns the new contact once a snapshot shows it (R9).
    pub async fn create_outbound_call(
        &self,
        endpoint: Endpoint,
    ) -> Result<OutboundContact, CtiError> {
        let queue_arn = self.configuration().and_then(|c| {
            c.routing_profile
                .default_outbound_queue
                .as_ref()
                .and_then(|q| q.queue_arn.clone())
        });
        let before = self.shared.snapshot();
        let mut snapshots = self.shared.watch_snapshots();
        let request = CreateOutboundContactRequest {
            endpoint: endpoint.clone(),
            queue_arn,
            related_contact_id: None,
        };
        self.shared
            .call(
                CtiMethod::CreateOutboundContact,
                self.shared.api.create_outbound_contact(request),
            )
            .await?;
        correlate_outbound(&self.shared, before.as_deref(), &mut snapshots, &endpoint).await
    }

    /// Creates a task; returns its contact id.
    pub async fn create_task(&self, request: CreateTaskContactRequest) -> Result<String, CtiError> {
        let response = self
            .shared
            .call(
                CtiMethod::CreateTaskContact,
                self.shared.api.create_task_contact(request),
            )
            .await?;
        response
            .contact_id
            .ok_or_else(|| CtiError::InvalidResponse {
                operation: CtiMethod::CreateTaskContact,
                message: "no contactId in the response".into(),
            })
    }

    /// Quick connects reachable through these queues.
    pub async fn endpoints(&self, queue_arns: Vec<String>) -> Result<Vec<Endpoint>, CtiError> {
        self.shared
            .call(
                CtiMethod::GetEndpoints,
                self.shared.api.all_endpoints(queue_arns),
            )
            .await
    }
}
