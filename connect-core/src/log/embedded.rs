//! Redaction of JSON that sits inside a string (`callConfigJson`, `connectionData`, an error
//! body quoted in a message), without re-ordering it: a scanner finds `"key": value` pairs in
//! the text and applies the same key rules as the structured walk.

use super::redact::{classify_key, redact_string, KeyRule};
use super::scrub::{is_obfuscated, obfuscate};

/// `"[redacted]"` as a JSON string literal.
const REDACTED_LITERAL: &str = "\"[redacted]\"";

/// Applies the key rules to the `"key": value` pairs of `text`.
///
/// `text` is valid JSON, or free text that may quote JSON (then scrubbed by the caller first).
/// Every other string literal is redacted recursively too (through [`redact_string`] at
/// `depth + 1`), in free text as well: a quoted value may hold JSON of its own
/// (`"connectionData": "{\"token\":…}"`), and once the text around it is redacted it may
/// have become valid JSON, so a second pass must find nothing left to do.
pub(crate) fn redact_json_text(text: &str, depth: usize) -> String {
    Scanner {
        text,
        bytes: text.as_bytes(),
        out: String::with_capacity(text.len()),
        copied: 0,
        nesting: 0,
        state_floor: None,
        depth,
    }
    .run()
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    out: String,
    /// Everything before this byte offset is already in `out`.
    copied: usize,
    /// How many `{`/`[` are open at the cursor (outside string literals).
    nesting: usize,
    /// Inside the value of a `state` key: the nesting at which that value ends.
    state_floor: Option<usize>,
    depth: usize,
}

impl Scanner<'_> {
    fn run(mut self) -> String {
        let mut i = 0;
        while i < self.bytes.len() {
            match self.bytes[i] {
                b'"' => i = self.literal(i),
                b'{' | b'[' => {
                    self.nesting += 1;
                    i += 1;
                }
                b'}' | b']' => {
                    self.nesting = self.nesting.saturating_sub(1);
                    if self.state_floor == Some(self.nesting) {
                        self.state_floor = None;
                    }
                    i += 1;
                }
                _ => i += 1,
            }
        }
        self.out.push_str(&self.text[self.copied..]);
        self.out
    }

    /// Handles the string literal opening at `start`; returns where scanning goes on.
    fn literal(&mut self, start: usize) -> usize {
        let Some(end) = string_end(self.bytes, start) else {
            return self.bytes.len();
        };
        let colon = skip_whitespace(self.bytes, end);
        if self.bytes.get(colon) != Some(&b':') {
            self.redact_literal(start, end);
            return end;
        }
        let value = skip_whitespace(self.bytes, colon + 1);
        if value >= self.bytes.len() {
            return value;
        }
        let key = unescape(&self.text[start..end]).unwrap_or_default();
        self.keyed_value(&key, value)
    }

    /// Applies `key`'s rule to the value starting at `start`; returns where scanning goes on.
    fn keyed_value(&mut self, key: &str, start: usize) -> usize {
        let first = self.bytes[start];
        let string_end = if first == b'"' {
            string_end(self.bytes, start)
        } else {
            None
        };
        match classify_key(key) {
            KeyRule::Attributes => self.replace_value(start, REDACTED_LITERAL),
            KeyRule::Secret => {
                if self.text[start..].starts_with("null") {
                    start + 4
                } else {
                    self.replace_value(start, REDACTED_LITERAL)
                }
            }
            KeyRule::Hash => match string_end {
                Some(end) => {
                    let raw = &self.text[start + 1..end - 1];
                    let value = unescape(&self.text[start..end]).unwrap_or_else(|| raw.to_owned());
                    if !is_obfuscated(&value) {
                        self.replace(start, end, &quote(&obfuscate(&value)));
                    }
                    end
                }
                None => start,
            },
            KeyRule::Pii if self.state_floor.is_none() => match string_end {
                Some(end) => {
                    self.replace(start, end, REDACTED_LITERAL);
                    end
                }
                None => start,
            },
            KeyRule::State if first == b'{' || first == b'[' => {
                self.state_floor.get_or_insert(self.nesting);
                start
            }
            _ => match string_end {
                Some(end) => {
                    self.redact_literal(start, end);
                    end
                }
                None => start,
            },
        }
    }

    /// Replaces the whole value (string, container or scalar) at `start`; returns its end.
    fn replace_value(&mut self, start: usize, with: &str) -> usize {
        let end = value_end(self.bytes, start);
        self.replace(start, end, with);
        end
    }

    /// Redacts the content of the string literal `start..end` like any other string.
    fn redact_literal(&mut self, start: usize, end: usize) {
        let Some(content) = unescape(&self.text[start..end]) else {
            return;
        };
        if let Some(redacted) = redact_string(&content, self.depth + 1) {
            self.replace(start, end, &quote(&redacted));
        }
    }

    fn replace(&mut self, start: usize, end: usize, with: &str) {
        self.out.push_str(&self.text[self.copied..start]);
        self.out.push_str(with);
        self.copied = end;
    }
}

