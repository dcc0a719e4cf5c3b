//! The command line: options, and the [`Plan`] they resolve to.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use demos::{Flavor, Lesson};

/// Scheduler timelines recorded by default (when their lesson and flavour
/// are selected): spawning, yielding, the blocking pool and a busy
/// workload on the work-stealing scheduler, and yielding on one thread.
pub const DEFAULT_TIMELINES: [(&str, Flavor); 5] = [
    ("spawn", Flavor::MiniMt),
    ("yield_now", Flavor::MiniMt),
    ("spawn_blocking", Flavor::MiniMt),
    ("introspection", Flavor::MiniMt),
    ("yield_now", Flavor::MiniCt),
];

/// Runs every workshop lesson on mini_runtime and Tokio (current-thread
/// and multi-thread each), one process per run, checks each lesson's
/// invariant, and writes a report with charts and scheduler timelines.
#[derive(Debug, Parser)]
#[command(
    name = "comparisons",
    version,
    args_conflicts_with_subcommands = true,
    after_help = "Examples:\n  cargo run --release -p comparisons\n  cargo run --release -p comparisons -- --lesson yield_now,8 --runtime mini-mt --runtime tokio-mt --repeat 5\n\nExit status: 0 when every invariant held, 1 when one failed (the lesson and flavour are named), 2 for bad arguments."
)]
pub struct Cli {
    /// Internal: the child process that runs one lesson.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// What to run.
    #[command(flatten)]
    pub run: RunArgs,
}

/// Subcommands (only the hidden child).
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Runs one lesson in this process and prints its measured result as
    /// JSON (used by the parent; not for people).
    #[command(hide = true)]
    Child(ChildArgs),
}

/// Options of the hidden `child` subcommand.
#[derive(Debug, Args)]
pub struct ChildArgs {
    /// Lesson name or number.
    #[arg(long)]
    pub lesson: String,
    /// Flavour.
    #[arg(long, value_enum)]
    pub runtime: Flavor,
    /// Worker threads of the multi-thread flavours.
    #[arg(long, default_value_t = 4)]
    pub workers: u16,
    /// Original timings.
    #[arg(long)]
    pub full: bool,
    /// Record mini_runtime's event trace and send it back.
    #[arg(long)]
    pub trace: bool,
}

/// Options of a comparison run.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Use the lessons' original timings and sizes (seconds instead of
    /// the fast run's milliseconds; takes several minutes).
    #[arg(long)]
    pub full: bool,
    /// Lesson to run, by name or number; repeat the option or give a
    /// comma-separated list [default: all]
    #[arg(long = "lesson", value_name = "NAME", value_delimiter = ',')]
    pub lessons: Vec<String>,
    /// Runtime flavour to run on; repeat the option or give a
    /// comma-separated list [default: all four]
    #[arg(
        long = "runtime",
        value_name = "FLAVOUR",
        value_enum,
        value_delimiter = ','
    )]
    pub runtimes: Vec<Flavor>,
    /// Where to write the report [default: comparisons/ in the workspace's
    /// target directory]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Run each lesson on each flavour N times and report medians.
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub repeat: u32,
    /// Worker threads of the multi-thread flavours (passed to the lessons).
    #[arg(long, value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub workers: u16,
    /// Scheduler timeline to record, as LESSON or LESSON:FLAVOUR (mini-ct
    /// or mini-mt; default mini-mt); repeatable; `none` records none
    /// [default: spawn, yield_now, spawn_blocking and introspection on
    /// mini-mt, yield_now on mini-ct, those of them selected]
    #[arg(
        long = "timeline",
        value_name = "LESSON[:FLAVOUR]",
        value_delimiter = ','
    )]
    pub timelines: Vec<String>,
    /// Seconds after which a run is killed and counted as an error
    /// [default: 120, 900 with --full]
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: Option<u64>,
}

/// What a run will do, with every name resolved.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Lessons, in order.
    pub lessons: Vec<&'static Lesson>,
    /// Flavours, in order.
    pub flavors: Vec<Flavor>,
    /// Timeline runs (mini flavours).
    pub timelines: Vec<(&'static Lesson, Flavor)>,
    /// Runs per lesson and flavour.
    pub repeat: u32,
    /// Worker threads.
    pub workers: usize,
    /// Original timings.
    pub full: bool,
    /// Report directory.
    pub out: PathBuf,
    /// Time limit of one run.
    pub timeout: Duration,
}

fn lesson(name: &str) -> Result<&'static Lesson, String> {
    demos::lessons::find(name.trim()).map_err(|e| e.to_string())
}

