//! Live audio devices (feature `devices`): list the machine's microphones and speakers, capture
//! from one as an [`AudioSource`](crate::audio::AudioSource) and play to one as an
//! [`AudioSink`](crate::audio::AudioSink), through cpal (ALSA on Linux, CoreAudio on macOS,
//! WASAPI on Windows).
//!
//! Each device runs on cpal's own thread. Capture is downmixed to mono on that thread and handed
//! over through a bounded queue that never blocks it; the source resamples to 48 kHz and cuts
//! 20 ms frames. Playout goes the other way. Closing a device is dropping its source or sink.
//!
//! ```no_run
//! use connect_softphone::audio::devices::{list_input_devices, DeviceSource};
//! use connect_softphone::audio::AudioSource;
//!
//! # tokio::runtime::Builder::new_current_thread().build().expect("rt").block_on(async {
//! for device in list_input_devices().expect("audio host") {
//!     println!("{}{}", device.id, if device.is_default { " (default)" } else { "" });
//! }
//! let mut microphone = DeviceSource::open(None).expect("default microphone");
//! let frame = microphone.next_frame().await.expect("capture").expect("live");
//! assert_eq!(frame.samples.len(), 960);
//! # });
//! ```

mod convert;
mod framer;
mod host;
mod sink;
mod source;
mod stream;

pub use host::{list_input_devices, list_output_devices, DeviceInfo};
pub use sink::DeviceSink;
pub use source::DeviceSource;
