//! Encoding I420 pictures to VP8 with libvpx, and [`EncodedTestPattern`], a camera-like source
//! that encodes a moving picture live on its own thread.

use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use tokio::sync::{mpsc, oneshot};
use vpx_encode::{Config, Encoder, VideoCodecId};

use super::TestPicture;
use crate::meeting::media::video::{
    EncodedFrame, VideoError, VideoSource, VideoSourceInfo, Vp8FrameInfo,
};

/// How a [`Vp8Encoder`] encodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Vp8EncoderConfig {
    /// Picture width in pixels (even).
    pub width: u16,
    /// Picture height in pixels (even).
    pub height: u16,
    /// Frames per second.
    pub fps: u32,
    /// Target bitrate in kbit/s.
    pub bitrate_kbps: u32,
}

impl Default for Vp8EncoderConfig {
    /// 320x240 at 30 frames/s, 300 kbit/s.
    fn default() -> Self {
        Self {
            width: 320,
            height: 240,
            fps: 30,
            bitrate_kbps: 300,
        }
    }
}

/// A real-time VP8 encoder (libvpx's defaults: no look-ahead, a keyframe first and then at
/// most every 128 frames). It is not `Send`: keep it on one thread, as
/// [`EncodedTestPattern`] does.
///
/// ```
/// use connect_video::meeting::media::video::{TestPicture, Vp8Encoder, Vp8EncoderConfig, Vp8FrameInfo};
/// let config = Vp8EncoderConfig { width: 64, height: 48, ..Vp8EncoderConfig::default() };
/// let mut encoder = Vp8Encoder::new(config).expect("libvpx");
/// let frames = encoder.encode(&TestPicture::new(64, 48).render(0), false).expect("encoded");
/// assert!(Vp8FrameInfo::parse(&frames[0]).expect("VP8").keyframe);
/// ```
pub struct Vp8Encoder {
    encoder: Encoder,
    config: Vp8EncoderConfig,
    pts: i64,
}

impl std::fmt::Debug for Vp8Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vp8Encoder")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn libvpx(config: &Vp8EncoderConfig) -> Result<Encoder, VideoError> {
    Encoder::new(Config {
        width: u32::from(config.width),
        height: u32::from(config.height),
        timebase: [1, i32::try_from(config.fps.max(1)).unwrap_or(i32::MAX)],
        bitrate: config.bitrate_kbps,
        codec: VideoCodecId::VP8,
    })
    .map_err(|e| VideoError::Codec(e.to_string()))
}

