//! `verify`: the proof matrix of `shared/exercises.md`, run by CI.
//!
//! 1. **Reference.** The unmodified tree builds without warnings and every
//!    exercise's tests pass; every test selector selects at least one test.
//!    (fmt and clippy of the reference are CI's job already: `.ci/run` runs
//!    `cargo fmt --check` and `cargo clippy -D warnings` on the workspace,
//!    so verify does not repeat them.)
//! 2. **One variant per exercise**, with only its regions stubbed:
//!    * the tree compiles without warnings (or, for `expect =
//!      "compile_error"`, fails to compile in `compile_error_in` only, while
//!      every other exercise's test targets still compile);
//!    * this exercise's own tests fail (each in its own process with a time
//!      limit, as `check` runs them: a hang counts as a failure);
//!    * every other exercise's tests still pass, except those of exercises
//!      that list this one in `tests_use` (their tests run this code too).
//! 3. **Everything stubbed**: the library and every test target still
//!    compile, without warnings (except the test targets of
//!    `compile_error` exercises), so a fresh learner checkout builds.
//! 4. **The manifest is consistent** (see [`Manifest::lint`]): checked first.
//!
//! # Speed: one scratch tree, one target folder
//!
//! Every variant is written into the same scratch tree
//! (`target/exercises/verify-tree`) and built into the same target folder
//! (`target/exercises/target`, shared with the end-to-end test), so the
//! dependencies (syn, futures,
//! parking_lot, ...) are compiled once, and a variant recompiles only
//! mini_runtime (and its macros crate when a macro region changes), mostly
//! incrementally. Only mini_runtime's own test targets named by the
//! manifest are built, never the rest of the workspace.
//!
//! # Why the shared target folder cannot give a stale pass
//!
//! Cargo decides whether a local crate is up to date from the modification
//! times of its source files (recorded in its dep-info) against the time
//! the last build of that crate started; it does not hash their content.
//! Between two variants, every file whose content differs is written anew
//! (and only those), which gives it a modification time later than the
//! previous build's start, so cargo recompiles the crate that holds it and
//! everything that depends on it. Two safeguards on top:
//!
//! * after writing a variant, verify checks cargo's JSON output: a crate
//!   whose files were rewritten must appear as rebuilt (`"fresh": false`);
//!   if cargo ever reported it fresh, the variant fails with "stale build"
//!   instead of passing;
//! * a file is never written with content that an earlier variant already
//!   compiled *and* an old modification time: writes always produce a new
//!   mtime (no `touch`-back), so "same mtime, different content" cannot
//!   happen.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::cargo::{Build, Cargo};
use crate::commands::Failure;
use crate::manifest::{Exercise, Expect, Manifest, TargetKey};
use crate::runner::{self, Outcome, TestResult};
use crate::tree::{self, Plan, Reference};

/// How to run the matrix.
#[derive(Debug, Clone)]
pub struct Options {
    /// Only these exercises' variants (all when empty). Steps 1, 3 and 4
    /// always run.
    pub only: Vec<String>,
    /// The scratch tree the variants are written into.
    pub tree: PathBuf,
    /// The cargo target folder shared by every variant.
    pub target_dir: PathBuf,
    /// Parallel test processes (twice as many for the tests a stub must fail).
    pub jobs: usize,
}

/// One line of the summary table.
#[derive(Debug, Clone)]
struct Row {
    name: String,
    expect: String,
    build: String,
    own: String,
    others: String,
    seconds: f64,
    ok: bool,
}

/// Progress lines on stderr.
struct Progress {
    terminal: bool,
}

impl Progress {
    fn line(&self, text: &str) {
        if self.terminal {
            eprint!("\r\x1b[2K");
        }
        eprintln!("{text}");
    }

    fn live(&self, text: &str) {
        if self.terminal {
            eprint!("\r\x1b[2K{text}");
            let _ = std::io::stderr().flush();
        }
    }
}

/// The tests each exercise selects, by binary.
type Selection = BTreeMap<String, BTreeMap<TargetKey, Vec<String>>>;

