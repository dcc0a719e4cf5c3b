//! Parking a thread until there is work: [`Parker`] and [`Unparker`].
//!
//! # The problem
//!
//! An executor with nothing to run must sleep without burning a core, and
//! must wake up as soon as a waker fires, from any thread. The classic bug
//! is the *lost wake-up*: the executor checks its queue (empty), another
//! thread pushes a task and signals, and only *then* does the executor go to
//! sleep, missing the signal forever.
//!
//! # The design
//!
//! A `Parker` (owned by the sleeping thread) and any number of `Unparker`s
//! (cloned into wakers) share one atomic state word:
//!
//! ```text
//!   EMPTY ──park()──▶ PARKED ──unpark()──▶ NOTIFIED ──(park returns)──▶ EMPTY
//!     │                                        ▲
//!     └───────────────unpark()─────────────────┘   (token kept for the next park)
//! ```
//!
//! * `unpark` *always* leaves the state `NOTIFIED`. If the parker was
//!   `PARKED` it also signals the condition variable.
//! * `park` first tries to consume a `NOTIFIED` token without locking; only
//!   if there is none does it take the lock, move `EMPTY -> PARKED` and wait.
//!
//! So an `unpark` that happens *before* a `park` is never lost: it leaves a
//! token, and the next `park` returns at once. Tokens do not accumulate:
//! two `unpark`s before one `park` still give one early return, which is
//! fine because the woken thread re-checks all of its queues anyway.
//!
//! # Invariants
//!
//! * Only the thread that owns the `Parker` parks (it is `Send` but not
//!   `Sync`); any thread may unpark.
//! * The transition to `PARKED` happens under the mutex, and `unpark` takes
//!   the same mutex before `notify_one`. That closes the window between
//!   "state is PARKED" and "thread is waiting on the condvar": without the
//!   lock, the notification could land before the wait begins.
//! * `park` can return spuriously only from `park_timeout` (time is up);
//!   `park` itself loops on spurious condvar wake-ups.
//!
//! The loom model in this module's tests checks the unpark-before, -during
//! and -after cases, and two unparkers at once.
//!
//! # Spinning before sleeping
//!
//! Going to sleep and being woken are system calls (a futex wait, a futex
//! wake), and the woken thread then waits for the OS to schedule it: on the
//! 2-core machines the benchmarks run on, one such hand-off costs 4-8 µs,
//! far more than the work it hands off. [`Parker::spin_then_park`] first
//! watches the state word for up to a given time (`spin_loop` hints; every
//! [`SPIN_CHECKS_PER_CLOCK_READ`] checks it reads the clock and yields the
//! core with `std::thread::yield_now`, so that on an oversubscribed
//! machine the spinner does not keep out the very thread that would wake
//! it) and only then sleeps. While it spins the state stays `EMPTY`, so an `unpark` in that
//! window is a plain atomic swap: no lock, no system call on either side.
//! The token protocol is unchanged (the spin only *consumes* a token the
//! same way the fast path does), so the invariants below still hold. The
//! schedulers spin for [`Builder::park_spin`](crate::runtime::Builder::park_spin)
//! (default [`DEFAULT_PARK_SPIN`](crate::runtime::DEFAULT_PARK_SPIN)). Measured
//! on `spawn/threaded_scheduler_spawn` (spawn from `block_on` onto one worker
//! and await it, two hand-offs per iteration): see the Builder's docs.
//!
//! # How Tokio does it
//!
//! Tokio's `runtime::park::ParkThread` uses the same three-state protocol
//! (it is also how `std::thread::park` is built), without the spinning
//! phase: a Tokio worker with nothing to do goes to sleep at once (after
//! its search of the other queues). Tokio's multi-thread
//! workers additionally park *on the I/O or timer driver* when they can take
//! it, so that the sleeping worker also waits for sockets and deadlines.

use std::cell::Cell;
use std::marker::PhantomData;
use std::time::{Duration, Instant};

use crate::sync::atomic::{AtomicUsize, Ordering::Relaxed, Ordering::SeqCst};
use crate::sync::{Arc, Condvar, Mutex};

/// Nobody is parked and no token is waiting.
const EMPTY: usize = 0;
/// The owner is waiting (or about to wait) on the condition variable.
const PARKED: usize = 1;
/// An unpark token is waiting to be consumed by the next `park`.
const NOTIFIED: usize = 2;

/// While spinning, how many times the state word is checked between two
/// reads of the clock (a clock read costs about as much as 20-50 checks).
pub const SPIN_CHECKS_PER_CLOCK_READ: u32 = 32;

/// Blocks the current thread until an [`Unparker`] wakes it.
///
/// ```
/// use mini_runtime::park::Parker;
///
/// let parker = Parker::new();
/// let unparker = parker.unparker();
/// std::thread::spawn(move || unparker.unpark());
/// parker.park(); // returns once the other thread has called unpark
/// ```
#[derive(Debug)]
pub struct Parker {
    inner: Arc<Inner>,
    /// `Parker` is `Send` but not `Sync`: only one thread may park on it.
    _not_sync: PhantomData<Cell<()>>,
}

