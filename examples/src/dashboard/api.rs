//! API latency per CTI method: counts, errors and latency statistics, the long poll left out
//! of every average.

use std::collections::BTreeMap;

use connect_softphone::stats::ApiLatencySample;

/// One API's latencies.
#[derive(Clone, Debug, Default)]
pub(crate) struct ApiAccum {
    count: u64,
    errors: u64,
    errors_5xx: u64,
    long_polls: u64,
    times_ms: Vec<u64>,
}

impl ApiAccum {
    fn add(&mut self, sample: &ApiLatencySample) {
        self.count += 1;
        if sample.error.is_some() {
            self.errors += 1;
        }
        self.errors_5xx += u64::from(sample.error_5xx);
        if sample.long_poll {
            self.long_polls += 1;
        } else {
            self.times_ms.push(sample.time);
        }
    }
}

/// One API's row of the report.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiRow {
    /// The client method, e.g. `acceptContact`.
    pub name: String,
    /// Samples, long polls included.
    pub count: u64,
    /// Failed calls.
    pub errors: u64,
    /// Calls answered with a 5xx.
    pub errors_5xx: u64,
    /// Long polls (excluded from the latency figures).
    pub long_polls: u64,
    /// Mean latency, ms.
    pub mean_ms: Option<f64>,
    /// Median latency (nearest rank), ms.
    pub p50_ms: Option<u64>,
    /// 95th percentile latency (nearest rank), ms.
    pub p95_ms: Option<u64>,
    /// Largest latency, ms.
    pub max_ms: Option<u64>,
}

impl ApiRow {
    /// Failed calls, percent of all calls.
    pub fn error_pct(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            100.0 * self.errors as f64 / self.count as f64
        }
    }
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[u64], pct: u64) -> Option<u64> {
    let n = sorted.len() as u64;
    let rank = (pct * n).div_ceil(100).max(1);
    sorted.get(usize::try_from(rank - 1).ok()?).copied()
}

/// Every API's latencies.
#[derive(Clone, Debug, Default)]
pub(crate) struct ApiStats {
    apis: BTreeMap<String, ApiAccum>,
}

impl ApiStats {
    /// Adds samples.
    pub(crate) fn add(&mut self, samples: &[ApiLatencySample]) {
        for sample in samples {
            self.apis
                .entry(sample.name.clone())
                .or_default()
                .add(sample);
        }
    }

    /// One row per API, by name.
    pub(crate) fn rows(&self) -> Vec<ApiRow> {
        self.apis
            .iter()
            .map(|(name, a)| {
                let mut sorted = a.times_ms.clone();
                sorted.sort_unstable();
                let mean = (!sorted.is_empty())
                    .then(|| sorted.iter().sum::<u64>() as f64 / sorted.len() as f64);
                ApiRow {
                    name: name.clone(),
                    count: a.count,
                    errors: a.errors,
                    errors_5xx: a.errors_5xx,
                    long_polls: a.long_polls,
                    mean_ms: mean,
                    p50_ms: percentile(&sorted, 50),
                    p95_ms: percentile(&sorted, 95),
                    max_ms: sorted.last().copied(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connect_core::api::CtiMethod;
    use connect_core::metrics::ApiCallRecord;
    use connect_core::model::Timestamp;

    fn sample(method: CtiMethod, ms: u64, status: u16) -> ApiLatencySample {
        let t = Timestamp::from_millis(0);
        let record = if status < 300 {
            ApiCallRecord::success(method, ms, status, t)
        } else {
            ApiCallRecord::failure(method, ms, Some(status), "ServerError", t)
        };
        ApiLatencySample::from_record(&record, 0)
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let sorted: Vec<u64> = (1..=20).collect();
        assert_eq!(percentile(&sorted, 50), Some(10));
        assert_eq!(percentile(&sorted, 95), Some(19));
        assert_eq!(percentile(&[7], 95), Some(7));
        assert_eq!(percentile(&[], 50), None);
    }

    #[test]
    fn errors_are_counted_and_latencies_summarised() {
        let mut stats = ApiStats::default();
        stats.add(&[
            sample(CtiMethod::AcceptContact, 40, 200),
            sample(CtiMethod::AcceptContact, 60, 200),
            sample(CtiMethod::AcceptContact, 200, 503),
            sample(CtiMethod::GetAgentStates, 12, 200),
        ]);
        let rows = stats.rows();
        let accept = &rows[0];
        assert_eq!(accept.name, "acceptContact");
        assert_eq!((accept.count, accept.errors, accept.errors_5xx), (3, 1, 1));
        assert_eq!(accept.mean_ms, Some(100.0));
        assert_eq!((accept.p50_ms, accept.max_ms), (Some(60), Some(200)));
        assert!((accept.error_pct() - 100.0 / 3.0).abs() < 1e-9);
        assert_eq!(rows[1].name, "getAgentStates");
    }
}
