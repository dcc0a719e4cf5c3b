//! The timer driver: the runtime's ordered set of pending timers.
//!
//! # What it stores
//!
//! One map, behind one mutex:
//!
//! ```text
//!   BTreeMap<TimerKey { deadline: Instant, seq: u64 }, Waker>
//!            ───────────────────────────────────────
//!            sorted by deadline, then by registration order
//! ```
//!
//! Every *registered* timer is one entry. The `seq` number is unique (a
//! counter bumped on every registration), so two timers with the same
//! deadline get two keys, and they fire in the order they were registered.
//! The value is the waker of whoever polled the timer last.
//!
//! A [`Sleep`](super::Sleep) remembers its key. It does not need a shared
//! "fired" flag: **"fired" means "my key is no longer in the map"**, because
//! the only ways out of the map are [`Handle::process`] (fired),
//! [`Handle::shutdown`] (the runtime is gone; a flag says so) and the
//! sleep's own deregistration. Keys are never reused, so a key cannot come
//! back. That keeps each timer to zero extra allocations and zero `unsafe`.
//!
//! # Why a `BTreeMap`, and what it costs
//!
//! With `n` registered timers and `k` of them due:
//!
//! | operation                              | cost                         |
//! |----------------------------------------|------------------------------|
//! | register (`insert`)                    | O(log n)                     |
//! | deregister / reset (`remove`)          | O(log n)                     |
//! | poll a registered timer (`get_mut`)    | O(log n)                     |
//! | next deadline (`first_key_value`)      | O(log n) (the leftmost path) |
//! | fire the due timers (`pop_first` × k)  | O(k log n)                   |
//!
//! Each operation takes the one mutex. A B-tree keeps its keys in nodes of
//! up to 11 entries, so `log n` is small and the memory is compact; for the
//! thousands of timers a lesson creates this is far from being a bottleneck,
//! and it is *obviously correct*: the map is always sorted, deadlines are
//! exact `Instant`s (no rounding), and "what is due?" is a range query.
//!
//! # How Tokio's wheel differs
//!
//! Tokio (`tokio/src/runtime/time/wheel/`) uses a *hierarchical timing
//! wheel*: 6 levels of 64 slots. Level 0 has one slot per millisecond
//! (64 ms in all), level 1 one slot per 64 ms (about 4 s), and so on up to
//! level 5 (about 2 years); later deadlines go to an overflow list. Each
//! slot is an intrusive linked list of timer entries that live inside the
//! `Sleep` futures themselves (which is why Tokio's `Sleep` is `!Unpin`),
//! and each level keeps a 64-bit "occupied" mask.
//!
//! * Insert and remove are O(1): compute the level from the highest bit in
//!   which `deadline` and `now` differ, index the slot, link or unlink.
//! * The next deadline is found with a `trailing_zeros` on the occupied
//!   masks, O(levels).
//! * As time advances, a slot of a higher level is *cascaded*: its entries
//!   are re-inserted into finer levels, until they reach level 0 and fire.
//! * Deadlines are rounded *up* to whole milliseconds (so a timer never
//!   fires early), which also means a 1 µs sleep takes about 1 ms.
//! * The entry's state (fired or not, its waker) is an atomic cell inside
//!   the entry, so polling a `Sleep` does not take the driver's lock; and
//!   recent versions shard the wheel across workers to cut contention.
//!
//! The wheel wins when there are very many timers that are mostly cancelled
//! before firing (network timeouts), at the price of pinned intrusive
//! lists and a lot of `unsafe`. The `BTreeMap` shows the same contract with
//! none of that.
//!
//! # Invariants
//!
//! * Every key in the map belongs to exactly one live registration, and is
//!   removed exactly once (fire, deregister, or shutdown).
//! * A timer is fired only if `deadline <= now`.
//! * Wakers are woken **and dropped** only after the lock is released: a
//!   waker's `wake` or destructor may run arbitrary code (drop a task, whose
//!   future drops a `Sleep`, which deregisters: it would deadlock on the
//!   lock we hold).
//! * If a registration makes its deadline the earliest one, the driver is
//!   unparked, so that a thread sleeping until a later deadline (or with no
//!   deadline at all) wakes up and recomputes its timeout. Without this, a
//!   timer registered from another thread would wait for an unrelated wake.
//! * After [`Handle::shutdown`] the map is empty for good: registrations
//!   are refused and the owners of former entries see "shut down".