/// The text of `value` as a JSON string literal.
fn quote(value: &str) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| REDACTED_LITERAL.to_owned())
}

/// The content of a JSON string literal (quotes included in `literal`), if it is valid.
fn unescape(literal: &str) -> Option<String> {
    serde_json::from_str(literal).ok()
}

/// The offset just past the closing quote of the literal opening at `start`, if it closes.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

fn skip_whitespace(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The end of the JSON value starting at `start`: a string, a container (brackets matched,
/// strings skipped), or a scalar up to the next `,`, `}`, `]` or whitespace. Unterminated values
/// run to the end of the text.
fn value_end(bytes: &[u8], start: usize) -> usize {
    match bytes[start] {
        b'"' => string_end(bytes, start).unwrap_or(bytes.len()),
        b'{' | b'[' => {
            let mut open = 0usize;
            let mut i = start;
            while i < bytes.len() {
                match bytes[i] {
                    b'"' => {
                        i = string_end(bytes, i).unwrap_or(bytes.len());
                        continue;
                    }
                    b'{' | b'[' => open += 1,
                    b'}' | b']' => {
                        open -= 1;
                        if open == 0 {
                            return i + 1;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            bytes.len()
        }
        _ => {
            let mut i = start;
            while i < bytes.len()
                && !matches!(bytes[i], b',' | b'}' | b']')
                && !bytes[i].is_ascii_whitespace()
            {
                i += 1;
            }
            i
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_values_follow_the_key_rules_and_order_is_kept() {
        let table = [
            (
                r#"{"z":1,"credential":"abc","a":"x"}"#,
                r#"{"z":1,"credential":"[redacted]","a":"x"}"#,
            ),
            (
                r#"{"attributes":{"a":[1,{"b":"}"}]},"k":2}"#,
                r#"{"attributes":"[redacted]","k":2}"#,
            ),
            (r#"{"sessionToken":null}"#, r#"{"sessionToken":null}"#),
            (r#"{"authToken":123}"#, r#"{"authToken":"[redacted]"}"#),
            (
                r#"{"name":"Bob","name2":"Bob"}"#,
                r#"{"name":"[redacted]","name2":"Bob"}"#,
            ),
            (r#"{"name":{"first":"x"}}"#, r#"{"name":{"first":"x"}}"#),
            (
                r#"{"state":{"name":"Available"},"name":"Queue"}"#,
                r#"{"state":{"name":"Available"},"name":"[redacted]"}"#,
            ),
            (
                r#"{"customerId":"69b39df2-a06a-4f66-a9a9-ad699004d245"}"#,
                r#"{"customerId":"[obfuscated value] 86afb5d2f86f0ddbe298a8dd895bf5aa"}"#,
            ),
            (r#"["+15551234567", "ok"]"#, r#"["[redacted]", "ok"]"#),
            (
                r#"{"note" : "mail a@b.io"}"#,
                r#"{"note" : "mail email address [redacted]"}"#,
            ),
            (
                r#"{"é":"ü","password":"ñ"}"#,
                r#"{"é":"ü","password":"[redacted]"}"#,
            ),
        ];
        for (input, expected) in table {
            assert_eq!(redact_json_text(input, 0), expected, "{input}");
        }
    }

    #[test]
    fn free_text_quoting_json_survives_garbage() {
        let table = [
            (
                r#"body: {"participantToken":"abc"} then"#,
                r#"body: {"participantToken":"[redacted]"} then"#,
            ),
            (r#"say "hi"#, r#"say "hi"#),
            (r#""a":"#, r#""a":"#),
            (r#""token": "#, r#""token": "#),
            (r#"{"secret":{"a":"#, r#"{"secret":"[redacted]""#),
            (r#""k":"+15551234567""#, r#""k":"[redacted]""#),
            (
                r#"log "d": "{\"token\":\"t\"}" end"#,
                r#"log "d": "{\"token\":\"[redacted]\"}" end"#,
            ),
        ];
        for (input, expected) in table {
            assert_eq!(redact_json_text(input, 0), expected, "{input}");
        }
    }

    #[test]
    fn nested_json_strings_are_redacted_recursively() {
        let inner = r#"{"token":"t","ok":"fine"}"#;
        let outer = serde_json::json!({ "data": inner }).to_string();
        let redacted = redact_json_text(&outer, 0);
        let back: serde_json::Value = serde_json::from_str(&redacted).expect("still JSON");
        assert_eq!(back["data"], r#"{"token":"[redacted]","ok":"fine"}"#);
    }
}
