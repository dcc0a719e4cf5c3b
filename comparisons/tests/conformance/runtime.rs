//! Conformance behaviours of the runtime itself: `block_on`, shutdown,
//! handles, remote spawns, entering a runtime. Written once, run on every
//! flavour; Tokio is the reference that proves each test right.

use std::panic::AssertUnwindSafe;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::task::Waker;
use std::time::Duration;

use futures::channel::oneshot;

use super::facade::{
    AbortHandle, JoinHandle, Rt, RtAbortHandle, RtHandle, RtJoinError, RtJoinHandle,
};
use super::util::{DropCounter, Probe, turns, until};

conformance_tests! {
    block_on_returns_the_output,
    spawned_tasks_run_while_block_on_waits,
    tasks_live_on_between_block_on_calls,
    runtime_drop_cancels_pending_tasks,
    runtime_drop_drops_a_task_only_a_waker_refers_to,
    runtime_drop_does_not_wait_for_an_endless_task,
    remote_spawn_wakes_a_parked_runtime,
    remote_spawns_from_four_threads_all_run,
    ten_thousand_tasks_complete,
    handle_current_works_only_inside_a_runtime,
    enter_lets_spawn_work_outside_block_on,
    nested_enter_guards_restore_the_outer_runtime,
    spawn_after_runtime_drop_gives_a_cancelled_task,
    handle_block_on_on_another_thread_awaits_a_task,
    block_on_polls_its_future_on_the_calling_thread,
    block_on_panic_propagates_and_the_runtime_stays_usable,
    a_busy_task_does_not_starve_block_on_or_remote_spawns,
    spawn_in_a_destructor_during_runtime_drop_gives_a_cancelled_task,
    wakes_and_aborts_from_destructors_during_runtime_drop_lose_no_future,
}

/// `block_on` returns its future's output; the future need be neither
/// `Send` nor `'static`.
fn block_on_returns_the_output<R: Rt>() {
    let rt = R::build();
    let not_send = Rc::new(40);
    let borrowed = &not_send;
    let out = rt.block_on(async { **borrowed + 2 });
    assert_eq!(out, 42);
    assert_eq!(rt.block_on(async { "again" }), "again");
}

/// A detached task (its JoinHandle dropped) runs while `block_on` awaits
/// something else: here, the flag that the task sets.
fn spawned_tasks_run_while_block_on_waits<R: Rt>() {
    let rt = R::build();
    let flag = Arc::new(AtomicBool::new(false));
    let set = flag.clone();
    rt.block_on(async {
        drop(R::spawn(async move { set.store(true, SeqCst) }));
        until::<R>(|| flag.load(SeqCst)).await;
    });
}

/// A task still pending when one `block_on` returns stays alive and is
/// finished by a later `block_on`, after a wake from outside the runtime.
fn tasks_live_on_between_block_on_calls<R: Rt>() {
    let rt = R::build();
    let probe = Probe::new();
    let join = rt.handle().spawn(probe.future());
    rt.block_on(until::<R>(|| probe.polls() == 1));
    assert!(!join.is_finished());
    probe.finish();
    probe.waker().wake(); // from the test thread, outside any runtime
    assert_eq!(rt.block_on(join).unwrap(), 2);
    assert_eq!(probe.drops(), 1);
}

/// Dropping the runtime cancels every pending task: each future is dropped
/// exactly once (whether it was polled or not) and the JoinHandles, awaited
/// afterwards on any executor, give a cancelled `JoinError`.
fn runtime_drop_cancels_pending_tasks<R: Rt>() {
    let rt = R::build();
    let polled = Probe::new();
    let fresh = Probe::new();
    let (a, b) = rt.block_on(async {
        let a = R::spawn(polled.future());
        until::<R>(|| polled.polls() == 1).await;
        // Spawned just before `block_on` returns: on a current-thread
        // runtime it is still in the run queue, never polled, at shutdown.
        let b = R::spawn(fresh.future());
        (a, b)
    });
    assert_eq!((polled.drops(), fresh.drops()), (0, 0));
    drop(rt);
    assert_eq!(polled.drops(), 1);
    assert_eq!(fresh.drops(), 1);
    if R::CURRENT_THREAD {
        assert_eq!(fresh.polls(), 0);
    }
    assert!(a.is_finished() && b.is_finished());
    assert!(futures::executor::block_on(a).unwrap_err().is_cancelled());
    assert!(futures::executor::block_on(b).unwrap_err().is_cancelled());
    assert_eq!((polled.drops(), fresh.drops()), (1, 1));
}

