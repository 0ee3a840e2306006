//! The journal: every state change of the simulated instance, in order, for assertions.

use std::collections::VecDeque;

use serde_json::Value;

use crate::model::{
    AgentStateType, ConnectionStateType, ConnectionType, ContactStateType, ContactType, Timestamp,
};

/// Something that happened in the simulated instance. Agents are named by username.
///
/// ```
/// use connect_core::mock::JournalEvent;
/// use connect_core::model::ContactStateType;
///
/// let e = JournalEvent::ContactState { contact: "c1".into(), state: ContactStateType::Connected };
/// assert_eq!(e.contact(), Some("c1"));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum JournalEvent {
    /// The agent's effective state changed (what `snapshot.state` shows).
    AgentState {
        /// Username.
        agent: String,
        /// State name.
        name: String,
        /// State type.
        kind: AgentStateType,
    },
    /// The agent selected a state (`putAgentState`, or a `nextState` being applied).
    SelectedState {
        /// Username.
        agent: String,
        /// State name.
        name: String,
    },
    /// The agent's `nextState` was set or cleared.
    NextState {
        /// Username.
        agent: String,
        /// State name, `None` when cleared.
        name: Option<String>,
    },
    /// The agent's snapshot changed and got a new version.
    SnapshotVersion {
        /// Username.
        agent: String,
        /// The new version.
        version: u64,
    },
    /// A contact entered a queue (new, re-queued or transferred).
    Enqueued {
        /// Contact id.
        contact: String,
        /// Channel.
        kind: ContactType,
        /// Queue name.
        queue: String,
    },
    /// A contact was offered to (routed to) an agent.
    Offered {
        /// Contact id.
        contact: String,
        /// Username.
        agent: String,
    },
    /// A contact changed state.
    ContactState {
        /// Contact id.
        contact: String,
        /// New state.
        state: ContactStateType,
    },
    /// A connection changed state (or appeared).
    ConnectionState {
        /// Contact id.
        contact: String,
        /// Connection id.
        connection: String,
        /// Connection type.
        kind: ConnectionType,
        /// New state.
        state: ConnectionStateType,
    },
    /// A contact left an agent's snapshot.
    Removed {
        /// Contact id.
        contact: String,
        /// Username.
        agent: String,
    },
    /// The customer left before an agent connected.
    Abandoned {
        /// Contact id.
        contact: String,
    },
    /// The customer side ended a contact (`hang_up` or `drop`).
    CustomerLeft {
        /// Contact id.
        contact: String,
        /// `hang_up` or `drop`.
        how: &'static str,
    },
    /// DTMF digits were sent on a connection.
    Digits {
        /// Contact id.
        contact: String,
        /// Connection id.
        connection: String,
        /// The digits.
        digits: String,
    },
    /// A connection was muted or unmuted.
    Mute {
        /// Contact id.
        contact: String,
        /// Connection id.
        connection: String,
        /// Muted?
        muted: bool,
    },
    /// A monitoring connection changed mode.
    MonitorMode {
        /// Contact id.
        contact: String,
        /// Username of the supervisor.
        agent: String,
        /// `SILENT_MONITOR` or `BARGE`.
        mode: String,
    },
    /// A client call that records data: `sendClientLogs`, `sendSoftphoneCallMetrics`,
    /// `sendSoftphoneCallReport`, `notifyContactIssue`, `updateAgentConfiguration`,
    /// `createTransport`, with the request as JSON.
    Recorded {
        /// Username.
        agent: String,
        /// The client method (`sendClientLogs`, ...).
        method: &'static str,
        /// The request's members.
        payload: Value,
    },
    /// A fault was injected into a call.
    Fault {
        /// Username.
        agent: String,
        /// The operation.
        operation: &'static str,
        /// What was done (the error code, `latency`, `stall`).
        what: String,
    },
}

impl JournalEvent {
    /// The contact this event is about, if any.
    ///
    /// ```
    /// # use connect_core::mock::JournalEvent;
    /// let e = JournalEvent::SelectedState { agent: "a".into(), name: "Break".into() };
    /// assert_eq!(e.contact(), None);
    /// ```
    pub fn contact(&self) -> Option<&str> {
        match self {
            Self::Enqueued { contact, .. }
            | Self::Offered { contact, .. }
            | Self::ContactState { contact, .. }
            | Self::ConnectionState { contact, .. }
            | Self::Removed { contact, .. }
            | Self::Abandoned { contact }
            | Self::CustomerLeft { contact, .. }
            | Self::Digits { contact, .. }
            | Self::Mute { contact, .. }
            | Self::MonitorMode { contact, .. } => Some(contact),
            _ => None,
        }
    }

    /// The agent (username) this event is about, if any.
    ///
    /// ```
    /// # use connect_core::mock::JournalEvent;
    /// let e = JournalEvent::SelectedState { agent: "a".into(), name: "Break".into() };
    /// assert_eq!(e.agent(), Some("a"));
    /// ```
    pub fn agent(&self) -> Option<&str> {
        match self {
            Self::AgentState { agent, .. }
            | Self::SelectedState { agent, .. }
            | Self::NextState { agent, .. }
            | Self::SnapshotVersion { agent, .. }
            | Self::Offered { agent, .. }
            | Self::Removed { agent, .. }
            | Self::MonitorMode { agent, .. }
            | Self::Recorded { agent, .. }
            | Self::Fault { agent, .. } => Some(agent),
            _ => None,
        }
    }
}

