//! Per-call bookkeeping: the microphone of each call (opened per call, released at its end),
//! mute, and the session machine's events as [`SoftphoneEvent`]s.

use std::sync::Arc;

use connect_core::model::Timestamp;

use super::driver::Driver;
use super::event::SoftphoneEvent;
use super::types::SourceFactory;
use super::SoftphoneManagerError;
use crate::audio::{AudioSource, SilenceSource};
use crate::session::{MicrophoneFailure, SessionEvent, SessionState};

impl Driver {
    /// Opens the call's microphone from the source factory.
    pub(super) fn open_microphone(&mut self, now: Timestamp, call: &str) {
        let Some(record) = self.calls.get_mut(call) else {
            return;
        };
        match (self.sources)(&record.info) {
            Ok(source) => {
                tracing::debug!(%call, source = %source.info().name, "microphone open");
                record.source = Some(source);
                self.machine.microphone_opened(now, call);
            }
            Err(error) => {
                tracing::warn!(%call, %error, "microphone did not open");
                self.machine
                    .microphone_failed(now, call, MicrophoneFailure::Other);
            }
        }
    }

    /// Releases the call's microphone: a source not yet handed over is dropped, the peer's
    /// sender gets silence (R9).
    pub(super) fn close_microphone(&mut self, call: &str) {
        let Some(record) = self.calls.get_mut(call) else {
            return;
        };
        record.source = None;
        if let Some(peer) = record
            .pc
            .and_then(|pc| self.pcs.get(&pc))
            .and_then(|m| m.peer.clone())
        {
            tokio::spawn(async move {
                let silence: Box<dyn AudioSource> = Box::new(SilenceSource::new());
                if let Err(error) = peer.replace_source(silence).await {
                    tracing::debug!(%error, "microphone release on a closed peer");
                }
            });
        }
        tracing::debug!(%call, "microphone released");
    }

    /// Mutes or unmutes one call (the state is the call's own; a new call starts unmuted).
    pub(super) fn set_muted(
        &mut self,
        contact_id: &str,
        muted: bool,
    ) -> Result<(), SoftphoneManagerError> {
        let call = self.call_of(contact_id)?;
        let Some(record) = self.calls.get_mut(&call) else {
            return Err(SoftphoneManagerError::NoSuchCall {
                contact_id: contact_id.to_owned(),
            });
        };
        record.muted = muted;
        if let Some(peer) = record
            .pc
            .and_then(|pc| self.pcs.get(&pc))
            .and_then(|m| m.peer.clone())
        {
            peer.set_muted(muted);
        }
        self.emit(SoftphoneEvent::Muted {
            contact_id: contact_id.to_owned(),
            muted,
        });
        Ok(())
    }

    /// A new microphone for the live calls (no renegotiation, mute kept) and later ones (R8).
    pub(super) fn set_microphone(&mut self, factory: SourceFactory) {
        self.sources = Arc::clone(&factory);
        let mut opened = None;
        for record in self.calls.values_mut() {
            let peer = record
                .pc
                .and_then(|pc| self.pcs.get(&pc))
                .and_then(|m| m.peer.clone());
            if peer.is_none() && record.source.is_none() {
                // No microphone open yet, or its peer is being built: it stays until the call
                // ends; the new factory serves the next calls.
                continue;
            }
            let source = match factory(&record.info) {
                Ok(source) => source,
                Err(error) => {
                    tracing::warn!(contact_id = %record.info.contact_id, %error,
                        "new microphone did not open; the call keeps the old one");
                    continue;
                }
            };
            opened = Some(source.info());
            match peer {
                Some(peer) => {
                    tokio::spawn(async move {
                        if let Err(error) = peer.replace_source(source).await {
                            tracing::warn!(%error, "microphone switch failed");
                        }
                    });
                }
                None => record.source = Some(source),
            }
        }
        self.emit(SoftphoneEvent::DeviceChanged { source: opened });
    }

    fn contact_of(&self, call: &str) -> String {
        self.calls
            .get(call)
            .map_or_else(|| call.to_owned(), |c| c.info.contact_id.clone())
    }

    /// The machine's events, as the app sees them.
    pub(super) fn session_event(&mut self, event: SessionEvent) {
        let now = self.now();
        match event {
            SessionEvent::StateChanged { call, state } => {
                let contact_id = self.contact_of(&call);
                let first_talk = matches!(state, SessionState::Talking(_))
                    && self
                        .calls
                        .get_mut(&call)
                        .is_some_and(|c| !std::mem::replace(&mut c.connected, true));
                self.emit(SoftphoneEvent::StateChanged {
                    contact_id: contact_id.clone(),
                    state,
                });
                if first_talk {
                    tracing::info!(%contact_id, "softphone call connected");
                    self.start_sampling(now, &call);
                    self.emit(SoftphoneEvent::SessionConnected { contact_id });
                }
            }
            SessionEvent::MediaHealth { call, state, cause } => {
                let contact_id = self.contact_of(&call);
                tracing::info!(%contact_id, ?state, ?cause, "media health");
                self.emit(SoftphoneEvent::MediaHealth {
                    contact_id,
                    state,
                    cause,
                });
            }
            SessionEvent::SignalingWarning { call, warning } => {
                let contact_id = call.map(|c| self.contact_of(&c));
                self.emit(SoftphoneEvent::SignalingWarning {
                    contact_id,
                    warning,
                });
            }
            SessionEvent::MultipleSoftphoneActiveSessions => {
                self.emit(SoftphoneEvent::MultipleSoftphoneActiveSessions);
            }
            SessionEvent::SessionFailed { call, reason } => {
                let contact_id = self.contact_of(&call);
                self.emit(SoftphoneEvent::Failed {
                    contact_id,
                    reason,
                    error_type: reason.error_type(),
                });
            }
            SessionEvent::SessionEnded {
                call,
                reason,
                report,
            } => {
                let contact_id = self.contact_of(&call);
                self.finish_sampling(now, &call, reason, &report);
                self.calls.remove(&call);
                tracing::info!(%contact_id, ?reason, "softphone call ended");
                self.emit(SoftphoneEvent::Ended {
                    contact_id,
                    reason,
                    report,
                });
            }
            SessionEvent::PeerConnectionIdle { pc } => {
                tracing::debug!(pc = pc.0, "persistent peer connection idle");
            }
            SessionEvent::PeerConnectionClosed { pc } => {
                tracing::debug!(pc = pc.0, "peer connection closed");
            }
        }
    }
}
