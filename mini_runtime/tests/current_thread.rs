//! Behaviour of the current-thread runtime and of tasks: drops, wakes,
//! panics, shutdown, remote spawns, misuse messages.

mod common;

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use common::{DropCounter, Pending, with_time_limit};
use mini_runtime::runtime::{Builder, Handle, Runtime};
use mini_runtime::task;

const LIMIT: Duration = Duration::from_secs(30);

fn rt() -> Runtime {
    Builder::new_current_thread().enable_all().build().unwrap()
}

/// Yields to the scheduler until `cond` holds (bounded by the test's limit).
async fn until(cond: impl Fn() -> bool) {
    while !cond() {
        task::yield_now().await;
    }
}

#[test]
fn block_on_returns_output_and_runs_spawned_tasks() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let out = rt.block_on(async {
            let a = mini_runtime::spawn(async { 1 });
            let b = task::spawn(async { 2 });
            a.await.unwrap() + b.await.unwrap()
        });
        assert_eq!(out, 3);
    });
}

#[test]
fn spawned_tasks_progress_while_block_on_waits() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let flag = Arc::new(AtomicBool::new(false));
        let f2 = flag.clone();
        rt.block_on(async move {
            // Not awaited: the task must still run.
            drop(mini_runtime::spawn(async move { f2.store(true, SeqCst) }));
            until(|| flag.load(SeqCst)).await;
        });
    });
}

#[test]
fn future_dropped_exactly_once_on_completion() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let drops = DropCounter::new();
        let guard = drops.guard();
        rt.block_on(async move {
            mini_runtime::spawn(async move {
                let _g = guard;
            })
            .await
            .unwrap();
        });
        assert_eq!(drops.count(), 1);
        drop(rt);
        assert_eq!(drops.count(), 1);
    });
}

#[test]
fn future_dropped_exactly_once_on_abort() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let drops = DropCounter::new();
        let pending = Pending::new(Some(drops.guard()));
        let polls = pending.polls.clone();
        let err = rt.block_on(async {
            let handle = mini_runtime::spawn(pending);
            until(|| polls.load(SeqCst) == 1).await;
            handle.abort();
            handle.abort(); // twice: still one drop
            handle.await.unwrap_err()
        });
        assert!(err.is_cancelled());
        assert!(!err.is_panic());
        assert_eq!(drops.count(), 1);
        drop(rt);
        assert_eq!(drops.count(), 1);
    });
}

#[test]
fn abort_before_first_poll_never_polls() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let drops = DropCounter::new();
        let pending = Pending::new(Some(drops.guard()));
        let polls = pending.polls.clone();
        let err = rt.block_on(async {
            let handle = mini_runtime::spawn(pending);
            handle.abort();
            handle.await.unwrap_err()
        });
        assert!(err.is_cancelled());
        assert_eq!(polls.load(SeqCst), 0);
        assert_eq!(drops.count(), 1);
    });
}

#[test]
fn future_dropped_exactly_once_on_runtime_drop() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let drops = DropCounter::new();
        let polled = Pending::new(Some(drops.guard()));
        let polls = polled.polls.clone();
        let never_polled = Pending::new(Some(drops.guard()));
        let handles = rt.block_on(async {
            let a = mini_runtime::spawn(polled);
            until(|| polls.load(SeqCst) == 1).await;
            // Spawned but never polled: still in the run queue at shutdown.
            let b = mini_runtime::spawn(never_polled);
            (a, b)
        });
        assert_eq!(drops.count(), 0);
        drop(rt);
        assert_eq!(drops.count(), 2);
        // The JoinHandles report cancellation afterwards.
        let (a, b) = handles;
        assert!(a.is_finished() && b.is_finished());
        let err = mini_runtime::block_on(a).unwrap_err();
        assert!(err.is_cancelled());
        assert!(mini_runtime::block_on(b).unwrap_err().is_cancelled());
    });
}

#[test]
fn task_referenced_only_by_a_foreign_waker_is_dropped_at_shutdown() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let drops = DropCounter::new();
        let pending = Pending::new(Some(drops.guard()));
        let (polls, waker_slot) = (pending.polls.clone(), pending.waker.clone());
        rt.block_on(async {
            drop(mini_runtime::spawn(pending)); // detached
            until(|| polls.load(SeqCst) == 1).await;
        });
        // The only outside reference is the waker in `waker_slot`.
        let waker = waker_slot.lock().unwrap().take().unwrap();
        drop(rt);
        assert_eq!(drops.count(), 1);
        // Waking a task whose runtime is gone does nothing and does not crash.
        waker.wake_by_ref();
        let t = std::thread::spawn(move || waker.wake());
        t.join().unwrap();
        assert_eq!(drops.count(), 1);
    });
}

