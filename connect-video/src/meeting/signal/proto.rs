//! The protobuf messages of the meeting signalling protocol, written by hand with `prost`.
//!
//! They mirror the subset this SDK needs of `protocol/SignalingProtocol.proto` in
//! [aws/amazon-chime-sdk-js](https://github.com/aws/amazon-chime-sdk-js) (Copyright
//! Amazon.com, Inc. or its affiliates; Apache-2.0), with the same message names, field names and
//! field numbers (proto2). The JOIN_ACK fields `video_subscription_limit` (2) and
//! `wants_compressed_sdp` (3) and the JOIN field `wants_compressed_sdp` (7) come from the
//! protobuf code generated from a later revision of that file in the same repository
//! (`src/signalingprotocol/SignalingProtocol.js`). Fields and frames this SDK does not use
//! (bitrates, client metrics, audio metadata, transcription, compressed SDP bodies…) are left
//! out; prost skips them when they arrive.
//!
//! ```
//! use connect_video::meeting::signal::proto::{sdk_signal_frame, SdkSignalFrame, SdkAudioControlFrame};
//! use prost::Message;
//!
//! let frame = SdkSignalFrame {
//!     timestamp_ms: 1,
//!     r#type: sdk_signal_frame::Type::AudioControl as i32,
//!     audio_control: Some(SdkAudioControlFrame { muted: Some(true) }),
//!     ..Default::default()
//! };
//! let bytes = frame.encode_to_vec();
//! assert_eq!(SdkSignalFrame::decode(bytes.as_slice()).unwrap(), frame);
//! ```

use std::fmt;

/// One signalling message: its type and the sub-frame of that type.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SdkSignalFrame {
    /// Sender's clock, milliseconds since the Unix epoch.
    #[prost(uint64, required, tag = "1")]
    pub timestamp_ms: u64,
    /// The frame type ([`sdk_signal_frame::Type`]).
    #[prost(enumeration = "sdk_signal_frame::Type", required, tag = "2")]
    pub r#type: i32,
    /// An error answer.
    #[prost(message, optional, tag = "3")]
    pub error: Option<SdkErrorFrame>,
    /// `JOIN`.
    #[prost(message, optional, tag = "4")]
    pub join: Option<SdkJoinFrame>,
    /// `JOIN_ACK`.
    #[prost(message, optional, tag = "5")]
    pub joinack: Option<SdkJoinAckFrame>,
    /// `SUBSCRIBE`.
    #[prost(message, optional, tag = "6")]
    pub sub: Option<SdkSubscribeFrame>,
    /// `SUBSCRIBE_ACK`.
    #[prost(message, optional, tag = "7")]
    pub suback: Option<SdkSubscribeAckFrame>,
    /// `INDEX`.
    #[prost(message, optional, tag = "8")]
    pub index: Option<SdkIndexFrame>,
    /// `PAUSE` / `RESUME`.
    #[prost(message, optional, tag = "10")]
    pub pause: Option<SdkPauseResumeFrame>,
    /// `LEAVE`.
    #[prost(message, optional, tag = "11")]
    pub leave: Option<SdkLeaveFrame>,
    /// `LEAVE_ACK`.
    #[prost(message, optional, tag = "12")]
    pub leave_ack: Option<SdkLeaveAckFrame>,
    /// `AUDIO_CONTROL`.
    #[prost(message, optional, tag = "17")]
    pub audio_control: Option<SdkAudioControlFrame>,
    /// `AUDIO_STREAM_ID_INFO`.
    #[prost(message, optional, tag = "19")]
    pub audio_stream_id_info: Option<SdkAudioStreamIdInfoFrame>,
    /// `PING_PONG`.
    #[prost(message, optional, tag = "20")]
    pub ping_pong: Option<SdkPingPongFrame>,
    /// `AUDIO_STATUS`.
    #[prost(message, optional, tag = "21")]
    pub audio_status: Option<SdkAudioStatusFrame>,
    /// `DATA_MESSAGE`.
    #[prost(message, optional, tag = "23")]
    pub data_message: Option<SdkDataMessageFrame>,
}

