//! The live signalling state of one simulated meeting: joined connections, their sources,
//! presence and mute, and the fan-out of `INDEX`, `AUDIO_STREAM_ID_INFO` and data messages.
//! Synchronous: it queues frames on each connection's channel.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use tokio::sync::mpsc::UnboundedSender;

use super::router::{SentStream, StreamMedia, SubscribeAnswer};
use crate::meeting::signal::proto::{
    sdk_signal_frame::Type, SdkAudioStatusFrame, SdkAudioStreamIdInfo, SdkAudioStreamIdInfoFrame,
    SdkDataMessageFrame, SdkIndexFrame, SdkJoinAckFrame, SdkSignalFrame, SdkStreamAllocation,
    SdkStreamDescriptor, SdkStreamMediaType, SdkSubscribeAckFrame, SdkSubscribeFrame,
    SdkTrackMapping,
};
use crate::meeting::signal::{CLOSE_FORBIDDEN, DEFAULT_VIDEO_SUBSCRIPTION_LIMIT};

/// What a connection task is told to do.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Out {
    /// Send this frame.
    Frame(Box<SdkSignalFrame>),
    /// Send a close frame with this code and stop.
    Close(u16),
    /// Drop the TCP connection without a close frame (1006 on the other side).
    Drop,
}

/// One of an attendee's sources.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Source {
    stream: SentStream,
    track_label: String,
    max_bitrate_kbps: Option<u32>,
}

#[derive(Debug)]
struct Peer {
    conn_id: u64,
    tx: UnboundedSender<Out>,
    external_user_id: Option<String>,
    audio_session_id: Option<u64>,
    audio_stream_id: u32,
    group_id: u32,
    muted: bool,
    sources: Vec<Source>,
    paused: BTreeSet<u32>,
}

impl Peer {
    fn send(&self, frame: SdkSignalFrame) {
        let _ = self.tx.send(Out::Frame(Box::new(frame)));
    }
}

/// A joining connection.
#[derive(Debug)]
pub(super) struct Joiner {
    pub(super) attendee_id: String,
    pub(super) external_user_id: Option<String>,
    pub(super) conn_id: u64,
    pub(super) tx: UnboundedSender<Out>,
    pub(super) audio_session_id: Option<u64>,
}

/// One meeting's connections.
#[derive(Debug, Default)]
pub(super) struct Room {
    peers: BTreeMap<String, Peer>,
    /// Attendee → (group id, audio stream id), stable across reconnections.
    ids: HashMap<String, (u32, u32)>,
    /// (attendee, track label, media) → stream id, stable across re-subscriptions.
    stream_ids: HashMap<(String, String, StreamMedia), u32>,
    next_id: u32,
}

pub(super) fn frame(kind: Type) -> SdkSignalFrame {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    SdkSignalFrame {
        timestamp_ms: u64::try_from(now.as_millis()).unwrap_or_default(),
        r#type: kind as i32,
        ..Default::default()
    }
}