/// Wakes the thread parked on the matching [`Parker`]. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Unparker {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    state: AtomicUsize,
    lock: Mutex<()>,
    cvar: Condvar,
}

impl Default for Parker {
    fn default() -> Self {
        Self::new()
    }
}

impl Parker {
    /// Creates a parker with no token waiting.
    pub fn new() -> Parker {
        Parker {
            inner: Arc::new(Inner {
                state: AtomicUsize::new(EMPTY),
                lock: Mutex::new(()),
                cvar: Condvar::new(),
            }),
            _not_sync: PhantomData,
        }
    }

    /// Returns a handle that can wake this parker from any thread.
    pub fn unparker(&self) -> Unparker {
        Unparker {
            inner: self.inner.clone(),
        }
    }

    /// Blocks until [`Unparker::unpark`] is called (or returns at once if
    /// it was already called since the last `park`).
    pub fn park(&self) {
        self.inner.park(None);
    }

    /// Like [`park`](Self::park), but returns after `timeout` at the latest.
    /// A zero timeout only consumes a waiting token.
    pub fn park_timeout(&self, timeout: Duration) {
        self.inner.park(Some(timeout));
    }

    /// Like [`park`](Self::park), but first spins for up to `spin` waiting
    /// for an unpark, so that a wake-up arriving soon costs no system call
    /// (see the module docs). A zero `spin` is `park`.
    pub fn spin_then_park(&self, spin: Duration) {
        if !self.inner.spin_for_token(spin) {
            self.inner.park(None);
        }
    }

    /// [`park_timeout`](Self::park_timeout) after spinning for up to `spin`
    /// (never longer than `timeout` in all).
    pub fn spin_then_park_timeout(&self, spin: Duration, timeout: Duration) {
        let spin = spin.min(timeout);
        if spin.is_zero() {
            // No clock read: a zero timeout (the schedulers' periodic
            // "collect events without sleeping") is on a hot path.
            return self.inner.park(Some(timeout));
        }
        let start = Instant::now();
        if !self.inner.spin_for_token(spin) {
            self.inner
                .park(Some(timeout.saturating_sub(start.elapsed())));
        }
    }
}

impl Unparker {
    /// Wakes the parked thread, or makes its next `park` return at once.
    pub fn unpark(&self) {
        self.inner.unpark();
    }

    /// Whether two unparkers wake the same parker.
    pub fn will_wake(&self, other: &Unparker) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// A [`Waker`](std::task::Waker) whose `wake` unparks.
    ///
    /// `std::task::Wake` builds the vtable for us here; the task module
    /// shows a hand-written one.
    pub fn into_waker(self) -> std::task::Waker {
        std::task::Waker::from(Arc::new(UnparkWaker(self)))
    }
}

/// See [`Unparker::into_waker`].
struct UnparkWaker(Unparker);

impl std::task::Wake for UnparkWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

impl Inner {
    /// Watches the state word for up to `spin`; consumes a token and
    /// returns `true` if one arrives.
    fn spin_for_token(&self, spin: Duration) -> bool {
        if spin.is_zero() {
            return false;
        }
        let start = Instant::now();
        loop {
            for _ in 0..SPIN_CHECKS_PER_CLOCK_READ {
                // A relaxed load to watch (no cache-line ping-pong while
                // nothing happens), the same CAS as `park`'s fast path to
                // consume, so the token's writes are acquired.
                if self.state.load(Relaxed) == NOTIFIED
                    && self
                        .state
                        .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
                        .is_ok()
                {
                    return true;
                }
                std::hint::spin_loop();
            }
            if start.elapsed() >= spin {
                return false;
            }
            // Offer the core to another runnable thread: when threads
            // outnumber cores, the thread that will wake us may be waiting
            // for exactly this core, and pure spinning would keep it out
            // for the whole spin.
            std::thread::yield_now();
        }
    }

    fn park(&self, timeout: Option<Duration>) {
        // Fast path: a token is already waiting.
        if self
            .state
            .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
            .is_ok()
        {
            return;
        }
        if timeout == Some(Duration::ZERO) {
            return;
        }

        let mut guard = self.lock.lock();
        match self.state.compare_exchange(EMPTY, PARKED, SeqCst, SeqCst) {
            Ok(_) => {}
            Err(NOTIFIED) => {
                // An unpark arrived between the fast path and the lock.
                // `swap`, not `store`: a read-modify-write synchronizes with
                // *every* unpark before it, so their writes are visible.
                self.state.swap(EMPTY, SeqCst);
                return;
            }
            Err(actual) => panic!("Parker: inconsistent state {actual}; only one thread may park"),
        }

        match timeout {
            None => loop {
                guard = self.cvar.wait(guard);
                if self
                    .state
                    .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
                    .is_ok()
                {
                    return; // a real unpark, not a spurious wake-up
                }
            },
            Some(timeout) => {
                let (_guard, _timed_out) = self.cvar.wait_timeout(guard, timeout);
                // Either an unpark (NOTIFIED) or time is up / spurious
                // (PARKED): in both cases we return, leaving no token. A
                // swap (not a store) acquires whatever an unpark published.
                self.state.swap(EMPTY, SeqCst);
            }
        }
    }

