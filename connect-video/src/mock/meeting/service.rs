//! [`SimMeetingService`]: the control plane as an in-process API and the signalling WebSocket
//! server on `127.0.0.1:0`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use connect_core::model::Sensitive;
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::control::Control;
use super::error::MeetingSimError;
use super::room::Room;
use super::router::MediaRouter;
use crate::escalation::{Attendee, Meeting};
use crate::meeting::signal::proto::{SdkJoinAckFrame, SdkTurnCredentials};
use crate::meeting::signal::{FrameError, CLOSE_MEETING_ENDED};
use connect_core::task::{spawn_abortable, TaskGuard};

/// The TURN servers and credentials the service hands out in `JOIN_ACK`. `Debug` hides the
/// password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimTurnCredentials {
    /// TURN URIs (`turn:127.0.0.1:3478?transport=udp`).
    pub uris: Vec<String>,
    /// Username.
    pub username: String,
    /// Password.
    pub password: Sensitive,
    /// Lifetime.
    pub ttl: Duration,
}

/// Everything the service's tasks share.
pub(super) struct Shared {
    state: Mutex<State>,
    router: Arc<dyn MediaRouter>,
    turn: Option<SimTurnCredentials>,
    delay: Mutex<Duration>,
    shutdown: watch::Sender<bool>,
    /// Bumped whenever an attendee connects or goes.
    changes: watch::Sender<u64>,
}

/// The service's mutable state (never held across an await).
pub(super) struct State {
    pub(super) control: Control,
    pub(super) rooms: HashMap<String, Room>,
    rejected: Vec<FrameError>,
    next_conn: u64,
}

impl Shared {
    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn next_conn_id(&self) -> u64 {
        let mut state = self.lock();
        state.next_conn += 1;
        state.next_conn
    }

    pub(super) fn router(&self) -> &Arc<dyn MediaRouter> {
        &self.router
    }

    pub(super) fn delay(&self) -> Duration {
        *self.delay.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn record_rejected(&self, error: FrameError) {
        self.lock().rejected.push(error);
    }

    /// Wakes [`SimMeetingService::wait_until_present`] callers.
    pub(super) fn presence_changed(&self) {
        self.changes.send_modify(|v| *v = v.wrapping_add(1));
    }

    pub(super) fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// The `JOIN_ACK` body with the configured TURN credentials.
    pub(super) fn turn_ack(&self) -> SdkJoinAckFrame {
        SdkJoinAckFrame {
            turn_credentials: self.turn.as_ref().map(|t| SdkTurnCredentials {
                username: Some(t.username.clone()),
                password: Some(t.password.expose().to_owned()),
                ttl: Some(u32::try_from(t.ttl.as_secs()).unwrap_or(u32::MAX)),
                uris: t.uris.clone(),
            }),
            ..Default::default()
        }
    }
}

/// Builds a [`SimMeetingService`].
///
/// ```ignore
/// let service = SimMeetingService::builder(router).turn_credentials(turn).start().await?;
/// ```
pub struct SimMeetingServiceBuilder {
    router: Arc<dyn MediaRouter>,
    turn: Option<SimTurnCredentials>,
    region: String,
}

impl SimMeetingServiceBuilder {
    /// The TURN servers handed out in `JOIN_ACK` (default: none).
    pub fn turn_credentials(mut self, turn: SimTurnCredentials) -> Self {
        self.turn = Some(turn);
        self
    }

    /// The media region of new meetings (default `us-east-1`).
    pub fn media_region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }

    /// Listens on `127.0.0.1:0` and serves signalling sockets.
    pub async fn start(self) -> Result<SimMeetingService, MeetingSimError> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| MeetingSimError::Io(e.to_string()))?;
        let addr = listener
            .local_addr()
            .map_err(|e| MeetingSimError::Io(e.to_string()))?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                control: Control::new(format!("ws://{addr}"), self.region),
                rooms: HashMap::new(),
                rejected: Vec::new(),
                next_conn: 0,
            }),
            router: self.router,
            turn: self.turn,
            delay: Mutex::new(Duration::ZERO),
            shutdown: watch::channel(false).0,
            changes: watch::channel(0).0,
        });
        let accepting = shared.clone();
        let accept = TaskGuard::from(spawn_abortable(async move {
            loop {
                match listener.accept().await {
                    Ok((tcp, _)) => {
                        tokio::spawn(super::connection::serve(accepting.clone(), tcp));
                    }
                    Err(error) => tracing::warn!(%error, "simulated meeting service accept failed"),
                }
            }
        }));
        Ok(SimMeetingService {
            inner: Arc::new(Inner {
                shared,
                addr,
                _accept: accept,
            }),
        })
    }
}

struct Inner {
    shared: Arc<Shared>,
    addr: SocketAddr,
    _accept: TaskGuard,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.shared.shutdown.send_replace(true);
    }
}

/// The simulated Chime meeting service: meetings owned by an agent, attendees and join tokens,
/// and the signalling subset (JOIN, SUBSCRIBE, INDEX, presence, mute, pause, ping, data
/// messages, leave) on a loopback WebSocket; media goes to the injected [`MediaRouter`].
/// Cheap to clone; dropping the last clone stops it.
///
/// ```ignore
/// let service = SimMeetingService::builder(router).start().await?;
/// let meeting = service.create_meeting("agent-1", "escalation-42")?;
/// let agent = service.create_attendee("agent-1", &meeting.meeting_id, "agent-user")?;
/// let info = JoinInfo::from_parts(&meeting, &agent)?;
/// ```
#[derive(Clone)]
pub struct SimMeetingService {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for SimMeetingService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimMeetingService")
            .field("addr", &self.inner.addr)
            .finish_non_exhaustive()
    }
}

