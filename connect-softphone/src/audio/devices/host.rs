//! The machine's audio devices through cpal's default host: enumeration, lookup by id, and the
//! stream configuration chosen for a device.

use cpal::traits::{DeviceTrait, HostTrait};

use crate::audio::{AudioError, SAMPLE_RATE};

use super::convert::{rates_in_ranges, unique_ids};

/// One capture or playout device, as listed by [`list_input_devices`] or [`list_output_devices`].
///
/// ```
/// use connect_softphone::audio::devices::DeviceInfo;
///
/// let headset = DeviceInfo {
///     id: "USB Headset".into(),
///     name: "USB Headset".into(),
///     is_default: false,
///     channels: 1,
///     sample_rates: vec![44_100, 48_000],
/// };
/// assert!(headset.sample_rates.contains(&48_000));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceInfo {
    /// Stable id to open the device with: its name, with `#2`, `#3`… appended when several
    /// devices of the same direction share a name.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// Whether this is the system's default device for its direction.
    pub is_default: bool,
    /// Channels of the device's default configuration (the most it offers when it has none).
    pub channels: u16,
    /// Sample rates the device supports, in Hz, ascending.
    pub sample_rates: Vec<u32>,
}

/// Capture or playout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    Input,
    Output,
}

impl Direction {
    fn label(self) -> &'static str {
        match self {
            Self::Input => "input",
            Self::Output => "output",
        }
    }
}

/// The capture devices of this machine, the default one flagged.
///
/// A machine without a sound card (a headless server) lists none.
///
/// ```no_run
/// use connect_softphone::audio::devices::list_input_devices;
///
/// for device in list_input_devices().expect("audio host") {
///     println!("{} (default: {}) {:?} Hz", device.id, device.is_default, device.sample_rates);
/// }
/// ```
pub fn list_input_devices() -> Result<Vec<DeviceInfo>, AudioError> {
    list(Direction::Input)
}

/// The playout devices of this machine, the default one flagged.
///
/// ```no_run
/// use connect_softphone::audio::devices::list_output_devices;
///
/// let speakers = list_output_devices().expect("audio host");
/// let default = speakers.iter().find(|d| d.is_default);
/// println!("default speaker: {:?}", default.map(|d| &d.name));
/// ```
pub fn list_output_devices() -> Result<Vec<DeviceInfo>, AudioError> {
    list(Direction::Output)
}

fn list(direction: Direction) -> Result<Vec<DeviceInfo>, AudioError> {
    let host = cpal::default_host();
    let default_name = default_device(&host, direction).and_then(|d| d.name().ok());
    let devices = devices(&host, direction)?;
    let names: Vec<String> = devices.iter().map(device_name).collect();
    let infos = devices
        .iter()
        .zip(unique_ids(&names))
        .zip(&names)
        .map(|((device, id), name)| DeviceInfo {
            is_default: default_name.as_deref() == Some(name.as_str()),
            channels: channels(device, direction),
            sample_rates: rates_in_ranges(&rate_ranges(device, direction)),
            name: name.clone(),
            id,
        })
        .collect();
    Ok(infos)
}

/// The device with `id` (or the default one for `None`), and its id.
pub(crate) fn find_device(
    direction: Direction,
    id: Option<&str>,
) -> Result<(cpal::Device, String), AudioError> {
    let host = cpal::default_host();
    let Some(wanted) = id else {
        let device = default_device(&host, direction).ok_or_else(|| {
            tracing::warn!(
                direction = direction.label(),
                "no default audio device on this machine"
            );
            AudioError::NoSuchDevice("default".into())
        })?;
        let name = device_name(&device);
        return Ok((device, name));
    };
    let devices = devices(&host, direction)?;
    let names: Vec<String> = devices.iter().map(device_name).collect();
    let found = devices
        .into_iter()
        .zip(unique_ids(&names))
        .find(|(_, candidate)| candidate == wanted);
    found.ok_or_else(|| {
        tracing::warn!(
            direction = direction.label(),
            id = wanted,
            known = ?unique_ids(&names),
            "no audio device with this id"
        );
        AudioError::NoSuchDevice(wanted.to_owned())
    })
}

/// The configuration to open `device` with: its default, moved to 48 kHz when the device
/// supports that rate with the same channels and sample format (no resampling then).
pub(crate) fn stream_config(
    device: &cpal::Device,
    direction: Direction,
) -> Result<cpal::SupportedStreamConfig, AudioError> {
    let default = match direction {
        Direction::Input => device.default_input_config(),
        Direction::Output => device.default_output_config(),
    };
    let default = default.map_err(|e| match e {
        cpal::DefaultStreamConfigError::StreamTypeNotSupported => {
            unsupported(direction, "the device has no usable configuration", e)
        }
        other => unavailable(direction, "cannot read the device's configuration", other),
    })?;
    Ok(prefer_48k(default, supported_ranges(device, direction)))
}

