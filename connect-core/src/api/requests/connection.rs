//! Connections (legs) of a contact: add, hang up, hold, conference, DTMF, mute, monitor
//! (methods 18–23, 25, 31–33).

use serde::{Deserialize, Serialize};

use crate::api::request::{cti_request, require};
use crate::api::Empty;
use crate::model::wire_enum::wire_enum;
use crate::model::{Endpoint, Sensitive};

/// `createAdditionalConnection{contactId, endpoint}`: adds a transfer or conference leg.
///
/// ```
/// use connect_core::api::{CreateAdditionalConnectionRequest, CtiRequest};
/// use connect_core::model::{Endpoint, EndpointType, Queue};
///
/// let mut endpoint = Endpoint::new(EndpointType::Queue);
/// endpoint.endpoint_arn = Some("arn:qc".into());
/// endpoint.queue = Some(Queue::new("arn:q", "Sales"));
/// endpoint.extra.insert("endpointId".into(), "arn:qc".into()); // client-side alias
/// let body = CreateAdditionalConnectionRequest::new("c-1", endpoint).to_body().unwrap();
/// assert_eq!(serde_json::Value::Object(body), serde_json::json!({
///     "contactId": "c-1",
///     "endpoint": {"endpointARN": "arn:qc", "type": "queue",
///                  "queue": {"queueARN": "arn:q", "name": "Sales"}},
/// }));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateAdditionalConnectionRequest {
    /// The contact.
    pub contact_id: String,
    /// The party to add.
    pub endpoint: Endpoint,
}

impl CreateAdditionalConnectionRequest {
    /// Adds `endpoint` to `contact_id`.
    ///
    /// ```
    /// # use connect_core::api::CreateAdditionalConnectionRequest;
    /// # use connect_core::model::Endpoint;
    /// let req = CreateAdditionalConnectionRequest::new("c", Endpoint::phone_number("+1555"));
    /// assert_eq!(req.contact_id, "c");
    /// ```
    pub fn new(contact_id: impl Into<String>, endpoint: Endpoint) -> Self {
        Self {
            contact_id: contact_id.into(),
            endpoint,
        }
    }
}

cti_request!(CreateAdditionalConnectionRequest => CreateAdditionalConnection, Empty, |r| {
    require("contactId", &r.contact_id)
});

connection_request! {
    /// `destroyConnection{contactId, connectionId}`: hangs up that leg.
    DestroyConnectionRequest => DestroyConnection
}

connection_request! {
    /// `holdConnection{contactId, connectionId}`.
    HoldConnectionRequest => HoldConnection
}

connection_request! {
    /// `resumeConnection{contactId, connectionId}`: takes the leg off hold.
    ResumeConnectionRequest => ResumeConnection
}

connection_request! {
    /// `toggleActiveConnections{contactId, connectionId}`: swaps the held and the active leg
    /// (the client names the held leg, else the first active one).
    ToggleActiveConnectionsRequest => ToggleActiveConnections
}

connection_request! {
    /// `muteParticipant{contactId, connectionId}`.
    MuteParticipantRequest => MuteParticipant
}

connection_request! {
    /// `unmuteParticipant{contactId, connectionId}`.
    UnmuteParticipantRequest => UnmuteParticipant
}

contact_id_request! {
    /// `conferenceConnections{contactId}`: joins all legs.
    ConferenceConnectionsRequest => ConferenceConnections
}

/// `sendDigits{contactId, connectionId, digits}`: DTMF. The digits may be a PIN or card
/// number, so they are [`Sensitive`].
///
/// ```
/// use connect_core::api::{CtiRequest, SendDigitsRequest};
///
/// let req = SendDigitsRequest::new("c-1", "conn-1", "1234#");
/// assert!(!format!("{req:?}").contains("1234"));
/// assert_eq!(serde_json::Value::Object(req.to_body().unwrap()),
///     serde_json::json!({"contactId": "c-1", "connectionId": "conn-1", "digits": "1234#"}));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendDigitsRequest {
    /// The contact.
    pub contact_id: String,
    /// The leg to send them on.
    pub connection_id: String,
    /// The digits (`0-9`, `*`, `#`, `,` for a pause).
    pub digits: Sensitive,
}

impl SendDigitsRequest {
    /// Sends `digits` on `connection_id` of `contact_id`.
    ///
    /// ```
    /// # use connect_core::api::SendDigitsRequest;
    /// assert_eq!(SendDigitsRequest::new("c", "l", "9").digits.expose(), "9");
    /// ```
    pub fn new(
        contact_id: impl Into<String>,
        connection_id: impl Into<String>,
        digits: impl Into<String>,
    ) -> Self {
        Self {
            contact_id: contact_id.into(),
            connection_id: connection_id.into(),
            digits: Sensitive::new(digits),
        }
    }
}

cti_request!(SendDigitsRequest => SendDigits, Empty, |r| {
    require("contactId", &r.contact_id)?;
    require("connectionId", &r.connection_id)?;
    require("digits", r.digits.expose())
});

wire_enum! {
    /// A supervisor's monitoring mode (`targetMonitorMode`).
    ///
    /// ```
    /// use connect_core::api::MonitorMode;
    ///
    /// assert_eq!(MonitorMode::SilentMonitor.as_str(), "SILENT_MONITOR");
    /// assert_eq!("BARGE".parse::<MonitorMode>().unwrap(), MonitorMode::Barge);
    /// ```
    pub enum MonitorMode {
        /// Listen without being heard.
        SilentMonitor = "SILENT_MONITOR",
        /// Join the conversation.
        Barge = "BARGE",
    }
}

/// `updateMonitorParticipantState{contactId, targetMonitorMode}`.
///
/// ```
/// use connect_core::api::{CtiRequest, MonitorMode, UpdateMonitorParticipantStateRequest};
///
/// let req = UpdateMonitorParticipantStateRequest::new("c-1", MonitorMode::Barge);
/// assert_eq!(serde_json::Value::Object(req.to_body().unwrap()),
///     serde_json::json!({"contactId": "c-1", "targetMonitorMode": "BARGE"}));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateMonitorParticipantStateRequest {
    /// The monitored contact.
    pub contact_id: String,
    /// The mode to switch to.
    pub target_monitor_mode: MonitorMode,
}

impl UpdateMonitorParticipantStateRequest {
    /// Switches monitoring of `contact_id` to `mode`.
    ///
    /// ```
    /// # use connect_core::api::{MonitorMode, UpdateMonitorParticipantStateRequest};
    /// let req = UpdateMonitorParticipantStateRequest::new("c", MonitorMode::SilentMonitor);
    /// assert_eq!(req.target_monitor_mode, MonitorMode::SilentMonitor);
    /// ```
    pub fn new(contact_id: impl Into<String>, mode: MonitorMode) -> Self {
        Self {
            contact_id: contact_id.into(),
            target_monitor_mode: mode,
        }
    }
}

cti_request!(UpdateMonitorParticipantStateRequest => UpdateMonitorParticipantState, Empty, |r| {
    require("contactId", &r.contact_id)
});
