//! The multiplexed envelope on the CCP WebSocket topic `aws/softphone` (§3.1).
//!
//! Client → server: `{"topic":"aws/softphone","connectionId":…,"jsonRpcMsg":{…}}` (members at
//! the top level). Server → client: `{"topic":"aws/softphone","content":"<JSON string>"}` whose
//! decoded content is `{connectionId, jsonRpcMsg}` or `{clientId, jsonRpcMsg}`.

use serde_json::{Map, Value};

use super::ProtoError;

/// The CCP WebSocket topic of softphone signaling.
pub const SOFTPHONE_TOPIC: &str = "aws/softphone";

/// Who an inbound message is for.
///
/// ```
/// use connect_softphone::signaling::proto::Route;
///
/// assert_ne!(Route::Connection("a".into()), Route::Client("a".into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Route {
    /// A call, by agent connection id.
    Connection(String),
    /// The softphone instance, by softphone client id.
    Client(String),
    /// Neither id present (direct transport: the socket's own call).
    Unaddressed,
}

/// One decoded message with its route.
#[derive(Clone, Debug, PartialEq)]
pub struct Envelope {
    /// For whom.
    pub route: Route,
    /// The JSON-RPC message.
    pub message: Value,
}

/// The top-level members of a client → server frame (the topic is added by the sender).
///
/// ```
/// use connect_softphone::signaling::proto::client_fields;
///
/// let fields = client_fields("ac-1", serde_json::json!({"jsonrpc":"2.0","method":"accept","params":{},"id":"1"}));
/// assert_eq!(fields["connectionId"], "ac-1");
/// assert_eq!(fields["jsonRpcMsg"]["method"], "accept");
/// ```
pub fn client_fields(connection_id: &str, message: Value) -> Map<String, Value> {
    let mut fields = Map::new();
    fields.insert(
        "connectionId".to_owned(),
        Value::String(connection_id.to_owned()),
    );
    fields.insert("jsonRpcMsg".to_owned(), message);
    fields
}

/// Decodes the `content` of an inbound `aws/softphone` frame: a JSON string (decoded twice),
/// or, tolerated, an object.
///
/// ```
/// use connect_softphone::signaling::proto::{decode_server_content, Route};
///
/// let content = serde_json::json!("{\"connectionId\":\"ac-1\",\"jsonRpcMsg\":{\"method\":\"bye\",\"id\":\"7\"}}");
/// let env = decode_server_content(&content).unwrap();
/// assert_eq!(env.route, Route::Connection("ac-1".into()));
/// assert_eq!(env.message["method"], "bye");
/// assert!(decode_server_content(&serde_json::json!("not json")).is_err());
/// ```
pub fn decode_server_content(content: &Value) -> Result<Envelope, ProtoError> {
    let object = match content {
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(object)) => object,
            Ok(_) => return Err(ProtoError::new("softphone content is not a JSON object")),
            Err(e) => {
                return Err(ProtoError::new(format!(
                    "softphone content is not JSON: {e}"
                )))
            }
        },
        Value::Object(object) => object.clone(),
        _ => {
            return Err(ProtoError::new(
                "softphone content is neither a string nor an object",
            ))
        }
    };
    decode_members(&object)
}

/// Decodes the members of a client → server frame (the simulator's side): `connectionId`
/// and `jsonRpcMsg`.
///
/// ```
/// use connect_softphone::signaling::proto::{decode_client_content, Route};
///
/// let env = decode_client_content(&serde_json::json!({"connectionId":"ac-1","jsonRpcMsg":{"id":"1"}})).unwrap();
/// assert_eq!(env.route, Route::Connection("ac-1".into()));
/// ```
pub fn decode_client_content(content: &Value) -> Result<Envelope, ProtoError> {
    match content {
        Value::Object(object) => decode_members(object),
        // Tolerated: the same members as a JSON string.
        Value::String(_) => decode_server_content(content),
        _ => Err(ProtoError::new(
            "softphone frame without connectionId/jsonRpcMsg",
        )),
    }
}

fn decode_members(object: &Map<String, Value>) -> Result<Envelope, ProtoError> {
    let message = match object.get("jsonRpcMsg") {
        Some(Value::Object(m)) => Value::Object(m.clone()),
        Some(Value::String(text)) => match serde_json::from_str(text) {
            Ok(Value::Object(m)) => Value::Object(m),
            Ok(_) => return Err(ProtoError::new("jsonRpcMsg is not an object")),
            Err(e) => return Err(ProtoError::new(format!("jsonRpcMsg is not JSON: {e}"))),
        },
        Some(_) => return Err(ProtoError::new("jsonRpcMsg is not an object")),
        None => return Err(ProtoError::new("softphone message without jsonRpcMsg")),
    };
    let text = |name: &str| object.get(name).and_then(Value::as_str).map(str::to_owned);
    let route = match (text("connectionId"), text("clientId")) {
        (Some(connection), _) => Route::Connection(connection),
        (None, Some(client)) => Route::Client(client),
        (None, None) => Route::Unaddressed,
    };
    Ok(Envelope { route, message })
}

/// The `content` of a server → client frame: `{connectionId|clientId, jsonRpcMsg}` as a JSON
/// string (the simulator's side).
///
/// ```
/// use connect_softphone::signaling::proto::{decode_server_content, server_content, Route};
///
/// let route = Route::Client("sc-1".into());
/// let content = server_content(&route, serde_json::json!({"method":"quotaBreached"}));
/// assert!(content.is_string());
/// assert_eq!(decode_server_content(&content).unwrap().route, route);
/// ```
pub fn server_content(route: &Route, message: Value) -> Value {
    let mut object = Map::new();
    match route {
        Route::Connection(id) => {
            object.insert("connectionId".to_owned(), Value::String(id.clone()));
        }
        Route::Client(id) => {
            object.insert("clientId".to_owned(), Value::String(id.clone()));
        }
        Route::Unaddressed => {}
    }
    object.insert("jsonRpcMsg".to_owned(), message);
    Value::String(Value::Object(object).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn malformed_contents_are_errors() {
        for bad in [
            json!(5),
            json!("[1]"),
            json!("{\"connectionId\":\"a\"}"),
            json!("{\"connectionId\":\"a\",\"jsonRpcMsg\":3}"),
            json!("{\"connectionId\":\"a\",\"jsonRpcMsg\":\"{oops\"}"),
            // Found by the `softphone_signaling` fuzz target: a string `jsonRpcMsg` holding a
            // non-object decoded, but its re-encoded form did not.
            json!("{\"jsonRpcMsg\":\"5\"}"),
            json!("{\"jsonRpcMsg\":\"\\\"{}\\\"\"}"),
        ] {
            assert!(decode_server_content(&bad).is_err(), "{bad}");
        }
        assert!(decode_client_content(&json!(null)).is_err());
    }

    #[test]
    fn tolerant_forms() {
        let object = json!({"connectionId":"a","jsonRpcMsg":"{\"id\":\"1\"}"});
        let env = decode_server_content(&object).expect("object content tolerated");
        assert_eq!(env.message["id"], "1");
        let bare = decode_server_content(&json!("{\"jsonRpcMsg\":{}}")).expect("no route");
        assert_eq!(bare.route, Route::Unaddressed);
    }
}
