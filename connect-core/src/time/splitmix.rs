//! SplitMix64: the one seedable pseudo-random source of the SDK (jitter, simulated ids).

/// A small seedable pseudo-random source (SplitMix64): enough for jitter, reproducible in tests.
///
/// ```
/// use connect_core::time::SplitMix64;
///
/// let (mut a, mut b) = (SplitMix64::new(7), SplitMix64::new(7));
/// assert_eq!(a.next_u64(), b.next_u64());
/// let x = a.next_f64();
/// assert!((0.0..1.0).contains(&x));
/// ```
#[derive(Clone, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator starting from `seed`.
    ///
    /// ```
    /// # use connect_core::time::SplitMix64;
    /// let _ = SplitMix64::new(0).next_u64();
    /// ```
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    ///
    /// ```
    /// # use connect_core::time::SplitMix64;
    /// let mut r = SplitMix64::new(1);
    /// assert_ne!(r.next_u64(), r.next_u64());
    /// ```
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number in `[0, 1)`.
    ///
    /// ```
    /// # use connect_core::time::SplitMix64;
    /// assert!(SplitMix64::new(3).next_f64() < 1.0);
    /// ```
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A random UUID (version 4, RFC 9562 variant) as lowercase hex text.
    ///
    /// ```
    /// # use connect_core::time::SplitMix64;
    /// let id = SplitMix64::new(9).next_uuid_v4();
    /// assert_eq!(id.split('-').map(str::len).collect::<Vec<_>>(), [8, 4, 4, 4, 12]);
    /// assert_eq!(&id[14..15], "4");
    /// ```
    pub fn next_uuid_v4(&mut self) -> String {
        let hi = self.next_u64();
        uuid_v4(hi, self.next_u64())
    }
}

/// A version-4 UUID (RFC 9562 variant) made of 128 random bits, as lowercase hex text: the
/// version and variant bits replace six of them.
///
/// ```
/// use connect_core::time::uuid_v4;
///
/// assert_eq!(uuid_v4(0, 0), "00000000-0000-4000-8000-000000000000");
/// assert_eq!(uuid_v4(u64::MAX, u64::MAX), "ffffffff-ffff-4fff-bfff-ffffffffffff");
/// ```
pub fn uuid_v4(random_hi: u64, random_lo: u64) -> String {
    let hi = (random_hi & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000;
    let lo = (random_lo & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xFFFF,
        hi & 0xFFFF,
        lo >> 48,
        lo & 0xFFFF_FFFF_FFFF
    )
}
