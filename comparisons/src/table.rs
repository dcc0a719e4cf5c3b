//! Tables of results: the side-by-side summary (lesson rows, flavour
//! columns), CPU time, scheduler counters and lesson figures, as plain
//! text for the terminal and as Markdown for `report.md`.

use demos::Flavor;

use crate::model::{Cell, Verdict};

/// A table of strings: a header row and body rows of the same width.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// Column titles.
    pub header: Vec<String>,
    /// Rows.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Plain text with columns padded to their widest entry (the first
    /// column left-aligned, the others too: cells hold mixed text).
    pub fn to_text(&self) -> String {
        let widths = self.widths();
        let mut out = String::new();
        let line = |row: &[String], out: &mut String| {
            let cells: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(i, c)| pad(c, widths[i]))
                .collect();
            out.push_str(cells.join("  ").trim_end());
            out.push('\n');
        };
        line(&self.header, &mut out);
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        line(&rule, &mut out);
        for row in &self.rows {
            line(row, &mut out);
        }
        out
    }

    /// A GitHub-flavoured Markdown table (`|` in cells escaped).
    pub fn to_markdown(&self) -> String {
        let esc = |s: &String| s.replace('|', "\\|");
        let mut out = String::new();
        out.push_str(&format!(
            "| {} |\n",
            self.header.iter().map(esc).collect::<Vec<_>>().join(" | ")
        ));
        out.push_str(&format!(
            "|{}\n",
            self.header
                .iter()
                .enumerate()
                .map(|(i, _)| if i == 0 { "---|" } else { "---:|" })
                .collect::<String>()
        ));
        for row in &self.rows {
            out.push_str(&format!(
                "| {} |\n",
                row.iter().map(esc).collect::<Vec<_>>().join(" | ")
            ));
        }
        out
    }

    fn widths(&self) -> Vec<usize> {
        let mut w: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, c) in row.iter().enumerate() {
                if i < w.len() {
                    w[i] = w[i].max(c.chars().count());
                }
            }
        }
        w
    }
}

fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    format!("{s}{}", " ".repeat(width.saturating_sub(n)))
}

/// Milliseconds for a table: `0.42 ms`, `12.3 ms`, `250 ms`, `-`.
pub fn fmt_ms(ms: Option<f64>) -> String {
    match ms {
        None => "-".to_string(),
        Some(ms) if ms < 1.0 => format!("{ms:.2} ms"),
        Some(ms) if ms < 100.0 => format!("{ms:.1} ms"),
        Some(ms) => format!("{ms:.0} ms"),
    }
}

/// Kilobytes as megabytes for a table: `4.1 MB`, `-`.
pub fn fmt_mb(kb: Option<f64>) -> String {
    match kb {
        None => "-".to_string(),
        Some(kb) => format!("{:.1} MB", kb / 1024.0),
    }
}

/// A count or figure: integers without decimals, others with one or two.
pub fn fmt_num(v: Option<f64>) -> String {
    match v {
        None => "-".to_string(),
        Some(v) if v.fract() == 0.0 && v.abs() < 1e15 => format!("{v:.0}"),
        Some(v) if v.abs() < 10.0 => format!("{v:.2}"),
        Some(v) => format!("{v:.1}"),
    }
}

/// The lessons and flavours present in `cells`, in order.
pub fn axes(cells: &[Cell]) -> (Vec<(u32, String)>, Vec<Flavor>) {
    let mut lessons: Vec<(u32, String)> =
        cells.iter().map(|c| (c.number, c.lesson.clone())).collect();
    lessons.sort();
    lessons.dedup();
    let flavors = Flavor::ALL
        .into_iter()
        .filter(|f| cells.iter().any(|c| c.flavor == *f))
        .collect();
    (lessons, flavors)
}

fn find(cells: &[Cell], number: u32, flavor: Flavor) -> Option<&Cell> {
    cells
        .iter()
        .find(|c| c.number == number && c.flavor == flavor)
}

fn lesson_label(number: u32, name: &str) -> String {
    format!("{number:>2} {name}")
}

/// The verdict of a cell, with the repeat count when not all runs held
/// (`FAIL 2/3`).
pub fn verdict_label(cell: &Cell) -> String {
    if cell.runs > 1 && cell.held != cell.runs {
        format!("{} {}/{}", cell.verdict.label(), cell.held, cell.runs)
    } else {
        cell.verdict.label().to_string()
    }
}

