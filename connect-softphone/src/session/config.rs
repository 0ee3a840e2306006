//! Configuration of the softphone machine: the §10 deadlines and the SDK's choices.

use std::time::Duration;

use crate::signaling::{AckPolicy, SignalingTimeouts};

/// The session deadlines of §10 (signaling ones are in [`SignalingTimeouts`]).
///
/// ```
/// use connect_softphone::session::SessionTimeouts;
///
/// let t = SessionTimeouts::default();
/// assert_eq!(t.ice_gathering.as_secs(), 8);
/// assert_eq!(t.recovery_window.as_secs(), 30);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionTimeouts {
    /// Microphone open (gUM): 10 s.
    pub microphone: Duration,
    /// ICE gathering: 8 s.
    pub ice_gathering: Duration,
    /// Extra gathering window after the upstream completion rule (R6): 500 ms.
    pub extra_gathering_window: Duration,
    /// Cross-region credential probe: 1 s, one try.
    pub credential_probe: Duration,
    /// ICE `disconnected` grace before a restart: 3 s.
    pub ice_restart_grace: Duration,
    /// ICE-restart invite retries: 3, each 1 s after a failure.
    pub ice_restart_retries: u32,
    /// Delay before an ICE-restart invite retry: 1 s.
    pub ice_restart_retry_delay: Duration,
    /// Media recovery window (R10, R11): 30 s.
    pub recovery_window: Duration,
    /// Inbound-RTP silence before `MediaDegraded`: 3 s.
    pub rtp_silence: Duration,
    /// Base of the credential-fetch backoff (R11): 500 ms.
    pub credential_backoff_base: Duration,
    /// Cap of the credential-fetch backoff: 5 s.
    pub credential_backoff_cap: Duration,
}

impl Default for SessionTimeouts {
    fn default() -> Self {
        Self {
            microphone: Duration::from_secs(10),
            ice_gathering: Duration::from_secs(8),
            extra_gathering_window: Duration::from_millis(500),
            credential_probe: Duration::from_secs(1),
            ice_restart_grace: Duration::from_secs(3),
            ice_restart_retries: 3,
            ice_restart_retry_delay: Duration::from_secs(1),
            recovery_window: Duration::from_secs(30),
            rtp_silence: Duration::from_secs(3),
            credential_backoff_base: Duration::from_millis(500),
            credential_backoff_cap: Duration::from_secs(5),
        }
    }
}

/// What happens when media is not back within the recovery window (R10).
///
/// ```
/// use connect_softphone::session::OnMediaLost;
///
/// assert_eq!(OnMediaLost::default(), OnMediaLost::FailCall);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnMediaLost {
    /// The session fails with `MEDIA_LOST`.
    #[default]
    FailCall,
    /// The call is kept (the app decides).
    KeepCall,
}

/// Configuration of a [`SoftphoneMachine`](super::SoftphoneMachine).
///
/// ```
/// use connect_softphone::session::SoftphoneConfig;
///
/// let config = SoftphoneConfig::new("browser-1", "client-1");
/// assert!(config.cross_region_check);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SoftphoneConfig {
    /// `browserId` (stable per installation).
    pub browser_id: String,
    /// Softphone client id (`CreateTransport` `softphoneClientId`; `clientId` of notifications).
    pub softphone_client_id: String,
    /// The agent's `softphonePersistentConnection` flag.
    pub persistent_connection: bool,
    /// R3 policy.
    pub ack_policy: AckPolicy,
    /// Signaling deadlines.
    pub signaling: SignalingTimeouts,
    /// Session deadlines.
    pub session: SessionTimeouts,
    /// Probe API credentials before the first offer (§2.3). Default on.
    pub cross_region_check: bool,
    /// R10 choice.
    pub on_media_lost: OnMediaLost,
    /// Base of a relative `signalingEndpoint` (default `wss://rtc.connect-telecom.us-east-1.amazonaws.com`).
    pub signaling_base: String,
    /// Seed of request ids and backoff jitter.
    pub seed: u64,
}

impl SoftphoneConfig {
    /// Defaults with these ids.
    pub fn new(browser_id: impl Into<String>, softphone_client_id: impl Into<String>) -> Self {
        Self {
            browser_id: browser_id.into(),
            softphone_client_id: softphone_client_id.into(),
            persistent_connection: false,
            ack_policy: AckPolicy::default(),
            signaling: SignalingTimeouts::default(),
            session: SessionTimeouts::default(),
            cross_region_check: true,
            on_media_lost: OnMediaLost::default(),
            signaling_base: crate::signaling::proto::default_signaling_base("us-east-1"),
            seed: 0,
        }
    }
}
