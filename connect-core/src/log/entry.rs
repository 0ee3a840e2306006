//! One log entry, in the shape of upstream's `LogEntry` (spec §8.1).

use std::error::Error;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::iso::format_iso8601;
use super::level::{LogComponent, LogLevel};
use super::redact::redact_in_place;
use super::scrub::scrub_text;
use crate::model::Timestamp;

/// The `contextLayer` of every SDK entry (upstream uses `CCP`, `SharedWorker`, `CRM`).
///
/// ```
/// # use connect_core::{log::{LogEntry, LogLevel, SDK_CONTEXT_LAYER}, model::Timestamp};
/// let entry = LogEntry::new(LogLevel::Info, "x", Timestamp::from_millis(0));
/// assert_eq!(entry.context_layer, SDK_CONTEXT_LAYER);
/// ```
pub const SDK_CONTEXT_LAYER: &str = "Sdk";

/// An exception attached to an entry: `{type, message, stack[]}`.
///
/// ```
/// use connect_core::log::LoggedException;
///
/// let e = LoggedException::new("TimeoutError", "long poll overran");
/// assert_eq!(
///     serde_json::to_value(&e).unwrap(),
///     serde_json::json!({"type": "TimeoutError", "message": "long poll overran", "stack": []})
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LoggedException {
    /// The error's kind (upstream: the JS error name or AWS error code).
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The error's message.
    #[serde(default)]
    pub message: String,
    /// Stack lines; for a Rust error, its chain of sources.
    #[serde(default)]
    pub stack: Vec<String>,
}

impl LoggedException {
    /// An exception of `kind` with `message` and no stack.
    ///
    /// ```
    /// # use connect_core::log::LoggedException;
    /// assert_eq!(LoggedException::new("E", "m").stack.len(), 0);
    /// ```
    pub fn new(kind: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            kind: kind.into(),
            message: message.into(),
            stack: Vec::new(),
        }
    }

    /// An exception from a Rust error: its `Display` text as message, and one stack line
    /// `caused by: …` per source in its chain.
    ///
    /// ```
    /// # use connect_core::log::LoggedException;
    /// let io = std::io::Error::other("socket closed");
    /// let e = LoggedException::from_error("IoError", &io);
    /// assert_eq!(e.message, "socket closed");
    /// ```
    pub fn from_error(kind: impl Into<String>, error: &(dyn Error + 'static)) -> Self {
        let mut stack = Vec::new();
        let mut source = error.source();
        while let Some(cause) = source {
            stack.push(format!("caused by: {cause}"));
            source = cause.source();
        }
        Self {
            kind: kind.into(),
            message: error.to_string(),
            stack,
        }
    }

    /// Adds stack lines.
    ///
    /// ```
    /// # use connect_core::log::LoggedException;
    /// let e = LoggedException::new("E", "m").with_stack(["at poll", "at run"]);
    /// assert_eq!(e.stack, ["at poll", "at run"]);
    /// ```
    pub fn with_stack<I, S>(mut self, lines: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.stack.extend(lines.into_iter().map(Into::into));
        self
    }
}

/// A log entry with upstream's fields (`tabId` absent; `contextLayer` = `Sdk`; plus `region` and
/// `sessionId`). `time` is written as ISO-8601 UTC.
///
/// An entry is redacted when pushed to a [`LogBuffer`](super::LogBuffer); [`LogEntry::redacted`]
/// does the same for an entry kept elsewhere. Session fields (`loggerId`, `region`, `sessionId`,
/// `agentResourceId` when unset) are filled in by the buffer.
///
/// ```
/// use connect_core::log::{LogComponent, LogEntry, LogLevel};
/// use connect_core::model::Timestamp;
///
/// let entry = LogEntry::new(LogLevel::Info, "Softphone connected", Timestamp::from_millis(0))
///     .with_component(LogComponent::Softphone)
///     .with_agent_resource_id("agent-1");
/// assert_eq!(entry.to_line(), "[1970-01-01T00:00:00.000Z] [INFO] [agent-1]: Softphone connected");
/// let json = serde_json::to_value(&entry).unwrap();
/// assert_eq!(json["time"], "1970-01-01T00:00:00.000Z");
/// assert_eq!(json["contextLayer"], "Sdk");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LogEntry {
    /// The component (`ccp` unless told).
    #[serde(default)]
    pub component: LogComponent,
    /// The level.
    pub level: LogLevel,
    /// The free text (redacted in a buffer).
    pub text: String,
    /// When it was written; ISO-8601 in JSON.
    #[serde(with = "iso_time")]
    pub time: Timestamp,
    /// An attached exception, or `null`.
    #[serde(default)]
    pub exception: Option<LoggedException>,
    /// Attached objects (redacted in a buffer).
    #[serde(default)]
    pub objects: Vec<Value>,
    /// Line number: counts entries at or above the log level; 0 for the others.
    #[serde(default)]
    pub line: u64,
    /// The agent's resource id (§3.8), `null` until known.
    #[serde(default)]
    pub agent_resource_id: Option<String>,
    /// The id of the buffer that stored it (`<epoch ms>-<random>`).
    #[serde(default)]
    pub logger_id: String,
    /// Always `Sdk` for entries written by the SDK.
    #[serde(default = "sdk_layer")]
    pub context_layer: String,
    /// The session's region label, if any.
    #[serde(default)]
    pub region: Option<String>,
    /// The session id, if any.
    #[serde(default)]
    pub session_id: Option<String>,
}

