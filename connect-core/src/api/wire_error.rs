//! [`CtiError`] to and from the wire shape of §1.3: pure functions, no HTTP types.

use serde_json::{json, Map, Value};

use super::{AuthErrorKind, CtiError, CtiExceptionKind, TransportErrorKind};

/// The namespace [`CtiError::to_wire`] writes in `__type`.
pub const ERROR_NAMESPACE: &str = "com.amazonaws.connect";

/// Longest service message kept, in bytes (a misbehaving server cannot fill the logs).
const MAX_MESSAGE_BYTES: usize = 1024;

impl CtiError {
    /// Reads a non-2xx CTI response (spec §1.3).
    ///
    /// The code is the part of `__type` after the last `#` (then up to a `:`, as in the AWS
    /// SDKs); fallbacks: body `code`/`Code`, then the `x-amzn-ErrorType` header (read the same
    /// way: after the last `#`, up to a `:`), then `UnknownError`. An empty or non-JSON body gives no code or message; the status
    /// (and the header) are all there is. `UnauthorizedException` or status 401 is
    /// `Auth(Unauthorized)`; `AccessDeniedException` or status 403 is `Auth(AccessDenied)`.
    ///
    /// ```
    /// use connect_core::api::{AuthErrorKind, CtiError, CtiExceptionKind};
    ///
    /// let body = br#"{"__type":"com.amazonaws.connect#InvalidStateException","message":"Agent busy"}"#;
    /// let err = CtiError::from_wire(400, body, None);
    /// assert_eq!(err, CtiError::Service {
    ///     code: CtiExceptionKind::InvalidStateException,
    ///     message: "Agent busy".into(),
    ///     status: 400,
    /// });
    ///
    /// let err = CtiError::from_wire(401, b"", None);
    /// assert_eq!(err.auth_kind(), Some(AuthErrorKind::Unauthorized));
    /// ```
    pub fn from_wire(status: u16, body: &[u8], error_type_header: Option<&str>) -> CtiError {
        let parsed = parse_body(body);
        let body_code = parsed.as_ref().and_then(|obj| {
            ["__type", "code", "Code"]
                .iter()
                .filter_map(|key| obj.get(*key).and_then(Value::as_str))
                .find(|code| !code.is_empty())
                .map(code_after_hash)
        });
        // The header's code is read like `__type` (as the AWS SDKs sanitise either): a `#` in
        // it must not survive, or `to_wire` would write a `__type` that reads back differently.
        let header_code = error_type_header
            .map(code_after_hash)
            .filter(|code| !code.is_empty());
        let code = body_code
            .or(header_code)
            .unwrap_or(CtiExceptionKind::UnknownError.as_str());
        let code: CtiExceptionKind = code.parse().unwrap_or_else(|never| match never {});

        let message = parsed
            .as_ref()
            .and_then(|obj| {
                ["message", "Message"]
                    .iter()
                    .find_map(|key| obj.get(*key).and_then(Value::as_str))
            })
            .map(truncate)
            .unwrap_or_else(|| status_message(status, body, parsed.is_some()));

        let auth = match (&code, status) {
            (CtiExceptionKind::UnauthorizedException, _) => Some(AuthErrorKind::Unauthorized),
            (CtiExceptionKind::AccessDeniedException, _) => Some(AuthErrorKind::AccessDenied),
            (_, 401) => Some(AuthErrorKind::Unauthorized),
            (_, 403) => Some(AuthErrorKind::AccessDenied),
            _ => None,
        };
        match auth {
            Some(kind) => CtiError::Auth { kind, message },
            None => CtiError::Service {
                code,
                message,
                status,
            },
        }
    }

