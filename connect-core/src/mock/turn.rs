//! Time-limited TURN credentials, as coturn's `use-auth-secret` (TURN REST API) checks them:
//! user name `<expiry epoch seconds>:<id>`, password `base64(HMAC-SHA1(secret, user name))`.
//!
//! SHA-1 is written out here (a few dozen lines) so the simulator needs no extra crate; it is
//! used only for these test credentials.

use super::ids::base64_std;

/// Where the simulated softphone media goes: TURN URLs, the shared secret they check
/// credentials against, how long credentials live, and the signaling endpoint written into
/// `callConfigJson`. The softphone crate substitutes its embedded TURN relay's addresses.
///
/// ```
/// use connect_core::mock::TurnConfig;
///
/// let turn = TurnConfig::default();
/// assert_eq!(turn.urls[0], "turn:127.0.0.1:3478?transport=udp");
/// assert_eq!(turn.signaling_endpoint, "/LilyRTC");
/// assert!(turn.use_web_socket_provider);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct TurnConfig {
    /// `turn:`/`turns:` URLs handed out as ICE servers.
    pub urls: Vec<String>,
    /// The shared secret (coturn `static-auth-secret`).
    pub secret: String,
    /// Lifetime of a credential, in seconds.
    pub ttl_secs: i64,
    /// `signalingEndpoint` of `callConfigJson` (`/LilyRTC` or a `wss://` URL).
    pub signaling_endpoint: String,
    /// `useWebSocketProvider` of `callConfigJson`: signal over the CCP WebSocket
    /// (`aws/softphone`) rather than directly to `signaling_endpoint`.
    pub use_web_socket_provider: bool,
}

impl Default for TurnConfig {
    fn default() -> Self {
        Self {
            urls: vec![
                "turn:127.0.0.1:3478?transport=udp".to_owned(),
                "turns:127.0.0.1:5349?transport=tcp".to_owned(),
            ],
            secret: "sim-turn-secret".to_owned(),
            ttl_secs: 4 * 3600,
            signaling_endpoint: "/LilyRTC".to_owned(),
            use_web_socket_provider: true,
        }
    }
}

impl TurnConfig {
    /// The credential pair `(username, credential)` for `id`, valid until `now_secs + ttl`.
    ///
    /// ```
    /// use connect_core::mock::{turn_credential, TurnConfig};
    ///
    /// let turn = TurnConfig { secret: "s3cret".into(), ttl_secs: 60, ..TurnConfig::default() };
    /// let (user, pass) = turn.credentials(1_000, "agent-1");
    /// assert_eq!(user, "1060:agent-1");
    /// assert_eq!(pass, turn_credential("s3cret", &user));
    /// ```
    pub fn credentials(&self, now_secs: i64, id: &str) -> (String, String) {
        let username = format!("{}:{id}", now_secs.saturating_add(self.ttl_secs));
        let credential = turn_credential(&self.secret, &username);
        (username, credential)
    }
}

/// `base64(HMAC-SHA1(secret, username))`: the TURN REST API password for `username`.
///
/// ```
/// // RFC 2202 test case 2, base64-encoded.
/// assert_eq!(
///     connect_core::mock::turn_credential("Jefe", "what do ya want for nothing?"),
///     "7/zfauXrL6LSdBbV8YTfnCWafHk="
/// );
/// ```
pub fn turn_credential(secret: &str, username: &str) -> String {
    base64_std(&hmac_sha1(secret.as_bytes(), username.as_bytes()))
}

fn hmac_sha1(key: &[u8], message: &[u8]) -> [u8; 20] {
    const BLOCK: usize = 64;
    let mut block_key = [0u8; BLOCK];
    if key.len() > BLOCK {
        block_key[..20].copy_from_slice(&sha1(key));
    } else {
        block_key[..key.len()].copy_from_slice(key);
    }
    let mut inner = Vec::with_capacity(BLOCK + message.len());
    inner.extend(block_key.iter().map(|b| b ^ 0x36));
    inner.extend_from_slice(message);
    let inner_hash = sha1(&inner);
    let mut outer = Vec::with_capacity(BLOCK + 20);
    outer.extend(block_key.iter().map(|b| b ^ 0x5c));
    outer.extend_from_slice(&inner_hash);
    sha1(&outer)
}

fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    let mut message = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&bit_len.to_be_bytes());
    for chunk in message.chunks_exact(64) {
        let mut w = [0u32; 80];
        for (i, word) in chunk.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let temp = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = temp;
        }
        for (slot, value) in h.iter_mut().zip([a, b, c, d, e]) {
            *slot = slot.wrapping_add(value);
        }
    }
    let mut out = [0u8; 20];
    for (i, word) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&word.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn sha1_vectors() {
        assert_eq!(hex(&sha1(b"")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(
            hex(&sha1(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex(&sha1(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
    }

    #[test]
    fn hmac_sha1_rfc2202() {
        assert_eq!(
            hex(&hmac_sha1(&[0x0b; 20], b"Hi There")),
            "b617318655057264e28bc0b6fb378c8ef146be00"
        );
        // Key longer than a block.
        assert_eq!(
            hex(&hmac_sha1(
                &[0xaa; 80],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "aa4ae5e15272d00e95705637ce8a3b55ed402112"
        );
    }
}