impl Vp8Encoder {
    /// An encoder for pictures of the configured size (which must be even).
    pub fn new(config: Vp8EncoderConfig) -> Result<Self, VideoError> {
        Ok(Self {
            encoder: libvpx(&config)?,
            config,
            pts: 0,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Vp8EncoderConfig {
        &self.config
    }

    /// Encodes one I420 picture of the configured size; the frames it produced (usually one).
    /// `force_keyframe` starts a fresh encoder, whose first frame is a keyframe.
    pub fn encode(&mut self, i420: &[u8], force_keyframe: bool) -> Result<Vec<Bytes>, VideoError> {
        let (w, h) = (
            usize::from(self.config.width),
            usize::from(self.config.height),
        );
        if i420.len() != w * h * 3 / 2 {
            return Err(VideoError::Codec(format!(
                "a {w}x{h} I420 picture needs {} bytes, got {}",
                w * h * 3 / 2,
                i420.len()
            )));
        }
        if force_keyframe {
            self.encoder = libvpx(&self.config)?;
        }
        let pts = self.pts;
        self.pts += 1;
        let packets = self
            .encoder
            .encode(pts, i420)
            .map_err(|e| VideoError::Codec(e.to_string()))?;
        Ok(packets
            .map(|frame| Bytes::copy_from_slice(frame.data))
            .collect())
    }
}

/// Pictures the rate control may skip in a row before the source gives up.
const MAX_SKIPPED_PICTURES: u32 = 8;

type Reply = oneshot::Sender<Result<Bytes, VideoError>>;

/// A camera stand-in: renders [`TestPicture`] frames and encodes them live with
/// [`Vp8Encoder`] on a thread of its own (encoding is CPU work, and libvpx's context stays on
/// one thread); a keyframe request makes the next frame a keyframe.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().expect("runtime").block_on(async {
/// use connect_video::meeting::media::video::{EncodedTestPattern, VideoSource, Vp8EncoderConfig};
/// let mut camera = EncodedTestPattern::new(Vp8EncoderConfig::default()).expect("libvpx");
/// assert!(camera.next_frame().await.expect("encoded").expect("endless").keyframe);
/// # });
/// ```
#[derive(Debug)]
pub struct EncodedTestPattern {
    config: Vp8EncoderConfig,
    requests: mpsc::Sender<(bool, Reply)>,
    index: u32,
    keyframe_requested: bool,
}

impl EncodedTestPattern {
    /// A live test pattern with this encoder configuration.
    pub fn new(config: Vp8EncoderConfig) -> Result<Self, VideoError> {
        let (requests, mut incoming) = mpsc::channel::<(bool, Reply)>(1);
        let (ready_tx, ready) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("vp8-test-pattern".into())
            .spawn(move || {
                let mut encoder = match Vp8Encoder::new(config) {
                    Ok(encoder) => {
                        let _ = ready_tx.send(Ok(()));
                        encoder
                    }
                    Err(error) => {
                        let _ = ready_tx.send(Err(error));
                        return;
                    }
                };
                let picture = TestPicture::new(config.width, config.height);
                let mut index = 0u64;
                while let Some((force, reply)) = incoming.blocking_recv() {
                    let _ = reply.send(encode_next(&mut encoder, &picture, &mut index, force));
                }
            })
            .map_err(|e| VideoError::Codec(format!("encoder thread: {e}")))?;
        ready
            .recv()
            .map_err(|_| VideoError::Codec("encoder thread ended".into()))??;
        Ok(Self {
            config,
            requests,
            index: 0,
            keyframe_requested: false,
        })
    }
}

/// The next picture's frame, skipping pictures the rate control dropped.
fn encode_next(
    encoder: &mut Vp8Encoder,
    picture: &TestPicture,
    index: &mut u64,
    mut force: bool,
) -> Result<Bytes, VideoError> {
    for _ in 0..MAX_SKIPPED_PICTURES {
        let frames = encoder.encode(&picture.render(*index), force)?;
        *index += 1;
        force = false;
        if let Some(frame) = frames.into_iter().next() {
            return Ok(frame);
        }
    }
    Err(VideoError::Codec(format!(
        "the encoder produced nothing for {MAX_SKIPPED_PICTURES} pictures"
    )))
}

#[async_trait]
impl VideoSource for EncodedTestPattern {
    async fn next_frame(&mut self) -> Result<Option<EncodedFrame>, VideoError> {
        let (reply, answer) = oneshot::channel();
        let force = std::mem::take(&mut self.keyframe_requested);
        let gone = || VideoError::Codec("encoder thread ended".into());
        self.requests
            .send((force, reply))
            .await
            .map_err(|_| gone())?;
        let data = answer.await.map_err(|_| gone())??;
        let keyframe = Vp8FrameInfo::parse(&data)?.keyframe;
        let duration = self.frame_duration();
        let pts = duration * self.index;
        self.index = self.index.saturating_add(1);
        Ok(Some(EncodedFrame {
            data,
            pts,
            duration,
            keyframe,
        }))
    }

    fn frame_duration(&self) -> Duration {
        Duration::from_nanos(1_000_000_000 / u64::from(self.config.fps.max(1)))
    }

    fn request_keyframe(&mut self) {
        self.keyframe_requested = true;
    }

    fn info(&self) -> VideoSourceInfo {
        VideoSourceInfo {
            name: "encoded test pattern".to_owned(),
            width: self.config.width,
            height: self.config.height,
        }
    }
}
