//! Conformance behaviours of `task::JoinSet`: outputs in completion
//! order, `try_join_next`, `abort_all`, `join_all`, and dropping the set.
//! Written once, run on every flavour; Tokio is the reference that proves
//! each test right.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use super::facade::{Rt, RtAbortHandle, RtJoinError, RtJoinSet};
use super::util::{DropCounter, turns, until};

conformance_tests! {
    join_set_gives_every_output_once,
    join_set_gives_outputs_in_completion_order,
    join_set_try_join_next_does_not_wait,
    join_set_on_an_empty_set_gives_none,
    join_set_reports_a_panicking_task,
    join_set_abort_all_cancels_every_pending_task,
    dropping_a_join_set_aborts_its_tasks,
    join_set_abort_handle_cancels_one_task,
    join_set_join_all_gives_every_output,
    join_set_join_all_resumes_a_task_panic,
}

/// Every task's output comes out of `join_next` exactly once; `len`
/// counts the tasks not yet joined; then `join_next` gives `None`.
fn join_set_gives_every_output_once<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let mut set = R::join_set::<u32>();
        for i in 0..50 {
            set.spawn(async move {
                turns::<R>(i as usize % 4).await;
                i * 3
            });
        }
        assert_eq!(set.len(), 50);
        let mut outputs = Vec::new();
        while let Some(result) = set.join_next().await {
            outputs.push(result.unwrap());
            assert_eq!(set.len(), 50 - outputs.len());
        }
        assert!(set.is_empty());
        outputs.sort_unstable();
        assert_eq!(outputs, (0..50).map(|i| i * 3).collect::<Vec<_>>());
    });
}

/// `join_next` gives the outputs in the order the tasks completed, not the
/// order they were spawned in: here task `i` finishes after `3 * (5 - i)`
/// yields. On a single thread that order is certain; with several workers
/// only the set of outputs is.
fn join_set_gives_outputs_in_completion_order<R: Rt>() {
    let rt = R::build();
    let order = rt.block_on(async {
        let mut set = R::join_set::<usize>();
        for i in 0..5 {
            set.spawn(async move {
                turns::<R>(3 * (5 - i)).await;
                i
            });
        }
        let mut order = Vec::new();
        while let Some(result) = set.join_next().await {
            order.push(result.unwrap());
        }
        order
    });
    if R::CURRENT_THREAD {
        assert_eq!(order, [4, 3, 2, 1, 0]);
    } else {
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, [0, 1, 2, 3, 4], "{order:?}");
    }
}

/// `try_join_next` gives `None` while no task has completed (without
/// waiting), and a completed task's output once there is one.
fn join_set_try_join_next_does_not_wait<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let mut set = R::join_set::<u8>();
        assert!(set.try_join_next().is_none(), "empty set");
        let (tx, rx) = R::oneshot::<()>();
        set.spawn(async move {
            rx.await.unwrap();
            7
        });
        turns::<R>(3).await;
        assert!(set.try_join_next().is_none(), "the task is still waiting");
        assert_eq!(set.len(), 1);
        super::facade::RtOneshotSender::send(tx, ()).unwrap();
        let output = loop {
            if let Some(result) = set.try_join_next() {
                break result.unwrap();
            }
            R::yield_now().await;
        };
        assert_eq!(output, 7);
        assert!(set.is_empty());
        assert!(set.try_join_next().is_none());
    });
}

/// `join_next` on an empty set gives `None` at once, also after all tasks
/// were joined.
fn join_set_on_an_empty_set_gives_none<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let mut set = R::join_set::<()>();
        assert!(set.is_empty());
        assert!(set.join_next().await.is_none());
        set.spawn(async {});
        assert!(set.join_next().await.unwrap().is_ok());
        assert!(set.join_next().await.is_none());
    });
}

/// A task that panics comes out of `join_next` as a `JoinError` with
/// `is_panic()`; the set's other tasks still complete.
fn join_set_reports_a_panicking_task<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let mut set = R::join_set::<u8>();
        set.spawn(async { panic!("task in a set panics on purpose") });
        set.spawn(async { 1 });
        set.spawn(async { 2 });
        let (mut ok, mut panics) = (Vec::new(), 0);
        while let Some(result) = set.join_next().await {
            match result {
                Ok(value) => ok.push(value),
                Err(err) => {
                    assert!(err.is_panic());
                    panics += 1;
                }
            }
        }
        ok.sort_unstable();
        assert_eq!((ok, panics), (vec![1, 2], 1));
    });
}

