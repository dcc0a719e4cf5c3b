//! The timer driver: the runtime's set of pending timers.
//!
//! # What it stores
//!
//! A few *shards* (one per worker; see "Why shards" below), each a
//! hierarchical timing wheel ([`TimerWheel`](super::wheel::TimerWheel))
//! behind its own mutex:
//!
//! ```text
//!   shards[0]: Mutex<Shard { timers: TimerWheel<Waker>, is_shutdown }>
//!   shards[1]: Mutex<Shard { ... }>
//!   ...
//!
//!   TimerKey { deadline, seq, shard, index }   what a `Sleep` keeps: which
//!                                              wheel, and which entry in it
//! ```
//!
//! Every *registered* timer is one entry, in one shard's wheel. The `seq`
//! number is unique within its shard (the wheel bumps a counter on every
//! insertion), so two timers with the same deadline get two keys, and on
//! one shard they fire in the order they were registered. The [`TimerKey`]
//! also names its shard, so every later operation on the timer goes
//! straight to the right lock, and its entry's place in the wheel's slab
//! (`index`), so the wheel finds it without a search. The value is the
//! waker of whoever polled the timer last.
//!
//! A deadline is stored as an integer: the nanoseconds from the driver's
//! creation (`start`) to the deadline's `Instant`. That is still exact (an
//! `Instant` counts nanoseconds too), and a wheel needs a number to pick a
//! slot from. A deadline before `start` becomes 0, which changes nothing:
//! it is due on every `process` (whose `now` is never before `start`).
//!
//! A [`Sleep`](super::Sleep) remembers its key. It does not need a shared
//! "fired" flag: **"fired" means "my key is no longer in its shard's
//! wheel"**, because the only ways out of a wheel are [`Handle::process`]
//! (fired), [`Handle::shutdown`] (the runtime is gone; a flag says so) and
//! the sleep's own deregistration. Keys are never reused (the wheel reuses
//! a slab entry, but never a `seq`, and a key matches only the entry of its
//! own `seq`), so a key cannot come back. That keeps each timer to zero
//! extra allocations and zero `unsafe`.
//!
//! # Why a timing wheel, and what it costs
//!
//! With `n` timers registered in a shard and `k` of them due:
//!
//! | operation                               | cost                               |
//! |-----------------------------------------|------------------------------------|
//! | register (`insert`)                     | O(1)                               |
//! | deregister / reset (`remove`)           | O(1)                               |
//! | poll a registered timer (`get_mut`)     | O(1)                               |
//! | next deadline (`next_deadline`)         | O(1) per shard, cached (see below) |
//! | fire the due timers (`take_due`)        | O(k) plus cascading, plus a sort of the k |
//!
//! Each operation takes one shard's mutex (the last two take each shard's
//! in turn). Most timers never fire (a timeout is cancelled when the answer
//! comes), so register and deregister are what must be cheap. This driver
//! first kept each shard's timers in a `BTreeMap<(deadline, seq), Waker>`:
//! obviously correct and always sorted, but O(log n) per operation, and
//! with 100,000 timers the tree search and the shifting of keys inside its
//! nodes took about half the time of the benchmark below. The wheel (see
//! its module for the design) puts a timer in a slot computed from its
//! deadline's bits and links it into that slot's list: no search at all.
//!
//! What the wheel gives up is order: it hands out the due timers of a
//! `process` unsorted, so `process` sorts them (by deadline, then `seq`,
//! then shard) before waking. And it keeps deadlines **exact**: a slot
//! only narrows a deadline down to a tick (about 1 ms), so a timer whose
//! tick has come but whose nanosecond deadline has not stays in the wheel.
//! The wheel caches its earliest deadline (a timer removed while being the
//! earliest clears the cache, and the next `next_deadline` rescans one
//! slot's list), which keeps `register`'s "is it the earliest?" check O(1)
//! in the common case.
//!
//! Measured with `benches/benches/time.rs` (2 cores shared with other
//! jobs, so give or take 15 %), `BTreeMap` → wheel: `many_timers/mt8`
//! (8 workers each register and drop 12,500 timers) 17 to 18 ms → 8.4 to
//! 9.3 ms (Tokio 10 to 12 ms); `many_timers/ct` 19.4 ms → 13.3 ms (Tokio
//! 60 ms); `fire_many`, where all 10,000 timers fire, ct 3.1 ms → 2.7 ms
//! and mt2 4.2 ms → 4.2 ms (Tokio 5 ms and 7 ms).
//!
//! # Why shards
//!
//! With a single set of timers there is a single lock, and on the
//! multi-thread runtime every worker registering or dropping a timer queues
//! on it. Worse, when there are more workers than cores, the thread holding
//! the lock is sometimes preempted in the middle of an insert: every other
//! worker that wants a timer then parks until the holder gets a core back.
//!
//! So the driver has [`MAX_TIMER_SHARDS`] at most, and by default one per
//! worker (one on the current-thread runtime; see
//! [`Builder::timer_shards`](crate::runtime::Builder::timer_shards)). A
//! registration goes to the shard of the *registering thread*: a worker
//! uses its own index, so with one shard per worker two workers never
//! register on the same lock; any other thread (the `block_on` thread, the
//! blocking pool, a foreign thread) takes a number of its own on first use.
//! Polling, moving and dropping a timer go to the shard its key names,
//! wherever they happen. Only the driver's own work looks at every shard:
//!
//! * `next_deadline` is the minimum of the shards' first deadlines;
//! * `process(now)` takes the due timers out of every shard, then sorts them
//!   all and wakes them in deadline order;
//! * `shutdown` empties and closes every shard.
//!
//! That moves the cost to the parking thread, which locks `S` shards
//! instead of one, but those locks are short and rarely contended.
//!
//! Each shard sits alone on its own 128 bytes of memory (`CachePadded`).
//! Without that, the locks and wheel headers of neighbouring shards share a
//! cache line, and two workers that never touch each other's timers still
//! take turns owning that line ("false sharing"): on the benchmark below
//! that alone cost about a fifth of the time.
//!
//! Measured with `benches/benches/time.rs` on a 2-core machine shared
//! with other jobs (so give or take 15 %), back when each shard was a
//! `BTreeMap`: `many_timers/mt8`, where 8 workers each register and drop
//! 12,500 timers, took 30 ms with one map and 12 ms with 8 shards, Tokio
//! 10 to 12 ms. With one map the workers
//! went to sleep on the lock and were woken about 7,500 times per
//! iteration; with 8 shards about 10 times. The current-thread runtime has
//! one shard, as before.
//!
//! # How Tokio's timers differ
//!
//! Tokio (`tokio/src/runtime/time/wheel/`) uses a hierarchical timing
//! wheel of the same shape: 6 levels of 64 slots, level 0 one slot per
//! millisecond, later deadlines in an overflow list, a 64-bit "occupied"
//! mask per level. The differences:
//!
//! * Tokio's entries live *inside* the `Sleep` futures themselves, linked
//!   into intrusive lists (which is why Tokio's `Sleep` is `!Unpin`, and
//!   why its wheel is mostly `unsafe`); ours live in a slab (a `Vec`) in
//!   the wheel, linked by index, with no `unsafe`.
//! * Tokio rounds every deadline *up* to a whole millisecond (so a timer
//!   never fires early, but a 1 µs sleep takes about 1 ms), and a slot's
//!   entries all fire together; ours keeps nanosecond deadlines and checks
//!   each entry's own deadline when its slot comes.
//! * The entry's state (fired or not, its waker) is an atomic cell inside
//!   the entry, so polling a `Sleep` does not take the driver's lock; here
//!   polling takes the shard's lock for an O(1) look-up.
//!
//! Tokio sharded its wheel much as here for a while (tokio 1.38 to 1.44:
//! one wheel per worker, each behind its own lock, the shard chosen by the
//! registering worker's index or at random on other threads, the driver
//! walking every shard), then reverted it in 1.45 (tokio-rs/tokio#7226),
//! citing a measurable regression from increased contention. The Tokio the
//! benchmarks use (1.54) has one wheel behind one mutex, plus an unstable
//! option (`enable_alt_timer`) that gives each worker a wheel of its own.
//! Shards paid off here when each shard was a B-tree (whose inserts hold
//! the lock for long); with the wheel they still keep workers off each
//! other's locks and cache lines.
//!
//! # Invariants
//!
//! * Every key in a wheel belongs to exactly one live registration, and is
//!   removed exactly once (fire, deregister, or shutdown). It stays in the
//!   shard it was registered in (a reset moves it within that shard).
//! * A timer is fired only if `deadline <= now` (the exact deadline, not
//!   its tick), and one `process` wakes its timers in key order.
//! * Wakers are woken **and dropped** only after every lock is released: a
//!   waker's `wake` or destructor may run arbitrary code (drop a task, whose
//!   future drops a `Sleep`, which deregisters: it would deadlock on the
//!   lock we hold). No code path holds two shard locks at once.
//! * If a registration makes its deadline the earliest one *of its shard*,
//!   the driver is unparked, so that a thread sleeping until a later
//!   deadline (or with no deadline at all) wakes up and recomputes its
//!   timeout. Without this, a timer registered from another thread would
//!   wait for an unrelated wake. Per shard is enough: a timer earlier than
//!   every other is also the earliest of its shard, and a timer that is not
//!   its shard's earliest has an earlier one beside it, which the sleeping
//!   driver either already counted or was unparked for. (The extra
//!   unparks, for timers that are only their shard's earliest, are
//!   harmless.)
//! * After [`Handle::shutdown`] every wheel is empty for good: registrations
//!   are refused and the owners of former entries see "shut down".

