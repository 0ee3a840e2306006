//! Arbitrary text and arbitrary JSON → `scrub_text` / `redact` must not panic and must be
//! idempotent: redacting what was already redacted changes nothing.
#![no_main]

use connect_core::log::{redact, scrub_text};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);

    let once = scrub_text(&text);
    assert_eq!(
        scrub_text(&once),
        once,
        "scrub_text is not idempotent on {text:?}"
    );

    let once = redact(Value::String(text.clone().into_owned()));
    assert_eq!(
        redact(once.clone()),
        once,
        "redact is not idempotent on the string {text:?}"
    );

    if let Ok(value) = serde_json::from_slice::<Value>(data) {
        let once = redact(value);
        assert_eq!(
            redact(once.clone()),
            once,
            "redact is not idempotent on {text}"
        );
    }
});
