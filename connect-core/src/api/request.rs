//! What every request type shares: its method, its response type, local validation, the wire
//! body (§1.1: `null` members omitted) and the typed parsing of the response.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{CtiError, CtiMethod};

/// A typed CTI request: ties the body to its [`CtiMethod`] and its response type.
///
/// Transports use it generically: [`CtiRequest::to_body`] for the body, then
/// [`add_authentication`] when the method carries it, then [`CtiRequest::parse_response`].
///
/// ```
/// use connect_core::api::{AcceptContactRequest, CtiMethod, CtiRequest, Empty};
///
/// let req = AcceptContactRequest::new("c-1");
/// assert_eq!(AcceptContactRequest::METHOD, CtiMethod::AcceptContact);
/// assert_eq!(serde_json::Value::Object(req.to_body().unwrap()), serde_json::json!({"contactId": "c-1"}));
/// let _: Empty = AcceptContactRequest::parse_response(b"{}").unwrap();
/// ```
pub trait CtiRequest: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The method this request is for.
    const METHOD: CtiMethod;
    /// What a successful call returns.
    type Response: Serialize + DeserializeOwned + Send + 'static;

    /// Checks what can be checked locally (required members present); a failure is
    /// [`CtiError::InvalidRequest`] and nothing is sent.
    fn validate(&self) -> Result<(), CtiError> {
        Ok(())
    }

    /// The JSON body: validated, with `null` members omitted at every level (§1.1) and the
    /// client-side `endpointId` removed from an `endpoint` member. The `authentication` member
    /// is not included (see [`add_authentication`]).
    fn to_body(&self) -> Result<Map<String, Value>, CtiError> {
        self.validate()?;
        wire_body(self)
    }

    /// Parses a 2xx response body; an empty body counts as `{}`. A body that does not parse is
    /// [`CtiError::InvalidResponse`] (string values from the body are not quoted).
    fn parse_response(body: &[u8]) -> Result<Self::Response, CtiError> {
        parse_response_for(Self::METHOD, body)
    }
}

/// The response of the methods that answer `{}`; accepts any JSON object.
///
/// ```
/// use connect_core::api::Empty;
///
/// let e: Empty = serde_json::from_str(r#"{"unexpected": 1}"#).unwrap();
/// assert_eq!(e, Empty {});
/// assert_eq!(serde_json::to_string(&e).unwrap(), "{}");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Empty {}

impl<'de> Deserialize<'de> for Empty {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AnyObject;

        impl<'de> serde::de::Visitor<'de> for AnyObject {
            type Value = Empty;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Empty, A::Error> {
                while map
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(Empty {})
            }
        }

        deserializer.deserialize_map(AnyObject)
    }
}

/// Serialises `value` as a request body object, dropping `null` members at every level and
/// `endpoint.endpointId` (client-side only, never sent).
///
/// ```
/// use connect_core::api::wire_body;
///
/// let body = wire_body(&serde_json::json!({"a": null, "b": {"c": null, "d": 1}})).unwrap();
/// assert_eq!(serde_json::Value::Object(body), serde_json::json!({"b": {"d": 1}}));
/// ```
pub fn wire_body<T: Serialize + ?Sized>(value: &T) -> Result<Map<String, Value>, CtiError> {
    let value = serde_json::to_value(value)
        .map_err(|e| CtiError::InvalidRequest(format!("body does not serialise: {e}")))?;
    let Value::Object(mut body) = strip_nulls(value) else {
        return Err(CtiError::InvalidRequest(
            "a request body must be a JSON object".into(),
        ));
    };
    if let Some(Value::Object(endpoint)) = body.get_mut("endpoint") {
        endpoint.remove("endpointId");
    }
    Ok(body)
}

/// Adds `authentication: {authToken}` to `body` when `method` carries it (§1.2).
///
/// ```
/// use connect_core::api::{add_authentication, CtiMethod};
///
/// let mut body = serde_json::Map::new();
/// add_authentication(&mut body, CtiMethod::AcceptContact, "tok");
/// assert_eq!(body["authentication"]["authToken"], "tok");
///
/// let mut body = serde_json::Map::new();
/// add_authentication(&mut body, CtiMethod::ClearContact, "tok");
/// assert!(body.is_empty());
/// ```
pub fn add_authentication(body: &mut Map<String, Value>, method: CtiMethod, auth_token: &str) {
    if method.carries_authentication() {
        let mut auth = Map::new();
        auth.insert("authToken".into(), Value::String(auth_token.to_owned()));
        body.insert("authentication".into(), Value::Object(auth));
    }
}

