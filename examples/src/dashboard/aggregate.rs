//! [`Dashboard`]: every accepted batch folded into per-call state, and the views the report
//! shows (per agent, queue and routing profile; failed and short calls; time series; APIs).

use std::collections::BTreeMap;

use connect_softphone::stats::{StreamDirection, StreamSample, Thresholds};

use super::api::ApiStats;
use super::{ApiRow, Batch, CallInfo, CallOutcome, QualityAccum, Series, SeriesPoint};

/// What the report counts and how it grades.
#[derive(Clone, Debug, PartialEq)]
pub struct DashboardConfig {
    /// A call with less talk time than this is short, ms (10 000).
    pub short_call_ms: u64,
    /// A call whose largest RTT is above this counts as high-latency, ms (500).
    pub high_rtt_ms: u64,
    /// At most this many buckets per plot (120).
    pub max_points: usize,
    /// Grading of the tables and guide lines of the plots.
    pub thresholds: Thresholds,
}

impl Default for DashboardConfig {
    fn default() -> Self {
        Self {
            short_call_ms: 10_000,
            high_rtt_ms: 500,
            max_points: 120,
            thresholds: Thresholds::default(),
        }
    }
}

/// One call (one agent on one contact) as far as the batches told.
#[derive(Clone, Debug, PartialEq)]
pub struct CallRow {
    /// Who and what (the queue and routing profile as last reported).
    pub info: CallInfo,
    /// Its stream records' sums.
    pub quality: QualityAccum,
    /// Its call report, once received.
    pub outcome: Option<CallOutcome>,
}

impl CallRow {
    /// Whether the call report has a failure flag set.
    pub fn failed(&self) -> bool {
        self.outcome.as_ref().is_some_and(CallOutcome::failed)
    }

    /// Talk time from the call report, ms.
    pub fn talking_ms(&self) -> Option<u64> {
        self.outcome
            .as_ref()
            .and_then(|o| o.report.timings.talking_time_millis)
    }
}

/// How to group calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    /// By agent username.
    Agent,
    /// By queue name.
    Queue,
    /// By routing-profile name.
    RoutingProfile,
}

impl GroupBy {
    /// The column title.
    pub fn title(self) -> &'static str {
        match self {
            Self::Agent => "Agent",
            Self::Queue => "Queue",
            Self::RoutingProfile => "Routing profile",
        }
    }

    fn key(self, info: &CallInfo) -> String {
        let value = match self {
            Self::Agent => Some(&info.agent),
            Self::Queue => info.contact_queue.as_ref(),
            Self::RoutingProfile => info.agent_routing_profile.as_ref(),
        };
        value.cloned().unwrap_or_else(|| "(none)".to_owned())
    }
}

/// One group's row: its calls and their quality.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupRow {
    /// The agent, queue or routing profile.
    pub key: String,
    /// Calls.
    pub calls: usize,
    /// Mean of the calls' MOS.
    pub mos_mean: Option<f64>,
    /// The worst call's MOS.
    pub mos_min: Option<f64>,
    /// Every record of the group's calls summed.
    pub quality: QualityAccum,
    /// Calls whose largest RTT passed the high-latency limit.
    pub high_rtt_calls: usize,
    /// Calls with a failure flag set.
    pub failed_calls: usize,
    /// Calls under the short-call limit.
    pub short_calls: usize,
}

/// Counts over everything received.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Batches accepted.
    pub batches: u64,
    /// Batches refused (malformed, too large, unknown route).
    pub rejected: u64,
    /// Stream records.
    pub stream_records: u64,
    /// Calls (agent on contact) seen in any batch.
    pub calls: usize,
    /// Call reports received.
    pub call_reports: usize,
    /// API samples.
    pub api_samples: u64,
}

