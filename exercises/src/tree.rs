//! The reference tree (mini_runtime in this workspace) and the trees made
//! from it: learner workbenches and verify's scratch variants.
//!
//! A generated tree is an ordinary Cargo workspace:
//!
//! ```text
//! <dest>/Cargo.toml           members = mini_runtime, mini_runtime/macros; the
//!                             reference's [workspace.package], lints, profiles and
//!                             the [workspace.dependencies] those two crates use
//! <dest>/Cargo.lock           copied from the reference (same versions)
//! <dest>/mini_runtime/...     a copy of mini_runtime and its macros crate, with
//!                             the chosen regions stubbed (or holding the learner's code)
//! ```
//!
//! Files are only written when their content changes, so that a cargo build
//! in the tree recompiles only the crates whose sources changed.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::manifest::Manifest;
use crate::markers::{self, MarkerError, Region};

/// The directory of mini_runtime inside a tree.
pub const RUNTIME_DIR: &str = "mini_runtime";

/// The workspace that holds mini_runtime and the manifest.
#[derive(Debug, Clone)]
pub struct Reference {
    /// The workspace root.
    pub root: PathBuf,
}

/// A source file of the reference with its regions.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Relative to the tree root.
    pub rel: PathBuf,
    /// The reference text.
    pub text: String,
    /// Its regions, in file order.
    pub regions: Vec<Region>,
}

/// Where each region's body comes from when a tree is written.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Exercises whose regions are stubbed.
    pub stubbed: BTreeSet<String>,
    /// Region bodies to use instead, keyed by (exercise id, file, index):
    /// the learner's code. Wins over `stubbed`.
    pub bodies: BTreeMap<RegionKey, String>,
}

/// Identifies a region across trees: exercise id, file, index in the file.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct RegionKey {
    /// The exercise id.
    pub id: String,
    /// The file, relative to the tree root, with `/` separators.
    pub file: String,
    /// Which of this id's regions in this file.
    pub index: usize,
}

impl RegionKey {
    /// The key of a parsed region.
    pub fn of(region: &Region) -> RegionKey {
        RegionKey {
            id: region.id.clone(),
            file: slash_path(&region.file),
            index: region.index,
        }
    }
}

/// A path with `/` separators, for keys and messages.
pub fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

