//! `SimMediaService` (§11.4): the simulator's media side of softphone calls. It runs the
//! embedded TURN server, answers `aws/softphone` invites with a real customer leg (a WebRTC
//! peer per call that plays a prompt, a tone, speech-like audio or an echo), records what the
//! customer hears, decodes the RFC 4733 digits it receives and hangs up on script.
//!
//! Start order: the service first (its TURN server must exist before the instance hands out
//! credentials), then the instance with [`SimMediaService::turn_config`], then the server,
//! then [`SimMediaService::attach`]:
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use connect_core::mock::{SimInstance, SimServer};
//! use connect_softphone::mock::media_service::SimMediaService;
//!
//! let media = SimMediaService::start().await?;
//! let sim = SimInstance::builder().agents(1).turn(media.turn_config()).build()?;
//! let server = SimServer::builder(sim.clone()).insecure_ws(true).start().await?;
//! media.attach(&sim, &server);
//! # Ok(()) }
//! ```
//!
//! [`SimMediaService::builder`] starts it with a custom secret or with network impairment on
//! the agent's media path ([`SimMediaServiceBuilder::impairment`]): the agent then reaches
//! the TURN server through an impairment relay, so both directions of its audio cross it once.
//! [`SimMediaServiceBuilder::external_turn`] relays the calls through an external TURN
//! server (coturn) instead of the embedded one.

mod answers;
mod builder;
mod echo;
mod leg;
mod script;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use connect_core::mock::{SimInstance, SimServer, TurnConfig};
use connect_core::time::{Clock, SystemClock};
use tokio::sync::broadcast;

pub use builder::SimMediaServiceBuilder;
pub use script::{CustomerAudio, CustomerScript};

use super::impairment::{Impairment, ImpairmentError, ImpairmentRelay, ImpairmentStats};
use super::sim_signaling::{DirectEndpoint, SeenRequest, SimSignaling};
use super::turn::{SimTurnError, SimTurnServer};
use crate::audio::MemorySink;
use crate::media::{IceServer, MediaStats, WebRtcEngine};
use leg::Leg;

/// The default shared secret of the embedded TURN server.
pub const SIM_TURN_SECRET: &str = "sim-turn-secret";

/// Lifetime of the credentials the instance and the customer legs use (4 h).
const CREDENTIAL_TTL_SECS: i64 = 4 * 3600;

/// What happened on the customer side of a call.
///
/// ```
/// use connect_softphone::mock::media_service::MediaServiceEvent;
///
/// let e = MediaServiceEvent::DtmfReceived { contact_id: "c-1".into(), digit: '5' };
/// assert!(matches!(e, MediaServiceEvent::DtmfReceived { digit: '5', .. }));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MediaServiceEvent {
    /// An invite was answered with a new customer leg.
    LegCreated {
        /// The contact.
        contact_id: String,
        /// The agent connection of the invite.
        connection_id: String,
    },
    /// The leg's media (ICE, DTLS-SRTP) is up.
    MediaConnected {
        /// The contact.
        contact_id: String,
    },
    /// The customer received its first audio packet from the agent.
    FirstAudio {
        /// The contact.
        contact_id: String,
    },
    /// The customer decoded an RFC 4733 digit.
    DtmfReceived {
        /// The contact.
        contact_id: String,
        /// The digit.
        digit: char,
    },
    /// The customer hung up on script.
    HungUp {
        /// The contact.
        contact_id: String,
    },
    /// The leg was closed (`bye`, or the service stopped).
    LegClosed {
        /// The contact.
        contact_id: String,
    },
}

/// The simulated media service. Cheap to clone.
#[derive(Clone)]
pub struct SimMediaService {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for SimMediaService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimMediaService")
            .field("turn", &self.inner.turn)
            .field("impairment", &self.inner.relay)
            .finish_non_exhaustive()
    }
}

struct Inner {
    turn: SimTurnServer,
    /// The relay in front of `turn` on the agent's path, when impaired.
    relay: Option<ImpairmentRelay>,
    secret: String,
    /// The external TURN relay's URLs, when calls do not use the embedded server.
    external_turn: Option<Vec<String>>,
    engine: WebRtcEngine,
    signaling: SimSignaling,
    /// The direct `/LilyRTC` endpoint, when the agent signals there.
    direct: std::sync::OnceLock<DirectEndpoint>,
    events: broadcast::Sender<MediaServiceEvent>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    script: CustomerScript,
    scripts: HashMap<String, CustomerScript>,
    instance: Option<SimInstance>,
    /// Live legs by peer connection id.
    legs: HashMap<String, Leg>,
    /// What each contact's customer heard (kept after the call).
    recordings: HashMap<String, MemorySink>,
    /// Digits each contact's customer decoded (kept after the call).
    digits: HashMap<String, String>,
}

impl SimMediaService {
    /// Starts the TURN server (secret [`SIM_TURN_SECRET`]) and the service.
    pub async fn start() -> Result<Self, SimTurnError> {
        Self::start_with_secret(SIM_TURN_SECRET).await
    }

