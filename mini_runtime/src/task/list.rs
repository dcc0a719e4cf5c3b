//! [`OwnedTasks`]: every live task of one runtime, so shutdown can find it.
//!
//! # The problem
//!
//! A pending task may be referenced only by a waker stored in some
//! data structure (a timer, a channel, another thread). When the runtime is
//! dropped it must still find that task and drop its future; and a task
//! that holds a reference to its scheduler, which holds the task, is a
//! reference cycle that would leak otherwise.
//!
//! # The design
//!
//! A slab behind a mutex: a vector of slots plus a free list. A task learns
//! its slot index when it is inserted (`bind`), so removing it on
//! completion (`remove`) is O(1). Shutdown first *closes* the list (later
//! spawns are cancelled at once), then takes every task out and cancels
//! each one with the lock released, since a future's destructor may do
//! anything, including spawning.
//!
//! # Shards
//!
//! Every spawn and every completion touches the list, from whichever
//! worker runs them, so on the multi-thread runtime one mutex would be
//! contended by all workers. The list is therefore split into shards, each
//! its own slab behind its own mutex; a task lives in the shard
//! `id % shards` (ids are consecutive, so consecutive spawns spread over
//! all shards, and `remove` finds the shard from the id alone). The
//! current-thread runtime uses one shard; the multi-thread runtime
//! [`OWNED_TASK_SHARDS_PER_WORKER`] per worker, rounded up to a power of two.
//!
//! # Reusing slots
//!
//! Freed slots are reused oldest first (a FIFO free list). A task is often
//! bound on one thread (the spawner) and removed on another (the worker
//! that completed it); with a LIFO free list the spawner would always
//! write the very slot a worker had just cleared, and both sides would
//! miss the cache on every call, fighting over the same line. Oldest first,
//! the spawner sweeps through the slots in order, four to a cache line, and
//! the workers clear them in roughly the same order behind it: about one
//! transfer of a line per four tasks. (Measured with `perf` on
//! `remote_spawn/threads/1`: before, the load of the slot was 40 % of both
//! `bind` and `remove`.)
//!
//! # Invariants
//!
//! * After `close_and_take_all` returns, no task can be added again (each
//!   shard is closed under its own lock before it is emptied, and `bind`
//!   checks its shard's flag under that lock).
//! * A task is removed at most once: `remove` checks that the slot still
//!   holds that very task (by address).
//!
//! # How Tokio does it differently
//!
//! Tokio links tasks into intrusive doubly linked lists (the pointers live
//! in each task's header, so insertion allocates nothing), sharded the same
//! way across several mutexes (by task id, 4 shards per worker by default).

use super::harness::{Runnable, TaskRef};
use std::collections::VecDeque;

use crate::sync::{CachePadded, Mutex};

/// Shards of the owned-task list per worker thread of a multi-thread
/// runtime (rounded up to a power of two): enough that two workers rarely
/// want the same lock at once. Tokio uses the same figure.
pub const OWNED_TASK_SHARDS_PER_WORKER: usize = 4;

/// The tasks owned by one runtime.
pub(crate) struct OwnedTasks {
    /// A power-of-two number of shards; task `id` lives in `id % len`.
    /// Each alone on its cache lines (`CachePadded`): two workers locking
    /// neighbouring shards must not fight over one line, or sharding would
    /// buy nothing.
    shards: Box<[CachePadded<Mutex<Slab>>]>,
}

struct Slab {
    slots: Vec<Option<TaskRef>>,
    /// Free slots, oldest first (see "Reusing slots" in the module docs).
    free: VecDeque<usize>,
    len: usize,
    closed: bool,
}

impl OwnedTasks {
    /// A list with `shards` shards (rounded up to a power of two).
    pub(crate) fn new(shards: usize) -> OwnedTasks {
        let shards = shards.max(1).next_power_of_two();
        OwnedTasks {
            shards: (0..shards)
                .map(|_| {
                    CachePadded(Mutex::new(Slab {
                        slots: Vec::new(),
                        free: VecDeque::new(),
                        len: 0,
                        closed: false,
                    }))
                })
                .collect(),
        }
    }

