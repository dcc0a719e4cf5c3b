//! `join!` and `select!`, used through `mini_runtime` as a user would.
//!
//! The futures are driven by `mini_runtime::block_on`; the branches are
//! small hand-written futures whose behaviour is known poll by poll.

use std::cell::{Cell, RefCell};
use std::future::{Future, pending, ready};
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::task::{Context, Poll};

use mini_runtime::{block_on, join, select};

/// Ready with `value` on its `polls`-th poll; wakes itself before each
/// `Pending` (so it never hangs a `block_on`), and counts its polls.
struct ReadyAfter<T> {
    polls_left: usize,
    value: Option<T>,
    polled: Rc<Cell<usize>>,
}

impl<T> ReadyAfter<T> {
    fn new(polls: usize, value: T) -> Self {
        assert!(polls >= 1);
        ReadyAfter {
            polls_left: polls,
            value: Some(value),
            polled: Rc::new(Cell::new(0)),
        }
    }

    fn poll_counter(&self) -> Rc<Cell<usize>> {
        self.polled.clone()
    }
}

impl<T> Unpin for ReadyAfter<T> {}

impl<T> Future for ReadyAfter<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        self.polled.set(self.polled.get() + 1);
        self.polls_left -= 1;
        if self.polls_left == 0 {
            Poll::Ready(self.value.take().expect("polled after completion"))
        } else {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// Never ready; adds one to `drops` when dropped.
struct CountDrop {
    drops: Rc<Cell<usize>>,
}

impl Future for CountDrop {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        Poll::Pending
    }
}

impl Drop for CountDrop {
    fn drop(&mut self) {
        self.drops.set(self.drops.get() + 1);
    }
}

/// Appends `name` to `log` each time it is polled, and is then ready.
fn log_poll(log: &Rc<RefCell<Vec<&'static str>>>, name: &'static str) -> impl Future<Output = ()> {
    let log = log.clone();
    std::future::poll_fn(move |_| {
        log.borrow_mut().push(name);
        Poll::Ready(())
    })
}

/// `true` if `T` is `Send`; used on the futures the macros build.
fn assert_send<T: Send>(value: T) -> T {
    value
}

// ---------------------------------------------------------------- join!

#[test]
fn join_returns_outputs_in_argument_order() {
    let finished = Rc::new(RefCell::new(Vec::new()));
    let step = |polls, name: &'static str| {
        let finished = finished.clone();
        async move {
            ReadyAfter::new(polls, ()).await;
            finished.borrow_mut().push(name);
            name.len()
        }
    };
    // They finish in the reverse of the argument order...
    let out = block_on(async { join!(step(3, "a"), step(2, "bb"), step(1, "ccc")) });
    assert_eq!(*finished.borrow(), ["ccc", "bb", "a"]);
    // ...and the tuple is still in argument order.
    assert_eq!(out, (1, 2, 3));
}

