//! [`HandoverStep`]: what the softphone hand-over did, step by step.

/// One thing the softphone hand-over did (or could not do). Failures are reported here and
/// logged; they never stop or delay the failover.
///
/// ```
/// use connect_failover::softphone::HandoverStep;
///
/// let step = HandoverStep::Prewarmed { region: "us-west-2".into(), turn_urls: vec!["turn:10.0.0.1:3478".into()] };
/// assert_eq!(step.region(), "us-west-2");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HandoverStep {
    /// The region moved to fetched fresh TURN credentials from its own endpoint.
    Prewarmed {
        /// The region.
        region: String,
        /// The TURN URLs it answered (never the credentials).
        turn_urls: Vec<String>,
    },
    /// Hard hand-over: the softphone calls of the region left were hung up.
    HungUp {
        /// The region.
        region: String,
        /// The contacts whose calls were ended.
        contact_ids: Vec<String>,
    },
    /// The region left has no live call any more: its peer connections were closed.
    Released {
        /// The region.
        region: String,
        /// How many peer connections were closed.
        peer_connections: usize,
    },
    /// A step failed (logged; the failover goes on).
    Failed {
        /// The region.
        region: String,
        /// What was tried (`prewarm`, `hang_up`, `release`).
        action: &'static str,
        /// Why it failed.
        error: String,
    },
    /// No softphone is registered for this region of the hand-over.
    NoSoftphone {
        /// The region.
        region: String,
    },
}

impl HandoverStep {
    /// The region the step concerns.
    pub fn region(&self) -> &str {
        match self {
            Self::Prewarmed { region, .. }
            | Self::HungUp { region, .. }
            | Self::Released { region, .. }
            | Self::Failed { region, .. }
            | Self::NoSoftphone { region } => region,
        }
    }
}
