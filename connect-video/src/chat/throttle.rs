//! [`SendThrottle`]: typing events and read/delivered receipts are rate-limited (§6.4).

use std::time::Duration;

use connect_core::model::Timestamp;

use super::seen::SeenSet;

/// Default minimum interval between typing events.
pub const DEFAULT_TYPING_INTERVAL: Duration = Duration::from_secs(5);
/// Default minimum interval between receipts of one kind.
pub const DEFAULT_RECEIPT_INTERVAL: Duration = Duration::from_secs(5);

/// Which receipt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReceiptKind {
    /// `…event.message.read`.
    Read,
    /// `…event.message.delivered`.
    Delivered,
}

/// Decides whether a typing event or receipt may be sent now: one typing event per interval,
/// one receipt of each kind per interval, and never two receipts of one kind for one message.
///
/// ```
/// use std::time::Duration;
/// use connect_core::model::Timestamp;
/// use connect_video::chat::{ReceiptKind, SendThrottle};
///
/// let mut t = SendThrottle::new(Duration::from_secs(5), Duration::from_secs(5));
/// let at = |s: i64| Timestamp::from_millis(s * 1000);
/// assert!(t.allow_typing(at(0)));
/// assert!(!t.allow_typing(at(4)));
/// assert!(t.allow_typing(at(5)));
/// assert!(t.allow_receipt(ReceiptKind::Read, "m1", at(0)));
/// assert!(t.allow_receipt(ReceiptKind::Delivered, "m1", at(0)));
/// assert!(!t.allow_receipt(ReceiptKind::Read, "m2", at(1)));
/// assert!(!t.allow_receipt(ReceiptKind::Read, "m1", at(10)));
/// assert!(t.allow_receipt(ReceiptKind::Read, "m2", at(10)));
/// ```
#[derive(Debug)]
pub struct SendThrottle {
    typing_interval: Duration,
    receipt_interval: Duration,
    last_typing: Option<Timestamp>,
    last_read: Option<Timestamp>,
    last_delivered: Option<Timestamp>,
    receipted: SeenSet,
}

fn due(last: Option<Timestamp>, interval: Duration, now: Timestamp) -> bool {
    last.is_none_or(|t| {
        now.millis_since(t) >= i64::try_from(interval.as_millis()).unwrap_or(i64::MAX)
    })
}

impl SendThrottle {
    /// A throttle with these intervals.
    pub fn new(typing_interval: Duration, receipt_interval: Duration) -> Self {
        Self {
            typing_interval,
            receipt_interval,
            last_typing: None,
            last_read: None,
            last_delivered: None,
            receipted: SeenSet::new(2_000),
        }
    }

    /// Whether a typing event may go now (and records it if so).
    pub fn allow_typing(&mut self, now: Timestamp) -> bool {
        let ok = due(self.last_typing, self.typing_interval, now);
        if ok {
            self.last_typing = Some(now);
        }
        ok
    }

    /// Whether a receipt may go now (and records it if so).
    pub fn allow_receipt(&mut self, kind: ReceiptKind, message_id: &str, now: Timestamp) -> bool {
        let key = format!("{kind:?}:{message_id}");
        let last = match kind {
            ReceiptKind::Read => &mut self.last_read,
            ReceiptKind::Delivered => &mut self.last_delivered,
        };
        if self.receipted.contains(&key) || !due(*last, self.receipt_interval, now) {
            return false;
        }
        *last = Some(now);
        self.receipted.insert(&key);
        true
    }
}
