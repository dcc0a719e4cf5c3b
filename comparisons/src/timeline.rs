//! Scheduler timelines: which thread polled which task, and when.
//!
//! A child process that runs a mini_runtime lesson with tracing on turns
//! mini_runtime's [`Trace`] into a
//! [`TimelineTrace`] (the same events, serialisable) and sends it to the
//! parent, which draws it ([`timeline_svg`]) and writes the Chrome
//! trace-event JSON next to the report ([`TimelineTrace::to_chrome_json`],
//! which is mini_runtime's own exporter) for Perfetto.

use std::collections::BTreeMap;

use mini_runtime::trace::{Event, EventKind, Trace};
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

/// A recorded trace in a form that survives JSON.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TimelineTrace {
    /// Thread names, indexed by [`TraceEvent::thread`].
    pub threads: Vec<String>,
    /// Events that did not fit in the trace buffer.
    pub dropped: u64,
    /// Events in the order they were recorded.
    pub events: Vec<TraceEvent>,
}

/// One trace event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceEvent {
    /// Nanoseconds since the trace started (start of the interval for
    /// polls, parks and blocking jobs).
    pub at_ns: u64,
    /// Index into [`TimelineTrace::threads`].
    pub thread: usize,
    /// What happened.
    pub kind: TraceKind,
}

/// What happened (mirrors [`EventKind`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "k", rename_all = "snake_case")]
pub enum TraceKind {
    /// A task was spawned.
    Spawn {
        /// Task id.
        task: u64,
    },
    /// A task was polled.
    Poll {
        /// Task id.
        task: u64,
        /// Duration of the poll.
        dur_ns: u64,
    },
    /// A waker queued a task.
    Wake {
        /// Task id.
        task: u64,
    },
    /// This thread stole tasks from worker `from`.
    Steal {
        /// Victim worker index.
        from: usize,
        /// Tasks taken.
        count: usize,
    },
    /// The thread slept.
    Park {
        /// How long.
        dur_ns: u64,
    },
    /// The timer driver fired timers.
    TimerFire {
        /// Timers fired.
        count: usize,
    },
    /// A blocking-pool job ran.
    Blocking {
        /// Task id of the job.
        task: u64,
        /// How long it ran.
        dur_ns: u64,
    },
}

impl From<&Trace> for TimelineTrace {
    fn from(trace: &Trace) -> TimelineTrace {
        let kind = |k: EventKind| match k {
            EventKind::Spawn { task } => TraceKind::Spawn { task },
            EventKind::Poll { task, duration_ns } => TraceKind::Poll {
                task,
                dur_ns: duration_ns,
            },
            EventKind::Wake { task } => TraceKind::Wake { task },
            EventKind::Steal { from, count } => TraceKind::Steal { from, count },
            EventKind::Park { duration_ns } => TraceKind::Park {
                dur_ns: duration_ns,
            },
            EventKind::TimerFire { count } => TraceKind::TimerFire { count },
            EventKind::Blocking { task, duration_ns } => TraceKind::Blocking {
                task,
                dur_ns: duration_ns,
            },
        };
        TimelineTrace {
            threads: trace.threads.clone(),
            dropped: trace.dropped,
            events: trace
                .events
                .iter()
                .map(|e| TraceEvent {
                    at_ns: e.at_ns,
                    thread: e.thread,
                    kind: kind(e.kind),
                })
                .collect(),
        }
    }
}

/// Per-thread totals of a trace.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ThreadSummary {
    /// Thread name.
    pub name: String,
    /// Polls on this thread.
    pub polls: u64,
    /// Time spent polling, ns.
    pub poll_ns: u64,
    /// Times this thread parked.
    pub parks: u64,
    /// Time parked, ns.
    pub park_ns: u64,
    /// Tasks this thread stole.
    pub stolen: u64,
    /// Blocking jobs this thread ran.
    pub blocking_jobs: u64,
    /// Time running blocking jobs, ns.
    pub blocking_ns: u64,
    /// Distinct tasks this thread polled.
    pub tasks: usize,
}