/// Polls once per wake and counts polls; completes when `done` is set.
struct CountPolls {
    polls: Arc<AtomicUsize>,
    waker: Arc<Mutex<Option<Waker>>>,
    done: Arc<AtomicBool>,
    wake_self_in_poll: usize,
}

impl Future for CountPolls {
    type Output = usize;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        let n = self.polls.fetch_add(1, SeqCst) + 1;
        if self.done.load(SeqCst) {
            return Poll::Ready(n);
        }
        *self.waker.lock().unwrap() = Some(cx.waker().clone());
        if self.wake_self_in_poll > 0 {
            self.wake_self_in_poll -= 1;
            // Two wakes during one poll: exactly one re-poll.
            cx.waker().wake_by_ref();
            cx.waker().wake_by_ref();
        }
        Poll::Pending
    }
}

type WakerSlot = Arc<Mutex<Option<Waker>>>;

fn count_polls(
    wake_self_in_poll: usize,
) -> (CountPolls, Arc<AtomicUsize>, WakerSlot, Arc<AtomicBool>) {
    let f = CountPolls {
        polls: Arc::default(),
        waker: Arc::default(),
        done: Arc::default(),
        wake_self_in_poll,
    };
    let (p, w, d) = (f.polls.clone(), f.waker.clone(), f.done.clone());
    (f, p, w, d)
}

#[test]
fn double_wake_before_poll_gives_one_poll() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let (fut, polls, waker, done) = count_polls(0);
        rt.block_on(async {
            let handle = mini_runtime::spawn(fut);
            until(|| polls.load(SeqCst) == 1).await;
            let w = waker.lock().unwrap().clone().unwrap();
            w.wake_by_ref();
            w.wake_by_ref();
            #[allow(clippy::waker_clone_wake)] // on purpose: wake by value too
            w.clone().wake();
            // Give the scheduler several turns; the task must be polled once.
            for _ in 0..10 {
                task::yield_now().await;
            }
            assert_eq!(polls.load(SeqCst), 2);
            done.store(true, SeqCst);
            w.wake();
            assert_eq!(handle.await.unwrap(), 3);
        });
    });
}

#[test]
fn wake_during_poll_gives_exactly_one_repoll() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let (fut, polls, _waker, _done) = count_polls(1);
        rt.block_on(async {
            drop(mini_runtime::spawn(fut));
            for _ in 0..10 {
                task::yield_now().await;
            }
            assert_eq!(polls.load(SeqCst), 2);
        });
    });
}

#[test]
fn wake_after_completion_is_a_noop() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let (fut, polls, waker, done) = count_polls(0);
        done.store(true, SeqCst);
        let w = Arc::new(Mutex::new(None::<Waker>));
        let w2 = w.clone();
        rt.block_on(async move {
            // A wrapper that keeps a clone of the task's waker.
            let handle = mini_runtime::spawn(async move {
                std::future::poll_fn(|cx| {
                    *w2.lock().unwrap() = Some(cx.waker().clone());
                    Poll::Ready(())
                })
                .await;
                fut.await
            });
            assert_eq!(handle.await.unwrap(), 1);
            let w = w.lock().unwrap().take().unwrap();
            w.wake_by_ref();
            w.wake();
            for _ in 0..5 {
                task::yield_now().await;
            }
        });
        assert_eq!(polls.load(SeqCst), 1);
        assert!(waker.lock().unwrap().is_none());
    });
}

#[test]
fn join_handle_dropped_before_completion_output_dropped_once() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let drops = DropCounter::new();
        let out = drops.guard();
        let go = Arc::new(AtomicBool::new(false));
        let go2 = go.clone();
        let finished = Arc::new(AtomicBool::new(false));
        let f2 = finished.clone();
        rt.block_on(async move {
            let handle = mini_runtime::spawn(async move {
                until(|| go2.load(SeqCst)).await;
                f2.store(true, SeqCst);
                out // the output
            });
            drop(handle);
            go.store(true, SeqCst);
            until(|| finished.load(SeqCst)).await;
            task::yield_now().await;
        });
        assert_eq!(drops.count(), 1, "output dropped by the task");
    });
}

