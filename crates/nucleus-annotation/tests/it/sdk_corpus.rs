//! Differential test against the real Python SDK: `nucleus_testdata::ANNOTATION_SDK_CORPUS`
//! holds ~3000 annotations and predictions judged by scale-nucleus 0.22.3
//! (`scripts/sdk_corpus/gen_annotations.py` regenerates it; its README describes the format).
//!
//! - `accept`: we accept, and our payload equals the SDK's `to_payload()` value for value, key
//!   order and number kinds included (the texts are compared).
//! - `sdk-reject`: we reject too.
//! - `stricter`: the SDK accepts what we reject on purpose (see the `read` module's docs).

use std::collections::BTreeMap;

use nucleus_annotation::{Role, read_annotation_line};
use serde_json::Value;

const CORPUS: &str = nucleus_testdata::ANNOTATION_SDK_CORPUS;

#[test]
fn agrees_with_the_python_sdk() {
    let mut failures = Vec::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (idx, line) in CORPUS.lines().enumerate() {
        let case: Value = serde_json::from_str(line).unwrap();
        let name = case["case"].as_str().unwrap();
        let tag = case["tag"].as_str().unwrap();
        let role = match case["role"].as_str().unwrap() {
            "annotation" => Role::Annotation,
            "prediction" => Role::Prediction,
            other => panic!("unknown role {other}"),
        };
        let input = case["input"].as_str().unwrap();
        let reading = read_annotation_line(input, role);
        *counts.entry(tag.to_owned()).or_default() += 1;
        let fail = |why: String| {
            format!(
                "line {} [{tag} {role} {name}]: {why}\n  input: {input}",
                idx + 1
            )
        };
        match (tag, reading.annotation) {
            ("accept", None) => {
                failures.push(fail(format!("rejected: {:#?}", reading.diagnostics)));
            }
            ("accept", Some(annotation)) => {
                let ours = annotation.to_payload().to_string();
                let theirs = case["payload"].to_string();
                if ours != theirs {
                    failures.push(fail(format!("payload\n  ours: {ours}\n  sdk:  {theirs}")));
                }
            }
            ("sdk-reject", Some(_)) => {
                failures.push(fail(format!("accepted; the SDK says {}", case["error"])));
            }
            ("stricter", Some(_)) => {
                failures.push(fail("accepted; we reject this on purpose".to_owned()));
            }
            ("sdk-reject" | "stricter", None) => {}
            (other, _) => panic!("unknown tag {other}"),
        }
    }
    let n_cases: usize = counts.values().sum();
    assert!(n_cases > 2500, "corpus too small: {counts:?}");
    assert!(
        failures.is_empty(),
        "{} of {n_cases} cases disagree ({counts:?}):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
