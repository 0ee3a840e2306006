//! The paginated lists (methods 3, 4, 5, 6, 28): `nextToken` + `maxResults` in, a page and
//! maybe a `nextToken` out.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::api::request::{cti_request, require};
use crate::model::{AgentState, Endpoint, Queue};

/// Declares a list request with only `nextToken`/`maxResults`, and its response.
macro_rules! simple_list {
    (
        $(#[$req_doc:meta])* $req:ident => $method:ident,
        $(#[$resp_doc:meta])* $resp:ident { $(#[$item_doc:meta])* $items:ident: $item:ty }
    ) => {
        $(#[$req_doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $req {
            /// The token of the page to fetch; `None` for the first.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub next_token: Option<String>,
            /// Page size.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub max_results: Option<i32>,
        }

        impl $req {
            /// The page after `next_token` (the first when `None`), of at most `max_results`.
            pub fn page(next_token: Option<String>, max_results: i32) -> Self {
                Self {
                    next_token,
                    max_results: Some(max_results),
                }
            }
        }

        $(#[$resp_doc])*
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $resp {
            $(#[$item_doc])*
            pub $items: Vec<$item>,
            /// The token of the next page; absent on the last.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub next_token: Option<String>,
            /// Members this SDK does not model, kept for the round trip.
            #[serde(flatten)]
            pub extra: Map<String, Value>,
        }

        cti_request!($req => $method, $resp);
    };
}

simple_list! {
    /// `getAgentStates{nextToken, maxResults}`: the states the agent may select.
    ///
    /// ```
    /// use connect_core::api::{CtiRequest, GetAgentStatesRequest};
    ///
    /// let body = GetAgentStatesRequest::page(Some("p2".into()), 500).to_body().unwrap();
    /// assert_eq!(serde_json::Value::Object(body), serde_json::json!({"nextToken": "p2", "maxResults": 500}));
    /// ```
    GetAgentStatesRequest => GetAgentStates,
    /// `{states, nextToken}`.
    ///
    /// ```
    /// use connect_core::api::{CtiRequest, GetAgentStatesRequest};
    ///
    /// let r = GetAgentStatesRequest::parse_response(
    ///     br#"{"states":[{"agentStateARN":"arn:s","type":"routable","name":"Available"}]}"#).unwrap();
    /// assert_eq!(r.states[0].name, "Available");
    /// assert_eq!(r.next_token, None);
    /// ```
    GetAgentStatesResponse {
        /// The states of this page.
        states: AgentState
    }
}

simple_list! {
    /// `getDialableCountryCodes{nextToken, maxResults}`.
    ///
    /// ```
    /// use connect_core::api::{CtiRequest, GetDialableCountryCodesRequest};
    ///
    /// assert!(GetDialableCountryCodesRequest::default().to_body().unwrap().is_empty());
    /// ```
    GetDialableCountryCodesRequest => GetDialableCountryCodes,
    /// `{countryCodes, nextToken}`.
    ///
    /// ```
    /// use connect_core::api::{CtiRequest, GetDialableCountryCodesRequest};
    ///
    /// let r = GetDialableCountryCodesRequest::parse_response(br#"{"countryCodes":["us","gb"],"nextToken":"n"}"#).unwrap();
    /// assert_eq!(r.country_codes, ["us", "gb"]);
    /// ```
    GetDialableCountryCodesResponse {
        /// ISO country codes of this page.
        country_codes: String
    }
}

simple_list! {
    /// `getAgentPermissions{nextToken, maxResults}`.
    ///
    /// ```
    /// use connect_core::api::{CtiRequest, GetAgentPermissionsRequest};
    ///
    /// let body = GetAgentPermissionsRequest::page(None, 500).to_body().unwrap();
    /// assert_eq!(serde_json::Value::Object(body), serde_json::json!({"maxResults": 500}));
    /// ```
    GetAgentPermissionsRequest => GetAgentPermissions,
    /// `{permissions, nextToken}`.
    ///
    /// ```
    /// use connect_core::api::{CtiRequest, GetAgentPermissionsRequest};
    ///
    /// let r = GetAgentPermissionsRequest::parse_response(br#"{"permissions":["outboundCall"]}"#).unwrap();
    /// assert_eq!(r.permissions, ["outboundCall"]);
    /// ```
    GetAgentPermissionsResponse {
        /// Permissions of this page (`outboundCall`, `voiceId`, ...).
        permissions: String
    }
}

/// `getRoutingProfileQueues{routingProfileARN, nextToken, maxResults}`.
///
/// ```
/// use connect_core::api::{CtiRequest, GetRoutingProfileQueuesRequest};
///
/// let body = GetRoutingProfileQueuesRequest::page("arn:rp", None, 500).to_body().unwrap();
/// assert_eq!(serde_json::Value::Object(body),
///     serde_json::json!({"routingProfileARN": "arn:rp", "maxResults": 500}));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetRoutingProfileQueuesRequest {
    /// The routing profile.
    #[serde(rename = "routingProfileARN")]
    pub routing_profile_arn: String,
    /// The token of the page to fetch; `None` for the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Page size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i32>,
}

impl GetRoutingProfileQueuesRequest {
    /// The page after `next_token` of the queues of `routing_profile_arn`.
    ///
    /// ```
    /// # use connect_core::api::GetRoutingProfileQueuesRequest;
    /// let req = GetRoutingProfileQueuesRequest::page("arn:rp", Some("t".into()), 10);
    /// assert_eq!(req.max_results, Some(10));
    /// ```
    pub fn page(
        routing_profile_arn: impl Into<String>,
        next_token: Option<String>,
        max_results: i32,
    ) -> Self {
        Self {
            routing_profile_arn: routing_profile_arn.into(),
            next_token,
            max_results: Some(max_results),
        }
    }
}

/// `{queues, nextToken}`; includes the agent's personal queue `…/queue/agent/<agentId>`.
///
/// ```
/// use connect_core::api::{CtiRequest, GetRoutingProfileQueuesRequest};
///
/// let r = GetRoutingProfileQueuesRequest::parse_response(
///     br#"{"queues":[{"queueARN":"arn:q","name":"Support"}],"nextToken":null}"#).unwrap();
/// assert_eq!(r.queues[0].queue_id(), Some("arn:q"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetRoutingProfileQueuesResponse {
    /// Queues of this page.
    pub queues: Vec<Queue>,
    /// The token of the next page; absent on the last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Members this SDK does not model, kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

cti_request!(
    GetRoutingProfileQueuesRequest => GetRoutingProfileQueues,
    GetRoutingProfileQueuesResponse,
    |r| require("routingProfileARN", &r.routing_profile_arn)
);

/// `getEndpoints{queueARNs, nextToken, maxResults}`: the quick connects of some queues.
///
/// ```
/// use connect_core::api::{CtiRequest, GetEndpointsRequest};
///
/// let req = GetEndpointsRequest::page(vec!["arn:q1".into(), "arn:q2".into()], None, 500);
/// assert_eq!(serde_json::Value::Object(req.to_body().unwrap()),
///     serde_json::json!({"queueARNs": ["arn:q1", "arn:q2"], "maxResults": 500}));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetEndpointsRequest {
    /// The queues whose quick connects to list.
    #[serde(rename = "queueARNs")]
    pub queue_arns: Vec<String>,
    /// The token of the page to fetch; `None` for the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Page size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i32>,
}

impl GetEndpointsRequest {
    /// The page after `next_token` of the quick connects of `queue_arns`.
    ///
    /// ```
    /// # use connect_core::api::GetEndpointsRequest;
    /// let req = GetEndpointsRequest::page(vec!["arn:q".into()], None, 500);
    /// assert_eq!(req.queue_arns.len(), 1);
    /// ```
    pub fn page(queue_arns: Vec<String>, next_token: Option<String>, max_results: i32) -> Self {
        Self {
            queue_arns,
            next_token,
            max_results: Some(max_results),
        }
    }
}

/// `{endpoints, nextToken}`; a missing `endpoints` is an empty page.
///
/// ```
/// use connect_core::api::{CtiRequest, GetEndpointsRequest};
///
/// let r = GetEndpointsRequest::parse_response(
///     br#"{"endpoints":[{"endpointARN":"arn:e","type":"agent","name":"Bob"}]}"#).unwrap();
/// assert_eq!(r.endpoints[0].name.as_deref(), Some("Bob"));
/// assert!(GetEndpointsRequest::parse_response(b"{}").unwrap().endpoints.is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetEndpointsResponse {
    /// Quick connects of this page.
    #[serde(default)]
    pub endpoints: Vec<Endpoint>,
    /// The token of the next page; absent on the last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Members this SDK does not model, kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

cti_request!(GetEndpointsRequest => GetEndpoints, GetEndpointsResponse);
