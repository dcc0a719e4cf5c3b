//! Helpers for the conformance behaviours (written once, run on every
//! flavour; Tokio is the reference): the time limit every test runs under,
//! a drop counter, and [`Probe`], a hand-written future that counts its
//! polls and drops and hands its waker to the test.

use std::future::Future;
use std::io::Write;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex, mpsc};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use super::facade::Rt;

/// How long one behaviour may take on one flavour. Generous: a passing
/// test takes milliseconds; this only turns a hang into a failure.
pub const TIME_LIMIT: Duration = Duration::from_secs(30);

/// Runs one behaviour on flavour `R` under [`TIME_LIMIT`]; called by the
/// tests that `conformance_tests!` generates.
pub fn run_behaviour<R: Rt>(test: &'static str, behaviour: fn()) {
    // `module_path!()` starts with the crate's name; libtest's names do not.
    let test = test.split_once("::").map_or(test, |(_crate, path)| path);
    with_time_limit(test, R::NAME, TIME_LIMIT, behaviour);
}

/// Runs `body`; if it has not returned after `limit`, a watchdog thread
/// prints the test's name and aborts the whole test process, so a lost
/// wake-up fails CI with a message instead of hanging it. (Aborting is the
/// only way to stop a thread that is stuck inside a runtime.)
pub fn with_time_limit<T>(
    test: &str,
    flavour: &str,
    limit: Duration,
    body: impl FnOnce() -> T,
) -> T {
    let (done, watch) = mpsc::channel::<()>();
    let test = test.to_owned();
    let flavour = flavour.to_owned();
    let watchdog = std::thread::Builder::new()
        .name(format!("watchdog for {test}"))
        .spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = watch.recv_timeout(limit) {
                // Straight to the process's stderr: `eprintln!` on this
                // thread would be captured by the test harness, and lost.
                let _ = writeln!(
                    std::io::stderr(),
                    "conformance test `{test}` ({flavour}) did not finish within {limit:?} \
                     (a lost wake-up or a hang?); aborting the test process"
                );
                std::process::abort();
            }
        })
        .expect("spawning the watchdog thread");
    // If `body` panics, `done` is dropped while unwinding, which also
    // releases the watchdog.
    let out = body();
    drop(done);
    watchdog.join().expect("the watchdog thread panicked");
    out
}

/// Yields (with the flavour's `yield_now`) until `cond` holds. Bounded by
/// the test's time limit.
pub async fn until<R: Rt>(cond: impl Fn() -> bool) {
    while !cond() {
        R::yield_now().await;
    }
}

/// Yields `n` times: gives the scheduler `n` turns to run other tasks.
pub async fn turns<R: Rt>(n: usize) {
    for _ in 0..n {
        R::yield_now().await;
    }
}

/// Counts how many of its [`Token`]s were dropped.
#[derive(Clone, Debug, Default)]
pub struct DropCounter(Arc<AtomicUsize>);

impl DropCounter {
    /// A new counter at zero.
    pub fn new() -> DropCounter {
        DropCounter::default()
    }

    /// A value that adds one to this counter when dropped.
    pub fn token(&self) -> Token {
        Token(self.0.clone())
    }

    /// How many tokens have been dropped.
    pub fn drops(&self) -> usize {
        self.0.load(SeqCst)
    }
}

/// Adds one to its [`DropCounter`] when dropped.
#[derive(Debug)]
pub struct Token(Arc<AtomicUsize>);

impl Drop for Token {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// What a [`Probe`] and its futures share.
#[derive(Debug, Default)]
struct ProbeState {
    polls: AtomicUsize,
    drops: AtomicUsize,
    ready: AtomicBool,
    self_wakes: AtomicUsize,
    waker: Mutex<Option<Waker>>,
}

/// The test's side of a hand-written future, [`ProbeFuture`]: counts its
/// polls and drops, keeps the latest waker, and completes when told to.
#[derive(Clone, Debug, Default)]
pub struct Probe(Arc<ProbeState>);

impl Probe {
    /// A probe whose future is pending until [`finish`](Self::finish).
    pub fn new() -> Probe {
        Probe::default()
    }

