//! Log levels and components, with upstream's names and numeric order.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How important an entry is; ordered by upstream's numeric values (`TEST`=0 … `CRITICAL`=200).
///
/// Serialised as the upper-case name, as in the CCP's downloaded logs.
///
/// ```
/// use connect_core::log::LogLevel;
///
/// assert!(LogLevel::Warn > LogLevel::Info);
/// assert_eq!(LogLevel::Critical.value(), 200);
/// assert_eq!(serde_json::to_string(&LogLevel::Debug).unwrap(), "\"DEBUG\"");
/// assert_eq!("warn".parse::<LogLevel>().unwrap(), LogLevel::Warn);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum LogLevel {
    /// `TEST` (0).
    Test,
    /// `TRACE` (10).
    Trace,
    /// `DEBUG` (20).
    Debug,
    /// `INFO` (30), the default log and echo level.
    #[default]
    Info,
    /// `LOG` (40).
    Log,
    /// `WARN` (50).
    Warn,
    /// `ERROR` (100).
    Error,
    /// `CRITICAL` (200). Upstream's `critical()` writes `ERROR`; the SDK writes `CRITICAL`.
    Critical,
}

impl LogLevel {
    /// Every level, lowest first.
    ///
    /// ```
    /// # use connect_core::log::LogLevel;
    /// assert_eq!(LogLevel::ALL.len(), 8);
    /// assert_eq!(LogLevel::ALL[0], LogLevel::Test);
    /// ```
    pub const ALL: [LogLevel; 8] = [
        LogLevel::Test,
        LogLevel::Trace,
        LogLevel::Debug,
        LogLevel::Info,
        LogLevel::Log,
        LogLevel::Warn,
        LogLevel::Error,
        LogLevel::Critical,
    ];

    /// Upstream's numeric order (`LogLevelOrder`).
    ///
    /// ```
    /// # use connect_core::log::LogLevel;
    /// assert_eq!(LogLevel::Error.value(), 100);
    /// ```
    pub const fn value(self) -> u16 {
        match self {
            LogLevel::Test => 0,
            LogLevel::Trace => 10,
            LogLevel::Debug => 20,
            LogLevel::Info => 30,
            LogLevel::Log => 40,
            LogLevel::Warn => 50,
            LogLevel::Error => 100,
            LogLevel::Critical => 200,
        }
    }

    /// The upper-case name (`"INFO"`).
    ///
    /// ```
    /// # use connect_core::log::LogLevel;
    /// assert_eq!(LogLevel::Log.as_str(), "LOG");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            LogLevel::Test => "TEST",
            LogLevel::Trace => "TRACE",
            LogLevel::Debug => "DEBUG",
            LogLevel::Info => "INFO",
            LogLevel::Log => "LOG",
            LogLevel::Warn => "WARN",
            LogLevel::Error => "ERROR",
            LogLevel::Critical => "CRITICAL",
        }
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A level name that is not one of the eight levels.
///
/// ```
/// use connect_core::log::LogLevel;
///
/// let err = "LOUD".parse::<LogLevel>().unwrap_err();
/// assert_eq!(err.to_string(), "unknown logging level: LOUD");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown logging level: {0}")]
pub struct UnknownLogLevel(pub String);

impl FromStr for LogLevel {
    type Err = UnknownLogLevel;

    /// Parses a level name, ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LogLevel::ALL
            .into_iter()
            .find(|level| level.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownLogLevel(s.to_owned()))
    }
}

impl Serialize for LogLevel {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for LogLevel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

/// The part of the agent application an entry comes from.
///
/// Serialised as upstream's lower-case names; any other name is kept in `Other`.
///
/// ```
/// use connect_core::log::LogComponent;
///
/// assert_eq!(LogComponent::from_name("softphone"), LogComponent::Softphone);
/// assert_eq!(LogComponent::from_name("vdi").as_str(), "vdi");
/// assert_eq!(serde_json::to_string(&LogComponent::Chat).unwrap(), "\"chat\"");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum LogComponent {
    /// `ccp`, the default.
    #[default]
    Ccp,
    /// `softphone`: the only component uploaded by `sendClientLogs`.
    Softphone,
    /// `chat`.
    Chat,
    /// `task`.
    Task,
    /// Any other component name.
    Other(String),
}

impl LogComponent {
    /// The component with this name (exact upstream spelling, else `Other`).
    ///
    /// ```
    /// # use connect_core::log::LogComponent;
    /// assert_eq!(LogComponent::from_name("task"), LogComponent::Task);
    /// assert_eq!(LogComponent::from_name("Task"), LogComponent::Other("Task".into()));
    /// ```
    pub fn from_name(name: &str) -> Self {
        match name {
            "ccp" => LogComponent::Ccp,
            "softphone" => LogComponent::Softphone,
            "chat" => LogComponent::Chat,
            "task" => LogComponent::Task,
            other => LogComponent::Other(other.to_owned()),
        }
    }

    /// The wire name.
    ///
    /// ```
    /// # use connect_core::log::LogComponent;
    /// assert_eq!(LogComponent::Ccp.as_str(), "ccp");
    /// ```
    pub fn as_str(&self) -> &str {
        match self {
            LogComponent::Ccp => "ccp",
            LogComponent::Softphone => "softphone",
            LogComponent::Chat => "chat",
            LogComponent::Task => "task",
            LogComponent::Other(name) => name,
        }
    }
}

impl fmt::Display for LogComponent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for LogComponent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for LogComponent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(LogComponent::from_name(&String::deserialize(deserializer)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_have_upstream_values_names_and_order() {
        let table = [
            (LogLevel::Test, 0, "TEST"),
            (LogLevel::Trace, 10, "TRACE"),
            (LogLevel::Debug, 20, "DEBUG"),
            (LogLevel::Info, 30, "INFO"),
            (LogLevel::Log, 40, "LOG"),
            (LogLevel::Warn, 50, "WARN"),
            (LogLevel::Error, 100, "ERROR"),
            (LogLevel::Critical, 200, "CRITICAL"),
        ];
        for (level, value, name) in table {
            assert_eq!(level.value(), value);
            assert_eq!(level.as_str(), name);
            assert_eq!(name.parse::<LogLevel>(), Ok(level));
            let json = serde_json::to_string(&level).expect("serialises");
            assert_eq!(json, format!("\"{name}\""));
            assert_eq!(
                serde_json::from_str::<LogLevel>(&json).expect("parses"),
                level
            );
        }
        for pair in LogLevel::ALL.windows(2) {
            assert!(pair[0] < pair[1] && pair[0].value() < pair[1].value());
        }
        assert_eq!(LogLevel::default(), LogLevel::Info);
        assert!(serde_json::from_str::<LogLevel>("\"LOUD\"").is_err());
    }

    #[test]
    fn components_round_trip() {
        for name in ["ccp", "softphone", "chat", "task", "vdi"] {
            let component = LogComponent::from_name(name);
            let json = serde_json::to_string(&component).expect("serialises");
            assert_eq!(json, format!("\"{name}\""));
            let back: LogComponent = serde_json::from_str(&json).expect("parses");
            assert_eq!(back, component);
        }
        assert_eq!(LogComponent::default(), LogComponent::Ccp);
    }
}