#[test]
fn join_handle_dropped_after_completion_output_dropped_once() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let drops = DropCounter::new();
        let out = drops.guard();
        rt.block_on(async move {
            let handle = mini_runtime::spawn(async move { out });
            until(|| handle.is_finished()).await;
            assert_eq!(drops.count(), 0);
            drop(handle);
            assert_eq!(drops.count(), 1, "output dropped by the handle");
        });
    });
}

#[test]
fn panic_becomes_join_error_and_runtime_keeps_running() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        rt.block_on(async {
            let n = std::hint::black_box(42);
            let err = mini_runtime::spawn(async move { panic!("boom {n}") })
                .await
                .unwrap_err();
            assert!(err.is_panic());
            assert!(!err.is_cancelled());
            assert!(err.to_string().contains("boom 42"), "{err}");
            let payload = err.into_panic();
            assert_eq!(payload.downcast_ref::<String>().unwrap(), "boom 42");
            // Still running.
            assert_eq!(mini_runtime::spawn(async { 5 }).await.unwrap(), 5);
        });
        assert_eq!(rt.block_on(async { 6 }), 6);
    });
}

#[test]
fn join_error_is_send_sync_error() {
    fn assert_traits<T: Send + Sync + std::error::Error + 'static>() {}
    assert_traits::<task::JoinError>();
    fn assert_handle<T: Send + Sync + Clone>() {}
    assert_handle::<Handle>();
    fn assert_join<T: Send + Sync + Unpin>() {}
    assert_join::<task::JoinHandle<String>>();
    assert_join::<task::AbortHandle>();
}

#[test]
fn remote_spawn_wakes_a_parked_runtime() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let handle = rt.handle().clone();
        let out = rt.block_on(async move {
            // The runtime parks while awaiting the thread's result.
            let (tx, rx) = futures::channel::oneshot::channel();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(50));
                let join = handle.spawn(async { 21 * 2 });
                tx.send(join).unwrap();
            });
            rx.await.unwrap().await.unwrap()
        });
        assert_eq!(out, 42);
        assert!(rt.metrics().remote_schedule_count() >= 1);
        assert!(rt.metrics().worker_park_count(0) >= 1);
    });
}

#[test]
fn remote_spawns_from_many_threads_all_run() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let count = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let handle = rt.handle().clone();
                let count = count.clone();
                std::thread::spawn(move || {
                    (0..1000)
                        .map(|_| {
                            let count = count.clone();
                            handle.spawn(async move {
                                count.fetch_add(1, SeqCst);
                            })
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let handles: Vec<_> = threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect();
        rt.block_on(async {
            for h in handles {
                h.await.unwrap();
            }
        });
        assert_eq!(count.load(SeqCst), 4000);
    });
}

#[test]
fn hundred_thousand_spawned_tasks_complete() {
    with_time_limit(Duration::from_secs(120), || {
        let rt = rt();
        let sum = rt.block_on(async {
            let handles: Vec<_> = (0..100_000u64)
                .map(|i| mini_runtime::spawn(async move { i }))
                .collect();
            let mut sum = 0;
            for h in handles {
                sum += h.await.unwrap();
            }
            sum
        });
        assert_eq!(sum, (0..100_000u64).sum::<u64>());
        let m = rt.metrics();
        assert_eq!(m.spawned_tasks_count(), 100_000);
        assert_eq!(m.num_alive_tasks(), 0);
        assert!(m.worker_poll_count(0) >= 100_000);
    });
}

#[test]
fn yield_now_lets_another_task_run() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let log = Arc::new(Mutex::new(Vec::new()));
        rt.block_on(async {
            let tasks: Vec<_> = ["tick", "tock"]
                .into_iter()
                .map(|name| {
                    let log = log.clone();
                    mini_runtime::spawn(async move {
                        for i in 0..5 {
                            log.lock().unwrap().push(format!("{name}{i}"));
                            task::yield_now().await;
                        }
                    })
                })
                .collect();
            for t in tasks {
                t.await.unwrap();
            }
        });
        let log = log.lock().unwrap().clone();
        // Strict alternation on a FIFO single-threaded queue.
        let expected: Vec<String> = (0..5)
            .flat_map(|i| [format!("tick{i}"), format!("tock{i}")])
            .collect();
        assert_eq!(log, expected);
    });
}

