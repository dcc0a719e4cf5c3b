//! The driver: how a scheduler thread sleeps, and what wakes it.
//!
//! A scheduler with nothing to run *parks* on the driver. The driver sleeps
//! on a [`Parker`] until either an [`Unparker`] fires (a remote spawn or
//! wake, or a new earliest timer) or the earliest timer deadline passes,
//! then fires the timers that are due:
//!
//! ```text
//!   park(handle):                      park_timeout(handle, d):
//!     next = timers.next_deadline()      next = timers.next_deadline()
//!     None    -> parker.park()           parker.park_timeout(min(d, next - now))
//!     Some(t) -> parker.park_timeout(t - now)
//!     timers.process(Instant::now())     timers.process(Instant::now())
//! ```
//!
//! `park_timeout(handle, Duration::ZERO)` never sleeps: a busy scheduler
//! calls it every `event_interval` tasks to fire due timers (and consume a
//! pending unpark token).
//!
//! With timers disabled (`Builder::enable_time` not called) the handle has
//! no timer handle, and the driver is a plain parker.
//!
//! Why reading the deadline *before* sleeping is race-free: a timer
//! registered afterwards (from any thread) with an earlier deadline than
//! every other unparks the driver (see the time driver's invariants). The
//! unpark leaves a token if it comes before the sleep starts, so the sleep
//! returns at once and the next park recomputes its timeout.
//!
//! Tokio's driver stacks three layers: the I/O driver (epoll/kqueue), the
//! signal driver and the time driver; it sleeps in `epoll_wait` with the
//! next timer deadline as timeout. mini_runtime has no I/O driver, so a
//! condition variable does the sleeping.

use std::time::{Duration, Instant};

use crate::park::{Parker, Unparker};
use crate::time;

/// The sleeping side, owned by whichever thread runs the scheduler.
#[derive(Debug)]
pub(crate) struct Driver {
    parker: Parker,
    /// How long a park spins before it sleeps (`Builder::park_spin`).
    spin: Duration,
}

/// The waking side, shared by everyone.
#[derive(Debug, Clone)]
pub(crate) struct Handle {
    unparker: Unparker,
    /// The runtime's timers; `None` when they are disabled.
    time: Option<time::Handle>,
}

/// Creates a driver and its handle; `enable_time` turns on the timers,
/// split into `timer_shards` shards (see the time driver), and every park
/// spins for up to `spin` before it sleeps (see `park`).
pub(crate) fn new(enable_time: bool, timer_shards: usize, spin: Duration) -> (Driver, Handle) {
    let parker = Parker::new();
    let unparker = parker.unparker();
    let time = enable_time.then(|| time::Handle::new(unparker.clone(), timer_shards));
    (Driver { parker, spin }, Handle { unparker, time })
}

impl Driver {
    /// Sleeps until unparked or the earliest timer is due, then fires the
    /// due timers.
    pub(crate) fn park(&mut self, handle: &Handle) {
        let Some(time) = &handle.time else {
            self.parker.spin_then_park(self.spin);
            return;
        };
        match time.next_deadline() {
            Some(deadline) => self.parker.spin_then_park_timeout(
                self.spin,
                deadline.saturating_duration_since(Instant::now()),
            ),
            None => self.parker.spin_then_park(self.spin),
        }
        time.process(Instant::now());
    }

    /// Sleeps until unparked, `timeout` passed or the earliest timer is
    /// due, then fires the due timers. A zero timeout never sleeps: it only
    /// collects pending events.
    pub(crate) fn park_timeout(&mut self, handle: &Handle, timeout: Duration) {
        let Some(time) = &handle.time else {
            self.parker.spin_then_park_timeout(self.spin, timeout);
            return;
        };
        let timeout = match time.next_deadline() {
            Some(deadline) => timeout.min(deadline.saturating_duration_since(Instant::now())),
            None => timeout,
        };
        self.parker.spin_then_park_timeout(self.spin, timeout);
        time.process(Instant::now());
    }
}

impl Handle {
    /// Wakes the thread parked on the driver (or makes its next park return).
    pub(crate) fn unpark(&self) {
        self.unparker.unpark();
    }

    /// The runtime's timers, unless they are disabled.
    pub(crate) fn time(&self) -> Option<&time::Handle> {
        self.time.as_ref()
    }

