//! `ContactHandle`: the user's actions on one contact.

use std::sync::Arc;

use super::shared::Shared;
use std::future::Future;

use crate::api::{
    AcceptContactRequest, ClearContactRequest, CompleteContactRequest,
    ConferenceConnectionsRequest, CreateAdditionalConnectionRequest, CtiApi, CtiError, CtiMethod,
    DestroyConnectionRequest, HoldConnectionRequest, MuteParticipantRequest, PauseContactRequest,
    RejectContactRequest, ResumeConnectionRequest, ResumeContactRequest, SendDigitsRequest,
    ToggleActiveConnectionsRequest, UnmuteParticipantRequest,
};
use crate::events::{AgentEvent, ContactEvent, ContactEventKind};
use crate::model::Sensitive;
use crate::model::{Connection, ConnectionStateType, Contact, Endpoint};

/// A contact of the session, by id; every action reads the latest snapshot first.
///
/// ```no_run
/// # async fn demo(session: connect_core::session::AgentSession) -> Result<(), connect_core::api::CtiError> {
/// if let Some(contact) = session.contact("5b0f6b2e") {
///     contact.accept().await?;
///     contact.hang_up().await?;
///     contact.clear().await?;
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ContactHandle {
    shared: Arc<Shared>,
    contact_id: String,
}

impl ContactHandle {
    pub(crate) fn new(shared: Arc<Shared>, contact_id: String) -> Self {
        Self { shared, contact_id }
    }

    /// The contact's id.
    pub fn id(&self) -> &str {
        &self.contact_id
    }

    /// The contact as of the latest snapshot (`None` once it is gone).
    pub fn data(&self) -> Option<Contact> {
        self.shared.snapshot()?.contact(&self.contact_id).cloned()
    }

    fn agent_connection(&self) -> Result<Connection, CtiError> {
        self.data()
            .as_ref()
            .and_then(Contact::agent_connection)
            .cloned()
            .ok_or_else(|| self.gone("agent connection"))
    }

    fn gone(&self, what: &str) -> CtiError {
        CtiError::InvalidRequest(format!(
            "contact {} has no {what} in the latest snapshot",
            self.contact_id
        ))
    }

    fn api(&self) -> &dyn CtiApi {
        &*self.shared.api
    }

    fn agent_leg(&self) -> Result<String, CtiError> {
        Ok(self.agent_connection()?.connection_id)
    }

    async fn run<T>(
        &self,
        method: CtiMethod,
        request: impl Future<Output = Result<T, CtiError>>,
    ) -> Result<(), CtiError> {
        self.shared.call(method, request).await.map(drop)
    }

    /// Accepts the offered contact; subscribers then see `Accepted`.
    pub async fn accept(&self) -> Result<(), CtiError> {
        let request = AcceptContactRequest::new(self.id());
        self.run(CtiMethod::AcceptContact, self.api().accept_contact(request))
            .await?;
        if let Some(contact) = self.data() {
            let event = ContactEvent {
                contact_id: self.contact_id.clone(),
                kind: ContactEventKind::Accepted,
                contact: Arc::new(contact),
            };
            self.shared.bus.publish(vec![AgentEvent::Contact(event)]);
        }
        Ok(())
    }

    /// Declines the offered contact.
    pub async fn reject(&self) -> Result<(), CtiError> {
        let request = RejectContactRequest::new(self.id());
        self.run(CtiMethod::RejectContact, self.api().reject_contact(request))
            .await
    }

    /// Hangs up the agent's own leg; the contact goes to after-contact work.
    pub async fn hang_up(&self) -> Result<(), CtiError> {
        self.hang_up_connection(&self.agent_leg()?).await
    }

    /// Hangs up one leg (a third party, or the customer).
    pub async fn hang_up_connection(&self, connection_id: &str) -> Result<(), CtiError> {
        let request = DestroyConnectionRequest::new(self.id(), connection_id);
        self.run(
            CtiMethod::DestroyConnection,
            self.api().destroy_connection(request),
        )
        .await
    }

