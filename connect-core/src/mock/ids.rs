//! Deterministic ids: every id, token and account number of a simulated instance derives
//! from one seed, so the same seed and script give the same journal.

use crate::time::SplitMix64;

/// A seeded generator of UUID-shaped ids and opaque tokens (SplitMix64 inside).
///
/// ```
/// use connect_core::mock::IdGen;
///
/// let mut a = IdGen::new(7);
/// let mut b = IdGen::new(7);
/// let id = a.uuid();
/// assert_eq!(id, b.uuid());
/// assert_eq!(id.len(), 36);
/// assert_eq!(&id[14..15], "4"); // version nibble of a v4-shaped UUID
/// ```
#[derive(Clone, Debug)]
pub struct IdGen {
    rng: SplitMix64,
}

impl IdGen {
    /// A generator seeded with `seed`.
    ///
    /// ```
    /// # use connect_core::mock::IdGen;
    /// let mut ids = IdGen::new(1);
    /// assert_ne!(ids.next_u64(), ids.next_u64());
    /// ```
    pub fn new(seed: u64) -> Self {
        Self {
            rng: SplitMix64::new(seed ^ 0x5DEE_CE66_D1CE_4E5B),
        }
    }

    /// The next 64 pseudo-random bits.
    ///
    /// ```
    /// # use connect_core::mock::IdGen;
    /// assert_eq!(IdGen::new(3).next_u64(), IdGen::new(3).next_u64());
    /// ```
    pub fn next_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }

    /// A lower-case, version-4-shaped UUID (`8-4-4-4-12` hex digits).
    ///
    /// ```
    /// # use connect_core::mock::IdGen;
    /// let id = IdGen::new(9).uuid();
    /// assert_eq!(id.split('-').map(str::len).collect::<Vec<_>>(), [8, 4, 4, 4, 12]);
    /// ```
    pub fn uuid(&mut self) -> String {
        self.rng.next_uuid_v4()
    }

    /// `bytes` pseudo-random bytes as unpadded URL-safe base64: an opaque token.
    ///
    /// ```
    /// # use connect_core::mock::IdGen;
    /// let token = IdGen::new(2).token(24);
    /// assert_eq!(token.len(), 32);
    /// assert!(token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    /// ```
    pub fn token(&mut self, bytes: usize) -> String {
        let mut raw = Vec::with_capacity(bytes + 8);
        while raw.len() < bytes {
            raw.extend_from_slice(&self.next_u64().to_le_bytes());
        }
        raw.truncate(bytes);
        base64_url(&raw)
    }

    /// A decimal number of exactly `digits` digits (an AWS account id has 12).
    ///
    /// ```
    /// # use connect_core::mock::IdGen;
    /// let account = IdGen::new(5).digits(12);
    /// assert_eq!(account.len(), 12);
    /// assert!(account.chars().all(|c| c.is_ascii_digit()));
    /// ```
    pub fn digits(&mut self, digits: usize) -> String {
        (0..digits)
            .map(|i| {
                let d = self.next_u64() % 10;
                // No leading zero, so the number keeps its width.
                let d = if i == 0 && d == 0 { 1 } else { d };
                char::from(b'0' + d as u8)
            })
            .collect()
    }
}

/// Unpadded URL-safe base64 of `bytes`.
///
/// ```
/// assert_eq!(connect_core::mock::base64_url(b"sim"), "c2lt");
/// ```
pub fn base64_url(bytes: &[u8]) -> String {
    base64_with(
        bytes,
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
        false,
    )
}

/// Padded standard base64 of `bytes` (TURN credentials are written this way).
///
/// ```
/// assert_eq!(connect_core::mock::base64_std(b"si"), "c2k=");
/// ```
pub fn base64_std(bytes: &[u8]) -> String {
    base64_with(
        bytes,
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
        true,
    )
}

/// Decodes unpadded URL-safe base64 (padding, if any, is ignored); `None` on other symbols.
///
/// ```
/// use connect_core::mock::{base64_url, base64_url_decode};
/// assert_eq!(base64_url_decode(&base64_url(b"sim:v17")).as_deref(), Some(&b"sim:v17"[..]));
/// assert_eq!(base64_url_decode("!!"), None);
/// ```
pub fn base64_url_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for byte in text.trim_end_matches('=').bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

fn base64_with(bytes: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let symbols = chunk.len() + 1;
        for i in 0..4 {
            if i < symbols {
                let index = ((n >> (18 - 6 * i)) & 0x3F) as usize;
                out.push(char::from(alphabet[index]));
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn different_seeds_differ() {
        assert_ne!(IdGen::new(1).uuid(), IdGen::new(2).uuid());
    }

    #[test]
    fn uuid_variant_bits() {
        let mut ids = IdGen::new(11);
        for _ in 0..100 {
            let id = ids.uuid();
            let variant = id.as_bytes()[19];
            assert!(matches!(variant, b'8' | b'9' | b'a' | b'b'), "{id}");
        }
    }

    #[test]
    fn base64_known_vectors() {
        assert_eq!(base64_std(b""), "");
        assert_eq!(base64_std(b"f"), "Zg==");
        assert_eq!(base64_std(b"fo"), "Zm8=");
        assert_eq!(base64_std(b"foo"), "Zm9v");
        assert_eq!(base64_std(b"foob"), "Zm9vYg==");
        assert_eq!(base64_url(&[0xfb, 0xff]), "-_8");
    }
}
