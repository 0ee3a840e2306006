//! [`SimParticipantService`]: the handle, its builder and the test controls.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use connect_core::mock::{ContactSpec, SimInstance};
use connect_core::model::Sensitive;
use connect_core::time::{Clock, SystemClock};
use tokio::sync::watch;

use crate::escalation::StartChatContactResponse;
use crate::participant::{ChatError, Item, ParticipantClient, ParticipantRole};
use connect_core::task::{spawn_abortable, TaskGuard};

use super::error::SimError;
use super::http::router;
use super::ops::{Core, SimLifetimes};

#[derive(Debug, Default, Clone)]
pub(crate) struct Faults {
    pub frozen: bool,
    pub fail_subscriptions: bool,
}

/// What the handle and the request handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub core: Core,
    faults: Mutex<Faults>,
    corrupt: Mutex<HashMap<&'static str, u32>>,
    changed: watch::Sender<u64>,
}

impl Shared {
    pub(crate) fn faults(&self) -> Faults {
        self.faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn notify(&self) {
        self.changed.send_modify(|v| *v = v.wrapping_add(1));
    }

    /// Whether the next answer on `path` must be corrupted (and counts it down).
    pub(crate) fn take_corruption(&self, path: &'static str) -> bool {
        let mut corrupt = self.corrupt.lock().unwrap_or_else(PoisonError::into_inner);
        match corrupt.get_mut(path) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    }
}

/// A simulated Connect Participant Service on `127.0.0.1:0`: the five REST paths and the chat
/// WebSocket, with per-contact transcripts, customer ↔ agent routing of items, stand-ins for
/// `StartChatContact` and `createTransport chat_token`, and faults. With a [`SimInstance`],
/// chats are contacts of that instance and agents join with the token of their snapshot's
/// `connectionData`.
///
/// ```
/// use connect_video::mock::SimParticipantService;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let service = SimParticipantService::builder().start().await.unwrap();
/// let chat = service.start_chat_contact("Ann").unwrap();
/// assert!(service.url().starts_with("http://127.0.0.1:"));
/// assert_eq!(service.transcript(&chat.contact_id).len(), 0);
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct SimParticipantService {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    shared: Arc<Shared>,
    addr: SocketAddr,
    _server: TaskGuard,
}

/// Configures a [`SimParticipantService`].
#[derive(Debug, Default)]
#[must_use]
pub struct SimParticipantServiceBuilder {
    clock: Option<Arc<dyn Clock>>,
    instance: Option<SimInstance>,
    lifetimes: SimLifetimes,
}

impl SimParticipantServiceBuilder {
    /// The clock of item times and token expiries (default: the instance's, else the system
    /// clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Chats become contacts of this simulated instance.
    pub fn instance(mut self, instance: SimInstance) -> Self {
        self.instance = Some(instance);
        self
    }

    /// Token and URL lifetimes.
    pub fn lifetimes(mut self, lifetimes: SimLifetimes) -> Self {
        self.lifetimes = lifetimes;
        self
    }

    /// Binds `127.0.0.1:0` and serves.
    pub async fn start(self) -> std::io::Result<SimParticipantService> {
        let clock = self
            .clock
            .or_else(|| self.instance.as_ref().map(SimInstance::clock))
            .unwrap_or_else(|| Arc::new(SystemClock::default()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            core: Core {
                clock,
                instance: self.instance,
                lifetimes: self.lifetimes,
                ws_base: Mutex::new(format!("ws://{addr}")),
                data: Mutex::default(),
            },
            faults: Mutex::default(),
            corrupt: Mutex::default(),
            changed: watch::channel(0).0,
        });
        let app = router(shared.clone());
        let server = TaskGuard::from(spawn_abortable(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::warn!(%error, "simulated participant service stopped");
            }
        }));
        Ok(SimParticipantService {
            inner: Arc::new(Inner {
                shared,
                addr,
                _server: server,
            }),
        })
    }
}

impl SimParticipantService {
    /// Starts configuring a service.
    pub fn builder() -> SimParticipantServiceBuilder {
        SimParticipantServiceBuilder::default()
    }

    fn shared(&self) -> &Shared {
        &self.inner.shared
    }

