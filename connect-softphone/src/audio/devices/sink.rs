//! Live playout: a speaker or headset as an [`AudioSink`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use cpal::traits::DeviceTrait;
use cpal::{FromSample, Sample, SampleFormat, SizedSample};
use tokio::sync::mpsc;

use crate::audio::{AudioError, AudioFrame, AudioSink, FRAME_SAMPLES};

use super::framer::PlaybackConverter;
use super::host::{find_device, stream_config, unavailable, unsupported, Direction};
use super::stream::StreamThread;

/// Frames queued for the device (200 ms); more are dropped and counted.
const PLAYOUT_QUEUE: usize = 10;
/// Frames queued before playout starts, and starts again after running dry.
const PREBUFFER: usize = 2;

/// Counters shared with the device's thread.
#[derive(Debug, Default)]
struct Counters {
    underflows: AtomicU64,
    dropped: AtomicU64,
    /// The first stream error reported by the device, if any.
    failure: Mutex<Option<String>>,
}

impl Counters {
    /// Records a stream error reported by the device (the first one is kept).
    fn fail(&self, error: &cpal::StreamError) {
        tracing::warn!(%error, "speaker stream error");
        if let Ok(mut failure) = self.failure.lock() {
            failure.get_or_insert_with(|| error.to_string());
        }
    }
}

