//! MOS by the simplified E-model (the widely copied simplification of ITU-T G.107): a
//! network-quality index, codec-agnostic, with a ceiling of about 4.40. Not a perceptual
//! measurement.

use serde::{Deserialize, Serialize};

/// Codec and processing delay added to the one-way latency, ms.
const PROCESSING_DELAY_MS: f64 = 10.0;

/// What the E-model takes, for one direction over one window.
///
/// ```
/// use connect_softphone::stats::MosInputs;
///
/// let inputs = MosInputs { latency_ms: 50.0, jitter_ms: 10.0, loss_pct: 1.0 };
/// assert!((inputs.r_factor() - 88.7).abs() < 1e-9);
/// assert!((inputs.mos() - 4.31).abs() < 0.005);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MosInputs {
    /// One-way latency, ms (mean RTT ÷ 2).
    pub latency_ms: f64,
    /// Mean RFC 3550 jitter, ms.
    pub jitter_ms: f64,
    /// Packet loss, percent (0–100).
    pub loss_pct: f64,
}

impl MosInputs {
    /// The R factor, 0–100:
    /// `Leff = latency + 2·jitter + 10`; `R = 93.2 − Leff/40` below 160 ms, else
    /// `93.2 − (Leff − 120)/10`; then `R − 2.5·loss`, clamped.
    pub fn r_factor(&self) -> f64 {
        let finite = |v: f64| if v.is_finite() { v.max(0.0) } else { 0.0 };
        let effective =
            finite(self.latency_ms) + 2.0 * finite(self.jitter_ms) + PROCESSING_DELAY_MS;
        let r = if effective < 160.0 {
            93.2 - effective / 40.0
        } else {
            93.2 - (effective - 120.0) / 10.0
        };
        (r - 2.5 * finite(self.loss_pct).min(100.0)).clamp(0.0, 100.0)
    }

    /// The MOS of these inputs: [`mos_from_r`] of [`MosInputs::r_factor`].
    pub fn mos(&self) -> f64 {
        mos_from_r(self.r_factor())
    }
}

/// MOS from an R factor: 1 at R = 0, 4.5 at R = 100, else
/// `1 + 0.035·R + 0.000007·R·(R − 60)·(100 − R)`.
///
/// ```
/// use connect_softphone::stats::mos_from_r;
///
/// assert_eq!(mos_from_r(0.0), 1.0);
/// assert_eq!(mos_from_r(100.0), 4.5);
/// assert!((mos_from_r(92.95) - 4.40).abs() < 0.005);
/// ```
pub fn mos_from_r(r: f64) -> f64 {
    if r <= 0.0 {
        1.0
    } else if r >= 100.0 {
        4.5
    } else {
        1.0 + 0.035 * r + 0.000_007 * r * (r - 60.0) * (100.0 - r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table of the specification: RTT, jitter, loss → R, MOS.
    #[test]
    fn spec_table() {
        let rows = [
            (0.0, 0.0, 0.0, 92.95, 4.40),
            (100.0, 10.0, 1.0, 88.7, 4.31),
            (300.0, 20.0, 2.0, 80.2, 4.03),
            (600.0, 40.0, 3.0, 58.7, 3.03),
        ];
        for (rtt, jitter, loss, r, mos) in rows {
            let inputs = MosInputs {
                latency_ms: rtt / 2.0,
                jitter_ms: jitter,
                loss_pct: loss,
            };
            assert!(
                (inputs.r_factor() - r).abs() < 1e-9,
                "R for {rtt}/{jitter}/{loss}"
            );
            assert!(
                (inputs.mos() - mos).abs() < 0.005,
                "MOS for {rtt}/{jitter}/{loss}"
            );
        }
    }

    #[test]
    fn clamps_and_bad_inputs() {
        let awful = MosInputs {
            latency_ms: 2000.0,
            jitter_ms: 500.0,
            loss_pct: 80.0,
        };
        assert_eq!(awful.r_factor(), 0.0);
        assert_eq!(awful.mos(), 1.0);
        let nan = MosInputs {
            latency_ms: f64::NAN,
            jitter_ms: -5.0,
            loss_pct: f64::INFINITY,
        };
        assert!((nan.r_factor() - 92.95).abs() < 1e-9);
        // The 160 ms knee is continuous enough: both sides within 1 R point.
        let below = MosInputs {
            latency_ms: 149.9,
            ..MosInputs::default()
        }
        .r_factor();
        let above = MosInputs {
            latency_ms: 150.0,
            ..MosInputs::default()
        }
        .r_factor();
        assert!((below - above).abs() < 1.0 && below > above);
    }
}
