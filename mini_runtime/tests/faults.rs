//! Fault injection: panics in poll and in destructors, wakers that outlive
//! their runtime, JoinHandles awaited elsewhere, wakes racing shutdown,
//! stuck blocking jobs, and runtimes built and dropped in a loop. Every
//! scenario runs on the current-thread and the multi-thread runtime, with a
//! time limit; nothing may crash, hang, leak a future, or poll one after it
//! was dropped.

mod common;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Barrier, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use common::{DropCounter, Pending, with_time_limit};
use mini_runtime::runtime::{Builder, Runtime};
use mini_runtime::task;

const LIMIT: Duration = Duration::from_secs(120);

/// Builds a fresh runtime of one flavour.
type MakeRuntime = Box<dyn Fn() -> Runtime>;

/// Every scenario runs on these runtimes.
fn runtimes() -> Vec<(&'static str, MakeRuntime)> {
    vec![
        (
            "ct",
            Box::new(|| Builder::new_current_thread().enable_all().build().unwrap()),
        ),
        (
            "mt2",
            Box::new(|| {
                Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .unwrap()
            }),
        ),
    ]
}

/// A future that records whether it is polled after being dropped.
struct Tripwire {
    dropped: Arc<AtomicBool>,
    polled_after_drop: Arc<AtomicBool>,
    waker: Arc<Mutex<Option<Waker>>>,
}

