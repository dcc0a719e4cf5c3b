//! `remote_spawn/threads/<n>`: 12,800 empty tasks spawned into a
//! multi-thread runtime (default worker count) from `n` outside threads at
//! once, 12,800 / n each, released together by a barrier (Tokio's
//! `benches/remote_spawn.rs`, same parameters; `n` goes 1, 2, 4, .. up to
//! the number of CPUs). It measures contention on the runtime's inject
//! queue.
//!
//! Only the spawning is timed: from the earliest moment a thread passed
//! the barrier to the latest moment a thread finished spawning (each
//! thread reads the clock itself). Starting the threads and awaiting the
//! 12,800 tasks afterwards are not timed (Tokio's file times the whole
//! iteration).

use std::sync::Barrier;
use std::time::{Duration, Instant};

use benches::config::{self, available_parallelism, bench, concurrency_levels};
use benches::{Flavor, Rt, for_each_runtime};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};

const TOTAL_TASKS: usize = 12_800;

/// What one spawning thread hands back: when it started and finished
/// spawning, and the join handles.
type Spawned<R> = (Instant, Instant, Vec<<R as Rt>::JoinHandle<()>>);

/// One iteration: returns the time spent spawning.
fn spawn_from_threads<R: Rt>(rt: &R::Runtime, threads: usize) -> Duration {
    let handle = R::handle(rt);
    let per_thread = TOTAL_TASKS / threads;
    let barrier = Barrier::new(threads);
    let spawned: Vec<Spawned<R>> = std::thread::scope(|s| {
        let spawners: Vec<_> = (0..threads)
            .map(|_| {
                let (barrier, handle) = (&barrier, &handle);
                s.spawn(move || {
                    let mut joins = Vec::with_capacity(per_thread);
                    barrier.wait();
                    let start = Instant::now();
                    for _ in 0..per_thread {
                        joins.push(R::spawn_on(handle, async {}));
                    }
                    (start, Instant::now(), joins)
                })
            })
            .collect();
        spawners.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let start = spawned.iter().map(|(start, _, _)| *start).min().unwrap();
    let end = spawned.iter().map(|(_, end, _)| *end).max().unwrap();
    R::block_on(rt, async {
        for (_, _, joins) in spawned {
            for join in joins {
                join.await.unwrap();
            }
        }
    });
    end - start
}

fn threads<R: Rt>(group: &mut BenchmarkGroup<'_, WallTime>, threads: usize) {
    let rt = R::build(Flavor::MultiThread(available_parallelism()));
    bench::<R, _>(group, &format!("threads/{threads}"), |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| spawn_from_threads::<R>(&rt, threads))
                .sum()
        })
    });
}

fn remote_spawn(c: &mut Criterion) {
    let mut group = config::group(c, "remote_spawn");
    for n in concurrency_levels(available_parallelism()) {
        for_each_runtime!(threads(&mut group, n));
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = config::criterion();
    targets = remote_spawn
}
criterion_main!(benches);
