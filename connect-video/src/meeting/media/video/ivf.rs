//! The IVF container (a 32-byte file header, then frames with a 12-byte header each), as
//! libvpx's tools write it: reading with typed errors for every kind of bad input, and writing.

use bytes::{BufMut, Bytes, BytesMut};
use tracing::warn;

/// Length of the file header.
pub const IVF_FILE_HEADER_LEN: usize = 32;
/// Length of each frame header (size, then timestamp).
pub const IVF_FRAME_HEADER_LEN: usize = 12;
/// The largest frame accepted (a guard against absurd sizes in corrupt files).
pub const IVF_MAX_FRAME_LEN: usize = 16 * 1024 * 1024;
/// The four-character code of VP8.
pub const FOURCC_VP8: [u8; 4] = *b"VP80";

const SIGNATURE: &[u8; 4] = b"DKIF";

/// Why IVF data was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IvfError {
    /// Fewer bytes than a file header.
    #[error("IVF data too short for its header: {len} bytes")]
    TooShort {
        /// Bytes available.
        len: usize,
    },
    /// The data does not start with `DKIF`.
    #[error("not IVF data (no DKIF signature)")]
    BadSignature,
    /// A version other than 0.
    #[error("unsupported IVF version {0}")]
    UnsupportedVersion(u16),
    /// A header length other than 32.
    #[error("unsupported IVF header length {0}")]
    BadHeaderLength(u16),
    /// A zero time base (numerator or denominator).
    #[error("IVF time base {numerator}/{denominator} is not usable")]
    BadTimebase {
        /// Time base numerator.
        numerator: u32,
        /// Time base denominator.
        denominator: u32,
    },
    /// A frame header cut short by the end of the data.
    #[error("IVF frame header truncated at byte {offset}")]
    TruncatedFrameHeader {
        /// Where the frame header starts.
        offset: usize,
    },
    /// A frame cut short by the end of the data.
    #[error("IVF frame at byte {offset} declares {declared} bytes, {available} available")]
    TruncatedFrame {
        /// Where the frame header starts.
        offset: usize,
        /// The size the header declares.
        declared: usize,
        /// The bytes left.
        available: usize,
    },
    /// A frame declared empty or larger than [`IVF_MAX_FRAME_LEN`].
    #[error("IVF frame at byte {offset} has an unusable size of {declared} bytes")]
    BadFrameSize {
        /// Where the frame header starts.
        offset: usize,
        /// The size the header declares.
        declared: usize,
    },
}

/// The IVF file header.
///
/// ```
/// use connect_video::meeting::media::video::{IvfHeader, FOURCC_VP8};
/// let header = IvfHeader::vp8(160, 120, 30);
/// assert_eq!(header.fourcc, FOURCC_VP8);
/// assert_eq!(header.frame_duration(), std::time::Duration::from_nanos(33_333_333));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IvfHeader {
    /// Codec four-character code (`VP80` for VP8).
    pub fourcc: [u8; 4],
    /// Frame width in pixels.
    pub width: u16,
    /// Frame height in pixels.
    pub height: u16,
    /// Time base denominator (the frame rate when timestamps count frames).
    pub timebase_denominator: u32,
    /// Time base numerator.
    pub timebase_numerator: u32,
    /// Frames in the file, as the header declares (informative only).
    pub frame_count: u32,
}

impl IvfHeader {
    /// A VP8 header whose timestamps count frames at `fps`.
    pub fn vp8(width: u16, height: u16, fps: u32) -> Self {
        Self {
            fourcc: FOURCC_VP8,
            width,
            height,
            timebase_denominator: fps.max(1),
            timebase_numerator: 1,
            frame_count: 0,
        }
    }

    /// How long one time-base unit lasts: the frame duration when timestamps count frames.
    pub fn frame_duration(&self) -> std::time::Duration {
        let nanos = u64::from(self.timebase_numerator) * 1_000_000_000
            / u64::from(self.timebase_denominator.max(1));
        std::time::Duration::from_nanos(nanos)
    }

    fn parse(data: &[u8]) -> Result<Self, IvfError> {
        let header = data
            .get(..IVF_FILE_HEADER_LEN)
            .ok_or(IvfError::TooShort { len: data.len() })?;
        if &header[0..4] != SIGNATURE {
            return Err(IvfError::BadSignature);
        }
        let u16_at = |at: usize| u16::from_le_bytes([header[at], header[at + 1]]);
        let u32_at = |at: usize| {
            u32::from_le_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
        };
        let version = u16_at(4);
        if version != 0 {
            return Err(IvfError::UnsupportedVersion(version));
        }
        let header_len = u16_at(6);
        if usize::from(header_len) != IVF_FILE_HEADER_LEN {
            return Err(IvfError::BadHeaderLength(header_len));
        }
        let parsed = Self {
            fourcc: [header[8], header[9], header[10], header[11]],
            width: u16_at(12),
            height: u16_at(14),
            timebase_denominator: u32_at(16),
            timebase_numerator: u32_at(20),
            frame_count: u32_at(24),
        };
        if parsed.timebase_denominator == 0 || parsed.timebase_numerator == 0 {
            return Err(IvfError::BadTimebase {
                numerator: parsed.timebase_numerator,
                denominator: parsed.timebase_denominator,
            });
        }
        Ok(parsed)
    }

