//! What one run measures ([`RunRecord`]) and what the report shows per
//! lesson and flavour ([`Cell`]: the median of `--repeat` runs).

use std::collections::BTreeMap;

use demos::Flavor;
use demos::rt::Metrics;
use serde::{Deserialize, Serialize};

/// Whether a lesson's invariant held.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The lesson ran and its invariant held.
    Held,
    /// The lesson ran and its invariant did not hold.
    Failed,
    /// The lesson could not run (error, panic, crash or timeout).
    Error,
}

impl Verdict {
    /// Short label for tables: `ok`, `FAIL`, `ERROR`.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Held => "ok",
            Verdict::Failed => "FAIL",
            Verdict::Error => "ERROR",
        }
    }
}

/// Scheduler counters of the runtimes a lesson built, summed over the
/// runtimes (a lesson may build more than one). `None` where the runtime
/// does not count it (Tokio's stable metrics have no poll or steal
/// counts).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// Runtimes the lesson built and the tool observed.
    pub runtimes: usize,
    /// Worker threads (summed over runtimes).
    pub workers: usize,
    /// Tasks spawned.
    pub spawned: Option<u64>,
    /// Task polls, all workers.
    pub polls: Option<u64>,
    /// Tasks stolen, all workers.
    pub steals: Option<u64>,
    /// Worker parks (sleeps), all workers.
    pub parks: Option<u64>,
    /// Polls per worker (workers of every runtime, in order).
    pub polls_per_worker: Vec<u64>,
}

impl Counts {
    /// Sums the metrics of each runtime; `None` if there were none.
    pub fn from_metrics(metrics: &[Metrics]) -> Option<Counts> {
        if metrics.is_empty() {
            return None;
        }
        fn sum(values: impl Iterator<Item = Option<u64>>) -> Option<u64> {
            values.sum()
        }
        Some(Counts {
            runtimes: metrics.len(),
            workers: metrics.iter().map(|m| m.num_workers).sum(),
            spawned: sum(metrics.iter().map(|m| m.spawned_tasks_count)),
            polls: sum(metrics.iter().map(Metrics::total_poll_count)),
            steals: sum(metrics.iter().map(Metrics::total_steal_count)),
            parks: sum(metrics.iter().map(Metrics::total_park_count)),
            polls_per_worker: metrics
                .iter()
                .flat_map(|m| m.worker_poll_count.clone().unwrap_or_default())
                .collect(),
        })
    }
}

/// One run of one lesson on one flavour, in its own process.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Lesson name.
    pub lesson: String,
    /// Lesson number.
    pub number: u32,
    /// Flavour it ran on.
    pub flavor: Flavor,
    /// Whether the invariant held.
    pub verdict: Verdict,
    /// What held, or what failed and why.
    pub message: String,
    /// The lesson's wall time (runtime start and shutdown included), ms.
    pub wall_ms: f64,
    /// Wall time of the whole child process as the parent saw it, ms.
    pub process_wall_ms: Option<f64>,
    /// User + system CPU time of the child process, ms.
    pub cpu_ms: Option<f64>,
    /// Peak resident set of the child process, kB.
    pub peak_rss_kb: Option<u64>,
    /// The lesson's numeric figures ("blocking_ms", "primes", ...).
    pub figures: BTreeMap<String, f64>,
    /// Scheduler counters, when the lesson built its runtime through the
    /// demos context.
    pub counts: Option<Counts>,
}

impl RunRecord {
    /// A record for a run that produced no report (crash, timeout, error).
    pub fn error(lesson: &str, number: u32, flavor: Flavor, message: String) -> RunRecord {
        RunRecord {
            lesson: lesson.to_string(),
            number,
            flavor,
            verdict: Verdict::Error,
            message,
            wall_ms: 0.0,
            process_wall_ms: None,
            cpu_ms: None,
            peak_rss_kb: None,
            figures: BTreeMap::new(),
            counts: None,
        }
    }
}

/// The numeric figures of a report (numbers only; booleans, strings and
/// lists are left out).
pub fn numeric_figures(figures: &BTreeMap<String, serde_json::Value>) -> BTreeMap<String, f64> {
    figures
        .iter()
        .filter_map(|(k, v)| v.as_f64().map(|x| (k.clone(), x)))
        .collect()
}

