//! Runs every workshop lesson of the `demos` crate on mini_runtime and
//! Tokio (current-thread and multi-thread each), one child process per
//! run, checks each lesson's invariant, measures wall time, CPU time and
//! peak memory, and writes a report with charts and scheduler timelines.
//!
//! ```text
//! cargo run --release -p comparisons            # every lesson, every flavour, fast settings
//! cargo run --release -p comparisons -- --help  # --full, --lesson, --runtime, --repeat, ...
//! ```
//!
//! The crate is also home of the cross-runtime conformance suite
//! (`tests/conformance`).
//!
//! # Map
//!
//! | module | what |
//! |---|---|
//! | [`cli`] | the command line and the [`Plan`](cli::Plan) it resolves to |
//! | [`runner`] | the parent: one child process per run, with a time limit |
//! | [`child`] | the child: runs one lesson, measures CPU time and peak RSS, prints JSON |
//! | [`model`] | a run's record, medians over `--repeat` runs |
//! | [`table`] | the side-by-side table and the other tables (text and Markdown) |
//! | [`charts`] | grouped bar charts (plotters, SVG) |
//! | [`timeline`] | mini_runtime's event trace as a timeline chart and as Chrome JSON |
//! | [`report`] | `report.md`, the self-contained `report.html`, and the files beside them |

pub mod charts;
pub mod child;
pub mod cli;
pub mod model;
pub mod report;
pub mod runner;
pub mod table;
pub mod timeline;

#[cfg(test)]
pub(crate) mod testutil {
    use std::sync::mpsc;
    use std::time::Duration;

    /// Runs `body` on this thread; if it takes longer than `secs`, a
    /// watchdog thread prints which test hung and aborts the process (a
    /// hung test must not hang CI).
    pub(crate) fn watchdog<T>(secs: u64, body: impl FnOnce() -> T) -> T {
        let (done, wait) = mpsc::channel::<()>();
        let name = std::thread::current()
            .name()
            .unwrap_or("a test")
            .to_string();
        let dog = std::thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) =
                wait.recv_timeout(Duration::from_secs(secs))
            {
                eprintln!("watchdog: {name} took longer than {secs} s; aborting");
                std::process::abort();
            }
        });
        let out = body();
        drop(done);
        let _ = dog.join();
        out
    }
}
