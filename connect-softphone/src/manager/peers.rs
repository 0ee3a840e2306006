//! The media side of each peer connection: building the peer for a call, the offer and answer
//! steps the session machine asks for, source and sink swaps, and the peer's events fed back.

use std::sync::Arc;
use std::time::Duration;

use connect_core::model::{IceServer as WireIceServer, Timestamp};
use tokio::task::JoinHandle;

use super::convert::{ice_state, media_candidate, media_servers, wire_candidate};
use super::driver::{Driver, Input};
use super::event::SoftphoneEvent;
use super::sink::SwitchSink;
use crate::audio::{AudioSource, SilenceSource};
use crate::media::{
    MediaError, MediaEvent, MediaEvents, MediaPeer, PeerConfig, SessionDescription,
};
use crate::session::PcId;
use crate::signaling::proto::IceCandidate as WireCandidate;

/// How often inbound RTP is checked for the silence rule (R10: 3 s).
const RTP_CHECK: Duration = Duration::from_secs(1);

/// What a PC's tasks report.
pub(super) enum PeerInput {
    /// The peer exists (its offer is being made).
    Ready(Arc<dyn MediaPeer>, MediaEvents),
    /// An offer (setup or ICE restart) was made, munged, set and gathered, or failed.
    Offer(Result<SessionDescription, MediaError>),
    /// The answer was applied.
    Answer(Result<(), MediaError>),
    /// An event of the peer.
    Event(MediaEvent),
    /// More inbound RTP arrived since the last check.
    RtpSeen,
}

/// How the last offer went, for the machine's step-by-step questions.
enum Offered {
    Ready(SessionDescription),
    LocalDescriptionFailed(String),
    NoCandidates,
}

/// One PC's media.
pub(super) struct PcMedia {
    pub(super) peer: Option<Arc<dyn MediaPeer>>,
    sink: SwitchSink,
    offer: Option<Offered>,
    /// The call it carries now (`None` while idle).
    call: Option<String>,
    watcher: Option<JoinHandle<()>>,
}

impl PcMedia {
    /// Stops watching and closes the peer.
    pub(super) fn close(mut self) {
        if let Some(watcher) = self.watcher.take() {
            watcher.abort();
        }
        if let Some(peer) = self.peer.take() {
            tokio::spawn(async move {
                if let Err(error) = peer.close().await {
                    tracing::debug!(%error, "peer close");
                }
            });
        }
    }
}

impl Drop for PcMedia {
    fn drop(&mut self) {
        if let Some(watcher) = self.watcher.take() {
            watcher.abort();
        }
    }
}

impl Driver {
    /// `CreateOffer`: builds the call's peer (its microphone, its sink) and makes the offer.
    pub(super) fn create_peer(&mut self, pc: PcId, call: &str, ice_servers: &[WireIceServer]) {
        let Some(record) = self.calls.get_mut(call) else {
            return;
        };
        let source = record
            .source
            .take()
            .unwrap_or_else(|| Box::new(SilenceSource::new()) as Box<dyn AudioSource>);
        let sink = SwitchSink::to((self.sinks)(&record.info));
        record.pc = Some(pc);
        self.pcs.insert(
            pc,
            PcMedia {
                peer: None,
                sink: sink.clone(),
                offer: None,
                call: Some(call.to_owned()),
                watcher: None,
            },
        );
        let config = PeerConfig {
            ice_servers: media_servers(ice_servers),
            ..self.peer_template.clone()
        };
        let engine = Arc::clone(&self.engine);
        let inputs = self.inputs.clone();
        tokio::spawn(async move {
            let report = |input| inputs.send(Input::Peer(pc, input)).is_ok();
            match engine.create_peer(config, source, Box::new(sink)).await {
                Ok((peer, events)) => {
                    if report(PeerInput::Ready(Arc::clone(&peer), events)) {
                        report(PeerInput::Offer(peer.create_offer().await));
                    }
                }
                Err(error) => {
                    report(PeerInput::Offer(Err(error)));
                }
            }
        });
    }

