//! Every lesson on every flavour (`--fast`, smaller sizes), with its
//! invariant checked; checkers fed wrong observations must say no; the
//! binary's exit status.
//!
//! Lesson runs take one global lock, so timing invariants are never
//! measured while another lesson loads the machine. Every test has a time
//! limit: a watchdog aborts the process with a message instead of letting
//! a lost wake-up hang CI.

use std::io::{Read, Write as _};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use demos::{Flavor, Options, Report};
use serde_json::json;

/// Runs `f`, aborting the process if it takes longer than `limit`.
fn with_time_limit<R>(limit: Duration, f: impl FnOnce() -> R) -> R {
    let (done, watch) = mpsc::channel::<()>();
    let name = std::thread::current()
        .name()
        .unwrap_or("<unnamed>")
        .to_owned();
    std::thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = watch.recv_timeout(limit) {
            // Straight to stderr: `eprintln!` output is captured by the
            // test harness and would be lost with the abort.
            let _ = writeln!(
                std::io::stderr(),
                "test `{name}` exceeded its time limit of {limit:?} (a hang?); aborting"
            );
            std::process::abort();
        }
    });
    let out = f();
    drop(done);
    out
}

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `--fast` with sizes small enough for a debug build.
fn test_options() -> Options {
    Options {
        threads: Some(500),
        primes_below: 20_000,
        lines: 20_000,
        ..Options::fast()
    }
}

/// Runs a lesson on every flavour and asserts its invariant; returns the
/// reports (mini-ct, mini-mt, tokio-ct, tokio-mt).
fn run_everywhere(name: &str) -> Vec<Report> {
    run_everywhere_with(name, test_options())
}

fn run_everywhere_with(name: &str, opts: Options) -> Vec<Report> {
    let _serial = serial();
    with_time_limit(Duration::from_secs(60), || {
        Flavor::ALL
            .iter()
            .map(|&flavor| {
                let start = Instant::now();
                let report = demos::run_lesson(name, flavor, &opts)
                    .unwrap_or_else(|e| panic!("{name} on {flavor}: {e}"));
                if let Err(msg) = report.check() {
                    panic!("{name} on {flavor}: invariant failed: {msg}\n{report:#?}");
                }
                eprintln!("{name} on {flavor}: ok in {:?}", start.elapsed());
                report
            })
            .collect()
    })
}

/// One run with tiny sizes, for the tests that corrupt a real report.
fn sample(name: &str, flavor: Flavor) -> Report {
    let _serial = serial();
    let opts = Options {
        threads: Some(200),
        primes_below: 2_000,
        lines: 2_000,
        ..Options::fast()
    };
    with_time_limit(Duration::from_secs(30), || {
        let report = demos::run_lesson(name, flavor, &opts).unwrap();
        report.check().unwrap_or_else(|e| panic!("{name}: {e}"));
        report
    })
}

fn assert_rejected(report: &Report, why: &str) {
    match report.check() {
        Ok(()) => panic!("{} accepted a wrong observation ({why})", report.lesson),
        Err(msg) => eprintln!("{} rejected {why}: {msg}", report.lesson),
    }
}

macro_rules! every_flavour {
    ($($test:ident => $lesson:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                run_everywhere($lesson);
            }
        )*
    };
}

every_flavour! {
    l00_threads_vs_tasks => "threads_vs_tasks",
    l01_block_on => "block_on",
    l02_runtime_builder => "runtime_builder",
    l03_hello_main => "hello_main",
    l04_join => "join",
    l05_spawn => "spawn",
    l06_yield_now => "yield_now",
    l07_select => "select",
    l08_blocking_mistake => "blocking_mistake",
    l09_spawn_blocking => "spawn_blocking",
    l10_channels => "channels",
    l11_multi_channels => "multi_channels",
    l12_thread_to_runtime => "thread_to_runtime",
    l13_streams => "streams",
    l14_stream_generator => "stream_generator",
    l16_tracing_log => "tracing_log",
    l17_tracing_json => "tracing_json",
    l18_tracing_spans => "tracing_spans",
    l19_stream_adapter => "stream_adapter",
    l20_pinning_select => "pinning_select",
    l21_async_recursion => "async_recursion",
    l22_async_traits => "async_traits",
    l23_select_timeout => "select_timeout",
    l24_cpu_pool_reply => "cpu_pool_reply",
    l25_introspection => "introspection",
}

