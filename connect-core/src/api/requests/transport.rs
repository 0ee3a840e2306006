//! Transports and tokens: `createTransport` (§4.4) and `getNewAuthToken` (methods 29, 30).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::api::request::{cti_request, require};
use crate::api::CtiError;
use crate::model::{CreateTransportResponse, Sensitive, Timestamp, TransportType};

/// `createTransport{transportType, participantId, contactId, softphoneClientId}`.
///
/// Each type takes exactly its members (§4.4): `web_socket` and `agent_discovery` none,
/// `softphone` `softphoneClientId`, `chat_token` `contactId` + `participantId`, `web_rtc`
/// `contactId`; anything else is refused locally. Unknown types are sent as built.
///
/// ```
/// use connect_core::api::{CreateTransportRequest, CtiRequest};
///
/// let body = CreateTransportRequest::chat_token("c-1", "conn-agent").to_body().unwrap();
/// assert_eq!(serde_json::Value::Object(body), serde_json::json!({
///     "transportType": "chat_token", "contactId": "c-1", "participantId": "conn-agent",
/// }));
/// let body = CreateTransportRequest::web_socket().to_body().unwrap();
/// assert_eq!(serde_json::Value::Object(body), serde_json::json!({"transportType": "web_socket"}));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateTransportRequest {
    /// What to create.
    pub transport_type: TransportType,
    /// The agent's connection id (`chat_token`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant_id: Option<String>,
    /// The contact (`chat_token`, `web_rtc`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// Random id of this softphone client instance (`softphone`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub softphone_client_id: Option<String>,
}

impl CreateTransportRequest {
    fn of(transport_type: TransportType) -> Self {
        Self {
            transport_type,
            participant_id: None,
            contact_id: None,
            softphone_client_id: None,
        }
    }

    /// The CCP WebSocket URL.
    ///
    /// ```
    /// # use connect_core::api::CreateTransportRequest;
    /// # use connect_core::model::TransportType;
    /// assert_eq!(CreateTransportRequest::web_socket().transport_type, TransportType::WebSocket);
    /// ```
    pub fn web_socket() -> Self {
        Self::of(TransportType::WebSocket)
    }

    /// TURN credentials for the softphone client `softphone_client_id`.
    ///
    /// ```
    /// # use connect_core::api::CreateTransportRequest;
    /// let req = CreateTransportRequest::softphone("client-7");
    /// assert_eq!(req.softphone_client_id.as_deref(), Some("client-7"));
    /// ```
    pub fn softphone(softphone_client_id: impl Into<String>) -> Self {
        Self {
            softphone_client_id: Some(softphone_client_id.into()),
            ..Self::of(TransportType::Softphone)
        }
    }

    /// A chat participant token for the agent's connection `participant_id` of `contact_id`.
    ///
    /// ```
    /// # use connect_core::api::CreateTransportRequest;
    /// let req = CreateTransportRequest::chat_token("c", "p");
    /// assert_eq!(req.participant_id.as_deref(), Some("p"));
    /// ```
    pub fn chat_token(contact_id: impl Into<String>, participant_id: impl Into<String>) -> Self {
        Self {
            contact_id: Some(contact_id.into()),
            participant_id: Some(participant_id.into()),
            ..Self::of(TransportType::ChatToken)
        }
    }

    /// The video meeting of `contact_id`.
    ///
    /// ```
    /// # use connect_core::api::CreateTransportRequest;
    /// assert_eq!(CreateTransportRequest::web_rtc("c").contact_id.as_deref(), Some("c"));
    /// ```
    pub fn web_rtc(contact_id: impl Into<String>) -> Self {
        Self {
            contact_id: Some(contact_id.into()),
            ..Self::of(TransportType::WebRtc)
        }
    }

    /// The Global Resiliency discovery URL.
    ///
    /// ```
    /// # use connect_core::api::CreateTransportRequest;
    /// # use connect_core::model::TransportType;
    /// assert_eq!(CreateTransportRequest::agent_discovery().transport_type, TransportType::AgentDiscovery);
    /// ```
    pub fn agent_discovery() -> Self {
        Self::of(TransportType::AgentDiscovery)
    }

    fn check_members(&self) -> Result<(), CtiError> {
        let (participant, contact, client) = match self.transport_type {
            TransportType::WebSocket | TransportType::AgentDiscovery => (false, false, false),
            TransportType::Softphone => (false, false, true),
            TransportType::ChatToken => (true, true, false),
            TransportType::WebRtc => (false, true, false),
            TransportType::Other(_) => return Ok(()),
        };
        let members = [
            ("participantId", participant, &self.participant_id),
            ("contactId", contact, &self.contact_id),
            ("softphoneClientId", client, &self.softphone_client_id),
        ];
        for (name, wanted, value) in members {
            match (wanted, value) {
                (true, Some(v)) => require(name, v)?,
                (true, None) => return require(name, ""),
                (false, Some(_)) => {
                    return Err(CtiError::InvalidRequest(format!(
                        "`{name}` does not belong to transport type `{}`",
                        self.transport_type
                    )))
                }
                (false, None) => {}
            }
        }
        Ok(())
    }
}

cti_request!(CreateTransportRequest => CreateTransport, CreateTransportResponse, |r| {
    r.check_members()
});

/// `getNewAuthToken{refreshToken}`: in the model, never called by upstream.
///
/// ```
/// use connect_core::api::{CtiRequest, GetNewAuthTokenRequest};
///
/// let req = GetNewAuthTokenRequest::new("refresh-secret");
/// assert!(!format!("{req:?}").contains("refresh-secret"));
/// assert_eq!(req.to_body().unwrap()["refreshToken"], "refresh-secret");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetNewAuthTokenRequest {
    /// The refresh token.
    pub refresh_token: Sensitive,
}

impl GetNewAuthTokenRequest {
    /// Exchanges `refresh_token`.
    ///
    /// ```
    /// # use connect_core::api::GetNewAuthTokenRequest;
    /// assert_eq!(GetNewAuthTokenRequest::new("r").refresh_token.expose(), "r");
    /// ```
    pub fn new(refresh_token: impl Into<String>) -> Self {
        Self {
            refresh_token: Sensitive::new(refresh_token),
        }
    }
}

/// `{newAuthToken, expirationDateTime}`.
///
/// ```
/// use connect_core::api::{CtiRequest, GetNewAuthTokenRequest};
///
/// let r = GetNewAuthTokenRequest::parse_response(
///     br#"{"newAuthToken":"tok","expirationDateTime":1700000000}"#).unwrap();
/// assert_eq!(r.new_auth_token.unwrap().expose(), "tok");
/// assert_eq!(r.expiration_date_time.unwrap().as_millis(), 1_700_000_000_000);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetNewAuthTokenResponse {
    /// The new auth token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_auth_token: Option<Sensitive>,
    /// When it expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_date_time: Option<Timestamp>,
    /// Members this SDK does not model, kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

cti_request!(GetNewAuthTokenRequest => GetNewAuthToken, GetNewAuthTokenResponse, |r| {
    require("refreshToken", r.refresh_token.expose())
});
