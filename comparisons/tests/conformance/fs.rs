//! Conformance behaviours of file reading: `fs::read_to_string`, and
//! `fs::File::open` read line by line (through [`Rt::read_lines`], since
//! mini_runtime's `File` implements the `futures-io` traits and Tokio's
//! implements Tokio's own). Written once, run on every flavour; Tokio is
//! the reference that proves each test right. `std::fs` is the oracle for
//! the contents.

use std::io;
use std::path::PathBuf;

use super::facade::{Library, Rt};
use super::util::scratch_path;

conformance_tests! {
    read_lines_gives_the_same_lines_as_std,
    read_lines_of_an_empty_file_gives_no_lines,
    read_to_string_gives_the_same_text_as_std,
    files_read_by_many_tasks_at_once_are_all_complete,
    a_missing_file_is_not_found,
}

/// A scratch file, removed when dropped.
#[derive(Debug)]
struct ScratchFile(PathBuf);

impl ScratchFile {
    /// Writes `contents` to a new scratch file for this test and flavour.
    fn new<R: Rt>(test: &str, contents: &[u8]) -> ScratchFile {
        let path = scratch_path(test, R::NAME);
        std::fs::write(&path, contents).expect("writing the scratch file");
        ScratchFile(path)
    }

    /// The file's path.
    fn path(&self) -> PathBuf {
        self.0.clone()
    }
}

impl Drop for ScratchFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Text with every kind of line the readers must agree on: empty lines,
/// `\r\n` endings, non-ASCII, long lines, no newline at the very end, and
/// in all more than 64 KiB (mini_runtime reads in 64 KiB chunks, so lines
/// straddle chunk boundaries).
fn awkward_text() -> String {
    let mut text = String::from("first line\n\nwindows line\r\nnon-ASCII: é, ß, 日本, 🦀\n");
    for i in 0..3000 {
        text.push_str(&format!("line {i}: {}\n", "x".repeat(i % 40)));
    }
    text.push_str(&"y".repeat(70_000));
    text.push('\n');
    text.push_str("last line without a newline");
    text
}

/// Reading a file line by line gives exactly std's `str::lines` of its
/// contents.
fn read_lines_gives_the_same_lines_as_std<R: Rt>() {
    let file = ScratchFile::new::<R>("read_lines", awkward_text().as_bytes());
    let expected: Vec<String> = std::fs::read_to_string(file.path())
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert!(expected.len() > 3000);
    let rt = R::build();
    let lines = rt.block_on(R::read_lines(file.path())).unwrap();
    assert_eq!(lines.len(), expected.len());
    assert_eq!(lines, expected);
}

/// An empty file has no lines.
fn read_lines_of_an_empty_file_gives_no_lines<R: Rt>() {
    let file = ScratchFile::new::<R>("empty", b"");
    let rt = R::build();
    let lines = rt.block_on(R::read_lines(file.path())).unwrap();
    assert!(lines.is_empty(), "{lines:?}");
    assert_eq!(rt.block_on(R::read_to_string(file.path())).unwrap(), "");
}

/// `read_to_string` gives exactly what `std::fs::read_to_string` gives.
fn read_to_string_gives_the_same_text_as_std<R: Rt>() {
    let file = ScratchFile::new::<R>("read_to_string", awkward_text().as_bytes());
    let rt = R::build();
    let text = rt.block_on(R::read_to_string(file.path())).unwrap();
    assert_eq!(text, std::fs::read_to_string(file.path()).unwrap());
}

/// Ten tasks reading the same file at once, half line by line and half
/// whole, all get the complete contents.
fn files_read_by_many_tasks_at_once_are_all_complete<R: Rt>() {
    let text = awkward_text();
    let file = ScratchFile::new::<R>("many_readers", text.as_bytes());
    let rt = R::build();
    rt.block_on(async {
        let joins: Vec<_> = (0..10)
            .map(|i| {
                let path = file.path();
                R::spawn(async move {
                    if i % 2 == 0 {
                        R::read_lines(path).await.unwrap().join("\n")
                    } else {
                        R::read_to_string(path).await.unwrap()
                    }
                })
            })
            .collect();
        let expected_lines = text.lines().collect::<Vec<_>>().join("\n");
        for (i, join) in joins.into_iter().enumerate() {
            let got = join.await.unwrap();
            if i % 2 == 0 {
                assert_eq!(got, expected_lines, "reader {i}");
            } else {
                assert_eq!(got, text, "reader {i}");
            }
        }
    });
}

/// Opening or reading a file that does not exist fails with
/// `io::ErrorKind::NotFound`. mini_runtime's message also names the path;
/// Tokio's is std's bare OS message ("No such file or directory (os error
/// 2)"), so the path is asserted for mini_runtime only.
fn a_missing_file_is_not_found<R: Rt>() {
    let path = scratch_path("missing", R::NAME).with_extension("does-not-exist");
    let rt = R::build();
    let errors: [io::Error; 2] = [
        rt.block_on(R::read_to_string(path.clone())).unwrap_err(),
        rt.block_on(R::read_lines(path.clone())).unwrap_err(),
    ];
    let name = path.display().to_string();
    for err in errors {
        assert_eq!(err.kind(), io::ErrorKind::NotFound, "{err}");
        let names_the_path = err.to_string().contains(&name);
        if R::Lib::CRATE == "mini_runtime" {
            assert!(names_the_path, "mini_runtime names the path: {err}");
        } else {
            assert!(!names_the_path, "Tokio started naming the path: {err}");
        }
    }
}