/// Parses a 2xx body as `T`, the response of `method`; an empty body counts as `{}`.
///
/// ```
/// use connect_core::api::{parse_response_for, CtiMethod, GetAgentPermissionsResponse};
///
/// let r: GetAgentPermissionsResponse =
///     parse_response_for(CtiMethod::GetAgentPermissions, br#"{"permissions":["outboundCall"]}"#).unwrap();
/// assert_eq!(r.permissions, ["outboundCall"]);
///
/// let err = parse_response_for::<GetAgentPermissionsResponse>(
///     CtiMethod::GetAgentPermissions, br#"{"permissions":"secret"}"#).unwrap_err();
/// assert!(!err.to_string().contains("secret"));
/// ```
pub fn parse_response_for<T: DeserializeOwned>(
    method: CtiMethod,
    body: &[u8],
) -> Result<T, CtiError> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| CtiError::InvalidResponse {
        operation: method,
        message: redact_quoted(&e.to_string()),
    })
}

fn strip_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}

/// Replaces every `"…"` in a serde message with `"<redacted>"`: serde quotes string values
/// from the payload, which may be tokens.
pub(crate) fn redact_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut parts = message.split('"');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    for (i, part) in parts.enumerate() {
        out.push('"');
        if i % 2 == 0 {
            out.push_str("<redacted>");
        } else {
            out.push_str(part);
        }
    }
    out
}

/// `Err(InvalidRequest)` when a required string member is empty.
pub(crate) fn require(member: &str, value: &str) -> Result<(), CtiError> {
    if value.trim().is_empty() {
        Err(CtiError::InvalidRequest(format!("`{member}` is required")))
    } else {
        Ok(())
    }
}

/// Implements [`CtiRequest`] for request types: `Request => Method, Response`, with an
/// optional validation closure over `self`.
macro_rules! cti_request {
    ($req:ty => $method:ident, $resp:ty) => {
        impl $crate::api::CtiRequest for $req {
            const METHOD: $crate::api::CtiMethod = $crate::api::CtiMethod::$method;
            type Response = $resp;
        }
    };
    ($req:ty => $method:ident, $resp:ty, |$this:ident| $validate:expr) => {
        impl $crate::api::CtiRequest for $req {
            const METHOD: $crate::api::CtiMethod = $crate::api::CtiMethod::$method;
            type Response = $resp;

            fn validate(&self) -> Result<(), $crate::api::CtiError> {
                let $this = self;
                $validate
            }
        }
    };
}

pub(crate) use cti_request;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn nulls_are_dropped_at_every_level_but_not_inside_arrays() {
        let body = wire_body(&json!({
            "a": null,
            "b": {"c": null, "d": [null, {"e": null, "f": 1}]},
        }))
        .expect("object");
        assert_eq!(Value::Object(body), json!({"b": {"d": [null, {"f": 1}]}}));
    }

    #[test]
    fn endpoint_id_is_never_sent() {
        let body = wire_body(&json!({
            "endpoint": {"endpointARN": "arn:e", "endpointId": "arn:e", "type": "agent"},
            "references": {"endpointId": {"type": "URL", "value": "kept"}},
        }))
        .expect("object");
        assert_eq!(
            Value::Object(body),
            json!({
                "endpoint": {"endpointARN": "arn:e", "type": "agent"},
                "references": {"endpointId": {"type": "URL", "value": "kept"}},
            })
        );
    }

    #[test]
    fn non_objects_are_refused() {
        assert!(matches!(
            wire_body(&json!([1])),
            Err(CtiError::InvalidRequest(_))
        ));
    }

    #[test]
    fn empty_accepts_empty_bodies_and_any_object() {
        let parse = |b: &[u8]| parse_response_for::<Empty>(CtiMethod::AcceptContact, b);
        assert_eq!(parse(b""), Ok(Empty {}));
        assert_eq!(parse(b" \n"), Ok(Empty {}));
        assert_eq!(parse(br#"{"x": [1, 2]}"#), Ok(Empty {}));
        assert!(matches!(
            parse(b"[]"),
            Err(CtiError::InvalidResponse {
                operation: CtiMethod::AcceptContact,
                ..
            })
        ));
        assert!(parse(b"not json").is_err());
    }

    #[test]
    fn quoted_values_are_redacted() {
        assert_eq!(
            redact_quoted(r#"invalid type: string "tok-123", expected a sequence"#),
            r#"invalid type: string "<redacted>", expected a sequence"#
        );
        assert_eq!(
            redact_quoted("missing field `snapshot`"),
            "missing field `snapshot`"
        );
        assert_eq!(
            redact_quoted(r#"a "b" c "d"#),
            r#"a "<redacted>" c "<redacted>"#
        );
    }

    #[test]
    fn authentication_only_where_the_method_carries_it() {
        for &method in CtiMethod::ALL {
            let mut body = Map::new();
            add_authentication(&mut body, method, "t");
            assert_eq!(
                body.contains_key("authentication"),
                method.carries_authentication(),
                "{method}"
            );
        }
    }
}
