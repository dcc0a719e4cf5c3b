//! [`JoinHandle`] and [`AbortHandle`]: the spawner's side of a task.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::harness::{JoinTarget, TaskRef};
use super::{Id, JoinError};
use crate::sync::Arc;

/// An owned permission to await a spawned task's output.
///
/// Awaiting it gives `Ok(output)`, or a [`JoinError`] if the task panicked
/// or was cancelled. Dropping it *detaches* the task: it keeps running, and
/// its output is dropped when it finishes.
///
/// ```
/// use mini_runtime::runtime::Builder;
///
/// let rt = Builder::new_current_thread().build().unwrap();
/// let sum = rt.block_on(async {
///     let handle = mini_runtime::spawn(async { 40 + 2 });
///     handle.await.unwrap()
/// });
/// assert_eq!(sum, 42);
/// ```
pub struct JoinHandle<T> {
    raw: Arc<dyn JoinTarget<T>>,
    /// `fn() -> T`: the handle produces a `T` but stores none, so it is
    /// `Send + Sync` whatever `T`'s `Sync` is (as Tokio's is).
    _output: PhantomData<fn() -> T>,
}

impl<T> Unpin for JoinHandle<T> {}

impl<T: Send + 'static> JoinHandle<T> {
    pub(crate) fn new(raw: Arc<dyn JoinTarget<T>>) -> JoinHandle<T> {
        JoinHandle {
            raw,
            _output: PhantomData,
        }
    }
}

impl<T> JoinHandle<T> {
    /// Asks the task to stop. If it is not running, its future is dropped
    /// at the next opportunity; if it is being polled, right after that
    /// poll. Awaiting the handle then gives a cancelled `JoinError` (unless
    /// the task completed first). Aborting a finished task does nothing.
    pub fn abort(&self) {
        self.raw.clone().abort();
    }

    /// Whether the task has finished (returned, panicked or was cancelled).
    pub fn is_finished(&self) -> bool {
        self.raw.is_complete()
    }

    /// A handle that can abort the task without owning its output.
    pub fn abort_handle(&self) -> AbortHandle {
        AbortHandle {
            raw: self.raw.clone().as_task(),
        }
    }

    /// The task's id.
    pub fn id(&self) -> Id {
        self.raw.id()
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.raw.poll_join(cx)
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        self.raw.drop_join_handle();
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.raw.id())
            .field("finished", &self.raw.is_complete())
            .finish()
    }
}

/// Aborts a task without awaiting it. Cheap to clone.
#[derive(Clone)]
pub struct AbortHandle {
    raw: TaskRef,
}

impl AbortHandle {
    /// See [`JoinHandle::abort`].
    pub fn abort(&self) {
        self.raw.clone().abort();
    }

    /// See [`JoinHandle::is_finished`].
    pub fn is_finished(&self) -> bool {
        self.raw.is_complete()
    }

    /// The task's id.
    pub fn id(&self) -> Id {
        self.raw.id()
    }
}

impl fmt::Debug for AbortHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbortHandle")
            .field("id", &self.raw.id())
            .finish()
    }
}
