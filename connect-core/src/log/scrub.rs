//! Scrubbing of free text: the §8.3 text rules plus the SDK's phone-number and presigned-URL
//! rules, applied to every string a log entry carries.

use md5::{Digest, Md5};

/// What replaces a redacted value.
///
/// ```
/// use connect_core::log::{redact, REDACTED};
/// assert_eq!(redact(serde_json::json!({"password": "p"}))["password"], REDACTED);
/// ```
pub const REDACTED: &str = "[redacted]";

/// The prefix of a hashed value (`[obfuscated value] <md5 hex>`).
///
/// ```
/// use connect_core::log::{obfuscate, OBFUSCATED_PREFIX};
/// assert!(obfuscate("id").starts_with(OBFUSCATED_PREFIX));
/// ```
pub const OBFUSCATED_PREFIX: &str = "[obfuscated value]";

/// Markers that blank the rest of their line (matched ignoring ASCII case), with what replaces
/// the marker and everything after it. `ConnectionAuthenticationToken` is listed before
/// `AuthToken` only for clarity: the earliest match in the line wins.
const LINE_MARKERS: [(&str, &str); 4] = [
    ("connectionauthenticationtoken", REDACTED),
    ("authtoken", REDACTED),
    ("phone number", "phone number[redacted]"),
    ("send digit", "send digit [redacted]"),
];

/// Query parameters that make a URL a presigned (SigV4 query-signed) URL.
const PRESIGNED_MARKERS: [&str; 3] = [
    "x-amz-signature=",
    "x-amz-credential=",
    "x-amz-security-token=",
];

/// `[obfuscated value] <md5 hex of value>`: hides a value but keeps it correlatable.
///
/// ```
/// use connect_core::log::obfuscate;
///
/// assert_eq!(
///     obfuscate("https://presignedurl"),
///     "[obfuscated value] 57d2675deb0ead32441d389bb95cadc5"
/// );
/// ```
pub fn obfuscate(value: &str) -> String {
    format!("{OBFUSCATED_PREFIX} {:x}", Md5::digest(value.as_bytes()))
}

/// Whether `value` is already an [`obfuscate`] output (so hashing again would lose the link).
pub(crate) fn is_obfuscated(value: &str) -> bool {
    value
        .strip_prefix(OBFUSCATED_PREFIX)
        .and_then(|rest| rest.strip_prefix(' '))
        .is_some_and(|hex| hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Scrubs free text, line by line:
///
/// - from `AuthToken` or `ConnectionAuthenticationToken` to the end of the line → `[redacted]`;
/// - from `Phone number` to the end of the line → `phone number[redacted]`;
/// - from `Send digit` to the end of the line → `send digit [redacted]`;
/// - e-mail addresses → `email address [redacted]`;
/// - `+` followed by 7–15 digits (separators ` `, `-`, `.`, `(`, `)` allowed between digits),
///   an E.164 phone number → `[redacted]`;
/// - whitespace-delimited words holding a presigned URL (`X-Amz-Signature=`,
///   `X-Amz-Credential=`, `X-Amz-Security-Token=`) → `[obfuscated value] <md5 hex>`.
///
/// Markers match ignoring ASCII case. Text without any of these comes back unchanged.
///
/// ```
/// use connect_core::log::scrub_text;
///
/// assert_eq!(scrub_text("wss://host/?AuthToken=QVFJ=="), "wss://host/?[redacted]");
/// assert_eq!(scrub_text("Dialing +1 555 010 0123 now"), "Dialing [redacted] now");
/// assert_eq!(scrub_text("mail jane@example.com"), "mail email address [redacted]");
/// assert_eq!(scrub_text("nothing to hide"), "nothing to hide");
/// ```
pub fn scrub_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        scrub_line(line, &mut out);
    }
    out
}

