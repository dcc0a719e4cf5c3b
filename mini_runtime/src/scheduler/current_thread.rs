//! The current-thread scheduler: every task runs on the thread that calls
//! `block_on`.
//!
//! # The problem
//!
//! Run many tasks *and* the `block_on` future on one thread, fairly, without
//! spinning when idle, while other threads may spawn tasks or wake them.
//!
//! # The design
//!
//! ```text
//!   other threads ──spawn/wake──▶ inject (Mutex<VecDeque>) ──┐ + unpark
//!                                                             ▼
//!   block_on thread:  ┌───────── Core ─────────┐     next_task(): local first,
//!                     │ local: VecDeque         │◀──  inject every
//!                     │ tick, driver (Parker)   │     `global_queue_interval` ticks
//!                     └─────────────────────────┘
//! ```
//!
//! * Wakes on the runtime thread push to the **local queue**, no lock (the
//!   thread-local scheduler context tells a waker that it runs "at home").
//!   Wakes from other threads push to the **inject queue** under a mutex
//!   and unpark the driver.
//! * The loop polls the `block_on` future only when its own waker fired,
//!   otherwise it runs up to `event_interval` tasks, then checks timers
//!   without sleeping. With no task left it **parks** on the driver until a
//!   remote push, a wake of the `block_on` future, or a timer deadline.
//! * Every `global_queue_interval` ticks the inject queue is served first,
//!   so a busy local queue cannot starve remote work.
//! * The mutable state lives in a [`Core`] that whoever runs
//!   `Runtime::block_on` takes out of the shared handle: a second thread
//!   calling `Runtime::block_on` at the same time (through an `Arc`) drives
//!   only its own future until the core comes back. (`Handle::block_on`
//!   never takes the core, as in Tokio.)
//!
//! # Invariants
//!
//! * A remote push happens-before its unpark, and `park` returns at once
//!   for an unpark that came first (see `park`): no runnable task is left
//!   behind while the thread sleeps.
//! * The core is never borrowed while a task runs or the thread parks, so
//!   wakes from inside tasks and timers can always reach the local queue.
//! * Shutdown cancels every task through the owned-task list, then drops
//!   the queues; a task spawned or woken after that is dropped at once.
//!
//! # How Tokio does it differently
//!
//! Same structure (`tokio/src/runtime/scheduler/current_thread/mod.rs`).
//! Tokio moves the core *into* the thread-local context only while a task is
//! polled, defers `yield_now` wakes until after the driver was polled (hence
//! its tick0 tock0 tock1 tick1 order), and counts a cooperative budget so
//! that one task cannot hog the thread through always-ready resources.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::{Pin, pin};
use std::task::{Context as TaskContext, Poll, Wake, Waker};
use std::time::Duration;

use super::inject::Inject;
use crate::blocking;
use crate::context;
use crate::park::{Parker, Unparker};
use crate::runtime::driver::{self, Driver};
use crate::runtime::metrics::{Counter, WorkerMetrics};
use crate::scheduler;
use crate::sync::atomic::{AtomicBool, Ordering::AcqRel, Ordering::Relaxed};
use crate::sync::{Arc, Mutex};
use crate::task::harness::{self, Notified, Runnable, Schedule};
use crate::task::list::OwnedTasks;
use crate::task::{Id, JoinHandle};

/// Settings taken from the `Builder`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Config {
    pub(crate) global_queue_interval: u32,
    pub(crate) event_interval: u32,
    pub(crate) park_spin: Duration,
    pub(crate) enable_time: bool,
    pub(crate) timer_shards: usize,
}

/// State shared by everyone who holds the runtime's handle.
pub(crate) struct Handle {
    inject: Inject<Notified>,
    owned: OwnedTasks,
    pub(crate) driver: driver::Handle,
    pub(crate) blocking: blocking::Spawner,
    config: Config,
    /// The core, while no `block_on` is running.
    core: Mutex<Option<Box<Core>>>,
    /// Threads in a concurrent `Runtime::block_on` call waiting for the core.
    core_waiters: Mutex<Vec<Unparker>>,
    /// The waker of the `block_on` future.
    block_on_waker: Arc<BlockOnWaker>,
    pub(crate) metrics: WorkerMetrics,
    pub(crate) spawned: Counter,
    pub(crate) remote_schedules: Counter,
}

/// The scheduler's mutable state, owned by the thread running `block_on`.
struct Core {
    queue: VecDeque<Notified>,
    tick: u32,
    /// Taken out while the thread parks (so wakes can borrow the core).
    driver: Option<Driver>,
}

/// Installed in the thread-local context while `block_on` runs.
pub(crate) struct Context {
    handle: Arc<Handle>,
    core: RefCell<Option<Box<Core>>>,
}

