//! Conformance behaviours of tasks and their handles: outputs, panics,
//! abort, `is_finished`, detaching, and when futures and outputs are
//! dropped. Written once, run on every flavour; Tokio is the reference that
//! proves each test right.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::time::Duration;

use futures::channel::oneshot;

use super::facade::{AbortHandle, Rt, RtAbortHandle, RtHandle, RtJoinError, RtJoinHandle};
use super::util::{DropCounter, Probe, turns, until};

conformance_tests! {
    spawn_and_await_gives_the_output,
    future_is_dropped_once_when_the_task_completes,
    panic_gives_a_join_error_and_the_runtime_keeps_running,
    into_panic_returns_the_payload,
    abort_cancels_a_pending_task_and_drops_its_future_once,
    abort_right_after_spawn_cancels_the_task,
    abort_after_completion_keeps_the_output,
    abort_handle_from_another_thread_wakes_the_runtime,
    abort_of_a_running_task_takes_effect_at_its_next_await,
    is_finished_tracks_the_task,
    dropping_the_join_handle_detaches_the_task,
    output_dropped_once_when_join_handle_dropped_before_completion,
    output_dropped_once_when_join_handle_dropped_after_completion,
    detached_task_panic_does_not_stop_the_runtime,
    panic_in_a_destructor_on_abort_gives_a_panic_error,
    panic_while_dropping_a_detached_output_is_contained,
    abort_handle_cancels_a_detached_task,
    aborting_a_task_detaches_the_tasks_it_was_awaiting,
    join_handle_can_be_awaited_on_another_executor,
    aborts_from_another_thread_racing_with_completion,
}

/// Panics when dropped (used to check that the runtime contains panics
/// from destructors it runs).
#[derive(Debug)]
struct PanicOnDrop;

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        panic!("destructor panics on purpose");
    }
}

/// Awaiting a task's JoinHandle gives the task's output, in any order of
/// awaiting.
fn spawn_and_await_gives_the_output<R: Rt>() {
    let rt = R::build();
    let (a, b) = rt.block_on(async {
        let a = R::spawn(async { String::from("a") });
        let b = R::spawn(async {
            R::yield_now().await;
            vec![1, 2, 3]
        });
        // Await the later one first.
        let b = b.await.unwrap();
        (a.await.unwrap(), b)
    });
    assert_eq!(a, "a");
    assert_eq!(b, [1, 2, 3]);
}

/// A task's future is dropped exactly once, when it completes (so by the
/// time its output is available), and never again at shutdown.
fn future_is_dropped_once_when_the_task_completes<R: Rt>() {
    let rt = R::build();
    let probe = Probe::new();
    probe.finish();
    let polls = rt.block_on(async {
        let polls = R::spawn(probe.future()).await.unwrap();
        assert_eq!(probe.drops(), 1);
        polls
    });
    assert_eq!(polls, 1);
    drop(rt);
    assert_eq!(probe.drops(), 1);
}

/// A panicking task's JoinHandle gives a `JoinError` with `is_panic()`
/// (not `is_cancelled()`); the panic does not escape, other tasks (one
/// pending meanwhile, one spawned later) still run, and so does `block_on`.
fn panic_gives_a_join_error_and_the_runtime_keeps_running<R: Rt>() {
    let rt = R::build();
    let probe = Probe::new();
    rt.block_on(async {
        let sibling = R::spawn(probe.future());
        until::<R>(|| probe.polls() == 1).await;
        let err = R::spawn(async { panic!("task panics on purpose") })
            .await
            .unwrap_err();
        assert!(err.is_panic());
        assert!(!err.is_cancelled());
        let text = err.to_string();
        assert!(text.contains("panicked"), "{text}");
        assert!(
            text.contains("task panics on purpose"),
            "names the message: {text}"
        );
        probe.finish();
        probe.waker().wake();
        assert_eq!(sibling.await.unwrap(), 2);
        assert_eq!(R::spawn(async { 5 }).await.unwrap(), 5);
    });
    assert_eq!(rt.block_on(async { 6 }), 6);
}