/// Nested types of [`SdkSignalFrame`].
pub mod sdk_signal_frame {
    /// `SdkSignalFrame.Type`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
    #[repr(i32)]
    pub enum Type {
        /// Client → server: join the meeting.
        Join = 1,
        /// Server → client: joined, with TURN credentials.
        JoinAck = 2,
        /// Client → server: SDP offer, sent and received streams.
        Subscribe = 3,
        /// Server → client: SDP answer and track mapping.
        SubscribeAck = 4,
        /// Server → client: the meeting's sources.
        Index = 5,
        /// Client → server: stop receiving streams.
        Pause = 7,
        /// Client → server: receive streams again.
        Resume = 8,
        /// Client → server: leave the meeting.
        Leave = 9,
        /// Server → client: left.
        LeaveAck = 10,
        /// Server → client: bitrates of sources.
        Bitrates = 13,
        /// Client → server: mute state.
        AudioControl = 16,
        /// Server → client: volume and signal strength.
        AudioMetadata = 17,
        /// Server → client: attendee presence by audio stream id.
        AudioStreamIdInfo = 18,
        /// Both ways: keep-alive.
        PingPong = 19,
        /// Server → client: audio connection status.
        AudioStatus = 20,
        /// Client → server: metrics.
        ClientMetric = 21,
        /// Both ways: real-time data messages.
        DataMessage = 22,
        /// Client → server: remote video subscription changes.
        RemoteVideoUpdate = 24,
    }
}

/// An error answer: an HTTP-like status and a description.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SdkErrorFrame {
    /// Status (4xx: bad request, 5xx: server error).
    #[prost(uint32, optional, tag = "1")]
    pub status: Option<u32>,
    /// What went wrong.
    #[prost(string, optional, tag = "2")]
    pub description: Option<String>,
}

/// `SdkJoinFlags` (bit flags of [`SdkJoinFrame::flags`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum SdkJoinFlags {
    /// Ask for `BITRATES` frames.
    SendBitrates = 1,
    /// The client handles stream updates.
    HasStreamUpdate = 2,
    /// The client estimates bandwidth on the send side.
    UseSendSideBwe = 8,
    /// Every `INDEX` carries the complete list of video sources.
    CompleteVideoSourcesList = 16,
    /// Leave the client's own content share out of its `INDEX`.
    ExcludeSelfContentInIndex = 32,
}

/// Who the client is.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SdkClientDetails {
    /// Application name.
    #[prost(string, optional, tag = "1")]
    pub app_name: Option<String>,
    /// Application version.
    #[prost(string, optional, tag = "2")]
    pub app_version: Option<String>,
    /// Device model.
    #[prost(string, optional, tag = "3")]
    pub device_model: Option<String>,
    /// Device make.
    #[prost(string, optional, tag = "4")]
    pub device_make: Option<String>,
    /// Platform name.
    #[prost(string, optional, tag = "5")]
    pub platform_name: Option<String>,
    /// Platform version.
    #[prost(string, optional, tag = "6")]
    pub platform_version: Option<String>,
    /// Client source.
    #[prost(string, optional, tag = "7")]
    pub client_source: Option<String>,
    /// SDK version.
    #[prost(string, optional, tag = "8")]
    pub chime_sdk_version: Option<String>,
}

/// `JOIN`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SdkJoinFrame {
    /// Protocol version (2).
    #[prost(uint32, optional, tag = "1", default = "2")]
    pub protocol_version: Option<u32>,
    /// The most videos the client wants to receive.
    #[prost(uint32, optional, tag = "2", default = "8")]
    pub max_num_of_videos: Option<u32>,
    /// [`SdkJoinFlags`] bits.
    #[prost(uint32, optional, tag = "3")]
    pub flags: Option<u32>,
    /// Who the client is.
    #[prost(message, optional, tag = "4")]
    pub client_details: Option<SdkClientDetails>,
    /// Identifies one audio session across reconnections.
    #[prost(uint64, optional, tag = "6")]
    pub audio_session_id: Option<u64>,
    /// Whether the client wants compressed SDP (this SDK always says no).
    #[prost(bool, optional, tag = "7")]
    pub wants_compressed_sdp: Option<bool>,
}

/// `JOIN_ACK`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SdkJoinAckFrame {
    /// TURN servers and credentials.
    #[prost(message, optional, tag = "1")]
    pub turn_credentials: Option<SdkTurnCredentials>,
    /// The most videos the client may receive.
    #[prost(uint32, optional, tag = "2")]
    pub video_subscription_limit: Option<u32>,
    /// Whether the server wants compressed SDP.
    #[prost(bool, optional, tag = "3")]
    pub wants_compressed_sdp: Option<bool>,
}

/// `LEAVE` (empty).
#[derive(Clone, PartialEq, prost::Message)]
pub struct SdkLeaveFrame {}

