//! Fresh JSON-RPC request ids (UUID v4 form) from a seeded generator.

use connect_core::time::SplitMix64;

/// Makes one request id per call: random UUID v4 text. Seeded, so tests are reproducible.
///
/// ```
/// use connect_softphone::signaling::proto::RequestIds;
///
/// let mut ids = RequestIds::new(1);
/// let a = ids.next_id();
/// assert_eq!(a.len(), 36);
/// assert_eq!(&a[14..15], "4");
/// assert_ne!(a, ids.next_id());
/// ```
#[derive(Clone, Debug)]
pub struct RequestIds {
    rng: SplitMix64,
}

impl RequestIds {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            rng: SplitMix64::new(seed),
        }
    }

    /// The next id.
    pub fn next_id(&mut self) -> String {
        self.rng.next_uuid_v4()
    }
}
