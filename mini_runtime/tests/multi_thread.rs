//! The multi-thread, work-stealing runtime: behaviour and stress tests.
//! Every test has a time limit, so a lost wake-up fails instead of hanging.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{DropCounter, Pending, with_time_limit};
use mini_runtime::runtime::{Builder, Runtime, RuntimeFlavor};
use mini_runtime::sync::oneshot;
use mini_runtime::task;

const LIMIT: Duration = Duration::from_secs(120);

fn rt(workers: usize) -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn spawn_and_join_on_every_worker_count() {
    with_time_limit(LIMIT, || {
        for workers in [1, 2, 4] {
            let rt = rt(workers);
            assert_eq!(rt.handle().runtime_flavor(), RuntimeFlavor::MultiThread);
            assert_eq!(rt.metrics().num_workers(), workers);
            let sum = rt.block_on(async {
                let handles: Vec<_> = (0..1000u64)
                    .map(|i| mini_runtime::spawn(async move { i }))
                    .collect();
                let mut sum = 0;
                for h in handles {
                    sum += h.await.unwrap();
                }
                sum
            });
            assert_eq!(sum, (0..1000).sum::<u64>());
        }
    });
}

#[test]
fn runtime_new_builds_a_multi_thread_runtime() {
    let rt = Runtime::new().unwrap();
    assert_eq!(rt.handle().runtime_flavor(), RuntimeFlavor::MultiThread);
    assert_eq!(
        rt.block_on(async { mini_runtime::spawn(async { 5 }).await.unwrap() }),
        5
    );
}

#[test]
fn tasks_run_on_named_worker_threads_not_on_block_on() {
    with_time_limit(LIMIT, || {
        let rt = Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("my-pool")
            .build()
            .unwrap();
        let main = std::thread::current().id();
        let (name, id) = rt.block_on(async {
            mini_runtime::spawn(async {
                (
                    std::thread::current().name().map(str::to_owned),
                    std::thread::current().id(),
                )
            })
            .await
            .unwrap()
        });
        assert_eq!(name.as_deref(), Some("my-pool"));
        assert_ne!(id, main);
    });
}

#[test]
fn million_spawned_tasks() {
    with_time_limit(Duration::from_secs(300), || {
        let rt = rt(2);
        let count = Arc::new(AtomicUsize::new(0));
        let c = count.clone();
        rt.block_on(async move {
            let (tx, rx) = oneshot::channel();
            let tx = Arc::new(Mutex::new(Some(tx)));
            for _ in 0..1_000_000 {
                let c = c.clone();
                let tx = tx.clone();
                mini_runtime::spawn(async move {
                    if c.fetch_add(1, SeqCst) + 1 == 1_000_000 {
                        tx.lock().unwrap().take().unwrap().send(()).unwrap();
                    }
                });
            }
            rx.await.unwrap();
        });
        assert_eq!(count.load(SeqCst), 1_000_000);
    });
}

#[test]
fn two_hundred_tasks_times_thousand_yields() {
    with_time_limit(LIMIT, || {
        for workers in [1, 2, 4] {
            let rt = rt(workers);
            rt.block_on(async {
                let handles: Vec<_> = (0..200)
                    .map(|_| {
                        mini_runtime::spawn(async {
                            for _ in 0..1000 {
                                task::yield_now().await;
                            }
                        })
                    })
                    .collect();
                for h in handles {
                    h.await.unwrap();
                }
            });
        }
    });
}

#[test]
fn hundred_thousand_ping_pongs_over_oneshots() {
    with_time_limit(LIMIT, || {
        let rt = rt(2);
        let rounds = rt.block_on(async {
            let (to_pong, mut pong_rx) =
                mini_runtime::sync::mpsc::unbounded_channel::<oneshot::Sender<u32>>();
            let ponger = mini_runtime::spawn(async move {
                let mut n = 0u32;
                while let Some(reply) = pong_rx.recv().await {
                    reply.send(n).unwrap();
                    n += 1;
                }
                n
            });
            let pinger = mini_runtime::spawn(async move {
                for i in 0..100_000u32 {
                    let (tx, rx) = oneshot::channel();
                    to_pong.send(tx).unwrap();
                    assert_eq!(rx.await.unwrap(), i);
                }
            });
            pinger.await.unwrap();
            ponger.await.unwrap()
        });
        assert_eq!(rounds, 100_000);
    });
}

fn chain(depth: usize, done: oneshot::Sender<usize>) {
    if depth == 0 {
        done.send(0).unwrap();
    } else {
        drop(mini_runtime::spawn(async move { chain(depth - 1, done) }));
    }
}

