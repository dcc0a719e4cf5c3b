//! The results of `memory/pending_tasks`, as the memory bench binary
//! writes them and the summary tool reads them.
//!
//! The file is `<target>/bench-memory.json` (see [`MEMORY_FILE`]): one
//! [`MemoryResult`] per runtime and flavour. A run of a subset (a filter)
//! replaces only the entries it measured.

use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// File name of the memory results, directly under the target directory.
pub const MEMORY_FILE: &str = "bench-memory.json";

/// Everything `target/bench-memory.json` holds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MemoryReport {
    /// One entry per (flavour, runtime).
    pub results: Vec<MemoryResult>,
}

/// The memory figures of one runtime and flavour, measured in a process of
/// its own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemoryResult {
    /// `ct` or `mt<N>`.
    pub flavor: String,
    /// `mini` or `tokio`.
    pub runtime: String,
    /// How many never-ready tasks were spawned.
    pub tasks: usize,
    /// Peak of heap bytes live (allocated minus freed) above the baseline
    /// taken just before spawning, counted by a global allocator.
    pub peak_bytes: u64,
    /// `peak_bytes / tasks`: the headline figure.
    pub bytes_per_task: f64,
    /// Heap bytes still live above the baseline once every task has been
    /// polled and the spawning is over, per task.
    pub retained_bytes_per_task: f64,
    /// Peak resident set size (VmHWM) minus the resident set before
    /// spawning, in bytes; `None` where /proc/self/status is unavailable.
    pub rss_bytes: Option<u64>,
    /// `rss_bytes / tasks`.
    pub rss_bytes_per_task: Option<f64>,
}

impl MemoryReport {
    /// Reads the report; `Ok(None)` when the file does not exist.
    pub fn read(path: &Path) -> io::Result<Option<MemoryReport>> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(err),
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|err| io::Error::new(io::ErrorKind::InvalidData, err))
    }

    /// Writes the report as pretty JSON, creating the directory if needed.
    pub fn write(&self, path: &Path) -> io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let text = serde_json::to_string_pretty(self).map_err(io::Error::other)?;
        std::fs::write(path, text + "\n")
    }

    /// Adds `result`, replacing an earlier entry of the same flavour and runtime.
    pub fn upsert(&mut self, result: MemoryResult) {
        self.results
            .retain(|r| !(r.flavor == result.flavor && r.runtime == result.runtime));
        self.results.push(result);
    }

    /// The entry of this flavour and runtime, if measured.
    pub fn get(&self, flavor: &str, runtime: &str) -> Option<&MemoryResult> {
        self.results
            .iter()
            .find(|r| r.flavor == flavor && r.runtime == runtime)
    }
}