impl Room {
    /// `JOIN`: replaces an earlier connection of the same attendee (the same audio session is a
    /// reconnection; another one is "joined from another device"), answers `JOIN_ACK`, `INDEX`
    /// and the present attendees, and announces the newcomer.
    pub(super) fn join(&mut self, joiner: Joiner, ack: SdkJoinAckFrame) {
        let had_sources = match self.peers.remove(&joiner.attendee_id) {
            Some(old) => {
                if old.audio_session_id.is_some() && old.audio_session_id == joiner.audio_session_id
                {
                    tracing::info!(attendee = %joiner.attendee_id, "attendee reconnected; old socket closed");
                    let _ = old.tx.send(Out::Close(1000));
                } else {
                    tracing::info!(attendee = %joiner.attendee_id, "attendee joined from another device");
                    old.send(audio_status(301));
                    let _ = old.tx.send(Out::Close(1000));
                }
                !old.sources.is_empty()
            }
            None => false,
        };
        let next = self.ids.len() as u32 + 1;
        let (group_id, audio_stream_id) = *self
            .ids
            .entry(joiner.attendee_id.clone())
            .or_insert((next, next));
        let peer = Peer {
            conn_id: joiner.conn_id,
            tx: joiner.tx,
            external_user_id: joiner.external_user_id,
            audio_session_id: joiner.audio_session_id,
            audio_stream_id,
            group_id,
            muted: false,
            sources: Vec::new(),
            paused: BTreeSet::new(),
        };
        let mut join_ack = frame(Type::JoinAck);
        join_ack.joinack = Some(SdkJoinAckFrame {
            video_subscription_limit: Some(DEFAULT_VIDEO_SUBSCRIPTION_LIMIT),
            wants_compressed_sdp: Some(false),
            ..ack
        });
        peer.send(join_ack);
        peer.send(self.index());
        let mut everyone = frame(Type::AudioStreamIdInfo);
        let mut streams: Vec<SdkAudioStreamIdInfo> =
            self.peers.iter().map(|(id, p)| presence(id, p)).collect();
        streams.push(presence(&joiner.attendee_id, &peer));
        everyone.audio_stream_id_info = Some(SdkAudioStreamIdInfoFrame { streams });
        peer.send(everyone);
        let mut announce = frame(Type::AudioStreamIdInfo);
        announce.audio_stream_id_info = Some(SdkAudioStreamIdInfoFrame {
            streams: vec![presence(&joiner.attendee_id, &peer)],
        });
        self.broadcast(&announce);
        self.peers.insert(joiner.attendee_id, peer);
        if had_sources {
            self.broadcast_index();
        }
    }

    /// The meeting-wide streams of a `SUBSCRIBE`, or `None` when the connection is not current.
    pub(super) fn assign_streams(
        &mut self,
        attendee_id: &str,
        conn_id: u64,
        sub: &SdkSubscribeFrame,
    ) -> Option<Vec<(SentStream, String, Option<u32>)>> {
        let group_id = self.current(attendee_id, conn_id)?.group_id;
        let mut assigned = Vec::new();
        for (position, d) in sub.send_streams.iter().enumerate() {
            let media = match d
                .media_type
                .and_then(|m| SdkStreamMediaType::try_from(m).ok())
            {
                Some(SdkStreamMediaType::Audio) => StreamMedia::Audio,
                _ => StreamMedia::Video,
            };
            let label = d
                .track_label
                .clone()
                .unwrap_or_else(|| position.to_string());
            let key = (attendee_id.to_owned(), label.clone(), media);
            let stream_id = match self.stream_ids.get(&key) {
                Some(id) => *id,
                None => {
                    self.next_id += 1;
                    self.stream_ids.insert(key, self.next_id);
                    self.next_id
                }
            };
            let stream = SentStream {
                stream_id,
                group_id,
                media,
            };
            assigned.push((stream, label, d.max_bitrate_kbps));
        }
        Some(assigned)
    }

    /// The router answered: `SUBSCRIBE_ACK` to the subscriber, and `INDEX` to everyone when the
    /// meeting's sources changed.
    pub(super) fn subscribed(
        &mut self,
        attendee_id: &str,
        conn_id: u64,
        streams: Vec<(SentStream, String, Option<u32>)>,
        answer: SubscribeAnswer,
    ) {
        let Some(peer) = self.current_mut(attendee_id, conn_id) else {
            return;
        };
        let sources: Vec<Source> = streams
            .into_iter()
            .map(|(stream, track_label, max_bitrate_kbps)| Source {
                stream,
                track_label,
                max_bitrate_kbps,
            })
            .collect();
        let mut ack = frame(Type::SubscribeAck);
        ack.suback = Some(SdkSubscribeAckFrame {
            duplex: None,
            allocations: sources
                .iter()
                .map(|s| SdkStreamAllocation {
                    track_label: Some(s.track_label.clone()),
                    stream_id: Some(s.stream.stream_id),
                    group_id: Some(s.stream.group_id),
                })
                .collect(),
            sdp_answer: Some(answer.answer_sdp),
            tracks: answer
                .tracks
                .into_iter()
                .map(|(mid, stream_id)| SdkTrackMapping {
                    stream_id: Some(stream_id),
                    ssrc: Some(0),
                    track_label: Some(mid),
                })
                .collect(),
        });
        peer.send(ack);
        let changed = peer.sources != sources;
        peer.sources = sources;
        if changed {
            self.broadcast_index();
        }
    }

