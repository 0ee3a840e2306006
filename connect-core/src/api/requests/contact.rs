//! Contacts: accept, create, reject, clear, report, pause (methods 9–13, 15, 16, 34–37).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::api::request::{cti_request, require, wire_body};
use crate::api::{CtiError, CtiMethod, CtiRequest, Empty};
use crate::model::{Endpoint, Reference};

contact_id_request! {
    /// `acceptContact{contactId}`: accepts an offered contact.
    AcceptContactRequest => AcceptContact
}

contact_id_request! {
    /// `clearContact{contactId}`: ends after-contact work.
    ClearContactRequest => ClearContact
}

contact_id_request! {
    /// `completeContact{contactId}`: the legacy predecessor of `clearContact`.
    CompleteContactRequest => CompleteContact
}

contact_id_request! {
    /// `rejectContact{contactId}`: declines an offered contact.
    RejectContactRequest => RejectContact
}

contact_id_request! {
    /// `pauseContact{contactId}`: pauses a task.
    PauseContactRequest => PauseContact
}

contact_id_request! {
    /// `resumeContact{contactId}`: resumes a paused task.
    ResumeContactRequest => ResumeContact
}

/// `createOutboundContact{endpoint, queueARN, relatedContactId}`; answers `{}` with no contact
/// id (R9 correlates the new contact from the snapshots).
///
/// ```
/// use connect_core::api::{CreateOutboundContactRequest, CtiRequest};
/// use connect_core::model::Endpoint;
///
/// let mut req = CreateOutboundContactRequest::new(Endpoint::phone_number("+15555550123"));
/// req.queue_arn = Some("arn:q".into());
/// assert_eq!(serde_json::Value::Object(req.to_body().unwrap()), serde_json::json!({
///     "endpoint": {"type": "phone_number", "phoneNumber": "+15555550123"},
///     "queueARN": "arn:q",
/// }));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateOutboundContactRequest {
    /// Whom to call.
    pub endpoint: Endpoint,
    /// The outbound queue (the client defaults it to the routing profile's
    /// `defaultOutboundQueue`).
    #[serde(rename = "queueARN", default, skip_serializing_if = "Option::is_none")]
    pub queue_arn: Option<String>,
    /// A contact this one relates to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_contact_id: Option<String>,
}

impl CreateOutboundContactRequest {
    /// A call to `endpoint` through the default queue.
    ///
    /// ```
    /// # use connect_core::api::CreateOutboundContactRequest;
    /// # use connect_core::model::Endpoint;
    /// let req = CreateOutboundContactRequest::new(Endpoint::phone_number("+1555"));
    /// assert!(req.queue_arn.is_none());
    /// ```
    pub fn new(endpoint: Endpoint) -> Self {
        Self {
            endpoint,
            queue_arn: None,
            related_contact_id: None,
        }
    }
}

cti_request!(CreateOutboundContactRequest => CreateOutboundContact, Empty);

/// `createTaskContact{endpoint, name, previousContactId, description, references,
/// idempotencyToken, scheduledTime, relatedContactId}`.
///
/// As upstream, `previousContactId` is left out of the body when `relatedContactId` is set.
///
/// ```
/// use connect_core::api::{CreateTaskContactRequest, CtiRequest};
/// use connect_core::model::{Endpoint, EndpointType};
///
/// let mut endpoint = Endpoint::new(EndpointType::Queue);
/// endpoint.endpoint_arn = Some("arn:qc".into());
/// let mut req = CreateTaskContactRequest::new(endpoint, "Call back");
/// req.previous_contact_id = Some("c-0".into());
/// req.related_contact_id = Some("c-1".into());
/// req.scheduled_time = Some(1_700_000_000);
/// assert_eq!(serde_json::Value::Object(req.to_body().unwrap()), serde_json::json!({
///     "endpoint": {"endpointARN": "arn:qc", "type": "queue"},
///     "name": "Call back",
///     "relatedContactId": "c-1",
///     "scheduledTime": 1_700_000_000,
/// }));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateTaskContactRequest {
    /// Where the task goes (a quick connect).
    pub endpoint: Endpoint,
    /// The task's name.
    pub name: String,
    /// The contact this task follows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_contact_id: Option<String>,
    /// The task's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// References (URLs, attachments) by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub references: Option<BTreeMap<String, Reference>>,
    /// Set when the request is retried, so the service creates the task once (R10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_token: Option<String>,
    /// When the task is to be delivered (epoch seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_time: Option<i64>,
    /// A contact this task relates to; wins over `previous_contact_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_contact_id: Option<String>,
}

