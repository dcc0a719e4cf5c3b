//! The suite's settings: criterion configuration, the worker counts and
//! concurrency levels of the multi-thread workloads, and the helpers every
//! bench binary shares.
//!
//! # Time budget
//!
//! On the 2-core reference machine the suite registers 82 timed benchmark
//! functions plus 4 memory measurements (the exact number depends on the
//! core count, see [`crate::catalog`]). Each costs [`WARM_UP`] +
//! [`MEASUREMENT`] = 4 s plus criterion's analysis and plots (about 0.5 s
//! with [`NRESAMPLES`]) and, for workloads whose single iteration is long,
//! the extra time criterion needs to collect [`SAMPLE_SIZE`] samples: so
//! about 7 minutes when every iteration is short. A full run measured
//! 12 minutes (719 s, on a machine loaded by other jobs), of which about
//! 4 minutes went to mini_runtime's `rt_mt/spawn_many_remote_busy*`, whose
//! iterations take seconds. `cargo bench -p benches -- --quick` stops
//! sampling early and is faster.

use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId};
use criterion::{Criterion, PlottingBackend};

use crate::facade::Rt;

/// Samples per benchmark (criterion's default is 100).
pub const SAMPLE_SIZE: usize = 20;

/// Warm-up time per benchmark.
pub const WARM_UP: Duration = Duration::from_secs(1);

/// Measurement time per benchmark (criterion takes longer when one
/// iteration is so long that [`SAMPLE_SIZE`] samples do not fit).
pub const MEASUREMENT: Duration = Duration::from_secs(3);

/// Bootstrap resamples per statistic (criterion's default is 100,000).
///
/// With criterion's HTML report on, each benchmark's plots evaluate a
/// kernel density estimate over every resample of five statistics (and of
/// the change against the previous run): at 100,000 resamples that took
/// about 8 s per benchmark on the 2-core machine, twice the measurement
/// itself. 10,000 resamples still give stable 95 % confidence bounds.
pub const NRESAMPLES: usize = 10_000;

/// The criterion configuration of every bench binary (the command-line
/// arguments, e.g. `--quick` or a filter, are applied on top by
/// `criterion_group!`).
pub fn criterion() -> Criterion {
    Criterion::default()
        .sample_size(SAMPLE_SIZE)
        .warm_up_time(WARM_UP)
        .measurement_time(MEASUREMENT)
        .nresamples(NRESAMPLES)
        // Plotters (pure Rust) draws the HTML report; no gnuplot needed.
        .plotting_backend(PlottingBackend::Plotters)
}

/// The number of CPUs the benchmarks may use (`available_parallelism`, 1 if unknown).
pub fn available_parallelism() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Worker counts of the multi-thread workloads: 4 (exactly Tokio's
/// setting), then N = [`available_parallelism`] unless that is also 4.
pub fn mt_worker_counts(parallelism: usize) -> Vec<usize> {
    if parallelism == 4 {
        vec![4]
    } else {
        vec![4, parallelism]
    }
}

/// Concurrency levels of `spawn_blocking/concurrency` and
/// `remote_spawn/threads`: the powers of two up to `parallelism` (as
/// Tokio's files: 1, 2, 4, .., 64), plus `parallelism` itself when it is not
/// a power of two.
pub fn concurrency_levels(parallelism: usize) -> Vec<usize> {
    let mut levels: Vec<usize> = [1, 2, 4, 8, 16, 32, 64]
        .into_iter()
        .filter(|&n| n <= parallelism.max(1))
        .collect();
    if parallelism > 1 && !levels.contains(&parallelism) {
        levels.push(parallelism);
    }
    levels
}

/// True when the bench binary runs in criterion's test mode: under
/// `cargo test --benches` (no `--bench` argument) or `cargo bench -- --test`.
/// Every workload then runs once, untimed (criterion does this by itself;
/// the memory binary uses this to shrink its task count).
pub fn smoke_mode() -> bool {
    smoke_mode_from(std::env::args().skip(1))
}

/// [`smoke_mode`] for a given argument list (without the program name).
pub fn smoke_mode_from<I, S>(args: I) -> bool
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let (mut bench, mut test) = (false, false);
    for arg in args {
        match arg.as_ref() {
            "--bench" => bench = true,
            "--test" => test = true,
            _ => {}
        }
    }
    !bench || test
}