/// Runs the matrix; prints the summary table; errors if anything failed.
pub fn run(reference: &Reference, manifest: &Manifest, options: &Options) -> Result<(), Failure> {
    let started = Instant::now();
    let progress = Progress {
        terminal: std::io::stderr().is_terminal(),
    };
    let mut rows = Vec::new();
    for id in &options.only {
        if manifest.get(id).is_none() {
            return Err(Failure::usage(format!(
                "unknown exercise `{id}`; valid ids: {}",
                manifest.id_list()
            )));
        }
    }

    // 4. The manifest, first: everything else relies on it.
    progress.line("[manifest] checking markers and manifest...");
    let regions = match reference.regions() {
        Ok(r) => r,
        Err(errors) => {
            for e in &errors {
                progress.line(&format!("  {e}"));
            }
            return Err(Failure::error(format!(
                "{} marker error(s); nothing else was checked",
                errors.len()
            )));
        }
    };
    let mut problems = manifest.lint(&regions);
    let lint_ok = problems.is_empty();
    for p in &problems {
        progress.line(&format!("  {p}"));
    }
    rows.push(Row {
        name: "manifest".into(),
        expect: "consistent".into(),
        build: format!("{} regions", regions.len()),
        own: format!("{} exercises", manifest.exercises.len()),
        others: if lint_ok {
            "consistent".into()
        } else {
            format!("{} problem(s)", problems.len())
        },
        seconds: 0.0,
        ok: lint_ok,
    });
    if !lint_ok {
        print_table(&rows, started.elapsed());
        return Err(Failure::error("the manifest is inconsistent"));
    }

    let tree_dir = options.tree.clone();
    let cargo = Cargo {
        tree: tree_dir.clone(),
        target_dir: Some(options.target_dir.clone()),
        color: false,
    };
    let all_targets: BTreeSet<TargetKey> = manifest
        .exercises
        .iter()
        .flat_map(|e| e.tests.iter().map(|t| t.key()))
        .collect();

    // 1. The reference.
    let t = Instant::now();
    progress.line("[reference] writing the scratch tree and building (the first build compiles the dependencies)...");
    write(reference, manifest, &tree_dir, &Plan::default())?;
    let build = build_or_fail(&cargo, &all_targets)?;
    let mut row = Row {
        name: "reference".into(),
        expect: "pass".into(),
        build: build_word(&build, 0),
        own: String::new(),
        others: String::new(),
        seconds: 0.0,
        ok: build.success && build.warnings().count() == 0,
    };
    for d in build.errors().chain(build.warnings()).take(20) {
        progress.line(&format!("  {}", d.rendered.trim_end()));
    }
    let mut selection: Selection = BTreeMap::new();
    if build.success {
        let mut all_tests = BTreeMap::new();
        for key in &all_targets {
            let exe = build.executable(key).ok_or_else(|| {
                Failure::error(format!("no test binary for {}/{}", key.package, key.target))
            })?;
            all_tests.insert(
                key.clone(),
                runner::list_tests(exe).map_err(|e| Failure::error(e.to_string()))?,
            );
        }
        for e in &manifest.exercises {
            let mut per_target: BTreeMap<TargetKey, Vec<String>> = BTreeMap::new();
            for s in &e.tests {
                let names: Vec<String> = all_tests[&s.key()]
                    .iter()
                    .filter(|n| s.matches(n))
                    .cloned()
                    .collect();
                if names.is_empty() {
                    problems.push(format!(
                        "`{}`: the selector `{}` selects no test",
                        e.id,
                        s.cargo_command()
                    ));
                }
                let entry = per_target.entry(s.key()).or_default();
                for n in names {
                    if !entry.contains(&n) {
                        entry.push(n);
                    }
                }
            }
            selection.insert(e.id.clone(), per_target);
        }
        let everyone: BTreeSet<String> = manifest.exercises.iter().map(|e| e.id.clone()).collect();
        let result = run_tests_of(&build, &selection, &everyone, &progress)?;
        row.own = format!("{} pass", result.passed);
        if !result.failures.is_empty() {
            row.ok = false;
            row.own = format!(
                "{} FAIL: {}",
                result.failures.len(),
                result.failures.join(", ")
            );
        }
        if !problems.is_empty() {
            row.ok = false;
            row.others = format!("{} selector problem(s)", problems.len());
            for p in &problems {
                progress.line(&format!("  {p}"));
            }
        }
    }
    row.seconds = t.elapsed().as_secs_f64();
    progress.line(&format!(
        "[reference] {} ({:.1}s)",
        if row.ok { "ok" } else { "FAILED" },
        row.seconds
    ));
    let reference_ok = row.ok;
    rows.push(row);
    if !reference_ok {
        print_table(&rows, started.elapsed());
        return Err(Failure::error(
            "the reference does not pass; the variants were not checked",
        ));
    }
    let reference_warnings = 0;

    // 2. One variant per exercise.
    let chosen: Vec<&Exercise> = manifest
        .ordered()
        .into_iter()
        .filter(|e| options.only.is_empty() || options.only.contains(&e.id))
        .collect();
    for (n, exercise) in chosen.iter().enumerate() {
        let label = format!("[{}/{}] {}", n + 1, chosen.len(), exercise.id);
        let row = variant(
            reference,
            manifest,
            &cargo,
            exercise,
            &selection,
            options,
            &progress,
            &label,
            reference_warnings,
        )?;
        progress.line(&format!(
            "{label}: {} ({:.1}s)",
            if row.ok { "ok" } else { "FAILED" },
            row.seconds
        ));
        rows.push(row);
    }

    // 3. Everything stubbed.
    let t = Instant::now();
    progress.line("[all stubbed] building the library and the test targets...");
    let plan = Plan {
        stubbed: manifest.exercises.iter().map(|e| e.id.clone()).collect(),
        ..Plan::default()
    };
    write(reference, manifest, &tree_dir, &plan)?;
    let compile_fail_targets: BTreeSet<TargetKey> = manifest
        .exercises
        .iter()
        .filter(|e| e.expect == Expect::CompileError)
        .flat_map(|e| e.tests.iter().map(|t| t.key()))
        .collect();
    let mut targets: BTreeSet<TargetKey> = all_targets
        .difference(&compile_fail_targets)
        .cloned()
        .collect();
    for package in all_targets
        .iter()
        .map(|t| t.package.clone())
        .collect::<BTreeSet<_>>()
    {
        targets.insert(TargetKey {
            package,
            target: "lib".into(),
        });
    }
    let build = build_or_fail(&cargo, &targets)?;
    for d in build.errors().chain(build.warnings()).take(20) {
        progress.line(&format!("  {}", d.rendered.trim_end()));
    }
    let skipped = compile_fail_targets
        .iter()
        .map(|t| t.target.clone())
        .collect::<Vec<_>>()
        .join(", ");
    rows.push(Row {
        name: "all stubbed".into(),
        expect: "compiles".into(),
        build: build_word(&build, 0),
        own: format!("{} targets", targets.len()),
        others: if skipped.is_empty() {
            String::new()
        } else {
            format!("not built: {skipped}")
        },
        seconds: t.elapsed().as_secs_f64(),
        ok: build.success && build.warnings().count() == 0,
    });
    progress.line(&format!(
        "[all stubbed] {} ({:.1}s)",
        build_word(&build, 0),
        t.elapsed().as_secs_f64()
    ));

    print_table(&rows, started.elapsed());
    if rows.iter().all(|r| r.ok) {
        Ok(())
    } else {
        let failed: Vec<&str> = rows
            .iter()
            .filter(|r| !r.ok)
            .map(|r| r.name.as_str())
            .collect();
        Err(Failure::error(format!(
            "verify failed: {}",
            failed.join(", ")
        )))
    }
}

