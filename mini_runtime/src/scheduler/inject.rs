//! The inject queue: where tasks from outside a scheduler's threads arrive
//! (both schedulers use it).
//!
//! # The problem
//!
//! A task spawned or woken from a thread that is not running the scheduler
//! (the multi-thread `block_on` thread, a blocking job, any std thread) has
//! no local queue to go to. Tasks that overflow a full local queue need a
//! home too.
//!
//! # The design
//!
//! A `Mutex<VecDeque>` plus an atomic length, so workers can see "empty"
//! without taking the lock (the common case when they check it every
//! `global_queue_interval` ticks). Batches (overflow) are pushed under one
//! lock. Closing the queue at shutdown makes later pushes drop their task
//! (the runtime cancels every task through its owned-task list anyway).
//!
//! # Invariants
//!
//! * `len` is only written under the lock, so it is exact whenever the
//!   lock is held and a recent value otherwise.
//! * The idle protocol (see `idle`) needs "push, then read the searcher
//!   count" and "update the searcher count, then read `len`" to be ordered
//!   in one total order, or the last searcher could read a stale
//!   `len == 0` while the pusher reads a stale "someone searches", and a
//!   task would be stranded. `idle` puts a `SeqCst` fence on both sides,
//!   which orders these relaxed accesses too. (The loom model in `idle`
//!   found the stranded task before the fences were added.)
//! * No task is dropped while the lock is held: a task's destructor may
//!   push again.
//!
//! # How Tokio does it differently
//!
//! Tokio's inject queue is an intrusive linked list through the task
//! headers (no allocation for a push) behind a mutex, also with an atomic
//! length; it too is checked every `global_queue_interval` ticks, a number
//! Tokio tunes at run time from the measured poll time.

use std::collections::VecDeque;

use crate::sync::Mutex;
use crate::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// A multi-producer, multi-consumer FIFO of tasks.
pub(crate) struct Inject<T> {
    inner: Mutex<Inner<T>>,
    len: AtomicUsize,
}

struct Inner<T> {
    queue: VecDeque<T>,
    closed: bool,
}

impl<T> Inject<T> {
    pub(crate) fn new() -> Inject<T> {
        Inject {
            inner: Mutex::new(Inner {
                queue: VecDeque::new(),
                closed: false,
            }),
            len: AtomicUsize::new(0),
        }
    }

    /// Approximate number of queued tasks (exact under the lock).
    pub(crate) fn len(&self) -> usize {
        self.len.load(Relaxed)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Queues a task; returns it if the queue is closed.
    pub(crate) fn push(&self, task: T) -> Result<(), T> {
        let mut inner = self.inner.lock();
        if inner.closed {
            return Err(task);
        }
        inner.queue.push_back(task);
        self.len.store(inner.queue.len(), Relaxed);
        Ok(())
    }

    /// Queues many tasks under one lock; returns them if closed.
    pub(crate) fn push_batch(&self, batch: Vec<T>) -> Result<(), Vec<T>> {
        let mut inner = self.inner.lock();
        if inner.closed {
            return Err(batch);
        }
        inner.queue.extend(batch);
        self.len.store(inner.queue.len(), Relaxed);
        Ok(())
    }

    pub(crate) fn pop(&self) -> Option<T> {
        if self.is_empty() {
            return None;
        }
        let mut inner = self.inner.lock();
        let task = inner.queue.pop_front();
        self.len.store(inner.queue.len(), Relaxed);
        task
    }

    /// Pops up to `max` tasks under one lock.
    pub(crate) fn pop_batch(&self, max: usize) -> Vec<T> {
        if max == 0 || self.is_empty() {
            return Vec::new();
        }
        let mut inner = self.inner.lock();
        let n = max.min(inner.queue.len());
        let batch: Vec<T> = inner.queue.drain(..n).collect();
        self.len.store(inner.queue.len(), Relaxed);
        batch
    }

    /// Closes the queue and returns what was in it.
    pub(crate) fn close(&self) -> VecDeque<T> {
        let mut inner = self.inner.lock();
        inner.closed = true;
        self.len.store(0, Relaxed);
        std::mem::take(&mut inner.queue)
    }
}
