//! The learner's progress and the workbench's own records, in
//! `<workbench>/.exercises/`:
//!
//! ```text
//! workbench.json    where the reference is, which exercise is active, cumulative or not
//! progress.json     per exercise id: status, attempts, hints shown, hash of the
//!                   learner's region when it passed (and of the reference region)
//! saved/<id>.json   the learner's code of that exercise's regions (a solution that
//!                   passed, or work in progress set aside by `start`)
//! ```
//!
//! Everything is keyed by exercise id, never by position, and a pass
//! records a hash of the code that passed: renaming, reordering or adding
//! exercises cannot attach a pass to the wrong exercise, and `status` can
//! tell "passed" from "passed, edited since".

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::tree::RegionKey;

/// The folder of the workbench's records.
pub const DIR: &str = ".exercises";

/// `workbench.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WorkbenchInfo {
    /// The workspace the workbench was generated from.
    pub reference_root: PathBuf,
    /// The exercise `start` set up last.
    pub current: Option<String>,
    /// Whether earlier solutions were kept (`start --cumulative`).
    #[serde(default)]
    pub cumulative: bool,
}

/// Where an exercise stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Started, not passed yet.
    Started,
    /// Its tests passed.
    Passed,
}

/// One exercise's record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    /// Where it stands.
    pub status: Status,
    /// How many times `check` ran it.
    #[serde(default)]
    pub attempts: u32,
    /// How many hints `hint` has shown.
    #[serde(default)]
    pub hints_shown: usize,
    /// Hash of the learner's regions when they passed.
    #[serde(default)]
    pub solution_hash: Option<String>,
    /// Hash of the reference regions when it passed (tells whether the
    /// exercise itself changed since).
    #[serde(default)]
    pub reference_hash: Option<String>,
    /// The last check's result, in words.
    #[serde(default)]
    pub last_result: Option<String>,
    /// Seconds since the Unix epoch of the last change.
    #[serde(default)]
    pub updated: u64,
}

impl Entry {
    /// A fresh record.
    pub fn started() -> Entry {
        Entry {
            status: Status::Started,
            attempts: 0,
            hints_shown: 0,
            solution_hash: None,
            reference_hash: None,
            last_result: None,
            updated: now(),
        }
    }
}

/// `progress.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Progress {
    /// Format version.
    #[serde(default = "one")]
    pub version: u32,
    /// Per exercise id. Ids unknown to the current manifest are kept (a
    /// renamed exercise's record is not lost, nor given to another one).
    #[serde(default)]
    pub exercises: BTreeMap<String, Entry>,
}

fn one() -> u32 {
    1
}

/// `saved/<id>.json`: the learner's code of one exercise.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Saved {
    /// Hash of the code (see [`crate::markers::hash_hex`]).
    pub hash: String,
    /// Whether this code passed the exercise's tests.
    pub passed: bool,
    /// Each region's body.
    pub regions: Vec<SavedRegion>,
}

/// One region's body in [`Saved`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedRegion {
    /// Which region.
    #[serde(flatten)]
    pub key: RegionKey,
    /// Its code.
    pub body: String,
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The records of one workbench.
#[derive(Debug, Clone)]
pub struct Records {
    /// The workbench folder.
    pub workbench: PathBuf,
}

