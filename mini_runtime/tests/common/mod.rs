//! Shared helpers for mini_runtime's integration tests.
#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// Runs `f`, aborting the test process if it takes longer than `limit`, so
/// a lost wake-up fails CI with a message instead of hanging it.
pub fn with_time_limit<R>(limit: Duration, f: impl FnOnce() -> R) -> R {
    let (done, watch) = mpsc::channel::<()>();
    let name = std::thread::current()
        .name()
        .unwrap_or("<unnamed>")
        .to_owned();
    std::thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = watch.recv_timeout(limit) {
            // Not `eprintln!`: the test harness captures that, and the message
            // would die with the process.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "test `{name}` exceeded its time limit of {limit:?} (a lost wake-up?); aborting"
            );
            std::process::abort();
        }
    });
    let out = f();
    drop(done);
    out
}

/// Counts how often it was dropped.
#[derive(Clone, Default)]
pub struct DropCounter(pub Arc<AtomicUsize>);

impl DropCounter {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn guard(&self) -> DropGuard {
        DropGuard(self.0.clone())
    }
    pub fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// Increments its counter when dropped.
pub struct DropGuard(Arc<AtomicUsize>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A future that never completes and counts its polls; it keeps its waker
/// where the test can reach it.
pub struct Pending {
    pub polls: Arc<AtomicUsize>,
    pub waker: Arc<std::sync::Mutex<Option<Waker>>>,
    pub _guard: Option<DropGuard>,
}

impl Pending {
    pub fn new(guard: Option<DropGuard>) -> Self {
        Pending {
            polls: Arc::default(),
            waker: Arc::default(),
            _guard: guard,
        }
    }
}

impl Future for Pending {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.polls.fetch_add(1, Ordering::SeqCst);
        *self.waker.lock().unwrap() = Some(cx.waker().clone());
        Poll::Pending
    }
}
