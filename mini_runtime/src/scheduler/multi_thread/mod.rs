//! The multi-thread, work-stealing scheduler.
//!
//! # The problem
//!
//! Spread tasks over N worker threads so every core stays busy, without a
//! global lock on the hot path, without waking sleeping threads for nothing
//! (each wake-up costs microseconds), and without ever leaving a runnable
//! task behind while a worker sleeps.
//!
//! # The design
//!
//! ```text
//!   block_on / other threads ──spawn, wake──▶ Inject (global FIFO) ─┐
//!                                                                     │ every
//!   worker 0                 worker 1                 worker N-1      │ global_queue_interval
//!   ┌──────────────┐        ┌──────────────┐                          │ ticks, or when
//!   │ LIFO slot    │        │ LIFO slot    │                          │ the local queue
//!   │ LocalQueue ◀─┼─steal──┼─ LocalQueue  │    ...                   │ is empty
//!   └──────────────┘  half  └──────────────┘                          ▼
//!          ▲ wakes from tasks running on this worker go here
//! ```
//!
//! Reading order: [`queue`] (the lock-free local ring), [`inject`](super::inject) (the
//! global queue), [`idle`] (who searches, who sleeps, whom to wake), then
//! [`worker`] (the run loop that ties them together).
//!
//! * A task woken by a task running on a worker goes to that worker's
//!   **LIFO slot**: it runs next, while the data it was sent is still in
//!   the cache (message passing). The slot's previous occupant moves to the
//!   back of the local queue. At most [`MAX_LIFO_POLLS_PER_TICK`] tasks run
//!   from the slot in a row, so two tasks pinging each other cannot starve
//!   the queue. `yield_now` never uses the slot.
//! * A worker with no local work **steals** half of a random sibling's
//!   queue, then falls back to the inject queue; then it **parks**.
//! * The `block_on` future runs on the calling thread, which does not run
//!   tasks (Tokio's semantics): `block_on` is usually the "main" function,
//!   and keeping it off the workers keeps their queues and LIFO slots
//!   simple. The cost is one cross-thread wake-up when a task completes
//!   the `block_on` future.
//!
//! # Invariants
//!
//! * A task is in at most one queue (the task state word guarantees one
//!   `Notified`); each queue hands each task out once (see `queue`).
//! * Whenever a runnable task exists, some worker is unparked or will be
//!   woken (see `idle`: "push, then check searchers" against "update
//!   counters, then re-check queues").
//! * One parked worker parks on the driver (timers); the others on their
//!   own condition variable.
//! * Shutdown: a flag, then every worker is woken and joined, then every
//!   task still alive is cancelled through the owned-task list.
//!
//! # How Tokio does it differently
//!
//! Tokio's `runtime/scheduler/multi_thread/` has the same pieces (it is the
//! design this one studies). Differences: Tokio hands a worker's core to
//! another thread during `block_in_place`, tunes the global queue interval
//! from measured poll times, keeps a cooperative budget per task, and its
//! queues hold thin task pointers instead of `Arc<dyn Runnable>`.

pub(crate) mod idle;
pub(crate) mod queue;
pub(crate) mod worker;

use std::future::Future;
use std::thread;
use std::time::Duration;

use self::idle::Idle;
use self::queue::{Overflow, Steal};
use super::inject::Inject;
use crate::blocking;
use crate::context;
use crate::park::Unparker;
use crate::runtime::driver::{self, Driver};
use crate::runtime::metrics::{Counter, WorkerMetrics};
use crate::scheduler;
use crate::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use crate::sync::{Arc, Mutex};
use crate::task::harness::{self, Notified, Runnable, Schedule};
use crate::task::list::OwnedTasks;
use crate::task::{Id, JoinHandle};

/// Tasks a worker may run from its LIFO slot in a row before it must take
/// one from its queue (starvation bound for ping-pong pairs). Tokio's value.
pub const MAX_LIFO_POLLS_PER_TICK: usize = 3;

/// No worker holds the driver.
const NO_DRIVER_OWNER: usize = usize::MAX;

/// Settings taken from the `Builder`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Config {
    pub(crate) worker_threads: usize,
    pub(crate) global_queue_interval: u32,
    pub(crate) event_interval: u32,
    pub(crate) disable_lifo_slot: bool,
    pub(crate) local_queue_capacity: usize,
    pub(crate) park_spin: Duration,
    pub(crate) enable_time: bool,
    pub(crate) timer_shards: usize,
}