fn write(
    reference: &Reference,
    manifest: &Manifest,
    dest: &Path,
    plan: &Plan,
) -> Result<Vec<PathBuf>, Failure> {
    reference
        .write_tree(manifest, dest, plan)
        .map_err(|e| Failure::error(format!("cannot write the scratch tree: {e}")))
}

fn build_or_fail(cargo: &Cargo, targets: &BTreeSet<TargetKey>) -> Result<Build, Failure> {
    cargo
        .build_tests(targets)
        .map_err(|e| Failure::error(format!("could not run cargo: {e}")))
}

fn build_word(build: &Build, allowed_warnings: usize) -> String {
    let errors = build.errors().count();
    let warnings = build.warnings().count();
    if !build.success {
        if errors == 0 {
            "cargo FAILED".into()
        } else {
            format!("{errors} error(s)")
        }
    } else if warnings > allowed_warnings {
        format!("{warnings} WARNING(S)")
    } else {
        "ok".into()
    }
}

/// Which package a file of the tree belongs to.
fn package_of(file: &Path) -> &'static str {
    if tree::slash_path(file).starts_with("mini_runtime/macros/") {
        "mini_runtime_macros"
    } else {
        "mini_runtime"
    }
}

struct TestsOutcome {
    passed: usize,
    /// `exercise: test (how)` for each failure.
    failures: Vec<String>,
}