use std::collections::BTreeMap;
use std::fmt;
use std::task::Waker;
use std::time::Instant;

use crate::park::Unparker;
use crate::sync::{Arc, Mutex};

/// The identity of one registration: sorts by deadline, then by the order
/// of registration. Never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct TimerKey {
    // Field order matters: the derived `Ord` compares `deadline` first.
    deadline: Instant,
    seq: u64,
}

/// The runtime was shut down: the timer will never fire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ShutdownError;

/// What [`Handle::poll_registered`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimerState {
    /// Still in the map (its waker is now the caller's).
    Waiting,
    /// Removed by [`Handle::process`]: its deadline has passed.
    Fired,
    /// The runtime was shut down.
    Shutdown,
}

/// A reference to a runtime's timers. Cheap to clone; `Send + Sync`.
#[derive(Clone)]
pub(crate) struct Handle {
    inner: Arc<Inner>,
}

struct Inner {
    state: Mutex<State>,
    /// Wakes the thread parked on the runtime's driver.
    unparker: Unparker,
}

struct State {
    timers: BTreeMap<TimerKey, Waker>,
    /// The `seq` of the next registration.
    next_seq: u64,
    is_shutdown: bool,
}

impl Handle {
    /// Creates an empty timer set; `unparker` wakes the driver's thread.
    pub(crate) fn new(unparker: Unparker) -> Handle {
        Handle {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    timers: BTreeMap::new(),
                    next_seq: 0,
                    is_shutdown: false,
                }),
                unparker,
            }),
        }
    }

    /// Registers a timer due at `deadline`, to wake `waker`.
    ///
    /// The timer fires on the next call of [`process`](Self::process) with
    /// `now >= deadline`, even if `deadline` has passed already: it never
    /// fires inside this call. Unparks the driver if this is now the
    /// earliest timer.
    pub(crate) fn register(
        &self,
        deadline: Instant,
        waker: &Waker,
    ) -> Result<TimerKey, ShutdownError> {
        let mut state = self.inner.state.lock();
        if state.is_shutdown {
            return Err(ShutdownError);
        }
        let key = state.insert(deadline, waker.clone());
        let is_earliest = state.timers.first_key_value().map(|(first, _)| *first) == Some(key);
        drop(state);
        if is_earliest {
            self.inner.unparker.unpark();
        }
        Ok(key)
    }

    /// Checks a registered timer and, if it still waits, makes `waker` the
    /// one it will wake.
    pub(crate) fn poll_registered(&self, key: TimerKey, waker: &Waker) -> TimerState {
        let mut state = self.inner.state.lock();
        if state.is_shutdown {
            return TimerState::Shutdown;
        }
        let Some(stored) = state.timers.get_mut(&key) else {
            return TimerState::Fired;
        };
        if stored.will_wake(waker) {
            return TimerState::Waiting;
        }
        let old = std::mem::replace(stored, waker.clone());
        drop(state);
        drop(old); // outside the lock: see the module invariants
        TimerState::Waiting
    }

    /// Whether the registration `key` was fired by [`process`](Self::process)
    /// (false while it waits, and after a shutdown).
    pub(crate) fn has_fired(&self, key: TimerKey) -> bool {
        let state = self.inner.state.lock();
        !state.is_shutdown && !state.timers.contains_key(&key)
    }

    /// Moves a waiting registration to `deadline`, keeping its waker.
    ///
    /// Returns the new key, or `None` if `old` is no longer waiting (it
    /// fired, or the runtime was shut down): then there is nothing to move,
    /// and the owner registers afresh on its next poll.
    pub(crate) fn reregister(&self, old: TimerKey, deadline: Instant) -> Option<TimerKey> {
        let mut state = self.inner.state.lock();
        let waker = state.timers.remove(&old)?;
        let key = state.insert(deadline, waker);
        let is_earliest = state.timers.first_key_value().map(|(first, _)| *first) == Some(key);
        drop(state);
        if is_earliest {
            self.inner.unparker.unpark();
        }
        Some(key)
    }

    /// Removes a registration (if it is still there). Never unparks: a
    /// sleeping driver that wakes for a timer that is gone simply finds
    /// nothing due and sleeps again.
    pub(crate) fn deregister(&self, key: TimerKey) {
        let removed = self.inner.state.lock().timers.remove(&key);
        drop(removed); // outside the lock
    }

    /// The earliest deadline of all registered timers.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        let state = self.inner.state.lock();
        state.timers.first_key_value().map(|(key, _)| key.deadline)
    }

    /// Fires (removes and wakes) every timer with `deadline <= now`, in
    /// deadline order. Returns how many fired.
    pub(crate) fn process(&self, now: Instant) -> usize {
        // exercise(timer_driver): begin
        // exercise(timer_driver): stub: let _ = now;
        // exercise(timer_driver): stub: // TODO(exercise timer_driver): remove every timer with a deadline <= now from the
        // exercise(timer_driver): stub: // map (in deadline order), wake its waker after unlocking, and return how many fired.
        // exercise(timer_driver): stub: // Until then the driver fires nothing, and every sleep waits forever.
        // exercise(timer_driver): stub: 0
        let mut due = Vec::new();
        {
            let mut state = self.inner.state.lock();
            while let Some(entry) = state.timers.first_entry() {
                if entry.key().deadline > now {
                    break;
                }
                due.push(entry.remove());
            }
        }
        // Outside the lock: a woken task may run right away on another
        // thread and touch its timer (or drop it) immediately.
        let fired = due.len();
        if fired > 0 {
            trace_event!(crate::trace::EventKind::TimerFire { count: fired });
        }
        for waker in due {
            waker.wake();
        }
        fired
        // exercise(timer_driver): end
    }

    /// Shuts the timers down: every registered timer is woken (its owner
    /// then sees "shut down"), and later registrations are refused.
    pub(crate) fn shutdown(&self) {
        let timers = {
            let mut state = self.inner.state.lock();
            state.is_shutdown = true;
            std::mem::take(&mut state.timers)
        };
        for waker in timers.into_values() {
            waker.wake();
        }
    }

    /// Whether [`shutdown`](Self::shutdown) was called.
    #[cfg_attr(any(not(test), loom), allow(dead_code))] // for tests
    pub(crate) fn is_shutdown(&self) -> bool {
        self.inner.state.lock().is_shutdown
    }

    /// How many timers are registered right now: lets tests check that
    /// no timer leaks.
    #[cfg_attr(any(not(test), loom), allow(dead_code))] // for tests
    pub(crate) fn num_timers(&self) -> usize {
        self.inner.state.lock().timers.len()
    }
}

