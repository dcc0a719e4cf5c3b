//! Exercise regions: the comment markers in mini_runtime's source, and the
//! stubs that replace them.
//!
//! # Syntax
//!
//! ```text
//! // exercise(<id>): begin[: <one-line task>]
//! // exercise(<id>): stub: <a line of the stub>      (zero or more, right after `begin`)
//! <the reference code: ordinary Rust>
//! // exercise(<id>): end
//! ```
//!
//! * `<id>` is a manifest id: lowercase letters, digits and `_`.
//! * The optional task after `begin:` is the text of the default stub,
//!   `todo!("exercise <id>: <task>")`, which replaces the reference code
//!   when no `stub:` lines are given.
//! * `stub:` lines give the stub explicitly, one line of code each (indented
//!   like the `begin` marker). `{todo}` in a stub line stands for the
//!   default `todo!(...)` call. Stubs conventionally start with a line like
//!   `let _ = (cx, &mut state);` that names the ingredients of the solution:
//!   it keeps the stubbed tree free of "unused variable" warnings and tells
//!   the learner what to work with.
//! * Regions do not nest; one id may own several regions (in one file or
//!   several); every region belongs to exactly one manifest entry.
//!
//! Markers are plain comments, so the reference stays ordinary Rust that
//! rustfmt, clippy and rust-analyzer read like any other code.
//!
//! In a generated workbench the `begin`/`end` markers stay, the `stub:`
//! lines are gone and the code between the markers is the learner's.

use std::fmt;
use std::path::{Path, PathBuf};

/// One exercise region of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// The exercise id.
    pub id: String,
    /// The file, relative to the tree root (e.g. `mini_runtime/src/park.rs`).
    pub file: PathBuf,
    /// Which of this id's regions in this file it is (0, 1, ...).
    pub index: usize,
    /// 1-based line of the `begin` marker.
    pub begin_line: usize,
    /// 1-based line of the `end` marker.
    pub end_line: usize,
    /// 1-based line of the first code line (after any `stub:` lines).
    pub body_start_line: usize,
    /// The indentation of the `begin` marker.
    pub indent: String,
    /// The one-line task written after `begin:`.
    pub task: Option<String>,
    /// The explicit stub, one entry per `stub:` line (without indentation).
    pub stub: Option<Vec<String>>,
    /// The code between the markers (without `stub:` lines), each line with
    /// its line ending.
    pub body: String,
}

impl Region {
    /// `file:begin_line`, for messages.
    pub fn location(&self) -> String {
        format!("{}:{}", self.file.display(), self.begin_line)
    }

    /// The code that replaces the body when the region is stubbed.
    /// `fallback_task` is used when the `begin` marker has no task.
    pub fn stub_body(&self, fallback_task: &str) -> String {
        let task = self.task.as_deref().unwrap_or(fallback_task);
        let todo = todo_call(&self.id, task);
        let mut out = String::new();
        match &self.stub {
            Some(lines) => {
                for line in lines {
                    if line.trim().is_empty() {
                        out.push('\n');
                    } else {
                        out.push_str(&self.indent);
                        out.push_str(&line.replace("{todo}", &todo));
                        out.push('\n');
                    }
                }
            }
            None => {
                out.push_str(&self.indent);
                out.push_str(&todo);
                out.push('\n');
            }
        }
        out
    }
}

/// `todo!("exercise <id>: <task>")`, with the task escaped for a format
/// string literal.
pub fn todo_call(id: &str, task: &str) -> String {
    let escaped: String = task
        .chars()
        .flat_map(|c| match c {
            '\\' => vec!['\\', '\\'],
            '"' => vec!['\\', '"'],
            '{' => vec!['{', '{'],
            '}' => vec!['}', '}'],
            c => vec![c],
        })
        .collect();
    format!("todo!(\"exercise {id}: {escaped}\")")
}

/// A malformed marker, named by file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkerError {
    /// The file.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for MarkerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

