//! Behaviour of `mini_runtime::time`: sleeps never fire early and always
//! fire, timeouts, intervals, resets, wake-ups across threads, misuse
//! messages and shutdown.
//!
//! Timing assertions only ever use lower bounds ("not before the
//! deadline") or generous upper bounds: CI machines are noisy.

mod common;

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use common::with_time_limit;
use futures::poll;
use mini_runtime::runtime::{Builder, Runtime};
use mini_runtime::task;
use mini_runtime::time::error::Elapsed;
use mini_runtime::time::{
    Duration, Instant, Interval, MissedTickBehavior, Sleep, Timeout, interval, interval_at, sleep,
    sleep_until, timeout, timeout_at,
};

const LIMIT: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);
const MS: Duration = Duration::from_millis(1);

fn rt() -> Runtime {
    Builder::new_current_thread().enable_all().build().unwrap()
}

/// The text of a caught panic.
fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(payload) => match payload.downcast::<&'static str>() {
            Ok(s) => (*s).to_owned(),
            Err(_) => "<non-string panic payload>".to_owned(),
        },
    }
}

/// Runs `f`, expecting a panic; returns its message.
fn panic_message<R>(f: impl FnOnce() -> R) -> String {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(_) => panic!("expected a panic"),
        Err(payload) => panic_text(payload),
    }
}

/// A one-shot signal usable from any thread; `wait()` is a future.
#[derive(Clone, Default)]
struct Signal(Arc<(AtomicBool, Mutex<Option<Waker>>)>);

impl Signal {
    fn set(&self) {
        self.0.0.store(true, SeqCst);
        if let Some(waker) = self.0.1.lock().unwrap().take() {
            waker.wake();
        }
    }

    fn is_set(&self) -> bool {
        self.0.0.load(SeqCst)
    }

    fn wait(&self) -> impl Future<Output = ()> + '_ {
        std::future::poll_fn(move |cx| {
            *self.0.1.lock().unwrap() = Some(cx.waker().clone());
            if self.is_set() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
    }
}

/// A waker that raises a flag.
struct FlagWaker(AtomicBool);

impl Wake for FlagWaker {
    fn wake(self: Arc<Self>) {
        self.0.store(true, SeqCst);
    }
}

/// xorshift64: a tiny seeded generator, so the "random" test is repeatable.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

// ---------------------------------------------------------------- sleep --

#[test]
fn thousand_random_sleeps_never_fire_early_and_all_finish() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let on_time = rt.block_on(async {
            let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
            let handles: Vec<_> = (0..1000)
                .map(|_| {
                    let duration = Duration::from_micros(rng.next() % 50_000);
                    mini_runtime::spawn(async move {
                        let sleep = sleep(duration);
                        let deadline = sleep.deadline();
                        sleep.await;
                        Instant::now() >= deadline
                    })
                })
                .collect();
            let mut on_time = 0;
            for handle in handles {
                on_time += usize::from(handle.await.unwrap());
            }
            on_time
        });
        assert_eq!(
            on_time, 1000,
            "every sleep finished, none before its deadline"
        );
    });
}

#[test]
fn distinct_deadlines_fire_in_deadline_order() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let order = Arc::new(Mutex::new(Vec::new()));
        let o = order.clone();
        rt.block_on(async move {
            let base = Instant::now() + 20 * MS;
            // Spawned in a scrambled order. All of them register before the
            // first timer turn (the scheduler polls every runnable task
            // before it parks), so even a slow machine keeps the order.
            let mut rng = XorShift(42);
            let mut indices: Vec<u32> = (0..40).collect();
            for i in (1..indices.len()).rev() {
                indices.swap(i, (rng.next() % (i as u64 + 1)) as usize);
            }
            let handles: Vec<_> = indices
                .into_iter()
                .map(|i| {
                    let order = o.clone();
                    mini_runtime::spawn(async move {
                        sleep_until(base + i * 2 * MS).await;
                        order.lock().unwrap().push(i);
                    })
                })
                .collect();
            for handle in handles {
                handle.await.unwrap();
            }
        });
        let order = order.lock().unwrap();
        assert_eq!(*order, (0..40).collect::<Vec<_>>());
    });
}