fn table(
    cells: &[Cell],
    first: &str,
    show: impl Fn(&Cell) -> String,
    flavor_title: impl Fn(Flavor) -> String,
) -> Table {
    let (lessons, flavors) = axes(cells);
    let mut header = vec![first.to_string()];
    header.extend(flavors.iter().map(|f| flavor_title(*f)));
    let rows = lessons
        .iter()
        .map(|(n, name)| {
            let mut row = vec![lesson_label(*n, name)];
            row.extend(
                flavors
                    .iter()
                    .map(|f| find(cells, *n, *f).map_or_else(|| "".to_string(), &show)),
            );
            row
        })
        .collect();
    Table { header, rows }
}

/// The side-by-side summary: per lesson and flavour, the verdict, the
/// median wall time and the median peak RSS.
///
/// `padded` aligns the three parts in columns (for the terminal); else they
/// are joined with ` · ` (for Markdown). A run that produced no report
/// shows its verdict only.
pub fn summary_table(cells: &[Cell], padded: bool) -> Table {
    table(
        cells,
        "lesson",
        |c| {
            let verdict = verdict_label(c);
            if c.wall_ms.is_none() {
                verdict
            } else if padded {
                format!(
                    "{verdict:<5} {:>8} {:>7}",
                    fmt_ms(c.wall_ms),
                    fmt_mb(c.peak_rss_kb)
                )
            } else {
                format!(
                    "{verdict} · {} · {}",
                    fmt_ms(c.wall_ms),
                    fmt_mb(c.peak_rss_kb)
                )
            }
        },
        |f| f.label().to_string(),
    )
}

/// Wall time, process wall time and CPU time per lesson and flavour.
pub fn time_table(cells: &[Cell]) -> Table {
    table(
        cells,
        "lesson",
        |c| {
            format!(
                "{} / {} / {}",
                fmt_ms(c.wall_ms),
                fmt_ms(c.process_wall_ms),
                fmt_ms(c.cpu_ms)
            )
        },
        |f| format!("{f}: wall / process / CPU"),
    )
}

/// Scheduler counters per lesson and flavour: polls / steals / parks.
pub fn counts_table(cells: &[Cell]) -> Table {
    table(
        cells,
        "lesson",
        |c| {
            if c.polls.is_none() && c.steals.is_none() && c.parks.is_none() {
                return "n/a".to_string();
            }
            format!(
                "{} / {} / {}",
                fmt_num(c.polls),
                fmt_num(c.steals),
                fmt_num(c.parks)
            )
        },
        |f| format!("{f}: polls / steals / parks"),
    )
}

/// Every numeric figure a lesson reported: one row per (lesson, figure).
pub fn figures_table(cells: &[Cell]) -> Table {
    let (lessons, flavors) = axes(cells);
    let mut header = vec!["lesson".to_string(), "figure".to_string()];
    header.extend(flavors.iter().map(|f| f.label().to_string()));
    let mut rows = Vec::new();
    for (n, name) in &lessons {
        let mut keys: Vec<&String> = cells
            .iter()
            .filter(|c| c.number == *n)
            .flat_map(|c| c.figures.keys())
            .collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            let mut row = vec![lesson_label(*n, name), key.clone()];
            row.extend(
                flavors.iter().map(|f| {
                    fmt_num(find(cells, *n, *f).and_then(|c| c.figures.get(key).copied()))
                }),
            );
            rows.push(row);
        }
    }
    Table { header, rows }
}

