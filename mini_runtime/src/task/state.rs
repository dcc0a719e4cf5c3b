//! The task state word: who may touch a task's future, and when.
//!
//! # The problem
//!
//! A task is reachable from many places at once: a run queue, any number of
//! wakers (on any thread), its `JoinHandle`, an `AbortHandle`, and the
//! runtime's list of owned tasks. Some of those want to *poll* it, some want
//! to *schedule* it, some want to *cancel* it, one wants its *output*. If two
//! of them touched the future at the same time we would have a data race; if
//! a wake-up were dropped the task would hang; if a task were queued twice it
//! would be polled concurrently.
//!
//! # The design
//!
//! One atomic word of flags, changed only by compare-and-swap loops. Each
//! transition is a **pure function** `Snapshot -> (action, next snapshot)`,
//! so the rules can be read, and table-tested, without any concurrency:
//!
//! | flag           | meaning                                                          |
//! |----------------|------------------------------------------------------------------|
//! | `SCHEDULED`    | a `Notified` reference to the task is (or is about to be) queued  |
//! | `RUNNING`      | someone holds the right to touch the future (poll or cancel it)   |
//! | `COMPLETE`     | the future is gone; the output (or error) is stored              |
//! | `CANCELLED`    | `abort()` or shutdown asked the task to stop                     |
//! | `JOIN_INTEREST`| the `JoinHandle` is alive and will read the output               |
//! | `JOIN_WAKER`   | the join-waker slot belongs to the task side (see below)         |
//!
//! # Invariants
//!
//! 1. At most one `Notified` exists per task: a wake queues the task only on
//!    the transition *not scheduled -> scheduled* while not running.
//! 2. A wake while `RUNNING` only sets `SCHEDULED`; the poller sees it when
//!    it finishes the poll and re-queues the task **once**.
//! 3. Only the holder of `RUNNING` touches the future. Cancelling an idle
//!    task first acquires `RUNNING` (so it cannot race with a poll).
//! 4. `COMPLETE` is final. Wakes and aborts after it do nothing.
//! 5. The output slot belongs to the task until `COMPLETE`, then to the
//!    `JoinHandle` if `JOIN_INTEREST` is still set; otherwise whoever cleared
//!    the last of them drops it (see [`drop_join_handle`] and [`complete`]).
//! 6. The join-waker slot (the waker of whoever awaits the `JoinHandle`) has
//!    one owner at a time, named by `JOIN_WAKER`: clear, the `JoinHandle`
//!    may read and write it; set, only the task side may, and only after
//!    `COMPLETE` (to take the waker and wake it). The handle hands the slot
//!    over by setting the bit and takes it back by clearing it, and both
//!    transitions fail once `COMPLETE` is set, so after completion the
//!    owner never changes again. No lock is needed around the slot.
//!
//! # How Tokio does it differently
//!
//! Tokio packs the same kind of flags (`RUNNING`, `COMPLETE`, `NOTIFIED`,
//! `CANCELLED`, `JOIN_INTEREST`, `JOIN_WAKER`) *and the reference count*
//! into one `usize`, so a wake is one atomic operation and the task needs no
//! separate `Arc`. mini_runtime keeps the reference count in a standard
//! `Arc` (one allocation still holds everything). Its `JOIN_WAKER` rule is
//! a little stricter than Tokio's: Tokio lets both sides *read* the slot
//! while the bit is set (so a re-polled `JoinHandle` can skip storing an
//! equal waker, and the completer wakes by reference and then clears the
//! bit again); here the slot is never shared, so the completer *takes* the
//! waker with no second atomic operation, and a re-polled handle always
//! takes the slot back and stores its current waker. An earlier version
//! guarded the slot with a one-byte mutex: simpler, but 8 bytes and two
//! extra atomic operations per task.

use crate::sync::atomic::{AtomicUsize, Ordering::AcqRel, Ordering::Acquire};

