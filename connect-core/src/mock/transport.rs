//! `createTransport` (§4.4) as the simulator answers it.

use serde_json::json;

use crate::api::{CreateTransportRequest, CtiError, CtiExceptionKind};
use crate::log::format_iso8601;
use crate::model::{
    AgentDiscoveryTransport, Attendee, ChatTokenTransport, CreateTransportResponse, IceServer,
    MediaPlacement, Meeting, Sensitive, SoftphoneTransport, TransportType, WebRtcTransport,
    WebSocketTransport,
};

use super::auth::TICKET_VALIDITY_MS;
use super::engine::service_error;
use super::instance::SimInstance;

/// Shortest `transportLifeTimeInSeconds` real clients accept.
const MIN_TRANSPORT_LIFETIME_SECS: i64 = 300;

impl SimInstance {
    /// Answers `createTransport` for agent `agent_id`.
    pub(crate) fn create_transport(
        &self,
        agent_id: &str,
        req: &CreateTransportRequest,
    ) -> Result<CreateTransportResponse, CtiError> {
        let payload = serde_json::to_value(req).unwrap_or_default();
        let (settings, region, now) = self.op(|engine, now| {
            engine.record_call(agent_id, "createTransport", payload, now)?;
            Ok::<_, CtiError>((engine.settings().clone(), engine.region().to_owned(), now))
        })?;
        let mut response = CreateTransportResponse::default();
        match &req.transport_type {
            TransportType::WebSocket => {
                let ticket = self.with_auth(|auth| auth.issue_ticket(agent_id, now));
                response.web_socket_transport = Some(WebSocketTransport {
                    url: Sensitive::new(format!("{}/ws?ticket={ticket}", settings.ws_base_url)),
                    transport_life_time_in_seconds: settings
                        .transport_lifetime_secs
                        .max(MIN_TRANSPORT_LIFETIME_SECS),
                    expiry: Some(format_iso8601(now.add_millis(TICKET_VALIDITY_MS))),
                });
            }
            TransportType::Softphone => {
                let id = self.with_auth(|auth| auth.uuid());
                let (username, credential) = settings.turn.credentials(now.as_millis() / 1000, &id);
                response.softphone_transport = Some(SoftphoneTransport {
                    softphone_media_connections: vec![IceServer {
                        urls: settings.turn.urls.clone(),
                        username: Some(username),
                        credential: Some(Sensitive::new(credential)),
                    }],
                });
            }
            TransportType::ChatToken => {
                let contact = req.contact_id.as_deref().unwrap_or_default();
                let participant = req.participant_id.as_deref().unwrap_or_default();
                self.op(|engine, _| engine.check_chat_participant(agent_id, contact, participant))?;
                let token = self.with_auth(|auth| auth.token(48));
                response.chat_token_transport = Some(ChatTokenTransport {
                    participant_token: Sensitive::new(token),
                    expiry: format_iso8601(now.add_millis(12 * 3_600_000)),
                });
            }
            TransportType::WebRtc => {
                let contact = req.contact_id.as_deref().unwrap_or_default();
                self.op(|engine, _| engine.check_own_contact(agent_id, contact))?;
                let (meeting_id, attendee_id, join_token) =
                    self.with_auth(|auth| (auth.uuid(), auth.uuid(), auth.token(48)));
                response.web_rtc_transport = Some(WebRtcTransport {
                    meeting: Meeting {
                        meeting_id: meeting_id.clone(),
                        media_region: Some(region),
                        media_placement: Some(MediaPlacement {
                            audio_host_url: Some(format!("127.0.0.1:3478/{meeting_id}")),
                            audio_fallback_url: Some(format!("wss://127.0.0.1/calls/{meeting_id}")),
                            signaling_url: Some(format!("wss://127.0.0.1/control/{meeting_id}")),
                            turn_control_url: Some("https://127.0.0.1/v2/turn_sessions".to_owned()),
                            event_ingestion_url: Some(
                                "https://127.0.0.1/v2/client-events".to_owned(),
                            ),
                            extra: Default::default(),
                        }),
                        meeting_features: Some(json!({"audio": {"echoReduction": "AVAILABLE"}})),
                        extra: Default::default(),
                    },
                    attendee: Attendee {
                        attendee_id,
                        join_token: Sensitive::new(join_token),
                        extra: Default::default(),
                    },
                });
            }
            TransportType::AgentDiscovery => match settings.agent_discovery_url {
                Some(url) => {
                    response.agent_discovery_transport = Some(AgentDiscoveryTransport {
                        presigned_url: Sensitive::new(url),
                    });
                }
                None => {
                    return Err(service_error(
                        CtiExceptionKind::InvalidConfigurationException,
                        "agent discovery needs a multi-region (Global Resiliency) instance",
                    ))
                }
            },
            TransportType::Other(other) => {
                return Err(service_error(
                    CtiExceptionKind::SerializationException,
                    format!("unknown transportType {other}"),
                ))
            }
        }
        Ok(response)
    }
}
