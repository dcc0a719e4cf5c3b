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
//! # How Tokio does it
//!
//! Tokio's `runtime::park::ParkThread` uses the same three-state protocol
//! (it is also how `std::thread::park` is built). Tokio's multi-thread
//! workers additionally park *on the I/O or timer driver* when they can take
//! it, so that the sleeping worker also waits for sockets and deadlines.

use std::cell::Cell;
use std::marker::PhantomData;
use std::time::Duration;

use crate::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::sync::{Arc, Condvar, Mutex};

/// Nobody is parked and no token is waiting.
const EMPTY: usize = 0;
/// The owner is waiting (or about to wait) on the condition variable.
const PARKED: usize = 1;
/// An unpark token is waiting to be consumed by the next `park`.
const NOTIFIED: usize = 2;

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
