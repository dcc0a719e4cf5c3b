//! The learner's commands: `list`, `start`, `check`, `hint`, `solution`,
//! `reset`, `status`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cargo::{Build, Cargo, Diagnostic};
use crate::manifest::{Exercise, FailureKind, Manifest, TargetKey};
use crate::markers::{self, Region};
use crate::progress::{Entry, Records, Saved, SavedRegion, Status, WorkbenchInfo};
use crate::runner::{self, Outcome, TestResult};
use crate::tree::{self, Plan, Reference, RegionKey, SourceFile};

/// What every command needs.
#[derive(Debug)]
pub struct Ctx {
    /// The reference workspace.
    pub reference: Reference,
    /// Its manifest.
    pub manifest: Manifest,
    /// The workbench folder.
    pub dir: PathBuf,
}

/// A command's failure: the message, and the exit code.
#[derive(Debug)]
pub struct Failure {
    /// What to print.
    pub message: String,
    /// 1: the check failed; 2: a usage error.
    pub code: u8,
}

impl Failure {
    /// A usage error (exit code 2).
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            code: 2,
        }
    }

    /// Any other failure (exit code 1).
    pub fn error(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            code: 1,
        }
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure::error(message)
    }
}

/// The result of a command.
pub type CmdResult = Result<(), Failure>;

impl Ctx {
    /// Loads the manifest of `reference`.
    pub fn new(reference: Reference, dir: PathBuf) -> Result<Ctx, Failure> {
        let manifest = reference.manifest().map_err(Failure::error)?;
        Ok(Ctx {
            reference,
            manifest,
            dir,
        })
    }

    /// The exercise `id`, or a usage error listing the valid ids.
    pub fn exercise(&self, id: &str) -> Result<&Exercise, Failure> {
        self.manifest.get(id).ok_or_else(|| {
            Failure::usage(format!(
                "unknown exercise `{id}`; valid ids: {}",
                self.manifest.id_list()
            ))
        })
    }

    fn records(&self) -> Records {
        Records::new(&self.dir)
    }

    fn sources(&self) -> Result<Vec<SourceFile>, Failure> {
        self.reference.sources().map_err(|errors| {
            Failure::error(format!(
                "the reference's markers are broken:\n{}",
                errors.join("\n")
            ))
        })
    }
}

/// The regions of `id` in a tree, by key.
fn regions_of(regions: &[Region], id: &str) -> BTreeMap<RegionKey, Region> {
    regions
        .iter()
        .filter(|r| r.id == id)
        .map(|r| (RegionKey::of(r), r.clone()))
        .collect()
}

/// The hash of a set of region bodies (normalized, in key order).
pub fn bodies_hash<'a>(bodies: impl IntoIterator<Item = (&'a RegionKey, &'a str)>) -> String {
    let mut text = String::new();
    for (key, body) in bodies {
        text.push_str(&format!("{}#{}\n", key.file, key.index));
        text.push_str(&markers::normalize(body));
        text.push('\n');
    }
    markers::hash_hex(&text)
}

fn region_hash(regions: &BTreeMap<RegionKey, Region>) -> String {
    bodies_hash(regions.iter().map(|(k, r)| (k, r.body.as_str())))
}

/// The stub bodies of `id`'s reference regions.
fn stub_bodies(
    manifest: &Manifest,
    reference: &BTreeMap<RegionKey, Region>,
) -> BTreeMap<RegionKey, String> {
    reference
        .iter()
        .map(|(k, r)| {
            let task = manifest
                .get(&r.id)
                .map(|e| e.task.clone().unwrap_or_else(|| e.title.clone()))
                .unwrap_or_default();
            (k.clone(), r.stub_body(&task))
        })
        .collect()
}

