//! The parts of VP8 this crate reads without decoding: the frame tag and the keyframe header
//! (RFC 6386 §9.1), and the RTP payload descriptor (RFC 7741 §4.2).

/// Why VP8 data was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Vp8Error {
    /// Fewer bytes than the structure needs.
    #[error("VP8 {what} truncated")]
    Truncated {
        /// What was being read.
        what: &'static str,
    },
    /// A keyframe without the `9d 01 2a` start code.
    #[error("VP8 keyframe without its start code")]
    BadStartCode,
    /// A keyframe declaring a zero width or height.
    #[error("VP8 keyframe with an empty picture ({width}x{height})")]
    EmptyPicture {
        /// Declared width.
        width: u16,
        /// Declared height.
        height: u16,
    },
    /// An RTP packet whose descriptor leaves no VP8 data.
    #[error("VP8 RTP packet without payload")]
    EmptyPayload,
}

/// What the first bytes of an encoded VP8 frame say.
///
/// ```
/// use connect_video::meeting::media::video::Vp8FrameInfo;
/// // A keyframe tag, the start code, then 160x120.
/// let frame = [0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 160, 0, 120, 0];
/// let info = Vp8FrameInfo::parse(&frame).expect("valid keyframe");
/// assert!(info.keyframe);
/// assert_eq!(info.dimensions, Some((160, 120)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Vp8FrameInfo {
    /// An intra frame, decodable on its own.
    pub keyframe: bool,
    /// Whether the frame is meant to be shown.
    pub show_frame: bool,
    /// Width and height in pixels, carried by keyframes only.
    pub dimensions: Option<(u16, u16)>,
}

impl Vp8FrameInfo {
    /// Reads the frame tag and, for keyframes, the start code and dimensions.
    pub fn parse(frame: &[u8]) -> Result<Self, Vp8Error> {
        let tag = frame
            .get(..3)
            .ok_or(Vp8Error::Truncated { what: "frame tag" })?;
        let keyframe = tag[0] & 0x01 == 0;
        let show_frame = tag[0] & 0x10 != 0;
        if !keyframe {
            return Ok(Self {
                keyframe,
                show_frame,
                dimensions: None,
            });
        }
        let header = frame.get(3..10).ok_or(Vp8Error::Truncated {
            what: "keyframe header",
        })?;
        if header[..3] != [0x9d, 0x01, 0x2a] {
            return Err(Vp8Error::BadStartCode);
        }
        // 14 bits of size, 2 bits of scaling.
        let width = u16::from_le_bytes([header[3], header[4]]) & 0x3fff;
        let height = u16::from_le_bytes([header[5], header[6]]) & 0x3fff;
        if width == 0 || height == 0 {
            return Err(Vp8Error::EmptyPicture { width, height });
        }
        Ok(Self {
            keyframe,
            show_frame,
            dimensions: Some((width, height)),
        })
    }
}

/// The VP8 payload descriptor at the start of every VP8 RTP payload.
///
/// ```
/// use connect_video::meeting::media::video::Vp8Descriptor;
/// // S bit set, partition 0, no extensions, then one byte of VP8 data.
/// let (descriptor, len) = Vp8Descriptor::parse(&[0x10, 0xaa]).expect("valid");
/// assert!(descriptor.starts_frame());
/// assert_eq!(len, 1);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Vp8Descriptor {
    /// The S bit: this packet starts a partition.
    pub start_of_partition: bool,
    /// The partition index (PID).
    pub partition_id: u8,
    /// The N bit: the frame is not a reference for others.
    pub non_reference: bool,
    /// The picture id, when present (7 or 15 bits).
    pub picture_id: Option<u16>,
}

