//! Spawning the session tasks on tokio natively and on the browser's event loop on wasm.

use std::future::Future;

use futures::future::{AbortHandle, Abortable};

/// Aborts its task when dropped (owned by the last user-facing handle).
#[derive(Debug)]
pub(crate) struct TaskGuard(AbortHandle);

impl Drop for TaskGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Spawns `task`; dropping the returned guard aborts it.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn spawn_guarded<F>(task: F) -> TaskGuard
where
    F: Future<Output = ()> + Send + 'static,
{
    let (handle, registration) = AbortHandle::new_pair();
    tokio::spawn(Abortable::new(task, registration));
    TaskGuard(handle)
}

/// Spawns `task`; dropping the returned guard aborts it.
#[cfg(target_arch = "wasm32")]
pub(crate) fn spawn_guarded<F>(task: F) -> TaskGuard
where
    F: Future<Output = ()> + 'static,
{
    let (handle, registration) = AbortHandle::new_pair();
    wasm_bindgen_futures::spawn_local(async move {
        let _ = Abortable::new(task, registration).await;
    });
    TaskGuard(handle)
}
