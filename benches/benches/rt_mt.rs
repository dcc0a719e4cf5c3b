//! `rt_mt`: the multi-thread work-stealing scheduler (Tokio's
//! `benches/rt_multi_threaded.rs`, same parameters), each workload run with
//! 4 workers (`mt4`, Tokio's setting) and with N = available parallelism
//! (`mtN`, e.g. `mt2` on a 2-core machine).
//!
//! | id | one iteration |
//! |---|---|
//! | `spawn_many_local` | counter = 10,000; inside `block_on` spawn 10,000 tasks that each decrement it; the last sends on the done channel; `block_on` waits on it |
//! | `spawn_many_remote_idle` | spawn 10,000 empty tasks from the bench thread, then `block_on` awaits every handle |
//! | `spawn_many_remote_busy1` | as remote_idle, while 2 x workers background tasks loop { yield_now; spin 10 µs } |
//! | `spawn_many_remote_busy2` | 1,000 remote spawns, while `workers` background chains each spin 10 µs then spawn their successor |
//! | `ping_pong` | counter = 1,000; a root task spawns 1,000 tasks; each makes two oneshots, spawns a responder that awaits the first and answers on the second, sends, awaits the answer, decrements; the last signals done. Oneshots: `futures::channel::oneshot` (runtime-neutral); `.../native`: each runtime's own `sync::oneshot`, as in Tokio's file |
//! | `yield_many` | from the bench thread spawn 200 tasks that each `yield_now` 1,000 times then send on the done channel; wait for 200 signals |
//! | `chained_spawn` | inside `block_on`: a task spawns a task ... to depth 1,000; the innermost signals done |
//!
//! The done channel is a `std::sync::mpsc::sync_channel` received with a
//! blocking `recv` inside `block_on` (which on the multi-thread runtime
//! runs on the bench thread while the workers run the tasks), exactly as in
//! Tokio's file.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use benches::config::{self, available_parallelism, bench, mt_worker_counts, stall};
use benches::{Flavor, OneshotSender, Rt, for_each_runtime};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};

const NUM_SPAWN: usize = 10_000;
const NUM_SPAWN_BUSY2: usize = 1_000;
const STALL: Duration = Duration::from_micros(10);
const NUM_PINGS: usize = 1_000;
const NUM_YIELD: usize = 1_000;
const YIELD_TASKS: usize = 200;
const CHAIN_DEPTH: usize = 1_000;

type Group<'a> = BenchmarkGroup<'a, WallTime>;

fn spawn_many_local<R: Rt>(group: &mut Group<'_>, workers: usize) {
    let rt = R::build(Flavor::MultiThread(workers));
    let (tx, rx) = mpsc::sync_channel(1000);
    let rem = Arc::new(AtomicUsize::new(0));
    bench::<R, _>(group, &format!("spawn_many_local/mt{workers}"), |b| {
        b.iter(|| {
            rem.store(NUM_SPAWN, Relaxed);
            R::block_on(&rt, async {
                for _ in 0..NUM_SPAWN {
                    let tx = tx.clone();
                    let rem = rem.clone();
                    drop(R::spawn(async move {
                        if rem.fetch_sub(1, Relaxed) == 1 {
                            tx.send(()).unwrap();
                        }
                    }));
                }
                rx.recv().unwrap();
            })
        })
    });
}

/// Spawns `count` empty tasks from the bench thread, then awaits them all
/// in `block_on` (the body of the three remote workloads).
fn spawn_remote_and_join<R: Rt>(
    rt: &R::Runtime,
    handle: &R::Handle,
    handles: &mut Vec<R::JoinHandle<()>>,
    count: usize,
) {
    for _ in 0..count {
        handles.push(R::spawn_on(handle, async {}));
    }
    R::block_on(rt, async {
        for handle in handles.drain(..) {
            handle.await.unwrap();
        }
    });
}

