//! One task in memory, and the code that polls, completes and cancels it.
//!
//! # The problem
//!
//! `spawn(future)` has to turn a future of *any* type into something a run
//! queue can hold next to futures of other types, that wakers can point at,
//! that a `JoinHandle<T>` can read a `T` out of, and that the runtime can
//! cancel at shutdown. All of that without a lock around the future and
//! without polling it twice at once.
//!
//! # The design
//!
//! Everything lives in **one allocation**, a [`Cell`] inside an `Arc`:
//!
//! ```text
//!  Arc<Cell<F, S>> ──────────────────────────────────────────────┐
//!  │ strong/weak counts (Arc)                                     │
//!  │ state: State           flags, see task::state                │
//!  │ id, owned_index        identity; slot in the owner's list    │
//!  │ scheduler: S           where wakes send the task             │
//!  │ stage: Running(F) | Finished(Result<F::Output, JoinError>)   │
//!  │ join_waker: Option<Waker>   owned as the JOIN_WAKER bit says │
//!  └──────────────────────────────────────────────────────────────┘
//! ```
//!
//! Three views of the same `Arc` erase the types each holder does not know:
//!
//! * [`TaskRef`] = `Arc<dyn Runnable>`: what run queues and the owned-task
//!   list hold. A run queue holds it wrapped as [`Notified`], the one
//!   reference that carries the `SCHEDULED` flag.
//! * `Arc<dyn JoinTarget<T>>`: what a `JoinHandle<T>` holds: it knows the
//!   output type but not the future type.
//! * A raw pointer in a [`Waker`](std::task::Waker), with one hand-written
//!   vtable per `(F, S)` (see the `waker` module).
//!
//! Who touches the `stage` is decided by the state word (`task::state`):
//! the holder of `RUNNING` may poll or drop the future; after `COMPLETE` the
//! output belongs to the `JoinHandle`. Every poll and every drop of user code
//! runs under `catch_unwind`, so a panicking task becomes a `JoinError` and
//! the runtime keeps running.
//!
//! # How Tokio does it differently
//!
//! Tokio builds the same single allocation by hand (`Cell<T, S>` with a
//! `Header` first and a manual vtable of function pointers in it), keeps the
//! reference count inside the state word, and links every task into an
//! intrusive list for shutdown. A `Notified` is then one thin pointer
//! instead of our two-word `Arc<dyn Runnable>`.

use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use super::error::JoinError;
use super::state::{self, JoinWaker, State, ToIdle, ToRunning};
use super::{Id, waker};
use crate::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use crate::sync::{Arc, UnsafeCell};

/// What a task needs from the scheduler that owns it. The task code knows
/// nothing else about schedulers, so both executors and the blocking pool
/// share this one task implementation.
pub(crate) trait Schedule: Send + Sync + Sized + 'static {
    /// A waker (or an abort) made the task runnable: queue it. May be
    /// called from any thread.
    fn schedule(&self, task: Notified);

    /// The task was woken while it was being polled (`yield_now` does this
    /// on purpose): queue it *behind* the other runnable tasks.
    fn reschedule(&self, task: Notified) {
        self.schedule(task);
    }

    /// The task completed: remove it from the owner's list of tasks.
    fn release(&self, task: &dyn Runnable);
}

/// The type-erased operations of a task, as run queues see it.
pub(crate) trait Runnable: Send + Sync + 'static {
    /// Polls the task once (or cancels it, if it was aborted). Consumes
    /// the `Notified` reference of the run queue.
    fn run(self: Arc<Self>);

    /// The runtime is shutting down: drop the future now unless another
    /// thread is polling it (that poller will then cancel it).
    fn shutdown(&self);

    /// Requests cancellation (`JoinHandle::abort`).
    fn abort(self: Arc<Self>);

    /// Whether the task has completed.
    fn is_complete(&self) -> bool;

    /// The task's id.
    fn id(&self) -> Id;

    /// The slot the owner's task list keeps this task in.
    fn owned_index(&self) -> usize;

    /// Set by the owner's task list when the task is inserted.
    fn set_owned_index(&self, index: usize);
}

/// A shared, type-erased reference to a task.
pub(crate) type TaskRef = Arc<dyn Runnable>;

/// The queue's reference to a task: exactly one exists while `SCHEDULED`
/// is set, so a task can never be in two run queues at once.
pub(crate) struct Notified(pub(super) TaskRef);

