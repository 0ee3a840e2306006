//! The five REST operations of the simulated participant service.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use connect_core::log::format_iso8601;
use connect_core::mock::SimInstance;
use connect_core::model::{Sensitive, Timestamp};
use connect_core::time::Clock;
use serde_json::Value;

use crate::participant::content::{PARTICIPANT_JOINED, TEXT_PLAIN};
use crate::participant::{
    ConnectionCredentials, ConnectionType, CreateParticipantConnectionRequest,
    CreateParticipantConnectionResponse, GetTranscriptRequest, GetTranscriptResponse, ItemType,
    ParticipantRole, ScanDirection, SendEventRequest, SendEventResponse, SendMessageRequest,
    SendMessageResponse, SortOrder, WebsocketInfo,
};

use super::error::SimError;
use super::state::{Data, Who};

/// Lifetimes the simulated service gives out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimLifetimes {
    /// Connection token lifetime (the real service: about a day).
    pub connection_token: Duration,
    /// WebSocket URL lifetime (`ConnectionExpiry`).
    pub websocket_url: Duration,
}

impl Default for SimLifetimes {
    fn default() -> Self {
        Self {
            connection_token: Duration::from_secs(24 * 3600),
            websocket_url: Duration::from_secs(24 * 3600),
        }
    }
}

/// The service core shared by the HTTP and WebSocket handlers.
#[derive(Debug)]
pub(crate) struct Core {
    pub clock: Arc<dyn Clock>,
    pub instance: Option<SimInstance>,
    pub lifetimes: SimLifetimes,
    pub ws_base: Mutex<String>,
    pub data: Mutex<Data>,
}

