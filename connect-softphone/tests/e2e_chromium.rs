//! End to end with a real browser: headless Chromium's own WebRTC stack and the Rust media
//! engine exchange Opus audio through a real coturn relay (relay-only on both sides), each
//! side checking the other's tone. Chromium offers as the agent's browser and the engine
//! answers as the media service does; then the engine offers and Chromium answers.
//! `scripts/setup chromium` and `scripts/setup coturn` install the two; without them these
//! tests fail.
#![cfg(feature = "mock")]

mod e2e;
mod media_support;

use std::time::{Duration, Instant};

use connect_softphone::media::{
    IceCandidate, IcePolicy, MediaEvent, PeerConfig, SessionDescription, WebRtcEngine,
};
use connect_testkit::first_event;
use e2e::chromium::Chromium;
use e2e::coturn::Coturn;
use e2e::page::PageServer;
use media_support::{has_tone, leg, Leg, FRAMES_PER_SECOND};
use serde_json::json;

/// What the Rust peer sends.
const RUST_TONE: f64 = 440.0;
/// What the browser sends.
const BROWSER_TONE: f64 = 1_000.0;
/// One-second windows the Rust side listens through before the browser's tone must be there.
const LISTEN_WINDOWS: usize = 5;

/// A call between the Rust engine and a Chromium page, relayed by coturn.
struct Call {
    rust: Leg,
    page: PageServer,
    started: Instant,
    // Dropped last: the browser, then the relay.
    _browser: Chromium,
    _engine: WebRtcEngine,
    _coturn: Coturn,
}

impl Call {
    /// Starts coturn, the Rust peer and the browser; the page takes `role` ("offer" / "answer").
    async fn start(role: &str) -> Call {
        let started = Instant::now();
        let coturn = Coturn::start("e2e-chromium-secret").await;
        let hour = Duration::from_secs(3600);
        let engine = WebRtcEngine::new();
        let config = PeerConfig {
            ice_servers: vec![coturn.ice_server("rust", hour)],
            ice_policy: IcePolicy::Relay,
            bind_addrs: vec!["127.0.0.1:0".to_owned()],
            ..PeerConfig::default()
        };
        let rust = leg(&engine, config, RUST_TONE).await;
        let page = PageServer::start().await;
        let browser_server = coturn.ice_server("chromium", hour);
        page.send(json!({
            "type": "config",
            "role": role,
            "iceServers": [{
                "urls": browser_server.urls,
                "username": browser_server.username,
                "credential": browser_server.credential.expose(),
            }],
            "sendHz": BROWSER_TONE,
            "listenHz": RUST_TONE,
        }));
        let browser = Chromium::open(&page.url());
        Call {
            rust,
            page,
            started,
            _browser: browser,
            _engine: engine,
            _coturn: coturn,
        }
    }

    /// The page's next description of `kind`.
    async fn description_from_page(&mut self, kind: &str) -> SessionDescription {
        let message = self.page.recv().await;
        assert_eq!(message["type"], kind, "{message}");
        let candidates: Vec<IceCandidate> =
            serde_json::from_value(message["candidates"].clone()).expect("candidate list");
        assert!(
            !candidates.is_empty() && candidates.iter().all(IceCandidate::is_relay),
            "Chromium gathered relay candidates only: {candidates:?}"
        );
        eprintln!(
            "Chromium's {kind}:\n{}",
            message["sdp"].as_str().unwrap_or_default()
        );
        SessionDescription {
            sdp: message["sdp"].as_str().expect("sdp text").to_owned(),
            candidates,
        }
    }

    /// Sends a description of `kind` to the page.
    fn description_to_page(&self, kind: &str, description: &SessionDescription) {
        eprintln!("the engine's {kind}:\n{}", description.sdp);
        self.page.send(json!({
            "type": kind,
            "sdp": description.sdp,
            "candidates": description.candidates,
        }));
    }

    /// Waits for the media to connect, checks the audio both ways and hangs up.
    async fn check_audio_both_ways(mut self) {
        first_event!(self.rust.events, |e| {
            (*e == MediaEvent::Connected).then_some(())
        });
        let connected = self.started.elapsed();
        let mut windows = 0;
        let heard = loop {
            windows += 1;
            let window = self.rust.heard.next_frames(FRAMES_PER_SECOND).await;
            if has_tone(&window, BROWSER_TONE) || windows == LISTEN_WINDOWS {
                break window;
            }
        };
        assert!(
            has_tone(&heard, BROWSER_TONE),
            "the Rust peer hears Chromium's {BROWSER_TONE} Hz tone within {LISTEN_WINDOWS} s"
        );
        let report = self.page.recv().await;
        assert_eq!(report["type"], "report", "{report}");
        eprintln!(
            "connected after {connected:?}; Rust heard the tone in second {windows}; \
             Chromium's report: {report}; total {:?}",
            self.started.elapsed()
        );
        assert_eq!(report["mimeType"], "audio/opus", "{report}");
        let share = report["toneShare"].as_f64().expect("toneShare");
        let peak = report["peakHz"].as_f64().expect("peakHz");
        assert!(
            share > 0.5 && (peak - RUST_TONE).abs() < 20.0,
            "Chromium hears the Rust peer's {RUST_TONE} Hz tone: {report}"
        );
        self.rust.peer.close().await.expect("closed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_offers_and_the_rust_engine_answers_through_coturn() {
    let mut call = Call::start("offer").await;
    let offer = call.description_from_page("offer").await;
    let answer = call
        .rust
        .peer
        .accept_offer(offer)
        .await
        .expect("the engine answers Chromium's offer");
    call.description_to_page("answer", &answer);
    call.check_audio_both_ways().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rust_engine_offers_and_chromium_answers_through_coturn() {
    let mut call = Call::start("answer").await;
    let offer = call
        .rust
        .peer
        .create_offer()
        .await
        .expect("offer gathered via coturn");
    call.description_to_page("offer", &offer);
    let answer = call.description_from_page("answer").await;
    call.rust
        .peer
        .apply_answer(answer)
        .await
        .expect("the engine applies Chromium's answer");
    call.check_audio_both_ways().await;
}
