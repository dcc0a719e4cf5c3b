//! Lesson 15, `file_lines`: async file reading, done on the blocking pool.
//!
//! # The concept
//!
//! Regular files have no "ready" notification (epoll says they always
//! are), so async runtimes read them on the blocking pool: each read is a
//! `spawn_blocking` job, and the task awaits it. Three tasks read the same
//! large file line by line:
//!
//! ```ignore
//! async fn reader(path: &str) -> anyhow::Result<usize> {
//!     let mut lines = BufReader::new(File::open(path).await?).lines();
//!     let mut n = 0;
//!     while let Some(_line) = lines.next_line().await? { n += 1; }
//!     Ok(n)
//! }
//! let (a, b, c) = tokio::join!(spawn(reader(p)), spawn(reader(p)), spawn(reader(p)));
//! ```
//!
//! The facade's `R::open_lines(path)` is that `File::open` + line reader
//! as a `Stream` (Tokio: `tokio::fs::File` + `BufReader::lines`;
//! mini_runtime: `fs::File`, which implements futures-io's `AsyncBufRead`,
//! + `futures::AsyncBufReadExt::lines`).
//!
//! The input is a deterministic file of 200,000 lines that the demo writes
//! once into the temp folder (`--lines N` for another size), or `--file
//! PATH`; a missing file is an error naming the path. The lines are
//! compared with the file as `std::fs` reads it.
//!
//! # What to look for
//!
//! Every reader sees every line, in order, and the readers interleave:
//! while one waits for its next chunk from the blocking pool, another runs
//! (the `switches` figure counts how often the progress log changes reader,
//! one entry per 1,000 lines).
//!
//! # Why interleaving needs a large file
//!
//! A reader's next chunk often arrives from the blocking pool *while the
//! reader is still being polled* (the read of 64 KiB from the page cache
//! takes microseconds). A task woken during its own poll is re-queued by
//! the scheduler thread itself, on the *local* run queue, while the other
//! readers, woken from pool threads, wait in the *inject* queue, which a
//! current-thread scheduler checks only every `global_queue_interval` (31)
//! ticks when local work exists. Both runtimes do this (Tokio's harness
//! calls `schedule` from the runtime thread, which pushes to the local
//! queue). So one reader may read up to ~31 chunks in a row: a file of a
//! few chunks can be read by the three tasks one after the other. The
//! invariant asks for interleaving only for files of at least 2 x 31 x 64
//! KiB (about 4 MiB; the default file is about 10 MB).
//!
//! # Runtime differences
//!
//! Chunk sizes: mini_runtime's `File` reads 64 KiB per blocking job,
//! Tokio's `BufReader` asks for 8 KiB at a time, so Tokio makes about eight
//! times as many trips to the blocking pool (compare `read_ms`). The
//! original runs on a current-thread runtime; on the multi-thread flavours
//! the readers also run in parallel.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use futures::StreamExt as _;

use crate::check::{ensure, equal};
use crate::ctx::{Ctx, Recorder};
use crate::datafile;
use crate::lessons::failed;
use crate::report::{Error, Report};
use crate::rt::Rt;

/// Lesson number.
pub const NUMBER: u32 = 15;
/// Lesson name.
pub const NAME: &str = "file_lines";
/// What it teaches.
pub const TEACHES: &str =
    "async file reading on the blocking pool: 3 tasks read the same 200,000-line file line by line";
/// The invariant.
pub const INVARIANT: &str = "each reader sees every line once, in file order; readers interleave";

/// Progress-log granularity, in lines.
const MARK_EVERY: usize = 1_000;
/// Files smaller than this may be read in too few chunks to interleave
/// (see "Why interleaving needs a large file" in the module docs): two
/// windows of 31 scheduler ticks of 64 KiB chunks.
const INTERLEAVE_MIN_BYTES: u64 = 2 * 31 * 64 * 1024;

struct ReaderResult {
    lines: usize,
    mismatches: usize,
}

