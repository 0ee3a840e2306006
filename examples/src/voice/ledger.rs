//! [`CallLedger`]: what happened on every voice call of the demo, and the figures of the run.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use connect_softphone::stats::QualitySummary;
use serde::Serialize;

/// One call's record.
#[derive(Clone, Debug, Default)]
struct CallEntry {
    /// The agent's softphone started the call (the contact was connecting).
    started: Option<Instant>,
    /// The agent heard its first packet.
    agent_media: Option<Instant>,
    /// The customer heard its first packet.
    customer_media: Option<Instant>,
    /// The softphone reported the call Talking.
    connected: bool,
    /// Why it failed, if it did.
    failure: Option<String>,
    /// When it ended.
    ended: Option<Instant>,
    /// The worst MOS of its quality windows.
    mos: Option<f64>,
    /// The worst loss of either direction, percent.
    loss_pct: f64,
    /// The worst loss of the audio the agent received, percent.
    loss_in_pct: f64,
    /// The inbound jitter of its windows, ms.
    jitter_ms: Vec<f64>,
    /// Audio match of what each side recorded against what the other played, dB.
    match_db: Vec<f64>,
}

impl CallEntry {
    fn setup(&self) -> Option<Duration> {
        let both = self.agent_media?.max(self.customer_media?);
        Some(both.saturating_duration_since(self.started?))
    }

    fn completed(&self) -> bool {
        self.ended.is_some() && self.connected && self.failure.is_none() && self.setup().is_some()
    }

    /// Audio flowing both ways → end.
    fn talk(&self) -> Option<Duration> {
        let both = self.agent_media?.max(self.customer_media?);
        Some(self.ended?.saturating_duration_since(both))
    }
}

/// The voice calls of a run, shared by every agent's softphone watcher.
///
/// ```
/// use std::time::{Duration, Instant};
/// use connect_examples::voice::CallLedger;
///
/// let ledger = CallLedger::default();
/// let t0 = Instant::now();
/// ledger.started("c-1", t0);
/// ledger.agent_media("c-1", t0 + Duration::from_millis(40));
/// ledger.customer_media("c-1", t0 + Duration::from_millis(50));
/// ledger.connected("c-1");
/// ledger.ended("c-1", t0 + Duration::from_millis(1_050));
/// let figures = ledger.figures();
/// assert_eq!(figures.calls_completed, 1);
/// assert_eq!(figures.setup_ms_p50, Some(50.0));
/// assert_eq!(figures.call_seconds, 1.0);
/// ```
#[derive(Debug, Default)]
pub struct CallLedger {
    calls: Mutex<HashMap<String, CallEntry>>,
}

/// The figures of the voice calls of a run.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct VoiceFigures {
    /// Calls the softphones saw.
    pub calls_seen: u64,
    /// Calls that connected, carried audio both ways and ended without failure.
    pub calls_completed: u64,
    /// Calls that did not.
    pub calls_failed: u64,
    /// Seconds of audio both ways, over all calls.
    pub call_seconds: f64,
    /// Why they failed, counted by reason.
    pub call_failures: BTreeMap<String, u64>,
    /// Contact connecting → audio flowing both ways, median, ms.
    pub setup_ms_p50: Option<f64>,
    /// The same, 95th percentile.
    pub setup_ms_p95: Option<f64>,
    /// Median of the calls' MOS (each call's worst window).
    pub mos_p50: Option<f64>,
    /// The worst call's MOS.
    pub mos_min: Option<f64>,
    /// The median call's loss of the audio the agent received, percent.
    pub loss_pct_p50: Option<f64>,
    /// The worst loss of either direction of any call, percent.
    pub loss_pct_max: Option<f64>,
    /// The median inbound jitter of the calls, ms.
    pub jitter_ms_p50: Option<f64>,
    /// The worst audio match of either side of any call, dB.
    pub audio_match_db_min: Option<f64>,
}

impl CallLedger {
    fn with(&self, contact_id: &str, f: impl FnOnce(&mut CallEntry)) {
        let mut calls = self.calls.lock().unwrap_or_else(PoisonError::into_inner);
        f(calls.entry(contact_id.to_owned()).or_default());
    }

    /// The softphone started the call of `contact_id`.
    pub fn started(&self, contact_id: &str, at: Instant) {
        self.with(contact_id, |c| c.started = Some(at));
    }

    /// The agent heard the call's first packet.
    pub fn agent_media(&self, contact_id: &str, at: Instant) {
        self.with(contact_id, |c| {
            c.agent_media.get_or_insert(at);
        });
    }

    /// The customer heard the call's first packet.
    pub fn customer_media(&self, contact_id: &str, at: Instant) {
        self.with(contact_id, |c| {
            c.customer_media.get_or_insert(at);
        });
    }

    /// The call reached Talking.
    pub fn connected(&self, contact_id: &str) {
        self.with(contact_id, |c| c.connected = true);
    }

    /// The call failed for `reason`.
    pub fn failed(&self, contact_id: &str, reason: impl Into<String>) {
        let reason = reason.into();
        self.with(contact_id, |c| {
            c.failure.get_or_insert(reason);
        });
    }

    /// The call ended.
    pub fn ended(&self, contact_id: &str, at: Instant) {
        self.with(contact_id, |c| {
            c.ended.get_or_insert(at);
        });
    }