/// Lesson 15 with a file large enough (5 MB) that interleaving is required.
#[test]
fn l15_file_lines() {
    let reports = run_everywhere_with(
        "file_lines",
        Options {
            lines: 100_000,
            ..test_options()
        },
    );
    for r in &reports {
        assert!(r.int("file_bytes").unwrap() >= 2 * 31 * 64 * 1024);
    }
}

#[test]
fn registry_lists_26_lessons_in_order() {
    let lessons = demos::lessons();
    assert_eq!(lessons.len(), 26);
    for (i, lesson) in lessons.iter().enumerate() {
        assert_eq!(lesson.number as usize, i);
        assert!(!lesson.teaches.is_empty() && !lesson.invariant.is_empty());
    }
    assert_eq!(demos::lessons::find("6").unwrap().name, "yield_now");
    let err = demos::run_lesson("no_such_lesson", Flavor::MiniCt, &Options::fast()).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("no_such_lesson") && msg.contains("yield_now"),
        "{msg}"
    );
}

#[test]
fn report_roundtrips_through_json() {
    let report = sample("yield_now", Flavor::TokioCt);
    let text = serde_json::to_string(&report).unwrap();
    let back: Report = serde_json::from_str(&text).unwrap();
    // Floats may differ in the last bit after a text round trip; compare
    // what a reader of the JSON sees.
    assert_eq!(
        serde_json::to_value(&back).unwrap(),
        serde_json::from_str::<serde_json::Value>(&text).unwrap()
    );
    assert_eq!(back.events.len(), report.events.len());
    back.check().unwrap();
}

// ---- Checkers fed wrong observations: one test per kind of check. ----

#[test]
fn rejects_a_missing_tick() {
    let mut r = sample("spawn", Flavor::MiniCt);
    let i = r
        .events
        .iter()
        .position(|e| e.task == "tick" && e.value == Some(4))
        .unwrap();
    r.events.remove(i);
    assert_rejected(&r, "a missing tick");

    let mut r = sample("channels", Flavor::MiniCt);
    r.events.pop();
    assert_rejected(&r, "one tick too few");

    let mut r = sample("stream_generator", Flavor::TokioCt);
    r.events.remove(10);
    assert_rejected(&r, "a missing generated value");
}

#[test]
fn rejects_a_wrong_order() {
    let mut r = sample("spawn", Flavor::MiniMt);
    let a = r
        .events
        .iter()
        .position(|e| e.task == "tock" && e.value == Some(2))
        .unwrap();
    let b = r
        .events
        .iter()
        .position(|e| e.task == "tock" && e.value == Some(7))
        .unwrap();
    r.events.swap(a, b);
    assert_rejected(&r, "tock 7 before tock 2");

    let mut r = sample("block_on", Flavor::TokioMt);
    r.events.reverse();
    assert_rejected(&r, "the async line before the sync line");

    let mut r = sample("thread_to_runtime", Flavor::MiniCt);
    let idx: Vec<usize> = (0..r.events.len())
        .filter(|&i| r.events[i].task == "main")
        .collect();
    r.events.swap(idx[0], idx[1]);
    assert_rejected(&r, "messages out of order");
}

#[test]
fn rejects_no_interleaving_on_one_thread() {
    let mut r = sample("yield_now", Flavor::MiniCt);
    r.events.sort_by_key(|e| e.task.clone());
    assert_rejected(&r, "ten ticks in a row on one thread");
    // The same observation is fine on a multi-thread flavour.
    r.flavor = Flavor::MiniMt;
    r.check().unwrap();
}

