//! The tests of the `join` exercise: `join!` polls every input in one task
//! until all are ready. (Driven by `futures`' executor, so they check the
//! macro alone, not mini_runtime's executors.)

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures::executor::block_on;
use mini_runtime::join;

/// Ready with `value` after being polled `pending` more times; wakes itself.
struct Countdown<T> {
    pending: usize,
    value: Option<T>,
}

fn countdown<T: Unpin>(pending: usize, value: T) -> Countdown<T> {
    Countdown {
        pending,
        value: Some(value),
    }
}

impl<T: Unpin> Future for Countdown<T> {
    type Output = T;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        if self.pending == 0 {
            return Poll::Ready(self.value.take().expect("polled after Ready"));
        }
        self.pending -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[test]
fn outputs_come_in_argument_order_whatever_finishes_first() {
    let out = block_on(async { join!(countdown(3, "slow"), countdown(0, 1), countdown(1, 'c')) });
    assert_eq!(out, ("slow", 1, 'c'));
}

#[test]
fn inputs_are_polled_concurrently_not_one_after_the_other() {
    // `first` can only finish after `second` ran: awaiting them in turn
    // would spin on `first` forever.
    let flag = Rc::new(Cell::new(false));
    let seen = flag.clone();
    let first = std::future::poll_fn(move |cx| {
        if seen.get() {
            Poll::Ready("first")
        } else {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    });
    let second = async move {
        flag.set(true);
        "second"
    };
    assert_eq!(
        block_on(async { join!(first, second) }),
        ("first", "second")
    );
}

#[test]
fn a_finished_input_is_dropped_at_once_and_never_polled_again() {
    struct Guard(Rc<Cell<u32>>);
    impl Drop for Guard {
        fn drop(&mut self) {
            self.0.set(self.0.get() + 1);
        }
    }
    let drops = Rc::new(Cell::new(0));
    let guard = Guard(drops.clone());
    let fast = async move {
        let _guard = guard;
    };
    let d = drops.clone();
    let slow = async move {
        countdown(2, ()).await;
        d.get()
    };
    let ((), drops_seen_by_slow) = block_on(async { join!(fast, slow) });
    assert_eq!(
        drops_seen_by_slow, 1,
        "the finished input was dropped before the others finished"
    );
    assert_eq!(drops.get(), 1, "and dropped once");
}

#[test]
fn one_input_and_into_future_inputs() {
    assert_eq!(block_on(async { join!(countdown(2, 7)) }), (7,));
    let ready = std::future::ready(5);
    assert_eq!(block_on(async { join!(ready, async { 6 }) }), (5, 6));
}