/// Runs the selected tests of `ids` in batches (one process per binary),
/// expecting them to pass.
fn run_tests_of(
    build: &Build,
    selection: &Selection,
    ids: &BTreeSet<String>,
    progress: &Progress,
) -> Result<TestsOutcome, Failure> {
    let mut per_target: BTreeMap<TargetKey, BTreeMap<String, String>> = BTreeMap::new();
    for id in ids {
        for (key, names) in selection.get(id).into_iter().flatten() {
            let entry = per_target.entry(key.clone()).or_default();
            for n in names {
                entry.entry(n.clone()).or_insert_with(|| id.clone());
            }
        }
    }
    let mut outcome = TestsOutcome {
        passed: 0,
        failures: Vec::new(),
    };
    for (key, names) in &per_target {
        let Some(exe) = build.executable(key) else {
            outcome.failures.push(format!("{}: not built", key.target));
            continue;
        };
        progress.live(&format!(
            "    running {} test(s) of {}...",
            names.len(),
            key.target
        ));
        let list: Vec<String> = names.keys().cloned().collect();
        let result = runner::run_batch(exe, &list, Duration::from_secs(300))
            .map_err(|e| Failure::error(e.to_string()))?;
        if result.passed {
            outcome.passed += list.len();
            continue;
        }
        if result.failed.is_empty() {
            let how = match result.outcome {
                Outcome::Failed(k) => k.as_str(),
                Outcome::Passed => "failed",
            };
            outcome.failures.push(format!("{} {how}", key.target));
            progress.line(&format!(
                "    {}: {how}:\n{}",
                key.target,
                runner::failure_excerpt(&result.output, 12)
            ));
        } else {
            outcome.passed += list.len() - result.failed.len();
            for f in &result.failed {
                let owner = names.get(f).cloned().unwrap_or_default();
                outcome
                    .failures
                    .push(format!("{owner}: {}::{f}", key.target));
            }
            progress.line(&format!(
                "    {}:\n{}",
                key.target,
                runner::failure_excerpt(&result.output, 12)
            ));
        }
    }
    Ok(outcome)
}