use std::fmt;
use std::task::Waker;
use std::time::{Duration, Instant};

use super::wheel::{TimerWheel, WheelKey};
use crate::park::Unparker;
use crate::sync::atomic::Ordering::Relaxed;
use crate::sync::{Arc, CachePadded, Mutex, StaticAtomicU64};

/// The most shards a timer driver has. By default a multi-thread runtime
/// gets one shard per worker, up to this many: every park walks (and
/// locks) every shard, and the cap keeps that walk short on machines with
/// very many workers.
pub const MAX_TIMER_SHARDS: usize = 64;

/// The identity of one registration: sorts by deadline, then by the order
/// of registration in its shard, then by shard. Never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct TimerKey {
    // Field order matters: the derived `Ord` compares `deadline` first.
    /// The deadline, in nanoseconds since the driver's `start`.
    deadline: u64,
    /// Unique in its shard, increasing with every registration there.
    seq: u64,
    /// The shard whose wheel holds this key.
    shard: usize,
    /// Where the entry sits in the wheel's slab (never compared first:
    /// `seq` alone tells two keys of one shard apart).
    index: u32,
}

impl TimerKey {
    /// The shard whose map holds this key (for the runtime-level tests).
    #[cfg(all(test, not(loom)))]
    pub(crate) fn shard(&self) -> usize {
        self.shard
    }

