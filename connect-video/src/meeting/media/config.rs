//! How a meeting media peer is set up.

use std::time::Duration;

use connect_softphone::media::{IcePolicy, IceServer};

/// What a peer carries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PeerMode {
    /// An attendee: Opus audio both ways, a camera that is off until started, and receive
    /// slots for remote video.
    #[default]
    Attendee,
    /// A content share (`<attendee>#content`): one send-only video stream, receiving nothing.
    ContentShare,
}

/// The configuration of a [`MeetingPeer`](super::MeetingPeer).
///
/// ```
/// use connect_softphone::media::{IcePolicy, IceServer};
/// use connect_video::meeting::media::MeetingPeerConfig;
///
/// let turn = IceServer::new(["turn:127.0.0.1:3478?transport=udp"], "1700000000:a", "secret");
/// let config = MeetingPeerConfig::new(vec![turn]).loopback();
/// assert_eq!(config.ice_policy, IcePolicy::Relay);
/// assert!(!format!("{config:?}").contains("secret"));
/// ```
#[derive(Clone, Debug)]
pub struct MeetingPeerConfig {
    /// The TURN servers of `JOIN_ACK`.
    pub ice_servers: Vec<IceServer>,
    /// Which candidates ICE may use (default relay-only, as the browser SDK does with TURN).
    pub ice_policy: IcePolicy,
    /// Local UDP addresses to bind (default `0.0.0.0:0`).
    pub bind_addrs: Vec<String>,
    /// How long a description waits for ICE gathering before it is sent with what was found.
    pub gather_timeout: Duration,
}

impl MeetingPeerConfig {
    /// An attendee peer relaying through these servers.
    pub fn new(ice_servers: Vec<IceServer>) -> Self {
        Self {
            ice_servers,
            ice_policy: IcePolicy::Relay,
            bind_addrs: vec!["0.0.0.0:0".to_owned()],
            gather_timeout: Duration::from_secs(10),
        }
    }

    /// Binds to `127.0.0.1` (for simulators on loopback).
    pub fn loopback(mut self) -> Self {
        self.bind_addrs = vec!["127.0.0.1:0".to_owned()];
        self
    }

    /// Another ICE policy.
    pub fn with_ice_policy(mut self, policy: IcePolicy) -> Self {
        self.ice_policy = policy;
        self
    }
}
