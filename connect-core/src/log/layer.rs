//! The `tracing` bridge: a [`Layer`] that turns events into redacted entries of a
//! [`LogBuffer`], and echoes them (already redacted) through a pluggable writer.

use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Number, Value};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

use super::buffer::LogBuffer;
use super::entry::{LogEntry, LoggedException};
use super::level::{LogComponent, LogLevel};
use crate::time::Clock;

/// The field that ties spans and events to a session.
///
/// ```
/// let span = tracing::info_span!("session", session_id = "agent-1@us-east-1");
/// assert_eq!(connect_core::log::SESSION_ID_FIELD, "session_id");
/// # drop(span);
/// ```
pub const SESSION_ID_FIELD: &str = "session_id";

/// A writer for echoed lines (one call per line, without a newline).
///
/// ```
/// let to_stderr: connect_core::log::EchoWriter = Box::new(|line: &str| eprintln!("{line}"));
/// to_stderr("[1970-01-01T00:00:00.000Z] [INFO] [null]: hello");
/// ```
pub type EchoWriter = Box<dyn Fn(&str) + Send + Sync>;

/// A `tracing` layer that stores events in a [`LogBuffer`].
///
/// Mapping of an event to an entry:
///
/// - level: `TRACE`→`TRACE`, `DEBUG`→`DEBUG`, `INFO`→`INFO`, `WARN`→`WARN`, `ERROR`→`ERROR`; a
///   field `critical = true` makes it `CRITICAL`;
/// - a field `component` picks the component (`"softphone"`, `"chat"`, …), default `ccp`;
/// - the message becomes `text`;
/// - an error recorded as a field (`error = &err as &dyn Error`) becomes `exception`
///   (`type` = the field name, `message` = its text, `stack` = its sources);
/// - every other field becomes one entry of a single object in `objects`, which the buffer
///   redacts like any object (so `participant_token`, `turn_credential`, `"X-Amz-Bearer"`,
///   `phone_number` … are hidden by name, and phone numbers or e-mail addresses by value);
/// - `session_id` is not copied: the buffer writes its own;
/// - time comes from the layer's [`Clock`].
///
/// **Echo.** Instead of a separate console formatter, the layer itself echoes: an entry at or
/// above the buffer's log level and echo level (both `INFO` by default) is passed, in its
/// redacted one-line form `[<ISO time>] [<LEVEL>] [<agentResourceId>]: <text>`, to the writer
/// given to [`with_echo`](Self::with_echo) (for example `Box::new(|line| eprintln!("{line}"))`).
/// An app that wants console output with SDK redaction uses this echo rather than
/// `tracing_subscriber::fmt`, which would print raw field values.
///
/// **Sessions.** A layer made with [`only_session`](Self::only_session) keeps only events
/// inside a span carrying `session_id = <its id>` (the innermost span with a `session_id`
/// decides; a `session_id` field on the event itself wins over spans). Several sessions in one
/// process each stack their own layer and buffer on the same registry. Layers are fixed when the
/// subscriber is built; sessions created later can be added through
/// `tracing_subscriber::reload` or a `Vec` of boxed layers. Without `only_session` the layer
/// keeps every event. Record `session_id` as a string or with `%` (`session_id = %id`).
///
/// Every event the subscriber enables is stored (upstream stores every entry; the log level
/// only numbers lines and filters exports); narrow what reaches the layer with a per-layer
/// filter such as `tracing_subscriber::filter::Targets`.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use connect_core::log::{LogBuffer, LogLayer};
/// use connect_core::model::Timestamp;
/// use connect_core::time::ManualClock;
/// use tracing_subscriber::layer::SubscriberExt;
///
/// let clock = Arc::new(ManualClock::new(Timestamp::from_millis(0)));
/// let logs = LogBuffer::builder().session_id("s-1").build(Timestamp::from_millis(0));
/// let echoed = Arc::new(Mutex::new(Vec::new()));
/// let sink = echoed.clone();
/// let layer = LogLayer::new(logs.clone(), clock)
///     .only_session("s-1")
///     .with_echo(Box::new(move |line: &str| sink.lock().unwrap().push(line.to_owned())));
///
/// let subscriber = tracing_subscriber::registry().with(layer);
/// tracing::subscriber::with_default(subscriber, || {
///     let span = tracing::info_span!("session", session_id = "s-1");
///     let _guard = span.enter();
///     tracing::info!(participant_token = "ptok", component = "chat", "joined chat");
/// });
///
/// let entry = &logs.entries()[0];
/// assert_eq!(entry.text, "joined chat");
/// assert_eq!(entry.objects[0]["participant_token"], "[redacted]");
/// assert_eq!(echoed.lock().unwrap()[0], "[1970-01-01T00:00:00.000Z] [INFO] [null]: joined chat");
/// ```
pub struct LogLayer {
    buffer: LogBuffer,
    clock: Arc<dyn Clock>,
    session: Option<String>,
    echo: Option<EchoWriter>,
}