    /// The key of a wheel entry of `shard`.
    fn new(shard: usize, key: WheelKey) -> TimerKey {
        TimerKey {
            deadline: key.deadline,
            seq: key.seq,
            shard,
            index: key.index,
        }
    }

    /// The key within its shard's wheel.
    fn in_shard(&self) -> WheelKey {
        WheelKey {
            deadline: self.deadline,
            seq: self.seq,
            index: self.index,
        }
    }
}

/// The runtime was shut down: the timer will never fire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ShutdownError;

/// What [`Handle::poll_registered`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimerState {
    /// Still in the wheel (its waker is now the caller's).
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
    /// When the driver was created: keys count their deadline from here.
    start: Instant,
    /// At least one; a key's `shard` indexes this.
    shards: Box<[CachePadded<Mutex<Shard>>]>,
    /// Wakes the thread parked on the runtime's driver.
    unparker: Unparker,
}

/// One shard: a timing wheel of timers with its own lock.
struct Shard {
    timers: TimerWheel<Waker>,
    is_shutdown: bool,
}

impl Handle {
    /// Creates an empty timer set of `shards` shards (clamped to
    /// `1..=MAX_TIMER_SHARDS`); `unparker` wakes the driver's thread.
    pub(crate) fn new(unparker: Unparker, shards: usize) -> Handle {
        let shards = (0..shards.clamp(1, MAX_TIMER_SHARDS))
            .map(|_| {
                CachePadded(Mutex::new(Shard {
                    timers: TimerWheel::new(),
                    is_shutdown: false,
                }))
            })
            .collect();
        Handle {
            inner: Arc::new(Inner {
                start: Instant::now(),
                shards,
                unparker,
            }),
        }
    }

