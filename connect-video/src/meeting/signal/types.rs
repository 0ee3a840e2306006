//! Typed views of the signalling frames the application deals with, and their conversion from
//! and to the protobuf messages.

use std::time::Duration;

use connect_core::model::Sensitive;

use super::error::SignalError;
use super::proto::{
    SdkDataMessagePayload, SdkIndexFrame, SdkJoinAckFrame, SdkStreamDescriptor, SdkStreamMediaType,
    SdkSubscribeAckFrame, SdkTurnCredentials,
};

/// The subscription limit when the server names none.
pub const DEFAULT_VIDEO_SUBSCRIPTION_LIMIT: u32 = 25;
/// Longest data-message topic.
pub const MAX_DATA_TOPIC_LEN: usize = 36;
/// Largest data-message payload.
pub const MAX_DATA_BYTES: usize = 2048;
/// Longest data-message lifetime (5 minutes).
pub const MAX_DATA_LIFETIME_MS: u32 = 300_000;

/// Audio or video.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MediaType {
    /// Audio.
    Audio,
    /// Video (camera or content).
    Video,
}

impl MediaType {
    /// The protobuf value.
    ///
    /// ```
    /// # use connect_video::meeting::signal::MediaType;
    /// assert_eq!(MediaType::from_proto(MediaType::Video.to_proto()), Some(MediaType::Video));
    /// ```
    pub fn to_proto(self) -> i32 {
        match self {
            Self::Audio => SdkStreamMediaType::Audio as i32,
            Self::Video => SdkStreamMediaType::Video as i32,
        }
    }

    /// From the protobuf value (unknown values give `None`).
    pub fn from_proto(value: i32) -> Option<Self> {
        match SdkStreamMediaType::try_from(value).ok()? {
            SdkStreamMediaType::Audio => Some(Self::Audio),
            SdkStreamMediaType::Video => Some(Self::Video),
        }
    }
}

/// TURN servers and credentials from `JOIN_ACK`. `Debug` hides the password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TurnCredentials {
    /// Username.
    pub username: String,
    /// Password (secret).
    pub password: Sensitive,
    /// Lifetime, when given.
    pub ttl: Option<Duration>,
    /// TURN URIs.
    pub uris: Vec<String>,
}

/// What `JOIN_ACK` told the client.
///
/// ```
/// use connect_video::meeting::signal::{JoinAck, proto::SdkJoinAckFrame};
/// let ack = JoinAck::from_proto(&SdkJoinAckFrame::default());
/// assert_eq!(ack.video_subscription_limit, 25);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinAck {
    /// TURN servers, when given.
    pub turn: Option<TurnCredentials>,
    /// How many videos the client may receive.
    pub video_subscription_limit: u32,
}

impl JoinAck {
    /// From the protobuf frame.
    pub fn from_proto(frame: &SdkJoinAckFrame) -> Self {
        Self {
            turn: frame.turn_credentials.as_ref().map(turn_from_proto),
            video_subscription_limit: frame
                .video_subscription_limit
                .unwrap_or(DEFAULT_VIDEO_SUBSCRIPTION_LIMIT),
        }
    }
}

fn turn_from_proto(turn: &SdkTurnCredentials) -> TurnCredentials {
    TurnCredentials {
        username: turn.username.clone().unwrap_or_default(),
        password: Sensitive::new(turn.password.clone().unwrap_or_default()),
        ttl: turn.ttl.map(|s| Duration::from_secs(u64::from(s))),
        uris: turn.uris.clone(),
    }
}

/// One source of the meeting, as `INDEX` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamSource {
    /// Meeting-wide stream id.
    pub stream_id: u32,
    /// Group id (one per attendee connection).
    pub group_id: u32,
    /// The sending attendee (`<id>#content` for content share).
    pub attendee_id: String,
    /// The sender's external user id.
    pub external_user_id: Option<String>,
    /// Audio or video (`None` when the server did not say).
    pub media: Option<MediaType>,
    /// Track label.
    pub track_label: Option<String>,
    /// Maximum bitrate.
    pub max_bitrate_kbps: Option<u32>,
}