/// A `Notified` reference is queued (or about to be).
pub(crate) const SCHEDULED: usize = 1 << 0;
/// The future is being polled or dropped by the holder of this bit.
pub(crate) const RUNNING: usize = 1 << 1;
/// The future is gone and the result is stored.
pub(crate) const COMPLETE: usize = 1 << 2;
/// The task was asked to stop.
pub(crate) const CANCELLED: usize = 1 << 3;
/// The `JoinHandle` still exists.
pub(crate) const JOIN_INTEREST: usize = 1 << 4;
/// The join-waker slot holds the joiner's waker and belongs to the task side.
pub(crate) const JOIN_WAKER: usize = 1 << 5;

/// A copy of the state word at one moment.
#[derive(Copy, Clone, PartialEq, Eq)]
pub(crate) struct Snapshot(pub(crate) usize);

impl Snapshot {
    fn has(self, flag: usize) -> bool {
        self.0 & flag == flag
    }
    pub(crate) fn is_scheduled(self) -> bool {
        self.has(SCHEDULED)
    }
    pub(crate) fn is_running(self) -> bool {
        self.has(RUNNING)
    }
    pub(crate) fn is_complete(self) -> bool {
        self.has(COMPLETE)
    }
    pub(crate) fn is_cancelled(self) -> bool {
        self.has(CANCELLED)
    }
    pub(crate) fn has_join_interest(self) -> bool {
        self.has(JOIN_INTEREST)
    }
    pub(crate) fn has_join_waker(self) -> bool {
        self.has(JOIN_WAKER)
    }
    fn set(self, flag: usize) -> Snapshot {
        Snapshot(self.0 | flag)
    }
    fn unset(self, flag: usize) -> Snapshot {
        Snapshot(self.0 & !flag)
    }
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names = [
            (SCHEDULED, "SCHEDULED"),
            (RUNNING, "RUNNING"),
            (COMPLETE, "COMPLETE"),
            (CANCELLED, "CANCELLED"),
            (JOIN_INTEREST, "JOIN_INTEREST"),
            (JOIN_WAKER, "JOIN_WAKER"),
        ];
        let set: Vec<&str> = names
            .iter()
            .filter(|(bit, _)| self.has(*bit))
            .map(|(_, name)| *name)
            .collect();
        write!(
            f,
            "{}",
            if set.is_empty() {
                "IDLE".to_string()
            } else {
                set.join("|")
            }
        )
    }
}

/// What the caller of [`to_running`] must do next.
#[derive(Debug, Copy, Clone, PartialEq, Eq)]
pub(crate) enum ToRunning {
    /// We hold `RUNNING`: poll the future.
    Poll,
    /// We hold `RUNNING` but the task was cancelled: drop the future.
    Cancel,
    /// The task already completed (cancelled by shutdown while queued): just
    /// drop the queue's reference.
    Skip,
}

/// A queued task is picked up by a worker.
pub(crate) fn to_running(s: Snapshot) -> (ToRunning, Option<Snapshot>) {
    debug_assert!(
        s.is_scheduled(),
        "running a task that is not scheduled: {s:?}"
    );
    if s.is_complete() {
        return (ToRunning::Skip, None);
    }
    debug_assert!(!s.is_running(), "task queued twice: {s:?}");
    let next = s.unset(SCHEDULED).set(RUNNING);
    let action = if s.is_cancelled() {
        ToRunning::Cancel
    } else {
        ToRunning::Poll
    };
    (action, Some(next))
}

/// What the poller must do after the future returned `Pending`.
#[derive(Debug, Copy, Clone, PartialEq, Eq)]
pub(crate) enum ToIdle {
    /// Nothing woke it: the task waits for a waker.
    Idle,
    /// It was woken while running: queue it again (we still own the
    /// `SCHEDULED` flag that the wake set).
    Reschedule,
    /// It was aborted while running: we keep `RUNNING` and drop the future.
    Cancel,
}

