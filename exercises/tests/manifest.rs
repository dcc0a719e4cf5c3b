//! The real manifest against the real markers (fast: no build). The full
//! proof, with builds and tests, is `cargo run -p exercises -- verify`.

use std::collections::BTreeSet;
use std::path::Path;

use exercises::manifest::Expect;
use exercises::markers;
use exercises::tree::{Plan, Reference, render_source};

fn reference() -> Reference {
    Reference::new(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("workspace root"),
    )
}

#[test]
fn the_manifest_agrees_with_the_markers() {
    let reference = reference();
    let manifest = reference.manifest().expect("manifest parses");
    let regions = reference.regions().expect("markers parse");
    let problems = manifest.lint(&regions);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(manifest.exercises.len() >= 12, "at least 12 exercises");
    for e in &manifest.exercises {
        assert!(e.hints.len() >= 2, "{}", e.id);
        assert!(
            !e.failure_hints.is_empty(),
            "`{}` has no failure-keyed hint",
            e.id
        );
        assert!(
            e.tokio.starts_with("tokio/"),
            "`{}`: a path in tokio-rs/tokio",
            e.id
        );
        if e.expect == Expect::CompileError {
            let file = e.compile_error_in.as_deref().unwrap();
            assert!(
                reference.root.join(file).is_file(),
                "`{}`: {file} exists",
                e.id
            );
        }
    }
}

#[test]
fn every_stubbed_file_still_has_well_formed_markers() {
    let reference = reference();
    let manifest = reference.manifest().unwrap();
    let plan = Plan {
        stubbed: manifest.exercises.iter().map(|e| e.id.clone()).collect(),
        ..Plan::default()
    };
    for source in reference.sources().unwrap() {
        if source.regions.is_empty() {
            continue;
        }
        let stubbed = render_source(&manifest, &source, &plan);
        let again = markers::parse_file(&source.rel, &stubbed).expect("the stubbed file parses");
        let ids = |r: &[markers::Region]| {
            r.iter()
                .map(|r| (r.id.clone(), r.index))
                .collect::<BTreeSet<_>>()
        };
        assert_eq!(
            ids(&again),
            ids(&source.regions),
            "{}",
            source.rel.display()
        );
        for r in &again {
            assert!(
                !r.body.contains("exercise(") || r.stub.is_none(),
                "stub lines were removed"
            );
            assert!(
                r.body.contains(&format!("exercise {}", r.id)),
                "{}: the stub of `{}` names its exercise",
                r.location(),
                r.id
            );
        }
    }
}
