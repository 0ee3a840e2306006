//! The requests of one desktop connection, handled in order against the engine's media.

use std::collections::HashMap;
use std::sync::Arc;

use connect_softphone::audio::{AudioCodec, SilenceSource};
use connect_softphone::media::{IcePolicy, MediaError, PeerConfig, SessionDescription};
use serde_json::Value;
use tracing::{info, warn};

use super::connection::Outbox;
use super::peer::EnginePeer;
use super::server::ServerInner;
use super::stats::w3c_reports;
use crate::protocol::codes::*;
use crate::protocol::*;

pub(super) type Reply = Result<Value, RpcError>;

pub(super) struct Stream {
    pub(super) device_id: String,
    pub(super) track_id: String,
    pub(super) muted: bool,
}

/// The state of one desktop connection.
pub(super) struct Session {
    pub(super) conn: u64,
    pub(super) server: Arc<ServerInner>,
    out: Outbox,
    authenticated: bool,
    next: u64,
    pub(super) streams: HashMap<String, Stream>,
    pub(super) peers: HashMap<String, EnginePeer>,
}

pub(super) fn ok<T: serde::Serialize>(value: T) -> Reply {
    Ok(serde_json::to_value(value).unwrap_or_default())
}

pub(super) fn err(code: i64, message: impl Into<String>) -> Reply {
    Err(RpcError::new(code, message))
}

pub(super) fn media(error: impl std::fmt::Display) -> RpcError {
    RpcError::new(MEDIA_FAILURE, error.to_string())
}

/// A remote description the media stack refused: the desktop's fault (`-32602`) when the SDP
/// is unusable, a media failure otherwise.
pub(super) fn remote_description(error: MediaError) -> RpcError {
    if error.is_remote_description() {
        RpcError::new(INVALID_PARAMS, error.to_string())
    } else {
        media(error)
    }
}

impl Session {
    pub(super) fn new(conn: u64, server: Arc<ServerInner>, out: Outbox) -> Self {
        Self {
            conn,
            server,
            out,
            authenticated: false,
            next: 0,
            streams: HashMap::new(),
            peers: HashMap::new(),
        }
    }

    fn issue(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{}-{}", self.conn, self.next)
    }

    /// Handles one request and sends its reply (and the notifications that follow it).
    pub(super) async fn handle(&mut self, id: RequestId, method: &str, params: Value) {
        let request = match Request::parse(method, params) {
            Ok(request) => request,
            Err(error) => {
                warn!(target: "connect_vdi::engine", conn = self.conn, method, code = error.code, message = %error.message, "request rejected");
                return self.out.reply::<Value>(id, Err(error));
            }
        };
        if !self.authenticated && !matches!(request, Request::Hello(_)) {
            return self.out.reply::<Value>(id, err(NOT_READY, "hello first"));
        }
        let follow_up = match &request {
            Request::Hello(_) => FollowUp::Connected,
            Request::SetLocalDescription(p) => FollowUp::Candidates(p.pc_id.clone()),
            Request::Close(CloseParams { all: true, .. }) => FollowUp::CloseAll,
            _ => FollowUp::None,
        };
        let reply = self.dispatch(request).await;
        let succeeded = reply.is_ok();
        if let Err(error) = &reply {
            warn!(target: "connect_vdi::engine", conn = self.conn, method, code = error.code, message = %error.message, "request failed");
        }
        let unauthorized = matches!(&reply, Err(e) if e.code == UNAUTHORIZED);
        self.out.reply(id, reply);
        if unauthorized {
            return self.out.close(CLOSE_UNAUTHORIZED, "unauthorized");
        }
        if succeeded {
            self.follow_up(follow_up).await;
        }
    }

