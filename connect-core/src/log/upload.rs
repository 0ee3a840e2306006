//! Upload channel 1 (`sendClientLogs`) as a sans-IO batcher: softphone entries only, sent as a
//! whole once more than 400 are waiting, and on shutdown (spec §8.2).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::entry::LogEntry;
use super::level::LogComponent;
use super::scrub::scrub_text;
use crate::model::Timestamp;

/// A batch is due once the batcher holds more than this many events.
///
/// ```
/// assert_eq!(connect_core::log::SOFTPHONE_UPLOAD_TRIGGER, 400);
/// ```
pub const SOFTPHONE_UPLOAD_TRIGGER: usize = 400;

/// The most events the batcher keeps; older ones are dropped first.
///
/// ```
/// assert_eq!(connect_core::log::SOFTPHONE_UPLOAD_CAP, 5000);
/// ```
pub const SOFTPHONE_UPLOAD_CAP: usize = 5000;

/// One element of `sendClientLogs`' `logEvents`: `{timestamp, component, message}`, with
/// `timestamp` in wire form (epoch seconds, §3.1).
///
/// ```
/// use connect_core::log::{ClientLogEvent, LogComponent};
/// use connect_core::model::Timestamp;
///
/// let event = ClientLogEvent {
///     timestamp: Timestamp::from_millis(1_500),
///     component: LogComponent::Softphone,
///     message: "ICE connected".into(),
/// };
/// assert_eq!(
///     serde_json::to_string(&event).unwrap(),
///     r#"{"timestamp":1.500,"component":"softphone","message":"ICE connected"}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientLogEvent {
    /// The entry's time.
    pub timestamp: Timestamp,
    /// The entry's component (always `softphone` from this batcher).
    pub component: LogComponent,
    /// The entry's (redacted) text.
    pub message: String,
}

/// Collects softphone-component entries for `sendClientLogs`. The driver calls
/// [`take_batch_if_due`](Self::take_batch_if_due) every 5 s and sends what it returns (failures
/// are logged, not retried), and sends [`drain`](Self::drain) on shutdown.
///
/// ```
/// use connect_core::log::{LogComponent, LogEntry, LogLevel, SoftphoneLogBatcher};
/// use connect_core::model::Timestamp;
///
/// let mut batcher = SoftphoneLogBatcher::new();
/// for i in 0..401 {
///     let entry = LogEntry::new(LogLevel::Info, format!("stat {i}"), Timestamp::from_millis(i))
///         .with_component(LogComponent::Softphone);
///     batcher.push(&entry);
/// }
/// batcher.push(&LogEntry::new(LogLevel::Info, "not softphone", Timestamp::from_millis(0)));
/// let batch = batcher.take_batch_if_due().expect("more than 400 waiting");
/// assert_eq!(batch.len(), 401);
/// assert!(batcher.take_batch_if_due().is_none());
/// ```
#[derive(Debug, Clone)]
pub struct SoftphoneLogBatcher {
    events: VecDeque<ClientLogEvent>,
    cap: usize,
    trigger: usize,
    dropped: u64,
}

impl Default for SoftphoneLogBatcher {
    fn default() -> Self {
        Self::new()
    }
}

