//! [`SignalingMachine`]: the sans-IO meeting signalling session. It is told the time and what
//! happened on its sockets, and answers with [`SignalingOutput`]s.
//!
//! Connecting → Joining (`JOIN` sent) → Joined (`JOIN_ACK`) → Subscribing → Subscribed, with
//! `INDEX`, presence and data messages at any time once joined, a `PING_PONG` keep-alive, and
//! `LEAVE` → `LEAVE_ACK` → `Ended(Left)`. A socket that closes (even mid-join), fails to open,
//! misses its `JOIN_ACK` deadline or its pongs is closed and replaced at once, then after 1 s,
//! then every 5 s, for up to 120 s after the loss. Close code 4410 and the terminal statuses end
//! the session.

use std::collections::VecDeque;

use connect_core::model::Timestamp;

use super::error::SignalError;
use super::frame::FrameError;
use super::machine_io::{MachineConfig, SignalingEvent, SignalingOutput, SignalingState, SocketId};
use super::presence::{PresenceChange, PresenceTracker};
use super::proto::{
    sdk_signal_frame::Type, SdkAudioControlFrame, SdkClientDetails, SdkDataMessageFrame,
    SdkJoinFlags, SdkJoinFrame, SdkLeaveFrame, SdkPauseResumeFrame, SdkPingPongFrame,
    SdkPingPongType, SdkSignalFrame, SdkStreamServiceType, SdkSubscribeFrame,
};
use super::status::MeetingStatus;
use super::types::{DataMessage, IndexUpdate, JoinAck, MediaType, SubscribeAck, Subscription};

/// Close code for a socket the client gives up on.
const CLOSE_NORMAL: u16 = 1000;

/// The meeting signalling session as a state machine.
///
/// ```
/// use connect_core::model::Timestamp;
/// use connect_video::meeting::signal::{MachineConfig, SignalingMachine, SignalingOutput, SignalingState};
///
/// let mut machine = SignalingMachine::new(MachineConfig::new(7));
/// let now = Timestamp::from_millis(0);
/// machine.start(now);
/// let Some(SignalingOutput::Connect(socket)) = machine.poll_output() else { panic!() };
/// machine.on_open(socket, now);
/// assert!(matches!(machine.poll_output(), Some(SignalingOutput::Send(_, _))));
/// assert_eq!(machine.state(), SignalingState::Joining);
/// ```
#[derive(Debug)]
pub struct SignalingMachine {
    config: MachineConfig,
    state: SignalingState,
    outputs: VecDeque<SignalingOutput>,
    next_socket: u64,
    socket: Option<SocketId>,
    /// JOIN_ACK (or LEAVE_ACK) deadline of the current socket.
    deadline: Option<Timestamp>,
    /// When the next connection attempt starts (while waiting to reconnect).
    retry_at: Option<Timestamp>,
    /// End of the reconnection window of the current outage (or of the first join).
    window_end: Option<Timestamp>,
    /// Failed attempts since the outage began.
    failures: u32,
    /// Whether a JOIN_ACK has ever arrived.
    joined_once: bool,
    /// Whether the current outage was already reported.
    outage_reported: bool,
    next_ping: Option<Timestamp>,
    ping_id: u32,
    missed_pongs: u32,
    muted: bool,
    presence: PresenceTracker,
}

impl SignalingMachine {
    /// A machine that has not started.
    pub fn new(config: MachineConfig) -> Self {
        Self {
            config,
            state: SignalingState::Idle,
            outputs: VecDeque::new(),
            next_socket: 0,
            socket: None,
            deadline: None,
            retry_at: None,
            window_end: None,
            failures: 0,
            joined_once: false,
            outage_reported: false,
            next_ping: None,
            ping_id: 0,
            missed_pongs: 0,
            muted: false,
            presence: PresenceTracker::default(),
        }
    }

    /// Where the session is.
    pub fn state(&self) -> SignalingState {
        self.state
    }

    /// The attendees present now (from `AUDIO_STREAM_ID_INFO`).
    pub fn present_attendees(&self) -> Vec<String> {
        self.presence.present()
    }

