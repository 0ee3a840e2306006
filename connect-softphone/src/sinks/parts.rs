//! Delivering a batch as several requests, in order, and reporting which records to retry.

use std::future::Future;
use std::ops::Range;

use super::SinkError;
use crate::stats::{Record, RecordKind};

/// The runs of consecutive records of one kind, in order.
pub(crate) fn runs(batch: &[Record]) -> Vec<(RecordKind, Range<usize>)> {
    let mut runs: Vec<(RecordKind, Range<usize>)> = Vec::new();
    for (i, record) in batch.iter().enumerate() {
        match runs.last_mut() {
            Some((kind, range)) if *kind == record.kind() => range.end = i + 1,
            _ => runs.push((record.kind(), i..i + 1)),
        }
    }
    runs
}

/// The indices of `run` grouped by `key`, groups in first-seen order.
pub(crate) fn group_by<'a>(
    batch: &'a [Record],
    run: Range<usize>,
    key: impl Fn(&'a Record) -> Option<&'a str>,
) -> Vec<Vec<usize>> {
    let mut keys: Vec<&str> = Vec::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for i in run {
        let Some(k) = key(&batch[i]) else { continue };
        match keys.iter().position(|seen| *seen == k) {
            Some(g) => groups[g].push(i),
            None => {
                keys.push(k);
                groups.push(vec![i]);
            }
        }
    }
    groups
}

/// One request of a batch: the records (by batch index) it carries, and what to send.
#[derive(Debug)]
pub(crate) struct Part<T> {
    pub(crate) indices: Vec<usize>,
    pub(crate) item: T,
}

/// Sends `parts` in order with `send`:
/// - a retryable failure without `retry_only` (the request did not get through) stops, and
///   that part and every later one are retried;
/// - a retryable failure with `retry_only` (batch indices) retries those and goes on;
/// - a permanent failure rejects the part and goes on.
pub(crate) async fn send_parts<'p, T, F, Fut>(
    parts: &'p [Part<T>],
    mut send: F,
) -> Result<(), SinkError>
where
    F: FnMut(&'p Part<T>) -> Fut,
    Fut: Future<Output = Result<(), SinkError>>,
{
    let mut retry = Vec::new();
    let mut rejected = 0;
    let mut failure: Option<SinkError> = None;
    for (k, part) in parts.iter().enumerate() {
        let Err(error) = send(part).await else {
            continue;
        };
        if !error.retryable {
            rejected += part.indices.len();
        } else if let Some(indices) = &error.retry_only {
            retry.extend_from_slice(indices);
            rejected += error.rejected;
        } else {
            retry.extend(parts[k..].iter().flat_map(|p| p.indices.iter().copied()));
            failure = Some(error);
            break;
        }
        failure = Some(error);
    }
    match failure {
        None => Ok(()),
        Some(error) => {
            let mut partial = SinkError::retry_only(error.message, retry, rejected);
            partial.retry_after = error.retry_after;
            Err(partial)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(n: usize) -> Vec<Part<usize>> {
        (0..n)
            .map(|k| Part {
                indices: vec![2 * k, 2 * k + 1],
                item: k,
            })
            .collect()
    }

    #[tokio::test]
    async fn all_delivered_is_ok() {
        let sent = send_parts(&parts(3), |_| async { Ok(()) }).await;
        assert_eq!(sent, Ok(()));
    }

    #[tokio::test]
    async fn an_outage_retries_the_rest_and_a_refusal_is_counted() {
        let outcome = |k: usize| match k {
            0 => Err(SinkError::permanent("HTTP 400")),
            1 => Ok(()),
            _ => Err(SinkError::retryable("HTTP 503")),
        };
        let err = send_parts(&parts(4), |p| {
            let result = outcome(p.item);
            async move { result }
        })
        .await
        .expect_err("partial");
        assert!(err.retryable);
        assert_eq!(err.retry_only, Some(vec![4, 5, 6, 7]));
        assert_eq!(err.rejected, 2);
    }

    #[tokio::test]
    async fn item_level_retries_continue_with_later_parts() {
        let err = send_parts(&parts(2), |p| {
            let result = match p.item {
                0 => Err(SinkError::retry_only("item 429", vec![1], 1)),
                _ => Ok(()),
            };
            async move { result }
        })
        .await
        .expect_err("partial");
        assert_eq!((err.retry_only, err.rejected), (Some(vec![1]), 1));
    }
}
