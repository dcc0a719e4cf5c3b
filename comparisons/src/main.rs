//! `comparisons`: every workshop lesson on every runtime flavour, one
//! process per run; a side-by-side table in the terminal and a report
//! (Markdown and self-contained HTML with charts) in `target/comparisons/`.
//! See `--help` and the crate docs.

use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::error::ErrorKind;
use clap::{CommandFactory as _, Parser as _};
use comparisons::child::{self, ChildOutput};
use comparisons::cli::{ChildArgs, Cli, Command, Plan};
use comparisons::model::{RunRecord, Verdict, cells};
use comparisons::report::{self, ReportData, Settings, TimelineRun};
use comparisons::runner::{Job, Runner};
use comparisons::table::{self, Table, fmt_mb, fmt_ms};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(&err),
    };
    match cli.command {
        Some(Command::Child(args)) => run_child(&args),
        None => match cli.run.plan() {
            Ok(plan) => run(&plan),
            Err(msg) => {
                eprintln!("error: {msg}\n");
                eprintln!("{}", Cli::command().render_usage());
                eprintln!("\nFor more information, try '--help'.");
                ExitCode::from(2)
            }
        },
    }
}

/// Prints a command-line error with the usage (clap leaves the usage out
/// for some errors) and returns status 2; `--help` and `--version` print
/// and succeed.
fn usage_error(err: &clap::Error) -> ExitCode {
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) {
        let _ = err.print();
        return ExitCode::SUCCESS;
    }
    let text = err.render().to_string();
    if text.contains("Usage:") {
        eprint!("{text}");
    } else {
        let hint = "For more information, try '--help'.";
        eprintln!("{}\n", text.replace(hint, "").trim_end());
        eprintln!("{}\n\n{hint}", Cli::command().render_usage());
    }
    ExitCode::from(2)
}

