//! Integration tests of nucleus-model: reading, writing, round trips and SDK compatibility.

// Test helpers outside #[test] functions may fail loudly: that is how a test reports.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod fuzz;
mod jsontestsuite;
mod read;
mod roundtrip;
mod sdk_corpus;

use nucleus_model::{Code, DatasetItem, PayloadForm, Severity, read_line};

/// Reads `input` and asserts the exact list of `(severity, code, path)` findings.
pub fn check_findings(input: &str, expected: &[(Severity, Code, &str)]) {
    let reading = read_line(input);
    let actual: Vec<(Severity, Code, &str)> = reading
        .diagnostics
        .iter()
        .map(|d| (d.severity, d.code, d.path.as_str()))
        .collect();
    assert_eq!(
        actual, expected,
        "input: {input}\nfindings: {:#?}",
        reading.diagnostics
    );
    let has_error = expected.iter().any(|(s, _, _)| *s == Severity::Error);
    assert_eq!(
        reading.item.is_none(),
        has_error,
        "item presence for {input}"
    );
}

/// Reads `input` (which must be valid) and asserts its upload payload.
pub fn check_payload(input: &str, form: PayloadForm, expected: &str) {
    let item = DatasetItem::from_json(input).unwrap_or_else(|e| panic!("{input}: {e}"));
    let payload = item.into_payload(form).unwrap();
    assert_eq!(payload.to_string(), expected, "input: {input}");
}