#[test]
fn sleep_completes_in_block_on_without_tasks() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let start = Instant::now();
        rt.block_on(async { sleep(20 * MS).await });
        let elapsed = start.elapsed();
        assert!(elapsed >= 20 * MS, "early: {elapsed:?}");
        assert!(elapsed < Duration::from_secs(10), "very late: {elapsed:?}");
    });
}

#[test]
fn zero_sleep_is_not_ready_on_first_poll_but_completes() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        rt.block_on(async {
            let mut zero = pin!(sleep(Duration::ZERO));
            assert!(
                poll!(zero.as_mut()).is_pending(),
                "a zero sleep yields once"
            );
            zero.as_mut().await;
            assert!(zero.is_elapsed());

            let mut past = pin!(sleep_until(Instant::now() - Duration::from_secs(1)));
            assert!(
                poll!(past.as_mut()).is_pending(),
                "a past deadline yields once"
            );
            past.await;
        });
    });
}

#[test]
fn zero_sleep_gives_other_tasks_a_turn() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        rt.block_on(async {
            let ran = Arc::new(AtomicBool::new(false));
            let r = ran.clone();
            let _task = mini_runtime::spawn(async move { r.store(true, SeqCst) });
            sleep(Duration::ZERO).await;
            assert!(ran.load(SeqCst), "the spawned task ran while we slept");
        });
    });
}

#[test]
fn busy_polling_never_sees_a_sleep_early_and_does_not_starve_it() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        rt.block_on(async {
            let mut sleep = pin!(sleep(20 * MS));
            let deadline = sleep.deadline();
            // The block_on future itself never lets the thread park: the
            // timers must still fire on the scheduler's zero-length parks.
            loop {
                if poll!(sleep.as_mut()).is_ready() {
                    assert!(Instant::now() >= deadline, "ready before its deadline");
                    break;
                }
                assert!(!sleep.is_elapsed() || Instant::now() >= deadline);
                task::yield_now().await;
            }
        });
    });
}

#[test]
fn busy_tasks_do_not_starve_timers() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        rt.block_on(async {
            let stop = Arc::new(AtomicBool::new(false));
            let busy: Vec<_> = (0..4)
                .map(|_| {
                    let stop = stop.clone();
                    mini_runtime::spawn(async move {
                        while !stop.load(SeqCst) {
                            task::yield_now().await;
                        }
                    })
                })
                .collect();
            let start = Instant::now();
            sleep(10 * MS).await;
            assert!(start.elapsed() >= 10 * MS);
            stop.store(true, SeqCst);
            for handle in busy {
                handle.await.unwrap();
            }
        });
    });
}

#[test]
fn deadline_and_is_elapsed() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        rt.block_on(async {
            let before = Instant::now();
            let mut s = pin!(sleep(30 * MS));
            let after = Instant::now();
            assert!(s.deadline() >= before + 30 * MS && s.deadline() <= after + 30 * MS);
            assert!(!s.is_elapsed(), "not elapsed before it was even polled");
            assert!(poll!(s.as_mut()).is_pending());
            assert!(!s.is_elapsed());
            s.as_mut().await;
            assert!(s.is_elapsed());
            assert!(poll!(s.as_mut()).is_ready(), "stays ready");

            // A deadline that has passed, but the sleep was never polled:
            // not elapsed (it was never registered), as in Tokio.
            let stale = sleep_until(Instant::now() - MS);
            assert!(!stale.is_elapsed());
        });
    });
}

#[test]
fn reset_moves_the_deadline_later() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        rt.block_on(async {
            let mut s = pin!(sleep(5 * MS));
            assert!(poll!(s.as_mut()).is_pending());
            let later = Instant::now() + 60 * MS;
            s.as_mut().reset(later);
            assert_eq!(s.deadline(), later);
            s.as_mut().await;
            assert!(Instant::now() >= later, "fired at the old deadline");
        });
    });
}

