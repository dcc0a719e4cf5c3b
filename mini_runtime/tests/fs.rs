//! `fs`: file reading on the blocking pool, with futures' line streams.

mod common;

use std::time::Duration;

use common::with_time_limit;
use futures::{AsyncBufReadExt, AsyncReadExt, StreamExt};
use mini_runtime::fs::{self, File};
use mini_runtime::runtime::Builder;

const LIMIT: Duration = Duration::from_secs(60);

fn temp_file(name: &str, lines: usize) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mini_runtime_fs_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let text: String = (0..lines)
        .map(|i| format!("line {i}: the quick brown fox\n"))
        .collect();
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn lines_equal_what_std_reads() {
    with_time_limit(LIMIT, || {
        let path = temp_file("lines.txt", 20_000);
        let expected: Vec<String> = std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        let rt = Builder::new_current_thread().build().unwrap();
        let got: Vec<String> = rt.block_on(async {
            let file = File::open(&path).await.unwrap();
            file.lines().map(|l| l.unwrap()).collect().await
        });
        assert_eq!(got.len(), 20_000);
        assert_eq!(got, expected);
        // Through futures' BufReader too.
        let got2: Vec<String> = rt.block_on(async {
            let file = File::open(&path).await.unwrap();
            futures::io::BufReader::new(file)
                .lines()
                .map(|l| l.unwrap())
                .collect()
                .await
        });
        assert_eq!(got2, expected);
    });
}

#[test]
fn three_concurrent_readers_each_see_every_line_in_order() {
    with_time_limit(LIMIT, || {
        let path = temp_file("readers.txt", 50_000);
        let rt = Builder::new_current_thread().build().unwrap();
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let counts = rt.block_on(async {
            let readers: Vec<_> = (0..3)
                .map(|id| {
                    let (path, log) = (path.clone(), log.clone());
                    mini_runtime::spawn(async move {
                        let mut lines = File::open(&path).await.unwrap().lines();
                        let mut n = 0usize;
                        while let Some(line) = lines.next().await {
                            assert_eq!(line.unwrap(), format!("line {n}: the quick brown fox"));
                            n += 1;
                            if n % 10_000 == 0 {
                                log.lock().unwrap().push(id);
                            }
                        }
                        n
                    })
                })
                .collect();
            let mut counts = Vec::new();
            for r in readers {
                counts.push(r.await.unwrap());
            }
            counts
        });
        assert_eq!(counts, vec![50_000; 3]);
        // Whether the readers' progress marks interleave depends on how
        // fast the blocking pool turns chunks around compared with thread
        // start-up, so it is not asserted here (the demos' lesson 15 shows
        // it on a file large enough to make it reliable). Every reader
        // logged all of its marks:
        let log = log.lock().unwrap().clone();
        for id in 0..3 {
            assert_eq!(log.iter().filter(|&&r| r == id).count(), 5);
        }
    });
}

#[test]
fn read_to_string_read_and_write() {
    with_time_limit(LIMIT, || {
        let path = temp_file("rw.txt", 0);
        let rt = Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            fs::write(&path, "hello\nworld\n").await.unwrap();
            assert_eq!(fs::read_to_string(&path).await.unwrap(), "hello\nworld\n");
            assert_eq!(fs::read(&path).await.unwrap(), b"hello\nworld\n");
            let mut s = String::new();
            File::open(&path)
                .await
                .unwrap()
                .read_to_string(&mut s)
                .await
                .unwrap();
            assert_eq!(s, "hello\nworld\n");
        });
    });
}

#[test]
fn a_missing_file_is_an_error_that_names_the_path() {
    with_time_limit(LIMIT, || {
        let rt = Builder::new_current_thread().build().unwrap();
        let missing = std::env::temp_dir().join("mini_runtime_definitely_missing.txt");
        let err = rt.block_on(File::open(&missing)).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
        assert!(
            err.to_string().contains(&missing.display().to_string()),
            "{err}"
        );
        let err = rt.block_on(fs::read_to_string(&missing)).unwrap_err();
        assert!(
            err.to_string()
                .contains("mini_runtime_definitely_missing.txt"),
            "{err}"
        );
    });
}