impl Notified {
    /// Polls the task (or cancels it).
    pub(crate) fn run(self) {
        self.0.run();
    }

    /// The task's id.
    #[cfg_attr(not(feature = "trace"), allow(dead_code))]
    pub(crate) fn id(&self) -> Id {
        self.0.id()
    }

    /// Turns the reference into a plain `TaskRef`.
    #[allow(dead_code)] // used by the schedulers' shutdown paths
    pub(crate) fn into_task(self) -> TaskRef {
        self.0
    }
}

impl std::fmt::Debug for Notified {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Notified({})", self.0.id())
    }
}

/// What the `JoinHandle<T>` needs: typed by the output, erased over the
/// future and scheduler.
pub(crate) trait JoinTarget<T>: Send + Sync {
    /// Returns the output if the task is complete, else stores the waker.
    fn poll_join(&self, cx: &mut Context<'_>) -> Poll<Result<T, JoinError>>;
    /// The `JoinHandle` goes away.
    fn drop_join_handle(&self);
    /// The same task, as a run queue sees it (for `AbortHandle`).
    fn as_task(self: Arc<Self>) -> TaskRef;
    /// See [`Runnable::abort`].
    fn abort(self: Arc<Self>);
    /// See [`Runnable::is_complete`].
    fn is_complete(&self) -> bool;
    /// See [`Runnable::id`].
    fn id(&self) -> Id;
}

/// Where the future is in its life.
enum Stage<F: Future> {
    Running(F),
    Finished(Result<F::Output, JoinError>),
    Consumed,
}

/// The single allocation behind every task (inside an `Arc`).
pub(crate) struct Cell<F: Future, S> {
    state: State,
    id: Id,
    owned_index: AtomicUsize,
    scheduler: S,
    /// Guarded by the state word, see the module docs.
    stage: UnsafeCell<Stage<F>>,
    /// The waker of the task awaiting the `JoinHandle`. No lock: the
    /// `JOIN_WAKER` bit of the state word says who owns it (invariant 6 in
    /// `task::state`). The handle stores its waker and then sets the bit;
    /// the completer sets `COMPLETE` and, if the bit is set, takes the
    /// waker. Both steps are one CAS on the same word, so exactly one of
    /// them sees the other.
    join_waker: UnsafeCell<Option<Waker>>,
}

// SAFETY: the future and the output are only touched by the thread that
// holds the RUNNING bit (or, after COMPLETE, by the JoinHandle), so moving
// them between threads is all that happens: `F: Send` and `F::Output: Send`
// suffice. Everything else in the cell is Sync by itself.
unsafe impl<F: Future + Send, S: Schedule> Sync for Cell<F, S> where F::Output: Send {}

/// The three references `spawn` hands out for a new task.
pub(crate) struct NewTask<T> {
    /// For the owner's task list.
    pub(crate) task: TaskRef,
    /// For the run queue (the task starts out `SCHEDULED`).
    pub(crate) notified: Notified,
    /// For the `JoinHandle<T>`.
    pub(crate) join: Arc<dyn JoinTarget<T>>,
}

/// Allocates a task for `future`, owned by `scheduler`.
pub(crate) fn new_task<F, S>(future: F, scheduler: S, id: Id) -> NewTask<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    let cell = Arc::new(Cell {
        state: State::new(),
        id,
        owned_index: AtomicUsize::new(usize::MAX),
        scheduler,
        stage: UnsafeCell::new(Stage::Running(future)),
        join_waker: UnsafeCell::new(None),
    });
    NewTask {
        task: cell.clone(),
        notified: Notified(cell.clone()),
        join: cell,
    }
}

