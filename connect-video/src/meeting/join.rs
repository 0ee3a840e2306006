//! Join data: one [`JoinInfo`] from any of the four sources of a meeting and its attendee.
//!
//! | Source | Shape |
//! |---|---|
//! | Chime `CreateMeeting` + `CreateAttendee` | PascalCase `{Meeting, Attendee}` |
//! | CTI `createTransport` `web_rtc` | camelCase `webRTCTransport{meeting, attendee}` (or its inner object) |
//! | `StartWebRTCContact` | `ConnectionData{Meeting, Attendee}` (the attendee has only its id and token) |
//! | `CreateParticipantConnection` `WEBRTC_CONNECTION` | `WebRTCConnection{Meeting \| WebRTCMeeting, Attendee}` (no `MediaRegion`, no `TurnControlUrl`) |
//!
//! Every key is matched case-insensitively, so all four parse with one function.

use connect_core::model::Sensitive;
use serde_json::{Map, Value};

use crate::escalation::{Attendee, MediaPlacement, Meeting};

/// The suffix of a content-share attendee id and join token.
pub const CONTENT_SUFFIX: &str = "#content";

/// What an attendee may do with one kind of media.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capability {
    /// Send and receive.
    SendReceive,
    /// Send only.
    Send,
    /// Receive only.
    Receive,
    /// Neither.
    None,
}

impl Capability {
    fn parse(value: &str) -> Option<Self> {
        match value.to_ascii_lowercase().as_str() {
            "sendreceive" => Some(Self::SendReceive),
            "send" => Some(Self::Send),
            "receive" => Some(Self::Receive),
            "none" => Some(Self::None),
            _ => None,
        }
    }
}

/// An attendee's `Capabilities{Audio, Video, Content}`; absent means `SendReceive`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capabilities {
    /// Audio.
    pub audio: Capability,
    /// Camera video.
    pub video: Capability,
    /// Content share.
    pub content: Capability,
}

impl Default for Capabilities {
    fn default() -> Self {
        Self {
            audio: Capability::SendReceive,
            video: Capability::SendReceive,
            content: Capability::SendReceive,
        }
    }
}

/// Why join data could not be read.
///
/// ```
/// use connect_video::meeting::join::{JoinInfo, JoinInfoError};
/// let err = JoinInfo::from_json(r#"{"Meeting":{"MeetingId":"m"}}"#).unwrap_err();
/// assert!(matches!(err, JoinInfoError::MissingAttendee));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JoinInfoError {
    /// Not JSON, or not a JSON object.
    #[error("join data is not a JSON object: {0}")]
    NotJson(String),
    /// No meeting object.
    #[error("join data has no meeting")]
    MissingMeeting,
    /// The meeting has no `MeetingId`.
    #[error("the meeting has no MeetingId")]
    MissingMeetingId,
    /// The meeting has no `MediaPlacement.SignalingUrl`.
    #[error("the meeting has no MediaPlacement.SignalingUrl")]
    MissingSignalingUrl,
    /// No attendee object.
    #[error("join data has no attendee")]
    MissingAttendee,
    /// The attendee has no `AttendeeId`.
    #[error("the attendee has no AttendeeId")]
    MissingAttendeeId,
    /// The attendee has no `JoinToken`.
    #[error("the attendee has no JoinToken")]
    MissingJoinToken,
}

/// Everything needed to join a meeting as one attendee.
///
/// ```
/// use connect_video::meeting::join::JoinInfo;
///
/// let info = JoinInfo::from_json(r#"{"webRTCTransport":{"meeting":{"meetingId":"m1",
///     "mediaRegion":"us-west-2","mediaPlacement":{"signalingUrl":"wss://signal/control/m1"}},
///     "attendee":{"attendeeId":"a1","joinToken":"secret"}}}"#).unwrap();
/// assert_eq!(info.signaling_url(), "wss://signal/control/m1");
/// assert_eq!(info.content_share().attendee_id, "a1#content");
/// assert!(!format!("{info:?}").contains("secret"));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct JoinInfo {
    /// The meeting id.
    pub meeting_id: String,
    /// The external meeting id, when the source gave one.
    pub external_meeting_id: Option<String>,
    /// The media region, when the source gave one.
    pub media_region: Option<String>,
    /// Where signalling and media go (`SignalingUrl` is always present).
    pub media_placement: MediaPlacement,
    /// `MeetingFeatures`, as given.
    pub meeting_features: Option<Value>,
    /// The attendee id (`<id>#content` for a content-share connection).
    pub attendee_id: String,
    /// The external user id, when the source gave one.
    pub external_user_id: Option<String>,
    /// The join token (secret; `<token>#content` for a content-share connection).
    pub join_token: Sensitive,
    /// The attendee's capabilities (all `SendReceive` when the source gave none).
    pub capabilities: Capabilities,
}

