//! Conformance behaviours of the blocking pool: `spawn_blocking` (through
//! `task::`, `Handle::` and `Runtime::`), `Builder::max_blocking_threads`,
//! and what runtime shutdown does to blocking jobs (`Drop`,
//! `shutdown_timeout`, `shutdown_background`). Written once, run on every
//! flavour; Tokio is the reference that proves each test right.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use super::facade::{
    Library, Options, Rt, RtAbortHandle, RtHandle, RtJoinError, RtJoinHandle, RtRuntime,
};
use super::util::DropCounter;

conformance_tests! {
    spawn_blocking_gives_the_closures_result,
    runtime_spawn_blocking_works_outside_block_on,
    spawn_blocking_panic_gives_a_panic_join_error,
    spawn_blocking_runs_off_the_runtime_while_tasks_keep_running,
    max_blocking_threads_caps_the_jobs_running_at_once,
    spawn_blocking_closure_runs_inside_the_runtime_context,
    abort_prevents_a_queued_blocking_job_from_starting,
    abort_does_not_stop_a_running_blocking_job,
    runtime_drop_waits_for_a_running_blocking_job,
    runtime_drop_never_leaves_a_queued_blocking_job_running,
    shutdown_timeout_returns_while_a_blocking_job_is_stuck,
    shutdown_background_returns_while_a_blocking_job_is_stuck,
}

/// Blocks the calling thread until `started` receives, for at most the
/// suite's time limit.
fn wait_for(started: &mpsc::Receiver<()>) {
    started
        .recv_timeout(super::util::TIME_LIMIT)
        .expect("the blocking job did not start");
}

/// A closure run with `task::spawn_blocking`, `Handle::spawn_blocking` or
/// `Runtime::spawn_blocking` gives its result through the JoinHandle; 50
/// jobs at once all complete.
fn spawn_blocking_gives_the_closures_result<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        assert_eq!(R::spawn_blocking(|| 6 * 7).await.unwrap(), 42);
        let handle = R::current();
        assert_eq!(handle.spawn_blocking(|| "handle").await.unwrap(), "handle");
        let joins: Vec<_> = (0..50u64)
            .map(|i| {
                R::spawn_blocking(move || {
                    std::thread::sleep(Duration::from_micros(200));
                    i * i
                })
            })
            .collect();
        let mut sum = 0;
        for join in joins {
            sum += join.await.unwrap();
        }
        assert_eq!(sum, (0..50u64).map(|i| i * i).sum::<u64>());
    });
    let join = rt.runtime().spawn_blocking(|| 5);
    assert_eq!(rt.block_on(join).unwrap(), 5);
}

/// `Runtime::spawn_blocking` works from outside any runtime context; its
/// JoinHandle can be awaited on another executor.
fn runtime_spawn_blocking_works_outside_block_on<R: Rt>() {
    let rt = R::build();
    assert!(R::try_current().is_none());
    let join = rt
        .runtime()
        .spawn_blocking(|| String::from("off the runtime"));
    assert_eq!(
        futures::executor::block_on(join).unwrap(),
        "off the runtime"
    );
}

/// A panic in the closure is caught: the JoinHandle gives a `JoinError`
/// with `is_panic()` and the payload, and the pool keeps working.
fn spawn_blocking_panic_gives_a_panic_join_error<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let err = R::spawn_blocking(|| std::panic::panic_any(99u8))
            .await
            .unwrap_err();
        assert!(err.is_panic());
        assert!(!err.is_cancelled());
        assert_eq!(*err.into_panic().downcast::<u8>().unwrap(), 99);
        assert_eq!(R::spawn_blocking(|| 1).await.unwrap(), 1);
    });
}

/// The closure runs on a thread of its own, not on `block_on`'s thread,
/// and while it blocks the runtime's tasks keep running: here the job
/// waits for a value that only an async task sends.
fn spawn_blocking_runs_off_the_runtime_while_tasks_keep_running<R: Rt>() {
    let rt = R::build();
    let caller = std::thread::current().id();
    rt.block_on(async {
        let (tx, rx) = mpsc::channel::<u32>();
        let job = R::spawn_blocking(move || {
            let value = rx.recv_timeout(super::util::TIME_LIMIT).unwrap();
            (value, std::thread::current().id())
        });
        R::spawn(async move {
            R::yield_now().await;
            tx.send(11).unwrap();
        })
        .await
        .unwrap();
        let (value, job_thread) = job.await.unwrap();
        assert_eq!(value, 11);
        assert_ne!(job_thread, caller);
    });
}

