//! Settings of a [`LogBuffer`] and how one is made.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::buffer::LogBuffer;
use super::level::LogLevel;
use crate::model::Timestamp;

/// How long a buffer collects before it rolls: 30 minutes.
///
/// ```
/// assert_eq!(connect_core::log::DEFAULT_ROLL_INTERVAL_MS, 1_800_000);
/// ```
pub const DEFAULT_ROLL_INTERVAL_MS: i64 = 30 * 60 * 1000;

/// The most entries one buffer (current or rolled) keeps: 20 000.
///
/// ```
/// assert_eq!(connect_core::log::DEFAULT_BUFFER_CAP, 20_000);
/// ```
pub const DEFAULT_BUFFER_CAP: usize = 20_000;

/// Builds a [`LogBuffer`]; every setting has a default.
///
/// ```
/// use connect_core::log::{LogBuffer, LogLevel};
/// use connect_core::model::Timestamp;
///
/// let logs = LogBuffer::builder()
///     .region("us-west-2")
///     .session_id("agent-1@us-west-2")
///     .level(LogLevel::Debug)
///     .build(Timestamp::from_millis(0));
/// assert_eq!(logs.region().as_deref(), Some("us-west-2"));
/// assert_eq!(logs.level(), LogLevel::Debug);
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct LogBufferBuilder {
    pub(super) region: Option<String>,
    pub(super) session_id: Option<String>,
    pub(super) agent_resource_id: Option<String>,
    pub(super) logger_id: Option<String>,
    pub(super) level: LogLevel,
    pub(super) echo_level: LogLevel,
    pub(super) cap: usize,
    pub(super) roll_interval_ms: i64,
    pub(super) softphone_upload: bool,
}

impl Default for LogBufferBuilder {
    fn default() -> Self {
        Self {
            region: None,
            session_id: None,
            agent_resource_id: None,
            logger_id: None,
            level: LogLevel::Info,
            echo_level: LogLevel::Info,
            cap: DEFAULT_BUFFER_CAP,
            roll_interval_ms: DEFAULT_ROLL_INTERVAL_MS,
            softphone_upload: false,
        }
    }
}