/// A detached pending task whose only outside reference is a waker held by
/// the test is dropped with the runtime; waking it afterwards, on this
/// thread or another, does nothing and does not crash.
fn runtime_drop_drops_a_task_only_a_waker_refers_to<R: Rt>() {
    let rt = R::build();
    let probe = Probe::new();
    rt.block_on(async {
        drop(R::spawn(probe.future()));
        until::<R>(|| probe.polls() == 1).await;
    });
    let waker = probe.take_waker().expect("the task was polled");
    drop(rt);
    assert_eq!(probe.drops(), 1);
    waker.wake_by_ref();
    std::thread::spawn(move || waker.wake()).join().unwrap();
    assert_eq!((probe.polls(), probe.drops()), (1, 1));
}

/// Dropping the runtime does not wait for a task that would never end
/// (one that yields forever); its future is dropped.
fn runtime_drop_does_not_wait_for_an_endless_task<R: Rt>() {
    let rt = R::build();
    let turns = Arc::new(AtomicUsize::new(0));
    let drops = DropCounter::new();
    let (counter, token) = (turns.clone(), drops.token());
    rt.block_on(async {
        drop(R::spawn(async move {
            let _token = token;
            loop {
                counter.fetch_add(1, SeqCst);
                R::yield_now().await;
            }
        }));
        until::<R>(|| turns.load(SeqCst) >= 3).await;
    });
    drop(rt);
    assert_eq!(drops.drops(), 1);
}

/// A task spawned through the `Handle` from another OS thread wakes the
/// runtime while it is parked in `block_on`: the `block_on` future waits
/// for a value that only the remotely spawned task sends.
fn remote_spawn_wakes_a_parked_runtime<R: Rt>() {
    let rt = R::build();
    let handle = rt.handle().clone();
    let (value_tx, value_rx) = oneshot::channel();
    let (join_tx, join_rx) = oneshot::channel();
    let thread = std::thread::spawn(move || {
        // Give the runtime time to park.
        std::thread::sleep(Duration::from_millis(20));
        let join = handle.spawn(async move {
            value_tx.send(6).unwrap();
            7
        });
        join_tx
            .send(join)
            .unwrap_or_else(|_| panic!("block_on stopped waiting"));
    });
    let out = rt.block_on(async {
        let value = value_rx.await.unwrap();
        let join = join_rx.await.unwrap();
        value * join.await.unwrap()
    });
    assert_eq!(out, 42);
    thread.join().unwrap();
}

/// Four threads spawn 250 tasks each through clones of the `Handle`, while
/// the runtime is in `block_on`; every task runs and returns its output.
fn remote_spawns_from_four_threads_all_run<R: Rt>() {
    let rt = R::build();
    let ran = Arc::new(AtomicUsize::new(0));
    let mut receivers = Vec::new();
    let threads: Vec<_> = (0..4usize)
        .map(|t| {
            let (tx, rx) = oneshot::channel();
            receivers.push(rx);
            let handle = rt.handle().clone();
            let ran = ran.clone();
            std::thread::spawn(move || {
                let joins: Vec<_> = (0..250usize)
                    .map(|i| {
                        let ran = ran.clone();
                        handle.spawn(async move {
                            ran.fetch_add(1, SeqCst);
                            t * 1000 + i
                        })
                    })
                    .collect();
                tx.send(joins)
                    .unwrap_or_else(|_| panic!("block_on stopped waiting"));
            })
        })
        .collect();
    let sum = rt.block_on(async {
        let mut sum = 0;
        for rx in receivers {
            for join in rx.await.unwrap() {
                sum += join.await.unwrap();
            }
        }
        sum
    });
    let expected: usize = (0..4)
        .flat_map(|t| (0..250).map(move |i| t * 1000 + i))
        .sum();
    assert_eq!(sum, expected);
    assert_eq!(ran.load(SeqCst), 1000);
    for thread in threads {
        thread.join().unwrap();
    }
}

/// 10,000 spawned tasks all complete, each with its own output.
fn ten_thousand_tasks_complete<R: Rt>() {
    let rt = R::build();
    let sum = rt.block_on(async {
        let joins: Vec<_> = (0..10_000u64).map(|i| R::spawn(async move { i })).collect();
        let mut sum = 0;
        for join in joins {
            sum += join.await.unwrap();
        }
        sum
    });
    assert_eq!(sum, (0..10_000u64).sum::<u64>());
}

