//! Per-topic delivery: callbacks ([`TopicHandler`]) and channels ([`TopicMessages`]).

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use futures::channel::mpsc;
use futures::Stream;
use serde_json::Value;

/// A callback for messages on one topic. It runs on the manager's task: keep it short (hand
/// work to a channel or a task). A panic is caught, logged and removes only that handler.
///
/// ```
/// use connect_core::ws::TopicHandler;
///
/// let handler = |topic: &str, content: &serde_json::Value| println!("{topic}: {content}");
/// handler.on_message("aws/softphone", &serde_json::json!({}));
/// ```
pub trait TopicHandler: Send + Sync {
    /// A message on the topic.
    fn on_message(&self, topic: &str, content: &Value);
}

impl<F: Fn(&str, &Value) + Send + Sync> TopicHandler for F {
    fn on_message(&self, topic: &str, content: &Value) {
        self(topic, content);
    }
}

/// The messages of one topic, in order, as a stream of contents.
///
/// ```no_run
/// # use connect_core::ws::{WsManager, WsUrlSource};
/// # async fn demo(manager: WsManager) {
/// use futures::StreamExt;
///
/// let mut softphone = manager.subscribe("aws/softphone");
/// while let Some(content) = softphone.next().await {
///     println!("{content}");
/// }
/// # }
/// ```
#[derive(Debug)]
pub struct TopicMessages {
    pub(crate) rx: mpsc::UnboundedReceiver<Value>,
}

impl TopicMessages {
    /// The next message; `None` once unsubscribed or the manager stopped.
    ///
    /// ```no_run
    /// # async fn demo(manager: connect_core::ws::WsManager) {
    /// let mut t = manager.subscribe("t");
    /// let first = t.recv().await;
    /// # }
    /// ```
    pub async fn recv(&mut self) -> Option<Value> {
        futures::StreamExt::next(&mut self.rx).await
    }
}

impl Stream for TopicMessages {
    type Item = Value;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Value>> {
        Pin::new(&mut self.rx).poll_next(cx)
    }
}

enum Entry {
    Callback(Arc<dyn TopicHandler>),
    Channel(mpsc::UnboundedSender<Value>),
}

/// Handlers by topic, shared between the handles and the manager task.
#[derive(Default)]
pub(crate) struct Handlers {
    by_topic: Mutex<HashMap<String, Vec<Entry>>>,
}

impl std::fmt::Debug for Handlers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handlers").finish_non_exhaustive()
    }
}

impl Handlers {
    pub(crate) fn add_callback(&self, topic: &str, handler: Arc<dyn TopicHandler>) {
        self.add(topic, Entry::Callback(handler));
    }

    pub(crate) fn add_channel(&self, topic: &str) -> TopicMessages {
        let (tx, rx) = mpsc::unbounded();
        self.add(topic, Entry::Channel(tx));
        TopicMessages { rx }
    }

    pub(crate) fn remove_topic(&self, topic: &str) {
        self.lock().remove(topic);
    }

    pub(crate) fn clear(&self) {
        self.lock().clear();
    }

    /// Delivers one message to the topic's handlers, dropping closed channels and panicking
    /// callbacks. Callbacks run without the lock held, so they may subscribe or unsubscribe.
    pub(crate) fn dispatch(&self, topic: &str, content: &Value) {
        let callbacks: Vec<Arc<dyn TopicHandler>> = {
            let mut map = self.lock();
            let Some(entries) = map.get_mut(topic) else {
                return;
            };
            entries.retain(|entry| match entry {
                Entry::Channel(tx) => tx.unbounded_send(content.clone()).is_ok(),
                Entry::Callback(_) => true,
            });
            entries
                .iter()
                .filter_map(|entry| match entry {
                    Entry::Callback(handler) => Some(Arc::clone(handler)),
                    Entry::Channel(_) => None,
                })
                .collect()
        };
        for handler in callbacks {
            let ok = catch_unwind(AssertUnwindSafe(|| handler.on_message(topic, content)));
            if ok.is_err() {
                tracing::error!(%topic, "WebSocket topic handler panicked: removed");
                if let Some(entries) = self.lock().get_mut(topic) {
                    entries
                        .retain(|e| !matches!(e, Entry::Callback(h) if Arc::ptr_eq(h, &handler)));
                }
            }
        }
    }

    fn add(&self, topic: &str, entry: Entry) {
        self.lock().entry(topic.to_owned()).or_default().push(entry);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Entry>>> {
        self.by_topic.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
