//! The coordinator's settings and each region's configuration.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use connect_core::api::CtiApi;
use connect_core::model::ContactType;
use connect_core::ws::WsManagerBuilder;

use crate::coordinator::{MachineSettings, DEFAULT_BLOCKING_CHANNELS};
use crate::source::DEFAULT_REGION_DEAD_AFTER;
use crate::RegionInfo;

/// What happens to an offer routed to the agent in a suppressed region.
///
/// ```
/// use connect_failover::InactiveOfferPolicy;
/// assert_eq!(InactiveOfferPolicy::default(), InactiveOfferPolicy::Reject);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InactiveOfferPolicy {
    /// `rejectContact` at once, so the service routes the contact elsewhere.
    #[default]
    Reject,
    /// Hide it: it rings out (the agent lands in `MissedCallAgent` in that region), as upstream.
    Hide,
}

/// Timers and policies of a [`FailoverCoordinator`](crate::FailoverCoordinator).
///
/// ```
/// use connect_failover::FailoverSettings;
/// let s = FailoverSettings::default();
/// assert_eq!(s.region_dead_after.as_secs(), 30);
/// assert_eq!(s.machine.initiate_timeout.as_secs(), 20);
/// ```
#[derive(Clone, Debug)]
pub struct FailoverSettings {
    /// The state machine's timers (`pending_timeout`, `initiate_timeout`).
    pub machine: MachineSettings,
    /// A region with no successful call for this long is impaired (30 s).
    pub region_dead_after: Duration,
    /// Offers in suppressed regions: rejected (default) or hidden.
    pub inactive_offer_policy: InactiveOfferPolicy,
    /// Channels whose contacts block a soft failover (voice, queued callback, chat).
    pub blocking_channels: Vec<ContactType>,
    /// How often timers, health and enforcement are checked without other activity (1 s).
    pub tick: Duration,
    /// Per-attempt timeout of the coordinator's own CTI calls (10 s).
    pub request_timeout: Duration,
}

impl Default for FailoverSettings {
    fn default() -> Self {
        Self {
            machine: MachineSettings::default(),
            region_dead_after: DEFAULT_REGION_DEAD_AFTER,
            inactive_offer_policy: InactiveOfferPolicy::default(),
            blocking_channels: DEFAULT_BLOCKING_CHANNELS.to_vec(),
            tick: Duration::from_secs(1),
            request_timeout: Duration::from_secs(10),
        }
    }
}

/// Makes the builder of a region's CCP WebSocket, once per connection of its session.
pub type WebSocketFactory = Arc<dyn Fn() -> WsManagerBuilder + Send + Sync>;

/// One region: who it is, the CTI API of its session (its own endpoint and tokens) and,
/// optionally, its CCP WebSocket.
#[derive(Clone)]
pub struct RegionConfig {
    /// Name, instance ARN and CCP URL.
    pub info: RegionInfo,
    /// The region's CTI API (an `HttpCti` for its endpoint, or a simulator).
    pub api: Arc<dyn CtiApi>,
    /// The region's CCP WebSocket, if its session should have one (see
    /// [`websocket`](Self::websocket)).
    pub websocket: Option<WebSocketFactory>,
}

impl fmt::Debug for RegionConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegionConfig")
            .field("info", &self.info)
            .field("websocket", &self.websocket.is_some())
            .finish_non_exhaustive()
    }
}

impl RegionConfig {
    /// Region `name` whose instance is `instance_arn`, reached through `api`.
    pub fn new(
        name: impl Into<String>,
        instance_arn: impl Into<String>,
        api: impl CtiApi + 'static,
    ) -> Self {
        Self {
            info: RegionInfo::new(name, instance_arn),
            api: Arc::new(api),
            websocket: None,
        }
    }

    /// Gives the region's agent session a CCP WebSocket: the coordinator connects one from
    /// `builder` each time it connects the session, so that the session (from
    /// [`FailoverCoordinator::session`](crate::FailoverCoordinator::session)) carries what
    /// needs the WebSocket, a softphone on `aws/softphone` among them. Without it the region's
    /// session polls only.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// use connect_core::{auth::StaticToken, http::HttpCti, ws::{WsManager, WsUrlSource}};
    /// use connect_failover::RegionConfig;
    ///
    /// let api = HttpCti::builder("https://east.my.connect.aws")
    ///     .auth(Arc::new(StaticToken::new("t"))).build().unwrap();
    /// let urls: Arc<dyn WsUrlSource> = Arc::new(api.clone());
    /// let east = RegionConfig::new("us-east-1", "arn:aws:connect:us-east-1:1:instance/e", api)
    ///     .websocket(move || WsManager::builder(Arc::clone(&urls)));
    /// assert!(east.websocket.is_some());
    /// ```
    pub fn websocket(
        mut self,
        builder: impl Fn() -> WsManagerBuilder + Send + Sync + 'static,
    ) -> Self {
        self.websocket = Some(Arc::new(builder));
        self
    }

    /// Sets the region's CCP URL.
    pub fn ccp_url(mut self, url: impl Into<String>) -> Self {
        self.info.ccp_url = Some(url.into());
        self
    }
}