/// The median of `values` (the mean of the two middle values for an even
/// count); `None` when empty.
pub fn median(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = values.into_iter().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    })
}

/// One lesson on one flavour: the medians of its runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// Lesson name.
    pub lesson: String,
    /// Lesson number.
    pub number: u32,
    /// Flavour.
    pub flavor: Flavor,
    /// Runs made.
    pub runs: usize,
    /// Runs whose invariant held.
    pub held: usize,
    /// The worst verdict of the runs (an error beats a failure).
    pub verdict: Verdict,
    /// The message of the first run with the worst verdict (or what held).
    pub message: String,
    /// Median lesson wall time, ms.
    pub wall_ms: Option<f64>,
    /// Median process wall time, ms.
    pub process_wall_ms: Option<f64>,
    /// Median CPU time, ms.
    pub cpu_ms: Option<f64>,
    /// Median peak RSS, kB.
    pub peak_rss_kb: Option<f64>,
    /// Median of each numeric figure.
    pub figures: BTreeMap<String, f64>,
    /// Median of each scheduler counter.
    pub polls: Option<f64>,
    /// Median tasks stolen.
    pub steals: Option<f64>,
    /// Median worker parks.
    pub parks: Option<f64>,
    /// Median tasks spawned.
    pub spawned: Option<f64>,
}

impl Cell {
    /// Combines the runs of one lesson on one flavour (all `runs` must be
    /// of the same lesson and flavour, and there must be at least one).
    ///
    /// # Panics
    ///
    /// If `runs` is empty.
    pub fn from_runs(runs: &[RunRecord]) -> Cell {
        let first = runs.first().expect("a cell needs at least one run");
        let worst = runs
            .iter()
            .max_by_key(|r| match r.verdict {
                Verdict::Held => 0,
                Verdict::Failed => 1,
                Verdict::Error => 2,
            })
            .unwrap_or(first);
        // Only runs that produced a report have meaningful timings.
        let measured: Vec<&RunRecord> = runs
            .iter()
            .filter(|r| r.verdict != Verdict::Error)
            .collect();
        let mut keys: Vec<&String> = measured.iter().flat_map(|r| r.figures.keys()).collect();
        keys.sort();
        keys.dedup();
        let figures = keys
            .into_iter()
            .filter_map(|k| {
                median(measured.iter().filter_map(|r| r.figures.get(k).copied()))
                    .map(|m| (k.clone(), m))
            })
            .collect();
        let count = |f: fn(&Counts) -> Option<u64>| {
            median(
                measured
                    .iter()
                    .filter_map(|r| r.counts.as_ref().and_then(f))
                    .map(|n| n as f64),
            )
        };
        Cell {
            lesson: first.lesson.clone(),
            number: first.number,
            flavor: first.flavor,
            runs: runs.len(),
            held: runs.iter().filter(|r| r.verdict == Verdict::Held).count(),
            verdict: worst.verdict,
            message: worst.message.clone(),
            wall_ms: median(measured.iter().map(|r| r.wall_ms)),
            process_wall_ms: median(measured.iter().filter_map(|r| r.process_wall_ms)),
            cpu_ms: median(measured.iter().filter_map(|r| r.cpu_ms)),
            peak_rss_kb: median(
                measured
                    .iter()
                    .filter_map(|r| r.peak_rss_kb)
                    .map(|k| k as f64),
            ),
            figures,
            polls: count(|c| c.polls),
            steals: count(|c| c.steals),
            parks: count(|c| c.parks),
            spawned: count(|c| c.spawned),
        }
    }
}

