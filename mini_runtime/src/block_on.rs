//! The smallest executor: [`block_on`] runs one future on the calling thread.
//!
//! # The problem
//!
//! A future does nothing until somebody polls it, and polling again in a
//! busy loop wastes a core. An executor needs two things: a way to *sleep*
//! until the future can make progress, and a [`Waker`] that ends that sleep.
//!
//! # The design
//!
//! `block_on` polls the future; on `Pending` it parks the thread on a
//! [`Parker`](crate::park::Parker). The waker handed to the future holds the
//! matching [`Unparker`]: `wake()` unparks the thread, which polls again.
//! Because an unpark before the park is never lost (see [`park`](crate::park)),
//! a waker that fires *during* the poll is not lost either.
//!
//! Creating a parker and a waker costs two allocations, so each thread keeps
//! one pair in a thread-local cache and reuses it on every call.
//!
//! # Re-entrancy
//!
//! * Calling `block_on` from inside a future that is itself being driven by
//!   `block_on` is allowed: the inner call finds the cached parker in use and
//!   creates a fresh one. The outer future is simply blocked until the inner
//!   one finishes, as any blocking call would block it.
//! * Calling `block_on` on a thread that is driving a mini_runtime
//!   [`Runtime`](crate::runtime::Runtime) panics: blocking a runtime thread
//!   stalls every task scheduled on it (and easily deadlocks). Use `.await`,
//!   or `spawn_blocking` for code that must block.
//!
//! # How Tokio does it
//!
//! Tokio has no public standalone `block_on`; `futures::executor::block_on`
//! is the closest, and it *panics* on re-entrant use. Tokio's runtimes use
//! the same cached "park thread" idea internally (`CachedParkThread`).

use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use crate::park::Parker;

thread_local! {
    /// The cached parker and its waker, `None` while a `block_on` uses it.
    static CACHED: RefCell<Option<(Parker, Waker)>> = const { RefCell::new(None) };
}

fn new_parker_and_waker() -> (Parker, Waker) {
    let parker = Parker::new();
    let waker = parker.unparker().into_waker();
    (parker, waker)
}

/// Runs a future to completion on the current thread and returns its output.
///
/// This is an executor of its own: no runtime is needed. It cannot run
/// spawned tasks, and runtime features (timers, `spawn`) are only available
/// when a runtime context is entered (see
/// [`Runtime::enter`](crate::runtime::Runtime::enter)).
///
/// ```
/// let answer = mini_runtime::block_on(async { 6 * 7 });
/// assert_eq!(answer, 42);
/// ```
///
/// # Panics
///
/// When called from a thread that is driving a mini_runtime runtime (see the
/// module docs for why).
pub fn block_on<F: Future>(future: F) -> F::Output {
    crate::context::assert_not_in_runtime("mini_runtime::block_on");
    park_loop(future, Duration::ZERO)
}

/// The loop behind [`block_on`], without the runtime check (the callers
/// that enter a runtime first use it too). Each park spins for up to
/// `spin` first (see `park`): a multi-thread runtime's `block_on` passes
/// its `Builder::park_spin`, because its wake-up usually comes from a
/// worker a few microseconds later.
pub(crate) fn park_loop<F: Future>(future: F, spin: Duration) -> F::Output {
    // Take the cached pair, or make a fresh one if a (re-entrant) outer
    // call is using it.
    let (parker, waker) = CACHED
        .with(|cached| cached.borrow_mut().take())
        .unwrap_or_else(new_parker_and_waker);

    // Put the pair back even if the future panics.
    struct Restore(Option<(Parker, Waker)>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let pair = self.0.take();
            // `try_with`: the thread-local may already be gone at thread exit.
            let _ = CACHED.try_with(|cached| {
                let mut cached = cached.borrow_mut();
                if cached.is_none() {
                    *cached = pair;
                }
            });
        }
    }
    let restore = Restore(Some((parker, waker)));
    let (parker, waker) = restore.0.as_ref().expect("just set");

    let mut future = pin!(future);
    let mut cx = Context::from_waker(waker);
    // exercise(block_on): begin
    // exercise(block_on): stub: let _ = (parker, spin, &mut future, &mut cx, Poll::<F::Output>::Pending);
    // exercise(block_on): stub: {todo}
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        parker.spin_then_park(spin);
    }
    // exercise(block_on): end
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    /// A future that is pending `n` times, waking itself from another thread.
    struct WakeFromThread(usize);

    impl Future for WakeFromThread {
        type Output = ();
        fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.0 == 0 {
                return Poll::Ready(());
            }
            self.0 -= 1;
            let waker = cx.waker().clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(1));
                waker.wake();
            });
            Poll::Pending
        }
    }

    #[test]
    fn returns_the_output() {
        assert_eq!(block_on(async { 1 + 2 }), 3);
    }

    #[test]
    fn wakes_from_other_threads() {
        crate::test_util::with_time_limit(Duration::from_secs(20), || {
            block_on(WakeFromThread(50));
        });
    }

    #[test]
    fn wake_during_poll_is_not_lost() {
        struct SelfWake(bool);
        impl Future for SelfWake {
            type Output = ();
            fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
                if self.0 {
                    return Poll::Ready(());
                }
                self.0 = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
        crate::test_util::with_time_limit(Duration::from_secs(10), || block_on(SelfWake(false)));
    }

    #[test]
    fn reentrant_block_on_uses_a_fresh_parker() {
        let polls = AtomicUsize::new(0);
        let out = block_on(async {
            polls.fetch_add(1, Ordering::SeqCst);
            // Nested call: runs to completion, blocking the outer future.
            let inner = block_on(async {
                WakeFromThread(3).await;
                10
            });
            inner + 1
        });
        assert_eq!(out, 11);
        assert_eq!(polls.load(Ordering::SeqCst), 1);
        // The cache is usable afterwards.
        assert_eq!(block_on(async { 5 }), 5);
    }

    #[test]
    fn cache_survives_a_panicking_future() {
        let result = std::panic::catch_unwind(|| block_on(async { panic!("boom") }));
        assert!(result.is_err());
        crate::test_util::with_time_limit(Duration::from_secs(10), || block_on(WakeFromThread(2)));
    }
}

/// `block_on` without the thread-local cache, for loom models: loom runs
/// its threads on one OS thread, so they would share the cache.
#[cfg(all(test, loom))]
pub(crate) fn block_on_for_loom<F: Future>(future: F) -> F::Output {
    let parker = Parker::new();
    let waker = parker.unparker().into_waker();
    let mut future = pin!(future);
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        parker.park();
    }
}
