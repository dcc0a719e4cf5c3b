//! Building test binaries with cargo and reading its JSON messages.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::manifest::TargetKey;

/// A compiler diagnostic about a crate of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// `error`, `warning`, ...
    pub level: String,
    /// The one-line message.
    pub message: String,
    /// rustc's rendering (with ANSI colours if asked for).
    pub rendered: String,
    /// The primary span's file, relative to the tree root.
    pub file: Option<String>,
    /// The primary span's first line.
    pub line: Option<usize>,
    /// The compilation unit it came from (`package/target`).
    pub unit: String,
}

impl Diagnostic {
    /// `file:line` or `unit` when there is no span.
    pub fn location(&self) -> String {
        match (&self.file, self.line) {
            (Some(f), Some(l)) => format!("{f}:{l}"),
            _ => self.unit.clone(),
        }
    }
}

/// A test binary that cargo built.
#[derive(Debug, Clone)]
pub struct Executable {
    /// Package and target.
    pub key: TargetKey,
    /// The binary.
    pub path: PathBuf,
    /// The package's directory (tests run there, like under `cargo test`).
    pub package_dir: PathBuf,
}

/// The result of one or more `cargo test --no-run` calls.
#[derive(Debug, Clone, Default)]
pub struct Build {
    /// Whether every call succeeded.
    pub success: bool,
    /// Errors and warnings about the tree's crates.
    pub diagnostics: Vec<Diagnostic>,
    /// The test binaries built.
    pub executables: Vec<Executable>,
    /// Units cargo actually compiled (not fresh), as `package/target`.
    pub rebuilt: BTreeSet<String>,
    /// Cargo's own error output, when a call failed without a diagnostic.
    pub cargo_stderr: String,
}

impl Build {
    /// The errors.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.level == "error")
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.level == "warning")
    }

    /// The executable of `key`.
    pub fn executable(&self, key: &TargetKey) -> Option<&Executable> {
        self.executables.iter().find(|e| &e.key == key)
    }
}

/// How to call cargo.
#[derive(Debug, Clone)]
pub struct Cargo {
    /// The tree (workspace root) to build in.
    pub tree: PathBuf,
    /// `CARGO_TARGET_DIR`, or the environment's / the tree's default.
    pub target_dir: Option<PathBuf>,
    /// Ask rustc for coloured renderings.
    pub color: bool,
}

impl Cargo {
    /// Builds the test binaries of `targets` (`cargo test --no-run`), one
    /// cargo call per package.
    pub fn build_tests(&self, targets: &BTreeSet<TargetKey>) -> std::io::Result<Build> {
        let mut packages: Vec<&str> = targets.iter().map(|t| t.package.as_str()).collect();
        packages.dedup();
        let mut total = Build {
            success: true,
            ..Build::default()
        };
        for package in packages {
            let mut args: Vec<String> = vec![
                "test".into(),
                "--no-run".into(),
                "--message-format".into(),
                if self.color {
                    "json-diagnostic-rendered-ansi".into()
                } else {
                    "json".into()
                },
                "-p".into(),
                package.into(),
            ];
            for t in targets.iter().filter(|t| t.package == package) {
                if t.target == "lib" {
                    args.push("--lib".into());
                } else {
                    args.push("--test".into());
                    args.push(t.target.clone());
                }
            }
            let one = self.run(&args)?;
            total.success &= one.success;
            total.diagnostics.extend(one.diagnostics);
            total.executables.extend(one.executables);
            total.rebuilt.extend(one.rebuilt);
            total.cargo_stderr.push_str(&one.cargo_stderr);
        }
        Ok(total)
    }