impl SimMeetingService {
    /// A builder; `router` answers subscriptions and forwards media.
    pub fn builder(router: Arc<dyn MediaRouter>) -> SimMeetingServiceBuilder {
        SimMeetingServiceBuilder {
            router,
            turn: None,
            region: "us-east-1".into(),
        }
    }

    /// The signalling server's base URL (`ws://127.0.0.1:<port>`).
    pub fn url(&self) -> String {
        format!("ws://{}", self.inner.addr)
    }

    /// `CreateMeeting`, owned by `owner_agent_id`.
    pub fn create_meeting(
        &self,
        owner_agent_id: &str,
        external_meeting_id: &str,
    ) -> Result<Meeting, MeetingSimError> {
        self.shared()
            .lock()
            .control
            .create_meeting(owner_agent_id, external_meeting_id)
    }

    /// `CreateAttendee`; only the meeting owner may add attendees.
    pub fn create_attendee(
        &self,
        caller_agent_id: &str,
        meeting_id: &str,
        external_user_id: &str,
    ) -> Result<Attendee, MeetingSimError> {
        self.shared()
            .lock()
            .control
            .create_attendee(caller_agent_id, meeting_id, external_user_id)
    }

    /// `DeleteAttendee` (owner only): its tokens die, its sockets (and its content socket) get
    /// `AUDIO_STATUS` 411 and close, and its media is released.
    pub async fn delete_attendee(
        &self,
        caller_agent_id: &str,
        meeting_id: &str,
        attendee_id: &str,
    ) -> Result<(), MeetingSimError> {
        let removed = {
            let mut state = self.shared().lock();
            state
                .control
                .delete_attendee(caller_agent_id, meeting_id, attendee_id)?;
            state
                .rooms
                .get_mut(meeting_id)
                .map(|room| room.remove_attendee(attendee_id))
                .unwrap_or_default()
        };
        self.shared().presence_changed();
        for id in removed {
            self.shared().router().leave(meeting_id, &id).await;
        }
        Ok(())
    }

    /// `DeleteMeeting` (owner only): every token dies and every socket closes with 4410.
    pub async fn delete_meeting(
        &self,
        caller_agent_id: &str,
        meeting_id: &str,
    ) -> Result<(), MeetingSimError> {
        self.end(Some(caller_agent_id), meeting_id).await
    }

    /// Fault: the service ends the meeting itself (as when it times out).
    pub async fn end_meeting(&self, meeting_id: &str) -> Result<(), MeetingSimError> {
        self.end(None, meeting_id).await
    }

    /// Fault: drops an attendee's socket without a close frame (the client sees 1006).
    /// False when that attendee is not connected.
    pub fn drop_connection(&self, meeting_id: &str, attendee_id: &str) -> bool {
        self.shared()
            .lock()
            .rooms
            .get(meeting_id)
            .is_some_and(|room| room.drop_socket(attendee_id))
    }

    /// Fault: delays every frame the service sends by `delay`.
    pub fn set_delay(&self, delay: Duration) {
        *self
            .shared()
            .delay
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = delay;
    }

    /// The meeting, while it exists.
    pub fn meeting(&self, meeting_id: &str) -> Option<Meeting> {
        self.shared().lock().control.meeting(meeting_id)
    }

    /// The attendees connected to a meeting now, with their mute state.
    pub fn present(&self, meeting_id: &str) -> Vec<(String, bool)> {
        self.shared()
            .lock()
            .rooms
            .get(meeting_id)
            .map(Room::present)
            .unwrap_or_default()
    }

    /// Completes once `attendee_id` is connected to the meeting (`present`) or not.
    pub async fn wait_until_present(&self, meeting_id: &str, attendee_id: &str, present: bool) {
        let mut changes = self.shared().changes.subscribe();
        loop {
            let now = self
                .present(meeting_id)
                .iter()
                .any(|(id, _)| id == attendee_id);
            if now == present || changes.changed().await.is_err() {
                return;
            }
        }
    }

    /// The stream ids an attendee paused (`PAUSE` without `RESUME`).
    pub fn paused_streams(&self, meeting_id: &str, attendee_id: &str) -> Vec<u32> {
        self.shared()
            .lock()
            .rooms
            .get(meeting_id)
            .map(|room| room.paused(attendee_id))
            .unwrap_or_default()
    }

    /// Every malformed frame the service received and skipped, in order.
    pub fn rejected_frames(&self) -> Vec<FrameError> {
        self.shared().lock().rejected.clone()
    }

    async fn end(&self, caller: Option<&str>, meeting_id: &str) -> Result<(), MeetingSimError> {
        {
            let mut state = self.shared().lock();
            state.control.delete_meeting(caller, meeting_id)?;
            if let Some(mut room) = state.rooms.remove(meeting_id) {
                room.close_all(CLOSE_MEETING_ENDED);
            }
        }
        self.shared().presence_changed();
        tracing::info!(
            meeting = meeting_id,
            "meeting ended; sockets closed with 4410"
        );
        self.shared().router().end_meeting(meeting_id).await;
        Ok(())
    }

    fn shared(&self) -> &Shared {
        &self.inner.shared
    }
}
