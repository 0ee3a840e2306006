//! The per-session log store: redacts on the way in, rolls every 30 minutes by the entries'
//! own time, caps each buffer, and exports the download file (spec §8.2).

use std::collections::VecDeque;
use std::fmt;
use std::mem;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde::Serialize;

use super::builder::{generate_logger_id, LogBufferBuilder};
use super::entry::{LogEntry, SDK_CONTEXT_LAYER};
use super::level::LogLevel;
use super::upload::{ClientLogEvent, SoftphoneLogBatcher};
use crate::model::Timestamp;

/// The default download name (`agent-log`).
///
/// ```
/// # use connect_core::{log::{LogBuffer, DEFAULT_LOG_NAME}, model::Timestamp};
/// let export = LogBuffer::new(Timestamp::from_millis(0)).export(None, false);
/// assert_eq!(export.file_name, format!("{DEFAULT_LOG_NAME}.txt"));
/// ```
pub const DEFAULT_LOG_NAME: &str = "agent-log";

/// The text of the entry written when a buffer rolls (upstream's wording).
///
/// ```
/// # use connect_core::{log::{LogBuffer, ROLL_TEXT, DEFAULT_ROLL_INTERVAL_MS}, model::Timestamp};
/// let logs = LogBuffer::new(Timestamp::from_millis(0));
/// logs.advance_to(Timestamp::from_millis(DEFAULT_ROLL_INTERVAL_MS));
/// assert_eq!(logs.entries()[0].text, ROLL_TEXT);
/// ```
pub const ROLL_TEXT: &str = "Log roll interval occurred.";

/// A downloaded log: the file name and its content.
///
/// ```
/// use connect_core::log::LogBuffer;
/// use connect_core::model::Timestamp;
///
/// let export = LogBuffer::new(Timestamp::from_millis(0)).export(None, false);
/// assert_eq!(export.file_name, "agent-log.txt");
/// assert_eq!(export.json, "[]");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogExport {
    /// `<region>-<logName>.txt` when the buffer has a region label, else `<logName>.txt`.
    pub file_name: String,
    /// The rolled then current entries as a JSON array, indented by 4 spaces like
    /// `JSON.stringify(logs, null, 4)`.
    pub json: String,
}

/// One buffer period's entries and how many of them the cap pushed out.
#[derive(Debug, Default)]
struct Segment {
    entries: VecDeque<LogEntry>,
    dropped: u64,
}

#[derive(Debug)]
struct State {
    region: Option<String>,
    session_id: Option<String>,
    agent_resource_id: Option<String>,
    logger_id: String,
    level: LogLevel,
    echo_level: LogLevel,
    cap: usize,
    roll_interval_ms: i64,
    /// When the current buffer's period began.
    began: Timestamp,
    current: Segment,
    rolled: Segment,
    line_count: u64,
    dropped_total: u64,
    upload: Option<SoftphoneLogBatcher>,
}

/// A session's logs: a cheap handle (`Clone + Send + Sync`, an `Arc` inside).
///
/// Sans-IO: the buffer never reads a clock. Each entry carries its time, and the buffer rolls
/// when an entry is 30 min or more past the start of the current period (the current buffer
/// becomes the rolled one, the previous rolled one is dropped; a gap of two periods or more
/// leaves the rolled buffer empty, as upstream's timer would). [`advance_to`](Self::advance_to)
/// rolls without an entry.
///
/// ```
/// use connect_core::log::{LogBuffer, LogEntry, LogLevel};
/// use connect_core::model::Timestamp;
///
/// let logs = LogBuffer::builder().region("us-east-1").build(Timestamp::from_millis(0));
/// logs.push(LogEntry::new(LogLevel::Info, "session started", Timestamp::from_millis(10)));
/// logs.push(LogEntry::new(LogLevel::Info, "token abc", Timestamp::from_millis(20))
///     .with_object(serde_json::json!({"authToken": "abc"})));
/// let export = logs.export(Some("my-log"), false);
/// assert_eq!(export.file_name, "us-east-1-my-log.txt");
/// assert!(export.json.contains("\"authToken\": \"[redacted]\""));
/// assert!(!export.json.contains("\"abc\""));
/// ```
#[derive(Clone)]
pub struct LogBuffer {
    state: Arc<Mutex<State>>,
}

