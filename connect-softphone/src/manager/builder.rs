//! [`SoftphoneManagerBuilder`]: the softphone's settings, and `connect()`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use connect_core::session::AgentSession;
use connect_core::time::{Clock, SplitMix64, SystemClock};
use connect_core::ws::{TungsteniteConnector, WsConnector};
use tokio::sync::{broadcast, mpsc};

use super::driver::{Driver, Streams};
use super::event::{SoftphoneEvents, EVENT_QUEUE};
use super::handle::SoftphoneManager;
use super::quality::Quality;
use super::trigger::Trigger;
use super::types::{CallInfo, DtmfMode, SinkFactory, SourceFactory};
use super::SoftphoneManagerError;
use crate::audio::{AudioSink, AudioSource, NullSink, SilenceSource};
use crate::media::{MediaEngine, PeerConfig};
use crate::session::{SoftphoneConfig, SoftphoneMachine};
use crate::signaling::proto::RequestIds;
use crate::signaling::transport::MultiplexedTransport;
use crate::sinks::{CtiSink, StatsHub};
use crate::stats::SamplerConfig;

/// The agent configuration flag that enables persistent peer connections (§5.3).
const PERSISTENT_CONNECTION_FLAG: &str = "softphonePersistentConnection";

/// Builds a [`SoftphoneManager`]. Defaults: silent microphone, audio discarded, CTI DTMF,
/// the §10 deadlines, a fresh softphone client id and browser id, call-quality records sent
/// to Connect over the session's CTI client.
pub struct SoftphoneManagerBuilder {
    session: AgentSession,
    engine: Arc<dyn MediaEngine>,
    sources: SourceFactory,
    sinks: SinkFactory,
    dtmf_mode: DtmfMode,
    config: Option<SoftphoneConfig>,
    peer: PeerConfig,
    clock: Arc<dyn Clock>,
    connector: Arc<dyn WsConnector>,
    stats_hub: Option<StatsHub>,
    sampler: SamplerConfig,
}

impl std::fmt::Debug for SoftphoneManagerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoftphoneManagerBuilder")
            .field("dtmf_mode", &self.dtmf_mode)
            .field("config", &self.config)
            .field("peer", &self.peer)
            .finish_non_exhaustive()
    }
}

impl SoftphoneManagerBuilder {
    pub(super) fn new(session: AgentSession, engine: Arc<dyn MediaEngine>) -> Self {
        Self {
            session,
            engine,
            sources: Arc::new(|_: &CallInfo| {
                Ok(Box::new(SilenceSource::new()) as Box<dyn AudioSource>)
            }),
            sinks: Arc::new(|_: &CallInfo| Box::new(NullSink::new()) as Box<dyn AudioSink>),
            dtmf_mode: DtmfMode::default(),
            config: None,
            peer: PeerConfig::default(),
            clock: Arc::new(SystemClock::default()),
            connector: Arc::new(TungsteniteConnector::default()),
            stats_hub: None,
            sampler: SamplerConfig::default(),
        }
    }

    /// Opens each call's microphone (default: digital silence).
    pub fn source_factory(
        mut self,
        factory: impl Fn(&CallInfo) -> Result<Box<dyn AudioSource>, crate::audio::AudioError>
            + Send
            + Sync
            + 'static,
    ) -> Self {
        self.sources = Arc::new(factory);
        self
    }

    /// Gives each call the sink that plays what the agent hears (default: discarded).
    pub fn sink_factory(
        mut self,
        factory: impl Fn(&CallInfo) -> Box<dyn AudioSink> + Send + Sync + 'static,
    ) -> Self {
        self.sinks = Arc::new(factory);
        self
    }

    /// How digits are sent (default [`DtmfMode::Cti`]).
    pub fn dtmf_mode(mut self, mode: DtmfMode) -> Self {
        self.dtmf_mode = mode;
        self
    }

    /// The session machine's configuration (ids, deadlines, policies). Default: fresh ids,
    /// the §10 deadlines, persistent connections as the agent configuration says.
    pub fn config(mut self, config: SoftphoneConfig) -> Self {
        self.config = Some(config);
        self
    }

    /// The media settings of every call's peer (codecs, DTX, bind addresses); the ICE servers
    /// and gathering deadlines are set per call.
    pub fn peer_config(mut self, peer: PeerConfig) -> Self {
        self.peer = peer;
        self
    }

    /// The clock of the session deadlines (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Opens direct signaling sockets (`useWebSocketProvider: false`); default tungstenite.
    pub fn ws_connector(mut self, connector: Arc<dyn WsConnector>) -> Self {
        self.connector = connector;
        self
    }

