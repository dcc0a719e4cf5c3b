//! The report directory: `report.md`, a self-contained `report.html`
//! (inline CSS and inline SVG charts, nothing fetched), the charts as
//! separate SVG files for the Markdown, one Chrome trace JSON per timeline
//! (`trace-<lesson>-<flavour>.json`, for Perfetto) and `results.json` (every
//! run, machine-readable).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use demos::Flavor;
use serde::Serialize;

use crate::charts::{BarChart, bar_chart_svg, flavor_css};
use crate::model::{Cell, RunRecord, Verdict};
use crate::table::{
    self, axes, counts_table, figures_table, fmt_mb, fmt_ms, summary_table, time_table,
    verdict_label,
};
use crate::timeline::{TimelineTrace, timeline_svg};

/// How the runs were made.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Settings {
    /// Original timings (else the fast ones).
    pub full: bool,
    /// Runs per lesson and flavour.
    pub repeat: u32,
    /// Worker threads of the multi-thread flavours.
    pub workers: usize,
    /// CPUs of this machine.
    pub cpus: usize,
    /// Wall time of the whole comparison, seconds.
    pub elapsed_s: f64,
}

/// A traced run and its trace.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineRun {
    /// The run (its verdict and figures).
    pub record: RunRecord,
    /// What the scheduler did.
    pub trace: TimelineTrace,
}

impl TimelineRun {
    /// `trace-<lesson>-<flavour>.json`.
    pub fn chrome_file(&self) -> String {
        format!("trace-{}-{}.json", self.record.lesson, self.record.flavor)
    }

    /// `timeline-<lesson>-<flavour>.svg`.
    pub fn svg_file(&self) -> String {
        format!("timeline-{}-{}.svg", self.record.lesson, self.record.flavor)
    }

    /// `lesson 6 yield_now on mini-mt`.
    pub fn title(&self) -> String {
        format!(
            "lesson {} {} on {}",
            self.record.number, self.record.lesson, self.record.flavor
        )
    }
}

/// Everything the report shows.
#[derive(Clone, Debug)]
pub struct ReportData {
    /// How the runs were made.
    pub settings: Settings,
    /// Every measured run.
    pub runs: Vec<RunRecord>,
    /// Medians per lesson and flavour.
    pub cells: Vec<Cell>,
    /// Traced runs.
    pub timelines: Vec<TimelineRun>,
}

/// The charts, drawn once for both report formats.
#[derive(Clone, Debug)]
pub struct Charts {
    /// (file name, title, svg) of the bar charts.
    pub bars: Vec<(String, String, String)>,
    /// SVG of each timeline, in [`ReportData::timelines`] order.
    pub timelines: Vec<String>,
}

/// A bar chart of the report: file, title, y label, log scale, the value.
type ChartSpec = (
    &'static str,
    &'static str,
    &'static str,
    bool,
    fn(&Cell) -> Option<f64>,
);

/// Draws every chart.
///
/// # Errors
///
/// A message if a chart cannot be drawn.
pub fn draw_charts(data: &ReportData) -> Result<Charts, String> {
    let (lessons, flavors) = axes(&data.cells);
    let value = |get: fn(&Cell) -> Option<f64>| {
        let cells = &data.cells;
        let lessons = &lessons;
        move |g: usize, f: Flavor| {
            let n = lessons[g].0;
            cells
                .iter()
                .find(|c| c.number == n && c.flavor == f)
                .and_then(get)
        }
    };
    let specs: [ChartSpec; 3] = [
        (
            "chart-wall.svg",
            "Wall time per lesson (median, log scale)",
            "wall time (ms)",
            true,
            |c| c.wall_ms,
        ),
        (
            "chart-memory.svg",
            "Peak memory per lesson (peak RSS of the process, median)",
            "peak RSS (MB)",
            false,
            |c| c.peak_rss_kb.map(|kb| kb / 1024.0),
        ),
        (
            "chart-cpu.svg",
            "CPU time per lesson (user + system, whole process, median, log scale)",
            "CPU time (ms)",
            true,
            |c| c.cpu_ms,
        ),
    ];
    let mut bars = Vec::new();
    for (file, title, y_label, log_scale, get) in specs {
        let chart = BarChart {
            title,
            y_label,
            groups: &lessons,
            flavors: &flavors,
            log_scale,
        };
        bars.push((
            file.to_string(),
            title.to_string(),
            bar_chart_svg(&chart, value(get))?,
        ));
    }
    let timelines = data
        .timelines
        .iter()
        .map(|t| timeline_svg(&t.trace, &format!("Scheduler timeline: {}", t.title())))
        .collect::<Result<_, _>>()?;
    Ok(Charts { bars, timelines })
}