/// `Handle::current()` works inside `block_on` and inside tasks (spawning
/// through it works); `try_current()` fails outside a runtime, also after
/// building one and after leaving `block_on`.
fn handle_current_works_only_inside_a_runtime<R: Rt>() {
    assert!(R::try_current().is_none());
    let rt = R::build();
    assert!(
        R::try_current().is_none(),
        "building a runtime does not enter it"
    );
    let out = rt.block_on(async {
        assert!(R::try_current().is_some());
        let from_task = R::spawn(async { R::current().spawn(async { 2 }).await.unwrap() });
        R::current().spawn(async { 40 }).await.unwrap() + from_task.await.unwrap()
    });
    assert_eq!(out, 42);
    assert!(R::try_current().is_none());
}

/// While a `Runtime::enter` guard lives, `spawn` works outside `block_on`;
/// the task runs when the runtime next runs. Dropping the guard leaves.
fn enter_lets_spawn_work_outside_block_on<R: Rt>() {
    let rt = R::build();
    let join = {
        let _guard = rt.enter();
        assert!(R::try_current().is_some());
        R::spawn(async { 5 })
    };
    assert!(R::try_current().is_none());
    assert_eq!(rt.block_on(join).unwrap(), 5);
}

/// Enter guards nest: the innermost entered runtime is current, and
/// dropping its guard makes the outer one current again. Which runtime a
/// task went to is seen by dropping one runtime: only its tasks finish.
fn nested_enter_guards_restore_the_outer_runtime<R: Rt>() {
    let outer = R::build();
    let inner = R::build();
    let pending = std::future::pending::<()>;
    let (a, b, c) = {
        let _outer_guard = outer.enter();
        let a = R::spawn(pending());
        let b = {
            let _inner_guard = inner.handle().enter();
            R::spawn(pending())
        };
        let c = R::spawn(pending());
        (a, b, c)
    };
    assert!(R::try_current().is_none());
    drop(inner);
    assert!(b.is_finished(), "b was spawned onto the inner runtime");
    assert!(
        !a.is_finished() && !c.is_finished(),
        "a and c went to the outer runtime"
    );
    drop(outer);
    assert!(a.is_finished() && c.is_finished());
}

/// Spawning through a kept `Handle` after its runtime was dropped gives a
/// task that is cancelled at once: never polled, its future dropped exactly
/// once, its JoinHandle giving a cancelled `JoinError`.
fn spawn_after_runtime_drop_gives_a_cancelled_task<R: Rt>() {
    let rt = R::build();
    let handle = rt.handle().clone();
    drop(rt);
    let probe = Probe::new();
    let join = handle.spawn(probe.future());
    let err = futures::executor::block_on(join).unwrap_err();
    assert!(err.is_cancelled());
    assert_eq!((probe.polls(), probe.drops()), (0, 1));
}

/// `Handle::block_on` on another thread drives its own future, which awaits
/// a task that the runtime's `block_on` on this thread runs.
fn handle_block_on_on_another_thread_awaits_a_task<R: Rt>() {
    let rt = R::build();
    let handle = rt.handle().clone();
    let (done_tx, done_rx) = oneshot::channel();
    let thread = std::thread::spawn(move || {
        let out = handle.block_on(async { R::spawn(async { 9 }).await.unwrap() });
        done_tx.send(out).unwrap();
    });
    assert_eq!(rt.block_on(done_rx).unwrap(), 9);
    thread.join().unwrap();
}

/// `block_on` polls its future on the calling thread; on a current-thread
/// runtime the tasks run there too.
fn block_on_polls_its_future_on_the_calling_thread<R: Rt>() {
    let rt = R::build();
    let caller = std::thread::current().id();
    let (in_block_on, in_task) = rt.block_on(async {
        let in_task = R::spawn(async { std::thread::current().id() })
            .await
            .unwrap();
        (std::thread::current().id(), in_task)
    });
    assert_eq!(in_block_on, caller);
    if R::CURRENT_THREAD {
        assert_eq!(in_task, caller);
    }
}

/// A panic in the `block_on` future propagates out of `block_on`; the
/// runtime stays usable, and its tasks survive.
fn block_on_panic_propagates_and_the_runtime_stays_usable<R: Rt>() {
    let rt = R::build();
    let probe = Probe::new();
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
        rt.block_on(async {
            drop(R::spawn(probe.future()));
            until::<R>(|| probe.polls() == 1).await;
            panic!("block_on future panics on purpose");
        })
    }));
    let payload = result.expect_err("the panic propagates");
    assert_eq!(
        payload.downcast_ref::<&str>(),
        Some(&"block_on future panics on purpose")
    );
    assert_eq!(probe.drops(), 0, "the task survives");
    probe.finish();
    probe.waker().wake();
    rt.block_on(async {
        until::<R>(|| probe.drops() == 1).await;
        assert_eq!(R::spawn(async { 8 }).await.unwrap(), 8);
    });
    assert_eq!(probe.polls(), 2);
}