fn after(now: Timestamp, d: Duration) -> Timestamp {
    now.add_millis(i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl Core {
    pub(crate) fn data<R>(&self, f: impl FnOnce(&mut Data) -> R) -> R {
        f(&mut self.data.lock().unwrap_or_else(PoisonError::into_inner))
    }

    pub(crate) fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Resolves a participant token: one this service issued, or (with a simulated instance)
    /// the `ConnectionAuthenticationToken` of an agent's chat leg.
    fn resolve_participant(&self, token: &str) -> Option<Who> {
        if let Some(who) = self.data(|d| d.participant_tokens.get(token).cloned()) {
            return Some(who);
        }
        let instance = self.instance.as_ref()?;
        let (who, name) = instance.with_engine(|engine| {
            let now = engine.now();
            engine.agent_ids().into_iter().find_map(|agent| {
                let snapshot = engine.snapshot(&agent, now).ok()?;
                snapshot.contacts.iter().find_map(|contact| {
                    let leg = contact.agent_connection()?;
                    let data = leg.chat_media_info.as_ref()?.connection_data.as_ref()?;
                    let value: Value = serde_json::from_str(data.expose()).ok()?;
                    (value.get("ConnectionAuthenticationToken")?.as_str()? == token).then(|| {
                        let who = Who {
                            contact_id: contact.contact_id.clone(),
                            participant_id: leg.connection_id.clone(),
                        };
                        (who, engine.agent_username(&agent).unwrap_or(agent.clone()))
                    })
                })
            })
        })?;
        self.data(|d| {
            d.add_participant(
                &who.contact_id,
                &who.participant_id,
                &name,
                ParticipantRole::Agent,
            )
            .ok()
            .map(|_| d.participant_tokens.insert(token.to_owned(), who.clone()))
        })?;
        Some(who)
    }

    pub(crate) fn create_connection(
        &self,
        participant_token: &str,
        request: &CreateParticipantConnectionRequest,
    ) -> Result<CreateParticipantConnectionResponse, SimError> {
        let who = self
            .resolve_participant(participant_token)
            .ok_or_else(|| SimError::forbidden("Access denied"))?;
        let now = self.now();
        let ws_base = self
            .ws_base
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        self.data(|d| {
            if d.chat(&who.contact_id)?.ended {
                return Err(SimError::forbidden("Access denied"));
            }
            d.connections_created += 1;
            let mut response = CreateParticipantConnectionResponse::default();
            let types = &request.connection_types;
            if types.contains(&ConnectionType::ConnectionCredentials) {
                let token = d.token("ct");
                let expiry = after(now, self.lifetimes.connection_token);
                d.connection_tokens
                    .insert(token.clone(), (who.clone(), expiry));
                response.connection_credentials = Some(ConnectionCredentials {
                    connection_token: Sensitive::new(token),
                    expiry: Some(format_iso8601(expiry)),
                    extra: Default::default(),
                });
            }
            if types.contains(&ConnectionType::Websocket) {
                let ticket = d.token("ws");
                let expiry = after(now, self.lifetimes.websocket_url);
                d.tickets.insert(ticket.clone(), (who.clone(), expiry));
                response.websocket = Some(WebsocketInfo {
                    url: Sensitive::new(format!("{ws_base}/chat?ticket={ticket}")),
                    connection_expiry: Some(format_iso8601(expiry)),
                    extra: Default::default(),
                });
            }
            if types.is_empty() {
                return Err(SimError::validation("Type must not be empty"));
            }
            let chat = d.chat(&who.contact_id)?;
            let first = chat
                .participants
                .iter_mut()
                .find(|p| p.id == who.participant_id)
                .is_some_and(|p| !std::mem::replace(&mut p.joined, true));
            if first {
                d.post(&who, ItemType::Event, PARTICIPANT_JOINED, None, now)?;
            }
            Ok(response)
        })
    }

    pub(crate) fn send_message(
        &self,
        token: &str,
        request: &SendMessageRequest,
    ) -> Result<SendMessageResponse, SimError> {
        let now = self.now();
        self.data(|d| {
            let who = d.by_connection_token(token, now)?;
            Data::check_send(&request.content_type, &request.content)?;
            let key = format!("{}/{}", who.participant_id, request.client_token);
            let item = match d.idempotency.get(&key) {
                Some(item) => item.clone(),
                None => {
                    let item = d.post(
                        &who,
                        ItemType::Message,
                        &request.content_type,
                        Some(request.content.clone()),
                        now,
                    )?;
                    d.idempotency.insert(key, item.clone());
                    item
                }
            };
            Ok(SendMessageResponse {
                id: item.id,
                absolute_time: item.absolute_time,
                message_metadata: None,
                extra: Default::default(),
            })
        })
    }

    pub(crate) fn send_event(
        &self,
        token: &str,
        request: &SendEventRequest,
    ) -> Result<SendEventResponse, SimError> {
        let now = self.now();
        self.data(|d| {
            let who = d.by_connection_token(token, now)?;
            if !Data::is_sendable_event(&request.content_type) {
                return Err(SimError::validation("unsupported ContentType"));
            }
            let item = d.post(
                &who,
                ItemType::Event,
                &request.content_type,
                request.content.clone(),
                now,
            )?;
            Ok(SendEventResponse {
                id: item.id,
                absolute_time: item.absolute_time,
                extra: Default::default(),
            })
        })
    }

    pub(crate) fn disconnect(&self, token: &str) -> Result<(), SimError> {
        let now = self.now();
        let contact = self.data(|d| {
            let who = d.by_connection_token(token, now)?;
            d.leave(&who, now)?;
            Ok::<_, SimError>(who.contact_id)
        })?;
        if let Some(instance) = &self.instance {
            if let Err(error) = instance.control().hang_up(&contact) {
                tracing::debug!(%error, "the simulated contact was already over");
            }
        }
        Ok(())
    }

    pub(crate) fn get_transcript(
        &self,
        token: &str,
        request: &GetTranscriptRequest,
    ) -> Result<GetTranscriptResponse, SimError> {
        let now = self.now();
        self.data(|d| {
            let who = d.by_connection_token(token, now)?;
            let items = &d.chat(&who.contact_id)?.transcript;
            page(items, request)
        })
    }

    /// A message from `participant_id` of `contact_id`, as if it used `SendMessage`.
    pub(crate) fn post_text(
        &self,
        contact_id: &str,
        participant_id: &str,
        text: &str,
    ) -> Result<String, SimError> {
        let now = self.now();
        let who = Who {
            contact_id: contact_id.to_owned(),
            participant_id: participant_id.to_owned(),
        };
        self.data(|d| {
            d.post(
                &who,
                ItemType::Message,
                TEXT_PLAIN,
                Some(text.to_owned()),
                now,
            )
            .map(|i| i.id)
        })
    }
}

/// One page of `items` (oldest first) as `GetTranscript` answers: `MaxResults` (default 10,
/// at most 100), `ScanDirection` (default `BACKWARD`), `SortOrder` (default `ASCENDING`),
/// `StartPosition{MostRecent | Id}`, `NextToken` = offset from the start position.
fn page(
    items: &[crate::participant::Item],
    request: &GetTranscriptRequest,
) -> Result<GetTranscriptResponse, SimError> {
    let max = request.max_results.unwrap_or(10).clamp(1, 100) as usize;
    let backward = request.scan_direction != Some(ScanDirection::Forward);
    let offset: usize = match &request.next_token {
        Some(token) => token
            .strip_prefix("offset-")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| SimError::validation("invalid NextToken"))?,
        None => 0,
    };
    let start = request.start_position.as_ref();
    let anchor = start.and_then(|s| s.id.as_ref()).map(|id| {
        items
            .iter()
            .position(|i| &i.id == id)
            .unwrap_or(items.len())
    });
    let mut page: Vec<_> = if backward {
        let skip = start.and_then(|s| s.most_recent).unwrap_or(0) as usize;
        let end = anchor.map_or(items.len().saturating_sub(skip), |a| {
            (a + 1).min(items.len())
        });
        let end = end.saturating_sub(offset);
        items[end.saturating_sub(max)..end].to_vec()
    } else {
        let begin = anchor.unwrap_or(0) + offset;
        items.iter().skip(begin).take(max).cloned().collect()
    };
    let consumed = offset + page.len();
    let more = if backward {
        let first = anchor.map_or(
            items
                .len()
                .saturating_sub(start.and_then(|s| s.most_recent).unwrap_or(0) as usize),
            |a| (a + 1).min(items.len()),
        );
        consumed < first
    } else {
        anchor.unwrap_or(0) + consumed < items.len()
    };
    if request.sort_order == Some(SortOrder::Descending) {
        page.reverse();
    }
    Ok(GetTranscriptResponse {
        initial_contact_id: page.first().and_then(|i| i.contact_id.clone()),
        transcript: page,
        next_token: more.then(|| format!("offset-{consumed}")),
        extra: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::participant::Item;

    fn items(n: usize) -> Vec<Item> {
        (0..n)
            .map(|i| Item::new(format!("i{i}"), "2025-03-01T09:00:00.000Z"))
            .collect()
    }

    fn ids(r: &GetTranscriptResponse) -> Vec<&str> {
        r.transcript.iter().map(|i| i.id.as_str()).collect()
    }

    #[test]
    fn pages_backward_and_forward() {
        let all = items(5);
        let mut req = GetTranscriptRequest::latest(2);
        let p1 = page(&all, &req).expect("page");
        assert_eq!(ids(&p1), ["i3", "i4"]);
        req.next_token = p1.next_token.clone();
        let p2 = page(&all, &req).expect("page");
        assert_eq!(ids(&p2), ["i1", "i2"]);
        req.next_token = p2.next_token.clone();
        let p3 = page(&all, &req).expect("page");
        assert_eq!(ids(&p3), ["i0"]);
        assert!(p3.next_token.is_none());

        let forward = GetTranscriptRequest {
            max_results: Some(3),
            scan_direction: Some(ScanDirection::Forward),
            sort_order: Some(SortOrder::Descending),
            ..Default::default()
        };
        let f1 = page(&all, &forward).expect("page");
        assert_eq!(ids(&f1), ["i2", "i1", "i0"]);
        assert!(f1.next_token.is_some());
        let bad = GetTranscriptRequest {
            next_token: Some("x".into()),
            ..Default::default()
        };
        assert_eq!(page(&all, &bad).expect_err("bad token").status, 400);
    }
}
