//! Live devices on the endpoint engine (feature `devices`), on whatever this machine has. A
//! machine without a sound card lists no device: that is not a failure of the engine, but
//! every request that needs a device gets a typed error, never a panic. Calls themselves are
//! tested with fake devices.
#![cfg(all(feature = "devices", feature = "mock"))]

mod support;

use connect_vdi::engine::{DeviceSet, EngineConfig};
use connect_vdi::platform::{DeviceId, VdiPlatformKind};
use connect_vdi::protocol::codes::DEVICE_NOT_FOUND;
use connect_vdi::protocol::DeviceKind;
use connect_vdi::{FallbackPolicy, VdiError};
use support::process::engine_process;
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_machines_devices_are_enumerated_and_selected_through_the_protocol() {
    let devices = match DeviceSet::live() {
        Ok(devices) => devices,
        Err(error) => {
            // No readable audio host at all: a typed error.
            assert!(matches!(error, VdiError::Media(_)), "{error:?}");
            return;
        }
    };
    let listed = devices.list();
    let engine = start_engine(EngineConfig::new(TOKEN, devices.clone())).await;
    let (desktop, _events) = desktop(engine.url(), FallbackPolicy::FailClosed).await;

    let seen = desktop.enumerate_devices().await.expect("enumeration");
    let seen_ids: Vec<_> = seen.iter().map(|d| (d.kind, d.id.id.clone())).collect();
    let listed_ids: Vec<_> = listed
        .iter()
        .map(|d| (d.kind, d.device_id.clone()))
        .collect();
    assert_eq!(seen_ids, listed_ids);
    assert!(seen
        .iter()
        .all(|d| d.id.platform == VdiPlatformKind::Engine));

    let unknown = DeviceId::new(VdiPlatformKind::Engine, "no such microphone");
    assert!(matches!(
        desktop
            .select_device(DeviceKind::AudioInput, &unknown)
            .await,
        Err(VdiError::DeviceNotFound(_))
    ));
    if let Some(input) = seen.iter().find(|d| d.kind == DeviceKind::AudioInput) {
        let chosen = desktop
            .select_device(DeviceKind::AudioInput, &input.id)
            .await
            .expect("a listed microphone can be selected");
        assert_eq!(chosen.label, input.label);
    } else {
        // No microphone on this endpoint: a call's media is refused with a typed error.
        let (source, sink, _) = desktop_audio();
        let refused = desktop
            .open_peer(
                connect_softphone::media::PeerConfig::loopback(),
                source,
                sink,
            )
            .await
            .map(|_| ())
            .expect_err("no microphone, no call media");
        assert!(
            matches!(
                refused,
                VdiError::Rpc {
                    code: DEVICE_NOT_FOUND,
                    ..
                }
            ),
            "{refused:?}"
        );
    }
    desktop.shutdown().await;
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_binary_runs_on_live_devices_or_says_why_not() {
    match engine_process(&["--devices", "live"]).await {
        Ok((mut child, url)) => {
            let (desktop, _events) = desktop(url, FallbackPolicy::FailClosed).await;
            let devices = desktop.enumerate_devices().await.expect("enumeration");
            assert!(devices
                .iter()
                .all(|d| d.id.platform == VdiPlatformKind::Engine));
            desktop.shutdown().await;
            child.kill().await.expect("engine stopped");
        }
        Err((code, stderr)) => {
            assert_eq!(code, 1, "a clean failure, not a panic: {stderr}");
            assert!(stderr.contains("audio devices"), "{stderr}");
        }
    }
}
