//! [`StreamDirection`]: the two stream tags, named from the client's point of view.

use connect_core::api::SoftphoneStreamType;
use serde::{Deserialize, Serialize};

/// Which direction a record measures (`softphoneStreamType`).
///
/// ```
/// use connect_softphone::stats::StreamDirection;
///
/// assert_eq!(serde_json::to_string(&StreamDirection::AudioInput).unwrap(), "\"audio_input\"");
/// assert_eq!(StreamDirection::AudioOutput.as_str(), "audio_output");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamDirection {
    /// The audio the agent hears (Connect → agent).
    AudioInput,
    /// The agent's microphone audio (agent → Connect).
    AudioOutput,
}

impl StreamDirection {
    /// Both directions, input first (the order of every pair of records).
    pub const BOTH: [StreamDirection; 2] = [Self::AudioInput, Self::AudioOutput];

    /// The wire tag: `audio_input` or `audio_output`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AudioInput => "audio_input",
            Self::AudioOutput => "audio_output",
        }
    }

    /// The CTI model's stream type.
    ///
    /// ```
    /// use connect_core::api::SoftphoneStreamType;
    /// use connect_softphone::stats::StreamDirection;
    ///
    /// assert_eq!(StreamDirection::AudioInput.to_cti(), SoftphoneStreamType::AudioInput);
    /// ```
    pub fn to_cti(self) -> SoftphoneStreamType {
        match self {
            Self::AudioInput => SoftphoneStreamType::AudioInput,
            Self::AudioOutput => SoftphoneStreamType::AudioOutput,
        }
    }
}
