//! Endpoints (addresses) and queues.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{wire_enum::wire_enum, Sensitive};

wire_enum! {
    /// `EndpointType` (alias `AddressType`).
    pub enum EndpointType {
        /// A phone number.
        PhoneNumber = "phone_number",
        /// An agent (quick connect or the agent leg).
        Agent = "agent",
        /// A queue.
        Queue = "queue",
    }
}

/// A queue: ARN and name.
///
/// ```
/// use connect_core::model::Queue;
/// let q: Queue = serde_json::from_str(r#"{"queueARN":"arn:q","name":"Support"}"#).unwrap();
/// assert_eq!(q.queue_id(), Some("arn:q"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Queue {
    /// The queue's ARN.
    #[serde(rename = "queueARN", default)]
    pub queue_arn: Option<String>,
    /// The queue's name.
    #[serde(default)]
    pub name: Option<String>,
    /// Fields this SDK does not model, kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Queue {
    /// A queue with this ARN and name.
    ///
    /// ```
    /// # use connect_core::model::Queue;
    /// assert_eq!(Queue::new("arn:q", "Sales").name.as_deref(), Some("Sales"));
    /// ```
    pub fn new(arn: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            queue_arn: Some(arn.into()),
            name: Some(name.into()),
            extra: Map::new(),
        }
    }

    /// Upstream alias `queueId` (= `queueARN`).
    pub fn queue_id(&self) -> Option<&str> {
        self.queue_arn.as_deref()
    }
}

/// An endpoint: where a connection goes, or a quick connect from `getEndpoints`.
///
/// ```
/// use connect_core::model::{Endpoint, EndpointType};
///
/// let e = Endpoint::phone_number("sip:+15555550123@host");
/// assert_eq!(e.kind, EndpointType::PhoneNumber);
/// assert_eq!(e.phone_digits().as_deref(), Some("+15555550123"));
/// assert!(!format!("{e:?}").contains("5555"));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    /// ARN of a quick connect; `null` in snapshots.
    #[serde(rename = "endpointARN", default)]
    pub endpoint_arn: Option<String>,
    /// The endpoint's type.
    #[serde(rename = "type")]
    pub kind: EndpointType,
    /// Name (quick connects).
    #[serde(default)]
    pub name: Option<String>,
    /// Display name (quick connects).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Phone number, possibly a SIP URI.
    #[serde(default)]
    pub phone_number: Option<Sensitive>,
    /// Agent login (agent quick connects).
    #[serde(default)]
    pub agent_login: Option<String>,
    /// Target queue (queue quick connects).
    #[serde(default)]
    pub queue: Option<Queue>,
    /// E-mail address (email contacts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_address: Option<Sensitive>,
    /// Fields this SDK does not model, kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Endpoint {
    /// An endpoint of `kind` with every other member `null`.
    ///
    /// ```
    /// # use connect_core::model::{Endpoint, EndpointType};
    /// assert_eq!(Endpoint::new(EndpointType::Agent).kind, EndpointType::Agent);
    /// ```
    pub fn new(kind: EndpointType) -> Self {
        Self {
            endpoint_arn: None,
            kind,
            name: None,
            display_name: None,
            phone_number: None,
            agent_login: None,
            queue: None,
            email_address: None,
            extra: Map::new(),
        }
    }

    /// A phone-number endpoint (E.164 or SIP URI).
    pub fn phone_number(number: impl Into<String>) -> Self {
        Self {
            phone_number: Some(Sensitive::new(number)),
            ..Self::new(EndpointType::PhoneNumber)
        }
    }

    /// Upstream alias `endpointId` (= `endpointARN`); never sent on the wire.
    pub fn endpoint_id(&self) -> Option<&str> {
        self.endpoint_arn.as_deref()
    }

    /// The dialable digits: the part between `sip:` and `@` of a SIP URI, else the number.
    ///
    /// ```
    /// # use connect_core::model::Endpoint;
    /// assert_eq!(Endpoint::phone_number("+4420").phone_digits().as_deref(), Some("+4420"));
    /// ```
    pub fn phone_digits(&self) -> Option<String> {
        let number = self.phone_number.as_ref()?.expose();
        let digits = match number.strip_prefix("sip:") {
            Some(rest) => rest.split('@').next().unwrap_or(rest),
            None => number,
        };
        Some(digits.to_owned())
    }

    /// Whether two endpoints address the same party (digits for phone numbers, else ARN/type).
    ///
    /// ```
    /// # use connect_core::model::Endpoint;
    /// assert!(Endpoint::phone_number("sip:+1555@x").same_party(&Endpoint::phone_number("+1555")));
    /// ```
    pub fn same_party(&self, other: &Endpoint) -> bool {
        if self.kind != other.kind {
            return false;
        }
        match (self.phone_digits(), other.phone_digits()) {
            (Some(a), Some(b)) => a == b,
            (None, None) => match (&self.endpoint_arn, &other.endpoint_arn) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            },
            _ => false,
        }
    }
}
