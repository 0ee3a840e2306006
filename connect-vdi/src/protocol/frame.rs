//! The JSON-RPC 2.0 envelope: one message per WebSocket text frame, parsed into a [`Frame`]
//! or rejected with a [`FrameError`] that knows the error reply it deserves.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::codes::{INVALID_REQUEST, MAX_FRAME_BYTES, PARSE_ERROR};

/// A request id (JSON-RPC allows numbers and strings).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RequestId {
    /// A numeric id (what this crate sends).
    Number(i64),
    /// A string id.
    String(String),
}

/// A JSON-RPC error object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RpcError {
    /// One of [`super::codes`] (or any other code a newer engine sends).
    pub code: i64,
    /// Human-readable message; never carries secrets.
    pub message: String,
    /// Extra data, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl RpcError {
    /// An error with this code and message.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            data: None,
        }
    }
}

/// One parsed JSON-RPC message.
#[derive(Clone, Debug, PartialEq)]
pub enum Frame {
    /// A call that expects a reply.
    Request {
        /// Its id, echoed by the reply.
        id: RequestId,
        /// The method name.
        method: String,
        /// Its params (an empty object when absent).
        params: Value,
    },
    /// A one-way message.
    Notification {
        /// The notification name.
        method: String,
        /// Its params (an empty object when absent).
        params: Value,
    },
    /// A reply to a request.
    Response {
        /// The id of the request it answers.
        id: RequestId,
        /// The result, or the error.
        outcome: Result<Value, RpcError>,
    },
}

/// Why a text frame is not a usable JSON-RPC message.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{detail}")]
pub struct FrameError {
    /// `PARSE_ERROR` or `INVALID_REQUEST`.
    pub code: i64,
    /// The request id, when one could be read (the error reply echoes it).
    pub id: Option<RequestId>,
    /// What was wrong.
    pub detail: String,
}

impl FrameError {
    fn invalid(id: Option<RequestId>, detail: impl Into<String>) -> Self {
        Self {
            code: INVALID_REQUEST,
            id,
            detail: detail.into(),
        }
    }

    /// The error reply this frame deserves (JSON-RPC: `id` null when it could not be read).
    pub fn reply(&self) -> String {
        error_text(
            self.id.as_ref(),
            &RpcError::new(self.code, self.detail.clone()),
        )
    }
}

impl Frame {
    /// Parses one text frame.
    ///
    /// ```
    /// use connect_vdi::protocol::{Frame, RequestId};
    ///
    /// let frame = Frame::parse(r#"{"jsonrpc":"2.0","id":7,"method":"enumerateDevices"}"#).unwrap();
    /// assert!(matches!(frame, Frame::Request { id: RequestId::Number(7), .. }));
    /// let batch = Frame::parse("[]").unwrap_err();
    /// assert_eq!(batch.code, -32600);
    /// assert_eq!(Frame::parse("{").unwrap_err().code, -32700);
    /// ```
    pub fn parse(text: &str) -> Result<Self, FrameError> {
        if text.len() > MAX_FRAME_BYTES {
            return Err(FrameError::invalid(
                None,
                format!("frame of {} bytes is too large", text.len()),
            ));
        }
        let value: Value = serde_json::from_str(text).map_err(|e| FrameError {
            code: PARSE_ERROR,
            id: None,
            detail: format!("invalid JSON: {e}"),
        })?;
        let mut object = match value {
            Value::Object(object) => object,
            Value::Array(_) => return Err(FrameError::invalid(None, "batches are not supported")),
            _ => return Err(FrameError::invalid(None, "a message must be a JSON object")),
        };
        let id = match object.remove("id") {
            None | Some(Value::Null) => None,
            Some(raw) => Some(
                serde_json::from_value::<RequestId>(raw)
                    .map_err(|_| FrameError::invalid(None, "id must be a number or a string"))?,
            ),
        };
        if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
            return Err(FrameError::invalid(id, "jsonrpc must be \"2.0\""));
        }
        if let Some(method) = object.remove("method") {
            let Value::String(method) = method else {
                return Err(FrameError::invalid(id, "method must be a string"));
            };
            let params = match object.remove("params") {
                None | Some(Value::Null) => Value::Object(Map::new()),
                Some(params @ (Value::Object(_) | Value::Array(_))) => params,
                Some(_) => {
                    return Err(FrameError::invalid(
                        id,
                        "params must be an object or an array",
                    ))
                }
            };
            return Ok(match id {
                Some(id) => Self::Request { id, method, params },
                None => Self::Notification { method, params },
            });
        }
        let Some(id) = id else {
            return Err(FrameError::invalid(
                None,
                "neither a request, a notification nor a response",
            ));
        };
        match (object.remove("result"), object.remove("error")) {
            (Some(result), None) => Ok(Self::Response {
                id,
                outcome: Ok(result),
            }),
            (None, Some(error)) => {
                let error = serde_json::from_value::<RpcError>(error).map_err(|e| {
                    FrameError::invalid(Some(id.clone()), format!("bad error object: {e}"))
                })?;
                Ok(Self::Response {
                    id,
                    outcome: Err(error),
                })
            }
            _ => Err(FrameError::invalid(
                Some(id),
                "a response needs exactly one of result and error",
            )),
        }
    }

    /// The frame's JSON text.
    ///
    /// ```
    /// use connect_vdi::protocol::Frame;
    ///
    /// let text = r#"{"jsonrpc":"2.0","method":"deviceChange","params":{"devices":[]}}"#;
    /// let frame = Frame::parse(text).unwrap();
    /// assert_eq!(Frame::parse(&frame.to_text()).unwrap(), frame);
    /// ```
    pub fn to_text(&self) -> String {
        let value = match self {
            Self::Request { id, method, params } => {
                serde_json::json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
            }
            Self::Notification { method, params } => {
                serde_json::json!({"jsonrpc": "2.0", "method": method, "params": params})
            }
            Self::Response {
                id,
                outcome: Ok(result),
            } => {
                serde_json::json!({"jsonrpc": "2.0", "id": id, "result": result})
            }
            Self::Response {
                id,
                outcome: Err(error),
            } => return error_text(Some(id), error),
        };
        value.to_string()
    }
}

