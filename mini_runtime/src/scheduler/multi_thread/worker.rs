//! The worker loop: find a task, run it, repeat; sleep when there is none.
//!
//! ```text
//! loop {
//!     tick += 1
//!     every event_interval ticks: fire due timers (without sleeping)
//!     task = next_task()          // global queue every global_queue_interval
//!                                 // ticks, else local queue, else global queue
//!         or steal_work()         // become a searcher, steal half of a
//!                                 // random sibling's queue, else global queue
//!         or park()               // sleep until notified (or a timer fires)
//!     run_task(task)              // then up to MAX_LIFO_POLLS_PER_TICK tasks
//!                                 // from the LIFO slot
//! }
//! ```
//!
//! The worker's mutable state is a [`Core`]. While the worker runs, the core
//! sits in the thread-local scheduler context, so a waker firing inside a
//! task finds it and pushes to the LIFO slot or local queue without a lock.
//! It is borrowed only for short moments and never while a task is polled.
//! While the worker sleeps the core is taken out of the context, so wakes
//! from timers fired during the sleep go to the inject queue and wake a
//! worker the normal way.

use std::cell::RefCell;
use std::time::Duration;

use super::queue::Local;
use super::{Handle, MAX_LIFO_POLLS_PER_TICK, NO_DRIVER_OWNER};
use crate::context;
use crate::park::Parker;
use crate::scheduler;
use crate::sync::Arc;
use crate::sync::atomic::Ordering::SeqCst;
use crate::task::harness::Notified;

/// One worker's private state.
pub(crate) struct Core {
    pub(crate) index: usize,
    tick: u32,
    pub(crate) lifo_slot: Option<Notified>,
    pub(crate) run_queue: Local<Notified>,
    is_searching: bool,
    pub(crate) parker: Parker,
    rng: u32,
}

impl Core {
    pub(crate) fn new(index: usize, run_queue: Local<Notified>) -> Core {
        Core {
            index,
            tick: 0,
            lifo_slot: None,
            run_queue,
            is_searching: false,
            parker: Parker::new(),
            // Any non-zero seed; different per worker.
            rng: 0x9E37_79B9 ^ (index as u32).wrapping_mul(0x85EB_CA6B) | 1,
        }
    }

    /// More than one task waits here and nobody is searching: another
    /// worker could help.
    pub(crate) fn should_notify_others(&self) -> bool {
        !self.is_searching && usize::from(self.lifo_slot.is_some()) + self.run_queue.len() > 1
    }

    /// A small xorshift generator for choosing steal victims.
    fn next_random(&mut self, n: usize) -> usize {
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.rng = x;
        (x as usize) % n
    }
}

/// The thread-local scheduler context of a worker.
pub(crate) struct Context {
    pub(crate) handle: Arc<Handle>,
    /// The index of this worker (and of its core).
    pub(crate) index: usize,
    pub(crate) core: RefCell<Option<Box<Core>>>,
}

/// The body of a worker thread.
pub(crate) fn run(handle: Arc<Handle>, index: usize) {
    let Some(core) = handle.cores.lock().get_mut(index).and_then(Option::take) else {
        return; // shut down before the thread started
    };
    let sched = scheduler::Handle::MultiThread(handle.clone());
    context::enter_runtime(&sched, "a worker thread", || {
        let cx = scheduler::Context::MultiThread(Context {
            handle,
            index,
            core: RefCell::new(Some(core)),
        });
        context::set_scheduler(&cx, || {
            let scheduler::Context::MultiThread(cx) = &cx else {
                unreachable!()
            };
            cx.run();
        });
    });
}

impl Context {
    fn with_core<R>(&self, f: impl FnOnce(&mut Core) -> R) -> R {
        let mut core = self.core.borrow_mut();
        f(core
            .as_mut()
            .expect("the core is present while the worker runs"))
    }

    fn run(&self) {
        let handle = &self.handle;
        while !handle.is_shutdown() {
            let tick = self.with_core(|core| {
                core.tick = core.tick.wrapping_add(1);
                core.tick
            });
            if tick % handle.config.event_interval == 0 {
                self.maintenance();
            }
            if let Some(task) = self.next_task(tick) {
                self.run_task(task);
                continue;
            }
            if let Some(task) = self.steal_work() {
                self.run_task(task);
                continue;
            }
            self.park();
        }
        // Shutting down: the queued `Notified` references are dropped with
        // the core; `shutdown` cancels the tasks through the owned list.
        drop(self.core.borrow_mut().take());
    }

    /// Fires due timers without sleeping, if no other worker sleeps on the
    /// driver.
    fn maintenance(&self) {
        if let Some(mut driver) = self.handle.driver.try_lock() {
            driver.park_timeout(&self.handle.driver_handle, Duration::ZERO);
        }
    }

