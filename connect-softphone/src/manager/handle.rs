//! [`SoftphoneManager`]: the cheap handle the app holds.

use std::sync::Arc;

use connect_core::session::AgentSession;
use tokio::sync::{broadcast, mpsc, oneshot};

use super::builder::SoftphoneManagerBuilder;
use super::driver::{Command, Reply};
use super::event::{SoftphoneEvent, SoftphoneEvents};
use super::types::{DtmfMode, SourceFactory};
use super::SoftphoneManagerError;
use crate::media::{MediaEngine, MediaPeer, MediaStats};
use crate::session::SessionState;
use crate::sinks::StatsHub;

/// A live softphone call.
///
/// ```
/// use connect_softphone::manager::CallSummary;
///
/// let call = CallSummary { contact_id: "c-1".into(), connection_id: "ac-1".into(), state: None, muted: false };
/// assert!(!call.muted);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallSummary {
    /// The contact.
    pub contact_id: String,
    /// The agent connection.
    pub connection_id: String,
    /// Where its session stands (§7).
    pub state: Option<SessionState>,
    /// Whether its microphone is muted.
    pub muted: bool,
}

/// The softphone of one agent session: it follows the session's voice contacts, runs their
/// calls (signaling on `aws/softphone`, media on the [`MediaEngine`]) and reports
/// [`SoftphoneEvent`]s. Acceptance is the contact's business (`ContactHandle::accept`, or the
/// server for auto-accept agents): media is usually up before the agent accepts.
///
/// Cheap to clone. Dropping the last clone ends the calls and stops the manager, as
/// [`shutdown`](Self::shutdown) does; the agent session goes on.
///
/// ```no_run
/// # async fn demo(session: connect_core::session::AgentSession) -> Result<(), Box<dyn std::error::Error>> {
/// use connect_softphone::manager::{SoftphoneEvent, SoftphoneManager};
/// use connect_softphone::media::WebRtcEngine;
///
/// let (softphone, mut events) = SoftphoneManager::builder(session, WebRtcEngine::new()).connect().await?;
/// while let Some(event) = events.recv().await {
///     if let SoftphoneEvent::SessionConnected { contact_id } = event {
///         softphone.send_digits(&contact_id, "1#").await?;
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct SoftphoneManager {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    commands: mpsc::UnboundedSender<Command>,
    events: broadcast::Sender<SoftphoneEvent>,
    session: AgentSession,
    dtmf_mode: DtmfMode,
    stats_hub: StatsHub,
    /// The hub is the manager's own (not given by the app): it stops with the manager.
    owns_stats_hub: bool,
}

impl SoftphoneManager {
    /// Starts building the softphone of `session` on `engine`.
    pub fn builder(
        session: AgentSession,
        engine: impl MediaEngine + 'static,
    ) -> SoftphoneManagerBuilder {
        SoftphoneManagerBuilder::new(session, Arc::new(engine))
    }

    /// Starts building the softphone of `session` on a shared engine (for example the VDI
    /// redirection engine behind `Arc<dyn MediaEngine>`).
    pub fn builder_shared(
        session: AgentSession,
        engine: Arc<dyn MediaEngine>,
    ) -> SoftphoneManagerBuilder {
        SoftphoneManagerBuilder::new(session, engine)
    }

