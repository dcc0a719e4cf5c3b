//! The summary: criterion's saved estimates (and the memory results) turned
//! into one table of mini/Tokio ratios with a verdict per workload.
//!
//! # Where the numbers come from
//!
//! Criterion saves, for every benchmark it ran, a directory
//! `<target>/criterion/<group>/<function>/<value>/new/` holding
//! `benchmark.json` (whose `full_id` is the benchmark's id, e.g.
//! `rt_mt/ping_pong/mt4/mini`) and `estimates.json` (the mean time per
//! iteration in nanoseconds with its 95 % confidence interval, among other
//! statistics). Directory names are not trusted (criterion replaces `/` in a
//! function name with `_`): the id is read from `benchmark.json`.
//! Memory results come from `<target>/bench-memory.json`
//! ([`crate::memory`]).
//!
//! # Verdicts
//!
//! * Timings: **ahead** only when mini's upper confidence bound is below
//!   Tokio's lower bound; **behind** when mini's lower bound is above
//!   Tokio's upper bound; otherwise **tie** (the intervals overlap).
//! * Memory (bytes per task): there is no confidence interval, so a 5 %
//!   band ([`MEMORY_TIE_BAND`]) decides: **ahead** when mini uses less than
//!   95 % of Tokio's bytes, **behind** above 105 %, else **tie**.
//!
//! Missing data is reported (`missing: <id> (mini)`), never guessed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::memory::{MEMORY_FILE, MemoryReport};

/// The two runtimes, as they appear at the end of every benchmark id.
pub const RUNTIMES: [&str; 2] = ["mini", "tokio"];

/// Relative width of the memory tie band: within ±5 % of Tokio is a tie.
pub const MEMORY_TIE_BAND: f64 = 0.05;

/// Mean time per iteration with its confidence interval, in nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Mean point estimate.
    pub mean: f64,
    /// Lower bound of the confidence interval.
    pub lower: f64,
    /// Upper bound of the confidence interval.
    pub upper: f64,
}

/// How mini_runtime compares with Tokio on one workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// mini is faster (or smaller) beyond the noise.
    Ahead,
    /// The difference is within the noise.
    Tie,
    /// mini is slower (or bigger) beyond the noise.
    Behind,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verdict::Ahead => "ahead",
            Verdict::Tie => "tie",
            Verdict::Behind => "behind",
        })
    }
}

/// The verdict of a timing, from the two confidence intervals.
pub fn timing_verdict(mini: &Estimate, tokio: &Estimate) -> Verdict {
    if mini.upper < tokio.lower {
        Verdict::Ahead
    } else if mini.lower > tokio.upper {
        Verdict::Behind
    } else {
        Verdict::Tie
    }
}

/// The verdict of a memory figure (smaller is better), with the
/// [`MEMORY_TIE_BAND`].
pub fn memory_verdict(mini: f64, tokio: f64) -> Verdict {
    if mini < tokio * (1.0 - MEMORY_TIE_BAND) {
        Verdict::Ahead
    } else if mini > tokio * (1.0 + MEMORY_TIE_BAND) {
        Verdict::Behind
    } else {
        Verdict::Tie
    }
}

/// One row of `bench-summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Workload id without the runtime: `<group>/<workload>[/<variant>]`;
    /// memory rows end in `/bytes` or `/rss`.
    pub id: String,
    /// mini's mean time per iteration in ns (bytes per task for memory rows).
    pub mini_ns: f64,
    /// Tokio's mean time per iteration in ns (bytes per task for memory rows).
    pub tokio_ns: f64,
    /// `mini_ns / tokio_ns`: below 1, mini is faster (smaller).
    pub ratio: f64,
    /// See the module docs.
    pub verdict: Verdict,
}

/// What a row measures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Figure {
    /// Time per iteration, with both confidence intervals.
    Time {
        /// mini's estimate.
        mini: Estimate,
        /// Tokio's estimate.
        tokio: Estimate,
    },
    /// Bytes per task.
    Bytes,
}

/// A row plus what the Markdown table needs to print it.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryRow {
    /// The row as written to JSON.
    pub row: Row,
    /// Timing or memory.
    pub figure: Figure,
}

/// A workload of which one runtime (or both) has no data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Missing {
    /// Workload id without the runtime.
    pub id: String,
    /// The runtimes without data.
    pub runtimes: Vec<&'static str>,
}