    fn unpark(&self) {
        match self.state.swap(NOTIFIED, SeqCst) {
            EMPTY | NOTIFIED => {} // nobody waits: the token is enough
            PARKED => {
                // Take the lock so the parker is really inside `wait` (it
                // released the lock there) before we signal.
                drop(self.lock.lock());
                self.cvar.notify_one();
            }
            actual => panic!("Unparker: inconsistent state {actual}"),
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn unpark_before_park_is_not_lost() {
        let parker = Parker::new();
        parker.unparker().unpark();
        parker.park(); // must return at once
    }

    #[test]
    fn tokens_do_not_accumulate() {
        let parker = Parker::new();
        let unparker = parker.unparker();
        unparker.unpark();
        unparker.unpark();
        parker.park();
        let start = Instant::now();
        parker.park_timeout(Duration::from_millis(30));
        assert!(
            start.elapsed() >= Duration::from_millis(30),
            "second token leaked"
        );
    }

    #[test]
    fn unpark_from_another_thread_wakes_park() {
        let parker = Parker::new();
        let unparker = parker.unparker();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            unparker.unpark();
        });
        let start = Instant::now();
        parker.park_timeout(Duration::from_secs(10));
        assert!(start.elapsed() < Duration::from_secs(5), "unpark was lost");
        t.join().unwrap();
    }

    #[test]
    fn park_timeout_returns_after_timeout() {
        let parker = Parker::new();
        let start = Instant::now();
        parker.park_timeout(Duration::from_millis(10));
        assert!(start.elapsed() >= Duration::from_millis(10));
        // zero timeout never blocks and consumes a token
        parker.unparker().unpark();
        parker.park_timeout(Duration::ZERO);
        let start = Instant::now();
        parker.park_timeout(Duration::from_millis(10));
        assert!(start.elapsed() >= Duration::from_millis(10));
    }

    #[test]
    fn a_spinning_park_takes_an_unpark_that_arrives_while_it_spins() {
        let parker = Parker::new();
        let unparker = parker.unparker();
        // Before the park: the spin finds the token at once.
        unparker.unpark();
        parker.spin_then_park(Duration::from_secs(10));
        // During the spin (long spin budget, early unpark): returns at once.
        let t = std::thread::spawn(move || unparker.unpark());
        let start = Instant::now();
        parker.spin_then_park(Duration::from_secs(30));
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "spin missed the token"
        );
        t.join().unwrap();
    }

    #[test]
    fn a_spinning_park_sleeps_after_the_spin_and_still_wakes() {
        let parker = Parker::new();
        let unparker = parker.unparker();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(30));
            unparker.unpark();
        });
        // The spin (1 ms) ends long before the unpark: the park must then
        // sleep on the condvar and be woken by it (not by the timeout).
        let start = Instant::now();
        parker.spin_then_park_timeout(Duration::from_millis(1), Duration::from_secs(10));
        assert!(start.elapsed() < Duration::from_secs(5), "unpark was lost");
        t.join().unwrap();
        // And a timeout shorter than the spin bounds the whole call.
        let start = Instant::now();
        parker.spin_then_park_timeout(Duration::from_secs(10), Duration::from_millis(5));
        assert!(start.elapsed() >= Duration::from_millis(5));
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "spun past the timeout"
        );
    }

    #[test]
    fn many_handoffs_between_two_threads() {
        // Ping-pong 10,000 times; a lost wake-up would hang (bounded by the
        // 10 s park timeout and the assertion below).
        let (a, b) = (Parker::new(), Parker::new());
        let (ua, ub) = (a.unparker(), b.unparker());
        let rounds = if cfg!(miri) { 50 } else { 10_000 };
        let deadline = Instant::now() + Duration::from_secs(60);
        let t = std::thread::spawn(move || {
            for _ in 0..rounds {
                b.park_timeout(Duration::from_secs(10));
                ua.unpark();
            }
        });
        for _ in 0..rounds {
            ub.unpark();
            a.park_timeout(Duration::from_secs(10));
            assert!(Instant::now() < deadline, "hand-off stalled");
        }
        t.join().unwrap();
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::thread;

    /// An unpark before, during or after the park: park always returns.
    #[test]
    fn loom_park_unpark() {
        loom::model(|| {
            let parker = Parker::new();
            let unparker = parker.unparker();
            let t = thread::spawn(move || unparker.unpark());
            parker.park();
            t.join().unwrap();
        });
    }

    /// Two unparkers racing each other and the park: one park returns.
    #[test]
    fn loom_two_unparkers() {
        loom::model(|| {
            let parker = Parker::new();
            let (u1, u2) = (parker.unparker(), parker.unparker());
            let t1 = thread::spawn(move || u1.unpark());
            let t2 = thread::spawn(move || u2.unpark());
            parker.park();
            t1.join().unwrap();
            t2.join().unwrap();
        });
    }
}
