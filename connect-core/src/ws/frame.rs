//! The JSON frames of the CCP WebSocket (§5): `{"topic": …, "content": …}`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The subscribe request and its answer.
pub const TOPIC_SUBSCRIBE: &str = "aws/subscribe";
/// The unsubscribe request (upstream never sends it; shape unconfirmed).
pub const TOPIC_UNSUBSCRIBE: &str = "aws/unsubscribe";
/// Heartbeat and its answer.
pub const TOPIC_HEARTBEAT: &str = "aws/heartbeat";

/// Whether `topic` is one of the protocol's own topics, which applications may not send on.
///
/// ```
/// use connect_core::ws::is_reserved_topic;
///
/// assert!(is_reserved_topic("aws/heartbeat"));
/// assert!(!is_reserved_topic("aws/softphone"));
/// ```
pub fn is_reserved_topic(topic: &str) -> bool {
    matches!(topic, TOPIC_SUBSCRIBE | TOPIC_UNSUBSCRIBE | TOPIC_HEARTBEAT)
}

/// One frame as it travels in either direction.
///
/// ```
/// use connect_core::ws::Frame;
///
/// let frame = Frame::new("aws/softphone", serde_json::json!({"a": 1}));
/// assert_eq!(frame.to_text(), r#"{"topic":"aws/softphone","content":{"a":1}}"#);
/// assert_eq!(Frame::heartbeat().to_text(), r#"{"topic":"aws/heartbeat"}"#);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    /// The topic.
    pub topic: String,
    /// The payload; absent on heartbeats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Value>,
}

impl Frame {
    /// A frame with content.
    ///
    /// ```
    /// # use connect_core::ws::Frame;
    /// assert_eq!(Frame::new("t", 1.into()).content, Some(1.into()));
    /// ```
    pub fn new(topic: impl Into<String>, content: Value) -> Self {
        Self {
            topic: topic.into(),
            content: Some(content),
        }
    }

    /// The heartbeat frame (no content).
    ///
    /// ```
    /// # use connect_core::ws::Frame;
    /// assert_eq!(Frame::heartbeat().content, None);
    /// ```
    pub fn heartbeat() -> Self {
        Self {
            topic: TOPIC_HEARTBEAT.into(),
            content: None,
        }
    }

    /// `aws/subscribe` for `topics`.
    ///
    /// ```
    /// # use connect_core::ws::Frame;
    /// let f = Frame::subscribe(["a", "b"]);
    /// assert_eq!(f.to_text(), r#"{"topic":"aws/subscribe","content":{"topics":["a","b"]}}"#);
    /// ```
    pub fn subscribe<I, S>(topics: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self::topics_request(TOPIC_SUBSCRIBE, topics)
    }

    /// `aws/unsubscribe` for `topics`.
    ///
    /// ```
    /// # use connect_core::ws::Frame;
    /// assert_eq!(Frame::unsubscribe(["a"]).topic, "aws/unsubscribe");
    /// ```
    pub fn unsubscribe<I, S>(topics: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self::topics_request(TOPIC_UNSUBSCRIBE, topics)
    }

    fn topics_request<I, S>(topic: &str, topics: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let topics: Vec<Value> = topics
            .into_iter()
            .map(|t| Value::String(t.into()))
            .collect();
        Self::new(topic, serde_json::json!({ "topics": topics }))
    }

    /// The JSON text of this frame.
    ///
    /// ```
    /// # use connect_core::ws::Frame;
    /// assert!(Frame::new("t", 1.into()).to_text().starts_with('{'));
    /// ```
    pub fn to_text(&self) -> String {
        // A struct of a string and a `Value` always serialises.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// What a frame from the server means to the client.
///
/// ```
/// use connect_core::ws::{Inbound, SubscribeStatus};
///
/// let answer = Inbound::parse(r#"{"topic":"aws/subscribe","content":{"status":"success","topics":["t"]}}"#);
/// assert_eq!(answer, Inbound::SubscribeAnswer { status: SubscribeStatus::Success, topics: vec!["t".into()] });
/// assert!(matches!(Inbound::parse("not json"), Inbound::Malformed { .. }));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Inbound {
    /// The answer to a heartbeat.
    Heartbeat,
    /// The answer to `aws/subscribe`.
    SubscribeAnswer {
        /// `success` or `failure`.
        status: SubscribeStatus,
        /// The topics the answer is about.
        topics: Vec<String>,
    },
    /// A message for subscribers of `topic`.
    Message {
        /// The topic.
        topic: String,
        /// The payload (`null` when absent).
        content: Value,
    },
    /// `{"message": "…"}` without a topic: a server-side error, logged.
    ServerError {
        /// The server's text.
        message: String,
    },
    /// Not a frame of the protocol; logged and ignored.
    Malformed {
        /// Why it did not parse.
        reason: String,
    },
}

/// `status` of a subscribe answer.
///
/// ```
/// # use connect_core::ws::SubscribeStatus;
/// assert_ne!(SubscribeStatus::Success, SubscribeStatus::Failure);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubscribeStatus {
    /// The topics are now subscribed.
    Success,
    /// The subscription was refused; retried.
    Failure,
}