impl fmt::Display for Missing {
    /// `missing: rt_ct/spawn_many_local (tokio)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "missing: {} ({})", self.id, self.runtimes.join(", "))
    }
}

/// The whole summary.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// Rows with data for both runtimes, in suite order.
    pub rows: Vec<SummaryRow>,
    /// Workloads lacking data for one runtime or both.
    pub missing: Vec<Missing>,
}

/// A file that exists but cannot be read or parsed.
#[derive(Debug)]
pub struct SummaryError {
    /// The file.
    pub path: PathBuf,
    /// What went wrong.
    pub source: io::Error,
}

impl fmt::Display for SummaryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot read {}: {}", self.path.display(), self.source)
    }
}

impl std::error::Error for SummaryError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

fn invalid(path: &Path, message: impl fmt::Display) -> SummaryError {
    SummaryError {
        path: path.to_path_buf(),
        source: io::Error::new(io::ErrorKind::InvalidData, message.to_string()),
    }
}

fn read_text(path: &Path) -> Result<String, SummaryError> {
    std::fs::read_to_string(path).map_err(|source| SummaryError {
        path: path.to_path_buf(),
        source,
    })
}

#[derive(Deserialize)]
struct EstimatesFile {
    mean: PointEstimate,
}

#[derive(Deserialize)]
struct PointEstimate {
    point_estimate: f64,
    confidence_interval: ConfidenceInterval,
}

#[derive(Deserialize)]
struct ConfidenceInterval {
    lower_bound: f64,
    upper_bound: f64,
}

#[derive(Deserialize)]
struct BenchmarkFile {
    full_id: String,
}

/// Parses criterion's `estimates.json`: the mean and its confidence interval.
pub fn parse_estimates(path: &Path, text: &str) -> Result<Estimate, SummaryError> {
    let file: EstimatesFile = serde_json::from_str(text).map_err(|err| invalid(path, err))?;
    let mean = file.mean;
    let estimate = Estimate {
        mean: mean.point_estimate,
        lower: mean.confidence_interval.lower_bound,
        upper: mean.confidence_interval.upper_bound,
    };
    if !(estimate.mean.is_finite() && estimate.lower.is_finite() && estimate.upper.is_finite()) {
        return Err(invalid(path, "non-finite mean estimate"));
    }
    Ok(estimate)
}

/// Reads every `<criterion_dir>/**/new/{benchmark,estimates}.json`, keyed
/// by criterion's full id (with the runtime suffix). A `new` directory
/// without `estimates.json` (an interrupted run) is skipped; a file that
/// exists but does not parse is an error. Returns an empty map when the
/// directory does not exist.
pub fn read_criterion(criterion_dir: &Path) -> Result<BTreeMap<String, Estimate>, SummaryError> {
    let mut found = BTreeMap::new();
    if !criterion_dir.is_dir() {
        return Ok(found);
    }
    let mut stack = vec![criterion_dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|source| SummaryError {
            path: dir.clone(),
            source,
        })?;
        for entry in entries {
            let entry = entry.map_err(|source| SummaryError {
                path: dir.clone(),
                source,
            })?;
            let path = entry.path();
            if !path.is_dir() {
                continue;
            }
            if entry.file_name() == "new" {
                let estimates = path.join("estimates.json");
                if !estimates.is_file() {
                    continue;
                }
                let id = benchmark_id(criterion_dir, &path)?;
                let estimate = parse_estimates(&estimates, &read_text(&estimates)?)?;
                found.insert(id, estimate);
            } else if entry.file_name() != "report" {
                stack.push(path);
            }
        }
    }
    Ok(found)
}