/// `list`: the exercises in order, with progress when there is a workbench.
pub fn list(ctx: &Ctx) -> CmdResult {
    let records = ctx.records();
    let progress = if records.exists() {
        Some(records.progress()?)
    } else {
        None
    };
    println!("{:>3}  {:<15} {:<14} title", "#", "id", "status");
    for e in ctx.manifest.ordered() {
        let status = progress
            .as_ref()
            .map(|p| status_word(p.exercises.get(&e.id)))
            .unwrap_or("-");
        println!("{:>3}  {:<15} {:<14} {}", e.order, e.id, status, e.title);
        if !e.prerequisites.is_empty() {
            println!(
                "{:>3}  {:<15} {:<14} after: {}",
                "",
                "",
                "",
                e.prerequisites.join(", ")
            );
        }
    }
    if progress.is_none() {
        println!(
            "\nNo workbench at {} yet. Start with: cargo run -p exercises -- start {}",
            ctx.dir.display(),
            ctx.manifest
                .ordered()
                .first()
                .map_or("<id>", |e| e.id.as_str())
        );
    }
    Ok(())
}

fn status_word(entry: Option<&Entry>) -> &'static str {
    match entry {
        None => "not started",
        Some(e) if e.status == Status::Passed => "passed",
        Some(e) if e.attempts == 0 => "started",
        Some(_) => "in progress",
    }
}

