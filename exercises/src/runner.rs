//! Running test binaries under a watchdog.
//!
//! libtest has no per-test time limit, and a lost wake-up makes a test hang
//! forever. So each test runs in its own process (`<binary> --exact <name>`)
//! that is killed when its time runs out; a hang then reads "timed out",
//! which `check` turns into the matching hint. mini_runtime's own tests
//! also abort themselves with "exceeded its time limit": that counts as a
//! timeout too.

use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use crate::cargo::Executable;
use crate::manifest::FailureKind;

/// What a finished process left.
#[derive(Debug, Clone)]
pub struct ProcessOutput {
    /// `None` when it was killed by the watchdog.
    pub status: Option<ExitStatus>,
    /// Standard output and error, interleaved by stream (stdout first).
    pub output: String,
    /// How long it ran.
    pub elapsed: Duration,
}

impl ProcessOutput {
    /// Killed by the watchdog.
    pub fn timed_out(&self) -> bool {
        self.status.is_none()
    }
}

/// Runs `cmd`, killing it after `limit`.
pub fn run_with_limit(mut cmd: Command, limit: Duration) -> std::io::Result<ProcessOutput> {
    let start = Instant::now();
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn()?;
    // Readers append to shared buffers, so that output is available even if
    // a grandchild keeps a pipe open after the process itself is gone.
    let out_buf = Arc::new(Mutex::new(Vec::new()));
    let err_buf = Arc::new(Mutex::new(Vec::new()));
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let readers = [
        reader(
            child.stdout.take().expect("piped"),
            out_buf.clone(),
            done_tx.clone(),
        ),
        reader(
            child.stderr.take().expect("piped"),
            err_buf.clone(),
            done_tx,
        ),
    ];
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if start.elapsed() >= limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    // Wait (briefly) for both readers to reach the end of their pipes.
    let grace = Instant::now() + Duration::from_secs(2);
    for _ in 0..2 {
        if done_rx
            .recv_timeout(grace.saturating_duration_since(Instant::now()))
            .is_err()
        {
            break;
        }
    }
    drop(readers);
    let mut output =
        String::from_utf8_lossy(&out_buf.lock().expect("reader never panics")).into_owned();
    output.push_str(&String::from_utf8_lossy(
        &err_buf.lock().expect("reader never panics"),
    ));
    Ok(ProcessOutput {
        status,
        output,
        elapsed: start.elapsed(),
    })
}

fn reader(
    mut pipe: impl Read + Send + 'static,
    buf: Arc<Mutex<Vec<u8>>>,
    done: mpsc::Sender<()>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut chunk = [0u8; 8192];
        loop {
            match pipe.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => buf
                    .lock()
                    .expect("no panics while locked")
                    .extend_from_slice(&chunk[..n]),
            }
        }
        let _ = done.send(());
    })
}

fn test_command(exe: &Executable) -> Command {
    let mut cmd = Command::new(&exe.path);
    cmd.current_dir(&exe.package_dir)
        .env("CARGO_MANIFEST_DIR", &exe.package_dir)
        .env("RUST_BACKTRACE", "0");
    cmd
}

/// The names of the tests in a test binary.
pub fn list_tests(exe: &Executable) -> std::io::Result<Vec<String>> {
    let mut cmd = test_command(exe);
    cmd.args(["--list", "--format", "terse"]);
    let out = run_with_limit(cmd, Duration::from_secs(60))?;
    if !out.status.is_some_and(|s| s.success()) {
        return Err(std::io::Error::other(format!(
            "{} --list failed: {}",
            exe.path.display(),
            out.output
        )));
    }
    Ok(out
        .output
        .lines()
        .filter_map(|l| l.strip_suffix(": test"))
        .map(str::to_string)
        .collect())
}

/// How one test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It passed.
    Passed,
    /// It failed in this way.
    Failed(FailureKind),
}

/// One test's result.
#[derive(Debug, Clone)]
pub struct TestResult {
    /// `target::path::to::test`.
    pub name: String,
    /// How it ended.
    pub outcome: Outcome,
    /// What it printed (for failures: libtest's report, the panic message).
    pub output: String,
    /// How long it ran.
    pub elapsed: Duration,
}

/// Classifies a finished test process.
pub fn classify(out: &ProcessOutput) -> Outcome {
    if out.timed_out() || out.output.contains("exceeded its time limit") {
        return Outcome::Failed(FailureKind::Timeout);
    }
    if out.status.is_some_and(|s| s.success()) {
        return Outcome::Passed;
    }
    if out.output.contains("not yet implemented") {
        Outcome::Failed(FailureKind::Todo)
    } else if out.output.contains("panicked at") {
        Outcome::Failed(FailureKind::Panic)
    } else {
        Outcome::Failed(FailureKind::Fail)
    }
}

