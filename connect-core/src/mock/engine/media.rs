//! Legs and their media: the agent's leg of an offer (softphone media with TURN credentials,
//! chat connection data) and the media info members of the wire connection.

use serde_json::json;

use crate::model::{
    CallType, ChatMediaInfo, ConnectionStateType, ConnectionType, Endpoint, EndpointType,
    Sensitive, SoftphoneMediaInfo, Timestamp,
};

use super::super::ids::base64_url;
use super::super::script::SimChannel;
use super::model::{Media, Party, SimConnection};
use super::SimEngine;

impl SimEngine {
    /// A new leg of `kind` in `state` for `party`.
    pub(super) fn new_leg(
        &mut self,
        kind: ConnectionType,
        state: ConnectionStateType,
        party: Party,
        now: Timestamp,
    ) -> SimConnection {
        SimConnection {
            id: self.ids.uuid(),
            kind,
            state,
            since: now,
            initial: false,
            endpoint: None,
            mute: false,
            media: Media::None,
            party,
            quick_connect_name: None,
        }
    }

    /// The initial leg of a customer calling or writing in: `inbound`, `connected`.
    pub(super) fn new_inbound_customer_leg(&mut self, now: Timestamp) -> SimConnection {
        let mut leg = self.new_leg(
            ConnectionType::Inbound,
            ConnectionStateType::Connected,
            Party::Customer,
            now,
        );
        leg.initial = true;
        leg
    }

    /// The agent's leg of an offer of contact `ci` to agent `a`, `connecting`.
    pub(super) fn new_agent_leg(&mut self, ci: usize, a: usize, now: Timestamp) -> SimConnection {
        let channel = self.contacts[ci].channel;
        let mut leg = self.new_leg(
            ConnectionType::Agent,
            ConnectionStateType::Connecting,
            Party::Agent,
            now,
        );
        match channel {
            SimChannel::Voice => {
                leg.endpoint = Some(Endpoint::new(EndpointType::Agent));
                leg.media = self.softphone_media(a, now);
            }
            SimChannel::Callback => leg.endpoint = Some(Endpoint::new(EndpointType::Agent)),
            SimChannel::Chat => {
                leg.endpoint = Some(Endpoint::new(EndpointType::Agent));
                leg.media = Media::Chat {
                    token: Some(self.ids.token(32)),
                    customer_name: None,
                    auto_accept: Some(self.agents[a].auto_accept),
                };
            }
            SimChannel::Task => leg.initial = true,
        }
        leg
    }

    /// Softphone media for agent `a` (none for deskphone agents).
    pub(super) fn softphone_media(&mut self, a: usize, now: Timestamp) -> Media {
        if !self.agents[a].softphone {
            return Media::None;
        }
        let id = self.ids.uuid();
        let (turn_username, turn_credential) =
            self.settings.turn.credentials(now.as_millis() / 1000, &id);
        Media::Softphone {
            media_leg_token: base64_url(format!("mlct-{}", self.ids.token(12)).as_bytes()),
            call_token: base64_url(format!("cct-{}", self.ids.token(12)).as_bytes()),
            turn_username,
            turn_credential,
        }
    }

    /// The wire `softphoneMediaInfo` of a leg with softphone media, for agent `a`.
    pub(super) fn softphone_info(&self, media: &Media, a: usize) -> Option<SoftphoneMediaInfo> {
        let Media::Softphone {
            media_leg_token,
            call_token,
            turn_username,
            turn_credential,
        } = media
        else {
            return None;
        };
        let turn = &self.settings.turn;
        let config = json!({
            "signalingEndpoint": turn.signaling_endpoint,
            "iceServers": [{
                "urls": turn.urls,
                "username": turn_username,
                "credential": turn_credential,
            }],
            "useWebSocketProvider": turn.use_web_socket_provider,
        });
        Some(SoftphoneMediaInfo {
            call_type: Some(CallType::AudioOnly),
            auto_accept: Some(self.agents[a].auto_accept),
            media_leg_context_token: Some(Sensitive::new(media_leg_token.clone())),
            call_context_token: Some(Sensitive::new(call_token.clone())),
            call_config_json: Some(Sensitive::new(html_escape(&config.to_string()))),
            extra: Default::default(),
        })
    }

    /// The wire `chatMediaInfo` of a chat leg.
    pub(super) fn chat_info(media: &Media) -> Option<ChatMediaInfo> {
        let Media::Chat {
            token,
            customer_name,
            auto_accept,
        } = media
        else {
            return None;
        };
        let connection_data = token.as_ref().map(|token| {
            Sensitive::new(json!({ "ConnectionAuthenticationToken": token }).to_string())
        });
        Some(ChatMediaInfo {
            chat_auto_accept: *auto_accept,
            connection_data,
            customer_name: customer_name.clone().map(Sensitive::new),
            extra: Default::default(),
        })
    }
}

/// HTML-escapes `text` the way the CCP escapes `callConfigJson` (`"` → `&quot;`).
pub(crate) fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::html_escape;

    #[test]
    fn escapes_quotes_and_ampersands() {
        assert_eq!(
            html_escape(r#"{"a":"b&c"}"#),
            "{&quot;a&quot;:&quot;b&amp;c&quot;}"
        );
    }
}
