//! Where local video comes from: the [`VideoSource`] trait (encoded VP8 frames at a frame rate)
//! and its pre-encoded implementations, an IVF file and a looped test pattern.

use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;

use super::ivf::{IvfError, IvfReader, FOURCC_VP8};
use super::vp8::{Vp8Error, Vp8FrameInfo};

/// Why a video source failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VideoError {
    /// The IVF data is unusable.
    #[error(transparent)]
    Ivf(#[from] IvfError),
    /// A frame is not valid VP8.
    #[error(transparent)]
    Vp8(#[from] Vp8Error),
    /// The IVF file holds another codec.
    #[error("IVF file holds {0:?}, not VP8")]
    NotVp8(String),
    /// The first frame is not a keyframe, so nothing after it can be decoded.
    #[error("the first frame is not a keyframe")]
    NoLeadingKeyframe,
    /// The file could not be read.
    #[error("reading {path}: {error}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's error.
        error: String,
    },
    /// The encoder or decoder failed.
    #[error("VP8 codec: {0}")]
    Codec(String),
}

/// One encoded VP8 frame, ready to packetise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodedFrame {
    /// The VP8 bitstream of the frame.
    pub data: Bytes,
    /// Presentation time since the source started (monotonic, also across loops).
    pub pts: Duration,
    /// How long the frame is shown.
    pub duration: Duration,
    /// Whether it is a keyframe.
    pub keyframe: bool,
}

/// What a video source is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VideoSourceInfo {
    /// Human-readable name.
    pub name: String,
    /// Picture width in pixels.
    pub width: u16,
    /// Picture height in pixels.
    pub height: u16,
}

/// Produces encoded VP8 frames, pulled by the sender's frame clock every
/// [`VideoSource::frame_duration`].
///
/// ```
/// use async_trait::async_trait;
/// use connect_video::meeting::media::video::{EncodedFrame, VideoError, VideoSource, VideoSourceInfo};
///
/// struct Nothing;
///
/// #[async_trait]
/// impl VideoSource for Nothing {
///     async fn next_frame(&mut self) -> Result<Option<EncodedFrame>, VideoError> { Ok(None) }
///     fn frame_duration(&self) -> std::time::Duration { std::time::Duration::from_millis(33) }
///     fn request_keyframe(&mut self) {}
///     fn info(&self) -> VideoSourceInfo { VideoSourceInfo::default() }
/// }
/// ```
#[async_trait]
pub trait VideoSource: Send {
    /// The next frame; `None` when the source has ended.
    async fn next_frame(&mut self) -> Result<Option<EncodedFrame>, VideoError>;
    /// The interval between frames.
    fn frame_duration(&self) -> Duration;
    /// A receiver asked for a keyframe (PLI/FIR): make the next frame one, if possible.
    fn request_keyframe(&mut self);
    /// What this source is.
    fn info(&self) -> VideoSourceInfo;
}

/// Plays the VP8 frames of IVF data, once or looped. A keyframe request restarts from the first
/// frame (which must be a keyframe); timestamps keep increasing across restarts and loops.
///
/// ```
/// use connect_video::meeting::media::video::{IvfSource, TestPatternSource, VideoSource};
/// let source = IvfSource::from_bytes(TestPatternSource::ASSET).expect("valid asset");
/// assert_eq!(source.info().width, 160);
/// ```
#[derive(Debug)]
pub struct IvfSource {
    reader: IvfReader,
    name: String,
    looped: bool,
    frame_duration: Duration,
    emitted: u32,
    restart: bool,
}

impl IvfSource {
    /// A source over IVF data in memory, played once.
    pub fn from_bytes(data: impl Into<Bytes>) -> Result<Self, VideoError> {
        Self::with_name(data.into(), "ivf")
    }

    /// A source over an IVF file, played once.
    pub fn open(path: impl AsRef<std::path::Path>) -> Result<Self, VideoError> {
        let path = path.as_ref();
        let data = std::fs::read(path).map_err(|error| VideoError::Io {
            path: path.display().to_string(),
            error: error.to_string(),
        })?;
        Self::with_name(data.into(), &path.display().to_string())
    }

    /// Starts over after the last frame instead of ending.
    pub fn looped(mut self) -> Self {
        self.looped = true;
        self
    }

    fn with_name(data: Bytes, name: &str) -> Result<Self, VideoError> {
        let mut reader = IvfReader::new(data)?;
        let header = *reader.header();
        if header.fourcc != FOURCC_VP8 {
            return Err(VideoError::NotVp8(
                String::from_utf8_lossy(&header.fourcc).into_owned(),
            ));
        }
        let first = reader.next_frame()?.ok_or(VideoError::NoLeadingKeyframe)?;
        if !Vp8FrameInfo::parse(&first.data)?.keyframe {
            return Err(VideoError::NoLeadingKeyframe);
        }
        reader.rewind();
        Ok(Self {
            reader,
            name: name.to_owned(),
            looped: false,
            frame_duration: header.frame_duration(),
            emitted: 0,
            restart: false,
        })
    }
}