#[test]
fn rejects_a_wrong_multiset() {
    let mut r = sample("join", Flavor::TokioMt);
    r.figures.insert(
        "join_set".into(),
        json!([0, 4, 8, 12, 16, 20, 24, 28, 32, 32]),
    );
    assert_rejected(&r, "a JoinSet result repeated, another missing");

    let mut r = sample("cpu_pool_reply", Flavor::MiniMt);
    let mut answers: Vec<(i64, i64)> = r.get("answers").unwrap();
    answers[3] = answers[2];
    r.figures.insert("answers".into(), json!(answers));
    assert_rejected(&r, "a job answered twice, another never");

    let mut r = sample("multi_channels", Flavor::TokioCt);
    let i = r
        .events
        .iter()
        .position(|e| e.task == "A" && e.value == Some(1))
        .unwrap();
    let dup = r.events[i].clone();
    r.events.insert(i, dup);
    assert_rejected(&r, "a message received twice");

    let mut r = sample("pinning_select", Flavor::MiniCt);
    let dup = r
        .events
        .iter()
        .find(|e| e.kind == "output")
        .unwrap()
        .clone();
    r.events.push(dup);
    assert_rejected(&r, "an output seen twice");

    let mut r = sample("async_traits", Flavor::TokioCt);
    r.events.retain(|e| e.task != "French");
    assert_rejected(&r, "one implementation missing");
}

#[test]
fn rejects_too_slow_timings() {
    let mut r = sample("blocking_mistake", Flavor::MiniCt);
    let blocking = r.num("blocking_ms").unwrap();
    r.figures.insert("async_ms".into(), json!(blocking));
    assert_rejected(&r, "async sleepers as slow as blocking ones");

    let mut r = sample("select_timeout", Flavor::TokioMt);
    let work = r.num("work_ms").unwrap();
    r.figures.insert("select_ms".into(), json!(work + 1.0));
    assert_rejected(
        &r,
        "a timeout that fired after the work would have finished",
    );

    let mut r = sample("select", Flavor::MiniMt);
    let mut rounds: Vec<serde_json::Value> = r.get("rounds").unwrap();
    rounds[0]["took_ms"] = json!(1e6);
    rounds[0]["winner"] = json!(0);
    rounds[0]["sleeps_ms"] = json!([1.0, 2.0, 3.0]);
    r.figures.insert("rounds".into(), json!(rounds));
    assert_rejected(&r, "a select round far slower than its shortest sleep");

    let mut r = sample("tracing_spans", Flavor::MiniCt);
    for e in &mut r.events {
        if e.text.contains("close") {
            e.text = e.text.replace("time.idle=", "time.idle=9").to_string();
        }
    }
    assert_rejected(&r, "a span idle for far longer than the sleep");
}

#[test]
fn rejects_early_timers() {
    let mut r = sample("select", Flavor::TokioCt);
    let mut rounds: Vec<serde_json::Value> = r.get("rounds").unwrap();
    rounds[0]["sleeps_ms"] = json!([5.0, 1.0, 7.0]);
    rounds[0]["winner"] = json!(2);
    rounds[0]["took_ms"] = json!(1.2);
    r.figures.insert("rounds".into(), json!(rounds));
    assert_rejected(&r, "a branch that won before its sleep was over");

    let mut r = sample("blocking_mistake", Flavor::TokioCt);
    r.figures.insert("blocking_ms".into(), json!(1.0));
    assert_rejected(&r, "blocking sleepers finishing faster than their sum");

    let mut r = sample("blocking_mistake", Flavor::MiniMt);
    let i = r
        .events
        .iter()
        .position(|e| e.task == "blocking" && e.kind == "end" && e.value == Some(1))
        .unwrap();
    let ev = r.events.remove(i);
    r.events.push(ev);
    assert_rejected(&r, "blocking sleepers overlapping");

    let mut r = sample("tracing_spans", Flavor::TokioCt);
    r.figures.insert("nap_ms".into(), json!(1e6));
    assert_rejected(&r, "a span idle for less than the sleep");
}

#[test]
fn rejects_wrong_results() {
    let mut r = sample("spawn_blocking", Flavor::MiniMt);
    r.figures.insert("primes".into(), json!(9591));
    assert_rejected(&r, "a wrong prime count");

    let mut r = sample("async_recursion", Flavor::TokioCt);
    r.events[0].value = Some(6764);
    assert_rejected(&r, "a wrong fib(20)");

    let mut r = sample("file_lines", Flavor::MiniCt);
    r.figures
        .insert("mismatches_per_reader".into(), json!([0, 1, 0]));
    assert_rejected(&r, "a line out of place");

    let mut r = sample("file_lines", Flavor::TokioCt);
    r.figures
        .insert("lines_per_reader".into(), json!([2000, 1999, 2000]));
    assert_rejected(&r, "a reader missing a line");

    let mut r = sample("stream_adapter", Flavor::MiniMt);
    r.figures.insert("mismatches".into(), json!(3));
    assert_rejected(&r, "lines not upper-cased");

    let mut r = sample("join", Flavor::MiniCt);
    r.figures.insert("join".into(), json!([12, 8]));
    assert_rejected(&r, "join! outputs swapped");
}

