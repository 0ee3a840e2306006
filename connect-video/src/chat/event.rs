//! [`ChatEvent`]: what a chat session tells the application, in order.

use serde_json::Value;

use crate::participant::content::{
    CHAT_ENDED, EVENT_PREFIX, MESSAGE_DELIVERED, MESSAGE_READ, PARTICIPANT_JOINED,
    PARTICIPANT_LEFT, TRANSFER_FAILED, TRANSFER_SUCCEEDED, TYPING,
};
use crate::participant::{ChatError, Item, ItemType, ParticipantRole};

use super::delivery::ChatItem;

/// Who an item came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Participant {
    /// `ParticipantId`.
    pub id: Option<String>,
    /// `DisplayName`.
    pub display_name: Option<String>,
    /// `ParticipantRole`.
    pub role: Option<ParticipantRole>,
}

impl Participant {
    /// The sender of `item`.
    pub fn of(item: &Item) -> Self {
        Self {
            id: item.participant_id.clone(),
            display_name: item.display_name.clone(),
            role: item.participant_role.clone(),
        }
    }
}

/// Events of a chat session. Every item-derived event carries its [`ChatItem`] (flagged when
/// recovered by gap fill); each item is delivered exactly once, in order.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ChatEvent {
    /// A message (text, markdown, JSON, interactive, attachment).
    Message(ChatItem),
    /// Someone is typing (valid for 10 s).
    Typing {
        /// Who.
        participant: Participant,
        /// The event item.
        item: ChatItem,
    },
    /// A message was delivered.
    Delivered {
        /// Which message.
        message_id: String,
        /// The receipt item.
        item: ChatItem,
    },
    /// A message was read.
    Read {
        /// Which message.
        message_id: String,
        /// The receipt item.
        item: ChatItem,
    },
    /// A participant joined.
    ParticipantJoined(ChatItem),
    /// A participant left.
    ParticipantLeft(ChatItem),
    /// A transfer succeeded.
    TransferSucceeded(ChatItem),
    /// A transfer failed.
    TransferFailed(ChatItem),
    /// Any other event (idle, returned, newer kinds).
    Event(ChatItem),
    /// The socket went away; sending still works, pushed items resume on reconnect.
    ConnectionLost {
        /// Why.
        reason: String,
    },
    /// The socket is back; the items missed meanwhile were delivered just before this event.
    ConnectionRestored {
        /// How many items the gap fill recovered.
        gap_filled: usize,
    },
    /// The chat is over; no more events follow.
    ChatEnded {
        /// Deduced (403 while reconnecting) rather than announced by a `chat.ended` event.
        synthetic: bool,
    },
    /// Bad input from the network or a failed background call; the session goes on.
    Error(ChatError),
    /// The receiver fell behind; this many events were dropped.
    Lagged {
        /// Dropped events.
        dropped: u64,
    },
}

