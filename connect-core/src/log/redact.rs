//! Redaction of structured values (spec §8.3 plus rule R12), applied before anything is stored,
//! echoed, exported or uploaded.

use serde_json::Value;

use super::embedded::redact_json_text;
use super::scrub::{is_obfuscated, obfuscate, scrub_text, REDACTED};

/// Values nested deeper than this (the top level is depth 0) are replaced by `[redacted]`
/// unseen. `serde_json::Value` cannot hold a cycle, so this is the only guard needed.
///
/// ```
/// use connect_core::log::{redact, MAX_REDACTION_DEPTH};
/// use serde_json::{json, Value};
///
/// let mut deep = json!("+15551234567");
/// for _ in 0..MAX_REDACTION_DEPTH + 5 {
///     deep = Value::Array(vec![deep]);
/// }
/// assert!(!redact(deep).to_string().contains("555"));
/// ```
pub const MAX_REDACTION_DEPTH: usize = 200;

/// Keys of §8.3 whose string values are replaced, normalised (see [`normalise_key`]).
/// `queue.name` never matches a single key upstream; `name` covers it, `queuename` is kept for
/// keys spelt that way.
const PII_KEYS: [&str; 18] = [
    "quickconnectname",
    "token",
    "login",
    "credential",
    "internalip",
    "authtoken",
    "phonenumber",
    "firstname",
    "lastname",
    "emailaddress",
    "address",
    "displayname",
    "agentname",
    "description",
    "name",
    "value",
    "summary",
    "queuename",
];

/// Keys of §8.3 whose string values are hashed, normalised.
const HASHED_KEYS: [&str; 4] = [
    "customerid",
    "speakerid",
    "customerspeakerid",
    "presignedurl",
];

/// What a key does to its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyRule {
    /// `attributes`: the whole value becomes `[redacted]`.
    Attributes,
    /// `state`: the §8.3 name list is suspended inside (agent state names stay readable).
    State,
    /// R12 secrets: any non-null value becomes `[redacted]`.
    Secret,
    /// Hashed as `[obfuscated value] <md5 hex>` when a string.
    Hash,
    /// §8.3 names: string values become `[redacted]` (outside `state`).
    Pii,
    /// No key rule; strings are still scrubbed.
    Plain,
}