impl fmt::Debug for LogLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogLayer")
            .field("buffer", &self.buffer)
            .field("session", &self.session)
            .field("echo", &self.echo.is_some())
            .finish_non_exhaustive()
    }
}

impl LogLayer {
    /// A layer that stores every event in `buffer`, timed by `clock`, echoing nothing.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_core::{log::{LogBuffer, LogLayer}, model::Timestamp, time::ManualClock};
    /// let clock = Arc::new(ManualClock::new(Timestamp::from_millis(0)));
    /// let layer = LogLayer::new(LogBuffer::new(Timestamp::from_millis(0)), clock);
    /// # let _ = layer;
    /// ```
    pub fn new(buffer: LogBuffer, clock: Arc<dyn Clock>) -> Self {
        Self {
            buffer,
            clock,
            session: None,
            echo: None,
        }
    }

    /// Keeps only events inside a span (or with a field) `session_id` equal to `session_id`.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_core::{log::{LogBuffer, LogLayer}, model::Timestamp, time::ManualClock};
    /// # let clock = Arc::new(ManualClock::new(Timestamp::from_millis(0)));
    /// let layer = LogLayer::new(LogBuffer::new(Timestamp::from_millis(0)), clock).only_session("s-1");
    /// # let _ = layer;
    /// ```
    pub fn only_session(mut self, session_id: impl Into<String>) -> Self {
        self.session = Some(session_id.into());
        self
    }

    /// Echoes entries at or above the buffer's log and echo levels, redacted, in one-line form.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_core::{log::{LogBuffer, LogLayer}, model::Timestamp, time::ManualClock};
    /// # let clock = Arc::new(ManualClock::new(Timestamp::from_millis(0)));
    /// let layer = LogLayer::new(LogBuffer::new(Timestamp::from_millis(0)), clock)
    ///     .with_echo(Box::new(|line: &str| eprintln!("{line}")));
    /// # let _ = layer;
    /// ```
    pub fn with_echo(mut self, writer: EchoWriter) -> Self {
        self.echo = Some(writer);
        self
    }

    /// The buffer this layer writes to.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_core::{log::{LogBuffer, LogLayer}, model::Timestamp, time::ManualClock};
    /// # let clock = Arc::new(ManualClock::new(Timestamp::from_millis(0)));
    /// let layer = LogLayer::new(LogBuffer::new(Timestamp::from_millis(0)), clock);
    /// assert!(layer.buffer().is_empty());
    /// ```
    pub fn buffer(&self) -> &LogBuffer {
        &self.buffer
    }
}

/// The session a span belongs to, stored in the span's extensions.
#[derive(Debug, Clone)]
struct SessionTag(String);

fn tag_span<S>(id: &Id, session: Option<String>, ctx: &Context<'_, S>)
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let (Some(session), Some(span)) = (session, ctx.span(id)) else {
        return;
    };
    let mut extensions = span.extensions_mut();
    match extensions.get_mut::<SessionTag>() {
        Some(tag) => tag.0 = session,
        None => extensions.insert(SessionTag(session)),
    }
}

