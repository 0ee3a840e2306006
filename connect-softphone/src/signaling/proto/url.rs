//! The direct WebSocket URL (§3.2) and `signalingEndpoint` resolution (§2.2).

use connect_core::model::Sensitive;

use super::ProtoError;

/// Percent-encoding as JavaScript's `encodeURIComponent`: keeps `A–Z a–z 0–9 - _ . ! ~ * ' ( )`.
///
/// ```
/// use connect_softphone::signaling::proto::encode_uri_component;
///
/// assert_eq!(encode_uri_component("a b/c=d&é"), "a%20b%2Fc%3Dd%26%C3%A9");
/// assert_eq!(encode_uri_component("-_.!~*'()"), "-_.!~*'()");
/// ```
pub fn encode_uri_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
            );
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// How a direct socket authenticates: the first connect carries the call context token, a
/// reconnect from Talking or Idle the last `renewClientToken` value.
///
/// ```
/// use connect_softphone::signaling::proto::DirectAuth;
///
/// assert_eq!(DirectAuth::ContactContext(None), DirectAuth::ContactContext(None));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DirectAuth {
    /// `contactCtx=<token>` (omitted without a token).
    ContactContext(Option<Sensitive>),
    /// `clientToken=<token>`.
    ClientToken(Sensitive),
}

/// `<endpoint>?callId=<pct(contactId)>&contactCtx=…` or `…&clientToken=…`; the first separator
/// is `&` when the endpoint already has a query. Sensitive (it carries a token).
///
/// ```
/// use connect_softphone::signaling::proto::{direct_url, DirectAuth};
/// use connect_core::model::Sensitive;
///
/// let url = direct_url("wss://rtc.example/LilyRTC", "c 1", &DirectAuth::ContactContext(Some(Sensitive::new("a/b"))));
/// assert_eq!(url.expose(), "wss://rtc.example/LilyRTC?callId=c%201&contactCtx=a%2Fb");
/// let again = direct_url("wss://x/LilyRTC?v=1", "c", &DirectAuth::ClientToken(Sensitive::new("t")));
/// assert_eq!(again.expose(), "wss://x/LilyRTC?v=1&callId=c&clientToken=t");
/// assert_eq!(direct_url("wss://x/L", "c", &DirectAuth::ContactContext(None)).expose(), "wss://x/L?callId=c");
/// ```
pub fn direct_url(endpoint: &str, contact_id: &str, auth: &DirectAuth) -> Sensitive {
    let separator = if endpoint.contains('?') { '&' } else { '?' };
    let mut url = format!(
        "{endpoint}{separator}callId={}",
        encode_uri_component(contact_id)
    );
    match auth {
        DirectAuth::ContactContext(Some(token)) => {
            url.push_str("&contactCtx=");
            url.push_str(&encode_uri_component(token.expose()));
        }
        DirectAuth::ContactContext(None) => {}
        DirectAuth::ClientToken(token) => {
            url.push_str("&clientToken=");
            url.push_str(&encode_uri_component(token.expose()));
        }
    }
    Sensitive::new(url)
}

/// The default base of a relative `signalingEndpoint`: `wss://rtc.connect-telecom.<region>.amazonaws.com`.
///
/// ```
/// use connect_softphone::signaling::proto::default_signaling_base;
///
/// assert_eq!(default_signaling_base("us-east-1"), "wss://rtc.connect-telecom.us-east-1.amazonaws.com");
/// ```
pub fn default_signaling_base(region: &str) -> String {
    format!("wss://rtc.connect-telecom.{region}.amazonaws.com")
}

/// An absolute `ws(s)://` endpoint as is, or a relative path (`/LilyRTC`) against `base`.
///
/// ```
/// use connect_softphone::signaling::proto::resolve_endpoint;
///
/// assert_eq!(resolve_endpoint("/LilyRTC", "wss://rtc.example/").unwrap(), "wss://rtc.example/LilyRTC");
/// assert_eq!(resolve_endpoint("wss://a/LilyRTC", "wss://b").unwrap(), "wss://a/LilyRTC");
/// assert!(resolve_endpoint("", "wss://b").is_err());
/// assert!(resolve_endpoint("/LilyRTC", "https://b").is_err());
/// ```
pub fn resolve_endpoint(endpoint: &str, base: &str) -> Result<String, ProtoError> {
    let endpoint = endpoint.trim();
    let is_ws = |s: &str| s.starts_with("wss://") || s.starts_with("ws://");
    if is_ws(endpoint) {
        return Ok(endpoint.to_owned());
    }
    if !endpoint.starts_with('/') {
        return Err(ProtoError::new(
            "signalingEndpoint is neither a ws(s):// URL nor an absolute path",
        ));
    }
    if !is_ws(base) {
        return Err(ProtoError::new("signaling base is not a ws(s):// URL"));
    }
    Ok(format!("{}{endpoint}", base.trim_end_matches('/')))
}
