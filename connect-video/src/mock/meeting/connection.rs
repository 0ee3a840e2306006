//! One signalling socket of the simulated meeting service: the handshake (subprotocols and
//! join token), then frames in and out until the socket or the meeting ends.

use std::sync::Arc;

use futures::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use super::control::Identity;
use super::room::{frame, Joiner, Out, Room};
use super::router::{RouterError, SubscribeRequest};
use super::service::Shared;
use crate::meeting::signal::proto::{
    sdk_signal_frame::Type, SdkErrorFrame, SdkLeaveAckFrame, SdkPingPongFrame, SdkPingPongType,
    SdkSignalFrame,
};
use crate::meeting::signal::{
    decode_frame, encode_frame, FrameError, CLOSE_FORBIDDEN, SESSION_SUBPROTOCOL, SIGNALING_QUERY,
};

/// What the handshake saw.
#[derive(Default)]
struct Handshake {
    path: String,
    query: String,
    token: Option<String>,
}

/// Serves one TCP connection until it closes.
// The handshake callback's error type is tungstenite's `ErrorResponse`, large by its design.
#[allow(clippy::result_large_err)]
pub(super) async fn serve(shared: Arc<Shared>, tcp: TcpStream) {
    let mut seen = Handshake::default();
    let callback = |request: &Request, mut response: Response| {
        seen.path = request.uri().path().to_owned();
        seen.query = request.uri().query().unwrap_or_default().to_owned();
        let offered: Vec<String> = request
            .headers()
            .get_all("Sec-WebSocket-Protocol")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|p| p.trim().to_owned())
            .collect();
        if !offered.iter().any(|p| p == SESSION_SUBPROTOCOL) {
            let mut refusal =
                ErrorResponse::new(Some("missing _aws_wt_session subprotocol".into()));
            *refusal.status_mut() = StatusCode::BAD_REQUEST;
            return Err(refusal);
        }
        seen.token = offered.into_iter().find(|p| p != SESSION_SUBPROTOCOL);
        response.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static(SESSION_SUBPROTOCOL),
        );
        Ok(response)
    };
    let mut ws = match tokio_tungstenite::accept_hdr_async(tcp, callback).await {
        Ok(ws) => ws,
        Err(error) => {
            tracing::warn!(%error, "simulated meeting service refused a signalling handshake");
            return;
        }
    };
    let Some(identity) = admit(&shared, &seen) else {
        let code = if seen.query.contains(SIGNALING_QUERY) {
            CLOSE_FORBIDDEN
        } else {
            4400
        };
        let _ = ws.close(Some(close_frame(code))).await;
        return;
    };
    Connection::new(shared, identity).run(ws).await;
}

/// Checks the protocol query and the join token (which never reaches a log).
fn admit(shared: &Shared, seen: &Handshake) -> Option<Identity> {
    if !seen.query.contains(SIGNALING_QUERY) {
        tracing::warn!(path = %seen.path, "signalling request without the protocol query; closing 4400");
        return None;
    }
    let meeting_id = seen.path.strip_prefix("/control/").unwrap_or_default();
    let identity = seen
        .token
        .as_deref()
        .and_then(|token| shared.lock().control.authenticate(token, meeting_id));
    if identity.is_none() {
        tracing::warn!(
            meeting = meeting_id,
            "unknown or dead join token; closing 4403"
        );
    }
    identity
}

fn close_frame(code: u16) -> CloseFrame {
    CloseFrame {
        code: CloseCode::from(code),
        reason: "".into(),
    }
}

struct Connection {
    shared: Arc<Shared>,
    identity: Identity,
    conn_id: u64,
    tx: mpsc::UnboundedSender<Out>,
    rx: mpsc::UnboundedReceiver<Out>,
    joined: bool,
}

impl Connection {
    fn new(shared: Arc<Shared>, identity: Identity) -> Self {
        let conn_id = shared.next_conn_id();
        let (tx, rx) = mpsc::unbounded_channel();
        Self {
            shared,
            identity,
            conn_id,
            tx,
            rx,
            joined: false,
        }
    }

    async fn run(mut self, mut ws: WebSocketStream<TcpStream>) {
        let mut shutdown = self.shared.shutdown_signal();
        loop {
            tokio::select! {
                message = ws.next() => match message {
                    Some(Ok(Message::Binary(bytes))) => match decode_frame(&bytes) {
                        Ok(frame) => self.on_frame(frame).await,
                        Err(error) => self.reject(error),
                    },
                    Some(Ok(Message::Text(text))) => self.reject(FrameError::Text(text.len())),
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                    Some(Ok(_)) => {}
                },
                out = self.rx.recv() => match out {
                    Some(Out::Frame(frame)) => {
                        let delay = self.shared.delay();
                        if !delay.is_zero() {
                            tokio::time::sleep(delay).await;
                        }
                        if ws.send(Message::binary(encode_frame(&frame))).await.is_err() {
                            break;
                        }
                    }
                    Some(Out::Close(code)) => {
                        let _ = ws.close(Some(close_frame(code))).await;
                        break;
                    }
                    Some(Out::Drop) | None => {
                        tracing::info!(attendee = %self.identity.attendee_id, "signalling socket dropped (fault)");
                        break;
                    }
                },
                _ = shutdown.changed() => {
                    let _ = ws.close(Some(close_frame(1001))).await;
                    break;
                }
            }
        }
        // The attendee's media is released before its socket goes: a client that sees the
        // socket drop and re-joins at once then finds a clean slate, never the old SFU peer
        // about to be closed.
        if self.joined {
            self.gone(true).await;
        }
        drop(ws);
    }

