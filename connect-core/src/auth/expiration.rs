//! Expiry values as token services write them: ISO-8601 text, epoch milliseconds or epoch
//! seconds, as numbers or strings (spec §4.3: the format is unconfirmed, so all are accepted).

use serde_json::Value;

use crate::log::parse_iso8601;
use crate::model::Timestamp;

/// Epoch values at or above this are milliseconds, below it seconds (1e11 s is the year 5138;
/// 1e11 ms is 1973).
const MILLIS_THRESHOLD: f64 = 1e11;

/// Reads an expiry: a JSON number or numeric string of epoch seconds or milliseconds (told
/// apart by magnitude), or ISO-8601 text. `None` for anything else.
///
/// ```
/// use connect_core::auth::parse_expiration;
/// use serde_json::json;
///
/// let ms = 1_700_000_000_000;
/// assert_eq!(parse_expiration(&json!(1_700_000_000)).unwrap().as_millis(), ms);
/// assert_eq!(parse_expiration(&json!(1_700_000_000_000_i64)).unwrap().as_millis(), ms);
/// assert_eq!(parse_expiration(&json!("1700000000.5")).unwrap().as_millis(), ms + 500);
/// assert_eq!(parse_expiration(&json!("2023-11-14T22:13:20Z")).unwrap().as_millis(), ms);
/// assert_eq!(parse_expiration(&json!("soon")), None);
/// ```
pub fn parse_expiration(value: &Value) -> Option<Timestamp> {
    match value {
        Value::Number(n) => from_epoch(n.as_f64()?),
        Value::String(text) => {
            let text = text.trim();
            match text.parse::<f64>() {
                Ok(number) => from_epoch(number),
                Err(_) => parse_iso8601(text),
            }
        }
        _ => None,
    }
}

fn from_epoch(value: f64) -> Option<Timestamp> {
    if !value.is_finite() || value < 0.0 {
        return None;
    }
    let millis = if value >= MILLIS_THRESHOLD {
        value
    } else {
        value * 1000.0
    };
    // 1e15 ms is the year 33658: beyond it nothing sensible is meant.
    (millis <= 1e15).then(|| Timestamp::from_millis(millis.round() as i64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn formats_and_rejections() {
        assert_eq!(
            parse_expiration(&json!("2023-11-14T23:13:20.250+01:00")).map(Timestamp::as_millis),
            Some(1_700_000_000_250)
        );
        assert_eq!(parse_expiration(&json!(-5)), None);
        assert_eq!(parse_expiration(&json!(1e300)), None);
        assert_eq!(parse_expiration(&json!(null)), None);
        assert_eq!(parse_expiration(&json!("")), None);
        assert_eq!(parse_expiration(&json!({"a": 1})), None);
    }
}