#[test]
fn reset_moves_the_deadline_earlier() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        rt.block_on(async {
            let mut s = pin!(sleep(HOUR));
            assert!(poll!(s.as_mut()).is_pending());
            let earlier = Instant::now() + 10 * MS;
            s.as_mut().reset(earlier);
            s.as_mut().await; // would hit the time limit at the old deadline
            assert!(Instant::now() >= earlier);
        });
    });
}

#[test]
fn reset_keeps_the_waker_of_a_waiting_sleep() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        rt.block_on(async {
            // Polled once with a flag waker, then moved earlier and not
            // polled again: the flag waker must still be woken.
            let flag = Arc::new(FlagWaker(AtomicBool::new(false)));
            let waker = Waker::from(flag.clone());
            let mut s = pin!(sleep(HOUR));
            assert!(
                s.as_mut()
                    .poll(&mut Context::from_waker(&waker))
                    .is_pending()
            );
            s.as_mut().reset(Instant::now() + 10 * MS);
            while !flag.0.load(SeqCst) {
                sleep(MS).await;
            }
            assert!(poll!(s.as_mut()).is_ready());
        });
    });
}

#[test]
fn reset_after_completion_sleeps_again() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        rt.block_on(async {
            let mut s = pin!(sleep(Duration::ZERO));
            s.as_mut().await;
            let again = Instant::now() + 20 * MS;
            s.as_mut().reset(again);
            assert!(!s.is_elapsed());
            assert!(poll!(s.as_mut()).is_pending());
            s.as_mut().await;
            assert!(Instant::now() >= again);
        });
    });
}

#[test]
fn huge_durations_do_not_overflow() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        rt.block_on(async {
            let s = sleep(Duration::MAX);
            assert!(s.deadline() > Instant::now() + Duration::from_secs(86_400 * 365));
            assert_eq!(timeout(Duration::MAX, async { 1 }).await, Ok(1));
            let mut ticker = interval(Duration::MAX);
            ticker.tick().await;
            let mut ticker = pin!(ticker.tick());
            assert!(poll!(ticker.as_mut()).is_pending());
        });
    });
}

#[test]
fn timer_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Sleep>();
    assert_send_sync::<Interval>();
    assert_send_sync::<Timeout<Sleep>>();
    assert_send_sync::<Elapsed>();
}

// ------------------------------------------------------ across threads --

#[test]
fn sleep_registered_from_another_thread_wakes_a_runtime_parked_without_timers() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let handle = rt.handle().clone();
        let done = Signal::default();
        let d = done.clone();
        let thread = std::thread::spawn(move || {
            // Give the runtime time to park with no timer at all.
            std::thread::sleep(30 * MS);
            let _enter = handle.enter();
            let sleep = sleep(20 * MS);
            let deadline = sleep.deadline();
            // Polled here, on this thread: the timer lives in the runtime's
            // driver, which only the runtime thread drives. Its unpark
            // (new earliest deadline) is what makes that thread notice.
            mini_runtime::block_on(sleep);
            let on_time = Instant::now() >= deadline;
            d.set();
            on_time
        });
        rt.block_on(done.wait());
        assert!(thread.join().unwrap(), "fired early");
    });
}

#[test]
fn task_spawned_from_another_thread_sleeps_and_finishes() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let handle = rt.handle().clone();
        let done = Signal::default();
        let d = done.clone();
        let thread = std::thread::spawn(move || {
            std::thread::sleep(30 * MS);
            handle.spawn(async move {
                let start = Instant::now();
                sleep(20 * MS).await;
                assert!(start.elapsed() >= 20 * MS);
                d.set();
            })
        });
        rt.block_on(done.wait());
        let join = thread.join().unwrap();
        rt.block_on(join).unwrap();
    });
}