    async fn follow_up(&mut self, follow_up: FollowUp) {
        match follow_up {
            FollowUp::None => {}
            FollowUp::Connected => match &self.server.config.unsupported {
                Some(message) => {
                    self.out
                        .notify(&Notification::Disconnected(DisconnectedParams {
                            reason: "endpointUnsupported".into(),
                            message: Some(message.clone()),
                        }));
                    self.out.close(1000, "endpoint unsupported");
                }
                None => self
                    .out
                    .notify(&Notification::Connected(self.server.connected_params())),
            },
            FollowUp::Candidates(pc_id) => {
                if let Some(peer) = self.peers.get(&pc_id) {
                    let candidates = peer
                        .local
                        .as_ref()
                        .map(|(_, local)| local.candidates.clone())
                        .unwrap_or_default();
                    for candidate in &candidates {
                        self.out
                            .notify(&Notification::IceCandidate(IceCandidateParams::new(
                                &pc_id,
                                Some(candidate),
                            )));
                    }
                    self.out
                        .notify(&Notification::IceCandidate(IceCandidateParams::new(
                            &pc_id, None,
                        )));
                }
            }
            FollowUp::CloseAll => {
                self.teardown().await;
                self.out.close(1000, "closed by the desktop");
            }
        }
    }

    async fn dispatch(&mut self, request: Request) -> Reply {
        match request {
            Request::Hello(p) => self.hello(p),
            Request::GetUserMedia(p) => self.get_user_media(p),
            Request::EnumerateDevices => ok(DeviceList {
                devices: self.server.config.devices.list(),
            }),
            Request::CreatePeerConnection(p) => self.create_peer_connection(p).await,
            Request::AddTrack(p) => self.add_track(p).await,
            Request::CreateOffer(p) => self.create_offer(p).await,
            Request::CreateAnswer(p) => self.create_answer(p),
            Request::SetLocalDescription(p) => self.set_local_description(p),
            Request::SetRemoteDescription(p) => self.set_remote_description(p).await,
            Request::AddIceCandidate(p) => self.add_ice_candidate(p),
            Request::GetStats(p) => self.get_stats(p).await,
            Request::SetDevice(p) => self.set_device(p).await,
            Request::Mute(p) => self.mute(p),
            Request::InsertDtmf(p) => self.insert_dtmf(p).await,
            Request::ReplaceTrack(p) => self.replace_track(p).await,
            Request::Close(p) => self.close(p).await,
        }
    }

    fn hello(&mut self, p: HelloParams) -> Reply {
        if self.authenticated {
            return err(
                INVALID_STATE,
                "hello was already accepted on this connection",
            );
        }
        let config = &self.server.config;
        if !constant_time_eq(
            p.token.expose().as_bytes(),
            config.token.expose().as_bytes(),
        ) {
            warn!(target: "connect_vdi::engine", conn = self.conn, desktop = %p.desktop_id, "wrong pairing token");
            return err(UNAUTHORIZED, "wrong pairing token");
        }
        let Some(protocol) = p
            .protocols
            .iter()
            .copied()
            .filter(|v| config.protocols.contains(v))
            .max()
        else {
            return err(
                NO_COMMON_VERSION,
                format!(
                    "engine speaks {:?}, desktop offers {:?}",
                    config.protocols, p.protocols
                ),
            );
        };
        if !self.server.claim(self.conn) {
            return err(INVALID_STATE, "another desktop is connected");
        }
        self.authenticated = true;
        info!(target: "connect_vdi::engine", conn = self.conn, desktop = %p.desktop_id, client = %p.client.name, version = %p.client.version, protocol, "desktop paired");
        ok(HelloResult {
            protocol,
            engine: config.engine.clone(),
            capabilities: Capabilities {
                early_media: true,
                ice_restart: true,
                codecs: vec!["opus".into(), "pcmu".into()],
                video: false,
                dtmf: true,
                replace_track: true,
                answer: true,
            },
        })
    }

