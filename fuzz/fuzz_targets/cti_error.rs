//! Status (first 2 bytes, big-endian) and body (the rest) → `CtiError::from_wire` must not
//! panic; its `to_wire` form must map back to the same code (and the same error).
#![no_main]

use connect_core::api::CtiError;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let status = u16::from_be_bytes([data[0], data[1]]);
    let body = &data[2..];
    // The `x-amzn-ErrorType` header: absent, or the body read as text when it is short.
    let header = std::str::from_utf8(body).ok().filter(|h| h.len() <= 64);
    for header in [None, header] {
        let err = CtiError::from_wire(status, body, header);
        let _ = (err.to_string(), err.is_retryable(), err.http_status());
        let (wire_status, wire_body) = err.to_wire();
        let bytes = serde_json::to_vec(&wire_body).expect("the wire body serialises");
        let back = CtiError::from_wire(wire_status, &bytes, None);
        assert_eq!(
            back.code(),
            err.code(),
            "code lost on the wire: {wire_body}"
        );
        assert_eq!(back, err, "error changed on the wire: {wire_body}");
    }
});