#[test]
fn sleep_created_on_one_runtime_completes_on_another() {
    with_time_limit(LIMIT, || {
        let rt_a = rt();
        let sleep = {
            let _enter = rt_a.enter();
            sleep(20 * MS)
        };
        let deadline = sleep.deadline();
        let done = Signal::default();
        let d = done.clone();
        let thread = std::thread::spawn(move || {
            // Awaited inside runtime B; fired by runtime A's driver, which
            // wakes B's block_on through the stored waker.
            let rt_b = rt();
            rt_b.block_on(sleep);
            let on_time = Instant::now() >= deadline;
            d.set();
            on_time
        });
        rt_a.block_on(done.wait()); // drives runtime A's timers meanwhile
        assert!(thread.join().unwrap());
    });
}

// -------------------------------------------------------------- timeout --

#[test]
fn timeout_elapses_when_the_inner_future_is_slower() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        rt.block_on(async {
            let start = Instant::now();
            let result = timeout(20 * MS, sleep(HOUR)).await;
            assert_eq!(result, Err(Elapsed::clone(result.as_ref().unwrap_err())));
            assert!(start.elapsed() >= 20 * MS, "elapsed early");

            let deadline = Instant::now() + 10 * MS;
            let result = timeout_at(deadline, std::future::pending::<u8>()).await;
            assert!(result.is_err());
            assert!(Instant::now() >= deadline);
        });
    });
}

#[test]
fn timeout_returns_ok_when_the_inner_future_is_faster() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        rt.block_on(async {
            let result = timeout(HOUR, async {
                sleep(10 * MS).await;
                42
            })
            .await;
            assert_eq!(result, Ok(42));
        });
    });
}

#[test]
fn timeout_polls_the_inner_future_first() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        rt.block_on(async {
            // Ready inner future, zero or past deadline: the inner one wins.
            assert_eq!(timeout(Duration::ZERO, async { 7 }).await, Ok(7));
            let past = Instant::now() - Duration::from_secs(1);
            assert_eq!(timeout_at(past, std::future::ready(8)).await, Ok(8));

            // Both due on the same timer turn: the inner one still wins.
            let deadline = Instant::now() + 10 * MS;
            assert_eq!(timeout_at(deadline, sleep_until(deadline)).await, Ok(()));

            // And a pending inner future loses to a zero timeout.
            assert!(timeout(Duration::ZERO, sleep(HOUR)).await.is_err());
        });
    });
}

/// A future that is ready at once with its value.
struct Value(u32);

impl Future for Value {
    type Output = u32;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<u32> {
        Poll::Ready(self.0)
    }
}

#[test]
fn timeout_accessors_and_into_inner() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        rt.block_on(async {
            let mut t = timeout(HOUR, Value(5));
            assert_eq!(t.get_ref().0, 5);
            t.get_mut().0 = 6;
            assert_eq!(t.into_inner().await, 6);

            // A `!Unpin` inner future (an async block) works when pinned.
            let mut t = pin!(timeout(HOUR, async {
                sleep(MS).await;
                "done"
            }));
            assert!(poll!(t.as_mut()).is_pending());
            assert_eq!(t.await, Ok("done"));
        });
    });
}

#[test]
fn elapsed_error_traits() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let err = rt
            .block_on(async { timeout(Duration::ZERO, sleep(HOUR)).await })
            .unwrap_err();
        assert_eq!(err.to_string(), "deadline has elapsed");
        assert_eq!(err.clone(), err);
        assert!(format!("{err:?}").contains("Elapsed"));
        let as_error: &dyn std::error::Error = &err;
        assert!(as_error.source().is_none());
        let io: std::io::Error = err.into();
        assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
    });
}

// ------------------------------------------------------------- interval --

#[test]
fn interval_first_tick_is_immediate() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        rt.block_on(async {
            let before = Instant::now();
            let mut ticker = interval(HOUR); // a second tick would hit the limit
            let first = ticker.tick().await;
            assert!(first >= before && first <= Instant::now());
            assert_eq!(ticker.period(), HOUR);
            assert_eq!(ticker.missed_tick_behavior(), MissedTickBehavior::Burst);

            let start = Instant::now() + 10 * MS;
            let mut at = interval_at(start, HOUR);
            assert_eq!(at.tick().await, start);
            assert!(Instant::now() >= start);
        });
    });
}

