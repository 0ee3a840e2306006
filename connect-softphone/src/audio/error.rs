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
    /// No audio device has this id (it was unplugged, or the id is wrong).
    #[error("no audio device with id {0:?}")]
    NoSuchDevice(String),
    /// The device exists but cannot be opened now: busy, in use by another program, or gone.
    #[error("audio device unavailable: {0}")]
    DeviceUnavailable(String),
    /// The device offers no sample format or configuration the SDK can use.
    #[error("unsupported audio format: {0}")]
    UnsupportedFormat(String),
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

    /// Whether a device could not be opened: unknown id, busy or gone, or no usable format.
    ///
    /// ```
    /// use connect_softphone::audio::AudioError;
    ///
    /// assert!(AudioError::NoSuchDevice("usb-headset".into()).is_device_unavailable());
    /// assert!(!AudioError::Closed.is_device_unavailable());
    /// ```
    pub fn is_device_unavailable(&self) -> bool {
        matches!(
            self,
            Self::NoSuchDevice(_) | Self::DeviceUnavailable(_) | Self::UnsupportedFormat(_)
        )
    }

    /// Whether the caller passed something unusable (as opposed to a failure of the I/O).
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, Self::InvalidInput(_))
    }
}