/// Lower-cases ASCII and drops `_`, `-`, `.` and spaces, so `participant_token`,
/// `X-Amz-Bearer`, `phone number` and `phoneNumber` meet the same rules.
fn normalise_key(key: &str) -> String {
    key.chars()
        .filter(|c| !matches!(c, '_' | '-' | '.' | ' '))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Whether a key names a secret under rule R12: it ends in `token`, contains `credential`,
/// `password` or `secret`, or is `authentication`, `authorization` or `x-amz-bearer`
/// (matched on the normalised key).
fn is_secret(normalised: &str) -> bool {
    normalised.ends_with("token")
        || ["credential", "password", "secret"]
            .iter()
            .any(|word| normalised.contains(word))
        || ["authentication", "authorization", "xamzbearer"].contains(&normalised)
}

/// The rule for an object key.
pub(crate) fn classify_key(key: &str) -> KeyRule {
    let key = normalise_key(key);
    if key == "attributes" {
        KeyRule::Attributes
    } else if key == "state" {
        KeyRule::State
    } else if is_secret(&key) {
        KeyRule::Secret
    } else if HASHED_KEYS.contains(&key.as_str()) || key.contains("presigned") {
        KeyRule::Hash
    } else if PII_KEYS.contains(&key.as_str()) {
        KeyRule::Pii
    } else {
        KeyRule::Plain
    }
}

/// Redacts a JSON value: a pure function, the input is consumed and a redacted value returned.
///
/// Object keys, matched ignoring ASCII case and `_`, `-`, `.`, spaces:
///
/// | key | value becomes |
/// |---|---|
/// | `attributes` | `"[redacted]"`, whatever it was |
/// | `state` | kept, and the name list below is not applied inside it (agent state names stay readable); secrets and text scrubbing still apply |
/// | ends in `token`; contains `credential`, `password`, `secret`; `authentication`, `authorization`, `x-amz-bearer` (R12) | `"[redacted]"` unless `null` |
/// | `customerId`, `speakerId`, `customerSpeakerId`, `presignedUrl`, any key containing `presigned` | strings: `"[obfuscated value] <md5 hex>"` |
/// | `quickConnectName`, `token`, `login`, `credential`, `internalIp`, `authToken`, `phoneNumber`, `firstName`, `lastName`, `emailAddress`, `address`, `displayName`, `agentName`, `description`, `name`, `value`, `summary`, `queue.name` | strings: `"[redacted]"` |
///
/// Every other string is scrubbed with [`scrub_text`](super::scrub_text) (auth tokens, phone
/// numbers, DTMF, e-mail addresses, presigned URLs). A string holding JSON (`callConfigJson`,
/// `connectionData`) gets the key rules applied inside it, keeping its layout; JSON quoted in
/// free text gets them on its `"key": value` pairs. Deeper than [`MAX_REDACTION_DEPTH`] →
/// `"[redacted]"`.
///
/// ```
/// use connect_core::log::redact;
/// use serde_json::json;
///
/// let logged = redact(json!({
///     "webSocketTransport": {"url": "wss://x/?AuthToken=QVFJ==", "expiry": "2021-03-09T20:03:34.625Z"},
///     "participantToken": "abc",
///     "attributes": {"account": "42"},
///     "state": {"name": "Available"},
///     "queue": {"name": "VIP", "queueId": "q-1"},
/// }));
/// assert_eq!(logged, json!({
///     "webSocketTransport": {"url": "wss://x/?[redacted]", "expiry": "2021-03-09T20:03:34.625Z"},
///     "participantToken": "[redacted]",
///     "attributes": "[redacted]",
///     "state": {"name": "Available"},
///     "queue": {"name": "[redacted]", "queueId": "q-1"},
/// }));
/// ```
pub fn redact(value: Value) -> Value {
    let mut value = value;
    redact_in_place(&mut value);
    value
}

/// [`redact`] on a value in place (no copy).
///
/// ```
/// use connect_core::log::redact_in_place;
/// use serde_json::json;
///
/// let mut value = json!({"X-Amz-Bearer": "token-value", "count": 3});
/// redact_in_place(&mut value);
/// assert_eq!(value, json!({"X-Amz-Bearer": "[redacted]", "count": 3}));
/// ```
pub fn redact_in_place(value: &mut Value) {
    walk(value, 0, false);
}

fn walk(value: &mut Value, depth: usize, in_state: bool) {
    if depth > MAX_REDACTION_DEPTH {
        *value = Value::String(REDACTED.to_owned());
        return;
    }
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                keyed(classify_key(key), child, depth + 1, in_state);
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(item, depth + 1, in_state);
            }
        }
        Value::String(text) => {
            if let Some(redacted) = redact_string(text, depth) {
                *text = redacted;
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

fn keyed(rule: KeyRule, value: &mut Value, depth: usize, in_state: bool) {
    match rule {
        KeyRule::Attributes => *value = Value::String(REDACTED.to_owned()),
        KeyRule::Secret => {
            if !value.is_null() {
                *value = Value::String(REDACTED.to_owned());
            }
        }
        KeyRule::Hash => match value {
            Value::String(text) if !is_obfuscated(text) => *text = obfuscate(text),
            _ => walk(value, depth, in_state),
        },
        KeyRule::Pii if !in_state => match value {
            Value::String(text) => *text = REDACTED.to_owned(),
            _ => walk(value, depth, in_state),
        },
        KeyRule::State => walk(value, depth, true),
        KeyRule::Pii | KeyRule::Plain => walk(value, depth, in_state),
    }
}

/// Redacts one string value (not under a key rule) at `depth`; `None` when it is unchanged.
pub(crate) fn redact_string(text: &str, depth: usize) -> Option<String> {
    if depth > MAX_REDACTION_DEPTH {
        return Some(REDACTED.to_owned());
    }
    if let Some(redacted) = redact_html_escaped_json(text, depth) {
        return (redacted != text).then_some(redacted);
    }
    let redacted = if looks_like_json(text) {
        redact_json_text(text, depth)
    } else if text.contains('"') {
        // Scrub first, then apply the key rules to the scrubbed text: that is the text that is
        // kept, so the key rules see the quotes and brackets a second pass would see (a line
        // marker can cut away a quote or a `"state": {`, which would otherwise shift them).
        redact_json_text(&scrub_text(text), depth)
    } else {
        scrub_text(text)
    };
    (redacted != text).then_some(redacted)
}

/// JSON whose quotes are HTML-escaped (`{&quot;credential&quot;:…}`, as `callConfigJson` comes):
/// redacted as JSON and escaped back, so nothing hides behind the escaping. Not for text that
/// also holds plain quotes: escaping back would turn those into `&quot;` too, and a second pass
/// would then read a different text.
fn redact_html_escaped_json(text: &str, depth: usize) -> Option<String> {
    if !text.contains("&quot;") || text.contains('"') {
        return None;
    }
    let plain = text.replace("&quot;", "\"");
    looks_like_json(&plain).then(|| redact_json_text(&plain, depth).replace('"', "&quot;"))
}

/// A JSON object or array (checked by parsing, so free text in brackets is not mistaken).
fn looks_like_json(text: &str) -> bool {
    let trimmed = text.trim();
    let bracketed = (trimmed.starts_with('{') && trimmed.ends_with('}'))
        || (trimmed.starts_with('[') && trimmed.ends_with(']'));
    bracketed && serde_json::from_str::<serde::de::IgnoredAny>(trimmed).is_ok()
}
