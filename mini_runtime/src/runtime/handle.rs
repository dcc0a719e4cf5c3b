//! [`Handle`]: a cloneable, sendable reference to a runtime.

use std::fmt;
use std::future::Future;

use super::{EnterGuard, RuntimeMetrics};
use crate::context::{self, ContextError};
use crate::scheduler;
use crate::task::JoinHandle;

/// A reference to a runtime: spawn onto it or enter it from any thread.
///
/// `Clone + Send + Sync`. A handle does not keep the runtime running: after
/// the runtime is dropped, spawning through a handle gives a task that is
/// cancelled at once.
#[derive(Clone, Debug)]
pub struct Handle {
    pub(crate) inner: scheduler::Handle,
}

/// The kind of scheduler a runtime uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuntimeFlavor {
    /// Tasks run on the thread calling `block_on`.
    CurrentThread,
    /// Tasks run on a pool of work-stealing worker threads.
    MultiThread,
}

/// Returned by [`Handle::try_current`] when there is no current runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TryCurrentError(ContextError);

impl TryCurrentError {
    /// No runtime was entered on this thread.
    pub fn is_missing_context(&self) -> bool {
        self.0 == ContextError::NoRuntime
    }

    /// The thread is exiting and its thread-local context is gone.
    pub fn is_thread_local_destroyed(&self) -> bool {
        self.0 == ContextError::ThreadLocalDestroyed
    }
}

impl fmt::Display for TryCurrentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`Handle::current` {}", self.0)
    }
}

impl std::error::Error for TryCurrentError {}

impl Handle {
    /// The handle of the runtime this thread is in.
    ///
    /// # Panics
    ///
    /// Outside a runtime context; see [`try_current`](Self::try_current).
    #[track_caller]
    pub fn current() -> Handle {
        match Handle::try_current() {
            Ok(handle) => handle,
            Err(err) => panic!("{err}"),
        }
    }

    /// The handle of the runtime this thread is in, if any.
    pub fn try_current() -> Result<Handle, TryCurrentError> {
        context::with_current(|inner| Handle {
            inner: inner.clone(),
        })
        .map_err(TryCurrentError)
    }

    /// Spawns a task onto this runtime (from any thread).
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.inner.spawn(future)
    }

    /// Runs a blocking closure on the runtime's blocking pool; see
    /// [`task::spawn_blocking`](crate::task::spawn_blocking).
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.inner.spawn_blocking(f)
    }

    /// Runs a future to completion on this thread, with the runtime
    /// entered (so `spawn` and timers work inside it).
    ///
    /// As in Tokio, this drives only `future` itself: on a current-thread
    /// runtime, spawned tasks and timers make progress only while some
    /// thread is inside [`Runtime::block_on`](crate::runtime::Runtime::block_on).
    ///
    /// # Panics
    ///
    /// When called from a thread that drives a runtime.
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.inner
            .block_on_without_driving("Handle::block_on", future)
    }

    /// Makes this runtime current on this thread until the guard is dropped.
    pub fn enter(&self) -> EnterGuard<'_> {
        EnterGuard::new(self)
    }

    /// Statistics about the scheduler.
    pub fn metrics(&self) -> RuntimeMetrics {
        RuntimeMetrics::new(self.inner.clone())
    }

    /// Which scheduler this runtime uses.
    pub fn runtime_flavor(&self) -> RuntimeFlavor {
        match self.inner {
            scheduler::Handle::CurrentThread(_) => RuntimeFlavor::CurrentThread,
            scheduler::Handle::MultiThread(_) => RuntimeFlavor::MultiThread,
        }
    }
}