/// `start`: writes the workbench with `id`'s regions stubbed.
pub fn start(ctx: &Ctx, id: &str, cumulative: bool) -> CmdResult {
    let exercise = ctx.exercise(id)?;
    let records = ctx.records();
    if ctx.dir.exists() && !records.exists() {
        let non_empty = fs::read_dir(&ctx.dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(false);
        if non_empty {
            return Err(Failure::error(format!(
                "{} exists and is not a workbench; choose another folder with --dir",
                ctx.dir.display()
            )));
        }
    }
    let sources = ctx.sources()?;
    let reference_regions: Vec<Region> = sources.iter().flat_map(|s| s.regions.clone()).collect();
    let mut progress = records.progress()?;

    // Set aside the learner's code that is in the workbench now.
    let mut set_aside = Vec::new();
    if records.exists() {
        let current = tree::tree_regions(&ctx.dir, &sources)?;
        for e in &ctx.manifest.exercises {
            let learner = regions_of(&current, &e.id);
            let reference = regions_of(&reference_regions, &e.id);
            if learner.is_empty() {
                continue;
            }
            let stubs = stub_bodies(&ctx.manifest, &reference);
            let untouched = learner.iter().all(|(k, r)| {
                let body = markers::normalize(&r.body);
                reference
                    .get(k)
                    .is_some_and(|rr| markers::normalize(&rr.body) == body)
                    || stubs.get(k).is_some_and(|s| markers::normalize(s) == body)
            });
            if untouched {
                continue;
            }
            let hash = region_hash(&learner);
            let passed = progress
                .exercises
                .get(&e.id)
                .is_some_and(|p| p.solution_hash.as_deref() == Some(hash.as_str()));
            records.save(
                &e.id,
                &Saved {
                    hash,
                    passed,
                    regions: learner
                        .iter()
                        .map(|(k, r)| SavedRegion {
                            key: k.clone(),
                            body: r.body.clone(),
                        })
                        .collect(),
                },
            )?;
            set_aside.push(e.id.clone());
        }
    }

    let mut plan = Plan::default();
    plan.stubbed.insert(id.to_string());
    let mut restored = false;
    let mut kept = Vec::new();
    for e in &ctx.manifest.exercises {
        let solved = progress
            .exercises
            .get(&e.id)
            .is_some_and(|p| p.status == Status::Passed);
        if e.id != id && !(cumulative && solved) {
            continue;
        }
        if let Some(saved) = records.saved(&e.id)? {
            let reference = regions_of(&reference_regions, &e.id);
            if saved.regions.iter().all(|r| reference.contains_key(&r.key)) {
                for r in saved.regions {
                    plan.bodies.insert(r.key, r.body);
                }
                if e.id == id {
                    restored = true;
                } else {
                    kept.push(e.id.clone());
                }
            }
        }
    }
    ctx.reference
        .write_tree(&ctx.manifest, &ctx.dir, &plan)
        .map_err(Failure::error)?;
    let root = fs::canonicalize(&ctx.reference.root).unwrap_or_else(|_| ctx.reference.root.clone());
    records.set_info(&WorkbenchInfo {
        reference_root: root,
        current: Some(id.to_string()),
        cumulative,
    })?;
    progress
        .exercises
        .entry(id.to_string())
        .or_insert_with(Entry::started);
    records.set_progress(&progress)?;
    write_workbench_readme(&ctx.dir)?;

    println!("Workbench ready: {}", ctx.dir.display());
    if !set_aside.is_empty() {
        println!(
            "  saved your code of: {} (in {}/saved/)",
            set_aside.join(", "),
            crate::progress::DIR
        );
    }
    if cumulative {
        if kept.is_empty() {
            println!("  cumulative: no earlier solutions to keep yet");
        } else {
            println!("  cumulative: kept your solutions of {}", kept.join(", "));
        }
    }
    println!();
    println!(
        "Exercise {} `{}`: {}",
        exercise.order, exercise.id, exercise.title
    );
    println!();
    println!("{}", wrap(&exercise.concept, 78, ""));
    println!();
    if restored {
        println!("Your earlier code for `{id}` is back in place (`reset {id}` starts over).");
    }
    println!("Your code goes between the `exercise({id})` markers in:");
    for r in reference_regions.iter().filter(|r| r.id == id) {
        println!("  {}", ctx.dir.join(&r.file).display());
    }
    println!();
    println!("Then run:   cargo run -p exercises -- check {id}");
    println!("Stuck?      cargo run -p exercises -- hint {id}");
    if !exercise.prerequisites.is_empty() {
        println!("Builds on:  {}", exercise.prerequisites.join(", "));
    }
    Ok(())
}

fn write_workbench_readme(dir: &Path) -> Result<(), String> {
    let text = "# mini_runtime exercise workbench\n\n\
        An ordinary Cargo workspace: a copy of mini_runtime in which the current\n\
        exercise's regions (between `// exercise(<id>): begin` and `end`) are stubbed.\n\
        Edit the code between the markers, then from the mini_runtime workspace run\n\
        `cargo run -p exercises -- check` (add `--dir <this folder>` if it is not\n\
        `./workbench`). Keep the marker lines: they tell the tool where your code is.\n\
        Progress is kept in `.exercises/`.\n";
    tree::write_if_changed(&dir.join("README.md"), text.as_bytes())
        .map(|_| ())
        .map_err(|e| e.to_string())?;
    tree::write_if_changed(&dir.join(".gitignore"), b"/target\n")
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The exercise a command without an id is about.
pub fn current_id(ctx: &Ctx, id: Option<&str>) -> Result<String, Failure> {
    match id {
        Some(id) => Ok(ctx.exercise(id)?.id.clone()),
        None => {
            let info = ctx.records().info().map_err(Failure::usage)?;
            info.current
                .ok_or_else(|| Failure::usage("no current exercise; name one: `check <id>`"))
        }
    }
}

/// What `check` found.
#[derive(Debug)]
pub struct CheckReport {
    /// Every test passed.
    pub passed: bool,
    /// The build (for its diagnostics).
    pub build: Build,
    /// The test results (empty when the build failed).
    pub results: Vec<TestResult>,
}

/// `check`: builds and runs the exercise's tests in the workbench.
pub fn check(ctx: &Ctx, id: Option<&str>, limit: Option<u64>) -> CmdResult {
    let id = current_id(ctx, id)?;
    let exercise = ctx.exercise(&id)?;
    let records = ctx.records();
    if !records.exists() {
        return Err(Failure::usage(format!(
            "no workbench at {}; create one with `start {id}`",
            ctx.dir.display()
        )));
    }
    let sources = ctx.sources()?;
    let learner = regions_of(&tree::tree_regions(&ctx.dir, &sources)?, &id);
    let reference = regions_of(
        &sources
            .iter()
            .flat_map(|s| s.regions.clone())
            .collect::<Vec<_>>(),
        &id,
    );
    if learner.keys().ne(reference.keys()) {
        return Err(Failure::error(format!(
            "the workbench does not have the regions of `{id}` where the reference has them \
             (were marker lines deleted?); `reset {id}` restores the stub"
        )));
    }
    // Code identical to the reference in an exercise that was never
    // started here is the reference itself, not the learner's pass.
    let never_started = !records.progress()?.exercises.contains_key(&id);
    let holds_reference = never_started
        && learner
            .iter()
            .all(|(k, r)| markers::normalize(&r.body) == markers::normalize(&reference[k].body));

    let color = std::io::stdout().is_terminal();
    println!("Checking `{id}`: building its tests...");
    let report = run_check(ctx, exercise, &ctx.dir, None, color, limit, &learner, true)?;

    let hash = region_hash(&learner);
    let reference_hash = region_hash(&reference);
    if report.passed {
        if holds_reference {
            return Err(Failure::usage(format!(
                "`{id}` was never started in this workbench and its regions hold the reference \
                 code: not recorded as your pass (`start {id}` first)"
            )));
        }
        records.update(&id, |e| {
            e.status = Status::Passed;
            e.attempts += 1;
            e.solution_hash = Some(hash.clone());
            e.reference_hash = Some(reference_hash.clone());
            e.last_result = Some("passed".into());
        })?;
        records.save(
            &id,
            &Saved {
                hash,
                passed: true,
                regions: learner
                    .iter()
                    .map(|(k, r)| SavedRegion {
                        key: k.clone(),
                        body: r.body.clone(),
                    })
                    .collect(),
            },
        )?;
        println!("\nPassed: `{id}` is solved.");
        println!("Compare with the reference: cargo run -p exercises -- solution {id}");
        println!("Tokio does this in: {}", exercise.tokio);
        if let Some(next) = next_exercise(ctx, &records.progress()?) {
            println!("Next: cargo run -p exercises -- start {next}");
        }
        Ok(())
    } else {
        let summary = summarize_failure(&report);
        records.update(&id, |e| {
            e.attempts += 1;
            e.last_result = Some(summary.clone());
        })?;
        Err(Failure::error(format!(
            "`{id}` is not solved yet: {summary}"
        )))
    }
}

fn summarize_failure(report: &CheckReport) -> String {
    if !report.build.success {
        return "compile error".into();
    }
    let failed: Vec<&TestResult> = report
        .results
        .iter()
        .filter(|r| r.outcome != Outcome::Passed)
        .collect();
    let timeouts = failed
        .iter()
        .filter(|r| r.outcome == Outcome::Failed(FailureKind::Timeout))
        .count();
    let mut s = format!("{} of {} tests failed", failed.len(), report.results.len());
    if timeouts > 0 {
        s.push_str(&format!(" ({timeouts} timed out)"));
    }
    s
}

fn next_exercise(ctx: &Ctx, progress: &crate::progress::Progress) -> Option<String> {
    ctx.manifest
        .ordered()
        .into_iter()
        .find(|e| {
            progress
                .exercises
                .get(&e.id)
                .is_none_or(|p| p.status != Status::Passed)
        })
        .map(|e| e.id.clone())
}

/// Whether a diagnostic points into one of `regions`.
fn in_regions(d: &Diagnostic, regions: &BTreeMap<RegionKey, Region>) -> bool {
    let (Some(file), Some(line)) = (&d.file, d.line) else {
        return false;
    };
    regions
        .values()
        .any(|r| tree::slash_path(&r.file) == *file && line > r.begin_line && line < r.end_line)
}

/// Builds and runs an exercise's tests in `tree_dir`, printing as it goes
/// when `verbose`. Shared by `check` and the end-to-end test.
#[allow(clippy::too_many_arguments)]
pub fn run_check(
    ctx: &Ctx,
    exercise: &Exercise,
    tree_dir: &Path,
    target_dir: Option<&Path>,
    color: bool,
    limit: Option<u64>,
    learner: &BTreeMap<RegionKey, Region>,
    verbose: bool,
) -> Result<CheckReport, Failure> {
    let targets: BTreeSet<TargetKey> = exercise.tests.iter().map(|t| t.key()).collect();
    let cargo = Cargo {
        tree: tree_dir.to_path_buf(),
        target_dir: target_dir.map(Path::to_path_buf),
        color,
    };
    let build = cargo
        .build_tests(&targets)
        .map_err(|e| Failure::error(format!("could not run cargo: {e}")))?;
    let (mine, others): (Vec<&Diagnostic>, Vec<&Diagnostic>) = build
        .diagnostics
        .iter()
        .partition(|d| in_regions(d, learner));
    if !build.success {
        if verbose {
            let mine_errors: Vec<&&Diagnostic> =
                mine.iter().filter(|d| d.level == "error").collect();
            if !mine_errors.is_empty() {
                println!("\nCompile errors in your code:\n");
                for d in &mine_errors {
                    println!("{}", d.rendered.trim_end());
                }
            }
            let other_errors: Vec<&&Diagnostic> =
                others.iter().filter(|d| d.level == "error").collect();
            if !other_errors.is_empty() {
                println!(
                    "\n{}:\n",
                    if mine_errors.is_empty() {
                        "Compile errors"
                    } else {
                        "Other compile errors (often caused by the ones above)"
                    }
                );
                for d in other_errors.iter().take(10) {
                    println!("{}", d.rendered.trim_end());
                }
                if other_errors.len() > 10 {
                    println!("... and {} more", other_errors.len() - 10);
                }
            }
            if mine_errors.is_empty() && other_errors.is_empty() {
                println!("\ncargo failed:\n{}", build.cargo_stderr.trim_end());
            }
            let all: String = build.errors().map(|d| d.rendered.as_str()).collect();
            print_failure_hints(exercise, &[(FailureKind::CompileError, all)]);
        }
        return Ok(CheckReport {
            passed: false,
            build,
            results: Vec::new(),
        });
    }
    if verbose {
        let warnings: Vec<&&Diagnostic> = mine.iter().filter(|d| d.level == "warning").collect();
        if !warnings.is_empty() {
            println!("\nWarnings in your code:\n");
            for d in warnings {
                println!("{}", d.rendered.trim_end());
            }
        }
    }

    // Select the tests.
    let mut selected = Vec::new();
    for key in &targets {
        let exe = build.executable(key).ok_or_else(|| {
            Failure::error(format!(
                "cargo built no test binary for {}/{}",
                key.package, key.target
            ))
        })?;
        let names = runner::list_tests(exe).map_err(|e| Failure::error(e.to_string()))?;
        for name in names {
            if exercise
                .tests
                .iter()
                .any(|s| s.key() == *key && s.matches(&name))
            {
                selected.push((exe.clone(), name));
            }
        }
    }
    if selected.is_empty() {
        return Err(Failure::error(format!(
            "no test matches the selectors of `{}`",
            exercise.id
        )));
    }
    let limit = Duration::from_secs(
        limit
            .or(exercise.time_limit_secs)
            .unwrap_or(ctx.manifest.settings.time_limit_secs),
    );
    if verbose {
        println!(
            "Running {} test(s), each with a time limit of {}s:",
            selected.len(),
            limit.as_secs()
        );
    }
    let jobs = std::thread::available_parallelism().map_or(2, |n| n.get());
    let print = |r: &TestResult| {
        if verbose {
            let word = match r.outcome {
                Outcome::Passed => "ok",
                Outcome::Failed(FailureKind::Timeout) => "TIMED OUT",
                Outcome::Failed(_) => "FAILED",
            };
            println!("  {word:<9} {} ({:.2}s)", r.name, r.elapsed.as_secs_f64());
        }
    };
    let results = runner::run_each(&selected, limit, jobs, &print);
    let failures: Vec<&TestResult> = results
        .iter()
        .filter(|r| r.outcome != Outcome::Passed)
        .collect();
    if verbose && !failures.is_empty() {
        for r in failures.iter().take(3) {
            let Outcome::Failed(kind) = r.outcome else {
                continue;
            };
            println!("\n--- {} {} ---", r.name, kind.as_str());
            let excerpt = runner::failure_excerpt(&r.output, 15);
            if !excerpt.trim().is_empty() {
                println!("{excerpt}");
            }
            if kind == FailureKind::Timeout && !r.output.contains("exceeded its time limit") {
                println!(
                    "(no result after {}s: the test was stopped)",
                    limit.as_secs()
                );
            }
        }
        if failures.len() > 3 {
            println!("\n... and {} more failing test(s)", failures.len() - 3);
        }
        let keyed: Vec<(FailureKind, String)> = failures
            .iter()
            .filter_map(|r| match r.outcome {
                Outcome::Failed(k) => Some((k, r.output.clone())),
                Outcome::Passed => None,
            })
            .collect();
        print_failure_hints(exercise, &keyed);
    }
    Ok(CheckReport {
        passed: failures.is_empty(),
        build,
        results,
    })
}

fn print_failure_hints(exercise: &Exercise, failures: &[(FailureKind, String)]) {
    let mut shown = BTreeSet::new();
    let mut todo_hinted = false;
    println!();
    for (kind, output) in failures {
        for (i, h) in exercise.failure_hints.iter().enumerate() {
            if h.applies(*kind, output) && shown.insert(i) {
                todo_hinted |= *kind == FailureKind::Todo;
                println!("Hint ({}): {}", kind.as_str(), wrap(&h.hint, 72, "  "));
            }
        }
    }
    if !todo_hinted && failures.iter().any(|(k, _)| *k == FailureKind::Todo) {
        println!(
            "Hint ({}): the stub is still there. Replace the todo!() between the \
             `exercise({})` markers with your code.",
            FailureKind::Todo.as_str(),
            exercise.id
        );
    }
    println!(
        "\nMore help: cargo run -p exercises -- hint {}",
        exercise.id
    );
}

/// `hint`: the next hint level.
pub fn hint(ctx: &Ctx, id: &str) -> CmdResult {
    let exercise = ctx.exercise(id)?;
    let records = ctx.records();
    let total = exercise.hints.len();
    let before = if records.exists() {
        records
            .progress()?
            .exercises
            .get(id)
            .map_or(0, |e| e.hints_shown)
    } else {
        0
    };
    let level = (before + 1).min(total);
    if records.exists() {
        records.update(id, |e| e.hints_shown = level)?;
    }
    let names = ["a nudge", "the concept", "nearly the answer"];
    // Once every level was shown, show them all again; otherwise the new one.
    let first = if before >= total { 0 } else { level - 1 };
    for (i, text) in exercise.hints.iter().enumerate().take(level).skip(first) {
        let name = names.get(i).copied().unwrap_or("more");
        println!(
            "Hint {}/{} ({name}):\n  {}\n",
            i + 1,
            total,
            wrap(text, 76, "  ")
        );
    }
    if level < total {
        println!("Run `hint {id}` again for the next level.");
    } else {
        println!(
            "That was the last hint. Tokio does this in: {}",
            exercise.tokio
        );
        println!(
            "The tests: {}",
            exercise
                .tests
                .iter()
                .map(|t| t.cargo_command())
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    Ok(())
}

/// `solution`: the reference beside the learner's code, after a pass.
pub fn solution(ctx: &Ctx, id: &str) -> CmdResult {
    ctx.exercise(id)?;
    let records = ctx.records();
    let passed = records.exists()
        && records
            .progress()?
            .exercises
            .get(id)
            .is_some_and(|e| e.status == Status::Passed);
    if !passed {
        return Err(Failure::error(format!(
            "the solution of `{id}` is shown after your code passes: run `check {id}` (and `hint {id}` if stuck)"
        )));
    }
    let sources = ctx.sources()?;
    let reference = regions_of(
        &sources
            .iter()
            .flat_map(|s| s.regions.clone())
            .collect::<Vec<_>>(),
        id,
    );
    let current = regions_of(&tree::tree_regions(&ctx.dir, &sources)?, id);
    let saved: BTreeMap<RegionKey, String> = records
        .saved(id)?
        .map(|s| s.regions.into_iter().map(|r| (r.key, r.body)).collect())
        .unwrap_or_default();
    let width: usize = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(160)
        .max(60);
    for (key, r) in &reference {
        // The code that passed (saved), else what is in the workbench now.
        let mine = saved
            .get(key)
            .cloned()
            .or_else(|| current.get(key).map(|c| c.body.clone()))
            .unwrap_or_default();
        println!("{} (region {} of `{id}`)", r.location(), key.index + 1);
        print!(
            "{}",
            side_by_side(("reference", &r.body), ("yours", &mine), width)
        );
        println!();
    }
    Ok(())
}

/// Two texts in two columns of `width / 2` characters, long lines wrapped.
pub fn side_by_side(left: (&str, &str), right: (&str, &str), width: usize) -> String {
    let col = (width.saturating_sub(3)) / 2;
    let prep = |text: &str| -> Vec<String> {
        let lines: Vec<String> = text.lines().map(|l| l.replace('\t', "    ")).collect();
        // Remove the common indentation.
        let indent = lines
            .iter()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.len() - l.trim_start().len())
            .min()
            .unwrap_or(0);
        let mut out = Vec::new();
        for l in lines {
            let l: Vec<char> = l.chars().skip(indent).collect();
            if l.is_empty() {
                out.push(String::new());
            }
            for chunk in l.chunks(col.max(1)) {
                out.push(chunk.iter().collect());
            }
        }
        out
    };
    let (a, b) = (prep(left.1), prep(right.1));
    let mut out = format!("{:<col$} │ {}\n", left.0, right.0);
    out.push_str(&format!("{:─<col$}─┼─{:─<col$}\n", "", ""));
    for i in 0..a.len().max(b.len()) {
        let l = a.get(i).map_or("", String::as_str);
        let r = b.get(i).map_or("", String::as_str);
        out.push_str(format!("{l:<col$} │ {r}").trim_end());
        out.push('\n');
    }
    out
}

/// `reset`: puts the stub back in `id`'s regions and forgets its progress.
pub fn reset(ctx: &Ctx, id: &str) -> CmdResult {
    ctx.exercise(id)?;
    let records = ctx.records();
    records.info()?;
    let sources = ctx.sources()?;
    for source in sources
        .iter()
        .filter(|s| s.regions.iter().any(|r| r.id == id))
    {
        let path = ctx.dir.join(&source.rel);
        let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let regions = markers::parse_file(&source.rel, &text).map_err(|e| e.to_string())?;
        let reference: BTreeMap<RegionKey, &Region> = source
            .regions
            .iter()
            .map(|r| (RegionKey::of(r), r))
            .collect();
        let out = markers::render(&text, &regions, |r| {
            if r.id != id {
                return None;
            }
            let task = ctx
                .manifest
                .get(id)
                .map(|e| e.task.clone().unwrap_or_else(|| e.title.clone()))
                .unwrap_or_default();
            reference
                .get(&RegionKey::of(r))
                .map(|rr| rr.stub_body(&task))
        });
        tree::write_if_changed(&path, out.as_bytes())
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let mut progress = records.progress()?;
    progress.exercises.remove(id);
    progress.exercises.insert(id.to_string(), Entry::started());
    records.set_progress(&progress)?;
    records.forget(id)?;
    println!("`{id}` is back to its stub, and its progress is cleared.");
    Ok(())
}

/// `status`: where the learner stands.
pub fn status(ctx: &Ctx) -> CmdResult {
    let records = ctx.records();
    let info = records.info().map_err(Failure::usage)?;
    let progress = records.progress()?;
    let sources = ctx.sources()?;
    let current = tree::tree_regions(&ctx.dir, &sources).unwrap_or_default();
    println!(
        "Workbench {} (reference: {}{})",
        ctx.dir.display(),
        info.reference_root.display(),
        if info.cumulative { ", cumulative" } else { "" }
    );
    println!(
        "{:>3}  {:<15} {:<24} {:>8} {:>6}  last check",
        "#", "id", "status", "attempts", "hints"
    );
    let mut passed = 0;
    for e in ctx.manifest.ordered() {
        let entry = progress.exercises.get(&e.id);
        let mut word = status_word(entry).to_string();
        if let Some(p) = entry.filter(|p| p.status == Status::Passed) {
            passed += 1;
            let now = region_hash(&regions_of(&current, &e.id));
            if p.solution_hash.as_deref() != Some(now.as_str())
                && info.current.as_deref() == Some(&e.id)
            {
                word = "passed (edited since)".into();
            }
        }
        let marker = if info.current.as_deref() == Some(&e.id) {
            "*"
        } else {
            " "
        };
        println!(
            "{:>3}{marker} {:<15} {:<24} {:>8} {:>6}  {}",
            e.order,
            e.id,
            word,
            entry.map_or(0, |p| p.attempts),
            entry.map_or(0, |p| p.hints_shown),
            entry
                .and_then(|p| p.last_result.clone())
                .unwrap_or_default()
        );
    }
    let unknown: Vec<&String> = progress
        .exercises
        .keys()
        .filter(|id| ctx.manifest.get(id).is_none())
        .collect();
    if !unknown.is_empty() {
        println!(
            "(records of exercises no longer in the manifest are kept: {})",
            unknown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    println!(
        "\n{passed} of {} passed. * = current exercise.",
        ctx.manifest.exercises.len()
    );
    Ok(())
}

/// Wraps `text` at `width`, indenting continuation lines with `indent`.
pub fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    for (p, paragraph) in text.trim().split("\n\n").enumerate() {
        if p > 0 {
            out.push_str("\n\n");
            out.push_str(indent);
        }
        let mut line_len = 0;
        for word in paragraph.split_whitespace() {
            if line_len > 0 && line_len + 1 + word.len() > width {
                out.push('\n');
                out.push_str(indent);
                line_len = 0;
            } else if line_len > 0 {
                out.push(' ');
                line_len += 1;
            }
            out.push_str(word);
            line_len += word.len();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_width() {
        assert_eq!(wrap("aa bb cc", 5, "> "), "aa bb\n> cc");
        assert_eq!(wrap("a\n\nb", 10, ""), "a\n\nb");
    }

    #[test]
    fn side_by_side_aligns_and_dedents() {
        let out = side_by_side(("ref", "    a\n    bb\n"), ("you", "  x\n"), 23);
        assert_eq!(
            out,
            "ref        │ you\n───────────┼───────────\na          │ x\nbb         │\n"
        );
    }

    #[test]
    fn region_hash_ignores_trailing_whitespace() {
        let k = RegionKey {
            id: "a".into(),
            file: "f.rs".into(),
            index: 0,
        };
        assert_eq!(bodies_hash([(&k, "x  \n")]), bodies_hash([(&k, "x\n\n")]));
        assert_ne!(bodies_hash([(&k, "x\n")]), bodies_hash([(&k, "y\n")]));
    }
}