/// One line per cell whose invariant did not hold or that did not run:
/// `lesson 8 blocking_mistake on mini-mt: FAIL: ...`.
pub fn failures(cells: &[Cell]) -> Vec<String> {
    cells
        .iter()
        .filter(|c| c.verdict != Verdict::Held)
        .map(|c| {
            format!(
                "lesson {} {} on {}: {}: {}",
                c.number,
                c.lesson,
                c.flavor,
                verdict_label(c),
                c.message
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::record;
    use crate::model::{RunRecord, cells as combine};

    fn sample() -> Vec<Cell> {
        let mut runs: Vec<RunRecord> = Vec::new();
        for f in Flavor::ALL {
            runs.push(record(5, "spawn", f, 0.4));
            runs.push(record(8, "blocking_mistake", f, 250.0));
        }
        runs[3].verdict = Verdict::Failed;
        runs[3].message = "async side took 900 ms".into();
        combine(&runs)
    }

    #[test]
    fn summary_table_has_lesson_rows_and_flavour_columns() {
        crate::testutil::watchdog(10, || {
            let t = summary_table(&sample(), true);
            assert_eq!(
                t.header,
                ["lesson", "mini-ct", "mini-mt", "tokio-ct", "tokio-mt"]
            );
            assert_eq!(t.rows.len(), 2);
            assert_eq!(t.rows[0][0], " 5 spawn");
            assert_eq!(t.rows[1][0], " 8 blocking_mistake");
            assert!(t.rows[0][1].starts_with("ok"), "{}", t.rows[0][1]);
            assert!(t.rows[0][1].contains("0.40 ms"));
            assert!(t.rows[0][1].contains("4.0 MB"));
            assert!(t.rows[1][2].starts_with("FAIL"), "{:?}", t.rows[1]);
            assert!(t.rows[1][2].contains("250 ms"));
        });
    }

    #[test]
    fn markdown_table_is_well_formed() {
        crate::testutil::watchdog(10, || {
            let md = summary_table(&sample(), false).to_markdown();
            let lines: Vec<&str> = md.lines().collect();
            assert_eq!(lines.len(), 4, "{md}");
            assert_eq!(
                lines[0],
                "| lesson | mini-ct | mini-mt | tokio-ct | tokio-mt |"
            );
            assert_eq!(lines[1], "|---|---:|---:|---:|---:|");
            for l in &lines {
                assert_eq!(l.matches('|').count(), 6, "{l}");
            }
            assert_eq!(
                lines[3],
                "|  8 blocking_mistake | ok · 250 ms · 4.0 MB | FAIL · 250 ms · 4.0 MB | ok · 250 ms · 4.0 MB | ok · 250 ms · 4.0 MB |"
            );
        });
    }

    #[test]
    fn text_table_aligns_columns() {
        crate::testutil::watchdog(10, || {
            let text = summary_table(&sample(), true).to_text();
            let lines: Vec<&str> = text.lines().collect();
            assert_eq!(lines.len(), 4);
            let col = lines[0].find("mini-mt").unwrap();
            for l in &lines[2..] {
                let c = l.char_indices().nth(col).map(|(i, _)| i).unwrap();
                let cell = &l[c..];
                assert!(
                    cell.starts_with("ok") || cell.starts_with("FAIL"),
                    "{l:?} at {col}"
                );
            }
        });
    }

    #[test]
    fn other_tables_and_failures() {
        crate::testutil::watchdog(10, || {
            let cells = sample();
            let counts = counts_table(&cells);
            assert_eq!(counts.rows[0][1], "10 / 0 / 3");
            assert_eq!(counts.rows[0][3], "n/a");
            let figs = figures_table(&cells);
            assert_eq!(figs.rows.len(), 2);
            assert_eq!(figs.rows[1][1], "blocking_ms");
            assert_eq!(figs.rows[1][2], "500");
            let times = time_table(&cells);
            assert!(times.rows[0][1].contains("0.40 ms / 2.4 ms / 0.20 ms"));
            let f = failures(&cells);
            assert_eq!(f.len(), 1);
            assert_eq!(
                f[0],
                "lesson 8 blocking_mistake on mini-mt: FAIL: async side took 900 ms"
            );
        });
    }

    #[test]
    fn number_formats() {
        crate::testutil::watchdog(10, || {
            assert_eq!(fmt_ms(None), "-");
            assert_eq!(fmt_ms(Some(0.123)), "0.12 ms");
            assert_eq!(fmt_ms(Some(12.34)), "12.3 ms");
            assert_eq!(fmt_ms(Some(1234.4)), "1234 ms");
            assert_eq!(fmt_mb(Some(2048.0)), "2.0 MB");
            assert_eq!(fmt_num(Some(9592.0)), "9592");
            assert_eq!(fmt_num(Some(2.5)), "2.50");
            assert_eq!(fmt_num(Some(250.48)), "250.5");
        });
    }
}