/// The poll returned `Pending`.
pub(crate) fn to_idle(s: Snapshot) -> (ToIdle, Option<Snapshot>) {
    debug_assert!(s.is_running() && !s.is_complete(), "to_idle from {s:?}");
    // exercise(task_state): begin: the poll returned Pending: give up RUNNING; re-queue if woken meanwhile, cancel if aborted
    // exercise(task_state): stub: let _ = (s, ToIdle::Idle, ToIdle::Reschedule, ToIdle::Cancel);
    // exercise(task_state): stub: {todo}
    if s.is_cancelled() {
        return (ToIdle::Cancel, None);
    }
    let next = s.unset(RUNNING);
    let action = if s.is_scheduled() {
        ToIdle::Reschedule
    } else {
        ToIdle::Idle
    };
    (action, Some(next))
    // exercise(task_state): end
}

/// The future finished (or was dropped) and the result is stored: the
/// caller learns whether a `JoinHandle` is still interested.
pub(crate) fn to_complete(s: Snapshot) -> Snapshot {
    debug_assert!(s.is_running() && !s.is_complete(), "to_complete from {s:?}");
    s.unset(RUNNING).set(COMPLETE)
}

/// What a waker must do.
#[derive(Debug, Copy, Clone, PartialEq, Eq)]
pub(crate) enum Wake {
    /// Already queued, running (the poller will re-queue) or complete.
    Nothing,
    /// We set `SCHEDULED` on an idle task: queue a `Notified`.
    Submit,
}

/// `Waker::wake`.
pub(crate) fn wake(s: Snapshot) -> (Wake, Option<Snapshot>) {
    // exercise(task_state): begin: a waker fired: queue an idle task once; only flag a running one; ignore a complete one
    // exercise(task_state): stub: let _ = s;
    // exercise(task_state): stub: {todo}
    if s.is_complete() || s.is_scheduled() {
        (Wake::Nothing, None)
    } else if s.is_running() {
        (Wake::Nothing, Some(s.set(SCHEDULED)))
    } else {
        (Wake::Submit, Some(s.set(SCHEDULED)))
    }
    // exercise(task_state): end
}

/// `JoinHandle::abort` / `AbortHandle::abort`: same actions as a wake,
/// because an idle task must be queued so that a worker cancels it.
pub(crate) fn abort(s: Snapshot) -> (Wake, Option<Snapshot>) {
    if s.is_complete() || s.is_cancelled() {
        (Wake::Nothing, None)
    } else if s.is_running() || s.is_scheduled() {
        // The poller (at `to_idle`) or the worker (at `to_running`) will
        // see CANCELLED.
        (Wake::Nothing, Some(s.set(CANCELLED)))
    } else {
        (Wake::Submit, Some(s.set(CANCELLED | SCHEDULED)))
    }
}

/// What the runtime must do when it shuts a task down.
#[derive(Debug, Copy, Clone, PartialEq, Eq)]
pub(crate) enum Shutdown {
    /// Complete already, or running elsewhere (that poller will cancel it).
    Nothing,
    /// We acquired `RUNNING`: drop the future now.
    Cancel,
}

/// The runtime shuts down: cancel the task right here if nobody runs it.
pub(crate) fn shutdown(s: Snapshot) -> (Shutdown, Option<Snapshot>) {
    if s.is_complete() {
        (Shutdown::Nothing, None)
    } else if s.is_running() {
        (Shutdown::Nothing, Some(s.set(CANCELLED)))
    } else {
        (Shutdown::Cancel, Some(s.set(RUNNING | CANCELLED)))
    }
}

/// Who drops the output when the `JoinHandle` goes away.
#[derive(Debug, Copy, Clone, PartialEq, Eq)]
pub(crate) enum DropJoinHandle {
    /// Already complete: the handle drops the output itself, now. The
    /// join-waker slot is empty, or the completer's.
    HandleDropsOutput,
    /// Not complete: the task will see no `JOIN_INTEREST` and drop the
    /// output. `JOIN_WAKER` was cleared too, so the join-waker slot is the
    /// handle's: it drops the waker stored there, now.
    TaskDropsOutput,
}

