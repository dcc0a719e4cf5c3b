//! `spawn_blocking/concurrency/<n>`: `n` async tasks each run 100 batches
//! of 16 `spawn_blocking(|| 0)` jobs, awaiting each batch before the next
//! (Tokio's `benches/spawn_blocking.rs`, same parameters). The runtime is
//! multi-thread with the default worker count; `n` goes 1, 2, 4, .. up to
//! the number of CPUs.
//!
//! Tokio's file collects each batch in a `JoinSet`; here a batch is a
//! `Vec` of join handles awaited in order, the same on both runtimes.

use std::hint::black_box;

use benches::config::{self, available_parallelism, bench, concurrency_levels};
use benches::{Flavor, Rt, for_each_runtime};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};

const NUM_BATCHES: usize = 100;
const BATCH_SIZE: usize = 16;

fn concurrency<R: Rt>(group: &mut BenchmarkGroup<'_, WallTime>, tasks: usize) {
    let rt = R::build(Flavor::MultiThread(available_parallelism()));
    bench::<R, _>(group, &format!("concurrency/{tasks}"), |b| {
        b.iter(|| {
            R::block_on(&rt, async {
                let workers: Vec<_> = (0..tasks)
                    .map(|_| {
                        R::spawn(async {
                            let mut batch = Vec::with_capacity(BATCH_SIZE);
                            for _ in 0..NUM_BATCHES {
                                for _ in 0..BATCH_SIZE {
                                    batch.push(R::spawn_blocking(|| black_box(0)));
                                }
                                for job in batch.drain(..) {
                                    job.await.unwrap();
                                }
                            }
                        })
                    })
                    .collect();
                for worker in workers {
                    worker.await.unwrap();
                }
            })
        })
    });
}

fn spawn_blocking(c: &mut Criterion) {
    let mut group = config::group(c, "spawn_blocking");
    for tasks in concurrency_levels(available_parallelism()) {
        for_each_runtime!(concurrency(&mut group, tasks));
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = config::criterion();
    targets = spawn_blocking
}
criterion_main!(benches);