impl Records {
    /// The records of the workbench at `dir`.
    pub fn new(dir: &Path) -> Records {
        Records {
            workbench: dir.to_path_buf(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.workbench.join(DIR).join(name)
    }

    /// Whether `dir` is a workbench made by this tool.
    pub fn exists(&self) -> bool {
        self.path("workbench.json").is_file()
    }

    /// Reads `workbench.json`.
    pub fn info(&self) -> Result<WorkbenchInfo, String> {
        read_json(&self.path("workbench.json"))?.ok_or_else(|| {
            format!(
                "{} is not a workbench (no {DIR}/workbench.json); create one with `start <id>`",
                self.workbench.display()
            )
        })
    }

    /// Writes `workbench.json`.
    pub fn set_info(&self, info: &WorkbenchInfo) -> Result<(), String> {
        write_json(&self.path("workbench.json"), info)
    }

    /// Reads `progress.json` (empty if there is none).
    pub fn progress(&self) -> Result<Progress, String> {
        Ok(read_json(&self.path("progress.json"))?.unwrap_or(Progress {
            version: 1,
            ..Progress::default()
        }))
    }

    /// Writes `progress.json`.
    pub fn set_progress(&self, progress: &Progress) -> Result<(), String> {
        write_json(&self.path("progress.json"), progress)
    }

    /// Changes one entry (creating it if needed) and saves.
    pub fn update(&self, id: &str, f: impl FnOnce(&mut Entry)) -> Result<Entry, String> {
        let mut progress = self.progress()?;
        let entry = progress
            .exercises
            .entry(id.to_string())
            .or_insert_with(Entry::started);
        f(entry);
        entry.updated = now();
        let entry = entry.clone();
        self.set_progress(&progress)?;
        Ok(entry)
    }

    /// The saved code of `id`.
    pub fn saved(&self, id: &str) -> Result<Option<Saved>, String> {
        read_json(&self.path(&format!("saved/{id}.json")))
    }

    /// Saves the code of `id`.
    pub fn save(&self, id: &str, saved: &Saved) -> Result<(), String> {
        write_json(&self.path(&format!("saved/{id}.json")), saved)
    }

    /// Forgets the saved code of `id`.
    pub fn forget(&self, id: &str) -> Result<(), String> {
        let p = self.path(&format!("saved/{id}.json"));
        match fs::remove_file(&p) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(format!("{}: {e}", p.display())),
        }
    }
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Option<T>, String> {
    match fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())? + "\n";
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    // Write then rename: an interrupted write never leaves half a file.
    let tmp = path.with_extension("json.tmp");
    fs::write(&tmp, text).map_err(|e| format!("{}: {e}", tmp.display()))?;
    fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("exercises-progress-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn entries_are_keyed_by_id_and_round_trip() {
        let dir = scratch("roundtrip");
        let records = Records::new(&dir);
        assert!(!records.exists());
        assert!(records.progress().unwrap().exercises.is_empty());
        records
            .update("waker", |e| {
                e.status = Status::Passed;
                e.solution_hash = Some("abc".into());
            })
            .unwrap();
        records.update("sleep", |e| e.attempts += 1).unwrap();
        let progress = records.progress().unwrap();
        assert_eq!(progress.exercises["waker"].status, Status::Passed);
        assert_eq!(progress.exercises["sleep"].attempts, 1);
        // An id the manifest no longer knows survives other updates.
        records.update("gone", |_| {}).unwrap();
        records.update("waker", |e| e.hints_shown = 2).unwrap();
        let progress = records.progress().unwrap();
        assert!(progress.exercises.contains_key("gone"));
        assert_eq!(
            progress.exercises["waker"].solution_hash.as_deref(),
            Some("abc")
        );
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn saved_code_round_trips_and_can_be_forgotten() {
        let dir = scratch("saved");
        let records = Records::new(&dir);
        let saved = Saved {
            hash: "h".into(),
            passed: true,
            regions: vec![SavedRegion {
                key: RegionKey {
                    id: "a".into(),
                    file: "mini_runtime/src/a.rs".into(),
                    index: 0,
                },
                body: "x\n".into(),
            }],
        };
        records.save("a", &saved).unwrap();
        let back = records.saved("a").unwrap().unwrap();
        assert_eq!(back.regions[0].key.file, "mini_runtime/src/a.rs");
        assert!(back.passed);
        records.forget("a").unwrap();
        records.forget("a").unwrap();
        assert!(records.saved("a").unwrap().is_none());
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_corrupt_file_is_an_error_not_a_reset() {
        let dir = scratch("corrupt");
        fs::create_dir_all(dir.join(DIR)).unwrap();
        fs::write(dir.join(DIR).join("progress.json"), "{ not json").unwrap();
        let e = Records::new(&dir).progress().unwrap_err();
        assert!(e.contains("progress.json"), "{e}");
        let _ = fs::remove_dir_all(&dir);
    }
}