/// `JoinError::into_panic` gives back the panic's payload: a `&'static
/// str` for a literal message, a `String` for a formatted one, and any
/// other value passed to `std::panic::panic_any`.
fn into_panic_returns_the_payload<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let err = R::spawn(async { panic!("literal") }).await.unwrap_err();
        assert_eq!(*err.into_panic().downcast::<&str>().unwrap(), "literal");

        let n = std::hint::black_box(7);
        let err = R::spawn(async move { panic!("formatted {n}") })
            .await
            .unwrap_err();
        assert_eq!(
            *err.into_panic().downcast::<String>().unwrap(),
            "formatted 7"
        );

        let err = R::spawn(async { std::panic::panic_any(42u32) })
            .await
            .unwrap_err();
        assert_eq!(*err.into_panic().downcast::<u32>().unwrap(), 42);
    });
}

/// Aborting a pending task (once or twice) cancels it: its JoinHandle gives
/// `is_cancelled()` (not `is_panic()`), and its future is dropped exactly
/// once and not polled again.
fn abort_cancels_a_pending_task_and_drops_its_future_once<R: Rt>() {
    let rt = R::build();
    let probe = Probe::new();
    let err = rt.block_on(async {
        let join = R::spawn(probe.future());
        until::<R>(|| probe.polls() == 1).await;
        join.abort();
        join.abort();
        join.await.unwrap_err()
    });
    assert!(err.is_cancelled());
    assert!(!err.is_panic());
    assert!(err.to_string().contains("cancelled"), "{err}");
    assert_eq!((probe.polls(), probe.drops()), (1, 1));
    drop(rt);
    assert_eq!(probe.drops(), 1);
}

/// Aborting a task right after spawning it cancels it; on a current-thread
/// runtime it is never polled at all.
fn abort_right_after_spawn_cancels_the_task<R: Rt>() {
    let rt = R::build();
    let probe = Probe::new();
    let err = rt.block_on(async {
        let join = R::spawn(probe.future());
        join.abort();
        join.await.unwrap_err()
    });
    assert!(err.is_cancelled());
    assert_eq!(probe.drops(), 1);
    if R::CURRENT_THREAD {
        assert_eq!(probe.polls(), 0);
    }
}

/// Aborting a task that already completed does nothing: awaiting its
/// JoinHandle still gives the output, which is dropped exactly once.
fn abort_after_completion_keeps_the_output<R: Rt>() {
    let rt = R::build();
    let outputs = DropCounter::new();
    let token = outputs.token();
    rt.block_on(async {
        let join = R::spawn(async move { (11, token) });
        until::<R>(|| join.is_finished()).await;
        join.abort();
        join.abort_handle().abort();
        let (value, token) = join.await.unwrap();
        assert_eq!(value, 11);
        assert_eq!(outputs.drops(), 0);
        drop(token);
    });
    assert_eq!(outputs.drops(), 1);
}

/// An `AbortHandle` used from another thread cancels a task while the
/// runtime is parked in `block_on` awaiting that task: the abort must wake
/// the runtime.
fn abort_handle_from_another_thread_wakes_the_runtime<R: Rt>() {
    let rt = R::build();
    let probe = Probe::new();
    let err = rt.block_on(async {
        let join = R::spawn(probe.future());
        until::<R>(|| probe.polls() == 1).await;
        let abort = join.abort_handle();
        assert!(!abort.is_finished());
        let thread = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            abort.abort();
            abort
        });
        let err = join.await.unwrap_err();
        let abort = thread.join().unwrap();
        assert!(abort.is_finished());
        err
    });
    assert!(err.is_cancelled());
    assert_eq!((probe.polls(), probe.drops()), (1, 1));
}

