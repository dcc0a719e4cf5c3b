//! `time`: entering a runtime and the timer machinery.
//!
//! | id | flavours | one iteration |
//! |---|---|---|
//! | `time/block_on_ready/<f>` | ct; mtN | `block_on(async {})`: the cost of entering and leaving |
//! | `time/timeout_ready/<f>` | ct; mt8 | `timeout(1 s, ready future)` created, polled (ready at once), dropped |
//! | `time/sleep_unpolled/<f>` | ct; mt8 | `sleep(1 s)` created and dropped without a poll |
//! | `time/many_timers/<f>` | ct; mt8 | create 100,000 sleeps (40 % 1 s, 30 % 10 s, 20 % 60 s, 10 % 300 s), poll each once (registering them all), then drop them all |
//! | `time/fire_many/<f>` | ct; mtN | 10,000 tasks each sleep 1 ms, then decrement a counter; the last signals done; expiry and wake-up throughput |
//!
//! `timeout_ready` and `sleep_unpolled` follow Tokio's
//! `benches/time_timeout.rs`: criterion's iterations are split over one
//! task per worker (1 on ct, 8 on mt8), and the time per timer is reported.
//! `many_timers` follows the idea of Tokio's `benches/time_many_timers.rs`
//! (register, then deregister before firing) with the parameters of this
//! project's benchmarks.md: 100,000 timers of mixed lengths, all registered
//! at once (per task), so that the timer structure really holds them; one
//! iteration times creation, polling and dropping. On `mt8` the 100,000
//! timers are split over 8 tasks.

use std::future::{Future, poll_fn};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::{Duration, Instant};

use benches::catalog::TIME_MT_WORKERS;
use benches::config::{self, available_parallelism, bench};
use benches::{Flavor, Rt, for_each_runtime};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};

const MANY_TIMERS: usize = 100_000;
const FIRE_TASKS: usize = 10_000;
const FIRE_AFTER: Duration = Duration::from_millis(1);

type Group<'a> = BenchmarkGroup<'a, WallTime>;

/// Tasks that split the work: one per worker, as Tokio's time benches.
fn tasks_for(flavor: Flavor) -> usize {
    match flavor {
        Flavor::CurrentThread => 1,
        Flavor::MultiThread(workers) => workers,
    }
}

fn block_on_ready<R: Rt>(group: &mut Group<'_>, flavor: Flavor) {
    let rt = R::build(flavor);
    bench::<R, _>(group, &format!("block_on_ready/{flavor}"), |b| {
        b.iter(|| R::block_on(&rt, async {}))
    });
}

/// Runs `per_op` `iters` times in total, split over `tasks` spawned tasks,
/// and returns the wall time of the whole `block_on`.
fn split_over_tasks<R, F, Fut>(rt: &R::Runtime, iters: u64, tasks: usize, per_op: F) -> Duration
where
    R: Rt,
    F: Fn() -> Fut + Copy + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let per_task = (iters as usize).div_ceil(tasks);
    let start = Instant::now();
    R::block_on(rt, async {
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                R::spawn(async move {
                    for _ in 0..per_task {
                        per_op().await;
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.await.unwrap();
        }
    });
    start.elapsed()
}

fn timeout_ready<R: Rt>(group: &mut Group<'_>, flavor: Flavor) {
    let rt = R::build(flavor);
    let tasks = tasks_for(flavor);
    bench::<R, _>(group, &format!("timeout_ready/{flavor}"), |b| {
        b.iter_custom(|iters| {
            split_over_tasks::<R, _, _>(&rt, iters, tasks, || async {
                let ready = R::timeout(Duration::from_secs(1), async { black_box(1) });
                assert_eq!(black_box(ready.await.unwrap()), 1);
            })
        })
    });
}

fn sleep_unpolled<R: Rt>(group: &mut Group<'_>, flavor: Flavor) {
    let rt = R::build(flavor);
    let tasks = tasks_for(flavor);
    bench::<R, _>(group, &format!("sleep_unpolled/{flavor}"), |b| {
        b.iter_custom(|iters| {
            split_over_tasks::<R, _, _>(&rt, iters, tasks, || async {
                drop(black_box(R::sleep(Duration::from_secs(1))));
            })
        })
    });
}

/// The length of the `i`-th timer of `many_timers`: 40 % 1 s, 30 % 10 s,
/// 20 % 60 s, 10 % 300 s, interleaved.
fn timer_length(i: usize) -> Duration {
    Duration::from_secs(match i % 10 {
        0..=3 => 1,
        4..=6 => 10,
        7 | 8 => 60,
        _ => 300,
    })
}

/// Creates `count` sleeps, polls each once (registering it), then drops them all.
async fn register_and_drop<R: Rt>(first: usize, count: usize) {
    let mut sleeps: Vec<_> = (first..first + count)
        .map(|i| Box::pin(R::sleep(timer_length(i))))
        .collect();
    poll_fn(|cx| {
        for sleep in &mut sleeps {
            let _ = black_box(sleep.as_mut().poll(cx));
        }
        Poll::Ready(())
    })
    .await;
    drop(black_box(sleeps));
}

fn many_timers<R: Rt>(group: &mut Group<'_>, flavor: Flavor) {
    let rt = R::build(flavor);
    let tasks = tasks_for(flavor);
    let per_task = MANY_TIMERS / tasks;
    bench::<R, _>(group, &format!("many_timers/{flavor}"), |b| {
        b.iter(|| {
            R::block_on(&rt, async {
                let handles: Vec<_> = (0..tasks)
                    .map(|t| R::spawn(register_and_drop::<R>(t * per_task, per_task)))
                    .collect();
                for handle in handles {
                    handle.await.unwrap();
                }
            })
        })
    });
}

fn fire_many<R: Rt>(group: &mut Group<'_>, flavor: Flavor) {
    use futures::channel::oneshot;

    let rt = R::build(flavor);
    let rem = Arc::new(AtomicUsize::new(0));
    bench::<R, _>(group, &format!("fire_many/{flavor}"), |b| {
        b.iter(|| {
            rem.store(FIRE_TASKS, Relaxed);
            let (done_tx, done_rx) = oneshot::channel::<()>();
            let done_tx = Arc::new(Mutex::new(Some(done_tx)));
            R::block_on(&rt, async {
                for _ in 0..FIRE_TASKS {
                    let rem = rem.clone();
                    let done_tx = done_tx.clone();
                    drop(R::spawn(async move {
                        R::sleep(FIRE_AFTER).await;
                        if rem.fetch_sub(1, Relaxed) == 1 {
                            let tx = done_tx.lock().unwrap().take();
                            tx.expect("signalled once").send(()).unwrap();
                        }
                    }));
                }
                done_rx.await.unwrap();
            })
        })
    });
}

fn time(c: &mut Criterion) {
    let mut group = config::group(c, "time");
    let ct = Flavor::CurrentThread;
    let mt = Flavor::MultiThread(available_parallelism());
    let mt8 = Flavor::MultiThread(TIME_MT_WORKERS);
    for flavor in [ct, mt] {
        for_each_runtime!(block_on_ready(&mut group, flavor));
    }
    for flavor in [ct, mt8] {
        for_each_runtime!(timeout_ready(&mut group, flavor));
    }
    for flavor in [ct, mt8] {
        for_each_runtime!(sleep_unpolled(&mut group, flavor));
    }
    for flavor in [ct, mt8] {
        for_each_runtime!(many_timers(&mut group, flavor));
    }
    for flavor in [ct, mt] {
        for_each_runtime!(fire_many(&mut group, flavor));
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = config::criterion();
    targets = time
}
criterion_main!(benches);
