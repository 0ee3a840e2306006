//! Shared helpers of the loopback tests: an in-process engine with a tone microphone and a
//! recording speaker, the desktop side, a customer leg through the simulated TURN server, and
//! waits for a connected peer and for audio.

#![allow(dead_code)]

pub mod process;
#[cfg(feature = "mock")]
pub mod softphone;
#[cfg(target_os = "linux")]
pub mod udp;

use std::sync::Arc;
use std::time::Duration;

use connect_softphone::audio::{detect_tone, MemorySink, SilenceSource, ToneSource};
use connect_softphone::media::{
    IcePolicy, MediaEngine, MediaEvents, MediaPeer, NegotiatedCodecs, PeerConfig, WebRtcEngine,
};
use connect_softphone::mock::turn::SimTurnServer;
use connect_testkit::within;
use connect_vdi::engine::{DeviceSet, EngineConfig, InputSpec};
use connect_vdi::platform::{EngineEndpoint, VdiEvents};
use connect_vdi::{EndpointEngine, FallbackPolicy, RedirectedMediaEngine};
/// The pairing token of the tests (128+ bits).
pub const TOKEN: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
/// Frames per second of 20 ms audio.
pub const FRAMES_PER_SECOND: usize = 50;
/// Samples per second at 48 kHz.
pub const SAMPLES_PER_SECOND: usize = 48_000;

/// The engine's tone (the agent's voice).
pub const AGENT_TONE: f64 = 440.0;
/// The customer's tone.
pub const CUSTOMER_TONE: f64 = 1_000.0;

/// An in-process engine and what its speaker recorded.
pub struct Engine {
    pub engine: EndpointEngine,
    pub heard: MemorySink,
}

/// The engine's configuration: a tone microphone, a recording speaker, loopback sockets.
pub fn engine_config() -> (EngineConfig, MemorySink) {
    let heard = MemorySink::new();
    let devices = DeviceSet::new()
        .with_input(
            "mic",
            "Tone microphone",
            InputSpec::Tone {
                freq_hz: AGENT_TONE,
                level_dbfs: -12.0,
            },
        )
        .with_input("quiet", "Silent microphone", InputSpec::Silence)
        .with_output("speaker", "Recorder", Box::new(heard.clone()));
    let mut config = EngineConfig::new(TOKEN, devices);
    config.peer_bind_addrs = vec!["127.0.0.1:0".into()];
    (config, heard)
}

/// Starts an engine on `127.0.0.1:0`.
pub async fn start_engine(config: EngineConfig) -> EndpointEngine {
    EndpointEngine::start(config, "127.0.0.1:0")
        .await
        .expect("engine listens")
}

/// The endpoint of an engine URL with the test token.
pub fn endpoint(url: String) -> EngineEndpoint {
    EngineEndpoint {
        url,
        token: TOKEN.into(),
    }
}

/// Connects the desktop side.
pub async fn desktop(url: String, policy: FallbackPolicy) -> (RedirectedMediaEngine, VdiEvents) {
    RedirectedMediaEngine::builder(endpoint(url))
        .policy(policy)
        .connect()
        .await
        .expect("valid configuration")
}

/// Waits for `Connected` and returns the codecs announced before it.
pub async fn codecs_then_connected(events: &mut MediaEvents) -> NegotiatedCodecs {
    within("the peer connects", events.connected())
        .await
        .expect("CodecsNegotiated, then Connected")
}

/// Waits until `sink` holds `samples` samples.
pub async fn wait_samples(sink: &MemorySink, samples: usize) {
    within("audio keeps arriving", sink.wait_for_samples(samples)).await;
}

/// The next `seconds` of audio `sink` records.
pub async fn next_audio(sink: &MemorySink, seconds: f64) -> Vec<i16> {
    let from = sink.len_samples();
    let count = (seconds * SAMPLES_PER_SECOND as f64) as usize;
    wait_samples(sink, from + count).await;
    sink.samples()[from..from + count].to_vec()
}

/// Whether `freq` dominates these 48 kHz samples at a usable level.
pub fn has_tone(samples: &[i16], freq: f64) -> bool {
    detect_tone(samples, 48_000, freq).is_present(-30.0)
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

/// The customer's side of a call: a WebRTC peer playing a tone and recording what it hears.
pub struct Customer {
    pub peer: Arc<dyn MediaPeer>,
    pub events: MediaEvents,
    pub heard: MemorySink,
}

/// Creates the customer's peer.
pub async fn customer(turn: &SimTurnServer) -> Customer {
    let heard = MemorySink::new();
    let (peer, events) = WebRtcEngine::new()
        .create_peer(
            relay_config(turn, "customer"),
            Box::new(ToneSource::new(CUSTOMER_TONE, -12.0)),
            Box::new(heard.clone()),
        )
        .await
        .expect("customer peer");
    Customer {
        peer,
        events,
        heard,
    }
}

/// The desktop-side source and sink handed to `create_peer` (unused when redirected).
pub fn desktop_audio() -> (Box<SilenceSource>, Box<MemorySink>, MemorySink) {
    let sink = MemorySink::new();
    (Box::new(SilenceSource::new()), Box::new(sink.clone()), sink)
}

/// Offer from the agent's (redirected) peer, answer from the customer, answer applied.
pub async fn negotiate(agent: &Arc<dyn MediaPeer>, customer: &Customer) {
    let offer = agent
        .create_offer()
        .await
        .expect("offer gathered on the endpoint");
    assert!(
        !offer.candidates.is_empty() && offer.candidates.iter().all(|c| c.is_relay()),
        "{:?}",
        offer.candidates
    );
    assert!(
        offer.sdp.contains("minptime=20;useinbandfec=1;usedtx=0"),
        "munged: {}",
        offer.sdp
    );
    let answer = customer
        .peer
        .accept_offer(offer)
        .await
        .expect("customer answers");
    agent
        .apply_answer(answer)
        .await
        .expect("answer applied on the endpoint");
}
