//! Ready for the next call, and letting go of idle media: TURN credentials fetched ahead of a
//! call ([`SoftphoneManager::prewarm`]) and peer connections closed once no call is live
//! ([`SoftphoneManager::release_idle`]). A multi-region hand-over uses both: it pre-warms the
//! region it moves to and releases the one it leaves.

use std::sync::Arc;
use std::time::Duration;

use connect_core::model::{IceServer, Timestamp};

use super::actions::fetch_turn;
use super::driver::{Command, Driver, Input, Reply};
use super::{SoftphoneManager, SoftphoneManagerError};

/// How long pre-warmed credentials may wait for a call before they are fetched afresh.
const PREWARM_MAX_AGE: Duration = Duration::from_secs(60);

/// How long a pre-warm waits for `CreateTransport`.
const PREWARM_TIMEOUT: Duration = Duration::from_secs(10);

/// TURN credentials fetched ahead of a call.
pub(super) struct Prewarmed {
    at: Timestamp,
    servers: Vec<IceServer>,
}

impl SoftphoneManager {
    /// Fetches fresh TURN credentials (`CreateTransport` softphone) from this session's own
    /// endpoint now, so that the next call does not wait for them: its cross-region check
    /// takes them at once, if they are under a minute old (once). Returns the TURN URLs (the
    /// credentials themselves stay inside the manager).
    ///
    /// ```no_run
    /// # async fn demo(softphone: connect_softphone::manager::SoftphoneManager) {
    /// match softphone.prewarm().await {
    ///     Ok(urls) => println!("ready: {urls:?}"),
    ///     Err(error) => eprintln!("the next call fetches its own credentials: {error}"),
    /// }
    /// # }
    /// ```
    pub async fn prewarm(&self) -> Result<Vec<String>, SoftphoneManagerError> {
        self.ask(|reply| Command::Prewarm { reply }).await?
    }

    /// Closes every peer connection (persistent ones included; `bye` goes out on them) when no
    /// call is live, and returns how many were closed; the manager keeps following the
    /// session, and the next call builds a new one. With a live call nothing is closed:
    /// [`SoftphoneManagerError::CallsActive`].
    ///
    /// ```no_run
    /// # async fn demo(softphone: connect_softphone::manager::SoftphoneManager) {
    /// if let Ok(closed) = softphone.release_idle().await {
    ///     println!("{closed} idle peer connection(s) closed");
    /// }
    /// # }
    /// ```
    pub async fn release_idle(&self) -> Result<usize, SoftphoneManagerError> {
        self.ask(|reply| Command::ReleaseIdle { reply }).await?
    }
}

impl Driver {
    /// Fetches credentials in the background; they are kept for the next call.
    pub(super) fn prewarm(&self, reply: Reply<Result<Vec<String>, SoftphoneManagerError>>) {
        let fetch = fetch_turn(
            Arc::clone(&self.api),
            self.machine.config().softphone_client_id.clone(),
            PREWARM_TIMEOUT,
        );
        let inputs = self.inputs.clone();
        tokio::spawn(async move {
            let result = match fetch.await {
                Ok(servers) => {
                    let urls = servers.iter().flat_map(|s| s.urls.clone()).collect();
                    tracing::info!(?urls, "softphone pre-warmed: fresh TURN credentials");
                    let _ = inputs.send(Input::Prewarmed(servers));
                    Ok(urls)
                }
                Err(error) => {
                    tracing::warn!(%error, "softphone pre-warm failed");
                    Err(SoftphoneManagerError::Credentials(error))
                }
            };
            let _ = reply.send(result);
        });
    }

    pub(super) fn store_prewarmed(&mut self, now: Timestamp, servers: Vec<IceServer>) {
        self.prewarmed = Some(Prewarmed { at: now, servers });
    }

    /// The pre-warmed credentials, if fresh (they are used once).
    pub(super) fn take_prewarmed(&mut self, now: Timestamp) -> Option<Vec<IceServer>> {
        let max_age = i64::try_from(PREWARM_MAX_AGE.as_millis()).unwrap_or(i64::MAX);
        self.prewarmed
            .take()
            .filter(|p| now.millis_since(p.at) <= max_age)
            .map(|p| p.servers)
    }

    /// Closes every peer connection when no call is live.
    pub(super) fn release_idle(&mut self, now: Timestamp) -> Result<usize, SoftphoneManagerError> {
        let count = self.machine.calls().count();
        if count > 0 {
            return Err(SoftphoneManagerError::CallsActive { count });
        }
        let closed = self.machine.peer_connections().count();
        self.machine.shutdown(now);
        tracing::info!(closed, "idle softphone peer connections released");
        Ok(closed)
    }
}