/// One journal line: a sequence number, the simulated time and the event.
///
/// ```
/// use connect_core::mock::{Journal, JournalEvent};
/// use connect_core::model::Timestamp;
///
/// let mut journal = Journal::default();
/// journal.record(Timestamp::from_millis(5), JournalEvent::Abandoned { contact: "c".into() });
/// let entry = &journal.entries()[0];
/// assert_eq!((entry.seq, entry.at.as_millis()), (0, 5));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct JournalEntry {
    /// Position in the journal since the instance started (never reused).
    pub seq: u64,
    /// Simulated time.
    pub at: Timestamp,
    /// What happened.
    pub event: JournalEvent,
}

/// The ordered record of an instance, bounded (default 200 000 entries; the oldest are dropped
/// first).
///
/// ```
/// use connect_core::mock::{Journal, JournalEvent};
/// use connect_core::model::{ContactStateType, Timestamp};
///
/// let mut journal = Journal::default();
/// let t = Timestamp::from_millis(0);
/// journal.record(t, JournalEvent::ContactState { contact: "c".into(), state: ContactStateType::Connecting });
/// journal.record(t, JournalEvent::ContactState { contact: "c".into(), state: ContactStateType::Connected });
/// assert_eq!(journal.contact_states("c"), [ContactStateType::Connecting, ContactStateType::Connected]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Journal {
    entries: VecDeque<JournalEntry>,
    next_seq: u64,
    capacity: usize,
}

impl Default for Journal {
    fn default() -> Self {
        Self::with_capacity(200_000)
    }
}

impl Journal {
    /// A journal that keeps at most `capacity` entries.
    ///
    /// ```
    /// # use connect_core::mock::{Journal, JournalEvent};
    /// # use connect_core::model::Timestamp;
    /// let mut j = Journal::with_capacity(1);
    /// j.record(Timestamp::from_millis(0), JournalEvent::Abandoned { contact: "a".into() });
    /// j.record(Timestamp::from_millis(0), JournalEvent::Abandoned { contact: "b".into() });
    /// assert_eq!(j.entries().len(), 1);
    /// assert_eq!(j.entries()[0].seq, 1);
    /// ```
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: VecDeque::new(),
            next_seq: 0,
            capacity: capacity.max(1),
        }
    }

    /// Appends an event.
    ///
    /// ```
    /// # use connect_core::mock::{Journal, JournalEvent};
    /// # use connect_core::model::Timestamp;
    /// let mut j = Journal::default();
    /// j.record(Timestamp::from_millis(1), JournalEvent::Abandoned { contact: "a".into() });
    /// assert_eq!(j.len(), 1);
    /// ```
    pub fn record(&mut self, at: Timestamp, event: JournalEvent) {
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back(JournalEntry {
            seq: self.next_seq,
            at,
            event,
        });
        self.next_seq += 1;
    }

    /// All kept entries, oldest first.
    ///
    /// ```
    /// # use connect_core::mock::Journal;
    /// assert!(Journal::default().entries().is_empty());
    /// ```
    pub fn entries(&self) -> Vec<JournalEntry> {
        self.entries.iter().cloned().collect()
    }

    /// Iterates over the kept entries, oldest first.
    ///
    /// ```
    /// # use connect_core::mock::Journal;
    /// assert_eq!(Journal::default().iter().count(), 0);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = &JournalEntry> {
        self.entries.iter()
    }

    /// Number of kept entries.
    ///
    /// ```
    /// # use connect_core::mock::Journal;
    /// assert_eq!(Journal::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing was recorded (or everything was dropped).
    ///
    /// ```
    /// # use connect_core::mock::Journal;
    /// assert!(Journal::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The sequence number the next entry will get: remember it to read only what follows.
    ///
    /// ```
    /// # use connect_core::mock::Journal;
    /// assert_eq!(Journal::default().next_seq(), 0);
    /// ```
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Entries with `seq >= from`.
    ///
    /// ```
    /// # use connect_core::mock::{Journal, JournalEvent};
    /// # use connect_core::model::Timestamp;
    /// let mut j = Journal::default();
    /// j.record(Timestamp::from_millis(0), JournalEvent::Abandoned { contact: "a".into() });
    /// let mark = j.next_seq();
    /// j.record(Timestamp::from_millis(0), JournalEvent::Abandoned { contact: "b".into() });
    /// assert_eq!(j.since(mark).len(), 1);
    /// ```
    pub fn since(&self, from: u64) -> Vec<JournalEntry> {
        self.entries
            .iter()
            .filter(|e| e.seq >= from)
            .cloned()
            .collect()
    }

    /// The states contact `contact` went through, in order.
    ///
    /// ```
    /// # use connect_core::mock::Journal;
    /// assert!(Journal::default().contact_states("x").is_empty());
    /// ```
    pub fn contact_states(&self, contact: &str) -> Vec<ContactStateType> {
        self.entries
            .iter()
            .filter_map(|e| match &e.event {
                JournalEvent::ContactState { contact: c, state } if c == contact => {
                    Some(state.clone())
                }
                _ => None,
            })
            .collect()
    }

    /// The effective state names agent `username` went through, in order.
    ///
    /// ```
    /// # use connect_core::mock::Journal;
    /// assert!(Journal::default().agent_states("jdoe").is_empty());
    /// ```
    pub fn agent_states(&self, username: &str) -> Vec<String> {
        self.entries
            .iter()
            .filter_map(|e| match &e.event {
                JournalEvent::AgentState { agent, name, .. } if agent == username => {
                    Some(name.clone())
                }
                _ => None,
            })
            .collect()
    }

    /// The events only (no sequence numbers or times), for comparing two runs.
    ///
    /// ```
    /// # use connect_core::mock::Journal;
    /// assert!(Journal::default().events().is_empty());
    /// ```
    pub fn events(&self) -> Vec<JournalEvent> {
        self.entries.iter().map(|e| e.event.clone()).collect()
    }
}
