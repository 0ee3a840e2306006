//! What the route handlers share: the instance, the open sockets, the topic handlers, the
//! login sessions behind `/auth/authorize`, the discovery answer, and the limits.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::Duration;

use crate::mock::SimInstance;

use super::hub::Hub;
use super::topic::TopicHandler;

/// Name of the login session cookie `/auth/authorize` reads.
pub(super) const SESSION_COOKIE: &str = "sim_session";

/// Request limits.
#[derive(Clone, Copy, Debug)]
pub(super) struct Limits {
    pub max_body_bytes: usize,
    pub read_timeout: Duration,
}

/// What `GET /_sim/discovery/<id>` answers.
#[derive(Clone, Debug)]
pub(super) struct Discovery {
    pub id: String,
    pub instance_arn: String,
    pub terminate_active_contacts: bool,
}

pub(super) struct Shared {
    pub instance: SimInstance,
    pub hub: Hub,
    pub limits: Limits,
    handlers: RwLock<BTreeMap<String, Arc<dyn TopicHandler>>>,
    /// Session cookie value → agent id.
    sessions: Mutex<BTreeMap<String, String>>,
    discovery: Mutex<Discovery>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    pub fn new(instance: SimInstance, limits: Limits) -> Self {
        let discovery = Discovery {
            id: instance.with_auth(|auth| auth.token(24)),
            instance_arn: instance.with_engine(|engine| engine.instance_arn()),
            terminate_active_contacts: false,
        };
        Self {
            instance,
            hub: Hub::default(),
            limits,
            handlers: RwLock::default(),
            sessions: Mutex::default(),
            discovery: Mutex::new(discovery),
        }
    }

    pub fn handler(&self, topic: &str) -> Option<Arc<dyn TopicHandler>> {
        let handlers = self.handlers.read().unwrap_or_else(PoisonError::into_inner);
        handlers.get(topic).cloned()
    }

    pub fn all_handlers(&self) -> Vec<Arc<dyn TopicHandler>> {
        let handlers = self.handlers.read().unwrap_or_else(PoisonError::into_inner);
        handlers.values().cloned().collect()
    }

    pub fn set_handler(&self, topic: &str, handler: Option<Arc<dyn TopicHandler>>) {
        let mut handlers = self
            .handlers
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        match handler {
            Some(h) => handlers.insert(topic.to_owned(), h),
            None => handlers.remove(topic),
        };
    }

    /// A new login session for `agent_id`; returns the cookie value.
    pub fn new_session(&self, agent_id: &str) -> String {
        let value = self.instance.with_auth(|auth| auth.token(24));
        lock(&self.sessions).insert(value.clone(), agent_id.to_owned());
        value
    }

    /// The agent of a session cookie value.
    pub fn session_agent(&self, value: &str) -> Option<String> {
        lock(&self.sessions).get(value).cloned()
    }

    /// Ends every login session of `agent_id`; returns how many there were.
    pub fn end_sessions(&self, agent_id: &str) -> usize {
        let mut sessions = lock(&self.sessions);
        let before = sessions.len();
        sessions.retain(|_, agent| agent != agent_id);
        before - sessions.len()
    }

    pub fn discovery(&self) -> Discovery {
        lock(&self.discovery).clone()
    }

    pub fn set_active_region(&self, instance_arn: String, terminate_active_contacts: bool) {
        let mut discovery = lock(&self.discovery);
        discovery.instance_arn = instance_arn;
        discovery.terminate_active_contacts = terminate_active_contacts;
    }
}
