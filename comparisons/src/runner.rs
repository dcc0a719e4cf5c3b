//! The parent side: runs each lesson in a child process (this binary's
//! hidden `child` subcommand), one at a time, with a time limit.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use demos::Flavor;

use crate::child::{ChildOutput, parse_output};
use crate::model::RunRecord;

/// One child run to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// Lesson name.
    pub lesson: &'static str,
    /// Lesson number.
    pub number: u32,
    /// Flavour.
    pub flavor: Flavor,
    /// Record mini_runtime's event trace (a timeline run).
    pub trace: bool,
}

/// How children are started.
#[derive(Clone, Debug)]
pub struct Runner {
    /// The binary to run (`std::env::current_exe()`).
    pub exe: PathBuf,
    /// Original timings instead of the fast ones.
    pub full: bool,
    /// Worker threads of the multi-thread flavours.
    pub workers: usize,
    /// A child still running after this is killed.
    pub timeout: Duration,
}

impl Runner {
    /// The child's command line.
    pub fn command(&self, job: &Job) -> Command {
        let mut cmd = Command::new(&self.exe);
        cmd.arg("child")
            .arg("--lesson")
            .arg(job.lesson)
            .arg("--runtime")
            .arg(job.flavor.label())
            .arg("--workers")
            .arg(self.workers.to_string());
        if self.full {
            cmd.arg("--full");
        }
        if job.trace {
            cmd.arg("--trace");
        }
        cmd
    }

    /// Runs one job in a child process and waits for it (at most
    /// [`timeout`](Self::timeout)). Never fails: a crash, a timeout or
    /// unreadable output becomes a record with [`Verdict::Error`](crate::model::Verdict::Error).
    pub fn run(&self, job: &Job) -> ChildOutput {
        let error = |msg: String| ChildOutput {
            record: RunRecord::error(job.lesson, job.number, job.flavor, msg),
            trace: None,
        };
        let start = Instant::now();
        let mut child = match self
            .command(job)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
        {
            Ok(child) => child,
            Err(e) => {
                return error(format!(
                    "could not start {}: {e}",
                    self.exe.to_string_lossy()
                ));
            }
        };
        // Drain both pipes on their own threads, so a chatty child never
        // blocks on a full pipe while we wait for it.
        let drain = |pipe: Option<Box<dyn Read + Send>>| {
            thread::spawn(move || {
                let mut buf = Vec::new();
                if let Some(mut pipe) = pipe {
                    let _ = pipe.read_to_end(&mut buf);
                }
                String::from_utf8_lossy(&buf).into_owned()
            })
        };
        let stdout = drain(
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let stderr = drain(
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let deadline = start + self.timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Ok(status),
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break Err(format!(
                        "timed out after {:.0} s (killed)",
                        self.timeout.as_secs_f64()
                    ));
                }
                Ok(None) => thread::sleep(Duration::from_millis(1)),
                Err(e) => {
                    let _ = child.kill();
                    break Err(format!("could not wait for the child: {e}"));
                }
            }
        };
        let process_wall_ms = start.elapsed().as_secs_f64() * 1e3;
        let stdout = stdout.join().unwrap_or_default();
        let stderr = stderr.join().unwrap_or_default();
        let tail = || {
            let lines: Vec<&str> = stderr.lines().collect();
            let tail = lines[lines.len().saturating_sub(5)..].join(" | ");
            if tail.is_empty() {
                String::new()
            } else {
                format!("; stderr: {tail}")
            }
        };
        let status = match status {
            Ok(status) => status,
            Err(msg) => return error(format!("{msg}{}", tail())),
        };
        match parse_output(&stdout) {
            Ok(mut out) => {
                out.record.process_wall_ms = Some(process_wall_ms);
                out
            }
            Err(msg) => error(format!("{msg} (exit status {status}){}", tail())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn child_command_line() {
        crate::testutil::watchdog(10, || {
            let runner = Runner {
                exe: PathBuf::from("/bin/comparisons"),
                full: true,
                workers: 3,
                timeout: Duration::from_secs(1),
            };
            let job = Job {
                lesson: "spawn",
                number: 5,
                flavor: Flavor::MiniMt,
                trace: true,
            };
            let cmd = runner.command(&job);
            let args: Vec<String> = cmd
                .get_args()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            assert_eq!(
                args,
                [
                    "child",
                    "--lesson",
                    "spawn",
                    "--runtime",
                    "mini-mt",
                    "--workers",
                    "3",
                    "--full",
                    "--trace"
                ]
            );
        });
    }

    #[cfg(unix)]
    #[test]
    fn a_child_that_prints_nothing_or_hangs_is_an_error() {
        crate::testutil::watchdog(20, || {
            let job = Job {
                lesson: "spawn",
                number: 5,
                flavor: Flavor::TokioCt,
                trace: false,
            };
            // `true` ignores its arguments and prints nothing.
            let runner = Runner {
                exe: PathBuf::from("true"),
                full: false,
                workers: 1,
                timeout: Duration::from_secs(10),
            };
            let out = runner.run(&job);
            assert_eq!(out.record.verdict, crate::model::Verdict::Error);
            assert!(
                out.record.message.contains("no result"),
                "{}",
                out.record.message
            );
            // `sleep child ...` fails at once on its arguments; a shell
            // script that sleeps is the hanging child.
            let dir = std::env::temp_dir().join(format!("comparisons-hang-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let script = dir.join("hang.sh");
            std::fs::write(&script, "#!/bin/sh\nexec sleep 30\n").unwrap();
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
            let runner = Runner {
                exe: script,
                full: false,
                workers: 1,
                timeout: Duration::from_millis(300),
            };
            let start = Instant::now();
            let out = runner.run(&job);
            assert!(start.elapsed() < Duration::from_secs(10));
            assert!(
                out.record.message.contains("timed out"),
                "{}",
                out.record.message
            );
            let _ = std::fs::remove_dir_all(&dir);
        });
    }
}