impl Vp8Descriptor {
    /// Parses the descriptor; returns it and its length. A packet with no VP8 data after the
    /// descriptor is refused.
    pub fn parse(payload: &[u8]) -> Result<(Self, usize), Vp8Error> {
        let truncated = Vp8Error::Truncated {
            what: "payload descriptor",
        };
        let first = *payload.first().ok_or(truncated.clone())?;
        let mut descriptor = Self {
            start_of_partition: first & 0x10 != 0,
            partition_id: first & 0x07,
            non_reference: first & 0x20 != 0,
            picture_id: None,
        };
        let mut len = 1;
        if first & 0x80 != 0 {
            let extensions = *payload.get(len).ok_or(truncated.clone())?;
            len += 1;
            if extensions & 0x80 != 0 {
                let high = *payload.get(len).ok_or(truncated.clone())?;
                len += 1;
                descriptor.picture_id = Some(if high & 0x80 != 0 {
                    let low = *payload.get(len).ok_or(truncated.clone())?;
                    len += 1;
                    (u16::from(high & 0x7f) << 8) | u16::from(low)
                } else {
                    u16::from(high)
                });
            }
            if extensions & 0x40 != 0 {
                len += 1; // TL0PICIDX
            }
            if extensions & 0x30 != 0 {
                len += 1; // TID / Y / KEYIDX
            }
        }
        match payload.len() {
            n if n < len => Err(truncated),
            n if n == len => Err(Vp8Error::EmptyPayload),
            _ => Ok((descriptor, len)),
        }
    }

    /// Whether this packet carries the first bytes of a frame (S bit and partition 0).
    pub fn starts_frame(&self) -> bool {
        self.start_of_partition && self.partition_id == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inter_frames_have_no_dimensions() {
        let info = Vp8FrameInfo::parse(&[0x31, 0x00, 0x00]).expect("valid");
        assert!(!info.keyframe);
        assert!(info.show_frame);
        assert_eq!(info.dimensions, None);
    }

    #[test]
    fn bad_keyframes_are_typed() {
        assert_eq!(
            Vp8FrameInfo::parse(&[0x10]),
            Err(Vp8Error::Truncated { what: "frame tag" })
        );
        assert_eq!(
            Vp8FrameInfo::parse(&[0x10, 0, 0, 0x9d, 0x01]),
            Err(Vp8Error::Truncated {
                what: "keyframe header"
            })
        );
        assert_eq!(
            Vp8FrameInfo::parse(&[0x10, 0, 0, 0x9d, 0x01, 0x2b, 1, 0, 1, 0]),
            Err(Vp8Error::BadStartCode)
        );
        assert_eq!(
            Vp8FrameInfo::parse(&[0x10, 0, 0, 0x9d, 0x01, 0x2a, 0, 0xc0, 1, 0]),
            Err(Vp8Error::EmptyPicture {
                width: 0,
                height: 1
            })
        );
    }

    #[test]
    fn descriptors_with_extensions() {
        // X, S, PID 1; I with a 15-bit picture id, L, T/K.
        let payload = [0x91, 0xf0, 0x81, 0x23, 0x05, 0x40, 0xaa];
        let (descriptor, len) = Vp8Descriptor::parse(&payload).expect("valid");
        assert_eq!(len, 6);
        assert_eq!(descriptor.picture_id, Some(0x0123));
        assert_eq!(descriptor.partition_id, 1);
        assert!(!descriptor.starts_frame());
        let (descriptor, len) = Vp8Descriptor::parse(&[0x90, 0x80, 0x05, 0xaa]).expect("valid");
        assert_eq!((descriptor.picture_id, len), (Some(5), 3));
    }

    #[test]
    fn short_descriptors_are_typed() {
        assert!(matches!(
            Vp8Descriptor::parse(&[]),
            Err(Vp8Error::Truncated { .. })
        ));
        assert!(matches!(
            Vp8Descriptor::parse(&[0x90, 0x80, 0x85]),
            Err(Vp8Error::Truncated { .. })
        ));
        assert_eq!(Vp8Descriptor::parse(&[0x10]), Err(Vp8Error::EmptyPayload));
    }
}
