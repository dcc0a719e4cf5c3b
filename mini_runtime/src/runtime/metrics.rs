//! [`RuntimeMetrics`]: counters that show what the scheduler is doing.
//!
//! Every counter is written by one thread only (its worker), so it is
//! bumped with a plain load and store instead of an atomic read-modify-write:
//! on x86 that is two ordinary `mov`s, cheap enough for the poll loop.
//! Readers on other threads see a recent value (relaxed ordering), which is
//! all a metric needs. Counters that many threads write (remote schedules)
//! use `fetch_add`.
//!
//! Tokio's `RuntimeMetrics` offers similar counters; several of them
//! (steals, polls per worker) are only available there with the
//! `tokio_unstable` cfg.

use crate::scheduler;
use crate::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// A counter written by a single thread.
#[derive(Debug, Default)]
pub(crate) struct Counter(AtomicU64);

impl Counter {
    /// Adds one. Only the owning thread may call this.
    pub(crate) fn incr(&self) {
        self.add(1);
    }

    /// Adds `n`. Only the owning thread may call this.
    pub(crate) fn add(&self, n: u64) {
        self.0.store(self.0.load(Relaxed) + n, Relaxed);
    }

    /// Adds one from any thread.
    pub(crate) fn incr_shared(&self) {
        self.0.fetch_add(1, Relaxed);
    }

    pub(crate) fn get(&self) -> u64 {
        self.0.load(Relaxed)
    }
}

/// The counters of one worker thread.
#[derive(Debug, Default)]
pub(crate) struct WorkerMetrics {
    /// Tasks polled.
    pub(crate) polls: Counter,
    /// Times the worker went to sleep.
    pub(crate) parks: Counter,
    /// Times the worker was woken up from sleep.
    pub(crate) unparks: Counter,
    /// Tasks this worker queued on its own local queue.
    pub(crate) local_schedules: Counter,
    /// Steal operations that took at least one task.
    pub(crate) steal_operations: Counter,
    /// Tasks taken by those steals.
    pub(crate) steals: Counter,
    /// Times the local queue was full and half of it moved to the global queue.
    pub(crate) overflows: Counter,
    /// Tasks run from the LIFO slot.
    pub(crate) lifo_hits: Counter,
}

/// A snapshot source for runtime statistics, from [`Handle::metrics`].
///
/// ```
/// let rt = mini_runtime::runtime::Builder::new_current_thread().build().unwrap();
/// rt.block_on(async {
///     mini_runtime::spawn(async {}).await.unwrap();
/// });
/// let metrics = rt.metrics();
/// assert_eq!(metrics.num_workers(), 1);
/// assert_eq!(metrics.spawned_tasks_count(), 1);
/// assert!(metrics.worker_poll_count(0) >= 1);
/// ```
///
/// [`Handle::metrics`]: crate::runtime::Handle::metrics
#[derive(Clone, Debug)]
pub struct RuntimeMetrics {
    handle: scheduler::Handle,
}

impl RuntimeMetrics {
    pub(crate) fn new(handle: scheduler::Handle) -> RuntimeMetrics {
        RuntimeMetrics { handle }
    }

    /// Number of worker threads (1 for the current-thread runtime, whose
    /// "worker" is the thread calling `block_on`).
    pub fn num_workers(&self) -> usize {
        self.handle.num_workers()
    }

    /// Tasks spawned and not yet completed.
    pub fn num_alive_tasks(&self) -> usize {
        self.handle.num_alive_tasks()
    }

    /// Tasks spawned since the runtime was built.
    pub fn spawned_tasks_count(&self) -> u64 {
        self.handle.spawned_tasks_count()
    }

    /// Tasks waiting in the global (injection) queue.
    pub fn global_queue_depth(&self) -> usize {
        self.handle.global_queue_depth()
    }

    /// Tasks queued from outside the runtime's threads (remote spawns and
    /// wakes from other threads).
    pub fn remote_schedule_count(&self) -> u64 {
        self.handle.remote_schedule_count()
    }

    /// Threads of the blocking pool (busy or idle).
    pub fn num_blocking_threads(&self) -> usize {
        self.handle.blocking().num_threads()
    }

    /// Blocking-pool threads waiting for work.
    pub fn num_idle_blocking_threads(&self) -> usize {
        self.handle.blocking().num_idle_threads()
    }

    /// Blocking jobs waiting for a thread.
    pub fn blocking_queue_depth(&self) -> usize {
        self.handle.blocking().queue_depth()
    }

    fn worker(&self, worker: usize) -> &WorkerMetrics {
        let n = self.num_workers();
        assert!(
            worker < n,
            "worker index {worker} out of range: this runtime has {n} worker(s)"
        );
        self.handle.worker_metrics(worker)
    }

    /// Tasks polled by one worker.
    ///
    /// # Panics
    ///
    /// If `worker >= num_workers()`.
    pub fn worker_poll_count(&self, worker: usize) -> u64 {
        self.worker(worker).polls.get()
    }

    /// Tasks polled by all workers together.
    pub fn total_poll_count(&self) -> u64 {
        (0..self.num_workers())
            .map(|w| self.worker_poll_count(w))
            .sum()
    }

    /// Times one worker parked (went to sleep waiting for work).
    pub fn worker_park_count(&self, worker: usize) -> u64 {
        self.worker(worker).parks.get()
    }

    /// Times one worker was unparked (woken up).
    pub fn worker_unpark_count(&self, worker: usize) -> u64 {
        self.worker(worker).unparks.get()
    }

    /// Tasks one worker queued on its own local queue.
    pub fn worker_local_schedule_count(&self, worker: usize) -> u64 {
        self.worker(worker).local_schedules.get()
    }

    /// Tasks one worker stole from others.
    pub fn worker_steal_count(&self, worker: usize) -> u64 {
        self.worker(worker).steals.get()
    }

    /// Steal operations (each takes one or more tasks) by one worker.
    pub fn worker_steal_operations(&self, worker: usize) -> u64 {
        self.worker(worker).steal_operations.get()
    }

    /// Times one worker's local queue overflowed into the global queue.
    pub fn worker_overflow_count(&self, worker: usize) -> u64 {
        self.worker(worker).overflows.get()
    }

    /// Tasks one worker ran from its LIFO slot.
    pub fn worker_lifo_hit_count(&self, worker: usize) -> u64 {
        self.worker(worker).lifo_hits.get()
    }
}