/// A task that aborts itself keeps running until its next `.await` that
/// returns `Pending`, and no further: the code after that await never runs,
/// and its JoinHandle gives a cancelled error.
fn abort_of_a_running_task_takes_effect_at_its_next_await<R: Rt>() {
    let rt = R::build();
    let before = Arc::new(AtomicBool::new(false));
    let after = Arc::new(AtomicBool::new(false));
    let (b, a) = (before.clone(), after.clone());
    let err = rt.block_on(async move {
        let (me_tx, me_rx) = oneshot::channel();
        let join = R::spawn(async move {
            let me: AbortHandle<R> = me_rx.await.unwrap();
            me.abort();
            b.store(true, SeqCst); // still running: abort waits for a yield point
            R::yield_now().await;
            a.store(true, SeqCst);
        });
        me_tx.send(join.abort_handle()).unwrap();
        join.await.unwrap_err()
    });
    assert!(err.is_cancelled());
    assert!(before.load(SeqCst));
    assert!(!after.load(SeqCst));
}

/// `is_finished` is false while the task is pending and true once it has
/// completed, panicked, or been cancelled.
fn is_finished_tracks_the_task<R: Rt>() {
    let rt = R::build();
    let probe = Probe::new();
    rt.block_on(async {
        let pending = R::spawn(probe.future());
        until::<R>(|| probe.polls() == 1).await;
        assert!(!pending.is_finished());
        turns::<R>(3).await;
        assert!(!pending.is_finished());

        probe.finish();
        probe.waker().wake();
        until::<R>(|| pending.is_finished()).await;
        assert_eq!(pending.await.unwrap(), 2);

        let panics = R::spawn(async { panic!("task panics on purpose") });
        until::<R>(|| panics.is_finished()).await;
        assert!(panics.await.unwrap_err().is_panic());

        let aborted = R::spawn(std::future::pending::<()>());
        aborted.abort();
        until::<R>(|| aborted.is_finished()).await;
        assert!(aborted.await.unwrap_err().is_cancelled());
    });
}

/// Dropping a JoinHandle detaches the task: it is not cancelled, and runs
/// to completion.
fn dropping_the_join_handle_detaches_the_task<R: Rt>() {
    let rt = R::build();
    let probe = Probe::new();
    let done = Arc::new(AtomicBool::new(false));
    let set = done.clone();
    let future = probe.future();
    rt.block_on(async {
        drop(R::spawn(async move {
            future.await;
            set.store(true, SeqCst);
        }));
        until::<R>(|| probe.polls() == 1).await;
        probe.finish();
        probe.waker().wake();
        until::<R>(|| done.load(SeqCst)).await;
    });
    assert_eq!((probe.polls(), probe.drops()), (2, 1));
}

/// When the JoinHandle is dropped before the task completes, the task drops
/// its own output, exactly once, when it completes.
fn output_dropped_once_when_join_handle_dropped_before_completion<R: Rt>() {
    let rt = R::build();
    let probe = Probe::new();
    let outputs = DropCounter::new();
    let (future, token) = (probe.future(), outputs.token());
    rt.block_on(async {
        let join = R::spawn(async move {
            future.await;
            token
        });
        until::<R>(|| probe.polls() == 1).await;
        drop(join);
        assert_eq!(outputs.drops(), 0);
        probe.finish();
        probe.waker().wake();
        until::<R>(|| outputs.drops() == 1).await;
        turns::<R>(3).await;
    });
    drop(rt);
    assert_eq!(outputs.drops(), 1);
}

/// When the JoinHandle is dropped after the task completed, the output,
/// kept for the handle until then, is dropped exactly once, by that drop.
fn output_dropped_once_when_join_handle_dropped_after_completion<R: Rt>() {
    let rt = R::build();
    let outputs = DropCounter::new();
    let token = outputs.token();
    rt.block_on(async {
        let join = R::spawn(async move { token });
        until::<R>(|| join.is_finished()).await;
        assert_eq!(outputs.drops(), 0, "the output waits for the JoinHandle");
        drop(join);
        assert_eq!(
            outputs.drops(),
            1,
            "dropping the JoinHandle dropped the output"
        );
    });
    drop(rt);
    assert_eq!(outputs.drops(), 1);
}