/// Registers one benchmark function of a workload for runtime `R`: its id
/// is `<group>/<workload>/<R::NAME>`, e.g. `rt_mt/ping_pong/mt4/mini`.
/// The [`watchdog`] watches it.
pub fn bench<R, F>(group: &mut BenchmarkGroup<'_, WallTime>, workload: &str, routine: F)
where
    R: Rt,
    F: FnMut(&mut criterion::Bencher<'_, WallTime>),
{
    let group_name = CURRENT_GROUP.lock().map(|g| g.clone()).unwrap_or_default();
    let _watch = watch(format!("{group_name}/{workload}/{}", R::NAME));
    group.bench_function(BenchmarkId::new(workload, R::NAME), routine);
}

/// The name of the group opened last by [`group`] (criterion does not
/// expose a group's name), for the watchdog's messages.
static CURRENT_GROUP: Mutex<String> = Mutex::new(String::new());

/// Opens a criterion group (`c.benchmark_group(name)`), remembering its
/// name for the [`watchdog`]'s messages.
pub fn group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    if let Ok(mut current) = CURRENT_GROUP.lock() {
        *current = name.to_string();
    }
    c.benchmark_group(name)
}

/// Environment variable overriding [`hang_limit`], in seconds.
pub const HANG_LIMIT_ENV: &str = "BENCHES_HANG_LIMIT_SECS";

/// How long one workload (building its runtime, every criterion sample,
/// dropping the runtime) may take before the [`watchdog`] calls it hung:
/// 10 minutes when benchmarking, 2 minutes in smoke mode (one iteration),
/// or `$BENCHES_HANG_LIMIT_SECS`.
pub fn hang_limit() -> Duration {
    if let Some(secs) = std::env::var(HANG_LIMIT_ENV)
        .ok()
        .and_then(|s| s.parse().ok())
    {
        return Duration::from_secs(secs);
    }
    if smoke_mode() {
        Duration::from_secs(120)
    } else {
        Duration::from_secs(600)
    }
}

/// Workloads being watched, outermost first: (label, start).
static WATCHED: Mutex<Vec<(String, Instant)>> = Mutex::new(Vec::new());

/// Marks a workload as running until the guard is dropped.
#[derive(Debug)]
#[must_use = "the workload is watched while the guard lives"]
pub struct WatchGuard(());

impl Drop for WatchGuard {
    fn drop(&mut self) {
        if let Ok(mut watched) = WATCHED.lock() {
            watched.pop();
        }
    }
}

/// Watches a workload: see [`watchdog`].
pub fn watch(label: impl Into<String>) -> WatchGuard {
    watchdog();
    if let Ok(mut watched) = WATCHED.lock() {
        watched.push((label.into(), Instant::now()));
    }
    WatchGuard(())
}

/// A runtime under test can hang (a lost wake-up leaves every thread
/// parked). Rather than let `cargo bench` or `cargo test --benches` wait
/// forever, a watchdog thread (started on first use) aborts the process
/// with a message naming the workload once the outermost watched workload
/// has run for longer than [`hang_limit`]. Watching costs nothing per
/// iteration: only the start and end of each workload are recorded.
pub fn watchdog() {
    static STARTED: OnceLock<()> = OnceLock::new();
    STARTED.get_or_init(|| {
        let limit = hang_limit();
        std::thread::Builder::new()
            .name("benches-watchdog".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(Duration::from_secs(1));
                    let Ok(watched) = WATCHED.lock() else {
                        continue;
                    };
                    let (Some((_, start)), Some((label, _))) = (watched.first(), watched.last())
                    else {
                        continue;
                    };
                    if start.elapsed() > limit {
                        eprintln!(
                            "\nbenches watchdog: `{label}` has not finished after {} s: the \
                             runtime looks hung (every thread parked?). Aborting so that the \
                             run does not wait forever; rerun this benchmark alone to \
                             reproduce.",
                            limit.as_secs()
                        );
                        std::process::abort();
                    }
                }
            })
            .expect("spawning the watchdog thread");
    });
}

/// Runs a generic workload function for both runtimes, mini_runtime first:
/// `for_each_runtime!(spawn_many_local(&mut group, 4))` expands to
/// `spawn_many_local::<Mini>(&mut group, 4); spawn_many_local::<Tokio>(&mut group, 4);`.
/// Each instantiation builds its own runtime and drops it before the next
/// one starts, so the two never compete for the CPU. Each is watched by the
/// [`watchdog`], setup and teardown included.
#[macro_export]
macro_rules! for_each_runtime {
    ($workload:ident ( $($arg:expr),* $(,)? )) => {{
        {
            let _watch = $crate::config::watch(concat!(stringify!($workload), "::<Mini>"));
            $workload::<$crate::Mini>($($arg),*);
        }
        {
            let _watch = $crate::config::watch(concat!(stringify!($workload), "::<Tokio>"));
            $workload::<$crate::Tokio>($($arg),*);
        }
    }};
}

/// Spins on the CPU for `duration`, calling `thread::yield_now` in the
/// loop (the `stall` of Tokio's busy workloads).
pub fn stall(duration: Duration) {
    let start = std::time::Instant::now();
    while start.elapsed() < duration {
        std::thread::yield_now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worker_counts() {
        assert_eq!(mt_worker_counts(2), vec![4, 2]);
        assert_eq!(mt_worker_counts(4), vec![4]);
        assert_eq!(mt_worker_counts(16), vec![4, 16]);
    }

    #[test]
    fn levels() {
        assert_eq!(concurrency_levels(1), vec![1]);
        assert_eq!(concurrency_levels(2), vec![1, 2]);
        assert_eq!(concurrency_levels(6), vec![1, 2, 4, 6]);
        assert_eq!(concurrency_levels(8), vec![1, 2, 4, 8]);
    }

    #[test]
    fn smoke_mode_follows_criterion() {
        assert!(smoke_mode_from(Vec::<String>::new()));
        assert!(!smoke_mode_from(["--bench"]));
        assert!(!smoke_mode_from(["--bench", "--quick", "rt_ct"]));
        assert!(smoke_mode_from(["--bench", "--test"]));
    }
}
