//! Helpers for this crate's unit tests.

use std::sync::mpsc;
use std::time::Duration;

/// Runs `f`, aborting the whole test process if it takes longer than
/// `limit`. A lost wake-up then fails CI with a message instead of hanging
/// it. (A watchdog thread, so `f` need not be `Send` or `'static`.)
pub(crate) fn with_time_limit<R>(limit: Duration, f: impl FnOnce() -> R) -> R {
    // Miri interprets the code about a hundred times slower.
    let limit = if cfg!(miri) { limit * 50 } else { limit };
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