#[async_trait]
impl VideoSource for IvfSource {
    async fn next_frame(&mut self) -> Result<Option<EncodedFrame>, VideoError> {
        if std::mem::take(&mut self.restart) {
            self.reader.rewind();
        }
        let frame = match self.reader.next_frame()? {
            Some(frame) => frame,
            None if self.looped => {
                self.reader.rewind();
                match self.reader.next_frame()? {
                    Some(frame) => frame,
                    None => return Ok(None),
                }
            }
            None => return Ok(None),
        };
        let keyframe = Vp8FrameInfo::parse(&frame.data)?.keyframe;
        let pts = self.frame_duration * self.emitted;
        self.emitted = self.emitted.saturating_add(1);
        Ok(Some(EncodedFrame {
            data: frame.data,
            pts,
            duration: self.frame_duration,
            keyframe,
        }))
    }

    fn frame_duration(&self) -> Duration {
        self.frame_duration
    }

    fn request_keyframe(&mut self) {
        self.restart = true;
    }

    fn info(&self) -> VideoSourceInfo {
        let header = self.reader.header();
        VideoSourceInfo {
            name: self.name.clone(),
            width: header.width,
            height: header.height,
        }
    }
}

/// A synthetic camera that needs no encoder: a short pre-encoded VP8 test pattern (160x120,
/// 30 frames/s, one second, keyframe first) shipped with the crate and played in a loop.
///
/// ```
/// # tokio_test_block_on(async {
/// use connect_video::meeting::media::video::{TestPatternSource, VideoSource};
/// let mut camera = TestPatternSource::new();
/// let first = camera.next_frame().await.expect("valid").expect("endless");
/// assert!(first.keyframe);
/// # });
/// # fn tokio_test_block_on(f: impl std::future::Future<Output = ()>) {
/// #     tokio::runtime::Builder::new_current_thread().build().expect("runtime").block_on(f)
/// # }
/// ```
#[derive(Debug)]
pub struct TestPatternSource(IvfSource);

impl TestPatternSource {
    /// The IVF asset: made with `Vp8Encoder` (feature `vpx`) from `EncodedTestPattern`'s
    /// moving picture, see `tests/generate_test_pattern.rs`.
    pub const ASSET: &'static [u8] = include_bytes!("../../../../assets/test-pattern.ivf");

    /// The looped test pattern.
    pub fn new() -> Self {
        match IvfSource::with_name(Bytes::from_static(Self::ASSET), "test pattern") {
            Ok(source) => Self(source.looped()),
            // The asset is checked by the unit tests; it cannot be refused at run time.
            Err(error) => unreachable!("the shipped test pattern is valid: {error}"),
        }
    }
}

impl Default for TestPatternSource {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl VideoSource for TestPatternSource {
    async fn next_frame(&mut self) -> Result<Option<EncodedFrame>, VideoError> {
        self.0.next_frame().await
    }

    fn frame_duration(&self) -> Duration {
        self.0.frame_duration()
    }

    fn request_keyframe(&mut self) {
        self.0.request_keyframe();
    }

    fn info(&self) -> VideoSourceInfo {
        self.0.info()
    }
}

#[cfg(test)]
mod tests {
    use super::super::ivf::{IvfHeader, IvfWriter};
    use super::*;

    #[tokio::test]
    async fn the_test_pattern_loops_with_increasing_timestamps() {
        let mut source = TestPatternSource::new();
        let frames = IvfReader::new(TestPatternSource::ASSET)
            .expect("valid")
            .header()
            .frame_count;
        assert!(frames >= 2);
        let mut last = None;
        let mut keyframes = 0;
        for _ in 0..frames * 2 + 1 {
            let frame = source.next_frame().await.expect("valid").expect("endless");
            keyframes += usize::from(frame.keyframe);
            if let Some(last) = last {
                assert!(frame.pts > last);
            }
            last = Some(frame.pts);
        }
        assert!(keyframes >= 3, "each loop starts with a keyframe");
        source.request_keyframe();
        assert!(
            source
                .next_frame()
                .await
                .expect("ok")
                .expect("frame")
                .keyframe
        );
    }

    #[test]
    fn unusable_files_are_refused() {
        let mut writer = IvfWriter::new(IvfHeader::vp8(16, 16, 30));
        writer.write_frame(0, &[0x31, 0, 0]);
        assert!(matches!(
            IvfSource::from_bytes(writer.finish()),
            Err(VideoError::NoLeadingKeyframe)
        ));
        let mut header = IvfHeader::vp8(16, 16, 30);
        header.fourcc = *b"VP90";
        assert!(matches!(
            IvfSource::from_bytes(IvfWriter::new(header).finish()),
            Err(VideoError::NotVp8(_))
        ));
        assert!(matches!(
            IvfSource::open("/nonexistent/file.ivf"),
            Err(VideoError::Io { .. })
        ));
    }

    #[tokio::test]
    async fn a_file_played_once_ends() {
        let mut writer = IvfWriter::new(IvfHeader::vp8(16, 16, 30));
        writer.write_frame(0, &[0x10, 0, 0, 0x9d, 0x01, 0x2a, 16, 0, 16, 0]);
        let mut source = IvfSource::from_bytes(writer.finish()).expect("valid");
        assert!(source.next_frame().await.expect("ok").is_some());
        assert!(source.next_frame().await.expect("ok").is_none());
    }
}
