//! Conformance behaviours of the `select!` and `join!` macros. Written
//! once, run on every flavour; Tokio is the reference that proves each
//! test right.
//!
//! Macros have no facade: a behaviour cannot call "the flavour's
//! `select!`" through a trait. So each behaviour's body is written once,
//! inside [`combinator_behaviours!`], which takes the crate whose macros
//! the body uses (`$krate::select!`, `$krate::join!`) and is expanded
//! twice: in `with_mini` with `mini_runtime`, in `with_tokio` with
//! `tokio`. The generic `fn behaviour<R: Rt>()` that `conformance_tests!`
//! runs picks the expansion by `R::Lib::CRATE`, and every expansion checks
//! that it runs on its own library, so the real `mini_runtime::select!`
//! runs on the mini flavours and the real `tokio::select!` on Tokio's.
//! Everything else in the bodies (tasks, timers, channels) goes through
//! the facade as usual.

use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::facade::{Library, Rt, RtJoinError, RtOneshotSender, RtReceiver, RtSender};
use super::util::{Probe, turns};

/// The `select!` / `join!` behaviours, with the macros of crate `$krate`.
macro_rules! combinator_behaviours {
    ($krate:ident) => {
        use super::*;

        /// Asserts that this expansion runs on its own library.
        fn check<R: Rt>() {
            assert_eq!(
                <R::Lib as Library>::CRATE,
                stringify!($krate),
                "a behaviour ran with another library's macros"
            );
        }

        /// `select!` runs the branch whose future is ready, and drops the
        /// other branches' futures *before* its handler runs.
        pub fn select_runs_the_ready_branch_after_dropping_the_others<R: Rt>() {
            check::<R>();
            let rt = R::build();
            rt.block_on(async {
                let probe = Probe::new();
                let out = $krate::select! {
                    n = probe.future() => panic!("the pending branch won after {n} polls"),
                    v = async { 5 } => {
                        assert_eq!(probe.drops(), 1, "the losing future is dropped first");
                        v
                    }
                };
                assert_eq!(out, 5);
                assert!(probe.polls() <= 1);
            });
        }

        /// With `biased;`, branches are polled in the order written: when
        /// the first is ready, the second is never polled (20 times in a
        /// row); when the first is pending, it is polled, then the second.
        pub fn select_biased_polls_the_branches_in_written_order<R: Rt>() {
            check::<R>();
            let rt = R::build();
            rt.block_on(async {
                for _ in 0..20 {
                    let second = Probe::new();
                    second.finish();
                    let out = $krate::select! {
                        biased;
                        a = async { 1 } => a,
                        b = second.future() => b + 100,
                    };
                    assert_eq!(out, 1);
                    assert_eq!((second.polls(), second.drops()), (0, 1));
                }
                let first = Probe::new();
                let out = $krate::select! {
                    biased;
                    a = first.future() => a + 100,
                    b = async { 2 } => b,
                };
                assert_eq!(out, 2);
                assert_eq!((first.polls(), first.drops()), (1, 1));
            });
        }

        /// Without `biased;`, when several branches are always ready, each
        /// of them wins some of the time (here: both of two, in 200 tries;
        /// the chance that a fair pick never chooses one is 2^-199).
        pub fn select_without_biased_lets_every_ready_branch_win<R: Rt>() {
            check::<R>();
            let rt = R::build();
            let wins = rt.block_on(async {
                let mut wins = [0usize; 2];
                for _ in 0..200 {
                    let winner = $krate::select! {
                        a = async { 0 } => a,
                        b = async { 1 } => b,
                    };
                    wins[winner] += 1;
                }
                wins
            });
            assert!(wins[0] > 0 && wins[1] > 0, "{wins:?}");
        }

        /// A branch whose `if` precondition is false is disabled: its future
        /// expression is evaluated (the future created) but never polled, and
        /// it is dropped; the other branch wins.
        pub fn select_precondition_false_disables_the_branch<R: Rt>() {
            check::<R>();
            let rt = R::build();
            rt.block_on(async {
                let disabled = Probe::new();
                disabled.finish();
                let enabled = false;
                let out = $krate::select! {
                    biased;
                    n = disabled.future(), if enabled => n + 100,
                    v = async { 3 } => v,
                };
                assert_eq!(out, 3);
                assert_eq!((disabled.polls(), disabled.drops()), (0, 1));
            });
        }

        /// A branch whose output does not match its pattern is disabled,
        /// and `select!` goes on waiting for the others.
        pub fn select_pattern_mismatch_disables_only_that_branch<R: Rt>() {
            check::<R>();
            let rt = R::build();
            rt.block_on(async {
                let start = Instant::now();
                let out = $krate::select! {
                    biased;
                    Some(v) = async { None::<u32> } => v,
                    () = R::sleep(Duration::from_millis(3)) => 7,
                };
                assert_eq!(out, 7);
                assert!(start.elapsed() >= Duration::from_millis(3));
            });
        }

        /// When every branch is disabled (by a precondition or a pattern
        /// mismatch), the `else` branch runs; no disabled future is polled
        /// after it was disabled.
        pub fn select_else_runs_when_every_branch_is_disabled<R: Rt>() {
            check::<R>();
            let rt = R::build();
            rt.block_on(async {
                let never = Probe::new();
                let out = $krate::select! {
                    _ = never.future(), if false => 1,
                    Some(x) = async { None::<i32> } => x,
                    Ok(x) = async { Err::<i32, ()>(()) } => x,
                    else => -1,
                };
                assert_eq!(out, -1);
                assert_eq!((never.polls(), never.drops()), (0, 1));
            });
        }

        /// Without an `else` branch, `select!` panics when every branch is
        /// disabled ("all branches are disabled and there is no else
        /// branch"); in a task, that is a panic `JoinError`.
        pub fn select_without_else_panics_when_every_branch_is_disabled<R: Rt>() {
            check::<R>();
            let rt = R::build();
            let err = rt.block_on(async {
                R::spawn(async {
                    let enabled = false;
                    $krate::select! {
                        Some(x) = async { None::<u8> } => x,
                        y = async { 1u8 }, if enabled => y,
                    }
                })
                .await
                .unwrap_err()
            });
            assert!(err.is_panic());
            let payload = err.into_panic();
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .expect("a text payload");
            assert!(
                message.contains("all branches are disabled and there is no else branch"),
                "{message}"
            );
        }

        /// `select!` waits until one branch becomes ready: here the second
        /// of two oneshot receivers, whose value a task sends after a short
        /// sleep (from a worker thread, on a multi-thread runtime).
        pub fn select_waits_for_the_first_branch_to_become_ready<R: Rt>() {
            check::<R>();
            let rt = R::build();
            rt.block_on(async {
                let (_keep, first) = R::oneshot::<u8>();
                let (tx, second) = R::oneshot::<u8>();
                drop(R::spawn(async move {
                    R::sleep(Duration::from_millis(5)).await;
                    tx.send(9).unwrap();
                }));
                let out = $krate::select! {
                    v = first => panic!("the silent channel answered: {v:?}"),
                    v = second => v.unwrap(),
                };
                assert_eq!(out, 9);
            });
        }

        /// The classic receive loop: a handler can `.await`, and `break`
        /// out of the enclosing loop from the `else` branch once the
        /// channel is closed (`recv` gives `None`, which does not match
        /// `Some(v)`).
        pub fn select_handler_can_await_and_break_the_loop<R: Rt>() {
            check::<R>();
            let rt = R::build();
            let sum = rt.block_on(async {
                let (tx, mut rx) = R::channel::<u32>(2);
                drop(R::spawn(async move {
                    for i in 1..=10 {
                        tx.send(i).await.unwrap();
                    }
                }));
                let mut sum = 0;
                loop {
                    $krate::select! {
                        Some(v) = rx.recv() => {
                            R::yield_now().await;
                            sum += v;
                        }
                        else => break,
                    }
                }
                sum
            });
            assert_eq!(sum, 55);
        }

        /// `recv` is cancel-safe inside `select!`: a loop that races
        /// `rx.recv()` against a 1 ms sleep (which wins whenever the producer
        /// pauses, dropping the `recv` future) loses no message and sees
        /// them all in order.
        pub fn select_recv_is_cancel_safe<R: Rt>() {
            check::<R>();
            let rt = R::build();
            let (got, timeouts) = rt.block_on(async {
                let (tx, mut rx) = R::channel::<u32>(4);
                drop(R::spawn(async move {
                    for i in 0..200 {
                        tx.send(i).await.unwrap();
                        if i % 25 == 0 {
                            R::sleep(Duration::from_millis(2)).await;
                        }
                    }
                }));
                let (mut got, mut timeouts) = (Vec::new(), 0);
                loop {
                    $krate::select! {
                        message = rx.recv() => match message {
                            Some(i) => got.push(i),
                            None => break,
                        },
                        () = R::sleep(Duration::from_millis(1)) => timeouts += 1,
                    }
                }
                (got, timeouts)
            });
            assert_eq!(got, (0..200).collect::<Vec<_>>(), "{timeouts} timeouts");
        }

        /// A future passed as `&mut fut` survives the loop iterations that
        /// other branches win: here a pinned deadline ends a receive loop
        /// after the messages were handled.
        pub fn select_keeps_a_borrowed_future_across_iterations<R: Rt>() {
            check::<R>();
            let rt = R::build();
            rt.block_on(async {
                let (tx, mut rx) = R::channel::<u32>(8);
                for i in 1..=5 {
                    tx.send(i).await.unwrap();
                }
                let mut deadline = pin!(R::sleep(Duration::from_millis(10)));
                let (mut sum, mut iterations) = (0, 0);
                loop {
                    iterations += 1;
                    $krate::select! {
                        biased;
                        Some(v) = rx.recv() => sum += v,
                        () = &mut deadline => break,
                    }
                }
                assert_eq!((sum, iterations), (15, 6));
                drop(tx);
            });
        }

        /// `join!` gives its futures' outputs in argument order, whatever
        /// order they complete in (here the reverse: the third completes
        /// first).
        pub fn join_gives_outputs_in_argument_order<R: Rt>() {
            check::<R>();
            let rt = R::build();
            let log = Arc::new(Mutex::new(Vec::new()));
            let step = |name: &'static str, yields: usize| {
                let log = log.clone();
                async move {
                    turns::<R>(yields).await;
                    log.lock().unwrap().push(name);
                    name.len()
                }
            };
            let out = rt.block_on(async {
                $krate::join!(step("first", 6), step("second", 3), step("3rd", 0))
            });
            assert_eq!(out, (5, 6, 3));
            assert_eq!(*log.lock().unwrap(), ["3rd", "second", "first"]);
        }

        /// `join!` polls its futures concurrently: two futures that wait for
        /// each other (a ping-pong through channels, inside one spawned
        /// task) both complete.
        pub fn join_polls_its_futures_concurrently<R: Rt>() {
            check::<R>();
            let rt = R::build();
            let (total, replies) = rt.block_on(async {
                R::spawn(async {
                    let (ping_tx, mut ping_rx) = R::channel::<u32>(1);
                    let (pong_tx, mut pong_rx) = R::channel::<u32>(1);
                    $krate::join!(
                        async move {
                            let mut total = 0;
                            for i in 0..10 {
                                ping_tx.send(i).await.unwrap();
                                total += pong_rx.recv().await.unwrap();
                            }
                            total
                        },
                        async move {
                            let mut replies = 0;
                            while let Some(i) = ping_rx.recv().await {
                                pong_tx.send(i * 2).await.unwrap();
                                replies += 1;
                            }
                            replies
                        },
                    )
                })
                .await
                .unwrap()
            });
            assert_eq!((total, replies), (90, 10));
        }

        /// `join!` completes only when its slowest future does.
        pub fn join_waits_for_every_future<R: Rt>() {
            check::<R>();
            let rt = R::build();
            rt.block_on(async {
                let start = Instant::now();
                let (quick, slow) = $krate::join!(async { 1 }, async {
                    R::sleep(Duration::from_millis(8)).await;
                    2
                });
                assert_eq!((quick, slow), (1, 2));
                assert!(start.elapsed() >= Duration::from_millis(8));
            });
        }
    };
}

