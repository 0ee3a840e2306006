//! One request type per exposed client method and one response type per method, with the
//! exact wire member names of spec §2. `None` members are left out of the body.
//!
//! The `authentication` member is not part of these types: the transport adds it (see
//! [`add_authentication`](super::add_authentication)).

/// Declares a request whose only member is `contactId`, answered with `{}`.
macro_rules! contact_id_request {
    ($(#[$doc:meta])* $name:ident => $method:ident) => {
        $(#[$doc])*
        ///
        /// ```
        #[doc = concat!("use connect_core::api::{", stringify!($name), ", CtiRequest};")]
        ///
        #[doc = concat!("let req = ", stringify!($name), "::new(\"c-1\");")]
        /// let body = serde_json::Value::Object(req.to_body().unwrap());
        /// assert_eq!(body, serde_json::json!({"contactId": "c-1"}));
        /// ```
        #[derive(Clone, Debug, Default, PartialEq, Eq, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            /// The contact.
            pub contact_id: String,
        }

        impl $name {
            /// A request for `contact_id`.
            pub fn new(contact_id: impl Into<String>) -> Self {
                Self {
                    contact_id: contact_id.into(),
                }
            }
        }

        $crate::api::request::cti_request!($name => $method, $crate::api::Empty, |r| {
            $crate::api::request::require("contactId", &r.contact_id)
        });
    };
}

/// Declares a request with members `contactId` and `connectionId`, answered with `{}`.
macro_rules! connection_request {
    ($(#[$doc:meta])* $name:ident => $method:ident) => {
        $(#[$doc])*
        ///
        /// ```
        #[doc = concat!("use connect_core::api::{", stringify!($name), ", CtiRequest};")]
        ///
        #[doc = concat!("let req = ", stringify!($name), "::new(\"c-1\", \"conn-2\");")]
        /// let body = serde_json::Value::Object(req.to_body().unwrap());
        /// assert_eq!(body, serde_json::json!({"contactId": "c-1", "connectionId": "conn-2"}));
        /// ```
        #[derive(Clone, Debug, Default, PartialEq, Eq, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            /// The contact.
            pub contact_id: String,
            /// The connection (leg) of the contact.
            pub connection_id: String,
        }

        impl $name {
            /// A request for `connection_id` of `contact_id`.
            pub fn new(contact_id: impl Into<String>, connection_id: impl Into<String>) -> Self {
                Self {
                    contact_id: contact_id.into(),
                    connection_id: connection_id.into(),
                }
            }
        }

        $crate::api::request::cti_request!($name => $method, $crate::api::Empty, |r| {
            $crate::api::request::require("contactId", &r.contact_id)?;
            $crate::api::request::require("connectionId", &r.connection_id)
        });
    };
}

mod agent;
mod connection;
mod contact;
mod lists;
mod reporting;
mod transport;

pub use agent::{
    GetAgentConfigurationRequest, GetAgentConfigurationResponse, GetAgentSnapshotRequest,
    GetAgentSnapshotResponse, PutAgentStateRequest, UpdateAgentConfigurationRequest,
};
pub use connection::{
    ConferenceConnectionsRequest, CreateAdditionalConnectionRequest, DestroyConnectionRequest,
    HoldConnectionRequest, MonitorMode, MuteParticipantRequest, ResumeConnectionRequest,
    SendDigitsRequest, ToggleActiveConnectionsRequest, UnmuteParticipantRequest,
    UpdateMonitorParticipantStateRequest,
};
pub use contact::{
    AcceptContactRequest, AddNewConnectionRequest, ClearContactRequest, CompleteContactRequest,
    CreateOutboundContactRequest, CreateTaskContactRequest, CreateTaskContactResponse,
    NotifyContactIssueRequest, PauseContactRequest, RejectContactRequest, ResumeContactRequest,
    TransferContactRequest,
};
pub use lists::{
    GetAgentPermissionsRequest, GetAgentPermissionsResponse, GetAgentStatesRequest,
    GetAgentStatesResponse, GetDialableCountryCodesRequest, GetDialableCountryCodesResponse,
    GetEndpointsRequest, GetEndpointsResponse, GetRoutingProfileQueuesRequest,
    GetRoutingProfileQueuesResponse,
};
pub use reporting::{
    CallReport, ClientLogEvent, SendClientLogsRequest, SendSoftphoneCallMetricsRequest,
    SendSoftphoneCallReportRequest, SoftphoneStreamType, StreamStatistic,
};
pub use transport::{CreateTransportRequest, GetNewAuthTokenRequest, GetNewAuthTokenResponse};

#[cfg(test)]
mod tests;
