//! Randomness from the operating system's CSPRNG: idempotency tokens, UUIDv4 ids, secrets.

use std::fmt::Write as _;

/// Fills `buf` from the operating system's CSPRNG.
pub(crate) fn fill(buf: &mut [u8]) -> Result<(), getrandom::Error> {
    getrandom::getrandom(buf)
}

/// A random (version 4) UUID in its canonical lower-case text form, from the OS CSPRNG.
///
/// ```
/// let id = connect_video::random_uuid().unwrap();
/// assert_eq!(id.len(), 36);
/// assert_eq!(&id[14..15], "4");
/// assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
/// ```
pub fn random_uuid() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    fill(&mut bytes)?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut text = String::with_capacity(36);
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        let _ = write!(text, "{byte:02x}");
    }
    Ok(text)
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_differ_and_have_the_v4_shape() {
        let a = random_uuid().expect("os randomness");
        let b = random_uuid().expect("os randomness");
        assert_ne!(a, b);
        let groups: Vec<usize> = a.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12]);
        assert_eq!(hex(&[0, 0xab]), "00ab");
    }
}