    /// Starts with this TURN shared secret.
    pub async fn start_with_secret(secret: &str) -> Result<Self, SimTurnError> {
        Self::builder().secret(secret).start().await
    }

    /// A builder, for a service with a custom secret or an impaired agent path.
    pub fn builder() -> SimMediaServiceBuilder {
        SimMediaServiceBuilder::default()
    }

    /// Wraps a started TURN server (and its impairment relay) and the customer legs' engine
    /// into the service.
    fn from_parts(
        turn: SimTurnServer,
        relay: Option<ImpairmentRelay>,
        secret: &str,
        external_turn: Option<Vec<String>>,
        engine: WebRtcEngine,
    ) -> Self {
        let (events, _) = broadcast::channel(256);
        let inner = Arc::new_cyclic(|weak| Inner {
            turn,
            relay,
            secret: secret.to_owned(),
            external_turn,
            engine,
            signaling: SimSignaling::new(Arc::new(answers::CustomerAnswers(weak.clone()))),
            direct: std::sync::OnceLock::new(),
            events,
            state: Mutex::new(State::default()),
        });
        Self { inner }
    }

    /// The instance's TURN configuration: this service's relay and secret (give it to
    /// `SimInstance::builder().turn(..)`). When the service was started with an impairment,
    /// the URL is the impairment relay's, so the agent's media crosses it both ways while the
    /// customer legs use the TURN server directly. With an external TURN server, its URLs.
    pub fn turn_config(&self) -> TurnConfig {
        let urls = match &self.inner.external_turn {
            Some(urls) => urls.clone(),
            None => {
                let url = self.inner.turn.url().map(|direct| match &self.inner.relay {
                    Some(relay) => format!("turn:{}?transport=udp", relay.local_addr()),
                    None => direct,
                });
                url.into_iter().collect()
            }
        };
        let mut config = TurnConfig {
            urls,
            secret: self.inner.secret.clone(),
            ttl_secs: CREDENTIAL_TTL_SECS,
            ..TurnConfig::default()
        };
        if let Some(direct) = self.inner.direct.get() {
            config.signaling_endpoint = direct.url();
            config.use_web_socket_provider = false;
        }
        config
    }

    /// Starts the direct `/LilyRTC` endpoint the agent is then told to use.
    async fn serve_direct(&self) -> std::io::Result<()> {
        let endpoint = self.inner.signaling.serve_direct().await?;
        tracing::info!(url = %endpoint.url(), "direct softphone signaling served");
        let _ = self.inner.direct.set(endpoint);
        Ok(())
    }

    /// The direct `/LilyRTC` endpoint, when the service was built with
    /// [`direct_signaling`](SimMediaServiceBuilder::direct_signaling).
    pub fn direct_endpoint(&self) -> Option<&DirectEndpoint> {
        self.inner.direct.get()
    }

    /// Serves `aws/softphone` on `server`; scripted hang-ups go to `instance`.
    pub fn attach(&self, instance: &SimInstance, server: &SimServer) {
        self.state().instance = Some(instance.clone());
        self.inner.signaling.register(server);
        let mut seen = self.inner.signaling.watch();
        let weak = Arc::downgrade(&self.inner);
        tokio::spawn(async move {
            loop {
                let request = match seen.recv().await {
                    Ok(request) => request,
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return,
                };
                let Some(inner) = weak.upgrade() else {
                    return;
                };
                SimMediaService { inner }.follow(&request).await;
            }
        });
    }

    /// Keeps the legs in step with the calls' signaling: `bye` closes a leg, `connectContact`
    /// moves a persistent peer connection's leg to its next contact.
    async fn follow(&self, request: &SeenRequest) {
        let pc = request
            .params
            .get("peerConnectionId")
            .and_then(|v| v.as_str());
        match request.method.as_str() {
            "bye" => {
                let key = {
                    let state = self.state();
                    pc.filter(|pc| state.legs.contains_key(*pc))
                        .map(str::to_owned)
                        .or_else(|| {
                            state
                                .legs
                                .iter()
                                .find(|(_, leg)| leg.connection_id == request.connection_id)
                                .map(|(pc, _)| pc.clone())
                        })
                };
                if let Some(key) = key {
                    self.close_leg(&key).await;
                }
            }
            "connectContact" => {
                let contact = request.params.get("contactId").and_then(|v| v.as_str());
                let mut state = self.state();
                let moved =
                    pc.and_then(|pc| state.legs.get(pc))
                        .zip(contact)
                        .map(|(leg, contact)| {
                            leg.contact.set(contact);
                            (contact.to_owned(), leg.heard.clone())
                        });
                if let Some((contact, heard)) = moved {
                    tracing::info!(contact_id = %contact, "customer leg carries the next contact");
                    state.recordings.insert(contact, heard);
                }
            }
            _ => {}
        }
    }

