//! Why a call failed or ended (§7), and the Streams `SoftphoneErrorTypes` it is published as.

use std::fmt;

/// A failure reason of §7 (display strings and report flags as upstream), plus the SDK's
/// `MEDIA_LOST` and `INVALID_CALL_CONFIG`.
///
/// ```
/// use connect_softphone::session::{FailureReason, SoftphoneErrorType};
///
/// assert_eq!(FailureReason::UserBusy.as_str(), "USER_BUSY");
/// assert_eq!(FailureReason::UserBusy.to_string(), "User Busy");
/// assert_eq!(FailureReason::UserBusy.error_type(), Some(SoftphoneErrorType::UserBusyError));
/// assert_eq!(FailureReason::CallNotFound.error_type(), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureReason {
    /// Gathering ended with zero candidates.
    IceCollectionTimeout,
    /// 486 on `invite`.
    UserBusy,
    /// Any other handshake failure (including the answer deadline and `AccessDenied`).
    SignallingHandshakeFailure,
    /// The microphone did not open within 10 s.
    GumTimeoutFailure,
    /// The microphone failed to open.
    GumOtherFailure,
    /// Signaling could not connect (`Timeout` / `ChannelDown` during setup).
    SignallingConnectionFailure,
    /// 404 on `invite`.
    CallNotFound,
    /// The offer could not be created.
    CreateOfferFailure,
    /// The local description could not be set.
    SetLocalDescriptionFailure,
    /// The answer SDP is empty.
    InvalidRemoteSdp,
    /// The answer carried no candidate.
    NoRemoteIceCandidate,
    /// The remote description could not be set.
    SetRemoteDescriptionFailure,
    /// Media did not come back within the recovery window (R10).
    MediaLost,
    /// `callConfigJson` could not be decoded (§2.2).
    InvalidCallConfig,
}

impl FailureReason {
    /// The reason's constant (`ICE_COLLECTION_TIMEOUT`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::IceCollectionTimeout => "ICE_COLLECTION_TIMEOUT",
            Self::UserBusy => "USER_BUSY",
            Self::SignallingHandshakeFailure => "SIGNALLING_HANDSHAKE_FAILURE",
            Self::GumTimeoutFailure => "GUM_TIMEOUT_FAILURE",
            Self::GumOtherFailure => "GUM_OTHER_FAILURE",
            Self::SignallingConnectionFailure => "SIGNALLING_CONNECTION_FAILURE",
            Self::CallNotFound => "CALL_NOT_FOUND",
            Self::CreateOfferFailure => "CREATE_OFFER_FAILURE",
            Self::SetLocalDescriptionFailure => "SET_LOCAL_DESCRIPTION_FAILURE",
            Self::InvalidRemoteSdp => "INVALID_REMOTE_SDP",
            Self::NoRemoteIceCandidate => "NO_REMOTE_ICE_CANDIDATE",
            Self::SetRemoteDescriptionFailure => "SET_REMOTE_DESCRIPTION_FAILURE",
            Self::MediaLost => "MEDIA_LOST",
            Self::InvalidCallConfig => "INVALID_CALL_CONFIG",
        }
    }

    /// The Streams error type it is published as (`None`: logged only).
    pub fn error_type(self) -> Option<SoftphoneErrorType> {
        Some(match self {
            Self::IceCollectionTimeout => SoftphoneErrorType::IceCollectionTimeout,
            Self::UserBusy => SoftphoneErrorType::UserBusyError,
            Self::SignallingHandshakeFailure => SoftphoneErrorType::SignallingHandshakeFailure,
            Self::GumTimeoutFailure | Self::GumOtherFailure => {
                SoftphoneErrorType::MicrophoneNotShared
            }
            Self::SignallingConnectionFailure => SoftphoneErrorType::SignallingConnectionFailure,
            Self::CallNotFound => return None,
            Self::CreateOfferFailure
            | Self::SetLocalDescriptionFailure
            | Self::InvalidRemoteSdp
            | Self::NoRemoteIceCandidate
            | Self::SetRemoteDescriptionFailure
            | Self::MediaLost
            | Self::InvalidCallConfig => SoftphoneErrorType::WebrtcError,
        })
    }
}

