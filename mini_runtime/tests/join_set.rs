//! `JoinSet`: completion order, abort, drop, try_join_next, join_all.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::time::Duration;

use common::{DropCounter, Pending, with_time_limit};
use mini_runtime::runtime::{Builder, Runtime};
use mini_runtime::task::{self, JoinSet};

const LIMIT: Duration = Duration::from_secs(30);

fn rt() -> Runtime {
    Builder::new_current_thread().enable_all().build().unwrap()
}

/// Yields `n` times, then returns `value`.
async fn after_yields(n: usize, value: usize) -> usize {
    for _ in 0..n {
        task::yield_now().await;
    }
    value
}

#[test]
fn results_come_in_completion_order() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let order = rt.block_on(async {
            let mut set = JoinSet::new();
            // Spawned in reverse of their finishing order.
            for (yields, value) in [(30, 3), (20, 2), (10, 1), (0, 0)] {
                set.spawn(after_yields(yields, value));
            }
            assert_eq!(set.len(), 4);
            let mut order = Vec::new();
            while let Some(result) = set.join_next().await {
                order.push(result.unwrap());
            }
            assert!(set.is_empty());
            order
        });
        assert_eq!(order, vec![0, 1, 2, 3]);
    });
}

#[test]
fn join_next_on_an_empty_set_is_none() {
    let rt = rt();
    rt.block_on(async {
        let mut set = JoinSet::<()>::new();
        assert!(set.join_next().await.is_none());
        assert!(set.try_join_next().is_none());
    });
}

#[test]
fn try_join_next_does_not_wait() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        rt.block_on(async {
            let mut set = JoinSet::new();
            set.spawn(after_yields(3, 7));
            assert!(set.try_join_next().is_none());
            for _ in 0..10 {
                task::yield_now().await;
            }
            assert_eq!(set.try_join_next().unwrap().unwrap(), 7);
            assert!(set.try_join_next().is_none());
        });
    });
}

#[test]
fn abort_all_cancels_and_dropping_the_set_aborts() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let drops = DropCounter::new();
        rt.block_on(async {
            let mut set = JoinSet::new();
            for _ in 0..3 {
                set.spawn(Pending::new(Some(drops.guard())));
            }
            set.abort_all();
            let mut cancelled = 0;
            while let Some(r) = set.join_next().await {
                assert!(r.unwrap_err().is_cancelled());
                cancelled += 1;
            }
            assert_eq!(cancelled, 3);
            assert_eq!(drops.count(), 3);

            let mut set = JoinSet::new();
            for _ in 0..2 {
                set.spawn(Pending::new(Some(drops.guard())));
            }
            task::yield_now().await;
            drop(set);
            for _ in 0..5 {
                task::yield_now().await;
            }
            assert_eq!(drops.count(), 5, "dropping the set aborted its tasks");
        });
    });
}

#[test]
fn join_all_and_spawn_blocking() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let mut out = rt.block_on(async {
            let mut set = JoinSet::new();
            for i in 0..10 {
                set.spawn(async move { i * 4 });
            }
            set.spawn_blocking(|| 100);
            set.join_all().await
        });
        out.sort();
        let mut expected: Vec<i32> = (0..10).map(|i| i * 4).collect();
        expected.push(100);
        assert_eq!(out, expected);
    });
}

#[test]
fn spawn_on_a_handle_and_abort_handles() {
    with_time_limit(LIMIT, || {
        let rt = rt();
        let ran = Arc::new(AtomicBool::new(false));
        rt.block_on(async {
            let mut set = JoinSet::new();
            let handle = mini_runtime::runtime::Handle::current();
            let r = ran.clone();
            set.spawn_on(async move { r.store(true, SeqCst) }, &handle);
            let abort = set.spawn(std::future::pending::<()>());
            abort.abort();
            let mut results = Vec::new();
            while let Some(r) = set.join_next().await {
                results.push(r.is_ok());
            }
            results.sort();
            assert_eq!(results, vec![false, true]);
        });
        assert!(ran.load(SeqCst));
    });
}
