//! loom models of whole tasks: the real `Cell`, waker vtable, `JoinHandle`
//! and state word, with a toy scheduler whose run queue is a loom mutex.
//! Each model checks that the future is polled only when it should be and
//! dropped exactly once, and that no wake-up or output is lost.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize as StdAtomicUsize, Ordering as StdOrdering};
use std::task::{Context, Poll, Waker};

use loom::thread;

use super::harness::{self, Notified, Runnable, Schedule};
use super::{Id, JoinHandle};
use crate::sync::{Arc, Mutex};

/// A run queue that anyone may push to; the model's "worker" drains it.
#[derive(Clone)]
struct Queue(Arc<Mutex<Vec<Notified>>>);

impl Schedule for Queue {
    fn schedule(&self, task: Notified) {
        self.0.lock().push(task);
    }

    fn release(&self, _task: &dyn Runnable) {}
}

impl Queue {
    fn run_all(&self) {
        loop {
            let next = self.0.lock().pop();
            match next {
                Some(task) => task.run(),
                None => return,
            }
        }
    }
}

/// Pending until `ready` is set; stores its waker in `slot`. Counts polls
/// and drops (process-wide counters are fine: one model runs at a time,
/// and each model resets them).
struct Gate {
    ready: Arc<Mutex<bool>>,
    slot: Arc<Mutex<Option<Waker>>>,
    drops: std::sync::Arc<StdAtomicUsize>,
}

impl Future for Gate {
    type Output = u32;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        if *self.ready.lock() {
            return Poll::Ready(7);
        }
        *self.slot.lock() = Some(cx.waker().clone());
        // Re-check after storing the waker (the opener may have missed it).
        if *self.ready.lock() {
            Poll::Ready(7)
        } else {
            Poll::Pending
        }
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.drops.fetch_add(1, StdOrdering::SeqCst);
    }
}

struct Setup {
    queue: Queue,
    join: JoinHandle<u32>,
    ready: Arc<Mutex<bool>>,
    slot: Arc<Mutex<Option<Waker>>>,
    drops: std::sync::Arc<StdAtomicUsize>,
}

fn setup() -> Setup {
    let queue = Queue(Arc::new(Mutex::new(Vec::new())));
    let ready = Arc::new(Mutex::new(false));
    let slot = Arc::new(Mutex::new(None));
    let drops = std::sync::Arc::new(StdAtomicUsize::new(0));
    let gate = Gate {
        ready: ready.clone(),
        slot: slot.clone(),
        drops: drops.clone(),
    };
    let new = harness::new_task(gate, queue.clone(), Id::next());
    queue.schedule(new.notified);
    Setup {
        queue,
        join: JoinHandle::new(new.join),
        ready,
        slot,
        drops,
    }
}

/// Opens the gate and wakes the task from another thread while the worker
/// runs it: the task completes and the JoinHandle sees the output.
#[test]
fn loom_task_wake_from_another_thread_against_poll() {
    loom::model(|| {
        let s = setup();
        let (ready, slot) = (s.ready.clone(), s.slot.clone());
        let opener = thread::spawn(move || {
            *ready.lock() = true;
            let waker = slot.lock().take();
            if let Some(waker) = waker {
                waker.wake();
            }
        });
        s.queue.run_all();
        opener.join().unwrap();
        s.queue.run_all();
        let out = crate::block_on::block_on_for_loom(s.join);
        assert_eq!(out.unwrap(), 7);
        assert_eq!(s.drops.load(StdOrdering::SeqCst), 1);
    });
}

/// Abort from another thread against the poll: the future is dropped
/// exactly once and the JoinHandle reports cancellation or the output.
#[test]
fn loom_task_abort_against_poll() {
    loom::model(|| {
        let s = setup();
        let abort = s.join.abort_handle();
        let aborter = thread::spawn(move || abort.abort());
        s.queue.run_all();
        aborter.join().unwrap();
        s.queue.run_all();
        assert_eq!(
            s.drops.load(StdOrdering::SeqCst),
            1,
            "future dropped exactly once"
        );
        let out = crate::block_on::block_on_for_loom(s.join);
        assert!(out.unwrap_err().is_cancelled());
    });
}

