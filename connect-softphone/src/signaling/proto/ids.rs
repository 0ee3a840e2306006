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
        let hi = self.rng.next_u64();
        let lo = self.rng.next_u64();
        let hi = (hi & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000;
        let lo = (lo & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            hi >> 32,
            (hi >> 16) & 0xFFFF,
            hi & 0xFFFF,
            lo >> 48,
            lo & 0xFFFF_FFFF_FFFF
        )
    }
}