impl RunArgs {
    /// Resolves names and defaults.
    ///
    /// # Errors
    ///
    /// An unknown lesson (the message lists the valid names) or a bad
    /// `--timeline`.
    pub fn plan(&self) -> Result<Plan, String> {
        let mut lessons: Vec<&'static Lesson> = Vec::new();
        if self.lessons.is_empty() || self.lessons.iter().any(|l| l == "all") {
            lessons.extend(demos::lessons());
        } else {
            for name in &self.lessons {
                lessons.push(lesson(name)?);
            }
        }
        lessons.sort_by_key(|l| l.number);
        lessons.dedup_by_key(|l| l.number);
        let flavors: Vec<Flavor> = if self.runtimes.is_empty() {
            Flavor::ALL.to_vec()
        } else {
            Flavor::ALL
                .into_iter()
                .filter(|f| self.runtimes.contains(f))
                .collect()
        };
        let timelines = self.timelines(&lessons, &flavors)?;
        let timeout =
            Duration::from_secs(self.timeout.unwrap_or(if self.full { 900 } else { 120 }));
        Ok(Plan {
            lessons,
            flavors,
            timelines,
            repeat: self.repeat,
            workers: usize::from(self.workers),
            full: self.full,
            out: self.out.clone().unwrap_or_else(default_out_dir),
            timeout,
        })
    }

    fn timelines(
        &self,
        lessons: &[&'static Lesson],
        flavors: &[Flavor],
    ) -> Result<Vec<(&'static Lesson, Flavor)>, String> {
        let mut out: Vec<(&'static Lesson, Flavor)> = Vec::new();
        if !self.timelines.is_empty() {
            for spec in &self.timelines {
                if spec == "none" {
                    continue;
                }
                let (name, flavor) = match spec.split_once(':') {
                    Some((name, flavor)) => {
                        let f = Flavor::from_label(flavor.trim()).ok_or_else(|| {
                            format!("--timeline {spec}: unknown flavour `{flavor}` (use mini-ct or mini-mt)")
                        })?;
                        (name, f)
                    }
                    None => (spec.as_str(), Flavor::MiniMt),
                };
                if !flavor.is_mini() {
                    return Err(format!(
                        "--timeline {spec}: timelines come from mini_runtime's event trace; use mini-ct or mini-mt"
                    ));
                }
                out.push((lesson(name)?, flavor));
            }
        } else {
            for (name, flavor) in DEFAULT_TIMELINES {
                if !flavors.contains(&flavor) {
                    continue;
                }
                if let Some(l) = lessons.iter().find(|l| l.name == name) {
                    out.push((l, flavor));
                }
            }
            // A selection without any default timeline still gets one: the
            // first lesson on the first mini flavour (mini-mt preferred).
            if out.is_empty() {
                let mini = [Flavor::MiniMt, Flavor::MiniCt]
                    .into_iter()
                    .find(|f| flavors.contains(f));
                if let (Some(flavor), Some(l)) = (mini, lessons.first()) {
                    out.push((l, flavor));
                }
            }
        }
        out.dedup_by(|a, b| a.0.number == b.0.number && a.1 == b.1);
        Ok(out)
    }
}

/// The workspace's target directory: `CARGO_TARGET_DIR`, else the
/// directory above this binary's profile directory (`target/release/..`),
/// else `target/` next to the workspace manifest.
pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    if let Ok(exe) = std::env::current_exe() {
        let mut dir = exe.parent();
        // target/<profile>/deps/<test binary> or target/<profile>/<binary>.
        if dir.is_some_and(|d| d.ends_with("deps")) {
            dir = dir.and_then(Path::parent);
        }
        if let Some(target) = dir.and_then(Path::parent) {
            if target.join("CACHEDIR.TAG").exists() {
                return target.to_path_buf();
            }
        }
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target")
}

/// `target/comparisons`.
pub fn default_out_dir() -> PathBuf {
    target_dir().join("comparisons")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("comparisons").chain(args.iter().copied()))
    }

    #[test]
    fn the_command_line_is_consistent() {
        crate::testutil::watchdog(10, || Cli::command().debug_assert());
    }

    #[test]
    fn defaults_run_everything() {
        crate::testutil::watchdog(10, || {
            let plan = parse(&[]).unwrap().run.plan().unwrap();
            assert_eq!(plan.lessons.len(), 26);
            assert_eq!(plan.flavors, Flavor::ALL);
            assert_eq!(plan.repeat, 1);
            assert_eq!(plan.workers, 4);
            assert!(!plan.full);
            assert!(plan.out.ends_with("comparisons"));
            let t: Vec<(u32, Flavor)> =
                plan.timelines.iter().map(|(l, f)| (l.number, *f)).collect();
            assert_eq!(
                t,
                [
                    (5, Flavor::MiniMt),
                    (6, Flavor::MiniMt),
                    (9, Flavor::MiniMt),
                    (25, Flavor::MiniMt),
                    (6, Flavor::MiniCt)
                ]
            );
        });
    }