    /// Shuts the drivers down at runtime drop: every registered timer is
    /// woken, and timers polled afterwards panic.
    pub(crate) fn shutdown(&self) {
        if let Some(time) = &self.time {
            time.shutdown();
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::test_util::with_time_limit;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
    use std::task::{Wake, Waker};

    const LIMIT: Duration = Duration::from_secs(20);

    struct Flag(AtomicBool);

    impl Wake for Flag {
        fn wake(self: Arc<Self>) {
            self.0.store(true, SeqCst);
        }
    }

    fn flag_waker() -> (Arc<Flag>, Waker) {
        let flag = Arc::new(Flag(AtomicBool::new(false)));
        (flag.clone(), Waker::from(flag))
    }

    #[test]
    fn timers_disabled_means_no_time_handle() {
        let (_driver, handle) = new(false, 1, Duration::ZERO);
        assert!(handle.time().is_none());
        handle.shutdown(); // nothing to do, no panic
        let (_driver, handle) = new(true, 1, Duration::ZERO);
        assert!(handle.time().is_some());
    }

    #[test]
    fn park_sleeps_until_the_earliest_deadline_then_fires_it() {
        with_time_limit(LIMIT, || {
            let (mut driver, handle) = new(true, 1, Duration::ZERO);
            let time = handle.time().unwrap();
            let (flag, waker) = flag_waker();
            let deadline = Instant::now() + Duration::from_millis(30);
            time.register(deadline, &waker).unwrap();
            // The registration left an unpark token (first timer): the
            // park returns early, fires nothing; park again until fired.
            while !flag.0.load(SeqCst) {
                driver.park(&handle);
            }
            assert!(Instant::now() >= deadline, "fired early");
            assert_eq!(time.num_timers(), 0);
        });
    }

    #[test]
    fn park_timeout_zero_fires_due_timers_without_sleeping() {
        with_time_limit(LIMIT, || {
            let (mut driver, handle) = new(true, 1, Duration::ZERO);
            let time = handle.time().unwrap();
            let (due, due_waker) = flag_waker();
            let (later, later_waker) = flag_waker();
            time.register(Instant::now(), &due_waker).unwrap();
            time.register(Instant::now() + Duration::from_secs(3600), &later_waker)
                .unwrap();
            driver.park_timeout(&handle, Duration::ZERO);
            assert!(due.0.load(SeqCst));
            assert!(!later.0.load(SeqCst));
            assert_eq!(time.num_timers(), 1);
        });
    }

    #[test]
    fn park_timeout_wakes_at_the_earlier_of_timeout_and_deadline() {
        with_time_limit(LIMIT, || {
            let (mut driver, handle) = new(true, 1, Duration::ZERO);
            let time = handle.time().unwrap();
            let (flag, waker) = flag_waker();
            let deadline = Instant::now() + Duration::from_millis(20);
            time.register(deadline, &waker).unwrap();
            driver.park_timeout(&handle, Duration::ZERO); // eat the token
            // A one-hour timeout, but the timer is due in 20 ms.
            while !flag.0.load(SeqCst) {
                driver.park_timeout(&handle, Duration::from_secs(3600));
            }
            assert!(Instant::now() >= deadline);
        });
    }

    #[test]
    fn timer_registered_by_another_thread_wakes_a_park_without_deadline() {
        with_time_limit(LIMIT, || {
            let (mut driver, handle) = new(true, 1, Duration::ZERO);
            let time = handle.time().unwrap().clone();
            let (flag, waker) = flag_waker();
            let t = std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(20));
                time.register(Instant::now() + Duration::from_millis(10), &waker)
                    .unwrap();
            });
            // No timer yet: `park` has no timeout. Only the unpark of the
            // registration can end it; then the driver sleeps until the
            // deadline and fires.
            while !flag.0.load(SeqCst) {
                driver.park(&handle);
            }
            t.join().unwrap();
        });
    }

    #[test]
    fn shutdown_wakes_registered_timers() {
        let (_driver, handle) = new(true, 1, Duration::ZERO);
        let time = handle.time().unwrap();
        let (flag, waker) = flag_waker();
        time.register(Instant::now() + Duration::from_secs(3600), &waker)
            .unwrap();
        handle.shutdown();
        assert!(flag.0.load(SeqCst));
        assert!(time.is_shutdown());
    }
}
