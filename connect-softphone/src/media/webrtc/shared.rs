//! State shared by a peer's handle, its event handler and its media loops.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::{broadcast, mpsc, watch};

use super::far_end::FarEndReport;
use crate::audio::{AudioSource, JitterBufferStats};
use crate::media::rtp::{DtmfSender, ReceptionStats};
use crate::media::sdp::PayloadKind;
use crate::media::{IceCandidate, IceState, MediaEvent, NegotiatedCodecs, EVENT_QUEUE};

/// What the gatherer of the current description hears from the event handler.
#[derive(Debug)]
pub(super) enum GatherInput {
    /// A local candidate in JSON form (mid and ufrag filled in by the gatherer).
    Candidate(IceCandidate),
    /// Gathering reported end-of-candidates.
    Complete,
}

/// The codecs in use and the payload types to expect.
#[derive(Clone, Debug)]
pub(super) struct Negotiated {
    pub(super) codecs: NegotiatedCodecs,
    pub(super) payloads: HashMap<u8, PayloadKind>,
}

/// A level (0.0–1.0) stored as `f64` bits.
#[derive(Debug, Default)]
pub(super) struct Level(AtomicU64);

impl Level {
    pub(super) fn set(&self, value: f64) {
        self.0.store(value.to_bits(), Ordering::Relaxed);
    }
    pub(super) fn get(&self) -> f64 {
        f64::from_bits(self.0.load(Ordering::Relaxed))
    }
}

/// Everything the tasks of one peer share.
pub(super) struct Shared {
    pub(super) events: broadcast::Sender<MediaEvent>,
    pub(super) created: Instant,
    pub(super) muted: AtomicBool,
    pub(super) closed: AtomicBool,
    pub(super) source: tokio::sync::Mutex<Box<dyn AudioSource>>,
    /// Set when the source is replaced, so an ended stream is read again.
    pub(super) source_replaced: AtomicBool,
    pub(super) negotiated: Mutex<Option<Negotiated>>,
    pub(super) dtmf: Mutex<DtmfSender>,
    pub(super) gather: Mutex<Option<mpsc::UnboundedSender<GatherInput>>>,
    pub(super) ice_state: Mutex<Option<IceState>>,
    pub(super) first_packet: AtomicBool,
    /// The loss the far end reports about our stream (the encoder's FEC hint).
    pub(super) far_end: Arc<FarEndReport>,
    /// Whether the media transport (ICE and DTLS-SRTP) is up.
    pub(super) transport_up: watch::Sender<bool>,
    pub(super) input_level: Level,
    pub(super) output_level: Level,
    pub(super) concealed: AtomicU64,
    /// RFC 3550 counts of the inbound stream, kept by the receive loop.
    pub(super) reception: Mutex<ReceptionStats>,
    /// The inbound jitter buffer's counters after the last playout tick.
    pub(super) jitter_buffer: Mutex<Option<JitterBufferStats>>,
}

impl Shared {
    pub(super) fn new(source: Box<dyn AudioSource>) -> Self {
        Self {
            events: broadcast::channel(EVENT_QUEUE).0,
            created: now(),
            muted: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            source: tokio::sync::Mutex::new(source),
            source_replaced: AtomicBool::new(false),
            negotiated: Mutex::new(None),
            dtmf: Mutex::new(DtmfSender::default()),
            gather: Mutex::new(None),
            ice_state: Mutex::new(None),
            first_packet: AtomicBool::new(false),
            far_end: Arc::default(),
            transport_up: watch::Sender::new(false),
            input_level: Level::default(),
            output_level: Level::default(),
            concealed: AtomicU64::new(0),
            reception: Mutex::new(ReceptionStats::default()),
            jitter_buffer: Mutex::new(None),
        }
    }

    /// Publishes an event; nobody listening is fine.
    pub(super) fn emit(&self, event: MediaEvent) {
        let _ = self.events.send(event);
    }

    pub(super) fn negotiated(&self) -> Option<Negotiated> {
        lock(&self.negotiated).clone()
    }

    pub(super) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }
}

/// Locks a std mutex, recovering from a poisoned one (a panicked holder left plain data).
pub(super) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The runtime's notion of now (virtual under tokio's paused time), for the sans-IO machines.
pub(super) fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}