/// The files written.
#[derive(Clone, Debug)]
pub struct Written {
    /// `report.md`.
    pub markdown: PathBuf,
    /// `report.html`.
    pub html: PathBuf,
    /// Every file, in the order written.
    pub files: Vec<PathBuf>,
}

/// Writes the report into `dir` (created if missing).
///
/// # Errors
///
/// A message naming the file that could not be written.
pub fn write(dir: &Path, data: &ReportData) -> Result<Written, String> {
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let charts = draw_charts(data)?;
    let mut files = Vec::new();
    let mut put = |name: &str, content: &str| -> Result<PathBuf, String> {
        let path = dir.join(name);
        fs::write(&path, content).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        files.push(path.clone());
        Ok(path)
    };
    for (file, _, svg) in &charts.bars {
        put(file, svg)?;
    }
    for (t, svg) in data.timelines.iter().zip(&charts.timelines) {
        put(&t.svg_file(), svg)?;
        put(&t.chrome_file(), &t.trace.to_chrome_json())?;
    }
    let results = serde_json::json!({
        "settings": data.settings,
        "cells": data.cells,
        "runs": data.runs,
        "timeline_runs": data.timelines.iter().map(|t| &t.record).collect::<Vec<_>>(),
    });
    put(
        "results.json",
        &serde_json::to_string_pretty(&results).map_err(|e| e.to_string())?,
    )?;
    let markdown = put("report.md", &markdown(data, &charts))?;
    let html = put("report.html", &html(data, &charts))?;
    Ok(Written {
        markdown,
        html,
        files,
    })
}

fn settings_line(s: &Settings) -> String {
    format!(
        "{} settings, {} run{} per lesson and flavour (medians), {} workers for the multi-thread flavours, {} CPUs, {:.1} s in all",
        if s.full {
            "original (`--full`)"
        } else {
            "fast"
        },
        s.repeat,
        if s.repeat == 1 { "" } else { "s" },
        s.workers,
        s.cpus,
        s.elapsed_s
    )
}

fn held_line(data: &ReportData) -> String {
    let held = data
        .cells
        .iter()
        .filter(|c| c.verdict == Verdict::Held)
        .count();
    format!(
        "{} of {} lesson × flavour invariants held ({} runs)",
        held,
        data.cells.len(),
        data.runs.len()
    )
}