    fn run(&self, args: &[String]) -> std::io::Result<Build> {
        let mut cmd = Command::new(cargo_program());
        cmd.args(args)
            .current_dir(&self.tree)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(dir) = &self.target_dir {
            cmd.env("CARGO_TARGET_DIR", dir);
        }
        let mut child = cmd.spawn()?;
        let mut stderr = child.stderr.take().expect("piped");
        let err_thread = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stderr.read_to_string(&mut s);
            s
        });
        let mut build = Build::default();
        let stdout = child.stdout.take().expect("piped");
        let mut seen = BTreeSet::new();
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            let Ok(msg) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            self.handle_message(&msg, &mut build, &mut seen);
        }
        let status = child.wait()?;
        let stderr = err_thread.join().unwrap_or_default();
        build.success = status.success();
        if !build.success {
            build.cargo_stderr = stderr
                .lines()
                .filter(|l| {
                    let t = l.trim_start();
                    !t.starts_with("Compiling")
                        && !t.starts_with("Finished")
                        && !t.starts_with("Blocking")
                })
                .collect::<Vec<_>>()
                .join("\n");
        }
        Ok(build)
    }

    fn handle_message(
        &self,
        msg: &Value,
        build: &mut Build,
        seen: &mut BTreeSet<(String, String)>,
    ) {
        let package_id = msg["package_id"].as_str().unwrap_or_default();
        // Only the tree's own crates (path dependencies), not crates.io ones.
        if !package_id.starts_with("path+") {
            return;
        }
        let package = package_name(package_id);
        let target_name = msg["target"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let kinds: Vec<&str> = msg["target"]["kind"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let unit = format!("{package}/{target_name}");
        match msg["reason"].as_str() {
            Some("compiler-message") => {
                let m = &msg["message"];
                let level = m["level"].as_str().unwrap_or_default().to_string();
                let message = m["message"].as_str().unwrap_or_default().to_string();
                // "N warnings emitted" and friends carry no information.
                if m["spans"].as_array().is_none_or(|s| s.is_empty())
                    && (message.ends_with("emitted") || message.starts_with("aborting due to"))
                {
                    return;
                }
                let primary = m["spans"].as_array().and_then(|spans| {
                    spans
                        .iter()
                        .find(|s| s["is_primary"].as_bool() == Some(true))
                });
                let file = primary
                    .and_then(|s| s["file_name"].as_str())
                    .map(|f| self.relative(f));
                let line = primary
                    .and_then(|s| s["line_start"].as_u64())
                    .map(|l| l as usize);
                let rendered = m["rendered"].as_str().unwrap_or(&message).to_string();
                // The lib's diagnostics appear once per unit that compiles it
                // (lib and lib-test, with slightly different type paths):
                // keep one per place and error code.
                let code = m["code"]["code"].as_str().unwrap_or(&message).to_string();
                let place = format!(
                    "{level} {code} {}:{}",
                    file.as_deref().unwrap_or(""),
                    line.unwrap_or(0)
                );
                if !seen.insert((place, String::new())) {
                    return;
                }
                build.diagnostics.push(Diagnostic {
                    level,
                    message,
                    rendered,
                    file,
                    line,
                    unit,
                });
            }
            Some("compiler-artifact") => {
                if msg["fresh"].as_bool() == Some(false) {
                    build.rebuilt.insert(unit);
                }
                let is_test = msg["profile"]["test"].as_bool() == Some(true);
                if let (true, Some(exe)) = (is_test, msg["executable"].as_str()) {
                    let target = if kinds.contains(&"test") {
                        target_name.clone()
                    } else {
                        "lib".to_string()
                    };
                    let package_dir = msg["manifest_path"]
                        .as_str()
                        .and_then(|p| Path::new(p).parent())
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| self.tree.clone());
                    build.executables.push(Executable {
                        key: TargetKey { package, target },
                        path: PathBuf::from(exe),
                        package_dir,
                    });
                }
            }
            _ => {}
        }
    }

    /// A span's file relative to the tree root.
    fn relative(&self, file: &str) -> String {
        let path = Path::new(file);
        let rel = path.strip_prefix(&self.tree).unwrap_or(path);
        crate::tree::slash_path(rel)
    }
}

/// The cargo to run: the one that runs us (`$CARGO`), else `cargo`.
pub fn cargo_program() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
}

/// The package name in a cargo package id: `path+file:///x/y#0.1.0`
/// (name = last folder) or `path+file:///x/y#name@0.1.0`.
pub fn package_name(package_id: &str) -> String {
    let (url, fragment) = package_id.split_once('#').unwrap_or((package_id, ""));
    if let Some((name, _version)) = fragment.split_once('@') {
        return name.to_string();
    }
    url.rsplit('/').next().unwrap_or(url).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names_from_ids() {
        assert_eq!(
            package_name("path+file:///tmp/wb/mini_runtime#0.1.0"),
            "mini_runtime"
        );
        assert_eq!(
            package_name("path+file:///tmp/wb/mini_runtime/macros#mini_runtime_macros@0.1.0"),
            "mini_runtime_macros"
        );
    }

    #[test]
    fn diagnostics_and_artifacts_are_read_from_json() {
        let cargo = Cargo {
            tree: PathBuf::from("/t"),
            target_dir: None,
            color: false,
        };
        let mut build = Build::default();
        let mut seen = BTreeSet::new();
        let warning = serde_json::json!({
            "reason": "compiler-message",
            "package_id": "path+file:///t/mini_runtime#0.1.0",
            "target": {"name": "mini_runtime", "kind": ["lib"]},
            "message": {
                "level": "warning", "message": "unused variable: `x`", "rendered": "warning: unused variable",
                "spans": [{"file_name": "mini_runtime/src/a.rs", "line_start": 7, "is_primary": true}]
            }
        });
        cargo.handle_message(&warning, &mut build, &mut seen);
        cargo.handle_message(&warning, &mut build, &mut seen); // lib-test repeats it
        let summary = serde_json::json!({
            "reason": "compiler-message",
            "package_id": "path+file:///t/mini_runtime#0.1.0",
            "target": {"name": "mini_runtime", "kind": ["lib"]},
            "message": {"level": "warning", "message": "1 warning emitted", "spans": []}
        });
        cargo.handle_message(&summary, &mut build, &mut seen);
        let foreign = serde_json::json!({
            "reason": "compiler-message",
            "package_id": "registry+https://github.com/rust-lang/crates.io-index#syn@2.0.0",
            "target": {"name": "syn", "kind": ["lib"]},
            "message": {"level": "warning", "message": "x", "spans": []}
        });
        cargo.handle_message(&foreign, &mut build, &mut seen);
        let artifact = serde_json::json!({
            "reason": "compiler-artifact",
            "package_id": "path+file:///t/mini_runtime#0.1.0",
            "manifest_path": "/t/mini_runtime/Cargo.toml",
            "target": {"name": "time", "kind": ["test"]},
            "profile": {"test": true},
            "executable": "/target/debug/deps/time-123",
            "fresh": false
        });
        cargo.handle_message(&artifact, &mut build, &mut seen);
        assert_eq!(build.diagnostics.len(), 1);
        let d = &build.diagnostics[0];
        assert_eq!(d.location(), "mini_runtime/src/a.rs:7");
        assert_eq!(d.unit, "mini_runtime/mini_runtime");
        assert_eq!(build.executables.len(), 1);
        assert_eq!(build.executables[0].key.target, "time");
        assert_eq!(
            build.executables[0].package_dir,
            PathBuf::from("/t/mini_runtime")
        );
        assert!(build.rebuilt.contains("mini_runtime/time"));
    }
}
