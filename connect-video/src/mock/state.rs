//! The simulated participant service's state: contacts, participants, tokens, transcripts and
//! the sockets listening to them. Every operation runs under one lock, told the time.

use std::collections::HashMap;

use connect_core::log::format_iso8601;
use connect_core::model::{Sensitive, Timestamp};
use serde_json::json;
use tokio::sync::mpsc;

use crate::participant::content::{
    check_message, CHAT_ENDED, EVENT_PREFIX, MESSAGE_DELIVERED, MESSAGE_READ, PARTICIPANT_JOINED,
    PARTICIPANT_LEFT, TYPING,
};
use crate::participant::{Item, ItemType, ParticipantRole, TOPIC_CHAT};

use super::error::SimError;

/// What a socket task is told to do.
#[derive(Debug)]
pub(crate) enum Push {
    /// Send this text frame.
    Frame(String),
}

#[derive(Debug)]
pub(crate) struct SimSocket {
    pub contact_id: String,
    pub subscribed: bool,
    pub tx: mpsc::UnboundedSender<Push>,
}

#[derive(Debug, Clone)]
pub(crate) struct SimParticipant {
    pub id: String,
    pub display_name: String,
    pub role: ParticipantRole,
    pub joined: bool,
}

#[derive(Debug, Default)]
pub(crate) struct SimChat {
    pub participants: Vec<SimParticipant>,
    pub transcript: Vec<Item>,
    pub ended: bool,
}

/// Who a token or ticket belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Who {
    pub contact_id: String,
    pub participant_id: String,
}

#[derive(Debug, Default)]
pub(crate) struct Data {
    next: u64,
    last_time: i64,
    pub chats: HashMap<String, SimChat>,
    pub participant_tokens: HashMap<String, Who>,
    pub connection_tokens: HashMap<String, (Who, Timestamp)>,
    pub tickets: HashMap<String, (Who, Timestamp)>,
    pub sockets: HashMap<u64, SimSocket>,
    pub idempotency: HashMap<String, Item>,
    pub connections_created: u64,
    pub next_socket: u64,
}