impl<F, S> Cell<F, S>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    /// `Waker::wake` and `Waker::wake_by_ref` (the vtable lends us the
    /// waker's `Arc`).
    ///
    /// The queue gets a *new* reference, and ours stays alive until
    /// `schedule` returns. Moving the waker's reference into the `Notified`
    /// would save an increment, but `schedule` borrows the scheduler *from
    /// inside the cell*: once the Notified is queued, another worker may
    /// run and complete the task and free the cell while `schedule` still
    /// runs. (Recovering an `Arc` from `&self` instead is not allowed
    /// either: a reference to the cell carries no permission to touch the
    /// reference counts that precede it in the allocation; Miri reports
    /// that as undefined behaviour.)
    pub(super) fn wake(self: &Arc<Self>) {
        trace_event!(crate::trace::EventKind::Wake {
            task: self.id.as_u64()
        });
        if self.state.transition(state::wake) == state::Wake::Submit {
            self.scheduler.schedule(Notified(self.clone()));
        }
    }

    /// Polls the future once. Only called while holding `RUNNING`.
    fn poll_future(&self, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.stage.with_mut(|stage| {
            // SAFETY: we hold RUNNING, so nobody else touches the stage; the
            // future is never moved out of the cell while Running (the cell
            // is pinned inside its Arc allocation until it is dropped).
            let stage = unsafe { &mut *stage };
            match stage {
                Stage::Running(future) => {
                    // SAFETY: see above: the future stays at this address.
                    let future = unsafe { Pin::new_unchecked(future) };
                    future.poll(cx)
                }
                _ => unreachable!("polled a task whose future is gone"),
            }
        })
    }

    /// Replaces the stage. Only called while holding `RUNNING`, or after
    /// `COMPLETE` by the side that owns the output. Returns the panic
    /// payload if dropping the old stage panicked.
    fn set_stage(&self, new: Stage<F>) -> Result<(), Box<dyn Any + Send>> {
        self.stage.with_mut(|stage| {
            // SAFETY: exclusive access per the state protocol (caller's
            // contract above).
            let stage = unsafe { &mut *stage };
            catch_unwind(AssertUnwindSafe(|| *stage = new))
        })
    }

    /// Drops the future (holding `RUNNING`) and stores the cancelled error.
    fn cancel_future(&self) {
        let error = match self.set_stage(Stage::Consumed) {
            Ok(()) => JoinError::cancelled(self.id),
            Err(panic) => JoinError::panic(self.id, panic),
        };
        let _ = self.set_stage(Stage::Finished(Err(error)));
    }

    /// Publishes the result (already in the stage), wakes the joiner and
    /// tells the scheduler the task is done.
    fn complete(&self) {
        let snapshot = self.state.complete();
        if snapshot.has_join_interest() {
            if snapshot.has_join_waker() {
                // SAFETY: JOIN_WAKER and COMPLETE are both set: the slot is
                // the task side's, and the handle can no longer take it
                // back (invariant 6 in `task::state`).
                let waker = self.join_waker.with_mut(|slot| unsafe { (*slot).take() });
                if let Some(waker) = waker {
                    waker.wake();
                }
            }
        } else {
            // Nobody will read the output: drop it now (ignoring a panic in
            // its destructor, there is no one to report it to).
            let _ = self.set_stage(Stage::Consumed);
        }
        self.scheduler.release(self);
    }

    fn cancel_and_complete(&self) {
        self.cancel_future();
        self.complete();
    }

    /// The `JoinHandle` side of the join-waker slot: stores `waker` for the
    /// completer to wake. Returns `false` if the task completed meanwhile
    /// (then the output is ready and no waker is left behind).
    ///
    /// A re-polled handle first takes the slot back (clearing `JOIN_WAKER`)
    /// and replaces its old waker, even an equal one: while the bit is set
    /// the slot is the task side's and is not read from here at all.
    fn store_join_waker(&self, snapshot: state::Snapshot, waker: &Waker) -> bool {
        if snapshot.has_join_waker()
            && self.state.transition(state::unset_join_waker) == JoinWaker::Complete
        {
            return false;
        }
        self.join_waker.with_mut(|slot| {
            // SAFETY: JOIN_WAKER is clear (never set, or cleared just
            // above), so the slot is the handle's, and we are the handle
            // (invariant 6 in `task::state`).
            unsafe { *slot = Some(waker.clone()) }
        });
        if self.state.transition(state::set_join_waker) == JoinWaker::Moved {
            return true;
        }
        // Completed before we handed the slot over: it is still ours.
        let waker = self.join_waker.with_mut(|slot| {
            // SAFETY: set_join_waker failed, so JOIN_WAKER is still clear
            // and the slot still the handle's.
            unsafe { (*slot).take() }
        });
        drop(waker);
        false
    }
}

impl<F, S> Runnable for Cell<F, S>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    fn run(self: Arc<Self>) {
        match self.state.transition(state::to_running) {
            ToRunning::Skip => return,
            ToRunning::Cancel => return self.cancel_and_complete(),
            ToRunning::Poll => {}
        }

