//! Differential test against the real Python SDK: `nucleus_testdata::SDK_CORPUS` holds ~3000
//! items judged by scale-nucleus 0.22.3 (see `scripts/sdk_corpus/README.md` to regenerate it).
//!
//! - `accept`: we accept, and our payload equals the SDK's `to_payload(is_scene)` value for value
//!   (number kinds and key order included), except that we keep `width`, `height` and
//!   `embedding_info`, which the SDK drops on reading.
//! - `sdk-reject`: we reject too.
//! - `stricter`: SPEC.md rejects on purpose what the SDK accepts. The model rejects the cases
//!   that are its own rules; metadata rules (lat/lon, context attachments) are checked by
//!   nucleus-metadata's copy of this test.

use nucleus_model::{DatasetItem, PayloadForm, read_line};
use serde_json::Value;

const CORPUS: &str = nucleus_testdata::SDK_CORPUS;

/// Stricter cases decided by rules that live in nucleus-metadata, not in the model.
const METADATA_RULES: &[&str] = &["latlon-invalid/", "context-malformed/"];

#[test]
fn agrees_with_the_python_sdk() {
    let mut failures = Vec::new();
    let mut n_cases = 0;
    for (idx, line) in CORPUS.lines().enumerate() {
        let case: Value = serde_json::from_str(line).unwrap();
        let name = case["case"].as_str().unwrap();
        let tag = case["tag"].as_str().unwrap();
        let input = case["input"].as_str().unwrap();
        let reading = read_line(input);
        n_cases += 1;
        let fail =
            |why: String| format!("line {} [{tag} {name}]: {why}\n  input: {input}", idx + 1);
        match (tag, reading.item) {
            ("accept", None) => failures.push(fail(format!("rejected: {:?}", reading.diagnostics))),
            ("accept", Some(item)) => {
                let form = if case["is_scene"] == Value::Bool(true) {
                    PayloadForm::Scene
                } else {
                    PayloadForm::Plain
                };
                let actual = without_kept_fields(&item, form);
                let expected = &case["payload"];
                // Compare texts: Value equality ignores key order.
                let (ours, theirs) = (actual.to_string(), expected.to_string());
                if ours != theirs {
                    failures.push(fail(format!(
                        "payload\n  ours: {actual}\n  sdk:  {expected}"
                    )));
                }
            }
            ("sdk-reject", Some(_)) => {
                failures.push(fail(format!("accepted; the SDK says {}", case["error"])));
            }
            ("stricter", Some(_)) if !METADATA_RULES.iter().any(|p| name.starts_with(p)) => {
                failures.push(fail("accepted; SPEC.md rejects this on purpose".to_owned()));
            }
            _ => {}
        }
    }
    assert!(n_cases > 2000, "corpus too small: {n_cases}");
    assert!(
        failures.is_empty(),
        "{} of {n_cases} cases disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Our payload minus the fields we keep and the SDK drops.
fn without_kept_fields(item: &DatasetItem, form: PayloadForm) -> Value {
    let mut payload = item.to_payload(form).unwrap();
    if let Value::Object(map) = &mut payload {
        for key in ["width", "height", "embedding_info"] {
            map.shift_remove(key);
        }
    }
    payload
}
