//! [`CallRecordings`]: what the agent heard on each call, kept per contact.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use super::types::CallInfo;
use crate::audio::{AudioSink, MemorySink};

/// Records what the agent hears on every call into a [`MemorySink`] per contact (bots, test
/// harnesses, quality checks). Hand [`sink_factory`](Self::sink_factory) to the builder and
/// read or take a call's recording by contact id. Cheap to clone.
///
/// ```no_run
/// # async fn demo(session: connect_core::session::AgentSession) -> Result<(), Box<dyn std::error::Error>> {
/// use connect_softphone::manager::{CallRecordings, SoftphoneManager};
/// use connect_softphone::media::WebRtcEngine;
///
/// let recordings = CallRecordings::default();
/// let (softphone, _events) = SoftphoneManager::builder(session, WebRtcEngine::new())
///     .sink_factory(recordings.sink_factory())
///     .connect()
///     .await?;
/// if let Some(heard) = recordings.get("contact-1") {
///     println!("{} samples heard", heard.len_samples());
/// }
/// # let _ = softphone;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
pub struct CallRecordings {
    calls: Arc<Mutex<HashMap<String, MemorySink>>>,
}

impl CallRecordings {
    /// A sink factory that gives each call a fresh recording, kept under its contact id.
    pub fn sink_factory(&self) -> impl Fn(&CallInfo) -> Box<dyn AudioSink> + Send + Sync + 'static {
        let calls = Arc::clone(&self.calls);
        move |call: &CallInfo| {
            let sink = MemorySink::new();
            calls
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(call.contact_id.clone(), sink.clone());
            Box::new(sink) as Box<dyn AudioSink>
        }
    }

    /// The recording of `contact_id`'s call (it keeps growing while the call lasts).
    pub fn get(&self, contact_id: &str) -> Option<MemorySink> {
        self.lock().get(contact_id).cloned()
    }

    /// Removes and returns the recording of `contact_id`'s call.
    pub fn take(&self, contact_id: &str) -> Option<MemorySink> {
        self.lock().remove(contact_id)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, MemorySink>> {
        self.calls.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::AudioFrame;

    #[tokio::test]
    async fn each_call_gets_its_own_recording() {
        let recordings = CallRecordings::default();
        let factory = recordings.sink_factory();
        let call = |id: &str| CallInfo {
            contact_id: id.into(),
            connection_id: format!("ac-{id}"),
            auto_accept: false,
        };
        let mut first = factory(&call("c-1"));
        factory(&call("c-2"));
        first
            .write_frame(&AudioFrame::silence(0))
            .await
            .expect("written");
        assert_eq!(recordings.get("c-1").map(|s| s.len_samples()), Some(960));
        assert_eq!(recordings.get("c-2").map(|s| s.len_samples()), Some(0));
        assert!(recordings.take("c-1").is_some());
        assert!(recordings.get("c-1").is_none());
    }
}