#[test]
fn join_polls_its_futures_concurrently() {
    // `waiter` only finishes after `setter` ran; awaited one after the other
    // (waiter first) this would give up after 100 polls.
    let flag = Rc::new(Cell::new(false));
    let waiter = {
        let flag = flag.clone();
        let mut polls = 0;
        std::future::poll_fn(move |cx| {
            polls += 1;
            assert!(polls < 100, "join! did not poll the other future");
            if flag.get() {
                Poll::Ready("waited")
            } else {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        })
    };
    let setter = async {
        ReadyAfter::new(3, ()).await;
        flag.set(true);
        7
    };
    assert_eq!(block_on(async { join!(waiter, setter) }), ("waited", 7));
}

#[test]
fn join_edge_cases() {
    block_on(async {
        let () = join!();
        let (one,) = join!(ready(1));
        assert_eq!(one, 1);
        // Trailing comma, non-Unpin futures, and `&mut` of an Unpin future.
        let mut later = ReadyAfter::new(2, 'x');
        let out = join!(async { 1 }, &mut later, async { "s" },);
        assert_eq!(out, (1, 'x', "s"));
        // Anything IntoFuture is accepted.
        struct Later(u8);
        impl std::future::IntoFuture for Later {
            type Output = u8;
            type IntoFuture = std::future::Ready<u8>;
            fn into_future(self) -> Self::IntoFuture {
                ready(self.0)
            }
        }
        assert_eq!(join!(Later(4), Later(5)), (4, 5));
    });
}

#[test]
fn join_drops_each_future_when_it_finishes() {
    let drops = Rc::new(Cell::new(0));
    let quick = {
        let guard = CountDrop {
            drops: drops.clone(),
        };
        async move {
            let _guard = guard;
        }
    };
    let slow = async {
        ReadyAfter::new(3, ()).await;
        // `quick` finished on the first poll and is already gone.
        drops.get()
    };
    let ((), seen) = block_on(async { join!(quick, slow) });
    assert_eq!(seen, 1);
}

#[test]
fn join_future_is_send_when_its_inputs_are() {
    let fut = assert_send(async { join!(async { 1 }, async { 2 }) });
    assert_eq!(block_on(fut), (1, 2));
}

// -------------------------------------------------------------- select!

#[test]
fn select_takes_the_branch_that_is_ready() {
    block_on(async {
        let v = select! {
            v = pending::<u32>() => v,
            v = ready(7) => v + 1,
        };
        assert_eq!(v, 8);

        // The faster of two multi-poll futures wins.
        let v = select! {
            v = ReadyAfter::new(5, "slow") => v,
            v = ReadyAfter::new(2, "fast") => v,
        };
        assert_eq!(v, "fast");
    });
}

#[test]
fn select_drops_the_losers_before_the_handler_runs() {
    let drops = Rc::new(Cell::new(0));
    block_on(async {
        select! {
            _ = CountDrop { drops: drops.clone() } => unreachable!(),
            _ = ReadyAfter::new(3, ()) => {
                // Both losers, and the winner's own future, are gone.
                assert_eq!(drops.get(), 2);
            }
            _ = CountDrop { drops: drops.clone() } => unreachable!(),
        }
    });
    assert_eq!(drops.get(), 2);
}

#[test]
fn select_biased_polls_in_declaration_order() {
    let log = Rc::new(RefCell::new(Vec::new()));
    block_on(async {
        for _ in 0..100 {
            let winner = select! {
                biased;
                _ = ready(()) => 0,
                _ = ready(()) => 1,
                _ = ready(()) => 2,
            };
            assert_eq!(winner, 0);
        }
        // Disabled branches are skipped, the others go in order.
        let winner = select! {
            biased;
            _ = log_poll(&log, "a"), if false => 'a',
            _ = pending::<()>() => 'p',
            _ = log_poll(&log, "b") => 'b',
            _ = log_poll(&log, "c") => 'c',
        };
        assert_eq!(winner, 'b');
    });
    assert_eq!(*log.borrow(), ["b"]);
}

#[test]
fn select_starts_at_a_random_branch() {
    let mut wins = [0u32; 2];
    block_on(async {
        for _ in 0..1_000 {
            let winner: usize = select! {
                _ = ready(()) => 0,
                _ = ready(()) => 1,
            };
            wins[winner] += 1;
        }
    });
    assert!(wins[0] >= 100 && wins[1] >= 100, "wins: {wins:?}");
}

#[test]
fn select_disables_a_branch_whose_output_does_not_match() {
    block_on(async {
        let none = ReadyAfter::new(1, None::<u32>);
        let none_polls = none.poll_counter();
        let slow = ReadyAfter::new(4, 9);
        let v = select! {
            biased;
            Some(x) = none => x,
            x = slow => x * 10,
        };
        assert_eq!(v, 90);
        // The mismatched branch completed once and was never polled again.
        assert_eq!(none_polls.get(), 1);

        // Also when the start branch is random.
        for _ in 0..50 {
            let v = select! {
                Some(x) = ready(None::<u8>) => x,
                Ok(x) = ready(Err::<u8, ()>(())) => x,
                x = ReadyAfter::new(2, 3u8) => x,
            };
            assert_eq!(v, 3);
        }
    });
}

#[test]
fn select_precondition_false_disables_the_branch() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let push = |what: &'static str| log.borrow_mut().push(what);
    block_on(async {
        let v = select! {
            v = { push("future 0"); ready(1) }, if { push("condition 0"); false } => v,
            v = { push("future 1"); ReadyAfter::new(3, 2) }, if { push("condition 1"); true } => v,
        };
        assert_eq!(v, 2);
    });
    // Preconditions first, then every future expression (even the disabled
    // branch's), as in Tokio.
    assert_eq!(
        *log.borrow(),
        ["condition 0", "condition 1", "future 0", "future 1"]
    );
}

