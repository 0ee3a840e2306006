//! The engine's audio devices: capture sources and playout sinks, the selected pair, and a sink
//! that follows the selected output so playout can move mid-call.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use connect_softphone::audio::{
    AudioError, AudioFrame, AudioSink, AudioSource, SilenceSource, ToneSource, WavFileSource,
};

use crate::protocol::{DeviceInfo, DeviceKind};

/// What a capture device produces.
#[derive(Clone, Debug, PartialEq)]
pub enum InputSpec {
    /// A sine tone (a fake microphone for tests and CI without audio hardware).
    Tone {
        /// Frequency, Hz.
        freq_hz: f64,
        /// Level, dBFS.
        level_dbfs: f64,
    },
    /// Digital silence.
    Silence,
    /// A WAV file, looped.
    Wav(PathBuf),
    /// A live capture device of this machine, by its id (feature `devices`); opened for each
    /// call that sends from it, closed when the call ends.
    #[cfg(feature = "devices")]
    Live(String),
}

impl InputSpec {
    fn open(&self) -> Result<Box<dyn AudioSource>, AudioError> {
        Ok(match self {
            Self::Tone {
                freq_hz,
                level_dbfs,
            } => Box::new(ToneSource::new(*freq_hz, *level_dbfs)),
            Self::Silence => Box::new(SilenceSource::new()),
            Self::Wav(path) => Box::new(WavFileSource::open(path)?.looping(true)),
            #[cfg(feature = "devices")]
            Self::Live(id) => Box::new(connect_softphone::audio::devices::DeviceSource::open(
                Some(id),
            )?),
        })
    }
}

type SharedSink = Arc<tokio::sync::Mutex<Box<dyn AudioSink>>>;

/// A playout device.
#[derive(Clone)]
pub(super) enum OutputSpec {
    /// A sink every call plays into (fake speakers, recorders).
    Sink(SharedSink),
    /// A live playout device of this machine, by its id, opened for each call's playout.
    #[cfg(feature = "devices")]
    Live(String),
}

struct State {
    inputs: Vec<(DeviceInfo, InputSpec)>,
    outputs: Vec<(DeviceInfo, OutputSpec)>,
    input: Option<String>,
    output: Option<String>,
}

/// The engine's devices. Clones share one set.
///
/// ```
/// use connect_softphone::audio::MemorySink;
/// use connect_vdi::engine::{DeviceSet, InputSpec};
///
/// let recorder = MemorySink::new();
/// let devices = DeviceSet::new()
///     .with_input("mic", "Tone 440 Hz", InputSpec::Tone { freq_hz: 440.0, level_dbfs: -12.0 })
///     .with_output("speaker", "Recorder", Box::new(recorder.clone()));
/// assert_eq!(devices.list().len(), 2);
/// ```
#[derive(Clone)]
pub struct DeviceSet {
    state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for DeviceSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceSet")
            .field("devices", &self.list())
            .finish()
    }
}

impl Default for DeviceSet {
    fn default() -> Self {
        Self::new()
    }
}

impl DeviceSet {
    /// No devices.
    pub fn new() -> Self {
        Self {
            state: Arc::new(Mutex::new(State {
                inputs: Vec::new(),
                outputs: Vec::new(),
                input: None,
                output: None,
            })),
        }
    }

