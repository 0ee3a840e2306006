//! [`SimClient`]: one agent's [`CtiApi`] over a [`SimInstance`], in-process.

use async_trait::async_trait;
use serde::Serialize;
use serde_json::Value;

use crate::api::*;
use crate::model::{CreateTransportResponse, Timestamp};

use super::engine::SimEngine;
use super::instance::SimInstance;

/// Agent `agent_id`'s CTI backend on a simulated instance. Every call goes through the
/// instance's faults (reachability, latency, revoked tokens, injected errors), validates its
/// request like a server would, then runs on the engine at the clock's time.
///
/// ```
/// use std::sync::Arc;
/// use connect_core::api::{CtiApi, GetAgentSnapshotRequest, PutAgentStateRequest};
/// use connect_core::mock::SimInstance;
/// use connect_core::model::{AgentState, AgentStateType, Timestamp};
/// use connect_core::time::ManualClock;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let clock = Arc::new(ManualClock::new(Timestamp::from_millis(0)));
/// let sim = SimInstance::builder().agents(1).clock(clock).build().unwrap();
/// let api: Arc<dyn CtiApi> = Arc::new(sim.client("agent1").unwrap());
/// api.put_agent_state(PutAgentStateRequest::new(AgentState::new(AgentStateType::NotRoutable, "Break"))).await.unwrap();
/// let snap = api.get_agent_snapshot(GetAgentSnapshotRequest::default()).await.unwrap();
/// assert_eq!(snap.snapshot.state.name, "Break");
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct SimClient {
    instance: SimInstance,
    agent_id: String,
}

impl SimClient {
    pub(crate) fn new(instance: SimInstance, agent_id: String) -> Self {
        Self { instance, agent_id }
    }

    /// The agent this client acts for.
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().agents(1).build().unwrap();
    /// assert_eq!(sim.client("agent1").unwrap().agent_id(), sim.agent_ids()[0]);
    /// ```
    pub fn agent_id(&self) -> &str {
        &self.agent_id
    }

    /// The instance this client talks to.
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().agents(1).build().unwrap();
    /// let client = sim.client("agent1").unwrap();
    /// assert_eq!(client.instance().agent_ids(), sim.agent_ids());
    /// ```
    pub fn instance(&self) -> &SimInstance {
        &self.instance
    }

    /// Faults, request validation, then `f` on the engine.
    async fn run<Req: CtiRequest, R>(
        &self,
        req: &Req,
        f: impl FnOnce(&mut SimEngine, &str, Timestamp) -> Result<R, CtiError>,
    ) -> Result<R, CtiError> {
        self.instance.guard(&self.agent_id, Req::METHOD).await?;
        req.validate()?;
        self.instance
            .op(|engine, now| f(engine, &self.agent_id, now))
    }

    /// A call that is only recorded in the journal.
    async fn record<Req: CtiRequest + Serialize>(&self, req: &Req) -> Result<Empty, CtiError> {
        let payload = serde_json::to_value(req).unwrap_or(Value::Null);
        self.run(req, |engine, agent, now| {
            engine.record_call(agent, Req::METHOD.name(), payload, now)?;
            Ok(Empty {})
        })
        .await
    }
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait(?Send))]
impl CtiApi for SimClient {
    async fn get_agent_snapshot(
        &self,
        req: GetAgentSnapshotRequest,
    ) -> Result<GetAgentSnapshotResponse, CtiError> {
        self.instance
            .guard(&self.agent_id, CtiMethod::GetAgentSnapshot)
            .await?;
        self.instance
            .long_poll(&self.agent_id, req.next_token.as_deref(), req.timeout)
            .await
    }

    async fn put_agent_state(&self, req: PutAgentStateRequest) -> Result<Empty, CtiError> {
        let enqueue = req.enqueue_next_state.unwrap_or(false);
        self.run(&req, |engine, agent, now| {
            engine.put_agent_state(agent, &req.state, enqueue, now)?;
            Ok(Empty {})
        })
        .await
    }

    async fn get_agent_states(
        &self,
        req: GetAgentStatesRequest,
    ) -> Result<GetAgentStatesResponse, CtiError> {
        self.run(&req, |engine, agent, _| {
            let (states, next_token) =
                engine.agent_states(agent, req.next_token.as_deref(), req.max_results)?;
            Ok(GetAgentStatesResponse {
                states,
                next_token,
                ..Default::default()
            })
        })
        .await
    }

    async fn get_dialable_country_codes(
        &self,
        req: GetDialableCountryCodesRequest,
    ) -> Result<GetDialableCountryCodesResponse, CtiError> {
        self.run(&req, |engine, agent, _| {
            let (country_codes, next_token) =
                engine.dialable_countries(agent, req.next_token.as_deref(), req.max_results)?;
            Ok(GetDialableCountryCodesResponse {
                country_codes,
                next_token,
                ..Default::default()
            })
        })
        .await
    }