    /// The future to spawn. It stores its waker on every poll that returns
    /// `Pending`, and returns `Ready(number of polls so far)` once
    /// [`finish`](Self::finish) was called. Every call gives another
    /// future sharing this probe's counters.
    pub fn future(&self) -> ProbeFuture {
        ProbeFuture(self.0.clone())
    }

    /// How many times the future has been polled.
    pub fn polls(&self) -> usize {
        self.0.polls.load(SeqCst)
    }

    /// How many times the future has been dropped.
    pub fn drops(&self) -> usize {
        self.0.drops.load(SeqCst)
    }

    /// Makes the next poll return `Ready`; does not wake the task.
    pub fn finish(&self) {
        self.0.ready.store(true, SeqCst);
    }

    /// Makes the next poll wake its own task twice before returning `Pending`.
    pub fn wake_self_during_next_poll(&self) {
        self.0.self_wakes.store(1, SeqCst);
    }

    /// A clone of the waker from the latest poll.
    ///
    /// # Panics
    ///
    /// If the future was never polled.
    pub fn waker(&self) -> Waker {
        self.0
            .waker
            .lock()
            .unwrap()
            .clone()
            .expect("the probe was never polled")
    }

    /// Takes the waker out of the probe, so the test holds the only copy.
    pub fn take_waker(&self) -> Option<Waker> {
        self.0.waker.lock().unwrap().take()
    }
}

/// The future of a [`Probe`].
#[derive(Debug)]
pub struct ProbeFuture(Arc<ProbeState>);

impl Future for ProbeFuture {
    type Output = usize;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        let state = &self.0;
        // Store the waker *before* counting the poll: a test that sees the
        // count can take the waker, even on another thread.
        if state.ready.load(SeqCst) {
            return Poll::Ready(state.polls.fetch_add(1, SeqCst) + 1);
        }
        *state.waker.lock().unwrap() = Some(cx.waker().clone());
        if state.self_wakes.swap(0, SeqCst) > 0 {
            cx.waker().wake_by_ref();
            cx.waker().wake_by_ref();
        }
        state.polls.fetch_add(1, SeqCst);
        Poll::Pending
    }
}

impl Drop for ProbeFuture {
    fn drop(&mut self) {
        self.0.drops.fetch_add(1, SeqCst);
    }
}

/// Polls `future` exactly once, with the current task's waker, and gives
/// back what that poll returned: to check "pending on its first poll".
pub async fn poll_once<F: Future + ?Sized>(mut future: Pin<&mut F>) -> Poll<F::Output> {
    std::future::poll_fn(|cx| Poll::Ready(future.as_mut().poll(cx))).await
}

/// A future that is `Pending` on its first poll (without arranging a
/// wake-up: something else must wake its task) and `Ready(value)` on every
/// later poll.
pub fn ready_on_second_poll<T: Unpin>(value: T) -> impl Future<Output = T> + Unpin {
    let mut value = Some(value);
    let mut polled = false;
    std::future::poll_fn(move |_cx| {
        if std::mem::replace(&mut polled, true) {
            Poll::Ready(value.take().expect("polled after completion"))
        } else {
            Poll::Pending
        }
    })
}

/// A scratch path for this test and flavour, in Cargo's temporary folder
/// for integration tests (`CARGO_TARGET_TMPDIR`), so that tests running
/// in parallel never share a file.
pub fn scratch_path(test: &str, flavour: &str) -> std::path::PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, SeqCst);
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("conformance");
    std::fs::create_dir_all(&dir).expect("creating the scratch folder");
    dir.join(format!("{test}-{flavour}-{}-{n}.txt", std::process::id()))
}