    pub(super) fn new(
        commands: mpsc::UnboundedSender<Command>,
        events: broadcast::Sender<SoftphoneEvent>,
        session: AgentSession,
        dtmf_mode: DtmfMode,
        (stats_hub, owns_stats_hub): (StatsHub, bool),
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                commands,
                events,
                session,
                dtmf_mode,
                stats_hub,
                owns_stats_hub,
            }),
        }
    }

    /// A new subscriber; it sees events from now on.
    pub fn subscribe(&self) -> SoftphoneEvents {
        SoftphoneEvents::new(self.inner.events.subscribe())
    }

    /// The hub the calls' quality records go to: subscribe to it for the
    /// [`StatsEvent`](crate::stats::StatsEvent)s (quality summaries, no inbound audio, silent
    /// microphone), or read its sinks' health.
    ///
    /// ```no_run
    /// # async fn demo(softphone: connect_softphone::manager::SoftphoneManager) {
    /// use connect_softphone::stats::StatsEvent;
    /// let mut quality = softphone.stats_hub().subscribe();
    /// while let Some(event) = quality.recv().await {
    ///     if let StatsEvent::QualitySummary(summary) = event {
    ///         println!("{}: MOS {:?}", summary.contact_id, summary.mos);
    ///     }
    /// }
    /// # }
    /// ```
    pub fn stats_hub(&self) -> &StatsHub {
        &self.inner.stats_hub
    }

    /// How [`send_digits`](Self::send_digits) sends DTMF.
    pub fn dtmf_mode(&self) -> DtmfMode {
        self.inner.dtmf_mode
    }

    pub(super) async fn ask<T>(
        &self,
        command: impl FnOnce(Reply<T>) -> Command,
    ) -> Result<T, SoftphoneManagerError> {
        let (reply, answer) = oneshot::channel();
        self.inner
            .commands
            .send(command(reply))
            .map_err(|_| SoftphoneManagerError::Stopped)?;
        answer.await.map_err(|_| SoftphoneManagerError::Stopped)
    }

    /// The live calls.
    pub async fn calls(&self) -> Vec<CallSummary> {
        self.ask(|reply| Command::Calls { reply })
            .await
            .unwrap_or_default()
    }

    /// Ends the softphone call of `contact_id` (`bye`): the media stops, the contact itself
    /// is untouched (end it with `ContactHandle::hang_up`, which also ends the call).
    pub async fn hang_up(&self, contact_id: &str) -> Result<(), SoftphoneManagerError> {
        let contact_id = contact_id.to_owned();
        self.ask(|reply| Command::HangUp { contact_id, reply })
            .await?
    }

    /// Mutes or unmutes the call's microphone: digital silence is sent meanwhile.
    pub async fn set_muted(
        &self,
        contact_id: &str,
        muted: bool,
    ) -> Result<(), SoftphoneManagerError> {
        let contact_id = contact_id.to_owned();
        self.ask(|reply| Command::SetMuted {
            contact_id,
            muted,
            reply,
        })
        .await?
    }

    /// The call's media peer.
    async fn peer(&self, contact_id: &str) -> Result<Arc<dyn MediaPeer>, SoftphoneManagerError> {
        let contact_id = contact_id.to_owned();
        self.ask(|reply| Command::Peer { contact_id, reply })
            .await?
    }

    /// Sends DTMF digits (`0-9 * # A-D`; in RFC 4733 mode `,` is a 500 ms pause) as the
    /// [`DtmfMode`] says: CTI `SendDigits` on the agent connection, or RFC 4733 packets.
    pub async fn send_digits(
        &self,
        contact_id: &str,
        digits: &str,
    ) -> Result<(), SoftphoneManagerError> {
        let mode = self.inner.dtmf_mode;
        let digits = valid_digits(digits, mode)?;
        match mode {
            DtmfMode::Cti => {
                let contact = self.inner.session.contact(contact_id).ok_or_else(|| {
                    SoftphoneManagerError::NoSuchCall {
                        contact_id: contact_id.to_owned(),
                    }
                })?;
                contact.send_digits(&digits).await?;
            }
            DtmfMode::Rfc4733 => self.peer(contact_id).await?.send_dtmf(&digits).await?,
        }
        tracing::info!(%contact_id, count = digits.len(), ?mode, "DTMF sent");
        let _ = self.inner.events.send(SoftphoneEvent::DigitsSent {
            contact_id: contact_id.to_owned(),
            digits,
        });
        Ok(())
    }

    /// A snapshot of the call's media statistics.
    pub async fn stats(&self, contact_id: &str) -> Result<MediaStats, SoftphoneManagerError> {
        Ok(self.peer(contact_id).await?.stats().await?)
    }

    /// Switches the microphone: live calls get a source from `factory` at once (no
    /// renegotiation, mute kept), later calls open theirs from it.
    pub async fn set_microphone(
        &self,
        factory: SourceFactory,
    ) -> Result<(), SoftphoneManagerError> {
        self.ask(|reply| Command::SetMicrophone { factory, reply })
            .await
    }

    /// Ends every call (`bye`), closes the media and stops the manager; the manager's own
    /// stats hub delivers the last reports before it stops (an app's hub is the app's).
    pub async fn shutdown(&self) {
        let _ = self.ask(|reply| Command::Shutdown { reply }).await;
        if self.inner.owns_stats_hub {
            self.inner.stats_hub.shutdown().await;
        }
    }
}

/// The digits upper-cased, or the first invalid one.
fn valid_digits(digits: &str, mode: DtmfMode) -> Result<String, SoftphoneManagerError> {
    digits
        .chars()
        .map(|c| c.to_ascii_uppercase())
        .map(|c| match c {
            '0'..='9' | '*' | '#' | 'A'..='D' => Ok(c),
            ',' if mode == DtmfMode::Rfc4733 => Ok(c),
            other => Err(SoftphoneManagerError::InvalidDigit(other)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_checked_per_mode() {
        assert_eq!(
            valid_digits("12#*ad", DtmfMode::Cti).expect("valid"),
            "12#*AD"
        );
        assert!(matches!(
            valid_digits("1,2", DtmfMode::Cti),
            Err(SoftphoneManagerError::InvalidDigit(','))
        ));
        assert_eq!(
            valid_digits("1,2", DtmfMode::Rfc4733).expect("pause"),
            "1,2"
        );
        assert!(valid_digits("1x", DtmfMode::Rfc4733).is_err());
    }
}
