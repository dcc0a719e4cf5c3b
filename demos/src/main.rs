//! `demos`: run the workshop's lessons on mini_runtime and Tokio, and check
//! each lesson's invariant.
//!
//! ```text
//! demos list
//! demos run <lesson|all> --runtime <mini-ct|mini-mt|tokio-ct|tokio-mt|all> [--workers N] [--fast] ...
//! ```
//!
//! The exit status is 0 only if every run's invariant held.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};
use demos::ctx::print_line;
use demos::{Error, Flavor, Options, Report};

#[derive(Debug, Parser)]
#[command(
    name = "demos",
    about = "The lessons of \"1 Hour Dive into Asynchronous Rust\", each written once, run on mini_runtime and Tokio, with their invariants checked"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// One line per lesson: its name, then what it teaches.
    List,
    /// Run a lesson (or all), print its output, check its invariant.
    Run(RunArgs),
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// Lesson name or number, or `all`.
    lesson: String,
    /// Runtime flavour(s) to run on.
    #[arg(long, value_enum, default_value = "all")]
    runtime: RuntimeArg,
    /// Worker threads of the multi-thread flavours.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..))]
    workers: u16,
    /// Scale durations down (1 s becomes 50 ms) and use smaller sizes, so
    /// the whole set runs in seconds.
    #[arg(long)]
    fast: bool,
    /// Divide every duration by this (overrides --fast's scale of 20).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    time_scale: Option<u32>,
    /// Messages after which the endless channel lessons (10, 11, 12) stop.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..))]
    ticks: u16,
    /// Lesson 0: threads and tasks to start [default: 10000, 1000 with --fast].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    threads: Option<u32>,
    /// Lesson 7: seed of the random sleeps.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Lesson 9: count the primes below this.
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(2..))]
    primes_below: u32,
    /// Lessons 15 and 19: read this file instead of the generated one.
    #[arg(long)]
    file: Option<PathBuf>,
    /// Lessons 15 and 19: lines of the generated file.
    #[arg(long, default_value_t = demos::datafile::DEFAULT_LINES)]
    lines: usize,
    /// Print each report as one line of JSON (for the comparisons tool).
    #[arg(long, hide = true)]
    json: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum RuntimeArg {
    MiniCt,
    MiniMt,
    TokioCt,
    TokioMt,
    All,
}

impl RuntimeArg {
    fn flavors(self) -> Vec<Flavor> {
        match self {
            RuntimeArg::MiniCt => vec![Flavor::MiniCt],
            RuntimeArg::MiniMt => vec![Flavor::MiniMt],
            RuntimeArg::TokioCt => vec![Flavor::TokioCt],
            RuntimeArg::TokioMt => vec![Flavor::TokioMt],
            RuntimeArg::All => Flavor::ALL.to_vec(),
        }
    }
}

/// `println!` that ignores a closed stdout (`demos run all | head`).
macro_rules! out {
    ($($arg:tt)*) => {
        print_line(&format!($($arg)*))
    };
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::List => {
            for lesson in demos::lessons() {
                out!(
                    "{:<20} {:>2}  {}",
                    lesson.name,
                    lesson.number,
                    lesson.teaches
                );
            }
            ExitCode::SUCCESS
        }
        Command::Run(args) => run(&args),
    }
}

fn run(args: &RunArgs) -> ExitCode {
    let lessons: Vec<&demos::Lesson> = if args.lesson == "all" {
        demos::lessons().iter().collect()
    } else {
        match demos::lessons::find(&args.lesson) {
            Ok(lesson) => vec![lesson],
            Err(err) => {
                eprintln!("error: {err}");
                return ExitCode::from(2);
            }
        }
    };
    let opts = Options {
        workers: usize::from(args.workers),
        fast: args.fast,
        time_scale: args.time_scale,
        ticks: usize::from(args.ticks),
        threads: args.threads.map(|n| n as usize),
        seed: args.seed,
        primes_below: args.primes_below,
        file: args.file.clone(),
        lines: args.lines,
        echo: !args.json,
    };
    let start = Instant::now();
    let mut held = 0;
    let mut failures: Vec<String> = Vec::new();
    for lesson in &lessons {
        for flavor in args.runtime.flavors() {
            if !args.json {
                print_line("");
                out!(
                    "== lesson {} `{}` on {flavor} == {}",
                    lesson.number,
                    lesson.name,
                    lesson.teaches
                );
            }
            match demos::run_lesson(lesson.name, flavor, &opts) {
                Ok(report) => match verdict(&report, args.json) {
                    Ok(()) => held += 1,
                    Err(msg) => failures.push(format!("{} on {flavor}: {msg}", lesson.name)),
                },
                Err(err) => {
                    let msg = describe(&err);
                    eprintln!("error: lesson {} on {flavor}: {msg}", lesson.name);
                    failures.push(format!("{} on {flavor}: error: {msg}", lesson.name));
                }
            }
        }
    }
    let runs = held + failures.len();
    if !args.json && runs > 1 {
        print_line("");
        out!(
            "== summary: {runs} runs, {held} invariants held, {} failed, in {:.1} s",
            failures.len(),
            start.elapsed().as_secs_f64()
        );
        for failure in &failures {
            out!("   FAILED {failure}");
        }
    }
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn verdict(report: &Report, json: bool) -> Result<(), String> {
    let verdict = report.verdict();
    if json {
        match serde_json::to_string(report) {
            Ok(line) => out!("{line}"),
            Err(e) => return Err(format!("could not serialize the report: {e}")),
        }
        if let Err(msg) = &verdict {
            eprintln!(
                "invariant failed: {} on {}: {msg}",
                report.lesson, report.flavor
            );
        }
        return verdict.map(|_| ());
    }
    match &verdict {
        Ok(msg) => out!("   invariant held ({:.0} ms): {msg}", report.wall_ms),
        Err(msg) => out!("   INVARIANT FAILED ({:.0} ms): {msg}", report.wall_ms),
    }
    verdict.map(|_| ())
}

fn describe(err: &Error) -> String {
    err.to_string()
}
