//! Background tasks that work the same natively and in a browser: [`spawn_abortable`] on the
//! tokio runtime or the browser's event loop, and [`TaskGuard`], which aborts its tasks when
//! dropped.

use std::future::Future;

use futures::future::{AbortHandle, Abortable};

/// Spawns `task` so that it can be aborted through the returned handle: on the tokio runtime
/// natively, on the browser's event loop in wasm32 (where `task` need not be `Send`).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let handle = connect_core::task::spawn_abortable(std::future::pending());
/// handle.abort();
/// assert!(handle.is_aborted());
/// # }
/// ```
#[cfg(not(target_arch = "wasm32"))]
pub fn spawn_abortable<F>(task: F) -> AbortHandle
where
    F: Future<Output = ()> + Send + 'static,
{
    let (handle, registration) = AbortHandle::new_pair();
    tokio::spawn(Abortable::new(task, registration));
    handle
}

/// Spawns `task` so that it can be aborted through the returned handle: on the tokio runtime
/// natively, on the browser's event loop in wasm32 (where `task` need not be `Send`).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let handle = connect_core::task::spawn_abortable(std::future::pending());
/// handle.abort();
/// assert!(handle.is_aborted());
/// # }
/// ```
#[cfg(target_arch = "wasm32")]
pub fn spawn_abortable<F>(task: F) -> AbortHandle
where
    F: Future<Output = ()> + 'static,
{
    let (handle, registration) = AbortHandle::new_pair();
    wasm_bindgen_futures::spawn_local(async move {
        let _ = Abortable::new(task, registration).await;
    });
    handle
}

/// Aborts the tasks it holds when dropped: a handle type owns one, so dropping the last
/// handle stops its background tasks.
///
/// ```
/// use connect_core::task::{spawn_abortable, TaskGuard};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let guard = TaskGuard::default();
/// let handle = spawn_abortable(std::future::pending());
/// guard.push(handle.clone());
/// drop(guard);
/// assert!(handle.is_aborted());
/// # }
/// ```
#[derive(Debug, Default)]
pub struct TaskGuard {
    handles: std::sync::Mutex<Vec<AbortHandle>>,
}

impl TaskGuard {
    /// Holds `handle`; the handles of tasks aborted meanwhile are let go.
    pub fn push(&self, handle: AbortHandle) {
        let mut handles = self
            .handles
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        handles.retain(|h| !h.is_aborted());
        handles.push(handle);
    }

    /// Aborts every task held.
    pub fn abort_all(&self) {
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

impl From<AbortHandle> for TaskGuard {
    /// A guard of one task.
    ///
    /// ```
    /// use connect_core::task::{spawn_abortable, TaskGuard};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let handle = spawn_abortable(std::future::pending());
    /// drop(TaskGuard::from(handle.clone()));
    /// assert!(handle.is_aborted());
    /// # }
    /// ```
    fn from(handle: AbortHandle) -> Self {
        Self {
            handles: std::sync::Mutex::new(vec![handle]),
        }
    }
}

impl Drop for TaskGuard {
    fn drop(&mut self) {
        self.abort_all();
    }
}
