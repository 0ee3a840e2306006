//! Every CTI operation as a `name(Request)` pair, for the implementations of
//! [`CtiApi`](super::CtiApi) that handle every method the same way.

/// Calls `$callback! { get_agent_snapshot($crate::api::GetAgentSnapshotRequest), … }` with
/// every method of [`CtiApi`](crate::api::CtiApi), in the trait's order, so that a transport
/// or a decorator implements all of them from one generic body. Shared with the other connect
/// crates; not part of the public API.
///
/// ```
/// macro_rules! count {
///     ($( $name:ident($req:ty) ),+ $(,)?) => { [$( stringify!($name) ),+].len() };
/// }
/// use connect_core::api::CtiMethod;
/// let exposed = CtiMethod::ALL.iter().filter(|m| m.is_exposed()).count();
/// assert_eq!(connect_core::for_each_cti_operation!(count), exposed);
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! for_each_cti_operation {
    ($callback:ident) => {
        $callback! {
            get_agent_snapshot($crate::api::GetAgentSnapshotRequest),
            put_agent_state($crate::api::PutAgentStateRequest),
            get_agent_states($crate::api::GetAgentStatesRequest),
            get_dialable_country_codes($crate::api::GetDialableCountryCodesRequest),
            get_routing_profile_queues($crate::api::GetRoutingProfileQueuesRequest),
            get_agent_permissions($crate::api::GetAgentPermissionsRequest),
            get_agent_configuration($crate::api::GetAgentConfigurationRequest),
            update_agent_configuration($crate::api::UpdateAgentConfigurationRequest),
            accept_contact($crate::api::AcceptContactRequest),
            create_outbound_contact($crate::api::CreateOutboundContactRequest),
            create_task_contact($crate::api::CreateTaskContactRequest),
            clear_contact($crate::api::ClearContactRequest),
            complete_contact($crate::api::CompleteContactRequest),
            reject_contact($crate::api::RejectContactRequest),
            notify_contact_issue($crate::api::NotifyContactIssueRequest),
            create_additional_connection($crate::api::CreateAdditionalConnectionRequest),
            destroy_connection($crate::api::DestroyConnectionRequest),
            hold_connection($crate::api::HoldConnectionRequest),
            resume_connection($crate::api::ResumeConnectionRequest),
            toggle_active_connections($crate::api::ToggleActiveConnectionsRequest),
            conference_connections($crate::api::ConferenceConnectionsRequest),
            send_client_logs($crate::api::SendClientLogsRequest),
            send_digits($crate::api::SendDigitsRequest),
            send_softphone_call_report($crate::api::SendSoftphoneCallReportRequest),
            send_softphone_call_metrics($crate::api::SendSoftphoneCallMetricsRequest),
            get_endpoints($crate::api::GetEndpointsRequest),
            get_new_auth_token($crate::api::GetNewAuthTokenRequest),
            create_transport($crate::api::CreateTransportRequest),
            mute_participant($crate::api::MuteParticipantRequest),
            unmute_participant($crate::api::UnmuteParticipantRequest),
            update_monitor_participant_state($crate::api::UpdateMonitorParticipantStateRequest),
            pause_contact($crate::api::PauseContactRequest),
            resume_contact($crate::api::ResumeContactRequest),
            add_new_connection($crate::api::AddNewConnectionRequest),
            transfer_contact($crate::api::TransferContactRequest),
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::api::{CtiMethod, CtiRequest};

    macro_rules! methods {
        ($( $name:ident($req:ty) ),+ $(,)?) => {
            vec![$( <$req as CtiRequest>::METHOD ),+]
        };
    }

    #[test]
    fn lists_every_method_of_the_trait_in_its_order() {
        let listed: Vec<CtiMethod> = crate::for_each_cti_operation!(methods);
        assert_eq!(listed, super::super::cti::API_METHODS);
    }
}
