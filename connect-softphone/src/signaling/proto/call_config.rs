//! `callConfigJson` decoding (§2.2) and the transport it selects.

use connect_core::model::CallConfig;

use super::{resolve_endpoint, ProtoError};

/// Decodes `callConfigJson`: as JSON if it parses, otherwise after replacing every `&quot;`
/// with `"` (and nothing else: a credential may contain `&`).
///
/// ```
/// use connect_softphone::signaling::proto::decode_call_config;
///
/// let c = decode_call_config("{&quot;signalingEndpoint&quot;:&quot;/LilyRTC&quot;,&quot;iceServers&quot;:[{&quot;urls&quot;:[&quot;turn:h.:3478?transport=udp&quot;],&quot;username&quot;:&quot;1:a&quot;,&quot;credential&quot;:&quot;p&amp;w&quot;}],&quot;useWebSocketProvider&quot;:true}").unwrap();
/// assert_eq!(c.ice_servers[0].credential.as_ref().unwrap().expose(), "p&amp;w");
/// assert!(decode_call_config("{&lt;}").is_err());
/// ```
pub fn decode_call_config(raw: &str) -> Result<CallConfig, ProtoError> {
    match serde_json::from_str(raw) {
        Ok(config) => Ok(config),
        Err(first) => serde_json::from_str(&raw.replace("&quot;", "\"")).map_err(|e| {
            ProtoError::new(format!(
                "callConfigJson does not parse (as is: {first}; unescaped: {e})"
            ))
        }),
    }
}

/// Which signaling transport a call uses (§2.2 `useWebSocketProvider`).
///
/// ```
/// use connect_softphone::signaling::proto::{decode_call_config, TransportChoice};
///
/// let c = decode_call_config(r#"{"signalingEndpoint":"/LilyRTC","iceServers":[],"useWebSocketProvider":false}"#).unwrap();
/// let choice = TransportChoice::from_config(&c, "wss://rtc.example").unwrap();
/// assert_eq!(choice, TransportChoice::Direct { endpoint: "wss://rtc.example/LilyRTC".into() });
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransportChoice {
    /// `aws/softphone` on the CCP WebSocket (`useWebSocketProvider: true`).
    Multiplexed,
    /// A WebSocket of its own to the resolved `signalingEndpoint`.
    Direct {
        /// Absolute `ws(s)://…` endpoint, without the query.
        endpoint: String,
    },
}

impl TransportChoice {
    /// From a decoded config; a relative endpoint is resolved against `base`. A missing
    /// `useWebSocketProvider` counts as false, as upstream reads it.
    pub fn from_config(config: &CallConfig, base: &str) -> Result<Self, ProtoError> {
        if config.use_web_socket_provider == Some(true) {
            return Ok(Self::Multiplexed);
        }
        let endpoint = config
            .signaling_endpoint
            .as_deref()
            .ok_or_else(|| ProtoError::new("direct signaling without signalingEndpoint"))?;
        Ok(Self::Direct {
            endpoint: resolve_endpoint(endpoint, base)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_json_and_fqdn_hosts_are_kept_verbatim() {
        let c = decode_call_config(
            r#"{"iceServers":[{"urls":["turn:turnnlb.example.com.:3478?transport=udp"]}],"protocol":"LilyRTC/1.0/WSS","useWebSocketProvider":true}"#,
        )
        .expect("plain JSON");
        assert_eq!(
            c.ice_servers[0].urls[0],
            "turn:turnnlb.example.com.:3478?transport=udp"
        );
        assert_eq!(c.extra["protocol"], "LilyRTC/1.0/WSS");
        assert_eq!(
            TransportChoice::from_config(&c, "wss://b").expect("multiplexed"),
            TransportChoice::Multiplexed
        );
        let direct = decode_call_config(r#"{"iceServers":[]}"#).expect("parses");
        assert!(TransportChoice::from_config(&direct, "wss://b").is_err());
        assert!(decode_call_config("").is_err());
    }
}