    /// Fake devices for machines without audio hardware: a tone microphone, a silent one, and
    /// a discarding speaker (`--fake-devices`).
    pub fn fake(tone_hz: f64) -> Self {
        Self::new()
            .with_input(
                "tone",
                &format!("Tone {tone_hz} Hz"),
                InputSpec::Tone {
                    freq_hz: tone_hz,
                    level_dbfs: -12.0,
                },
            )
            .with_input("silence", "Silence", InputSpec::Silence)
            .with_output(
                "null",
                "Null speaker",
                Box::new(connect_softphone::audio::NullSink::new()),
            )
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn info(id: &str, kind: DeviceKind, label: &str) -> DeviceInfo {
        DeviceInfo {
            device_id: id.to_owned(),
            kind,
            label: label.to_owned(),
            group_id: String::new(),
            is_default: false,
        }
    }

    /// Adds a capture device (the first one is the default).
    pub fn with_input(self, id: &str, label: &str, spec: InputSpec) -> Self {
        self.plug_input(id, label, spec);
        self
    }

    /// Adds a playout device (the first one is the default).
    pub fn with_output(self, id: &str, label: &str, sink: Box<dyn AudioSink>) -> Self {
        self.plug_output(
            id,
            label,
            OutputSpec::Sink(Arc::new(tokio::sync::Mutex::new(sink))),
        );
        self
    }

    pub(super) fn plug_output(&self, id: &str, label: &str, spec: OutputSpec) {
        let mut state = self.lock();
        state.outputs.retain(|(d, _)| d.device_id != id);
        state
            .outputs
            .push((Self::info(id, DeviceKind::AudioOutput, label), spec));
        state.output.get_or_insert_with(|| id.to_owned());
    }

    /// Hot-plugs a capture device.
    pub fn plug_input(&self, id: &str, label: &str, spec: InputSpec) {
        let mut state = self.lock();
        state.inputs.retain(|(d, _)| d.device_id != id);
        state
            .inputs
            .push((Self::info(id, DeviceKind::AudioInput, label), spec));
        state.input.get_or_insert_with(|| id.to_owned());
    }

    /// Unplugs a device; a selected one falls back to the first remaining of its kind.
    pub fn unplug(&self, id: &str) {
        let mut state = self.lock();
        state.inputs.retain(|(d, _)| d.device_id != id);
        state.outputs.retain(|(d, _)| d.device_id != id);
        if state.input.as_deref() == Some(id) {
            state.input = state.inputs.first().map(|(d, _)| d.device_id.clone());
        }
        if state.output.as_deref() == Some(id) {
            state.output = state.outputs.first().map(|(d, _)| d.device_id.clone());
        }
    }

    /// Every device, the selected ones marked default.
    pub fn list(&self) -> Vec<DeviceInfo> {
        let state = self.lock();
        let mark = |(info, selected): (&DeviceInfo, &Option<String>)| DeviceInfo {
            is_default: selected.as_deref() == Some(info.device_id.as_str()),
            ..info.clone()
        };
        let inputs = state.inputs.iter().map(|(d, _)| mark((d, &state.input)));
        let outputs = state.outputs.iter().map(|(d, _)| mark((d, &state.output)));
        inputs.chain(outputs).collect()
    }

    /// The capture device `id` (the selected one when `None`).
    pub fn input(&self, id: Option<&str>) -> Option<DeviceInfo> {
        let state = self.lock();
        let id = id.or(state.input.as_deref())?;
        state
            .inputs
            .iter()
            .find(|(d, _)| d.device_id == id)
            .map(|(d, _)| d.clone())
    }

    /// Starts capturing from `id`.
    pub fn open_input(&self, id: &str) -> Result<Box<dyn AudioSource>, AudioError> {
        let spec = {
            let state = self.lock();
            state
                .inputs
                .iter()
                .find(|(d, _)| d.device_id == id)
                .map(|(_, s)| s.clone())
        };
        spec.ok_or_else(|| AudioError::NoSuchDevice(id.to_owned()))?
            .open()
    }

    /// Selects a device; `None` when no device of that kind has this id.
    pub fn select(&self, kind: DeviceKind, id: &str) -> Option<DeviceInfo> {
        let mut state = self.lock();
        let found = match kind {
            DeviceKind::AudioInput => state
                .inputs
                .iter()
                .find(|(d, _)| d.device_id == id)
                .map(|(d, _)| d.clone()),
            DeviceKind::AudioOutput => state
                .outputs
                .iter()
                .find(|(d, _)| d.device_id == id)
                .map(|(d, _)| d.clone()),
        }?;
        match kind {
            DeviceKind::AudioInput => state.input = Some(id.to_owned()),
            DeviceKind::AudioOutput => state.output = Some(id.to_owned()),
        }
        Some(found)
    }

    /// A sink that plays into whichever output is selected at each frame.
    pub fn playout(&self) -> Box<dyn AudioSink> {
        Box::new(Playout {
            devices: self.clone(),
            #[cfg(feature = "devices")]
            live: super::live::LivePlayout::default(),
        })
    }

    fn current_output(&self) -> Option<OutputSpec> {
        let state = self.lock();
        let id = state.output.as_deref()?;
        state
            .outputs
            .iter()
            .find(|(d, _)| d.device_id == id)
            .map(|(_, s)| s.clone())
    }
}

struct Playout {
    devices: DeviceSet,
    #[cfg(feature = "devices")]
    live: super::live::LivePlayout,
}

#[async_trait]
impl AudioSink for Playout {
    async fn write_frame(&mut self, frame: &AudioFrame) -> Result<(), AudioError> {
        match self.devices.current_output() {
            Some(OutputSpec::Sink(sink)) => sink.lock().await.write_frame(frame).await,
            #[cfg(feature = "devices")]
            Some(OutputSpec::Live(id)) => self.live.write_frame(&id, frame).await,
            None => Ok(()),
        }
    }

    async fn flush(&mut self) -> Result<(), AudioError> {
        match self.devices.current_output() {
            Some(OutputSpec::Sink(sink)) => sink.lock().await.flush().await,
            #[cfg(feature = "devices")]
            Some(OutputSpec::Live(_)) => self.live.flush().await,
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connect_softphone::audio::MemorySink;

    #[tokio::test]
    async fn playout_follows_the_selected_output_and_unplug_reverts() {
        let (a, b) = (MemorySink::new(), MemorySink::new());
        let devices = DeviceSet::fake(440.0)
            .with_output("a", "A", Box::new(a.clone()))
            .with_output("b", "B", Box::new(b.clone()));
        assert!(devices.select(DeviceKind::AudioOutput, "a").is_some());
        let mut playout = devices.playout();
        playout
            .write_frame(&AudioFrame::silence(0))
            .await
            .expect("write");
        assert!(devices.select(DeviceKind::AudioOutput, "b").is_some());
        playout
            .write_frame(&AudioFrame::silence(960))
            .await
            .expect("write");
        assert_eq!((a.len_samples(), b.len_samples()), (960, 960));
        assert!(devices.select(DeviceKind::AudioOutput, "tone").is_none());
        assert!(devices.select(DeviceKind::AudioInput, "silence").is_some());
        devices.unplug("silence");
        assert_eq!(
            devices.input(None).map(|d| d.device_id),
            Some("tone".into())
        );
        assert!(devices.open_input("silence").is_err());
        let defaults: Vec<_> = devices
            .list()
            .into_iter()
            .filter(|d| d.is_default)
            .map(|d| d.device_id)
            .collect();
        assert_eq!(defaults, ["tone", "b"]);
    }
}