    /// How many shards there are.
    #[cfg_attr(any(not(test), loom), allow(dead_code))] // for tests
    pub(crate) fn num_shards(&self) -> usize {
        self.inner.shards.len()
    }

    /// Registers a timer due at `deadline`, to wake `waker`, in the shard of
    /// the calling thread.
    ///
    /// The timer fires on the next call of [`process`](Self::process) with
    /// `now >= deadline`, even if `deadline` has passed already: it never
    /// fires inside this call. Unparks the driver if this is now the
    /// earliest timer of its shard.
    pub(crate) fn register(
        &self,
        deadline: Instant,
        waker: &Waker,
    ) -> Result<TimerKey, ShutdownError> {
        self.register_on(self.home_shard(), deadline, waker)
    }

    /// [`register`](Self::register) on a given shard (`shard < num_shards`).
    fn register_on(
        &self,
        shard: usize,
        deadline: Instant,
        waker: &Waker,
    ) -> Result<TimerKey, ShutdownError> {
        // Cloned before locking: the lock is held for the wheel insert only.
        // (Declared before the guard, so dropped after it on refusal.)
        let waker = waker.clone();
        let mut state = self.inner.shards[shard].lock();
        if state.is_shutdown {
            return Err(ShutdownError);
        }
        let (key, is_earliest) = state.insert(shard, self.nanos_since_start(deadline), waker);
        drop(state);
        if is_earliest {
            self.inner.unparker.unpark();
        }
        Ok(key)
    }

    /// The shard that registrations from this thread go to: a worker's own
    /// index, or else a number this thread took on first use.
    fn home_shard(&self) -> usize {
        let shards = self.inner.shards.len();
        if shards == 1 {
            return 0;
        }
        let n = crate::scheduler::current_worker_index().unwrap_or_else(thread_number);
        n % shards
    }

    /// `instant` as a key's deadline: nanoseconds since `start`. An instant
    /// before `start` becomes 0, which is fine for a deadline: it is due on
    /// every `process` anyway (whose `now` is never before `start`).
    fn nanos_since_start(&self, instant: Instant) -> u64 {
        let nanos = instant
            .saturating_duration_since(self.inner.start)
            .as_nanos();
        u64::try_from(nanos).unwrap_or(u64::MAX)
    }

    /// The instant of a key's deadline.
    fn instant_at(&self, nanos: u64) -> Instant {
        self.inner.start + Duration::from_nanos(nanos)
    }

    /// The lock of the shard that holds `key`.
    fn shard_of(&self, key: TimerKey) -> &Mutex<Shard> {
        &self.inner.shards[key.shard]
    }

    /// Checks a registered timer and, if it still waits, makes `waker` the
    /// one it will wake.
    pub(crate) fn poll_registered(&self, key: TimerKey, waker: &Waker) -> TimerState {
        let mut state = self.shard_of(key).lock();
        if state.is_shutdown {
            return TimerState::Shutdown;
        }
        let Some(stored) = state.timers.get_mut(key.in_shard()) else {
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
        let state = self.shard_of(key).lock();
        !state.is_shutdown && !state.timers.contains(key.in_shard())
    }

    /// Moves a waiting registration to `deadline`, keeping its waker (and
    /// its shard).
    ///
    /// Returns the new key, or `None` if `old` is no longer waiting (it
    /// fired, or the runtime was shut down): then there is nothing to move,
    /// and the owner registers afresh on its next poll.
    pub(crate) fn reregister(&self, old: TimerKey, deadline: Instant) -> Option<TimerKey> {
        let mut state = self.shard_of(old).lock();
        let waker = state.timers.remove(old.in_shard())?;
        let (key, is_earliest) = state.insert(old.shard, self.nanos_since_start(deadline), waker);
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
        let removed = self.shard_of(key).lock().timers.remove(key.in_shard());
        drop(removed); // outside the lock
    }

    /// The earliest deadline of all registered timers (of every shard).
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        let shards = self.inner.shards.iter();
        let earliest = shards
            .filter_map(|shard| shard.lock().timers.next_deadline())
            .min();
        earliest.map(|nanos| self.instant_at(nanos))
    }