    fn next_task(&self, tick: u32) -> Option<Notified> {
        let handle = &self.handle;
        // Fairness: every `global_queue_interval` ticks the inject queue
        // goes first, and we take a fair share of it (not just one task):
        // with one task per interval, remote spawns behind always-busy local
        // tasks would trickle in at one per 61 polls (`spawn_many_remote_busy`
        // measured 140x slower than Tokio before this).
        if tick % handle.config.global_queue_interval == 0 {
            if let Some(task) = self.pop_inject_batch() {
                return Some(task);
            }
        }
        // The LIFO slot is normally emptied by `run_task`, but timers fired
        // by `maintenance` can wake a task into it too: take it first, or
        // the worker could park with a runnable task in its slot.
        if let Some(task) =
            self.with_core(|core| core.lifo_slot.take().or_else(|| core.run_queue.pop()))
        {
            return Some(task);
        }
        self.pop_inject_batch()
    }

    /// Takes one task from the inject queue to run, and moves a fair share
    /// of the rest into the local queue (one lock, many tasks).
    fn pop_inject_batch(&self) -> Option<Notified> {
        let handle = &self.handle;
        let task = handle.inject.pop()?;
        let room = self.with_core(|core| core.run_queue.free_slots());
        let share = (handle.inject.len() / handle.num_workers())
            .min(handle.config.local_queue_capacity / 2)
            .min(room);
        let batch = handle.inject.pop_batch(share);
        if !batch.is_empty() {
            self.with_core(|core| {
                for extra in batch {
                    // Cannot overflow: we took at most the free room.
                    core.run_queue.push_back_or_overflow(extra, &handle.inject);
                }
            });
        }
        Some(task)
    }

    fn steal_work(&self) -> Option<Notified> {
        let handle = &self.handle;
        let n = handle.num_workers();
        let start = self.with_core(|core| {
            if !core.is_searching {
                if !handle.idle.transition_worker_to_searching() {
                    return None;
                }
                core.is_searching = true;
            }
            Some(core.next_random(n))
        })?;
        let index = self.with_core(|core| core.index);
        for i in 0..n {
            let victim = (start + i) % n;
            if victim == index {
                continue;
            }
            let stolen =
                self.with_core(|core| handle.remotes[victim].steal.steal_into(&mut core.run_queue));
            if let Some((task, count)) = stolen {
                let metrics = &handle.worker_metrics[index];
                metrics.steal_operations.incr();
                metrics.steals.add(count as u64);
                trace_event!(crate::trace::EventKind::Steal {
                    from: victim,
                    count
                });
                return Some(task);
            }
        }
        self.pop_inject_batch()
    }

    fn run_task(&self, task: Notified) {
        let handle = &self.handle;
        let (index, was_searching) = self.with_core(|core| {
            let was = core.is_searching;
            core.is_searching = false;
            (core.index, was)
        });
        // A searcher that found work stops searching; the last one wakes
        // another worker so that the remaining work keeps a searcher.
        if was_searching && handle.idle.transition_worker_from_searching() {
            handle.notify_parked();
        }
        let metrics = &handle.worker_metrics[index];
        metrics.polls.incr();
        trace_timed!(Poll, task = task.id().as_u64(), task.run());

        // Run what the task woke, from the LIFO slot, a bounded number of
        // times.
        for lifo_polls in 0.. {
            let Some(next) = self.with_core(|core| core.lifo_slot.take()) else {
                return;
            };
            if lifo_polls >= MAX_LIFO_POLLS_PER_TICK {
                self.with_core(|core| handle.push_local(core, next));
                return;
            }
            metrics.lifo_hits.incr();
            metrics.polls.incr();
            trace_timed!(Poll, task = next.id().as_u64(), next.run());
        }
    }

    /// Sleeps until another thread notifies this worker, or shutdown.
    fn park(&self) {
        let handle = &self.handle;
        // Take the core out of the context for the sleep (see module docs).
        let mut core = self.core.borrow_mut().take().expect("core present");
        let index = core.index;
        debug_assert!(core.lifo_slot.is_none() && core.run_queue.len() == 0);

        let was_last_searcher = handle
            .idle
            .transition_worker_to_parked(index, core.is_searching);
        core.is_searching = false;
        if was_last_searcher {
            handle.notify_if_work_pending();
        }

        let metrics = &handle.worker_metrics[index];
        metrics.parks.incr();
        trace_timed!(Park, self.sleep(&core));
        metrics.unparks.incr();
        // A notified worker was counted as searching by the notifier.
        core.is_searching = !handle.is_shutdown();
        *self.core.borrow_mut() = Some(core);
    }

    /// The sleep itself: until this worker is notified (removed from the
    /// parked list) or the runtime shuts down.
    fn sleep(&self, core: &Core) {
        let handle = &self.handle;
        let index = core.index;
        loop {
            if let Some(mut driver) = handle.driver.try_lock() {
                // Sleep on the driver so timers fire. Announce it first, then
                // re-check: a notifier either saw us in the parked list and
                // reads `driver_owner` after, or already removed us.
                handle.driver_owner.store(index, SeqCst);
                if handle.idle.is_parked(index) && !handle.is_shutdown() {
                    driver.park(&handle.driver_handle);
                }
                handle.driver_owner.store(NO_DRIVER_OWNER, SeqCst);
            } else if handle.idle.is_parked(index) && !handle.is_shutdown() {
                core.parker.spin_then_park(handle.config.park_spin);
            }
            if !handle.idle.is_parked(index) || handle.is_shutdown() {
                return;
            }
        }
    }
}