    fn write(&self, out: &mut BytesMut) {
        out.put_slice(SIGNATURE);
        out.put_u16_le(0);
        out.put_u16_le(IVF_FILE_HEADER_LEN as u16);
        out.put_slice(&self.fourcc);
        out.put_u16_le(self.width);
        out.put_u16_le(self.height);
        out.put_u32_le(self.timebase_denominator);
        out.put_u32_le(self.timebase_numerator);
        out.put_u32_le(self.frame_count);
        out.put_u32_le(0);
    }
}

/// One frame of an IVF file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IvfFrame {
    /// Presentation timestamp in time-base units.
    pub timestamp: u64,
    /// The encoded frame.
    pub data: Bytes,
}

/// Reads the frames of IVF data held in memory.
///
/// ```
/// use connect_video::meeting::media::video::{IvfError, IvfHeader, IvfReader, IvfWriter};
///
/// let mut writer = IvfWriter::new(IvfHeader::vp8(64, 48, 30));
/// writer.write_frame(0, &[1, 2, 3]);
/// let mut reader = IvfReader::new(writer.finish()).expect("valid IVF");
/// assert_eq!(reader.header().width, 64);
/// assert_eq!(reader.next_frame().expect("valid frame").map(|f| f.data.len()), Some(3));
/// assert_eq!(reader.next_frame(), Ok(None));
/// assert_eq!(IvfReader::new(&b"RIFF"[..]).err(), Some(IvfError::TooShort { len: 4 }));
/// ```
#[derive(Clone, Debug)]
pub struct IvfReader {
    header: IvfHeader,
    data: Bytes,
    offset: usize,
}

impl IvfReader {
    /// Parses the file header; frames are parsed as they are read.
    pub fn new(data: impl Into<Bytes>) -> Result<Self, IvfError> {
        let data = data.into();
        let header = IvfHeader::parse(&data).inspect_err(|error| {
            warn!(%error, "IVF header refused");
        })?;
        Ok(Self {
            header,
            data,
            offset: IVF_FILE_HEADER_LEN,
        })
    }

    /// The file header.
    pub fn header(&self) -> &IvfHeader {
        &self.header
    }

    /// The next frame; `None` at the end of the data. After an error the reader stays at the
    /// bad frame, so every later call returns the same error.
    pub fn next_frame(&mut self) -> Result<Option<IvfFrame>, IvfError> {
        let offset = self.offset;
        let rest = self.data.get(offset..).unwrap_or_default();
        if rest.is_empty() {
            return Ok(None);
        }
        let head = rest
            .get(..IVF_FRAME_HEADER_LEN)
            .ok_or(IvfError::TruncatedFrameHeader { offset })?;
        let declared = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let mut timestamp = [0u8; 8];
        timestamp.copy_from_slice(&head[4..12]);
        if declared == 0 || declared > IVF_MAX_FRAME_LEN {
            return Err(IvfError::BadFrameSize { offset, declared });
        }
        let available = rest.len() - IVF_FRAME_HEADER_LEN;
        if declared > available {
            return Err(IvfError::TruncatedFrame {
                offset,
                declared,
                available,
            });
        }
        let start = offset + IVF_FRAME_HEADER_LEN;
        self.offset = start + declared;
        Ok(Some(IvfFrame {
            timestamp: u64::from_le_bytes(timestamp),
            data: self.data.slice(start..start + declared),
        }))
    }

    /// Goes back to the first frame.
    pub fn rewind(&mut self) {
        self.offset = IVF_FILE_HEADER_LEN;
    }
}

/// Writes IVF data in memory.
///
/// ```
/// use connect_video::meeting::media::video::{IvfHeader, IvfWriter};
/// let mut writer = IvfWriter::new(IvfHeader::vp8(64, 48, 30));
/// writer.write_frame(0, b"frame");
/// assert_eq!(writer.finish().len(), 32 + 12 + 5);
/// ```
#[derive(Debug)]
pub struct IvfWriter {
    header: IvfHeader,
    frames: BytesMut,
}

impl IvfWriter {
    /// A writer with this header (its frame count is filled in by [`IvfWriter::finish`]).
    pub fn new(header: IvfHeader) -> Self {
        Self {
            header,
            frames: BytesMut::new(),
        }
    }