    /// Fires (removes and wakes) every timer with `deadline <= now`, of
    /// every shard, in deadline order. Returns how many fired.
    pub(crate) fn process(&self, now: Instant) -> usize {
        // exercise(timer_driver): begin
        // exercise(timer_driver): stub: let _ = now;
        // exercise(timer_driver): stub: // TODO(exercise timer_driver): take every timer with a deadline <= now out of
        // exercise(timer_driver): stub: // every shard's wheel (TimerWheel::take_due, one shard lock at a time), then wake
        // exercise(timer_driver): stub: // the wakers in deadline order after unlocking, and return how many fired.
        // exercise(timer_driver): stub: // Until then the driver fires nothing, and every sleep waits forever.
        // exercise(timer_driver): stub: let _ = (TimerKey::new, TimerWheel::<Waker>::take_due);
        // exercise(timer_driver): stub: 0
        let now = self.nanos_since_start(now);
        let mut taken = Vec::new();
        let mut due = Vec::new();
        for (shard, lock) in self.inner.shards.iter().enumerate() {
            lock.lock().timers.take_due(now, &mut taken);
            due.extend(
                taken
                    .drain(..)
                    .map(|(key, waker)| (TimerKey::new(shard, key), waker)),
            );
        }
        // A wheel gives its due timers in no particular order: one sort
        // puts them (of all shards) in deadline order, ties in order of
        // registration.
        due.sort_unstable_by_key(|&(key, _)| key);
        // Outside the locks: a woken task may run right away on another
        // thread and touch its timer (or drop it) immediately.
        let fired = due.len();
        if fired > 0 {
            trace_event!(crate::trace::EventKind::TimerFire { count: fired });
        }
        for (_, waker) in due {
            waker.wake();
        }
        fired
        // exercise(timer_driver): end
    }

    /// Shuts the timers down: every registered timer is woken (its owner
    /// then sees "shut down"), and later registrations are refused.
    pub(crate) fn shutdown(&self) {
        for shard in self.inner.shards.iter() {
            let timers = {
                let mut state = shard.lock();
                state.is_shutdown = true;
                state.timers.drain()
            };
            for waker in timers {
                waker.wake();
            }
        }
    }

    /// Whether [`shutdown`](Self::shutdown) was called.
    #[cfg_attr(any(not(test), loom), allow(dead_code))] // for tests
    pub(crate) fn is_shutdown(&self) -> bool {
        self.inner
            .shards
            .iter()
            .all(|shard| shard.lock().is_shutdown)
    }

    /// How many timers are registered right now (in all shards): lets
    /// tests check that no timer leaks.
    #[cfg_attr(any(not(test), loom), allow(dead_code))] // for tests
    pub(crate) fn num_timers(&self) -> usize {
        self.inner
            .shards
            .iter()
            .map(|shard| shard.lock().timers.len())
            .sum()
    }
}

impl Shard {
    /// Inserts a timer; also says whether it is now this shard's earliest
    /// (strictly earlier than every other: on a tie the older one fires
    /// first).
    fn insert(&mut self, shard: usize, deadline: u64, waker: Waker) -> (TimerKey, bool) {
        let before = self.timers.next_deadline();
        let key = TimerKey::new(shard, self.timers.insert(deadline, waker));
        (key, before.is_none_or(|first| deadline < first))
    }
}

