//! Conformance behaviours of time: `sleep`, `sleep_until`, `Sleep::reset`,
//! `timeout`, `timeout_at`, `interval`. Written once, run on every flavour;
//! Tokio is the reference that proves each test right.
//!
//! Timers really wait (neither library's clock is paused here), so the
//! durations are a few milliseconds, and every assertion about time is a
//! lower bound ("not before the deadline") or an exact check of a
//! *scheduled* instant (what `Interval::tick` returns), never a tight upper
//! bound on how late something ran: a loaded CI machine may run anything
//! late.

use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::stream::FuturesUnordered;

use super::facade::{
    MissedTickBehavior, Options, Rt, RtInterval, RtJoinError, RtJoinHandle, RtSleep,
};
use super::util::{DropCounter, Probe, poll_once, ready_on_second_poll, until};

conformance_tests! {
    sleep_never_completes_before_its_deadline,
    many_concurrent_sleeps_all_complete,
    a_timer_due_while_its_task_blocked_wakes_the_task,
    timers_fire_in_deadline_order,
    zero_sleep_is_pending_on_its_first_poll_then_completes,
    sleep_reports_its_deadline_and_when_it_elapsed,
    sleep_until_a_past_instant_completes,
    block_on_of_a_sleep_alone_is_woken_by_the_timer,
    sleep_created_outside_a_task_can_be_awaited_in_one,
    sleep_reset_to_an_earlier_deadline_completes_sooner,
    sleep_reset_to_a_later_deadline_waits_longer,
    sleep_reset_after_completion_waits_again,
    sleep_reset_from_outside_wakes_the_waiting_task_at_the_new_deadline,
    dropping_pending_sleeps_early_is_harmless,
    aborting_a_sleeping_task_cancels_it,
    runtime_drop_with_sleeping_tasks_does_not_wait_for_them,
    timeout_gives_elapsed_when_the_future_is_too_slow,
    timeout_gives_the_output_when_the_future_is_in_time,
    timeout_polls_the_inner_future_before_the_timer,
    timeout_at_a_past_deadline_still_polls_the_future_once,
    timeout_of_a_join_handle_leaves_the_task_running,
    nested_timeouts_the_shorter_one_fires,
    interval_first_tick_is_immediate_then_ticks_are_a_period_apart,
    interval_at_first_ticks_at_the_start_instant,
    interval_missed_ticks_burst_by_default,
    interval_missed_ticks_delay_restarts_the_schedule,
    interval_missed_ticks_skip_stays_on_the_grid,
    interval_reset_moves_the_next_tick_a_period_from_now,
}

/// Milliseconds, for brevity.
fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A sleep never completes before its deadline: awaited in `block_on`,
/// in tasks, with `sleep` and with `sleep_until`.
fn sleep_never_completes_before_its_deadline<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        for d in [0, 1, 2, 5, 10].map(ms) {
            let start = Instant::now();
            R::sleep(d).await;
            assert!(
                start.elapsed() >= d,
                "sleep({d:?}) took {:?}",
                start.elapsed()
            );
        }
        let deadline = Instant::now() + ms(7);
        R::sleep_until(deadline).await;
        assert!(Instant::now() >= deadline);
        let tasks: Vec<_> = (0..12u64)
            .map(|i| {
                R::spawn(async move {
                    let deadline = Instant::now() + ms(i % 6 * 2);
                    R::sleep_until(deadline).await;
                    Instant::now() >= deadline
                })
            })
            .collect();
        for task in tasks {
            assert!(task.await.unwrap(), "a task's sleep completed early");
        }
    });
}

