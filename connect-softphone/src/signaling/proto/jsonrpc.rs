//! JSON-RPC 2.0 framing (§4): requests, responses, and the classification of inbound messages.

use serde_json::{json, Map, Value};

use super::ProtoError;

/// The `error` member of a response.
///
/// ```
/// use connect_softphone::signaling::proto::RpcError;
///
/// let e = RpcError::new(486, "Busy");
/// assert_eq!(e.to_value(), serde_json::json!({"code": 486, "message": "Busy"}));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RpcError {
    /// The code (§4.3).
    pub code: i64,
    /// The server's text (may be empty).
    pub message: String,
}

impl RpcError {
    /// An error object.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// Its JSON form.
    pub fn to_value(&self) -> Value {
        json!({"code": self.code, "message": self.message})
    }

    fn parse(value: &Value) -> Result<Self, ProtoError> {
        let code = value
            .get("code")
            .and_then(|c| {
                c.as_i64()
                    .or_else(|| c.as_str().and_then(|s| s.parse().ok()))
            })
            .ok_or_else(|| ProtoError::new("error without a numeric `code`"))?;
        let message = match value.get("message") {
            Some(Value::String(m)) => m.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        Ok(Self { code, message })
    }
}

/// A request or notification as sent: `{"jsonrpc":"2.0","method":…,"params":…,"id":…}`.
///
/// ```
/// use connect_softphone::signaling::proto::request;
///
/// let msg = request("accept", serde_json::json!({}), "id-1");
/// assert_eq!(msg, serde_json::json!({"jsonrpc":"2.0","method":"accept","params":{},"id":"id-1"}));
/// ```
pub fn request(method: &str, params: Value, id: &str) -> Value {
    json!({"jsonrpc": "2.0", "method": method, "params": params, "id": id})
}

/// A success response `{"jsonrpc":"2.0","result":…,"id":…}`; `id` is echoed as received.
///
/// ```
/// use connect_softphone::signaling::proto::result_response;
///
/// let reply = result_response(&serde_json::json!("7c2d"), serde_json::json!({}));
/// assert_eq!(reply, serde_json::json!({"jsonrpc":"2.0","result":{},"id":"7c2d"}));
/// ```
pub fn result_response(id: &Value, result: Value) -> Value {
    json!({"jsonrpc": "2.0", "result": result, "id": id})
}

/// An error response `{"jsonrpc":"2.0","error":{code,message},"id":…}`.
///
/// ```
/// use connect_softphone::signaling::proto::{error_response, RpcError};
///
/// let reply = error_response(&serde_json::json!("1"), &RpcError::new(404, "gone"));
/// assert_eq!(reply["error"]["code"], 404);
/// ```
pub fn error_response(id: &Value, error: &RpcError) -> Value {
    json!({"jsonrpc": "2.0", "error": error.to_value(), "id": id})
}

/// An inbound message after classification (§4): in this order, a response to a pending
/// request (whatever other members it has), a server request or notification, or nothing.
///
/// ```
/// use connect_softphone::signaling::proto::{classify, Classified};
///
/// // The mock adds `method` to responses and omits `jsonrpc`: still a response.
/// let msg = serde_json::json!({"method":"answer","id":"r1","result":{"sdp":"v=0"}});
/// let c = classify(&msg, |id| id == "r1").unwrap();
/// assert!(matches!(c, Classified::Response { ref id, outcome: Ok(_) } if id == "r1"));
///
/// let bye = serde_json::json!({"jsonrpc":"2.0","method":"bye","id":"s1"});
/// assert!(matches!(classify(&bye, |_| false).unwrap(), Classified::Request { .. }));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Classified {
    /// The answer to one of our requests.
    Response {
        /// Our request's id.
        id: String,
        /// `result` (`{}` when absent) or `error`.
        outcome: Result<Value, RpcError>,
    },
    /// A request (with `id`) or notification from the server.
    Request {
        /// The method.
        method: String,
        /// The id to answer with, if any.
        id: Option<Value>,
        /// `params` (`Null` when absent).
        params: Value,
        /// The whole message: some server messages put members at the top level (`PCBye`).
        message: Map<String, Value>,
    },
}

/// Classifies one JSON-RPC message; `is_pending` says whether an id is one of our open
/// requests. Anything that is neither a response nor a request is an error (dropped and
/// counted by the caller).
///
/// ```
/// use connect_softphone::signaling::proto::classify;
///
/// assert!(classify(&serde_json::json!({"result": {}, "id": "unknown"}), |_| false).is_err());
/// assert!(classify(&serde_json::json!([1, 2]), |_| false).is_err());
/// ```
pub fn classify(
    message: &Value,
    is_pending: impl Fn(&str) -> bool,
) -> Result<Classified, ProtoError> {
    let Some(object) = message.as_object() else {
        return Err(ProtoError::new("JSON-RPC message is not an object"));
    };
    if let Some(id) = object.get("id").and_then(id_text) {
        if is_pending(&id) {
            let outcome = match object.get("error") {
                Some(error) if !error.is_null() => Err(RpcError::parse(error)?),
                _ => Ok(object
                    .get("result")
                    .cloned()
                    .unwrap_or_else(|| Value::Object(Map::new()))),
            };
            return Ok(Classified::Response { id, outcome });
        }
    }
    match object.get("method") {
        Some(Value::String(method)) => Ok(Classified::Request {
            method: method.clone(),
            id: object.get("id").filter(|id| !id.is_null()).cloned(),
            params: object.get("params").cloned().unwrap_or(Value::Null),
            message: object.clone(),
        }),
        Some(_) => Err(ProtoError::new("`method` is not a string")),
        None if object.contains_key("result") || object.contains_key("error") => Err(
            ProtoError::new("response to no pending request (late, duplicate or unknown id)"),
        ),
        None => Err(ProtoError::new("neither a response nor a request")),
    }
}

/// An id as text: strings as they are, numbers in decimal.
fn id_text(id: &Value) -> Option<String> {
    match id {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_order_and_tolerance() {
        let pending = |id: &str| id == "p";
        let cases: &[(Value, &str)] = &[
            (json!({"id":"p","result":{"a":1}}), "ok"),
            (json!({"id":"p","method":"bye","result":{}}), "ok"),
            (json!({"id":"p"}), "ok"),
            (
                json!({"id":"p","error":{"code":"486","message":"Busy"}}),
                "err",
            ),
            (json!({"id":"p","error":{"message":"no code"}}), "bad"),
            (json!({"id":"x","method":"bye"}), "req"),
            (json!({"method":"PCBye","peerConnectionId":"pc"}), "req"),
            (json!({"method":7}), "bad"),
            (json!({"id":"x","result":{}}), "bad"),
            (json!({"foo":1}), "bad"),
            (json!("text"), "bad"),
        ];
        for (msg, kind) in cases {
            let got = classify(msg, pending);
            let ok = match (kind, &got) {
                (&"ok", Ok(Classified::Response { outcome: Ok(_), .. })) => true,
                (
                    &"err",
                    Ok(Classified::Response {
                        outcome: Err(e), ..
                    }),
                ) => e.code == 486,
                (&"req", Ok(Classified::Request { .. })) => true,
                (&"bad", Err(_)) => true,
                _ => false,
            };
            assert!(ok, "{msg} → {got:?}");
        }
    }

    #[test]
    fn numeric_ids_match_and_echo() {
        let c = classify(&json!({"id": 5, "result": {}}), |id| id == "5");
        assert!(matches!(c, Ok(Classified::Response { .. })));
        let r = result_response(&json!(5), json!({}));
        assert_eq!(r["id"], 5);
    }
}