/// Everything received, folded.
///
/// ```
/// use connect_examples::dashboard::{Batch, Dashboard, GroupBy};
///
/// let mut d = Dashboard::default();
/// d.ingest(Batch::parse("/softphonemetrics", br#"{"agent":"jdoe","contactId":"c-1","contactQueue":"Sales",
///   "softphoneStreamStatistics":[{"softphoneStreamType":"audio_input","timestamp":"2024-05-01T10:00:01.000Z",
///   "packetsLost":2,"packetsCount":98,"roundTripTimeMillis":80}]}"#).expect("a batch"));
/// let queues = d.groups(GroupBy::Queue);
/// assert_eq!((queues[0].key.as_str(), queues[0].calls), ("Sales", 1));
/// assert_eq!(queues[0].quality.loss_pct(connect_softphone::stats::StreamDirection::AudioInput), Some(2.0));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Dashboard {
    config: DashboardConfig,
    calls: BTreeMap<(String, String), CallRow>,
    series: Series,
    api: ApiStats,
    totals: Totals,
}

impl Dashboard {
    /// An empty dashboard.
    pub fn new(config: DashboardConfig) -> Self {
        Self {
            config,
            ..Self::default()
        }
    }

    /// Its configuration.
    pub fn config(&self) -> &DashboardConfig {
        &self.config
    }

    fn call(&mut self, info: CallInfo) -> &mut CallRow {
        let key = (info.contact_id.clone(), info.agent.clone());
        let row = self.calls.entry(key).or_insert_with(|| CallRow {
            info: info.clone(),
            quality: QualityAccum::default(),
            outcome: None,
        });
        if info.contact_queue.is_some() {
            row.info.contact_queue = info.contact_queue;
        }
        if info.agent_routing_profile.is_some() {
            row.info.agent_routing_profile = info.agent_routing_profile;
        }
        row
    }

    /// Folds in one accepted batch.
    pub fn ingest(&mut self, batch: Batch) {
        self.totals.batches += 1;
        match batch {
            Batch::Stream { call, samples } => {
                self.totals.stream_records += samples.len() as u64;
                samples.iter().for_each(|s| self.series.add(s));
                let row = self.call(call);
                samples
                    .iter()
                    .for_each(|s: &StreamSample| row.quality.add(s));
            }
            Batch::Report { call, outcome } => {
                let row = self.call(call);
                row.outcome = Some(*outcome);
            }
            Batch::Api { samples, .. } => {
                self.totals.api_samples += samples.len() as u64;
                self.api.add(&samples);
            }
        }
    }

    /// Counts one refused batch.
    pub fn note_rejected(&mut self) {
        self.totals.rejected += 1;
    }

    /// Counts over everything received.
    pub fn totals(&self) -> Totals {
        Totals {
            calls: self.calls.len(),
            call_reports: self.call_reports(),
            ..self.totals
        }
    }

    /// Call reports received (one per call).
    pub fn call_reports(&self) -> usize {
        self.calls.values().filter(|c| c.outcome.is_some()).count()
    }

    /// Every call, by contact then agent.
    pub fn calls(&self) -> impl Iterator<Item = &CallRow> {
        self.calls.values()
    }

    /// Calls with a failure flag set.
    pub fn failed_calls(&self) -> Vec<&CallRow> {
        self.calls().filter(|c| c.failed()).collect()
    }

    fn is_short(&self, call: &CallRow, limit_ms: u64) -> bool {
        !call.failed() && call.talking_ms().is_some_and(|t| t < limit_ms)
    }

    /// Calls that did not fail and talked less than the short-call limit, shortest first.
    pub fn short_calls(&self) -> Vec<&CallRow> {
        let mut short: Vec<&CallRow> = self
            .calls()
            .filter(|c| self.is_short(c, self.config.short_call_ms))
            .collect();
        short.sort_by_key(|c| c.talking_ms());
        short
    }

    /// Calls (not failed) that talked less than `limit_ms`.
    pub fn short_call_count(&self, limit_ms: u64) -> usize {
        self.calls().filter(|c| self.is_short(c, limit_ms)).count()
    }