/// Two hundred tasks sleeping 0 to 9 ms at the same time all complete.
fn many_concurrent_sleeps_all_complete<R: Rt>() {
    let rt = R::build();
    let done = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        let tasks: Vec<_> = (0..200u64)
            .map(|i| {
                let done = done.clone();
                R::spawn(async move {
                    R::sleep(ms(i % 10)).await;
                    done.fetch_add(1, SeqCst);
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
    assert_eq!(done.load(SeqCst), 200);
}

/// A task registers a 1 ms timer, then blocks its thread for 5 ms, then
/// awaits the timer: the timer is due by then, and must still wake the
/// task. With `event_interval(1)` the scheduler looks at the timers on
/// every tick, so on a single worker the timer fires during the tick right
/// after the task's poll (the busy worker's periodic timer check), not
/// while the worker sleeps. (Regression: mini-mt once put the task woken
/// there in the worker's LIFO slot and parked with it, a hang.)
fn a_timer_due_while_its_task_blocked_wakes_the_task<R: Rt>() {
    let rt = R::build_with(Options {
        event_interval: Some(1),
        ..Options::default()
    });
    rt.block_on(async {
        let task = R::spawn(async {
            let mut sleep = pin!(R::sleep(ms(1)));
            assert!(poll_once(sleep.as_mut()).await.is_pending());
            std::thread::sleep(ms(5));
            sleep.await;
        });
        task.await.unwrap();
    });
}

/// Sleeps with deadlines 5 ms apart, registered in a shuffled order and
/// awaited together in one task, complete in deadline order.
fn timers_fire_in_deadline_order<R: Rt>() {
    let rt = R::build();
    let order = rt.block_on(async {
        let base = Instant::now();
        let mut sleeps: FuturesUnordered<_> = [35u64, 5, 25, 0, 15, 30, 10, 20]
            .into_iter()
            .map(|offset| async move {
                R::sleep_until(base + ms(offset)).await;
                offset
            })
            .collect();
        let mut order = Vec::new();
        while let Some(offset) = sleeps.next().await {
            order.push(offset);
        }
        order
    });
    assert_eq!(order, [0, 5, 10, 15, 20, 25, 30, 35]);
}

/// A zero-length sleep is `Pending` on its first poll (it gives the other
/// tasks a turn), then completes; in `block_on` and in a task.
fn zero_sleep_is_pending_on_its_first_poll_then_completes<R: Rt>() {
    let rt = R::build();
    let zero_sleep = || async {
        let mut sleep = pin!(R::sleep(Duration::ZERO));
        let first = poll_once(sleep.as_mut()).await;
        sleep.as_mut().await;
        (first.is_pending(), sleep.is_elapsed())
    };
    rt.block_on(async {
        assert_eq!(zero_sleep().await, (true, true), "in block_on");
        let in_task = R::spawn(zero_sleep()).await.unwrap();
        assert_eq!(in_task, (true, true), "in a task");
    });
}

/// `Sleep::deadline` is the instant asked for (`sleep_until`) or
/// creation time + duration (`sleep`); `is_elapsed` is false before the
/// deadline and true once the sleep completed.
fn sleep_reports_its_deadline_and_when_it_elapsed<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        // 40 ms: a deadline that cannot pass between two lines, even on a
        // loaded machine.
        let deadline = Instant::now() + ms(40);
        let mut until = pin!(R::sleep_until(deadline));
        assert_eq!(until.deadline(), deadline);
        assert!(!until.is_elapsed());
        assert!(poll_once(until.as_mut()).await.is_pending());
        assert!(!until.is_elapsed(), "elapsed early");
        until.as_mut().await;
        assert!(until.is_elapsed());
        assert!(Instant::now() >= deadline);

        let before = Instant::now();
        let sleep = R::sleep(ms(20));
        let after = Instant::now();
        assert!(
            before + ms(20) <= sleep.deadline() && sleep.deadline() <= after + ms(20),
            "deadline {:?} after creation, not 20 ms",
            sleep.deadline() - before
        );
    });
}

/// A sleep until an instant already in the past completes (soon).
fn sleep_until_a_past_instant_completes<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let now = Instant::now();
        let past = now.checked_sub(ms(50)).unwrap_or(now);
        R::sleep_until(past).await;
        R::spawn(async move { R::sleep_until(past).await })
            .await
            .unwrap();
    });
}

/// `block_on` of a sleep, with no task in the runtime at all, is woken by
/// the timer (on a multi-thread runtime `block_on`'s thread is not a
/// worker, yet the timer must still reach it).
fn block_on_of_a_sleep_alone_is_woken_by_the_timer<R: Rt>() {
    let rt = R::build();
    let start = Instant::now();
    // The sleep is created inside `block_on`: `sleep` needs a current
    // runtime.
    rt.block_on(async { R::sleep(ms(15)).await });
    assert!(start.elapsed() >= ms(15));
    rt.block_on(async { R::sleep(ms(5)).await });
}

/// A `Sleep` belongs to the runtime that was current when it was created:
/// one created in `block_on` can be awaited in a task, and one created
/// under an enter guard outside `block_on` can be awaited later.
fn sleep_created_outside_a_task_can_be_awaited_in_one<R: Rt>() {
    let rt = R::build();
    let entered = {
        let _guard = rt.enter();
        R::sleep(ms(3))
    };
    rt.block_on(async {
        let sleep = R::sleep(ms(3));
        R::spawn(sleep).await.unwrap();
        entered.await;
    });
}

