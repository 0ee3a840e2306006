//! [`SimMediaServiceBuilder`]: starts the media service with a custom TURN secret, an impaired
//! agent path, an external TURN relay or the direct signaling endpoint.

use super::{SimMediaService, SIM_TURN_SECRET};
use crate::media::WebRtcEngine;
use crate::mock::impairment::{Impairment, ImpairmentRelay};
use crate::mock::turn::{SimTurnError, SimTurnServer};

/// The default seed of the impairment's random sequences.
const DEFAULT_IMPAIRMENT_SEED: u64 = 0x1A3B_5C7D;

/// Builds a [`SimMediaService`].
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use connect_softphone::mock::impairment::Impairment;
/// use connect_softphone::mock::media_service::SimMediaService;
///
/// let media = SimMediaService::builder()
///     .impairment(Impairment { loss_pct: 5.0, jitter_ms: 40, delay_ms: 50 })
///     .start()
///     .await?;
/// // `media.turn_config()` now points the agent at the impairment relay.
/// println!("{:?}", media.impairment_stats());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct SimMediaServiceBuilder {
    secret: String,
    impairment: Option<Impairment>,
    seed: u64,
    direct_signaling: bool,
    external_turn: Option<Vec<String>>,
    customer_engine: WebRtcEngine,
}

impl Default for SimMediaServiceBuilder {
    fn default() -> Self {
        Self {
            secret: SIM_TURN_SECRET.to_owned(),
            impairment: None,
            seed: DEFAULT_IMPAIRMENT_SEED,
            direct_signaling: false,
            external_turn: None,
            customer_engine: WebRtcEngine::new(),
        }
    }
}

impl std::fmt::Debug for SimMediaServiceBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimMediaServiceBuilder")
            .field("impairment", &self.impairment)
            .field("seed", &self.seed)
            .field("external_turn", &self.external_turn)
            .finish_non_exhaustive()
    }
}

impl SimMediaServiceBuilder {
    /// The TURN shared secret (default [`SIM_TURN_SECRET`]).
    pub fn secret(mut self, secret: impl Into<String>) -> Self {
        self.secret = secret.into();
        self
    }

    /// Puts an impairment relay on the agent's media path: the TURN configuration the
    /// instance hands the agent points at it (see
    /// [`SimMediaService::turn_config`]). Change it later with
    /// [`SimMediaService::set_impairment`]; `Impairment::default()` starts a relay that
    /// impairs nothing yet.
    pub fn impairment(mut self, impairment: Impairment) -> Self {
        self.impairment = Some(impairment);
        self
    }

    /// The seed of the impairment's random sequences (a fixed default otherwise).
    pub fn impairment_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Serves the direct `/LilyRTC` WebSocket as well, and tells the agent to signal there
    /// (`callConfigJson` with `useWebSocketProvider: false` and the endpoint's `ws://` URL)
    /// rather than over the CCP WebSocket.
    pub fn direct_signaling(mut self) -> Self {
        self.direct_signaling = true;
        self
    }

    /// Relays every call through this external TURN server (for example coturn with
    /// `use-auth-secret` and `static-auth-secret` set to the builder's
    /// [`secret`](Self::secret)) instead of the embedded one: the instance's TURN
    /// configuration ([`SimMediaService::turn_config`]) and the customer legs' credentials
    /// carry these URLs, with time-limited credentials derived from the secret. The embedded
    /// server still runs but is handed to nobody, so its [`stats`](SimTurnServer::stats)
    /// stay at zero. Not combined with [`impairment`](Self::impairment), whose relay sits in
    /// front of the embedded server.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use connect_softphone::mock::media_service::SimMediaService;
    ///
    /// let media = SimMediaService::builder()
    ///     .secret("coturn-static-auth-secret")
    ///     .external_turn(vec!["turn:127.0.0.1:3478?transport=udp".to_owned()])
    ///     .start()
    ///     .await?;
    /// assert_eq!(media.turn_config().urls, ["turn:127.0.0.1:3478?transport=udp"]);
    /// # Ok(()) }
    /// ```
    pub fn external_turn(mut self, urls: Vec<String>) -> Self {
        self.external_turn = Some(urls);
        self
    }

    /// The media engine of the customer legs (default [`WebRtcEngine::new`]), for example
    /// with other Opus encoder settings.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use connect_softphone::audio::OpusConfig;
    /// use connect_softphone::media::{DefaultCodecs, WebRtcEngine};
    /// use connect_softphone::mock::media_service::SimMediaService;
    ///
    /// let opus = OpusConfig { complexity: 5, ..OpusConfig::default() };
    /// let builder = SimMediaService::builder()
    ///     .customer_engine(WebRtcEngine::with_codecs(Arc::new(DefaultCodecs::with_opus(opus))));
    /// ```
    pub fn customer_engine(mut self, engine: WebRtcEngine) -> Self {
        self.customer_engine = engine;
        self
    }

    /// Starts the TURN server, the impairment relay if asked for, and the service.
    pub async fn start(self) -> Result<SimMediaService, SimTurnError> {
        if self.external_turn.is_some() && self.impairment.is_some() {
            return Err(SimTurnError::Config(
                "an impairment needs the embedded TURN server, not an external one".to_owned(),
            ));
        }
        let turn = SimTurnServer::start(self.secret.clone()).await?;
        let relay = match (self.impairment, turn.addr()) {
            (Some(impairment), Some(upstream)) => {
                match ImpairmentRelay::start(upstream, impairment, self.seed).await {
                    Ok(relay) => Some(relay),
                    Err(error) => {
                        turn.stop().await;
                        return Err(error.into());
                    }
                }
            }
            _ => None,
        };
        let service = SimMediaService::from_parts(
            turn,
            relay,
            &self.secret,
            self.external_turn,
            self.customer_engine,
        );
        if self.direct_signaling {
            service.serve_direct().await?;
        }
        Ok(service)
    }
}