impl TimelineTrace {
    /// Back to mini_runtime's type (for its exporter).
    pub fn to_mini(&self) -> Trace {
        let kind = |k: TraceKind| match k {
            TraceKind::Spawn { task } => EventKind::Spawn { task },
            TraceKind::Poll { task, dur_ns } => EventKind::Poll {
                task,
                duration_ns: dur_ns,
            },
            TraceKind::Wake { task } => EventKind::Wake { task },
            TraceKind::Steal { from, count } => EventKind::Steal { from, count },
            TraceKind::Park { dur_ns } => EventKind::Park {
                duration_ns: dur_ns,
            },
            TraceKind::TimerFire { count } => EventKind::TimerFire { count },
            TraceKind::Blocking { task, dur_ns } => EventKind::Blocking {
                task,
                duration_ns: dur_ns,
            },
        };
        Trace {
            events: self
                .events
                .iter()
                .map(|e| Event {
                    at_ns: e.at_ns,
                    thread: e.thread,
                    kind: kind(e.kind),
                })
                .collect(),
            threads: self.threads.clone(),
            dropped: self.dropped,
        }
    }

    /// The trace in Chrome's trace-event JSON (opens in Perfetto), written
    /// by mini_runtime's exporter.
    pub fn to_chrome_json(&self) -> String {
        self.to_mini().to_chrome_json()
    }

    /// Time of the last thing that happened, ns.
    pub fn span_ns(&self) -> u64 {
        self.events
            .iter()
            .map(|e| e.at_ns + e.kind.duration_ns())
            .max()
            .unwrap_or(0)
    }

    /// Distinct tasks that were polled or ran on the blocking pool.
    pub fn tasks(&self) -> usize {
        let mut tasks: Vec<u64> = self
            .events
            .iter()
            .filter_map(|e| match e.kind {
                TraceKind::Poll { task, .. } | TraceKind::Blocking { task, .. } => Some(task),
                _ => None,
            })
            .collect();
        tasks.sort_unstable();
        tasks.dedup();
        tasks.len()
    }

    /// Totals per thread, in thread order.
    pub fn summary(&self) -> Vec<ThreadSummary> {
        let mut out: Vec<ThreadSummary> = self
            .threads
            .iter()
            .map(|name| ThreadSummary {
                name: name.clone(),
                ..ThreadSummary::default()
            })
            .collect();
        let mut tasks: Vec<Vec<u64>> = vec![Vec::new(); self.threads.len()];
        for e in &self.events {
            let Some(s) = out.get_mut(e.thread) else {
                continue;
            };
            match e.kind {
                TraceKind::Poll { task, dur_ns } => {
                    s.polls += 1;
                    s.poll_ns += dur_ns;
                    tasks[e.thread].push(task);
                }
                TraceKind::Park { dur_ns } => {
                    s.parks += 1;
                    s.park_ns += dur_ns;
                }
                TraceKind::Steal { count, .. } => s.stolen += count as u64,
                TraceKind::Blocking { dur_ns, .. } => {
                    s.blocking_jobs += 1;
                    s.blocking_ns += dur_ns;
                }
                _ => {}
            }
        }
        for (s, mut t) in out.iter_mut().zip(tasks) {
            t.sort_unstable();
            t.dedup();
            s.tasks = t.len();
        }
        out
    }
}

impl TraceKind {
    /// Length of an interval event, 0 for instant events.
    pub fn duration_ns(self) -> u64 {
        match self {
            TraceKind::Poll { dur_ns, .. }
            | TraceKind::Park { dur_ns }
            | TraceKind::Blocking { dur_ns, .. } => dur_ns,
            _ => 0,
        }
    }
}

/// Colours of tasks (a task's colour is `TASK_PALETTE[id % len]`); none is
/// grey (parks) or red (steals).
pub const TASK_PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
    RGBColor(174, 199, 232),
    RGBColor(152, 223, 138),
];

/// The colour of a task.
pub fn task_color(task: u64) -> RGBColor {
    TASK_PALETTE[(task % TASK_PALETTE.len() as u64) as usize]
}