/// A number for the calling thread, taken from a counter on the thread's
/// first call: threads that are not workers spread over the shards in turn.
fn thread_number() -> usize {
    static NEXT: StaticAtomicU64 = StaticAtomicU64::new(0);
    thread_local! {
        static NUMBER: usize = NEXT.fetch_add(1, Relaxed) as usize;
    }
    // A thread that is exiting (its thread-locals gone) uses shard 0.
    NUMBER.try_with(|n| *n).unwrap_or(0)
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `try_lock`: never block (or deadlock) inside a `Debug` impl.
        let mut d = f.debug_struct("time::Handle");
        d.field("shards", &self.inner.shards.len());
        let mut timers = 0;
        let mut next_deadline = None;
        let mut is_shutdown = false;
        for shard in self.inner.shards.iter() {
            let Some(mut state) = shard.try_lock() else {
                return d.field("state", &"<locked>").finish();
            };
            timers += state.timers.len();
            // The smaller of the two, where there are two.
            next_deadline = next_deadline
                .into_iter()
                .chain(state.timers.next_deadline())
                .min();
            is_shutdown |= state.is_shutdown;
        }
        d.field("timers", &timers)
            .field("next_deadline", &next_deadline.map(|n| self.instant_at(n)))
            .field("is_shutdown", &is_shutdown)
            .finish()
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

    /// A timer set with one shard (the current-thread runtime's).
    fn new_handle() -> (Handle, Parker) {
        new_sharded(1)
    }

    fn new_sharded(shards: usize) -> (Handle, Parker) {
        let parker = Parker::new();
        (Handle::new(parker.unparker(), shards), parker)
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
        assert_eq!(
            handle.instant_at(early_a.deadline),
            t0 + Duration::from_secs(1)
        );
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
        for shards in [1, 3] {
            wakers_are_woken_and_dropped_outside_the_locks_of(shards);
        }
    }

    fn wakers_are_woken_and_dropped_outside_the_locks_of(shards: usize) {
        with_time_limit(LIMIT, || {
            let (handle, _parker) = new_sharded(shards);
            let t0 = Instant::now();
            let new_waker = || {
                Waker::from(Arc::new(ReentrantWaker {
                    handle: handle.clone(),
                    wakes: AtomicUsize::new(0),
                }))
            };
            for shard in 0..shards {
                // Fired by `process`.
                handle.register_on(shard, t0, &new_waker()).unwrap();
                assert_eq!(handle.process(t0), 1);
                // Replaced by a poll with another waker, then deregistered.
                let key = handle.register_on(shard, t0, &new_waker()).unwrap();
                assert_eq!(
                    handle.poll_registered(key, &new_waker()),
                    TimerState::Waiting
                );
                handle.deregister(key);
                // Left for the shutdown (not due in this loop's `process`).
                let later = t0 + Duration::from_secs(3600);
                handle.register_on(shard, later, &new_waker()).unwrap();
            }
            // Woken by shutdown, every shard's.
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

    // ----- Sharding -----

    #[test]
    fn shard_count_is_clamped_and_one_shard_is_the_default_choice() {
        assert_eq!(new_sharded(0).0.num_shards(), 1);
        assert_eq!(new_sharded(5).0.num_shards(), 5);
        assert_eq!(
            new_sharded(MAX_TIMER_SHARDS + 1).0.num_shards(),
            MAX_TIMER_SHARDS
        );
        let (handle, _parker) = new_handle();
        let key = handle.register(Instant::now(), Waker::noop()).unwrap();
        assert_eq!(key.shard, 0);
    }

    #[test]
    fn a_registration_goes_to_the_shard_of_its_thread() {
        with_time_limit(LIMIT, || {
            let (handle, _parker) = new_sharded(4);
            let far = Instant::now() + Duration::from_secs(3600);
            // Not a worker: each thread has a number of its own, for good.
            let register_here = move |handle: &Handle| {
                let key = handle.register(far, Waker::noop()).unwrap();
                assert_eq!(key.shard, thread_number() % 4);
                thread_number()
            };
            let here = register_here(&handle);
            assert_eq!(register_here(&handle), here, "one thread, one number");
            let mut numbers: Vec<usize> = (0..4)
                .map(|_| {
                    let remote = handle.clone();
                    std::thread::spawn(move || register_here(&remote))
                        .join()
                        .unwrap()
                })
                .collect();
            numbers.push(here);
            numbers.sort_unstable();
            numbers.dedup();
            assert_eq!(numbers.len(), 5, "every thread has its own number");
            assert_eq!(handle.num_timers(), 6);
        });
    }

    #[test]
    fn timers_of_every_shard_fire_in_deadline_order_in_one_process() {
        let (handle, _parker) = new_sharded(3);
        let log = Arc::new(StdMutex::new(Vec::new()));
        let t0 = Instant::now();
        // (shard, deadline in ms); names are the deadline in ms.
        for (shard, ms) in [(0, 30), (1, 10), (2, 20), (0, 5), (2, 50), (1, 40), (2, 15)] {
            let deadline = t0 + Duration::from_millis(ms);
            handle
                .register_on(shard, deadline, &log_waker(ms as usize, &log))
                .unwrap();
        }
        assert_eq!(
            handle.process(t0 + Duration::from_millis(4)),
            0,
            "none early"
        );
        assert_eq!(handle.process(t0 + Duration::from_millis(30)), 5);
        assert_eq!(
            *log.lock().unwrap(),
            [5, 10, 15, 20, 30],
            "one deadline order across the shards"
        );
        assert_eq!(handle.num_timers(), 2);
        assert_eq!(handle.process(t0 + Duration::from_millis(100)), 2);
        assert_eq!(*log.lock().unwrap(), [5, 10, 15, 20, 30, 40, 50]);
    }

    #[test]
    fn equal_deadlines_sort_by_seq_then_shard() {
        let (handle, _parker) = new_sharded(2);
        let log = Arc::new(StdMutex::new(Vec::new()));
        let t0 = Instant::now();
        for name in [1, 2, 3] {
            handle.register_on(1, t0, &log_waker(name, &log)).unwrap();
        }
        handle.register_on(0, t0, &log_waker(0, &log)).unwrap();
        assert_eq!(handle.process(t0), 4);
        // Shard 0's timer has seq 0, like shard 1's first: the shard breaks
        // the tie. One shard's timers keep their registration order.
        assert_eq!(*log.lock().unwrap(), [0, 1, 2, 3]);
    }

    #[test]
    fn next_deadline_is_the_minimum_over_shards() {
        let (handle, _parker) = new_sharded(4);
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        assert_eq!(handle.next_deadline(), None);
        let late = handle.register_on(1, ms(30), Waker::noop()).unwrap();
        assert_eq!(handle.next_deadline(), Some(ms(30)));
        let early = handle.register_on(3, ms(10), Waker::noop()).unwrap();
        handle.register_on(3, ms(40), Waker::noop()).unwrap();
        assert_eq!(handle.next_deadline(), Some(ms(10)));
        handle.deregister(early);
        assert_eq!(handle.next_deadline(), Some(ms(30)));
        handle.reregister(late, ms(50)).unwrap();
        assert_eq!(handle.next_deadline(), Some(ms(40)));
        handle.process(ms(100));
        assert_eq!(handle.next_deadline(), None);
    }

    #[test]
    fn a_key_leads_poll_reregister_and_deregister_to_its_shard() {
        let (handle, _parker) = new_sharded(3);
        let log = Arc::new(StdMutex::new(Vec::new()));
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let a = handle.register_on(2, ms(20), &log_waker(1, &log)).unwrap();
        let b = handle.register_on(0, ms(20), &log_waker(2, &log)).unwrap();
        assert_eq!((a.shard, b.shard), (2, 0));
        assert_ne!(a, b, "same deadline and seq 0, but different shards");
        // Poll from this thread (whatever its own shard): finds shard 2.
        assert_eq!(
            handle.poll_registered(a, &log_waker(3, &log)),
            TimerState::Waiting
        );
        // Moved within shard 2, earlier than b.
        let a = handle.reregister(a, ms(10)).unwrap();
        assert_eq!(a.shard, 2);
        assert_eq!(handle.num_timers(), 2);
        assert_eq!(handle.process(ms(15)), 1);
        assert_eq!(*log.lock().unwrap(), [3], "a's latest waker");
        assert!(handle.has_fired(a));
        assert!(!handle.has_fired(b));
        assert_eq!(handle.poll_registered(a, Waker::noop()), TimerState::Fired);
        assert_eq!(handle.reregister(a, ms(30)), None);
        // Deregister b from another thread: its shard, not that thread's.
        let remote = handle.clone();
        std::thread::spawn(move || remote.deregister(b))
            .join()
            .unwrap();
        assert_eq!(handle.num_timers(), 0);
        assert_eq!(handle.process(ms(100)), 0, "b never fires");
    }

    #[test]
    fn the_earliest_registration_of_a_shard_unparks_the_driver() {
        with_time_limit(LIMIT, || {
            let (handle, parker) = new_sharded(2);
            let t0 = Instant::now();
            let waker = Waker::noop();
            let unparked = |park_for: Duration| {
                let start = Instant::now();
                parker.park_timeout(park_for);
                start.elapsed() < park_for
            };
            handle
                .register_on(0, t0 + Duration::from_secs(60), waker)
                .unwrap();
            handle
                .register_on(1, t0 + Duration::from_secs(30), waker)
                .unwrap();
            parker.park_timeout(Duration::ZERO); // eat the token
            // Later than shard 1's first: no unpark.
            handle
                .register_on(1, t0 + Duration::from_secs(120), waker)
                .unwrap();
            assert!(
                !unparked(Duration::from_millis(30)),
                "a later timer must not unpark"
            );
            // Earliest of all, on shard 0 (whose first is later than shard
            // 1's): it is also shard 0's earliest, so it unparks.
            handle
                .register_on(0, t0 + Duration::from_secs(1), waker)
                .unwrap();
            assert!(
                unparked(Duration::from_secs(30)),
                "the earliest timer must unpark"
            );
        });
    }

    #[test]
    fn shutdown_wakes_the_timers_of_every_shard() {
        let (handle, _parker) = new_sharded(4);
        let log = Arc::new(StdMutex::new(Vec::new()));
        let far = Instant::now() + Duration::from_secs(3600);
        let keys: Vec<TimerKey> = (0..4)
            .map(|shard| {
                handle
                    .register_on(shard, far, &log_waker(shard, &log))
                    .unwrap()
            })
            .collect();
        handle.shutdown();
        assert!(handle.is_shutdown());
        let mut woken = log.lock().unwrap().clone();
        woken.sort_unstable();
        assert_eq!(woken, [0, 1, 2, 3], "every shard's timer is woken");
        assert_eq!(handle.num_timers(), 0);
        for (shard, key) in keys.into_iter().enumerate() {
            assert_eq!(
                handle.poll_registered(key, Waker::noop()),
                TimerState::Shutdown
            );
            assert_eq!(
                handle.register_on(shard, far, Waker::noop()),
                Err(ShutdownError)
            );
        }
        assert_eq!(handle.register(far, Waker::noop()), Err(ShutdownError));
    }

    /// Counts its wakes, and the wakes that came before its deadline.
    struct DeadlineWaker {
        deadline: Instant,
        fired: Arc<AtomicUsize>,
        early: Arc<AtomicUsize>,
    }

    impl Wake for DeadlineWaker {
        fn wake(self: Arc<Self>) {
            self.fired.fetch_add(1, SeqCst);
            if Instant::now() < self.deadline {
                self.early.fetch_add(1, SeqCst);
            }
        }
    }

    #[test]
    fn concurrent_registrations_on_many_shards_fire_on_time_and_leave_nothing_behind() {
        with_time_limit(LIMIT, || {
            const THREADS: usize = 4;
            const PER_THREAD: u64 = 2_000;
            let (handle, _parker) = new_sharded(THREADS);
            let fired = Arc::new(AtomicUsize::new(0));
            let early = Arc::new(AtomicUsize::new(0));
            let threads: Vec<_> = (0..THREADS)
                .map(|_| {
                    let handle = handle.clone();
                    let (fired, early) = (fired.clone(), early.clone());
                    std::thread::spawn(move || {
                        for i in 0..PER_THREAD {
                            let deadline = Instant::now() + Duration::from_micros(i % 300);
                            let waker = Waker::from(Arc::new(DeadlineWaker {
                                deadline,
                                fired: fired.clone(),
                                early: early.clone(),
                            }));
                            let key = handle.register(deadline, &waker).unwrap();
                            if i % 2 == 0 {
                                handle.deregister(key); // may have fired already
                            }
                        }
                    })
                })
                .collect();
            // Meanwhile this thread drives the timers, then fires the rest.
            while !threads.iter().all(|t| t.is_finished()) {
                handle.process(Instant::now());
                std::thread::yield_now();
            }
            for t in threads {
                t.join().unwrap();
            }
            while handle.num_timers() > 0 {
                handle.process(Instant::now());
                std::thread::yield_now();
            }
            let total = THREADS * PER_THREAD as usize;
            let fired = fired.load(SeqCst);
            assert!(
                (total / 2..=total).contains(&fired),
                "every kept timer fires once: {fired}"
            );
            assert_eq!(early.load(SeqCst), 0, "no timer fires before its deadline");
        });
    }
}