impl std::error::Error for MarkerError {}

/// What a marker line says.
#[derive(Debug, PartialEq, Eq)]
enum Marker {
    Begin { id: String, task: Option<String> },
    Stub { id: String, code: String },
    End { id: String },
}

/// Whether `id` is a valid exercise id.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Recognises a marker line. `Ok(None)`: not a marker. A comment that
/// starts like a marker but is malformed is an error, so that a typo cannot
/// silently turn a region into ordinary code.
fn parse_marker(line: &str) -> Result<Option<(Marker, String)>, String> {
    let trimmed = line.trim_start();
    let indent = line[..line.len() - trimmed.len()].to_string();
    let Some(comment) = trimmed.strip_prefix("//") else {
        return Ok(None);
    };
    // `///` and `//!` are doc comments: never markers (docs may show the syntax).
    if comment.starts_with('/') || comment.starts_with('!') {
        return Ok(None);
    }
    let Some(rest) = comment.trim_start().strip_prefix("exercise(") else {
        return Ok(None);
    };
    let Some(close) = rest.find(')') else {
        return Err("malformed exercise marker: missing `)` after the id".into());
    };
    let id = &rest[..close];
    if !is_valid_id(id) {
        return Err(format!(
            "malformed exercise marker: invalid id `{id}` (use lowercase letters, digits and `_`)"
        ));
    }
    let Some(after) = rest[close + 1..].strip_prefix(':') else {
        return Err(format!(
            "malformed exercise marker: expected `:` after `exercise({id})`"
        ));
    };
    let after = after.trim_start();
    let id = id.to_string();
    let (word, tail) = match after.find(|c: char| c == ':' || c.is_whitespace()) {
        Some(i) => (&after[..i], &after[i..]),
        None => (after.trim_end(), ""),
    };
    let marker = match word {
        "begin" => {
            let tail = tail.trim();
            let task = match tail.strip_prefix(':') {
                Some(task) if !task.trim().is_empty() => Some(task.trim().to_string()),
                Some(_) => None,
                None if tail.is_empty() => None,
                None => {
                    return Err(format!(
                        "malformed exercise marker: write `begin: <task>`, not `begin {tail}`"
                    ));
                }
            };
            Marker::Begin { id, task }
        }
        "end" => {
            if !tail.trim().is_empty() {
                return Err(format!(
                    "malformed exercise marker: nothing may follow `end` (found `{}`)",
                    tail.trim()
                ));
            }
            Marker::End { id }
        }
        "stub" => {
            let Some(code) = tail.strip_prefix(':') else {
                return Err("malformed exercise marker: write `stub: <code>`".into());
            };
            // One space after the colon is part of the syntax, the rest is code.
            let code = code.strip_prefix(' ').unwrap_or(code);
            Marker::Stub {
                id,
                code: code.trim_end().to_string(),
            }
        }
        other => {
            return Err(format!(
                "unknown exercise marker `{other}` (expected `begin`, `stub:` or `end`)"
            ));
        }
    };
    Ok(Some((marker, indent)))
}

/// A region being read.
struct Open {
    id: String,
    begin_line: usize,
    indent: String,
    task: Option<String>,
    stub: Option<Vec<String>>,
    body_start_line: Option<usize>,
    body: String,
}

