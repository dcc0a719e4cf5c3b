//! [`yield_now`]: give other tasks a turn.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Yields execution back to the scheduler once.
///
/// A task that never awaits anything pending never gives the thread back:
/// executors do not preempt. `yield_now().await` returns `Pending` once,
/// after waking its own task, so the scheduler puts the task at the *back*
/// of the run queue and runs the others first.
///
/// How it works: the wake happens *during* the poll, so the task state
/// records "woken while running" and the poller re-queues the task (see
/// `task::state`). mini_runtime's schedulers re-queue it behind every other
/// runnable task, never in the multi-thread scheduler's LIFO slot.
///
/// Tokio defers such wakes until after the scheduler next checks for I/O
/// and timers, then re-queues them, which is why its current-thread order
/// for two yielding tasks is tick0 tock0 tock1 tick1 ...; a plain FIFO
/// queue (mini_runtime) alternates strictly. Both are correct.
///
/// ```
/// let rt = mini_runtime::runtime::Builder::new_current_thread().build().unwrap();
/// rt.block_on(async {
///     mini_runtime::task::yield_now().await;
/// });
/// ```
pub async fn yield_now() {
    YieldNow { yielded: false }.await
}

struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // exercise(yield_now): begin: be Pending exactly once, after waking your own task
        // exercise(yield_now): stub: let _ = (&mut self.yielded, cx);
        // exercise(yield_now): stub: {todo}
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
        // exercise(yield_now): end
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::task::{Wake, Waker};

    /// Counts its wake-ups.
    struct CountWakes(AtomicUsize);

    impl Wake for CountWakes {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, SeqCst);
        }
    }

    #[test]
    fn pending_once_after_waking_itself_then_ready() {
        let wakes = Arc::new(CountWakes(AtomicUsize::new(0)));
        let waker = Waker::from(wakes.clone());
        let mut cx = Context::from_waker(&waker);
        let mut fut = std::pin::pin!(yield_now());
        assert!(
            fut.as_mut().poll(&mut cx).is_pending(),
            "the first poll yields"
        );
        assert_eq!(
            wakes.0.load(SeqCst),
            1,
            "it woke its own task before returning Pending (or nobody would poll it again)"
        );
        assert!(
            fut.as_mut().poll(&mut cx).is_ready(),
            "the second poll completes"
        );
        assert_eq!(wakes.0.load(SeqCst), 1, "and does not wake again");
    }
}
