//! Unit tests that need a runtime *and* the driver's timer count, which the
//! integration tests (`tests/time.rs`) cannot see.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use super::{interval, sleep, sleep_until, timeout};
use crate::runtime::{Builder, Runtime};
use crate::test_util::with_time_limit;

const LIMIT: Duration = Duration::from_secs(30);
const HOUR: Duration = Duration::from_secs(3600);

fn rt() -> Runtime {
    Builder::new_current_thread().enable_all().build().unwrap()
}

fn timers(rt: &Runtime) -> super::Handle {
    rt.handle()
        .inner
        .driver()
        .time()
        .expect("timers enabled")
        .clone()
}

/// Polls `fut` once with a waker that does nothing.
fn poll_once<F: Future + Unpin>(fut: &mut F) -> Poll<F::Output> {
    std::pin::Pin::new(fut).poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn a_sleep_registers_on_first_poll_and_deregisters_on_drop() {
    let rt = rt();
    let time = timers(&rt);
    let _enter = rt.enter();
    let mut s = sleep(HOUR);
    assert_eq!(time.num_timers(), 0, "creating a sleep registers nothing");
    assert!(poll_once(&mut s).is_pending());
    assert!(poll_once(&mut s).is_pending());
    assert_eq!(time.num_timers(), 1, "re-polling does not register twice");
    drop(s);
    assert_eq!(time.num_timers(), 0, "drop deregisters");
}

#[test]
fn reset_keeps_a_single_registration() {
    let rt = rt();
    let time = timers(&rt);
    let _enter = rt.enter();
    {
        let mut s = pin!(sleep(HOUR));
        assert!(poll_once(&mut s).is_pending());
        s.as_mut().reset(Instant::now() + 2 * HOUR);
        s.as_mut().reset(Instant::now() + HOUR / 2);
        assert_eq!(time.num_timers(), 1);
        assert_eq!(time.next_deadline(), Some(s.deadline()));
    } // the pinned sleep is dropped here
    assert_eq!(time.num_timers(), 0);
}

#[test]
fn timeout_and_interval_deregister_on_drop() {
    let rt = rt();
    let time = timers(&rt);
    let _enter = rt.enter();
    let mut t = Box::pin(timeout(HOUR, std::future::pending::<()>()));
    assert!(
        t.as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
            .is_pending()
    );
    let mut ticker = interval(HOUR);
    let _ = ticker.poll_tick(&mut Context::from_waker(Waker::noop()));
    assert_eq!(time.num_timers(), 2);
    drop(t);
    drop(ticker);
    assert_eq!(time.num_timers(), 0);
}

#[test]
fn completed_sleeps_leave_no_timer_behind() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let time = timers(&rt);
        rt.block_on(async {
            let handles: Vec<_> = (0..200u64)
                .map(|i| crate::spawn(sleep(Duration::from_micros(i * 37 % 5000))))
                .collect();
            for h in handles {
                h.await.unwrap();
            }
            // Dropped before completion: also gone.
            let pending: Vec<_> = (0..50).map(|_| crate::spawn(sleep(HOUR))).collect();
            crate::task::yield_now().await;
            for p in &pending {
                p.abort();
            }
            for p in pending {
                assert!(p.await.unwrap_err().is_cancelled());
            }
        });
        assert_eq!(time.num_timers(), 0);
    });
}

#[test]
fn runtime_drop_cancels_tasks_and_their_timers() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let time = timers(&rt);
        rt.block_on(async {
            for _ in 0..10 {
                drop(crate::spawn(sleep(HOUR)));
            }
            // Let them run once and register.
            sleep(Duration::from_millis(1)).await;
        });
        assert_eq!(time.num_timers(), 10);
        drop(rt);
        assert_eq!(time.num_timers(), 0);
        assert!(time.is_shutdown());
    });
}

#[test]
fn a_runtime_without_timers_has_no_timer_handle() {
    let disabled = Builder::new_current_thread().build().unwrap();
    assert!(disabled.handle().inner.driver().time().is_none());
    let enabled = rt();
    let _enter = enabled.enter();
    let s = sleep_until(Instant::now());
    assert!(format!("{s:?}").contains("Sleep"));
}

#[test]
fn timer_shards_default_to_one_per_worker_and_follow_the_builder() {
    assert_eq!(timers(&rt()).num_shards(), 1, "current-thread: one shard");
    let mt = |builder: &mut Builder| builder.enable_all().build().unwrap();
    let three_workers = mt(Builder::new_multi_thread().worker_threads(3));
    assert_eq!(timers(&three_workers).num_shards(), 3);
    let capped =
        mt(Builder::new_multi_thread().worker_threads(super::driver::MAX_TIMER_SHARDS + 1));
    assert_eq!(
        timers(&capped).num_shards(),
        super::driver::MAX_TIMER_SHARDS
    );
    drop(capped);
    let chosen = mt(Builder::new_multi_thread()
        .worker_threads(2)
        .timer_shards(5));
    assert_eq!(timers(&chosen).num_shards(), 5);
    let single = mt(Builder::new_multi_thread()
        .worker_threads(2)
        .timer_shards(1));
    assert_eq!(timers(&single).num_shards(), 1);
    let ct = Builder::new_current_thread()
        .enable_all()
        .timer_shards(2)
        .build()
        .unwrap();
    assert_eq!(timers(&ct).num_shards(), 2);
}

#[test]
fn a_multi_thread_runtime_with_shards_fires_sleeps_from_every_worker() {
    with_time_limit(LIMIT, || {
        let rt = Builder::new_multi_thread()
            .worker_threads(4)
            .enable_all()
            .build()
            .unwrap();
        let time = timers(&rt);
        rt.block_on(async {
            let handles: Vec<_> = (0..64u64)
                .map(|i| {
                    crate::spawn(async move {
                        let deadline = Instant::now() + Duration::from_micros(i * 53 % 3000);
                        sleep_until(deadline).await;
                        assert!(Instant::now() >= deadline, "fired early");
                    })
                })
                .collect();
            for h in handles {
                h.await.unwrap();
            }
        });
        assert_eq!(time.num_timers(), 0);
    });
}

#[test]
fn debug_output_of_the_timer_handle() {
    let rt = rt();
    let time = timers(&rt);
    let text = format!("{time:?}");
    assert!(text.contains("timers: 0"), "{text}");
    assert!(text.contains("shards: 1"), "{text}");
}

/// Lives here, not with the driver's unit tests: it needs a whole
/// multi-thread runtime (and so the exercises' `block_on`, `spawn`, ...).
#[test]
fn a_worker_registers_on_its_own_shard() {
    with_time_limit(LIMIT, || {
        let rt = Builder::new_multi_thread()
            .worker_threads(3)
            .enable_all()
            .build()
            .unwrap();
        let time = timers(&rt);
        assert_eq!(time.num_shards(), 3, "one shard per worker by default");
        let far = Instant::now() + Duration::from_secs(3600);
        let seen: Vec<(usize, Option<usize>)> = rt.block_on(async {
            let tasks: Vec<_> = (0..30)
                .map(|_| {
                    let time = time.clone();
                    crate::spawn(async move {
                        let key = time.register(far, Waker::noop()).unwrap();
                        time.deregister(key);
                        (key.shard(), crate::scheduler::current_worker_index())
                    })
                })
                .collect();
            let mut seen = Vec::new();
            for task in tasks {
                seen.push(task.await.unwrap());
            }
            seen
        });
        for (shard, worker) in seen {
            assert_eq!(Some(shard), worker, "registered on worker {worker:?}");
        }
    });
}