impl JoinInfo {
    /// Parses join data from any of the four sources (JSON text).
    ///
    /// ```
    /// # use connect_video::meeting::join::JoinInfo;
    /// let info = JoinInfo::from_json(r#"{"MEETING":{"MEETINGID":"m","MEDIAPLACEMENT":
    ///     {"SIGNALINGURL":"wss://s"}},"ATTENDEE":{"ATTENDEEID":"a","JOINTOKEN":"t"}}"#).unwrap();
    /// assert_eq!(info.meeting_id, "m");
    /// ```
    pub fn from_json(text: &str) -> Result<Self, JoinInfoError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| JoinInfoError::NotJson(e.to_string()))?;
        Self::from_value(&value)
    }

    /// Parses join data from any of the four sources (a JSON value).
    ///
    /// ```
    /// # use connect_video::meeting::join::JoinInfo;
    /// let v = serde_json::json!({"ConnectionData": {"Meeting": {"MeetingId": "m",
    ///     "MediaPlacement": {"SignalingUrl": "wss://s"}}, "Attendee": {"AttendeeId": "a", "JoinToken": "t"}}});
    /// assert_eq!(JoinInfo::from_value(&v).unwrap().attendee_id, "a");
    /// ```
    pub fn from_value(value: &Value) -> Result<Self, JoinInfoError> {
        let root = value
            .as_object()
            .ok_or_else(|| JoinInfoError::NotJson("not an object".into()))?;
        let root = unwrap_envelope(root);
        let meeting = ["meeting", "webrtcmeeting"]
            .iter()
            .find_map(|k| object(root, k))
            .ok_or(JoinInfoError::MissingMeeting)?;
        let attendee = ["attendee", "webrtcattendee"]
            .iter()
            .find_map(|k| object(root, k))
            .ok_or(JoinInfoError::MissingAttendee)?;
        let placement = object(meeting, "mediaplacement")
            .map(media_placement)
            .unwrap_or_default();
        if placement.signaling_url.is_none() {
            return Err(JoinInfoError::MissingSignalingUrl);
        }
        Ok(Self {
            meeting_id: string(meeting, "meetingid").ok_or(JoinInfoError::MissingMeetingId)?,
            external_meeting_id: string(meeting, "externalmeetingid"),
            media_region: string(meeting, "mediaregion"),
            media_placement: placement,
            meeting_features: get(meeting, "meetingfeatures").cloned(),
            attendee_id: string(attendee, "attendeeid").ok_or(JoinInfoError::MissingAttendeeId)?,
            external_user_id: string(attendee, "externaluserid"),
            join_token: string(attendee, "jointoken")
                .map(Sensitive::new)
                .ok_or(JoinInfoError::MissingJoinToken)?,
            capabilities: object(attendee, "capabilities")
                .map(capabilities)
                .unwrap_or_default(),
        })
    }

    /// Join data from typed Chime objects (a control plane's `CreateMeeting` + `CreateAttendee`).
    ///
    /// ```
    /// # use connect_video::meeting::join::JoinInfo;
    /// # use connect_video::escalation::{Attendee, Meeting};
    /// let meeting: Meeting = serde_json::from_str(r#"{"MeetingId":"m","MediaPlacement":{"SignalingUrl":"wss://s"}}"#).unwrap();
    /// let attendee: Attendee = serde_json::from_str(r#"{"AttendeeId":"a","JoinToken":"t"}"#).unwrap();
    /// assert_eq!(JoinInfo::from_parts(&meeting, &attendee).unwrap().meeting_id, "m");
    /// ```
    pub fn from_parts(meeting: &Meeting, attendee: &Attendee) -> Result<Self, JoinInfoError> {
        let mut value = Map::new();
        let to_value = |v: Result<Value, serde_json::Error>| {
            v.map_err(|e| JoinInfoError::NotJson(e.to_string()))
        };
        value.insert("Meeting".into(), to_value(serde_json::to_value(meeting))?);
        value.insert("Attendee".into(), to_value(serde_json::to_value(attendee))?);
        Self::from_value(&Value::Object(value))
    }

    /// The signalling WebSocket URL (`MediaPlacement.SignalingUrl`).
    ///
    /// ```
    /// # use connect_video::meeting::join::JoinInfo;
    /// # let info = JoinInfo::from_json(r#"{"Meeting":{"MeetingId":"m","MediaPlacement":{"SignalingUrl":"wss://s"}},"Attendee":{"AttendeeId":"a","JoinToken":"t"}}"#).unwrap();
    /// assert_eq!(info.signaling_url(), "wss://s");
    /// ```
    pub fn signaling_url(&self) -> &str {
        self.media_placement.signaling_url.as_deref().unwrap_or("")
    }

    /// Whether this is a content-share connection (`<id>#content`).
    ///
    /// ```
    /// # use connect_video::meeting::join::JoinInfo;
    /// # let info = JoinInfo::from_json(r#"{"Meeting":{"MeetingId":"m","MediaPlacement":{"SignalingUrl":"wss://s"}},"Attendee":{"AttendeeId":"a","JoinToken":"t"}}"#).unwrap();
    /// assert!(!info.is_content());
    /// assert!(info.content_share().is_content());
    /// ```
    pub fn is_content(&self) -> bool {
        self.attendee_id.ends_with(CONTENT_SUFFIX)
    }

    /// The content-share connection of this attendee: attendee `<id>#content`, token
    /// `<token>#content`, the same external user id; it sends video and receives nothing.
    ///
    /// ```
    /// # use connect_video::meeting::join::JoinInfo;
    /// # let info = JoinInfo::from_json(r#"{"Meeting":{"MeetingId":"m","MediaPlacement":{"SignalingUrl":"wss://s"}},"Attendee":{"AttendeeId":"a","JoinToken":"t"}}"#).unwrap();
    /// let content = info.content_share();
    /// assert_eq!(content.join_token.expose(), "t#content");
    /// assert_eq!(content.content_share(), content);
    /// ```
    pub fn content_share(&self) -> Self {
        if self.is_content() {
            return self.clone();
        }
        Self {
            attendee_id: format!("{}{CONTENT_SUFFIX}", self.attendee_id),
            join_token: Sensitive::new(format!("{}{CONTENT_SUFFIX}", self.join_token.expose())),
            capabilities: Capabilities {
                audio: Capability::None,
                video: Capability::None,
                content: Capability::Send,
            },
            ..self.clone()
        }
    }
}

