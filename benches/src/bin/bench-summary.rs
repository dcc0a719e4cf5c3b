//! `bench-summary`: prints the mini_runtime/Tokio comparison table from
//! criterion's saved estimates and the memory results, and writes it as
//! `<target>/bench-summary.md` and `<target>/bench-summary.json`.
//!
//! ```text
//! cargo bench -p benches
//! cargo run --release -p benches --bin bench-summary [-- --target-dir DIR]
//! ```
//!
//! Exit status: 0 when the table was written, or when there is no data yet
//! (a message says to run the benchmarks first); 1 when a file exists but
//! cannot be read or parsed, or the output cannot be written.

use std::path::PathBuf;
use std::process::ExitCode;

use benches::catalog::expected_ids;
use benches::config::available_parallelism;
use benches::summary::{collect, render_json, render_markdown};
use clap::Parser;

/// Summarise the mini_runtime vs Tokio criterion benchmarks: one row per
/// workload with mini's time, Tokio's time, the ratio mini/tokio and a
/// verdict (ahead / tie / behind, from the confidence intervals).
#[derive(Debug, Parser)]
#[command(name = "bench-summary", version)]
struct Args {
    /// Cargo target directory holding `criterion/` and `bench-memory.json`
    /// (default: `$CARGO_TARGET_DIR`, else `<workspace>/target`).
    #[arg(
        long,
        value_name = "DIR",
        help = "Cargo target directory holding criterion/ and bench-memory.json \
                [default: $CARGO_TARGET_DIR, else <workspace>/target]"
    )]
    target_dir: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let target = args.target_dir.unwrap_or_else(benches::default_target_dir);
    let expected = expected_ids(available_parallelism());

    let summary = match collect(&target, &expected) {
        Ok(Some(summary)) => summary,
        Ok(None) => {
            println!(
                "no benchmark data in {}: run `cargo bench -p benches` first",
                target.join("criterion").display()
            );
            return ExitCode::SUCCESS;
        }
        Err(err) => {
            eprintln!("bench-summary: {err}");
            return ExitCode::FAILURE;
        }
    };

    let markdown = render_markdown(&summary);
    print!("{markdown}");

    let md_path = target.join("bench-summary.md");
    let json_path = target.join("bench-summary.json");
    for (path, text) in [(&md_path, markdown), (&json_path, render_json(&summary))] {
        if let Err(err) = std::fs::write(path, text) {
            eprintln!("bench-summary: cannot write {}: {err}", path.display());
            return ExitCode::FAILURE;
        }
    }
    println!(
        "\nwritten: {} and {}",
        md_path.display(),
        json_path.display()
    );
    ExitCode::SUCCESS
}
