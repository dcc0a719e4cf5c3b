//! Idle workers: who is searching for work, who sleeps, whom to wake.
//!
//! # The problem
//!
//! A worker that runs out of work should sleep, but a task pushed a moment
//! later must not wait for a sleeper that nobody wakes. Waking *every*
//! sleeper on every push costs a thundering herd of context switches
//! (4-8 µs each on these machines); waking none strands work.
//!
//! # The design
//!
//! One atomic word counts **unparked** workers and **searching** workers
//! (unparked, out of local work, looking in other queues); a mutex-guarded
//! list holds the indices of **parked** workers.
//!
//! * Work pushed where others could take it calls [`Idle::worker_to_notify`]:
//!   it wakes one sleeper, *unless* someone is already searching (that
//!   searcher will find the work) or nobody sleeps. The woken worker starts
//!   out searching.
//! * At most half of the workers search at once
//!   ([`Idle::transition_worker_to_searching`]), so idle workers don't all
//!   hammer the same queues.
//! * A searcher that finds work stops searching; if it was the **last**
//!   searcher it wakes another worker, so that remaining work keeps a
//!   searcher.
//! * A worker that parks while searching and was the last searcher must
//!   re-check every queue after it is counted as parked (the caller does
//!   this with `notify_if_work_pending`). This closes the race "a task is
//!   pushed, the pusher sees a searcher and wakes nobody, then that
//!   searcher parks": either the pusher sees zero searchers and wakes
//!   someone, or the last searcher's re-check sees the task.
//!
//! # Invariants
//!
//! * `unparked = workers - parked list length`, both changed under the
//!   mutex.
//! * The pusher (push, then read the counters) and the last searcher
//!   (update the counters, then read the queues) each put a `SeqCst` fence
//!   between their write and their read. That is the classic "Dekker"
//!   pattern: with the fences, at least one of them sees the other's
//!   write. (`SeqCst` loads and stores alone would do in the C++ model, but
//!   loom treats them as acquire/release and reports the race; the fences
//!   are what loom checks, see the model at the end of this file.)
//!
//! # How Tokio does it
//!
//! Tokio's `idle.rs` has the same counters and rules (including "at most
//! half searching" and "the last searcher wakes another"), a design that
//! comes from Go's scheduler (`spinning` threads).

use crate::sync::Mutex;
use crate::sync::atomic::{AtomicUsize, Ordering::SeqCst, fence};

/// Bits of the counter word that count searching workers.
const SEARCHING_MASK: usize = (1 << 16) - 1;
/// Unparked workers are counted above this shift.
const UNPARKED_SHIFT: usize = 16;

/// Idle bookkeeping for `num_workers` workers.
pub(crate) struct Idle {
    state: AtomicUsize,
    sleepers: Mutex<Vec<usize>>,
    num_workers: usize,
}

fn searching(state: usize) -> usize {
    state & SEARCHING_MASK
}

fn unparked(state: usize) -> usize {
    state >> UNPARKED_SHIFT
}

impl Idle {
    /// All workers start unparked and not searching.
    pub(crate) fn new(num_workers: usize) -> Idle {
        assert!(num_workers < SEARCHING_MASK, "too many workers");
        Idle {
            state: AtomicUsize::new(num_workers << UNPARKED_SHIFT),
            sleepers: Mutex::new(Vec::with_capacity(num_workers)),
            num_workers,
        }
    }

    fn should_wake_someone(&self) -> bool {
        let state = self.state.load(SeqCst);
        searching(state) == 0 && unparked(state) < self.num_workers
    }

    /// New work is available: returns the parked worker to wake, if one
    /// should be woken. That worker is counted as unparked and searching.
    pub(crate) fn worker_to_notify(&self) -> Option<usize> {
        // Order the caller's push before our read of the counters (Dekker,
        // see the module docs).
        fence(SeqCst);
        // Cheap check first, without the lock.
        if !self.should_wake_someone() {
            return None;
        }
        let mut sleepers = self.sleepers.lock();
        if !self.should_wake_someone() {
            return None;
        }
        let worker = sleepers.pop()?;
        self.state.fetch_add(1 | (1 << UNPARKED_SHIFT), SeqCst);
        Some(worker)
    }

    /// A worker out of local work wants to search; refused if half the
    /// workers already search.
    pub(crate) fn transition_worker_to_searching(&self) -> bool {
        let state = self.state.load(SeqCst);
        if 2 * searching(state) >= self.num_workers {
            return false;
        }
        self.state.fetch_add(1, SeqCst);
        true
    }