#[test]
fn spawn_chain_ten_thousand_deep() {
    with_time_limit(LIMIT, || {
        for workers in [1, 2, 4] {
            let rt = rt(workers);
            rt.block_on(async {
                let (tx, rx) = oneshot::channel();
                mini_runtime::spawn(async move { chain(10_000, tx) });
                assert_eq!(rx.await.unwrap(), 0);
            });
        }
    });
}

#[test]
fn four_os_threads_wake_tasks_a_hundred_thousand_times() {
    with_time_limit(LIMIT, || {
        let rt = rt(2);
        const WAKES: usize = 100_000;
        let received = rt.block_on(async {
            let (tx, mut rx) = mini_runtime::sync::mpsc::channel::<usize>(64);
            let threads: Vec<_> = (0..4)
                .map(|_| {
                    let tx = tx.clone();
                    std::thread::spawn(move || {
                        for i in 0..WAKES / 4 {
                            tx.blocking_send(i).unwrap();
                        }
                    })
                })
                .collect();
            drop(tx);
            let consumer = mini_runtime::spawn(async move {
                let mut n = 0;
                while rx.recv().await.is_some() {
                    n += 1;
                }
                n
            });
            let n = consumer.await.unwrap();
            for t in threads {
                t.join().unwrap();
            }
            n
        });
        assert_eq!(received, WAKES);
    });
}

#[test]
fn spawn_and_drop_the_runtime_a_thousand_times_with_tasks_in_flight() {
    with_time_limit(Duration::from_secs(300), || {
        let drops = DropCounter::new();
        for i in 0..1000 {
            let rt = rt(2);
            for _ in 0..4 {
                let guard = drops.guard();
                rt.spawn(async move {
                    let _g = guard;
                    loop {
                        task::yield_now().await;
                    }
                });
            }
            rt.spawn(Pending::new(Some(drops.guard())));
            if i % 2 == 0 {
                std::thread::yield_now();
            }
            drop(rt);
            assert_eq!(
                drops.count(),
                (i + 1) * 5,
                "every task future dropped exactly once"
            );
        }
    });
}

#[test]
fn pending_tasks_dropped_exactly_once_at_shutdown() {
    with_time_limit(LIMIT, || {
        let rt = rt(4);
        let drops = DropCounter::new();
        let polled = Arc::new(AtomicUsize::new(0));
        rt.block_on(async {
            for _ in 0..100 {
                let p = Pending::new(Some(drops.guard()));
                let polls = p.polls.clone();
                let polled = polled.clone();
                drop(mini_runtime::spawn(async move {
                    polled.fetch_add(1, SeqCst);
                    drop(polls);
                    p.await
                }));
            }
            while polled.load(SeqCst) < 100 {
                task::yield_now().await;
            }
        });
        assert_eq!(drops.count(), 0);
        drop(rt);
        assert_eq!(drops.count(), 100);
    });
}

#[test]
fn abort_and_panic_on_workers() {
    with_time_limit(LIMIT, || {
        let rt = rt(2);
        rt.block_on(async {
            let err = mini_runtime::spawn(async { panic!("worker boom") })
                .await
                .unwrap_err();
            assert!(err.is_panic());
            let h = mini_runtime::spawn(std::future::pending::<()>());
            task::yield_now().await;
            h.abort();
            assert!(h.await.unwrap_err().is_cancelled());
            assert_eq!(mini_runtime::spawn(async { 1 }).await.unwrap(), 1);
        });
    });
}

#[test]
fn block_on_inside_a_worker_panics() {
    with_time_limit(LIMIT, || {
        let rt = rt(1);
        let err = rt
            .block_on(async {
                mini_runtime::spawn(async {
                    let inner = Builder::new_current_thread().build().unwrap();
                    inner.block_on(async {});
                })
                .await
            })
            .unwrap_err();
        assert!(err.is_panic());
        let msg = err.into_panic().downcast::<String>().unwrap();
        assert!(
            msg.contains("Cannot block the current thread from within a runtime"),
            "{msg}"
        );
    });
}

