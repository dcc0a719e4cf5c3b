//! The child side: one lesson on one flavour in a fresh process, measured
//! from inside (CPU time and peak memory of the whole process), reported as
//! one JSON line on stdout after [`RESULT_MARKER`].
//!
//! Why a process per run: peak RSS (`VmHWM`) can only grow, and a runtime
//! leaves threads, allocator caches and timers behind; a fresh process
//! gives every run the same empty start and an honest peak.
//!
//! Why the child measures itself instead of the parent using `wait4`'s
//! rusage: on Linux the `ru_maxrss` a parent gets for its child also
//! counts the memory image the child had *before* `exec` (a copy of the
//! parent), so small runs would all show the parent's size. `VmHWM` in
//! `/proc/self/status` belongs to the new image only.

use std::time::Instant;

use demos::{Flavor, Options};
use serde::{Deserialize, Serialize};

use crate::model::{Counts, RunRecord, Verdict, numeric_figures};
use crate::timeline::TimelineTrace;

/// Prefix of the line that carries the child's result; everything else a
/// lesson might print on stdout is ignored.
pub const RESULT_MARKER: &str = "@@comparisons-result@@ ";

/// Events a traced run keeps at most (about 40 bytes each).
pub const TRACE_CAPACITY: usize = 400_000;

/// What a child sends back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChildOutput {
    /// The measured run.
    pub record: RunRecord,
    /// The scheduler trace, for traced runs of mini_runtime flavours.
    pub trace: Option<TimelineTrace>,
}

/// The lesson options for a run: the fast settings, or the original
/// timings with `full`.
pub fn options(full: bool, workers: usize) -> Options {
    let base = if full {
        Options::default()
    } else {
        Options::fast()
    };
    Options {
        workers: workers.max(1),
        echo: false,
        ..base
    }
}

/// Runs one lesson in this process and measures it; `trace` records
/// mini_runtime's event trace around the run (ignored for Tokio).
pub fn run(lesson: &str, flavor: Flavor, opts: &Options, trace: bool) -> ChildOutput {
    let number = demos::lessons::find(lesson).map_or(u32::MAX, |l| l.number);
    let trace = trace && flavor.is_mini();
    if trace {
        mini_runtime::trace::start(TRACE_CAPACITY);
    }
    let start = Instant::now();
    let result = demos::run_lesson_with_metrics(lesson, flavor, opts);
    let elapsed_ms = start.elapsed().as_secs_f64() * 1e3;
    let timeline = trace.then(|| TimelineTrace::from(&mini_runtime::trace::stop()));
    let mut record = match result {
        Ok((report, metrics)) => {
            let (verdict, message) = match report.verdict() {
                Ok(msg) => (Verdict::Held, msg),
                Err(msg) => (Verdict::Failed, msg),
            };
            RunRecord {
                lesson: report.lesson.clone(),
                number: report.number,
                flavor,
                verdict,
                message,
                wall_ms: report.wall_ms,
                process_wall_ms: None,
                cpu_ms: None,
                peak_rss_kb: None,
                figures: numeric_figures(&report.figures),
                counts: Counts::from_metrics(&metrics),
            }
        }
        Err(err) => {
            let mut r = RunRecord::error(lesson, number, flavor, err.to_string());
            r.wall_ms = elapsed_ms;
            r
        }
    };
    record.cpu_ms = cpu_time_ms();
    record.peak_rss_kb = peak_rss_kb();
    ChildOutput {
        record,
        trace: timeline,
    }
}

/// The result line a child prints.
///
/// # Errors
///
/// If the output cannot be serialised (it always can).
pub fn result_line(output: &ChildOutput) -> Result<String, serde_json::Error> {
    Ok(format!("{RESULT_MARKER}{}", serde_json::to_string(output)?))
}

/// Finds and parses the result line in a child's stdout.
///
/// # Errors
///
/// A message when there is no result line or it does not parse.
pub fn parse_output(stdout: &str) -> Result<ChildOutput, String> {
    let line = stdout
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix(RESULT_MARKER))
        .ok_or_else(|| "the child printed no result".to_string())?;
    serde_json::from_str(line).map_err(|e| format!("the child's result does not parse: {e}"))
}

/// The process's peak resident set in kB: `VmHWM` from
/// `/proc/self/status`, else `getrusage`'s `ru_maxrss`.
pub fn peak_rss_kb() -> Option<u64> {
    let from_proc = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        });
    from_proc.or_else(|| {
        let ru = rusage()?;
        let max = u64::try_from(ru.ru_maxrss).ok()?;
        // macOS reports bytes, Linux and the BSDs kilobytes.
        Some(if cfg!(target_os = "macos") {
            max / 1024
        } else {
            max
        })
    })
}

/// User plus system CPU time of the whole process (every thread, the
/// finished ones included), in milliseconds.
pub fn cpu_time_ms() -> Option<f64> {
    let ru = rusage()?;
    let ms = |tv: libc::timeval| tv.tv_sec as f64 * 1e3 + tv.tv_usec as f64 / 1e3;
    Some(ms(ru.ru_utime) + ms(ru.ru_stime))
}

#[cfg(unix)]
fn rusage() -> Option<libc::rusage> {
    let mut ru = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `ru` points to writable memory the size of a `rusage`;
    // getrusage only writes into it, and RUSAGE_SELF is a valid `who`.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, ru.as_mut_ptr()) };
    // SAFETY: on success getrusage filled the struct (and it was zeroed
    // before, which is a valid `rusage` of plain integers anyway).
    (rc == 0).then(|| unsafe { ru.assume_init() })
}

#[cfg(not(unix))]
fn rusage() -> Option<libc::rusage> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_line_round_trips_among_other_output() {
        crate::testutil::watchdog(10, || {
            let out = ChildOutput {
                record: crate::model::tests::record(6, "yield_now", Flavor::MiniCt, 1.5),
                trace: Some(crate::timeline::tests::synthetic()),
            };
            let stdout = format!("noise\n{}\nmore noise\n", result_line(&out).unwrap());
            assert_eq!(parse_output(&stdout).unwrap(), out);
            assert!(parse_output("nothing here").is_err());
            assert!(parse_output(&format!("{RESULT_MARKER}{{bad")).is_err());
        });
    }

    #[test]
    fn measures_this_process() {
        crate::testutil::watchdog(10, || {
            if cfg!(target_os = "linux") {
                assert!(peak_rss_kb().unwrap() > 100);
                assert!(cpu_time_ms().unwrap() >= 0.0);
            }
        });
    }

    #[test]
    fn runs_a_lesson_in_process() {
        crate::testutil::watchdog(30, || {
            let opts = options(false, 2);
            let out = run("async_recursion", Flavor::MiniCt, &opts, false);
            assert_eq!(out.record.verdict, Verdict::Held, "{}", out.record.message);
            assert_eq!(out.record.number, 21);
            assert!(out.record.counts.as_ref().unwrap().polls.unwrap() > 0);
            assert!(out.trace.is_none());
            let out = run("nosuch", Flavor::TokioCt, &opts, false);
            assert_eq!(out.record.verdict, Verdict::Error);
            assert!(out.record.message.contains("yield_now"));
        });
    }
}
