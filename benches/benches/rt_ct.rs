//! `rt_ct`: the current-thread scheduler spawning empty tasks (Tokio's
//! `benches/rt_current_thread.rs`, same parameters).
//!
//! | id | one iteration |
//! |---|---|
//! | `rt_ct/spawn_many_local` | inside `block_on`: spawn 1,000 empty tasks, keep the handles, await each |
//! | `rt_ct/spawn_many_remote_idle` | from outside (runtime idle): spawn 1,000 through the handle, then `block_on` awaits them |
//! | `rt_ct/spawn_many_remote_busy` | as above, while one task keeps re-spawning a copy of itself (set up before timing) |
//!
//! The runtimes are built without drivers (no `enable_all`), as in Tokio's
//! file (see `benches::Drivers`).

use benches::config::{self, bench};
use benches::{Drivers, Flavor, Rt, for_each_runtime};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};

const NUM_SPAWN: usize = 1_000;

fn spawn_many_local<R: Rt>(group: &mut BenchmarkGroup<'_, WallTime>) {
    let rt = R::build_with(Flavor::CurrentThread, Drivers::Off);
    let mut handles = Vec::with_capacity(NUM_SPAWN);
    bench::<R, _>(group, "spawn_many_local", |b| {
        b.iter(|| {
            R::block_on(&rt, async {
                for _ in 0..NUM_SPAWN {
                    handles.push(R::spawn(async {}));
                }
                for handle in handles.drain(..) {
                    handle.await.unwrap();
                }
            })
        })
    });
}

/// Spawns 1,000 empty tasks through the handle from the bench thread, then
/// awaits them in `block_on` (the shared body of the two remote workloads).
fn spawn_remote_and_join<R: Rt>(
    rt: &R::Runtime,
    handle: &R::Handle,
    handles: &mut Vec<R::JoinHandle<()>>,
) {
    for _ in 0..NUM_SPAWN {
        handles.push(R::spawn_on(handle, async {}));
    }
    R::block_on(rt, async {
        for handle in handles.drain(..) {
            handle.await.unwrap();
        }
    });
}

fn spawn_many_remote_idle<R: Rt>(group: &mut BenchmarkGroup<'_, WallTime>) {
    let rt = R::build_with(Flavor::CurrentThread, Drivers::Off);
    let handle = R::handle(&rt);
    let mut handles = Vec::with_capacity(NUM_SPAWN);
    bench::<R, _>(group, "spawn_many_remote_idle", |b| {
        b.iter(|| spawn_remote_and_join::<R>(&rt, &handle, &mut handles))
    });
}

/// A task that spawns its own successor and finishes: the runtime always
/// has one runnable task besides the measured ones.
fn respawn<R: Rt>() {
    drop(R::spawn(async { respawn::<R>() }));
}

fn spawn_many_remote_busy<R: Rt>(group: &mut BenchmarkGroup<'_, WallTime>) {
    let rt = R::build_with(Flavor::CurrentThread, Drivers::Off);
    let handle = R::handle(&rt);
    let mut handles = Vec::with_capacity(NUM_SPAWN);
    // Background load, set up before timing; it runs whenever block_on does.
    drop(R::spawn_rt(&rt, async { respawn::<R>() }));
    bench::<R, _>(group, "spawn_many_remote_busy", |b| {
        b.iter(|| spawn_remote_and_join::<R>(&rt, &handle, &mut handles))
    });
    // Torn down with the runtime: dropping it cancels the chain.
    drop(rt);
}

fn rt_ct(c: &mut Criterion) {
    let mut group = config::group(c, "rt_ct");
    for_each_runtime!(spawn_many_local(&mut group));
    for_each_runtime!(spawn_many_remote_idle(&mut group));
    for_each_runtime!(spawn_many_remote_busy(&mut group));
    group.finish();
}

criterion_group! {
    name = benches;
    config = config::criterion();
    targets = rt_ct
}
criterion_main!(benches);