/// Runs each test in its own process with a time limit, `jobs` at a time.
/// `on_done` is called as results come in (for progress output).
pub fn run_each(
    tests: &[(Executable, String)],
    limit: Duration,
    jobs: usize,
    on_done: &(dyn Fn(&TestResult) + Sync),
) -> Vec<TestResult> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, TestResult)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1).min(tests.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some((exe, name)) = tests.get(i) else {
                        break;
                    };
                    let mut cmd = test_command(exe);
                    cmd.args(["--exact", name, "--test-threads", "1"]);
                    let label = format!("{}::{name}", exe.key.target);
                    let result = match run_with_limit(cmd, limit) {
                        Ok(out) => TestResult {
                            name: label,
                            outcome: classify(&out),
                            output: out.output,
                            elapsed: out.elapsed,
                        },
                        Err(e) => TestResult {
                            name: label,
                            outcome: Outcome::Failed(FailureKind::Fail),
                            output: format!("could not run {}: {e}", exe.path.display()),
                            elapsed: Duration::ZERO,
                        },
                    };
                    on_done(&result);
                    results
                        .lock()
                        .expect("no panics while locked")
                        .push((i, result));
                }
            });
        }
    });
    let mut results = results.into_inner().expect("no panics while locked");
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// Runs the named tests of one binary in one process (libtest's own
/// threads), killed after `limit`. Faster than [`run_each`] for many tests
/// that are expected to pass.
pub fn run_batch(
    exe: &Executable,
    names: &[String],
    limit: Duration,
) -> std::io::Result<BatchResult> {
    let mut cmd = test_command(exe);
    cmd.arg("--exact").args(names);
    let out = run_with_limit(cmd, limit)?;
    let failed: Vec<String> = out
        .output
        .lines()
        .filter_map(|l| l.strip_prefix("test "))
        .filter_map(|l| l.strip_suffix(" ... FAILED"))
        .map(str::to_string)
        .collect();
    Ok(BatchResult {
        passed: out.status.is_some_and(|s| s.success()),
        outcome: classify(&out),
        failed,
        output: out.output,
        elapsed: out.elapsed,
    })
}

/// The result of [`run_batch`].
#[derive(Debug, Clone)]
pub struct BatchResult {
    /// Every test passed.
    pub passed: bool,
    /// How the process ended.
    pub outcome: Outcome,
    /// The tests libtest reported as failed (a hang or abort may leave
    /// this empty although `passed` is false).
    pub failed: Vec<String>,
    /// Everything printed.
    pub output: String,
    /// How long it ran.
    pub elapsed: Duration,
}

/// The interesting part of a failed test's output: from the first
/// "---- ... stdout ----" or "panicked at" line, at most `max` lines.
pub fn failure_excerpt(output: &str, max: usize) -> String {
    let lines: Vec<&str> = output.lines().collect();
    let start = lines
        .iter()
        .position(|l| {
            l.starts_with("---- ")
                || l.contains("panicked at")
                || l.contains("exceeded its time limit")
        })
        .unwrap_or(0);
    let picked: Vec<&str> = lines[start..]
        .iter()
        .copied()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("note: run with `RUST_BACKTRACE"))
        .take_while(|l| !l.starts_with("failures:") && !l.starts_with("test result:"))
        .take(max)
        .collect();
    picked.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shell(script: &str) -> Command {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", script]);
        cmd
    }

    #[test]
    fn a_hanging_process_is_killed_and_reads_timed_out() {
        let out = run_with_limit(shell("sleep 30"), Duration::from_millis(200)).unwrap();
        assert!(out.timed_out());
        assert!(out.elapsed < Duration::from_secs(10));
        assert_eq!(classify(&out), Outcome::Failed(FailureKind::Timeout));
    }

    #[test]
    fn outcomes_are_classified_from_status_and_output() {
        let ok = run_with_limit(shell("echo fine"), Duration::from_secs(10)).unwrap();
        assert_eq!(classify(&ok), Outcome::Passed);
        assert_eq!(ok.output, "fine\n");
        let todo = run_with_limit(
            shell("echo \"panicked at x: not yet implemented: exercise a\" >&2; exit 101"),
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(classify(&todo), Outcome::Failed(FailureKind::Todo));
        let panic = run_with_limit(
            shell("echo 'panicked at src/a.rs:1'; exit 101"),
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(classify(&panic), Outcome::Failed(FailureKind::Panic));
        let abort = run_with_limit(
            shell("echo 'test `x` exceeded its time limit of 20s (a lost wake-up?); aborting' >&2; kill -ABRT $$"),
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(classify(&abort), Outcome::Failed(FailureKind::Timeout));
        let other = run_with_limit(shell("exit 3"), Duration::from_secs(10)).unwrap();
        assert_eq!(classify(&other), Outcome::Failed(FailureKind::Fail));
    }

    #[test]
    fn excerpt_starts_at_the_failure() {
        let out = "running 1 test\ntest a ... FAILED\n\nfailures:\n\n---- a stdout ----\n\nthread 'a' panicked at src/x.rs:1:2:\nboom\nnote: run with `RUST_BACKTRACE=1`\n\nfailures:\n    a\n\ntest result: FAILED.";
        assert_eq!(
            failure_excerpt(out, 10),
            "---- a stdout ----\nthread 'a' panicked at src/x.rs:1:2:\nboom"
        );
    }
}
