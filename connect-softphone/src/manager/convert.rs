//! Conversions between the wire types the session machine speaks and the media engine's types.

use connect_core::model::IceServer as WireIceServer;

use crate::media::{IceCandidate as MediaCandidate, IceServer as MediaIceServer, IceState};
use crate::session::IceConnectionState;
use crate::signaling::proto::IceCandidate as WireCandidate;

/// ICE servers of `callConfigJson` / `CreateTransport` as the media engine takes them.
pub(crate) fn media_servers(servers: &[WireIceServer]) -> Vec<MediaIceServer> {
    servers
        .iter()
        .map(|s| MediaIceServer {
            urls: s.urls.clone(),
            username: s.username.clone().unwrap_or_default(),
            credential: s.credential.clone().unwrap_or_default(),
        })
        .collect()
}

/// A gathered candidate as `invite.candidates` carries it.
pub(crate) fn wire_candidate(c: &MediaCandidate) -> WireCandidate {
    WireCandidate {
        candidate: c.candidate.clone(),
        sdp_mid: c.sdp_mid.clone(),
        sdp_m_line_index: c.sdp_mline_index,
        username_fragment: c.username_fragment.clone(),
        extra: serde_json::Map::new(),
    }
}

/// A `result.candidates` entry as the media engine adds it.
pub(crate) fn media_candidate(c: &WireCandidate) -> MediaCandidate {
    MediaCandidate {
        candidate: c.candidate.clone(),
        sdp_mid: c.sdp_mid.clone(),
        sdp_mline_index: c.sdp_m_line_index,
        username_fragment: c.username_fragment.clone(),
    }
}

/// The engine's ICE state as the session machine takes it (`New` tells it nothing).
pub(crate) fn ice_state(state: IceState) -> Option<IceConnectionState> {
    Some(match state {
        IceState::New => return None,
        IceState::Checking => IceConnectionState::Checking,
        IceState::Connected | IceState::Completed => IceConnectionState::Connected,
        IceState::Disconnected => IceConnectionState::Disconnected,
        IceState::Failed => IceConnectionState::Failed,
        IceState::Closed => IceConnectionState::Closed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use connect_core::model::Sensitive;

    #[test]
    fn servers_keep_urls_and_credentials() {
        let wire = WireIceServer {
            urls: vec!["turn:h.:3478?transport=udp".into()],
            username: Some("1:a".into()),
            credential: Some(Sensitive::new("pw")),
        };
        let media = media_servers(&[wire]);
        assert_eq!(media[0].urls, ["turn:h.:3478?transport=udp"]);
        assert_eq!(media[0].username, "1:a");
        assert_eq!(media[0].credential.expose(), "pw");
        let bare = WireIceServer {
            urls: vec![],
            username: None,
            credential: None,
        };
        assert_eq!(media_servers(&[bare])[0].username, "");
    }

    #[test]
    fn candidates_round_trip_in_json() {
        let json = serde_json::json!({"candidate":"candidate:1 1 udp 41885439 127.0.0.1 5000 typ relay raddr 0.0.0.0 rport 0","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"u"});
        let media: MediaCandidate = serde_json::from_value(json.clone()).expect("media form");
        let wire = wire_candidate(&media);
        assert_eq!(serde_json::to_value(&wire).expect("wire json"), json);
        assert_eq!(media_candidate(&wire), media);
    }

    #[test]
    fn ice_states_map() {
        assert_eq!(ice_state(IceState::New), None);
        assert_eq!(
            ice_state(IceState::Completed),
            Some(IceConnectionState::Connected)
        );
        assert_eq!(
            ice_state(IceState::Failed),
            Some(IceConnectionState::Failed)
        );
    }
}
