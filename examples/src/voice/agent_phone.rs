//! One agent's softphone in the demo: it talks with its own speech-like voice, records what it
//! hears, and writes each call's progress, quality and audio match into the [`CallLedger`].

use std::sync::Arc;
use std::time::Instant;

use connect_core::session::AgentSession;
use connect_softphone::audio::{audio_match_db, AudioSource, MemorySink, SpeechLikeSource};
use connect_softphone::manager::{
    CallRecordings, SoftphoneEvent, SoftphoneEvents, SoftphoneManager,
};
use connect_softphone::media::{PeerConfig, WebRtcEngine};
use connect_softphone::mock::media_service::SimMediaService;
use connect_softphone::sinks::{StatsEvents, StatsHub};
use connect_softphone::stats::StatsEvent;

use super::CallLedger;

/// What an agent's phone says and where its calls are written down.
#[derive(Clone)]
pub struct AgentPhone {
    /// The seed of the agent's voice.
    pub agent_seed: u64,
    /// The seed of the customers' voice (the media service's script).
    pub customer_seed: u64,
    /// The customer side, for the recordings of what the customers heard.
    pub media: SimMediaService,
    /// Where the calls go.
    pub ledger: Arc<CallLedger>,
    /// The media engine of the agent's softphone (for example `WebRtcEngine::new()`).
    pub engine: WebRtcEngine,
}

impl AgentPhone {
    /// Attaches a softphone to `session` (which must have its CCP WebSocket), sending its
    /// quality records to `hub`; returns the manager and the task that watches its calls. The
    /// task ends once the manager has shut down and its last handle is dropped, after every
    /// call's audio has been compared.
    ///
    /// ```no_run
    /// # async fn demo(session: connect_core::session::AgentSession, phone: connect_examples::voice::AgentPhone,
    /// #   hub: connect_softphone::sinks::StatsHub) -> Result<(), Box<dyn std::error::Error>> {
    /// let (softphone, watcher) = phone.attach(&session, hub).await?;
    /// softphone.shutdown().await;
    /// drop(softphone);
    /// watcher.await?;
    /// # Ok(()) }
    /// ```
    pub async fn attach(
        self,
        session: &AgentSession,
        hub: StatsHub,
    ) -> Result<(SoftphoneManager, tokio::task::JoinHandle<()>), Box<dyn std::error::Error>> {
        let heard = CallRecordings::default();
        let seed = self.agent_seed;
        let quality = hub.subscribe();
        let (softphone, events) = SoftphoneManager::builder(session.clone(), self.engine.clone())
            .peer_config(PeerConfig::loopback())
            .source_factory(move |_call| {
                Ok(Box::new(SpeechLikeSource::new(seed)) as Box<dyn AudioSource>)
            })
            .sink_factory(heard.sink_factory())
            .stats_hub(hub)
            .connect()
            .await?;
        let watcher = tokio::spawn(self.watch(events, quality, heard));
        Ok((softphone, watcher))
    }

    /// Follows the softphone's and the monitoring's events until the softphone stops.
    async fn watch(
        self,
        mut events: SoftphoneEvents,
        mut quality: StatsEvents,
        heard: CallRecordings,
    ) {
        let mut recordings = Vec::new();
        let mut quality_open = true;
        loop {
            tokio::select! {
                event = events.recv() => match event {
                    Some(event) => self.softphone_event(event, &heard, &mut recordings),
                    None => break,
                },
                event = quality.recv(), if quality_open => match event {
                    Some(StatsEvent::QualitySummary(summary)) => self.ledger.quality(&summary),
                    Some(_) => {}
                    None => quality_open = false,
                },
            }
        }
        // The last summaries are published before the calls' Ended events.
        while let Ok(Some(StatsEvent::QualitySummary(summary))) =
            tokio::time::timeout(std::time::Duration::ZERO, quality.recv()).await
        {
            self.ledger.quality(&summary);
        }
        // Compared after the calls, so that the comparison does not compete with live audio.
        for (contact_id, agent_heard, customer_heard) in recordings {
            let agent_db = compare(self.customer_seed, agent_heard.samples()).await;
            let customer_db = compare(self.agent_seed, customer_heard.samples()).await;
            tracing::info!(%contact_id, agent_db, customer_db, "audio match (dB)");
            self.ledger.audio_match(&contact_id, agent_db);
            self.ledger.audio_match(&contact_id, customer_db);
        }
    }

    fn softphone_event(
        &self,
        event: SoftphoneEvent,
        heard: &CallRecordings,
        recordings: &mut Vec<(String, MemorySink, MemorySink)>,
    ) {
        let now = Instant::now();
        match event {
            SoftphoneEvent::SessionStarted { contact_id, .. } => {
                self.ledger.started(&contact_id, now);
            }
            SoftphoneEvent::MediaStarted { contact_id } => {
                self.ledger.agent_media(&contact_id, now);
            }
            SoftphoneEvent::SessionConnected { contact_id } => self.ledger.connected(&contact_id),
            SoftphoneEvent::Failed {
                contact_id, reason, ..
            } => {
                tracing::warn!(%contact_id, %reason, "call failed");
                self.ledger.failed(&contact_id, reason.as_str());
            }
            SoftphoneEvent::Ended { contact_id, .. } => {
                self.ledger.ended(&contact_id, now);
                let agent_heard = heard.take(&contact_id);
                let customer_heard = self.media.recording(&contact_id);
                if let (Some(agent_heard), Some(customer_heard)) = (agent_heard, customer_heard) {
                    recordings.push((contact_id, agent_heard, customer_heard));
                }
            }
            SoftphoneEvent::Lagged { dropped } => {
                tracing::warn!(dropped, "softphone events lagged");
            }
            _ => {}
        }
    }
}

/// How closely `recorded` (a whole call) matches the speech-like voice of `seed`, dB (on a
/// blocking thread: the alignment costs about 10 ms of CPU per second of audio).
async fn compare(seed: u64, recorded: Vec<i16>) -> f64 {
    let mut talker = SpeechLikeSource::new(seed);
    let mut reference = Vec::with_capacity(recorded.len() + 48_000);
    while reference.len() < recorded.len() + 48_000 {
        match talker.next_frame().await {
            Ok(Some(frame)) => reference.extend_from_slice(&frame.samples),
            _ => break,
        }
    }
    tokio::task::spawn_blocking(move || audio_match_db(&reference, &recorded))
        .await
        .unwrap_or(-100.0)
}