async fn reader<R: Rt>(
    id: u8,
    path: Arc<Path>,
    reference: Arc<Vec<String>>,
    log: Arc<Mutex<Vec<u8>>>,
    rec: Recorder,
) -> Result<ReaderResult, Error> {
    let mut lines = R::open_lines(&path)
        .await
        .map_err(|e| Error::io(format!("reader {id}"), e))?;
    let (mut n, mut mismatches) = (0, 0);
    while let Some(line) = lines.next().await {
        let line =
            line.map_err(|e| Error::io(format!("reader {id}: reading `{}`", path.display()), e))?;
        if reference.get(n) != Some(&line) {
            mismatches += 1;
        }
        n += 1;
        if n % MARK_EVERY == 0 {
            log.lock().unwrap_or_else(PoisonError::into_inner).push(id);
        }
        if n % 50_000 == 0 {
            rec.mark(
                &format!("reader {id}"),
                "progress",
                Some(n as i64),
                format!("reader {id}: {n} lines"),
            );
        }
    }
    rec.mark(
        &format!("reader {id}"),
        "done",
        Some(n as i64),
        format!("reader {id}: done, {n} lines"),
    );
    Ok(ReaderResult {
        lines: n,
        mismatches,
    })
}

/// Runs the lesson.
pub fn run<R: Rt>(cx: &Ctx) -> Result<(), Error> {
    let path = datafile::input_path(cx.opts())?;
    let reference = Arc::new(datafile::reference_lines(&path)?);
    let file_bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let rec = cx.rec();
    rec.say(
        "main",
        format!(
            "reading `{}` ({} lines, {file_bytes} bytes) with 3 tasks",
            path.display(),
            reference.len()
        ),
    );
    let path: Arc<Path> = path.into();
    let log = Arc::new(Mutex::new(Vec::new()));
    let start = Instant::now();
    let results = cx.block_on::<R, _>(async {
        let handles: Vec<_> = (0..3u8)
            .map(|id| {
                R::spawn(reader::<R>(
                    id,
                    path.clone(),
                    reference.clone(),
                    log.clone(),
                    rec.clone(),
                ))
            })
            .collect();
        let mut results = Vec::new();
        for handle in handles {
            results.push(handle.await.map_err(failed)??);
        }
        Ok::<_, Error>(results)
    })??;
    let read_ms = start.elapsed().as_secs_f64() * 1e3;
    let log = log.lock().unwrap_or_else(PoisonError::into_inner).clone();
    cx.figure("file", path.display().to_string());
    cx.figure("file_bytes", file_bytes);
    cx.figure("lines_expected", reference.len());
    cx.figure(
        "lines_per_reader",
        results.iter().map(|r| r.lines).collect::<Vec<_>>(),
    );
    cx.figure(
        "mismatches_per_reader",
        results.iter().map(|r| r.mismatches).collect::<Vec<_>>(),
    );
    cx.figure("switches", crate::check::switches(&log));
    cx.figure("read_ms", read_ms);
    cx.note(format!(
        "progress log (one letter per {MARK_EVERY} lines): {}",
        abbreviate(&log)
    ));
    Ok(())
}

fn abbreviate(log: &[u8]) -> String {
    let s: String = log.iter().map(|id| (b'a' + id) as char).collect();
    if s.len() > 90 {
        format!("{}...{}", &s[..60], &s[s.len() - 20..])
    } else {
        s
    }
}

/// Checks the invariant.
pub fn check(r: &Report) -> Result<String, String> {
    let expected = r.int("lines_expected")?;
    let lines = r.ints("lines_per_reader")?;
    equal(
        "lines seen by each of the 3 readers",
        lines.clone(),
        vec![expected; 3],
    )?;
    equal(
        "lines out of place, per reader",
        r.ints("mismatches_per_reader")?,
        vec![0; 3],
    )?;
    let switches = r.int("switches")?;
    let bytes = r.int("file_bytes")?;
    if bytes as u64 >= INTERLEAVE_MIN_BYTES {
        ensure(switches > 2, || {
            format!(
                "the readers did not interleave: the progress log changed reader only {switches} times (3 readers one after the other change it twice)"
            )
        })?;
        Ok(format!(
            "3 readers x {expected} lines, all in file order; the progress log switched reader {switches} times"
        ))
    } else {
        Ok(format!(
            "3 readers x {expected} lines, all in file order (file too small to require interleaving; {switches} switches)"
        ))
    }
}