    fn shard(&self, task: &dyn Runnable) -> &Mutex<Slab> {
        // The mask keeps the low bits of the id: the shard count is a
        // power of two.
        let index = task.id().as_u64() as usize & (self.shards.len() - 1);
        &self.shards[index]
    }

    /// Adds a task. Returns `false` (and keeps nothing) if the list is
    /// closed: the caller must then cancel the task.
    pub(crate) fn bind(&self, task: &TaskRef) -> bool {
        let mut slab = self.shard(&**task).lock();
        if slab.closed {
            return false;
        }
        let index = match slab.free.pop_front() {
            Some(index) => index,
            None => {
                slab.slots.push(None);
                slab.slots.len() - 1
            }
        };
        task.set_owned_index(index);
        slab.slots[index] = Some(task.clone());
        slab.len += 1;
        true
    }

    /// Removes a completed task (a no-op if it is not in the list).
    /// Returns the list's reference so the caller drops it after unlocking.
    pub(crate) fn remove(&self, task: &dyn Runnable) -> Option<TaskRef> {
        let index = task.owned_index();
        let mut slab = self.shard(task).lock();
        let slot = slab.slots.get_mut(index)?;
        let same = slot.as_ref().is_some_and(|held| {
            std::ptr::addr_eq(std::sync::Arc::as_ptr(held), task as *const dyn Runnable)
        });
        if !same {
            return None;
        }
        let removed = slot.take();
        slab.free.push_back(index);
        slab.len -= 1;
        removed
    }

    /// Number of live tasks (a sum over the shards, so only a snapshot
    /// while other threads spawn or complete tasks).
    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|shard| shard.lock().len).sum()
    }

    /// Closes the list and returns every task still in it.
    pub(crate) fn close_and_take_all(&self) -> Vec<TaskRef> {
        let mut tasks = Vec::new();
        for shard in self.shards.iter() {
            let mut slab = shard.lock();
            slab.closed = true;
            slab.len = 0;
            slab.free.clear();
            tasks.extend(std::mem::take(&mut slab.slots).into_iter().flatten());
        }
        tasks
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::task::Id;
    use crate::task::harness::{self, Notified, Schedule};

    /// A scheduler that never runs anything: the tests only move tasks in
    /// and out of the list.
    struct Nowhere;
    impl Schedule for Nowhere {
        fn schedule(&self, task: Notified) {
            drop(task);
        }
        fn release(&self, _task: &dyn Runnable) {}
    }

    fn task() -> TaskRef {
        harness::new_task(std::future::pending::<()>(), Nowhere, Id::next()).task
    }

    #[test]
    fn tasks_spread_over_the_shards_and_are_removed_from_theirs() {
        let list = OwnedTasks::new(6); // rounded up to 8 shards
        assert_eq!(list.shards.len(), 8);
        let tasks: Vec<TaskRef> = (0..100).map(|_| task()).collect();
        for t in &tasks {
            assert!(list.bind(t));
        }
        assert_eq!(list.len(), 100);
        // Consecutive ids: every shard holds some of them.
        assert!(list.shards.iter().all(|shard| shard.lock().len > 0));
        for t in &tasks[..40] {
            assert!(list.remove(&**t).is_some());
            assert!(list.remove(&**t).is_none(), "removed twice");
        }
        assert_eq!(list.len(), 60);
        let rest = list.close_and_take_all();
        assert_eq!(rest.len(), 60);
        assert_eq!(list.len(), 0);
        for t in &tasks[40..] {
            assert!(rest.iter().any(|r| std::sync::Arc::ptr_eq(r, t)));
        }
        // Closed: every shard refuses.
        assert!((0..16).all(|_| !list.bind(&task())));
    }
}