#[test]
fn interval_ticks_are_a_period_apart() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        rt.block_on(async {
            let period = 20 * MS;
            let mut ticker = interval(period);
            let first = ticker.tick().await;
            for k in 1..6u32 {
                let scheduled = ticker.tick().await;
                let now = Instant::now();
                assert_eq!(scheduled, first + k * period, "on the original schedule");
                assert!(now >= scheduled, "tick {k} completed early");
            }
        });
    });
}

#[test]
fn interval_burst_catches_up_on_missed_ticks() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        rt.block_on(async {
            let period = 30 * MS;
            let mut ticker = interval(period); // Burst by default
            let start = ticker.tick().await;
            std::thread::sleep(100 * MS); // block: miss three ticks
            let late = Instant::now();
            for k in 1..=3u32 {
                assert_eq!(ticker.tick().await, start + k * period);
            }
            // Back on schedule: the next one is the fourth grid point.
            let fourth = ticker.tick().await;
            assert_eq!(fourth, start + 4 * period);
            assert!(Instant::now() >= fourth && late >= start + 3 * period);
        });
    });
}

#[test]
fn interval_delay_starts_a_new_schedule_after_a_late_tick() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        rt.block_on(async {
            let period = 30 * MS;
            let mut ticker = interval(period);
            ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
            assert_eq!(ticker.missed_tick_behavior(), MissedTickBehavior::Delay);
            let start = ticker.tick().await;
            std::thread::sleep(100 * MS);
            let late = ticker.tick().await; // the missed one, at once
            assert_eq!(late, start + period);
            let resumed_at = Instant::now();
            assert!(resumed_at >= start + 100 * MS);
            // One full period after the late tick completed, not on the grid.
            let next = ticker.tick().await;
            assert!(next >= start + 100 * MS + period, "{:?}", next - start);
            assert!(Instant::now() >= next);
            let after = ticker.tick().await;
            assert!(after - next >= period);
        });
    });
}

#[test]
fn interval_skip_stays_on_the_grid_after_missed_ticks() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        rt.block_on(async {
            let period = 30 * MS;
            let mut ticker = interval(period);
            ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
            let start = ticker.tick().await;
            std::thread::sleep(100 * MS);
            assert_eq!(ticker.tick().await, start + period); // the missed one
            let next = ticker.tick().await;
            let since_start = next - start;
            assert!(
                since_start >= 120 * MS,
                "missed ticks were not skipped: {since_start:?}"
            );
            assert_eq!(
                since_start.as_nanos() % period.as_nanos(),
                0,
                "off the grid: {since_start:?}"
            );
            assert!(Instant::now() >= next);
        });
    });
}

#[test]
fn interval_reset_restarts_the_schedule() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        rt.block_on(async {
            let period = 20 * MS;
            let mut ticker = interval(period);
            ticker.tick().await;
            sleep(5 * MS).await;
            let reset_at = Instant::now();
            ticker.reset();
            let next = ticker.tick().await;
            assert!(next >= reset_at + period);
            assert!(Instant::now() >= next);

            ticker.reset_immediately();
            let now = Instant::now();
            let immediate = ticker.tick().await;
            assert!(immediate <= now + MS, "reset_immediately waited");

            let at = Instant::now() + 15 * MS;
            ticker.reset_at(at);
            assert_eq!(ticker.tick().await, at);
            ticker.reset_after(10 * MS);
            let after = ticker.tick().await;
            assert!(Instant::now() >= after);
        });
    });
}

#[test]
fn interval_with_zero_period_panics() {
    let rt = rt();
    let _enter = rt.enter();
    let msg = panic_message(|| interval(Duration::ZERO));
    assert!(msg.contains("`interval` period must be non-zero."), "{msg}");
    let msg = panic_message(|| interval_at(Instant::now(), Duration::ZERO));
    assert!(msg.contains("`interval` period must be non-zero."), "{msg}");
}

// --------------------------------------------------- misuse and shutdown --

