//! Conformance behaviours of wake-ups: `yield_now`, wakes during and
//! before a poll, wakes after completion, wakes from other threads.
//! Written once, run on every flavour; Tokio is the reference that proves
//! each test right.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::Duration;

use super::facade::Rt;
use super::util::{Probe, turns, until};

conformance_tests! {
    yield_now_lets_the_other_task_run,
    wake_during_a_poll_gives_exactly_one_repoll,
    double_wake_before_a_poll_gives_one_poll,
    wake_after_completion_is_a_no_op,
    wake_from_another_thread_wakes_a_parked_runtime,
    concurrent_wakes_from_four_threads_are_never_lost,
}

/// Two tasks that log a step and `yield_now` five times each: every task's
/// steps stay in order, and on a single thread the tasks interleave, never
/// one more than a step ahead of the other.
///
/// The exact interleaving is not asserted, because it legitimately differs:
/// mini-ct's FIFO run queue alternates strictly (`tick0 tock0 tick1 tock1
/// ...`), while Tokio's current-thread scheduler defers `yield_now` wakes
/// and re-queues them in reverse (`tick0 tock0 tock1 tick1 tick2 tock2
/// ...`).
fn yield_now_lets_the_other_task_run<R: Rt>() {
    const STEPS: usize = 5;
    let rt = R::build();
    let log = Arc::new(Mutex::new(Vec::new()));
    rt.block_on(async {
        let tasks: Vec<_> = ["tick", "tock"]
            .into_iter()
            .map(|name| {
                let log = log.clone();
                R::spawn(async move {
                    for step in 0..STEPS {
                        log.lock().unwrap().push((name, step));
                        R::yield_now().await;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
    let log = log.lock().unwrap().clone();
    assert_eq!(log.len(), 2 * STEPS, "{log:?}");
    let mut done = [0usize; 2];
    for &(name, step) in &log {
        let (me, other) = if name == "tick" { (0, 1) } else { (1, 0) };
        assert_eq!(step, done[me], "each task's steps run in order: {log:?}");
        done[me] += 1;
        if R::CURRENT_THREAD {
            assert!(
                done[me] <= done[other] + 1,
                "after yielding, {name} ran again before the other task had a turn: {log:?}"
            );
        }
    }
}

/// A task that wakes itself (twice) while being polled is polled exactly
/// once more, not twice, and then rests until the next wake.
fn wake_during_a_poll_gives_exactly_one_repoll<R: Rt>() {
    let rt = R::build();
    let probe = Probe::new();
    probe.wake_self_during_next_poll();
    rt.block_on(async {
        let join = R::spawn(probe.future());
        until::<R>(|| probe.polls() >= 2).await;
        turns::<R>(10).await;
        assert_eq!(probe.polls(), 2);
        probe.finish();
        probe.waker().wake();
        assert_eq!(join.await.unwrap(), 3);
    });
}

/// Several wakes of an idle task before it is polled again give it one
/// poll (on a single thread, where nothing can poll it between the wakes).
fn double_wake_before_a_poll_gives_one_poll<R: Rt>() {
    let rt = R::build();
    let probe = Probe::new();
    rt.block_on(async {
        let join = R::spawn(probe.future());
        until::<R>(|| probe.polls() == 1).await;
        let waker = probe.waker();
        waker.wake_by_ref();
        waker.wake_by_ref();
        let clone = waker.clone();
        clone.wake();
        until::<R>(|| probe.polls() >= 2).await;
        turns::<R>(10).await;
        if R::CURRENT_THREAD {
            assert_eq!(probe.polls(), 2);
        } else {
            assert!(probe.polls() <= 4, "three wakes, {} polls", probe.polls());
        }
        let polls = probe.polls();
        probe.finish();
        waker.wake();
        let last = join.await.unwrap();
        if R::CURRENT_THREAD {
            assert_eq!(last, polls + 1);
        } else {
            // A worker may still be re-polling for one of the three wakes
            // (one that came while a poll ran) after `polls` was read.
            assert!(
                (polls + 1..=5).contains(&last),
                "{polls} polls, then completed on poll {last}"
            );
        }
    });
}

/// Waking a task after it completed (by reference, by value, through a
/// clone, after its JoinHandle is gone) does nothing: no poll, no crash.
fn wake_after_completion_is_a_no_op<R: Rt>() {
    let rt = R::build();
    let probe = Probe::new();
    rt.block_on(async {
        let join = R::spawn(probe.future());
        until::<R>(|| probe.polls() == 1).await;
        let waker = probe.take_waker().expect("the task was polled");
        probe.finish();
        waker.wake_by_ref();
        assert_eq!(join.await.unwrap(), 2);
        waker.wake_by_ref();
        let clone = waker.clone();
        clone.wake();
        turns::<R>(5).await;
        waker.wake();
        turns::<R>(5).await;
    });
    assert_eq!((probe.polls(), probe.drops()), (2, 1));
}

/// A wake from another OS thread reaches a runtime parked in `block_on`
/// (awaiting the woken task's JoinHandle), and a double wake from there
/// still gives one poll.
fn wake_from_another_thread_wakes_a_parked_runtime<R: Rt>() {
    let rt = R::build();
    let probe = Probe::new();
    let polls = rt.block_on(async {
        let join = R::spawn(probe.future());
        until::<R>(|| probe.polls() == 1).await;
        let remote = probe.clone();
        let thread = std::thread::spawn(move || {
            // Give the runtime time to park.
            std::thread::sleep(Duration::from_millis(20));
            remote.finish();
            let waker = remote.waker();
            waker.wake_by_ref();
            waker.wake();
        });
        let polls = join.await.unwrap();
        thread.join().unwrap();
        polls
    });
    assert_eq!(polls, 2);
}

/// Four threads each bump a counter and wake the task 1,000 times, racing
/// with its polls (and with the runtime parking): no wake-up is lost, so
/// the task sees the final count and completes. The task registers its
/// waker *before* reading the counter, the usual protocol.
fn concurrent_wakes_from_four_threads_are_never_lost<R: Rt>() {
    const THREADS: usize = 4;
    const WAKES: usize = 1000;
    #[derive(Default)]
    struct Shared {
        count: AtomicUsize,
        waker: Mutex<Option<Waker>>,
    }
    let shared = Arc::new(Shared::default());
    let rt = R::build();
    let polls = rt.block_on(async {
        let task_side = shared.clone();
        let join = R::spawn(async move {
            let mut polls = 0;
            std::future::poll_fn(|cx| {
                polls += 1;
                *task_side.waker.lock().unwrap() = Some(cx.waker().clone());
                if task_side.count.load(SeqCst) == THREADS * WAKES {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            })
            .await;
            polls
        });
        let threads: Vec<_> = (0..THREADS)
            .map(|_| {
                let shared = shared.clone();
                std::thread::spawn(move || {
                    for _ in 0..WAKES {
                        shared.count.fetch_add(1, SeqCst);
                        let waker = shared.waker.lock().unwrap().clone();
                        if let Some(waker) = waker {
                            waker.wake();
                        }
                    }
                })
            })
            .collect();
        let polls = join.await.unwrap();
        for thread in threads {
            thread.join().unwrap();
        }
        polls
    });
    assert!((1..=THREADS * WAKES + 1).contains(&polls), "{polls} polls");
}