const PARK_COLOR: RGBColor = RGBColor(200, 200, 200);
const STEAL_COLOR: RGBColor = RGBColor(214, 39, 40);
const TIMER_COLOR: RGBColor = RGBColor(60, 60, 60);
/// Most bars one timeline draws; denser traces merge neighbouring bars.
const MAX_BARS: usize = 20_000;
const WIDTH: u32 = 1300;
const ROW_HEIGHT: u32 = 44;

/// One bar to draw: a row, an interval in ms, a colour key.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Bar {
    row: usize,
    start: f64,
    end: f64,
    /// Task id (polls and blocking jobs), or `None` for parks.
    task: Option<u64>,
    blocking: bool,
}

/// Merges bars of the same row and kind that are closer than `gap` (ms)
/// and, if `same_task`, of the same task; widens every bar to at least
/// `min_width`. Input must be sorted by (row, kind, start).
fn merge(bars: Vec<Bar>, gap: f64, min_width: f64, same_task: bool) -> Vec<Bar> {
    let mut out: Vec<Bar> = Vec::with_capacity(bars.len());
    for mut b in bars {
        if b.end - b.start < min_width {
            b.end = b.start + min_width;
        }
        match out.last_mut() {
            Some(last)
                if last.row == b.row
                    && last.blocking == b.blocking
                    && last.task.is_some() == b.task.is_some()
                    && (!same_task || last.task == b.task)
                    && b.start - last.end <= gap =>
            {
                last.end = last.end.max(b.end);
            }
            _ => out.push(b),
        }
    }
    out
}

/// Which threads get a row, in order, and their labels: every thread that
/// polled, parked, stole, fired timers or ran a blocking job.
fn rows(trace: &TimelineTrace) -> Vec<(usize, String)> {
    let summary = trace.summary();
    let mut seen = vec![false; trace.threads.len()];
    for e in &trace.events {
        if matches!(e.kind, TraceKind::Spawn { .. } | TraceKind::Wake { .. }) {
            continue;
        }
        if let Some(s) = seen.get_mut(e.thread) {
            *s = true;
        }
    }
    summary
        .iter()
        .enumerate()
        .filter(|(i, _)| seen[*i])
        .map(|(i, s)| {
            let mut name = s.name.clone();
            if name.chars().count() > 22 {
                name = name.chars().take(21).collect::<String>() + "…";
            }
            let what = if s.blocking_jobs > 0 && s.polls == 0 {
                format!("{} blocking", s.blocking_jobs)
            } else {
                format!("{} polls", s.polls)
            };
            (i, format!("#{i} {name} ({what})"))
        })
        .collect()
}

/// Draws a trace: one row per thread, polls as bars coloured by task id,
/// blocking jobs as outlined bars, parks as thin grey bars, steals as red
/// triangles and timer fires as dark dots above the row. Returns the SVG
/// document.
///
/// # Errors
///
/// A message if plotters fails to draw.
pub fn timeline_svg(trace: &TimelineTrace, title: &str) -> Result<String, String> {
    let rows = rows(trace);
    let height = 130 + ROW_HEIGHT * rows.len().max(1) as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        draw_timeline(&root, trace, title, &rows).map_err(|e| format!("drawing {title}: {e}"))?;
        root.present()
            .map_err(|e| format!("drawing {title}: {e}"))?;
    }
    Ok(svg)
}