#[test]
fn select_else_runs_when_every_branch_is_disabled() {
    block_on(async {
        // All preconditions false.
        let v = select! {
            v = ready(1), if false => v,
            v = ready(2), if 1 > 2 => v,
            else => 0,
        };
        assert_eq!(v, 0);
        // All outputs mismatched.
        let v = select! {
            Some(v) = ready(None) => v,
            Ok(v) = ReadyAfter::new(2, Err("no")) => v,
            else => -1,
        };
        assert_eq!(v, -1);
        // `else` may be followed by a comma or nothing, and is not taken
        // when a branch wins.
        let v = select! { v = ready(5) => v, else => { 0 } };
        assert_eq!(v, 5);
    });
}

#[test]
#[should_panic(expected = "all branches are disabled and there is no else branch")]
fn select_panics_when_every_branch_is_disabled_without_else() {
    block_on(async {
        select! {
            Some(v) = ready(None::<u8>) => v,
            v = ready(1), if false => v,
        }
    });
}

#[test]
fn select_handlers_can_break_and_continue_the_enclosing_loop() {
    block_on(async {
        let mut rounds = 0;
        let total = loop {
            rounds += 1;
            select! {
                n = ready(rounds) => {
                    if n < 3 {
                        continue;
                    }
                    if n == 5 {
                        break n * 10;
                    }
                }
            }
            // Only reached for rounds 3 and 4.
            assert!(rounds == 3 || rounds == 4);
        };
        assert_eq!(total, 50);
    });
}

#[test]
fn select_handlers_can_return_await_and_use_question_mark() {
    async fn check(a: u32) -> Result<&'static str, String> {
        // `return` leaves the enclosing async fn.
        select! {
            v = ready(a) => if v % 2 == 0 { return Ok("even") },
        }
        // A handler can `.await`, and use `?` with the fn's error type.
        let n: u32 = select! {
            s = ready("12") => {
                let parsed = s.parse::<u32>().map_err(|e| e.to_string())?;
                ReadyAfter::new(2, parsed).await
            }
        };
        assert_eq!(n, 12);
        let _: u32 = select! {
            s = ready("x") => s.parse::<u32>().map_err(|e| e.to_string())?,
        };
        Ok("not reached")
    }
    block_on(async {
        assert_eq!(check(2).await, Ok("even"));
        assert_eq!(
            check(1).await,
            Err("invalid digit found in string".to_string())
        );
    });
}

#[test]
fn select_reuses_a_mut_ref_future_across_iterations() {
    block_on(async {
        // An Unpin future, borrowed each round: it keeps its progress.
        let mut slow = ReadyAfter::new(4, "slow");
        let slow_polls = slow.poll_counter();
        let mut ticks = 0;
        let v = loop {
            select! {
                biased;
                v = &mut slow => break v,
                _ = ready(()) => ticks += 1,
            }
        };
        assert_eq!((v, ticks), ("slow", 3));
        assert_eq!(slow_polls.get(), 4);

        // A !Unpin future pinned once, then borrowed each round.
        let mut fut = pin!(async {
            ReadyAfter::new(3, ()).await;
            "pinned"
        });
        let mut rounds = 0;
        let v = loop {
            rounds += 1;
            select! {
                biased;
                v = &mut fut => break v,
                _ = ready(()) => {}
            }
        };
        assert_eq!((v, rounds), ("pinned", 3));
    });
}

#[test]
fn select_patterns() {
    block_on(async {
        // `mut` bindings (an edition 2024 pitfall when testing a pattern
        // through a reference), `&` patterns, or-patterns, tuples after a
        // block handler without a comma, struct patterns.
        let v = select! {
            Some(mut x) = ready(Some(1)) => {
                x += 1;
                x
            }
        };
        assert_eq!(v, 2);
        let v = select! { &x = ready(&5) => x };
        assert_eq!(v, 5);
        let v = select! {
            biased;
            1 | 2 = ready(3) => 0,
            (a, b) = ready((4, 5)) => { a + b }
            | 7 | 8 = ready(7) => 7,
        };
        assert_eq!(v, 9);
        struct Pair {
            left: u8,
            right: Option<u8>,
        }
        let v = select! {
            Pair { left, right: Some(ref r) } = ready(Pair { left: 1, right: Some(2) }) => left + *r,
        };
        assert_eq!(v, 3);
        // A variable named like a macro keyword is just a pattern.
        let v = select! { biased = ready(true) => biased };
        assert!(v);
    });
}