    /// The next thing to do, if any.
    pub fn poll_output(&mut self) -> Option<SignalingOutput> {
        self.outputs.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) must next be called.
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        [self.deadline, self.retry_at, self.next_ping]
            .into_iter()
            .flatten()
            .min()
    }

    /// Starts the first connection (the reconnection window starts now too).
    pub fn start(&mut self, now: Timestamp) {
        if self.state == SignalingState::Idle {
            self.window_end = Some(self.after(now, self.config.timings.reconnect_window));
            self.connect(now);
        }
    }

    /// The socket opened: send `JOIN`.
    pub fn on_open(&mut self, socket: SocketId, now: Timestamp) {
        if !self.is_current(socket) || self.state != SignalingState::Connecting {
            return;
        }
        self.state = SignalingState::Joining;
        let join = SdkJoinFrame {
            protocol_version: Some(2),
            max_num_of_videos: Some(self.config.max_videos),
            flags: Some(
                SdkJoinFlags::HasStreamUpdate as u32
                    | SdkJoinFlags::CompleteVideoSourcesList as u32,
            ),
            client_details: Some(SdkClientDetails {
                app_name: Some(self.config.app_name.clone()),
                client_source: Some("connect-video".into()),
                chime_sdk_version: Some(env!("CARGO_PKG_VERSION").into()),
                ..Default::default()
            }),
            audio_session_id: Some(self.config.audio_session_id),
            wants_compressed_sdp: Some(false),
        };
        self.send(now, Type::Join, |f| f.join = Some(join));
    }

    /// The socket could not be opened.
    pub fn on_connect_failed(&mut self, socket: SocketId, now: Timestamp, reason: &str) {
        if self.is_current(socket) {
            tracing::info!(
                socket = socket.0,
                reason,
                "signalling socket failed to open"
            );
            self.socket = None;
            self.lost(now, MeetingStatus::SignalingConnectionLost);
        }
    }

    /// The socket closed (`code` is `None` without a close frame, as for 1006).
    pub fn on_closed(&mut self, socket: SocketId, now: Timestamp, code: Option<u16>) {
        if !self.is_current(socket) {
            return;
        }
        self.socket = None;
        if self.state == SignalingState::Leaving {
            return self.end(MeetingStatus::Left);
        }
        let status = MeetingStatus::from_close_code(code);
        tracing::info!(
            socket = socket.0,
            ?code,
            ?status,
            "signalling socket closed"
        );
        if status.is_terminal() {
            self.end(status);
        } else {
            self.lost(now, status);
        }
    }

    /// A frame that could not be decoded arrived; it is skipped.
    pub fn on_malformed(&mut self, socket: SocketId, error: FrameError) {
        if self.is_current(socket) {
            tracing::warn!(socket = socket.0, %error, "malformed signalling frame skipped");
            self.event(SignalingEvent::MalformedFrame(error));
        }
    }

    /// A frame arrived.
    pub fn on_frame(&mut self, socket: SocketId, now: Timestamp, frame: SdkSignalFrame) {
        if !self.is_current(socket) || matches!(self.state, SignalingState::Ended(_)) {
            return;
        }
        if let Some(status) = self.status_of(&frame) {
            return self.end(status);
        }
        if frame.error.is_some() {
            return self.non_fatal_error(&frame);
        }
        match Type::try_from(frame.r#type) {
            Ok(Type::JoinAck) if self.state == SignalingState::Joining => {
                self.joined(now, frame.joinack.unwrap_or_default())
            }
            Ok(Type::SubscribeAck) if self.state == SignalingState::Subscribing => {
                self.state = SignalingState::Subscribed;
                let ack = SubscribeAck::from_proto(&frame.suback.unwrap_or_default());
                self.event(SignalingEvent::SubscribeAck(ack));
            }
            Ok(Type::Index) if self.state.is_joined() => {
                let index = IndexUpdate::from_proto(&frame.index.unwrap_or_default());
                self.event(SignalingEvent::Index(index));
            }
            Ok(Type::AudioStreamIdInfo) => {
                let streams = frame.audio_stream_id_info.unwrap_or_default().streams;
                for change in self.presence.apply(&streams) {
                    self.event(match change {
                        PresenceChange::Presence {
                            attendee_id,
                            external_user_id,
                            present,
                        } => SignalingEvent::Presence {
                            attendee_id,
                            external_user_id,
                            present,
                        },
                        PresenceChange::Mute { attendee_id, muted } => {
                            SignalingEvent::MuteChanged { attendee_id, muted }
                        }
                    });
                }
            }
            Ok(Type::PingPong) => self.ping_pong(now, frame.ping_pong.unwrap_or_default()),
            Ok(Type::DataMessage) => {
                for message in frame.data_message.unwrap_or_default().messages {
                    self.event(SignalingEvent::DataMessage(DataMessage::from_proto(
                        &message,
                    )));
                }
            }
            Ok(Type::LeaveAck) if self.state == SignalingState::Leaving => {
                self.end(MeetingStatus::Left)
            }
            _ => tracing::debug!(
                frame_type = frame.r#type,
                state = ?self.state,
                "signalling frame not expected now; ignored"
            ),
        }
    }

    /// Timers: the `JOIN_ACK` deadline, the reconnection back-off and the keep-alive.
    pub fn handle_timeout(&mut self, now: Timestamp) {
        if self.deadline.is_some_and(|d| now >= d) {
            self.deadline = None;
            if self.state == SignalingState::Leaving {
                return self.end(MeetingStatus::Left);
            }
            tracing::info!("no JOIN_ACK within the connection timeout");
            self.drop_socket();
            return self.lost(now, MeetingStatus::SignalingConnectionTimeout);
        }
        if self.retry_at.is_some_and(|t| now >= t) {
            self.retry_at = None;
            return self.connect(now);
        }
        if self.next_ping.is_some_and(|t| now >= t) {
            if self.missed_pongs >= self.config.timings.max_missed_pongs {
                tracing::info!(missed = self.missed_pongs, "signalling pongs missing");
                self.drop_socket();
                return self.lost(now, MeetingStatus::ConnectionHealthReconnect);
            }
            self.ping_id = self.ping_id.wrapping_add(1);
            self.missed_pongs += 1;
            let ping = SdkPingPongFrame {
                r#type: SdkPingPongType::Ping as i32,
                ping_id: self.ping_id,
            };
            self.send(now, Type::PingPong, |f| f.ping_pong = Some(ping));
            self.next_ping = Some(self.after(now, self.config.timings.ping_interval));
        }
    }

    /// Sends `SUBSCRIBE` with this offer, send streams and receive stream ids.
    pub fn subscribe(
        &mut self,
        now: Timestamp,
        subscription: &Subscription,
    ) -> Result<(), SignalError> {
        match self.state {
            SignalingState::Joined | SignalingState::Subscribed => {}
            SignalingState::Subscribing => return Err(SignalError::SubscribeInProgress),
            other => return Err(self.not_joined(other)),
        }
        let sends_video = subscription
            .send_streams
            .iter()
            .any(|s| s.media == MediaType::Video);
        let duplex = if sends_video {
            SdkStreamServiceType::Duplex
        } else {
            SdkStreamServiceType::Rx
        };
        let sub = SdkSubscribeFrame {
            duplex: Some(duplex as i32),
            send_streams: subscription
                .send_streams
                .iter()
                .map(|s| s.to_proto())
                .collect(),
            receive_stream_ids: subscription.receive_stream_ids.clone(),
            sdp_offer: Some(subscription.sdp_offer.clone()),
            audio_host: None,
            audio_checkin: Some(false),
            audio_muted: Some(self.muted),
        };
        self.state = SignalingState::Subscribing;
        self.send(now, Type::Subscribe, |f| f.sub = Some(sub));
        Ok(())
    }

    /// Mutes or unmutes (`AUDIO_CONTROL`); remembered and re-sent after a re-join.
    pub fn audio_control(&mut self, now: Timestamp, muted: bool) -> Result<(), SignalError> {
        if let SignalingState::Ended(status) = self.state {
            return Err(SignalError::Ended(status));
        }
        self.muted = muted;
        if self.state.is_joined() {
            self.send_mute(now);
        }
        Ok(())
    }

    /// Stops receiving these streams (`PAUSE`).
    pub fn pause(&mut self, now: Timestamp, stream_ids: &[u32]) -> Result<(), SignalError> {
        self.pause_resume(now, Type::Pause, stream_ids)
    }

    /// Receives these streams again (`RESUME`).
    pub fn resume(&mut self, now: Timestamp, stream_ids: &[u32]) -> Result<(), SignalError> {
        self.pause_resume(now, Type::Resume, stream_ids)
    }

    /// Sends a data message to the other attendees.
    pub fn send_data_message(
        &mut self,
        now: Timestamp,
        message: &DataMessage,
    ) -> Result<(), SignalError> {
        message.validate()?;
        self.ensure_joined()?;
        let frame = SdkDataMessageFrame {
            messages: vec![message.to_proto()],
        };
        self.send(now, Type::DataMessage, |f| f.data_message = Some(frame));
        Ok(())
    }

    /// Leaves: `LEAVE`, then `Ended(Left)` on `LEAVE_ACK`, on close or after the timeout.
    /// Before the session is joined it ends at once.
    pub fn leave(&mut self, now: Timestamp) {
        match self.state {
            SignalingState::Ended(_) | SignalingState::Leaving => {}
            s if s.is_joined() => {
                self.state = SignalingState::Leaving;
                self.next_ping = None;
                self.deadline = Some(self.after(now, self.config.timings.connect_timeout));
                self.send(now, Type::Leave, |f| f.leave = Some(SdkLeaveFrame {}));
            }
            _ => self.end(MeetingStatus::Left),
        }
    }

    fn joined(&mut self, now: Timestamp, ack: super::proto::SdkJoinAckFrame) {
        self.state = SignalingState::Joined;
        self.deadline = None;
        self.window_end = None;
        self.failures = 0;
        self.missed_pongs = 0;
        self.next_ping = Some(self.after(now, self.config.timings.ping_interval));
        let reconnected = self.joined_once;
        self.joined_once = true;
        self.outage_reported = false;
        self.event(SignalingEvent::JoinAck(JoinAck::from_proto(&ack)));
        if reconnected {
            self.event(SignalingEvent::Reconnected);
        }
        if self.muted {
            self.send_mute(now);
        }
    }

    fn ping_pong(&mut self, now: Timestamp, frame: SdkPingPongFrame) {
        match SdkPingPongType::try_from(frame.r#type) {
            Ok(SdkPingPongType::Ping) => {
                let pong = SdkPingPongFrame {
                    r#type: SdkPingPongType::Pong as i32,
                    ping_id: frame.ping_id,
                };
                self.send(now, Type::PingPong, |f| f.ping_pong = Some(pong));
            }
            Ok(SdkPingPongType::Pong) => self.missed_pongs = 0,
            Err(_) => tracing::debug!(value = frame.r#type, "unknown ping-pong type ignored"),
        }
    }

    /// A terminal status carried by an error or `AUDIO_STATUS` frame.
    fn status_of(&self, frame: &SdkSignalFrame) -> Option<MeetingStatus> {
        let status = match (&frame.error, Type::try_from(frame.r#type)) {
            (Some(error), _) => MeetingStatus::from_error_status(error.status.unwrap_or(0))?,
            (None, Ok(Type::AudioStatus)) => {
                let audio = frame.audio_status.as_ref().and_then(|a| a.audio_status);
                match audio {
                    Some(code) => MeetingStatus::from_audio_status(code)?,
                    None => MeetingStatus::SignalingRequestFailed,
                }
            }
            _ => return None,
        };
        if status.is_terminal() {
            tracing::info!(?status, "the server ended the signalling session");
            Some(status)
        } else {
            None
        }
    }

    /// An error answer that does not end the session; a pending subscription fails with it.
    fn non_fatal_error(&mut self, frame: &SdkSignalFrame) {
        let error = frame.error.clone().unwrap_or_default();
        let status = error.status.unwrap_or(0);
        let description = error.description.unwrap_or_default();
        tracing::info!(status, %description, "signalling error answer");
        if self.state == SignalingState::Subscribing {
            self.state = SignalingState::Joined;
        }
        self.event(SignalingEvent::ServerError {
            status,
            description,
        });
    }

    fn pause_resume(&mut self, now: Timestamp, kind: Type, ids: &[u32]) -> Result<(), SignalError> {
        self.ensure_joined()?;
        let frame = SdkPauseResumeFrame {
            stream_ids: ids.to_vec(),
        };
        self.send(now, kind, |f| f.pause = Some(frame));
        Ok(())
    }

    fn send_mute(&mut self, now: Timestamp) {
        let control = SdkAudioControlFrame {
            muted: Some(self.muted),
        };
        self.send(now, Type::AudioControl, |f| f.audio_control = Some(control));
    }

    fn ensure_joined(&self) -> Result<(), SignalError> {
        if self.state.is_joined() {
            Ok(())
        } else {
            Err(self.not_joined(self.state))
        }
    }

    fn not_joined(&self, state: SignalingState) -> SignalError {
        match state {
            SignalingState::Ended(status) => SignalError::Ended(status),
            _ => SignalError::NotJoined,
        }
    }

    fn connect(&mut self, now: Timestamp) {
        self.drop_socket();
        let socket = SocketId(self.next_socket);
        self.next_socket += 1;
        self.socket = Some(socket);
        self.state = SignalingState::Connecting;
        self.deadline = Some(self.after(now, self.config.timings.connect_timeout));
        self.outputs.push_back(SignalingOutput::Connect(socket));
    }

    /// The connection is gone: reconnect now, after 1 s, then every 5 s, within the window.
    fn lost(&mut self, now: Timestamp, status: MeetingStatus) {
        self.next_ping = None;
        self.deadline = None;
        let window = self.config.timings.reconnect_window;
        let window_end = *self
            .window_end
            .get_or_insert_with(|| now.add_millis(window.as_millis() as i64));
        if !self.outage_reported {
            self.outage_reported = true;
            self.event(SignalingEvent::Reconnecting { status });
        }
        let wait = match self.failures {
            0 => std::time::Duration::ZERO,
            1 => self.config.timings.first_backoff,
            _ => self.config.timings.later_backoff,
        };
        self.failures += 1;
        let at = self.after(now, wait);
        if at >= window_end {
            tracing::info!(?status, "reconnection window over");
            return self.end(status);
        }
        if wait.is_zero() {
            self.connect(now);
        } else {
            self.state = SignalingState::WaitingToReconnect;
            self.retry_at = Some(at);
        }
    }

    fn end(&mut self, status: MeetingStatus) {
        if matches!(self.state, SignalingState::Ended(_)) {
            return;
        }
        self.drop_socket();
        self.state = SignalingState::Ended(status);
        self.deadline = None;
        self.retry_at = None;
        self.next_ping = None;
        self.window_end = None;
        self.event(SignalingEvent::Ended { status });
    }

    /// Closes the current socket, if any, before anything replaces it.
    fn drop_socket(&mut self) {
        if let Some(socket) = self.socket.take() {
            self.outputs
                .push_back(SignalingOutput::Close(socket, CLOSE_NORMAL));
        }
    }

    fn is_current(&self, socket: SocketId) -> bool {
        self.socket == Some(socket)
    }

    fn send(&mut self, now: Timestamp, kind: Type, fill: impl FnOnce(&mut SdkSignalFrame)) {
        let Some(socket) = self.socket else { return };
        let mut frame = SdkSignalFrame {
            timestamp_ms: u64::try_from(now.as_millis()).unwrap_or_default(),
            r#type: kind as i32,
            ..Default::default()
        };
        fill(&mut frame);
        self.outputs
            .push_back(SignalingOutput::Send(socket, Box::new(frame)));
    }

    fn event(&mut self, event: SignalingEvent) {
        self.outputs.push_back(SignalingOutput::Event(event));
    }

    fn after(&self, now: Timestamp, by: std::time::Duration) -> Timestamp {
        now.add_millis(by.as_millis() as i64)
    }
}

#[cfg(test)]
#[path = "machine_tests.rs"]
mod tests;
