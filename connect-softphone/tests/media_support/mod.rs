//! Shared helpers of the media tests: a capturing sink, call set-up over the simulated TURN
//! server, and the wait for a connected peer.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use connect_softphone::audio::{detect_tone, AudioError, AudioFrame, AudioSink, ToneSource};
use connect_softphone::media::{
    IcePolicy, MediaEngine, MediaEvents, MediaPeer, NegotiatedCodecs, PeerConfig, WebRtcEngine,
};
use connect_softphone::mock::turn::SimTurnServer;
use connect_testkit::within;
use tokio::sync::watch;

/// Frames per second of 20 ms audio.
pub const FRAMES_PER_SECOND: usize = 50;

/// Records every sample a peer plays out.
#[derive(Clone)]
pub struct Capture {
    samples: Arc<Mutex<Vec<i16>>>,
    frames: watch::Receiver<usize>,
}

struct CaptureSink {
    samples: Arc<Mutex<Vec<i16>>>,
    frames: watch::Sender<usize>,
}

#[async_trait]
impl AudioSink for CaptureSink {
    async fn write_frame(&mut self, frame: &AudioFrame) -> Result<(), AudioError> {
        let count = {
            let mut samples = self.samples.lock().expect("capture lock");
            samples.extend_from_slice(&frame.samples);
            samples.len() / 960
        };
        self.frames.send_replace(count);
        Ok(())
    }
}

/// A sink and the handle that reads what it captured.
pub fn capture() -> (Box<dyn AudioSink>, Capture) {
    let samples = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = watch::channel(0);
    (
        Box::new(CaptureSink {
            samples: Arc::clone(&samples),
            frames: tx,
        }),
        Capture {
            samples,
            frames: rx,
        },
    )
}

impl Capture {
    /// Frames captured so far.
    pub fn frames(&self) -> usize {
        *self.frames.borrow()
    }

    /// Waits until at least `count` frames were captured.
    pub async fn wait_frames(&self, count: usize) {
        let mut frames = self.frames.clone();
        within("audio keeps arriving", frames.wait_for(|n| *n >= count))
            .await
            .expect("sink alive");
    }

    /// The samples of frames `from..to`.
    pub fn window(&self, from: usize, to: usize) -> Vec<i16> {
        let samples = self.samples.lock().expect("capture lock");
        samples[from * 960..(to * 960).min(samples.len())].to_vec()
    }

    /// Waits for `count` more frames and returns them.
    pub async fn next_frames(&self, count: usize) -> Vec<i16> {
        let from = self.frames();
        self.wait_frames(from + count).await;
        self.window(from, from + count)
    }

    /// Waits for stretches of `frames` frames until one satisfies `heard`, and returns it.
    pub async fn until_frames(
        &self,
        frames: usize,
        mut heard: impl FnMut(&[i16]) -> bool,
    ) -> Vec<i16> {
        within("the awaited audio is heard", async {
            loop {
                let stretch = self.next_frames(frames).await;
                if heard(&stretch) {
                    return stretch;
                }
            }
        })
        .await
    }
}

/// Whether `freq` dominates these 48 kHz samples at a usable level.
pub fn has_tone(samples: &[i16], freq: f64) -> bool {
    detect_tone(samples, 48_000, freq).is_present(-30.0)
}

/// Waits for `Connected` and returns the codecs announced before it.
pub async fn codecs_then_connected(events: &mut MediaEvents) -> NegotiatedCodecs {
    within("the peer connects", events.connected())
        .await
        .expect("CodecsNegotiated, then Connected")
}

/// A relay-only peer configuration with fresh credentials from `turn`.
pub fn relay_config(turn: &SimTurnServer, name: &str) -> PeerConfig {
    PeerConfig {
        ice_servers: vec![turn.issue_credentials(name, Duration::from_secs(3600))],
        ice_policy: IcePolicy::Relay,
        bind_addrs: vec!["127.0.0.1:0".to_owned()],
        ..PeerConfig::default()
    }
}

/// One side of a call under test.
pub struct Leg {
    pub peer: Arc<dyn MediaPeer>,
    pub events: MediaEvents,
    pub heard: Capture,
}

/// Creates a peer playing a tone of `freq` Hz.
pub async fn leg(engine: &WebRtcEngine, config: PeerConfig, freq: f64) -> Leg {
    let (sink, heard) = capture();
    let (peer, events) = engine
        .create_peer(config, Box::new(ToneSource::new(freq, -12.0)), sink)
        .await
        .expect("peer created");
    Leg {
        peer,
        events,
        heard,
    }
}

/// Offer from `agent`, answer from `customer`, answer applied: the non-trickle exchange the
/// softphone's `invite` carries.
pub async fn connect(agent: &Leg, customer: &Leg) {
    let offer = agent.peer.create_offer().await.expect("offer gathered");
    let answer = customer
        .peer
        .accept_offer(offer)
        .await
        .expect("answer gathered");
    agent
        .peer
        .apply_answer(answer)
        .await
        .expect("answer applied");
}