    #[test]
    fn lists_and_repeats_combine() {
        crate::testutil::watchdog(10, || {
            let cli = parse(&[
                "--lesson",
                "yield_now,8",
                "--lesson",
                "spawn",
                "--runtime",
                "tokio-mt,mini-ct",
                "--repeat",
                "3",
                "--workers",
                "2",
                "--full",
                "--out",
                "/tmp/x",
            ])
            .unwrap();
            let plan = cli.run.plan().unwrap();
            let names: Vec<&str> = plan.lessons.iter().map(|l| l.name).collect();
            assert_eq!(names, ["spawn", "yield_now", "blocking_mistake"]);
            assert_eq!(plan.flavors, [Flavor::MiniCt, Flavor::TokioMt]);
            assert_eq!((plan.repeat, plan.workers, plan.full), (3, 2, true));
            assert_eq!(plan.out, PathBuf::from("/tmp/x"));
            assert_eq!(plan.timeout, Duration::from_secs(900));
            // Only yield_now on mini-ct of the defaults is selected.
            assert_eq!(plan.timelines.len(), 1);
            assert_eq!(plan.timelines[0].0.name, "yield_now");
        });
    }

    #[test]
    fn a_selection_without_default_timelines_gets_one() {
        crate::testutil::watchdog(10, || {
            let plan = parse(&["--lesson", "join", "--runtime", "mini-ct,tokio-ct"])
                .unwrap()
                .run
                .plan()
                .unwrap();
            assert_eq!(plan.timelines.len(), 1);
            assert_eq!(plan.timelines[0].0.name, "join");
            assert_eq!(plan.timelines[0].1, Flavor::MiniCt);
            let plan = parse(&["--lesson", "join", "--runtime", "tokio-ct"])
                .unwrap()
                .run
                .plan()
                .unwrap();
            assert!(plan.timelines.is_empty());
        });
    }

    #[test]
    fn explicit_timelines() {
        crate::testutil::watchdog(10, || {
            let plan = parse(&["--timeline", "13:mini-ct,select"])
                .unwrap()
                .run
                .plan()
                .unwrap();
            let t: Vec<(u32, Flavor)> =
                plan.timelines.iter().map(|(l, f)| (l.number, *f)).collect();
            assert_eq!(t, [(13, Flavor::MiniCt), (7, Flavor::MiniMt)]);
            let plan = parse(&["--timeline", "none"]).unwrap().run.plan().unwrap();
            assert!(plan.timelines.is_empty());
            let err = parse(&["--timeline", "spawn:tokio-mt"])
                .unwrap()
                .run
                .plan()
                .unwrap_err();
            assert!(err.contains("mini-ct or mini-mt"), "{err}");
        });
    }

    #[test]
    fn bad_arguments_are_rejected() {
        crate::testutil::watchdog(10, || {
            let err = parse(&["--lesson", "nosuch"])
                .unwrap()
                .run
                .plan()
                .unwrap_err();
            assert!(err.contains("nosuch") && err.contains("yield_now"), "{err}");
            assert!(parse(&["--runtime", "go"]).is_err());
            assert!(parse(&["--repeat", "0"]).is_err());
            assert!(parse(&["--workers", "0"]).is_err());
            assert!(parse(&["--bogus"]).is_err());
            let help = Cli::command().render_long_help().to_string();
            for opt in [
                "--full",
                "--lesson",
                "--runtime",
                "--out",
                "--repeat",
                "--workers",
            ] {
                assert!(help.contains(opt), "help lacks {opt}");
            }
            assert!(!help.contains("child"), "the child subcommand is hidden");
        });
    }

    #[test]
    fn child_arguments() {
        crate::testutil::watchdog(10, || {
            let cli = parse(&[
                "child",
                "--lesson",
                "spawn",
                "--runtime",
                "mini-mt",
                "--trace",
            ])
            .unwrap();
            match cli.command {
                Some(Command::Child(args)) => {
                    assert_eq!(args.lesson, "spawn");
                    assert_eq!(args.runtime, Flavor::MiniMt);
                    assert!(args.trace && !args.full);
                }
                None => panic!("no child subcommand"),
            }
        });
    }
}