    /// One row per agent, queue or routing profile, by name.
    pub fn groups(&self, by: GroupBy) -> Vec<GroupRow> {
        let mut groups: BTreeMap<String, (GroupRow, Vec<f64>)> = BTreeMap::new();
        for call in self.calls() {
            let key = by.key(&call.info);
            let (row, moses) = groups.entry(key.clone()).or_insert_with(|| {
                let row = GroupRow {
                    key,
                    calls: 0,
                    mos_mean: None,
                    mos_min: None,
                    quality: QualityAccum::default(),
                    high_rtt_calls: 0,
                    failed_calls: 0,
                    short_calls: 0,
                };
                (row, Vec::new())
            });
            row.calls += 1;
            row.quality.merge(&call.quality);
            moses.extend(call.quality.mos());
            row.high_rtt_calls += usize::from(
                call.quality
                    .rtt_max_ms()
                    .is_some_and(|rtt| rtt > self.config.high_rtt_ms),
            );
            row.failed_calls += usize::from(call.failed());
            row.short_calls += usize::from(self.is_short(call, self.config.short_call_ms));
        }
        groups
            .into_values()
            .map(|(mut row, moses)| {
                row.mos_mean =
                    (!moses.is_empty()).then(|| moses.iter().sum::<f64>() / moses.len() as f64);
                row.mos_min = moses.into_iter().reduce(f64::min);
                row
            })
            .collect()
    }

    /// Every record summed.
    pub fn overall(&self) -> QualityAccum {
        let mut all = QualityAccum::default();
        self.calls().for_each(|c| all.merge(&c.quality));
        all
    }

    /// The time series at the width that keeps it within `max_points`, with that width (s).
    pub fn series(&self) -> (i64, Vec<SeriesPoint>) {
        let width = self.series.width_secs(self.config.max_points);
        (width, self.series.buckets(width))
    }

    /// One row per API, by name.
    pub fn api(&self) -> Vec<ApiRow> {
        self.api.rows()
    }

