//! The `comparisons` binary end to end: one lesson on one mini and one
//! Tokio flavour into a temporary directory, and a bad lesson name.
//!
//! (Kept under `src/tests/` because `tests/` holds the conformance suite.)

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_comparisons");

/// Runs the binary with `args`, killing it (and failing the test) after
/// `limit`: a hung child must not hang CI.
fn run(args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the comparisons binary starts");
    // Read the pipes on threads so a full pipe cannot block the child.
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut out_pipe, &mut v).ok();
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut err_pipe, &mut v).ok();
        v
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "watchdog: `comparisons {}` ran longer than {limit:?}; killed",
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("comparisons-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn one_lesson_on_a_mini_and_a_tokio_flavour_writes_the_report() {
    let dir = temp_dir("report");
    let out = run(
        &[
            "--lesson",
            "yield_now",
            "--runtime",
            "mini-mt",
            "--runtime",
            "tokio-ct",
            "--workers",
            "2",
            "--out",
            dir.to_str().unwrap(),
        ],
        Duration::from_secs(120),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
    // Not a terminal: plain progress lines, then the table.
    assert!(
        stdout.contains("[1/3] 6 yield_now on mini-mt: ok"),
        "{stdout}"
    );
    assert!(stdout.contains("(traced)"), "{stdout}");
    let header = stdout
        .lines()
        .find(|l| l.starts_with("lesson"))
        .unwrap_or_else(|| panic!("no table in\n{stdout}"));
    assert!(
        header.contains("mini-mt") && header.contains("tokio-ct"),
        "{header}"
    );
    assert!(!header.contains("mini-ct"), "{header}");
    assert!(stdout.contains(" 6 yield_now"), "{stdout}");
    for name in [
        "report.md",
        "report.html",
        "results.json",
        "chart-wall.svg",
        "chart-memory.svg",
        "timeline-yield_now-mini-mt.svg",
        "trace-yield_now-mini-mt.json",
    ] {
        assert!(
            dir.join(name).is_file(),
            "{name} missing in {}",
            dir.display()
        );
    }
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("yield_now"));
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.contains("| lesson | mini-mt | tokio-ct |"), "{md}");
    // The trace is real: polls on worker threads.
    let trace = std::fs::read_to_string(dir.join("trace-yield_now-mini-mt.json")).unwrap();
    assert!(trace.contains("\"cat\":\"poll\""), "no polls in the trace");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unknown_lesson_is_an_error_that_lists_the_lessons() {
    let dir = temp_dir("nosuch");
    let out = run(
        &["--lesson", "nosuch", "--out", dir.to_str().unwrap()],
        Duration::from_secs(30),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("nosuch"), "{stderr}");
    for name in [
        "threads_vs_tasks",
        "yield_now",
        "spawn_blocking",
        "introspection",
    ] {
        assert!(
            stderr.contains(name),
            "the message does not list {name}: {stderr}"
        );
    }
    assert!(stderr.contains("Usage:"), "{stderr}");
    assert!(!dir.exists(), "nothing is written for bad arguments");
}

#[test]
fn bad_options_print_usage_and_help_lists_the_options() {
    let out = run(&["--repeat", "zero"], Duration::from_secs(30));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Usage:"));
    let out = run(&["--help"], Duration::from_secs(30));
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for opt in [
        "--full",
        "--lesson",
        "--runtime",
        "--out",
        "--repeat",
        "--workers",
        "--timeline",
    ] {
        assert!(help.contains(opt), "--help lacks {opt}:\n{help}");
    }
}
