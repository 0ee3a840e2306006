//! Live audio devices on the endpoint (feature `devices`): the device set filled from the
//! machine's own device lists (cpal, through connect-softphone), and each call's playout on a
//! live speaker. A capture device is opened when a call starts sending from it and closed when
//! the call ends; a playout device is opened at the call's first frame and follows the
//! selected output.
//!
//! A machine without a sound card lists no device: the engine still runs, `enumerateDevices`
//! returns an empty list and `getUserMedia` fails with `-32010` (device not found).

use connect_softphone::audio::devices::{
    list_input_devices, list_output_devices, DeviceInfo as HostDevice, DeviceSink,
};
use connect_softphone::audio::{AudioError, AudioFrame, AudioSink};
use tracing::warn;

use super::devices::OutputSpec;
use super::{DeviceSet, InputSpec};
use crate::protocol::DeviceKind;
use crate::VdiError;

impl DeviceSet {
    /// The machine's capture and playout devices, the system defaults selected. An audio host
    /// that cannot be read is a [`VdiError::Media`]; an empty list is not an error (a warning
    /// is logged).
    ///
    /// ```no_run
    /// use connect_vdi::engine::DeviceSet;
    ///
    /// let devices = DeviceSet::live().expect("audio host");
    /// for device in devices.list() {
    ///     println!("{:?} {} {}", device.kind, device.device_id, device.label);
    /// }
    /// ```
    pub fn live() -> Result<Self, VdiError> {
        let host = |e: AudioError| VdiError::Media(format!("audio devices: {e}"));
        let inputs = list_input_devices().map_err(host)?;
        let outputs = list_output_devices().map_err(host)?;
        if inputs.is_empty() || outputs.is_empty() {
            warn!(target: "connect_vdi::engine", inputs = inputs.len(), outputs = outputs.len(), "this endpoint lacks live audio devices: calls need a microphone and a speaker");
        }
        Ok(Self::from_host_lists(&inputs, &outputs))
    }

    /// A device set over these device lists (as [`list_input_devices`] and
    /// [`list_output_devices`] return them): each device keeps its id and name, and the
    /// devices flagged default are selected (else the first of each kind).
    ///
    /// ```
    /// use connect_softphone::audio::devices::DeviceInfo;
    /// use connect_vdi::engine::DeviceSet;
    ///
    /// let device = |id: &str, is_default| DeviceInfo {
    ///     id: id.into(), name: id.into(), is_default, channels: 1, sample_rates: vec![48_000],
    /// };
    /// let set = DeviceSet::from_host_lists(&[device("Mic", false), device("Headset", true)], &[]);
    /// assert_eq!(set.input(None).map(|d| d.device_id), Some("Headset".into()));
    /// assert!(DeviceSet::from_host_lists(&[], &[]).list().is_empty());
    /// ```
    pub fn from_host_lists(inputs: &[HostDevice], outputs: &[HostDevice]) -> Self {
        let set = Self::new();
        for device in inputs {
            set.plug_input(&device.id, &device.name, InputSpec::Live(device.id.clone()));
        }
        for device in outputs {
            set.plug_output(
                &device.id,
                &device.name,
                OutputSpec::Live(device.id.clone()),
            );
        }
        for (list, kind) in [
            (inputs, DeviceKind::AudioInput),
            (outputs, DeviceKind::AudioOutput),
        ] {
            if let Some(default) = list.iter().find(|d| d.is_default) {
                let _ = set.select(kind, &default.id);
            }
        }
        set
    }
}

/// One call's playout on a live device: opened at the first frame, reopened when the selected
/// output changes, closed with the call. A device that fails to open is not retried (and not
/// logged again) until the selection changes.
#[derive(Default)]
pub(super) struct LivePlayout {
    open: Option<(String, DeviceSink)>,
    failed: Option<String>,
}

impl LivePlayout {
    pub(super) async fn write_frame(
        &mut self,
        id: &str,
        frame: &AudioFrame,
    ) -> Result<(), AudioError> {
        if self.open.as_ref().is_some_and(|(open, _)| open == id) {
            if let Some((_, sink)) = self.open.as_mut() {
                return sink.write_frame(frame).await;
            }
        }
        if self.failed.as_deref() == Some(id) {
            return Ok(());
        }
        self.open = None;
        match DeviceSink::open(Some(id)) {
            Ok(mut sink) => {
                self.failed = None;
                let written = sink.write_frame(frame).await;
                self.open = Some((id.to_owned(), sink));
                written
            }
            Err(error) => {
                warn!(target: "connect_vdi::engine", device = id, %error, "playout device unavailable: this call plays nothing");
                self.failed = Some(id.to_owned());
                Err(error)
            }
        }
    }

    pub(super) async fn flush(&mut self) -> Result<(), AudioError> {
        match self.open.as_mut() {
            Some((_, sink)) => sink.flush().await,
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(id: &str, is_default: bool) -> HostDevice {
        HostDevice {
            id: id.into(),
            name: format!("{id} (name)"),
            is_default,
            channels: 2,
            sample_rates: vec![44_100, 48_000],
        }
    }

    #[test]
    fn host_lists_become_devices_with_the_defaults_selected() {
        let set = DeviceSet::from_host_lists(
            &[host("Mic", false), host("Headset", true)],
            &[host("Speakers", true), host("Headset", false)],
        );
        let listed: Vec<_> = set
            .list()
            .into_iter()
            .map(|d| (d.kind, d.device_id, d.label, d.is_default))
            .collect();
        assert_eq!(
            listed,
            [
                (
                    DeviceKind::AudioInput,
                    "Mic".into(),
                    "Mic (name)".into(),
                    false
                ),
                (
                    DeviceKind::AudioInput,
                    "Headset".into(),
                    "Headset (name)".into(),
                    true
                ),
                (
                    DeviceKind::AudioOutput,
                    "Speakers".into(),
                    "Speakers (name)".into(),
                    true
                ),
                (
                    DeviceKind::AudioOutput,
                    "Headset".into(),
                    "Headset (name)".into(),
                    false
                ),
            ]
        );
        assert!(set.select(DeviceKind::AudioInput, "Mic").is_some());
        assert!(set.select(DeviceKind::AudioInput, "Speakers").is_none());
    }

    #[test]
    fn no_default_selects_the_first_and_empty_lists_give_an_empty_set() {
        let set = DeviceSet::from_host_lists(&[host("A", false), host("B", false)], &[]);
        assert_eq!(set.input(None).map(|d| d.device_id), Some("A".into()));
        let empty = DeviceSet::from_host_lists(&[], &[]);
        assert!(empty.list().is_empty());
        assert!(empty.input(None).is_none());
        assert!(matches!(
            empty.open_input("A"),
            Err(AudioError::NoSuchDevice(id)) if id == "A"
        ));
    }

    #[tokio::test]
    async fn a_live_speaker_that_cannot_open_fails_once_then_stays_quiet() {
        let mut playout = LivePlayout::default();
        let frame = AudioFrame::silence(0);
        let first = playout.write_frame("no such speaker", &frame).await;
        assert!(first.is_err(), "{first:?}");
        assert!(playout.write_frame("no such speaker", &frame).await.is_ok());
        assert!(playout.open.is_none());
    }
}
