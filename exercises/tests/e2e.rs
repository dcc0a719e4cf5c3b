//! End to end, through the command-line tool: start an exercise in a fresh
//! workbench, check it (fails on the stub), put the reference code in,
//! check again (passes), and find the pass recorded. Also the usage errors.
//!
//! It compiles mini_runtime once in the workbench. The cargo target folder
//! is shared with `verify` (`target/exercises/target`), so the dependencies
//! are compiled once per machine, not once per run.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use exercises::markers;
use exercises::progress::{Records, Status};
use exercises::tree::{self, Reference};

const ID: &str = "block_on";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
        .to_path_buf()
}

struct Run {
    ok: bool,
    code: Option<i32>,
    out: String,
}

fn exercises(args: &[&str], dir: &Path) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_exercises"))
        .args(args)
        .arg("--dir")
        .arg(dir)
        .arg("--root")
        .arg(root())
        .env("CARGO_TARGET_DIR", root().join("target/exercises/target"))
        .output()
        .expect("run the exercises tool");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    Run {
        ok: out.status.success(),
        code: out.status.code(),
        out: text,
    }
}

/// Replaces the learner's regions of `id` in the workbench with the reference code.
fn copy_reference_in(dir: &Path, id: &str) {
    let reference = Reference::new(root());
    let sources = reference.sources().expect("reference markers");
    for source in sources
        .iter()
        .filter(|s| s.regions.iter().any(|r| r.id == id))
    {
        let path = dir.join(&source.rel);
        let text = fs::read_to_string(&path).unwrap();
        let regions = markers::parse_file(&source.rel, &text).unwrap();
        let out = markers::render(&text, &regions, |r| {
            (r.id == id).then(|| {
                source
                    .regions
                    .iter()
                    .find(|rr| tree::RegionKey::of(rr) == tree::RegionKey::of(r))
                    .expect("same region in the reference")
                    .body
                    .clone()
            })
        });
        fs::write(&path, out).unwrap();
    }
}

#[test]
fn start_check_fix_check_records_progress() {
    let dir = root().join("target/exercises/e2e-workbench");
    let _ = fs::remove_dir_all(&dir);

    let run = exercises(&["start", ID], &dir);
    assert!(run.ok, "start failed:\n{}", run.out);
    assert!(run.out.contains("check block_on"), "{}", run.out);
    let stubbed = fs::read_to_string(dir.join("mini_runtime/src/block_on.rs")).unwrap();
    assert!(
        stubbed.contains("todo!(\"exercise block_on:"),
        "the region is stubbed"
    );
    assert!(
        stubbed.contains("// exercise(block_on): begin"),
        "the markers stay"
    );
    assert!(
        !stubbed.contains("// exercise(block_on): stub:"),
        "stub lines are not copied"
    );
    assert!(dir.join("Cargo.toml").is_file() && dir.join("Cargo.lock").is_file());

    let run = exercises(&["solution", ID], &dir);
    assert!(!run.ok, "no solution before a pass:\n{}", run.out);

    let run = exercises(&["check"], &dir); // the current exercise
    assert!(!run.ok, "the stub must fail:\n{}", run.out);
    assert_eq!(run.code, Some(1));
    assert!(
        run.out.contains("not yet implemented: exercise block_on"),
        "{}",
        run.out
    );
    assert!(
        run.out.contains("Hint (reached a todo!() stub)"),
        "{}",
        run.out
    );
    let records = Records::new(&dir);
    let entry = records.progress().unwrap().exercises[ID].clone();
    assert_eq!(entry.status, Status::Started);
    assert_eq!(entry.attempts, 1);

    let run = exercises(&["hint", ID], &dir);
    assert!(
        run.ok && run.out.contains("Hint 1/3 (a nudge)"),
        "{}",
        run.out
    );

    copy_reference_in(&dir, ID);
    let run = exercises(&["check", ID], &dir);
    assert!(run.ok, "the reference code must pass:\n{}", run.out);
    assert!(
        run.out.contains("Passed: `block_on` is solved."),
        "{}",
        run.out
    );

    let progress = records.progress().unwrap();
    let entry = &progress.exercises[ID];
    assert_eq!(entry.status, Status::Passed);
    assert_eq!(entry.attempts, 2);
    assert_eq!(entry.hints_shown, 1);
    let saved = records
        .saved(ID)
        .unwrap()
        .expect("the passing code is saved");
    assert!(saved.passed);
    assert_eq!(entry.solution_hash.as_deref(), Some(saved.hash.as_str()));

    let run = exercises(&["solution", ID], &dir);
    assert!(run.ok, "{}", run.out);
    assert!(
        run.out.contains("reference") && run.out.contains("yours"),
        "{}",
        run.out
    );
    assert!(
        run.out.contains("parker.spin_then_park(spin);"),
        "{}",
        run.out
    );

    let run = exercises(&["status"], &dir);
    assert!(run.ok && run.out.contains("passed"), "{}", run.out);
    assert!(run.out.contains("1 of"), "{}", run.out);

    // Reset: the stub is back and the progress cleared.
    let run = exercises(&["reset", ID], &dir);
    assert!(run.ok, "{}", run.out);
    let text = fs::read_to_string(dir.join("mini_runtime/src/block_on.rs")).unwrap();
    assert!(text.contains("todo!(\"exercise block_on:"));
    assert_eq!(
        records.progress().unwrap().exercises[ID].status,
        Status::Started
    );
}

#[test]
fn bad_arguments_print_usage_and_fail() {
    let dir = root().join("target/exercises/e2e-usage");
    let run = exercises(&["start"], &dir);
    assert!(!run.ok);
    assert!(run.out.contains("Usage"), "{}", run.out);
    let run = exercises(&["frobnicate"], &dir);
    assert!(!run.ok && run.out.contains("Usage"), "{}", run.out);
    let run = exercises(&["hint", "no_such_exercise"], &dir);
    assert_eq!(run.code, Some(2), "{}", run.out);
    assert!(
        run.out.contains("unknown exercise `no_such_exercise`"),
        "{}",
        run.out
    );
    assert!(
        run.out.contains("block_on, waker, yield_now"),
        "lists the valid ids:\n{}",
        run.out
    );
    let run = exercises(&["check"], &dir);
    assert_eq!(
        run.code,
        Some(2),
        "no workbench is a usage error:\n{}",
        run.out
    );
}