fn draw_timeline(
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    trace: &TimelineTrace,
    title: &str,
    rows: &[(usize, String)],
) -> Result<(), Box<dyn std::error::Error>> {
    root.fill(&WHITE)?;
    let (area, legend_area) = root.split_vertically(root.dim_in_pixel().1 - 34);
    let n = rows.len().max(1);
    let row_of: BTreeMap<usize, usize> = rows
        .iter()
        .enumerate()
        .map(|(r, (thread, _))| (*thread, r))
        .collect();
    // Row r is drawn at y = n - 1 - r, so the first thread is on top.
    let y_of = |r: usize| (n - 1 - r) as f64;
    let span_ms = (trace.span_ns() as f64 / 1e6).max(0.01) * 1.01;
    let labels: Vec<String> = rows.iter().map(|(_, l)| l.clone()).collect();
    let y_label = |y: &f64| {
        let i = y.round();
        if (y - i).abs() > 1e-6 || i < 0.0 || i as usize >= n {
            return String::new();
        }
        labels.get(n - 1 - i as usize).cloned().unwrap_or_default()
    };
    let y_label_width = 12 + 7 * labels.iter().map(|l| l.chars().count()).max().unwrap_or(8) as u32;
    let mut ctx = ChartBuilder::on(&area)
        .caption(title, ("sans-serif", 20))
        .margin(10)
        .margin_right(24)
        .x_label_area_size(44)
        .y_label_area_size(y_label_width.clamp(80, 420))
        .build_cartesian_2d(0.0..span_ms, -0.6..(n as f64 - 0.4))?;
    ctx.configure_mesh()
        .disable_y_mesh()
        .x_max_light_lines(2)
        .light_line_style(RGBColor(232, 232, 232))
        .x_desc("ms since the trace started")
        .x_label_formatter(&|v| crate::charts::short_number(*v))
        .y_labels(2 * n + 2)
        .y_label_formatter(&y_label)
        .label_style(("sans-serif", 13))
        .draw()?;

    // Alternate row bands.
    ctx.draw_series((0..n).filter(|r| r % 2 == 1).map(|r| {
        let y = y_of(r);
        Rectangle::new(
            [(0.0, y - 0.5), (span_ms, y + 0.5)],
            RGBColor(244, 246, 250).filled(),
        )
    }))?;

    let plot_px = f64::from(ctx.plotting_area().dim_in_pixel().0.max(1));
    let ms_per_px = span_ms / plot_px;
    let mut bars: Vec<Bar> = Vec::new();
    let mut steals: Vec<(usize, f64, usize)> = Vec::new();
    let mut timers: Vec<(usize, f64)> = Vec::new();
    for e in &trace.events {
        let Some(&row) = row_of.get(&e.thread) else {
            continue;
        };
        let start = e.at_ns as f64 / 1e6;
        let end = (e.at_ns + e.kind.duration_ns()) as f64 / 1e6;
        match e.kind {
            TraceKind::Poll { task, .. } => bars.push(Bar {
                row,
                start,
                end,
                task: Some(task),
                blocking: false,
            }),
            TraceKind::Blocking { task, .. } => bars.push(Bar {
                row,
                start,
                end,
                task: Some(task),
                blocking: true,
            }),
            TraceKind::Park { .. } => bars.push(Bar {
                row,
                start,
                end,
                task: None,
                blocking: false,
            }),
            TraceKind::Steal { count, .. } => steals.push((row, start, count)),
            TraceKind::TimerFire { .. } => timers.push((row, start)),
            TraceKind::Spawn { .. } | TraceKind::Wake { .. } => {}
        }
    }
    bars.sort_by(|a, b| {
        (a.row, a.task.is_some(), a.blocking)
            .cmp(&(b.row, b.task.is_some(), b.blocking))
            .then(a.start.total_cmp(&b.start))
    });
    let mut bars = merge(bars, ms_per_px * 0.5, ms_per_px, true);
    if bars.len() > MAX_BARS {
        bars = merge(bars, ms_per_px * 2.0, ms_per_px, false);
    }
    // Parks first (underneath), then blocking jobs, then polls.
    ctx.draw_series(bars.iter().filter(|b| b.task.is_none()).map(|b| {
        let y = y_of(b.row);
        Rectangle::new([(b.start, y - 0.1), (b.end, y + 0.1)], PARK_COLOR.filled())
    }))?;
    for b in bars.iter().filter(|b| b.blocking) {
        let y = y_of(b.row);
        let color = task_color(b.task.unwrap_or(0));
        ctx.draw_series([
            Rectangle::new(
                [(b.start, y - 0.3), (b.end, y + 0.3)],
                color.mix(0.55).filled(),
            ),
            Rectangle::new(
                [(b.start, y - 0.3), (b.end, y + 0.3)],
                BLACK.stroke_width(1),
            ),
        ])?;
    }
    ctx.draw_series(
        bars.iter()
            .filter(|b| b.task.is_some() && !b.blocking)
            .map(|b| {
                let y = y_of(b.row);
                Rectangle::new(
                    [(b.start, y - 0.3), (b.end, y + 0.3)],
                    task_color(b.task.unwrap_or(0)).filled(),
                )
            }),
    )?;
    ctx.draw_series(
        timers
            .iter()
            .map(|&(row, t)| Circle::new((t, y_of(row) + 0.4), 2, TIMER_COLOR.filled())),
    )?;
    ctx.draw_series(
        steals
            .iter()
            .map(|&(row, t, _)| TriangleMarker::new((t, y_of(row) + 0.4), 5, STEAL_COLOR.filled())),
    )?;

    // The legend, in its own strip under the chart.
    let font = ("sans-serif", 13).into_font();
    let mut x = 20;
    let y = 12;
    let mut item = |swatch: &dyn Fn(i32) -> DrawResult, text: &str| -> DrawResult {
        swatch(x)?;
        legend_area.draw(&Text::new(text.to_string(), (x + 22, y - 1), font.clone()))?;
        x += 34 + 7 * text.chars().count() as i32;
        Ok(())
    };
    item(
        &|x| {
            for (k, c) in TASK_PALETTE.iter().take(3).enumerate() {
                let k = k as i32;
                legend_area.draw(&Rectangle::new(
                    [(x + 5 * k, y), (x + 5 * k + 5, y + 12)],
                    c.filled(),
                ))?;
            }
            Ok(())
        },
        "poll (colour = task id)",
    )?;
    item(
        &|x| {
            legend_area.draw(&Rectangle::new(
                [(x, y), (x + 15, y + 12)],
                TASK_PALETTE[0].mix(0.55).filled(),
            ))?;
            legend_area.draw(&Rectangle::new([(x, y), (x + 15, y + 12)], BLACK))?;
            Ok(())
        },
        "blocking-pool job",
    )?;
    item(
        &|x| {
            legend_area.draw(&Rectangle::new(
                [(x, y + 4), (x + 15, y + 8)],
                PARK_COLOR.filled(),
            ))?;
            Ok(())
        },
        "parked (asleep)",
    )?;
    item(
        &|x| {
            legend_area.draw(&TriangleMarker::new(
                (x + 7, y + 6),
                5,
                STEAL_COLOR.filled(),
            ))?;
            Ok(())
        },
        "steal",
    )?;
    item(
        &|x| {
            legend_area.draw(&Circle::new((x + 7, y + 6), 2, TIMER_COLOR.filled()))?;
            Ok(())
        },
        "timers fired",
    )?;
    if trace.dropped > 0 {
        item(&|_| Ok(()), &format!("({} events dropped)", trace.dropped))?;
    }
    Ok(())
}