    /// Appends one frame.
    pub fn write_frame(&mut self, timestamp: u64, data: &[u8]) {
        self.frames.put_u32_le(data.len() as u32);
        self.frames.put_u64_le(timestamp);
        self.frames.put_slice(data);
        self.header.frame_count += 1;
    }

    /// The complete file.
    pub fn finish(self) -> Bytes {
        let mut out = BytesMut::with_capacity(IVF_FILE_HEADER_LEN + self.frames.len());
        self.header.write(&mut out);
        out.put_slice(&self.frames);
        out.freeze()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Bytes {
        let mut writer = IvfWriter::new(IvfHeader::vp8(320, 240, 30));
        writer.write_frame(0, &[0x10; 100]);
        writer.write_frame(1, &[0x11; 7]);
        writer.finish()
    }

    #[test]
    fn round_trip() {
        let mut reader = IvfReader::new(sample()).expect("valid");
        assert_eq!(reader.header().frame_count, 2);
        assert_eq!(reader.header().height, 240);
        let first = reader.next_frame().expect("ok").expect("frame");
        assert_eq!((first.timestamp, first.data.len()), (0, 100));
        let second = reader.next_frame().expect("ok").expect("frame");
        assert_eq!((second.timestamp, second.data.len()), (1, 7));
        assert_eq!(reader.next_frame(), Ok(None));
        reader.rewind();
        assert_eq!(reader.next_frame().expect("ok"), Some(first));
    }

    #[test]
    fn bad_headers_are_typed() {
        let good = sample();
        let mut bad = good.to_vec();
        bad[0] = b'X';
        assert_eq!(IvfReader::new(bad).err(), Some(IvfError::BadSignature));
        let mut bad = good.to_vec();
        bad[4] = 1;
        assert_eq!(
            IvfReader::new(bad).err(),
            Some(IvfError::UnsupportedVersion(1))
        );
        let mut bad = good.to_vec();
        bad[6] = 40;
        assert_eq!(
            IvfReader::new(bad).err(),
            Some(IvfError::BadHeaderLength(40))
        );
        let mut bad = good.to_vec();
        bad[16..20].copy_from_slice(&[0; 4]);
        assert!(matches!(
            IvfReader::new(bad).err(),
            Some(IvfError::BadTimebase { .. })
        ));
    }

    #[test]
    fn bad_frames_are_typed_and_sticky() {
        let good = sample();
        let cut = good.slice(..good.len() - 3);
        let mut reader = IvfReader::new(cut).expect("header fine");
        assert!(reader.next_frame().expect("first frame fine").is_some());
        let error = reader.next_frame().expect_err("truncated");
        assert_eq!(
            error,
            IvfError::TruncatedFrame {
                offset: 32 + 12 + 100,
                declared: 7,
                available: 4
            }
        );
        assert_eq!(reader.next_frame().expect_err("still"), error);

        let mut reader = IvfReader::new(good.slice(..32 + 5)).expect("header fine");
        assert_eq!(
            reader.next_frame(),
            Err(IvfError::TruncatedFrameHeader { offset: 32 })
        );
        let mut zero = good.slice(..32).to_vec();
        zero.extend_from_slice(&[0; 12]);
        let mut reader = IvfReader::new(zero).expect("header fine");
        assert_eq!(
            reader.next_frame(),
            Err(IvfError::BadFrameSize {
                offset: 32,
                declared: 0
            })
        );
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..400)) {
            if let Ok(mut reader) = IvfReader::new(data) {
                for _ in 0..64 {
                    match reader.next_frame() {
                        Ok(Some(_)) => {}
                        Ok(None) | Err(_) => break,
                    }
                }
            }
        }

        #[test]
        fn corrupted_files_never_panic(
            flips in proptest::collection::vec((0usize..200, any::<u8>()), 0..8),
            cut in 0usize..200,
        ) {
            let mut data = sample().to_vec();
            for (at, value) in flips {
                if let Some(byte) = data.get_mut(at) {
                    *byte = value;
                }
            }
            data.truncate(cut.max(1));
            if let Ok(mut reader) = IvfReader::new(data) {
                while let Ok(Some(_)) = reader.next_frame() {}
            }
        }

        #[test]
        fn written_frames_read_back(frames in proptest::collection::vec(
            proptest::collection::vec(any::<u8>(), 1..300), 0..10)) {
            let mut writer = IvfWriter::new(IvfHeader::vp8(16, 16, 30));
            for (i, frame) in frames.iter().enumerate() {
                writer.write_frame(i as u64, frame);
            }
            let mut reader = IvfReader::new(writer.finish()).expect("valid");
            for (i, frame) in frames.iter().enumerate() {
                let read = reader.next_frame().expect("valid").expect("present");
                prop_assert_eq!(read.timestamp, i as u64);
                prop_assert_eq!(&read.data[..], &frame[..]);
            }
            prop_assert_eq!(reader.next_frame(), Ok(None));
        }
    }
}
