//! The example files: the valid ones have no finding, each line of the mistakes file has the
//! finding `examples/annotations/mistakes.md` says.

use std::ops::ControlFlow;

use nucleus_annotation::Role;
use nucleus_annotation::check::{CheckConfig, ItemIndex, check_annotations};
use nucleus_lines::StreamConfig;

/// The text of `examples/...`, named as in the findings.
fn read(relative: &str) -> String {
    nucleus_testdata::example(relative.strip_prefix("examples/").unwrap())
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

/// What `mistakes.md` writes after a code that only `--probe-media` finds (mask files are not
/// opened here).
const WITH_PROBE_MEDIA: &str = " (with `--probe-media`)";

/// The expected codes of each line of one table of `examples/annotations/mistakes.md`, without
/// media probing.
fn expected_codes(section: &str) -> Vec<Vec<String>> {
    expected_codes_and_probed(section)
        .into_iter()
        .map(|(codes, _)| codes)
        .collect()
}

/// The expected codes of each line of one table of `examples/annotations/mistakes.md`: those
/// found without media probing, and those found only with it.
fn expected_codes_and_probed(section: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let markdown = read("examples/annotations/mistakes.md");
    let table = markdown
        .split("\n## ")
        .find(|part| part.starts_with(section))
        .unwrap();
    table
        .lines()
        .filter(|line| line.starts_with("| ") && !line.starts_with("| line"))
        .map(|line| {
            let expected = line.split(" | ").nth(1).unwrap();
            let (mut codes, mut probed) = (Vec::new(), Vec::new());
            for code in expected.split(", ").filter(|code| *code != "none") {
                match code.strip_suffix(WITH_PROBE_MEDIA) {
                    Some(code) => probed.push(code.trim_matches('`').to_owned()),
                    None => codes.push(code.trim_matches('`').to_owned()),
                }
            }
            (codes, probed)
        })
        .collect()
}

/// The codes found on each line of `file`.
fn found_codes(role: Role, file: &str) -> Vec<Vec<String>> {
    let n_lines = read(file).lines().count();
    let mut codes = vec![Vec::new(); n_lines];
    for finding in findings(
        role,
        &["examples/items.jsonl", "examples/scene/scene.jsonl"],
        &[file],
    ) {
        // `file:line severity[code]: ...`
        let (place, rest) = finding.split_once(' ').unwrap();
        let line: usize = place.rsplit(':').next().unwrap().parse().unwrap();
        let code = rest.split_once('[').unwrap().1.split_once(']').unwrap().0;
        codes[line - 1].push(code.to_owned());
    }
    codes
}

#[test]
fn each_mistake_gets_the_codes_mistakes_md_lists() {
    assert_eq!(
        found_codes(Role::Annotation, "examples/annotations/mistakes.jsonl"),
        expected_codes("mistakes.jsonl")
    );
    assert_eq!(
        found_codes(
            Role::Prediction,
            "examples/annotations/prediction-mistakes.jsonl"
        ),
        expected_codes("prediction-mistakes.jsonl")
    );
}

/// Every annotation code (the codes from `unknown-annotation-type` on, the last block of
/// `Code::ALL`'s documentation order) has a line of a mistakes file that shows it, with or
/// without media probing.
#[test]
fn the_mistakes_show_every_annotation_code() {
    use nucleus_model::Code;
    let shown: Vec<String> = expected_codes_and_probed("mistakes.jsonl")
        .into_iter()
        .chain(expected_codes_and_probed("prediction-mistakes.jsonl"))
        .flat_map(|(codes, probed)| codes.into_iter().chain(probed))
        .collect();
    let annotation_codes: Vec<Code> = Code::ALL
        .iter()
        .copied()
        .skip_while(|code| *code != Code::UnknownAnnotationType)
        .collect();
    assert!(annotation_codes.len() >= 17, "{annotation_codes:?}");
    assert!(annotation_codes.contains(&Code::MaskSizeMismatch));
    assert!(annotation_codes.contains(&Code::MaskNotPng));
    let missing: Vec<&str> = annotation_codes
        .iter()
        .map(|code| code.as_str())
        .filter(|code| !shown.iter().any(|shown| shown == code))
        .collect();
    assert!(missing.is_empty(), "no mistake shows {missing:?}");
}