/// Groups runs by (lesson number, flavour) and combines each group into a
/// [`Cell`], ordered by lesson number then flavour.
pub fn cells(runs: &[RunRecord]) -> Vec<Cell> {
    let mut groups: BTreeMap<(u32, Flavor), Vec<RunRecord>> = BTreeMap::new();
    for r in runs {
        groups
            .entry((r.number, r.flavor))
            .or_default()
            .push(r.clone());
    }
    groups.values().map(|g| Cell::from_runs(g)).collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A synthetic run record.
    pub(crate) fn record(number: u32, lesson: &str, flavor: Flavor, wall_ms: f64) -> RunRecord {
        RunRecord {
            lesson: lesson.to_string(),
            number,
            flavor,
            verdict: Verdict::Held,
            message: "held".to_string(),
            wall_ms,
            process_wall_ms: Some(wall_ms + 2.0),
            cpu_ms: Some(wall_ms / 2.0),
            peak_rss_kb: Some(4096),
            figures: BTreeMap::from([("blocking_ms".to_string(), wall_ms * 2.0)]),
            counts: flavor.is_mini().then(|| Counts {
                runtimes: 1,
                workers: 1,
                spawned: Some(2),
                polls: Some(10),
                steals: Some(0),
                parks: Some(3),
                polls_per_worker: vec![10],
            }),
        }
    }

    #[test]
    fn median_of_odd_even_and_empty() {
        crate::testutil::watchdog(10, || {
            assert_eq!(median([3.0, 1.0, 2.0]), Some(2.0));
            assert_eq!(median([4.0, 1.0, 3.0, 2.0]), Some(2.5));
            assert_eq!(median([7.0]), Some(7.0));
            assert_eq!(median(std::iter::empty()), None);
        });
    }

    #[test]
    fn repeats_are_combined_into_medians() {
        crate::testutil::watchdog(10, || {
            let runs: Vec<RunRecord> = [30.0, 10.0, 20.0]
                .into_iter()
                .map(|ms| record(8, "blocking_mistake", Flavor::MiniMt, ms))
                .collect();
            let all = cells(&runs);
            assert_eq!(all.len(), 1);
            let cell = &all[0];
            assert_eq!(cell.runs, 3);
            assert_eq!(cell.held, 3);
            assert_eq!(cell.verdict, Verdict::Held);
            assert_eq!(cell.wall_ms, Some(20.0));
            assert_eq!(cell.cpu_ms, Some(10.0));
            assert_eq!(cell.figures.get("blocking_ms"), Some(&40.0));
            assert_eq!(cell.polls, Some(10.0));
        });
    }

    #[test]
    fn one_failed_repeat_fails_the_cell_and_errors_are_not_timed() {
        crate::testutil::watchdog(10, || {
            let mut runs = vec![
                record(5, "spawn", Flavor::TokioCt, 10.0),
                record(5, "spawn", Flavor::TokioCt, 12.0),
                RunRecord::error("spawn", 5, Flavor::TokioCt, "timed out".into()),
            ];
            runs[1].verdict = Verdict::Failed;
            runs[1].message = "tick out of order".into();
            let cell = Cell::from_runs(&runs);
            assert_eq!(cell.verdict, Verdict::Error);
            assert_eq!(cell.message, "timed out");
            assert_eq!(cell.held, 1);
            assert_eq!(cell.wall_ms, Some(11.0));
            assert_eq!(cell.polls, None);
        });
    }

    #[test]
    fn counts_sum_over_runtimes() {
        crate::testutil::watchdog(10, || {
            let m = |polls: Vec<u64>| Metrics {
                num_workers: polls.len(),
                worker_poll_count: Some(polls.clone()),
                worker_steal_count: Some(vec![1; polls.len()]),
                worker_park_count: Some(vec![2; polls.len()]),
                spawned_tasks_count: Some(5),
                ..Metrics::default()
            };
            let c = Counts::from_metrics(&[m(vec![1, 2]), m(vec![3])]).unwrap();
            assert_eq!(c.runtimes, 2);
            assert_eq!(c.workers, 3);
            assert_eq!(c.polls, Some(6));
            assert_eq!(c.steals, Some(3));
            assert_eq!(c.parks, Some(6));
            assert_eq!(c.spawned, Some(10));
            assert_eq!(c.polls_per_worker, vec![1, 2, 3]);
            let tokio = Metrics {
                num_workers: 1,
                worker_park_count: Some(vec![4]),
                ..Metrics::default()
            };
            let c = Counts::from_metrics(&[tokio]).unwrap();
            assert_eq!((c.polls, c.parks), (None, Some(4)));
            assert!(Counts::from_metrics(&[]).is_none());
        });
    }
}
