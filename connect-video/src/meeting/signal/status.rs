//! [`MeetingStatus`]: why a meeting session stopped or is reconnecting, from close codes,
//! `AUDIO_STATUS` frames and error frames (the Chime SDK's `MeetingSessionStatusCode` names).

/// Close code: the meeting ended.
pub const CLOSE_MEETING_ENDED: u16 = 4410;
/// Close code: the join token was refused (this SDK's convention: 4000 + HTTP 403).
pub const CLOSE_FORBIDDEN: u16 = 4403;

/// Why a meeting session stopped, or why it is reconnecting.
///
/// ```
/// use connect_video::meeting::signal::MeetingStatus;
///
/// assert_eq!(MeetingStatus::from_close_code(Some(4410)), MeetingStatus::MeetingEnded);
/// assert!(MeetingStatus::MeetingEnded.is_terminal());
/// assert!(!MeetingStatus::from_close_code(Some(4503)).is_terminal());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MeetingStatus {
    /// The attendee left.
    Left,
    /// The meeting ended (close 4410 or audio status 410).
    MeetingEnded,
    /// The attendee joined from another device (audio status 301).
    AudioJoinedFromAnotherDevice,
    /// The audio connection was disconnected by the server (audio status 302).
    AudioDisconnectAudio,
    /// The join token was refused (audio status 403, close 4401/4403).
    AudioAuthenticationRejected,
    /// The meeting is full (audio status 409).
    AudioCallAtCapacity,
    /// The attendee was removed (audio status 411).
    AudioAttendeeRemoved,
    /// Audio server error (audio status 500).
    AudioInternalServerError,
    /// Audio service unavailable (audio status 503).
    AudioServiceUnavailable,
    /// Any other failed audio status.
    AudioDisconnected,
    /// The TURN credentials were refused.
    TurnCredentialsForbidden,
    /// The meeting takes no more video senders (error status 509).
    VideoCallAtSourceCapacity,
    /// Video switched to view-only (error status 206).
    VideoCallSwitchToViewOnly,
    /// The server refused a request (error status 4xx, close 4400–4499).
    SignalingBadRequest,
    /// Server error (error status 5xx, close 4500–4599); reconnects.
    SignalingInternalServerError,
    /// A request failed otherwise.
    SignalingRequestFailed,
    /// The socket closed or could not be opened; reconnects.
    SignalingConnectionLost,
    /// No `JOIN_ACK` within the connection timeout; reconnects.
    SignalingConnectionTimeout,
    /// Keep-alive pongs went missing; reconnects.
    ConnectionHealthReconnect,
    /// A real-time API callback failed.
    RealtimeApiFailed,
}

impl MeetingStatus {
    /// The status of a socket close (`None`: no close frame, e.g. 1006).
    ///
    /// ```
    /// # use connect_video::meeting::signal::MeetingStatus;
    /// assert_eq!(MeetingStatus::from_close_code(None), MeetingStatus::SignalingConnectionLost);
    /// assert_eq!(MeetingStatus::from_close_code(Some(4403)), MeetingStatus::AudioAuthenticationRejected);
    /// ```
    pub fn from_close_code(code: Option<u16>) -> Self {
        match code {
            Some(CLOSE_MEETING_ENDED) => Self::MeetingEnded,
            Some(4401) | Some(CLOSE_FORBIDDEN) => Self::AudioAuthenticationRejected,
            Some(4400..=4499) => Self::SignalingBadRequest,
            Some(4500..=4599) => Self::SignalingInternalServerError,
            _ => Self::SignalingConnectionLost,
        }
    }

    /// The status of an `AUDIO_STATUS` frame; `None` for a 2xx (all is well).
    ///
    /// ```
    /// # use connect_video::meeting::signal::MeetingStatus;
    /// assert_eq!(MeetingStatus::from_audio_status(411), Some(MeetingStatus::AudioAttendeeRemoved));
    /// assert_eq!(MeetingStatus::from_audio_status(200), None);
    /// ```
    pub fn from_audio_status(status: u32) -> Option<Self> {
        Some(match status {
            301 => Self::AudioJoinedFromAnotherDevice,
            302 => Self::AudioDisconnectAudio,
            403 => Self::AudioAuthenticationRejected,
            409 => Self::AudioCallAtCapacity,
            410 => Self::MeetingEnded,
            411 => Self::AudioAttendeeRemoved,
            500 => Self::AudioInternalServerError,
            503 => Self::AudioServiceUnavailable,
            200..=299 => return None,
            _ => Self::AudioDisconnected,
        })
    }

    /// The status of an error frame; `None` for a 2xx.
    ///
    /// ```
    /// # use connect_video::meeting::signal::MeetingStatus;
    /// assert_eq!(MeetingStatus::from_error_status(509), Some(MeetingStatus::VideoCallAtSourceCapacity));
    /// assert_eq!(MeetingStatus::from_error_status(404), Some(MeetingStatus::SignalingBadRequest));
    /// ```
    pub fn from_error_status(status: u32) -> Option<Self> {
        Some(match status {
            206 => Self::VideoCallSwitchToViewOnly,
            509 => Self::VideoCallAtSourceCapacity,
            200..=299 => return None,
            400..=499 => Self::SignalingBadRequest,
            500..=599 => Self::SignalingInternalServerError,
            _ => Self::SignalingRequestFailed,
        })
    }

    /// Whether the session stops for good (no reconnection).
    ///
    /// ```
    /// # use connect_video::meeting::signal::MeetingStatus;
    /// assert!(MeetingStatus::Left.is_terminal());
    /// assert!(!MeetingStatus::SignalingConnectionLost.is_terminal());
    /// ```
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Left
                | Self::MeetingEnded
                | Self::AudioJoinedFromAnotherDevice
                | Self::AudioAuthenticationRejected
                | Self::AudioCallAtCapacity
                | Self::AudioDisconnected
                | Self::AudioAttendeeRemoved
                | Self::TurnCredentialsForbidden
                | Self::SignalingBadRequest
                | Self::SignalingRequestFailed
                | Self::VideoCallAtSourceCapacity
                | Self::RealtimeApiFailed
        )
    }
}