/// Finds every region in `text`; `file` names the file in errors and in
/// the regions.
pub fn parse_file(file: &Path, text: &str) -> Result<Vec<Region>, MarkerError> {
    let err = |line: usize, message: String| MarkerError {
        file: file.to_path_buf(),
        line,
        message,
    };
    let mut regions: Vec<Region> = Vec::new();
    let mut open: Option<Open> = None;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let n = i + 1;
        let content = line.trim_end_matches(['\n', '\r']);
        let marker = parse_marker(content).map_err(|m| err(n, m))?;
        match (marker, open.as_mut()) {
            (None, None) => {}
            (None, Some(o)) => {
                o.body_start_line.get_or_insert(n);
                o.body.push_str(line);
            }
            (Some((Marker::Begin { id, task }, indent)), None) => {
                open = Some(Open {
                    id,
                    begin_line: n,
                    indent,
                    task,
                    stub: None,
                    body_start_line: None,
                    body: String::new(),
                });
            }
            (Some((Marker::Begin { id, .. }, _)), Some(o)) => {
                return Err(err(
                    n,
                    format!(
                        "nested exercise region: `{id}` begins inside `{}` (begun at line {}); \
                         regions cannot nest",
                        o.id, o.begin_line
                    ),
                ));
            }
            (Some((Marker::Stub { id, .. }, _)), None) => {
                return Err(err(
                    n,
                    format!("`stub:` line for `{id}` outside an exercise region"),
                ));
            }
            (Some((Marker::Stub { id, code }, _)), Some(o)) => {
                if id != o.id {
                    return Err(err(
                        n,
                        format!(
                            "mismatched exercise id: `stub:` for `{id}` inside `{}` (begun at line {})",
                            o.id, o.begin_line
                        ),
                    ));
                }
                if o.body_start_line.is_some() {
                    return Err(err(
                        n,
                        format!("`stub:` lines of `{id}` must come right after its `begin` marker"),
                    ));
                }
                o.stub.get_or_insert_with(Vec::new).push(code);
            }
            (Some((Marker::End { id }, _)), None) => {
                return Err(err(
                    n,
                    format!("`end` of exercise `{id}` without a matching `begin`"),
                ));
            }
            (Some((Marker::End { id }, _)), Some(o)) => {
                if id != o.id {
                    return Err(err(
                        n,
                        format!(
                            "mismatched exercise id: `end` of `{id}` but `{}` is open (begun at line {})",
                            o.id, o.begin_line
                        ),
                    ));
                }
                let Some(body_start_line) = o.body_start_line else {
                    return Err(err(
                        n,
                        format!("exercise region `{id}` is empty (no code between the markers)"),
                    ));
                };
                let index = regions.iter().filter(|r| r.id == id).count();
                let o = open.take().expect("checked above");
                regions.push(Region {
                    id: o.id,
                    file: file.to_path_buf(),
                    index,
                    begin_line: o.begin_line,
                    end_line: n,
                    body_start_line,
                    indent: o.indent,
                    task: o.task,
                    stub: o.stub,
                    body: o.body,
                });
            }
        }
    }
    if let Some(o) = open {
        return Err(err(
            o.begin_line,
            format!(
                "unterminated exercise region `{}`: `begin` without `end`",
                o.id
            ),
        ));
    }
    Ok(regions)
}

/// Rewrites `text`: for every region for which `replace` returns a body,
/// the lines between its markers (including `stub:` lines) become that
/// body; the markers stay. Other regions are copied unchanged.
pub fn render(
    text: &str,
    regions: &[Region],
    mut replace: impl FnMut(&Region) -> Option<String>,
) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = String::with_capacity(text.len());
    let mut next = 0; // index of the next line to copy
    for region in regions {
        let Some(body) = replace(region) else {
            continue;
        };
        // Copy up to and including the begin marker.
        for line in &lines[next..region.begin_line] {
            out.push_str(line);
        }
        out.push_str(&body);
        if !body.is_empty() && !body.ends_with('\n') {
            out.push('\n');
        }
        next = region.end_line - 1; // the end marker is copied next
    }
    for line in &lines[next..] {
        out.push_str(line);
    }
    out
}

/// The text of a region as compared and hashed: trailing whitespace of
/// each line removed, surrounding blank lines dropped.
pub fn normalize(body: &str) -> String {
    let lines: Vec<&str> = body.lines().map(str::trim_end).collect();
    let start = lines
        .iter()
        .position(|l| !l.is_empty())
        .unwrap_or(lines.len());
    let end = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(start, |e| e + 1);
    lines[start..end].join("\n")
}