    fn get_user_media(&mut self, p: GetUserMediaParams) -> Reply {
        if p.video
            .as_ref()
            .is_some_and(|v| !matches!(v, Value::Bool(false) | Value::Null))
        {
            return err(UNSUPPORTED_FEATURE, "video is not supported (voice only)");
        }
        let Some(device) = self
            .server
            .config
            .devices
            .input(p.audio.device_id.as_deref())
        else {
            return err(
                DEVICE_NOT_FOUND,
                match &p.audio.device_id {
                    Some(id) => format!("no capture device {id:?}"),
                    None => "this endpoint has no capture device".to_owned(),
                },
            );
        };
        let (stream_id, track_id) = (self.issue("stream-"), self.issue("track-"));
        self.streams.insert(
            stream_id.clone(),
            Stream {
                device_id: device.device_id.clone(),
                track_id: track_id.clone(),
                muted: false,
            },
        );
        ok(GetUserMediaResult {
            stream_id,
            tracks: vec![TrackInfo {
                track_id,
                kind: "audio".into(),
                label: device.label,
                device_id: device.device_id,
            }],
        })
    }

    async fn create_peer_connection(&mut self, p: CreatePeerConnectionParams) -> Reply {
        let codecs = match &p.codecs {
            None => vec![AudioCodec::Opus, AudioCodec::Pcmu],
            Some(names) => names
                .iter()
                .map(|name| match name.to_ascii_lowercase().as_str() {
                    "opus" => Ok(AudioCodec::Opus),
                    "pcmu" => Ok(AudioCodec::Pcmu),
                    other => Err(RpcError::new(
                        INVALID_PARAMS,
                        format!("unknown codec {other:?}"),
                    )),
                })
                .collect::<Result<Vec<_>, _>>()?,
        };
        let ice_policy = match p.ice_transport_policy.as_str() {
            "relay" => IcePolicy::Relay,
            "all" => IcePolicy::All,
            other => {
                return err(
                    INVALID_PARAMS,
                    format!("unknown iceTransportPolicy {other:?}"),
                )
            }
        };
        let config = PeerConfig {
            ice_servers: p.ice_servers,
            ice_policy,
            codecs,
            enable_opus_dtx: p.opus_dtx.unwrap_or(false),
            bind_addrs: self.server.config.peer_bind_addrs.clone(),
            ..PeerConfig::default()
        };
        let devices = &self.server.config.devices;
        let (peer, events) = self
            .server
            .config
            .media
            .create_peer(
                config.clone(),
                Box::new(SilenceSource::new()),
                devices.playout(),
            )
            .await
            .map_err(media)?;
        let pc_id = self.issue("pc-");
        self.server.peer_created();
        self.peers.insert(
            pc_id.clone(),
            EnginePeer::new(pc_id.clone(), peer, events, config, self.out.clone()),
        );
        ok(PcRef { pc_id })
    }

    pub(super) fn peer(&mut self, pc_id: &str) -> Result<&mut EnginePeer, RpcError> {
        self.peers
            .get_mut(pc_id)
            .ok_or_else(|| RpcError::new(UNKNOWN_HANDLE, format!("unknown pcId {pc_id:?}")))
    }

    async fn create_offer(&mut self, p: CreateOfferParams) -> Reply {
        let peer = self.peer(&p.pc_id)?;
        let offer = if p.ice_restart {
            let servers = p
                .ice_servers
                .unwrap_or_else(|| peer.config.ice_servers.clone());
            peer.peer.restart_ice(servers).await
        } else {
            peer.peer.create_offer().await
        }
        .map_err(media)?;
        peer.gathered();
        let sdp = offer.sdp.clone();
        peer.local = Some((SdpType::Offer, offer));
        ok(SdpResult { sdp })
    }

    fn set_local_description(&mut self, p: SetLocalDescriptionParams) -> Reply {
        let peer = self.peer(&p.pc_id)?;
        match &peer.local {
            Some((kind, local)) if *kind == p.kind => {
                if local.sdp == p.sdp {
                    ok(Empty {})
                } else {
                    err(
                        INVALID_STATE,
                        "the description differs from the one the engine made; the engine applies the SDK's munging itself",
                    )
                }
            }
            _ => err(
                INVALID_STATE,
                match p.kind {
                    SdpType::Offer => "createOffer first",
                    SdpType::Answer => "setRemoteDescription with an offer first",
                },
            ),
        }
    }