fn spawn_many_remote_idle<R: Rt>(group: &mut Group<'_>, workers: usize) {
    let rt = R::build(Flavor::MultiThread(workers));
    let handle = R::handle(&rt);
    let mut handles = Vec::with_capacity(NUM_SPAWN);
    bench::<R, _>(group, &format!("spawn_many_remote_idle/mt{workers}"), |b| {
        b.iter(|| spawn_remote_and_join::<R>(&rt, &handle, &mut handles, NUM_SPAWN))
    });
}

fn spawn_many_remote_busy1<R: Rt>(group: &mut Group<'_>, workers: usize) {
    let rt = R::build(Flavor::MultiThread(workers));
    let handle = R::handle(&rt);
    let mut handles = Vec::with_capacity(NUM_SPAWN);
    let running = Arc::new(AtomicBool::new(true));
    // Background load: tasks that burn CPU and yield (yielding is a lower
    // notification priority than spawning).
    for _ in 0..2 * workers {
        let running = running.clone();
        drop(R::spawn_rt(&rt, async move {
            while running.load(Relaxed) {
                R::yield_now().await;
                stall(STALL);
            }
        }));
    }
    bench::<R, _>(
        group,
        &format!("spawn_many_remote_busy1/mt{workers}"),
        |b| b.iter(|| spawn_remote_and_join::<R>(&rt, &handle, &mut handles, NUM_SPAWN)),
    );
    running.store(false, Relaxed);
    drop(rt);
}

/// One link of a busy2 background chain: spin, then spawn the next link.
fn busy_chain<R: Rt>(running: Arc<AtomicBool>) {
    drop(R::spawn(async move {
        if running.load(Relaxed) {
            stall(STALL);
            busy_chain::<R>(running);
        }
    }));
}

fn spawn_many_remote_busy2<R: Rt>(group: &mut Group<'_>, workers: usize) {
    let rt = R::build(Flavor::MultiThread(workers));
    let handle = R::handle(&rt);
    let mut handles = Vec::with_capacity(NUM_SPAWN_BUSY2);
    let running = Arc::new(AtomicBool::new(true));
    // Background load: chains of tasks that burn CPU and spawn their
    // successor (spawning is a higher notification priority than yielding).
    for _ in 0..workers {
        let running = running.clone();
        drop(R::spawn_rt(&rt, async move { busy_chain::<R>(running) }));
    }
    bench::<R, _>(
        group,
        &format!("spawn_many_remote_busy2/mt{workers}"),
        |b| b.iter(|| spawn_remote_and_join::<R>(&rt, &handle, &mut handles, NUM_SPAWN_BUSY2)),
    );
    running.store(false, Relaxed);
    drop(rt);
}

fn ping_pong<R: Rt>(group: &mut Group<'_>, workers: usize) {
    use futures::channel::oneshot;

    let rt = R::build(Flavor::MultiThread(workers));
    let (done_tx, done_rx) = mpsc::sync_channel(1000);
    let rem = Arc::new(AtomicUsize::new(0));
    bench::<R, _>(group, &format!("ping_pong/mt{workers}"), |b| {
        b.iter(|| {
            let done_tx = done_tx.clone();
            let rem = rem.clone();
            rem.store(NUM_PINGS, Relaxed);
            R::block_on(&rt, async {
                drop(R::spawn(async move {
                    for _ in 0..NUM_PINGS {
                        let rem = rem.clone();
                        let done_tx = done_tx.clone();
                        drop(R::spawn(async move {
                            let (tx1, rx1) = oneshot::channel();
                            let (tx2, rx2) = oneshot::channel();
                            drop(R::spawn(async move {
                                rx1.await.unwrap();
                                tx2.send(()).unwrap();
                            }));
                            tx1.send(()).unwrap();
                            rx2.await.unwrap();
                            if rem.fetch_sub(1, Relaxed) == 1 {
                                done_tx.send(()).unwrap();
                            }
                        }));
                    }
                }));
                done_rx.recv().unwrap();
            })
        })
    });
}