    /// `RestartIce`: fresh ICE servers and an ICE-restart offer.
    pub(super) fn restart_ice(&mut self, pc: PcId, ice_servers: &[WireIceServer]) {
        let Some(peer) = self.pcs.get(&pc).and_then(|m| m.peer.clone()) else {
            let now = self.now();
            return self
                .machine
                .offer_created(now, pc, Err("no peer to restart".into()));
        };
        let servers = media_servers(ice_servers);
        let inputs = self.inputs.clone();
        tokio::spawn(async move {
            let result = peer.restart_ice(servers).await;
            let _ = inputs.send(Input::Peer(pc, PeerInput::Offer(result)));
        });
    }

    /// `SetLocalDescription`: the peer set it while making the offer; report how that went.
    pub(super) fn local_description(&mut self, now: Timestamp, pc: PcId) {
        let result = match self.pcs.get(&pc).and_then(|m| m.offer.as_ref()) {
            Some(Offered::Ready(offer)) => Ok(offer.sdp.clone()),
            Some(Offered::NoCandidates) => Ok(String::new()),
            Some(Offered::LocalDescriptionFailed(error)) => Err(error.clone()),
            None => Err("no offer was made".to_owned()),
        };
        self.machine.local_description_set(now, pc, result);
    }

    /// `GatherCandidates`: the peer gathered while making the offer; report the candidates.
    pub(super) fn gathered(&mut self, now: Timestamp, pc: PcId) {
        let candidates = match self.pcs.get(&pc).and_then(|m| m.offer.as_ref()) {
            Some(Offered::Ready(offer)) => offer.candidates.iter().map(wire_candidate).collect(),
            _ => Vec::new(),
        };
        self.machine.gathering_done(now, pc, candidates);
    }

    /// `ApplyAnswer`: sets the answer and its candidates.
    pub(super) fn apply_answer(
        &mut self,
        now: Timestamp,
        pc: PcId,
        sdp: String,
        candidates: &[WireCandidate],
    ) {
        let Some(peer) = self.pcs.get(&pc).and_then(|m| m.peer.clone()) else {
            return self.machine.remote_description_set(
                now,
                pc,
                Err("no peer for the answer".into()),
            );
        };
        let answer = SessionDescription {
            sdp,
            candidates: candidates.iter().map(media_candidate).collect(),
        };
        let inputs = self.inputs.clone();
        tokio::spawn(async move {
            let result = peer.apply_answer(answer).await;
            let _ = inputs.send(Input::Peer(pc, PeerInput::Answer(result)));
        });
    }

    /// `ClosePeerConnection`.
    pub(super) fn close_peer(&mut self, pc: PcId) {
        if let Some(media) = self.pcs.remove(&pc) {
            media.close();
        }
        // Dropping a direct socket closes it.
        self.direct.remove(&pc);
    }

    /// `SwapSource`: a persistent PC takes the next call: its microphone, its sink, unmuted.
    pub(super) fn swap_source(&mut self, pc: PcId, call: &str) {
        let Some(record) = self.calls.get_mut(call) else {
            return;
        };
        let Some(media) = self.pcs.get_mut(&pc) else {
            return;
        };
        record.pc = Some(pc);
        record.muted = false;
        media.call = Some(call.to_owned());
        let source = record
            .source
            .take()
            .unwrap_or_else(|| Box::new(SilenceSource::new()) as Box<dyn AudioSource>);
        let sink = (self.sinks)(&record.info);
        let switch = media.sink.clone();
        let peer = media.peer.clone();
        tokio::spawn(async move {
            switch.switch(Some(sink)).await;
            if let Some(peer) = peer {
                peer.set_muted(false);
                if let Err(error) = peer.replace_source(source).await {
                    tracing::warn!(%error, "source swap failed");
                }
            }
        });
    }

    /// `UseIdleSource`: an idle persistent PC sends silence and plays nothing (R9).
    pub(super) fn use_idle_source(&mut self, pc: PcId) {
        let Some(media) = self.pcs.get_mut(&pc) else {
            return;
        };
        media.call = None;
        let switch = media.sink.clone();
        let peer = media.peer.clone();
        tokio::spawn(async move {
            switch.switch(None).await;
            if let Some(peer) = peer {
                let silence: Box<dyn AudioSource> = Box::new(SilenceSource::new());
                if let Err(error) = peer.replace_source(silence).await {
                    tracing::debug!(%error, "idle source on a closed peer");
                }
            }
        });
    }