/// Records that the `block_on` future was woken, and wakes the thread.
struct BlockOnWaker {
    woken: AtomicBool,
    driver: driver::Handle,
}

impl Wake for BlockOnWaker {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        self.woken.store(true, Relaxed);
        self.driver.unpark();
    }
}

impl Handle {
    pub(crate) fn new(config: Config, blocking: blocking::Spawner) -> Arc<Handle> {
        let (driver, driver_handle) =
            driver::new(config.enable_time, config.timer_shards, config.park_spin);
        Arc::new(Handle {
            inject: Inject::new(),
            owned: OwnedTasks::new(1),
            blocking,
            config,
            core: Mutex::new(Some(Box::new(Core {
                queue: VecDeque::with_capacity(64),
                tick: 0,
                driver: Some(driver),
            }))),
            core_waiters: Mutex::new(Vec::new()),
            block_on_waker: Arc::new(BlockOnWaker {
                woken: AtomicBool::new(false),
                driver: driver_handle.clone(),
            }),
            driver: driver_handle,
            metrics: WorkerMetrics::default(),
            spawned: Counter::default(),
            remote_schedules: Counter::default(),
        })
    }

    /// Spawns a task onto this runtime.
    pub(crate) fn spawn<F>(self: &Arc<Self>, future: F, id: Id) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        // exercise(spawn): begin: allocate the task, register it with the owned-task list, queue it, hand out its JoinHandle
        // exercise(spawn): stub: let _ = (future, id, harness::new_task::<F, Arc<Self>>);
        // exercise(spawn): stub: {todo}
        let new = harness::new_task(future, self.clone(), id);
        if self.owned.bind(&new.task) {
            self.spawned.incr_shared();
            trace_event!(crate::trace::EventKind::Spawn { task: id.as_u64() });
            self.schedule(new.notified);
        } else {
            // The runtime is shut down: the task is cancelled right away.
            new.task.shutdown();
        }
        JoinHandle::new(new.join)
        // exercise(spawn): end
    }

    pub(crate) fn num_alive_tasks(&self) -> usize {
        self.owned.len()
    }

    pub(crate) fn global_queue_depth(&self) -> usize {
        self.inject.len()
    }

    fn push_remote(&self, task: Notified) {
        if let Err(task) = self.inject.push(task) {
            // Shut down: the owned-task list cancels the task (dropped here,
            // after the queue's lock was released).
            drop(task);
            return;
        }
        self.remote_schedules.incr_shared();
        self.driver.unpark();
    }

    fn pop_inject(&self) -> Option<Notified> {
        self.inject.pop()
    }

    fn take_core(&self) -> Option<Box<Core>> {
        self.core.lock().take()
    }

    fn release_core(&self, core: Box<Core>) {
        *self.core.lock() = Some(core);
        for waiter in self.core_waiters.lock().drain(..) {
            waiter.unpark();
        }
    }
}

impl Schedule for Arc<Handle> {
    fn schedule(&self, task: Notified) {
        context::with_scheduler(|cx| {
            if let Some(scheduler::Context::CurrentThread(cx)) = cx {
                if Arc::ptr_eq(&cx.handle, self) {
                    // At home: push without a lock. `try_borrow_mut` only
                    // fails if the core is in use higher up the stack, in
                    // which case the remote path is still correct.
                    if let Ok(mut core) = cx.core.try_borrow_mut() {
                        if let Some(core) = core.as_mut() {
                            core.queue.push_back(task);
                            self.metrics.local_schedules.incr();
                            return;
                        }
                    }
                }
            }
            self.push_remote(task);
        });
    }

    fn release(&self, task: &dyn Runnable) {
        // Dropped after the list's lock is released.
        drop(self.owned.remove(task));
    }
}

/// Runs `future` to completion on this thread, running tasks meanwhile.
pub(crate) fn block_on<F: Future>(
    handle: &Arc<Handle>,
    sched: &scheduler::Handle,
    what: &str,
    future: F,
) -> F::Output {
    context::enter_runtime(sched, what, || {
        let mut future = pin!(future);
        let mut waiting: Option<(Parker, Waker)> = None;
        loop {
            if let Some(core) = handle.take_core() {
                return run_with_core(handle, core, future.as_mut());
            }
            // Another thread drives the scheduler. Drive only our own
            // future, and wake up when the core comes back.
            let (parker, waker) = waiting.get_or_insert_with(|| {
                let parker = Parker::new();
                let waker = parker.unparker().into_waker();
                (parker, waker)
            });
            if let Poll::Ready(output) = future.as_mut().poll(&mut TaskContext::from_waker(waker)) {
                return output;
            }
            handle.core_waiters.lock().push(parker.unparker());
            if handle.core.lock().is_none() {
                parker.park();
            }
        }
    })
}