    /// The ICE server a customer leg named `name` relays through: the embedded TURN server,
    /// or the external one with time-limited credentials derived from the shared secret.
    fn customer_ice_server(&self, name: &str) -> IceServer {
        let ttl = Duration::from_secs(CREDENTIAL_TTL_SECS.unsigned_abs());
        match &self.inner.external_turn {
            Some(urls) => {
                let now_secs = SystemClock::default().now().as_millis() / 1000;
                let config = TurnConfig {
                    urls: urls.clone(),
                    secret: self.inner.secret.clone(),
                    ttl_secs: CREDENTIAL_TTL_SECS,
                    ..TurnConfig::default()
                };
                let (username, credential) = config.credentials(now_secs, name);
                IceServer::new(urls.clone(), username, credential)
            }
            None => self.inner.turn.issue_credentials(name, ttl),
        }
    }

    /// The customer of `contact_id` hangs up now, the way the media server ends a call: the
    /// contact ends on the attached instance, a server `bye` goes out on the call's signaling
    /// channel (the client answers it with `result{}`), and the customer leg closes. False
    /// when the contact has no live leg.
    pub async fn customer_hangs_up(&self, contact_id: &str) -> bool {
        let (leg, instance) = {
            let state = self.state();
            let leg = state
                .legs
                .iter()
                .find(|(_, leg)| leg.contact.get() == contact_id)
                .map(|(pc, leg)| (pc.clone(), leg.connection_id.clone()));
            (leg, state.instance.clone())
        };
        let Some((peer_connection_id, connection_id)) = leg else {
            return false;
        };
        tracing::info!(%contact_id, "simulated customer hangs up");
        if let Some(instance) = instance {
            if let Err(error) = instance.control().hang_up(contact_id) {
                tracing::debug!(%error, %contact_id, "the contact did not end on the instance");
            }
        }
        if !self.inner.signaling.push_bye(&connection_id) {
            tracing::warn!(%contact_id, "no signaling channel for the server bye");
        }
        let _ = self.inner.events.send(MediaServiceEvent::HungUp {
            contact_id: contact_id.to_owned(),
        });
        self.close_leg(&peer_connection_id).await;
        true
    }

    /// The signaling service (fault injection, server pushes, the journal).
    pub fn signaling(&self) -> &SimSignaling {
        &self.inner.signaling
    }

    /// The embedded TURN server.
    pub fn turn(&self) -> &SimTurnServer {
        &self.inner.turn
    }

    /// What the impairment relay on the agent's path did so far (`None` when the service runs
    /// without one).
    pub fn impairment_stats(&self) -> Option<ImpairmentStats> {
        self.inner.relay.as_ref().map(ImpairmentRelay::stats)
    }

    /// Changes the agent path's impairment from the next datagram on.
    pub fn set_impairment(&self, impairment: Impairment) -> Result<(), ImpairmentError> {
        self.inner
            .relay
            .as_ref()
            .ok_or(ImpairmentError::NotEnabled)?
            .set_impairment(impairment)
    }

    /// The script of the calls to come.
    pub fn set_script(&self, script: CustomerScript) {
        self.state().script = script;
    }

    /// The script of one contact's call (overrides the default).
    pub fn script_contact(&self, contact_id: &str, script: CustomerScript) {
        self.state().scripts.insert(contact_id.to_owned(), script);
    }

    /// What the customer of `contact_id` heard (48 kHz mono), once its leg exists. Contacts
    /// carried by one persistent peer connection share its recording.
    pub fn recording(&self, contact_id: &str) -> Option<MemorySink> {
        self.state().recordings.get(contact_id).cloned()
    }

    /// The RFC 4733 digits the customer of `contact_id` decoded, in order.
    pub fn digits(&self, contact_id: &str) -> String {
        self.state()
            .digits
            .get(contact_id)
            .cloned()
            .unwrap_or_default()
    }

    /// The customer leg's media statistics for `contact_id` while its leg is up: its inbound
    /// counters describe what the agent sends.
    pub async fn customer_stats(&self, contact_id: &str) -> Option<MediaStats> {
        let peer = self
            .state()
            .legs
            .values()
            .find(|leg| leg.contact.get() == contact_id)
            .map(|leg| Arc::clone(&leg.peer))?;
        match peer.stats().await {
            Ok(stats) => Some(stats),
            Err(error) => {
                tracing::debug!(%error, %contact_id, "customer leg statistics unavailable");
                None
            }
        }
    }

    /// Customer legs up now.
    pub fn live_legs(&self) -> usize {
        self.state().legs.len()
    }

    /// What happens on the customer side, from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<MediaServiceEvent> {
        self.inner.events.subscribe()
    }

    /// Closes every leg and stops the TURN server (and the impairment relay).
    pub async fn stop(&self) {
        let pcs: Vec<String> = self.state().legs.keys().cloned().collect();
        for pc in pcs {
            self.close_leg(&pc).await;
        }
        if let Some(relay) = &self.inner.relay {
            relay.stop();
        }
        self.inner.turn.stop().await;
    }

    async fn close_leg(&self, peer_connection_id: &str) {
        let leg = self.state().legs.remove(peer_connection_id);
        if let Some(leg) = leg {
            let contact_id = leg.contact.get();
            tracing::info!(%contact_id, "customer leg closed");
            leg.close().await;
            let _ = self
                .inner
                .events
                .send(MediaServiceEvent::LegClosed { contact_id });
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
