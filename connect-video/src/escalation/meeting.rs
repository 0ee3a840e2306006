//! Meeting model types as data (§4.1–4.2): Chime meetings and attendees, `StartWebRTCContact`,
//! and the ownership rule of escalation meetings (§6.3).

use connect_core::model::Sensitive;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::error::EscalationError;

/// `MediaPlacement` (PascalCase; camelCase accepted).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MediaPlacement {
    /// Audio host.
    #[serde(
        default,
        alias = "audioHostUrl",
        skip_serializing_if = "Option::is_none"
    )]
    pub audio_host_url: Option<String>,
    /// Audio fallback.
    #[serde(
        default,
        alias = "audioFallbackUrl",
        skip_serializing_if = "Option::is_none"
    )]
    pub audio_fallback_url: Option<String>,
    /// Signalling WebSocket.
    #[serde(
        default,
        alias = "signalingUrl",
        skip_serializing_if = "Option::is_none"
    )]
    pub signaling_url: Option<String>,
    /// TURN control (deprecated).
    #[serde(
        default,
        alias = "turnControlUrl",
        skip_serializing_if = "Option::is_none"
    )]
    pub turn_control_url: Option<String>,
    /// Event ingestion.
    #[serde(
        default,
        alias = "eventIngestionUrl",
        skip_serializing_if = "Option::is_none"
    )]
    pub event_ingestion_url: Option<String>,
    /// Fields this SDK does not model (deprecated screen URLs…).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A Chime SDK meeting.
///
/// ```
/// use connect_video::escalation::Meeting;
///
/// let m: Meeting = serde_json::from_str(r#"{"MeetingId":"m1","ExternalMeetingId":"e1","MediaRegion":"us-east-1",
///     "MediaPlacement":{"SignalingUrl":"wss://s"}}"#).unwrap();
/// assert_eq!(m.media_placement.unwrap().signaling_url.as_deref(), Some("wss://s"));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Meeting {
    /// The meeting id (UUID).
    #[serde(alias = "meetingId")]
    pub meeting_id: String,
    /// The external id (2–64 characters).
    #[serde(
        default,
        alias = "externalMeetingId",
        skip_serializing_if = "Option::is_none"
    )]
    pub external_meeting_id: Option<String>,
    /// The media region.
    #[serde(
        default,
        alias = "mediaRegion",
        skip_serializing_if = "Option::is_none"
    )]
    pub media_region: Option<String>,
    /// Where media goes.
    #[serde(
        default,
        alias = "mediaPlacement",
        skip_serializing_if = "Option::is_none"
    )]
    pub media_placement: Option<MediaPlacement>,
    /// Features (audio echo reduction, video limits…).
    #[serde(
        default,
        alias = "meetingFeatures",
        skip_serializing_if = "Option::is_none"
    )]
    pub meeting_features: Option<Value>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A Chime SDK attendee.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Attendee {
    /// The attendee id.
    #[serde(alias = "attendeeId")]
    pub attendee_id: String,
    /// The external user id (2–64 characters, `aws:` reserved).
    #[serde(
        default,
        alias = "externalUserId",
        skip_serializing_if = "Option::is_none"
    )]
    pub external_user_id: Option<String>,
    /// The join token (secret).
    #[serde(alias = "joinToken")]
    pub join_token: Sensitive,
    /// `{Audio, Video, Content}` capabilities.
    #[serde(
        default,
        alias = "capabilities",
        skip_serializing_if = "Option::is_none"
    )]
    pub capabilities: Option<Value>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `ParticipantCapabilities`: `Video` / `ScreenShare`, each only `SEND`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ParticipantCapabilities {
    /// `SEND` to allow video.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<String>,
    /// `SEND` to allow screen share.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_share: Option<String>,
}

/// `AllowedCapabilities`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AllowedCapabilities {
    /// The customer's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<ParticipantCapabilities>,
    /// The agent's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<ParticipantCapabilities>,
}

/// `StartWebRTCContact` request (`PUT /contact/webrtc`, SigV4 for `connect`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartWebRtcContactRequest {
    /// The instance.
    pub instance_id: String,
    /// The flow.
    pub contact_flow_id: String,
    /// The customer.
    pub participant_details: super::ParticipantDetails,
    /// Who may send video or share a screen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_capabilities: Option<AllowedCapabilities>,
    /// Contact attributes (≤ 32 768 UTF-8 bytes in total).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<std::collections::BTreeMap<String, String>>,
    /// Idempotency key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A related contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_contact_id: Option<String>,
}

/// `ConnectionData` of a `StartWebRTCContact` response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConnectionData {
    /// The meeting.
    pub meeting: Meeting,
    /// The customer's attendee (only `AttendeeId` and `JoinToken`).
    pub attendee: Attendee,
}

/// `StartWebRTCContact` response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartWebRtcContactResponse {
    /// The contact.
    pub contact_id: String,
    /// The customer's participant id.
    pub participant_id: String,
    /// The customer's participant token.
    pub participant_token: Sensitive,
    /// Meeting join data.
    pub connection_data: ConnectionData,
}

/// An escalation meeting as the backend tracks it: ids minted server-side and its owner.
///
/// ```
/// use connect_video::escalation::EscalationMeeting;
///
/// let meeting = EscalationMeeting::new("agent-1").unwrap();
/// assert_eq!(meeting.external_meeting_id.len(), 36);
/// assert!(meeting.ensure_owner("agent-1").is_ok());
/// assert!(meeting.ensure_owner("agent-2").unwrap_err().is_not_owner());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EscalationMeeting {
    /// The external meeting id (UUIDv4 from the OS CSPRNG).
    pub external_meeting_id: String,
    /// The customer attendee's external user id (UUIDv4 from the OS CSPRNG).
    pub customer_external_user_id: String,
    /// The owning agent (from the authenticated agent context).
    pub owner_agent_id: String,
}

impl EscalationMeeting {
    /// New server-side ids for a meeting owned by `owner_agent_id`.
    pub fn new(owner_agent_id: impl Into<String>) -> Result<Self, EscalationError> {
        let id = || crate::random_uuid().map_err(|e| EscalationError::Random(e.to_string()));
        Ok(Self {
            external_meeting_id: id()?,
            customer_external_user_id: id()?,
            owner_agent_id: owner_agent_id.into(),
        })
    }

    /// Only the owner may add or remove attendees or end the meeting.
    pub fn ensure_owner(&self, agent_id: &str) -> Result<(), EscalationError> {
        if self.owner_agent_id == agent_id {
            Ok(())
        } else {
            Err(EscalationError::NotOwner)
        }
    }
}