impl fmt::Display for FailureReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::IceCollectionTimeout => "Ice Collection Timeout",
            Self::UserBusy => "User Busy",
            Self::SignallingHandshakeFailure => "Signalling Handshake Failure",
            Self::GumTimeoutFailure => "Gum Timeout Failure",
            Self::GumOtherFailure => "Gum Other Failure",
            Self::SignallingConnectionFailure => "Signalling Connection Failure",
            Self::CallNotFound => "Call Not Found",
            Self::CreateOfferFailure => "Create Offer Failure",
            Self::SetLocalDescriptionFailure => "Set Local Description Failure",
            Self::InvalidRemoteSdp => "Invalid Remote SDP",
            Self::NoRemoteIceCandidate => "No Remote ICE Candidate",
            Self::SetRemoteDescriptionFailure => "Set Remote Description Failure",
            Self::MediaLost => "Media Lost",
            Self::InvalidCallConfig => "Invalid Call Config",
        })
    }
}

/// Streams `SoftphoneErrorTypes` (plus the ad hoc `multiple_softphone_active_sessions`).
///
/// ```
/// use connect_softphone::session::SoftphoneErrorType;
///
/// assert_eq!(SoftphoneErrorType::MicrophoneNotShared.as_str(), "microphone_not_shared");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SoftphoneErrorType {
    /// `unsupported_browser`.
    UnsupportedBrowser,
    /// `microphone_not_shared`.
    MicrophoneNotShared,
    /// `signalling_handshake_failure`.
    SignallingHandshakeFailure,
    /// `signalling_connection_failure`.
    SignallingConnectionFailure,
    /// `ice_collection_timeout`.
    IceCollectionTimeout,
    /// `user_busy_error`.
    UserBusyError,
    /// `webrtc_error`.
    WebrtcError,
    /// `realtime_communication_error`.
    RealtimeCommunicationError,
    /// `vdi_strategy_not_supported`.
    VdiStrategyNotSupported,
    /// `vdi_redir_not_supported`.
    VdiRedirNotSupported,
    /// `other`.
    Other,
    /// `multiple_softphone_active_sessions` (published, not in the upstream enum).
    MultipleSoftphoneActiveSessions,
}

impl SoftphoneErrorType {
    /// The wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnsupportedBrowser => "unsupported_browser",
            Self::MicrophoneNotShared => "microphone_not_shared",
            Self::SignallingHandshakeFailure => "signalling_handshake_failure",
            Self::SignallingConnectionFailure => "signalling_connection_failure",
            Self::IceCollectionTimeout => "ice_collection_timeout",
            Self::UserBusyError => "user_busy_error",
            Self::WebrtcError => "webrtc_error",
            Self::RealtimeCommunicationError => "realtime_communication_error",
            Self::VdiStrategyNotSupported => "vdi_strategy_not_supported",
            Self::VdiRedirNotSupported => "vdi_redir_not_supported",
            Self::Other => "other",
            Self::MultipleSoftphoneActiveSessions => "multiple_softphone_active_sessions",
        }
    }
}

/// A setup state in which the app hung up (R4).
///
/// ```
/// use connect_softphone::session::SetupStep;
///
/// assert_ne!(SetupStep::GrabLocalMedia, SetupStep::InviteAnswer);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SetupStep {
    /// Opening the microphone.
    GrabLocalMedia,
    /// Creating the offer.
    CreateOffer,
    /// Setting the local description.
    SetLocalDescription,
    /// Connecting signaling and gathering.
    ConnectSignalingAndIceCollection,
    /// Waiting for the answer.
    InviteAnswer,
    /// Applying the answer and waiting for the accept acknowledgement.
    Accept,
    /// `connectContact` on a persistent PC.
    ConnectContact,
}

/// How a call ended (`SessionEnded.reason`).
///
/// ```
/// use connect_softphone::session::{EndReason, FailureReason};
///
/// assert!(EndReason::Failed(FailureReason::MediaLost).is_failure());
/// assert!(!EndReason::LocalHangup.is_failure());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndReason {
    /// The app hung up, or the contact ended, while Talking.
    LocalHangup,
    /// The server sent `bye`.
    RemoteHangup,
    /// The app hung up before Talking (R4; not a failure, nothing published).
    HangupDuringSetup {
        /// Where setup stood.
        step: SetupStep,
    },
    /// The server tore the PC down (`PCBye`) or the softphone shut down.
    PeerConnectionClosed,
    /// A failure.
    Failed(FailureReason),
}

impl EndReason {
    /// Whether it is a failure.
    pub fn is_failure(self) -> bool {
        matches!(self, Self::Failed(_))
    }
}