    /// The endpoint, `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.inner.addr)
    }

    /// A client of this service (insecure loopback allowed, the service's clock).
    pub fn client(&self) -> Result<ParticipantClient, ChatError> {
        ParticipantClient::builder(self.url())
            .allow_insecure_loopback(true)
            .clock(self.shared().core.clock.clone())
            .build()
    }

    /// Stand-in for `StartChatContact`: a new chat (a contact of the simulated instance when
    /// there is one) with the customer as its first participant.
    pub fn start_chat_contact(
        &self,
        display_name: &str,
    ) -> Result<StartChatContactResponse, SimError> {
        self.start_chat(ContactSpec::chat(display_name), display_name)
    }

    /// Stand-in for `StartChatContact` with a contact spec (queue, agent, attributes) applied
    /// to the simulated instance.
    pub fn start_chat(
        &self,
        spec: ContactSpec,
        display_name: &str,
    ) -> Result<StartChatContactResponse, SimError> {
        let core = &self.shared().core;
        let contact_id = match &core.instance {
            Some(instance) => instance
                .control()
                .enqueue(spec)
                .map_err(|e| SimError::validation(&e.to_string()))?,
            None => core.data(|d| d.next_id("contact")),
        };
        core.data(|d| {
            d.chats.insert(contact_id.clone(), Default::default());
            let participant_id = d.next_id("customer");
            let token = d.add_participant(
                &contact_id,
                &participant_id,
                display_name,
                ParticipantRole::Customer,
            )?;
            Ok(StartChatContactResponse {
                contact_id,
                participant_id,
                participant_token: token,
            })
        })
    }

    /// Stand-in for `createTransport chat_token`: a participant token for agent leg
    /// `participant_id` of `contact_id`.
    pub fn issue_agent_token(
        &self,
        contact_id: &str,
        participant_id: &str,
        display_name: &str,
    ) -> Result<Sensitive, SimError> {
        self.shared().core.data(|d| {
            d.add_participant(
                contact_id,
                participant_id,
                display_name,
                ParticipantRole::Agent,
            )
        })
    }

    /// A message from a participant, as if sent with `SendMessage`; returns its id.
    pub fn post_text(
        &self,
        contact_id: &str,
        participant_id: &str,
        text: &str,
    ) -> Result<String, SimError> {
        self.shared()
            .core
            .post_text(contact_id, participant_id, text)
    }

    /// The contact's transcript, oldest first.
    pub fn transcript(&self, contact_id: &str) -> Vec<Item> {
        self.shared().core.data(|d| {
            d.chats
                .get(contact_id)
                .map(|c| c.transcript.clone())
                .unwrap_or_default()
        })
    }

    /// Ends the chat (`chat.ended`); afterwards every token of it gets 403.
    pub fn end_chat(&self, contact_id: &str) -> Result<(), SimError> {
        let now = self.shared().core.now();
        self.shared().core.data(|d| d.end(contact_id, None, now))
    }

    /// Cuts every chat socket (no close frame). Items posted before the clients reconnect are
    /// not pushed to them: only gap fill recovers them.
    pub fn drop_websockets(&self) -> usize {
        self.shared().core.data(|d| {
            let n = d.sockets.len();
            d.sockets.clear();
            n
        })
    }

    /// Sends a raw text frame to every subscribed socket of the contact (malformed-input
    /// tests); returns how many got it.
    pub fn inject_frame(&self, contact_id: &str, frame: &str) -> usize {
        self.shared().core.data(|d| d.push_frame(contact_id, frame))
    }

    /// Stops (or resumes) answering heartbeats and pings.
    pub fn freeze_heartbeats(&self, frozen: bool) {
        self.shared()
            .faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .frozen = frozen;
    }

    /// Answers subscribe requests with `failure` while set.
    pub fn fail_subscriptions(&self, fail: bool) {
        self.shared()
            .faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .fail_subscriptions = fail;
    }

    /// The next `count` answers on REST `path` are `200` with a body that is not JSON.
    pub fn corrupt_responses(&self, path: &'static str, count: u32) {
        self.shared()
            .corrupt
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(path, count);
    }

    /// How many sockets are subscribed, for a contact or in all.
    pub fn subscribed_sockets(&self, contact_id: Option<&str>) -> usize {
        self.shared().core.data(|d| {
            d.sockets
                .values()
                .filter(|s| s.subscribed && contact_id.is_none_or(|c| s.contact_id == c))
                .count()
        })
    }

    /// How many `CreateParticipantConnection` calls succeeded.
    pub fn connections_created(&self) -> u64 {
        self.shared().core.data(|d| d.connections_created)
    }

    /// Waits until `condition` holds; re-checked whenever a socket opens, subscribes or closes.
    pub async fn wait_until(&self, mut condition: impl FnMut(&Self) -> bool) {
        let mut changes = self.shared().changed.subscribe();
        while !condition(self) {
            if changes.changed().await.is_err() {
                return;
            }
        }
    }
}