impl Data {
    pub(crate) fn next_id(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}-{:06}", self.next)
    }

    /// A fresh opaque token.
    pub(crate) fn token(&mut self, prefix: &str) -> String {
        let random = crate::random_uuid().unwrap_or_else(|_| self.next_id("fallback"));
        format!("{prefix}-{random}")
    }

    /// A strictly increasing item time (ms), at or after `now`.
    fn stamp(&mut self, now: Timestamp) -> String {
        self.last_time = (self.last_time + 1).max(now.as_millis());
        format_iso8601(Timestamp::from_millis(self.last_time))
    }

    pub(crate) fn chat(&mut self, contact_id: &str) -> Result<&mut SimChat, SimError> {
        self.chats
            .get_mut(contact_id)
            .ok_or_else(|| SimError::not_found("no such contact"))
    }

    pub(crate) fn add_participant(
        &mut self,
        contact_id: &str,
        participant_id: &str,
        display_name: &str,
        role: ParticipantRole,
    ) -> Result<Sensitive, SimError> {
        let token = self.token("pt");
        let chat = self.chat(contact_id)?;
        if !chat.participants.iter().any(|p| p.id == participant_id) {
            chat.participants.push(SimParticipant {
                id: participant_id.to_owned(),
                display_name: display_name.to_owned(),
                role,
                joined: false,
            });
        }
        self.participant_tokens.insert(
            token.clone(),
            Who {
                contact_id: contact_id.to_owned(),
                participant_id: participant_id.to_owned(),
            },
        );
        Ok(Sensitive::new(token))
    }

    /// An item from `who`, appended to the transcript unless ephemeral, and pushed.
    pub(crate) fn post(
        &mut self,
        who: &Who,
        kind: ItemType,
        content_type: &str,
        content: Option<String>,
        now: Timestamp,
    ) -> Result<Item, SimError> {
        let id = self.next_id("item");
        let time = self.stamp(now);
        let chat = self.chat(&who.contact_id)?;
        let participant = chat
            .participants
            .iter()
            .find(|p| p.id == who.participant_id)
            .cloned()
            .ok_or_else(|| SimError::forbidden("unknown participant"))?;
        let mut item = Item::new(id, time);
        item.kind = Some(kind);
        item.content_type = Some(content_type.to_owned());
        item.content = content;
        item.participant_id = Some(participant.id);
        item.display_name = Some(participant.display_name);
        item.participant_role = Some(participant.role);
        item.contact_id = Some(who.contact_id.clone());
        let ephemeral = matches!(content_type, TYPING | MESSAGE_READ | MESSAGE_DELIVERED);
        if !ephemeral {
            chat.transcript.push(item.clone());
        }
        self.push_item(&who.contact_id, &item);
        Ok(item)
    }

    /// Pushes `item` to every subscribed socket of the contact.
    pub(crate) fn push_item(&mut self, contact_id: &str, item: &Item) {
        let inner = serde_json::to_string(item).unwrap_or_default();
        let frame = json!({"topic": TOPIC_CHAT, "content": inner}).to_string();
        self.push_frame(contact_id, &frame);
    }

    /// Sends a raw frame to every subscribed socket of the contact; returns how many.
    pub(crate) fn push_frame(&mut self, contact_id: &str, frame: &str) -> usize {
        self.sockets
            .values()
            .filter(|s| s.contact_id == contact_id && s.subscribed)
            .filter(|s| s.tx.send(Push::Frame(frame.to_owned())).is_ok())
            .count()
    }

    /// Validates a message: content type, length, sender.
    pub(crate) fn check_send(content_type: &str, content: &str) -> Result<(), SimError> {
        check_message(content_type, content).map_err(|e| SimError::validation(&e.to_string()))
    }

    /// Whether `content_type` is an event a participant may send.
    pub(crate) fn is_sendable_event(content_type: &str) -> bool {
        content_type.starts_with(EVENT_PREFIX)
            && !matches!(
                content_type,
                PARTICIPANT_JOINED | PARTICIPANT_LEFT | CHAT_ENDED
            )
    }

    /// The participant leaves: `participant.left`, then `chat.ended`; the chat is over.
    pub(crate) fn leave(&mut self, who: &Who, now: Timestamp) -> Result<(), SimError> {
        self.post(who, ItemType::Event, PARTICIPANT_LEFT, None, now)?;
        self.end(&who.contact_id, Some(who), now)
    }

    /// Ends the chat with a `chat.ended` event (attributed to `by`, else to the first
    /// participant).
    pub(crate) fn end(
        &mut self,
        contact_id: &str,
        by: Option<&Who>,
        now: Timestamp,
    ) -> Result<(), SimError> {
        let chat = self.chat(contact_id)?;
        if chat.ended {
            return Ok(());
        }
        let author = match by {
            Some(who) => who.clone(),
            None => Who {
                contact_id: contact_id.to_owned(),
                participant_id: chat
                    .participants
                    .first()
                    .map(|p| p.id.clone())
                    .ok_or_else(|| SimError::not_found("no participants"))?,
            },
        };
        self.post(&author, ItemType::Event, CHAT_ENDED, None, now)?;
        self.chat(contact_id)?.ended = true;
        Ok(())
    }

    /// The participant behind a connection token, refusing ended chats and expired tokens.
    pub(crate) fn by_connection_token(
        &mut self,
        token: &str,
        now: Timestamp,
    ) -> Result<Who, SimError> {
        let (who, expiry) = self
            .connection_tokens
            .get(token)
            .cloned()
            .ok_or_else(|| SimError::forbidden("Access denied"))?;
        if now >= expiry || self.chat(&who.contact_id)?.ended {
            return Err(SimError::forbidden("Access denied"));
        }
        Ok(who)
    }
}