/// `Sleep::reset` to an earlier deadline, on a registered sleep of an
/// hour: it completes at the new deadline.
fn sleep_reset_to_an_earlier_deadline_completes_sooner<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let mut sleep = pin!(R::sleep(Duration::from_secs(3600)));
        assert!(poll_once(sleep.as_mut()).await.is_pending());
        let deadline = Instant::now() + ms(10);
        sleep.as_mut().reset(deadline);
        assert_eq!(sleep.deadline(), deadline);
        sleep.as_mut().await;
        assert!(Instant::now() >= deadline);
        assert!(sleep.is_elapsed());
    });
}

/// `Sleep::reset` to a later deadline, on a registered sleep: it does not
/// complete at the old deadline, only at the new one.
fn sleep_reset_to_a_later_deadline_waits_longer<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let mut sleep = pin!(R::sleep(ms(20)));
        assert!(poll_once(sleep.as_mut()).await.is_pending());
        let deadline = Instant::now() + ms(40);
        sleep.as_mut().reset(deadline);
        sleep.as_mut().await;
        assert!(Instant::now() >= deadline);
    });
}

/// `Sleep::reset` after the sleep completed makes it wait again, until the
/// new deadline.
fn sleep_reset_after_completion_waits_again<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let mut sleep = pin!(R::sleep(ms(1)));
        sleep.as_mut().await;
        let deadline = Instant::now() + ms(10);
        sleep.as_mut().reset(deadline);
        sleep.as_mut().await;
        assert!(Instant::now() >= deadline);
        assert!(sleep.is_elapsed());
    });
}

/// A task awaits an hour-long sleep that it shares with the test; the
/// test resets it to 10 ms from now: the task wakes at the new deadline
/// (the timer moved with the task's waker), though nothing else wakes it.
fn sleep_reset_from_outside_wakes_the_waiting_task_at_the_new_deadline<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let sleep = Arc::new(Mutex::new(Box::pin(R::sleep(Duration::from_secs(3600)))));
        let polls = Arc::new(AtomicUsize::new(0));
        let (shared, counter) = (sleep.clone(), polls.clone());
        let waiter = R::spawn(async move {
            std::future::poll_fn(|cx| {
                counter.fetch_add(1, SeqCst);
                shared.lock().unwrap().as_mut().poll(cx)
            })
            .await;
            Instant::now()
        });
        until::<R>(|| polls.load(SeqCst) >= 1).await;
        let deadline = Instant::now() + ms(10);
        sleep.lock().unwrap().as_mut().reset(deadline);
        let woke = waiter.await.unwrap();
        assert!(woke >= deadline);
    });
}

/// Dropping sleeps before they complete, registered or not, on the
/// runtime's thread or on another thread, disturbs nothing: other sleeps
/// still fire, and the runtime shuts down normally.
fn dropping_pending_sleeps_early_is_harmless<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let never_polled: Vec<_> = (0..20).map(|_| R::sleep(ms(1))).collect();
        let mut registered: Vec<_> = (0..60u64)
            .map(|i| Box::pin(R::sleep(if i % 2 == 0 { ms(3) } else { ms(3_600_000) })))
            .collect();
        for sleep in &mut registered {
            // Registers the timer (a short one may already be due: fine).
            let _ = poll_once(sleep.as_mut()).await;
        }
        drop(never_polled);
        let elsewhere = registered.split_off(40);
        std::thread::spawn(move || drop(elsewhere)).join().unwrap();
        registered.truncate(10);
        let start = Instant::now();
        R::sleep(ms(8)).await;
        assert!(start.elapsed() >= ms(8));
        drop(registered);
        R::spawn(R::sleep(ms(2))).await.unwrap();
    });
    drop(rt);
}

/// Aborting a task that sleeps (for an hour) cancels it at once: its
/// future, with the sleep, is dropped.
fn aborting_a_sleeping_task_cancels_it<R: Rt>() {
    let rt = R::build();
    let drops = DropCounter::new();
    let started = Arc::new(AtomicBool::new(false));
    let (token, flag) = (drops.token(), started.clone());
    rt.block_on(async {
        let sleeper = R::spawn(async move {
            let _token = token;
            flag.store(true, SeqCst);
            R::sleep(Duration::from_secs(3600)).await;
        });
        until::<R>(|| started.load(SeqCst)).await;
        sleeper.abort();
        assert!(sleeper.await.unwrap_err().is_cancelled());
        assert_eq!(drops.drops(), 1);
    });
}