#[test]
fn handle_block_on_from_another_thread_while_runtime_is_busy() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let handle = rt.handle().clone();
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let other = std::thread::spawn(move || {
            // The main thread holds the core: this call drives only its own
            // future, which awaits a task the main thread runs.
            let v = handle.block_on(async { mini_runtime::spawn(async { 9 }).await.unwrap() });
            stop2.store(true, SeqCst);
            v
        });
        rt.block_on(until(|| stop.load(SeqCst)));
        assert_eq!(other.join().unwrap(), 9);
    });
}

#[test]
fn handle_current_and_enter() {
    let rt = rt();
    assert!(Handle::try_current().unwrap_err().is_missing_context());
    {
        let _guard = rt.enter();
        let handle = Handle::current();
        let join = mini_runtime::spawn(async { 3 });
        drop(handle);
        assert_eq!(rt.block_on(join).unwrap(), 3);
    }
    assert!(Handle::try_current().is_err());
    rt.block_on(async {
        Handle::current().spawn(async {}).await.unwrap();
    });
}

#[test]
fn spawn_after_shutdown_gives_a_cancelled_task() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let handle = rt.handle().clone();
        drop(rt);
        let drops = DropCounter::new();
        let g = drops.guard();
        let join = handle.spawn(async move {
            let _g = g;
        });
        assert_eq!(drops.count(), 1);
        assert!(mini_runtime::block_on(join).unwrap_err().is_cancelled());
    });
}

#[test]
fn runtime_drop_never_waits_for_endless_tasks() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        rt.block_on(async {
            drop(mini_runtime::spawn(async {
                loop {
                    task::yield_now().await;
                }
            }));
            task::yield_now().await;
        });
        drop(rt);
    });
}

#[test]
fn future_whose_destructor_panics_does_not_crash_shutdown() {
    struct PanicOnDrop;
    impl Drop for PanicOnDrop {
        fn drop(&mut self) {
            panic!("destructor panic");
        }
    }
    with_time_limit(LIMIT, || {
        let rt = rt();
        #[allow(clippy::async_yields_async)] // the handle outlives the runtime on purpose
        let join = rt.block_on(async {
            let join = mini_runtime::spawn(async {
                let _p = PanicOnDrop;
                std::future::pending::<()>().await;
            });
            task::yield_now().await;
            join
        });
        drop(rt);
        let err = mini_runtime::block_on(join).unwrap_err();
        assert!(err.is_panic(), "{err:?}");
    });
}

fn panic_message(result: std::thread::Result<impl Sized>) -> String {
    let payload = match result {
        Ok(_) => panic!("expected a panic"),
        Err(payload) => payload,
    };
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap()
}

#[test]
fn spawn_outside_a_runtime_panics_with_a_helpful_message() {
    let msg = panic_message(catch_unwind(|| mini_runtime::spawn(async {})));
    assert!(
        msg.contains("`spawn` must be called from the context of a mini_runtime runtime"),
        "{msg}"
    );
    assert!(msg.contains("runtime.enter()"), "names the fix: {msg}");
}

#[test]
fn handle_current_outside_a_runtime_panics_with_a_helpful_message() {
    let msg = panic_message(catch_unwind(Handle::current));
    assert!(
        msg.contains("`Handle::current` must be called from the context"),
        "{msg}"
    );
}

#[test]
fn block_on_inside_a_runtime_panics_with_a_helpful_message() {
    let rt = rt();
    let rt2 = self::rt();
    let msg = panic_message(catch_unwind(AssertUnwindSafe(|| {
        rt.block_on(async { rt2.block_on(async {}) })
    })));
    assert!(
        msg.contains("Cannot block the current thread from within a runtime"),
        "{msg}"
    );
    assert!(msg.contains("Runtime::block_on"), "{msg}");
    assert!(msg.contains(".await"), "names the fix: {msg}");
    // The standalone executor refuses too.
    let msg = panic_message(catch_unwind(AssertUnwindSafe(|| {
        rt.block_on(async { mini_runtime::block_on(async {}) })
    })));
    assert!(msg.contains("mini_runtime::block_on"), "{msg}");
    // The runtime is still usable after the panic.
    assert_eq!(rt.block_on(async { 1 }), 1);
}

