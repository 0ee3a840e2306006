//! Content types of messages and events, and the local length checks of §1.

use super::error::ChatError;

/// `text/plain` (≤ 1024 characters).
pub const TEXT_PLAIN: &str = "text/plain";
/// `text/markdown` (≤ 1024 characters).
pub const TEXT_MARKDOWN: &str = "text/markdown";
/// `application/json` (≤ 12 000 characters).
pub const APPLICATION_JSON: &str = "application/json";
/// An interactive message response (≤ 12 288 characters).
pub const INTERACTIVE_RESPONSE: &str =
    "application/vnd.amazonaws.connect.message.interactive.response";
/// DTMF digits on a WebRTC contact.
pub const AUDIO_DTMF: &str = "audio/dtmf";

/// The prefix of every event content type.
pub const EVENT_PREFIX: &str = "application/vnd.amazonaws.connect.event.";
/// Typing (no content; valid for 10 s at the receiver).
pub const TYPING: &str = "application/vnd.amazonaws.connect.event.typing";
/// Read receipt (content `{"messageId": …}`).
pub const MESSAGE_READ: &str = "application/vnd.amazonaws.connect.event.message.read";
/// Delivery receipt (content `{"messageId": …}`).
pub const MESSAGE_DELIVERED: &str = "application/vnd.amazonaws.connect.event.message.delivered";
/// Legacy connection acknowledgement.
pub const CONNECTION_ACKNOWLEDGED: &str =
    "application/vnd.amazonaws.connect.event.connection.acknowledged";
/// A participant joined.
pub const PARTICIPANT_JOINED: &str = "application/vnd.amazonaws.connect.event.participant.joined";
/// A participant left.
pub const PARTICIPANT_LEFT: &str = "application/vnd.amazonaws.connect.event.participant.left";
/// A participant went idle.
pub const PARTICIPANT_IDLE: &str = "application/vnd.amazonaws.connect.event.participant.idle";
/// A participant came back.
pub const PARTICIPANT_RETURNED: &str =
    "application/vnd.amazonaws.connect.event.participant.returned";
/// The chat ended.
pub const CHAT_ENDED: &str = "application/vnd.amazonaws.connect.event.chat.ended";
/// A transfer succeeded.
pub const TRANSFER_SUCCEEDED: &str = "application/vnd.amazonaws.connect.event.transfer.succeeded";
/// A transfer failed.
pub const TRANSFER_FAILED: &str = "application/vnd.amazonaws.connect.event.transfer.failed";

/// The most characters `SendMessage` accepts for `content_type`; `None` when the type cannot be
/// sent with `SendMessage` (events, unknown types). DTMF has no documented limit.
///
/// ```
/// use connect_video::participant::content::{max_message_chars, TEXT_PLAIN, TYPING};
///
/// assert_eq!(max_message_chars(TEXT_PLAIN), Some(Some(1024)));
/// assert_eq!(max_message_chars("audio/dtmf"), Some(None));
/// assert_eq!(max_message_chars(TYPING), None);
/// ```
pub fn max_message_chars(content_type: &str) -> Option<Option<usize>> {
    match content_type {
        TEXT_PLAIN | TEXT_MARKDOWN => Some(Some(1024)),
        APPLICATION_JSON => Some(Some(12_000)),
        INTERACTIVE_RESPONSE => Some(Some(12_288)),
        AUDIO_DTMF => Some(None),
        _ => None,
    }
}

/// Checks a message before it is sent: known type, not empty, within its limit (counted in
/// characters, not bytes).
///
/// ```
/// use connect_video::participant::content::{check_message, TEXT_PLAIN};
///
/// assert!(check_message(TEXT_PLAIN, "hello").is_ok());
/// assert!(check_message(TEXT_PLAIN, &"é".repeat(1024)).is_ok());
/// assert!(check_message(TEXT_PLAIN, &"x".repeat(1025)).is_err());
/// assert!(check_message(TEXT_PLAIN, "").is_err());
/// assert!(check_message("image/png", "x").is_err());
/// ```
pub fn check_message(content_type: &str, content: &str) -> Result<(), ChatError> {
    let Some(limit) = max_message_chars(content_type) else {
        return Err(ChatError::InvalidContent(format!(
            "`{content_type}` cannot be sent as a message"
        )));
    };
    if content.trim().is_empty() {
        return Err(ChatError::InvalidContent("the message is empty".into()));
    }
    if let Some(limit) = limit {
        let chars = content.chars().count();
        if chars > limit {
            return Err(ChatError::InvalidContent(format!(
                "{chars} characters exceed the {limit} allowed for `{content_type}`"
            )));
        }
    }
    Ok(())
}