fn run_child(args: &ChildArgs) -> ExitCode {
    let opts = child::options(args.full, usize::from(args.workers));
    let output = child::run(&args.lesson, args.runtime, &opts, args.trace);
    match child::result_line(&output) {
        Ok(line) => {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot serialise the result: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Progress on a terminal (a bar), or one line per run otherwise.
enum Progress {
    Bar(ProgressBar),
    Lines { total: usize, done: usize },
}

impl Progress {
    fn new(total: usize) -> Progress {
        if std::io::stdout().is_terminal() {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stdout());
            let style = ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] [{bar:36.cyan/blue}] {pos}/{len} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(120));
            Progress::Bar(bar)
        } else {
            Progress::Lines { total, done: 0 }
        }
    }

    fn start(&mut self, what: &str) {
        if let Progress::Bar(bar) = self {
            bar.set_message(what.to_string());
        }
    }

    fn done(&mut self, what: &str, record: &RunRecord) {
        let line = if record.verdict == Verdict::Error {
            format!("{what}: {}", record.verdict.label())
        } else {
            format!(
                "{what}: {} {} {}",
                record.verdict.label(),
                fmt_ms(Some(record.wall_ms)),
                fmt_mb(record.peak_rss_kb.map(|kb| kb as f64))
            )
        };
        match self {
            Progress::Bar(bar) => {
                if record.verdict != Verdict::Held {
                    bar.println(format!("{line}: {}", record.message));
                }
                bar.inc(1);
            }
            Progress::Lines { total, done } => {
                *done += 1;
                let width = total.to_string().len();
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "[{done:>width$}/{total}] {line}");
                if record.verdict != Verdict::Held {
                    let _ = writeln!(out, "    {}", record.message);
                }
            }
        }
    }

    fn finish(self) {
        if let Progress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

/// Figures worth a line in the terminal (the report has them all).
const KEY_FIGURES: [&str; 10] = [
    "threads_peak_kb",
    "tasks_peak_kb",
    "threads_ms",
    "tasks_ms",
    "blocking_ms",
    "async_ms",
    "primes",
    "read_ms",
    "select_ms",
    "timeout_ms",
];

fn run(plan: &Plan) -> ExitCode {
    let started = Instant::now();
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            eprintln!("error: cannot find this program's path to start child processes: {e}");
            return ExitCode::FAILURE;
        }
    };
    let runner = Runner {
        exe,
        full: plan.full,
        workers: plan.workers,
        timeout: plan.timeout,
    };
    let mut jobs: Vec<Job> = Vec::new();
    // Round after round, so that repeats of one run are spread over time.
    for _ in 0..plan.repeat {
        for lesson in &plan.lessons {
            for &flavor in &plan.flavors {
                jobs.push(Job {
                    lesson: lesson.name,
                    number: lesson.number,
                    flavor,
                    trace: false,
                });
            }
        }
    }
    let traced: Vec<Job> = plan
        .timelines
        .iter()
        .map(|(lesson, flavor)| Job {
            lesson: lesson.name,
            number: lesson.number,
            flavor: *flavor,
            trace: true,
        })
        .collect();
    println!(
        "comparisons: {} lessons x {} flavours x {} run(s) {} + {} traced run(s), one process each; report in {}",
        plan.lessons.len(),
        plan.flavors.len(),
        plan.repeat,
        if plan.full {
            "with the original timings"
        } else {
            "with the fast settings"
        },
        traced.len(),
        plan.out.display()
    );
    let mut progress = Progress::new(jobs.len() + traced.len());
    let mut runs: Vec<RunRecord> = Vec::new();
    for job in &jobs {
        let what = format!("{} {} on {}", job.number, job.lesson, job.flavor);
        progress.start(&what);
        let out = runner.run(job);
        progress.done(&what, &out.record);
        runs.push(out.record);
    }
    let mut timelines: Vec<TimelineRun> = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
    for job in &traced {
        let what = format!("{} {} on {} (traced)", job.number, job.lesson, job.flavor);
        progress.start(&what);
        let ChildOutput { record, trace } = runner.run(job);
        progress.done(&what, &record);
        if record.verdict != Verdict::Held {
            warnings.push(format!(
                "the traced run of lesson {} {} on {}: {}: {}",
                record.number,
                record.lesson,
                record.flavor,
                record.verdict.label(),
                record.message
            ));
        }
        match trace {
            Some(trace) => timelines.push(TimelineRun { record, trace }),
            None => warnings.push(format!(
                "no trace from lesson {} {} on {}",
                job.number, job.lesson, job.flavor
            )),
        }
    }
    progress.finish();

    let cells = cells(&runs);
    println!();
    print!("{}", table::summary_table(&cells, true).to_text());
    let figures = table::figures_table(&cells);
    let key = Table {
        header: figures.header.clone(),
        rows: figures
            .rows
            .into_iter()
            .filter(|r| KEY_FIGURES.contains(&r[1].as_str()))
            .collect(),
    };
    if !key.rows.is_empty() {
        println!("\nKey figures (medians; every figure is in the report):");
        print!("{}", key.to_text());
    }
    for w in &warnings {
        println!("warning: {w}");
    }

    let data = ReportData {
        settings: Settings {
            full: plan.full,
            repeat: plan.repeat,
            workers: plan.workers,
            cpus: std::thread::available_parallelism().map_or(1, usize::from),
            elapsed_s: started.elapsed().as_secs_f64(),
        },
        runs,
        cells,
        timelines,
    };
    let mut status = ExitCode::SUCCESS;
    match report::write(&plan.out, &data) {
        Ok(written) => {
            println!(
                "\nreport: {}\n        {}",
                written.html.display(),
                written.markdown.display()
            );
            for t in &data.timelines {
                println!(
                    "trace:  {} (open in https://ui.perfetto.dev)",
                    plan.out.join(t.chrome_file()).display()
                );
            }
        }
        Err(msg) => {
            eprintln!("error: could not write the report: {msg}");
            status = ExitCode::FAILURE;
        }
    }
    let failures = table::failures(&data.cells);
    let held = data.cells.len() - failures.len();
    println!(
        "\n{held} of {} invariants held; {} runs in {:.2} s",
        data.cells.len(),
        data.runs.len() + data.timelines.len(),
        started.elapsed().as_secs_f64()
    );
    if !failures.is_empty() {
        for f in &failures {
            eprintln!("FAILED: {f}");
        }
        status = ExitCode::FAILURE;
    }
    status
}
