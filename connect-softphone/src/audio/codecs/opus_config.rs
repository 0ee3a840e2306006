//! The settings of an Opus encoder: plain data, so that codec factories carry them on every
//! target.

/// libopus's own default complexity, and the highest.
pub const OPUS_MAX_COMPLEXITY: u8 = 10;

/// Settings of an Opus encoder ([`OpusEncoder`](crate::audio::OpusEncoder) on native
/// targets) beyond the fixed ones (48 kHz, mono, 20 ms, VoIP, in-band FEC).
///
/// ```
/// use connect_softphone::audio::{OpusConfig, OpusEncoder};
///
/// let config = OpusConfig { complexity: 5, ..OpusConfig::default() };
/// let encoder = OpusEncoder::with_config(config).expect("libopus");
/// assert_eq!(encoder.complexity().expect("ctl"), 5);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpusConfig {
    /// Discontinuous transmission (off by default).
    pub dtx: bool,
    /// Initial expected packet loss in percent (0–100), until the far end reports its loss.
    pub expected_loss_percent: u8,
    /// Encoder complexity, 0–10 (default [`OPUS_MAX_COMPLEXITY`], libopus's default). Lower
    /// values usually cost less CPU, but libopus runs its signal analysis only from 7 up, and
    /// without it its choices may cost more: on the SDK's speech-like test voice 5 costs
    /// twice as much as 10. Measure with your own audio (`benches/README.md` has the
    /// figures). Values above 10 are taken as 10.
    pub complexity: u8,
}

impl Default for OpusConfig {
    fn default() -> Self {
        Self {
            dtx: false,
            expected_loss_percent: 0,
            complexity: OPUS_MAX_COMPLEXITY,
        }
    }
}
