//! [`PushSource`]: decisions pushed by the host (e.g. a backend watching the traffic
//! distribution group), delivered at once.

use std::sync::Arc;

use async_trait::async_trait;
use connect_core::time::Clock;
use tokio::sync::mpsc;

use super::{ActiveRegionSource, Decision, DecisionSource, SourceContext};
use crate::FailoverError;

/// A source fed through its [`PushHandle`].
///
/// ```
/// use std::sync::Arc;
/// use connect_core::time::SystemClock;
/// use connect_failover::PushSource;
///
/// let (source, handle) = PushSource::new(Arc::new(SystemClock::default()));
/// handle.push("arn:aws:connect:us-west-2:111122223333:instance/b", false).unwrap();
/// # drop(source);
/// ```
#[derive(Debug)]
pub struct PushSource {
    decisions: mpsc::UnboundedReceiver<Decision>,
}

/// Pushes decisions into a [`PushSource`]. Cheap to clone.
#[derive(Clone, Debug)]
pub struct PushHandle {
    decisions: mpsc::UnboundedSender<Decision>,
    clock: Arc<dyn Clock>,
}

impl PushSource {
    /// A source and its handle; `clock` stamps pushed decisions.
    pub fn new(clock: Arc<dyn Clock>) -> (Self, PushHandle) {
        let (tx, rx) = mpsc::unbounded_channel();
        (
            Self { decisions: rx },
            PushHandle {
                decisions: tx,
                clock,
            },
        )
    }
}

impl PushHandle {
    /// The traffic distribution group now wants `instance_arn` (hard when
    /// `terminate_active_contacts`), observed now.
    pub fn push(
        &self,
        instance_arn: &str,
        terminate_active_contacts: bool,
    ) -> Result<(), FailoverError> {
        let decision = Decision::new(
            instance_arn,
            terminate_active_contacts,
            self.clock.now(),
            DecisionSource::Push,
        );
        self.push_decision(decision)
    }

    /// Pushes a complete decision.
    pub fn push_decision(&self, decision: Decision) -> Result<(), FailoverError> {
        self.decisions
            .send(decision)
            .map_err(|_| FailoverError::Stopped)
    }
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait(?Send))]
impl ActiveRegionSource for PushSource {
    async fn run(mut self: Box<Self>, context: SourceContext) {
        while let Some(decision) = self.decisions.recv().await {
            if !context.sink.send(decision) {
                return;
            }
        }
    }
}