/// `default`, or the same channels and format at 48 kHz when one of `ranges` offers it.
fn prefer_48k(
    default: cpal::SupportedStreamConfig,
    ranges: Vec<cpal::SupportedStreamConfigRange>,
) -> cpal::SupportedStreamConfig {
    if default.sample_rate().0 == SAMPLE_RATE {
        return default;
    }
    ranges
        .into_iter()
        .filter(|r| {
            r.channels() == default.channels() && r.sample_format() == default.sample_format()
        })
        .find_map(|r| r.try_with_sample_rate(cpal::SampleRate(SAMPLE_RATE)))
        .unwrap_or(default)
}

/// Logs and builds the error for a device that cannot be used now.
pub(crate) fn unavailable(
    direction: Direction,
    what: &str,
    error: impl std::fmt::Display,
) -> AudioError {
    tracing::warn!(direction = direction.label(), %error, "audio device: {what}");
    AudioError::DeviceUnavailable(format!("{what}: {error}"))
}

/// Logs and builds the error for a device whose formats the SDK cannot use.
pub(crate) fn unsupported(
    direction: Direction,
    what: &str,
    error: impl std::fmt::Display,
) -> AudioError {
    tracing::warn!(direction = direction.label(), %error, "audio device: {what}");
    AudioError::UnsupportedFormat(format!("{what}: {error}"))
}

fn default_device(host: &cpal::Host, direction: Direction) -> Option<cpal::Device> {
    match direction {
        Direction::Input => host.default_input_device(),
        Direction::Output => host.default_output_device(),
    }
}

fn devices(host: &cpal::Host, direction: Direction) -> Result<Vec<cpal::Device>, AudioError> {
    let devices = match direction {
        Direction::Input => host.input_devices().map(Iterator::collect),
        Direction::Output => host.output_devices().map(Iterator::collect),
    };
    devices.map_err(|e| unavailable(direction, "cannot list the audio devices", e))
}

fn device_name(device: &cpal::Device) -> String {
    device.name().unwrap_or_else(|_| "unnamed device".into())
}

fn supported_ranges(
    device: &cpal::Device,
    direction: Direction,
) -> Vec<cpal::SupportedStreamConfigRange> {
    let ranges = match direction {
        Direction::Input => device
            .supported_input_configs()
            .map(Iterator::collect::<Vec<_>>),
        Direction::Output => device
            .supported_output_configs()
            .map(Iterator::collect::<Vec<_>>),
    };
    ranges.unwrap_or_default()
}

fn rate_ranges(device: &cpal::Device, direction: Direction) -> Vec<(u32, u32)> {
    supported_ranges(device, direction)
        .iter()
        .map(|r| (r.min_sample_rate().0, r.max_sample_rate().0))
        .collect()
}

fn channels(device: &cpal::Device, direction: Direction) -> u16 {
    let default = match direction {
        Direction::Input => device.default_input_config(),
        Direction::Output => device.default_output_config(),
    };
    default.map(|c| c.channels()).unwrap_or_else(|_| {
        supported_ranges(device, direction)
            .iter()
            .map(cpal::SupportedStreamConfigRange::channels)
            .max()
            .unwrap_or(0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cpal::{SampleFormat, SampleRate, SupportedBufferSize, SupportedStreamConfigRange};

    fn range(
        channels: u16,
        min: u32,
        max: u32,
        format: SampleFormat,
    ) -> SupportedStreamConfigRange {
        SupportedStreamConfigRange::new(
            channels,
            SampleRate(min),
            SampleRate(max),
            SupportedBufferSize::Unknown,
            format,
        )
    }

    #[test]
    fn prefers_48k_only_with_the_same_channels_and_format() {
        let default = cpal::SupportedStreamConfig::new(
            2,
            SampleRate(44_100),
            SupportedBufferSize::Unknown,
            SampleFormat::I16,
        );
        // (ranges, expected rate)
        let cases: Vec<(Vec<SupportedStreamConfigRange>, u32)> = vec![
            (vec![range(2, 8_000, 96_000, SampleFormat::I16)], 48_000),
            (vec![range(2, 44_100, 44_100, SampleFormat::I16)], 44_100),
            (vec![range(1, 8_000, 96_000, SampleFormat::I16)], 44_100),
            (vec![range(2, 8_000, 96_000, SampleFormat::F32)], 44_100),
            (
                vec![
                    range(2, 44_100, 44_100, SampleFormat::I16),
                    range(2, 48_000, 48_000, SampleFormat::I16),
                ],
                48_000,
            ),
            (vec![], 44_100),
        ];
        for (ranges, expected) in cases {
            let chosen = prefer_48k(default.clone(), ranges);
            assert_eq!(chosen.sample_rate().0, expected);
            assert_eq!(chosen.channels(), 2);
            assert_eq!(chosen.sample_format(), SampleFormat::I16);
        }
    }

    #[test]
    fn errors_are_typed() {
        let error = unavailable(Direction::Input, "open", "busy");
        assert!(matches!(error, AudioError::DeviceUnavailable(ref m) if m == "open: busy"));
        assert!(error.is_device_unavailable());
        let error = unsupported(Direction::Output, "format", "DSD");
        assert!(matches!(error, AudioError::UnsupportedFormat(_)));
    }
}