/// Descends into the envelope of a whole response (`webRTCTransport`, `ConnectionData`,
/// `WebRTCConnection`) when there is one.
fn unwrap_envelope(root: &Map<String, Value>) -> &Map<String, Value> {
    ["webrtctransport", "connectiondata", "webrtcconnection"]
        .iter()
        .find_map(|k| object(root, k))
        .unwrap_or(root)
}

fn get<'a>(map: &'a Map<String, Value>, lower_key: &str) -> Option<&'a Value> {
    map.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(lower_key))
        .map(|(_, v)| v)
}

fn object<'a>(map: &'a Map<String, Value>, lower_key: &str) -> Option<&'a Map<String, Value>> {
    get(map, lower_key).and_then(Value::as_object)
}

fn string(map: &Map<String, Value>, lower_key: &str) -> Option<String> {
    get(map, lower_key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn media_placement(map: &Map<String, Value>) -> MediaPlacement {
    const KNOWN: [&str; 5] = [
        "audiohosturl",
        "audiofallbackurl",
        "signalingurl",
        "turncontrolurl",
        "eventingestionurl",
    ];
    MediaPlacement {
        audio_host_url: string(map, KNOWN[0]),
        audio_fallback_url: string(map, KNOWN[1]),
        signaling_url: string(map, KNOWN[2]),
        turn_control_url: string(map, KNOWN[3]),
        event_ingestion_url: string(map, KNOWN[4]),
        extra: map
            .iter()
            .filter(|(k, _)| !KNOWN.iter().any(|known| k.eq_ignore_ascii_case(known)))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    }
}

fn capabilities(map: &Map<String, Value>) -> Capabilities {
    let one = |key: &str| {
        string(map, key)
            .and_then(|v| Capability::parse(&v))
            .unwrap_or(Capability::SendReceive)
    };
    Capabilities {
        audio: one("audio"),
        video: one("video"),
        content: one("content"),
    }
}

#[cfg(test)]
#[path = "join_tests.rs"]
mod tests;
