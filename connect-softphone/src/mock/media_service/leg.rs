//! One customer media leg: its peer, what it heard, and the task that follows its media events
//! (digits, first audio) and hangs up on script. On a persistent peer connection one leg
//! carries one contact after another.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::broadcast;
use tokio::task::JoinHandle;

use super::MediaServiceEvent;
use crate::audio::MemorySink;
use crate::media::{MediaEvent, MediaEvents, MediaPeer};

/// The contact a leg carries now (shared with its task).
#[derive(Clone, Debug, Default)]
pub(super) struct CurrentContact(Arc<Mutex<String>>);

impl CurrentContact {
    pub(super) fn new(contact_id: &str) -> Self {
        Self(Arc::new(Mutex::new(contact_id.to_owned())))
    }

    pub(super) fn get(&self) -> String {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(super) fn set(&self, contact_id: &str) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = contact_id.to_owned();
    }
}

/// What a leg keeps while its peer connection lives.
pub(super) struct Leg {
    pub(super) contact: CurrentContact,
    /// The agent connection of the invite that created it.
    pub(super) connection_id: String,
    pub(super) heard: MemorySink,
    pub(super) peer: Arc<dyn MediaPeer>,
    pub(super) task: JoinHandle<()>,
}

impl Leg {
    /// Stops following the leg and closes its peer.
    pub(super) async fn close(self) {
        self.task.abort();
        if let Err(error) = self.peer.close().await {
            tracing::debug!(%error, "customer leg close");
        }
    }
}

/// A scripted hang-up: how long after media is up, and what it does (to the first contact).
pub(super) type HangUp = (Duration, Box<dyn FnOnce() + Send>);

/// Records a decoded digit for a contact.
pub(super) type OnDigit = Box<dyn Fn(&str, char) + Send>;

/// What the leg's task needs.
pub(super) struct LegWatch {
    pub(super) contact: CurrentContact,
    pub(super) connection_id: String,
    pub(super) events: broadcast::Sender<MediaServiceEvent>,
    pub(super) hang_up: Option<HangUp>,
    /// Where decoded digits go: (contact, digit).
    pub(super) on_digit: OnDigit,
}

impl LegWatch {
    /// Follows the leg's media events until the peer goes away.
    pub(super) async fn run(mut self, mut media: MediaEvents) {
        let mut hang_up: Option<std::pin::Pin<Box<tokio::time::Sleep>>> = None;
        loop {
            let timer = async {
                match hang_up.as_mut() {
                    Some(sleep) => sleep.await,
                    None => std::future::pending().await,
                }
            };
            let event = tokio::select! {
                event = media.recv() => match event {
                    Some(event) => event,
                    None => return,
                },
                () = timer => {
                    hang_up = None;
                    self.hang_up_now();
                    continue;
                }
            };
            let contact_id = self.contact.get();
            match event {
                MediaEvent::Connected => {
                    self.emit(MediaServiceEvent::MediaConnected { contact_id });
                    if let (None, Some((after, _))) = (&hang_up, &self.hang_up) {
                        hang_up = Some(Box::pin(tokio::time::sleep(*after)));
                    }
                }
                MediaEvent::FirstPacketReceived { .. } => {
                    self.emit(MediaServiceEvent::FirstAudio { contact_id });
                }
                MediaEvent::DtmfReceived { digit } => {
                    (self.on_digit)(&contact_id, digit);
                    self.emit(MediaServiceEvent::DtmfReceived { contact_id, digit });
                }
                other => {
                    tracing::debug!(connection_id = %self.connection_id, ?other, "customer leg media event");
                }
            }
        }
    }

    fn hang_up_now(&mut self) {
        if let Some((_, action)) = self.hang_up.take() {
            let contact_id = self.contact.get();
            tracing::info!(%contact_id, "simulated customer hangs up");
            action();
            self.emit(MediaServiceEvent::HungUp { contact_id });
        }
    }

    fn emit(&self, event: MediaServiceEvent) {
        let _ = self.events.send(event);
    }
}