#[test]
fn select_single_branch_and_irrefutable_patterns() {
    block_on(async {
        assert_eq!(select! { v = ReadyAfter::new(3, 1) => v }, 1);
        assert_eq!(select! { _ = ready(()) => "unit" }, "unit");
        assert_eq!(select! { (a, _) = ready((1, 2)) => a }, 1);
    });
}

#[test]
fn select_nested() {
    block_on(async {
        let v = select! {
            x = ready(1) => select! {
                y = ready(2) => x + y,
                _ = pending::<()>() => 0,
            },
            _ = pending::<()>() => 0,
        };
        assert_eq!(v, 3);
    });
}

#[test]
fn select_future_is_send_when_its_branches_are() {
    let fut = assert_send(async {
        select! {
            v = async { 1 } => v,
            v = std::future::pending() => v,
        }
    });
    assert_eq!(block_on(fut), 1);
}

/// 64 branches: `$n` picks the branch that is enabled.
macro_rules! select_64 {
    ($enabled:expr, $($n:literal)*) => {
        select! {
            $( v = ready($n), if $n == $enabled => v, )*
            else => -1,
        }
    };
}

#[test]
fn select_supports_64_branches() {
    block_on(async {
        for enabled in [0, 31, 32, 63, 64] {
            let v: i32 = select_64!(
                enabled,
                0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28
                29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54
                55 56 57 58 59 60 61 62 63
            );
            // There is no branch 64: all disabled, so `else`.
            let expected = if enabled == 64 { -1 } else { enabled };
            assert_eq!(v, expected);
        }
    });
}

#[test]
fn select_with_futures_crate_futures() {
    use futures::FutureExt;
    block_on(async {
        let (tx, rx) = futures::channel::oneshot::channel::<u8>();
        tx.send(4).expect("receiver alive");
        let v = select! {
            Ok(v) = rx => v,
            _ = futures::future::pending::<()>().fuse() => 0,
        };
        assert_eq!(v, 4);
    });
}

// ------------------------------------------- #[mini_runtime::main] / ::test

#[mini_runtime::test]
async fn test_attribute_runs_the_body_on_a_runtime() {
    // `spawn` only works inside a runtime.
    let handle = mini_runtime::spawn(async { 6 * 7 });
    assert_eq!(handle.await.expect("task ran"), 42);
    let (a, b) = join!(async { 1 }, ReadyAfter::new(2, 2));
    assert_eq!(a + b, 3);
}

#[mini_runtime::test(flavor = "current_thread")]
async fn test_attribute_keeps_the_return_type() -> Result<(), Box<dyn std::error::Error>> {
    let n: u32 = "7".parse()?;
    if n != 7 {
        // Needs the declared return type to pick the `Into` target.
        return Err("not seven".into());
    }
    Ok(())
}

/// Other attributes (and docs) are kept.
#[mini_runtime::test]
#[should_panic(expected = "panicked inside the test body")]
async fn test_attribute_keeps_should_panic() {
    panic!("panicked inside the test body");
}

/// `#[main]` works on any zero-argument async fn; the declared return type
/// is a real coercion site (`Box<i32>` and `Box<&str>` to `Box<dyn Debug>`).
#[mini_runtime::main(flavor = "current_thread")]
async fn main_attribute_on_a_helper(/* no arguments */) -> Box<dyn std::fmt::Debug> {
    if std::hint::black_box(true) {
        return Box::new(ReadyAfter::new(2, 5).await);
    }
    Box::new("unreachable")
}

#[test]
fn main_attribute_makes_a_sync_fn() {
    let debug: Box<dyn std::fmt::Debug> = main_attribute_on_a_helper();
    assert_eq!(format!("{debug:?}"), "5");
}

#[mini_runtime::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_attribute_multi_thread() {
    assert_eq!(mini_runtime::spawn(async { 1 }).await.expect("ran"), 1);
    assert_eq!(
        mini_runtime::runtime::Handle::current()
            .metrics()
            .num_workers(),
        2
    );
}
