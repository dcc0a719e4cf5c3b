//! The runtime: a scheduler plus its driver, with a handle to reach it.
//!
//! Build one with [`Builder`], run a future on it with
//! [`Runtime::block_on`], spawn tasks from anywhere with a [`Handle`].
//! Dropping the runtime cancels every task that is still pending (their
//! futures are dropped) and never waits for tasks that would never end.
//!
//! ```
//! use mini_runtime::runtime::Builder;
//!
//! let rt = Builder::new_current_thread().enable_all().build().unwrap();
//! let handle = rt.handle().clone();
//! let from_thread = std::thread::spawn(move || handle.spawn(async { 7 }))
//!     .join()
//!     .unwrap();
//! assert_eq!(rt.block_on(from_thread).unwrap(), 7);
//! ```
//!
//! Tokio's `tokio::runtime` has the same shape; its `Runtime` additionally
//! owns an I/O driver and signal handling.

mod builder;
pub(crate) mod driver;
mod handle;
pub(crate) mod metrics;

use std::future::Future;
use std::io;
use std::marker::PhantomData;
use std::time::Duration;

pub use self::builder::{
    Builder, DEFAULT_EVENT_INTERVAL, DEFAULT_GLOBAL_QUEUE_INTERVAL, DEFAULT_MAX_BLOCKING_THREADS,
    DEFAULT_MULTI_THREAD_GLOBAL_QUEUE_INTERVAL, DEFAULT_PARK_SPIN, DEFAULT_THREAD_KEEP_ALIVE,
};
pub use self::handle::{Handle, RuntimeFlavor, TryCurrentError};
pub use self::metrics::RuntimeMetrics;
pub use crate::scheduler::multi_thread::MAX_LIFO_POLLS_PER_TICK;
pub use crate::scheduler::multi_thread::queue::LOCAL_QUEUE_CAPACITY;
pub use crate::task::list::OWNED_TASK_SHARDS_PER_WORKER;
pub use crate::time::driver::MAX_TIMER_SHARDS;

use crate::blocking;
use crate::context::SetCurrentGuard;
use crate::scheduler::{self, current_thread, multi_thread};
use crate::task::JoinHandle;

/// An async runtime: a scheduler that runs tasks, plus timers.
///
/// Dropping it shuts it down: every task that is still pending is
/// cancelled (its future dropped, exactly once), and the call does not
/// wait for tasks that would never finish.
#[derive(Debug)]
pub struct Runtime {
    handle: Handle,
    /// Set by `shutdown_timeout` / `shutdown_background`, so `Drop` has
    /// nothing left to do.
    shut_down: bool,
}

/// Keeps a runtime entered on this thread; see [`Runtime::enter`].
#[derive(Debug)]
#[must_use = "the runtime is only entered while the guard is alive"]
pub struct EnterGuard<'a> {
    _guard: SetCurrentGuard,
    /// Tied to the runtime's lifetime, and `!Send`: the guard restores a
    /// thread-local, so it must be dropped on the thread that made it.
    _marker: PhantomData<(&'a Handle, *const ())>,
}

impl std::fmt::Debug for SetCurrentGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SetCurrentGuard")
    }
}

impl<'a> EnterGuard<'a> {
    pub(crate) fn new(handle: &'a Handle) -> EnterGuard<'a> {
        EnterGuard {
            _guard: crate::context::set_current(&handle.inner),
            _marker: PhantomData,
        }
    }
}

impl Runtime {
    fn from_builder(builder: &Builder) -> io::Result<Runtime> {
        let blocking = blocking::Spawner::new(blocking::Config {
            thread_cap: builder.max_blocking_threads,
            keep_alive: builder.thread_keep_alive,
            thread_name: builder.thread_name.clone(),
            stack_size: builder.thread_stack_size,
        });
        let inner = match builder.kind {
            builder::Kind::CurrentThread => {
                let config = current_thread::Config {
                    global_queue_interval: builder.global_queue_interval,
                    event_interval: builder.event_interval,
                    park_spin: builder.park_spin,
                    enable_time: builder.enable_time,
                    timer_shards: builder.timer_shards.unwrap_or(1),
                };
                scheduler::Handle::CurrentThread(current_thread::Handle::new(config, blocking))
            }
            builder::Kind::MultiThread => {
                let worker_threads = builder
                    .worker_threads
                    .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
                let config = multi_thread::Config {
                    worker_threads,
                    global_queue_interval: builder.global_queue_interval,
                    event_interval: builder.event_interval,
                    disable_lifo_slot: builder.disable_lifo_slot,
                    local_queue_capacity: builder.local_queue_capacity,
                    park_spin: builder.park_spin,
                    enable_time: builder.enable_time,
                    // One shard per worker by default, so that workers
                    // never share a timer lock.
                    timer_shards: builder
                        .timer_shards
                        .unwrap_or(worker_threads.min(MAX_TIMER_SHARDS)),
                };
                let handle = multi_thread::Handle::launch(
                    config,
                    blocking,
                    &builder.thread_name,
                    builder.thread_stack_size,
                )?;
                scheduler::Handle::MultiThread(handle)
            }
        };
        Ok(Runtime {
            handle: Handle { inner },
            shut_down: false,
        })
    }