fn sdk_layer() -> String {
    SDK_CONTEXT_LAYER.to_owned()
}

impl LogEntry {
    /// An entry of the `ccp` component with no exception and no objects.
    ///
    /// ```
    /// # use connect_core::{log::{LogEntry, LogLevel}, model::Timestamp};
    /// let entry = LogEntry::new(LogLevel::Warn, "slow poll", Timestamp::from_millis(5));
    /// assert_eq!(entry.level, LogLevel::Warn);
    /// assert!(entry.objects.is_empty());
    /// ```
    pub fn new(level: LogLevel, text: impl Into<String>, time: Timestamp) -> Self {
        Self {
            component: LogComponent::Ccp,
            level,
            text: text.into(),
            time,
            exception: None,
            objects: Vec::new(),
            line: 0,
            agent_resource_id: None,
            logger_id: String::new(),
            context_layer: sdk_layer(),
            region: None,
            session_id: None,
        }
    }

    /// Sets the component.
    ///
    /// ```
    /// # use connect_core::{log::{LogComponent, LogEntry, LogLevel}, model::Timestamp};
    /// let e = LogEntry::new(LogLevel::Info, "x", Timestamp::from_millis(0)).with_component(LogComponent::Chat);
    /// assert_eq!(e.component, LogComponent::Chat);
    /// ```
    pub fn with_component(mut self, component: LogComponent) -> Self {
        self.component = component;
        self
    }

    /// Attaches an object (upstream `withObject`); it is redacted when the entry is stored.
    ///
    /// ```
    /// # use connect_core::{log::{LogEntry, LogLevel}, model::Timestamp};
    /// let e = LogEntry::new(LogLevel::Info, "x", Timestamp::from_millis(0))
    ///     .with_object(serde_json::json!({"token": "t"}))
    ///     .redacted();
    /// assert_eq!(e.objects[0]["token"], "[redacted]");
    /// ```
    pub fn with_object(mut self, object: Value) -> Self {
        self.objects.push(object);
        self
    }

    /// Attaches an exception (upstream `withException`); one per entry.
    ///
    /// ```
    /// # use connect_core::{log::{LogEntry, LogLevel, LoggedException}, model::Timestamp};
    /// let e = LogEntry::new(LogLevel::Error, "failed", Timestamp::from_millis(0))
    ///     .with_exception(LoggedException::new("AccessDenied", "403"));
    /// assert_eq!(e.exception.unwrap().kind, "AccessDenied");
    /// ```
    pub fn with_exception(mut self, exception: LoggedException) -> Self {
        self.exception = Some(exception);
        self
    }

    /// Sets the agent's resource id.
    ///
    /// ```
    /// # use connect_core::{log::{LogEntry, LogLevel}, model::Timestamp};
    /// let e = LogEntry::new(LogLevel::Info, "x", Timestamp::from_millis(0)).with_agent_resource_id("a-1");
    /// assert_eq!(e.agent_resource_id.as_deref(), Some("a-1"));
    /// ```
    pub fn with_agent_resource_id(mut self, id: impl Into<String>) -> Self {
        self.agent_resource_id = Some(id.into());
        self
    }

    /// This entry with §8.3 + R12 redaction applied to its text, exception and objects.
    /// Redaction is idempotent, so redacting twice changes nothing.
    ///
    /// ```
    /// # use connect_core::{log::{LogEntry, LogLevel}, model::Timestamp};
    /// let e = LogEntry::new(LogLevel::Info, "Dialing +15551234567", Timestamp::from_millis(0)).redacted();
    /// assert_eq!(e.text, "Dialing [redacted]");
    /// ```
    pub fn redacted(mut self) -> Self {
        self.text = scrub_text(&self.text);
        if let Some(exception) = &mut self.exception {
            exception.kind = scrub_text(&exception.kind);
            exception.message = scrub_text(&exception.message);
            for line in &mut exception.stack {
                *line = scrub_text(line);
            }
        }
        for object in &mut self.objects {
            redact_in_place(object);
        }
        self
    }