impl Reference {
    /// The reference at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Reference {
        Reference { root: root.into() }
    }

    /// The manifest path.
    pub fn manifest_path(&self) -> PathBuf {
        self.root.join("exercises").join("exercises.toml")
    }

    /// Loads the manifest.
    pub fn manifest(&self) -> Result<Manifest, String> {
        Manifest::load(&self.manifest_path())
    }

    /// Every file of mini_runtime (relative to the root), sorted; build
    /// output and hidden folders are skipped.
    pub fn files(&self) -> io::Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        collect_files(&self.root, Path::new(RUNTIME_DIR), &mut out)?;
        out.sort();
        Ok(out)
    }

    /// Reads every Rust source of mini_runtime and parses its markers.
    /// Marker errors of all files are collected.
    pub fn sources(&self) -> Result<Vec<SourceFile>, Vec<String>> {
        let files = self.files().map_err(|e| {
            vec![format!(
                "cannot list {}: {e}",
                self.root.join(RUNTIME_DIR).display()
            )]
        })?;
        let mut sources = Vec::new();
        let mut errors = Vec::new();
        for rel in files {
            if rel.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = match fs::read_to_string(self.root.join(&rel)) {
                Ok(t) => t,
                Err(e) => {
                    errors.push(format!("cannot read {}: {e}", rel.display()));
                    continue;
                }
            };
            match markers::parse_file(&rel, &text) {
                Ok(regions) => sources.push(SourceFile { rel, text, regions }),
                Err(e) => errors.push(e.to_string()),
            }
        }
        if errors.is_empty() {
            Ok(sources)
        } else {
            Err(errors)
        }
    }

    /// Every region of the reference.
    pub fn regions(&self) -> Result<Vec<Region>, Vec<String>> {
        Ok(self
            .sources()?
            .into_iter()
            .flat_map(|s| s.regions)
            .collect())
    }

    /// Writes a tree at `dest` following `plan`. Returns the files that
    /// were (re)written, relative to `dest`.
    pub fn write_tree(
        &self,
        manifest: &Manifest,
        dest: &Path,
        plan: &Plan,
    ) -> Result<Vec<PathBuf>, String> {
        let sources = self.sources().map_err(|e| e.join("\n"))?;
        let by_rel: BTreeMap<&Path, &SourceFile> =
            sources.iter().map(|s| (s.rel.as_path(), s)).collect();
        let files = self.files().map_err(|e| e.to_string())?;
        let mut written = Vec::new();
        let io_err = |p: &Path, e: io::Error| format!("{}: {e}", p.display());
        for rel in &files {
            let content: Vec<u8> = match by_rel.get(rel.as_path()) {
                Some(source) if !source.regions.is_empty() => {
                    render_source(manifest, source, plan).into_bytes()
                }
                _ => fs::read(self.root.join(rel)).map_err(|e| io_err(rel, e))?,
            };
            if write_if_changed(&dest.join(rel), &content).map_err(|e| io_err(rel, e))? {
                written.push(rel.clone());
            }
        }
        // Files that no longer exist in the reference.
        let wanted: BTreeSet<&PathBuf> = files.iter().collect();
        let mut present = Vec::new();
        if dest.join(RUNTIME_DIR).exists() {
            collect_files(dest, Path::new(RUNTIME_DIR), &mut present).map_err(|e| e.to_string())?;
        }
        for rel in present {
            if !wanted.contains(&rel) {
                fs::remove_file(dest.join(&rel)).map_err(|e| io_err(&rel, e))?;
                written.push(rel);
            }
        }
        let cargo_toml = self.workspace_manifest()?;
        if write_if_changed(&dest.join("Cargo.toml"), cargo_toml.as_bytes())
            .map_err(|e| io_err(Path::new("Cargo.toml"), e))?
        {
            written.push(PathBuf::from("Cargo.toml"));
        }
        let lock = dest.join("Cargo.lock");
        if !lock.exists() {
            if let Ok(bytes) = fs::read(self.root.join("Cargo.lock")) {
                write_if_changed(&lock, &bytes).map_err(|e| io_err(&lock, e))?;
            }
        }
        Ok(written)
    }

    /// The generated tree's `Cargo.toml`: a workspace of mini_runtime and
    /// its macros crate, with the reference's shared settings.
    pub fn workspace_manifest(&self) -> Result<String, String> {
        let path = self.root.join("Cargo.toml");
        let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let root: toml::Table =
            toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let workspace = root
            .get("workspace")
            .and_then(|w| w.as_table())
            .ok_or_else(|| format!("{}: no [workspace]", path.display()))?;

        // The dependency names the two crates take from the workspace.
        let mut used = BTreeSet::new();
        for member in [RUNTIME_DIR, "mini_runtime/macros"] {
            let p = self.root.join(member).join("Cargo.toml");
            let text = fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
            let table: toml::Table =
                toml::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?;
            collect_dependency_names(&toml::Value::Table(table), &mut used);
        }

        let mut ws = toml::Table::new();
        ws.insert(
            "resolver".into(),
            workspace
                .get("resolver")
                .cloned()
                .unwrap_or_else(|| "3".into()),
        );
        ws.insert(
            "members".into(),
            toml::Value::Array(vec![RUNTIME_DIR.into(), "mini_runtime/macros".into()]),
        );
        for key in ["package", "lints"] {
            if let Some(v) = workspace.get(key) {
                ws.insert(key.into(), v.clone());
            }
        }
        if let Some(deps) = workspace.get("dependencies").and_then(|d| d.as_table()) {
            let kept: toml::Table = deps
                .iter()
                .filter(|(name, _)| used.contains(name.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            ws.insert("dependencies".into(), toml::Value::Table(kept));
        }
        let mut out = toml::Table::new();
        out.insert("workspace".into(), toml::Value::Table(ws));
        if let Some(profile) = root.get("profile") {
            out.insert("profile".into(), profile.clone());
        }
        let body = toml::to_string(&out).map_err(|e| e.to_string())?;
        Ok(format!(
            "# Generated by `cargo run -p exercises` from the mini_runtime workspace.\n\
             # An ordinary Cargo workspace: mini_runtime and its macros crate.\n\n{body}"
        ))
    }
}

/// The text of one source file under `plan`.
pub fn render_source(manifest: &Manifest, source: &SourceFile, plan: &Plan) -> String {
    markers::render(&source.text, &source.regions, |region| {
        if let Some(body) = plan.bodies.get(&RegionKey::of(region)) {
            return Some(body.clone());
        }
        plan.stubbed.contains(&region.id).then(|| {
            let task = manifest
                .get(&region.id)
                .map(|e| e.task.clone().unwrap_or_else(|| e.title.clone()))
                .unwrap_or_default();
            region.stub_body(&task)
        })
    })
}

fn collect_dependency_names(value: &toml::Value, out: &mut BTreeSet<String>) {
    let Some(table) = value.as_table() else {
        return;
    };
    for (key, v) in table {
        if key == "dependencies" || key == "dev-dependencies" || key == "build-dependencies" {
            if let Some(deps) = v.as_table() {
                out.extend(deps.keys().cloned());
            }
        } else {
            // [target.'cfg(..)'.dependencies] and friends.
            collect_dependency_names(v, out);
        }
    }
}

fn collect_files(root: &Path, rel: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(root.join(rel))? {
        let entry = entry?;
        let name = entry.file_name();
        let name_str = name.to_string_lossy();
        if name_str.starts_with('.') || name_str == "target" {
            continue;
        }
        let child = rel.join(&name);
        let kind = entry.file_type()?;
        if kind.is_dir() {
            collect_files(root, &child, out)?;
        } else if kind.is_file() {
            out.push(child);
        }
    }
    Ok(())
}

/// Writes `content` to `path` unless it already holds exactly that.
/// A write gives the file a fresh modification time (see the crate docs:
/// that is what makes cargo rebuild it). Returns whether it wrote.
pub fn write_if_changed(path: &Path, content: &[u8]) -> io::Result<bool> {
    if let Ok(existing) = fs::read(path) {
        if existing == content {
            return Ok(false);
        }
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(path, content)?;
    Ok(true)
}

/// The regions of a generated tree (to find the learner's code). Only the
/// files that hold regions in the reference are read.
pub fn tree_regions(dest: &Path, reference_sources: &[SourceFile]) -> Result<Vec<Region>, String> {
    let mut out = Vec::new();
    for source in reference_sources.iter().filter(|s| !s.regions.is_empty()) {
        let path = dest.join(&source.rel);
        let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let regions =
            markers::parse_file(&source.rel, &text).map_err(|e: MarkerError| e.to_string())?;
        out.extend(regions);
    }
    Ok(out)
}
