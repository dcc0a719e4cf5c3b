//! Criterion benchmarks that run the same workloads on mini_runtime and on
//! Tokio, side by side, plus a summary tool that prints the mini/Tokio
//! ratios.
//!
//! # The suite
//!
//! The workloads re-implement Tokio's own runtime benchmarks (Tokio's
//! `benches/` folder: `rt_current_thread.rs`, `rt_multi_threaded.rs`,
//! `spawn.rs`, `sync_mpsc_oneshot.rs`, `spawn_blocking.rs`,
//! `remote_spawn.rs`, `time_timeout.rs`, `time_many_timers.rs`) with the
//! same parameters, plus a few Tokio lacks (`time/block_on_ready`,
//! `time/fire_many`, `memory/pending_tasks`). Each workload is written
//! **once**, as a function generic over the runtime facade [`Rt`], and
//! registered for both runtimes, so criterion ids come in pairs:
//! `<group>/<workload>[/<variant>]/mini` and `.../tokio`.
//!
//! | bench binary | group | what |
//! |---|---|---|
//! | `rt_ct` | `rt_ct` | current-thread spawning, local and remote |
//! | `rt_mt` | `rt_mt` | multi-thread scheduler: spawning, ping-pong, yielding, chains; `mt4` and `mtN` |
//! | `spawn` | `spawn` | spawn one (or ten) yielding tasks and await them |
//! | `request_reply` | `request_reply` | 1,000 request/reply round trips to a responder task |
//! | `spawn_blocking` | `spawn_blocking` | batches of blocking-pool jobs from N tasks |
//! | `remote_spawn` | `remote_spawn` | 12,800 spawns from N outside threads |
//! | `time` | `time` | timer creation, registration, expiry |
//! | `memory` | `memory` | bytes per pending task (not a timing; writes `target/bench-memory.json`) |
//!
//! Rules the workloads follow (from the project's `benchmarks.md`):
//! multi-thread workloads run with 4 workers (Tokio's setting) and with N =
//! available parallelism; message passing uses a runtime-neutral channel
//! (`futures::channel`) on both sides, with a runtime-native variant where
//! Tokio's file uses Tokio's channels; completion is signalled the way
//! Tokio's file does it (a `std::sync::mpsc::sync_channel` "done" channel
//! and an atomic counter). Background load of the "busy" workloads is set
//! up before timing and torn down (runtime dropped) after.
//!
//! # Running
//!
//! ```text
//! cargo bench -p benches                    # the whole suite (about 12 minutes on 2 cores)
//! cargo bench -p benches -- rt_mt/ping_pong # a part (criterion's regex filter)
//! cargo bench -p benches -- --quick         # fast, less precise
//! cargo test  -p benches --benches          # smoke: every workload once, untimed
//! cargo run --release -p benches --bin bench-summary
//! ```
//!
//! These are teaching and regression workloads: they isolate one mechanism
//! each (spawning, waking, stealing, timers), and say nothing about how a
//! real application would fare.
//!
//! # The library
//!
//! * [`facade`]: the [`Rt`] trait and its two implementations.
//! * [`config`]: criterion settings, worker counts, smoke-mode detection.
//! * [`catalog`]: every workload id, in suite order.
//! * [`memory`]: the memory results file.
//! * [`summary`]: reading criterion's estimates, verdicts, the table.

pub mod catalog;
pub mod config;
pub mod facade;
pub mod memory;
pub mod summary;

use std::path::{Path, PathBuf};

pub use facade::{Drivers, Flavor, Mini, MpscReceiver, MpscSender, OneshotSender, Rt, Tokio};

/// The workspace root (the parent of this crate's directory).
pub fn workspace_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// The target directory the summary tool reads by default: `$CARGO_TARGET_DIR`
/// if set, else `<workspace>/target`.
pub fn default_target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => workspace_dir().join("target"),
    }
}

/// The target directory a bench binary writes to, found the way criterion
/// finds it: `$CARGO_TARGET_DIR` if set; else the nearest ancestor of the
/// running executable that holds cargo's `CACHEDIR.TAG` (the executable
/// lives in `<target>/<profile>/deps/`); else `<workspace>/target`.
pub fn bench_target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Ok(exe) = std::env::current_exe() {
        if let Some(dir) = exe
            .ancestors()
            .skip(1)
            .find(|dir| dir.join("CACHEDIR.TAG").is_file())
        {
            return dir.to_path_buf();
        }
    }
    workspace_dir().join("target")
}