    async fn get_routing_profile_queues(
        &self,
        req: GetRoutingProfileQueuesRequest,
    ) -> Result<GetRoutingProfileQueuesResponse, CtiError> {
        self.run(&req, |engine, agent, _| {
            let (queues, next_token) = engine.routing_profile_queues(
                agent,
                &req.routing_profile_arn,
                req.next_token.as_deref(),
                req.max_results,
            )?;
            Ok(GetRoutingProfileQueuesResponse {
                queues,
                next_token,
                ..Default::default()
            })
        })
        .await
    }

    async fn get_agent_permissions(
        &self,
        req: GetAgentPermissionsRequest,
    ) -> Result<GetAgentPermissionsResponse, CtiError> {
        self.run(&req, |engine, agent, _| {
            let (permissions, next_token) =
                engine.agent_permissions(agent, req.next_token.as_deref(), req.max_results)?;
            Ok(GetAgentPermissionsResponse {
                permissions,
                next_token,
                ..Default::default()
            })
        })
        .await
    }

    async fn get_agent_configuration(
        &self,
        req: GetAgentConfigurationRequest,
    ) -> Result<GetAgentConfigurationResponse, CtiError> {
        self.run(&req, |engine, agent, _| {
            Ok(GetAgentConfigurationResponse::new(
                engine.configuration(agent)?,
            ))
        })
        .await
    }

    async fn update_agent_configuration(
        &self,
        req: UpdateAgentConfigurationRequest,
    ) -> Result<Empty, CtiError> {
        self.run(&req, |engine, agent, now| {
            engine.update_agent_configuration(agent, &req.configuration, now)?;
            Ok(Empty {})
        })
        .await
    }

    async fn accept_contact(&self, req: AcceptContactRequest) -> Result<Empty, CtiError> {
        self.run(&req, |engine, agent, now| {
            engine.accept_contact(agent, &req.contact_id, now)?;
            Ok(Empty {})
        })
        .await
    }

    async fn create_outbound_contact(
        &self,
        req: CreateOutboundContactRequest,
    ) -> Result<Empty, CtiError> {
        self.run(&req, |engine, agent, now| {
            engine.create_outbound_contact(
                agent,
                &req.endpoint,
                req.queue_arn.as_deref(),
                req.related_contact_id.as_deref(),
                now,
            )?;
            Ok(Empty {})
        })
        .await
    }

    async fn create_task_contact(
        &self,
        req: CreateTaskContactRequest,
    ) -> Result<CreateTaskContactResponse, CtiError> {
        self.run(&req, |engine, agent, now| {
            let id = engine.create_task_contact(agent, &req, now)?;
            Ok(CreateTaskContactResponse {
                contact_id: Some(id),
                ..Default::default()
            })
        })
        .await
    }

    async fn clear_contact(&self, req: ClearContactRequest) -> Result<Empty, CtiError> {
        self.run(&req, |engine, agent, now| {
            engine.clear_contact(agent, &req.contact_id, now)?;
            Ok(Empty {})
        })
        .await
    }

    async fn complete_contact(&self, req: CompleteContactRequest) -> Result<Empty, CtiError> {
        self.run(&req, |engine, agent, now| {
            engine.clear_contact(agent, &req.contact_id, now)?;
            Ok(Empty {})
        })
        .await
    }

    async fn reject_contact(&self, req: RejectContactRequest) -> Result<Empty, CtiError> {
        self.run(&req, |engine, agent, now| {
            engine.reject_contact(agent, &req.contact_id, now)?;
            Ok(Empty {})
        })
        .await
    }

    async fn notify_contact_issue(
        &self,
        req: NotifyContactIssueRequest,
    ) -> Result<Empty, CtiError> {
        self.record(&req).await
    }

    async fn create_additional_connection(
        &self,
        req: CreateAdditionalConnectionRequest,
    ) -> Result<Empty, CtiError> {
        self.run(&req, |engine, agent, now| {
            engine.create_additional_connection(agent, &req.contact_id, &req.endpoint, now)?;
            Ok(Empty {})
        })
        .await
    }

    async fn destroy_connection(&self, req: DestroyConnectionRequest) -> Result<Empty, CtiError> {
        self.run(&req, |engine, agent, now| {
            engine.destroy_connection(agent, &req.contact_id, &req.connection_id, now)?;
            Ok(Empty {})
        })
        .await
    }

    async fn hold_connection(&self, req: HoldConnectionRequest) -> Result<Empty, CtiError> {
        self.run(&req, |engine, agent, now| {
            engine.hold_connection(agent, &req.contact_id, &req.connection_id, now)?;
            Ok(Empty {})
        })
        .await
    }

    async fn resume_connection(&self, req: ResumeConnectionRequest) -> Result<Empty, CtiError> {
        self.run(&req, |engine, agent, now| {
            engine.resume_connection(agent, &req.contact_id, &req.connection_id, now)?;
            Ok(Empty {})
        })
        .await
    }