    /// The one-line form `[<ISO time>] [<LEVEL>] [<agentResourceId>]: <text>`; an unknown agent
    /// id prints `null`, as upstream's `sprintf` does.
    ///
    /// ```
    /// # use connect_core::{log::{LogEntry, LogLevel}, model::Timestamp};
    /// let e = LogEntry::new(LogLevel::Error, "boom", Timestamp::from_millis(1_500));
    /// assert_eq!(e.to_line(), "[1970-01-01T00:00:01.500Z] [ERROR] [null]: boom");
    /// ```
    pub fn to_line(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for LogEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}] [{}] [{}]: {}",
            format_iso8601(self.time),
            self.level,
            self.agent_resource_id.as_deref().unwrap_or("null"),
            self.text
        )
    }
}

/// `time` as ISO-8601 text; reads ISO text or epoch milliseconds (as `new Date(n)` would).
mod iso_time {
    use serde::{de, Deserialize, Deserializer, Serializer};

    use crate::log::iso::{format_iso8601, parse_iso8601};
    use crate::model::Timestamp;

    pub(super) fn serialize<S: Serializer>(time: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_iso8601(*time))
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Millis(i64),
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        match Raw::deserialize(d)? {
            Raw::Text(text) => parse_iso8601(&text)
                .ok_or_else(|| de::Error::custom(format!("not an ISO-8601 time: {text}"))),
            Raw::Millis(ms) => Ok(Timestamp::from_millis(ms)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> LogEntry {
        LogEntry::new(
            LogLevel::Warn,
            "hello",
            Timestamp::from_millis(1_615_320_214_625),
        )
        .with_component(LogComponent::Softphone)
        .with_exception(LoggedException::new("E", "m").with_stack(["a", "b"]))
        .with_object(json!({"k": 1}))
        .with_agent_resource_id("agent")
    }

    #[test]
    fn serialises_upstream_fields_in_order() {
        let mut entry = sample();
        entry.line = 7;
        entry.logger_id = "1-abc".into();
        entry.region = Some("us-west-2".into());
        entry.session_id = Some("s-1".into());
        let text = serde_json::to_string(&entry).expect("serialises");
        assert_eq!(
            text,
            r#"{"component":"softphone","level":"WARN","text":"hello","time":"2021-03-09T20:03:34.625Z","exception":{"type":"E","message":"m","stack":["a","b"]},"objects":[{"k":1}],"line":7,"agentResourceId":"agent","loggerId":"1-abc","contextLayer":"Sdk","region":"us-west-2","sessionId":"s-1"}"#
        );
        let back: LogEntry = serde_json::from_str(&text).expect("parses");
        assert_eq!(back, entry);
    }

    #[test]
    fn absent_values_are_null_and_minimal_json_parses() {
        let entry = LogEntry::new(LogLevel::Info, "x", Timestamp::from_millis(0));
        let json = serde_json::to_value(&entry).expect("serialises");
        for key in ["exception", "agentResourceId", "region", "sessionId"] {
            assert_eq!(json[key], Value::Null, "{key}");
        }
        assert!(json.get("tabId").is_none());
        let minimal: LogEntry =
            serde_json::from_value(json!({"level": "INFO", "text": "x", "time": 0}))
                .expect("parses");
        assert_eq!(minimal, entry);
        assert!(serde_json::from_value::<LogEntry>(
            json!({"level": "INFO", "text": "x", "time": "noon"})
        )
        .is_err());
    }

    #[test]
    fn one_line_form() {
        assert_eq!(
            sample().to_line(),
            "[2021-03-09T20:03:34.625Z] [WARN] [agent]: hello"
        );
    }

    #[test]
    fn redaction_covers_text_exception_and_objects_and_is_idempotent() {
        let entry = LogEntry::new(
            LogLevel::Error,
            "Send digit 1234 to a@b.com",
            Timestamp::from_millis(0),
        )
        .with_exception(
            LoggedException::new("E", "token AuthToken=abc").with_stack(["at +15551234567"]),
        )
        .with_object(json!({"customerId": "c-1", "password": "p"}));
        let once = entry.redacted();
        assert_eq!(once.text, "send digit [redacted]");
        let exception = once.exception.clone().expect("kept");
        assert_eq!(exception.message, "token [redacted]");
        assert_eq!(exception.stack, ["at [redacted]"]);
        assert_eq!(once.objects[0]["password"], "[redacted]");
        assert!(once.objects[0]["customerId"]
            .as_str()
            .is_some_and(|v| v.starts_with("[obfuscated value] ")));
        assert_eq!(once.clone().redacted(), once);
    }

    #[test]
    fn exception_from_error_chain() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl fmt::Display for Outer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("request failed")
            }
        }
        impl Error for Outer {
            fn source(&self) -> Option<&(dyn Error + 'static)> {
                Some(&self.0)
            }
        }
        let error = Outer(std::io::Error::other("reset"));
        let e = LoggedException::from_error("HttpError", &error);
        assert_eq!(e.kind, "HttpError");
        assert_eq!(e.message, "request failed");
        assert_eq!(e.stack, ["caused by: reset"]);
    }
}
