//! Media leaves from the endpoint process, never from the desktop (acceptance target 2): a
//! redirected call between two `connect-media-engine` processes (the agent's endpoint and a
//! far end that answers), driven from this process, which plays the desktop. While the call
//! carries audio, this process owns no UDP socket, and each engine process owns the UDP
//! sockets of its peer — so the check would fail if the desktop side opened a peer itself.
#![cfg(all(feature = "mock", target_os = "linux"))]

mod support;

use connect_softphone::media::{IcePolicy, MediaEvent, PeerConfig};
use connect_testkit::first_event;
use connect_vdi::FallbackPolicy;
use support::process::engine_process;
use support::udp::udp_sockets;
use support::*;

/// An engine process with fake devices and its peers on 127.0.0.1.
async fn engine() -> (tokio::process::Child, String) {
    engine_process(&["--devices", "fake", "--peer-bind", "127.0.0.1:0"])
        .await
        .expect("engine runs")
}

fn host_only() -> PeerConfig {
    PeerConfig {
        ice_policy: IcePolicy::All,
        ..PeerConfig::loopback()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desktop_process_owns_no_udp_socket_during_a_redirected_call() {
    let before = udp_sockets("self");
    let (mut agent_engine, agent_url) = engine().await;
    let (mut far_engine, far_url) = engine().await;
    let (agent_desktop, _) = desktop(agent_url, FallbackPolicy::FailClosed).await;
    let (far_desktop, _) = desktop(far_url, FallbackPolicy::FailClosed).await;

    let (source, sink, desktop_heard) = desktop_audio();
    let (agent, mut agent_events, _) = agent_desktop
        .open_peer(host_only(), source, sink)
        .await
        .expect("agent media on its engine");
    let (source, sink, _) = desktop_audio();
    let (far, mut far_events, _) = far_desktop
        .open_peer(host_only(), source, sink)
        .await
        .expect("far-end media on its engine");
    let offer = agent.create_offer().await.expect("offer");
    let answer = far.accept_offer(offer).await.expect("answer");
    agent.apply_answer(answer).await.expect("answer applied");
    first_event!(agent_events, |e| {
        (*e == MediaEvent::Connected).then_some(())
    });
    for events in [&mut agent_events, &mut far_events] {
        first_event!(events, |e| {
            matches!(e, MediaEvent::FirstPacketReceived { .. }).then_some(())
        });
    }
    let stats = agent.stats().await.expect("agent stats");
    assert!(
        stats.packets_received > 0 && stats.packets_sent > 0,
        "{stats:?}"
    );

    // During the call: no UDP socket in this (desktop) process beyond what it had before...
    let during = udp_sockets("self");
    assert!(
        during.is_subset(&before),
        "the desktop opened UDP sockets: {:?}",
        during.difference(&before).collect::<Vec<_>>()
    );
    // ...while each engine process owns its peer's sockets, which the check does see.
    for engine in [&agent_engine, &far_engine] {
        let pid = engine.id().expect("engine running").to_string();
        assert!(
            !udp_sockets(&pid).is_empty(),
            "engine {pid} owns its peer's UDP sockets"
        );
    }
    let probe = std::net::UdpSocket::bind("127.0.0.1:0").expect("probe socket");
    assert!(
        !udp_sockets("self").is_subset(&before),
        "a UDP socket opened in this process is seen"
    );
    drop(probe);
    assert_eq!(
        desktop_heard.len_samples(),
        0,
        "no audio plays in the desktop"
    );

    agent.close().await.expect("closed");
    far.close().await.expect("closed");
    agent_desktop.shutdown().await;
    far_desktop.shutdown().await;
    for engine in [&mut agent_engine, &mut far_engine] {
        engine.kill().await.expect("engine stopped");
    }
}