    /// Where each call's per-second samples, 30 s metrics batches, quality summaries and
    /// end-of-call reports go (default: a hub with a [`CtiSink`] on the session's CTI client,
    /// as the browser softphone reports). Subscribe to the hub for the quality events.
    ///
    /// ```no_run
    /// # async fn demo(session: connect_core::session::AgentSession) {
    /// use connect_softphone::manager::SoftphoneManager;
    /// use connect_softphone::media::WebRtcEngine;
    /// use connect_softphone::sinks::{CtiSink, StatsHub};
    ///
    /// let (hub, _quality) = StatsHub::builder().sink(std::sync::Arc::new(CtiSink::new(session.api()))).start().await;
    /// let builder = SoftphoneManager::builder(session, WebRtcEngine::new()).stats_hub(hub);
    /// # let _ = builder;
    /// # }
    /// ```
    pub fn stats_hub(mut self, hub: StatsHub) -> Self {
        self.stats_hub = Some(hub);
        self
    }

    /// How calls are sampled: flush interval, thresholds, per-second events (default: the
    /// specification's).
    pub fn sampler_config(mut self, config: SamplerConfig) -> Self {
        self.sampler = config;
        self
    }

    /// Subscribes `aws/softphone` on the session's CCP WebSocket, starts following the
    /// session's contacts and returns the manager with a subscriber to its events.
    pub async fn connect(
        self,
    ) -> Result<(SoftphoneManager, SoftphoneEvents), SoftphoneManagerError> {
        let manager = self
            .session
            .websocket()
            .cloned()
            .ok_or(SoftphoneManagerError::NoWebSocket)?;
        // Follow the session before subscribing, so that the subscription news is not missed.
        let agent = self.session.subscribe();
        let (mux, signaling) = MultiplexedTransport::new(manager);
        let config = self.config.unwrap_or_else(|| default_config(&self.session));
        let mut peer = self.peer;
        peer.timings.gathering_timeout = config.session.ice_gathering;
        peer.timings.extra_gathering_window = config.session.extra_gathering_window;
        // ICE restarts are the session machine's (§5.5), never the engine's own.
        peer.credentials = None;
        tracing::info!(
            persistent = config.persistent_connection,
            client_id = %config.softphone_client_id,
            "softphone manager starting"
        );
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (inputs, input_rx) = mpsc::unbounded_channel();
        let (events, _) = broadcast::channel(EVENT_QUEUE);
        let subscriber = SoftphoneEvents::new(events.subscribe());
        let (hub, owned) = match self.stats_hub {
            Some(hub) => (hub, false),
            None => {
                let cti = Arc::new(CtiSink::new(self.session.api()));
                let (hub, _) = StatsHub::builder()
                    .clock(Arc::clone(&self.clock))
                    .sink(cti)
                    .start()
                    .await;
                (hub, true)
            }
        };
        let driver = Driver {
            machine: SoftphoneMachine::new(config),
            clock: self.clock,
            api: self.session.api(),
            engine: self.engine,
            peer_template: peer,
            mux,
            direct: HashMap::new(),
            connector: self.connector,
            sources: self.sources,
            sinks: self.sinks,
            trigger: Trigger::default(),
            calls: BTreeMap::new(),
            pcs: HashMap::new(),
            inputs,
            events: events.clone(),
            quality: Quality::new(hub.clone(), self.sampler, self.session.clone()),
            prewarmed: None,
        };
        let streams = Streams {
            commands: command_rx,
            inputs: input_rx,
            agent,
            signaling,
            initial: self.session.snapshot(),
        };
        tokio::spawn(driver.run(streams));
        let handle =
            SoftphoneManager::new(commands, events, self.session, self.dtmf_mode, (hub, owned));
        Ok((handle, subscriber))
    }
}

/// Fresh ids; persistent connections as the agent configuration says.
fn default_config(session: &AgentSession) -> SoftphoneConfig {
    let seed = seed();
    let mut ids = RequestIds::new(seed);
    let mut config = SoftphoneConfig::new(ids.next_id(), ids.next_id());
    config.seed = SplitMix64::new(seed).next_u64();
    config.persistent_connection = session
        .configuration()
        .and_then(|c| {
            c.extra
                .get(PERSISTENT_CONNECTION_FLAG)
                .and_then(serde_json::Value::as_bool)
        })
        .unwrap_or(false);
    config
}

/// A seed for ids that differ per process and per manager.
fn seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default();
    nanos ^ (u64::from(std::process::id()) << 32)
}
