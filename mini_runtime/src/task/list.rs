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
//! # Invariants
//!
//! * After `close_and_take_all` returns, no task can be added again.
//! * A task is removed at most once: `remove` checks that the slot still
//!   holds that very task (by address).
//!
//! # How Tokio does it differently
//!
//! Tokio links tasks into intrusive doubly linked lists (the pointers live
//! in each task's header, so insertion allocates nothing) and shards the
//! list across several mutexes to reduce contention between workers.

use super::harness::{Runnable, TaskRef};
use crate::sync::Mutex;

/// The tasks owned by one runtime.
pub(crate) struct OwnedTasks {
    inner: Mutex<Slab>,
}

struct Slab {
    slots: Vec<Option<TaskRef>>,
    free: Vec<usize>,
    len: usize,
    closed: bool,
}

impl OwnedTasks {
    pub(crate) fn new() -> OwnedTasks {
        OwnedTasks {
            inner: Mutex::new(Slab {
                slots: Vec::new(),
                free: Vec::new(),
                len: 0,
                closed: false,
            }),
        }
    }

    /// Adds a task. Returns `false` (and keeps nothing) if the list is
    /// closed: the caller must then cancel the task.
    pub(crate) fn bind(&self, task: &TaskRef) -> bool {
        let mut slab = self.inner.lock();
        if slab.closed {
            return false;
        }
        let index = match slab.free.pop() {
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
        let mut slab = self.inner.lock();
        let slot = slab.slots.get_mut(index)?;
        let same = slot.as_ref().is_some_and(|held| {
            std::ptr::addr_eq(std::sync::Arc::as_ptr(held), task as *const dyn Runnable)
        });
        if !same {
            return None;
        }
        let removed = slot.take();
        slab.free.push(index);
        slab.len -= 1;
        removed
    }

    /// Number of live tasks.
    pub(crate) fn len(&self) -> usize {
        self.inner.lock().len
    }

    /// Closes the list and returns every task still in it.
    pub(crate) fn close_and_take_all(&self) -> Vec<TaskRef> {
        let mut slab = self.inner.lock();
        slab.closed = true;
        slab.len = 0;
        slab.free.clear();
        std::mem::take(&mut slab.slots)
            .into_iter()
            .flatten()
            .collect()
    }
}