    /// A searching worker found work. Returns whether it was the last
    /// searcher (it must then wake another worker).
    pub(crate) fn transition_worker_from_searching(&self) -> bool {
        let previous = self.state.fetch_sub(1, SeqCst);
        debug_assert!(searching(previous) > 0);
        searching(previous) == 1
    }

    /// A worker goes to sleep. Returns whether it was the last searcher
    /// (it must then re-check every queue).
    pub(crate) fn transition_worker_to_parked(&self, worker: usize, is_searching: bool) -> bool {
        // exercise(park_idle): begin: count the worker as parked (and no longer searching), list it, fence; report whether it was the last searcher
        // exercise(park_idle): stub: let _ = (worker, is_searching);
        // exercise(park_idle): stub: {todo}
        let mut sleepers = self.sleepers.lock();
        let decrement = (1 << UNPARKED_SHIFT) | usize::from(is_searching);
        let previous = self.state.fetch_sub(decrement, SeqCst);
        sleepers.push(worker);
        drop(sleepers);
        // Order our counter update before the caller's re-check of the
        // queues (Dekker, see the module docs).
        fence(SeqCst);
        is_searching && searching(previous) == 1
        // exercise(park_idle): end
    }

    /// Whether `worker` is still in the parked list (not yet notified).
    pub(crate) fn is_parked(&self, worker: usize) -> bool {
        self.sleepers.lock().contains(&worker)
    }

    /// Number of workers that are not parked.
    #[cfg(all(test, not(loom)))]
    pub(crate) fn num_unparked(&self) -> usize {
        unparked(self.state.load(SeqCst))
    }

    /// Number of searching workers.
    #[cfg(all(test, not(loom)))]
    pub(crate) fn num_searching(&self) -> usize {
        searching(self.state.load(SeqCst))
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn notifies_only_when_nobody_searches() {
        let idle = Idle::new(4);
        assert_eq!(idle.worker_to_notify(), None, "nobody sleeps");
        assert!(!idle.transition_worker_to_parked(0, false));
        assert!(!idle.transition_worker_to_parked(1, false));
        assert_eq!(idle.num_unparked(), 2);
        assert!(idle.transition_worker_to_searching());
        assert_eq!(
            idle.worker_to_notify(),
            None,
            "a searcher will find the work"
        );
        assert!(
            idle.transition_worker_from_searching(),
            "it was the last searcher"
        );
        assert_eq!(idle.worker_to_notify(), Some(1));
        assert_eq!(idle.num_searching(), 1, "the woken worker searches");
        assert!(!idle.is_parked(1));
        assert!(idle.is_parked(0));
    }

    #[test]
    fn at_most_half_search() {
        let idle = Idle::new(4);
        assert!(idle.transition_worker_to_searching());
        assert!(idle.transition_worker_to_searching());
        assert!(!idle.transition_worker_to_searching());
        assert!(!idle.transition_worker_from_searching());
        assert!(
            idle.transition_worker_to_parked(3, true),
            "last searcher parks"
        );
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::scheduler::inject::Inject;
    use crate::sync::Arc;
    use loom::thread;

    /// The race of the module docs: a task is injected while the last
    /// searcher parks. Whatever the interleaving, the worker ends up
    /// notified (not parked), so the task will run.
    #[test]
    fn loom_task_injected_while_last_searcher_parks_is_run() {
        loom::model(|| {
            let idle = Arc::new(Idle::new(2));
            let inject = Arc::new(Inject::<u32>::new());
            // Worker 1 sleeps; worker 0 is the only searcher.
            assert!(!idle.transition_worker_to_parked(1, false));
            assert!(idle.transition_worker_to_searching());

            let (idle2, inject2) = (idle.clone(), inject.clone());
            let pusher = thread::spawn(move || {
                inject2.push(7).unwrap();
                idle2.worker_to_notify()
            });
            // Worker 0 finds nothing and parks; as the last searcher it
            // re-checks the queues.
            let mut woken = Vec::new();
            if idle.transition_worker_to_parked(0, true) && !inject.is_empty() {
                woken.extend(idle.worker_to_notify());
            }
            woken.extend(pusher.join().unwrap());
            assert!(
                !woken.is_empty(),
                "a task is queued but every worker sleeps"
            );
            assert!(woken.iter().all(|w| !idle.is_parked(*w)));
        });
    }
}