fn run_with_core<F: Future>(
    handle: &Arc<Handle>,
    core: Box<Core>,
    mut future: Pin<&mut F>,
) -> F::Output {
    let scheduler_cx = scheduler::Context::CurrentThread(Context {
        handle: handle.clone(),
        core: RefCell::new(Some(core)),
    });
    let scheduler::Context::CurrentThread(cx) = &scheduler_cx else {
        unreachable!("just built as CurrentThread")
    };

    /// Gives the core back even if the future or a task panics.
    struct PutBack<'a>(&'a Context);
    impl Drop for PutBack<'_> {
        fn drop(&mut self) {
            if let Some(core) = self.0.core.borrow_mut().take() {
                self.0.handle.release_core(core);
            }
        }
    }
    let _put_back = PutBack(cx);

    context::set_scheduler(&scheduler_cx, || {
        let waker = Waker::from(handle.block_on_waker.clone());
        let mut task_cx = TaskContext::from_waker(&waker);
        handle.block_on_waker.woken.store(true, Relaxed);
        loop {
            if handle.block_on_waker.woken.swap(false, AcqRel) {
                if let Poll::Ready(output) = future.as_mut().poll(&mut task_cx) {
                    return output;
                }
            }
            cx.run_tasks();
        }
    })
}

impl Context {
    /// Runs up to `event_interval` tasks; parks if there are none.
    ///
    /// The `block_on` future is not re-polled in between, even if a task
    /// woke it: when many tasks complete in a row (say, a loop awaiting
    /// their `JoinHandle`s), the next poll of `block_on` then finds a whole
    /// batch ready instead of registering a waker for each one. Measured on
    /// `rt_ct/spawn_many_local`: about a third fewer instructions per task.
    fn run_tasks(&self) {
        let handle = &self.handle;
        for _ in 0..handle.config.event_interval {
            let Some(task) = self.next_task() else {
                self.park();
                return;
            };
            handle.metrics.polls.incr();
            trace_timed!(Poll, task = task.id().as_u64(), task.run());
        }
        // Busy: look at timers and other events without sleeping.
        self.park_yield();
    }

    fn next_task(&self) -> Option<Notified> {
        let mut core = self.core.borrow_mut();
        let core = core.as_mut().expect("core is present while block_on runs");
        core.tick = core.tick.wrapping_add(1);
        if core.tick % self.handle.config.global_queue_interval == 0 {
            self.handle.pop_inject().or_else(|| core.queue.pop_front())
        } else {
            core.queue.pop_front().or_else(|| self.handle.pop_inject())
        }
    }

    fn take_driver(&self) -> Driver {
        let mut core = self.core.borrow_mut();
        let core = core.as_mut().expect("core is present while block_on runs");
        core.driver
            .take()
            .expect("driver is present while block_on runs")
    }

    fn put_driver(&self, driver: Driver) {
        if let Some(core) = self.core.borrow_mut().as_mut() {
            core.driver = Some(driver);
        }
    }

    fn park(&self) {
        let handle = &self.handle;
        // The core stays un-borrowed while we sleep: timers fired during
        // the park wake tasks, which push to the local queue.
        let mut driver = self.take_driver();
        if !handle.block_on_waker.woken.load(Relaxed) {
            handle.metrics.parks.incr();
            trace_timed!(Park, driver.park(&handle.driver));
            handle.metrics.unparks.incr();
        } else {
            // No sleep: the block_on future is runnable. Still fire due
            // timers, or a future that keeps waking itself starves them.
            driver.park_timeout(&handle.driver, std::time::Duration::ZERO);
        }
        self.put_driver(driver);
    }

    fn park_yield(&self) {
        let mut driver = self.take_driver();
        driver.park_timeout(&self.handle.driver, std::time::Duration::ZERO);
        self.put_driver(driver);
    }
}

/// Cancels every task and empties the queues. Called when the runtime is
/// dropped or shut down.
pub(crate) fn shutdown(handle: &Arc<Handle>, sched: &scheduler::Handle) {
    // Destructors of task futures may use `Handle::current()` or spawn
    // (which then cancels the new task at once).
    let _enter = context::set_current(sched);
    // If another thread's `Handle::block_on` holds the core, its queue is
    // dropped when that call returns; the tasks are cancelled below anyway.
    let core = handle.take_core();
    let tasks = handle.owned.close_and_take_all();
    let injected = handle.inject.close();
    for task in &tasks {
        task.shutdown();
    }
    drop(tasks);
    drop(injected);
    drop(core);
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("current_thread::Handle")
            .field("alive_tasks", &self.owned.len())
            .field("global_queue_depth", &self.global_queue_depth())
            .finish_non_exhaustive()
    }
}