impl SoftphoneLogBatcher {
    /// A batcher with the spec's limits: due above 400 events, capped at 5000.
    ///
    /// ```
    /// # use connect_core::log::SoftphoneLogBatcher;
    /// assert!(SoftphoneLogBatcher::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::with_limits(SOFTPHONE_UPLOAD_TRIGGER, SOFTPHONE_UPLOAD_CAP)
    }

    /// A batcher that is due above `trigger` events and keeps at most `cap` (at least 1).
    ///
    /// ```
    /// # use connect_core::{log::{LogComponent, LogEntry, LogLevel, SoftphoneLogBatcher}, model::Timestamp};
    /// let mut batcher = SoftphoneLogBatcher::with_limits(1, 2);
    /// let entry = LogEntry::new(LogLevel::Info, "x", Timestamp::from_millis(0))
    ///     .with_component(LogComponent::Softphone);
    /// for _ in 0..3 {
    ///     batcher.push(&entry);
    /// }
    /// assert_eq!((batcher.len(), batcher.dropped_count()), (2, 1));
    /// ```
    pub fn with_limits(trigger: usize, cap: usize) -> Self {
        Self {
            events: VecDeque::new(),
            cap: cap.max(1),
            trigger,
            dropped: 0,
        }
    }

    /// Queues `entry` if it is a softphone entry (its text scrubbed again, so a batcher fed
    /// directly never uploads unredacted text); returns whether it was queued.
    ///
    /// ```
    /// # use connect_core::{log::{LogComponent, LogEntry, LogLevel, SoftphoneLogBatcher}, model::Timestamp};
    /// let mut batcher = SoftphoneLogBatcher::new();
    /// let chat = LogEntry::new(LogLevel::Info, "x", Timestamp::from_millis(0)).with_component(LogComponent::Chat);
    /// assert!(!batcher.push(&chat));
    /// ```
    pub fn push(&mut self, entry: &LogEntry) -> bool {
        if entry.component != LogComponent::Softphone {
            return false;
        }
        if self.events.len() >= self.cap {
            self.events.pop_front();
            self.dropped += 1;
        }
        self.events.push_back(ClientLogEvent {
            timestamp: entry.time,
            component: entry.component.clone(),
            message: scrub_text(&entry.text),
        });
        true
    }

    /// The whole queue, once it holds more than the trigger (400); otherwise `None`.
    ///
    /// ```
    /// # use connect_core::log::SoftphoneLogBatcher;
    /// assert!(SoftphoneLogBatcher::new().take_batch_if_due().is_none());
    /// ```
    pub fn take_batch_if_due(&mut self) -> Option<Vec<ClientLogEvent>> {
        (self.events.len() > self.trigger).then(|| self.drain())
    }

    /// Everything queued, whatever the count (for shutdown).
    ///
    /// ```
    /// # use connect_core::log::SoftphoneLogBatcher;
    /// assert!(SoftphoneLogBatcher::new().drain().is_empty());
    /// ```
    pub fn drain(&mut self) -> Vec<ClientLogEvent> {
        self.events.drain(..).collect()
    }

    /// How many events are queued.
    ///
    /// ```
    /// # use connect_core::log::SoftphoneLogBatcher;
    /// assert_eq!(SoftphoneLogBatcher::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether nothing is queued.
    ///
    /// ```
    /// # use connect_core::log::SoftphoneLogBatcher;
    /// assert!(SoftphoneLogBatcher::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// How many events were dropped because the queue was full.
    ///
    /// ```
    /// # use connect_core::log::SoftphoneLogBatcher;
    /// assert_eq!(SoftphoneLogBatcher::new().dropped_count(), 0);
    /// ```
    pub fn dropped_count(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::LogLevel;

    fn first_time(batcher: &SoftphoneLogBatcher) -> Option<Timestamp> {
        batcher.events.front().map(|e| e.timestamp)
    }

    fn softphone(i: i64, text: &str) -> LogEntry {
        LogEntry::new(LogLevel::Info, text, Timestamp::from_millis(i))
            .with_component(LogComponent::Softphone)
    }

    #[test]
    fn due_only_above_400_and_takes_everything() {
        let mut batcher = SoftphoneLogBatcher::new();
        for i in 0..400 {
            assert!(batcher.push(&softphone(i, "x")));
        }
        assert!(
            batcher.take_batch_if_due().is_none(),
            "400 is not more than 400"
        );
        batcher.push(&softphone(400, "x"));
        let batch = batcher.take_batch_if_due().expect("due");
        assert_eq!(batch.len(), 401);
        assert_eq!(batch[0].timestamp, Timestamp::from_millis(0));
        assert!(batcher.is_empty());
    }

    #[test]
    fn only_softphone_entries_are_collected() {
        let mut batcher = SoftphoneLogBatcher::new();
        for component in [
            LogComponent::Ccp,
            LogComponent::Chat,
            LogComponent::Task,
            LogComponent::Other("softphone2".into()),
        ] {
            let entry = LogEntry::new(LogLevel::Info, "x", Timestamp::from_millis(0))
                .with_component(component);
            assert!(!batcher.push(&entry));
        }
        assert!(batcher.is_empty());
    }

    #[test]
    fn cap_drops_oldest_and_drain_flushes_any_count() {
        let mut batcher = SoftphoneLogBatcher::new();
        for i in 0..5003 {
            batcher.push(&softphone(i, "x"));
        }
        assert_eq!(batcher.len(), SOFTPHONE_UPLOAD_CAP);
        assert_eq!(batcher.dropped_count(), 3);
        assert_eq!(first_time(&batcher), Some(Timestamp::from_millis(3)));
        assert_eq!(batcher.drain().len(), 5000);
        batcher.push(&softphone(1, "x"));
        assert_eq!(batcher.drain().len(), 1, "shutdown flushes a short queue");
    }

    #[test]
    fn messages_are_scrubbed_and_serialise_as_log_events() {
        let mut batcher = SoftphoneLogBatcher::new();
        batcher.push(&softphone(1_000, "Dialing +15551234567"));
        let events = batcher.drain();
        assert_eq!(
            serde_json::to_string(&events).expect("serialises"),
            r#"[{"timestamp":1.000,"component":"softphone","message":"Dialing [redacted]"}]"#
        );
    }
}