/// `JoinHandle` is dropped.
pub(crate) fn drop_join_handle(s: Snapshot) -> (DropJoinHandle, Option<Snapshot>) {
    debug_assert!(s.has_join_interest(), "JoinHandle dropped twice: {s:?}");
    if s.is_complete() {
        (
            DropJoinHandle::HandleDropsOutput,
            Some(s.unset(JOIN_INTEREST)),
        )
    } else {
        (
            DropJoinHandle::TaskDropsOutput,
            Some(s.unset(JOIN_INTEREST | JOIN_WAKER)),
        )
    }
}

/// What the `JoinHandle` learns when it hands the join-waker slot over or
/// takes it back.
#[derive(Debug, Copy, Clone, PartialEq, Eq)]
pub(crate) enum JoinWaker {
    /// Done: the slot changed owner.
    Moved,
    /// The task completed first: nothing changed, read the output instead.
    Complete,
}

/// The `JoinHandle` stored its waker in the slot and hands the slot to the
/// task side, whose completion will take and wake it.
pub(crate) fn set_join_waker(s: Snapshot) -> (JoinWaker, Option<Snapshot>) {
    debug_assert!(
        s.has_join_interest() && !s.has_join_waker(),
        "set_join_waker from {s:?}"
    );
    if s.is_complete() {
        (JoinWaker::Complete, None)
    } else {
        (JoinWaker::Moved, Some(s.set(JOIN_WAKER)))
    }
}

/// The `JoinHandle` is polled again and takes the slot back, to replace
/// the waker it stored last time.
pub(crate) fn unset_join_waker(s: Snapshot) -> (JoinWaker, Option<Snapshot>) {
    debug_assert!(
        s.has_join_interest() && s.has_join_waker(),
        "unset_join_waker from {s:?}"
    );
    if s.is_complete() {
        (JoinWaker::Complete, None)
    } else {
        (JoinWaker::Moved, Some(s.unset(JOIN_WAKER)))
    }
}

/// The atomic state word of one task.
pub(crate) struct State(AtomicUsize);

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.load().fmt(f)
    }
}

impl State {
    /// A new task: queued right away, with a `JoinHandle`.
    pub(crate) fn new() -> State {
        State(AtomicUsize::new(SCHEDULED | JOIN_INTEREST))
    }

    pub(crate) fn load(&self) -> Snapshot {
        Snapshot(self.0.load(Acquire))
    }

    /// Applies a pure transition with a CAS loop and returns its action.
    /// `None` from the transition means "no change": nothing is written.
    ///
    /// `AcqRel` on success: acquiring publishes what earlier holders wrote
    /// (the future, the output); releasing publishes ours.
    pub(crate) fn transition<A>(&self, f: impl Fn(Snapshot) -> (A, Option<Snapshot>)) -> A {
        let mut current = self.0.load(Acquire);
        loop {
            let (action, next) = f(Snapshot(current));
            let Some(next) = next else {
                return action;
            };
            match self
                .0
                .compare_exchange_weak(current, next.0, AcqRel, Acquire)
            {
                Ok(_) => return action,
                Err(actual) => current = actual,
            }
        }
    }

