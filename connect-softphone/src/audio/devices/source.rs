//! Live capture: a microphone as an [`AudioSource`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use cpal::traits::DeviceTrait;
use cpal::{FromSample, SampleFormat, SizedSample};
use tokio::sync::mpsc;

use crate::audio::{AudioError, AudioFrame, AudioSource, SourceInfo};

use super::convert::downmix;
use super::framer::CaptureFramer;
use super::host::{find_device, stream_config, unavailable, unsupported, Direction};
use super::stream::StreamThread;

/// Captured buffers queued between the device's thread and the source (a second or more of
/// audio at usual buffer sizes).
const CAPTURE_QUEUE: usize = 64;

/// What the device's thread sends: mono samples at the device's rate, or a stream error.
type Captured = Result<Vec<f32>, String>;

/// Captures from a microphone: 20 ms frames of 48 kHz mono, downmixed and resampled from the
/// device's own format.
///
/// The device's callback never waits: when the source is not read fast enough, captured buffers
/// are dropped and counted ([`DeviceSource::overflows`]). Dropping the source closes the device.
///
/// ```no_run
/// use connect_softphone::audio::devices::DeviceSource;
/// use connect_softphone::audio::AudioSource;
///
/// # tokio::runtime::Builder::new_current_thread().build().expect("rt").block_on(async {
/// let mut microphone = DeviceSource::open(None).expect("default microphone");
/// let frame = microphone.next_frame().await.expect("capture").expect("live");
/// println!("{} captured at {} Hz", microphone.info().name, microphone.info().native_rate);
/// assert_eq!(frame.samples.len(), 960);
/// # });
/// ```
#[derive(Debug)]
pub struct DeviceSource {
    captured: mpsc::Receiver<Captured>,
    framer: CaptureFramer,
    info: SourceInfo,
    overflows: Arc<AtomicU64>,
    /// Keeps the device open; `None` only for a source fed by tests.
    _stream: Option<StreamThread>,
}

impl DeviceSource {
    /// Opens the capture device with `id` (from
    /// [`list_input_devices`](super::list_input_devices)), or the default one for `None`.
    ///
    /// Returns once the device is capturing. Errors are [`AudioError::NoSuchDevice`],
    /// [`AudioError::DeviceUnavailable`] (busy, gone, or no sound card) or
    /// [`AudioError::UnsupportedFormat`].
    ///
    /// ```no_run
    /// use connect_softphone::audio::devices::{list_input_devices, DeviceSource};
    /// use connect_softphone::audio::AudioSource;
    ///
    /// let headset = list_input_devices()
    ///     .expect("audio host")
    ///     .into_iter()
    ///     .find(|d| d.name.contains("Headset"));
    /// let microphone = DeviceSource::open(headset.as_ref().map(|d| d.id.as_str()))
    ///     .expect("microphone");
    /// println!("capturing from {:?}", microphone.info().device_id);
    /// ```
    pub fn open(id: Option<&str>) -> Result<Self, AudioError> {
        let (tx, captured) = mpsc::channel(CAPTURE_QUEUE);
        let feed = CaptureFeed {
            tx,
            overflows: Arc::default(),
        };
        let overflows = Arc::clone(&feed.overflows);
        let id = id.map(str::to_owned);
        let (stream, info) =
            StreamThread::spawn(Direction::Input, move || open_capture(id.as_deref(), feed))?;
        tracing::info!(
            device = info.name,
            rate = info.native_rate,
            "microphone opened"
        );
        Ok(Self {
            captured,
            framer: CaptureFramer::new(info.native_rate),
            info,
            overflows,
            _stream: Some(stream),
        })
    }

    /// Captured buffers dropped because the source was not read fast enough.
    ///
    /// ```no_run
    /// use connect_softphone::audio::devices::DeviceSource;
    ///
    /// let microphone = DeviceSource::open(None).expect("microphone");
    /// assert_eq!(microphone.overflows(), 0);
    /// ```
    pub fn overflows(&self) -> u64 {
        self.overflows.load(Ordering::Relaxed)
    }
}

#[async_trait]
impl AudioSource for DeviceSource {
    async fn next_frame(&mut self) -> Result<Option<AudioFrame>, AudioError> {
        loop {
            if let Some(frame) = self.framer.pop_frame() {
                return Ok(Some(frame));
            }
            match self.captured.recv().await {
                Some(Ok(mono)) => self.framer.push(&mono),
                Some(Err(message)) => return Err(AudioError::Device(message)),
                None => return Ok(None),
            }
        }
    }

    fn info(&self) -> SourceInfo {
        self.info.clone()
    }
}

/// The device thread's end of the queue: never blocks, counts what it had to drop.
#[derive(Clone, Debug)]
struct CaptureFeed {
    tx: mpsc::Sender<Captured>,
    overflows: Arc<AtomicU64>,
}

