//! The manifest, `exercises/exercises.toml`, and its lint.
//!
//! One `[[exercise]]` table per exercise:
//!
//! ```toml
//! [[exercise]]
//! id = "block_on"                 # the id used by the markers
//! order = 1                       # position in the suggested sequence
//! title = "..."
//! concept = "..."                 # what it teaches
//! prerequisites = []              # exercises to do first (learning order)
//! tests_use = []                  # exercises whose regions these tests also run
//! expect = "fail"                 # what the stub does: "fail" (its tests fail)
//!                                 # or "compile_error" (with compile_error_in)
//! tokio = "tokio/src/..."         # where Tokio does the same thing
//! tests = [{ target = "lib", filter = "block_on::tests::" }]
//! hints = ["a nudge", "the concept", "nearly the answer"]
//! failure_hints = [{ on = "timeout", hint = "..." }]
//! ```
//!
//! A test selector picks tests of one test binary: `target` is `"lib"` (the
//! unit tests of `package`, default `mini_runtime`) or the name of an
//! integration test (`tests/<name>.rs`); `filter` is a libtest filter (a
//! substring of the test's path, or the whole path with `exact = true`).
//!
//! `tests_use` is what makes the proof matrix honest about shared code:
//! `yield_now`'s tests run spawned tasks, so they also execute the `waker`
//! and `task_state` regions, and stubbing those may break them. The matrix
//! checks every *other* pair: stubbing an exercise must leave the tests of
//! every exercise that does not list it in `tests_use` passing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;

use crate::markers::{Region, is_valid_id};

/// The whole manifest.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Settings shared by all exercises.
    #[serde(default)]
    pub settings: Settings,
    /// The exercises, in file order.
    #[serde(rename = "exercise", default)]
    pub exercises: Vec<Exercise>,
}

/// Settings shared by all exercises.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Per-test time limit of `check`, in seconds.
    #[serde(default = "default_time_limit")]
    pub time_limit_secs: u64,
    /// Per-test time limit of `verify` for tests that are expected to fail
    /// (a stub often makes a test hang until it is killed).
    #[serde(default = "default_verify_time_limit")]
    pub verify_time_limit_secs: u64,
}

fn default_time_limit() -> u64 {
    20
}

fn default_verify_time_limit() -> u64 {
    10
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            time_limit_secs: default_time_limit(),
            verify_time_limit_secs: default_verify_time_limit(),
        }
    }
}

/// One exercise.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    /// The id used by the markers and on the command line.
    pub id: String,
    /// Position in the suggested sequence.
    pub order: u32,
    /// One line.
    pub title: String,
    /// The idea the exercise teaches.
    pub concept: String,
    /// Exercises to do first.
    #[serde(default)]
    pub prerequisites: Vec<String>,
    /// Exercises whose regions this exercise's tests also execute.
    #[serde(default)]
    pub tests_use: Vec<String>,
    /// The tests that check it.
    pub tests: Vec<TestSelector>,
    /// What the stubbed tree does.
    #[serde(default)]
    pub expect: Expect,
    /// With `expect = "compile_error"`: the file (relative to the tree root)
    /// where the compile errors must be.
    #[serde(default)]
    pub compile_error_in: Option<String>,
    /// Layered hints: a nudge, the concept, nearly the answer.
    pub hints: Vec<String>,
    /// Hints keyed to typical failures.
    #[serde(default)]
    pub failure_hints: Vec<FailureHint>,
    /// Where Tokio does the same thing.
    pub tokio: String,
    /// The default one-line task of the `todo!()` stubs.
    #[serde(default)]
    pub task: Option<String>,
    /// Per-test time limit of `check` for this exercise.
    #[serde(default)]
    pub time_limit_secs: Option<u64>,
}

/// What the stubbed tree must do before the exercise is solved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// The tree compiles without warnings and the exercise's tests fail.
    #[default]
    Fail,
    /// The tree fails to compile, in `compile_error_in` only.
    CompileError,
}

/// Selects tests of one test binary.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestSelector {
    /// The package (default `mini_runtime`).
    #[serde(default = "default_package")]
    pub package: String,
    /// `"lib"` or an integration test name.
    pub target: String,
    /// A libtest filter.
    pub filter: String,
    /// Match the whole test path instead of a substring.
    #[serde(default)]
    pub exact: bool,
}

fn default_package() -> String {
    "mini_runtime".to_string()
}

/// A test binary: package and target.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TargetKey {
    /// The package.
    pub package: String,
    /// `"lib"` or an integration test name.
    pub target: String,
}

impl TestSelector {
    /// Which binary it selects from.
    pub fn key(&self) -> TargetKey {
        TargetKey {
            package: self.package.clone(),
            target: self.target.clone(),
        }
    }

