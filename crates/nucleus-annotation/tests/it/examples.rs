//! The example files: the valid ones have no finding, each line of the mistakes file has the
//! finding `examples/annotations/mistakes.md` says.

use std::ops::ControlFlow;
use std::path::PathBuf;

use nucleus_annotation::Role;
use nucleus_annotation::check::{CheckConfig, ItemIndex, check_annotations};
use nucleus_lines::StreamConfig;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .and_then(|crates| crates.parent())
        .unwrap()
        .to_path_buf()
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(root().join(relative)).unwrap()
}

/// Every finding of `files` against `items`, as `file:line severity[code] path`.
pub fn findings(role: Role, items: &[&str], files: &[&str]) -> Vec<String> {
    let texts: Vec<String> = items.iter().map(|path| read(path)).collect();
    let index =
        ItemIndex::read(texts.iter().map(String::as_bytes), &StreamConfig::default()).unwrap();
    assert_eq!(index.n_unreadable(), 0);
    let annotations: Vec<(String, String)> = files
        .iter()
        .map(|path| ((*path).to_owned(), read(path)))
        .collect();
    let mut out = Vec::new();
    check_annotations(
        Some(&index),
        annotations
            .iter()
            .map(|(name, text)| (name.clone(), text.as_bytes())),
        &CheckConfig::new(role),
        |file, d| {
            out.push(format!("{file}:{} {d}", d.line.unwrap_or(0)));
            ControlFlow::Continue(())
        },
    )
    .unwrap();
    out
}

#[test]
fn the_example_annotations_are_clean() {
    let items = ["examples/items.jsonl"];
    assert_eq!(
        findings(
            Role::Annotation,
            &items,
            &["examples/annotations/items.jsonl"]
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        findings(
            Role::Prediction,
            &items,
            &["examples/annotations/predictions.jsonl"]
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        findings(
            Role::Annotation,
            &["examples/scene/scene.jsonl"],
            &[
                "examples/scene/cuboids.jsonl",
                "examples/annotations/scene.jsonl"
            ]
        ),
        Vec::<String>::new()
    );
}
