//! The tests of the `select` exercise: `select!` polls its branches, keeps
//! the first that is ready (and matches its pattern) and drops the rest.
//! (Driven by `futures`' executor, so they check the macro alone.)

use std::cell::Cell;
use std::future::{Future, pending, ready};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures::executor::block_on;
use mini_runtime::select;

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

/// Counts its drops.
struct Guard(Rc<Cell<u32>>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn the_branch_that_becomes_ready_wins() {
    let out = block_on(async {
        select! {
            v = pending::<u32>() => v,
            v = countdown(3, 7) => v + 1,
        }
    });
    assert_eq!(out, 8);
}

#[test]
fn the_losers_are_dropped_before_the_winners_handler_runs() {
    let drops = Rc::new(Cell::new(0));
    let guard = Guard(drops.clone());
    let loser = async move {
        let _guard = guard;
        pending::<()>().await;
    };
    let seen = block_on(async {
        select! {
            () = loser => 0,
            () = countdown(1, ()) => drops.get(),
        }
    });
    assert_eq!(
        seen, 1,
        "the losing future was dropped when the handler ran"
    );
}

#[test]
fn a_ready_branch_whose_pattern_does_not_match_is_disabled() {
    let out = block_on(async {
        select! {
            biased;
            Some(x) = ready(None::<u32>) => x,
            y = countdown(2, 9) => y,
        }
    });
    assert_eq!(out, 9);
}

#[test]
fn biased_polls_the_branches_in_order() {
    for _ in 0..20 {
        let out = block_on(async {
            select! {
                biased;
                a = ready(1) => a,
                b = ready(2) => b,
            }
        });
        assert_eq!(out, 1);
    }
}

#[test]
fn without_biased_every_ready_branch_can_win() {
    let mut wins = [0; 2];
    for _ in 0..200 {
        let i = block_on(async {
            select! {
                a = ready(0) => a,
                b = ready(1) => b,
            }
        });
        wins[i] += 1;
    }
    assert!(
        wins[0] > 0 && wins[1] > 0,
        "one branch always won: {wins:?}"
    );
}

#[test]
fn else_runs_when_no_branch_can_win() {
    let out = block_on(async {
        select! {
            Some(x) = ready(None::<u32>) => x,
            Ok(y) = ready(Err::<u32, ()>(())) => y,
            else => 42,
        }
    });
    assert_eq!(out, 42);
}