impl<S> Layer<S> for LogLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut visitor = SessionVisitor::default();
        attrs.record(&mut visitor);
        tag_span(id, visitor.0, &ctx);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let mut visitor = SessionVisitor::default();
        values.record(&mut visitor);
        tag_span(id, visitor.0, &ctx);
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = EventVisitor::default();
        event.record(&mut fields);
        if let Some(wanted) = &self.session {
            let session = fields.session_id.take().or_else(|| {
                ctx.event_scope(event)?.find_map(|span| {
                    span.extensions()
                        .get::<SessionTag>()
                        .map(|tag| tag.0.clone())
                })
            });
            if session.as_deref() != Some(wanted.as_str()) {
                return;
            }
        }
        let level = if fields.critical {
            LogLevel::Critical
        } else {
            map_level(*event.metadata().level())
        };
        let mut entry = LogEntry::new(level, fields.message.unwrap_or_default(), self.clock.now())
            .with_component(fields.component.unwrap_or_default());
        entry.exception = fields.exception;
        if !fields.object.is_empty() {
            entry.objects.push(Value::Object(fields.object));
        }
        if let (Some(line), Some(echo)) = (self.buffer.push(entry), &self.echo) {
            echo(&line);
        }
    }
}

/// `tracing`'s five levels onto the SDK's.
fn map_level(level: Level) -> LogLevel {
    match level {
        Level::TRACE => LogLevel::Trace,
        Level::DEBUG => LogLevel::Debug,
        Level::INFO => LogLevel::Info,
        Level::WARN => LogLevel::Warn,
        Level::ERROR => LogLevel::Error,
    }
}

/// A `Debug` rendering without the quotes `?"text"` adds.
fn debug_text(value: &dyn fmt::Debug) -> String {
    let text = format!("{value:?}");
    match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) => inner.to_owned(),
        None => text,
    }
}

/// Finds a `session_id` field.
#[derive(Default)]
struct SessionVisitor(Option<String>);

impl Visit for SessionVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == SESSION_ID_FIELD {
            self.0 = Some(value.to_owned());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == SESSION_ID_FIELD {
            self.0 = Some(debug_text(value));
        }
    }
}

/// Collects an event's fields into the parts of an entry.
#[derive(Default)]
struct EventVisitor {
    message: Option<String>,
    component: Option<LogComponent>,
    critical: bool,
    session_id: Option<String>,
    exception: Option<LoggedException>,
    object: Map<String, Value>,
}

impl EventVisitor {
    fn put(&mut self, field: &Field, value: Value) {
        self.object.insert(field.name().to_owned(), value);
    }

    /// Handles the fields with a meaning; returns `false` for the others.
    fn special_text(&mut self, field: &Field, text: &str) -> bool {
        match field.name() {
            "message" => self.message = Some(text.to_owned()),
            "component" => self.component = Some(LogComponent::from_name(text)),
            SESSION_ID_FIELD => self.session_id = Some(text.to_owned()),
            "critical" => self.critical = text == "true",
            _ => return false,
        }
        true
    }
}

impl Visit for EventVisitor {
    fn record_f64(&mut self, field: &Field, value: f64) {
        let number = Number::from_f64(value).map_or(Value::Null, Value::Number);
        self.put(field, number);
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, Value::from(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, Value::from(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        if field.name() == "critical" {
            self.critical = value;
        } else {
            self.put(field, Value::Bool(value));
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if !self.special_text(field, value) {
            self.put(field, Value::String(value.to_owned()));
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        if self.exception.is_none() {
            self.exception = Some(LoggedException::from_error(field.name(), value));
        } else {
            self.put(field, Value::String(value.to_string()));
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let text = if field.name() == "message" {
            format!("{value:?}")
        } else {
            debug_text(value)
        };
        if !self.special_text(field, &text) {
            self.put(field, Value::String(text));
        }
    }
}