    /// The wire form of this error, for a server: `(status, {"__type": "com.amazonaws.connect#<Code>",
    /// "message": …})`, with the code of [`CtiError::code`].
    ///
    /// Statuses: auth 401/403, service its own, transport timeouts 504 and other transport
    /// errors 503, `InvalidResponse` 500, `OutboundCorrelationTimeout` 504, the other local
    /// errors 400.
    ///
    /// ```
    /// use connect_core::api::{CtiError, CtiExceptionKind};
    ///
    /// let err = CtiError::Service { code: CtiExceptionKind::BadEndpointException, message: "no".into(), status: 400 };
    /// let (status, body) = err.to_wire();
    /// assert_eq!(status, 400);
    /// assert_eq!(body["__type"], "com.amazonaws.connect#BadEndpointException");
    /// let bytes = serde_json::to_vec(&body).unwrap();
    /// assert_eq!(CtiError::from_wire(status, &bytes, None), err);
    /// ```
    pub fn to_wire(&self) -> (u16, Value) {
        let status = match self {
            Self::Auth { kind, .. } => kind.http_status(),
            Self::Service { status, .. } => *status,
            Self::Transport {
                kind: TransportErrorKind::Timeout,
                ..
            }
            | Self::OutboundCorrelationTimeout => 504,
            Self::Transport { .. } => 503,
            Self::InvalidResponse { .. } => 500,
            Self::InvalidRequest(_) | Self::PaginationLoop { .. } | Self::Unsupported { .. } => 400,
        };
        let message = match self {
            Self::Auth { message, .. }
            | Self::Service { message, .. }
            | Self::Transport { message, .. }
            | Self::InvalidResponse { message, .. }
            | Self::InvalidRequest(message) => message.clone(),
            other => other.to_string(),
        };
        let body = json!({
            "__type": format!("{ERROR_NAMESPACE}#{}", self.code()),
            "message": message,
        });
        (status, body)
    }
}

/// The body as a JSON object; `Some(empty)` for JSON that is not an object (it carries no
/// fields), `None` for an empty or non-JSON body.
fn parse_body(body: &[u8]) -> Option<Map<String, Value>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    match serde_json::from_slice::<Value>(body).ok()? {
        Value::Object(obj) => Some(obj),
        _ => Some(Map::new()),
    }
}

/// `ns#Code` → `Code`; `Code:detail` → `Code`.
fn code_after_hash(raw: &str) -> &str {
    let after = raw.rsplit('#').next().unwrap_or(raw);
    after.split(':').next().unwrap_or(after).trim()
}

/// The message when the body has none: only the status (the body itself is never quoted).
fn status_message(status: u16, body: &[u8], was_json: bool) -> String {
    if was_json {
        format!("HTTP {status}")
    } else if body.iter().all(u8::is_ascii_whitespace) {
        format!("HTTP {status} with an empty body")
    } else {
        format!("HTTP {status} with a non-JSON body")
    }
}