impl Inbound {
    /// Classifies a text frame from the server; never fails.
    ///
    /// ```
    /// # use connect_core::ws::Inbound;
    /// assert_eq!(Inbound::parse(r#"{"topic":"aws/heartbeat"}"#), Inbound::Heartbeat);
    /// assert_eq!(Inbound::parse(r#"{"message":"bad"}"#), Inbound::ServerError { message: "bad".into() });
    /// ```
    pub fn parse(text: &str) -> Self {
        let value: Value = match serde_json::from_str(text) {
            Ok(value) => value,
            Err(err) => return Self::malformed(format!("not JSON: {err}")),
        };
        let Some(object) = value.as_object() else {
            return Self::malformed("not a JSON object");
        };
        let topic = match object.get("topic") {
            Some(Value::String(topic)) => topic.clone(),
            Some(_) => return Self::malformed("`topic` is not a string"),
            None => {
                return match object.get("message") {
                    Some(message) => Self::ServerError {
                        message: message
                            .as_str()
                            .map_or_else(|| message.to_string(), str::to_owned),
                    },
                    None => Self::malformed("no `topic`"),
                }
            }
        };
        let content = object.get("content").cloned().unwrap_or(Value::Null);
        match topic.as_str() {
            TOPIC_HEARTBEAT => Self::Heartbeat,
            TOPIC_SUBSCRIBE => Self::subscribe_answer(&content),
            _ => Self::Message { topic, content },
        }
    }

    fn subscribe_answer(content: &Value) -> Self {
        let status = match content.get("status").and_then(Value::as_str) {
            Some("success") => SubscribeStatus::Success,
            Some("failure") => SubscribeStatus::Failure,
            _ => return Self::malformed("subscribe answer without a known `status`"),
        };
        let topics = content
            .get("topics")
            .and_then(Value::as_array)
            .map(|topics| {
                topics
                    .iter()
                    .filter_map(|t| t.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        Self::SubscribeAnswer { status, topics }
    }

    fn malformed(reason: impl Into<String>) -> Self {
        Self::Malformed {
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_every_kind_of_frame() {
        let cases: &[(&str, Inbound)] = &[
            (
                r#"{"topic":"aws/heartbeat","content":{"x":1}}"#,
                Inbound::Heartbeat,
            ),
            (
                r#"{"topic":"aws/subscribe","content":{"status":"failure","topics":["a",3]}}"#,
                Inbound::SubscribeAnswer {
                    status: SubscribeStatus::Failure,
                    topics: vec!["a".into()],
                },
            ),
            (
                r#"{"topic":"t","content":[1]}"#,
                Inbound::Message {
                    topic: "t".into(),
                    content: serde_json::json!([1]),
                },
            ),
            (
                r#"{"topic":"t"}"#,
                Inbound::Message {
                    topic: "t".into(),
                    content: Value::Null,
                },
            ),
            (
                r#"{"message":{"code":1}}"#,
                Inbound::ServerError {
                    message: r#"{"code":1}"#.into(),
                },
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(&Inbound::parse(text), expected, "{text}");
        }
        for bad in [
            "",
            "[]",
            "{}",
            r#"{"topic":5}"#,
            r#"{"topic":"aws/subscribe"}"#,
        ] {
            assert!(
                matches!(Inbound::parse(bad), Inbound::Malformed { .. }),
                "{bad}"
            );
        }
    }
}