    fn reject(&self, error: FrameError) {
        tracing::warn!(attendee = %self.identity.attendee_id, %error, "malformed signalling frame skipped");
        self.shared.record_rejected(error);
    }

    async fn on_frame(&mut self, frame: SdkSignalFrame) {
        let kind = Type::try_from(frame.r#type);
        if !self.joined && kind != Ok(Type::Join) {
            tracing::info!(
                frame_type = frame.r#type,
                "signalling frame before JOIN ignored"
            );
            return;
        }
        match kind {
            Ok(Type::Join) => self.join(&frame),
            Ok(Type::Subscribe) => self.subscribe(frame).await,
            Ok(Type::AudioControl) => {
                let muted = frame.audio_control.and_then(|a| a.muted).unwrap_or(false);
                self.with_room(|room, id, conn| room.audio_control(id, conn, muted));
            }
            Ok(kind @ (Type::Pause | Type::Resume)) => {
                let ids = frame.pause.map(|p| p.stream_ids).unwrap_or_default();
                let paused = kind == Type::Pause;
                self.with_room(|room, id, conn| room.pause(id, conn, &ids, paused));
            }
            Ok(Type::PingPong) => {
                let ping = frame.ping_pong.unwrap_or_default();
                if ping.r#type == SdkPingPongType::Ping as i32 {
                    let mut pong = super::room::frame(Type::PingPong);
                    pong.ping_pong = Some(SdkPingPongFrame {
                        r#type: SdkPingPongType::Pong as i32,
                        ping_id: ping.ping_id,
                    });
                    let _ = self.tx.send(Out::Frame(Box::new(pong)));
                }
            }
            Ok(Type::DataMessage) => {
                let data = frame.data_message.unwrap_or_default();
                self.with_room(|room, id, conn| room.data_message(id, conn, data));
            }
            Ok(Type::Leave) => {
                let mut ack = super::room::frame(Type::LeaveAck);
                ack.leave_ack = Some(SdkLeaveAckFrame {});
                let _ = self.tx.send(Out::Frame(Box::new(ack)));
                self.gone(false).await;
                self.joined = false;
            }
            _ => tracing::debug!(
                frame_type = frame.r#type,
                "signalling frame ignored by the simulator"
            ),
        }
    }

    fn join(&mut self, frame: &SdkSignalFrame) {
        if self.joined {
            tracing::info!(attendee = %self.identity.attendee_id, "second JOIN on one socket ignored");
            return;
        }
        let audio_session_id = frame.join.as_ref().and_then(|j| j.audio_session_id);
        let turn = self.shared.turn_ack();
        let mut state = self.shared.lock();
        if state.control.meeting(&self.identity.meeting_id).is_none() {
            drop(state);
            let _ = self
                .tx
                .send(Out::Close(crate::meeting::signal::CLOSE_MEETING_ENDED));
            return;
        }
        let joiner = Joiner {
            attendee_id: self.identity.attendee_id.clone(),
            external_user_id: self.identity.external_user_id.clone(),
            conn_id: self.conn_id,
            tx: self.tx.clone(),
            audio_session_id,
        };
        state
            .rooms
            .entry(self.identity.meeting_id.clone())
            .or_default()
            .join(joiner, turn);
        drop(state);
        self.joined = true;
        self.shared.presence_changed();
    }

    async fn subscribe(&mut self, frame: SdkSignalFrame) {
        let sub = frame.sub.unwrap_or_default();
        let Some(streams) = self
            .with_room(|room, id, conn| room.assign_streams(id, conn, &sub))
            .flatten()
        else {
            return;
        };
        let request = SubscribeRequest {
            meeting_id: self.identity.meeting_id.clone(),
            attendee_id: self.identity.attendee_id.clone(),
            offer_sdp: sub.sdp_offer.clone().unwrap_or_default(),
            send_streams: streams.iter().map(|(s, _, _)| s.clone()).collect(),
            receive_stream_ids: sub.receive_stream_ids.clone(),
        };
        match self.shared.router().subscribe(request).await {
            Ok(answer) => {
                self.with_room(|room, id, conn| room.subscribed(id, conn, streams, answer));
            }
            Err(error) => {
                tracing::warn!(attendee = %self.identity.attendee_id, %error, "media router refused a subscription");
                let status = match error {
                    RouterError::BadOffer(_) => 400,
                    _ => 500,
                };
                self.error(status, &error.to_string());
            }
        }
    }

    /// This connection is gone (LEAVE or socket end): update the room and release its media.
    async fn gone(&mut self, dropped: bool) {
        let was_current = self
            .with_room(|room, id, conn| room.leave(id, conn, dropped))
            .unwrap_or(false);
        self.shared.presence_changed();
        if was_current {
            self.shared
                .router()
                .leave(&self.identity.meeting_id, &self.identity.attendee_id)
                .await;
        }
    }

    fn with_room<T>(&self, f: impl FnOnce(&mut Room, &str, u64) -> T) -> Option<T> {
        let mut state = self.shared.lock();
        let room = state.rooms.get_mut(&self.identity.meeting_id)?;
        Some(f(room, &self.identity.attendee_id, self.conn_id))
    }

    fn error(&self, status: u32, description: &str) {
        let mut answer = frame(Type::SubscribeAck);
        answer.error = Some(SdkErrorFrame {
            status: Some(status),
            description: Some(description.to_owned()),
        });
        let _ = self.tx.send(Out::Frame(Box::new(answer)));
    }
}