#[allow(clippy::too_many_arguments)]
fn variant(
    reference: &Reference,
    manifest: &Manifest,
    cargo: &Cargo,
    exercise: &Exercise,
    selection: &Selection,
    options: &Options,
    progress: &Progress,
    label: &str,
    reference_warnings: usize,
) -> Result<Row, Failure> {
    let t = Instant::now();
    let id = &exercise.id;
    let mut row = Row {
        name: id.clone(),
        expect: match exercise.expect {
            Expect::Fail => "tests fail".into(),
            Expect::CompileError => "compile error".into(),
        },
        build: String::new(),
        own: String::new(),
        others: String::new(),
        seconds: 0.0,
        ok: true,
    };
    let plan = Plan {
        stubbed: BTreeSet::from([id.clone()]),
        ..Plan::default()
    };
    let written = write(reference, manifest, &cargo.tree, &plan)?;
    let exempt = manifest.users_of(id);
    let others: BTreeSet<String> = manifest
        .exercises
        .iter()
        .filter(|e| &e.id != id && !exempt.contains(&e.id))
        .map(|e| e.id.clone())
        .collect();
    let own_targets: BTreeSet<TargetKey> = exercise.tests.iter().map(|t| t.key()).collect();
    let mut targets: BTreeSet<TargetKey> = others
        .iter()
        .filter_map(|o| manifest.get(o))
        .flat_map(|e| e.tests.iter().map(|t| t.key()))
        .collect();
    if exercise.expect == Expect::Fail {
        targets.extend(own_targets.iter().cloned());
    }
    // The packages whose regions changed must be rebuilt.
    let changed: BTreeSet<&str> = written.iter().map(|f| package_of(f)).collect();
    progress.line(&format!(
        "{label}: stubbed ({} file(s) written); building...",
        written.len()
    ));

    // Build A: everything that must compile.
    let build = build_or_fail(cargo, &targets)?;
    let stale: Vec<&&str> = changed
        .iter()
        .filter(|p| {
            !build
                .rebuilt
                .iter()
                .any(|u| u.starts_with(&format!("{p}/")))
        })
        .collect();
    let warnings = build.warnings().count();
    row.build = build_word(&build, reference_warnings);
    if !stale.is_empty() && build.success {
        row.ok = false;
        row.build = format!(
            "STALE BUILD ({} not rebuilt)",
            stale.iter().map(|s| **s).collect::<Vec<_>>().join(", ")
        );
    }
    if !build.success || warnings > reference_warnings {
        row.ok = false;
        for d in build.errors().chain(build.warnings()).take(10) {
            progress.line(&format!("  {}", d.rendered.trim_end()));
        }
        if build.errors().count() == 0 && !build.success {
            progress.line(&format!("  {}", build.cargo_stderr.trim_end()));
        }
    }

    // Build B, for compile_error exercises: their own targets must fail,
    // in the expected file only.
    if exercise.expect == Expect::CompileError {
        let own = build_or_fail(cargo, &own_targets)?;
        let expected = exercise.compile_error_in.clone().unwrap_or_default();
        let errors: Vec<_> = own.errors().collect();
        let misplaced: Vec<String> = errors
            .iter()
            .filter(|d| d.file.as_deref() != Some(expected.as_str()))
            .map(|d| d.location())
            .collect();
        if own.success || errors.is_empty() {
            row.ok = false;
            row.own = "COMPILED (expected an error)".into();
        } else if !misplaced.is_empty() {
            row.ok = false;
            row.own = format!("errors OUTSIDE {expected}: {}", misplaced.join(", "));
        } else {
            row.own = format!("{} error(s) in {}", errors.len(), file_name(&expected));
        }
        if build.success && row.build == "ok" {
            row.build = "others ok".into();
        }
    } else if build.success {
        // Own tests: each alone with a time limit; at least one must fail.
        let mut tests = Vec::new();
        for (key, names) in selection.get(id).into_iter().flatten() {
            if let Some(exe) = build.executable(key) {
                tests.extend(names.iter().map(|n| (exe.clone(), n.clone())));
            }
        }
        let limit = Duration::from_secs(manifest.settings.verify_time_limit_secs);
        let done = std::sync::atomic::AtomicUsize::new(0);
        let total = tests.len();
        // A stub often makes tests hang until they are killed: they wait, they
        // do not compute, so twice as many run at once as there are CPUs.
        let results: Vec<TestResult> = runner::run_each(&tests, limit, options.jobs * 2, &|_r| {
            let k = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            progress.live(&format!("    own tests: {k}/{total} done"));
        });
        let failed = results
            .iter()
            .filter(|r| r.outcome != Outcome::Passed)
            .count();
        let timeouts = results
            .iter()
            .filter(|r| {
                matches!(
                    r.outcome,
                    Outcome::Failed(crate::manifest::FailureKind::Timeout)
                )
            })
            .count();
        if failed == 0 {
            row.ok = false;
            row.own = format!("all {total} PASS (stub not caught)");
        } else {
            row.own = format!("{failed}/{total} fail");
            if timeouts > 0 {
                row.own.push_str(&format!(" ({timeouts} t/o)"));
            }
        }
    } else {
        row.own = "not run".into();
    }

    // Everybody else's tests.
    if build.success {
        let result = run_tests_of(&build, selection, &others, progress)?;
        row.others = format!("{} pass", result.passed);
        if !result.failures.is_empty() {
            row.ok = false;
            row.others = format!(
                "{} FAIL: {}",
                result.failures.len(),
                result.failures.join("; ")
            );
        }
    } else {
        row.others = "not run".into();
    }
    if !exempt.is_empty() {
        row.others.push_str(&format!(
            " (skips {})",
            exempt.iter().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    row.seconds = t.elapsed().as_secs_f64();
    Ok(row)
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn print_table(rows: &[Row], wall: Duration) {
    let w_name = rows.iter().map(|r| r.name.len()).max().unwrap_or(8).max(8);
    let w_expect = rows
        .iter()
        .map(|r| r.expect.len())
        .max()
        .unwrap_or(6)
        .max(6);
    let w_build = rows.iter().map(|r| r.build.len()).max().unwrap_or(5).max(5);
    let w_own = rows.iter().map(|r| r.own.len()).max().unwrap_or(9).max(9);
    println!();
    println!(
        "{:<4} {:<w_name$}  {:<w_expect$}  {:<w_build$}  {:<w_own$}  {:>7}  others",
        "", "exercise", "expect", "build", "own tests", "time"
    );
    for r in rows {
        println!(
            "{:<4} {:<w_name$}  {:<w_expect$}  {:<w_build$}  {:<w_own$}  {:>6.1}s  {}",
            if r.ok { "ok" } else { "FAIL" },
            r.name,
            r.expect,
            r.build,
            r.own,
            r.seconds,
            r.others
        );
    }
    let secs = wall.as_secs();
    println!(
        "\nverify: {} of {} rows ok; wall time {}m{:02}s",
        rows.iter().filter(|r| r.ok).count(),
        rows.len(),
        secs / 60,
        secs % 60
    );
}