impl fmt::Debug for LogBuffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("LogBuffer")
            .field("logger_id", &state.logger_id)
            .field("region", &state.region)
            .field("session_id", &state.session_id)
            .field(
                "entries",
                &(state.rolled.entries.len() + state.current.entries.len()),
            )
            .field("dropped", &state.dropped_total)
            .finish_non_exhaustive()
    }
}

impl LogBuffer {
    /// A buffer with default settings whose first period begins at `created_at`.
    ///
    /// ```
    /// # use connect_core::{log::{LogBuffer, LogLevel}, model::Timestamp};
    /// let logs = LogBuffer::new(Timestamp::from_millis(0));
    /// assert_eq!((logs.level(), logs.echo_level()), (LogLevel::Info, LogLevel::Info));
    /// ```
    pub fn new(created_at: Timestamp) -> Self {
        LogBufferBuilder::default().build(created_at)
    }

    /// A builder for the settings.
    ///
    /// ```
    /// # use connect_core::{log::LogBuffer, model::Timestamp};
    /// let logs = LogBuffer::builder().cap(100).build(Timestamp::from_millis(0));
    /// assert!(logs.is_empty());
    /// ```
    pub fn builder() -> LogBufferBuilder {
        LogBufferBuilder::default()
    }

    pub(super) fn from_builder(b: LogBufferBuilder, created_at: Timestamp) -> Self {
        let state = State {
            region: b.region,
            session_id: b.session_id,
            agent_resource_id: b.agent_resource_id,
            logger_id: b
                .logger_id
                .unwrap_or_else(|| generate_logger_id(created_at)),
            level: b.level,
            echo_level: b.echo_level,
            cap: b.cap,
            roll_interval_ms: b.roll_interval_ms,
            began: created_at,
            current: Segment::default(),
            rolled: Segment::default(),
            line_count: 0,
            dropped_total: 0,
            upload: b.softphone_upload.then(SoftphoneLogBatcher::new),
        };
        Self {
            state: Arc::new(Mutex::new(state)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Redacts and stores `entry` (rolling first if its time calls for it), filling in the
    /// session fields. Returns the entry's one-line form when it is at or above both the log
    /// level and the echo level, for the caller to echo.
    ///
    /// ```
    /// # use connect_core::{log::{LogBuffer, LogEntry, LogLevel}, model::Timestamp};
    /// let logs = LogBuffer::new(Timestamp::from_millis(0));
    /// let echo = logs.push(LogEntry::new(LogLevel::Warn, "Call +15551234567", Timestamp::from_millis(0)));
    /// assert_eq!(echo.as_deref(), Some("[1970-01-01T00:00:00.000Z] [WARN] [null]: Call [redacted]"));
    /// assert_eq!(logs.push(LogEntry::new(LogLevel::Debug, "quiet", Timestamp::from_millis(1))), None);
    /// assert_eq!(logs.len(), 2);
    /// ```
    pub fn push(&self, entry: LogEntry) -> Option<String> {
        let mut state = self.lock();
        state.roll_to(entry.time);
        state.store(entry)
    }

    /// Rolls as if an entry with time `now` had arrived, without storing anything.
    ///
    /// ```
    /// # use connect_core::{log::{LogBuffer, LogEntry, LogLevel}, model::Timestamp};
    /// let logs = LogBuffer::new(Timestamp::from_millis(0));
    /// logs.push(LogEntry::new(LogLevel::Info, "old", Timestamp::from_millis(0)));
    /// logs.advance_to(Timestamp::from_millis(2 * 30 * 60 * 1000));
    /// // Two periods later only the roll notice is left.
    /// assert_eq!(logs.entries().len(), 1);
    /// ```
    pub fn advance_to(&self, now: Timestamp) {
        self.lock().roll_to(now);
    }

    /// The download: rolled then current entries, optionally only those at or above the log
    /// level. `log_name` defaults to `agent-log` (also when empty). A buffer whose cap dropped
    /// entries starts with a `WARN` entry saying how many.
    ///
    /// ```
    /// # use connect_core::{log::{LogBuffer, LogEntry, LogLevel}, model::Timestamp};
    /// let logs = LogBuffer::new(Timestamp::from_millis(0));
    /// logs.push(LogEntry::new(LogLevel::Debug, "detail", Timestamp::from_millis(1)));
    /// logs.push(LogEntry::new(LogLevel::Error, "failure", Timestamp::from_millis(2)));
    /// let all = logs.export(None, false);
    /// let filtered = logs.export(None, true);
    /// assert!(all.json.contains("detail") && !filtered.json.contains("detail"));
    /// assert!(filtered.json.starts_with("[\n    {\n        \"component\": \"ccp\","));
    /// ```
    pub fn export(&self, log_name: Option<&str>, filter_by_level: bool) -> LogExport {
        let state = self.lock();
        let name = log_name
            .filter(|n| !n.is_empty())
            .unwrap_or(DEFAULT_LOG_NAME);
        let file_name = match &state.region {
            Some(region) => format!("{region}-{name}.txt"),
            None => format!("{name}.txt"),
        };
        let entries = state.export_entries();
        let kept: Vec<&LogEntry> = entries
            .iter()
            .filter(|entry| !filter_by_level || entry.level >= state.level)
            .collect();
        LogExport {
            file_name,
            json: to_json_4(&kept),
        }
    }

    /// Copies of the stored entries, rolled then current (without the cap notices).
    ///
    /// ```
    /// # use connect_core::{log::{LogBuffer, LogEntry, LogLevel}, model::Timestamp};
    /// let logs = LogBuffer::new(Timestamp::from_millis(0));
    /// logs.push(LogEntry::new(LogLevel::Info, "a@b.com logged in", Timestamp::from_millis(0)));
    /// assert_eq!(logs.entries()[0].text, "email address [redacted] logged in");
    /// ```
    pub fn entries(&self) -> Vec<LogEntry> {
        let state = self.lock();
        state
            .rolled
            .entries
            .iter()
            .chain(&state.current.entries)
            .cloned()
            .collect()
    }

    /// How many entries are stored (rolled + current).
    ///
    /// ```
    /// # use connect_core::{log::LogBuffer, model::Timestamp};
    /// assert_eq!(LogBuffer::new(Timestamp::from_millis(0)).len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        let state = self.lock();
        state.rolled.entries.len() + state.current.entries.len()
    }

    /// Whether nothing is stored.
    ///
    /// ```
    /// # use connect_core::{log::LogBuffer, model::Timestamp};
    /// assert!(LogBuffer::new(Timestamp::from_millis(0)).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many entries the cap has dropped since the buffer was made.
    ///
    /// ```
    /// # use connect_core::{log::LogBuffer, model::Timestamp};
    /// assert_eq!(LogBuffer::new(Timestamp::from_millis(0)).dropped_count(), 0);
    /// ```
    pub fn dropped_count(&self) -> u64 {
        self.lock().dropped_total
    }

    /// The log level.
    ///
    /// ```
    /// # use connect_core::{log::{LogBuffer, LogLevel}, model::Timestamp};
    /// assert_eq!(LogBuffer::new(Timestamp::from_millis(0)).level(), LogLevel::Info);
    /// ```
    pub fn level(&self) -> LogLevel {
        self.lock().level
    }

    /// Sets the log level (upstream `setLogLevel`).
    ///
    /// ```
    /// # use connect_core::{log::{LogBuffer, LogLevel}, model::Timestamp};
    /// let logs = LogBuffer::new(Timestamp::from_millis(0));
    /// logs.set_level(LogLevel::Trace);
    /// assert_eq!(logs.level(), LogLevel::Trace);
    /// ```
    pub fn set_level(&self, level: LogLevel) {
        self.lock().level = level;
    }

    /// The echo level.
    ///
    /// ```
    /// # use connect_core::{log::{LogBuffer, LogLevel}, model::Timestamp};
    /// assert_eq!(LogBuffer::new(Timestamp::from_millis(0)).echo_level(), LogLevel::Info);
    /// ```
    pub fn echo_level(&self) -> LogLevel {
        self.lock().echo_level
    }

    /// Sets the echo level (upstream `setEchoLevel`).
    ///
    /// ```
    /// # use connect_core::{log::{LogBuffer, LogLevel}, model::Timestamp};
    /// let logs = LogBuffer::new(Timestamp::from_millis(0));
    /// logs.set_echo_level(LogLevel::Warn);
    /// assert_eq!(logs.echo_level(), LogLevel::Warn);
    /// ```
    pub fn set_echo_level(&self, level: LogLevel) {
        self.lock().echo_level = level;
    }

    /// Sets the agent id written into later entries that carry none (known once the agent's
    /// configuration is loaded).
    ///
    /// ```
    /// # use connect_core::{log::{LogBuffer, LogEntry, LogLevel}, model::Timestamp};
    /// let logs = LogBuffer::new(Timestamp::from_millis(0));
    /// logs.set_agent_resource_id("agent-7");
    /// let line = logs.push(LogEntry::new(LogLevel::Info, "hi", Timestamp::from_millis(0)));
    /// assert!(line.unwrap().contains("[agent-7]"));
    /// ```
    pub fn set_agent_resource_id(&self, id: impl Into<String>) {
        self.lock().agent_resource_id = Some(id.into());
    }

    /// The agent id, if known.
    ///
    /// ```
    /// # use connect_core::{log::LogBuffer, model::Timestamp};
    /// assert_eq!(LogBuffer::new(Timestamp::from_millis(0)).agent_resource_id(), None);
    /// ```
    pub fn agent_resource_id(&self) -> Option<String> {
        self.lock().agent_resource_id.clone()
    }

    /// This buffer's `loggerId`.
    ///
    /// ```
    /// # use connect_core::{log::LogBuffer, model::Timestamp};
    /// assert!(LogBuffer::new(Timestamp::from_millis(42)).logger_id().starts_with("42-"));
    /// ```
    pub fn logger_id(&self) -> String {
        self.lock().logger_id.clone()
    }

    /// The region label, if any.
    ///
    /// ```
    /// # use connect_core::{log::LogBuffer, model::Timestamp};
    /// assert_eq!(LogBuffer::new(Timestamp::from_millis(0)).region(), None);
    /// ```
    pub fn region(&self) -> Option<String> {
        self.lock().region.clone()
    }

    /// The session id, if any.
    ///
    /// ```
    /// # use connect_core::{log::LogBuffer, model::Timestamp};
    /// assert_eq!(LogBuffer::new(Timestamp::from_millis(0)).session_id(), None);
    /// ```
    pub fn session_id(&self) -> Option<String> {
        self.lock().session_id.clone()
    }

    /// Upload channel 1: the queued softphone entries once more than 400 wait (only when built
    /// with [`softphone_upload`](LogBufferBuilder::softphone_upload)).
    ///
    /// ```
    /// # use connect_core::{log::{LogBuffer, LogComponent, LogEntry, LogLevel}, model::Timestamp};
    /// let logs = LogBuffer::builder().softphone_upload(true).build(Timestamp::from_millis(0));
    /// for i in 0..401 {
    ///     logs.push(LogEntry::new(LogLevel::Info, "rtp", Timestamp::from_millis(i))
    ///         .with_component(LogComponent::Softphone));
    /// }
    /// assert_eq!(logs.take_softphone_batch_if_due().map(|b| b.len()), Some(401));
    /// ```
    pub fn take_softphone_batch_if_due(&self) -> Option<Vec<ClientLogEvent>> {
        self.lock()
            .upload
            .as_mut()
            .and_then(SoftphoneLogBatcher::take_batch_if_due)
    }

    /// Upload channel 1 on shutdown: every queued softphone entry.
    ///
    /// ```
    /// # use connect_core::{log::LogBuffer, model::Timestamp};
    /// assert!(LogBuffer::new(Timestamp::from_millis(0)).drain_softphone_logs().is_empty());
    /// ```
    pub fn drain_softphone_logs(&self) -> Vec<ClientLogEvent> {
        self.lock()
            .upload
            .as_mut()
            .map(SoftphoneLogBatcher::drain)
            .unwrap_or_default()
    }
}

impl State {
    fn roll_to(&mut self, now: Timestamp) {
        let periods = now.millis_since(self.began) / self.roll_interval_ms;
        if periods < 1 {
            return;
        }
        let previous = mem::take(&mut self.current);
        self.rolled = if periods == 1 {
            previous
        } else {
            Segment::default()
        };
        self.began = self
            .began
            .add_millis(periods.saturating_mul(self.roll_interval_ms));
        let notice = LogEntry::new(LogLevel::Info, ROLL_TEXT, self.began);
        self.store(notice);
    }

    fn store(&mut self, entry: LogEntry) -> Option<String> {
        let mut entry = entry.redacted();
        entry.logger_id.clone_from(&self.logger_id);
        entry.context_layer = SDK_CONTEXT_LAYER.to_owned();
        entry.region.clone_from(&self.region);
        entry.session_id.clone_from(&self.session_id);
        if entry.agent_resource_id.is_none() {
            entry.agent_resource_id.clone_from(&self.agent_resource_id);
        }
        let mut echo = None;
        if entry.level >= self.level {
            entry.line = self.line_count;
            self.line_count += 1;
            if entry.level >= self.echo_level {
                echo = Some(entry.to_line());
            }
        } else {
            entry.line = 0;
        }
        if let Some(upload) = &mut self.upload {
            upload.push(&entry);
        }
        if self.current.entries.len() >= self.cap {
            self.current.entries.pop_front();
            self.current.dropped += 1;
            self.dropped_total += 1;
        }
        self.current.entries.push_back(entry);
        echo
    }

    /// Rolled then current entries, each segment led by a cap notice if it dropped entries.
    fn export_entries(&self) -> Vec<LogEntry> {
        let mut out = Vec::with_capacity(self.rolled.entries.len() + self.current.entries.len());
        for segment in [&self.rolled, &self.current] {
            if segment.dropped > 0 {
                let time = segment.entries.front().map_or(self.began, |e| e.time);
                let text = format!(
                    "Log buffer cap of {} entries reached: dropped the {} oldest entries.",
                    self.cap, segment.dropped
                );
                let mut notice = LogEntry::new(LogLevel::Warn, text, time);
                notice.logger_id.clone_from(&self.logger_id);
                notice.region.clone_from(&self.region);
                notice.session_id.clone_from(&self.session_id);
                notice.agent_resource_id.clone_from(&self.agent_resource_id);
                out.push(notice);
            }
            out.extend(segment.entries.iter().cloned());
        }
        out
    }
}

/// JSON with a 4-space indent, as `JSON.stringify(value, null, 4)` lays it out.
fn to_json_4<T: Serialize + ?Sized>(value: &T) -> String {
    let mut bytes = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, formatter);
    if value.serialize(&mut serializer).is_err() {
        return "[]".to_owned();
    }
    String::from_utf8(bytes).unwrap_or_else(|_| "[]".to_owned())
}