/// Dropping a runtime whose tasks sleep for an hour cancels them without
/// waiting: each future is dropped once.
fn runtime_drop_with_sleeping_tasks_does_not_wait_for_them<R: Rt>() {
    let rt = R::build();
    let drops = DropCounter::new();
    let probe = Probe::new();
    rt.block_on(async {
        for _ in 0..10 {
            let token = drops.token();
            drop(R::spawn(async move {
                let _token = token;
                R::sleep(Duration::from_secs(3600)).await;
            }));
        }
        // A task that is polled after the sleepers, on a single thread.
        let join = R::spawn(probe.future());
        until::<R>(|| probe.polls() == 1).await;
        drop(join);
        R::sleep(ms(2)).await;
    });
    drop(rt);
    assert_eq!(drops.drops(), 10);
}

/// `timeout` of a future that does not finish in time gives `Elapsed`
/// ("deadline has elapsed"), not before the duration passed.
fn timeout_gives_elapsed_when_the_future_is_too_slow<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let start = Instant::now();
        let err = R::timeout(ms(10), std::future::pending::<()>())
            .await
            .unwrap_err();
        assert!(start.elapsed() >= ms(10));
        assert_eq!(err.to_string(), "deadline has elapsed");
        let slow = R::timeout(ms(2), R::sleep(Duration::from_secs(3600))).await;
        assert!(slow.is_err());
    });
}

/// `timeout` of a future that finishes in time gives its output; with a
/// zero duration too, when the future is ready at once.
fn timeout_gives_the_output_when_the_future_is_in_time<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let out = R::timeout(Duration::from_secs(10), async {
            R::sleep(ms(2)).await;
            5
        })
        .await;
        assert_eq!(out.unwrap(), 5);
        assert_eq!(R::timeout(Duration::ZERO, async { 6 }).await.unwrap(), 6);
        let task = R::spawn(async { 7 });
        assert_eq!(
            R::timeout(Duration::from_secs(10), task)
                .await
                .unwrap()
                .unwrap(),
            7
        );
    });
}

/// When the timer has fired and the inner future is ready on the same
/// poll, `timeout` gives the output: the inner future is polled first.
/// (Here the inner future is ready on its second poll, and only the timer
/// wakes the task for that poll.)
fn timeout_polls_the_inner_future_before_the_timer<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let start = Instant::now();
        let out = R::timeout(ms(5), ready_on_second_poll(7)).await;
        assert_eq!(out.unwrap(), 7);
        assert!(start.elapsed() >= ms(5), "woken by the timer only");
    });
}

/// `timeout_at` an instant already past still polls the future once: a
/// ready future gives its output, a pending one gives `Elapsed`.
fn timeout_at_a_past_deadline_still_polls_the_future_once<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let now = Instant::now();
        let past = now.checked_sub(Duration::from_secs(1)).unwrap_or(now);
        assert_eq!(R::timeout_at(past, async { 3 }).await.unwrap(), 3);
        assert!(
            R::timeout_at(past, std::future::pending::<()>())
                .await
                .is_err()
        );
        let deadline = Instant::now() + ms(5);
        assert!(
            R::timeout_at(deadline, std::future::pending::<()>())
                .await
                .is_err()
        );
        assert!(Instant::now() >= deadline);
    });
}

/// A timeout on a `&mut JoinHandle` that elapses does not cancel the task:
/// it keeps running and can be awaited afterwards.
fn timeout_of_a_join_handle_leaves_the_task_running<R: Rt>() {
    let rt = R::build();
    let probe = Probe::new();
    rt.block_on(async {
        let mut join = R::spawn(probe.future());
        assert!(R::timeout(ms(5), &mut join).await.is_err());
        until::<R>(|| probe.polls() >= 1).await;
        assert!(!join.is_finished());
        probe.finish();
        probe.waker().wake();
        assert!(join.await.unwrap() >= 2);
    });
    assert_eq!(probe.drops(), 1);
}

