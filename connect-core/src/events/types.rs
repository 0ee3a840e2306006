//! The events a session delivers: agent events and per-contact events.

use std::sync::Arc;

use crate::model::{AgentConfiguration, AgentSnapshot, AgentState, ConnectionStateType, Contact};

/// Everything an agent session reports, in order.
///
/// Events from one snapshot form an uninterrupted batch that ends with [`AgentEvent::Refresh`].
///
/// ```
/// use connect_core::events::AgentEvent;
///
/// fn describe(event: &AgentEvent) -> String {
///     match event {
///         AgentEvent::StateChange { old, new, .. } => format!("{old} -> {new}"),
///         AgentEvent::Contact(c) => format!("{} {:?}", c.contact_id, c.kind),
///         other => format!("{other:?}"),
///     }
/// }
/// # let _ = describe;
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum AgentEvent {
    /// The first complete snapshot and configuration: once per session, before any batch.
    Init {
        /// The first snapshot.
        snapshot: Arc<AgentSnapshot>,
        /// The complete configuration.
        configuration: Arc<AgentConfiguration>,
    },
    /// The state type became `routable`.
    Routable(AgentState),
    /// The state type became `not_routable`.
    NotRoutable(AgentState),
    /// The state type became `offline`.
    Offline(AgentState),
    /// The state name changed (`old` is `Init` before the first snapshot).
    StateChange {
        /// Previous state name.
        old: String,
        /// New state name.
        new: String,
        /// The new state.
        state: AgentState,
    },
    /// The new state is one of the agent error states (e.g. `MissedCallAgent`).
    Error(AgentState),
    /// The new state is voice after-call work.
    AfterCallWork(AgentState),
    /// A next state was enqueued.
    EnqueuedNextState(AgentState),
    /// The enqueued next state was cleared.
    ClearedNextState,
    /// An event of one contact.
    Contact(ContactEvent),
    /// Terminates every snapshot batch; `changed` is false when nothing differed.
    Refresh {
        /// Whether the snapshot differed from the previous one.
        changed: bool,
        /// The snapshot the batch derives from.
        snapshot: Arc<AgentSnapshot>,
    },
    /// The configuration was refreshed and differs from the previous one.
    ConfigurationChanged(Arc<AgentConfiguration>),
    /// Session health: authentication, liveness, a loop's error, a subscriber's panic.
    Health(crate::events::HealthEvent),
    /// This subscriber fell behind and `dropped` events were lost to it.
    Lagged {
        /// How many events this subscriber missed.
        dropped: u64,
    },
    /// Follows [`AgentEvent::Lagged`]: the current picture, and the last data of contacts
    /// this subscriber knew that are gone now, so it can close them.
    Resync {
        /// The current snapshot.
        snapshot: Option<Arc<AgentSnapshot>>,
        /// Contacts the subscriber saw that no longer exist.
        destroyed: Vec<Arc<Contact>>,
    },
}

/// One event of one contact, with the contact data it derives from.
#[derive(Clone, Debug)]
pub struct ContactEvent {
    /// The contact's id.
    pub contact_id: String,
    /// What happened.
    pub kind: ContactEventKind,
    /// The contact as of this event (the last known data for `Destroyed`).
    pub contact: Arc<Contact>,
}

/// What happened to a contact. Lifecycle order per contact: `Init` → entry events → `Ended`
/// (exactly once) → [`Acw`, `Error`] → `Destroyed` (exactly once, last).
///
/// [`Acw`]: ContactEventKind::Acw
/// [`Error`]: ContactEventKind::Error
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ContactEventKind {
    /// First seen.
    Init,
    /// Offered (queued callback).
    Incoming,
    /// Pending.
    Pending,
    /// Ringing or dialling.
    Connecting,
    /// Live.
    Connected,
    /// Paused (tasks).
    Paused,
    /// Entered the `error` state.
    Error,
    /// Missed: not answered in time, or rejected while ringing.
    Missed,
    /// No longer active (exactly once).
    Ended,
    /// Entered after-contact work (`ended`).
    Acw,
    /// Accepted by this client.
    Accepted,
    /// A connection changed state (`None` = absent).
    ConnectionStateChanged {
        /// The connection.
        connection_id: String,
        /// Its previous state.
        old: Option<ConnectionStateType>,
        /// Its new state.
        new: Option<ConnectionStateType>,
    },
    /// Present in the snapshot (every batch).
    Refresh,
    /// Gone from the snapshot (exactly once, last).
    Destroyed,
}

impl ContactEventKind {
    /// Whether this is a lifecycle event (everything except `Refresh`, `Accepted` and
    /// connection changes).
    ///
    /// ```
    /// # use connect_core::events::ContactEventKind;
    /// assert!(ContactEventKind::Ended.is_lifecycle());
    /// assert!(!ContactEventKind::Refresh.is_lifecycle());
    /// ```
    pub fn is_lifecycle(&self) -> bool {
        !matches!(
            self,
            Self::Refresh | Self::Accepted | Self::ConnectionStateChanged { .. }
        )
    }
}
