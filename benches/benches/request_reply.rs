//! `request_reply`: a responder task loops on a bounded mpsc channel
//! (capacity 10) of oneshot senders and answers each; one iteration is
//! 1,000 request/reply round trips from `block_on` (Tokio's
//! `benches/sync_mpsc_oneshot.rs`, same parameters).
//!
//! | id | runtime | channels |
//! |---|---|---|
//! | `request_reply/ct` | current-thread | `futures::channel::{mpsc, oneshot}` (runtime-neutral) |
//! | `request_reply/mt1` | multi-thread, 1 worker | same |
//! | `request_reply/ct/native` | current-thread | each runtime's own `sync::{mpsc, oneshot}`, as Tokio's file |
//! | `request_reply/mt1/native` | multi-thread, 1 worker | same |
//!
//! The runtimes are built without drivers (no `enable_all`), as in Tokio's
//! file (see `benches::Drivers`).
//!
//! The responder is spawned before timing and ends when the runtime is
//! dropped after the benchmark.

use benches::config::{self, bench};
use benches::{Drivers, Flavor, MpscReceiver, MpscSender, OneshotSender, Rt, for_each_runtime};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use futures::{SinkExt, StreamExt};

const ROUND_TRIPS: usize = 1_000;
const CAPACITY: usize = 10;

fn request_reply<R: Rt>(group: &mut BenchmarkGroup<'_, WallTime>, flavor: Flavor) {
    use futures::channel::{mpsc, oneshot};

    let rt = R::build_with(flavor, Drivers::Off);
    let tx = R::block_on(&rt, async {
        let (tx, mut rx) = mpsc::channel::<oneshot::Sender<()>>(CAPACITY);
        drop(R::spawn(async move {
            while let Some(reply) = rx.next().await {
                reply.send(()).unwrap();
            }
        }));
        tx
    });
    bench::<R, _>(group, &flavor.to_string(), |b| {
        b.iter(|| {
            let mut tx = tx.clone();
            R::block_on(&rt, async move {
                for _ in 0..ROUND_TRIPS {
                    let (reply_tx, reply_rx) = oneshot::channel();
                    tx.send(reply_tx).await.unwrap();
                    reply_rx.await.unwrap();
                }
            })
        })
    });
    drop(tx);
    drop(rt);
}

fn request_reply_native<R: Rt>(group: &mut BenchmarkGroup<'_, WallTime>, flavor: Flavor) {
    let rt = R::build_with(flavor, Drivers::Off);
    let tx = R::block_on(&rt, async {
        let (tx, mut rx) = R::mpsc::<R::OneshotSender<()>>(CAPACITY);
        drop(R::spawn(async move {
            while let Some(reply) = rx.recv().await {
                reply.send(()).unwrap();
            }
        }));
        tx
    });
    bench::<R, _>(group, &format!("{flavor}/native"), |b| {
        b.iter(|| {
            let tx = tx.clone();
            R::block_on(&rt, async move {
                for _ in 0..ROUND_TRIPS {
                    let (reply_tx, reply_rx) = R::oneshot();
                    tx.send(reply_tx).await.unwrap();
                    reply_rx.await.unwrap();
                }
            })
        })
    });
    drop(tx);
    drop(rt);
}

fn request_reply_group(c: &mut Criterion) {
    let mut group = config::group(c, "request_reply");
    for flavor in [Flavor::CurrentThread, Flavor::MultiThread(1)] {
        for_each_runtime!(request_reply(&mut group, flavor));
    }
    for flavor in [Flavor::CurrentThread, Flavor::MultiThread(1)] {
        for_each_runtime!(request_reply_native(&mut group, flavor));
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = config::criterion();
    targets = request_reply_group
}
criterion_main!(benches);