impl CaptureFeed {
    fn push(&self, captured: Captured) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.tx.try_send(captured) {
            self.overflows.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn fail(&self, error: &cpal::StreamError) {
        tracing::warn!(%error, "microphone stream error");
        self.push(Err(error.to_string()));
    }
}

/// On the device's thread: finds the device and builds its capture stream.
fn open_capture(
    id: Option<&str>,
    feed: CaptureFeed,
) -> Result<(cpal::Stream, SourceInfo), AudioError> {
    let (device, device_id) = find_device(Direction::Input, id)?;
    let config = stream_config(&device, Direction::Input)?;
    let format = config.sample_format();
    let stream_config = config.config();
    let stream = match format {
        SampleFormat::I8 => build::<i8>(&device, &stream_config, feed),
        SampleFormat::I16 => build::<i16>(&device, &stream_config, feed),
        SampleFormat::I32 => build::<i32>(&device, &stream_config, feed),
        SampleFormat::U8 => build::<u8>(&device, &stream_config, feed),
        SampleFormat::U16 => build::<u16>(&device, &stream_config, feed),
        SampleFormat::U32 => build::<u32>(&device, &stream_config, feed),
        SampleFormat::F32 => build::<f32>(&device, &stream_config, feed),
        SampleFormat::F64 => build::<f64>(&device, &stream_config, feed),
        other => Err(unsupported(
            Direction::Input,
            "unsupported sample format",
            other,
        )),
    }?;
    let info = SourceInfo {
        name: device.name().unwrap_or_else(|_| device_id.clone()),
        device_id: Some(device_id),
        native_rate: stream_config.sample_rate.0,
    };
    Ok((stream, info))
}

fn build<T>(
    device: &cpal::Device,
    config: &cpal::StreamConfig,
    feed: CaptureFeed,
) -> Result<cpal::Stream, AudioError>
where
    T: SizedSample,
    f32: FromSample<T>,
{
    let channels = usize::from(config.channels);
    let errors = feed.clone();
    device
        .build_input_stream(
            config,
            move |data: &[T], _: &cpal::InputCallbackInfo| feed.push(Ok(downmix(data, channels))),
            move |error| errors.fail(&error),
            None,
        )
        .map_err(|e| match e {
            cpal::BuildStreamError::StreamConfigNotSupported
            | cpal::BuildStreamError::InvalidArgument => {
                unsupported(Direction::Input, "the device refused the format", e)
            }
            other => unavailable(Direction::Input, "cannot open the microphone", other),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::{detect_tone, FRAME_SAMPLES};

    fn fed_source(rate: u32, capacity: usize) -> (CaptureFeed, DeviceSource) {
        let (tx, captured) = mpsc::channel(capacity);
        let feed = CaptureFeed {
            tx,
            overflows: Arc::default(),
        };
        let source = DeviceSource {
            captured,
            framer: CaptureFramer::new(rate),
            info: SourceInfo {
                name: "test".into(),
                device_id: Some("test".into()),
                native_rate: rate,
            },
            overflows: Arc::clone(&feed.overflows),
            _stream: None,
        };
        (feed, source)
    }

    #[tokio::test]
    async fn stereo_i16_buffers_become_mono_48k_frames() {
        let (feed, mut source) = fed_source(44_100, 256);
        // One second of a 1 kHz tone on the left channel and silence on the right, 441 frames
        // per device buffer.
        let interleaved: Vec<i16> = (0..44_100)
            .flat_map(|n| {
                let t = f64::from(n) / 44_100.0;
                let left = (16_000.0 * (2.0 * std::f64::consts::PI * 1_000.0 * t).sin()) as i16;
                [left, 0]
            })
            .collect();
        for buffer in interleaved.chunks(882) {
            feed.push(Ok(downmix(buffer, 2)));
        }
        drop(feed);
        let mut samples = Vec::new();
        let mut timestamps = Vec::new();
        while let Some(frame) = source.next_frame().await.expect("capture") {
            assert_eq!(frame.samples.len(), FRAME_SAMPLES);
            timestamps.push(frame.timestamp);
            samples.extend(frame.samples);
        }
        assert_eq!(timestamps.len(), 50);
        assert!(timestamps.windows(2).all(|w| w[1] == w[0] + 960));
        let found = detect_tone(&samples[4_800..], 48_000, 1_000.0);
        // Half the amplitude after averaging with the silent channel: 8 000 ≈ −12.3 dBFS.
        assert!(found.is_present(-13.0), "{found:?}");
        assert!(found.level_dbfs < -11.5, "{found:?}");
        assert_eq!(source.overflows(), 0);
    }

    #[tokio::test]
    async fn a_full_queue_drops_and_counts_instead_of_blocking() {
        let (feed, mut source) = fed_source(48_000, 2);
        for _ in 0..5 {
            feed.push(Ok(vec![0.0; 960]));
        }
        assert_eq!(source.overflows(), 3);
        drop(feed);
        let mut frames = 0;
        while source.next_frame().await.expect("capture").is_some() {
            frames += 1;
        }
        assert_eq!(frames, 2);
    }

    #[tokio::test]
    async fn a_stream_error_surfaces_as_a_device_error() {
        let (feed, mut source) = fed_source(48_000, 4);
        feed.push(Ok(vec![0.0; 960]));
        feed.fail(&cpal::StreamError::DeviceNotAvailable);
        assert!(source.next_frame().await.expect("frame").is_some());
        let error = source.next_frame().await.expect_err("device gone");
        assert!(matches!(error, AudioError::Device(_)), "{error:?}");
        assert_eq!(source.info().device_id.as_deref(), Some("test"));
    }
}