#[test]
fn rejects_no_interleaving_of_file_readers() {
    let mut r = sample("file_lines", Flavor::MiniCt);
    r.figures.insert("file_bytes".into(), json!(10_000_000));
    r.figures.insert("switches".into(), json!(2));
    assert_rejected(&r, "three readers one after the other");
}

#[test]
fn rejects_tasks_that_were_not_cancelled() {
    let mut r = sample("spawn_blocking", Flavor::TokioMt);
    r.figures.insert("ticker_cancelled".into(), json!(false));
    assert_rejected(&r, "an endless ticker that survived shutdown");

    let mut r = sample("streams", Flavor::MiniMt);
    r.figures.insert("ticker_cancelled".into(), json!(false));
    assert_rejected(&r, "an endless ticker that survived shutdown");
}

#[test]
fn rejects_preemption_on_one_thread() {
    let mut r = sample("streams", Flavor::TokioCt);
    let mut tick = r.events[0].clone();
    tick.task = "ticker".into();
    tick.kind = "ticker".into();
    tick.text = "T".into();
    r.events.insert(10, tick);
    assert_rejected(
        &r,
        "the ticker running on one thread behind an always-ready stream",
    );
}

#[test]
fn rejects_a_starved_ticker() {
    // A count that lasted 20 periods with no ticker line in between.
    let mut r = sample("spawn_blocking", Flavor::MiniCt);
    let period = r.num("period_ms").unwrap();
    r.events.retain(|e| e.task != "ticker");
    for e in &mut r.events {
        if e.task == "count" && e.kind == "end" {
            e.t_ms = 20.0 * period;
        }
        if e.task == "count" && e.kind == "start" {
            e.t_ms = 0.0;
        }
    }
    assert_rejected(&r, "a ticker silent during a long count");

    // Ticks at the edges only: one long pause in the middle.
    let mut tick = r.events[0].clone();
    tick.task = "ticker".into();
    tick.kind = "ticker".into();
    tick.t_ms = 1.0;
    let mut late = tick.clone();
    late.t_ms = 20.0 * period - 1.0;
    r.events.push(tick);
    r.events.push(late);
    assert_rejected(&r, "a ticker paused for most of a long count");
}

#[test]
fn rejects_bad_logs() {
    let mut r = sample("tracing_log", Flavor::MiniMt);
    r.events.pop();
    assert_rejected(&r, "2 log lines instead of 3");

    let mut r = sample("tracing_json", Flavor::TokioMt);
    r.events[1].text = "{\"level\": \"WARN\", broken".into();
    assert_rejected(&r, "a log line that is not JSON");

    let mut r = sample("tracing_spans", Flavor::MiniMt);
    let enter = r
        .events
        .iter()
        .find(|e| e.text.ends_with(": enter"))
        .unwrap()
        .clone();
    r.events.insert(0, enter.clone());
    r.events.insert(0, enter);
    assert_rejected(&r, "more span enters than polls");
}

#[test]
fn rejects_wrong_memory_and_names() {
    let mut r = sample("threads_vs_tasks", Flavor::MiniCt);
    let threads = r.figure("threads_peak_kb").unwrap().clone();
    r.figures.insert("tasks_peak_kb".into(), threads);
    assert_rejected(&r, "tasks as heavy as threads");

    let mut r = sample("threads_vs_tasks", Flavor::TokioCt);
    r.figures.insert("tasks_finished".into(), json!(199));
    assert_rejected(&r, "a task that never finished");

    let mut r = sample("runtime_builder", Flavor::TokioMt);
    r.figures
        .insert("blocking_thread".into(), json!("tokio-runtime-worker"));
    assert_rejected(&r, "a thread without the configured name");

    let mut r = sample("runtime_builder", Flavor::MiniMt);
    r.events[0].thread = "main".into();
    assert_rejected(&r, "a task not on a configured worker");

    let mut r = sample("hello_main", Flavor::MiniMt);
    r.events.clear();
    assert_rejected(&r, "no line");
}

