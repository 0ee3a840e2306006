//! [`SoftphoneHandover`]: the media layer's side of a failover, over one softphone per region.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;
use connect_softphone::manager::{SoftphoneEvent, SoftphoneManager, SoftphoneManagerError};
use tokio::sync::broadcast;

use super::HandoverStep;
use crate::{MediaHandover, MediaHandoverHook};

/// Steps a slow subscriber may fall behind by.
const STEP_QUEUE: usize = 64;

/// Hands the softphone over between regions (spec §3.7). Each region has its own softphone
/// (its own agent session, softphone client id and TURN credentials, fetched from its own
/// endpoint; credentials are never shared across regions). On every hand-over it:
///
/// - pre-warms the region moved to: fresh TURN credentials from that region's endpoint
///   (`CreateTransport` softphone), so the first call there does not wait for them;
/// - hard: hangs the softphone calls of the region left up at once;
/// - releases the region left once no call of it is live: its peer connections (persistent
///   ones included) are closed; a hand-over back to that region in the meantime cancels it.
///
/// It runs on the coordinator's hook task: errors are logged and reported as
/// [`HandoverStep::Failed`], never a panic, and the failover never waits for it.
///
/// ```no_run
/// # async fn demo(
/// #     east: connect_softphone::manager::SoftphoneManager,
/// #     west: connect_softphone::manager::SoftphoneManager,
/// #     builder: connect_failover::FailoverCoordinatorBuilder,
/// # ) {
/// use std::sync::Arc;
/// use connect_failover::softphone::SoftphoneHandover;
///
/// let handover = Arc::new(SoftphoneHandover::new().region("us-east-1", east).region("us-west-2", west));
/// let mut steps = handover.subscribe();
/// let builder = builder.media_hook(handover.clone());
/// while let Ok(step) = steps.recv().await {
///     println!("softphone hand-over: {step:?}");
/// }
/// # let _ = builder;
/// # }
/// ```
#[derive(Debug)]
pub struct SoftphoneHandover {
    softphones: Mutex<BTreeMap<String, SoftphoneManager>>,
    steps: broadcast::Sender<HandoverStep>,
    /// The region the latest hand-over moved to (it is not released).
    target: Mutex<Option<String>>,
}

impl Default for SoftphoneHandover {
    fn default() -> Self {
        Self::new()
    }
}

impl SoftphoneHandover {
    /// A hand-over with no softphone yet.
    pub fn new() -> Self {
        Self {
            softphones: Mutex::new(BTreeMap::new()),
            steps: broadcast::channel(STEP_QUEUE).0,
            target: Mutex::new(None),
        }
    }

    /// The softphone of region `name` (attached to that region's agent session).
    pub fn region(self, name: impl Into<String>, softphone: SoftphoneManager) -> Self {
        self.attach(name, softphone);
        self
    }

    /// Adds or replaces the softphone of region `name` while the hand-over is in use: for a
    /// softphone on the coordinator's own regional session, which exists only once the
    /// coordinator is connected (see [`RegionConfig::websocket`](crate::RegionConfig::websocket)).
    pub fn attach(&self, name: impl Into<String>, softphone: SoftphoneManager) {
        self.softphones_map().insert(name.into(), softphone);
    }

    /// The softphone of region `name`.
    pub fn softphone(&self, name: &str) -> Option<SoftphoneManager> {
        self.softphones_map().get(name).cloned()
    }

    fn softphones_map(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, SoftphoneManager>> {
        self.softphones
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// A new subscriber to the steps; it sees steps from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<HandoverStep> {
        self.steps.subscribe()
    }

    fn report(&self, step: HandoverStep) {
        match &step {
            HandoverStep::Failed { .. } | HandoverStep::NoSoftphone { .. } => {
                tracing::warn!(target: "connect_failover", ?step, "softphone hand-over")
            }
            _ => tracing::info!(target: "connect_failover", ?step, "softphone hand-over"),
        }
        let _ = self.steps.send(step);
    }

    fn failed(&self, region: &str, action: &'static str, error: &SoftphoneManagerError) {
        self.report(HandoverStep::Failed {
            region: region.to_owned(),
            action,
            error: error.to_string(),
        });
    }

    fn softphone_of(&self, region: &str) -> Option<SoftphoneManager> {
        let softphone = self.softphone(region);
        if softphone.is_none() {
            self.report(HandoverStep::NoSoftphone {
                region: region.to_owned(),
            });
        }
        softphone
    }

    fn is_target(&self, region: &str) -> bool {
        self.target
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_deref()
            == Some(region)
    }

    /// Fresh TURN credentials for the region moved to.
    async fn prewarm(&self, region: &str) {
        let Some(softphone) = self.softphone_of(region) else {
            return;
        };
        match softphone.prewarm().await {
            Ok(turn_urls) => self.report(HandoverStep::Prewarmed {
                region: region.to_owned(),
                turn_urls,
            }),
            Err(error) => self.failed(region, "prewarm", &error),
        }
    }

    /// Hard: ends every softphone call of the region left.
    async fn hang_up(&self, region: &str, softphone: &SoftphoneManager) {
        let mut contact_ids = Vec::new();
        for call in softphone.calls().await {
            match softphone.hang_up(&call.contact_id).await {
                Ok(()) => contact_ids.push(call.contact_id),
                // Already over (the contact ended first).
                Err(error) if error.is_no_such_call() => {}
                Err(error) => self.failed(region, "hang_up", &error),
            }
        }
        self.report(HandoverStep::HungUp {
            region: region.to_owned(),
            contact_ids,
        });
    }

    /// Closes the region's peer connections once none of its calls is live.
    async fn release_when_idle(&self, region: &str, softphone: &SoftphoneManager) {
        // Subscribed before the first check, so that no call end is missed.
        let mut events = softphone.subscribe();
        loop {
            if self.is_target(region) {
                tracing::info!(target: "connect_failover", %region,
                    "softphone release skipped: the region is the hand-over target again");
                return;
            }
            match softphone.release_idle().await {
                Ok(peer_connections) => {
                    return self.report(HandoverStep::Released {
                        region: region.to_owned(),
                        peer_connections,
                    })
                }
                Err(SoftphoneManagerError::CallsActive { count }) => {
                    tracing::info!(target: "connect_failover", %region, count,
                        "softphone release waits for the live calls to end");
                }
                Err(error) => return self.failed(region, "release", &error),
            }
            loop {
                match events.recv().await {
                    Some(SoftphoneEvent::Ended { .. } | SoftphoneEvent::Lagged { .. }) => break,
                    Some(_) => {}
                    // The softphone stopped: nothing left to release.
                    None => return,
                }
            }
        }
    }

    /// The region left: hard hang-up, then release once idle.
    async fn leave(&self, region: &str, hard: bool) {
        let Some(softphone) = self.softphone_of(region) else {
            return;
        };
        if hard {
            self.hang_up(region, &softphone).await;
        }
        self.release_when_idle(region, &softphone).await;
    }
}

#[async_trait]
impl MediaHandoverHook for SoftphoneHandover {
    async fn on_handover(&self, handover: MediaHandover) {
        tracing::info!(target: "connect_failover", from = %handover.from, to = %handover.to,
            hard = handover.hard, "softphone hand-over");
        *self.target.lock().unwrap_or_else(PoisonError::into_inner) = Some(handover.to.clone());
        futures::join!(
            self.prewarm(&handover.to),
            self.leave(&handover.from, handover.hard)
        );
    }
}
