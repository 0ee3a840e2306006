//! The agent's participant token: from `connectionData`, or fresh from `createTransport
//! chat_token` when it is missing or refused.
#![cfg(feature = "mock")]

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use connect_core::api::{CreateTransportRequest, CtiApi, CtiError};
use connect_core::model::{ChatTokenTransport, CreateTransportResponse, TransportType};
use connect_video::chat::{AgentChat, ChatSession};
use connect_video::mock::SimParticipantService;
use support::{manual_clock, message};

/// A CTI double answering only `createTransport chat_token`, with the simulated service's
/// stand-in.
#[derive(Debug)]
struct ChatTokens {
    service: SimParticipantService,
    calls: AtomicUsize,
}

#[async_trait::async_trait]
impl CtiApi for ChatTokens {
    async fn create_transport(
        &self,
        req: CreateTransportRequest,
    ) -> Result<CreateTransportResponse, CtiError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        assert_eq!(req.transport_type, TransportType::ChatToken);
        let contact = req.contact_id.expect("contactId");
        let participant = req.participant_id.expect("participantId");
        let token = self
            .service
            .issue_agent_token(&contact, &participant, "jdoe")
            .expect("a token for the agent leg");
        Ok(CreateTransportResponse {
            chat_token_transport: Some(ChatTokenTransport {
                participant_token: token,
                expiry: "2025-03-02T09:00:00.000Z".into(),
            }),
            ..Default::default()
        })
    }
}

async fn setup() -> (SimParticipantService, String, Arc<ChatTokens>) {
    let service = SimParticipantService::builder()
        .clock(manual_clock())
        .start()
        .await
        .expect("service");
    let started = service.start_chat_contact("Ann").expect("chat");
    let cti = Arc::new(ChatTokens {
        service: service.clone(),
        calls: AtomicUsize::new(0),
    });
    (service, started.contact_id, cti)
}

#[tokio::test]
async fn a_missing_token_is_fetched_with_create_transport() {
    let (service, contact_id, cti) = setup().await;
    let agent = AgentChat::new(&contact_id, "agent-leg-1").cti(cti.clone());
    let (chat, mut events) = ChatSession::agent_builder(service.client().expect("client"), agent)
        .allow_insecure_loopback(true)
        .connect()
        .await
        .expect("connects with a fresh token");
    assert_eq!(cti.calls.load(Ordering::SeqCst), 1);
    chat.send_text("Hello from the agent").await.expect("send");
    message(&mut events, "Hello from the agent").await;
    // Connection plus the agent's acknowledgement.
    assert_eq!(service.connections_created(), 2);
}

#[tokio::test]
async fn a_refused_token_is_replaced() {
    let (service, contact_id, cti) = setup().await;
    let agent = AgentChat::new(&contact_id, "agent-leg-1")
        .connection_data(r#"{"ConnectionAuthenticationToken":"stale"}"#)
        .expect("connection data")
        .cti(cti.clone());
    let connected = ChatSession::agent_builder(service.client().expect("client"), agent)
        .allow_insecure_loopback(true)
        .connect()
        .await;
    assert!(connected.is_ok(), "{connected:?}");
    assert_eq!(cti.calls.load(Ordering::SeqCst), 1);

    // Without a CTI client the refusal is the caller's.
    let agent = AgentChat::new(&contact_id, "agent-leg-2")
        .connection_data(r#"{"ConnectionAuthenticationToken":"stale"}"#)
        .expect("connection data");
    let refused = ChatSession::agent_builder(service.client().expect("client"), agent)
        .allow_insecure_loopback(true)
        .connect()
        .await
        .expect_err("refused");
    assert!(refused.is_auth());
}
