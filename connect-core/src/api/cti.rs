//! [`CtiApi`]: the CTI backend a session talks to, one typed method per exposed client method.

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{Map, Value};

use super::requests::*;
use super::{CtiError, CtiMethod, CtiRequest, Empty};
use crate::model::CreateTransportResponse;

macro_rules! cti_api {
    ($( $(#[$doc:meta])* fn $fn_name:ident($req:ty) -> $resp:ty; )+) => {
        /// The CTI backend: the HTTP client, the simulated instance, a replay client or a test
        /// double. Object safe; share it as `Arc<dyn CtiApi>`. `Debug` (like [`Clock`](crate::time::Clock))
        /// so that handles holding one can derive it.
        ///
        /// Every method has a default body answering [`CtiError::Unsupported`], so a test
        /// double implements only what it needs; real backends implement all of them
        /// (`addNewConnection` and `transferContact` only with the `hosted-ops` capability).
        ///
        /// ```
        /// use std::sync::Arc;
        /// use connect_core::api::*;
        ///
        /// #[derive(Debug)]
        /// struct Fixed;
        ///
        /// #[async_trait::async_trait]
        /// impl CtiApi for Fixed {
        ///     async fn get_agent_permissions(&self, _: GetAgentPermissionsRequest)
        ///         -> Result<GetAgentPermissionsResponse, CtiError> {
        ///         Ok(GetAgentPermissionsResponse { permissions: vec!["outboundCall".into()], ..Default::default() })
        ///     }
        /// }
        ///
        /// # #[tokio::main(flavor = "current_thread")] async fn main() {
        /// let api: Arc<dyn CtiApi> = Arc::new(Fixed);
        /// let page = api.get_agent_permissions(GetAgentPermissionsRequest::default()).await.unwrap();
        /// assert_eq!(page.permissions, ["outboundCall"]);
        /// let err = api.accept_contact(AcceptContactRequest::new("c-1")).await.unwrap_err();
        /// assert_eq!(err, CtiError::Unsupported { operation: CtiMethod::AcceptContact });
        /// # }
        /// ```
        #[cfg_attr(not(target_arch = "wasm32"), async_trait)]
        #[cfg_attr(target_arch = "wasm32", async_trait(?Send))]
        pub trait CtiApi: Debug + Send + Sync {
            $(
                $(#[$doc])*
                async fn $fn_name(&self, req: $req) -> Result<$resp, CtiError> {
                    let _ = req;
                    Err(CtiError::Unsupported { operation: <$req as CtiRequest>::METHOD })
                }
            )+
        }

        #[cfg_attr(not(target_arch = "wasm32"), async_trait)]
        #[cfg_attr(target_arch = "wasm32", async_trait(?Send))]
        impl<T: CtiApi + ?Sized> CtiApi for Arc<T> {
            $(
                async fn $fn_name(&self, req: $req) -> Result<$resp, CtiError> {
                    (**self).$fn_name(req).await
                }
            )+
        }

        /// Calls the method of `api` named by `method` with a wire `body` and returns the
        /// response as JSON: the server side of the wire protocol (the simulator's HTTP
        /// server uses it). The `authentication` member is ignored; a body that does not
        /// parse is [`CtiError::InvalidRequest`]; unexposed methods are
        /// [`CtiError::Unsupported`].
        ///
        /// ```
        /// use connect_core::api::*;
        ///
        /// #[derive(Debug)]
        /// struct Accepting;
        ///
        /// #[async_trait::async_trait]
        /// impl CtiApi for Accepting {
        ///     async fn accept_contact(&self, req: AcceptContactRequest) -> Result<Empty, CtiError> {
        ///         assert_eq!(req.contact_id, "c-1");
        ///         Ok(Empty {})
        ///     }
        /// }
        ///
        /// # #[tokio::main(flavor = "current_thread")] async fn main() {
        /// let body = serde_json::json!({"contactId": "c-1", "authentication": {"authToken": "t"}});
        /// let serde_json::Value::Object(body) = body else { unreachable!() };
        /// let out = dispatch(&Accepting, CtiMethod::AcceptContact, body).await.unwrap();
        /// assert_eq!(out, serde_json::json!({}));
        /// # }
        /// ```
        pub async fn dispatch(
            api: &dyn CtiApi,
            method: CtiMethod,
            body: Map<String, Value>,
        ) -> Result<Value, CtiError> {
            $(
                if method == <$req as CtiRequest>::METHOD {
                    let req: $req = parse_request(body)?;
                    let resp = api.$fn_name(req).await?;
                    return serde_json::to_value(resp).map_err(|e| CtiError::InvalidResponse {
                        operation: method,
                        message: e.to_string(),
                    });
                }
            )+
            Err(CtiError::Unsupported { operation: method })
        }

        /// Compile-time check that each trait method returns its request's `Response`.
        const _: fn() = || {
            fn same<R: CtiRequest<Response = S>, S>() {}
            $( same::<$req, $resp>(); )+
        };

        #[cfg(test)]
        pub(crate) const API_METHODS: &[CtiMethod] = &[$( <$req as CtiRequest>::METHOD, )+];
    };
}

fn parse_request<R: CtiRequest>(mut body: Map<String, Value>) -> Result<R, CtiError> {
    body.remove("authentication");
    serde_json::from_value(Value::Object(body)).map_err(|e| {
        CtiError::InvalidRequest(format!(
            "{} body: {}",
            R::METHOD,
            super::request::redact_quoted(&e.to_string())
        ))
    })
}

cti_api! {
    /// `getAgentSnapshot`: the long-poll (§4.1).
    fn get_agent_snapshot(GetAgentSnapshotRequest) -> GetAgentSnapshotResponse;
    /// `putAgentState`.
    fn put_agent_state(PutAgentStateRequest) -> Empty;
    /// `getAgentStates` (one page; see [`CtiApiExt::all_agent_states`](super::CtiApiExt::all_agent_states)).
    fn get_agent_states(GetAgentStatesRequest) -> GetAgentStatesResponse;
    /// `getDialableCountryCodes` (one page).
    fn get_dialable_country_codes(GetDialableCountryCodesRequest) -> GetDialableCountryCodesResponse;
    /// `getRoutingProfileQueues` (one page).
    fn get_routing_profile_queues(GetRoutingProfileQueuesRequest) -> GetRoutingProfileQueuesResponse;
    /// `getAgentPermissions` (one page).
    fn get_agent_permissions(GetAgentPermissionsRequest) -> GetAgentPermissionsResponse;
    /// `getAgentConfiguration`.
    fn get_agent_configuration(GetAgentConfigurationRequest) -> GetAgentConfigurationResponse;
    /// `updateAgentConfiguration`.
    fn update_agent_configuration(UpdateAgentConfigurationRequest) -> Empty;
    /// `acceptContact`.
    fn accept_contact(AcceptContactRequest) -> Empty;
    /// `createOutboundContact`: answers `{}`, no contact id (R9 correlates it).
    fn create_outbound_contact(CreateOutboundContactRequest) -> Empty;
    /// `createTaskContact`.
    fn create_task_contact(CreateTaskContactRequest) -> CreateTaskContactResponse;
    /// `clearContact`: ends after-contact work.
    fn clear_contact(ClearContactRequest) -> Empty;
    /// `completeContact`: legacy predecessor of `clearContact`.
    fn complete_contact(CompleteContactRequest) -> Empty;
    /// `rejectContact`.
    fn reject_contact(RejectContactRequest) -> Empty;
    /// `notifyContactIssue`.
    fn notify_contact_issue(NotifyContactIssueRequest) -> Empty;
    /// `createAdditionalConnection`: adds a transfer or conference leg.
    fn create_additional_connection(CreateAdditionalConnectionRequest) -> Empty;
    /// `destroyConnection`: hangs up a leg.
    fn destroy_connection(DestroyConnectionRequest) -> Empty;
    /// `holdConnection`.
    fn hold_connection(HoldConnectionRequest) -> Empty;
    /// `resumeConnection`.
    fn resume_connection(ResumeConnectionRequest) -> Empty;
    /// `toggleActiveConnections`.
    fn toggle_active_connections(ToggleActiveConnectionsRequest) -> Empty;
    /// `conferenceConnections`.
    fn conference_connections(ConferenceConnectionsRequest) -> Empty;
    /// `sendClientLogs`.
    fn send_client_logs(SendClientLogsRequest) -> Empty;
    /// `sendDigits`.
    fn send_digits(SendDigitsRequest) -> Empty;
    /// `sendSoftphoneCallReport`.
    fn send_softphone_call_report(SendSoftphoneCallReportRequest) -> Empty;
    /// `sendSoftphoneCallMetrics`.
    fn send_softphone_call_metrics(SendSoftphoneCallMetricsRequest) -> Empty;
    /// `getEndpoints` (one page; see [`CtiApiExt::all_endpoints`](super::CtiApiExt::all_endpoints)).
    fn get_endpoints(GetEndpointsRequest) -> GetEndpointsResponse;
    /// `getNewAuthToken`.
    fn get_new_auth_token(GetNewAuthTokenRequest) -> GetNewAuthTokenResponse;
    /// `createTransport` (§4.4).
    fn create_transport(CreateTransportRequest) -> CreateTransportResponse;
    /// `muteParticipant`.
    fn mute_participant(MuteParticipantRequest) -> Empty;
    /// `unmuteParticipant`.
    fn unmute_participant(UnmuteParticipantRequest) -> Empty;
    /// `updateMonitorParticipantState`.
    fn update_monitor_participant_state(UpdateMonitorParticipantStateRequest) -> Empty;
    /// `pauseContact` (tasks).
    fn pause_contact(PauseContactRequest) -> Empty;
    /// `resumeContact` (tasks).
    fn resume_contact(ResumeContactRequest) -> Empty;
    /// *Hosted-only* `addNewConnection`.
    fn add_new_connection(AddNewConnectionRequest) -> Empty;
    /// *Hosted-only* `transferContact`.
    fn transfer_contact(TransferContactRequest) -> Empty;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_trait_method_per_exposed_method() {
        let exposed: Vec<CtiMethod> = CtiMethod::ALL
            .iter()
            .copied()
            .filter(|m| m.is_exposed())
            .collect();
        assert_eq!(API_METHODS, exposed.as_slice());
    }

    #[derive(Debug)]
    struct Nothing;
    impl CtiApi for Nothing {}

    fn assert_send_sync<T: Send + Sync + ?Sized>() {}

    #[tokio::test]
    async fn arc_dyn_cti_api_works_and_defaults_are_unsupported() {
        assert_send_sync::<Arc<dyn CtiApi>>();
        let api: Arc<dyn CtiApi> = Arc::new(Nothing);
        let twice: Arc<Arc<dyn CtiApi>> = Arc::new(api.clone());
        let err = twice
            .transfer_contact(TransferContactRequest::new(
                "c",
                crate::model::Endpoint::phone_number("+1"),
            ))
            .await
            .expect_err("unsupported");
        assert_eq!(
            err,
            CtiError::Unsupported {
                operation: CtiMethod::TransferContact
            }
        );
    }

    #[tokio::test]
    async fn dispatch_routes_and_refuses() {
        let api = Nothing;
        let err = dispatch(&api, CtiMethod::DestroyContact, Map::new())
            .await
            .expect_err("not exposed");
        assert_eq!(
            err,
            CtiError::Unsupported {
                operation: CtiMethod::DestroyContact
            }
        );
        // Required member missing: refused before reaching the backend.
        let err = dispatch(&api, CtiMethod::HoldConnection, Map::new())
            .await
            .expect_err("bad body");
        assert!(matches!(err, CtiError::InvalidRequest(_)), "{err}");
        let mut body = Map::new();
        body.insert("contactId".into(), "c".into());
        body.insert("connectionId".into(), "l".into());
        let err = dispatch(&api, CtiMethod::HoldConnection, body)
            .await
            .expect_err("reaches backend");
        assert_eq!(
            err,
            CtiError::Unsupported {
                operation: CtiMethod::HoldConnection
            }
        );
    }
}
