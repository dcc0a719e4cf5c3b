//! `cargo run -p exercises -- <verb>`: the exercise tool (see the crate docs).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use exercises::commands::{self, Ctx, Failure};
use exercises::tree::Reference;
use exercises::verify;

/// Learn how async executors work by rebuilding parts of mini_runtime.
#[derive(Debug, Parser)]
#[command(name = "exercises", version, about, long_about = None)]
struct Cli {
    /// The learner's workbench folder.
    #[arg(long, global = true, default_value = "workbench", value_name = "DIR")]
    dir: PathBuf,
    /// The mini_runtime workspace to take the reference code and the
    /// manifest from (default: the workspace this tool was built in).
    #[arg(long, global = true, value_name = "DIR")]
    root: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The exercises in order, with your progress.
    List,
    /// Set up the workbench with this exercise's regions stubbed.
    Start {
        /// The exercise id (see `list`).
        id: String,
        /// Keep your earlier solutions instead of the reference code.
        #[arg(long)]
        cumulative: bool,
    },
    /// Build and run the exercise's tests in the workbench.
    Check {
        /// The exercise id (default: the one last started).
        id: Option<String>,
        /// Per-test time limit in seconds (default: from the manifest).
        #[arg(long, value_name = "SECS")]
        time_limit: Option<u64>,
    },
    /// Show the next hint level.
    Hint {
        /// The exercise id.
        id: String,
    },
    /// After a pass: the reference code beside yours.
    Solution {
        /// The exercise id.
        id: String,
    },
    /// Put the stub back and forget this exercise's progress.
    Reset {
        /// The exercise id.
        id: String,
    },
    /// Where you stand.
    Status,
    /// Prove every exercise (CI): reference passes, each stub fails only its own tests.
    Verify {
        /// Only these exercises' variants (repeatable).
        #[arg(long, value_name = "ID")]
        only: Vec<String>,
        /// Scratch folder for the variant tree and its target folder
        /// (default: <root>/target/exercises/verify-tree and <root>/target/exercises/target).
        #[arg(long, value_name = "DIR")]
        scratch: Option<PathBuf>,
        /// Tests run in parallel (default: the number of CPUs).
        #[arg(long)]
        jobs: Option<usize>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = cli
        .root
        .clone()
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."));
    let root = std::fs::canonicalize(&root).unwrap_or(root);
    match run(cli, Reference::new(root)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

fn run(cli: Cli, reference: Reference) -> Result<(), Failure> {
    let ctx = Ctx::new(reference, cli.dir)?;
    match cli.command {
        Command::List => commands::list(&ctx),
        Command::Start { id, cumulative } => commands::start(&ctx, &id, cumulative),
        Command::Check { id, time_limit } => commands::check(&ctx, id.as_deref(), time_limit),
        Command::Hint { id } => commands::hint(&ctx, &id),
        Command::Solution { id } => commands::solution(&ctx, &id),
        Command::Reset { id } => commands::reset(&ctx, &id),
        Command::Status => commands::status(&ctx),
        Command::Verify {
            only,
            scratch,
            jobs,
        } => {
            let base = ctx.reference.root.join("target").join("exercises");
            let (tree, target_dir) = match scratch {
                Some(dir) => (dir.join("tree"), dir.join("target")),
                None => (base.join("verify-tree"), base.join("target")),
            };
            let jobs =
                jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
            verify::run(
                &ctx.reference,
                &ctx.manifest,
                &verify::Options {
                    only,
                    tree,
                    target_dir,
                    jobs,
                },
            )
        }
    }
}