impl ChatEvent {
    /// The event an item stands for.
    ///
    /// ```
    /// use connect_video::chat::{ChatEvent, ChatItem};
    /// use connect_video::participant::Item;
    ///
    /// let mut item = Item::new("r1", "2025-03-01T09:00:00.000Z");
    /// item.content_type = Some("application/vnd.amazonaws.connect.event.message.read".into());
    /// item.content = Some(r#"{"messageId":"m-17"}"#.into());
    /// let event = ChatEvent::from_item(ChatItem { item, gap_filled: false });
    /// assert!(matches!(event, ChatEvent::Read { ref message_id, .. } if message_id == "m-17"));
    /// ```
    pub fn from_item(chat: ChatItem) -> Self {
        let content_type = chat.item.content_type.as_deref().unwrap_or_default();
        let kind = chat.item.kind.clone();
        let is = |ct: &str, k: ItemType| content_type == ct || kind.as_ref() == Some(&k);
        if is(TYPING, ItemType::Typing) {
            let participant = Participant::of(&chat.item);
            return Self::Typing {
                participant,
                item: chat,
            };
        }
        if is(MESSAGE_READ, ItemType::MessageRead) {
            if let Some(message_id) = receipt_message_id(&chat.item) {
                return Self::Read {
                    message_id,
                    item: chat,
                };
            }
        }
        if is(MESSAGE_DELIVERED, ItemType::MessageDelivered) {
            if let Some(message_id) = receipt_message_id(&chat.item) {
                return Self::Delivered {
                    message_id,
                    item: chat,
                };
            }
        }
        if is(PARTICIPANT_JOINED, ItemType::ParticipantJoined) {
            return Self::ParticipantJoined(chat);
        }
        if is(PARTICIPANT_LEFT, ItemType::ParticipantLeft) {
            return Self::ParticipantLeft(chat);
        }
        if is(TRANSFER_SUCCEEDED, ItemType::TransferSucceeded) {
            return Self::TransferSucceeded(chat);
        }
        if is(TRANSFER_FAILED, ItemType::TransferFailed) {
            return Self::TransferFailed(chat);
        }
        if is(CHAT_ENDED, ItemType::ChatEnded) {
            return Self::ChatEnded { synthetic: false };
        }
        let message = matches!(kind, Some(ItemType::Message | ItemType::Attachment))
            || (kind.is_none() && !content_type.starts_with(EVENT_PREFIX));
        if message {
            Self::Message(chat)
        } else {
            Self::Event(chat)
        }
    }
}

/// The message a receipt is about: `Content.messageId`, else `MessageMetadata.MessageId`.
fn receipt_message_id(item: &Item) -> Option<String> {
    item.content
        .as_deref()
        .and_then(|c| serde_json::from_str::<Value>(c).ok())
        .and_then(|v| {
            v.get("messageId")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .or_else(|| item.message_metadata.as_ref()?.message_id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: Option<ItemType>, content_type: &str, content: Option<&str>) -> ChatEvent {
        let mut item = Item::new("i", "2025-03-01T09:00:00.000Z");
        item.kind = kind;
        item.content_type = Some(content_type.to_owned());
        item.content = content.map(str::to_owned);
        ChatEvent::from_item(ChatItem {
            item,
            gap_filled: false,
        })
    }

    #[test]
    fn items_map_to_events() {
        use ItemType as K;
        let receipt = Some(r#"{"messageId":"m"}"#);
        let cases: [(Option<K>, &str, Option<&str>, &str); 11] = [
            (Some(K::Message), "text/plain", Some("hi"), "message"),
            (Some(K::Message), "text/markdown", Some("*hi*"), "message"),
            (None, "text/plain", Some("hi"), "message"),
            (Some(K::Event), TYPING, None, "typing"),
            (Some(K::Event), MESSAGE_READ, receipt, "read"),
            (
                Some(K::MessageDelivered),
                MESSAGE_DELIVERED,
                receipt,
                "delivered",
            ),
            (Some(K::Event), MESSAGE_READ, Some("garbage"), "event"),
            (Some(K::Event), PARTICIPANT_JOINED, None, "joined"),
            (Some(K::Event), PARTICIPANT_LEFT, None, "left"),
            (Some(K::Event), CHAT_ENDED, None, "ended"),
            (
                Some(K::Event),
                "application/vnd.amazonaws.connect.event.participant.idle",
                None,
                "event",
            ),
        ];
        for (kind, content_type, content, want) in cases {
            let got = match event(kind, content_type, content) {
                ChatEvent::Message(_) => "message",
                ChatEvent::Typing { .. } => "typing",
                ChatEvent::Read { .. } => "read",
                ChatEvent::Delivered { .. } => "delivered",
                ChatEvent::ParticipantJoined(_) => "joined",
                ChatEvent::ParticipantLeft(_) => "left",
                ChatEvent::ChatEnded { synthetic: false } => "ended",
                ChatEvent::Event(_) => "event",
                other => panic!("{other:?}"),
            };
            assert_eq!(got, want, "{content_type}");
        }
    }
}
