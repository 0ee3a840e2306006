//! The supervisor of one meeting peer: turns connection states into events and the transport
//! gate, and starts a receive loop for every remote track (audio into the sink, video per slot).

use std::sync::Arc;

use connect_softphone::audio::AudioSink;
use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tracing::{debug, warn};
use webrtc::media_stream::track_local::static_sample::TrackLocalStaticSample;
use webrtc::media_stream::track_remote::TrackRemote;
use webrtc::peer_connection::{PeerConnection, RTCPeerConnectionState};

use super::shared::Shared;
use super::{audio, video_receive, video_send};
use crate::meeting::media::engine::PeerSignal;
use crate::meeting::media::{MediaConnectionState, MeetingMediaEvent};

pub(super) struct Supervisor {
    pub(super) shared: Arc<Shared>,
    pub(super) pc: Arc<dyn PeerConnection>,
    pub(super) sink: Option<Box<dyn AudioSink>>,
    pub(super) video_track: Arc<TrackLocalStaticSample>,
}

fn connection_state(state: RTCPeerConnectionState) -> Option<MediaConnectionState> {
    Some(match state {
        RTCPeerConnectionState::New | RTCPeerConnectionState::Connecting => {
            MediaConnectionState::Connecting
        }
        RTCPeerConnectionState::Connected => MediaConnectionState::Connected,
        RTCPeerConnectionState::Disconnected => MediaConnectionState::Disconnected,
        RTCPeerConnectionState::Failed => MediaConnectionState::Failed,
        RTCPeerConnectionState::Closed => MediaConnectionState::Closed,
        _ => return None,
    })
}

impl Supervisor {
    /// Runs until the peer connection goes away; owns the receive loops.
    pub(super) async fn run(mut self, mut signals: mpsc::UnboundedReceiver<PeerSignal>) {
        let mut loops = JoinSet::new();
        let mut listening = false;
        while let Some(signal) = signals.recv().await {
            match signal {
                PeerSignal::State(state) => {
                    debug!(?state, "meeting peer connection state");
                    let Some(state) = connection_state(state) else {
                        continue;
                    };
                    let up = state == MediaConnectionState::Connected;
                    if up && !listening {
                        listening = true;
                        loops.spawn(video_send::keyframe_requests(
                            Arc::clone(&self.shared),
                            Arc::clone(&self.video_track),
                        ));
                    }
                    self.shared.transport_up.send_replace(up);
                    self.shared.emit(MeetingMediaEvent::ConnectionState(state));
                }
                PeerSignal::Track(track) => self.on_track(track, &mut loops).await,
            }
        }
        loops.shutdown().await;
    }

    async fn on_track(&mut self, track: Arc<dyn TrackRemote>, loops: &mut JoinSet<()>) {
        let shared = Arc::clone(&self.shared);
        match track.kind().await {
            RtpCodecKind::Audio => {
                loops.spawn(audio::receive(shared, track, self.sink.take()));
            }
            RtpCodecKind::Video => match mid_of(self.pc.as_ref(), &track).await {
                Some(mid) => {
                    debug!(%mid, "remote video track");
                    loops.spawn(video_receive::receive(shared, track, mid));
                }
                None => warn!("remote video track on no known transceiver; ignored"),
            },
            _ => debug!("remote track of unknown kind ignored"),
        }
    }
}

/// The mid of the transceiver receiving `track`.
async fn mid_of(pc: &dyn PeerConnection, track: &Arc<dyn TrackRemote>) -> Option<String> {
    let id = track.track_id().await;
    for transceiver in pc.get_transceivers().await {
        let Ok(Some(receiver)) = transceiver.receiver().await else {
            continue;
        };
        if receiver.track().track_id().await == id {
            return transceiver.mid().await.ok().flatten();
        }
    }
    None
}
