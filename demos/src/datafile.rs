//! The text file the file lessons (15, 19) read.
//!
//! The workshop's programs open a relative path and fail silently when run
//! from another folder. Here the default input is a deterministic file the
//! demo writes itself into `std::env::temp_dir()/mini_runtime_demos/`,
//! once: it is reused when it already has the right size. `--file PATH`
//! reads another file; a missing one is an error that names the path.

use std::fmt::Write as _;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use crate::report::{Error, Options};

/// Lines of the generated file by default.
pub const DEFAULT_LINES: usize = 200_000;

const WORDS: [&str; 12] = [
    "async", "await", "future", "poll", "waker", "executor", "task", "reactor", "timer", "channel",
    "stream", "runtime",
];

/// Line `i` (0-based) of the generated file, without the newline.
pub fn line(i: usize) -> String {
    let mut s = format!("line {i:06}:");
    let words = 3 + (i * 7) % 6;
    for w in 0..words {
        let _ = write!(s, " {}", WORDS[(i * 31 + w * 17) % WORDS.len()]);
    }
    s
}

fn contents(lines: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(lines * 48);
    for i in 0..lines {
        out.extend_from_slice(line(i).as_bytes());
        out.push(b'\n');
    }
    out
}

/// Where the generated file with `lines` lines lives.
pub fn generated_path(lines: usize) -> PathBuf {
    std::env::temp_dir()
        .join("mini_runtime_demos")
        .join(format!("lines-{lines}.txt"))
}

/// Writes the generated file unless a file of the right size is already
/// there, and returns its path. Written to a temporary name and renamed,
/// so concurrent runs never see half a file.
pub fn ensure_generated(lines: usize) -> Result<PathBuf, Error> {
    let path = generated_path(lines);
    let size: u64 = (0..lines).map(|i| line(i).len() as u64 + 1).sum();
    if fs::metadata(&path).is_ok_and(|m| m.len() == size) {
        return Ok(path);
    }
    let data = contents(lines);
    let dir = path.parent().expect("the path has a folder");
    fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("could not create `{}`", dir.display()), e))?;
    let tmp = dir.join(format!("lines-{lines}.txt.{}.tmp", std::process::id()));
    let write = |tmp: &Path| -> io::Result<()> {
        let mut f = fs::File::create(tmp)?;
        f.write_all(&data)?;
        f.sync_all()
    };
    write(&tmp).map_err(|e| Error::io(format!("could not write `{}`", tmp.display()), e))?;
    fs::rename(&tmp, &path)
        .map_err(|e| Error::io(format!("could not write `{}`", path.display()), e))?;
    Ok(path)
}

/// The file a file lesson reads: `--file`, or the generated one.
pub fn input_path(opts: &Options) -> Result<PathBuf, Error> {
    match &opts.file {
        Some(path) => Ok(path.clone()),
        None => ensure_generated(opts.lines),
    }
}

/// The file's lines read synchronously with `std` (no runtime involved):
/// the reference the async readers are compared against.
pub fn reference_lines(path: &Path) -> Result<Vec<String>, Error> {
    let text = fs::read_to_string(path)
        .map_err(|e| Error::io(format!("could not read `{}`", path.display()), e))?;
    Ok(text.lines().map(str::to_string).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_deterministic_and_distinct() {
        assert_eq!(line(0), line(0));
        assert_ne!(line(1), line(2));
        assert!(line(123).starts_with("line 000123:"));
    }

    #[test]
    fn generated_file_is_reused() {
        let p1 = ensure_generated(321).unwrap();
        let modified = fs::metadata(&p1).unwrap().modified().unwrap();
        let p2 = ensure_generated(321).unwrap();
        assert_eq!(p1, p2);
        assert_eq!(fs::metadata(&p2).unwrap().modified().unwrap(), modified);
        assert_eq!(reference_lines(&p2).unwrap().len(), 321);
    }
}
