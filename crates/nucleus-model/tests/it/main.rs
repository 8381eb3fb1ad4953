//! Integration tests of nucleus-model: reading, writing, round trips and SDK compatibility.

// Test helpers outside #[test] functions may fail loudly: that is how a test reports.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod fuzz;
mod jsontestsuite;
mod pointcloud;
mod read;
mod roundtrip;
mod scan;
mod scanned;
mod scene;
mod sdk_corpus;

use nucleus_model::{Code, DatasetItem, Diagnostic, PayloadForm, Severity, read_line};

/// Reads `input` and asserts the exact list of `(severity, code, path)` findings.
pub fn check_findings(input: &str, expected: &[(Severity, Code, &str)]) {
    let reading = read_line(input);
    assert_findings(
        input,
        &reading.diagnostics,
        reading.item.is_some(),
        expected,
    );
}

/// Asserts the exact `(severity, code, path)` of `diagnostics`, and that the reader produced its
/// result (`produced`) exactly when no finding is an error.
pub fn assert_findings(
    input: &str,
    diagnostics: &[Diagnostic],
    produced: bool,
    expected: &[(Severity, Code, &str)],
) {
    let actual: Vec<(Severity, Code, &str)> = diagnostics
        .iter()
        .map(|d| (d.severity, d.code, d.path.as_str()))
        .collect();
    assert_eq!(
        actual, expected,
        "input: {input}\nfindings: {diagnostics:#?}"
    );
    let has_error = expected.iter().any(|(s, _, _)| *s == Severity::Error);
    assert_eq!(!produced, has_error, "result presence for {input}");
}

/// Reads `input` (which must be valid) and asserts its upload payload.
pub fn check_payload(input: &str, form: PayloadForm, expected: &str) {
    let item = DatasetItem::from_json(input).unwrap_or_else(|e| panic!("{input}: {e}"));
    let payload = item.into_payload(form).unwrap();
    assert_eq!(payload.to_string(), expected, "input: {input}");
}