#[test]
fn rejects_inconsistent_metrics() {
    let mut r = sample("introspection", Flavor::MiniMt);
    let mut after: serde_json::Value = r.figure("after").unwrap().clone();
    after["worker_poll_count"] = json!([1, 0, 0, 0]);
    r.figures.insert("after".into(), after);
    assert_rejected(&r, "fewer polls than tasks");

    let mut r = sample("introspection", Flavor::TokioCt);
    let mut after: serde_json::Value = r.figure("after").unwrap().clone();
    after["worker_park_count"] = json!([0]);
    r.figures.insert("after".into(), after);
    assert_rejected(&r, "no parks although the workload sleeps");

    let mut r = sample("introspection", Flavor::MiniCt);
    r.figures.insert("expected_workers".into(), json!(4));
    assert_rejected(&r, "the wrong number of workers");
}

#[test]
fn rejects_a_report_of_an_unknown_lesson() {
    let mut r = sample("block_on", Flavor::MiniCt);
    r.lesson = "nonexistent".into();
    assert_rejected(&r, "an unknown lesson name");
}

// ---- The binary. ----

/// Runs the binary; kills it (and fails, showing where it stopped) if it
/// takes longer than `limit`, so a hang never outlives the test.
fn run_bin(args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_demos"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            buf
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            let out = String::from_utf8_lossy(&stdout.join().unwrap()).into_owned();
            let err = String::from_utf8_lossy(&stderr.join().unwrap()).into_owned();
            let last = out
                .lines()
                .rfind(|l| l.starts_with("== lesson"))
                .unwrap_or("?");
            panic!(
                "`demos {}` did not finish within {limit:?}; it was running: {last}\nstderr:\n{err}",
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

#[test]
fn binary_lists_the_lessons() {
    let out = run_bin(&["list"], Duration::from_secs(30));
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 26, "{text}");
    assert!(lines[6].starts_with("yield_now"), "{}", lines[6]);
}

#[test]
fn binary_rejects_bad_arguments() {
    let limit = Duration::from_secs(30);
    let out = run_bin(&["run", "no_such_lesson", "--runtime", "mini-ct"], limit);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no_such_lesson") && err.contains("threads_vs_tasks"),
        "{err}"
    );

    let out = run_bin(&["run", "yield_now", "--runtime", "bogus"], limit);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bogus") && err.contains("mini-ct"), "{err}");

    let out = run_bin(&["run", "yield_now", "--workers", "0"], limit);
    assert!(!out.status.success());

    let out = run_bin(&[], limit);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Usage"));
}

#[test]
fn binary_reports_a_missing_file_with_its_path() {
    let missing = std::env::temp_dir().join("mini_runtime_demos/definitely-missing.txt");
    let missing_text = missing.to_string_lossy().into_owned();
    let out = run_bin(
        &[
            "run",
            "file_lines",
            "--runtime",
            "mini-ct",
            "--file",
            &missing_text,
        ],
        Duration::from_secs(30),
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&*missing.to_string_lossy()), "{err}");
}

#[test]
fn binary_runs_every_lesson_everywhere_and_exits_zero() {
    let _serial = serial();
    let out = run_bin(
        &[
            "run",
            "all",
            "--runtime",
            "all",
            "--fast",
            "--threads",
            "500",
            "--primes-below",
            "20000",
            "--lines",
            "20000",
        ],
        Duration::from_secs(120),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "exit {:?}\n{}\n{}",
        out.status,
        text.lines()
            .filter(|l| l.contains("FAILED") || l.contains("summary"))
            .collect::<Vec<_>>()
            .join("\n"),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("104 runs, 104 invariants held, 0 failed"),
        "{text}"
    );
}

#[test]
fn binary_prints_json_reports() {
    let _serial = serial();
    let out = run_bin(
        &["run", "yield_now", "--runtime", "all", "--fast", "--json"],
        Duration::from_secs(30),
    );
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let reports: Vec<Report> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(reports.len(), 4);
    for r in &reports {
        r.check().unwrap();
    }
}