/// The id of the benchmark whose `new` directory is `new_dir`: criterion's
/// `full_id` from `benchmark.json`, or the directory path when that file is
/// absent.
fn benchmark_id(criterion_dir: &Path, new_dir: &Path) -> Result<String, SummaryError> {
    let file = new_dir.join("benchmark.json");
    if file.is_file() {
        let parsed: BenchmarkFile =
            serde_json::from_str(&read_text(&file)?).map_err(|err| invalid(&file, err))?;
        return Ok(parsed.full_id);
    }
    let dir = new_dir.parent().unwrap_or(new_dir);
    let relative = dir.strip_prefix(criterion_dir).unwrap_or(dir);
    Ok(relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/"))
}

/// Builds the summary from criterion's estimates and the memory report.
///
/// `expected` lists the workload ids of the suite in order (see
/// [`crate::catalog::expected_ids`]); found ids that are not in it (an
/// older suite's, say) are appended in alphabetical order.
pub fn build(
    estimates: &BTreeMap<String, Estimate>,
    memory: Option<&MemoryReport>,
    expected: &[String],
) -> Summary {
    // Timing workloads found on disk (ids ending in /mini or /tokio).
    let mut found_timing = BTreeSet::new();
    for full_id in estimates.keys() {
        if let Some((id, runtime)) = full_id.rsplit_once('/') {
            if RUNTIMES.contains(&runtime) {
                found_timing.insert(id.to_string());
            }
        }
    }
    // Memory rows found in the report.
    let mut memory_figures: BTreeMap<String, [Option<f64>; 2]> = BTreeMap::new();
    if let Some(report) = memory {
        for result in &report.results {
            let Some(side) = RUNTIMES.iter().position(|r| *r == result.runtime) else {
                continue;
            };
            let base = format!("memory/pending_tasks/{}", result.flavor);
            memory_figures.entry(format!("{base}/bytes")).or_default()[side] =
                Some(result.bytes_per_task);
            memory_figures.entry(format!("{base}/rss")).or_default()[side] =
                result.rss_bytes_per_task;
        }
    }

    let mut order: Vec<String> = expected.to_vec();
    let known: BTreeSet<&String> = expected.iter().collect();
    let extra: BTreeSet<String> = found_timing
        .iter()
        .chain(memory_figures.keys())
        .filter(|id| !known.contains(id))
        .cloned()
        .collect();
    order.extend(extra);

    let mut summary = Summary::default();
    for id in order {
        if let Some(figures) = memory_figures.get(&id) {
            match figures {
                [Some(mini), Some(tokio)] => summary.rows.push(SummaryRow {
                    row: Row {
                        id: id.clone(),
                        mini_ns: *mini,
                        tokio_ns: *tokio,
                        ratio: mini / tokio,
                        verdict: memory_verdict(*mini, *tokio),
                    },
                    figure: Figure::Bytes,
                }),
                _ => summary
                    .missing
                    .push(missing(&id, figures.map(|f| f.is_some()))),
            }
            continue;
        }
        let mini = estimates.get(&format!("{id}/mini"));
        let tokio = estimates.get(&format!("{id}/tokio"));
        match (mini, tokio) {
            (Some(mini), Some(tokio)) => summary.rows.push(SummaryRow {
                row: Row {
                    id,
                    mini_ns: mini.mean,
                    tokio_ns: tokio.mean,
                    ratio: mini.mean / tokio.mean,
                    verdict: timing_verdict(mini, tokio),
                },
                figure: Figure::Time {
                    mini: *mini,
                    tokio: *tokio,
                },
            }),
            _ => summary
                .missing
                .push(missing(&id, [mini.is_some(), tokio.is_some()])),
        }
    }
    summary
}

fn missing(id: &str, present: [bool; 2]) -> Missing {
    Missing {
        id: id.to_string(),
        runtimes: RUNTIMES
            .iter()
            .zip(present)
            .filter(|(_, present)| !present)
            .map(|(runtime, _)| *runtime)
            .collect(),
    }
}

/// Reads everything under `target_dir` and builds the summary. `Ok(None)`
/// when there is no data at all (no criterion estimates, no memory report).
pub fn collect(target_dir: &Path, expected: &[String]) -> Result<Option<Summary>, SummaryError> {
    let estimates = read_criterion(&target_dir.join("criterion"))?;
    let memory_path = target_dir.join(MEMORY_FILE);
    let memory = MemoryReport::read(&memory_path).map_err(|source| SummaryError {
        path: memory_path,
        source,
    })?;
    if estimates.is_empty() && memory.as_ref().is_none_or(|m| m.results.is_empty()) {
        return Ok(None);
    }
    Ok(Some(build(&estimates, memory.as_ref(), expected)))
}

/// Formats nanoseconds with three significant digits: `850 ns`, `1.23 µs`,
/// `12.3 ms`, `1.50 s`.
pub fn format_ns(ns: f64) -> String {
    let (value, unit) = if ns < 1e3 {
        (ns, "ns")
    } else if ns < 1e6 {
        (ns / 1e3, "µs")
    } else if ns < 1e9 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    };
    format!("{} {unit}", three_digits(value))
}

