//! [`SimMediaServiceBuilder`]: starts the media service with a custom TURN secret or with an
//! impaired agent path.

use super::{SimMediaService, SIM_TURN_SECRET};
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
}

impl Default for SimMediaServiceBuilder {
    fn default() -> Self {
        Self {
            secret: SIM_TURN_SECRET.to_owned(),
            impairment: None,
            seed: DEFAULT_IMPAIRMENT_SEED,
            direct_signaling: false,
        }
    }
}

impl std::fmt::Debug for SimMediaServiceBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimMediaServiceBuilder")
            .field("impairment", &self.impairment)
            .field("seed", &self.seed)
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

    /// Starts the TURN server, the impairment relay if asked for, and the service.
    pub async fn start(self) -> Result<SimMediaService, SimTurnError> {
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
        let service = SimMediaService::from_parts(turn, relay, &self.secret);
        if self.direct_signaling {
            service.serve_direct().await?;
        }
        Ok(service)
    }
}
