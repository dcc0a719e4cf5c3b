//! `memory/pending_tasks`: how many bytes one pending task costs.
//!
//! Not a timing, so not a criterion benchmark: this binary (a `[[bench]]`
//! target with `harness = false`, run by `cargo bench` like the others)
//! spawns 100,000 tasks that never complete (`std::future::pending::<()>()`)
//! on each runtime and flavour (current-thread `ct`, multi-thread with the
//! default worker count `mtN`), and records two figures per task:
//!
//! * **bytes**: the peak of heap bytes live (allocated minus freed, counted
//!   by a global allocator that wraps the system allocator) above a
//!   baseline taken just before spawning, divided by the task count. It
//!   includes the task allocations and whatever the scheduler grows to
//!   queue them (run queues, task lists); the join handles are dropped at
//!   once.
//! * **rss**: peak resident set size (`VmHWM` from `/proc/self/status`)
//!   minus the resident set just before spawning (`VmRSS`), per task.
//!
//! Each (runtime, flavour) is measured in a **fresh process**: the binary
//! re-executes itself with the environment variable
//! `BENCHES_MEMORY_CHILD=<runtime>:<flavour>` (e.g. `mini:ct`), so the peak
//! RSS of one measurement is not polluted by another's. The child prints
//! one JSON line; the parent merges the results into
//! `<target>/bench-memory.json`, which `bench-summary` reads.
//!
//! Criterion's command line is understood: a filter (regex, or `--exact`)
//! selects ids such as `memory/pending_tasks/ct/mini`, `--list` lists
//! them, other options are ignored. Under `cargo test --benches` (smoke
//! mode) every measurement runs once with 1,000 tasks and nothing is
//! written.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Read;
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use benches::catalog::{PENDING_TASKS, default_flavors};
use benches::config::{available_parallelism, smoke_mode_from};
use benches::memory::{MEMORY_FILE, MemoryReport, MemoryResult};
use benches::{Flavor, Mini, Rt, Tokio};

/// Counts live heap bytes and their peak.
struct CountingAllocator;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn record_alloc(size: usize) {
    let now = LIVE.fetch_add(size, Relaxed) + size;
    PEAK.fetch_max(now, Relaxed);
}

// SAFETY: every method forwards to the system allocator with the caller's
// arguments unchanged and only adds relaxed counter updates, so the
// GlobalAlloc contract is the system allocator's.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is; the caller upholds `alloc`'s contract.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            record_alloc(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is; the caller upholds `alloc_zeroed`'s contract.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            record_alloc(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as is; `ptr` came from this allocator (= System).
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded as is; the caller upholds `realloc`'s contract.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            LIVE.fetch_sub(layout.size(), Relaxed);
            record_alloc(new_size);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

const CHILD_ENV: &str = "BENCHES_MEMORY_CHILD";
const TASKS_ENV: &str = "BENCHES_MEMORY_TASKS";
const RESULT_PREFIX: &str = "BENCHES_MEMORY_RESULT ";
/// Tasks per measurement in smoke mode.
const SMOKE_TASKS: usize = 1_000;
/// How long a measurement may take before it counts as hung.
const CHILD_TIME_LIMIT: Duration = Duration::from_secs(300);
/// How long the tasks get to be polled once before the figures are read.
const SETTLE: Duration = Duration::from_millis(200);

/// A field of /proc/self/status in bytes (`VmRSS`, `VmHWM`), if available.
fn proc_status_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The measurement, in the child process.
fn measure<R: Rt>(flavor: Flavor, tasks: usize) -> MemoryResult {
    let rt = R::build(flavor);
    // Warm-up: let the runtime build whatever it builds lazily (task
    // lists, timer state) before the baseline.
    R::block_on(&rt, async {
        R::spawn(async {}).await.unwrap();
        R::sleep(Duration::from_millis(1)).await;
    });
    let rss_before = proc_status_bytes("VmRSS");
    let baseline = LIVE.load(Relaxed);
    PEAK.store(baseline, Relaxed);

    R::block_on(&rt, async {
        for _ in 0..tasks {
            drop(R::spawn(std::future::pending::<()>()));
        }
        // Give the scheduler time to poll every task once.
        R::sleep(SETTLE).await;
    });

    let peak_bytes = PEAK.load(Relaxed).saturating_sub(baseline) as u64;
    let retained = LIVE.load(Relaxed).saturating_sub(baseline) as u64;
    let rss_bytes = match (rss_before, proc_status_bytes("VmHWM")) {
        (Some(before), Some(peak)) => Some(peak.saturating_sub(before)),
        _ => None,
    };
    // Dropping the runtime cancels the pending tasks: part of the check
    // that the runtime behaves, not of the figures.
    drop(rt);
    MemoryResult {
        flavor: flavor.to_string(),
        runtime: R::NAME.to_string(),
        tasks,
        peak_bytes,
        bytes_per_task: peak_bytes as f64 / tasks as f64,
        retained_bytes_per_task: retained as f64 / tasks as f64,
        rss_bytes,
        rss_bytes_per_task: rss_bytes.map(|b| b as f64 / tasks as f64),
    }
}