#[test]
fn work_is_stolen_and_metrics_are_consistent() {
    with_time_limit(LIMIT, || {
        // A large local queue: no overflow to the inject queue, so the only
        // way for the second worker to get work is to steal it.
        let rt = Builder::new_multi_thread()
            .worker_threads(2)
            .local_queue_capacity(1024)
            .build()
            .unwrap();
        let threads = Arc::new(Mutex::new(std::collections::HashSet::new()));
        rt.block_on(async {
            let threads = threads.clone();
            mini_runtime::spawn(async move {
                // Spawned from a worker: all 200 land in its local queue.
                let handles: Vec<_> = (0..200)
                    .map(|_| {
                        let threads = threads.clone();
                        mini_runtime::spawn(async move {
                            threads.lock().unwrap().insert(std::thread::current().id());
                            // Hold this worker until the other one has run a
                            // task too (bounded: 10 s, then the assert fails).
                            let deadline = std::time::Instant::now() + Duration::from_secs(10);
                            while threads.lock().unwrap().len() < 2
                                && std::time::Instant::now() < deadline
                            {
                                std::thread::yield_now();
                            }
                        })
                    })
                    .collect();
                for h in handles {
                    h.await.unwrap();
                }
            })
            .await
            .unwrap();
        });
        assert_eq!(
            threads.lock().unwrap().len(),
            2,
            "tasks ran on one worker only"
        );
        let m = rt.metrics();
        let steals: u64 = (0..2).map(|w| m.worker_steal_count(w)).sum();
        let operations: u64 = (0..2).map(|w| m.worker_steal_operations(w)).sum();
        assert!(steals > 0, "no work was stolen");
        assert!(operations > 0 && operations <= steals);
        assert!(
            m.total_poll_count() >= m.spawned_tasks_count(),
            "polls >= tasks"
        );
        // Completion is published to the JoinHandle just before the task
        // leaves the owned list: wait (bounded) for the count to settle.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while m.num_alive_tasks() != 0 {
            assert!(std::time::Instant::now() < deadline, "tasks still alive");
            std::thread::sleep(Duration::from_millis(1));
        }
    });
}

#[test]
fn remote_spawn_wakes_parked_workers() {
    with_time_limit(LIMIT, || {
        let rt = rt(2);
        // Let the workers go to sleep.
        std::thread::sleep(Duration::from_millis(50));
        for _ in 0..100 {
            let h = rt.spawn(async { 3 });
            assert_eq!(rt.block_on(h).unwrap(), 3);
        }
        assert!(rt.metrics().worker_park_count(0) + rt.metrics().worker_park_count(1) > 0);
    });
}

#[test]
fn lifo_slot_and_disable_lifo_slot() {
    with_time_limit(LIMIT, || {
        for disable in [false, true] {
            let mut builder = Builder::new_multi_thread();
            builder.worker_threads(1);
            if disable {
                builder.disable_lifo_slot();
            }
            let rt = builder.build().unwrap();
            rt.block_on(async {
                mini_runtime::spawn(async {
                    for _ in 0..100 {
                        let (tx, rx) = oneshot::channel();
                        let h = mini_runtime::spawn(async move { tx.send(1).unwrap() });
                        rx.await.unwrap();
                        h.await.unwrap();
                    }
                })
                .await
                .unwrap();
            });
            let hits = rt.metrics().worker_lifo_hit_count(0);
            if disable {
                assert_eq!(hits, 0);
            } else {
                assert!(hits > 0, "the LIFO slot was never used");
            }
        }
    });
}

#[test]
fn local_queue_overflow_goes_to_the_inject_queue() {
    with_time_limit(LIMIT, || {
        let rt = Builder::new_multi_thread()
            .worker_threads(1)
            .local_queue_capacity(4)
            .build()
            .unwrap();
        let n = rt.block_on(async {
            mini_runtime::spawn(async {
                let handles: Vec<_> = (0..100)
                    .map(|i| mini_runtime::spawn(async move { i }))
                    .collect();
                let mut n = 0;
                for h in handles {
                    n += h.await.unwrap();
                }
                n
            })
            .await
            .unwrap()
        });
        assert_eq!(n, (0..100).sum::<i32>());
        assert!(rt.metrics().worker_overflow_count(0) > 0);
    });
}

/// Regression: a task woken into the LIFO slot by timers fired during a
/// worker's periodic timer check was never run (found by the demos'
/// lesson 25).
#[test]
fn task_woken_by_the_timer_check_is_run() {
    with_time_limit(LIMIT, || {
        for workers in [1, 2] {
            let rt = rt(workers);
            rt.block_on(async {
                mini_runtime::spawn(async {
                    for _ in 0..10_000 {
                        mini_runtime::time::sleep(Duration::ZERO).await;
                    }
                })
                .await
                .unwrap()
            });
        }
    });
}