impl CreateTaskContactRequest {
    /// A task called `name` for `endpoint`.
    ///
    /// ```
    /// # use connect_core::api::CreateTaskContactRequest;
    /// # use connect_core::model::{Endpoint, EndpointType};
    /// let req = CreateTaskContactRequest::new(Endpoint::new(EndpointType::Agent), "Follow up");
    /// assert_eq!(req.name, "Follow up");
    /// ```
    pub fn new(endpoint: Endpoint, name: impl Into<String>) -> Self {
        Self {
            endpoint,
            name: name.into(),
            previous_contact_id: None,
            description: None,
            references: None,
            idempotency_token: None,
            scheduled_time: None,
            related_contact_id: None,
        }
    }
}

impl CtiRequest for CreateTaskContactRequest {
    const METHOD: CtiMethod = CtiMethod::CreateTaskContact;
    type Response = CreateTaskContactResponse;

    fn validate(&self) -> Result<(), CtiError> {
        require("name", &self.name)
    }

    fn to_body(&self) -> Result<Map<String, Value>, CtiError> {
        self.validate()?;
        let mut body = wire_body(self)?;
        if body.contains_key("relatedContactId") {
            body.remove("previousContactId");
        }
        Ok(body)
    }
}

/// `{contactId}` of the new task.
///
/// ```
/// use connect_core::api::{CreateTaskContactRequest, CtiRequest};
///
/// let r = CreateTaskContactRequest::parse_response(br#"{"contactId":"t-1"}"#).unwrap();
/// assert_eq!(r.contact_id.as_deref(), Some("t-1"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateTaskContactResponse {
    /// The new task's contact id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// Members this SDK does not model, kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `notifyContactIssue{contactId, issueCode, description, clientLogs}`.
///
/// ```
/// use connect_core::api::{CtiRequest, NotifyContactIssueRequest};
///
/// let mut req = NotifyContactIssueRequest::new("c-1");
/// req.issue_code = Some("AUDIO".into());
/// assert_eq!(serde_json::Value::Object(req.to_body().unwrap()),
///     serde_json::json!({"contactId": "c-1", "issueCode": "AUDIO"}));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotifyContactIssueRequest {
    /// The contact.
    pub contact_id: String,
    /// What kind of issue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_code: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Client logs, as one string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_logs: Option<String>,
}

impl NotifyContactIssueRequest {
    /// An issue report for `contact_id` with no details.
    ///
    /// ```
    /// # use connect_core::api::NotifyContactIssueRequest;
    /// assert_eq!(NotifyContactIssueRequest::new("c").contact_id, "c");
    /// ```
    pub fn new(contact_id: impl Into<String>) -> Self {
        Self {
            contact_id: contact_id.into(),
            ..Self::default()
        }
    }
}

cti_request!(NotifyContactIssueRequest => NotifyContactIssue, Empty, |r| {
    require("contactId", &r.contact_id)
});

/// Declares a hosted-only `{contactId, endpoint}` request.
macro_rules! hosted_endpoint_request {
    ($(#[$doc:meta])* $name:ident => $method:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            /// The contact.
            pub contact_id: String,
            /// The party to add or transfer to.
            pub endpoint: Endpoint,
        }

        impl $name {
            /// A request for `contact_id` and `endpoint`.
            pub fn new(contact_id: impl Into<String>, endpoint: Endpoint) -> Self {
                Self {
                    contact_id: contact_id.into(),
                    endpoint,
                }
            }
        }

        cti_request!($name => $method, Empty, |r| require("contactId", &r.contact_id));
    };
}

hosted_endpoint_request! {
    /// *Hosted-only* `addNewConnection{contactId, endpoint}` (`contact.addParticipant`);
    /// shape unconfirmed.
    ///
    /// ```
    /// use connect_core::api::{AddNewConnectionRequest, CtiMethod, CtiRequest};
    /// use connect_core::model::Endpoint;
    ///
    /// let req = AddNewConnectionRequest::new("c-1", Endpoint::phone_number("+1555"));
    /// let body = serde_json::Value::Object(req.to_body().unwrap());
    /// assert_eq!(body["endpoint"]["phoneNumber"], "+1555");
    /// assert!(CtiMethod::AddNewConnection.is_hosted_only());
    /// ```
    AddNewConnectionRequest => AddNewConnection
}

hosted_endpoint_request! {
    /// *Hosted-only* `transferContact{contactId, endpoint}` (`contact.transfer`); shape
    /// unconfirmed.
    ///
    /// ```
    /// use connect_core::api::{CtiRequest, TransferContactRequest};
    /// use connect_core::model::{Endpoint, EndpointType};
    ///
    /// let req = TransferContactRequest::new("c-1", Endpoint::new(EndpointType::Queue));
    /// let body = serde_json::Value::Object(req.to_body().unwrap());
    /// assert_eq!(body, serde_json::json!({"contactId": "c-1", "endpoint": {"type": "queue"}}));
    /// ```
    TransferContactRequest => TransferContact
}