/// `report.md`.
pub fn markdown(data: &ReportData, charts: &Charts) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# mini_runtime vs Tokio: the workshop lessons\n");
    let _ = writeln!(md, "{}.\n", settings_line(&data.settings));
    let _ = writeln!(md, "**{}.**\n", held_line(data));
    let failures = table::failures(&data.cells);
    if !failures.is_empty() {
        let _ = writeln!(md, "## Failures\n");
        for f in &failures {
            let _ = writeln!(md, "- {f}");
        }
        md.push('\n');
    }
    let _ = writeln!(
        md,
        "## Side by side\n\nPer lesson and flavour: whether the lesson's invariant held, the lesson's wall time (runtime start and shutdown included) and the peak resident memory of the process that ran it.\n"
    );
    md.push_str(&summary_table(&data.cells, false).to_markdown());
    let _ = writeln!(md, "\n## Charts\n");
    for (file, title, _) in &charts.bars {
        let _ = writeln!(md, "![{title}]({file})\n");
    }
    if !data.timelines.is_empty() {
        let _ = writeln!(
            md,
            "## Scheduler timelines\n\nFrom mini_runtime's event trace (a separate, traced run; its timings are not in the tables). One row per thread; bars are polls coloured by task id, outlined bars are blocking-pool jobs, grey bars are parks, red triangles are steals. Open the `trace-*.json` files in <https://ui.perfetto.dev> to zoom in.\n"
        );
        for (t, _) in data.timelines.iter().zip(&charts.timelines) {
            let _ = writeln!(md, "### {}\n", t.title());
            let _ = writeln!(md, "{}\n", timeline_caption(t));
            let _ = writeln!(
                md,
                "![{}]({})\n\nPerfetto: [`{}`]({})\n",
                t.title(),
                t.svg_file(),
                t.chrome_file(),
                t.chrome_file()
            );
        }
    }
    let _ = writeln!(
        md,
        "## Time\n\nLesson wall time / whole-process wall time (as the parent saw it: process start, runtime, exit) / CPU time (user + system, every thread).\n"
    );
    md.push_str(&time_table(&data.cells).to_markdown());
    let _ = writeln!(
        md,
        "\n## Scheduler counters\n\nFrom the runtime's metrics after the lesson (summed over the runtimes it built): task polls / tasks stolen / worker parks. Tokio's stable metrics count parks only (polls and steals need `--cfg tokio_unstable`); `n/a`: the lesson builds its runtime through a macro.\n"
    );
    md.push_str(&counts_table(&data.cells).to_markdown());
    let _ = writeln!(
        md,
        "\n## Lesson figures\n\nThe numbers each lesson reports (medians).\n"
    );
    md.push_str(&figures_table(&data.cells).to_markdown());
    md.push_str(&method_text());
    md
}

fn method_text() -> String {
    "\n## How this was measured\n\n\
     Each run is a fresh child process (`comparisons child ...`) that runs one lesson through the `demos` library, checks its invariant and reports its CPU time (`getrusage`) and peak RSS (`VmHWM`) as JSON. Runs are made one at a time. `--repeat N` runs each lesson N times and reports medians; a lesson fails if any of its runs fails.\n"
        .to_string()
}

fn timeline_caption(t: &TimelineRun) -> String {
    let summary = t.trace.summary();
    let polls: u64 = summary.iter().map(|s| s.polls).sum();
    let parks: u64 = summary.iter().map(|s| s.parks).sum();
    let stolen: u64 = summary.iter().map(|s| s.stolen).sum();
    let blocking: u64 = summary.iter().map(|s| s.blocking_jobs).sum();
    let threads = summary
        .iter()
        .filter(|s| s.polls + s.parks + s.blocking_jobs + s.stolen > 0)
        .count();
    let mut caption = format!(
        "{} tasks, {polls} polls, {stolen} tasks stolen, {parks} parks, {blocking} blocking-pool jobs on {threads} threads over {:.1} ms; invariant: {}",
        t.trace.tasks(),
        t.trace.span_ns() as f64 / 1e6,
        t.record.verdict.label()
    );
    if t.trace.dropped > 0 {
        let _ = write!(
            caption,
            " ({} events did not fit in the trace buffer)",
            t.trace.dropped
        );
    }
    caption
}

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root { --ok: #1a7f37; --fail: #cf222e; --muted: #57606a; --line: #d0d7de; }
* { box-sizing: border-box; }
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1f2328;
       margin: 0 auto; padding: 24px 32px 64px; max-width: 1400px; line-height: 1.45; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 21px; margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 24px 0 4px; }