/// `abort_all` cancels every pending task: each comes out of `join_next`
/// as a cancelled `JoinError`, and every future is dropped once; a task
/// that had already completed still gives its output.
fn join_set_abort_all_cancels_every_pending_task<R: Rt>() {
    let rt = R::build();
    let drops = DropCounter::new();
    rt.block_on(async {
        let mut set = R::join_set::<u8>();
        set.spawn(async { 1 });
        assert_eq!(set.join_next().await.unwrap().unwrap(), 1);
        // A task that completes (most likely) before the abort.
        let finished = Arc::new(AtomicUsize::new(0));
        let flag = finished.clone();
        set.spawn(async move {
            flag.store(1, SeqCst);
            2
        });
        until::<R>(|| finished.load(SeqCst) == 1).await;
        turns::<R>(5).await;
        for _ in 0..10 {
            let token = drops.token();
            set.spawn(async move {
                let _token = token;
                std::future::pending::<u8>().await
            });
        }
        set.abort_all();
        assert_eq!(set.len(), 11, "aborted tasks stay until joined");
        let (mut outputs, mut cancelled) = (Vec::new(), 0);
        while let Some(result) = set.join_next().await {
            match result {
                Ok(value) => outputs.push(value),
                Err(err) => {
                    assert!(err.is_cancelled(), "{err:?}");
                    cancelled += 1;
                }
            }
        }
        assert_eq!(outputs.len() + cancelled, 11);
        assert!(cancelled >= 10);
        assert!(outputs.iter().all(|&v| v == 2), "{outputs:?}");
        assert_eq!(drops.drops(), 10);
    });
}

/// Dropping a `JoinSet` aborts its tasks: their futures are dropped (once
/// each), without waiting for the runtime to shut down.
fn dropping_a_join_set_aborts_its_tasks<R: Rt>() {
    let rt = R::build();
    let drops = DropCounter::new();
    let started = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        let mut set = R::join_set::<()>();
        for _ in 0..8 {
            let (token, started) = (drops.token(), started.clone());
            set.spawn(async move {
                let _token = token;
                started.fetch_add(1, SeqCst);
                std::future::pending::<()>().await
            });
        }
        until::<R>(|| started.load(SeqCst) == 8).await;
        drop(set);
        until::<R>(|| drops.drops() == 8).await;
    });
    assert_eq!(drops.drops(), 8);
}

/// The `AbortHandle` that `JoinSet::spawn` returns cancels that task
/// alone.
fn join_set_abort_handle_cancels_one_task<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let mut set = R::join_set::<u8>();
        let doomed = set.spawn(std::future::pending());
        set.spawn(async { 5 });
        doomed.abort();
        let mut results = Vec::new();
        while let Some(result) = set.join_next().await {
            results.push(result.map_err(|err| err.is_cancelled()));
        }
        results.sort_unstable();
        assert_eq!(results, [Ok(5), Err(true)]);
        assert!(doomed.is_finished());
    });
}

/// `join_all` waits for every task and gives all the outputs (on a single
/// thread, in completion order).
fn join_set_join_all_gives_every_output<R: Rt>() {
    let rt = R::build();
    let outputs = rt.block_on(async {
        let mut set = R::join_set::<usize>();
        for i in 0..4 {
            set.spawn(async move {
                turns::<R>(3 * (4 - i)).await;
                i
            });
        }
        set.join_all().await
    });
    if R::CURRENT_THREAD {
        assert_eq!(outputs, [3, 2, 1, 0]);
    } else {
        let mut sorted = outputs.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, [0, 1, 2, 3], "{outputs:?}");
    }
}

/// `join_all` resumes a task's panic in the task that awaits it (so the
/// awaiting task panics with the same payload).
fn join_set_join_all_resumes_a_task_panic<R: Rt>() {
    let rt = R::build();
    let err = rt.block_on(async {
        R::spawn(async {
            let mut set = R::join_set::<u8>();
            set.spawn(async { 1 });
            set.spawn(async { std::panic::panic_any(1234u32) });
            set.join_all().await
        })
        .await
        .unwrap_err()
    });
    assert!(err.is_panic());
    assert_eq!(*err.into_panic().downcast::<u32>().unwrap(), 1234);
}