    /// `to_complete` always applies; returns the new snapshot.
    pub(crate) fn complete(&self) -> Snapshot {
        self.transition(|s| {
            let next = to_complete(s);
            (next, Some(next))
        })
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    const S: usize = SCHEDULED;
    const R: usize = RUNNING;
    const C: usize = COMPLETE;
    const X: usize = CANCELLED;
    const J: usize = JOIN_INTEREST;
    const W: usize = JOIN_WAKER;

    fn snap(bits: usize) -> Snapshot {
        Snapshot(bits)
    }

    #[test]
    fn to_running_table() {
        let table = [
            (S | J, ToRunning::Poll, Some(R | J)),
            (S, ToRunning::Poll, Some(R)),
            (S | X | J, ToRunning::Cancel, Some(R | X | J)),
            (S | C | J, ToRunning::Skip, None),
            (S | C | X, ToRunning::Skip, None),
        ];
        for (from, action, to) in table {
            assert_eq!(
                to_running(snap(from)),
                (action, to.map(snap)),
                "from {:?}",
                snap(from)
            );
        }
    }

    #[test]
    fn to_idle_table() {
        let table = [
            (R | J, ToIdle::Idle, Some(J)),
            (R | S | J, ToIdle::Reschedule, Some(S | J)),
            (R | X | J, ToIdle::Cancel, None),
            (R | S | X, ToIdle::Cancel, None),
        ];
        for (from, action, to) in table {
            assert_eq!(
                to_idle(snap(from)),
                (action, to.map(snap)),
                "from {:?}",
                snap(from)
            );
        }
    }

    #[test]
    fn to_complete_table() {
        assert_eq!(to_complete(snap(R | J)), snap(C | J));
        assert_eq!(to_complete(snap(R | S | X)), snap(C | S | X));
        assert_eq!(to_complete(snap(R)), snap(C));
    }

    #[test]
    fn wake_table() {
        let table = [
            (J, Wake::Submit, Some(S | J)),          // idle: queue it
            (S | J, Wake::Nothing, None),            // already queued: one poll
            (R | J, Wake::Nothing, Some(R | S | J)), // running: poller re-queues
            (R | S | J, Wake::Nothing, None),        // second wake while running
            (C | J, Wake::Nothing, None),            // complete: no-op
            (C, Wake::Nothing, None),
        ];
        for (from, action, to) in table {
            assert_eq!(
                wake(snap(from)),
                (action, to.map(snap)),
                "from {:?}",
                snap(from)
            );
        }
    }

    #[test]
    fn abort_table() {
        let table = [
            (J, Wake::Submit, Some(S | X | J)),
            (S | J, Wake::Nothing, Some(S | X | J)),
            (R | J, Wake::Nothing, Some(R | X | J)),
            (X | S | J, Wake::Nothing, None),
            (C | J, Wake::Nothing, None),
        ];
        for (from, action, to) in table {
            assert_eq!(
                abort(snap(from)),
                (action, to.map(snap)),
                "from {:?}",
                snap(from)
            );
        }
    }

    #[test]
    fn shutdown_table() {
        let table = [
            (J, Shutdown::Cancel, Some(R | X | J)),
            (S | J, Shutdown::Cancel, Some(S | R | X | J)),
            (R | J, Shutdown::Nothing, Some(R | X | J)),
            (C | J, Shutdown::Nothing, None),
        ];
        for (from, action, to) in table {
            assert_eq!(
                shutdown(snap(from)),
                (action, to.map(snap)),
                "from {:?}",
                snap(from)
            );
        }
    }

    #[test]
    fn drop_join_handle_table() {
        assert_eq!(
            drop_join_handle(snap(J | C)),
            (DropJoinHandle::HandleDropsOutput, Some(snap(C)))
        );
        assert_eq!(
            drop_join_handle(snap(J | S)),
            (DropJoinHandle::TaskDropsOutput, Some(snap(S)))
        );
        assert_eq!(
            drop_join_handle(snap(J | R)),
            (DropJoinHandle::TaskDropsOutput, Some(snap(R)))
        );
        // A stored waker: before completion the handle takes the slot back
        // (and drops the waker); after, the slot stays the completer's.
        assert_eq!(
            drop_join_handle(snap(J | W | R)),
            (DropJoinHandle::TaskDropsOutput, Some(snap(R)))
        );
        assert_eq!(
            drop_join_handle(snap(J | W | C)),
            (DropJoinHandle::HandleDropsOutput, Some(snap(W | C)))
        );
    }

    #[test]
    fn join_waker_table() {
        assert_eq!(
            set_join_waker(snap(J | R)),
            (JoinWaker::Moved, Some(snap(J | W | R)))
        );
        assert_eq!(
            set_join_waker(snap(J | S)),
            (JoinWaker::Moved, Some(snap(J | W | S)))
        );
        assert_eq!(set_join_waker(snap(J | C)), (JoinWaker::Complete, None));
        assert_eq!(
            unset_join_waker(snap(J | W)),
            (JoinWaker::Moved, Some(snap(J)))
        );
        assert_eq!(
            unset_join_waker(snap(J | W | C)),
            (JoinWaker::Complete, None)
        );
        // Completion keeps JOIN_WAKER, so the completer knows the slot is its.
        assert_eq!(to_complete(snap(J | W | R)), snap(J | W | C));
    }

    /// A wake during a poll gives exactly one re-poll, and a double wake
    /// before a poll gives one poll: replayed through the pure functions.
    #[test]
    fn wake_sequences() {
        let state = State::new();
        assert_eq!(state.transition(to_running), ToRunning::Poll);
        assert_eq!(state.transition(wake), Wake::Nothing);
        assert_eq!(state.transition(wake), Wake::Nothing);
        assert_eq!(state.transition(to_idle), ToIdle::Reschedule);
        assert_eq!(state.transition(to_running), ToRunning::Poll);
        assert_eq!(state.transition(to_idle), ToIdle::Idle);
        assert_eq!(state.transition(wake), Wake::Submit);
        assert_eq!(state.transition(wake), Wake::Nothing);
        assert_eq!(state.transition(to_running), ToRunning::Poll);
        assert_eq!(state.complete(), snap(C | J));
        assert_eq!(state.transition(wake), Wake::Nothing);
        assert_eq!(state.transition(abort), Wake::Nothing);
    }

    #[test]
    fn debug_names_flags() {
        assert_eq!(format!("{:?}", snap(S | J)), "SCHEDULED|JOIN_INTEREST");
        assert_eq!(format!("{:?}", snap(0)), "IDLE");
        assert_eq!(
            format!("{:?}", snap(C | J | W)),
            "COMPLETE|JOIN_INTEREST|JOIN_WAKER"
        );
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::sync::Arc;
    use loom::thread;

    /// A wake racing the end of a poll: the task ends up queued exactly once
    /// (either the waker submits it or the poller re-queues it).
    #[test]
    fn loom_wake_against_poll() {
        loom::model(|| {
            let state = Arc::new(State::new());
            assert_eq!(state.transition(to_running), ToRunning::Poll);
            let s2 = state.clone();
            let waker = thread::spawn(move || s2.transition(wake) == Wake::Submit);
            let rescheduled = state.transition(to_idle) == ToIdle::Reschedule;
            let submitted = waker.join().unwrap();
            assert!(
                rescheduled ^ submitted,
                "queued {} times",
                rescheduled as u8 + submitted as u8
            );
            assert!(state.load().is_scheduled());
        });
    }

    /// Abort racing a poll: the future is dropped exactly once, by whoever
    /// holds RUNNING when CANCELLED is seen.
    #[test]
    fn loom_abort_against_poll() {
        loom::model(|| {
            let state = Arc::new(State::new());
            assert_eq!(state.transition(to_running), ToRunning::Poll);
            let s2 = state.clone();
            let aborter = thread::spawn(move || s2.transition(abort) == Wake::Submit);
            let poller_cancels = state.transition(to_idle) == ToIdle::Cancel;
            let submitted = aborter.join().unwrap();
            // Either the poller saw CANCELLED, or the aborter found it idle
            // and queued it so that `to_running` returns Cancel.
            let run_cancels = submitted && state.transition(to_running) == ToRunning::Cancel;
            assert!(poller_cancels ^ run_cancels);
        });
    }

    /// JoinHandle drop racing completion: exactly one side drops the output.
    #[test]
    fn loom_join_handle_drop_against_complete() {
        loom::model(|| {
            let state = Arc::new(State::new());
            assert_eq!(state.transition(to_running), ToRunning::Poll);
            let s2 = state.clone();
            let handle = thread::spawn(move || {
                s2.transition(drop_join_handle) == DropJoinHandle::HandleDropsOutput
            });
            let task_drops = !state.complete().has_join_interest();
            let handle_drops = handle.join().unwrap();
            assert!(task_drops ^ handle_drops);
        });
    }
}
