//! Errors of audio sources, sinks and codecs.

/// What went wrong in an audio source, sink or codec.
///
/// ```
/// use connect_softphone::audio::AudioError;
///
/// let error = AudioError::Codec("bad packet".into());
/// assert!(error.to_string().contains("bad packet"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AudioError {
    /// An encoder or decoder rejected its input.
    #[error("codec error: {0}")]
    Codec(String),
    /// A file could not be read or written.
    #[error("audio file error: {0}")]
    File(String),
    /// A capture or playout device failed or went away.
    #[error("audio device error: {0}")]
    Device(String),
    /// The other end of a channel source or sink is gone.
    #[error("audio channel closed")]
    Closed,
    /// Input that cannot be used as given: a frame of the wrong size, an unknown DTMF digit.
    #[error("invalid audio input: {0}")]
    InvalidInput(String),
}

impl AudioError {
    /// Whether the stream is over for good because the other end went away.
    pub fn is_closed(&self) -> bool {
        matches!(self, Self::Closed)
    }

    /// Whether the caller passed something unusable (as opposed to a failure of the I/O).
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, Self::InvalidInput(_))
    }
}