/// What other threads know about one worker.
struct Remote {
    steal: Steal<Notified>,
    unparker: Unparker,
}

/// State shared by the workers and every handle.
pub(crate) struct Handle {
    remotes: Box<[Remote]>,
    inject: Inject<Notified>,
    idle: Idle,
    owned: OwnedTasks,
    /// The timer driver; whichever worker parks first sleeps on it.
    driver: Mutex<Driver>,
    /// Index of the worker parked on the driver, or `NO_DRIVER_OWNER`.
    driver_owner: AtomicUsize,
    pub(crate) driver_handle: driver::Handle,
    pub(crate) blocking: blocking::Spawner,
    pub(crate) config: Config,
    shutdown: AtomicBool,
    /// Worker cores, until their thread takes them.
    cores: Mutex<Vec<Option<Box<worker::Core>>>>,
    threads: Mutex<Vec<thread::JoinHandle<()>>>,
    worker_metrics: Box<[WorkerMetrics]>,
    pub(crate) spawned: Counter,
    pub(crate) remote_schedules: Counter,
}

impl Overflow<Notified> for Inject<Notified> {
    fn push_batch(&self, batch: Vec<Notified>) {
        // Closed (shutting down): the owned-task list cancels them; the
        // batch is dropped after the lock is released.
        let _ = Inject::push_batch(self, batch);
    }
}

impl Handle {
    /// Creates the scheduler and starts its worker threads.
    pub(crate) fn launch(
        config: Config,
        blocking: blocking::Spawner,
        thread_name: &std::sync::Arc<dyn Fn() -> String + Send + Sync>,
        stack_size: Option<usize>,
    ) -> std::io::Result<Arc<Handle>> {
        let n = config.worker_threads;
        let mut remotes = Vec::with_capacity(n);
        let mut cores = Vec::with_capacity(n);
        for index in 0..n {
            let (local, steal) = queue::local(config.local_queue_capacity);
            let core = worker::Core::new(index, local);
            remotes.push(Remote {
                steal,
                unparker: core.parker.unparker(),
            });
            cores.push(Some(Box::new(core)));
        }
        let (driver, driver_handle) =
            driver::new(config.enable_time, config.timer_shards, config.park_spin);
        let handle = Arc::new(Handle {
            remotes: remotes.into_boxed_slice(),
            inject: Inject::new(),
            idle: Idle::new(n),
            owned: OwnedTasks::new(n * crate::task::list::OWNED_TASK_SHARDS_PER_WORKER),
            driver: Mutex::new(driver),
            driver_owner: AtomicUsize::new(NO_DRIVER_OWNER),
            driver_handle,
            blocking,
            config,
            shutdown: AtomicBool::new(false),
            cores: Mutex::new(cores),
            threads: Mutex::new(Vec::with_capacity(n)),
            worker_metrics: (0..n).map(|_| WorkerMetrics::default()).collect(),
            spawned: Counter::default(),
            remote_schedules: Counter::default(),
        });
        for index in 0..n {
            let mut builder = thread::Builder::new().name(thread_name());
            if let Some(size) = stack_size {
                builder = builder.stack_size(size);
            }
            let worker_handle = handle.clone();
            match builder.spawn(move || worker::run(worker_handle, index)) {
                Ok(thread) => handle.threads.lock().push(thread),
                Err(err) => {
                    shutdown(&handle);
                    return Err(err);
                }
            }
        }
        Ok(handle)
    }

