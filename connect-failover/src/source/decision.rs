//! [`Decision`]: which instance the traffic distribution group wants the agent in, where the
//! answer came from, and [`DecisionMerger`], which merges several sources (newest observation
//! wins, identical decisions are deduplicated).

use connect_core::model::Timestamp;
use serde_json::Value;

use crate::FailoverError;

/// Where a [`Decision`] came from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecisionSource {
    /// The presigned-URL poller, which obtained its URL through `via_region`.
    Poller {
        /// The region whose `createTransport` issued the presigned URL.
        via_region: String,
    },
    /// A decision pushed by the host.
    Push,
    /// `failover_to()` by an operator or a test (does not change the TDG).
    Operator,
}

/// The active-region decision: `{InstanceArn, TerminateActiveContacts}` and when it was seen.
///
/// ```
/// use connect_core::model::Timestamp;
/// use connect_failover::{Decision, DecisionSource};
///
/// let body = br#"{"InstanceArn":"arn:aws:connect:us-west-2:1:instance/b","TerminateActiveContacts":false}"#;
/// let d = Decision::from_discovery_document(body, Timestamp::from_millis(5), DecisionSource::Push).unwrap();
/// assert_eq!(d.instance_arn, "arn:aws:connect:us-west-2:1:instance/b");
/// assert!(!d.terminate_active_contacts);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// The instance the agent should work in.
    pub instance_arn: String,
    /// Hard failover: end live work in the old region.
    pub terminate_active_contacts: bool,
    /// When the decision was observed.
    pub observed_at: Timestamp,
    /// Which source saw it.
    pub source: DecisionSource,
}

impl Decision {
    /// A decision for `instance_arn`.
    pub fn new(
        instance_arn: impl Into<String>,
        terminate_active_contacts: bool,
        observed_at: Timestamp,
        source: DecisionSource,
    ) -> Self {
        Self {
            instance_arn: instance_arn.into(),
            terminate_active_contacts,
            observed_at,
            source,
        }
    }

    /// Reads the discovery document. A missing or non-string `InstanceArn`, or a
    /// `TerminateActiveContacts` that is present but not a boolean, is refused (upstream logs
    /// and ignores such answers); an absent flag means soft.
    ///
    /// ```
    /// use connect_core::model::Timestamp;
    /// use connect_failover::{Decision, DecisionSource};
    /// let t = Timestamp::from_millis(0);
    /// assert!(Decision::from_discovery_document(br#"{"TerminateActiveContacts":true}"#, t, DecisionSource::Push).is_err());
    /// assert!(Decision::from_discovery_document(br#"{"InstanceArn":"a","TerminateActiveContacts":"yes"}"#, t, DecisionSource::Push).is_err());
    /// ```
    pub fn from_discovery_document(
        body: &[u8],
        observed_at: Timestamp,
        source: DecisionSource,
    ) -> Result<Self, FailoverError> {
        let invalid = |message: &str| FailoverError::Discovery {
            message: message.to_owned(),
            status: None,
        };
        let value: Value = serde_json::from_slice(body)
            .map_err(|_| invalid("the discovery document is not JSON"))?;
        let arn = value
            .get("InstanceArn")
            .and_then(Value::as_str)
            .filter(|arn| !arn.is_empty())
            .ok_or_else(|| invalid("the discovery document has no InstanceArn"))?;
        let terminate = match value.get("TerminateActiveContacts") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(flag)) => *flag,
            Some(_) => return Err(invalid("TerminateActiveContacts is not a boolean")),
        };
        Ok(Self::new(arn, terminate, observed_at, source))
    }

    /// Whether `other` asks for the same thing (instance and flag), wherever it came from.
    pub fn same_target(&self, other: &Decision) -> bool {
        self.instance_arn == other.instance_arn
            && self.terminate_active_contacts == other.terminate_active_contacts
    }
}

/// Merges the decisions of several sources: an observation older than the newest one accepted
/// is dropped, and a decision identical to the last accepted one is dropped.
///
/// ```
/// use connect_core::model::Timestamp;
/// use connect_failover::{Decision, DecisionMerger, DecisionSource};
///
/// let at = Timestamp::from_millis;
/// let mut merger = DecisionMerger::default();
/// assert!(merger.offer(Decision::new("a", false, at(10), DecisionSource::Push)).is_some());
/// assert!(merger.offer(Decision::new("a", false, at(11), DecisionSource::Push)).is_none()); // duplicate
/// assert!(merger.offer(Decision::new("b", false, at(9), DecisionSource::Push)).is_none()); // stale
/// assert!(merger.offer(Decision::new("b", false, at(12), DecisionSource::Push)).is_some());
/// ```
#[derive(Clone, Debug, Default)]
pub struct DecisionMerger {
    last: Option<Decision>,
    newest: Option<Timestamp>,
}

impl DecisionMerger {
    /// The decision to act on, or `None` when it is stale or a duplicate.
    pub fn offer(&mut self, decision: Decision) -> Option<Decision> {
        if self
            .newest
            .is_some_and(|newest| decision.observed_at < newest)
        {
            return None;
        }
        self.newest = Some(decision.observed_at);
        if self
            .last
            .as_ref()
            .is_some_and(|last| last.same_target(&decision))
        {
            return None;
        }
        self.last = Some(decision.clone());
        Some(decision)
    }

    /// The last decision accepted.
    pub fn last(&self) -> Option<&Decision> {
        self.last.as_ref()
    }
}