    /// Mean MOS over the calls that have one, and the input-direction loss over everything:
    /// the headline figures.
    pub fn headline(&self) -> (Option<f64>, Option<f64>) {
        let moses: Vec<f64> = self.calls().filter_map(|c| c.quality.mos()).collect();
        let mean = (!moses.is_empty()).then(|| moses.iter().sum::<f64>() / moses.len() as f64);
        (mean, self.overall().loss_pct(StreamDirection::AudioInput))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connect_core::model::Timestamp;
    use connect_softphone::stats::{CallReport, CallTimings, FailureFlags};

    fn info(agent: &str, contact: &str, queue: &str) -> CallInfo {
        CallInfo {
            agent: agent.into(),
            contact_id: contact.into(),
            contact_queue: Some(queue.into()),
            agent_routing_profile: Some("Basic".into()),
        }
    }

    fn stream(call: CallInfo, received: u64, lost: u64, rtt: u64) -> Batch {
        let sample = |s: i64| StreamSample {
            packets_count: received,
            packets_lost: lost,
            round_trip_time_millis: Some(rtt),
            jitter_millis: Some(10),
            ..StreamSample::new(
                StreamDirection::AudioInput,
                Timestamp::from_millis(s * 1000),
            )
        };
        Batch::Stream {
            call,
            samples: vec![sample(0), sample(1)],
        }
    }

    fn report(call: CallInfo, talking_ms: u64, flags: FailureFlags) -> Batch {
        Batch::Report {
            call,
            outcome: Box::new(CallOutcome {
                report: CallReport {
                    timings: CallTimings {
                        talking_time_millis: Some(talking_ms),
                        ..CallTimings::default()
                    },
                    flags,
                    ..CallReport::default()
                },
                end_reason: None,
            }),
        }
    }

    fn dashboard() -> Dashboard {
        let mut d = Dashboard::default();
        d.ingest(stream(info("ann", "c1", "Sales"), 45, 5, 100));
        d.ingest(stream(info("ann", "c2", "Support"), 50, 0, 600));
        d.ingest(stream(info("bob", "c3", "Sales"), 48, 2, 100));
        d.ingest(report(
            info("ann", "c1", "Sales"),
            120_000,
            FailureFlags::default(),
        ));
        d.ingest(report(
            info("ann", "c2", "Support"),
            4_000,
            FailureFlags::default(),
        ));
        let busy = FailureFlags {
            user_busy_failure: Some(true),
            ..FailureFlags::default()
        };
        d.ingest(report(info("bob", "c3", "Sales"), 0, busy));
        d
    }

    #[test]
    fn agents_sum_their_calls_records() {
        let d = dashboard();
        let agents = d.groups(GroupBy::Agent);
        assert_eq!(agents.len(), 2);
        let ann = &agents[0];
        assert_eq!((ann.key.as_str(), ann.calls), ("ann", 2));
        // Σlost 10 of Σexpected 200.
        assert_eq!(ann.quality.loss_pct(StreamDirection::AudioInput), Some(5.0));
        assert_eq!(ann.quality.rtt_ms(), Some(350.0));
        assert_eq!(ann.high_rtt_calls, 1);
        assert_eq!(ann.short_calls, 1);
        let c1 = MosOf(100, 10.0);
        let c2 = MosOf(600, 0.0);
        let mean = ann.mos_mean.expect("RTT known");
        assert!((mean - (c1.mos() + c2.mos()) / 2.0).abs() < 1e-12);
        assert_eq!(ann.mos_min, Some(c1.mos().min(c2.mos())));
    }

    /// The MOS of a call with 10 ms jitter, one RTT and one loss percentage.
    struct MosOf(u64, f64);

    impl MosOf {
        fn mos(&self) -> f64 {
            connect_softphone::stats::MosInputs {
                latency_ms: self.0 as f64 / 2.0,
                jitter_ms: 10.0,
                loss_pct: self.1,
            }
            .mos()
        }
    }

    #[test]
    fn queues_failed_and_short_calls() {
        let d = dashboard();
        let queues = d.groups(GroupBy::Queue);
        let keys: Vec<&str> = queues.iter().map(|q| q.key.as_str()).collect();
        assert_eq!(keys, ["Sales", "Support"]);
        assert_eq!((queues[0].calls, queues[0].failed_calls), (2, 1));
        // Sales: Σlost 14 of Σexpected 200.
        assert_eq!(
            queues[0].quality.loss_pct(StreamDirection::AudioInput),
            Some(7.0)
        );
        let failed = d.failed_calls();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].info.contact_id, "c3");
        let failures = failed[0].outcome.as_ref().expect("report").failures();
        assert_eq!(failures, ["userBusyFailure"]);
        // A failed call is not also a short one.
        let short: Vec<&str> = d
            .short_calls()
            .iter()
            .map(|c| c.info.contact_id.as_str())
            .collect();
        assert_eq!(short, ["c2"]);
        assert_eq!(d.short_call_count(60_000), 1);
        assert_eq!(d.short_call_count(200_000), 2);
        let totals = d.totals();
        assert_eq!(
            (totals.calls, totals.call_reports, totals.batches),
            (3, 3, 6)
        );
        assert_eq!(totals.stream_records, 6);
    }

    #[test]
    fn a_report_first_and_a_later_queue_fill_the_same_call() {
        let mut d = Dashboard::default();
        let mut bare = info("ann", "c1", "Sales");
        bare.contact_queue = None;
        d.ingest(report(bare, 30_000, FailureFlags::default()));
        d.ingest(stream(info("ann", "c1", "Sales"), 50, 0, 100));
        let calls: Vec<&CallRow> = d.calls().collect();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].info.contact_queue.as_deref(), Some("Sales"));
        assert_eq!(calls[0].talking_ms(), Some(30_000));
        let (width, points) = d.series();
        assert_eq!((width, points.len()), (1, 2));
    }
}