fn error_text(id: Option<&RequestId>, error: &RpcError) -> String {
    serde_json::json!({"jsonrpc": "2.0", "id": id, "error": error}).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_frames_get_the_right_code() {
        let cases: &[(&str, i64, Option<RequestId>)] = &[
            ("not json", PARSE_ERROR, None),
            (
                "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hello\"}]",
                INVALID_REQUEST,
                None,
            ),
            ("42", INVALID_REQUEST, None),
            (
                r#"{"id":3,"method":"hello"}"#,
                INVALID_REQUEST,
                Some(RequestId::Number(3)),
            ),
            (
                r#"{"jsonrpc":"2.0","id":4,"method":5}"#,
                INVALID_REQUEST,
                Some(RequestId::Number(4)),
            ),
            (
                r#"{"jsonrpc":"2.0","id":"a","method":"x","params":3}"#,
                INVALID_REQUEST,
                Some(RequestId::String("a".into())),
            ),
            (
                r#"{"jsonrpc":"2.0","id":{},"method":"x"}"#,
                INVALID_REQUEST,
                None,
            ),
            (
                r#"{"jsonrpc":"2.0","id":1}"#,
                INVALID_REQUEST,
                Some(RequestId::Number(1)),
            ),
            (
                r#"{"jsonrpc":"2.0","id":1,"error":{"code":"x"}}"#,
                INVALID_REQUEST,
                Some(RequestId::Number(1)),
            ),
            (r#"{"jsonrpc":"2.0"}"#, INVALID_REQUEST, None),
        ];
        for (text, code, id) in cases {
            let error = Frame::parse(text).expect_err(text);
            assert_eq!((error.code, &error.id), (*code, id), "{text}");
            let reply = Frame::parse(&error.reply());
            assert!(
                matches!(
                    reply,
                    Err(_)
                        | Ok(Frame::Response {
                            outcome: Err(_),
                            ..
                        })
                ),
                "{text}"
            );
        }
    }

    #[test]
    fn every_kind_round_trips() {
        let frames = [
            Frame::Request {
                id: RequestId::Number(1),
                method: "hello".into(),
                params: serde_json::json!({"a": 1}),
            },
            Frame::Notification {
                method: "connected".into(),
                params: serde_json::json!({}),
            },
            Frame::Response {
                id: RequestId::String("x".into()),
                outcome: Ok(serde_json::json!({})),
            },
            Frame::Response {
                id: RequestId::Number(2),
                outcome: Err(RpcError::new(-32004, "unknown handle")),
            },
        ];
        for frame in frames {
            assert_eq!(Frame::parse(&frame.to_text()).expect("round trip"), frame);
        }
    }
}