/// The behaviours with `mini_runtime::select!` and `mini_runtime::join!`.
mod with_mini {
    combinator_behaviours!(mini_runtime);
}

/// The behaviours with `tokio::select!` and `tokio::join!`.
mod with_tokio {
    combinator_behaviours!(tokio);
}

/// Lists the behaviours for `conformance_tests!`, and defines for each one
/// the generic function it runs: the expansion of the flavour's library.
macro_rules! dispatch {
    ($($name:ident),+ $(,)?) => {
        conformance_tests! { $($name),+ }

        $(
            #[doc = concat!("`", stringify!($name), "` with the flavour's library's macros.")]
            fn $name<R: Rt>() {
                match <R::Lib as Library>::CRATE {
                    "mini_runtime" => with_mini::$name::<R>(),
                    "tokio" => with_tokio::$name::<R>(),
                    other => panic!("no select!/join! expansion for `{other}`"),
                }
            }
        )+
    };
}

dispatch! {
    select_runs_the_ready_branch_after_dropping_the_others,
    select_biased_polls_the_branches_in_written_order,
    select_without_biased_lets_every_ready_branch_win,
    select_precondition_false_disables_the_branch,
    select_pattern_mismatch_disables_only_that_branch,
    select_else_runs_when_every_branch_is_disabled,
    select_without_else_panics_when_every_branch_is_disabled,
    select_waits_for_the_first_branch_to_become_ready,
    select_handler_can_await_and_break_the_loop,
    select_recv_is_cancel_safe,
    select_keeps_a_borrowed_future_across_iterations,
    join_gives_outputs_in_argument_order,
    join_polls_its_futures_concurrently,
    join_waits_for_every_future,
}