    /// Spawns a task onto this runtime.
    pub(crate) fn spawn<F>(self: &Arc<Self>, future: F, id: Id) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let new = harness::new_task(future, self.clone(), id);
        if self.owned.bind(&new.task) {
            self.spawned.incr_shared();
            trace_event!(crate::trace::EventKind::Spawn { task: id.as_u64() });
            self.schedule_task(new.notified, false);
        } else {
            new.task.shutdown();
        }
        JoinHandle::new(new.join)
    }

    pub(crate) fn num_workers(&self) -> usize {
        self.remotes.len()
    }

    pub(crate) fn num_alive_tasks(&self) -> usize {
        self.owned.len()
    }

    pub(crate) fn global_queue_depth(&self) -> usize {
        self.inject.len()
    }

    pub(crate) fn worker_metrics(&self, worker: usize) -> &WorkerMetrics {
        &self.worker_metrics[worker]
    }

    fn is_shutdown(&self) -> bool {
        self.shutdown.load(SeqCst)
    }

    /// Queues a task: locally if we are one of this runtime's workers,
    /// otherwise through the inject queue.
    fn schedule_task(self: &Arc<Self>, task: Notified, is_yield: bool) {
        context::with_scheduler(|cx| {
            if let Some(scheduler::Context::MultiThread(cx)) = cx {
                if Arc::ptr_eq(&cx.handle, self) {
                    if let Ok(mut core) = cx.core.try_borrow_mut() {
                        if let Some(core) = core.as_mut() {
                            self.schedule_local(core, task, is_yield);
                            return;
                        }
                    }
                }
            }
            self.schedule_remote(task);
        });
    }

    fn schedule_local(&self, core: &mut worker::Core, task: Notified, is_yield: bool) {
        let metrics = &self.worker_metrics[core.index];
        metrics.local_schedules.incr();
        let pushed_to_queue = if is_yield || self.config.disable_lifo_slot {
            self.push_local(core, task);
            true
        } else if let Some(previous) = core.lifo_slot.replace(task) {
            self.push_local(core, previous);
            true
        } else {
            // Only the LIFO slot is filled: this worker runs it next.
            false
        };
        if pushed_to_queue && core.should_notify_others() {
            self.notify_parked();
        }
    }

    fn push_local(&self, core: &mut worker::Core, task: Notified) {
        if core.run_queue.push_back_or_overflow(task, &self.inject) {
            self.worker_metrics[core.index].overflows.incr();
        }
    }

    fn schedule_remote(&self, task: Notified) {
        if let Err(task) = self.inject.push(task) {
            // Shut down: the owned-task list cancels it.
            drop(task);
            return;
        }
        self.remote_schedules.incr_shared();
        self.notify_parked();
    }

    /// Wakes one parked worker if nobody is searching.
    fn notify_parked(&self) {
        if let Some(worker) = self.idle.worker_to_notify() {
            self.unpark_worker(worker);
        }
    }

    /// Wakes `worker` wherever it sleeps: on its own parker, or on the
    /// driver (see `worker::Context::park`).
    fn unpark_worker(&self, worker: usize) {
        self.remotes[worker].unparker.unpark();
        if self.driver_owner.load(SeqCst) == worker {
            self.driver_handle.unpark();
        }
    }

    /// Called by the last searcher after it parked: wake someone if any
    /// queue still has work.
    fn notify_if_work_pending(&self) {
        let pending = !self.inject.is_empty() || self.remotes.iter().any(|r| !r.steal.is_empty());
        if pending {
            self.notify_parked();
        }
    }
}

impl Schedule for Arc<Handle> {
    fn schedule(&self, task: Notified) {
        self.schedule_task(task, false);
    }

    fn reschedule(&self, task: Notified) {
        self.schedule_task(task, true);
    }

    fn release(&self, task: &dyn Runnable) {
        drop(self.owned.remove(task));
    }
}

/// Stops the workers, then cancels every task. Idempotent.
pub(crate) fn shutdown(handle: &Arc<Handle>) {
    if handle.shutdown.swap(true, SeqCst) {
        return;
    }
    for worker in 0..handle.remotes.len() {
        handle.unpark_worker(worker);
    }
    handle.driver_handle.unpark();
    let threads = std::mem::take(&mut *handle.threads.lock());
    let me = thread::current().id();
    for thread in threads {
        // A runtime dropped from inside one of its own tasks must not join
        // its own thread (that would deadlock); that worker exits by itself.
        if thread.thread().id() != me {
            let _ = thread.join();
        }
    }
    // No worker runs any more: cancel every task still alive. Destructors
    // of task futures may use `Handle::current()` or spawn (which then
    // gives a cancelled task), so the runtime is entered meanwhile.
    let sched = scheduler::Handle::MultiThread(handle.clone());
    let _enter = context::set_current(&sched);
    let tasks = handle.owned.close_and_take_all();
    let injected = handle.inject.close();
    for task in &tasks {
        task.shutdown();
    }
    drop(tasks);
    drop(injected);
    // Cores of workers that never started.
    drop(std::mem::take(&mut *handle.cores.lock()));
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("multi_thread::Handle")
            .field("workers", &self.remotes.len())
            .field("alive_tasks", &self.owned.len())
            .field("global_queue_depth", &self.inject.len())
            .finish_non_exhaustive()
    }
}
