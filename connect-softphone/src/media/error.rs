//! Errors of the media engine.

/// What went wrong in a call's media.
///
/// ```
/// use connect_softphone::media::MediaError;
///
/// let error = MediaError::NoCandidates { urls: vec!["turn:127.0.0.1:3478".into()] };
/// assert!(error.is_ice_collection_timeout());
/// assert!(error.to_string().contains("turn:127.0.0.1:3478"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    /// ICE gathering ended (by any rule, including its timeout) with zero usable candidates.
    /// The session reports it as `ICE_COLLECTION_TIMEOUT`.
    #[error("ICE gathering produced no candidate (ICE servers: {})", urls.join(", "))]
    NoCandidates {
        /// The ICE server URLs that were tried, for the failure log.
        urls: Vec<String>,
    },
    /// The peer connection could not be built or configured (bad ICE server URL, …).
    #[error("peer connection setup failed: {0}")]
    Setup(String),
    /// Creating the offer or answer failed (`CREATE_OFFER_FAILURE`).
    #[error("creating the session description failed: {0}")]
    CreateDescription(String),
    /// Setting the local description failed (`SET_LOCAL_DESCRIPTION_FAILURE`).
    #[error("setting the local description failed: {0}")]
    SetLocalDescription(String),
    /// The remote SDP is empty or unusable (`INVALID_REMOTE_SDP`).
    #[error("invalid remote SDP: {0}")]
    InvalidRemoteSdp(String),
    /// The remote description carried no candidate (`NO_REMOTE_ICE_CANDIDATE`).
    #[error("the remote description has no ICE candidate")]
    NoRemoteCandidate,
    /// Setting the remote description or adding a remote candidate failed
    /// (`SET_REMOTE_DESCRIPTION_FAILURE`).
    #[error("setting the remote description failed: {0}")]
    SetRemoteDescription(String),
    /// No codec both sides support was negotiated.
    #[error("no common audio codec: {0}")]
    NoCommonCodec(String),
    /// A DTMF string holds a character outside `0-9 * # A-D ,`.
    #[error("invalid DTMF digit {0:?}")]
    InvalidDtmf(char),
    /// DTMF over RTP needs `telephone-event`, which the answer did not accept.
    #[error("telephone-event was not negotiated")]
    DtmfNotNegotiated,
    /// The credential provider could not supply fresh TURN credentials.
    #[error("fresh TURN credentials unavailable: {0}")]
    Credentials(String),
    /// An operation was called in the wrong state (e.g. an answer before an offer).
    #[error("invalid state: {0}")]
    InvalidState(&'static str),
    /// The peer has been closed.
    #[error("media peer closed")]
    Closed,
}

impl MediaError {
    /// Whether this is the zero-candidate gathering failure (`ICE_COLLECTION_TIMEOUT`).
    pub fn is_ice_collection_timeout(&self) -> bool {
        matches!(self, Self::NoCandidates { .. })
    }

    /// Whether trying again (with fresh credentials, later) may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::NoCandidates { .. } | Self::Credentials(_))
    }

    /// Whether the remote description was at fault.
    pub fn is_remote_description(&self) -> bool {
        matches!(
            self,
            Self::InvalidRemoteSdp(_)
                | Self::NoRemoteCandidate
                | Self::SetRemoteDescription(_)
                | Self::NoCommonCodec(_)
        )
    }
}