    /// Whether the test `name` of that binary is selected.
    pub fn matches(&self, name: &str) -> bool {
        if self.exact {
            name == self.filter
        } else {
            name.contains(&self.filter)
        }
    }

    /// The equivalent `cargo test` command line.
    pub fn cargo_command(&self) -> String {
        let target = if self.target == "lib" {
            "--lib".to_string()
        } else {
            format!("--test {}", self.target)
        };
        let exact = if self.exact { " --exact" } else { "" };
        format!(
            "cargo test -p {} {target} -- {}{exact}",
            self.package, self.filter
        )
    }
}

/// The kinds of failure a hint can be keyed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// A test ran past its time limit (typically a lost wake-up).
    Timeout,
    /// A test panicked (an assertion, an `unwrap`, ...).
    Panic,
    /// A `todo!()` stub was reached.
    Todo,
    /// The code does not compile.
    CompileError,
    /// Any failure.
    Fail,
}

impl FailureKind {
    /// How the kind is written in the manifest and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Timeout => "timed out",
            FailureKind::Panic => "panicked",
            FailureKind::Todo => "reached a todo!() stub",
            FailureKind::CompileError => "compile error",
            FailureKind::Fail => "failed",
        }
    }
}

/// A hint shown when a check fails in a particular way.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailureHint {
    /// The kind of failure.
    pub on: FailureKind,
    /// Only when the failure output contains this text.
    #[serde(default)]
    pub contains: Option<String>,
    /// The hint.
    pub hint: String,
}

impl FailureHint {
    /// Whether this hint applies to a failure of `kind` with `output`.
    pub fn applies(&self, kind: FailureKind, output: &str) -> bool {
        let kind_matches = self.on == kind
            || self.on == FailureKind::Fail
            // A todo!() is a panic too.
            || (self.on == FailureKind::Panic && kind == FailureKind::Todo);
        kind_matches
            && self
                .contains
                .as_deref()
                .is_none_or(|needle| output.contains(needle))
    }
}

impl Manifest {
    /// Reads and parses the manifest file.
    pub fn load(path: &Path) -> Result<Manifest, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Manifest::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses manifest text.
    pub fn parse(text: &str) -> Result<Manifest, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// The exercises sorted by `order`.
    pub fn ordered(&self) -> Vec<&Exercise> {
        let mut all: Vec<&Exercise> = self.exercises.iter().collect();
        all.sort_by_key(|e| (e.order, e.id.clone()));
        all
    }

    /// The exercise with this id.
    pub fn get(&self, id: &str) -> Option<&Exercise> {
        self.exercises.iter().find(|e| e.id == id)
    }

