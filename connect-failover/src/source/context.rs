//! What a source is given: the regions (with their CTI APIs), the clock, the shared
//! [`RegionBoard`] (health and active region), and the [`DecisionSink`] it reports to.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use connect_core::api::CtiApi;
use connect_core::time::Clock;

use super::Decision;
use crate::{RegionHealth, RegionInfo};

/// A source of active-region decisions. The coordinator runs every source it is given on its
/// own task and merges their decisions (newest observation wins; duplicates are dropped).
///
/// ```
/// use connect_failover::source::{ActiveRegionSource, SourceContext};
///
/// /// A source that never decides (e.g. while a backend is being wired).
/// struct Silent;
///
/// #[async_trait::async_trait]
/// impl ActiveRegionSource for Silent {
///     async fn run(self: Box<Self>, _context: SourceContext) {}
/// }
/// ```
#[cfg_attr(not(target_arch = "wasm32"), async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait(?Send))]
pub trait ActiveRegionSource: Send + 'static {
    /// Runs until the coordinator stops (the sink then refuses decisions) or the source has
    /// nothing more to say.
    async fn run(self: Box<Self>, context: SourceContext);
}

/// One region as a source sees it: who it is, and the CTI API of its session.
#[derive(Clone, Debug)]
pub struct SourceRegion {
    /// The region.
    pub info: RegionInfo,
    /// Its CTI API (calls through it count towards the region's health).
    pub api: Arc<dyn CtiApi>,
}

/// Everything a source needs.
#[derive(Clone, Debug)]
pub struct SourceContext {
    /// The regions, primary first.
    pub regions: Vec<SourceRegion>,
    /// The coordinator's clock.
    pub clock: Arc<dyn Clock>,
    /// Region health and the active region, kept current by the coordinator.
    pub board: RegionBoard,
    /// Where decisions go.
    pub sink: DecisionSink,
}

/// Where a source sends its decisions.
#[derive(Clone)]
pub struct DecisionSink {
    send: Arc<dyn Fn(Decision) -> bool + Send + Sync>,
}

impl fmt::Debug for DecisionSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecisionSink").finish_non_exhaustive()
    }
}

impl DecisionSink {
    /// A sink calling `send` for every decision; `send` answers false once nobody listens.
    ///
    /// ```
    /// use connect_core::model::Timestamp;
    /// use connect_failover::source::DecisionSink;
    /// use connect_failover::{Decision, DecisionSource};
    ///
    /// let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    /// let sink = DecisionSink::new(move |d| tx.send(d).is_ok());
    /// assert!(sink.send(Decision::new("arn", false, Timestamp::from_millis(0), DecisionSource::Push)));
    /// assert!(rx.try_recv().is_ok());
    /// ```
    pub fn new(send: impl Fn(Decision) -> bool + Send + Sync + 'static) -> Self {
        Self {
            send: Arc::new(send),
        }
    }

    /// Reports a decision; false when the coordinator has stopped.
    pub fn send(&self, decision: Decision) -> bool {
        (self.send)(decision)
    }
}

#[derive(Debug, Default)]
struct Board {
    health: BTreeMap<String, RegionHealth>,
    active: Option<String>,
}

/// The coordinator's view of region health and of the active region, shared with sources.
///
/// ```
/// use connect_failover::{source::RegionBoard, RegionHealth};
///
/// let board = RegionBoard::default();
/// board.set_active(Some("east"));
/// board.set_health("east", RegionHealth::Impaired);
/// assert!(board.active_impaired());
/// assert_eq!(board.health("west"), RegionHealth::Healthy);
/// ```
#[derive(Clone, Debug, Default)]
pub struct RegionBoard {
    inner: Arc<Mutex<Board>>,
}

impl RegionBoard {
    fn lock(&self) -> std::sync::MutexGuard<'_, Board> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The health of `region` (healthy until reported otherwise).
    pub fn health(&self, region: &str) -> RegionHealth {
        self.lock()
            .health
            .get(region)
            .copied()
            .unwrap_or(RegionHealth::Healthy)
    }

    /// Records the health of `region`.
    pub fn set_health(&self, region: &str, health: RegionHealth) {
        self.lock().health.insert(region.to_owned(), health);
    }

    /// The region the agent works in.
    pub fn active(&self) -> Option<String> {
        self.lock().active.clone()
    }

    /// Records the region the agent works in.
    pub fn set_active(&self, region: Option<&str>) {
        self.lock().active = region.map(str::to_owned);
    }

    /// Whether the active region is impaired (the poller then polls in burst mode).
    pub fn active_impaired(&self) -> bool {
        let board = self.lock();
        board
            .active
            .as_ref()
            .and_then(|a| board.health.get(a))
            .is_some_and(|h| *h == RegionHealth::Impaired)
    }
}