    async fn set_remote_description(&mut self, p: SetRemoteDescriptionParams) -> Reply {
        if p.kind == SdpType::Offer {
            return self.accept_remote_offer(p).await;
        }
        let peer = self.peer(&p.pc_id)?;
        if !matches!(peer.local, Some((SdpType::Offer, _))) {
            return err(INVALID_STATE, "no local offer to answer");
        }
        let mut candidates = std::mem::take(&mut peer.early_candidates);
        candidates.extend(p.candidates);
        peer.peer
            .apply_answer(SessionDescription {
                sdp: p.sdp,
                candidates,
            })
            .await
            .map_err(remote_description)?;
        peer.answered = true;
        ok(Empty {})
    }

    fn add_ice_candidate(&mut self, p: AddIceCandidateParams) -> Reply {
        let peer = self.peer(&p.pc_id)?;
        if peer.answered {
            return err(UNSUPPORTED_FEATURE, "candidates after the answer (trickle) are not supported; send them with the answer");
        }
        peer.early_candidates.push(p.candidate);
        ok(Empty {})
    }

    async fn get_stats(&mut self, p: PcRef) -> Reply {
        let peer = self.peer(&p.pc_id)?;
        let stats = peer.peer.stats().await.map_err(media)?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or_default();
        ok(StatsResult {
            reports: w3c_reports(&p.pc_id, &stats, now),
        })
    }

    async fn set_device(&mut self, p: SetDeviceParams) -> Reply {
        let devices = self.server.config.devices.clone();
        let Some(device) = devices.select(p.kind, &p.device_id) else {
            return err(
                DEVICE_NOT_FOUND,
                format!("no {:?} device {:?}", p.kind, p.device_id),
            );
        };
        if p.kind == DeviceKind::AudioInput {
            for stream in self.streams.values_mut() {
                stream.device_id = device.device_id.clone();
            }
            for peer in self.peers.values().filter(|peer| peer.track.is_some()) {
                let source = devices
                    .open_input(&device.device_id)
                    .map_err(super::controls::device_error)?;
                peer.peer.replace_source(source).await.map_err(media)?;
            }
        }
        ok(SetDeviceResult {
            device_id: device.device_id,
            label: device.label,
        })
    }

    fn mute(&mut self, p: MuteParams) -> Reply {
        let Some(stream) = self.streams.values_mut().find(|s| s.track_id == p.track_id) else {
            return err(UNKNOWN_HANDLE, format!("unknown trackId {:?}", p.track_id));
        };
        stream.muted = p.muted;
        for peer in self
            .peers
            .values()
            .filter(|peer| peer.track.as_deref() == Some(p.track_id.as_str()))
        {
            peer.peer.set_muted(p.muted);
        }
        ok(Empty {})
    }

    async fn close(&mut self, p: CloseParams) -> Reply {
        match (p.pc_id, p.stream_id, p.all) {
            (_, _, true) => ok(Empty {}),
            (Some(pc_id), None, false) => match self.peers.remove(&pc_id) {
                Some(peer) => {
                    peer.close().await;
                    ok(Empty {})
                }
                None => err(UNKNOWN_HANDLE, format!("unknown pcId {pc_id:?}")),
            },
            (None, Some(stream_id), false) => match self.streams.remove(&stream_id) {
                Some(_) => ok(Empty {}),
                None => err(UNKNOWN_HANDLE, format!("unknown streamId {stream_id:?}")),
            },
            _ => err(
                INVALID_PARAMS,
                "close takes exactly one of pcId, streamId and all",
            ),
        }
    }

    /// Closes every peer connection and stream of this connection.
    pub(super) async fn teardown(&mut self) {
        self.streams.clear();
        for (pc_id, peer) in self.peers.drain() {
            info!(target: "connect_vdi::engine", conn = self.conn, %pc_id, "peer connection torn down");
            peer.close().await;
        }
    }
}

enum FollowUp {
    None,
    Connected,
    Candidates(String),
    CloseAll,
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
