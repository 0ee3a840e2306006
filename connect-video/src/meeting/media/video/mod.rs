//! VP8 video: the IVF container, the VP8 headers read without decoding, local video sources
//! (IVF files, a looped pre-encoded test pattern), and the receive-side frame assembler. With
//! the `vpx` feature, libvpx encoding and a live-encoded test pattern.

mod assembler;
mod ivf;
mod source;
mod vp8;
#[cfg(feature = "vpx")]
mod vpx;

pub use assembler::{AssembledFrame, AssemblerStats, RtpMeta, Vp8FrameAssembler};
pub use ivf::{
    IvfError, IvfFrame, IvfHeader, IvfReader, IvfWriter, FOURCC_VP8, IVF_FILE_HEADER_LEN,
    IVF_FRAME_HEADER_LEN, IVF_MAX_FRAME_LEN,
};
pub use source::{
    EncodedFrame, IvfSource, TestPatternSource, VideoError, VideoSource, VideoSourceInfo,
};
pub use vp8::{Vp8Descriptor, Vp8Error, Vp8FrameInfo};
#[cfg(feature = "vpx")]
pub use vpx::{EncodedTestPattern, TestPicture, Vp8Encoder, Vp8EncoderConfig};

/// RTP clock rate of video.
pub const VIDEO_CLOCK_RATE: u32 = 90_000;