fn truncate(message: &str) -> String {
    if message.len() <= MAX_MESSAGE_BYTES {
        return message.to_owned();
    }
    let mut end = MAX_MESSAGE_BYTES;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &message[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::CtiMethod;

    fn service(code: CtiExceptionKind, message: &str, status: u16) -> CtiError {
        CtiError::Service {
            code,
            message: message.into(),
            status,
        }
    }

    fn auth(kind: AuthErrorKind, message: &str) -> CtiError {
        CtiError::Auth {
            kind,
            message: message.into(),
        }
    }

    #[test]
    fn code_from_type_after_last_hash() {
        let body = br#"{"__type":"a#b.c#InvalidStateException","message":"m"}"#;
        assert_eq!(
            CtiError::from_wire(400, body, Some("QuotaExceededException")),
            service(CtiExceptionKind::InvalidStateException, "m", 400)
        );
        let body = br#"{"__type":"InvalidStateException","message":"m"}"#;
        assert_eq!(
            CtiError::from_wire(400, body, None),
            service(CtiExceptionKind::InvalidStateException, "m", 400)
        );
        let body = br#"{"__type":"ns#BadEndpointException:http://internal/","message":"m"}"#;
        assert_eq!(
            CtiError::from_wire(400, body, None),
            service(CtiExceptionKind::BadEndpointException, "m", 400)
        );
    }

    #[test]
    fn code_falls_back_to_body_code_then_capital_code() {
        let body = br#"{"code":"QuotaExceededException","Code":"X","message":"m"}"#;
        assert_eq!(
            CtiError::from_wire(400, body, None),
            service(CtiExceptionKind::QuotaExceededException, "m", 400)
        );
        let body = br#"{"Code":"ns#PaginationException","Message":"M"}"#;
        assert_eq!(
            CtiError::from_wire(400, body, None),
            service(CtiExceptionKind::PaginationException, "M", 400)
        );
        // An empty or non-string `__type` does not count.
        let body = br#"{"__type":"","code":"SendDataFailedException","message":"m"}"#;
        assert_eq!(
            CtiError::from_wire(400, body, None),
            service(CtiExceptionKind::SendDataFailedException, "m", 400)
        );
        let body = br#"{"__type":7,"Code":"SendDataFailedException","message":"m"}"#;
        assert_eq!(
            CtiError::from_wire(400, body, None),
            service(CtiExceptionKind::SendDataFailedException, "m", 400)
        );
    }

    #[test]
    fn code_falls_back_to_header_up_to_colon() {
        let body = br#"{"message":"m"}"#;
        assert_eq!(
            CtiError::from_wire(
                400,
                body,
                Some("InvalidContactTypeException:http://internal.amazon.com/")
            ),
            service(CtiExceptionKind::InvalidContactTypeException, "m", 400)
        );
        assert_eq!(
            CtiError::from_wire(429, b"", Some("ThrottlingException")),
            service(
                CtiExceptionKind::ThrottlingException,
                "HTTP 429 with an empty body",
                429
            )
        );
        assert_eq!(
            CtiError::from_wire(400, b"<html>", Some("SerializationException:x")),
            service(
                CtiExceptionKind::SerializationException,
                "HTTP 400 with a non-JSON body",
                400
            )
        );
    }

    #[test]
    fn code_falls_back_to_unknown_error() {
        assert_eq!(
            CtiError::from_wire(400, br#"{"message":"m"}"#, Some("")),
            service(CtiExceptionKind::UnknownError, "m", 400)
        );
        assert_eq!(
            CtiError::from_wire(400, br#"["not","an","object"]"#, None),
            service(CtiExceptionKind::UnknownError, "HTTP 400", 400)
        );
    }

    #[test]
    fn empty_or_non_json_body_keeps_only_the_status() {
        let err = CtiError::from_wire(503, b"", None);
        assert_eq!(
            err,
            service(
                CtiExceptionKind::UnknownError,
                "HTTP 503 with an empty body",
                503
            )
        );
        assert!(err.is_retryable());
        let err = CtiError::from_wire(502, b"Bad Gateway token=abc", None);
        assert_eq!(
            err,
            service(
                CtiExceptionKind::UnknownError,
                "HTTP 502 with a non-JSON body",
                502
            )
        );
        assert!(!err.to_string().contains("token"));
        assert_eq!(
            CtiError::from_wire(500, b"  \n", None),
            service(
                CtiExceptionKind::UnknownError,
                "HTTP 500 with an empty body",
                500
            )
        );
    }

    #[test]
    fn auth_by_code_or_status() {
        let body =
            br#"{"__type":"com.amazonaws.connect#UnauthorizedException","message":"expired"}"#;
        assert_eq!(
            CtiError::from_wire(401, body, None),
            auth(AuthErrorKind::Unauthorized, "expired")
        );
        // The code decides even with an unexpected status.
        assert_eq!(
            CtiError::from_wire(400, body, None),
            auth(AuthErrorKind::Unauthorized, "expired")
        );
        let body = br#"{"__type":"com.amazonaws.connect#AccessDeniedException","message":"no"}"#;
        assert_eq!(
            CtiError::from_wire(403, body, None),
            auth(AuthErrorKind::AccessDenied, "no")
        );
        assert_eq!(
            CtiError::from_wire(401, b"", None),
            auth(AuthErrorKind::Unauthorized, "HTTP 401 with an empty body")
        );
        assert_eq!(
            CtiError::from_wire(403, b"nope", None),
            auth(AuthErrorKind::AccessDenied, "HTTP 403 with a non-JSON body")
        );
        assert_eq!(
            CtiError::from_wire(400, b"", Some("UnauthorizedException:x")),
            auth(AuthErrorKind::Unauthorized, "HTTP 400 with an empty body")
        );
    }

    #[test]
    fn softphone_limit_and_unknown_codes_are_service_errors() {
        let body = br#"{"__type":"ns#SoftphoneConnectionLimitBreachedException","message":"m"}"#;
        let err = CtiError::from_wire(400, body, None);
        assert!(err.is_softphone_connection_limit());
        let body = br#"{"__type":"ns#BrandNewException","message":"m"}"#;
        assert_eq!(
            CtiError::from_wire(400, body, None),
            service(
                CtiExceptionKind::Other("BrandNewException".into()),
                "m",
                400
            )
        );
    }

    #[test]
    fn long_messages_are_truncated() {
        let long = "é".repeat(2000);
        let body = serde_json::to_vec(&json!({"__type": "X", "message": long})).expect("json");
        let CtiError::Service { message, .. } = CtiError::from_wire(400, &body, None) else {
            panic!("expected a service error");
        };
        assert!(message.len() <= MAX_MESSAGE_BYTES + '…'.len_utf8());
        assert!(message.ends_with('…'));
    }

    #[test]
    fn to_wire_shapes_and_statuses() {
        let cases = [
            (
                auth(AuthErrorKind::Unauthorized, "m"),
                401,
                "UnauthorizedException",
            ),
            (
                auth(AuthErrorKind::AccessDenied, "m"),
                403,
                "AccessDeniedException",
            ),
            (
                service(CtiExceptionKind::InvalidStateException, "m", 400),
                400,
                "InvalidStateException",
            ),
            (
                service(CtiExceptionKind::ThrottlingException, "m", 429),
                429,
                "ThrottlingException",
            ),
            (
                CtiError::transport(TransportErrorKind::Timeout, "m"),
                504,
                "TimeoutError",
            ),
            (
                CtiError::transport(TransportErrorKind::Connect, "m"),
                503,
                "NetworkingError",
            ),
            (
                CtiError::InvalidResponse {
                    operation: CtiMethod::GetAgentSnapshot,
                    message: "m".into(),
                },
                500,
                "SerializationException",
            ),
            (
                CtiError::InvalidRequest("m".into()),
                400,
                "SerializationException",
            ),
            (
                CtiError::PaginationLoop {
                    operation: CtiMethod::GetEndpoints,
                },
                400,
                "PaginationException",
            ),
            (CtiError::OutboundCorrelationTimeout, 504, "TimeoutError"),
            (
                CtiError::Unsupported {
                    operation: CtiMethod::AddNewConnection,
                },
                400,
                "UnknownOperationException",
            ),
        ];
        for (err, status, code) in cases {
            let (got_status, body) = err.to_wire();
            assert_eq!(got_status, status, "{err}");
            assert_eq!(
                body["__type"],
                format!("com.amazonaws.connect#{code}"),
                "{err}"
            );
            assert!(body["message"].is_string(), "{err}");
            assert_eq!(body.as_object().map(Map::len), Some(2), "{err}");
        }
    }

    #[test]
    fn wire_round_trip_of_service_and_auth_errors() {
        let errors = [
            auth(AuthErrorKind::Unauthorized, "expired"),
            auth(AuthErrorKind::AccessDenied, "denied"),
            service(CtiExceptionKind::InvalidAgentArnException, "bad arn", 400),
            service(CtiExceptionKind::InternalServiceException, "oops", 500),
            service(CtiExceptionKind::Other("Novel".into()), "n", 418),
        ];
        for err in errors {
            let (status, body) = err.to_wire();
            let bytes = serde_json::to_vec(&body).expect("json");
            assert_eq!(CtiError::from_wire(status, &bytes, None), err);
        }
    }
}
