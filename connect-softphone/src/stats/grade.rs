//! Quality thresholds and grades: good, degraded, poor. Every threshold is configurable.

use serde::{Deserialize, Serialize};

use super::StreamDirection;

/// A window's (or a metric's) quality.
///
/// ```
/// use connect_softphone::stats::Grade;
/// assert!(Grade::Poor > Grade::Degraded && Grade::Degraded > Grade::Good);
/// ```
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub enum Grade {
    /// Within every "good" threshold.
    #[default]
    Good,
    /// At least one metric in its degraded band.
    Degraded,
    /// At least one metric past its poor threshold.
    Poor,
}

/// A graded metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum QualityMetric {
    /// Packet loss, percent, per direction.
    Loss,
    /// RFC 3550 jitter, ms, per direction.
    Jitter,
    /// Round-trip time, ms.
    Rtt,
    /// The worse direction's MOS.
    Mos,
}

/// A threshold a window crossed.
///
/// ```
/// use connect_softphone::stats::{Breach, Grade, QualityMetric, StreamDirection};
///
/// let b = Breach { metric: QualityMetric::Loss, direction: Some(StreamDirection::AudioInput), value: 2.5, grade: Grade::Poor };
/// assert_eq!(serde_json::to_value(&b).unwrap(), serde_json::json!(
///     {"metric": "loss", "direction": "audio_input", "value": 2.5, "grade": "Poor"}));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Breach {
    /// The metric.
    pub metric: QualityMetric,
    /// The direction, for per-direction metrics.
    pub direction: Option<StreamDirection>,
    /// The measured value.
    pub value: f64,
    /// How bad it was.
    pub grade: Grade,
}

/// A "higher is worse" band: good below `degraded_from`, degraded up to `poor_above`, poor
/// beyond.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Band {
    /// Values at or above this are at least degraded.
    pub degraded_from: f64,
    /// Values above this are poor.
    pub poor_above: f64,
}

impl Band {
    /// The grade of `value`.
    ///
    /// ```
    /// use connect_softphone::stats::{Band, Grade};
    /// let loss = Band { degraded_from: 1.0, poor_above: 2.0 };
    /// assert_eq!(loss.grade(0.99), Grade::Good);
    /// assert_eq!(loss.grade(2.0), Grade::Degraded);
    /// assert_eq!(loss.grade(2.01), Grade::Poor);
    /// ```
    pub fn grade(&self, value: f64) -> Grade {
        if value > self.poor_above {
            Grade::Poor
        } else if value >= self.degraded_from {
            Grade::Degraded
        } else {
            Grade::Good
        }
    }
}

/// Every threshold, with the specification's defaults.
///
/// ```
/// use connect_softphone::stats::{Grade, Thresholds};
///
/// let t = Thresholds::default();
/// assert_eq!(t.grade_mos(4.0), Grade::Good);
/// assert_eq!(t.grade_mos(3.6), Grade::Degraded);
/// assert_eq!(t.grade_mos(3.59), Grade::Poor);
/// assert_eq!(t.rtt_ms.grade(500.0), Grade::Degraded);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Thresholds {
    /// Loss per direction, percent: good < 1, degraded 1–2, poor > 2.
    pub loss_pct: Band,
    /// RFC 3550 jitter, ms: good < 30, degraded 30–50, poor > 50.
    pub jitter_ms: Band,
    /// RTT, ms: good < 300, degraded 300–500, poor > 500.
    pub rtt_ms: Band,
    /// MOS at or above this is good (4.0).
    pub mos_good_from: f64,
    /// MOS at or above this (and below good) is degraded (3.6); below is poor.
    pub mos_degraded_from: f64,
    /// An audio level (0–32768) at or below this is "no audio" (`LOW_AUDIO_LEVEL_THRESHOLD`, 1).
    pub low_audio_level: u32,
    /// Consecutive seconds without inbound packets before `NoInboundAudio` (3).
    pub no_inbound_audio_secs: u32,
    /// Consecutive low-level seconds of an unmuted microphone before `SilentMicrophone` (10).
    pub silent_microphone_secs: u32,
    /// Mean API latency (long poll excluded) at or above this is degraded, ms (500).
    pub api_latency_mean_ms: f64,
    /// An API failure rate above this is poor, percent (10).
    pub api_failure_pct: f64,
    /// Clock skew, ms: good < 1 000, degraded 1 000–5 000, poor > 5 000.
    pub clock_skew_ms: Band,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            loss_pct: Band {
                degraded_from: 1.0,
                poor_above: 2.0,
            },
            jitter_ms: Band {
                degraded_from: 30.0,
                poor_above: 50.0,
            },
            rtt_ms: Band {
                degraded_from: 300.0,
                poor_above: 500.0,
            },
            mos_good_from: 4.0,
            mos_degraded_from: 3.6,
            low_audio_level: 1,
            no_inbound_audio_secs: 3,
            silent_microphone_secs: 10,
            api_latency_mean_ms: 500.0,
            api_failure_pct: 10.0,
            clock_skew_ms: Band {
                degraded_from: 1000.0,
                poor_above: 5000.0,
            },
        }
    }
}

impl Thresholds {
    /// The grade of a MOS (higher is better).
    pub fn grade_mos(&self, mos: f64) -> Grade {
        if mos >= self.mos_good_from {
            Grade::Good
        } else if mos >= self.mos_degraded_from {
            Grade::Degraded
        } else {
            Grade::Poor
        }
    }