    async fn toggle_active_connections(
        &self,
        req: ToggleActiveConnectionsRequest,
    ) -> Result<Empty, CtiError> {
        self.run(&req, |engine, agent, now| {
            engine.toggle_active_connections(agent, &req.contact_id, &req.connection_id, now)?;
            Ok(Empty {})
        })
        .await
    }

    async fn conference_connections(
        &self,
        req: ConferenceConnectionsRequest,
    ) -> Result<Empty, CtiError> {
        self.run(&req, |engine, agent, now| {
            engine.conference_connections(agent, &req.contact_id, now)?;
            Ok(Empty {})
        })
        .await
    }

    async fn send_client_logs(&self, req: SendClientLogsRequest) -> Result<Empty, CtiError> {
        self.record(&req).await
    }

    async fn send_digits(&self, req: SendDigitsRequest) -> Result<Empty, CtiError> {
        self.run(&req, |engine, agent, now| {
            let digits = req.digits.expose();
            engine.send_digits(agent, &req.contact_id, &req.connection_id, digits, now)?;
            Ok(Empty {})
        })
        .await
    }

    async fn send_softphone_call_report(
        &self,
        req: SendSoftphoneCallReportRequest,
    ) -> Result<Empty, CtiError> {
        self.record(&req).await
    }

    async fn send_softphone_call_metrics(
        &self,
        req: SendSoftphoneCallMetricsRequest,
    ) -> Result<Empty, CtiError> {
        self.record(&req).await
    }

    async fn get_endpoints(
        &self,
        req: GetEndpointsRequest,
    ) -> Result<GetEndpointsResponse, CtiError> {
        self.run(&req, |engine, agent, _| {
            let (endpoints, next_token) =
                engine.endpoints(agent, req.next_token.as_deref(), req.max_results)?;
            Ok(GetEndpointsResponse {
                endpoints,
                next_token,
                ..Default::default()
            })
        })
        .await
    }

    async fn get_new_auth_token(
        &self,
        req: GetNewAuthTokenRequest,
    ) -> Result<GetNewAuthTokenResponse, CtiError> {
        self.run(&req, |_, _, _| Ok(())).await?;
        let token = self.instance.refresh_token(req.refresh_token.expose())?;
        Ok(GetNewAuthTokenResponse {
            new_auth_token: Some(token.auth_token),
            expiration_date_time: Some(token.expires_at),
            ..Default::default()
        })
    }

    async fn create_transport(
        &self,
        req: CreateTransportRequest,
    ) -> Result<CreateTransportResponse, CtiError> {
        self.run(&req, |_, _, _| Ok(())).await?;
        self.instance.create_transport(&self.agent_id, &req)
    }

    async fn mute_participant(&self, req: MuteParticipantRequest) -> Result<Empty, CtiError> {
        self.run(&req, |engine, agent, now| {
            engine.set_mute(agent, &req.contact_id, &req.connection_id, true, now)?;
            Ok(Empty {})
        })
        .await
    }

    async fn unmute_participant(&self, req: UnmuteParticipantRequest) -> Result<Empty, CtiError> {
        self.run(&req, |engine, agent, now| {
            engine.set_mute(agent, &req.contact_id, &req.connection_id, false, now)?;
            Ok(Empty {})
        })
        .await
    }

    async fn update_monitor_participant_state(
        &self,
        req: UpdateMonitorParticipantStateRequest,
    ) -> Result<Empty, CtiError> {
        self.run(&req, |engine, agent, now| {
            let mode = req.target_monitor_mode.as_str();
            engine.update_monitor_state(agent, &req.contact_id, mode, now)?;
            Ok(Empty {})
        })
        .await
    }

    async fn pause_contact(&self, req: PauseContactRequest) -> Result<Empty, CtiError> {
        self.run(&req, |engine, agent, now| {
            engine.pause_contact(agent, &req.contact_id, now)?;
            Ok(Empty {})
        })
        .await
    }

    async fn resume_contact(&self, req: ResumeContactRequest) -> Result<Empty, CtiError> {
        self.run(&req, |engine, agent, now| {
            engine.resume_contact(agent, &req.contact_id, now)?;
            Ok(Empty {})
        })
        .await
    }

    async fn add_new_connection(&self, req: AddNewConnectionRequest) -> Result<Empty, CtiError> {
        self.run(&req, |engine, agent, now| {
            engine.create_additional_connection(agent, &req.contact_id, &req.endpoint, now)?;
            Ok(Empty {})
        })
        .await
    }

    async fn transfer_contact(&self, req: TransferContactRequest) -> Result<Empty, CtiError> {
        self.run(&req, |engine, agent, now| {
            engine.transfer_contact(agent, &req.contact_id, &req.endpoint, now)?;
            Ok(Empty {})
        })
        .await
    }
}