/// With `max_blocking_threads(2)`, six jobs that each wait until two jobs
/// run at once (or a second passes) run at most two at a time, and
/// exactly two at some moment: the cap is reached, never exceeded. All
/// six complete.
fn max_blocking_threads_caps_the_jobs_running_at_once<R: Rt>() {
    const CAP: usize = 2;
    let rt = R::build_with(Options {
        max_blocking_threads: Some(CAP),
        ..Options::default()
    });
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        let joins: Vec<_> = (0..6)
            .map(|_| {
                let (running, most) = (running.clone(), most.clone());
                R::spawn_blocking(move || {
                    let now = running.fetch_add(1, SeqCst) + 1;
                    most.fetch_max(now, SeqCst);
                    let start = Instant::now();
                    while most.load(SeqCst) < CAP && start.elapsed() < Duration::from_secs(1) {
                        std::thread::sleep(Duration::from_micros(100));
                    }
                    std::thread::sleep(Duration::from_millis(2));
                    running.fetch_sub(1, SeqCst);
                })
            })
            .collect();
        for join in joins {
            join.await.unwrap();
        }
    });
    assert_eq!(most.load(SeqCst), CAP);
}

/// Inside a `spawn_blocking` closure the runtime is current:
/// `Handle::current()` works, and tasks can be spawned through it and
/// with `spawn`.
fn spawn_blocking_closure_runs_inside_the_runtime_context<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let (a, b) = R::spawn_blocking(|| {
            assert!(R::try_current().is_some());
            let a = R::current().spawn(async { 40 });
            let b = R::spawn(async { 2 });
            (a, b)
        })
        .await
        .unwrap();
        assert_eq!(a.await.unwrap() + b.await.unwrap(), 42);
    });
}

/// With one blocking thread busy, a second job waits in the queue;
/// aborting it then prevents it from ever starting: its JoinHandle gives a
/// cancelled error and its closure is dropped without running.
fn abort_prevents_a_queued_blocking_job_from_starting<R: Rt>() {
    let rt = R::build_with(Options {
        max_blocking_threads: Some(1),
        ..Options::default()
    });
    let ran = Arc::new(AtomicBool::new(false));
    let drops = DropCounter::new();
    rt.block_on(async {
        let (started_tx, started_rx) = mpsc::channel();
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let busy = R::spawn_blocking(move || {
            started_tx.send(()).unwrap();
            release_rx.recv_timeout(super::util::TIME_LIMIT).unwrap();
        });
        wait_for(&started_rx);
        let (flag, token) = (ran.clone(), drops.token());
        let queued = R::spawn_blocking(move || {
            let _token = token;
            flag.store(true, SeqCst);
        });
        queued.abort();
        release_tx.send(()).unwrap();
        busy.await.unwrap();
        assert!(queued.await.unwrap_err().is_cancelled());
    });
    assert!(!ran.load(SeqCst));
    assert_eq!(drops.drops(), 1);
}

/// Aborting a blocking job that already runs has no effect: it runs to
/// the end, and its JoinHandle gives its result.
fn abort_does_not_stop_a_running_blocking_job<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let (started_tx, started_rx) = mpsc::channel();
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let job = R::spawn_blocking(move || {
            started_tx.send(()).unwrap();
            release_rx.recv_timeout(super::util::TIME_LIMIT).unwrap();
            "finished"
        });
        wait_for(&started_rx);
        job.abort();
        job.abort_handle().abort();
        assert!(!job.abort_handle().is_finished());
        release_tx.send(()).unwrap();
        assert_eq!(job.await.unwrap(), "finished");
    });
}

/// Dropping the runtime waits for a blocking job that is running: when the
/// drop returns, the job has finished.
fn runtime_drop_waits_for_a_running_blocking_job<R: Rt>() {
    let rt = R::build();
    let finished = Arc::new(AtomicBool::new(false));
    let flag = finished.clone();
    let (started_tx, started_rx) = mpsc::channel();
    let job = rt.runtime().spawn_blocking(move || {
        started_tx.send(()).unwrap();
        std::thread::sleep(Duration::from_millis(30));
        flag.store(true, SeqCst);
        3
    });
    wait_for(&started_rx);
    drop(rt);
    assert!(
        finished.load(SeqCst),
        "drop returned before the job finished"
    );
    assert_eq!(futures::executor::block_on(job).unwrap(), 3);
}