/// Plays 20 ms frames of 48 kHz mono on a speaker or headset, resampled to the device's rate and
/// copied to each of its channels.
///
/// Writing never waits for the device: when it plays slower than frames arrive, frames are
/// dropped and counted ([`DeviceSink::dropped_frames`]); when it runs dry it plays silence and
/// counts an underflow ([`DeviceSink::underflows`]). Dropping the sink closes the device.
///
/// ```no_run
/// use connect_softphone::audio::devices::DeviceSink;
/// use connect_softphone::audio::{AudioSink, AudioSource, ToneSource};
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().expect("rt").block_on(async {
/// let mut speaker = DeviceSink::open(None).expect("default speaker");
/// let mut tone = ToneSource::new(440.0, -20.0);
/// for _ in 0..50 {
///     let frame = tone.next_frame().await.expect("tone").expect("endless");
///     speaker.write_frame(&frame).await.expect("play");
///     tokio::time::sleep(std::time::Duration::from_millis(20)).await;
/// }
/// println!("{} underflows", speaker.underflows());
/// # });
/// ```
#[derive(Debug)]
pub struct DeviceSink {
    queue: mpsc::Sender<Vec<f32>>,
    converter: PlaybackConverter,
    counters: Arc<Counters>,
    device_id: String,
    /// Keeps the device open; `None` only for a sink drained by tests.
    _stream: Option<StreamThread>,
}

impl DeviceSink {
    /// Opens the playout device with `id` (from
    /// [`list_output_devices`](super::list_output_devices)), or the default one for `None`.
    ///
    /// Returns once the device is playing (silence until frames arrive). Errors are
    /// [`AudioError::NoSuchDevice`], [`AudioError::DeviceUnavailable`] or
    /// [`AudioError::UnsupportedFormat`].
    ///
    /// ```no_run
    /// use connect_softphone::audio::devices::DeviceSink;
    /// use connect_softphone::audio::{AudioSink, NullSink};
    ///
    /// // Fall back to discarding the audio on a machine without speakers.
    /// let speaker: Box<dyn AudioSink> = match DeviceSink::open(None) {
    ///     Ok(device) => Box::new(device),
    ///     Err(_) => Box::new(NullSink::new()),
    /// };
    /// # drop(speaker);
    /// ```
    pub fn open(id: Option<&str>) -> Result<Self, AudioError> {
        let (queue, rx) = mpsc::channel(PLAYOUT_QUEUE);
        let counters = Arc::new(Counters::default());
        let playout = Playout::new(rx, Arc::clone(&counters));
        let id = id.map(str::to_owned);
        let (stream, (device_id, rate, channels)) =
            StreamThread::spawn(Direction::Output, move || {
                open_playout(id.as_deref(), playout)
            })?;
        tracing::info!(device = device_id, rate, channels, "speaker opened");
        Ok(Self {
            queue,
            converter: PlaybackConverter::new(rate, channels),
            counters,
            device_id,
            _stream: Some(stream),
        })
    }

    /// The id of the device playing.
    ///
    /// ```no_run
    /// use connect_softphone::audio::devices::DeviceSink;
    ///
    /// let speaker = DeviceSink::open(None).expect("speaker");
    /// println!("playing on {}", speaker.device_id());
    /// ```
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// Times the device ran out of audio while playing and filled the gap with silence.
    ///
    /// ```no_run
    /// use connect_softphone::audio::devices::DeviceSink;
    ///
    /// let speaker = DeviceSink::open(None).expect("speaker");
    /// assert_eq!(speaker.underflows(), 0);
    /// ```
    pub fn underflows(&self) -> u64 {
        self.counters.underflows.load(Ordering::Relaxed)
    }

    /// Frames dropped because the device played slower than frames were written.
    ///
    /// ```no_run
    /// use connect_softphone::audio::devices::DeviceSink;
    ///
    /// let speaker = DeviceSink::open(None).expect("speaker");
    /// assert_eq!(speaker.dropped_frames(), 0);
    /// ```
    pub fn dropped_frames(&self) -> u64 {
        self.counters.dropped.load(Ordering::Relaxed)
    }
}

#[async_trait]
impl AudioSink for DeviceSink {
    async fn write_frame(&mut self, frame: &AudioFrame) -> Result<(), AudioError> {
        if let Some(message) = self.counters.failure.lock().ok().and_then(|f| f.clone()) {
            return Err(AudioError::Device(message));
        }
        if frame.samples.len() != FRAME_SAMPLES {
            tracing::warn!(
                len = frame.samples.len(),
                "device sink got a frame of the wrong size"
            );
            return Err(AudioError::InvalidInput(format!(
                "frame has {} samples, expected {FRAME_SAMPLES}",
                frame.samples.len()
            )));
        }
        let samples = self.converter.convert(&frame.samples);
        match self.queue.try_send(samples) {
            Ok(()) => Ok(()),
            Err(mpsc::error::TrySendError::Full(_)) => {
                let dropped = self.counters.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                tracing::debug!(dropped, "speaker queue full, frame dropped");
                Ok(())
            }
            Err(mpsc::error::TrySendError::Closed(_)) => Err(AudioError::Closed),
        }
    }
}

/// The device thread's end of the queue: fills each device buffer, with silence when dry.
#[derive(Debug)]
struct Playout {
    rx: mpsc::Receiver<Vec<f32>>,
    current: Vec<f32>,
    position: usize,
    playing: bool,
    counters: Arc<Counters>,
}

impl Playout {
    fn new(rx: mpsc::Receiver<Vec<f32>>, counters: Arc<Counters>) -> Self {
        Self {
            rx,
            current: Vec::new(),
            position: 0,
            playing: false,
            counters,
        }
    }

    /// Fills one device buffer; never waits.
    fn fill<T: Sample + FromSample<f32>>(&mut self, out: &mut [T]) {
        if !self.playing && self.rx.len() >= PREBUFFER {
            self.playing = true;
        }
        let mut written = 0;
        while self.playing && written < out.len() {
            if self.position == self.current.len() {
                match self.rx.try_recv() {
                    Ok(next) => {
                        self.current = next;
                        self.position = 0;
                        continue;
                    }
                    Err(_) => {
                        self.playing = false;
                        self.counters.underflows.fetch_add(1, Ordering::Relaxed);
                        break;
                    }
                }
            }
            let take = (out.len() - written).min(self.current.len() - self.position);
            let chunk = &self.current[self.position..self.position + take];
            for (slot, &sample) in out[written..written + take].iter_mut().zip(chunk) {
                *slot = T::from_sample(sample);
            }
            written += take;
            self.position += take;
        }
        out[written..].fill(T::EQUILIBRIUM);
    }
}

/// On the device's thread: finds the device and builds its playout stream.
fn open_playout(
    id: Option<&str>,
    playout: Playout,
) -> Result<(cpal::Stream, (String, u32, u16)), AudioError> {
    let (device, device_id) = find_device(Direction::Output, id)?;
    let config = stream_config(&device, Direction::Output)?;
    let format = config.sample_format();
    let stream_config = config.config();
    let stream = match format {
        SampleFormat::I8 => build::<i8>(&device, &stream_config, playout),
        SampleFormat::I16 => build::<i16>(&device, &stream_config, playout),
        SampleFormat::I32 => build::<i32>(&device, &stream_config, playout),
        SampleFormat::U8 => build::<u8>(&device, &stream_config, playout),
        SampleFormat::U16 => build::<u16>(&device, &stream_config, playout),
        SampleFormat::U32 => build::<u32>(&device, &stream_config, playout),
        SampleFormat::F32 => build::<f32>(&device, &stream_config, playout),
        SampleFormat::F64 => build::<f64>(&device, &stream_config, playout),
        other => Err(unsupported(
            Direction::Output,
            "unsupported sample format",
            other,
        )),
    }?;
    let report = (
        device_id,
        stream_config.sample_rate.0,
        stream_config.channels,
    );
    Ok((stream, report))
}

fn build<T>(
    device: &cpal::Device,
    config: &cpal::StreamConfig,
    mut playout: Playout,
) -> Result<cpal::Stream, AudioError>
where
    T: SizedSample + FromSample<f32>,
{
    let counters = Arc::clone(&playout.counters);
    device
        .build_output_stream(
            config,
            move |data: &mut [T], _: &cpal::OutputCallbackInfo| playout.fill(data),
            move |error| counters.fail(&error),
            None,
        )
        .map_err(|e| match e {
            cpal::BuildStreamError::StreamConfigNotSupported
            | cpal::BuildStreamError::InvalidArgument => {
                unsupported(Direction::Output, "the device refused the format", e)
            }
            other => unavailable(Direction::Output, "cannot open the speaker", other),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::AudioFrame;

    fn drained_sink(rate: u32, channels: u16) -> (DeviceSink, Playout) {
        let (queue, rx) = mpsc::channel(PLAYOUT_QUEUE);
        let counters = Arc::new(Counters::default());
        let sink = DeviceSink {
            queue,
            converter: PlaybackConverter::new(rate, channels),
            counters: Arc::clone(&counters),
            device_id: "test".into(),
            _stream: None,
        };
        (sink, Playout::new(rx, counters))
    }

    #[tokio::test]
    async fn frames_play_after_the_prebuffer_and_gaps_are_silence() {
        let (mut sink, mut playout) = drained_sink(48_000, 2);
        let mut out = vec![7i16; 1_920];
        // Nothing written yet: silence, and not an underflow.
        playout.fill(&mut out);
        assert!(out.iter().all(|&s| s == 0));
        assert_eq!(sink.underflows(), 0);

        let frame = AudioFrame::from_samples(0, vec![16_384; FRAME_SAMPLES]);
        sink.write_frame(&frame).await.expect("write");
        playout.fill(&mut out);
        assert!(
            out.iter().all(|&s| s == 0),
            "one frame is below the prebuffer"
        );
        sink.write_frame(&frame).await.expect("write");

        // Two frames (3 840 stereo samples) play through buffers of 1 500, then run dry.
        let mut played = Vec::new();
        for _ in 0..3 {
            let mut buffer = vec![7i16; 1_500];
            playout.fill(&mut buffer);
            played.extend(buffer);
        }
        assert!(played[..3_840].iter().all(|&s| s == 16_384));
        assert!(played[3_840..].iter().all(|&s| s == 0));
        assert_eq!(sink.underflows(), 1);
        assert_eq!(sink.dropped_frames(), 0);
    }

    #[tokio::test]
    async fn a_full_queue_drops_frames_and_bad_frames_are_refused() {
        let (mut sink, playout) = drained_sink(44_100, 1);
        for i in 0..(PLAYOUT_QUEUE as u64 + 3) {
            sink.write_frame(&AudioFrame::silence(i * 960))
                .await
                .expect("never blocks");
        }
        assert_eq!(sink.dropped_frames(), 3);
        let error = sink
            .write_frame(&AudioFrame {
                timestamp: 0,
                samples: vec![0; 100],
            })
            .await
            .expect_err("wrong size");
        assert!(error.is_invalid_input());

        playout
            .counters
            .fail(&cpal::StreamError::DeviceNotAvailable);
        let error = sink
            .write_frame(&AudioFrame::silence(0))
            .await
            .expect_err("device gone");
        assert!(matches!(error, AudioError::Device(_)), "{error:?}");
        assert_eq!(sink.device_id(), "test");
        drop(playout);
    }

    #[tokio::test]
    async fn float_devices_get_the_same_signal() {
        let (mut sink, mut playout) = drained_sink(48_000, 1);
        for _ in 0..PREBUFFER {
            sink.write_frame(&AudioFrame::from_samples(0, vec![-8_192; FRAME_SAMPLES]))
                .await
                .expect("write");
        }
        let mut out = vec![0f32; FRAME_SAMPLES];
        playout.fill(&mut out);
        assert!(out.iter().all(|&s| s == -0.25));
    }
}