impl StreamSource {
    fn from_proto(d: &SdkStreamDescriptor) -> Self {
        Self {
            stream_id: d.stream_id.unwrap_or_default(),
            group_id: d.group_id.unwrap_or_default(),
            attendee_id: d.attendee_id.clone().unwrap_or_default(),
            external_user_id: d.external_user_id.clone(),
            media: d.media_type.and_then(MediaType::from_proto),
            track_label: d.track_label.clone(),
            max_bitrate_kbps: d.max_bitrate_kbps,
        }
    }
}

/// The meeting's sources (`INDEX`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndexUpdate {
    /// The meeting takes no more video senders.
    pub at_capacity: bool,
    /// The sources.
    pub sources: Vec<StreamSource>,
    /// Sources their senders paused.
    pub paused_at_source_ids: Vec<u32>,
    /// Attendees in the meeting, when given.
    pub num_participants: Option<u32>,
}

impl IndexUpdate {
    /// From the protobuf frame.
    ///
    /// ```
    /// # use connect_video::meeting::signal::{IndexUpdate, proto::SdkIndexFrame};
    /// assert!(IndexUpdate::from_proto(&SdkIndexFrame::default()).sources.is_empty());
    /// ```
    pub fn from_proto(frame: &SdkIndexFrame) -> Self {
        Self {
            at_capacity: frame.at_capacity.unwrap_or(false),
            sources: frame.sources.iter().map(StreamSource::from_proto).collect(),
            paused_at_source_ids: frame.paused_at_source_ids.clone(),
            num_participants: frame.num_participants,
        }
    }
}

/// One stream the client sends, described in `SUBSCRIBE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendStream {
    /// The client's own stream id (the server allocates the meeting-wide one).
    pub stream_id: u32,
    /// Group id.
    pub group_id: u32,
    /// Audio or video.
    pub media: MediaType,
    /// Track label (the transceiver's mid or track id).
    pub track_label: String,
    /// Maximum bitrate.
    pub max_bitrate_kbps: Option<u32>,
}

impl SendStream {
    /// The protobuf descriptor.
    ///
    /// ```
    /// # use connect_video::meeting::signal::{MediaType, SendStream};
    /// let s = SendStream { stream_id: 1, group_id: 1, media: MediaType::Video, track_label: "v".into(), max_bitrate_kbps: None };
    /// assert_eq!(s.to_proto().track_label.as_deref(), Some("v"));
    /// ```
    pub fn to_proto(&self) -> SdkStreamDescriptor {
        SdkStreamDescriptor {
            stream_id: Some(self.stream_id),
            group_id: Some(self.group_id),
            media_type: Some(self.media.to_proto()),
            track_label: Some(self.track_label.clone()),
            max_bitrate_kbps: self.max_bitrate_kbps,
            ..Default::default()
        }
    }
}

/// What a `SUBSCRIBE` asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    /// The SDP offer (never compressed).
    pub sdp_offer: String,
    /// What the client sends.
    pub send_streams: Vec<SendStream>,
    /// `INDEX` stream ids to receive.
    pub receive_stream_ids: Vec<u32>,
}

/// A received track's stream (`SUBSCRIBE_ACK.tracks`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrackMapping {
    /// Stream id.
    pub stream_id: u32,
    /// SSRC (0 when the server names the track by label only).
    pub ssrc: u32,
    /// Track label (the transceiver's mid).
    pub track_label: String,
}

/// The stream id given to one of the client's send streams.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamAllocation {
    /// Track label of the send stream.
    pub track_label: String,
    /// Meeting-wide stream id.
    pub stream_id: u32,
    /// Group id.
    pub group_id: u32,
}

/// The answer to a `SUBSCRIBE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscribeAck {
    /// The SDP answer.
    pub sdp_answer: String,
    /// Received tracks.
    pub tracks: Vec<TrackMapping>,
    /// Allocated send streams.
    pub allocations: Vec<StreamAllocation>,
}