        let waker = waker::waker_ref(&self);
        let mut cx = Context::from_waker(&waker);
        match catch_unwind(AssertUnwindSafe(|| self.poll_future(&mut cx))) {
            Ok(Poll::Ready(output)) => {
                let result = match self.set_stage(Stage::Consumed) {
                    Ok(()) => Ok(output),
                    // The future's destructor panicked after it finished.
                    Err(panic) => Err(JoinError::panic(self.id, panic)),
                };
                let _ = self.set_stage(Stage::Finished(result));
                self.complete();
            }
            Err(panic) => {
                let _ = self.set_stage(Stage::Consumed);
                let _ = self.set_stage(Stage::Finished(Err(JoinError::panic(self.id, panic))));
                self.complete();
            }
            Ok(Poll::Pending) => match self.state.transition(state::to_idle) {
                ToIdle::Idle => {}
                // `self` (the old queue reference) stays alive until
                // `reschedule` returns, see `wake` for why.
                ToIdle::Reschedule => self.scheduler.reschedule(Notified(self.clone())),
                ToIdle::Cancel => self.cancel_and_complete(),
            },
        }
    }

    fn shutdown(&self) {
        if self.state.transition(state::shutdown) == state::Shutdown::Cancel {
            self.cancel_and_complete();
        }
    }

    fn abort(self: Arc<Self>) {
        if self.state.transition(state::abort) == state::Wake::Submit {
            // A new reference for the queue; ours lives until `schedule`
            // returns (see `wake`).
            self.scheduler.schedule(Notified(self.clone()));
        }
    }

    fn is_complete(&self) -> bool {
        self.state.load().is_complete()
    }

    fn id(&self) -> Id {
        self.id
    }

    fn owned_index(&self) -> usize {
        self.owned_index.load(Relaxed)
    }

    fn set_owned_index(&self, index: usize) {
        self.owned_index.store(index, Relaxed);
    }
}

impl<F, S> JoinTarget<F::Output> for Cell<F, S>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    fn poll_join(&self, cx: &mut Context<'_>) -> Poll<Result<F::Output, JoinError>> {
        // exercise(spawn): begin: the JoinHandle's poll: hand the joiner's waker to the task (store_join_waker), or take the output
        // exercise(spawn): stub: let _ = (cx, Self::store_join_waker);
        // exercise(spawn): stub: {todo}
        let snapshot = self.state.load();
        if !snapshot.is_complete() && self.store_join_waker(snapshot, cx.waker()) {
            return Poll::Pending;
        }
        self.stage.with_mut(|stage| {
            // SAFETY: COMPLETE is set and we hold JOIN_INTEREST, so the
            // output belongs to us and the task side never touches it again.
            let stage = unsafe { &mut *stage };
            match std::mem::replace(stage, Stage::Consumed) {
                Stage::Finished(result) => Poll::Ready(result),
                Stage::Consumed => panic!(
                    "`JoinHandle` polled after it already returned its output. A JoinHandle \
                     is a future that completes once: do not poll or `.await` it again after \
                     it returned `Ready` (e.g. use `Option<JoinHandle>` or `fuse()`)."
                ),
                Stage::Running(_) => unreachable!("COMPLETE task still holds its future"),
            }
        })
        // exercise(spawn): end
    }

    fn drop_join_handle(&self) {
        match self.state.transition(state::drop_join_handle) {
            state::DropJoinHandle::HandleDropsOutput => {
                // Complete and never read: the output is ours to drop. A
                // panic in the output's destructor is swallowed, like Tokio
                // does. (The join-waker slot is empty or the completer's.)
                let _ = self.set_stage(Stage::Consumed);
            }
            state::DropJoinHandle::TaskDropsOutput => {
                // The transition cleared JOIN_WAKER: the slot is ours again.
                // Drop the joiner's waker now rather than with the task, so
                // two tasks awaiting each other do not keep each other alive.
                // SAFETY: JOIN_WAKER is clear, so the slot is the handle's
                // (invariant 6 in `task::state`), and we are the handle.
                let waker = self.join_waker.with_mut(|slot| unsafe { (*slot).take() });
                drop(waker);
            }
        }
    }

    fn as_task(self: Arc<Self>) -> TaskRef {
        self
    }

    fn abort(self: Arc<Self>) {
        Runnable::abort(self);
    }

    fn is_complete(&self) -> bool {
        Runnable::is_complete(self)
    }

    fn id(&self) -> Id {
        self.id
    }
}
