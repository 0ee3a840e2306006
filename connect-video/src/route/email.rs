//! Email normalisation and the keyed binding a route stores instead of the address.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::{Choice, ConstantTimeEq};
use unicode_normalization::UnicodeNormalization;

use super::error::RouteError;
use crate::random::hex;

/// Normalises an email address: trimmed, Unicode NFC, lower-case; it must look like
/// `local@domain` with no whitespace and at most 254 characters.
///
/// ```
/// use connect_video::route::normalize_email;
///
/// assert_eq!(normalize_email("  Ann.Lee@Example.COM ").unwrap(), "ann.lee@example.com");
/// // "é" typed as e + combining accent equals the precomposed form.
/// assert_eq!(normalize_email("Re\u{301}my@x.org").unwrap(), normalize_email("r\u{e9}my@x.org").unwrap());
/// assert!(normalize_email("no-at-sign").is_err());
/// assert!(normalize_email("a b@x.org").is_err());
/// ```
pub fn normalize_email(raw: &str) -> Result<String, RouteError> {
    let email: String = raw.trim().nfc().collect::<String>().to_lowercase();
    let invalid = |why: &str| Err(RouteError::InvalidEmail(why.to_owned()));
    if email.chars().count() > 254 {
        return invalid("longer than 254 characters");
    }
    if email.chars().any(char::is_whitespace) {
        return invalid("contains whitespace");
    }
    match email.split_once('@') {
        Some((local, domain))
            if !local.is_empty() && !domain.is_empty() && !domain.contains('@') =>
        {
            Ok(email)
        }
        _ => invalid("not of the form local@domain"),
    }
}

/// The server's secret key for email bindings (32 random bytes). `Debug` hides it.
///
/// ```
/// use connect_video::route::BindingKey;
///
/// let key = BindingKey::generate().unwrap();
/// assert_eq!(format!("{key:?}"), "BindingKey([redacted])");
/// assert!(BindingKey::from_bytes(&[0u8; 8]).is_err());
/// ```
#[derive(Clone)]
pub struct BindingKey(Vec<u8>);

impl BindingKey {
    /// A fresh key from the OS CSPRNG.
    pub fn generate() -> Result<Self, RouteError> {
        let mut key = vec![0u8; 32];
        crate::random::fill(&mut key).map_err(|e| RouteError::Random(e.to_string()))?;
        Ok(Self(key))
    }

    /// A key from configuration (at least 16 bytes).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, RouteError> {
        if bytes.len() < 16 {
            return Err(RouteError::Store(
                "a binding key needs at least 16 bytes".into(),
            ));
        }
        Ok(Self(bytes.to_vec()))
    }
}

impl fmt::Debug for BindingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BindingKey([redacted])")
    }
}

/// `HMAC-SHA256(key, normalised email)`: what a route stores to bind its reference to an email.
/// Compared in constant time only.
///
/// ```
/// use connect_video::route::{normalize_email, BindingKey, EmailBinding};
///
/// let key = BindingKey::from_bytes(&[7u8; 32]).unwrap();
/// let a = EmailBinding::of_email(&key, "Ann@Example.com").unwrap();
/// let b = EmailBinding::of_email(&key, " ann@example.com").unwrap();
/// assert!(a.matches(&b));
/// assert_eq!(a.to_hex().len(), 64);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct EmailBinding([u8; 32]);

impl EmailBinding {
    /// The binding of an already normalised address.
    pub fn compute(key: &BindingKey, normalized_email: &str) -> Self {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(normalized_email.as_bytes());
        Self(mac.finalize().into_bytes().into())
    }

    /// Normalises `raw_email` and computes its binding.
    pub fn of_email(key: &BindingKey, raw_email: &str) -> Result<Self, RouteError> {
        Ok(Self::compute(key, &normalize_email(raw_email)?))
    }

    /// Constant-time equality.
    pub fn matches(&self, other: &Self) -> bool {
        bool::from(self.ct_eq(other))
    }

    /// Hex text, for stores that keep strings.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }
}

impl ConstantTimeEq for EmailBinding {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0.ct_eq(&other.0)
    }
}

impl fmt::Debug for EmailBinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EmailBinding([redacted])")
    }
}