impl SubscribeAck {
    /// From the protobuf frame.
    ///
    /// ```
    /// # use connect_video::meeting::signal::{SubscribeAck, proto::SdkSubscribeAckFrame};
    /// assert_eq!(SubscribeAck::from_proto(&SdkSubscribeAckFrame::default()).sdp_answer, "");
    /// ```
    pub fn from_proto(frame: &SdkSubscribeAckFrame) -> Self {
        Self {
            sdp_answer: frame.sdp_answer.clone().unwrap_or_default(),
            tracks: frame
                .tracks
                .iter()
                .map(|t| TrackMapping {
                    stream_id: t.stream_id.unwrap_or_default(),
                    ssrc: t.ssrc.unwrap_or_default(),
                    track_label: t.track_label.clone().unwrap_or_default(),
                })
                .collect(),
            allocations: frame
                .allocations
                .iter()
                .map(|a| StreamAllocation {
                    track_label: a.track_label.clone().unwrap_or_default(),
                    stream_id: a.stream_id.unwrap_or_default(),
                    group_id: a.group_id.unwrap_or_default(),
                })
                .collect(),
        }
    }
}

/// A real-time data message, sent or received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataMessage {
    /// Topic (1–36 characters: letters, digits, `_`, `-`).
    pub topic: String,
    /// Payload (at most 2 KiB).
    pub data: Vec<u8>,
    /// How long the server keeps it for late joiners (at most 5 minutes).
    pub lifetime_ms: u32,
    /// Sender (received messages only).
    pub sender_attendee_id: Option<String>,
    /// Sender's external user id (received messages only).
    pub sender_external_user_id: Option<String>,
    /// Server ingest time in nanoseconds (received messages only).
    pub ingest_time_ns: Option<i64>,
}

impl DataMessage {
    /// A message to send.
    ///
    /// ```
    /// # use connect_video::meeting::signal::DataMessage;
    /// let m = DataMessage::new("AMAZON_CONNECT_SCREEN_SHARING", br#"{"message":"ScreenSharingStarted"}"#.to_vec());
    /// assert!(m.validate().is_ok());
    /// assert!(DataMessage::new("bad topic!", vec![]).validate().is_err());
    /// ```
    pub fn new(topic: impl Into<String>, data: Vec<u8>) -> Self {
        Self {
            topic: topic.into(),
            data,
            lifetime_ms: 0,
            sender_attendee_id: None,
            sender_external_user_id: None,
            ingest_time_ns: None,
        }
    }

    /// Checks the protocol's limits.
    pub fn validate(&self) -> Result<(), SignalError> {
        let topic_ok = !self.topic.is_empty()
            && self.topic.len() <= MAX_DATA_TOPIC_LEN
            && self
                .topic
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !topic_ok {
            return Err(SignalError::InvalidDataMessage(format!(
                "topic `{}` is not 1–{MAX_DATA_TOPIC_LEN} of [A-Za-z0-9_-]",
                self.topic
            )));
        }
        if self.data.len() > MAX_DATA_BYTES {
            return Err(SignalError::InvalidDataMessage(format!(
                "{} bytes exceed {MAX_DATA_BYTES}",
                self.data.len()
            )));
        }
        if self.lifetime_ms > MAX_DATA_LIFETIME_MS {
            return Err(SignalError::InvalidDataMessage(format!(
                "lifetime {} ms exceeds {MAX_DATA_LIFETIME_MS}",
                self.lifetime_ms
            )));
        }
        Ok(())
    }

    /// The protobuf payload.
    pub fn to_proto(&self) -> SdkDataMessagePayload {
        SdkDataMessagePayload {
            topic: Some(self.topic.clone()),
            data: Some(self.data.clone()),
            lifetime_ms: Some(self.lifetime_ms),
            sender_attendee_id: self.sender_attendee_id.clone(),
            ingest_time_ns: self.ingest_time_ns,
            sender_external_user_id: self.sender_external_user_id.clone(),
        }
    }

    /// From the protobuf payload.
    pub fn from_proto(p: &SdkDataMessagePayload) -> Self {
        Self {
            topic: p.topic.clone().unwrap_or_default(),
            data: p.data.clone().unwrap_or_default(),
            lifetime_ms: p.lifetime_ms.unwrap_or_default(),
            sender_attendee_id: p.sender_attendee_id.clone(),
            sender_external_user_id: p.sender_external_user_id.clone(),
            ingest_time_ns: p.ingest_time_ns,
        }
    }
}