p.meta, p.caption { color: var(--muted); margin: 4px 0 12px; }
.banner { display: inline-block; padding: 8px 14px; border-radius: 6px; font-weight: 600; margin: 8px 0; }
.banner.ok { background: #dafbe1; color: var(--ok); }
.banner.fail { background: #ffebe9; color: var(--fail); }
ul.failures { color: var(--fail); }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 14px; }
th, td { border: 1px solid var(--line); padding: 4px 10px; vertical-align: top; }
th { background: #f6f8fa; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.lesson { white-space: nowrap; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
table.grid td.cell { white-space: nowrap; font-variant-numeric: tabular-nums; text-align: right; }
table.grid td.cell .v { font-weight: 700; float: left; margin-right: 12px; }
table.grid td.ok .v { color: var(--ok); }
table.grid td.bad { background: #ffebe9; }
table.grid td.bad .v { color: var(--fail); }
table.grid td.cell .ms { display: inline-block; min-width: 6.5em; }
table.grid td.cell .mb { display: inline-block; min-width: 5em; color: var(--muted); }
th .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
.chart { margin: 8px 0 20px; overflow-x: auto; }
.chart svg { max-width: 100%; height: auto; display: block; border: 1px solid var(--line); border-radius: 6px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 90%; background: #f6f8fa; padding: 1px 4px; border-radius: 4px; }
nav a { margin-right: 14px; }
"#;

fn html_table(t: &table::Table, numeric_from: usize) -> String {
    let mut h = String::from("<table><thead><tr>");
    for c in &t.header {
        let _ = write!(h, "<th>{}</th>", esc(c));
    }
    h.push_str("</tr></thead><tbody>");
    for row in &t.rows {
        h.push_str("<tr>");
        for (i, c) in row.iter().enumerate() {
            let class = if i == 0 {
                "lesson"
            } else if i >= numeric_from {
                "num"
            } else {
                ""
            };
            let _ = write!(h, "<td class=\"{class}\">{}</td>", esc(c));
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table>");
    h
}

fn flavor_th(f: Flavor) -> String {
    format!(
        "<th><span class=\"swatch\" style=\"background:{}\"></span>{}</th>",
        flavor_css(f),
        esc(f.label())
    )
}

fn html_grid(cells: &[Cell]) -> String {
    let (lessons, flavors) = axes(cells);
    let mut h = String::from("<table class=\"grid\"><thead><tr><th>lesson</th>");
    for f in &flavors {
        h.push_str(&flavor_th(*f));
    }
    h.push_str("</tr></thead><tbody>");
    for (n, name) in &lessons {
        let _ = write!(h, "<tr><td class=\"lesson\">{n:>2} {}</td>", esc(name));
        for f in &flavors {
            match cells.iter().find(|c| c.number == *n && c.flavor == *f) {
                Some(c) => {
                    let class = if c.verdict == Verdict::Held {
                        "ok"
                    } else {
                        "bad"
                    };
                    let _ = write!(
                        h,
                        "<td class=\"cell {class}\" title=\"{}\"><span class=\"v\">{}</span><span class=\"ms\">{}</span> <span class=\"mb\">{}</span></td>",
                        esc(&c.message),
                        esc(&verdict_label(c)),
                        esc(&fmt_ms(c.wall_ms)),
                        esc(&fmt_mb(c.peak_rss_kb))
                    );
                }
                None => h.push_str("<td></td>"),
            }
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table>");
    h
}

fn thread_table(t: &TimelineRun) -> String {
    let mut table = table::Table {
        header: [
            "thread",
            "polls",
            "tasks",
            "busy ms",
            "parks",
            "parked ms",
            "stolen",
            "blocking jobs",
            "blocking ms",
        ]
        .map(String::from)
        .to_vec(),
        rows: Vec::new(),
    };
    for (i, s) in t.trace.summary().iter().enumerate() {
        if s.polls + s.parks + s.blocking_jobs + s.stolen == 0 {
            continue;
        }
        table.rows.push(vec![
            format!("#{i} {}", s.name),
            s.polls.to_string(),
            s.tasks.to_string(),
            format!("{:.2}", s.poll_ns as f64 / 1e6),
            s.parks.to_string(),
            format!("{:.1}", s.park_ns as f64 / 1e6),
            s.stolen.to_string(),
            s.blocking_jobs.to_string(),
            format!("{:.1}", s.blocking_ns as f64 / 1e6),
        ]);
    }
    html_table(&table, 1)
}

/// `report.html`: one page, no external resources.
pub fn html(data: &ReportData, charts: &Charts) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>mini_runtime vs Tokio: the workshop lessons</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
    );
    let _ = write!(
        h,
        "<h1>mini_runtime vs Tokio: the workshop lessons</h1>\n<p class=\"meta\">{}.</p>\n",
        esc(&settings_line(&data.settings)).replace("`", "")
    );
    let failures = table::failures(&data.cells);
    let class = if failures.is_empty() { "ok" } else { "fail" };
    let _ = writeln!(
        h,
        "<div class=\"banner {class}\">{}</div>",
        esc(&held_line(data))
    );
    if !failures.is_empty() {
        h.push_str("<ul class=\"failures\">");
        for f in &failures {
            let _ = write!(h, "<li>{}</li>", esc(f));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("<nav><a href=\"#table\">Side by side</a><a href=\"#charts\">Charts</a>");
    if !data.timelines.is_empty() {
        h.push_str("<a href=\"#timelines\">Scheduler timelines</a>");
    }
    h.push_str("<a href=\"#time\">Time</a><a href=\"#counters\">Scheduler counters</a><a href=\"#figures\">Lesson figures</a></nav>\n");

    h.push_str("<h2 id=\"table\">Side by side</h2>\n<p class=\"caption\">Per lesson and flavour: whether the lesson's invariant held (hover for what held or failed), the lesson's wall time (runtime start and shutdown included) and the peak resident memory of the process that ran it.</p>\n");
    h.push_str(&html_grid(&data.cells));

    h.push_str("\n<h2 id=\"charts\">Charts</h2>\n");
    for (_, title, svg) in &charts.bars {
        let _ = writeln!(
            h,
            "<div class=\"chart\" role=\"img\" aria-label=\"{}\">{svg}</div>",
            esc(title)
        );
    }

    if !data.timelines.is_empty() {
        h.push_str("<h2 id=\"timelines\">Scheduler timelines</h2>\n<p class=\"caption\">From mini_runtime's event trace, recorded in a separate run of the lesson (tracing costs time, so these runs are not in the tables). One row per thread that did something: bars are polls coloured by task id, outlined bars are blocking-pool jobs, grey bars are parks (the worker asleep), red triangles are steals, dark dots are timer fires. Open the linked JSON in <code>https://ui.perfetto.dev</code> (Open trace file) to zoom into single polls.</p>\n");
        for (t, svg) in data.timelines.iter().zip(&charts.timelines) {
            let _ = write!(
                h,
                "<h3>{}</h3>\n<p class=\"caption\">{} · Perfetto: <a href=\"{}\">{}</a></p>\n<div class=\"chart\">{svg}</div>\n{}\n",
                esc(&t.title()),
                esc(&timeline_caption(t)),
                esc(&t.chrome_file()),
                esc(&t.chrome_file()),
                thread_table(t)
            );
        }
    }

    h.push_str("<h2 id=\"time\">Time</h2>\n<p class=\"caption\">Lesson wall time / whole-process wall time (as the parent saw it: process start, runtime, exit) / CPU time (user + system, every thread).</p>\n");
    h.push_str(&html_table(&time_table(&data.cells), 1));
    h.push_str("<h2 id=\"counters\">Scheduler counters</h2>\n<p class=\"caption\">From the runtime's metrics after the lesson (summed over the runtimes it built): task polls / tasks stolen / worker parks. Tokio's stable metrics count parks only (polls and steals need <code>--cfg tokio_unstable</code>); n/a: the lesson builds its runtime through a macro.</p>\n");
    h.push_str(&html_table(&counts_table(&data.cells), 1));
    h.push_str(
        "<h2 id=\"figures\">Lesson figures</h2>\n<p class=\"caption\">The numbers each lesson reports (medians).</p>\n",
    );
    h.push_str(&html_table(&figures_table(&data.cells), 2));
    h.push_str("<h2>How this was measured</h2>\n<p class=\"caption\">Each run is a fresh child process that runs one lesson through the <code>demos</code> library, checks its invariant and reports its CPU time (<code>getrusage</code>) and peak RSS (<code>VmHWM</code>). Runs are made one at a time. With <code>--repeat N</code> each lesson runs N times and the tables show medians; a lesson fails if any of its runs fails. <code>results.json</code> next to this page has every run.</p>\n");
    h.push_str("</body>\n</html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::cells;
    use crate::model::tests::record;

    fn data() -> ReportData {
        let mut runs = Vec::new();
        for f in Flavor::ALL {
            runs.push(record(5, "spawn", f, 0.5));
            runs.push(record(8, "blocking_mistake", f, 300.0));
        }
        runs[2].verdict = Verdict::Failed;
        runs[2].message = "ticks <out of order>".into();
        let timeline = TimelineRun {
            record: record(5, "spawn", Flavor::MiniMt, 0.6),
            trace: crate::timeline::tests::synthetic(),
        };
        ReportData {
            settings: Settings {
                full: false,
                repeat: 1,
                workers: 4,
                cpus: 2,
                elapsed_s: 3.2,
            },
            cells: cells(&runs),
            runs,
            timelines: vec![timeline],
        }
    }

    #[test]
    fn writes_every_file() {
        crate::testutil::watchdog(30, || {
            let dir = std::env::temp_dir()
                .join(format!("comparisons-report-test-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            let written = write(&dir, &data()).unwrap();
            for name in [
                "report.md",
                "report.html",
                "results.json",
                "chart-wall.svg",
                "chart-memory.svg",
                "chart-cpu.svg",
                "timeline-spawn-mini-mt.svg",
                "trace-spawn-mini-mt.json",
            ] {
                assert!(dir.join(name).is_file(), "{name} missing");
            }
            assert_eq!(written.html, dir.join("report.html"));
            let chrome: serde_json::Value = serde_json::from_str(
                &fs::read_to_string(dir.join("trace-spawn-mini-mt.json")).unwrap(),
            )
            .unwrap();
            assert!(chrome["traceEvents"].as_array().unwrap().len() > 4);
            let results: serde_json::Value =
                serde_json::from_str(&fs::read_to_string(dir.join("results.json")).unwrap())
                    .unwrap();
            assert_eq!(results["runs"].as_array().unwrap().len(), 8);
            let _ = fs::remove_dir_all(&dir);
        });
    }

    #[test]
    fn markdown_report_has_the_table_failures_charts_and_timelines() {
        crate::testutil::watchdog(30, || {
            let data = data();
            let charts = draw_charts(&data).unwrap();
            let md = markdown(&data, &charts);
            assert!(md.contains("| lesson | mini-ct | mini-mt | tokio-ct | tokio-mt |"));
            assert!(md.contains("## Failures"));
            assert!(md.contains("lesson 5 spawn on mini-mt: FAIL: ticks <out of order>"));
            assert!(md.contains("7 of 8 lesson × flavour invariants held"));
            assert!(md.contains("![Wall time per lesson"));
            assert!(md.contains("(chart-memory.svg)"));
            assert!(md.contains("### lesson 5 spawn on mini-mt"));
            assert!(md.contains("[`trace-spawn-mini-mt.json`](trace-spawn-mini-mt.json)"));
            assert!(md.contains("blocking_ms"));
        });
    }

    #[test]
    fn html_report_is_self_contained_and_escaped() {
        crate::testutil::watchdog(30, || {
            let data = data();
            let charts = draw_charts(&data).unwrap();
            let html = html(&data, &charts);
            assert!(html.starts_with("<!DOCTYPE html>"));
            assert!(html.trim_end().ends_with("</html>"));
            // Three bar charts and one timeline, inline.
            assert_eq!(html.matches("<svg").count(), 4);
            assert_eq!(html.matches("</svg>").count(), 4);
            assert!(html.contains("<style>"));
            // Nothing fetched from the network: no scripts, stylesheets or
            // images by URL (the only URL is text telling where Perfetto is).
            assert!(!html.contains("<script"));
            assert!(!html.contains("<link"));
            assert!(!html.contains("<img"));
            assert!(!html.contains("src=\"http"));
            assert!(!html.contains("href=\"http"));
            // The failure message is escaped.
            assert!(html.contains("ticks &lt;out of order&gt;"));
            assert!(!html.contains("<out of order>"));
            assert!(html.contains("class=\"cell bad\""));
            assert!(html.contains("href=\"trace-spawn-mini-mt.json\""));
            assert!(html.contains("#0 worker-a"));
        });
    }

    #[test]
    fn escaping() {
        crate::testutil::watchdog(10, || {
            assert_eq!(esc("a<b & \"c\"'"), "a&lt;b &amp; &quot;c&quot;&#39;");
        });
    }
}