    /// `AUDIO_CONTROL`: the new mute state goes to everyone.
    pub(super) fn audio_control(&mut self, attendee_id: &str, conn_id: u64, muted: bool) {
        let Some(peer) = self.current_mut(attendee_id, conn_id) else {
            return;
        };
        peer.muted = muted;
        let mut update = frame(Type::AudioStreamIdInfo);
        update.audio_stream_id_info = Some(SdkAudioStreamIdInfoFrame {
            streams: vec![SdkAudioStreamIdInfo {
                audio_stream_id: Some(peer.audio_stream_id),
                muted: Some(muted),
                ..Default::default()
            }],
        });
        self.broadcast(&update);
    }

    /// `PAUSE` / `RESUME` of received streams.
    pub(super) fn pause(&mut self, attendee_id: &str, conn_id: u64, ids: &[u32], paused: bool) {
        if let Some(peer) = self.current_mut(attendee_id, conn_id) {
            for id in ids {
                if paused {
                    peer.paused.insert(*id);
                } else {
                    peer.paused.remove(id);
                }
            }
        }
    }

    /// `DATA_MESSAGE`: stamped with the sender and fanned out to the other attendees.
    pub(super) fn data_message(
        &mut self,
        attendee_id: &str,
        conn_id: u64,
        mut data: SdkDataMessageFrame,
    ) {
        let Some(sender) = self.current(attendee_id, conn_id) else {
            return;
        };
        let ingest_ns = i64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos(),
        )
        .unwrap_or_default();
        for message in &mut data.messages {
            message.sender_attendee_id = Some(attendee_id.to_owned());
            message.sender_external_user_id = sender.external_user_id.clone();
            message.ingest_time_ns = Some(ingest_ns);
        }
        let mut out = frame(Type::DataMessage);
        out.data_message = Some(data);
        for (id, peer) in &self.peers {
            if id != attendee_id {
                peer.send(out.clone());
            }
        }
    }

    /// The connection left (`LEAVE`) or dropped; returns whether it was the current one.
    pub(super) fn leave(&mut self, attendee_id: &str, conn_id: u64, dropped: bool) -> bool {
        if self.current(attendee_id, conn_id).is_none() {
            return false;
        }
        self.remove(attendee_id, dropped, None);
        true
    }

    /// The attendee (and its content connection) was deleted: `AUDIO_STATUS` 411, then close.
    /// Returns the connection ids removed.
    pub(super) fn remove_attendee(&mut self, attendee_id: &str) -> Vec<String> {
        let content = format!("{attendee_id}{}", crate::meeting::join::CONTENT_SUFFIX);
        let removed: Vec<String> = [attendee_id.to_owned(), content]
            .into_iter()
            .filter(|id| self.peers.contains_key(id))
            .collect();
        for id in &removed {
            self.remove(id, false, Some(411));
        }
        removed
    }

    /// The meeting ended: close every socket with this code.
    pub(super) fn close_all(&mut self, code: u16) {
        for peer in std::mem::take(&mut self.peers).into_values() {
            let _ = peer.tx.send(Out::Close(code));
        }
    }

    /// Drops an attendee's socket without a close frame; false when it is not connected.
    pub(super) fn drop_socket(&self, attendee_id: &str) -> bool {
        self.peers
            .get(attendee_id)
            .is_some_and(|p| p.tx.send(Out::Drop).is_ok())
    }

    /// The attendees connected now, with their mute state.
    pub(super) fn present(&self) -> Vec<(String, bool)> {
        self.peers
            .iter()
            .map(|(id, p)| (id.clone(), p.muted))
            .collect()
    }

    /// The streams an attendee paused.
    pub(super) fn paused(&self, attendee_id: &str) -> Vec<u32> {
        self.peers
            .get(attendee_id)
            .map(|p| p.paused.iter().copied().collect())
            .unwrap_or_default()
    }

    fn remove(&mut self, attendee_id: &str, dropped: bool, status: Option<u32>) {
        let Some(peer) = self.peers.remove(attendee_id) else {
            return;
        };
        if let Some(status) = status {
            peer.send(audio_status(status));
            let _ = peer.tx.send(Out::Close(CLOSE_FORBIDDEN));
        }
        let mut update = frame(Type::AudioStreamIdInfo);
        let gone = if dropped {
            SdkAudioStreamIdInfo {
                dropped: Some(true),
                ..presence(attendee_id, &peer)
            }
        } else {
            SdkAudioStreamIdInfo {
                audio_stream_id: Some(peer.audio_stream_id),
                ..Default::default()
            }
        };
        update.audio_stream_id_info = Some(SdkAudioStreamIdInfoFrame {
            streams: vec![gone],
        });
        self.broadcast(&update);
        if !peer.sources.is_empty() {
            self.broadcast_index();
        }
    }

    fn current(&self, attendee_id: &str, conn_id: u64) -> Option<&Peer> {
        self.peers.get(attendee_id).filter(|p| p.conn_id == conn_id)
    }

    fn current_mut(&mut self, attendee_id: &str, conn_id: u64) -> Option<&mut Peer> {
        self.peers
            .get_mut(attendee_id)
            .filter(|p| p.conn_id == conn_id)
    }

    fn index(&self) -> SdkSignalFrame {
        let sources: Vec<SdkStreamDescriptor> = self
            .peers
            .iter()
            .flat_map(|(id, peer)| {
                peer.sources.iter().map(move |s| SdkStreamDescriptor {
                    stream_id: Some(s.stream.stream_id),
                    group_id: Some(s.stream.group_id),
                    attendee_id: Some(id.clone()),
                    external_user_id: peer.external_user_id.clone(),
                    media_type: Some(match s.stream.media {
                        StreamMedia::Audio => SdkStreamMediaType::Audio as i32,
                        StreamMedia::Video => SdkStreamMediaType::Video as i32,
                    }),
                    max_bitrate_kbps: s.max_bitrate_kbps,
                    ..Default::default()
                })
            })
            .collect();
        let videos = sources
            .iter()
            .filter(|s| s.media_type == Some(SdkStreamMediaType::Video as i32))
            .count();
        let participants = self
            .peers
            .keys()
            .filter(|id| !id.ends_with(crate::meeting::join::CONTENT_SUFFIX))
            .count();
        let mut index = frame(Type::Index);
        index.index = Some(SdkIndexFrame {
            at_capacity: Some(videos >= DEFAULT_VIDEO_SUBSCRIPTION_LIMIT as usize),
            sources,
            paused_at_source_ids: Vec::new(),
            num_participants: Some(participants as u32),
        });
        index
    }

    fn broadcast_index(&self) {
        self.broadcast(&self.index());
    }

    fn broadcast(&self, frame: &SdkSignalFrame) {
        for peer in self.peers.values() {
            peer.send(frame.clone());
        }
    }
}

fn presence(attendee_id: &str, peer: &Peer) -> SdkAudioStreamIdInfo {
    SdkAudioStreamIdInfo {
        audio_stream_id: Some(peer.audio_stream_id),
        attendee_id: Some(attendee_id.to_owned()),
        muted: Some(peer.muted),
        external_user_id: peer.external_user_id.clone(),
        dropped: None,
    }
}

fn audio_status(status: u32) -> SdkSignalFrame {
    let mut f = frame(Type::AudioStatus);
    f.audio_status = Some(SdkAudioStatusFrame {
        audio_status: Some(status),
    });
    f
}
