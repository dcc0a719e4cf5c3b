//! `spawn`: spawn a task that yields once and returns 2, and await it,
//! inside `block_on` (Tokio's `benches/spawn.rs`, same parameters).
//!
//! | id | runtime | one iteration |
//! |---|---|---|
//! | `spawn/basic_scheduler_spawn` | current-thread | one task |
//! | `spawn/basic_scheduler_spawn10` | current-thread | ten tasks, then await each |
//! | `spawn/threaded_scheduler_spawn` | multi-thread, 1 worker | one task |
//! | `spawn/threaded_scheduler_spawn10` | multi-thread, 1 worker | ten tasks, then await each |
//!
//! The runtimes are built without drivers (no `enable_all`), as in Tokio's
//! file (see `benches::Drivers`).
//!
//! On the multi-thread runtime `block_on` runs on the bench thread and the
//! task on the worker, so one iteration includes two cross-thread wake-ups.

use std::hint::black_box;

use benches::config::{self, bench};
use benches::{Drivers, Flavor, Rt, for_each_runtime};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};

async fn work<R: Rt>() -> usize {
    let val = 1 + 1;
    R::yield_now().await;
    black_box(val)
}

fn spawn_one<R: Rt>(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, flavor: Flavor) {
    let rt = R::build_with(flavor, Drivers::Off);
    bench::<R, _>(group, name, |b| {
        b.iter(|| {
            R::block_on(&rt, async {
                let handle = R::spawn(work::<R>());
                assert_eq!(handle.await.unwrap(), 2);
            })
        })
    });
}

fn spawn_ten<R: Rt>(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, flavor: Flavor) {
    let rt = R::build_with(flavor, Drivers::Off);
    bench::<R, _>(group, name, |b| {
        b.iter(|| {
            R::block_on(&rt, async {
                let mut handles = Vec::with_capacity(10);
                for _ in 0..10 {
                    handles.push(R::spawn(work::<R>()));
                }
                for handle in handles {
                    assert_eq!(handle.await.unwrap(), 2);
                }
            })
        })
    });
}

fn spawn(c: &mut Criterion) {
    let mut group = config::group(c, "spawn");
    let (ct, mt1) = (Flavor::CurrentThread, Flavor::MultiThread(1));
    for_each_runtime!(spawn_one(&mut group, "basic_scheduler_spawn", ct));
    for_each_runtime!(spawn_ten(&mut group, "basic_scheduler_spawn10", ct));
    for_each_runtime!(spawn_one(&mut group, "threaded_scheduler_spawn", mt1));
    for_each_runtime!(spawn_ten(&mut group, "threaded_scheduler_spawn10", mt1));
    group.finish();
}

criterion_group! {
    name = benches;
    config = config::criterion();
    targets = spawn
}
criterion_main!(benches);