/// The JoinHandle is dropped on another thread while the task completes:
/// the output and future are dropped exactly once, nothing leaks.
#[test]
fn loom_task_join_handle_drop_against_completion() {
    loom::model(|| {
        let s = setup();
        *s.ready.lock() = true;
        let join = s.join;
        let dropper = thread::spawn(move || drop(join));
        s.queue.run_all();
        dropper.join().unwrap();
        assert_eq!(s.drops.load(StdOrdering::SeqCst), 1);
        assert!(s.queue.0.lock().is_empty());
    });
}

/// The join waker slot: a task awaiting the JoinHandle on another thread
/// is woken when the task completes, whatever the interleaving.
#[test]
fn loom_task_join_waker_is_not_lost() {
    loom::model(|| {
        let s = setup();
        let join = s.join;
        let joiner = thread::spawn(move || crate::block_on::block_on_for_loom(join).unwrap());
        *s.ready.lock() = true;
        let waker = s.slot.lock().take();
        if let Some(waker) = waker {
            waker.wake();
        }
        s.queue.run_all();
        assert_eq!(joiner.join().unwrap(), 7);
    });
}

/// A JoinHandle polled twice with different wakers (it takes the slot back
/// and replaces its waker) while the task completes on another thread:
/// the latest waker is woken (or the second poll sees the output), and no
/// waker is lost or dropped twice.
#[test]
fn loom_task_join_waker_replaced_against_completion() {
    use std::sync::atomic::AtomicBool;
    use std::task::Wake;

    struct Flag(AtomicBool);
    impl Wake for Flag {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.store(true, StdOrdering::SeqCst);
        }
    }

    loom::model(|| {
        let s = setup();
        *s.ready.lock() = true;
        let mut join = s.join;
        let first = std::sync::Arc::new(Flag(AtomicBool::new(false)));
        let second = std::sync::Arc::new(Flag(AtomicBool::new(false)));
        let (w1, w2) = (Waker::from(first.clone()), Waker::from(second.clone()));
        // Poll once before the task runs: waker 1 is stored.
        assert!(
            Pin::new(&mut join)
                .poll(&mut Context::from_waker(&w1))
                .is_pending()
        );
        let queue = s.queue.clone();
        let worker = thread::spawn(move || queue.run_all());
        let second_poll = Pin::new(&mut join).poll(&mut Context::from_waker(&w2));
        worker.join().unwrap();
        match second_poll {
            Poll::Ready(out) => assert_eq!(out.unwrap(), 7),
            Poll::Pending => {
                // The completer must have woken the waker stored last.
                assert!(second.0.load(StdOrdering::SeqCst), "latest join waker lost");
                let out = Pin::new(&mut join).poll(&mut Context::from_waker(&w2));
                assert!(matches!(out, Poll::Ready(Ok(7))));
            }
        }
        drop(join);
        // Every clone of the wakers given to the task is gone: no leak.
        assert_eq!(std::sync::Arc::strong_count(&first), 2);
        assert_eq!(std::sync::Arc::strong_count(&second), 2);
    });
}

/// A JoinHandle with a stored waker is dropped while the task completes:
/// the stored waker is dropped exactly once (by the handle before
/// completion, or by the completer after waking it).
#[test]
fn loom_task_join_handle_with_waker_dropped_against_completion() {
    use std::task::Wake;

    struct Noop;
    impl Wake for Noop {
        fn wake(self: std::sync::Arc<Self>) {}
    }

    loom::model(|| {
        let s = setup();
        *s.ready.lock() = true;
        let mut join = s.join;
        let noop = std::sync::Arc::new(Noop);
        let waker = Waker::from(noop.clone());
        assert!(
            Pin::new(&mut join)
                .poll(&mut Context::from_waker(&waker))
                .is_pending()
        );
        drop(waker);
        let dropper = thread::spawn(move || drop(join));
        s.queue.run_all();
        dropper.join().unwrap();
        assert_eq!(
            std::sync::Arc::strong_count(&noop),
            1,
            "stored waker leaked"
        );
        assert_eq!(s.drops.load(StdOrdering::SeqCst), 1);
    });
}