    /// A quality window of the call.
    pub fn quality(&self, summary: &QualitySummary) {
        self.with(&summary.contact_id, |c| {
            if let Some(mos) = summary.mos {
                c.mos = Some(c.mos.map_or(mos, |m| m.min(mos)));
            }
            let loss = summary
                .audio_input
                .loss_pct
                .max(summary.audio_output.loss_pct);
            c.loss_pct = c.loss_pct.max(loss);
            c.loss_in_pct = c.loss_in_pct.max(summary.audio_input.loss_pct);
            c.jitter_ms.extend(summary.audio_input.jitter_ms);
        });
    }

    /// How closely one side's recording matched what the other side played, dB.
    pub fn audio_match(&self, contact_id: &str, db: f64) {
        self.with(contact_id, |c| c.match_db.push(db));
    }

    /// The figures so far.
    pub fn figures(&self) -> VoiceFigures {
        let calls = self.calls.lock().unwrap_or_else(PoisonError::into_inner);
        let mut figures = VoiceFigures {
            calls_seen: calls.len() as u64,
            ..VoiceFigures::default()
        };
        let (mut setups, mut mos, mut loss_in, mut loss, mut jitter, mut matches) =
            (vec![], vec![], vec![], vec![], vec![], vec![]);
        for call in calls.values() {
            if call.completed() {
                figures.calls_completed += 1;
            } else {
                figures.calls_failed += 1;
                let reason = call.failure.clone().unwrap_or_else(|| unfinished(call));
                *figures.call_failures.entry(reason).or_default() += 1;
            }
            setups.extend(call.setup().map(|d| d.as_secs_f64() * 1_000.0));
            figures.call_seconds += call.talk().map_or(0.0, |d| d.as_secs_f64());
            mos.extend(call.mos);
            if call.mos.is_some() {
                loss.push(call.loss_pct);
                loss_in.push(call.loss_in_pct);
            }
            if !call.jitter_ms.is_empty() {
                jitter.push(call.jitter_ms.iter().sum::<f64>() / call.jitter_ms.len() as f64);
            }
            matches.extend(call.match_db.iter().copied());
        }
        figures.setup_ms_p50 = percentile(&mut setups, 50.0);
        figures.setup_ms_p95 = percentile(&mut setups, 95.0);
        figures.mos_p50 = percentile(&mut mos, 50.0);
        figures.mos_min = percentile(&mut mos, 0.0);
        figures.loss_pct_p50 = percentile(&mut loss_in, 50.0);
        figures.loss_pct_max = percentile(&mut loss, 100.0);
        figures.jitter_ms_p50 = percentile(&mut jitter, 50.0);
        figures.audio_match_db_min = percentile(&mut matches, 0.0);
        figures
    }
}

/// Why a call that reported no failure still did not complete.
fn unfinished(call: &CallEntry) -> String {
    if call.ended.is_none() {
        "did not end".into()
    } else if !call.connected {
        "never connected".into()
    } else if call.agent_media.is_none() {
        "no audio at the agent".into()
    } else {
        "no audio at the customer".into()
    }
}

/// The nearest-rank percentile `p` (0–100) of `values`; `None` when empty.
fn percentile(values: &mut [f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * values.len() as f64).ceil() as usize;
    Some(values[rank.clamp(1, values.len()) - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let mut v = vec![5.0, 1.0, 4.0, 2.0, 3.0];
        assert_eq!(percentile(&mut v, 0.0), Some(1.0));
        assert_eq!(percentile(&mut v, 50.0), Some(3.0));
        assert_eq!(percentile(&mut v, 95.0), Some(5.0));
        assert_eq!(percentile(&mut [], 50.0), None);
    }

    #[test]
    fn failures_are_counted_by_reason_and_quality_takes_the_worst_window() {
        let ledger = CallLedger::default();
        let t0 = Instant::now();
        ledger.started("ok", t0);
        ledger.agent_media("ok", t0 + Duration::from_millis(30));
        ledger.customer_media("ok", t0 + Duration::from_millis(20));
        ledger.connected("ok");
        let mut window = QualitySummary {
            contact_id: "ok".into(),
            mos: Some(4.4),
            ..QualitySummary::default()
        };
        window.audio_input.loss_pct = 0.2;
        window.audio_input.jitter_ms = Some(4.0);
        ledger.quality(&window);
        window.mos = Some(4.1);
        window.audio_input.loss_pct = 0.0;
        window.audio_output.loss_pct = 1.5;
        window.audio_input.jitter_ms = Some(6.0);
        ledger.quality(&window);
        ledger.audio_match("ok", 9.0);
        ledger.audio_match("ok", 7.5);
        ledger.ended("ok", t0 + Duration::from_secs(2));
        ledger.started("busy", t0);
        ledger.failed("busy", "USER_BUSY");
        ledger.ended("busy", t0);
        ledger.started("silent", t0);
        ledger.connected("silent");
        ledger.ended("silent", t0);

        let f = ledger.figures();
        assert_eq!((f.calls_seen, f.calls_completed, f.calls_failed), (3, 1, 2));
        assert_eq!(f.call_failures["USER_BUSY"], 1);
        assert_eq!(f.call_failures["no audio at the agent"], 1);
        assert_eq!(f.setup_ms_p50, Some(30.0));
        assert_eq!(f.call_seconds, 1.97);
        assert_eq!(f.mos_min, Some(4.1));
        assert_eq!(f.loss_pct_max, Some(1.5));
        assert_eq!(f.loss_pct_p50, Some(0.2));
        assert_eq!(f.jitter_ms_p50, Some(5.0));
        assert_eq!(f.audio_match_db_min, Some(7.5));
    }
}