/// A blocking job still queued when the runtime is dropped (the only
/// blocking thread being busy) is never left running: when the drop
/// returns it has either run to completion or been cancelled, its closure
/// dropped without running. mini_runtime documents the stronger "queued
/// jobs are cancelled" and is held to it; Tokio's pool may still run a
/// queued job on the thread that finishes the running one ("it is
/// possible for a blocking task to be cancelled if it has not yet started
/// running, but this is not guaranteed"), and does here.
///
/// The busy job is released only once the queued closure was dropped, or
/// 100 ms after the drop began: so the queued job cannot start before the
/// drop, however slow the machine.
fn runtime_drop_never_leaves_a_queued_blocking_job_running<R: Rt>() {
    let rt = R::build_with(Options {
        max_blocking_threads: Some(1),
        ..Options::default()
    });
    let (started_tx, started_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let busy = rt.runtime().spawn_blocking(move || {
        started_tx.send(()).unwrap();
        release_rx.recv_timeout(super::util::TIME_LIMIT).unwrap();
    });
    wait_for(&started_rx);
    let state = Arc::new(AtomicUsize::new(0)); // 0 never ran, 1 running, 2 done
    let drops = DropCounter::new();
    let (flag, token) = (state.clone(), drops.token());
    let queued = rt.runtime().spawn_blocking(move || {
        let _token = token;
        flag.store(1, SeqCst);
        std::thread::sleep(Duration::from_millis(5));
        flag.store(2, SeqCst);
    });
    let watched = drops.clone();
    let releaser = std::thread::spawn(move || {
        let start = Instant::now();
        while watched.drops() == 0 && start.elapsed() < Duration::from_millis(100) {
            std::thread::sleep(Duration::from_micros(200));
        }
        release_tx.send(()).unwrap();
    });
    drop(rt);
    releaser.join().unwrap();
    assert_eq!(drops.drops(), 1, "the queued closure was dropped");
    let state = state.load(SeqCst);
    let result = futures::executor::block_on(queued);
    match state {
        0 => assert!(result.unwrap_err().is_cancelled()),
        2 => result.unwrap(),
        _ => panic!("the queued job is still running after the runtime drop"),
    }
    if R::Lib::CRATE == "mini_runtime" {
        assert_eq!(state, 0, "mini_runtime cancels queued blocking jobs");
    }
    futures::executor::block_on(busy).unwrap();
}

/// `shutdown_timeout` returns once the timeout has passed although a
/// blocking job is stuck; the job is not interrupted: released afterwards,
/// it completes and its JoinHandle gives the result.
fn shutdown_timeout_returns_while_a_blocking_job_is_stuck<R: Rt>() {
    let rt = R::build();
    let (started_tx, started_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let job = rt.runtime().spawn_blocking(move || {
        started_tx.send(()).unwrap();
        release_rx.recv_timeout(super::util::TIME_LIMIT).unwrap();
        "released"
    });
    wait_for(&started_rx);
    let start = Instant::now();
    rt.shutdown_timeout(Duration::from_millis(30));
    assert!(start.elapsed() >= Duration::from_millis(30));
    assert!(!job.is_finished());
    release_tx.send(()).unwrap();
    assert_eq!(futures::executor::block_on(job).unwrap(), "released");
}

/// `shutdown_background` returns without waiting for a stuck blocking job,
/// which is left to finish on its own.
fn shutdown_background_returns_while_a_blocking_job_is_stuck<R: Rt>() {
    let rt = R::build();
    let (started_tx, started_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let job = rt.runtime().spawn_blocking(move || {
        started_tx.send(()).unwrap();
        release_rx.recv_timeout(super::util::TIME_LIMIT).unwrap();
        7
    });
    wait_for(&started_rx);
    rt.shutdown_background();
    assert!(!job.is_finished());
    release_tx.send(()).unwrap();
    assert_eq!(futures::executor::block_on(job).unwrap(), 7);
}
