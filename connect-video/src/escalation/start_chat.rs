//! `StartChatContact` (Amazon Connect API) request and response, as data.

use std::collections::BTreeMap;

use connect_core::model::Sensitive;
use serde::{Deserialize, Serialize};

/// `ParticipantDetails`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ParticipantDetails {
    /// The customer's display name.
    pub display_name: String,
}

/// `StartChatContact` request (`PUT /contact/chat`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartChatContactRequest {
    /// The instance.
    pub instance_id: String,
    /// The pinned flow.
    pub contact_flow_id: String,
    /// The customer.
    pub participant_details: ParticipantDetails,
    /// Contact attributes.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// Idempotency key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
}

/// `StartChatContact` response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartChatContactResponse {
    /// The new contact.
    pub contact_id: String,
    /// The customer's participant id.
    pub participant_id: String,
    /// The customer's participant token.
    pub participant_token: Sensitive,
}