/// A task that is always runnable (it yields in a loop) does not starve the
/// `block_on` future, nor tasks spawned from another thread.
fn a_busy_task_does_not_starve_block_on_or_remote_spawns<R: Rt>() {
    let rt = R::build();
    let handle = rt.handle().clone();
    let spins = Arc::new(AtomicUsize::new(0));
    let counter = spins.clone();
    rt.block_on(async {
        let spinner = R::spawn(async move {
            loop {
                counter.fetch_add(1, SeqCst);
                R::yield_now().await;
            }
        });
        let (tx, rx) = oneshot::channel();
        let thread = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            // The remote task sends the value `block_on` is waiting for.
            drop(handle.spawn(async move { tx.send(3).unwrap() }));
        });
        assert_eq!(rx.await.unwrap(), 3);
        assert!(spins.load(SeqCst) > 0);
        spinner.abort();
        assert!(spinner.await.unwrap_err().is_cancelled());
        thread.join().unwrap();
    });
}

/// A task's destructor that spawns while the runtime is being dropped does
/// not deadlock or panic: the new task is cancelled at once (its future is
/// dropped, its JoinHandle gives a cancelled error).
fn spawn_in_a_destructor_during_runtime_drop_gives_a_cancelled_task<R: Rt>() {
    /// Spawns `probe`'s future when dropped; hands back the JoinHandle.
    struct SpawnOnDrop<R: Rt> {
        probe: Probe,
        joins: Arc<Mutex<Vec<JoinHandle<R, usize>>>>,
    }
    impl<R: Rt> Drop for SpawnOnDrop<R> {
        fn drop(&mut self) {
            let join = R::spawn(self.probe.future());
            self.joins.lock().unwrap().push(join);
        }
    }

    let rt = R::build();
    let probe = Probe::new();
    let joins = Arc::new(Mutex::new(Vec::new()));
    let spawner = SpawnOnDrop::<R> {
        probe: probe.clone(),
        joins: joins.clone(),
    };
    rt.block_on(async {
        drop(R::spawn(async move {
            let _spawner = spawner;
            std::future::pending::<()>().await;
        }));
        R::yield_now().await;
    });
    drop(rt);
    let join = joins.lock().unwrap().pop().expect("the destructor ran");
    let err = futures::executor::block_on(join).unwrap_err();
    assert!(err.is_cancelled());
    assert_eq!((probe.polls(), probe.drops()), (0, 1));
}

/// Destructors that run while the runtime is being dropped may wake or
/// abort other pending tasks (already dropped or not yet): shutdown still
/// drops every future exactly once, and does not deadlock.
fn wakes_and_aborts_from_destructors_during_runtime_drop_lose_no_future<R: Rt>() {
    /// On drop, wakes (by reference and by value) and aborts whatever was
    /// put in its slots by then.
    struct OnDrop<R: Rt> {
        wakers: Arc<Mutex<Vec<Waker>>>,
        aborts: Arc<Mutex<Vec<AbortHandle<R>>>>,
    }
    impl<R: Rt> Drop for OnDrop<R> {
        fn drop(&mut self) {
            for waker in self.wakers.lock().unwrap().drain(..) {
                waker.wake_by_ref();
                waker.wake();
            }
            for abort in self.aborts.lock().unwrap().drain(..) {
                abort.abort();
            }
        }
    }

    let rt = R::build();
    let victims: Vec<Probe> = (0..4).map(|_| Probe::new()).collect();
    let killers = DropCounter::new();
    rt.block_on(async {
        // Spawn order victim, killer, victim, killer, ...: whatever order
        // shutdown drops tasks in, some killers outlive their victims and
        // some do not.
        for (i, victim) in victims.iter().enumerate() {
            let wakers = Arc::new(Mutex::new(Vec::new()));
            let aborts = Arc::new(Mutex::new(Vec::new()));
            let on_drop = OnDrop::<R> {
                wakers: wakers.clone(),
                aborts: aborts.clone(),
            };
            let token = killers.token();
            let killer = async move {
                let _parts = (on_drop, token);
                std::future::pending::<()>().await;
            };
            let victim_join = R::spawn(victim.future());
            let killer_join = R::spawn(killer);
            until::<R>(|| victim.polls() == 1).await;
            wakers.lock().unwrap().push(victim.waker());
            if i % 2 == 0 {
                aborts.lock().unwrap().push(victim_join.abort_handle());
            }
            drop((victim_join, killer_join));
        }
        turns::<R>(3).await;
    });
    drop(rt);
    assert_eq!(killers.drops(), victims.len());
    for victim in &victims {
        assert_eq!((victim.polls(), victim.drops()), (1, 1));
    }
}