    /// Clears after-contact work; the contact leaves the snapshot.
    pub async fn clear(&self) -> Result<(), CtiError> {
        let request = ClearContactRequest::new(self.id());
        self.run(CtiMethod::ClearContact, self.api().clear_contact(request))
            .await
    }

    /// Completes the contact (legacy predecessor of [`ContactHandle::clear`]).
    pub async fn complete(&self) -> Result<(), CtiError> {
        let request = CompleteContactRequest::new(self.id());
        self.run(
            CtiMethod::CompleteContact,
            self.api().complete_contact(request),
        )
        .await
    }

    /// Puts a leg on hold.
    pub async fn hold(&self, connection_id: &str) -> Result<(), CtiError> {
        let request = HoldConnectionRequest::new(self.id(), connection_id);
        self.run(
            CtiMethod::HoldConnection,
            self.api().hold_connection(request),
        )
        .await
    }

    /// Takes a leg off hold.
    pub async fn resume(&self, connection_id: &str) -> Result<(), CtiError> {
        let request = ResumeConnectionRequest::new(self.id(), connection_id);
        self.run(
            CtiMethod::ResumeConnection,
            self.api().resume_connection(request),
        )
        .await
    }

    /// Swaps the held and the active legs (the leg on hold, else the first active one).
    pub async fn toggle_active_connections(&self) -> Result<(), CtiError> {
        let contact = self.data().ok_or_else(|| self.gone("data"))?;
        let target = contact
            .connections
            .iter()
            .find(|c| c.state.kind == ConnectionStateType::Hold)
            .or_else(|| contact.connections.iter().find(|c| c.is_active()))
            .ok_or_else(|| self.gone("active connection"))?;
        let request = ToggleActiveConnectionsRequest::new(self.id(), &target.connection_id);
        let call = self.api().toggle_active_connections(request);
        self.run(CtiMethod::ToggleActiveConnections, call).await
    }

    /// Joins every leg into a conference.
    pub async fn conference(&self) -> Result<(), CtiError> {
        let request = ConferenceConnectionsRequest::new(self.id());
        let call = self.api().conference_connections(request);
        self.run(CtiMethod::ConferenceConnections, call).await
    }

    /// Adds a leg to `endpoint` (a quick connect, an agent, a queue or a number): a transfer
    /// when the agent then leaves, a conference when it stays.
    pub async fn transfer(&self, endpoint: Endpoint) -> Result<(), CtiError> {
        let request = CreateAdditionalConnectionRequest {
            contact_id: self.contact_id.clone(),
            endpoint,
        };
        let call = self.api().create_additional_connection(request);
        self.run(CtiMethod::CreateAdditionalConnection, call).await
    }

    /// Sends DTMF digits on the agent's leg.
    pub async fn send_digits(&self, digits: &str) -> Result<(), CtiError> {
        let request = SendDigitsRequest {
            contact_id: self.contact_id.clone(),
            connection_id: self.agent_leg()?,
            digits: Sensitive::new(digits),
        };
        self.run(CtiMethod::SendDigits, self.api().send_digits(request))
            .await
    }

    /// Mutes the agent's leg.
    pub async fn mute(&self) -> Result<(), CtiError> {
        let request = MuteParticipantRequest::new(self.id(), self.agent_leg()?);
        self.run(
            CtiMethod::MuteParticipant,
            self.api().mute_participant(request),
        )
        .await
    }

    /// Unmutes the agent's leg.
    pub async fn unmute(&self) -> Result<(), CtiError> {
        let request = UnmuteParticipantRequest::new(self.id(), self.agent_leg()?);
        self.run(
            CtiMethod::UnmuteParticipant,
            self.api().unmute_participant(request),
        )
        .await
    }

    /// Pauses a task.
    pub async fn pause(&self) -> Result<(), CtiError> {
        let request = PauseContactRequest::new(self.id());
        self.run(CtiMethod::PauseContact, self.api().pause_contact(request))
            .await
    }

    /// Resumes a paused task.
    pub async fn resume_task(&self) -> Result<(), CtiError> {
        let request = ResumeContactRequest::new(self.id());
        self.run(CtiMethod::ResumeContact, self.api().resume_contact(request))
            .await
    }
}
