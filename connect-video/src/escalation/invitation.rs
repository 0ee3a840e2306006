//! The structured meeting invitation (§6.3): what customer clients react to, never free text.

use serde::{Deserialize, Serialize};

use crate::participant::content::{APPLICATION_JSON, TEXT_PLAIN};

/// The type tag of an invitation.
pub const INVITATION_TYPE: &str = "connect-video/meeting-invitation";
/// The invitation format version.
pub const INVITATION_VERSION: u32 = 1;

/// A meeting invitation sent as an `application/json` chat message. It carries no secret: the
/// customer fetches join data with the join ticket it got when the chat started.
///
/// ```
/// use connect_video::escalation::Invitation;
///
/// let invitation = Invitation::new("ext-meeting-1");
/// let (content_type, json) = invitation.json_message();
/// assert_eq!(content_type, "application/json");
/// assert_eq!(Invitation::parse(&json), Some(invitation));
/// assert_eq!(Invitation::parse(r#"{"text":"Automatic reply: agent started video session"}"#), None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    /// [`INVITATION_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// [`INVITATION_VERSION`].
    pub version: u32,
    /// Always `true` for an invitation.
    pub meeting_started: bool,
    /// The meeting.
    pub external_meeting_id: String,
}

impl Invitation {
    /// An invitation to `external_meeting_id`.
    pub fn new(external_meeting_id: impl Into<String>) -> Self {
        Self {
            kind: INVITATION_TYPE.to_owned(),
            version: INVITATION_VERSION,
            meeting_started: true,
            external_meeting_id: external_meeting_id.into(),
        }
    }

    /// The structured message: content type and content.
    pub fn json_message(&self) -> (&'static str, String) {
        (
            APPLICATION_JSON,
            serde_json::to_string(self).unwrap_or_default(),
        )
    }

    /// The plain line for clients without this SDK.
    pub fn text_message(&self) -> (&'static str, String) {
        (
            TEXT_PLAIN,
            "The agent started a video session. Use the video button to join.".to_owned(),
        )
    }

    /// The invitation in a JSON message, if it is one (right type tag and version).
    pub fn parse(content: &str) -> Option<Self> {
        let invitation: Self = serde_json::from_str(content).ok()?;
        (invitation.kind == INVITATION_TYPE
            && invitation.version == INVITATION_VERSION
            && invitation.meeting_started)
            .then_some(invitation)
    }
}
