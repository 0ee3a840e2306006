//! Live audio devices on this machine (feature `devices`).
//!
//! On a machine with a sound card the devices are opened for real: capture yields whole 48 kHz
//! frames with running timestamps and playout accepts frames. On a headless machine (no card)
//! nothing can be opened, and the typed errors are checked instead.
#![cfg(all(feature = "devices", not(target_arch = "wasm32")))]

use std::collections::HashSet;

use connect_softphone::audio::devices::{
    list_input_devices, list_output_devices, DeviceInfo, DeviceSink, DeviceSource,
};
use connect_softphone::audio::{AudioError, AudioSink, AudioSource, ToneSource, FRAME_SAMPLES};

fn assert_well_formed(devices: &[DeviceInfo]) {
    let ids: HashSet<&str> = devices.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids.len(), devices.len(), "ids are unique: {devices:?}");
    assert!(devices.iter().filter(|d| d.is_default).count() <= 1);
    for device in devices {
        assert!(
            !device.id.is_empty() && !device.name.is_empty(),
            "{device:?}"
        );
        assert!(device.id.starts_with(&device.name), "{device:?}");
        assert!(
            device.sample_rates.windows(2).all(|w| w[0] < w[1]),
            "{device:?}"
        );
        assert!(device.sample_rates.iter().all(|&r| r > 0), "{device:?}");
    }
}

#[test]
fn enumeration_returns_well_formed_lists() {
    assert_well_formed(&list_input_devices().expect("input devices"));
    assert_well_formed(&list_output_devices().expect("output devices"));
}

#[test]
fn an_unknown_id_is_a_typed_error() {
    let id = "no such device 7f3a";
    let error = DeviceSource::open(Some(id)).expect_err("unknown microphone");
    assert!(
        matches!(&error, AudioError::NoSuchDevice(missing) if missing == id),
        "{error:?}"
    );
    assert!(error.is_device_unavailable());
    assert!(error.to_string().contains(id));

    let error = DeviceSink::open(Some(id)).expect_err("unknown speaker");
    assert!(
        matches!(&error, AudioError::NoSuchDevice(missing) if missing == id),
        "{error:?}"
    );
}

#[tokio::test]
async fn every_listed_microphone_captures_whole_frames() {
    let devices = list_input_devices().expect("input devices");
    let default = DeviceSource::open(None);
    if devices.is_empty() {
        // A machine without a sound card: the default device cannot be opened.
        let error = default.expect_err("no microphone on this machine");
        assert!(error.is_device_unavailable(), "{error:?}");
        return;
    }
    drop(default);
    for device in devices {
        let mut source = DeviceSource::open(Some(&device.id)).expect("listed device opens");
        let info = source.info();
        assert_eq!(info.device_id.as_deref(), Some(device.id.as_str()));
        assert!(info.native_rate > 0);
        for expected in 0..10u64 {
            let frame = source
                .next_frame()
                .await
                .expect("capture")
                .expect("a live device does not end");
            assert_eq!(frame.samples.len(), FRAME_SAMPLES);
            assert_eq!(frame.timestamp, expected * FRAME_SAMPLES as u64);
        }
    }
}

#[tokio::test]
async fn every_listed_speaker_accepts_frames() {
    let devices = list_output_devices().expect("output devices");
    let default = DeviceSink::open(None);
    if devices.is_empty() {
        let error = default.expect_err("no speaker on this machine");
        assert!(error.is_device_unavailable(), "{error:?}");
        return;
    }
    drop(default);
    let mut tone = ToneSource::new(440.0, -30.0);
    for device in devices {
        let mut sink = DeviceSink::open(Some(&device.id)).expect("listed device opens");
        assert_eq!(sink.device_id(), device.id);
        for _ in 0..5 {
            let frame = tone.next_frame().await.expect("tone").expect("endless");
            sink.write_frame(&frame).await.expect("play");
        }
        sink.flush().await.expect("flush");
        assert_eq!(sink.dropped_frames(), 0);
    }
}