/// `LEAVE_ACK` (empty).
#[derive(Clone, PartialEq, prost::Message)]
pub struct SdkLeaveAckFrame {}

/// `SdkStreamServiceType`: the direction of a subscription.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum SdkStreamServiceType {
    /// Receive only.
    Rx = 1,
    /// Send only.
    Tx = 2,
    /// Both.
    Duplex = 3,
}

/// `SdkStreamMediaType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum SdkStreamMediaType {
    /// Audio.
    Audio = 1,
    /// Video.
    Video = 2,
}

/// `SUBSCRIBE`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SdkSubscribeFrame {
    /// Direction.
    #[prost(
        enumeration = "SdkStreamServiceType",
        optional,
        tag = "1",
        default = "Rx"
    )]
    pub duplex: Option<i32>,
    /// What the client sends.
    #[prost(message, repeated, tag = "2")]
    pub send_streams: Vec<SdkStreamDescriptor>,
    /// `INDEX` stream ids the client wants to receive.
    #[prost(uint32, repeated, packed = "false", tag = "3")]
    pub receive_stream_ids: Vec<u32>,
    /// The SDP offer.
    #[prost(string, optional, tag = "4")]
    pub sdp_offer: Option<String>,
    /// The audio host.
    #[prost(string, optional, tag = "5")]
    pub audio_host: Option<String>,
    /// Audio check-in (join muted and unheard).
    #[prost(bool, optional, tag = "6")]
    pub audio_checkin: Option<bool>,
    /// Whether audio starts muted.
    #[prost(bool, optional, tag = "7")]
    pub audio_muted: Option<bool>,
}

/// `SUBSCRIBE_ACK`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SdkSubscribeAckFrame {
    /// Direction.
    #[prost(enumeration = "SdkStreamServiceType", optional, tag = "1")]
    pub duplex: Option<i32>,
    /// Stream ids given to the client's send streams.
    #[prost(message, repeated, tag = "2")]
    pub allocations: Vec<SdkStreamAllocation>,
    /// The SDP answer.
    #[prost(string, optional, tag = "3")]
    pub sdp_answer: Option<String>,
    /// Which received stream each track carries.
    #[prost(message, repeated, tag = "4")]
    pub tracks: Vec<SdkTrackMapping>,
}

/// `INDEX`: the meeting's sources.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SdkIndexFrame {
    /// The meeting cannot take more video senders.
    #[prost(bool, optional, tag = "1")]
    pub at_capacity: Option<bool>,
    /// The sources.
    #[prost(message, repeated, tag = "2")]
    pub sources: Vec<SdkStreamDescriptor>,
    /// Sources their senders paused.
    #[prost(uint32, repeated, packed = "false", tag = "3")]
    pub paused_at_source_ids: Vec<u32>,
    /// Attendees in the meeting.
    #[prost(uint32, optional, tag = "4")]
    pub num_participants: Option<u32>,
}

/// `PAUSE` / `RESUME`: stream ids.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SdkPauseResumeFrame {
    /// The streams.
    #[prost(uint32, repeated, packed = "false", tag = "1")]
    pub stream_ids: Vec<u32>,
}

/// One stream: sent (in `SUBSCRIBE`) or available (in `INDEX`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct SdkStreamDescriptor {
    /// Stream id.
    #[prost(uint32, optional, tag = "1")]
    pub stream_id: Option<u32>,
    /// Frame rate.
    #[prost(uint32, optional, tag = "2")]
    pub framerate: Option<u32>,
    /// Maximum bitrate.
    #[prost(uint32, optional, tag = "3")]
    pub max_bitrate_kbps: Option<u32>,
    /// Track label.
    #[prost(string, optional, tag = "4")]
    pub track_label: Option<String>,
    /// Group id (one per attendee connection).
    #[prost(uint32, optional, tag = "6")]
    pub group_id: Option<u32>,
    /// Average bitrate.
    #[prost(uint32, optional, tag = "7")]
    pub avg_bitrate_bps: Option<u32>,
    /// The sending attendee.
    #[prost(string, optional, tag = "8")]
    pub attendee_id: Option<String>,
    /// Audio or video.
    #[prost(enumeration = "SdkStreamMediaType", optional, tag = "9")]
    pub media_type: Option<i32>,
    /// The sending attendee's external user id.
    #[prost(string, optional, tag = "10")]
    pub external_user_id: Option<String>,
}

