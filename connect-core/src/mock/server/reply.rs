//! Responses in the CTI shape: `application/x-amz-json-1.0` bodies, and errors as
//! `{"__type": "com.amazonaws.connect#<Code>", "message": …}` with their HTTP status.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::api::{AuthErrorKind, CtiError, CtiExceptionKind};

/// The AWS JSON 1.0 content type.
pub(super) const AMZ_JSON: &str = "application/x-amz-json-1.0";

/// A 2xx body with the AWS JSON content type.
pub(super) fn json_ok(body: &Value, content_type: &'static str) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body.to_string(),
    )
        .into_response()
}

/// An error in the CTI shape, with `x-amzn-ErrorType` set to its code.
pub(super) fn cti_error(err: &CtiError) -> Response {
    let (status, body) = err.to_wire();
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(AMZ_JSON))],
        body.to_string(),
    )
        .into_response();
    if let Ok(code) = HeaderValue::from_str(err.code()) {
        response.headers_mut().insert("x-amzn-ErrorType", code);
    }
    response
}

/// A service error of `code` with `status`.
pub(super) fn service(code: CtiExceptionKind, status: u16, message: impl Into<String>) -> CtiError {
    CtiError::Service {
        code,
        message: message.into(),
        status,
    }
}

/// A service error with a code outside [`CtiExceptionKind`]'s named ones.
pub(super) fn other(code: &str, status: u16, message: impl Into<String>) -> CtiError {
    service(CtiExceptionKind::Other(code.to_owned()), status, message)
}

/// 401 `UnauthorizedException`.
pub(super) fn unauthorized(message: impl Into<String>) -> CtiError {
    CtiError::Auth {
        kind: AuthErrorKind::Unauthorized,
        message: message.into(),
    }
}

/// 400 `SerializationException`.
pub(super) fn bad_request(message: impl Into<String>) -> CtiError {
    service(CtiExceptionKind::SerializationException, 400, message)
}
