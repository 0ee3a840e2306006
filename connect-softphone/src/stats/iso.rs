//! Serde helpers: timestamps as ISO-8601 UTC text with milliseconds (JavaScript `Date` JSON),
//! the form of the SDK's own records and of the call-quality-monitoring exports.

use connect_core::log::{format_iso8601, parse_iso8601};
use connect_core::model::Timestamp;
use serde::{Deserialize, Deserializer, Serializer};

/// Serialises a timestamp as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub(crate) fn serialize<S: Serializer>(time: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_iso8601(*time))
}

/// Parses ISO-8601 text back into a timestamp.
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
    let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
    parse_iso8601(&text).ok_or_else(|| serde::de::Error::custom("not an ISO-8601 date-time"))
}

/// The same for optional timestamps (`null` when absent).
pub(crate) mod option {
    use super::*;

    /// Serialises `Some` as ISO text and `None` as null.
    pub(crate) fn serialize<S: Serializer>(
        time: &Option<Timestamp>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match time {
            Some(time) => super::serialize(time, s),
            None => s.serialize_none(),
        }
    }

    /// Parses ISO text or null.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Timestamp>, D::Error> {
        match Option::<std::borrow::Cow<'de, str>>::deserialize(d)? {
            Some(text) => parse_iso8601(&text)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom("not an ISO-8601 date-time")),
            None => Ok(None),
        }
    }
}