#[test]
fn timers_outside_a_runtime_panic_with_a_helpful_message() {
    type Case = (&'static str, Box<dyn Fn()>);
    let cases: [Case; 6] = [
        ("time::sleep", Box::new(|| drop(sleep(MS)))),
        (
            "time::sleep_until",
            Box::new(|| drop(sleep_until(Instant::now()))),
        ),
        ("time::timeout", Box::new(|| drop(timeout(MS, async {})))),
        (
            "time::timeout_at",
            Box::new(|| drop(timeout_at(Instant::now(), async {}))),
        ),
        ("time::interval", Box::new(|| drop(interval(MS)))),
        (
            "time::interval_at",
            Box::new(|| drop(interval_at(Instant::now(), MS))),
        ),
    ];
    for (name, create) in cases {
        let msg = panic_message(create);
        assert!(
            msg.contains(&format!(
                "`{name}` must be called from the context of a mini_runtime runtime"
            )),
            "{msg}"
        );
    }
    // Also inside the standalone `block_on`, which is no runtime.
    let msg = panic_message(|| mini_runtime::block_on(async { sleep(MS).await }));
    assert!(
        msg.contains("must be called from the context of a mini_runtime runtime"),
        "{msg}"
    );
}

#[test]
fn timers_disabled_panic_with_a_helpful_message() {
    with_time_limit(LIMIT, || {
        let rt = Builder::new_current_thread().build().unwrap(); // no enable_time
        rt.block_on(async {
            for msg in [
                panic_message(|| sleep(MS)),
                panic_message(|| timeout(MS, async {})),
                panic_message(|| interval(MS)),
            ] {
                assert!(msg.contains("timers are disabled"), "{msg}");
                assert!(msg.contains("`enable_time()` or `enable_all()`"), "{msg}");
            }
        });
    });
}

const SHUT_DOWN: &str = "was polled after its runtime was shut down";

#[test]
fn sleep_of_a_dropped_runtime_panics_when_polled() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let (never_polled, registered) = {
            let _enter = rt.enter();
            (sleep(HOUR), sleep(HOUR))
        };
        let mut registered = Box::pin(registered);
        assert!(
            registered
                .as_mut()
                .poll(&mut Context::from_waker(Waker::noop()))
                .is_pending()
        );
        drop(rt);
        assert!(!registered.is_elapsed());
        let msg = panic_message(|| mini_runtime::block_on(never_polled));
        assert!(msg.contains(SHUT_DOWN), "{msg}");
        let msg = panic_message(|| mini_runtime::block_on(registered.as_mut()));
        assert!(msg.contains(SHUT_DOWN), "{msg}");
        drop(registered); // dropping after shutdown is fine
    });
}

#[test]
fn runtime_drop_wakes_a_sleep_awaited_elsewhere_which_then_panics() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let sleep = {
            let _enter = rt.enter();
            sleep(HOUR)
        };
        let (registered_tx, registered_rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            catch_unwind(AssertUnwindSafe(|| {
                mini_runtime::block_on(async {
                    let mut sleep = pin!(sleep);
                    assert!(poll!(sleep.as_mut()).is_pending());
                    registered_tx.send(()).unwrap();
                    sleep.await; // woken by the runtime's shutdown
                })
            }))
            .map_err(panic_text)
        });
        registered_rx.recv().unwrap();
        drop(rt);
        let msg = thread.join().unwrap().unwrap_err();
        assert!(msg.contains(SHUT_DOWN), "{msg}");
    });
}

#[test]
fn timeout_of_a_dropped_runtime_panics_when_polled() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let t = {
            let _enter = rt.enter();
            timeout(HOUR, std::future::pending::<()>())
        };
        drop(rt);
        let msg = panic_message(|| mini_runtime::block_on(t));
        assert!(msg.contains(SHUT_DOWN), "{msg}");
    });
}

/// `Pin` of a `Sleep` is itself a future (used above); keep the signature
/// checked.
#[allow(dead_code)]
fn pinned_sleep_is_a_future(s: Pin<&mut Sleep>) -> impl Future<Output = ()> + '_ {
    s
}
