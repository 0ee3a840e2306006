//! Wire timestamps: epoch seconds with a millisecond fraction.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// An instant on the CCP's wall clock, stored as integer epoch milliseconds.
///
/// On the wire it is a JSON number of epoch **seconds** with a millisecond fraction
/// (`1646369082.782`). Integer seconds are accepted; serialisation always writes three decimals.
///
/// ```
/// use connect_core::model::Timestamp;
///
/// let t: Timestamp = serde_json::from_str("1646369082.782").unwrap();
/// assert_eq!(t.as_millis(), 1_646_369_082_782);
/// assert_eq!(serde_json::to_string(&t).unwrap(), "1646369082.782");
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The instant `millis` milliseconds after the Unix epoch.
    ///
    /// ```
    /// # use connect_core::model::Timestamp;
    /// assert_eq!(Timestamp::from_millis(1500).as_secs_f64(), 1.5);
    /// ```
    pub const fn from_millis(millis: i64) -> Self {
        Self(millis)
    }

    /// Milliseconds since the Unix epoch.
    ///
    /// ```
    /// # use connect_core::model::Timestamp;
    /// assert_eq!(Timestamp::from_millis(42).as_millis(), 42);
    /// ```
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// Seconds since the Unix epoch, with the millisecond fraction.
    ///
    /// ```
    /// # use connect_core::model::Timestamp;
    /// assert_eq!(Timestamp::from_millis(2250).as_secs_f64(), 2.25);
    /// ```
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    /// This instant moved by `millis` (negative moves it back); saturates instead of overflowing.
    ///
    /// ```
    /// # use connect_core::model::Timestamp;
    /// assert_eq!(Timestamp::from_millis(1000).add_millis(-250).as_millis(), 750);
    /// ```
    pub const fn add_millis(self, millis: i64) -> Self {
        Self(self.0.saturating_add(millis))
    }

    /// Milliseconds from `earlier` to `self` (negative when `earlier` is later).
    ///
    /// ```
    /// # use connect_core::model::Timestamp;
    /// let a = Timestamp::from_millis(1000);
    /// assert_eq!(a.add_millis(300).millis_since(a), 300);
    /// ```
    pub const fn millis_since(self, earlier: Timestamp) -> i64 {
        self.0.saturating_sub(earlier.0)
    }

    /// The wire text: seconds with exactly three decimals.
    fn wire_text(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:03}", abs / 1000, abs % 1000)
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({})", self.wire_text())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.wire_text())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // A raw JSON number keeps exactly three decimals on the wire.
        let raw = serde_json::value::RawValue::from_string(self.wire_text())
            .map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TimestampVisitor)
    }
}

/// The largest magnitude accepted on the wire, in milliseconds (1e15 ms, about the year 33658).
/// Within it the three-decimal wire text read back as an `f64` always rounds to the same
/// millisecond, so whatever parses serialises and parses back unchanged; beyond it an `f64`
/// can miss by a millisecond or more (and integer seconds up to `i64::MAX / 1000` would parse
/// but not parse back).
const MAX_WIRE_MILLIS: i64 = 1_000_000_000_000_000;

struct TimestampVisitor;

impl Visitor<'_> for TimestampVisitor {
    type Value = Timestamp;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("epoch seconds as a JSON number")
    }

    fn visit_i64<E: de::Error>(self, secs: i64) -> Result<Timestamp, E> {
        secs.checked_mul(1000)
            .filter(|millis| millis.abs() <= MAX_WIRE_MILLIS)
            .map(Timestamp)
            .ok_or_else(|| E::custom("timestamp out of range"))
    }

    fn visit_u64<E: de::Error>(self, secs: u64) -> Result<Timestamp, E> {
        i64::try_from(secs)
            .map_err(|_| E::custom("timestamp out of range"))
            .and_then(|s| self.visit_i64(s))
    }

    fn visit_f64<E: de::Error>(self, secs: f64) -> Result<Timestamp, E> {
        let millis = (secs * 1000.0).round();
        if millis.is_finite() && millis.abs() <= MAX_WIRE_MILLIS as f64 {
            Ok(Timestamp(millis as i64))
        } else {
            Err(E::custom("timestamp out of range"))
        }
    }
}