type DrawResult = Result<(), Box<dyn std::error::Error>>;

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Two workers and a blocking thread: worker 0 polls tasks 1 and 2,
    /// parks; worker 1 steals and polls task 3; the blocking thread runs
    /// task 4.
    pub(crate) fn synthetic() -> TimelineTrace {
        let ev = |at_ms: f64, thread: usize, kind: TraceKind| TraceEvent {
            at_ns: (at_ms * 1e6) as u64,
            thread,
            kind,
        };
        let ms = |x: f64| (x * 1e6) as u64;
        TimelineTrace {
            threads: vec![
                "worker-a".into(),
                "worker-b".into(),
                "blocking-x".into(),
                "quiet".into(),
            ],
            dropped: 0,
            events: vec![
                ev(0.0, 0, TraceKind::Spawn { task: 1 }),
                ev(
                    0.1,
                    0,
                    TraceKind::Poll {
                        task: 1,
                        dur_ns: ms(1.0),
                    },
                ),
                ev(
                    1.2,
                    0,
                    TraceKind::Poll {
                        task: 2,
                        dur_ns: ms(0.5),
                    },
                ),
                ev(2.0, 0, TraceKind::Park { dur_ns: ms(3.0) }),
                ev(2.5, 1, TraceKind::Steal { from: 0, count: 2 }),
                ev(
                    2.6,
                    1,
                    TraceKind::Poll {
                        task: 3,
                        dur_ns: ms(2.0),
                    },
                ),
                ev(
                    3.0,
                    2,
                    TraceKind::Blocking {
                        task: 4,
                        dur_ns: ms(4.0),
                    },
                ),
                ev(5.0, 0, TraceKind::TimerFire { count: 1 }),
                ev(5.1, 3, TraceKind::Wake { task: 1 }),
            ],
        }
    }

    #[test]
    fn summary_counts_per_thread() {
        crate::testutil::watchdog(10, || {
            let t = synthetic();
            let s = t.summary();
            assert_eq!(s[0].polls, 2);
            assert_eq!(s[0].tasks, 2);
            assert_eq!(s[0].parks, 1);
            assert_eq!(s[1].stolen, 2);
            assert_eq!(s[2].blocking_jobs, 1);
            assert_eq!(t.span_ns(), 7_000_000);
            assert_eq!(t.tasks(), 4);
        });
    }

    #[test]
    fn round_trips_through_json_and_mini_runtime() {
        crate::testutil::watchdog(10, || {
            let t = synthetic();
            let json = serde_json::to_string(&t).unwrap();
            let back: TimelineTrace = serde_json::from_str(&json).unwrap();
            assert_eq!(back, t);
            assert_eq!(TimelineTrace::from(&t.to_mini()), t);
            let chrome = t.to_chrome_json();
            let v: serde_json::Value = serde_json::from_str(&chrome).unwrap();
            let events = v["traceEvents"].as_array().unwrap();
            // 4 thread names + 9 events.
            assert_eq!(events.len(), 13);
            assert!(chrome.contains("poll task 3"));
        });
    }

    #[test]
    fn timeline_draws_rows_bars_and_markers() {
        crate::testutil::watchdog(20, || {
            let t = synthetic();
            let svg = timeline_svg(&t, "spawn on mini-mt").unwrap();
            assert!(svg.starts_with("<svg"));
            assert!(svg.contains("spawn on mini-mt"));
            // One row per thread that did something; "quiet" only woke a task.
            assert!(svg.contains("#0 worker-a (2 polls)"), "{svg}");
            assert!(svg.contains("#1 worker-b (1 polls)"));
            assert!(svg.contains("#2 blocking-x (1 blocking)"));
            assert!(!svg.contains("quiet"));
            // Polls in their task's colour.
            for task in [1, 2, 3] {
                let RGBColor(r, g, b) = task_color(task);
                assert!(svg.contains(&format!("fill=\"#{r:02X}{g:02X}{b:02X}\"")));
            }
            // A steal triangle, a park bar, a timer dot.
            let RGBColor(r, g, b) = STEAL_COLOR;
            assert!(
                svg.contains("<polygon") || svg.contains("<path"),
                "no triangle"
            );
            assert!(svg.contains(&format!("#{r:02X}{g:02X}{b:02X}")));
            let RGBColor(r, g, b) = PARK_COLOR;
            assert!(svg.contains(&format!("#{r:02X}{g:02X}{b:02X}")));
            assert!(svg.contains("<circle"));
            assert!(svg.contains("poll (colour = task id)"));
            assert!(svg.contains("ms since the trace started"));
        });
    }

    #[test]
    fn empty_trace_draws_an_empty_timeline() {
        crate::testutil::watchdog(10, || {
            let svg = timeline_svg(&TimelineTrace::default(), "nothing").unwrap();
            assert!(svg.contains("nothing"));
        });
    }

    #[test]
    fn dense_bars_are_merged_and_widened() {
        crate::testutil::watchdog(10, || {
            let bars: Vec<Bar> = (0..1000)
                .map(|i| Bar {
                    row: 0,
                    start: i as f64 * 0.001,
                    end: i as f64 * 0.001 + 0.0001,
                    task: Some(7),
                    blocking: false,
                })
                .collect();
            let merged = merge(bars.clone(), 0.01, 0.01, true);
            assert_eq!(merged.len(), 1);
            assert!(merged[0].end >= 0.999);
            let apart = merge(bars[..2].to_vec(), 0.0, 0.0005, true);
            assert_eq!(apart.len(), 2);
            assert!((apart[0].end - apart[0].start - 0.0005).abs() < 1e-12);
        });
    }
}