impl State {
    fn insert(&mut self, deadline: Instant, waker: Waker) -> TimerKey {
        let key = TimerKey {
            deadline,
            seq: self.next_seq,
        };
        self.next_seq += 1;
        self.timers.insert(key, waker);
        key
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `try_lock`: never block (or deadlock) inside a `Debug` impl.
        let mut d = f.debug_struct("time::Handle");
        match self.inner.state.try_lock() {
            Some(state) => d
                .field("timers", &state.timers.len())
                .field(
                    "next_deadline",
                    &state.timers.first_key_value().map(|(k, _)| k.deadline),
                )
                .field("is_shutdown", &state.is_shutdown),
            None => d.field("state", &"<locked>"),
        };
        d.finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::park::Parker;
    use crate::test_util::with_time_limit;
    use std::sync::Mutex as StdMutex;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::task::Wake;
    use std::time::Duration;

    const LIMIT: Duration = Duration::from_secs(20);

    /// A waker that records its name in a shared log when woken.
    struct LogWaker {
        name: usize,
        log: Arc<StdMutex<Vec<usize>>>,
    }

    impl Wake for LogWaker {
        fn wake(self: Arc<Self>) {
            self.log.lock().unwrap().push(self.name);
        }
    }

    fn log_waker(name: usize, log: &Arc<StdMutex<Vec<usize>>>) -> Waker {
        Waker::from(Arc::new(LogWaker {
            name,
            log: log.clone(),
        }))
    }

    fn new_handle() -> (Handle, Parker) {
        let parker = Parker::new();
        (Handle::new(parker.unparker()), parker)
    }

    #[test]
    fn keys_sort_by_deadline_then_registration_order() {
        let (handle, _parker) = new_handle();
        let t0 = Instant::now();
        let waker = Waker::noop();
        let late = handle.register(t0 + Duration::from_secs(2), waker).unwrap();
        let early_a = handle.register(t0 + Duration::from_secs(1), waker).unwrap();
        let early_b = handle.register(t0 + Duration::from_secs(1), waker).unwrap();
        assert!(
            early_a < early_b,
            "same deadline: first registered sorts first"
        );
        assert!(early_b < late);
        assert_eq!(early_a.deadline, t0 + Duration::from_secs(1));
        assert_eq!(handle.next_deadline(), Some(t0 + Duration::from_secs(1)));
        assert_eq!(handle.num_timers(), 3);
    }

    #[test]
    fn process_fires_only_due_timers_in_deadline_order() {
        let (handle, _parker) = new_handle();
        let log = Arc::new(StdMutex::new(Vec::new()));
        let t0 = Instant::now();
        // Registered out of order; names are the deadline in ms.
        for ms in [30, 10, 50, 20, 40, 10] {
            handle
                .register(
                    t0 + Duration::from_millis(ms),
                    &log_waker(ms as usize, &log),
                )
                .unwrap();
        }
        assert_eq!(handle.process(t0), 0, "nothing is due at t0");
        assert_eq!(
            handle.process(t0 + Duration::from_millis(10)),
            2,
            "deadline == now fires"
        );
        assert_eq!(handle.process(t0 + Duration::from_millis(35)), 2);
        assert_eq!(*log.lock().unwrap(), [10, 10, 20, 30]);
        assert_eq!(handle.next_deadline(), Some(t0 + Duration::from_millis(40)));
        assert_eq!(handle.process(t0 + Duration::from_secs(1)), 2);
        assert_eq!(*log.lock().unwrap(), [10, 10, 20, 30, 40, 50]);
        assert_eq!(handle.num_timers(), 0);
        assert_eq!(handle.next_deadline(), None);
    }

    #[test]
    fn poll_registered_reports_waiting_then_fired_and_updates_the_waker() {
        let (handle, _parker) = new_handle();
        let log = Arc::new(StdMutex::new(Vec::new()));
        let t0 = Instant::now();
        let key = handle.register(t0, &log_waker(1, &log)).unwrap();
        assert!(!handle.has_fired(key));
        assert_eq!(
            handle.poll_registered(key, &log_waker(2, &log)),
            TimerState::Waiting
        );
        handle.process(t0);
        assert_eq!(
            *log.lock().unwrap(),
            [2],
            "the most recent waker is woken, once"
        );
        assert!(handle.has_fired(key));
        assert_eq!(
            handle.poll_registered(key, &log_waker(3, &log)),
            TimerState::Fired
        );
    }

    #[test]
    fn deregister_removes_the_entry_and_a_key_is_never_reused() {
        let (handle, _parker) = new_handle();
        let log = Arc::new(StdMutex::new(Vec::new()));
        let t0 = Instant::now();
        let a = handle.register(t0, &log_waker(1, &log)).unwrap();
        handle.deregister(a);
        handle.deregister(a); // twice is harmless
        assert_eq!(handle.num_timers(), 0);
        let b = handle.register(t0, &log_waker(2, &log)).unwrap();
        assert_ne!(a, b, "same deadline, new key");
        handle.process(t0);
        assert_eq!(
            *log.lock().unwrap(),
            [2],
            "a deregistered timer never fires"
        );
    }

    #[test]
    fn reregister_moves_the_waker_earlier_or_later() {
        let (handle, _parker) = new_handle();
        let log = Arc::new(StdMutex::new(Vec::new()));
        let t0 = Instant::now();
        let key = handle
            .register(t0 + Duration::from_secs(10), &log_waker(1, &log))
            .unwrap();
        let key = handle
            .reregister(key, t0 + Duration::from_millis(5))
            .unwrap();
        assert_eq!(handle.num_timers(), 1);
        assert_eq!(handle.next_deadline(), Some(t0 + Duration::from_millis(5)));
        let key = handle
            .reregister(key, t0 + Duration::from_secs(20))
            .unwrap();
        assert_eq!(
            handle.process(t0 + Duration::from_secs(10)),
            0,
            "moved later"
        );
        assert_eq!(handle.process(t0 + Duration::from_secs(20)), 1);
        assert_eq!(*log.lock().unwrap(), [1]);
        assert_eq!(
            handle.reregister(key, t0),
            None,
            "a fired timer cannot be moved"
        );
        assert_eq!(handle.num_timers(), 0);
    }

    #[test]
    fn registering_the_earliest_deadline_unparks_the_driver() {
        with_time_limit(LIMIT, || {
            let (handle, parker) = new_handle();
            let t0 = Instant::now();
            let waker = Waker::noop();

            // First timer: earliest by definition.
            handle
                .register(t0 + Duration::from_secs(60), waker)
                .unwrap();
            let start = Instant::now();
            parker.park_timeout(Duration::from_secs(30));
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "first registration must unpark"
            );

            // Later than the earliest: no unpark (the park times out).
            handle
                .register(t0 + Duration::from_secs(120), waker)
                .unwrap();
            let start = Instant::now();
            parker.park_timeout(Duration::from_millis(30));
            assert!(
                start.elapsed() >= Duration::from_millis(30),
                "a later timer must not unpark"
            );

            // Earlier than the earliest: unpark.
            handle.register(t0 + Duration::from_secs(1), waker).unwrap();
            let start = Instant::now();
            parker.park_timeout(Duration::from_secs(30));
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "an earlier timer must unpark"
            );
        });
    }

    #[test]
    fn registration_from_another_thread_wakes_a_parked_driver() {
        with_time_limit(LIMIT, || {
            let (handle, parker) = new_handle();
            let remote = handle.clone();
            let t = std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(20));
                remote.register(Instant::now(), Waker::noop()).unwrap();
            });
            parker.park(); // no timeout at all: only the unpark ends this
            t.join().unwrap();
            assert_eq!(handle.num_timers(), 1);
        });
    }

    /// A waker that locks the timer state when woken or dropped: it would
    /// deadlock if the driver woke or dropped it while holding the lock.
    struct ReentrantWaker {
        handle: Handle,
        wakes: AtomicUsize,
    }

    impl Wake for ReentrantWaker {
        fn wake(self: Arc<Self>) {
            self.wake_by_ref();
        }
        fn wake_by_ref(self: &Arc<Self>) {
            self.wakes.fetch_add(1, SeqCst);
            let _ = self.handle.num_timers();
        }
    }

    impl Drop for ReentrantWaker {
        fn drop(&mut self) {
            let _ = self.handle.num_timers();
        }
    }

    #[test]
    fn wakers_are_woken_and_dropped_outside_the_lock() {
        with_time_limit(LIMIT, || {
            let (handle, _parker) = new_handle();
            let t0 = Instant::now();
            let new_waker = || {
                Waker::from(Arc::new(ReentrantWaker {
                    handle: handle.clone(),
                    wakes: AtomicUsize::new(0),
                }))
            };
            // Fired by `process`.
            handle.register(t0, &new_waker()).unwrap();
            assert_eq!(handle.process(t0), 1);
            // Replaced by a poll with another waker, then deregistered.
            let key = handle.register(t0, &new_waker()).unwrap();
            assert_eq!(
                handle.poll_registered(key, &new_waker()),
                TimerState::Waiting
            );
            handle.deregister(key);
            // Woken by shutdown.
            handle.register(t0, &new_waker()).unwrap();
            handle.shutdown();
        });
    }

    #[test]
    fn shutdown_wakes_everything_and_refuses_new_timers() {
        let (handle, _parker) = new_handle();
        let log = Arc::new(StdMutex::new(Vec::new()));
        let t0 = Instant::now();
        let key = handle
            .register(t0 + Duration::from_secs(3600), &log_waker(1, &log))
            .unwrap();
        handle
            .register(t0 + Duration::from_secs(7200), &log_waker(2, &log))
            .unwrap();
        handle.shutdown();
        assert!(handle.is_shutdown());
        assert_eq!(
            *log.lock().unwrap(),
            [1, 2],
            "every timer is woken at shutdown"
        );
        assert_eq!(handle.num_timers(), 0);
        assert_eq!(
            handle.poll_registered(key, Waker::noop()),
            TimerState::Shutdown
        );
        assert!(!handle.has_fired(key), "shut down is not fired");
        assert_eq!(handle.register(t0, Waker::noop()), Err(ShutdownError));
        assert_eq!(handle.reregister(key, t0), None);
        handle.shutdown(); // idempotent
    }
}
