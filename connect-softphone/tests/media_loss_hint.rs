//! The Opus encoder's loss hint follows the far end's RTCP reports: the agent reaches TURN
//! through a proxy that drops one relayed packet in five once media flows, the customer's
//! reports say so, and the agent's encoder is told.

mod media_support;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use connect_softphone::audio::{AudioDecoder, AudioEncoder, AudioError, AudioFrame};
use connect_softphone::media::{
    AudioCodec, CodecFactory, DefaultCodecs, IceServer, MediaEngine, MediaError, MediaEvent,
    WebRtcEngine,
};
use connect_softphone::mock::turn::SimTurnServer;
use connect_testkit::{first_event, within};
use media_support::{capture, connect, leg, relay_config, Leg};
use tokio::net::UdpSocket;
use tokio::sync::watch;

const DROP_ONE_IN: usize = 5;

/// A UDP proxy in front of the TURN server that, once armed, drops every n-th ChannelData
/// message (relayed media) a client sends.
struct LossyProxy {
    addr: SocketAddr,
    armed: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl LossyProxy {
    async fn start(upstream: SocketAddr) -> Self {
        let socket = Arc::new(UdpSocket::bind("127.0.0.1:0").await.expect("proxy socket"));
        let addr = socket.local_addr().expect("proxy address");
        let armed = Arc::new(AtomicBool::new(false));
        let task = tokio::spawn(Self::run(socket, upstream, Arc::clone(&armed)));
        Self { addr, armed, task }
    }

    async fn run(socket: Arc<UdpSocket>, upstream: SocketAddr, armed: Arc<AtomicBool>) {
        let mut clients: HashMap<SocketAddr, Arc<UdpSocket>> = HashMap::new();
        let relayed = AtomicUsize::new(0);
        let mut buf = vec![0u8; 2048];
        loop {
            let Ok((n, client)) = socket.recv_from(&mut buf).await else {
                return;
            };
            let is_channel_data = (0x40..0x80).contains(&buf[0]);
            if is_channel_data
                && armed.load(Ordering::Relaxed)
                && relayed.fetch_add(1, Ordering::Relaxed) % DROP_ONE_IN == 0
            {
                continue;
            }
            let out = match clients.get(&client) {
                Some(out) => Arc::clone(out),
                None => {
                    let out = Arc::new(UdpSocket::bind("127.0.0.1:0").await.expect("upstream"));
                    out.connect(upstream).await.expect("connect upstream");
                    tokio::spawn(Self::back(Arc::clone(&out), Arc::clone(&socket), client));
                    clients.insert(client, Arc::clone(&out));
                    out
                }
            };
            let _ = out.send(&buf[..n]).await;
        }
    }

    /// Server → client, untouched.
    async fn back(out: Arc<UdpSocket>, socket: Arc<UdpSocket>, client: SocketAddr) {
        let mut buf = vec![0u8; 2048];
        while let Ok(n) = out.recv(&mut buf).await {
            let _ = socket.send_to(&buf[..n], client).await;
        }
    }
}

/// Real codecs, with every loss hint an encoder is given recorded.
struct RecordingCodecs {
    hints: watch::Sender<Vec<u8>>,
}

struct RecordingEncoder {
    inner: Box<dyn AudioEncoder>,
    hints: watch::Sender<Vec<u8>>,
}

impl AudioEncoder for RecordingEncoder {
    fn clock_rate(&self) -> u32 {
        self.inner.clock_rate()
    }
    fn encode(&mut self, frame: &AudioFrame) -> Result<Vec<u8>, AudioError> {
        self.inner.encode(frame)
    }
    fn set_expected_loss(&mut self, percent: u8) {
        self.inner.set_expected_loss(percent);
        self.hints.send_modify(|hints| hints.push(percent));
    }
}

impl CodecFactory for RecordingCodecs {
    fn encoder(&self, codec: AudioCodec) -> Result<Box<dyn AudioEncoder>, MediaError> {
        Ok(Box::new(RecordingEncoder {
            inner: DefaultCodecs::default().encoder(codec)?,
            hints: self.hints.clone(),
        }))
    }
    fn decoder(&self, codec: AudioCodec) -> Result<Box<dyn AudioDecoder>, MediaError> {
        DefaultCodecs::default().decoder(codec)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reported_loss_reaches_the_encoder() {
    let turn = SimTurnServer::start("sim-secret")
        .await
        .expect("TURN server");
    let proxy = LossyProxy::start(turn.addr().expect("TURN address")).await;
    let (hints, mut seen) = watch::channel(Vec::new());
    let agent_engine = WebRtcEngine::with_codecs(Arc::new(RecordingCodecs { hints }));

    let mut agent_config = relay_config(&turn, "agent");
    let server = &agent_config.ice_servers[0];
    agent_config.ice_servers = vec![IceServer {
        urls: vec![format!("turn:{}?transport=udp", proxy.addr)],
        ..server.clone()
    }];
    let (sink, heard) = capture();
    let (peer, events) = agent_engine
        .create_peer(
            agent_config,
            Box::new(connect_softphone::audio::ToneSource::new(440.0, -12.0)),
            sink,
        )
        .await
        .expect("agent peer");
    let mut agent = Leg {
        peer,
        events,
        heard,
    };
    let customer = leg(
        &WebRtcEngine::new(),
        relay_config(&turn, "customer"),
        1_000.0,
    )
    .await;
    connect(&agent, &customer).await;
    first_event!(agent.events, |e| {
        (*e == MediaEvent::Connected).then_some(())
    });
    let first = within("the encoder is made", seen.wait_for(|h| !h.is_empty()))
        .await
        .expect("encoder alive")[0];
    assert_eq!(first, 0, "no loss reported yet");

    proxy.armed.store(true, Ordering::Relaxed);
    let hint = within(
        "a loss report arrives",
        seen.wait_for(|h| h.iter().any(|p| *p > 0)),
    )
    .await
    .expect("encoder alive")
    .iter()
    .copied()
    .find(|p| *p > 0)
    .expect("a non-zero hint");
    eprintln!("one relayed packet in {DROP_ONE_IN} dropped: encoder loss hint {hint} %");
    // One in five dropped is 20 %; one reporting interval is a small sample.
    assert!((5..=40).contains(&hint), "loss hint {hint} %");

    agent.peer.close().await.expect("closed");
    customer.peer.close().await.expect("closed");
    proxy.task.abort();
    turn.stop().await;
}