/// A panic in a detached task (its JoinHandle dropped) is caught: the
/// runtime, its other tasks and `block_on` keep running.
fn detached_task_panic_does_not_stop_the_runtime<R: Rt>() {
    let rt = R::build();
    let probe = Probe::new();
    let panicked = Arc::new(AtomicBool::new(false));
    let flag = panicked.clone();
    rt.block_on(async {
        let sibling = R::spawn(probe.future());
        until::<R>(|| probe.polls() == 1).await;
        drop(R::spawn(async move {
            flag.store(true, SeqCst);
            R::yield_now().await;
            panic!("detached task panics on purpose");
        }));
        until::<R>(|| panicked.load(SeqCst)).await;
        turns::<R>(5).await;
        probe.finish();
        probe.waker().wake();
        assert_eq!(sibling.await.unwrap(), 2);
    });
    assert_eq!(
        rt.block_on(async { R::spawn(async { 3 }).await.unwrap() }),
        3
    );
}

/// If a task's future panics while being dropped (on abort, or at
/// shutdown), the panic is caught and its JoinHandle gives a `JoinError`
/// with `is_panic()`; the runtime keeps running and shuts down normally.
///
/// Each task says when its bomb is armed (it holds the `PanicOnDrop`): a
/// task aborted before its first poll holds no bomb yet, and is simply
/// cancelled; on a multi-thread runtime a few turns of `block_on` do not
/// guarantee that a worker polled it.
fn panic_in_a_destructor_on_abort_gives_a_panic_error<R: Rt>() {
    let rt = R::build();
    let armed = Arc::new(AtomicUsize::new(0));
    let bomb = |armed: Arc<AtomicUsize>| async move {
        let _bomb = PanicOnDrop;
        armed.fetch_add(1, SeqCst);
        std::future::pending::<()>().await;
    };
    let at_shutdown = rt.handle().spawn(bomb(armed.clone()));
    rt.block_on(async {
        let aborted = R::spawn(bomb(armed.clone()));
        until::<R>(|| armed.load(SeqCst) == 2).await;
        aborted.abort();
        let err = aborted.await.unwrap_err();
        assert!(err.is_panic(), "{err:?}");
        assert_eq!(R::spawn(async { 1 }).await.unwrap(), 1);
    });
    drop(rt);
    let err = futures::executor::block_on(at_shutdown).unwrap_err();
    assert!(err.is_panic(), "{err:?}");
}

/// A detached task whose output panics when dropped (the runtime drops it,
/// since nobody will read it) does not bring the runtime down.
fn panic_while_dropping_a_detached_output_is_contained<R: Rt>() {
    let rt = R::build();
    let probe = Probe::new();
    let future = probe.future();
    rt.block_on(async {
        let join = R::spawn(async move {
            future.await;
            PanicOnDrop
        });
        until::<R>(|| probe.polls() == 1).await;
        drop(join);
        probe.finish();
        probe.waker().wake();
        until::<R>(|| probe.drops() == 1).await;
        turns::<R>(5).await;
        assert_eq!(R::spawn(async { 4 }).await.unwrap(), 4);
    });
    assert_eq!(rt.block_on(async { 5 }), 5);
}

/// An `AbortHandle` still cancels a task after its JoinHandle was dropped
/// (the task detached): the future is dropped exactly once, and
/// `AbortHandle::is_finished` turns true.
fn abort_handle_cancels_a_detached_task<R: Rt>() {
    let rt = R::build();
    let probe = Probe::new();
    rt.block_on(async {
        let join = R::spawn(probe.future());
        let abort = join.abort_handle();
        drop(join);
        until::<R>(|| probe.polls() == 1).await;
        assert!(!abort.is_finished());
        abort.abort();
        until::<R>(|| abort.is_finished()).await;
        assert_eq!(probe.drops(), 1);
    });
    assert_eq!((probe.polls(), probe.drops()), (1, 1));
}