/// A stream id given to one of the client's send streams.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SdkStreamAllocation {
    /// Track label.
    #[prost(string, optional, tag = "1")]
    pub track_label: Option<String>,
    /// Stream id.
    #[prost(uint32, optional, tag = "2")]
    pub stream_id: Option<u32>,
    /// Group id.
    #[prost(uint32, optional, tag = "3")]
    pub group_id: Option<u32>,
}

/// Which stream a received track carries.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SdkTrackMapping {
    /// Stream id.
    #[prost(uint32, optional, tag = "1")]
    pub stream_id: Option<u32>,
    /// SSRC.
    #[prost(uint32, optional, tag = "2")]
    pub ssrc: Option<u32>,
    /// Track label.
    #[prost(string, optional, tag = "3")]
    pub track_label: Option<String>,
}

/// `AUDIO_CONTROL`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SdkAudioControlFrame {
    /// Muted.
    #[prost(bool, optional, tag = "1")]
    pub muted: Option<bool>,
}

/// `AUDIO_STREAM_ID_INFO`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SdkAudioStreamIdInfoFrame {
    /// Updates.
    #[prost(message, repeated, tag = "1")]
    pub streams: Vec<SdkAudioStreamIdInfo>,
}

/// Presence and mute of one attendee's audio stream.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SdkAudioStreamIdInfo {
    /// Audio stream id.
    #[prost(uint32, optional, tag = "1")]
    pub audio_stream_id: Option<u32>,
    /// The attendee (absent when the attendee left).
    #[prost(string, optional, tag = "2")]
    pub attendee_id: Option<String>,
    /// Muted.
    #[prost(bool, optional, tag = "3")]
    pub muted: Option<bool>,
    /// The attendee's external user id.
    #[prost(string, optional, tag = "4")]
    pub external_user_id: Option<String>,
    /// The attendee's connection dropped.
    #[prost(bool, optional, tag = "5")]
    pub dropped: Option<bool>,
}

/// `SdkPingPongType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum SdkPingPongType {
    /// Ping.
    Ping = 1,
    /// Pong (echoes the ping id).
    Pong = 2,
}

/// `PING_PONG`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SdkPingPongFrame {
    /// Ping or pong.
    #[prost(enumeration = "SdkPingPongType", required, tag = "1")]
    pub r#type: i32,
    /// Ping id.
    #[prost(uint32, required, tag = "2")]
    pub ping_id: u32,
}

/// `AUDIO_STATUS`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SdkAudioStatusFrame {
    /// Status (200 ok, 301 joined from another device, 410 meeting ended, 411 removed…).
    #[prost(uint32, optional, tag = "1")]
    pub audio_status: Option<u32>,
}

/// `DATA_MESSAGE`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SdkDataMessageFrame {
    /// Messages.
    #[prost(message, repeated, tag = "1")]
    pub messages: Vec<SdkDataMessagePayload>,
}

/// One data message.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SdkDataMessagePayload {
    /// Topic.
    #[prost(string, optional, tag = "1")]
    pub topic: Option<String>,
    /// Payload.
    #[prost(bytes = "vec", optional, tag = "2")]
    pub data: Option<Vec<u8>>,
    /// How long the server keeps it for late joiners.
    #[prost(uint32, optional, tag = "3")]
    pub lifetime_ms: Option<u32>,
    /// Sender (set by the server).
    #[prost(string, optional, tag = "4")]
    pub sender_attendee_id: Option<String>,
    /// Server ingest time (set by the server).
    #[prost(int64, optional, tag = "5")]
    pub ingest_time_ns: Option<i64>,
    /// Sender's external user id (set by the server).
    #[prost(string, optional, tag = "6")]
    pub sender_external_user_id: Option<String>,
}

/// TURN servers and their time-limited credentials. `Debug` hides the password.
#[derive(Clone, PartialEq, prost::Message)]
#[prost(skip_debug)]
pub struct SdkTurnCredentials {
    /// Username.
    #[prost(string, optional, tag = "1")]
    pub username: Option<String>,
    /// Password (secret).
    #[prost(string, optional, tag = "2")]
    pub password: Option<String>,
    /// Lifetime in seconds.
    #[prost(uint32, optional, tag = "3")]
    pub ttl: Option<u32>,
    /// TURN URIs.
    #[prost(string, repeated, tag = "4")]
    pub uris: Vec<String>,
}

impl fmt::Debug for SdkTurnCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SdkTurnCredentials")
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("ttl", &self.ttl)
            .field("uris", &self.uris)
            .finish()
    }
}