    /// The valid ids, in order, for error messages.
    pub fn id_list(&self) -> String {
        self.ordered()
            .iter()
            .map(|e| e.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The ids of exercises whose tests may break when `id` is stubbed.
    pub fn users_of(&self, id: &str) -> BTreeSet<String> {
        self.exercises
            .iter()
            .filter(|e| e.tests_use.iter().any(|u| u == id))
            .map(|e| e.id.clone())
            .collect()
    }

    /// Checks the manifest against itself and against the regions found in
    /// the source. Returns every problem found (empty: consistent).
    pub fn lint(&self, regions: &[Region]) -> Vec<String> {
        let mut problems = Vec::new();
        let mut ids = BTreeSet::new();
        let mut orders = BTreeMap::new();
        for e in &self.exercises {
            if !is_valid_id(&e.id) {
                problems.push(format!(
                    "exercise id `{}` is not valid (lowercase letters, digits, `_`)",
                    e.id
                ));
            }
            if !ids.insert(e.id.as_str()) {
                problems.push(format!("exercise id `{}` is used twice", e.id));
            }
            if let Some(other) = orders.insert(e.order, e.id.as_str()) {
                problems.push(format!(
                    "`{}` and `{other}` have the same order {}",
                    e.id, e.order
                ));
            }
            for (field, value) in [
                ("title", &e.title),
                ("concept", &e.concept),
                ("tokio", &e.tokio),
            ] {
                if value.trim().is_empty() {
                    problems.push(format!("`{}` has an empty {field}", e.id));
                }
            }
            if e.tests.is_empty() {
                problems.push(format!("`{}` has no tests", e.id));
            }
            if e.hints.len() < 2 {
                problems.push(format!(
                    "`{}` has {} hint(s); at least 2 are needed (a nudge, the concept, nearly the answer)",
                    e.id,
                    e.hints.len()
                ));
            }
            if e.hints
                .iter()
                .chain(e.failure_hints.iter().map(|h| &h.hint))
                .any(|h| h.trim().is_empty())
            {
                problems.push(format!("`{}` has an empty hint", e.id));
            }
            match (e.expect, &e.compile_error_in) {
                (Expect::CompileError, None) => problems.push(format!(
                    "`{}` expects a compile error but does not say where (`compile_error_in`)",
                    e.id
                )),
                (Expect::Fail, Some(_)) => problems.push(format!(
                    "`{}` has `compile_error_in` but expects its tests to fail",
                    e.id
                )),
                _ => {}
            }
        }
        // References between exercises.
        for e in &self.exercises {
            for (field, list) in [
                ("prerequisites", &e.prerequisites),
                ("tests_use", &e.tests_use),
            ] {
                for other in list {
                    if other == &e.id {
                        problems.push(format!("`{}` lists itself in {field}", e.id));
                    } else if let Some(o) = self.get(other) {
                        if field == "prerequisites" && o.order >= e.order {
                            problems.push(format!(
                                "`{}` (order {}) has prerequisite `{other}` (order {}) that comes later",
                                e.id, e.order, o.order
                            ));
                        }
                    } else {
                        problems.push(format!(
                            "`{}` lists unknown exercise `{other}` in {field}",
                            e.id
                        ));
                    }
                }
            }
        }
        if let Some(cycle) = self.prerequisite_cycle() {
            problems.push(format!(
                "prerequisites form a cycle: {}",
                cycle.join(" -> ")
            ));
        }
        // Regions against entries.
        let mut owned: BTreeMap<&str, usize> = BTreeMap::new();
        for r in regions {
            if self.get(&r.id).is_none() {
                problems.push(format!(
                    "{}: region `{}` has no manifest entry",
                    r.location(),
                    r.id
                ));
            }
            *owned.entry(r.id.as_str()).or_default() += 1;
        }
        for e in &self.exercises {
            if !owned.contains_key(e.id.as_str()) {
                problems.push(format!("`{}` has no region in the source", e.id));
            }
        }
        problems
    }

    /// A cycle in the prerequisite graph, if there is one.
    fn prerequisite_cycle(&self) -> Option<Vec<String>> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Active,
            Done,
        }
        fn visit<'a>(
            m: &'a Manifest,
            id: &'a str,
            marks: &mut BTreeMap<&'a str, Mark>,
            path: &mut Vec<&'a str>,
        ) -> Option<Vec<String>> {
            match marks.get(id).copied().unwrap_or(Mark::New) {
                Mark::Done => return None,
                Mark::Active => {
                    let start = path.iter().position(|p| *p == id).unwrap_or(0);
                    let mut cycle: Vec<String> =
                        path[start..].iter().map(|s| s.to_string()).collect();
                    cycle.push(id.to_string());
                    return Some(cycle);
                }
                Mark::New => {}
            }
            marks.insert(id, Mark::Active);
            path.push(id);
            if let Some(e) = m.get(id) {
                for p in &e.prerequisites {
                    if let Some(cycle) = visit(m, p, marks, path) {
                        return Some(cycle);
                    }
                }
            }
            path.pop();
            marks.insert(id, Mark::Done);
            None
        }
        let mut marks = BTreeMap::new();
        for e in &self.exercises {
            let mut path = Vec::new();
            if let Some(cycle) = visit(self, &e.id, &mut marks, &mut path) {
                return Some(cycle);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markers::parse_file;

    const GOOD: &str = r#"
[settings]
time_limit_secs = 5

[[exercise]]
id = "a"
order = 1
title = "A"
concept = "the first idea"
tokio = "tokio/src/a.rs"
tests = [{ target = "lib", filter = "a::tests::" }]
hints = ["nudge", "concept"]
failure_hints = [{ on = "timeout", hint = "store the waker" }]

[[exercise]]
id = "b"
order = 2
title = "B"
concept = "the second idea"
prerequisites = ["a"]
tests_use = ["a"]
expect = "compile_error"
compile_error_in = "mini_runtime/tests/b.rs"
tokio = "tokio/src/b.rs"
tests = [{ target = "b", filter = "b_", exact = false }]
hints = ["nudge", "concept", "answer"]
"#;

    fn regions(ids: &[&str]) -> Vec<Region> {
        let text: String = ids
            .iter()
            .map(|id| format!("// exercise({id}): begin\nx\n// exercise({id}): end\n"))
            .collect();
        parse_file(Path::new("f.rs"), &text).unwrap()
    }

    #[test]
    fn a_consistent_manifest_has_no_problems() {
        let m = Manifest::parse(GOOD).unwrap();
        assert_eq!(m.lint(&regions(&["a", "b"])), Vec::<String>::new());
        assert_eq!(m.settings.time_limit_secs, 5);
        assert_eq!(m.settings.verify_time_limit_secs, 10);
        assert_eq!(m.id_list(), "a, b");
        assert_eq!(m.users_of("a"), BTreeSet::from(["b".to_string()]));
        let b = m.get("b").unwrap();
        assert_eq!(b.expect, Expect::CompileError);
        assert_eq!(b.tests[0].package, "mini_runtime");
        assert_eq!(
            m.get("a").unwrap().tests[0].cargo_command(),
            "cargo test -p mini_runtime --lib -- a::tests::"
        );
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let e = Manifest::parse(&GOOD.replace("title = \"A\"", "title = \"A\"\ntitel = \"A\""))
            .unwrap_err();
        assert!(e.contains("titel"), "{e}");
    }

    #[test]
    fn lint_finds_every_kind_of_problem() {
        let bad = GOOD
            .replace("id = \"b\"", "id = \"a\"")
            .replace("order = 2", "order = 1");
        let m = Manifest::parse(&bad).unwrap();
        let problems = m.lint(&regions(&["a", "zzz"])).join("\n");
        assert!(
            problems.contains("exercise id `a` is used twice"),
            "{problems}"
        );
        assert!(problems.contains("have the same order 1"), "{problems}");
        assert!(
            problems.contains("lists itself in prerequisites"),
            "{problems}"
        );
        assert!(
            problems.contains("region `zzz` has no manifest entry"),
            "{problems}"
        );
    }

    #[test]
    fn lint_requires_tests_hints_regions_and_known_references() {
        let bad = GOOD
            .replace(
                "tests = [{ target = \"lib\", filter = \"a::tests::\" }]",
                "tests = []",
            )
            .replace("hints = [\"nudge\", \"concept\"]", "hints = [\"only one\"]")
            .replace("tests_use = [\"a\"]", "tests_use = [\"nope\"]");
        let m = Manifest::parse(&bad).unwrap();
        let problems = m.lint(&regions(&["a"])).join("\n");
        assert!(problems.contains("`a` has no tests"), "{problems}");
        assert!(problems.contains("`a` has 1 hint(s)"), "{problems}");
        assert!(
            problems.contains("unknown exercise `nope` in tests_use"),
            "{problems}"
        );
        assert!(
            problems.contains("`b` has no region in the source"),
            "{problems}"
        );
    }

    #[test]
    fn lint_checks_prerequisite_order_and_cycles() {
        let bad = GOOD.replace(
            "concept = \"the first idea\"",
            "concept = \"x\"\nprerequisites = [\"b\"]",
        );
        let m = Manifest::parse(&bad).unwrap();
        let problems = m.lint(&regions(&["a", "b"])).join("\n");
        assert!(
            problems.contains("prerequisite `b` (order 2) that comes later"),
            "{problems}"
        );
        assert!(
            problems.contains("prerequisites form a cycle: a -> b -> a"),
            "{problems}"
        );
    }

    #[test]
    fn lint_checks_compile_error_expectations() {
        let bad = GOOD.replace("compile_error_in = \"mini_runtime/tests/b.rs\"\n", "");
        let problems = Manifest::parse(&bad)
            .unwrap()
            .lint(&regions(&["a", "b"]))
            .join("\n");
        assert!(problems.contains("does not say where"), "{problems}");
    }

    #[test]
    fn failure_hints_match_kind_and_text() {
        let h = FailureHint {
            on: FailureKind::Panic,
            contains: Some("index out of bounds".into()),
            hint: "x".into(),
        };
        assert!(h.applies(FailureKind::Panic, "panicked: index out of bounds"));
        assert!(!h.applies(FailureKind::Panic, "panicked: other"));
        assert!(!h.applies(FailureKind::Timeout, "index out of bounds"));
        let any = FailureHint {
            on: FailureKind::Fail,
            contains: None,
            hint: "x".into(),
        };
        assert!(any.applies(FailureKind::Timeout, ""));
        let panic = FailureHint {
            on: FailureKind::Panic,
            contains: None,
            hint: "x".into(),
        };
        assert!(panic.applies(FailureKind::Todo, "not yet implemented"));
    }

    #[test]
    fn selectors_match_substrings_or_exact_names() {
        let s = TestSelector {
            package: "p".into(),
            target: "lib".into(),
            filter: "tests::a".into(),
            exact: false,
        };
        assert!(s.matches("x::tests::ab"));
        let exact = TestSelector { exact: true, ..s };
        assert!(!exact.matches("x::tests::a"));
        assert!(exact.matches("tests::a"));
    }
}