/// `ping_pong` with each runtime's own oneshot channel (Tokio's file uses
/// `tokio::sync::oneshot`).
fn ping_pong_native<R: Rt>(group: &mut Group<'_>, workers: usize) {
    let rt = R::build(Flavor::MultiThread(workers));
    let (done_tx, done_rx) = mpsc::sync_channel(1000);
    let rem = Arc::new(AtomicUsize::new(0));
    bench::<R, _>(group, &format!("ping_pong/mt{workers}/native"), |b| {
        b.iter(|| {
            let done_tx = done_tx.clone();
            let rem = rem.clone();
            rem.store(NUM_PINGS, Relaxed);
            R::block_on(&rt, async {
                drop(R::spawn(async move {
                    for _ in 0..NUM_PINGS {
                        let rem = rem.clone();
                        let done_tx = done_tx.clone();
                        drop(R::spawn(async move {
                            let (tx1, rx1) = R::oneshot::<()>();
                            let (tx2, rx2) = R::oneshot::<()>();
                            drop(R::spawn(async move {
                                rx1.await.unwrap();
                                tx2.send(()).unwrap();
                            }));
                            tx1.send(()).unwrap();
                            rx2.await.unwrap();
                            if rem.fetch_sub(1, Relaxed) == 1 {
                                done_tx.send(()).unwrap();
                            }
                        }));
                    }
                }));
                done_rx.recv().unwrap();
            })
        })
    });
}

fn yield_many<R: Rt>(group: &mut Group<'_>, workers: usize) {
    let rt = R::build(Flavor::MultiThread(workers));
    let (tx, rx) = mpsc::sync_channel(YIELD_TASKS);
    bench::<R, _>(group, &format!("yield_many/mt{workers}"), |b| {
        b.iter(|| {
            for _ in 0..YIELD_TASKS {
                let tx = tx.clone();
                drop(R::spawn_rt(&rt, async move {
                    for _ in 0..NUM_YIELD {
                        R::yield_now().await;
                    }
                    tx.send(()).unwrap();
                }));
            }
            for _ in 0..YIELD_TASKS {
                rx.recv().unwrap();
            }
        })
    });
}

/// One link of `chained_spawn`: spawn the next link, or signal at the end.
fn chain<R: Rt>(done_tx: mpsc::SyncSender<()>, n: usize) {
    if n == 0 {
        done_tx.send(()).unwrap();
    } else {
        drop(R::spawn(async move { chain::<R>(done_tx, n - 1) }));
    }
}

fn chained_spawn<R: Rt>(group: &mut Group<'_>, workers: usize) {
    let rt = R::build(Flavor::MultiThread(workers));
    let (done_tx, done_rx) = mpsc::sync_channel(1000);
    bench::<R, _>(group, &format!("chained_spawn/mt{workers}"), |b| {
        b.iter(|| {
            let done_tx = done_tx.clone();
            R::block_on(&rt, async {
                drop(R::spawn(async move { chain::<R>(done_tx, CHAIN_DEPTH) }));
                done_rx.recv().unwrap();
            })
        })
    });
}

fn rt_mt(c: &mut Criterion) {
    let mut group = config::group(c, "rt_mt");
    let worker_counts = mt_worker_counts(available_parallelism());
    for &workers in &worker_counts {
        for_each_runtime!(spawn_many_local(&mut group, workers));
    }
    for &workers in &worker_counts {
        for_each_runtime!(spawn_many_remote_idle(&mut group, workers));
    }
    for &workers in &worker_counts {
        for_each_runtime!(spawn_many_remote_busy1(&mut group, workers));
    }
    for &workers in &worker_counts {
        for_each_runtime!(spawn_many_remote_busy2(&mut group, workers));
    }
    for &workers in &worker_counts {
        for_each_runtime!(ping_pong(&mut group, workers));
        for_each_runtime!(ping_pong_native(&mut group, workers));
    }
    for &workers in &worker_counts {
        for_each_runtime!(yield_many(&mut group, workers));
    }
    for &workers in &worker_counts {
        for_each_runtime!(chained_spawn(&mut group, workers));
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = config::criterion();
    targets = rt_mt
}
criterion_main!(benches);