/// FNV-1a, 64 bits, as 16 hex digits: a stable hash for progress records
/// (not for security).
pub fn hash_hex(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<Region>, MarkerError> {
        parse_file(Path::new("src/x.rs"), text)
    }

    fn error(text: &str) -> String {
        parse(text).expect_err("should be rejected").to_string()
    }

    const SAMPLE: &str = "\
fn a() -> u32 {
    // exercise(alpha): begin: return the answer
    let x = 40;
    x + 2
    // exercise(alpha): end
}

fn b(cx: u32) -> u32 {
    // exercise(beta): begin
    // exercise(beta): stub: let _ = cx;
    // exercise(beta): stub: {todo}
    cx * 2
    // exercise(beta): end
}
";

    #[test]
    fn parses_regions_with_and_without_stub_lines() {
        let regions = parse(SAMPLE).unwrap();
        assert_eq!(regions.len(), 2);
        let a = &regions[0];
        assert_eq!(a.id, "alpha");
        assert_eq!((a.begin_line, a.body_start_line, a.end_line), (2, 3, 5));
        assert_eq!(a.indent, "    ");
        assert_eq!(a.task.as_deref(), Some("return the answer"));
        assert_eq!(a.stub, None);
        assert_eq!(a.body, "    let x = 40;\n    x + 2\n");
        let b = &regions[1];
        assert_eq!(b.id, "beta");
        assert_eq!(b.task, None);
        assert_eq!(
            b.stub.as_deref(),
            Some(&["let _ = cx;".to_string(), "{todo}".to_string()][..])
        );
        assert_eq!(b.body, "    cx * 2\n");
        assert_eq!(b.body_start_line, 12);
        assert_eq!(b.location(), "src/x.rs:9");
    }

    #[test]
    fn stub_generation_default_and_explicit() {
        let regions = parse(SAMPLE).unwrap();
        assert_eq!(
            regions[0].stub_body("unused"),
            "    todo!(\"exercise alpha: return the answer\")\n"
        );
        assert_eq!(
            regions[1].stub_body("double it"),
            "    let _ = cx;\n    todo!(\"exercise beta: double it\")\n"
        );
    }

    #[test]
    fn todo_call_escapes_format_syntax() {
        assert_eq!(
            todo_call("x", r#"say "hi" {now} \o/"#),
            r#"todo!("exercise x: say \"hi\" {{now}} \\o/")"#
        );
    }

    #[test]
    fn render_replaces_only_selected_regions_and_keeps_markers() {
        let regions = parse(SAMPLE).unwrap();
        let out = render(SAMPLE, &regions, |r| {
            (r.id == "beta").then(|| r.stub_body("double it"))
        });
        assert_eq!(
            out,
            SAMPLE.replace(
                "    // exercise(beta): stub: let _ = cx;\n    // exercise(beta): stub: {todo}\n    cx * 2\n",
                "    let _ = cx;\n    todo!(\"exercise beta: double it\")\n"
            )
        );
        // The stubbed file still parses, with the stub as its body.
        let again = parse(&out).unwrap();
        assert_eq!(
            again[1].body,
            "    let _ = cx;\n    todo!(\"exercise beta: double it\")\n"
        );
        assert_eq!(again[0], regions[0]);
        // Replacing nothing is the identity.
        assert_eq!(render(SAMPLE, &regions, |_| None), SAMPLE);
    }

    #[test]
    fn several_regions_of_one_id_are_numbered() {
        let text = "// exercise(a): begin\nx\n// exercise(a): end\n// exercise(a): begin\ny\n// exercise(a): end\n";
        let regions = parse(text).unwrap();
        assert_eq!(
            regions.iter().map(|r| r.index).collect::<Vec<_>>(),
            vec![0, 1]
        );
    }

    #[test]
    fn nested_regions_are_an_error_naming_file_and_line() {
        let e = error(
            "// exercise(a): begin\nx\n    // exercise(b): begin\ny\n// exercise(b): end\n// exercise(a): end\n",
        );
        assert!(e.starts_with("src/x.rs:3: nested exercise region"), "{e}");
        assert!(e.contains("`b` begins inside `a` (begun at line 1)"), "{e}");
    }

    #[test]
    fn unterminated_region_names_its_begin_line() {
        let e = error("fn f() {}\n// exercise(a): begin\nx\n");
        assert_eq!(
            e,
            "src/x.rs:2: unterminated exercise region `a`: `begin` without `end`"
        );
    }

    #[test]
    fn end_without_begin_and_mismatched_ids() {
        assert_eq!(
            error("x\n// exercise(a): end\n"),
            "src/x.rs:2: `end` of exercise `a` without a matching `begin`"
        );
        let e = error("// exercise(a): begin\nx\n// exercise(b): end\n");
        assert!(
            e.starts_with("src/x.rs:3: mismatched exercise id: `end` of `b` but `a` is open"),
            "{e}"
        );
        let e = error("// exercise(a): begin\n// exercise(b): stub: x\ny\n// exercise(a): end\n");
        assert!(e.starts_with("src/x.rs:2: mismatched exercise id"), "{e}");
    }

    #[test]
    fn stub_lines_only_right_after_begin() {
        let e = error("// exercise(a): begin\nx\n// exercise(a): stub: y\n// exercise(a): end\n");
        assert!(
            e.starts_with("src/x.rs:3: `stub:` lines of `a` must come right after"),
            "{e}"
        );
        let e = error("// exercise(a): stub: y\n");
        assert!(
            e.starts_with("src/x.rs:1: `stub:` line for `a` outside"),
            "{e}"
        );
    }

    #[test]
    fn malformed_markers_are_errors_not_code() {
        assert!(error("// exercise(a: begin\n").contains("missing `)`"));
        assert!(error("// exercise(A-b): begin\n").contains("invalid id `A-b`"));
        assert!(error("// exercise(a) begin\n").contains("expected `:`"));
        assert!(error("// exercise(a): start\n").contains("unknown exercise marker `start`"));
        assert!(error("//exercise(a): finish\n").contains("unknown exercise marker"));
        assert!(error("// exercise(a): begin now\n").contains("write `begin: <task>`"));
        assert!(error("// exercise(a): end now\n").contains("nothing may follow `end`"));
        assert!(error("// exercise(a): begin\n// exercise(a): end\n").contains("is empty"));
    }

    #[test]
    fn doc_comments_and_ordinary_comments_are_not_markers() {
        let text = "//! // exercise(a): begin\n/// // exercise(a): begin\n// an exercise (a) here\nlet s = \"// exercise(a): begin\";\n";
        assert_eq!(parse(text).unwrap(), vec![]);
    }

    #[test]
    fn crlf_line_endings_are_kept() {
        let text = "a\r\n// exercise(a): begin\r\nx\r\n// exercise(a): end\r\nb\r\n";
        let regions = parse(text).unwrap();
        assert_eq!(regions[0].body, "x\r\n");
        let out = render(text, &regions, |_| Some("y\n".into()));
        assert_eq!(
            out,
            "a\r\n// exercise(a): begin\r\ny\n// exercise(a): end\r\nb\r\n"
        );
    }

    #[test]
    fn normalize_and_hash() {
        assert_eq!(normalize("\n  a  \n\tb\t\n\n"), "  a\n\tb");
        assert_eq!(hash_hex(""), "cbf29ce484222325");
        assert_eq!(hash_hex("a"), "af63dc4c8601ec8c");
        assert_ne!(hash_hex(&normalize("x\n")), hash_hex(&normalize("y\n")));
        assert_eq!(hash_hex(&normalize("x  \n")), hash_hex(&normalize("x\n\n")));
    }
}
