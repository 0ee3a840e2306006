//! Where a peer gets its encoder and decoder once the answer has chosen a codec.

use super::{AudioCodec, MediaError};
use crate::audio::{AudioDecoder, AudioEncoder, OpusConfig};

/// Makes encoders and decoders for negotiated codecs. Injected into the engine, so a build
/// can bring its own codec implementations.
///
/// ```
/// use connect_softphone::audio::{AudioDecoder, AudioEncoder};
/// use connect_softphone::media::{AudioCodec, CodecFactory, MediaError};
///
/// struct NoCodecs;
///
/// impl CodecFactory for NoCodecs {
///     fn encoder(&self, codec: AudioCodec) -> Result<Box<dyn AudioEncoder>, MediaError> {
///         Err(MediaError::NoCommonCodec(format!("{codec:?}")))
///     }
///     fn decoder(&self, codec: AudioCodec) -> Result<Box<dyn AudioDecoder>, MediaError> {
///         Err(MediaError::NoCommonCodec(format!("{codec:?}")))
///     }
/// }
/// ```
pub trait CodecFactory: Send + Sync {
    /// An encoder for `codec` (48 kHz frames in, RTP payloads out).
    fn encoder(&self, codec: AudioCodec) -> Result<Box<dyn AudioEncoder>, MediaError>;
    /// A decoder for `codec` (RTP payloads in, 48 kHz frames out).
    fn decoder(&self, codec: AudioCodec) -> Result<Box<dyn AudioDecoder>, MediaError>;
}

/// The codecs of [`crate::audio`]: libopus for Opus, G.711 for PCMU; Opus encoders with an
/// [`OpusConfig`] (libopus's defaults unless set).
///
/// ```
/// use std::sync::Arc;
/// use connect_softphone::audio::OpusConfig;
/// use connect_softphone::media::{DefaultCodecs, WebRtcEngine};
///
/// let codecs = DefaultCodecs::with_opus(OpusConfig { complexity: 5, ..OpusConfig::default() });
/// let engine = WebRtcEngine::with_codecs(Arc::new(codecs));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct DefaultCodecs {
    opus: OpusConfig,
}

impl DefaultCodecs {
    /// The default codecs, with Opus encoders made with `opus`.
    pub fn with_opus(opus: OpusConfig) -> Self {
        Self { opus }
    }
}

impl CodecFactory for DefaultCodecs {
    fn encoder(&self, codec: AudioCodec) -> Result<Box<dyn AudioEncoder>, MediaError> {
        codec
            .encoder_with(&self.opus)
            .map_err(|e| MediaError::NoCommonCodec(format!("{codec:?} encoder: {e}")))
    }

    fn decoder(&self, codec: AudioCodec) -> Result<Box<dyn AudioDecoder>, MediaError> {
        codec
            .decoder()
            .map_err(|e| MediaError::NoCommonCodec(format!("{codec:?} decoder: {e}")))
    }
}
