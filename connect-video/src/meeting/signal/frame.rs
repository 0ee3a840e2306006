//! Framing: one binary WebSocket message is the type byte `0x05` followed by one protobuf
//! [`SdkSignalFrame`].

use prost::Message;

use super::proto::SdkSignalFrame;

/// The type byte of a protobuf signalling message.
pub const PROTOBUF_FRAME_TYPE: u8 = 0x05;

/// Why a WebSocket message is not a signalling frame.
///
/// ```
/// use connect_video::meeting::signal::{decode_frame, FrameError};
/// assert_eq!(decode_frame(&[]), Err(FrameError::Empty));
/// assert_eq!(decode_frame(&[0x07, 1]), Err(FrameError::BadTypeByte(0x07)));
/// assert!(matches!(decode_frame(&[0x05, 0xff]), Err(FrameError::BadProtobuf(_))));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// An empty binary message.
    #[error("empty signalling message")]
    Empty,
    /// The first byte is not `0x05`.
    #[error("signalling message type byte {0:#04x} is not 0x05")]
    BadTypeByte(u8),
    /// The rest is not a valid `SdkSignalFrame`.
    #[error("signalling message is not a valid SdkSignalFrame: {0}")]
    BadProtobuf(String),
    /// A text message, where the protocol sends only binary ones.
    #[error("unexpected text message on the signalling socket ({0} bytes)")]
    Text(usize),
}

/// Encodes a frame as one binary WebSocket message.
///
/// ```
/// use connect_video::meeting::signal::{decode_frame, encode_frame, proto::SdkSignalFrame};
/// let frame = SdkSignalFrame { timestamp_ms: 5, r#type: 19, ..Default::default() };
/// let bytes = encode_frame(&frame);
/// assert_eq!(bytes[0], 0x05);
/// assert_eq!(decode_frame(&bytes), Ok(frame));
/// ```
pub fn encode_frame(frame: &SdkSignalFrame) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(1 + frame.encoded_len());
    bytes.push(PROTOBUF_FRAME_TYPE);
    // Writing into a Vec cannot run out of space.
    frame.encode_raw(&mut bytes);
    bytes
}

/// Decodes one binary WebSocket message; never panics on any input.
///
/// ```
/// use connect_video::meeting::signal::decode_frame;
/// assert!(decode_frame(b"\x05garbage").is_err());
/// ```
pub fn decode_frame(bytes: &[u8]) -> Result<SdkSignalFrame, FrameError> {
    let (&kind, body) = bytes.split_first().ok_or(FrameError::Empty)?;
    if kind != PROTOBUF_FRAME_TYPE {
        return Err(FrameError::BadTypeByte(kind));
    }
    SdkSignalFrame::decode(body).map_err(|e| FrameError::BadProtobuf(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meeting::signal::proto::{sdk_signal_frame::Type, SdkPingPongFrame};
    use proptest::prelude::*;

    #[test]
    fn round_trip_and_typed_errors() {
        let frame = SdkSignalFrame {
            timestamp_ms: 1_700_000_000_000,
            r#type: Type::PingPong as i32,
            ping_pong: Some(SdkPingPongFrame {
                r#type: 1,
                ping_id: 7,
            }),
            ..Default::default()
        };
        let bytes = encode_frame(&frame);
        assert_eq!(decode_frame(&bytes), Ok(frame));
        assert_eq!(decode_frame(&bytes[..1]), Ok(SdkSignalFrame::default()));
        assert!(matches!(
            decode_frame(&bytes[..bytes.len() - 1]),
            Err(FrameError::BadProtobuf(_))
        ));
        assert_eq!(decode_frame(&[0x00]), Err(FrameError::BadTypeByte(0)));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = decode_frame(&bytes);
        }

        #[test]
        fn arbitrary_protobuf_bodies_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
            let mut bytes = vec![PROTOBUF_FRAME_TYPE];
            bytes.extend_from_slice(&body);
            if let Ok(frame) = decode_frame(&bytes) {
                // Whatever decodes re-encodes to something that decodes to the same frame.
                prop_assert_eq!(decode_frame(&encode_frame(&frame)), Ok(frame));
            }
        }
    }
}