    /// What a PC's tasks reported.
    pub(super) fn peer_input(&mut self, now: Timestamp, pc: PcId, input: PeerInput) {
        let Some(media) = self.pcs.get_mut(&pc) else {
            if let PeerInput::Ready(peer, _) = input {
                // The call ended while its peer was being built.
                tokio::spawn(async move { peer.close().await });
            }
            return;
        };
        match input {
            PeerInput::Ready(peer, events) => {
                let muted = media
                    .call
                    .as_ref()
                    .and_then(|call| self.calls.get(call))
                    .is_some_and(|c| c.muted);
                peer.set_muted(muted);
                media.watcher = Some(tokio::spawn(watch(
                    pc,
                    Arc::clone(&peer),
                    events,
                    self.inputs.clone(),
                )));
                media.peer = Some(peer);
            }
            PeerInput::Offer(result) => {
                let sdp = match result {
                    Ok(offer) => {
                        let sdp = offer.sdp.clone();
                        media.offer = Some(Offered::Ready(offer));
                        Ok(sdp)
                    }
                    Err(MediaError::NoCandidates { urls }) => {
                        tracing::warn!(?urls, "ICE gathering produced no candidate");
                        media.offer = Some(Offered::NoCandidates);
                        Ok(String::new())
                    }
                    Err(MediaError::SetLocalDescription(error)) => {
                        media.offer = Some(Offered::LocalDescriptionFailed(error));
                        Ok(String::new())
                    }
                    Err(error) => Err(error.to_string()),
                };
                self.machine.offer_created(now, pc, sdp);
            }
            PeerInput::Answer(result) => {
                let result = result.map_err(|e| e.to_string());
                self.machine.remote_description_set(now, pc, result);
            }
            PeerInput::RtpSeen => self.machine.rtp_received(now, pc),
            PeerInput::Event(event) => {
                let contact_id = media
                    .call
                    .as_ref()
                    .and_then(|call| self.calls.get(call))
                    .map(|c| c.info.contact_id.clone());
                self.media_event(now, pc, contact_id, event);
            }
        }
    }

    fn media_event(
        &mut self,
        now: Timestamp,
        pc: PcId,
        contact_id: Option<String>,
        event: MediaEvent,
    ) {
        match event {
            MediaEvent::IceStateChanged(state) => {
                if let Some(state) = ice_state(state) {
                    self.machine.ice_state(now, pc, state);
                }
            }
            MediaEvent::FirstPacketReceived { after } => {
                self.machine.rtp_received(now, pc);
                if let Some(contact_id) = contact_id {
                    tracing::info!(%contact_id, ?after, "first audio from the far end");
                    self.emit(SoftphoneEvent::MediaStarted { contact_id });
                }
            }
            MediaEvent::DtmfReceived { digit } => {
                if let Some(contact_id) = contact_id {
                    self.emit(SoftphoneEvent::DtmfReceived { contact_id, digit });
                }
            }
            other => tracing::debug!(pc = pc.0, ?other, "media event"),
        }
    }
}

/// Forwards a peer's events and, every second, whether inbound RTP still arrives.
async fn watch(
    pc: PcId,
    peer: Arc<dyn MediaPeer>,
    mut events: MediaEvents,
    inputs: tokio::sync::mpsc::UnboundedSender<Input>,
) {
    let mut check = tokio::time::interval(RTP_CHECK);
    let mut received = 0;
    loop {
        let input = tokio::select! {
            event = events.recv() => match event {
                Some(event) => PeerInput::Event(event),
                None => return,
            },
            _ = check.tick() => match peer.stats().await {
                Ok(stats) if stats.packets_received > received => {
                    received = stats.packets_received;
                    PeerInput::RtpSeen
                }
                Ok(_) => continue,
                Err(_) => return,
            },
        };
        if inputs.send(Input::Peer(pc, input)).is_err() {
            return;
        }
    }
}