impl Future for Tripwire {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.dropped.load(SeqCst) {
            self.polled_after_drop.store(true, SeqCst);
        }
        *self.waker.lock().unwrap() = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl Drop for Tripwire {
    fn drop(&mut self) {
        self.dropped.store(true, SeqCst);
    }
}

#[test]
fn a_future_that_panics_in_poll() {
    with_time_limit(LIMIT, || {
        for (name, make) in runtimes() {
            let rt = make();
            rt.block_on(async {
                let handles: Vec<_> = (0..50)
                    .map(|i| {
                        mini_runtime::spawn(async move {
                            task::yield_now().await;
                            if i % 2 == 0 {
                                panic!("task {i} fails");
                            }
                            i
                        })
                    })
                    .collect();
                let mut ok = 0;
                for h in handles {
                    match h.await {
                        Ok(_) => ok += 1,
                        Err(e) => assert!(e.is_panic(), "{name}: {e:?}"),
                    }
                }
                assert_eq!(ok, 25, "{name}");
            });
            // The runtime still works.
            assert_eq!(
                rt.block_on(async { mini_runtime::spawn(async { 1 }).await.unwrap() }),
                1
            );
        }
    });
}

#[test]
fn a_future_whose_destructor_panics() {
    struct PanicOnDrop(#[allow(dead_code)] u8);
    impl Drop for PanicOnDrop {
        fn drop(&mut self) {
            panic!("destructor panic");
        }
    }
    with_time_limit(LIMIT, || {
        for (name, make) in runtimes() {
            let rt = make();
            let (completed, aborted, at_shutdown) = rt.block_on(async {
                // Completes, then its destructor panics.
                let completed = mini_runtime::spawn({
                    // Captured, so it is dropped even if never polled.
                    let p = PanicOnDrop(0);
                    async move {
                        let _p = p;
                        task::yield_now().await;
                        5
                    }
                });
                // Aborted while pending.
                let aborted = mini_runtime::spawn({
                    // Captured, so it is dropped even if never polled.
                    let p = PanicOnDrop(1);
                    async move {
                        let _p = p;
                        std::future::pending::<()>().await;
                    }
                });
                // Still pending when the runtime drops.
                let at_shutdown = mini_runtime::spawn({
                    // Captured, so it is dropped even if never polled.
                    let p = PanicOnDrop(2);
                    async move {
                        let _p = p;
                        std::future::pending::<()>().await;
                    }
                });
                task::yield_now().await;
                aborted.abort();
                (completed.await, aborted.await, at_shutdown)
            });
            assert!(
                completed.unwrap_err().is_panic(),
                "{name}: a panicking destructor is a panic"
            );
            assert!(aborted.unwrap_err().is_panic(), "{name}");
            drop(rt);
            assert!(
                mini_runtime::block_on(at_shutdown).unwrap_err().is_panic(),
                "{name}"
            );
        }
    });
}

#[test]
fn a_waker_woken_on_another_thread_after_the_runtime_is_dropped() {
    with_time_limit(LIMIT, || {
        for (name, make) in runtimes() {
            let rt = make();
            let tripwire = Tripwire {
                dropped: Arc::default(),
                polled_after_drop: Arc::default(),
                waker: Arc::default(),
            };
            let (dropped, bad, slot) = (
                tripwire.dropped.clone(),
                tripwire.polled_after_drop.clone(),
                tripwire.waker.clone(),
            );
            rt.spawn(tripwire);
            // Drive the runtime until the task stored its waker.
            rt.block_on(async {
                while slot.lock().unwrap().is_none() {
                    task::yield_now().await;
                }
            });
            let waker = slot.lock().unwrap().take().unwrap();
            drop(rt);
            assert!(dropped.load(SeqCst), "{name}: future dropped at shutdown");
            let t = std::thread::spawn(move || {
                waker.wake_by_ref();
                #[allow(clippy::waker_clone_wake)] // by value on purpose
                waker.clone().wake();
                drop(waker);
            });
            t.join().unwrap();
            assert!(!bad.load(SeqCst), "{name}: polled after drop");
        }
    });
}

#[test]
fn a_join_handle_awaited_from_a_different_runtime() {
    with_time_limit(LIMIT, || {
        for (name, make) in runtimes() {
            let producer = make();
            let consumer = Builder::new_current_thread().enable_all().build().unwrap();
            let handle = producer.spawn(async {
                mini_runtime::time::sleep(Duration::from_millis(5)).await;
                "made elsewhere"
            });
            // The producer must run meanwhile: drive it from a thread.
            let stop = Arc::new(AtomicBool::new(false));
            let s2 = stop.clone();
            let driver = std::thread::spawn(move || {
                producer.block_on(async move {
                    while !s2.load(SeqCst) {
                        mini_runtime::time::sleep(Duration::from_millis(1)).await;
                    }
                });
                producer
            });
            let out = consumer.block_on(async move { handle.await.unwrap() });
            assert_eq!(out, "made elsewhere", "{name}");
            stop.store(true, SeqCst);
            drop(driver.join().unwrap());
        }
    });
}

#[test]
fn wakes_from_eight_threads_while_the_runtime_shuts_down() {
    with_time_limit(LIMIT, || {
        for (name, make) in runtimes() {
            for _round in 0..20 {
                let rt = make();
                let drops = DropCounter::new();
                let wakers: Vec<Arc<Mutex<Option<Waker>>>> = (0..16)
                    .map(|_| {
                        let p = Pending::new(Some(drops.guard()));
                        let slot = p.waker.clone();
                        rt.spawn(p);
                        slot
                    })
                    .collect();
                // Let the tasks store their wakers (bounded wait).
                rt.block_on(async {
                    for _ in 0..1000 {
                        if wakers.iter().all(|w| w.lock().unwrap().is_some()) {
                            break;
                        }
                        mini_runtime::time::sleep(Duration::from_millis(1)).await;
                    }
                });
                let start = Arc::new(Barrier::new(9));
                let threads: Vec<_> = (0..8)
                    .map(|t| {
                        let wakers = wakers.clone();
                        let start = start.clone();
                        std::thread::spawn(move || {
                            start.wait();
                            for i in 0..2_000 {
                                let w = wakers[(t + i) % wakers.len()].lock().unwrap().clone();
                                if let Some(w) = w {
                                    w.wake();
                                }
                            }
                        })
                    })
                    .collect();
                start.wait();
                drop(rt); // races the wakes
                for t in threads {
                    t.join().unwrap();
                }
                assert_eq!(
                    drops.count(),
                    16,
                    "{name}: every future dropped exactly once"
                );
            }
        }
    });
}

#[test]
fn a_blocking_job_that_never_returns_and_shutdown_timeout() {
    with_time_limit(LIMIT, || {
        for (name, make) in runtimes() {
            let rt = make();
            let gate = Arc::new(Mutex::new(()));
            let held = gate.lock().unwrap();
            let started = Arc::new(AtomicBool::new(false));
            let (g, s) = (gate.clone(), started.clone());
            drop(rt.spawn_blocking(move || {
                s.store(true, SeqCst);
                drop(g.lock().unwrap());
            }));
            while !started.load(SeqCst) {
                std::thread::yield_now();
            }
            let t = std::time::Instant::now();
            rt.shutdown_timeout(Duration::from_millis(50));
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "{name}: shutdown_timeout waited for the job"
            );
            drop(held);
        }
    });
}

#[test]
fn runtimes_built_and_dropped_a_thousand_times_with_tasks_in_flight() {
    with_time_limit(Duration::from_secs(300), || {
        for (name, make) in runtimes() {
            let drops = DropCounter::new();
            let completed = Arc::new(AtomicUsize::new(0));
            for i in 0..1000 {
                let rt = make();
                for _ in 0..3 {
                    let g = drops.guard();
                    let c = completed.clone();
                    rt.spawn(async move {
                        let _g = g;
                        task::yield_now().await;
                        c.fetch_add(1, SeqCst);
                    });
                }
                let g = drops.guard();
                rt.spawn(async move {
                    let _g = g;
                    mini_runtime::time::sleep(Duration::from_secs(3600)).await;
                });
                if i % 3 == 0 {
                    rt.block_on(task::yield_now());
                }
                drop(rt);
                assert_eq!(
                    drops.count(),
                    (i + 1) * 4,
                    "{name}: a task future leaked or was dropped twice"
                );
            }
        }
    });
}