#[test]
fn join_handle_polled_after_completion_panics_with_a_helpful_message() {
    let rt = rt();
    let msg = panic_message(catch_unwind(AssertUnwindSafe(|| {
        rt.block_on(async {
            let mut handle = mini_runtime::spawn(async { 1 });
            (&mut handle).await.unwrap();
            let _ = (&mut handle).await;
        })
    })));
    assert!(
        msg.contains("`JoinHandle` polled after it already returned its output"),
        "{msg}"
    );
}

#[test]
fn builder_rejects_zero_settings() {
    let msg = panic_message(catch_unwind(|| {
        Builder::new_current_thread().global_queue_interval(0);
    }));
    assert!(msg.contains("global_queue_interval(0)"), "{msg}");
    let msg = panic_message(catch_unwind(|| {
        Builder::new_current_thread().worker_threads(0);
    }));
    assert!(msg.contains("worker_threads(0)"), "{msg}");
    let msg = panic_message(catch_unwind(|| {
        Builder::new_current_thread().max_blocking_threads(0);
    }));
    assert!(msg.contains("max_blocking_threads(0)"), "{msg}");
    let msg = panic_message(catch_unwind(|| {
        Builder::new_current_thread().timer_shards(0);
    }));
    assert!(msg.contains("timer_shards(0)"), "{msg}");
    let too_many = mini_runtime::runtime::MAX_TIMER_SHARDS + 1;
    let msg = panic_message(catch_unwind(|| {
        Builder::new_multi_thread().timer_shards(too_many);
    }));
    assert!(msg.contains(&format!("timer_shards({too_many})")), "{msg}");
}

#[test]
fn global_queue_is_served_while_local_queue_is_busy() {
    with_time_limit(LIMIT, || {
        let rt = Builder::new_current_thread()
            .global_queue_interval(4)
            .build()
            .unwrap();
        let handle = rt.handle().clone();
        let remote_ran = Arc::new(AtomicBool::new(false));
        let r2 = remote_ran.clone();
        rt.block_on(async move {
            // A local task that is always runnable.
            let spinner = mini_runtime::spawn(async {
                loop {
                    task::yield_now().await;
                }
            });
            // A remote spawn from another thread must still run.
            std::thread::spawn(move || {
                handle.spawn(async move { r2.store(true, SeqCst) });
            })
            .join()
            .unwrap();
            until(|| remote_ran.load(SeqCst)).await;
            spinner.abort();
        });
    });
}

#[test]
fn metrics_count_tasks_and_polls() {
    let rt = rt();
    rt.block_on(async {
        let h = mini_runtime::spawn(async {
            task::yield_now().await;
        });
        h.await.unwrap();
    });
    let m = rt.metrics();
    assert_eq!(m.num_workers(), 1);
    assert_eq!(m.spawned_tasks_count(), 1);
    assert_eq!(m.num_alive_tasks(), 0);
    assert_eq!(m.worker_poll_count(0), 2);
    assert_eq!(m.total_poll_count(), 2);
    assert_eq!(m.global_queue_depth(), 0);
}

#[test]
fn dropping_a_runtime_inside_an_async_context_panics_with_a_helpful_message() {
    with_time_limit(LIMIT, || {
        let outer = rt();
        let msg = panic_message(catch_unwind(AssertUnwindSafe(|| {
            outer.block_on(async {
                let inner = Builder::new_current_thread().build().unwrap();
                drop(inner);
            })
        })));
        assert!(
            msg.contains("Cannot drop a runtime in a context where blocking is not allowed"),
            "{msg}"
        );
        assert!(msg.contains("shutdown_background"), "names the fix: {msg}");
        // shutdown_background is allowed there.
        outer.block_on(async {
            let inner = Builder::new_current_thread().build().unwrap();
            inner.shutdown_background();
        });
    });
}

#[test]
fn two_threads_share_a_runtime_and_both_call_block_on() {
    with_time_limit(LIMIT, || {
        let rt = Arc::new(rt());
        let threads: Vec<_> = (0..2)
            .map(|t| {
                let rt = rt.clone();
                std::thread::spawn(move || {
                    rt.block_on(async move {
                        let mut sum = 0;
                        for i in 0..200u64 {
                            sum += mini_runtime::spawn(async move {
                                task::yield_now().await;
                                i + t
                            })
                            .await
                            .unwrap();
                        }
                        sum
                    })
                })
            })
            .collect();
        let sums: Vec<u64> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        assert_eq!(
            sums,
            vec![(0..200).sum::<u64>(), (0..200).sum::<u64>() + 200]
        );
    });
}
