//! Spawning background tasks on the native tokio runtime or the browser's event loop.

use std::future::Future;

use futures::future::{AbortHandle, Abortable};

/// Spawns `task` so that it can be aborted through the returned handle.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn spawn_abortable<F>(task: F) -> AbortHandle
where
    F: Future<Output = ()> + Send + 'static,
{
    let (handle, registration) = AbortHandle::new_pair();
    tokio::spawn(Abortable::new(task, registration));
    handle
}

/// Spawns `task` so that it can be aborted through the returned handle.
#[cfg(target_arch = "wasm32")]
pub(crate) fn spawn_abortable<F>(task: F) -> AbortHandle
where
    F: Future<Output = ()> + 'static,
{
    let (handle, registration) = AbortHandle::new_pair();
    wasm_bindgen_futures::spawn_local(async move {
        let _ = Abortable::new(task, registration).await;
    });
    handle
}

/// Aborts the tasks it holds when dropped: owned by the user-facing handles, so dropping the
/// last handle stops the session.
#[derive(Debug, Default)]
pub(crate) struct TaskGuard {
    handles: std::sync::Mutex<Vec<AbortHandle>>,
}

impl TaskGuard {
    pub(crate) fn push(&self, handle: AbortHandle) {
        self.handles
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(handle);
    }

    pub(crate) fn abort_all(&self) {
        let handles = std::mem::take(
            &mut *self
                .handles
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        for handle in handles {
            handle.abort();
        }
    }
}

impl Drop for TaskGuard {
    fn drop(&mut self) {
        self.abort_all();
    }
}
