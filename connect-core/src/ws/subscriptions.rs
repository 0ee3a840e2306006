//! Per-socket subscription bookkeeping with the §5 retry constants.

use std::collections::BTreeSet;

use super::config::WsTimings;
use super::event::WsEvent;
use super::frame::SubscribeStatus;
use crate::model::Timestamp;

/// What a socket's subscription state asks for after a poll or an answer.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct SubscriptionStep {
    /// Send `aws/subscribe` for these topics.
    pub(crate) send: Option<Vec<String>>,
    /// Report this.
    pub(crate) event: Option<WsEvent>,
}

/// The subscription state of one socket.
#[derive(Debug, Default)]
pub(crate) struct Subscriptions {
    subscribed: BTreeSet<String>,
    /// Topics of the request awaiting an answer, and when it went out.
    inflight: Option<(Vec<String>, Timestamp)>,
    unanswered: u32,
    failures: u32,
    retry_at: Option<Timestamp>,
    /// Retry constants exhausted: wait for a new topic (or a new socket).
    gave_up: bool,
}

impl Subscriptions {
    /// Whether every `desired` topic is subscribed on this socket.
    pub(crate) fn covers(&self, desired: &BTreeSet<String>) -> bool {
        desired.is_subset(&self.subscribed)
    }

    /// A topic was added: a socket that gave up tries again.
    pub(crate) fn topic_added(&mut self) {
        self.gave_up = false;
    }

    /// Forgets `topic`; true if it was subscribed (an `aws/unsubscribe` is due).
    pub(crate) fn remove(&mut self, topic: &str) -> bool {
        self.subscribed.remove(topic)
    }

    /// When this state next needs a poll.
    pub(crate) fn deadline(&self, timings: &WsTimings) -> Option<Timestamp> {
        match &self.inflight {
            Some((_, sent_at)) => Some(sent_at.add_millis(millis(timings.subscribe_answer))),
            None if self.gave_up => None,
            None => self.retry_at,
        }
    }

    /// Sends what is pending, resends an unanswered request, gives up after too many.
    pub(crate) fn poll(
        &mut self,
        now: Timestamp,
        desired: &BTreeSet<String>,
        timings: &WsTimings,
    ) -> SubscriptionStep {
        if let Some((_, sent_at)) = &self.inflight {
            if now.millis_since(*sent_at) < millis(timings.subscribe_answer) {
                return SubscriptionStep::default();
            }
            self.inflight = None;
            self.unanswered += 1;
            if self.unanswered > timings.max_unanswered_subscribes {
                return self.give_up(desired);
            }
            return self.send_pending(now, desired);
        }
        if self.gave_up {
            return SubscriptionStep::default();
        }
        if let Some(at) = self.retry_at {
            if now < at {
                return SubscriptionStep::default();
            }
            self.retry_at = None;
        }
        self.send_pending(now, desired)
    }

    /// Handles an `aws/subscribe` answer.
    pub(crate) fn answer(
        &mut self,
        now: Timestamp,
        status: SubscribeStatus,
        topics: Vec<String>,
        desired: &BTreeSet<String>,
        timings: &WsTimings,
    ) -> SubscriptionStep {
        let requested = self.inflight.take().map(|(t, _)| t).unwrap_or_default();
        self.unanswered = 0;
        let topics = if topics.is_empty() { requested } else { topics };
        match status {
            SubscribeStatus::Success => {
                self.failures = 0;
                let confirmed: Vec<String> = topics
                    .into_iter()
                    .filter(|t| desired.contains(t) && self.subscribed.insert(t.clone()))
                    .collect();
                let mut step = self.poll(now, desired, timings);
                if !confirmed.is_empty() && step.event.is_none() {
                    step.event = Some(WsEvent::SubscriptionUpdate { topics: confirmed });
                }
                step
            }
            SubscribeStatus::Failure => {
                self.failures += 1;
                if self.failures >= timings.max_subscribe_failures {
                    return self.give_up(desired);
                }
                self.retry_at = Some(now.add_millis(millis(timings.subscribe_retry)));
                SubscriptionStep::default()
            }
        }
    }

    fn send_pending(&mut self, now: Timestamp, desired: &BTreeSet<String>) -> SubscriptionStep {
        let pending: Vec<String> = desired.difference(&self.subscribed).cloned().collect();
        if pending.is_empty() {
            return SubscriptionStep::default();
        }
        self.inflight = Some((pending.clone(), now));
        SubscriptionStep {
            send: Some(pending),
            event: None,
        }
    }

    fn give_up(&mut self, desired: &BTreeSet<String>) -> SubscriptionStep {
        self.gave_up = true;
        self.unanswered = 0;
        self.failures = 0;
        self.retry_at = None;
        let topics = desired.difference(&self.subscribed).cloned().collect();
        SubscriptionStep {
            send: None,
            event: Some(WsEvent::SubscriptionFailure { topics }),
        }
    }
}

/// A duration as signed milliseconds for [`Timestamp`] arithmetic.
pub(crate) fn millis(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}
