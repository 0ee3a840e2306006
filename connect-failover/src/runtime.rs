//! Spawning on the native tokio runtime or the browser's event loop, and deadlines on the
//! injected clock.

use std::future::Future;
use std::time::Duration;

use connect_core::time::Clock;
use futures::future::{AbortHandle, Abortable, Either};

/// Spawns `task`; the returned handle aborts it.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn spawn<F>(task: F) -> AbortHandle
where
    F: Future<Output = ()> + Send + 'static,
{
    let (handle, registration) = AbortHandle::new_pair();
    tokio::spawn(Abortable::new(task, registration));
    handle
}

/// Spawns `task`; the returned handle aborts it.
#[cfg(target_arch = "wasm32")]
pub(crate) fn spawn<F>(task: F) -> AbortHandle
where
    F: Future<Output = ()> + 'static,
{
    let (handle, registration) = AbortHandle::new_pair();
    wasm_bindgen_futures::spawn_local(async move {
        let _ = Abortable::new(task, registration).await;
    });
    handle
}

/// `future`'s output, or `None` when `limit` passes first on `clock`.
pub(crate) async fn with_timeout<F: Future>(
    clock: &dyn Clock,
    limit: Duration,
    future: F,
) -> Option<F::Output> {
    let future = std::pin::pin!(future);
    let sleep = std::pin::pin!(clock.sleep(limit));
    match futures::future::select(future, sleep).await {
        Either::Left((output, _)) => Some(output),
        Either::Right(_) => None,
    }
}

/// Aborts the tasks it holds when dropped.
#[derive(Debug, Default)]
pub(crate) struct TaskGuard {
    handles: std::sync::Mutex<Vec<AbortHandle>>,
}

impl TaskGuard {
    pub(crate) fn push(&self, handle: AbortHandle) {
        let mut handles = self
            .handles
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        handles.retain(|h| !h.is_aborted());
        handles.push(handle);
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
