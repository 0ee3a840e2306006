//! An agent bot: accepts offers, talks for a while, hangs up, clears after-contact work, and
//! checks the lifecycle order of every event it receives.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use connect_core::events::{AgentEvent, ContactEventKind, Events, LifecycleValidator};
use connect_core::model::ContactType;
use connect_core::session::AgentSession;

use crate::tally::Tally;

/// How a bot behaves.
#[derive(Clone, Debug)]
pub struct BotPlan {
    /// Pause before accepting an offer.
    pub answer_after: Duration,
    /// Time on a voice call before the agent hangs up.
    pub voice_talk: Duration,
    /// Time on a chat before the agent ends it.
    pub chat_talk: Duration,
    /// Time on a task before the agent ends it.
    pub task_work: Duration,
    /// After-contact work before the agent clears the contact.
    pub after_contact_work: Duration,
    /// Let every n-th offer (counted across all bots) ring out (0: answer everything).
    pub miss_every: u64,
}

impl Default for BotPlan {
    fn default() -> Self {
        Self {
            answer_after: Duration::from_millis(150),
            voice_talk: Duration::from_millis(1_200),
            chat_talk: Duration::from_millis(1_500),
            task_work: Duration::from_millis(800),
            after_contact_work: Duration::from_millis(300),
            miss_every: 10,
        }
    }
}

/// Runs one bot until its session's events end.
///
/// ```no_run
/// # async fn demo(session: connect_core::session::AgentSession, events: connect_core::events::Events) {
/// use std::sync::Arc;
/// use connect_examples::{agent_bot::{run_bot, BotPlan}, tally::Tally};
/// run_bot(session, events, BotPlan::default(), Arc::new(Tally::default())).await;
/// # }
/// ```
pub async fn run_bot(session: AgentSession, mut events: Events, plan: BotPlan, tally: Arc<Tally>) {
    let mut validator = LifecycleValidator::default();
    let mut offer_numbers: std::collections::HashMap<String, u64> = Default::default();
    let mut connected: HashSet<String> = HashSet::new();
    while let Some(event) = events.recv().await {
        tally.event();
        let before = validator.violations().len();
        validator.observe(&event);
        let broken = validator.violations().len() - before;
        if broken > 0 {
            tracing::error!(violations = ?&validator.violations()[before..], "events out of order");
            tally.out_of_order(broken as u64);
        }
        match event {
            AgentEvent::Error(state) => {
                tracing::info!(state = %state.name, "agent in an error state; back to Available");
                let agent = session.agent();
                tokio::spawn(async move {
                    if let Err(error) = agent.set_state_by_name("Available").await {
                        tracing::warn!(%error, "could not become Available");
                    }
                });
            }
            AgentEvent::Contact(c) => {
                let id = c.contact_id.clone();
                match c.kind {
                    ContactEventKind::Init => {
                        offer_numbers.insert(id.clone(), tally.offered());
                    }
                    ContactEventKind::Connecting | ContactEventKind::Incoming => {
                        let number = offer_numbers.get(&id).copied().unwrap_or(1);
                        let ignore = plan.miss_every > 0 && number % plan.miss_every == 0;
                        if !ignore && !c.contact.is_auto_accept() {
                            act_later(&session, &id, plan.answer_after, Action::Accept);
                        }
                    }
                    ContactEventKind::Connected if connected.insert(id.clone()) => {
                        tally.handled();
                        let talk = match c.contact.kind {
                            ContactType::Chat => plan.chat_talk,
                            ContactType::Task => plan.task_work,
                            _ => plan.voice_talk,
                        };
                        act_later(&session, &id, talk, Action::HangUp);
                    }
                    ContactEventKind::Missed => tally.missed(),
                    ContactEventKind::Ended => {
                        act_later(&session, &id, plan.after_contact_work, Action::Clear);
                    }
                    ContactEventKind::Destroyed => {
                        connected.remove(&id);
                        offer_numbers.remove(&id);
                        tally.closed();
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Action {
    Accept,
    HangUp,
    Clear,
}

/// Performs `action` on the contact after `delay`, on its own task so the bot keeps reading.
fn act_later(session: &AgentSession, contact_id: &str, delay: Duration, action: Action) {
    let Some(contact) = session.contact(contact_id) else {
        return;
    };
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        let result = match action {
            Action::Accept => contact.accept().await,
            Action::HangUp => contact.hang_up().await,
            Action::Clear => contact.clear().await,
        };
        // The customer may have hung up or the contact moved on meanwhile: not an error.
        if let Err(error) = result {
            tracing::debug!(?action, %error, contact = contact.id(), "action skipped");
        }
    });
}