impl LogBufferBuilder {
    /// The region label: written into entries and into the export's file name.
    ///
    /// ```
    /// # use connect_core::{log::LogBuffer, model::Timestamp};
    /// let logs = LogBuffer::builder().region("eu-west-2").build(Timestamp::from_millis(0));
    /// assert_eq!(logs.export(None, false).file_name, "eu-west-2-agent-log.txt");
    /// ```
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The session id written into entries (and matched by a session-filtered
    /// [`LogLayer`](super::LogLayer)).
    ///
    /// ```
    /// # use connect_core::{log::LogBuffer, model::Timestamp};
    /// let logs = LogBuffer::builder().session_id("s-1").build(Timestamp::from_millis(0));
    /// assert_eq!(logs.session_id().as_deref(), Some("s-1"));
    /// ```
    pub fn session_id(mut self, session_id: impl Into<String>) -> Self {
        self.session_id = Some(session_id.into());
        self
    }

    /// The agent's resource id, if already known (else see
    /// [`LogBuffer::set_agent_resource_id`]).
    ///
    /// ```
    /// # use connect_core::{log::LogBuffer, model::Timestamp};
    /// let logs = LogBuffer::builder().agent_resource_id("a-1").build(Timestamp::from_millis(0));
    /// assert_eq!(logs.agent_resource_id().as_deref(), Some("a-1"));
    /// ```
    pub fn agent_resource_id(mut self, id: impl Into<String>) -> Self {
        self.agent_resource_id = Some(id.into());
        self
    }

    /// A fixed `loggerId` instead of the generated `<epoch ms>-<random>`.
    ///
    /// ```
    /// # use connect_core::{log::LogBuffer, model::Timestamp};
    /// let logs = LogBuffer::builder().logger_id("test-logger").build(Timestamp::from_millis(0));
    /// assert_eq!(logs.logger_id(), "test-logger");
    /// ```
    pub fn logger_id(mut self, logger_id: impl Into<String>) -> Self {
        self.logger_id = Some(logger_id.into());
        self
    }

    /// The log level (default `INFO`): entries at or above it get a line number, pass a filtered
    /// export and may be echoed. Every entry is stored regardless, as upstream does.
    ///
    /// ```
    /// # use connect_core::{log::{LogBuffer, LogLevel}, model::Timestamp};
    /// let logs = LogBuffer::builder().level(LogLevel::Warn).build(Timestamp::from_millis(0));
    /// assert_eq!(logs.level(), LogLevel::Warn);
    /// ```
    pub fn level(mut self, level: LogLevel) -> Self {
        self.level = level;
        self
    }

    /// The echo level (default `INFO`): entries at or above it and the log level are returned
    /// by [`LogBuffer::push`] as a line to echo.
    ///
    /// ```
    /// # use connect_core::{log::{LogBuffer, LogLevel}, model::Timestamp};
    /// let logs = LogBuffer::builder().echo_level(LogLevel::Error).build(Timestamp::from_millis(0));
    /// assert_eq!(logs.echo_level(), LogLevel::Error);
    /// ```
    pub fn echo_level(mut self, level: LogLevel) -> Self {
        self.echo_level = level;
        self
    }

    /// The most entries per buffer (default 20 000, at least 1); the oldest are dropped.
    ///
    /// ```
    /// # use connect_core::{log::{LogBuffer, LogEntry, LogLevel}, model::Timestamp};
    /// let logs = LogBuffer::builder().cap(2).build(Timestamp::from_millis(0));
    /// for i in 0..3 {
    ///     logs.push(LogEntry::new(LogLevel::Info, "x", Timestamp::from_millis(i)));
    /// }
    /// assert_eq!((logs.len(), logs.dropped_count()), (2, 1));
    /// ```
    pub fn cap(mut self, cap: usize) -> Self {
        self.cap = cap.max(1);
        self
    }

    /// The roll interval in milliseconds (default 30 min, at least 1 ms).
    ///
    /// ```
    /// # use connect_core::{log::LogBuffer, model::Timestamp};
    /// let logs = LogBuffer::builder().roll_interval_ms(60_000).build(Timestamp::from_millis(0));
    /// # let _ = logs;
    /// ```
    pub fn roll_interval_ms(mut self, millis: i64) -> Self {
        self.roll_interval_ms = millis.max(1);
        self
    }

    /// Also queue softphone entries for upload channel 1 (off by default; the session driver
    /// that uploads turns it on and drains with [`LogBuffer::take_softphone_batch_if_due`]).
    ///
    /// ```
    /// # use connect_core::{log::LogBuffer, model::Timestamp};
    /// let logs = LogBuffer::builder().softphone_upload(true).build(Timestamp::from_millis(0));
    /// assert!(logs.drain_softphone_logs().is_empty());
    /// ```
    pub fn softphone_upload(mut self, enabled: bool) -> Self {
        self.softphone_upload = enabled;
        self
    }

    /// The buffer; its first period begins at `created_at` (also the `<epoch ms>` of a generated
    /// `loggerId`).
    ///
    /// ```
    /// # use connect_core::{log::LogBuffer, model::Timestamp};
    /// let logs = LogBuffer::builder().build(Timestamp::from_millis(1_700_000_000_000));
    /// assert!(logs.logger_id().starts_with("1700000000000-"));
    /// ```
    pub fn build(self, created_at: Timestamp) -> LogBuffer {
        LogBuffer::from_builder(self, created_at)
    }
}

/// `<epoch ms>-<base-36 random>` like upstream's `new Date().getTime() + "-" + Math.random()…`.
/// The random part mixes std's per-process hash keys with a counter, so ids are unique within a
/// process and very likely across processes (on wasm the hash keys may be fixed; the counter
/// still keeps ids apart).
pub(super) fn generate_logger_id(created_at: Timestamp) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let mut hasher = RandomState::new().build_hasher();
    COUNTER.fetch_add(1, Ordering::Relaxed).hash(&mut hasher);
    created_at.as_millis().hash(&mut hasher);
    let mut n = hasher.finish();
    let mut digits = Vec::new();
    while n > 0 && digits.len() < 11 {
        digits.push(char::from_digit((n % 36) as u32, 36).unwrap_or('0'));
        n /= 36;
    }
    if digits.is_empty() {
        digits.push('0');
    }
    format!(
        "{}-{}",
        created_at.as_millis(),
        digits.into_iter().collect::<String>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logger_ids_look_like_upstream_and_differ() {
        let t = Timestamp::from_millis(1_646_369_082_782);
        let a = generate_logger_id(t);
        let b = generate_logger_id(t);
        assert_ne!(a, b);
        let (ms, random) = a.split_once('-').expect("has a dash");
        assert_eq!(ms, "1646369082782");
        assert!(!random.is_empty() && random.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
