//! The schedulers: which task runs next, on which thread.
//!
//! * [`current_thread`]: everything on the thread that calls `block_on`.
//! * [`multi_thread`]: a pool of worker threads that steal work from each
//!   other.
//!
//! Both receive tasks from other threads through the same [`inject`] queue.
//!
//! Both share the task implementation (`crate::task`), the driver and the
//! runtime's public types; this module is the switch between them.

pub(crate) mod current_thread;
pub(crate) mod inject;
pub(crate) mod multi_thread;

use std::future::Future;

use crate::blocking;
use crate::runtime::driver;
use crate::runtime::metrics::WorkerMetrics;
use crate::sync::Arc;
use crate::task::{Id, JoinHandle};

/// The index of the multi-thread worker running on this thread, if this
/// is a worker thread (of any runtime). The timer driver uses it to pick
/// the worker's own shard.
pub(crate) fn current_worker_index() -> Option<usize> {
    crate::context::with_scheduler(|cx| match cx {
        Some(Context::MultiThread(cx)) => Some(cx.index),
        _ => None,
    })
}

/// A handle to whichever scheduler a runtime uses.
#[derive(Clone, Debug)]
pub(crate) enum Handle {
    CurrentThread(Arc<current_thread::Handle>),
    MultiThread(Arc<multi_thread::Handle>),
}

/// The per-thread state of the scheduler running on this thread.
pub(crate) enum Context {
    CurrentThread(current_thread::Context),
    MultiThread(multi_thread::worker::Context),
}

impl Handle {
    pub(crate) fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let id = Id::next();
        match self {
            Handle::CurrentThread(h) => h.spawn(future, id),
            Handle::MultiThread(h) => h.spawn(future, id),
        }
    }

    pub(crate) fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.blocking().spawn_blocking(self, f)
    }

    pub(crate) fn blocking(&self) -> &blocking::Spawner {
        match self {
            Handle::CurrentThread(h) => &h.blocking,
            Handle::MultiThread(h) => &h.blocking,
        }
    }

    pub(crate) fn driver(&self) -> &driver::Handle {
        match self {
            Handle::CurrentThread(h) => &h.driver,
            Handle::MultiThread(h) => &h.driver_handle,
        }
    }

    pub(crate) fn num_workers(&self) -> usize {
        match self {
            Handle::CurrentThread(_) => 1,
            Handle::MultiThread(h) => h.num_workers(),
        }
    }

    pub(crate) fn num_alive_tasks(&self) -> usize {
        match self {
            Handle::CurrentThread(h) => h.num_alive_tasks(),
            Handle::MultiThread(h) => h.num_alive_tasks(),
        }
    }

    pub(crate) fn spawned_tasks_count(&self) -> u64 {
        match self {
            Handle::CurrentThread(h) => h.spawned.get(),
            Handle::MultiThread(h) => h.spawned.get(),
        }
    }

    pub(crate) fn global_queue_depth(&self) -> usize {
        match self {
            Handle::CurrentThread(h) => h.global_queue_depth(),
            Handle::MultiThread(h) => h.global_queue_depth(),
        }
    }

    pub(crate) fn remote_schedule_count(&self) -> u64 {
        match self {
            Handle::CurrentThread(h) => h.remote_schedules.get(),
            Handle::MultiThread(h) => h.remote_schedules.get(),
        }
    }

    pub(crate) fn worker_metrics(&self, worker: usize) -> &WorkerMetrics {
        match self {
            Handle::CurrentThread(h) => &h.metrics,
            Handle::MultiThread(h) => h.worker_metrics(worker),
        }
    }

    /// `Runtime::block_on`: on the current-thread runtime this thread also
    /// runs the tasks; on the multi-thread runtime the workers do.
    pub(crate) fn block_on<F: Future>(&self, what: &str, future: F) -> F::Output {
        match self {
            Handle::CurrentThread(h) => current_thread::block_on(h, self, what, future),
            Handle::MultiThread(_) => self.block_on_without_driving(what, future),
        }
    }

    /// `Handle::block_on` (and the multi-thread `Runtime::block_on`): runs
    /// only `future` on this thread, with this runtime entered. As in Tokio,
    /// it never drives a current-thread runtime's tasks or timers: that is
    /// `Runtime::block_on`'s job (on some thread).
    pub(crate) fn block_on_without_driving<F: Future>(&self, what: &str, future: F) -> F::Output {
        let spin = match self {
            // A `Handle::block_on` on a current-thread runtime waits for
            // tasks that some other thread drives: no spinning there.
            Handle::CurrentThread(_) => std::time::Duration::ZERO,
            Handle::MultiThread(h) => h.config.park_spin,
        };
        crate::context::enter_runtime(self, what, || crate::block_on::park_loop(future, spin))
    }

    pub(crate) fn shutdown(&self) {
        match self {
            Handle::CurrentThread(h) => current_thread::shutdown(h, self),
            Handle::MultiThread(h) => multi_thread::shutdown(h),
        }
        // After the tasks (and their timers) are gone: wake the timers that
        // live outside the runtime, so that they see it is shut down.
        self.driver().shutdown();
    }
}
