//! The chat WebSocket's JSON frames (§2): what the client sends and what it understands.

use serde_json::{json, Value};

use super::error::ChatError;
use super::model::Item;

/// The topic of chat items.
pub const TOPIC_CHAT: &str = "aws/chat";
/// The subscribe request and its answer.
pub const TOPIC_SUBSCRIBE: &str = "aws/subscribe";
/// The heartbeat and its answer.
pub const TOPIC_HEARTBEAT: &str = "aws/heartbeat";
/// The deep heartbeat and its answer.
pub const TOPIC_PING: &str = "aws/ping";

/// The subscribe request for `aws/chat`.
///
/// ```
/// assert_eq!(connect_video::participant::subscribe_frame(),
///     r#"{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}"#);
/// ```
pub fn subscribe_frame() -> String {
    format!(r#"{{"topic":"{TOPIC_SUBSCRIBE}","content":{{"topics":["{TOPIC_CHAT}"]}}}}"#)
}

/// The heartbeat frame.
///
/// ```
/// assert_eq!(connect_video::participant::heartbeat_frame(), r#"{"topic":"aws/heartbeat"}"#);
/// ```
pub fn heartbeat_frame() -> String {
    json!({"topic": TOPIC_HEARTBEAT}).to_string()
}

/// The deep heartbeat frame.
///
/// ```
/// assert_eq!(connect_video::participant::ping_frame(), r#"{"topic":"aws/ping"}"#);
/// ```
pub fn ping_frame() -> String {
    json!({"topic": TOPIC_PING}).to_string()
}

/// A frame the server sent, understood.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ChatFrame {
    /// The answer to a subscribe request.
    Subscribed {
        /// `status == "success"`.
        success: bool,
        /// The topics it names.
        topics: Vec<String>,
    },
    /// A heartbeat answer.
    Heartbeat,
    /// A deep heartbeat answer.
    Ping {
        /// `statusCode` (200 on success), at the top level or in `content`.
        status_code: Option<u64>,
    },
    /// One transcript item on `aws/chat`.
    Item(Box<Item>),
    /// An error frame (no topic).
    ServerError {
        /// `message`.
        message: String,
        /// `connectionId`.
        connection_id: Option<String>,
        /// `requestId`.
        request_id: Option<String>,
    },
    /// A frame on a topic this client does not use.
    Other {
        /// The topic.
        topic: String,
    },
}

/// Parses one text frame. Anything malformed is a [`ChatError::Protocol`]; the caller logs it
/// and carries on.
///
/// ```
/// use connect_video::participant::{parse_frame, ChatFrame};
///
/// let text = r#"{"topic":"aws/chat","content":"{\"Id\":\"m-17\",\"Type\":\"MESSAGE\",\"ContentType\":\"text/plain\",\"Content\":\"Hi\",\"AbsoluteTime\":\"2025-03-01T09:00:00.000Z\"}"}"#;
/// let ChatFrame::Item(item) = parse_frame(text).unwrap() else { panic!() };
/// assert_eq!(item.content.as_deref(), Some("Hi"));
/// assert!(parse_frame("not json").unwrap_err().is_protocol());
/// ```
pub fn parse_frame(text: &str) -> Result<ChatFrame, ChatError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| ChatError::protocol("chat frame", e))?;
    let Some(object) = value.as_object() else {
        return Err(ChatError::protocol("chat frame", "not a JSON object"));
    };
    let content = object.get("content");
    let Some(topic) = object.get("topic") else {
        return match object.get("message").and_then(Value::as_str) {
            Some(message) => Ok(ChatFrame::ServerError {
                message: message.to_owned(),
                connection_id: string_field(&value, "connectionId"),
                request_id: string_field(&value, "requestId"),
            }),
            None => Err(ChatError::protocol("chat frame", "no topic and no message")),
        };
    };
    let Some(topic) = topic.as_str() else {
        return Err(ChatError::protocol(
            "chat frame",
            "the topic is not a string",
        ));
    };
    match topic {
        TOPIC_SUBSCRIBE => {
            let content = content.unwrap_or(&Value::Null);
            let topics = content
                .get("topics")
                .and_then(Value::as_array)
                .map(|t| {
                    t.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            Ok(ChatFrame::Subscribed {
                success: content.get("status").and_then(Value::as_str) == Some("success"),
                topics,
            })
        }
        TOPIC_HEARTBEAT => Ok(ChatFrame::Heartbeat),
        TOPIC_PING => {
            let status_code = object
                .get("statusCode")
                .or_else(|| content.and_then(|c| c.get("statusCode")))
                .and_then(Value::as_u64);
            Ok(ChatFrame::Ping { status_code })
        }
        TOPIC_CHAT => {
            let Some(inner) = content.and_then(Value::as_str) else {
                return Err(ChatError::protocol(
                    "aws/chat frame",
                    "content is not a JSON string",
                ));
            };
            let item: Item =
                serde_json::from_str(inner).map_err(|e| ChatError::protocol("aws/chat item", e))?;
            Ok(ChatFrame::Item(Box::new(item)))
        }
        other => Ok(ChatFrame::Other {
            topic: other.to_owned(),
        }),
    }
}

fn string_field(value: &Value, name: &str) -> Option<String> {
    value.get(name).and_then(Value::as_str).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_table() {
        let ok: [(&str, ChatFrame); 6] = [
            (
                r#"{"topic":"aws/subscribe","content":{"status":"success","topics":["aws/chat"]}}"#,
                ChatFrame::Subscribed {
                    success: true,
                    topics: vec!["aws/chat".into()],
                },
            ),
            (
                r#"{"topic":"aws/subscribe","content":{"status":"failure"}}"#,
                ChatFrame::Subscribed {
                    success: false,
                    topics: vec![],
                },
            ),
            (r#"{"topic":"aws/heartbeat"}"#, ChatFrame::Heartbeat),
            (
                r#"{"topic":"aws/ping","statusCode":200}"#,
                ChatFrame::Ping {
                    status_code: Some(200),
                },
            ),
            (
                r#"{"topic":"aws/ping","content":{"statusCode":500}}"#,
                ChatFrame::Ping {
                    status_code: Some(500),
                },
            ),
            (
                r#"{"topic":"aws/other","content":1}"#,
                ChatFrame::Other {
                    topic: "aws/other".into(),
                },
            ),
        ];
        for (text, want) in ok {
            assert_eq!(parse_frame(text).expect(text), want, "{text}");
        }
        let error = parse_frame(r#"{"message":"Forbidden","connectionId":"c","requestId":"r"}"#)
            .expect("error frame");
        assert!(
            matches!(error, ChatFrame::ServerError { ref message, .. } if message == "Forbidden")
        );

        let bad = [
            "",
            "[1]",
            "{}",
            r#"{"topic":7}"#,
            r#"{"topic":"aws/chat","content":{"Id":"x"}}"#,
            r#"{"topic":"aws/chat","content":"{\"Id\":1}"}"#,
            r#"{"topic":"aws/chat","content":"not json"}"#,
            r#"{"topic":"aws/chat"}"#,
        ];
        for text in bad {
            assert!(parse_frame(text).expect_err(text).is_protocol(), "{text}");
        }
    }
}