fn three_digits(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

fn format_estimate(estimate: &Estimate) -> String {
    let half_width = (estimate.upper - estimate.lower) / 2.0;
    let percent = if estimate.mean > 0.0 {
        100.0 * half_width / estimate.mean
    } else {
        0.0
    };
    format!("{} ±{percent:.1}%", format_ns(estimate.mean))
}

/// Splits an id into the table's "workload" (group and first name) and
/// "variant" (the rest, `-` if none).
pub fn split_id(id: &str) -> (String, String) {
    let parts: Vec<&str> = id.split('/').collect();
    if parts.len() <= 2 {
        return (id.to_string(), "-".to_string());
    }
    (parts[..2].join("/"), parts[2..].join("/"))
}

/// The summary as a Markdown document: an explanation, the table, and the
/// missing list.
pub fn render_markdown(summary: &Summary) -> String {
    let mut out = String::new();
    out.push_str("# Benchmark summary: mini_runtime vs Tokio\n\n");
    out.push_str(
        "Times are criterion's mean per iteration, ± the half-width of its 95 % confidence \
         interval. `mini/tokio` below 1 means mini_runtime is faster. Verdict: `ahead` only \
         when mini's upper bound is below Tokio's lower bound, `behind` in the mirror case, \
         else `tie`. Memory rows (`memory/...`) are bytes per pending task (`bytes`: peak \
         heap counted by an allocator; `rss`: peak resident set), without an interval: \
         `ahead`/`behind` beyond a 5 % band.\n\n",
    );
    out.push_str("| workload | variant | mini | tokio | mini/tokio | verdict |\n");
    out.push_str("|---|---|---:|---:|---:|---|\n");
    for SummaryRow { row, figure } in &summary.rows {
        let (workload, variant) = split_id(&row.id);
        let (mini, tokio) = match figure {
            Figure::Time { mini, tokio } => (format_estimate(mini), format_estimate(tokio)),
            Figure::Bytes => (
                format!("{:.0} B", row.mini_ns),
                format!("{:.0} B", row.tokio_ns),
            ),
        };
        out.push_str(&format!(
            "| {workload} | {variant} | {mini} | {tokio} | {:.2} | {} |\n",
            row.ratio, row.verdict
        ));
    }
    let count = |v: Verdict| summary.rows.iter().filter(|r| r.row.verdict == v).count();
    out.push_str(&format!(
        "\n{} rows: {} ahead, {} tie, {} behind.\n",
        summary.rows.len(),
        count(Verdict::Ahead),
        count(Verdict::Tie),
        count(Verdict::Behind)
    ));
    if !summary.missing.is_empty() {
        out.push_str("\nNo data (run the benchmark, or the whole suite, to fill in):\n\n");
        for missing in &summary.missing {
            out.push_str(&format!("- {missing}\n"));
        }
    }
    out
}

/// The rows as the JSON array of `bench-summary.json`.
pub fn render_json(summary: &Summary) -> String {
    let rows: Vec<&Row> = summary.rows.iter().map(|r| &r.row).collect();
    serde_json::to_string_pretty(&rows).expect("rows serialize") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::MemoryResult;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A fresh, empty directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new() -> TempDir {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let path = std::env::temp_dir().join(format!(
                "benches-summary-test-{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            ));
            let _ = std::fs::remove_dir_all(&path);
            std::fs::create_dir_all(&path).unwrap();
            TempDir(path)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Writes a benchmark the way criterion lays it out (directory names
    /// made filename-safe, the real id in benchmark.json).
    fn write_bench(target: &Path, full_id: &str, mean: f64, lower: f64, upper: f64) {
        let (function, runtime) = full_id.rsplit_once('/').unwrap();
        let (group, function) = function.split_once('/').unwrap();
        let dir = target
            .join("criterion")
            .join(group)
            .join(function.replace('/', "_"))
            .join(runtime)
            .join("new");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("benchmark.json"),
            format!(
                r#"{{"group_id":"{group}","function_id":"{function}","value_str":"{runtime}","throughput":null,"full_id":"{full_id}","directory_name":"x","title":"{full_id}"}}"#
            ),
        )
        .unwrap();
        std::fs::write(
            dir.join("estimates.json"),
            format!(
                r#"{{"mean":{{"confidence_interval":{{"confidence_level":0.95,"lower_bound":{lower},"upper_bound":{upper}}},"point_estimate":{mean},"standard_error":1.0}},"median":{{"confidence_interval":{{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0}},"point_estimate":1.5,"standard_error":0.1}},"median_abs_dev":null,"slope":null,"std_dev":null}}"#
            ),
        )
        .unwrap();
    }

    fn est(mean: f64, lower: f64, upper: f64) -> Estimate {
        Estimate { mean, lower, upper }
    }

    #[test]
    fn timing_verdicts_need_disjoint_intervals() {
        let tokio = est(100.0, 95.0, 105.0);
        assert_eq!(
            timing_verdict(&est(80.0, 78.0, 94.9), &tokio),
            Verdict::Ahead
        );
        assert_eq!(timing_verdict(&est(80.0, 78.0, 95.0), &tokio), Verdict::Tie);
        assert_eq!(
            timing_verdict(&est(100.0, 90.0, 110.0), &tokio),
            Verdict::Tie
        );
        assert_eq!(
            timing_verdict(&est(120.0, 105.0, 130.0), &tokio),
            Verdict::Tie
        );
        assert_eq!(
            timing_verdict(&est(120.0, 105.1, 130.0), &tokio),
            Verdict::Behind
        );
    }

    #[test]
    fn memory_verdicts_use_a_five_percent_band() {
        assert_eq!(memory_verdict(94.0, 100.0), Verdict::Ahead);
        assert_eq!(memory_verdict(96.0, 100.0), Verdict::Tie);
        assert_eq!(memory_verdict(104.0, 100.0), Verdict::Tie);
        assert_eq!(memory_verdict(106.0, 100.0), Verdict::Behind);
    }

    #[test]
    fn reads_a_fake_criterion_directory() {
        let dir = TempDir::new();
        write_bench(&dir.0, "rt_ct/spawn_many_local/mini", 50.0, 45.0, 55.0);
        write_bench(&dir.0, "rt_ct/spawn_many_local/tokio", 100.0, 90.0, 110.0);
        write_bench(&dir.0, "rt_mt/ping_pong/mt4/mini", 300.0, 290.0, 310.0);
        write_bench(&dir.0, "rt_mt/ping_pong/mt4/tokio", 200.0, 190.0, 210.0);
        write_bench(&dir.0, "rt_ct/spawn_many_remote_idle/mini", 10.0, 9.0, 11.0);
        // A base/ directory (previous run) must be ignored.
        let base = dir.0.join("criterion/rt_ct/spawn_many_local/mini/base");
        std::fs::create_dir_all(&base).unwrap();
        std::fs::write(base.join("estimates.json"), "not json").unwrap();
        // criterion's report directories hold no data.
        std::fs::create_dir_all(dir.0.join("criterion/report")).unwrap();

        let expected: Vec<String> = [
            "rt_ct/spawn_many_local",
            "rt_ct/spawn_many_remote_idle",
            "rt_ct/spawn_many_remote_busy",
            "rt_mt/ping_pong/mt4",
        ]
        .map(String::from)
        .to_vec();
        let summary = collect(&dir.0, &expected).unwrap().unwrap();

        let ids: Vec<&str> = summary.rows.iter().map(|r| r.row.id.as_str()).collect();
        assert_eq!(ids, ["rt_ct/spawn_many_local", "rt_mt/ping_pong/mt4"]);
        let first = &summary.rows[0].row;
        assert_eq!(
            (first.mini_ns, first.tokio_ns, first.ratio),
            (50.0, 100.0, 0.5)
        );
        assert_eq!(first.verdict, Verdict::Ahead);
        assert_eq!(summary.rows[1].row.verdict, Verdict::Behind);
        assert_eq!(summary.rows[1].row.ratio, 1.5);

        let missing: Vec<String> = summary.missing.iter().map(ToString::to_string).collect();
        assert_eq!(
            missing,
            [
                "missing: rt_ct/spawn_many_remote_idle (tokio)",
                "missing: rt_ct/spawn_many_remote_busy (mini, tokio)",
            ]
        );

        let json: Vec<Row> = serde_json::from_str(&render_json(&summary)).unwrap();
        assert_eq!(json.len(), 2);
        let value: serde_json::Value = serde_json::from_str(&render_json(&summary)).unwrap();
        assert_eq!(value[0]["verdict"], "ahead");
        assert_eq!(value[0]["id"], "rt_ct/spawn_many_local");
        assert_eq!(value[1]["mini_ns"], 300.0);

        let markdown = render_markdown(&summary);
        assert!(
            markdown.contains(
                "| rt_mt/ping_pong | mt4 | 300 ns ±3.3% | 200 ns ±5.0% | 1.50 | behind |"
            )
        );
        assert!(markdown.contains("- missing: rt_ct/spawn_many_remote_idle (tokio)"));
    }

    #[test]
    fn unknown_ids_are_appended_and_other_suffixes_ignored() {
        let dir = TempDir::new();
        write_bench(&dir.0, "zeta/old/mini", 1.0, 1.0, 1.0);
        write_bench(&dir.0, "zeta/old/tokio", 2.0, 2.0, 2.0);
        write_bench(&dir.0, "alpha/unrelated/other", 1.0, 1.0, 1.0);
        let summary = collect(&dir.0, &["rt_ct/spawn_many_local".to_string()])
            .unwrap()
            .unwrap();
        assert_eq!(summary.rows.len(), 1);
        assert_eq!(summary.rows[0].row.id, "zeta/old");
        assert_eq!(summary.missing.len(), 1);
    }

    #[test]
    fn memory_rows_come_from_the_report() {
        let dir = TempDir::new();
        let result = |runtime: &str, bytes: f64, rss: Option<f64>| MemoryResult {
            flavor: "ct".into(),
            runtime: runtime.into(),
            tasks: 100_000,
            peak_bytes: (bytes * 100_000.0) as u64,
            bytes_per_task: bytes,
            retained_bytes_per_task: bytes,
            rss_bytes: rss.map(|r| (r * 100_000.0) as u64),
            rss_bytes_per_task: rss,
        };
        let report = MemoryReport {
            results: vec![
                result("mini", 150.0, None),
                result("tokio", 200.0, Some(250.0)),
            ],
        };
        report.write(&dir.0.join(MEMORY_FILE)).unwrap();
        let expected = [
            "memory/pending_tasks/ct/bytes",
            "memory/pending_tasks/ct/rss",
        ]
        .map(String::from)
        .to_vec();
        let summary = collect(&dir.0, &expected).unwrap().unwrap();
        assert_eq!(summary.rows.len(), 1);
        let row = &summary.rows[0].row;
        assert_eq!(row.id, "memory/pending_tasks/ct/bytes");
        assert_eq!((row.mini_ns, row.tokio_ns, row.ratio), (150.0, 200.0, 0.75));
        assert_eq!(row.verdict, Verdict::Ahead);
        assert_eq!(
            summary.missing[0].to_string(),
            "missing: memory/pending_tasks/ct/rss (mini)"
        );
        assert!(
            render_markdown(&summary)
                .contains("| memory/pending_tasks | ct/bytes | 150 B | 200 B | 0.75 | ahead |")
        );
    }

    #[test]
    fn no_data_at_all_is_none() {
        let dir = TempDir::new();
        assert!(collect(&dir.0, &[]).unwrap().is_none());
        std::fs::create_dir_all(dir.0.join("criterion/report")).unwrap();
        assert!(collect(&dir.0, &[]).unwrap().is_none());
    }

    #[test]
    fn unreadable_files_are_errors() {
        let dir = TempDir::new();
        write_bench(&dir.0, "rt_ct/spawn_many_local/mini", 1.0, 1.0, 1.0);
        let estimates = dir
            .0
            .join("criterion/rt_ct/spawn_many_local/mini/new/estimates.json");
        std::fs::write(&estimates, r#"{"mean": {"point_estimate": "fast"}}"#).unwrap();
        let err = collect(&dir.0, &[]).unwrap_err();
        assert_eq!(err.path, estimates);
        assert!(err.to_string().starts_with("cannot read "), "{err}");

        let dir = TempDir::new();
        std::fs::write(dir.0.join(MEMORY_FILE), "[").unwrap();
        assert_eq!(
            collect(&dir.0, &[]).unwrap_err().path,
            dir.0.join(MEMORY_FILE)
        );
    }

    #[test]
    fn formatting() {
        assert_eq!(format_ns(850.0), "850 ns");
        assert_eq!(format_ns(1_234.0), "1.23 µs");
        assert_eq!(format_ns(12_345_678.0), "12.3 ms");
        assert_eq!(format_ns(1.5e9), "1.50 s");
        assert_eq!(
            split_id("rt_mt/ping_pong/mt4/native"),
            ("rt_mt/ping_pong".to_string(), "mt4/native".to_string())
        );
        assert_eq!(
            split_id("rt_ct/spawn_many_local"),
            ("rt_ct/spawn_many_local".to_string(), "-".to_string())
        );
    }
}
