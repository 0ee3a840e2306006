//! The per-call report the session builds: tri-state failure flags, step timings and the SDK's
//! own telemetry (credential source, acknowledgements, ICE restarts).

use connect_core::model::Timestamp;

use super::reason::FailureReason;
use crate::signaling::proto::CredentialSource;

/// Tri-state report flags: `None` = step never evaluated, `Some(false)` = passed,
/// `Some(true)` = failed.
///
/// ```
/// use connect_softphone::session::{FailureFlags, FailureReason};
///
/// let mut flags = FailureFlags::default();
/// flags.fail(FailureReason::UserBusy);
/// assert_eq!(flags.user_busy_failure, Some(true));
/// assert_eq!(flags.handshake_failure, Some(true));
/// assert_eq!(flags.ice_collection_failure, None);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FailureFlags {
    /// `iceCollectionFailure`.
    pub ice_collection_failure: Option<bool>,
    /// `signallingConnectionFailure`.
    pub signalling_connection_failure: Option<bool>,
    /// `handshakeFailure`.
    pub handshake_failure: Option<bool>,
    /// `gumOtherFailure`.
    pub gum_other_failure: Option<bool>,
    /// `gumTimeoutFailure`.
    pub gum_timeout_failure: Option<bool>,
    /// `createOfferFailure`.
    pub create_offer_failure: Option<bool>,
    /// `setLocalDescriptionFailure`.
    pub set_local_description_failure: Option<bool>,
    /// `userBusyFailure`.
    pub user_busy_failure: Option<bool>,
    /// `invalidRemoteSDPFailure`.
    pub invalid_remote_sdp_failure: Option<bool>,
    /// `noRemoteIceCandidateFailure`.
    pub no_remote_ice_candidate_failure: Option<bool>,
    /// `setRemoteDescriptionFailure`.
    pub set_remote_description_failure: Option<bool>,
}

impl FailureFlags {
    /// Sets the flags a failure reason reports (§7) to true.
    pub fn fail(&mut self, reason: FailureReason) {
        let t = Some(true);
        match reason {
            FailureReason::IceCollectionTimeout => self.ice_collection_failure = t,
            FailureReason::UserBusy => {
                self.user_busy_failure = t;
                self.handshake_failure = t;
            }
            FailureReason::SignallingHandshakeFailure | FailureReason::CallNotFound => {
                self.handshake_failure = t;
            }
            FailureReason::GumTimeoutFailure => self.gum_timeout_failure = t,
            FailureReason::GumOtherFailure => self.gum_other_failure = t,
            FailureReason::SignallingConnectionFailure => self.signalling_connection_failure = t,
            FailureReason::CreateOfferFailure => self.create_offer_failure = t,
            FailureReason::SetLocalDescriptionFailure => self.set_local_description_failure = t,
            FailureReason::InvalidRemoteSdp => self.invalid_remote_sdp_failure = t,
            FailureReason::NoRemoteIceCandidate => self.no_remote_ice_candidate_failure = t,
            FailureReason::SetRemoteDescriptionFailure => self.set_remote_description_failure = t,
            FailureReason::MediaLost | FailureReason::InvalidCallConfig => {}
        }
    }
}

/// ICE-restart counters (§5.5 step 6).
///
/// ```
/// use connect_softphone::session::IceRestartCounters;
///
/// assert_eq!(IceRestartCounters::default().ice_restart_attempts, 0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IceRestartCounters {
    /// `iceRestartAttempts`.
    pub ice_restart_attempts: u32,
    /// `iceRestartSuccesses`.
    pub ice_restart_successes: u32,
    /// `iceRestartInviteRetries`.
    pub ice_restart_invite_retries: u32,
    /// `iceRestartTimeMillis` of the last success.
    pub ice_restart_time_millis: Option<i64>,
    /// `iceRestartFailed`.
    pub ice_restart_failed: bool,
}

/// What one call's session measured and decided; the stats layer turns it into the CTI call
/// report.
///
/// ```
/// use connect_softphone::session::SessionReport;
///
/// let r = SessionReport::default();
/// assert_eq!(r.accept_acknowledged, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SessionReport {
    /// `callStartTime` (session trigger).
    pub call_start_time: Option<Timestamp>,
    /// `callEndTime`.
    pub call_end_time: Option<Timestamp>,
    /// `gumTimeMillis`.
    pub gum_time_millis: Option<i64>,
    /// `initializationTimeMillis` (trigger → invite sent).
    pub initialization_time_millis: Option<i64>,
    /// `iceCollectionTimeMillis`.
    pub ice_collection_time_millis: Option<i64>,
    /// `signallingConnectTimeMillis`.
    pub signalling_connect_time_millis: Option<i64>,
    /// `handshakeTimeMillis` (invite sent → handshake done).
    pub handshake_time_millis: Option<i64>,
    /// `preTalkTimeMillis` (trigger → Talking).
    pub pre_talk_time_millis: Option<i64>,
    /// `talkTimeMillis`.
    pub talk_time_millis: Option<i64>,
    /// `cleanupTimeMillis`.
    pub cleanup_time_millis: Option<i64>,
    /// Failure flags.
    pub flags: FailureFlags,
    /// `iceCredentialSource`.
    pub ice_credential_source: Option<CredentialSource>,
    /// `isContactCredentialsDifferentRegion`.
    pub is_contact_credentials_different_region: Option<bool>,
    /// `isMediaClusterPath`.
    pub is_media_cluster_path: Option<bool>,
    /// `acceptAcknowledged` (R3).
    pub accept_acknowledged: Option<bool>,
    /// `byeAcknowledged` (R12).
    pub bye_acknowledged: Option<bool>,
    /// Whether the call used a persistent peer connection.
    pub persistent_connection: bool,
    /// `firstRTPTimeMillis` (Talking → first inbound RTP).
    pub first_rtp_time_millis: Option<i64>,
    /// ICE restarts during the call.
    pub ice_restarts: IceRestartCounters,
}