fn child(spec: &str) -> ExitCode {
    let tasks = std::env::var(TASKS_ENV)
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(PENDING_TASKS);
    let Some(flavor) = default_flavors(available_parallelism())
        .into_iter()
        .find(|f| spec.ends_with(&format!(":{f}")))
    else {
        eprintln!("memory: unknown flavour in {CHILD_ENV}={spec}");
        return ExitCode::FAILURE;
    };
    let result = match spec.split(':').next() {
        Some("mini") => measure::<Mini>(flavor, tasks),
        Some("tokio") => measure::<Tokio>(flavor, tasks),
        _ => {
            eprintln!("memory: unknown runtime in {CHILD_ENV}={spec}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "{RESULT_PREFIX}{}",
        serde_json::to_string(&result).expect("result serializes")
    );
    ExitCode::SUCCESS
}

/// Runs one measurement in a fresh process.
fn run_child(runtime: &str, flavor: Flavor, tasks: usize) -> Result<MemoryResult, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let mut child = Command::new(exe)
        .env(CHILD_ENV, format!("{runtime}:{flavor}"))
        .env(TASKS_ENV, tasks.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start the measuring process: {e}"))?;
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        let _ = stdout.read_to_string(&mut out);
        out
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > CHILD_TIME_LIMIT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "no result within {} s (hung?); process killed",
                    CHILD_TIME_LIMIT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("waiting for the measuring process: {e}")),
        }
    };
    let out = reader.join().unwrap_or_default();
    if !status.success() {
        return Err(format!("measuring process failed: {status}"));
    }
    let line = out
        .lines()
        .find_map(|l| l.strip_prefix(RESULT_PREFIX))
        .ok_or_else(|| "measuring process printed no result".to_string())?;
    serde_json::from_str(line).map_err(|e| format!("unreadable result {line:?}: {e}"))
}

/// What the parent took from criterion's command line.
#[derive(Debug, Default)]
struct Cli {
    list: bool,
    exact: bool,
    filter: Option<String>,
    smoke: bool,
}

/// Criterion options that take a value (their value is not a filter).
const OPTIONS_WITH_VALUE: &[&str] = &[
    "-c",
    "--color",
    "--colour",
    "-s",
    "--save-baseline",
    "-b",
    "--baseline",
    "--baseline-lenient",
    "--load-baseline",
    "--format",
    "--profile-time",
    "--sample-size",
    "--warm-up-time",
    "--measurement-time",
    "--nresamples",
    "--noise-threshold",
    "--confidence-level",
    "--significance-level",
    "--plotting-backend",
    "--output-format",
];

fn parse_cli(args: &[String]) -> Cli {
    let mut cli = Cli {
        smoke: smoke_mode_from(args),
        ..Cli::default()
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if OPTIONS_WITH_VALUE.contains(&arg.as_str()) {
            args.next();
        } else if arg == "--list" {
            cli.list = true;
        } else if arg == "--exact" {
            cli.exact = true;
        } else if !arg.starts_with('-') && cli.filter.is_none() {
            cli.filter = Some(arg.clone());
        }
    }
    cli
}

fn parent() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cli = parse_cli(&args);
    let matcher: Box<dyn Fn(&str) -> bool> = match (&cli.filter, cli.exact) {
        (None, _) => Box::new(|_| true),
        (Some(filter), true) => {
            let filter = filter.clone();
            Box::new(move |id| id == filter)
        }
        (Some(filter), false) => match regex::Regex::new(filter) {
            Ok(re) => Box::new(move |id| re.is_match(id)),
            Err(err) => {
                eprintln!("memory: invalid filter {filter:?}: {err}");
                return ExitCode::FAILURE;
            }
        },
    };

    let mut selected = Vec::new();
    for flavor in default_flavors(available_parallelism()) {
        for runtime in [Mini::NAME, Tokio::NAME] {
            let id = format!("memory/pending_tasks/{flavor}/{runtime}");
            if matcher(&id) {
                selected.push((id, runtime, flavor));
            }
        }
    }
    if cli.list {
        for (id, _, _) in &selected {
            println!("{id}: benchmark");
        }
        return ExitCode::SUCCESS;
    }

    let tasks = if cli.smoke {
        SMOKE_TASKS
    } else {
        PENDING_TASKS
    };
    let mut report = MemoryReport::default();
    let mut failed = false;
    for (id, runtime, flavor) in selected {
        if cli.smoke {
            println!("Testing {id}");
        }
        match run_child(runtime, flavor, tasks) {
            Ok(result) if cli.smoke => {
                let _ = result;
                println!("Success");
            }
            Ok(result) => {
                println!(
                    "{id:<40} {:>8.1} B/task peak heap ({:.1} B/task retained), {} peak RSS",
                    result.bytes_per_task,
                    result.retained_bytes_per_task,
                    result
                        .rss_bytes_per_task
                        .map_or("n/a".to_string(), |r| format!("{r:.1} B/task")),
                );
                report.upsert(result);
            }
            Err(err) => {
                eprintln!("{id}: FAILED: {err}");
                failed = true;
            }
        }
    }

    if !cli.smoke && !report.results.is_empty() {
        let path = benches::bench_target_dir().join(MEMORY_FILE);
        let mut merged = match MemoryReport::read(&path) {
            Ok(existing) => existing.unwrap_or_default(),
            Err(err) => {
                eprintln!("memory: ignoring unreadable {}: {err}", path.display());
                MemoryReport::default()
            }
        };
        for result in report.results {
            merged.upsert(result);
        }
        if let Err(err) = merged.write(&path) {
            eprintln!("memory: cannot write {}: {err}", path.display());
            return ExitCode::FAILURE;
        }
        println!("memory results written to {}", path.display());
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn main() -> ExitCode {
    match std::env::var(CHILD_ENV) {
        Ok(spec) => child(&spec),
        Err(_) => parent(),
    }
}
