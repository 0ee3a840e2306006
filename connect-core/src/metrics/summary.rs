//! Latency statistics over recorded calls: count, p50, p95 and max per operation.

use std::collections::BTreeMap;

use super::ApiCallRecord;
use crate::api::CtiMethod;

/// Statistics of one series of calls. Percentiles use the nearest-rank method; all fields are
/// zero for an empty series.
///
/// ```
/// use connect_core::metrics::LatencyStats;
///
/// let stats = LatencyStats::from_latencies(&[10, 20, 30, 40, 1000]);
/// assert_eq!((stats.count, stats.p50_ms, stats.p95_ms, stats.max_ms), (5, 30, 1000, 1000));
/// assert_eq!(LatencyStats::from_latencies(&[]).count, 0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LatencyStats {
    /// Number of exchanges.
    pub count: usize,
    /// Exchanges that failed.
    pub failures: usize,
    /// Median latency, ms.
    pub p50_ms: u64,
    /// 95th percentile latency, ms.
    pub p95_ms: u64,
    /// Largest latency, ms.
    pub max_ms: u64,
}

impl LatencyStats {
    /// Statistics of `latencies` (milliseconds, any order), with no failures counted.
    ///
    /// ```
    /// # use connect_core::metrics::LatencyStats;
    /// assert_eq!(LatencyStats::from_latencies(&[7]).p95_ms, 7);
    /// ```
    pub fn from_latencies(latencies: &[u64]) -> Self {
        let mut sorted = latencies.to_vec();
        sorted.sort_unstable();
        Self {
            count: sorted.len(),
            failures: 0,
            p50_ms: nearest_rank(&sorted, 50),
            p95_ms: nearest_rank(&sorted, 95),
            max_ms: sorted.last().copied().unwrap_or(0),
        }
    }

    /// Statistics of `records` (failures counted).
    ///
    /// ```
    /// # use connect_core::{api::CtiMethod, metrics::{ApiCallRecord, LatencyStats}, model::Timestamp};
    /// let at = Timestamp::from_millis(0);
    /// let records = [
    ///     ApiCallRecord::success(CtiMethod::AcceptContact, 10, 200, at),
    ///     ApiCallRecord::failure(CtiMethod::AcceptContact, 30, Some(500), "UnknownError", at),
    /// ];
    /// let stats = LatencyStats::from_records(records.iter());
    /// assert_eq!((stats.count, stats.failures, stats.max_ms), (2, 1, 30));
    /// ```
    pub fn from_records<'a>(records: impl IntoIterator<Item = &'a ApiCallRecord>) -> Self {
        let mut latencies = Vec::new();
        let mut failures = 0;
        for record in records {
            latencies.push(record.latency_ms);
            failures += usize::from(!record.success);
        }
        Self {
            failures,
            ..Self::from_latencies(&latencies)
        }
    }
}

/// Per-operation statistics of the non-long-poll calls.
///
/// ```
/// use connect_core::api::CtiMethod;
/// use connect_core::metrics::{ApiCallRecord, LatencySummary};
/// use connect_core::model::Timestamp;
///
/// let at = Timestamp::from_millis(0);
/// let records = vec![
///     ApiCallRecord::success(CtiMethod::AcceptContact, 10, 200, at),
///     ApiCallRecord::success(CtiMethod::GetAgentSnapshot, 30_000, 200, at),
/// ];
/// let summary = LatencySummary::from_records(&records);
/// assert_eq!(summary.operations[&CtiMethod::AcceptContact].count, 1);
/// assert!(!summary.operations.contains_key(&CtiMethod::GetAgentSnapshot));
/// assert_eq!(summary.overall.count, 1);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LatencySummary {
    /// Statistics per operation.
    pub operations: BTreeMap<CtiMethod, LatencyStats>,
    /// Statistics of all of them together.
    pub overall: LatencyStats,
}

impl LatencySummary {
    /// The summary of `records`, leaving out the long poll.
    pub fn from_records(records: &[ApiCallRecord]) -> Self {
        let mut by_operation: BTreeMap<CtiMethod, Vec<&ApiCallRecord>> = BTreeMap::new();
        for record in records.iter().filter(|r| !r.is_long_poll()) {
            by_operation
                .entry(record.operation)
                .or_default()
                .push(record);
        }
        Self {
            overall: LatencyStats::from_records(records.iter().filter(|r| !r.is_long_poll())),
            operations: by_operation
                .into_iter()
                .map(|(op, records)| (op, LatencyStats::from_records(records)))
                .collect(),
        }
    }
}

/// The nearest-rank percentile `p` of `sorted` (0 when empty).
fn nearest_rank(sorted: &[u64], p: usize) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank.min(sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let sorted: Vec<u64> = (1..=100).collect();
        assert_eq!(nearest_rank(&sorted, 50), 50);
        assert_eq!(nearest_rank(&sorted, 95), 95);
        assert_eq!(nearest_rank(&[5, 9], 50), 5);
        assert_eq!(nearest_rank(&[5, 9], 95), 9);
        assert_eq!(nearest_rank(&[], 95), 0);
    }
}