fn scrub_line(line: &str, out: &mut String) {
    let lower = line.to_ascii_lowercase();
    let marker = LINE_MARKERS
        .iter()
        .filter_map(|(needle, replacement)| lower.find(needle).map(|at| (at, *replacement)))
        .min_by_key(|(at, _)| *at);
    let (head, tail) = match marker {
        // `to_ascii_lowercase` keeps byte offsets, so `at` is a boundary in `line` too.
        Some((at, replacement)) => (&line[..at], Some(replacement)),
        None => (line, None),
    };
    let head = hash_presigned_words(head);
    let head = scrub_emails(&head);
    scrub_phone_numbers(&head, out);
    if let Some(replacement) = tail {
        out.push_str(replacement);
    }
}

/// Whether `value` contains a presigned URL's signing parameters.
pub(crate) fn is_presigned_url(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    PRESIGNED_MARKERS
        .iter()
        .any(|marker| lower.contains(marker))
}

fn hash_presigned_words(text: &str) -> String {
    if !is_presigned_url(text) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut word_start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if c.is_whitespace() {
            if let Some(start) = word_start.take() {
                let word = &text[start..i];
                if is_presigned_url(word) {
                    out.push_str(&obfuscate(word));
                } else {
                    out.push_str(word);
                }
            }
            if i < text.len() {
                out.push(c);
            }
        } else if word_start.is_none() {
            word_start = Some(i);
        }
    }
    out
}

fn is_local_part_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"._%+-".contains(&b)
}

fn is_domain_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'-'
}

/// The end (exclusive) of a domain that starts at `start`: labels with at least one dot and a
/// final label of two or more letters; `None` if there is no such domain.
fn domain_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut end = start;
    while end < bytes.len() && is_domain_char(bytes[end]) {
        end += 1;
    }
    // Trailing dots or hyphens (end of a sentence) are not part of the domain.
    while end > start && matches!(bytes[end - 1], b'.' | b'-') {
        end -= 1;
    }
    let domain = &bytes[start..end];
    if !domain.first().is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    let last_dot = domain.iter().rposition(|&b| b == b'.')?;
    let tld = &domain[last_dot + 1..];
    (last_dot > 0 && tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic)).then_some(end)
}

fn scrub_emails(text: &str) -> String {
    if !text.contains('@') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'@' {
            let mut start = i;
            while start > copied && is_local_part_char(bytes[start - 1]) {
                start -= 1;
            }
            if start < i {
                if let Some(end) = domain_end(bytes, i + 1) {
                    // All bytes scanned are ASCII, so `start` and `end` are char boundaries.
                    out.push_str(&text[copied..start]);
                    out.push_str("email address [redacted]");
                    copied = end;
                    i = end;
                    continue;
                }
            }
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
    out
}

fn is_phone_separator(b: u8) -> bool {
    matches!(b, b' ' | b'-' | b'.' | b'(' | b')')
}

/// The end (exclusive) of an E.164-looking number whose `+` is at `plus`, if it has 7–15 digits.
fn phone_end(bytes: &[u8], plus: usize) -> Option<usize> {
    let mut digits = 0;
    let mut end = plus + 1;
    let mut i = plus + 1;
    // A single opening parenthesis may follow the plus: `+(44) 20 …`.
    if bytes.get(i) == Some(&b'(') {
        i += 1;
    }
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            digits += 1;
            i += 1;
            end = i;
        } else if bytes[i] == b')'
            || (is_phone_separator(bytes[i])
                && bytes
                    .get(i + 1)
                    .is_some_and(|&next| next.is_ascii_digit() || next == b'('))
        {
            // A closing parenthesis, or a separator between digit groups.
            i += 1;
        } else {
            break;
        }
    }
    (7..=15).contains(&digits).then_some(end)
}

fn scrub_phone_numbers(text: &str, out: &mut String) {
    let bytes = text.as_bytes();
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'+' {
            if let Some(end) = phone_end(bytes, i) {
                out.push_str(&text[copied..i]);
                out.push_str(REDACTED);
                copied = end;
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
}