/// Nested timeouts: whichever duration is shorter fires, at its level.
fn nested_timeouts_the_shorter_one_fires<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let pending = std::future::pending::<()>;
        let inner_fires = R::timeout(Duration::from_secs(10), R::timeout(ms(3), pending())).await;
        assert!(matches!(inner_fires, Ok(Err(_))));
        let outer_fires = R::timeout(ms(3), R::timeout(Duration::from_secs(10), pending())).await;
        assert!(outer_fires.is_err());
    });
}

/// `interval(period)`: the first tick completes at once, returning the
/// instant the interval was created; each later tick returns the instant
/// it was scheduled for, exactly one period after the previous one, and
/// never completes before it.
fn interval_first_tick_is_immediate_then_ticks_are_a_period_apart<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let period = ms(10);
        let before = Instant::now();
        let mut interval = R::interval(period);
        let after = Instant::now();
        assert_eq!(interval.period(), period);
        let first = interval.tick().await;
        assert!(
            before <= first && first <= after,
            "first tick not at creation"
        );
        for k in 1..=3 {
            let tick = interval.tick().await;
            assert_eq!(tick, first + period * k, "tick {k}");
            assert!(Instant::now() >= tick, "tick {k} completed early");
        }
        assert!(first.elapsed() >= period * 3);
    });
}

/// `interval_at(start, period)`: the first tick is at `start`, not
/// before; the next one a period later.
fn interval_at_first_ticks_at_the_start_instant<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let start = Instant::now() + ms(10);
        let mut interval = R::interval_at(start, ms(5));
        assert_eq!(interval.tick().await, start);
        assert!(Instant::now() >= start);
        assert_eq!(interval.tick().await, start + ms(5));
        assert!(Instant::now() >= start + ms(5));
    });
}

/// After the task was late by several periods, the default
/// (`MissedTickBehavior::Burst`, also set explicitly) catches up: the
/// missed ticks complete one after the other, each returning its original
/// scheduled instant.
fn interval_missed_ticks_burst_by_default<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        for explicit in [false, true] {
            let period = ms(10);
            let mut interval = R::interval(period);
            if explicit {
                interval.set_missed_tick_behavior(MissedTickBehavior::Burst);
            }
            let first = interval.tick().await;
            std::thread::sleep(ms(35)); // late by three and a half periods
            for k in 1..=4 {
                assert_eq!(interval.tick().await, first + period * k, "tick {k}");
            }
        }
    });
}

/// With `MissedTickBehavior::Delay`, after a late tick the schedule
/// restarts: the next tick is one period after the late tick completed.
///
/// (The late tick is the one awaited after blocking for 35 ms, three and
/// a half periods; the expectations are relative to it, not to the first
/// tick, which may itself have completed late on a loaded machine.)
fn interval_missed_ticks_delay_restarts_the_schedule<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let period = ms(10);
        let mut interval = R::interval(period);
        interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
        interval.tick().await;
        std::thread::sleep(ms(35));
        let before = Instant::now();
        let late = interval.tick().await;
        let after = Instant::now();
        assert!(late + period < before, "the tick was not late");
        let next = interval.tick().await;
        assert!(
            before + period <= next && next <= after + period,
            "next tick {:?} after the late one's poll began, not one period",
            next - before
        );
    });
}

/// With `MissedTickBehavior::Skip`, after a late tick the missed ones are
/// skipped: the next tick is the first one of the late tick's schedule (a
/// whole number of periods after it) that is after the moment the late
/// tick completed.
fn interval_missed_ticks_skip_stays_on_the_grid<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let period = ms(10);
        let mut interval = R::interval(period);
        interval.set_missed_tick_behavior(MissedTickBehavior::Skip);
        interval.tick().await;
        std::thread::sleep(ms(35));
        let before = Instant::now();
        let late = interval.tick().await;
        let after = Instant::now();
        assert!(late + period < before, "the tick was not late");
        let next = interval.tick().await;
        let offset = (next - late).as_nanos();
        assert_eq!(offset % period.as_nanos(), 0, "{offset} ns is off the grid");
        assert!(
            before < next && next <= after + period,
            "next tick {offset} ns after the late one"
        );
    });
}

/// `Interval::reset`: the next tick is one period from the reset.
fn interval_reset_moves_the_next_tick_a_period_from_now<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let period = ms(10);
        let mut interval = R::interval(period);
        interval.tick().await;
        R::sleep(ms(4)).await;
        let before = Instant::now();
        interval.reset();
        let after = Instant::now();
        let next = interval.tick().await;
        assert!(before + period <= next && next <= after + period);
        assert!(Instant::now() >= next);
    });
}