    /// The grade of an API series (long poll excluded): poor when more than
    /// `api_failure_pct` of the calls failed, degraded when the mean is at or above
    /// `api_latency_mean_ms`.
    ///
    /// ```
    /// use connect_softphone::stats::{Grade, Thresholds};
    /// let t = Thresholds::default();
    /// assert_eq!(t.grade_api(120.0, 0.0), Grade::Good);
    /// assert_eq!(t.grade_api(650.0, 0.0), Grade::Degraded);
    /// assert_eq!(t.grade_api(120.0, 12.5), Grade::Poor);
    /// ```
    pub fn grade_api(&self, mean_ms: f64, failure_pct: f64) -> Grade {
        if failure_pct > self.api_failure_pct {
            Grade::Poor
        } else if mean_ms >= self.api_latency_mean_ms {
            Grade::Degraded
        } else {
            Grade::Good
        }
    }

    /// The grade of a clock skew of either sign.
    ///
    /// ```
    /// use connect_softphone::stats::{Grade, Thresholds};
    /// assert_eq!(Thresholds::default().grade_skew(-6_000), Grade::Poor);
    /// ```
    pub fn grade_skew(&self, skew_ms: i64) -> Grade {
        self.clock_skew_ms.grade(skew_ms.unsigned_abs() as f64)
    }
}

/// The window grade: the worst of the graded metrics, with every threshold crossed.
/// Metrics without a value are not graded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GradeInputs {
    /// Loss per direction, percent (input, output).
    pub loss_pct: [Option<f64>; 2],
    /// Jitter per direction, ms (input, output).
    pub jitter_ms: [Option<f64>; 2],
    /// Mean RTT, ms.
    pub rtt_ms: Option<f64>,
    /// The worse MOS.
    pub mos: Option<f64>,
}

impl GradeInputs {
    /// Grades these values against `t`: the worst grade and the breaches, in the order
    /// MOS, loss, jitter, RTT.
    ///
    /// ```
    /// use connect_softphone::stats::{Grade, GradeInputs, QualityMetric, Thresholds};
    ///
    /// let inputs = GradeInputs { loss_pct: [Some(1.5), Some(0.0)], rtt_ms: Some(120.0), mos: Some(4.2),
    ///     ..Default::default() };
    /// let (grade, breaches) = inputs.grade(&Thresholds::default());
    /// assert_eq!(grade, Grade::Degraded);
    /// assert_eq!(breaches.len(), 1);
    /// assert_eq!(breaches[0].metric, QualityMetric::Loss);
    /// ```
    pub fn grade(&self, t: &Thresholds) -> (Grade, Vec<Breach>) {
        let mut breaches = Vec::new();
        let mut note = |metric, direction, value: Option<f64>, grade: &dyn Fn(f64) -> Grade| {
            if let Some(value) = value {
                let grade = grade(value);
                if grade != Grade::Good {
                    breaches.push(Breach {
                        metric,
                        direction,
                        value,
                        grade,
                    });
                }
            }
        };
        note(QualityMetric::Mos, None, self.mos, &|v| t.grade_mos(v));
        for (i, direction) in StreamDirection::BOTH.into_iter().enumerate() {
            note(
                QualityMetric::Loss,
                Some(direction),
                self.loss_pct[i],
                &|v| t.loss_pct.grade(v),
            );
        }
        for (i, direction) in StreamDirection::BOTH.into_iter().enumerate() {
            note(
                QualityMetric::Jitter,
                Some(direction),
                self.jitter_ms[i],
                &|v| t.jitter_ms.grade(v),
            );
        }
        note(QualityMetric::Rtt, None, self.rtt_ms, &|v| {
            t.rtt_ms.grade(v)
        });
        let grade = breaches.iter().map(|b| b.grade).max().unwrap_or_default();
        (grade, breaches)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Boundaries of every band: (value, expected grade).
    #[test]
    fn band_boundaries() {
        let t = Thresholds::default();
        let cases: [(&Band, f64, Grade); 9] = [
            (&t.loss_pct, 0.0, Grade::Good),
            (&t.loss_pct, 1.0, Grade::Degraded),
            (&t.loss_pct, 2.5, Grade::Poor),
            (&t.jitter_ms, 29.9, Grade::Good),
            (&t.jitter_ms, 50.0, Grade::Degraded),
            (&t.jitter_ms, 50.1, Grade::Poor),
            (&t.rtt_ms, 299.0, Grade::Good),
            (&t.rtt_ms, 300.0, Grade::Degraded),
            (&t.rtt_ms, 501.0, Grade::Poor),
        ];
        for (band, value, grade) in cases {
            assert_eq!(band.grade(value), grade, "{value}");
        }
        assert_eq!(t.grade_skew(999), Grade::Good);
        assert_eq!(t.grade_skew(1000), Grade::Degraded);
    }

    #[test]
    fn worst_grade_wins_and_missing_values_are_skipped() {
        let t = Thresholds::default();
        let inputs = GradeInputs {
            loss_pct: [Some(0.0), Some(3.0)],
            jitter_ms: [Some(35.0), None],
            rtt_ms: None,
            mos: Some(3.8),
        };
        let (grade, breaches) = inputs.grade(&t);
        assert_eq!(grade, Grade::Poor);
        let seen: Vec<(QualityMetric, Option<StreamDirection>, Grade)> = breaches
            .iter()
            .map(|b| (b.metric, b.direction, b.grade))
            .collect();
        assert_eq!(
            seen,
            [
                (QualityMetric::Mos, None, Grade::Degraded),
                (
                    QualityMetric::Loss,
                    Some(StreamDirection::AudioOutput),
                    Grade::Poor
                ),
                (
                    QualityMetric::Jitter,
                    Some(StreamDirection::AudioInput),
                    Grade::Degraded
                ),
            ]
        );
        assert_eq!(GradeInputs::default().grade(&t), (Grade::Good, vec![]));
    }
}