    /// A multi-thread runtime with default settings and timers enabled,
    /// like Tokio's `Runtime::new`.
    pub fn new() -> io::Result<Runtime> {
        Builder::new_multi_thread().enable_all().build()
    }

    /// Runs a future to completion on the current thread. On the
    /// current-thread runtime this thread also runs the spawned tasks
    /// meanwhile; on the multi-thread runtime they run on the workers and
    /// this thread only drives `future` (as in Tokio).
    ///
    /// # Panics
    ///
    /// When called from a thread that already drives a runtime (inside an
    /// async context): use `.await` there instead.
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.handle.inner.block_on("Runtime::block_on", future)
    }

    /// Runs a blocking closure on the runtime's blocking pool; see
    /// [`task::spawn_blocking`](crate::task::spawn_blocking).
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.handle.spawn_blocking(f)
    }

    /// Spawns a task on this runtime; see [`crate::spawn`].
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.spawn(future)
    }

    /// The runtime's handle, which can be cloned and sent to other threads.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Makes this runtime current on this thread until the guard is
    /// dropped, so `spawn` and timers work outside `block_on`.
    pub fn enter(&self) -> EnterGuard<'_> {
        EnterGuard::new(&self.handle)
    }

    /// Statistics about the scheduler.
    pub fn metrics(&self) -> RuntimeMetrics {
        self.handle.metrics()
    }

    /// Shuts the runtime down, waiting at most `timeout` for blocking-pool
    /// jobs that are already running (they cannot be interrupted; after the
    /// timeout they are left to finish on their own). Pending tasks and
    /// blocking jobs that have not started are cancelled.
    pub fn shutdown_timeout(mut self, timeout: Duration) {
        self.shutdown(Some(timeout));
    }

    /// Shuts the runtime down without waiting for blocking jobs. Unlike
    /// dropping the runtime, this may be called from inside an async
    /// context.
    pub fn shutdown_background(self) {
        self.shutdown_timeout(Duration::ZERO);
    }
}

impl Runtime {
    fn shutdown(&mut self, blocking_timeout: Option<Duration>) {
        self.shut_down = true;
        self.handle.inner.shutdown();
        self.handle.inner.blocking().shutdown(blocking_timeout);
    }
}

impl Drop for Runtime {
    /// Cancels every pending task, then waits for blocking jobs that are
    /// already running (as Tokio does; use `shutdown_timeout` or
    /// `shutdown_background` to bound the wait).
    ///
    /// # Panics
    ///
    /// When dropped inside an async context (a task, or a `block_on`
    /// future), where waiting would block a runtime thread, as in Tokio:
    /// drop it outside, or call [`shutdown_background`](Self::shutdown_background).
    fn drop(&mut self) {
        if self.shut_down {
            return;
        }
        if crate::context::is_in_runtime() && !std::thread::panicking() {
            // Shut down without waiting, then report the mistake.
            self.shutdown(Some(Duration::ZERO));
            panic!(
                "Cannot drop a runtime in a context where blocking is not allowed: a \
                 mini_runtime Runtime was dropped inside an async context (a task or a \
                 `block_on` future), where waiting for its blocking jobs would stall this \
                 thread. Drop it outside the async context, or call \
                 `runtime.shutdown_background()` instead."
            );
        }
        self.shutdown(None);
    }
}
