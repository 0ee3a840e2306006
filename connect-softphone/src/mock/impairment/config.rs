//! [`Impairment`]: how the relay degrades media datagrams, and [`ImpairmentError`].

/// How the impairment relay degrades the datagrams that carry media (plain data; the default
/// is no impairment).
///
/// Each media datagram is dropped with probability `loss_pct` ÷ 100; the others are held for
/// `delay_ms` plus a uniform offset in [−`jitter_ms`, +`jitter_ms`], clamped at zero (as
/// netem does, so packets may be reordered, as on real networks).
///
/// **Expected RFC 3550 jitter.** With independent uniform offsets in [−J, +J], the transit
/// difference of two consecutive packets is triangular on [−2J, +2J] and its mean absolute
/// value is 2J/3, which is what an RFC 3550 receiver converges to (J = 40 ms → ≈ 27 ms). When
/// J exceeds half the packet spacing the receiver sees packets reordered, and pairs taken in
/// arrival order read slightly higher (≈ 29 ms for J = 40 ms at 20 ms spacing). Clamping at
/// zero (`delay_ms` < `jitter_ms`) lowers it (≈ 14 ms for J = 40 ms, no delay), so set
/// `delay_ms` ≥ `jitter_ms` for the 2J/3 figure.
///
/// ```
/// use connect_softphone::mock::impairment::Impairment;
///
/// let lossy = Impairment { loss_pct: 5.0, jitter_ms: 40, delay_ms: 50 };
/// assert!(lossy.validate().is_ok());
/// assert!(Impairment::default().is_none());
/// assert!(Impairment { loss_pct: 101.0, ..Impairment::default() }.validate().is_err());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Impairment {
    /// Media datagrams dropped, in percent (0–100).
    pub loss_pct: f64,
    /// Uniform jitter added to the delay, ± this many milliseconds.
    pub jitter_ms: u32,
    /// Fixed one-way delay, in milliseconds.
    pub delay_ms: u32,
}

impl Impairment {
    /// Checks the values: `loss_pct` must be a number in 0–100.
    pub fn validate(&self) -> Result<(), ImpairmentError> {
        if (0.0..=100.0).contains(&self.loss_pct) {
            Ok(())
        } else {
            tracing::warn!(
                loss_pct = self.loss_pct,
                "impairment refused: loss out of range"
            );
            Err(ImpairmentError::InvalidLoss(self.loss_pct))
        }
    }

    /// Whether this leaves every datagram alone.
    pub fn is_none(&self) -> bool {
        self.loss_pct == 0.0 && self.jitter_ms == 0 && self.delay_ms == 0
    }
}

/// Why an impairment could not be applied.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImpairmentError {
    /// `loss_pct` is not a number in 0–100.
    #[error("loss must be 0–100 %, got {0}")]
    InvalidLoss(f64),
    /// Binding a relay socket failed.
    #[error("binding the impairment relay failed: {0}")]
    Bind(#[from] std::io::Error),
    /// The media service was started without an impairment relay.
    #[error("the media service runs without an impairment relay")]
    NotEnabled,
}

impl ImpairmentError {
    /// Whether the caller passed values that can never work (as opposed to a socket failure).
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, Self::InvalidLoss(_))
    }
}