/// Aborting a task drops the JoinHandles it held, which detaches (does not
/// cancel) the tasks they belong to: those still run to completion.
fn aborting_a_task_detaches_the_tasks_it_was_awaiting<R: Rt>() {
    let rt = R::build();
    let inner = Probe::new();
    let done = Arc::new(AtomicBool::new(false));
    let (future, set) = (inner.future(), done.clone());
    rt.block_on(async {
        let outer = R::spawn(async move {
            let inner_join = R::spawn(async move {
                future.await;
                set.store(true, SeqCst);
            });
            inner_join.await.unwrap();
            unreachable!("the outer task is aborted before the inner one finishes");
        });
        until::<R>(|| inner.polls() == 1).await;
        turns::<R>(3).await;
        outer.abort();
        assert!(outer.await.unwrap_err().is_cancelled());
        inner.finish();
        inner.waker().wake();
        until::<R>(|| done.load(SeqCst)).await;
    });
    assert_eq!((inner.polls(), inner.drops()), (2, 1));
}

/// A JoinHandle can be awaited outside the runtime, by another executor on
/// another thread (here `futures::executor::block_on`), while the runtime
/// runs the task: the task's completion wakes that executor.
fn join_handle_can_be_awaited_on_another_executor<R: Rt>() {
    let rt = R::build();
    let probe = Probe::new();
    let join = rt.handle().spawn(probe.future());
    rt.block_on(until::<R>(|| probe.polls() == 1));
    let waiter = std::thread::spawn(move || futures::executor::block_on(join).unwrap());
    rt.block_on(async {
        turns::<R>(3).await;
        probe.finish();
        probe.waker().wake();
        until::<R>(|| waiter.is_finished()).await;
    });
    assert_eq!(waiter.join().unwrap(), 2);
}

/// A thread aborts 200 tasks, in bursts of 10, while they run to
/// completion (each waits until the aborts begin, then yields up to 16 more
/// times): every JoinHandle gives either the output or a cancelled error,
/// never anything else, and every future is dropped exactly once.
fn aborts_from_another_thread_racing_with_completion<R: Rt>() {
    const TASKS: usize = 200;
    let rt = R::build();
    let futures_dropped = DropCounter::new();
    let aborting = Arc::new(AtomicBool::new(false));
    let (completed, cancelled) = rt.block_on(async {
        let joins: Vec<_> = (0..TASKS)
            .map(|i| {
                let token = futures_dropped.token();
                let aborting = aborting.clone();
                R::spawn(async move {
                    let _token = token;
                    until::<R>(|| aborting.load(SeqCst)).await;
                    turns::<R>(i % 17).await;
                    i
                })
            })
            .collect();
        let aborts: Vec<_> = joins.iter().map(|join| join.abort_handle()).collect();
        let aborting = aborting.clone();
        let aborter = std::thread::spawn(move || {
            aborting.store(true, SeqCst);
            for (n, abort) in aborts.iter().rev().enumerate() {
                abort.abort();
                if n % 10 == 9 {
                    // Let some tasks finish meanwhile.
                    std::thread::sleep(Duration::from_micros(100));
                }
            }
        });
        let (mut completed, mut cancelled) = (0, 0);
        for (i, join) in joins.into_iter().enumerate() {
            match join.await {
                Ok(output) => {
                    assert_eq!(output, i);
                    completed += 1;
                }
                Err(err) => {
                    assert!(err.is_cancelled(), "{err:?}");
                    cancelled += 1;
                }
            }
        }
        aborter.join().unwrap();
        (completed, cancelled)
    });
    assert_eq!(completed + cancelled, TASKS);
    assert_eq!(futures_dropped.drops(), TASKS);
}
