//! The SDK corpus through the full item-level rules: every case the SDK rejects and every case
//! SPEC.md rejects on purpose (`stricter`) has an error; every accepted case has none.

use nucleus_metadata::ItemRules;
use serde_json::Value;

const CORPUS: &str = nucleus_testdata::SDK_CORPUS;

#[test]
fn item_rules_agree_with_the_corpus_tags() {
    let rules = ItemRules::new();
    let mut failures = Vec::new();
    for (idx, line) in CORPUS.lines().enumerate() {
        let case: Value = serde_json::from_str(line).unwrap();
        let tag = case["tag"].as_str().unwrap();
        let input = case["input"].as_str().unwrap();
        let reading = rules.check_line(input);
        let rejected = reading.item.is_none();
        let expected_rejected = tag != "accept";
        if rejected != expected_rejected {
            failures.push(format!(
                "line {} [{tag} {}]: rejected={rejected} {:?}",
                idx + 1,
                case["case"],
                reading.diagnostics
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
