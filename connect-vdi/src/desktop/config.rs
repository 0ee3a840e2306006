//! How the desktop side reaches its engine, and what it does when it cannot.

use std::time::Duration;

use crate::platform::EngineEndpoint;
use crate::protocol::codes::PROTOCOL_VERSION;
use crate::protocol::NameVersion;
use crate::VdiError;

/// What happens to a call's media when redirection is unavailable. Never silent: both
/// outcomes emit an event and a log line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FallbackPolicy {
    /// Refuse the media with `VdiError::RedirectionUnavailable` (the default whenever a
    /// platform is configured).
    #[default]
    FailClosed,
    /// Run the media in the desktop (opt-in).
    InDesktop,
}

/// The desktop side's settings; the defaults are the protocol's timeouts.
#[derive(Clone, Debug)]
pub struct EngineClientConfig {
    /// The engine's URL and pairing token.
    pub endpoint: EngineEndpoint,
    /// This SDK, as told to the engine.
    pub client: NameVersion,
    /// Which virtual desktop this is.
    pub desktop_id: String,
    /// Protocol versions offered.
    pub protocols: Vec<u32>,
    /// `hello` deadline (2 s); also bounds opening the WebSocket.
    pub hello_timeout: Duration,
    /// Readiness deadline: `connected` after `hello` (10 s).
    pub readiness_timeout: Duration,
    /// `getUserMedia` deadline (10 s).
    pub get_user_media_timeout: Duration,
    /// Deadline of the other requests (5 s).
    pub request_timeout: Duration,
    /// ICE gathering deadline (8 s).
    pub gathering_timeout: Duration,
    /// Ping interval (500 ms).
    pub ping_interval: Duration,
    /// Silence after which the endpoint is lost (5 s).
    pub liveness_timeout: Duration,
}

impl EngineClientConfig {
    /// The defaults for this endpoint.
    pub fn new(endpoint: EngineEndpoint) -> Self {
        Self {
            endpoint,
            client: NameVersion::new("connect-vdi", env!("CARGO_PKG_VERSION")),
            desktop_id: String::new(),
            protocols: vec![PROTOCOL_VERSION],
            hello_timeout: Duration::from_secs(2),
            readiness_timeout: Duration::from_secs(10),
            get_user_media_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(5),
            gathering_timeout: Duration::from_secs(8),
            ping_interval: Duration::from_millis(500),
            liveness_timeout: Duration::from_secs(5),
        }
    }

    /// Checks the URL: `ws://` only to loopback, otherwise `wss://`.
    ///
    /// ```
    /// use connect_vdi::desktop::EngineClientConfig;
    /// use connect_vdi::platform::EngineEndpoint;
    ///
    /// let config = |url: &str| EngineClientConfig::new(EngineEndpoint { url: url.into(), token: "t".into() });
    /// assert!(config("ws://127.0.0.1:9443").validate().is_ok());
    /// assert!(config("ws://[::1]:9443/engine").validate().is_ok());
    /// assert!(config("ws://10.0.0.5:9443").validate().is_err());
    /// assert!(config("wss://endpoint.example:9443").validate().is_ok());
    /// assert!(config("http://127.0.0.1").validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<(), VdiError> {
        let url = self.endpoint.url.as_str();
        if url.starts_with("wss://") {
            return Ok(());
        }
        let Some(rest) = url.strip_prefix("ws://") else {
            return Err(VdiError::Config(format!(
                "engine URL must be ws:// or wss://: {url}"
            )));
        };
        let authority = rest.split('/').next().unwrap_or_default();
        let host = if let Some(v6) = authority.strip_prefix('[') {
            v6.split(']').next().unwrap_or_default()
        } else {
            authority
                .rsplit_once(':')
                .map_or(authority, |(host, _)| host)
        };
        let loopback = host == "localhost"
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        if loopback {
            Ok(())
        } else {
            Err(VdiError::Config(format!(
                "ws:// is allowed only to loopback; use wss:// for {host}"
            )))
        }
    }
}
