//! Reading a request body under the server's limits: at most `max_body_bytes`, within
//! `read_timeout`. An oversized body is drained (up to a cap) so the client reads the 413
//! instead of a reset connection.

use axum::body::Body;
use axum::http::{header, HeaderMap};
use futures::StreamExt;

use crate::api::CtiError;

use super::reply::other;
use super::state::Limits;

/// How much of an oversized body is read and discarded before answering.
const DRAIN_CAP: usize = 64 * 1024 * 1024;

/// The body's bytes, or the CTI error to answer: 413 `RequestEntityTooLargeException`,
/// 408 `RequestTimeoutException`, 400 `SerializationException` on a broken body.
pub(super) async fn read_body(
    body: Body,
    headers: &HeaderMap,
    limits: Limits,
) -> Result<Vec<u8>, CtiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let max = limits.max_body_bytes;
    let read = async {
        let mut stream = body.into_data_stream();
        let mut buf = Vec::new();
        let mut total = 0usize;
        let mut too_large = declared.is_some_and(|n| n > max as u64);
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| other("RequestBodyException", 400, e.to_string()))?;
            total = total.saturating_add(chunk.len());
            if total > max {
                too_large = true;
            }
            if too_large {
                if total > DRAIN_CAP {
                    break;
                }
            } else {
                buf.extend_from_slice(&chunk);
            }
        }
        if too_large {
            return Err(other(
                "RequestEntityTooLargeException",
                413,
                format!("request body larger than {max} bytes"),
            ));
        }
        Ok(buf)
    };
    match tokio::time::timeout(limits.read_timeout, read).await {
        Ok(result) => result,
        Err(_) => Err(other(
            "RequestTimeoutException",
            408,
            format!("request body not received within {:?}", limits.read_timeout),
        )),
    }
}
