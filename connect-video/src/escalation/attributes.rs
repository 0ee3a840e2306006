//! Chat-start rules (§6.3): the pinned flow, the customer attribute allow-list, and routing
//! attributes that only the SDK sets.

use std::collections::BTreeMap;

use crate::route::RedeemedRoute;

use super::error::EscalationError;
use super::start_chat::{ParticipantDetails, StartChatContactRequest};

/// Attribute names, defaulting to the ones VCE's contact flows read.
///
/// ```
/// use connect_video::escalation::AttributeNames;
/// let names = AttributeNames::default();
/// assert_eq!(names.route_to_agent, "videoRouteToAgent");
/// assert!(names.routing().contains(&"videoReferenceId"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributeNames {
    /// The customer's name (`customerName`).
    pub customer_name: String,
    /// The customer's email (`customerEmailAddress`).
    pub customer_email: String,
    /// The agent queue the chat goes to (`videoRouteToAgent`). Routing.
    pub route_to_agent: String,
    /// The reference, or `error` (`videoReferenceId`). Routing.
    pub reference_id: String,
    /// The priority marker the flow turns into priority 1 (`videoRoutePriority`). Routing.
    pub route_priority: String,
    /// The external meeting id (`videoExternalMeetingId`). Routing.
    pub external_meeting_id: String,
    /// The attendee's external user id (`videoAttendeeExternalUserId`). Routing.
    pub attendee_external_user_id: String,
    /// The attendee name (`videoAttendeeName`).
    pub attendee_name: String,
    /// The attendee email (`videoAttendeeEmail`).
    pub attendee_email: String,
}

impl Default for AttributeNames {
    fn default() -> Self {
        Self {
            customer_name: "customerName".into(),
            customer_email: "customerEmailAddress".into(),
            route_to_agent: "videoRouteToAgent".into(),
            reference_id: "videoReferenceId".into(),
            route_priority: "videoRoutePriority".into(),
            external_meeting_id: "videoExternalMeetingId".into(),
            attendee_external_user_id: "videoAttendeeExternalUserId".into(),
            attendee_name: "videoAttendeeName".into(),
            attendee_email: "videoAttendeeEmail".into(),
        }
    }
}

impl AttributeNames {
    /// The attributes only the SDK may set.
    pub fn routing(&self) -> [&str; 5] {
        [
            &self.route_to_agent,
            &self.reference_id,
            &self.route_priority,
            &self.external_meeting_id,
            &self.attendee_external_user_id,
        ]
    }
}

/// What a customer's page sends to start a chat.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomerChatStart {
    /// The customer's name.
    pub display_name: String,
    /// The customer's email.
    pub email: String,
    /// Extra attributes from the page (only allow-listed ones pass).
    pub attributes: BTreeMap<String, String>,
}

/// Builds `StartChatContact` requests for customers: the flow id comes from configuration,
/// customer attributes pass an allow-list, and routing attributes come only from a redeemed
/// route.
///
/// ```
/// use connect_video::escalation::{ChatStartPolicy, CustomerChatStart};
///
/// let policy = ChatStartPolicy::new("instance-1", "flow-1").allow("language");
/// let mut start = CustomerChatStart { display_name: "Ann".into(), email: "ann@x.org".into(), ..Default::default() };
/// start.attributes.insert("language".into(), "fr".into());
/// let request = policy.prepare(&start, None).unwrap();
/// assert_eq!(request.contact_flow_id, "flow-1");
/// assert_eq!(request.attributes["language"], "fr");
///
/// start.attributes.insert("videoRouteToAgent".into(), "arn:queue/other".into());
/// assert!(policy.prepare(&start, None).unwrap_err().is_forbidden_attribute());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatStartPolicy {
    instance_id: String,
    contact_flow_id: String,
    allowed: Vec<String>,
    names: AttributeNames,
}

/// The priority marker value the flow turns into routing priority 1.
pub const PRIORITY_MARKER: &str = "1";

impl ChatStartPolicy {
    /// A policy starting chats in `instance_id` with the pinned `contact_flow_id`.
    pub fn new(instance_id: impl Into<String>, contact_flow_id: impl Into<String>) -> Self {
        Self {
            instance_id: instance_id.into(),
            contact_flow_id: contact_flow_id.into(),
            allowed: Vec::new(),
            names: AttributeNames::default(),
        }
    }

    /// Lets the customer attribute `name` through.
    pub fn allow(mut self, name: impl Into<String>) -> Self {
        self.allowed.push(name.into());
        self
    }

    /// Uses other attribute names.
    pub fn names(mut self, names: AttributeNames) -> Self {
        self.names = names;
        self
    }

    /// The attribute names.
    pub fn attribute_names(&self) -> &AttributeNames {
        &self.names
    }

    /// The `StartChatContact` request for a customer, routed to the route's agent when a route
    /// was redeemed. A request setting a routing attribute is refused; other attributes not on
    /// the allow-list are dropped.
    pub fn prepare(
        &self,
        start: &CustomerChatStart,
        route: Option<&RedeemedRoute>,
    ) -> Result<StartChatContactRequest, EscalationError> {
        let n = &self.names;
        if let Some(name) = start
            .attributes
            .keys()
            .find(|k| n.routing().contains(&k.as_str()))
        {
            tracing::warn!(attribute = %name, "chat start tried to set a routing attribute");
            return Err(EscalationError::ForbiddenAttribute(name.clone()));
        }
        let mut attributes: BTreeMap<String, String> = start
            .attributes
            .iter()
            .filter(|(k, _)| self.allowed.contains(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        attributes.insert(n.customer_name.clone(), start.display_name.clone());
        attributes.insert(n.customer_email.clone(), start.email.trim().to_owned());
        if let Some(route) = route {
            attributes.insert(
                n.route_to_agent.clone(),
                route.owner.personal_queue_arn.clone(),
            );
            attributes.insert(n.reference_id.clone(), route.reference.to_string());
            attributes.insert(n.route_priority.clone(), PRIORITY_MARKER.to_owned());
        }
        Ok(StartChatContactRequest {
            instance_id: self.instance_id.clone(),
            contact_flow_id: self.contact_flow_id.clone(),
            participant_details: ParticipantDetails {
                display_name: start.display_name.clone(),
            },
            attributes,
            client_token: Some(
                crate::random_uuid().map_err(|e| EscalationError::Random(e.to_string()))?,
            ),
        })
    }
}
