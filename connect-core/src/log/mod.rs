//! Logs with redaction by default (spec §8, rule R12).
//!
//! - [`LogEntry`], [`LogLevel`], [`LogComponent`]: upstream's entry shape and levels.
//! - [`redact`] / [`scrub_text`]: the §8.3 table plus R12, applied before anything is stored,
//!   echoed, exported or uploaded.
//! - [`LogBuffer`]: a session's store (rolling every 30 min by entry time, capped, exported as
//!   the download file), sans-IO.
//! - [`SoftphoneLogBatcher`]: upload channel 1 (`sendClientLogs`) batching, sans-IO.
//! - [`LogLayer`]: the `tracing` bridge, with a per-session filter and redacted echo.
//!
//! ```
//! use connect_core::log::{LogBuffer, LogEntry, LogLevel};
//! use connect_core::model::Timestamp;
//!
//! let logs = LogBuffer::new(Timestamp::from_millis(0));
//! logs.push(LogEntry::new(LogLevel::Info, "AuthToken=abc", Timestamp::from_millis(0)));
//! assert_eq!(logs.entries()[0].text, "[redacted]");
//! ```

mod buffer;
mod builder;
mod embedded;
mod entry;
mod iso;
mod layer;
mod level;
mod redact;
mod scrub;
mod upload;

#[cfg(test)]
mod buffer_tests;
#[cfg(test)]
mod layer_tests;
#[cfg(test)]
mod redact_tests;

pub use buffer::{LogBuffer, LogExport, DEFAULT_LOG_NAME, ROLL_TEXT};
pub use builder::{LogBufferBuilder, DEFAULT_BUFFER_CAP, DEFAULT_ROLL_INTERVAL_MS};
pub use entry::{LogEntry, LoggedException, SDK_CONTEXT_LAYER};
pub use iso::{format_iso8601, parse_iso8601};
pub use layer::{EchoWriter, LogLayer, SESSION_ID_FIELD};
pub use level::{LogComponent, LogLevel, UnknownLogLevel};
pub use redact::{redact, redact_in_place, MAX_REDACTION_DEPTH};
pub use scrub::{obfuscate, scrub_text, OBFUSCATED_PREFIX, REDACTED};
pub use upload::{
    ClientLogEvent, SoftphoneLogBatcher, SOFTPHONE_UPLOAD_CAP, SOFTPHONE_UPLOAD_TRIGGER,
};
