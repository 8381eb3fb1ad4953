//! The JSONTestSuite parsing corpus (`nucleus_testdata::json_test_suite`, MIT): `n_` cases are rejected
//! with a diagnostic, `y_` cases parse (except the documented exceptions below), `i_` cases
//! never panic and give the verdict recorded here.

use nucleus_model::json::{self, JsonErrorKind};
use nucleus_model::{Code, read_line};

/// `y_` cases our strict reader rejects on purpose, with the reason.
const Y_EXCEPTIONS: &[(&str, JsonErrorKind, &str)] = &[
    (
        "y_object_duplicated_key.json",
        JsonErrorKind::DuplicateKey,
        "which of two values for one key wins is ambiguous (the SDK keeps the last)",
    ),
    (
        "y_object_duplicated_key_and_value.json",
        JsonErrorKind::DuplicateKey,
        "a duplicate key is rejected even with an equal value: the text is still ambiguous",
    ),
];

/// Our verdict on every implementation-defined case: `"accepted"`, `"not-utf8"` (the line
/// reader reports `invalid-utf8` before any JSON parsing) or the diagnostic code.
const I_VERDICTS: &[(&str, &str)] = &[
    ("i_number_double_huge_neg_exp.json", "number-out-of-range"),
    ("i_number_huge_exp.json", "number-out-of-range"),
    ("i_number_neg_int_huge_exp.json", "number-out-of-range"),
    ("i_number_pos_double_huge_exp.json", "number-out-of-range"),
    ("i_number_real_neg_overflow.json", "number-out-of-range"),
    ("i_number_real_pos_overflow.json", "number-out-of-range"),
    ("i_number_real_underflow.json", "number-out-of-range"),
    ("i_number_too_big_neg_int.json", "integer-too-large"),
    ("i_number_too_big_pos_int.json", "integer-too-large"),
    ("i_number_very_big_negative_int.json", "integer-too-large"),
    ("i_object_key_lone_2nd_surrogate.json", "invalid-json"),
    (
        "i_string_1st_surrogate_but_2nd_missing.json",
        "invalid-json",
    ),
    (
        "i_string_1st_valid_surrogate_2nd_invalid.json",
        "invalid-json",
    ),
    ("i_string_UTF-16LE_with_BOM.json", "not-utf8"),
    ("i_string_UTF-8_invalid_sequence.json", "not-utf8"),
    ("i_string_UTF8_surrogate_U+D800.json", "not-utf8"),
    (
        "i_string_incomplete_surrogate_and_escape_valid.json",
        "invalid-json",
    ),
    ("i_string_incomplete_surrogate_pair.json", "invalid-json"),
    (
        "i_string_incomplete_surrogates_escape_valid.json",
        "invalid-json",
    ),
    ("i_string_invalid_lonely_surrogate.json", "invalid-json"),
    ("i_string_invalid_surrogate.json", "invalid-json"),
    ("i_string_invalid_utf-8.json", "not-utf8"),
    ("i_string_inverted_surrogates_U+1D11E.json", "invalid-json"),
    ("i_string_iso_latin_1.json", "not-utf8"),
    ("i_string_lone_second_surrogate.json", "invalid-json"),
    ("i_string_lone_utf8_continuation_byte.json", "not-utf8"),
    ("i_string_not_in_unicode_range.json", "not-utf8"),
    ("i_string_overlong_sequence_2_bytes.json", "not-utf8"),
    ("i_string_overlong_sequence_6_bytes.json", "not-utf8"),
    ("i_string_overlong_sequence_6_bytes_null.json", "not-utf8"),
    ("i_string_truncated-utf-8.json", "not-utf8"),
    ("i_string_utf16BE_no_BOM.json", "not-utf8"),
    ("i_string_utf16LE_no_BOM.json", "not-utf8"),
    ("i_structure_500_nested_arrays.json", "too-deeply-nested"),
    // The line reader strips a BOM before parsing; the parser itself does not accept one.
    ("i_structure_UTF-8_BOM_empty_object.json", "invalid-json"),
];

fn cases() -> Vec<(String, Vec<u8>)> {
    let cases: Vec<(String, Vec<u8>)> = nucleus_testdata::json_test_suite()
        .unwrap()
        .into_iter()
        .map(|case| (case.name, case.bytes))
        .collect();
    assert_eq!(cases.len(), 318, "the JSONTestSuite corpus");
    cases
}

/// What our reader makes of one case: `"accepted"`, `"not-utf8"` or the parser's code. Also
/// checks that `read_line` agrees with `json::parse` and reports parse errors at the top level.
fn verdict(name: &str, bytes: &[u8]) -> String {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return "not-utf8".to_owned();
    };
    let parsed = json::parse(text);
    let reading = read_line(text);
    match &parsed {
        Ok(_) => {
            // Accepted JSON: read_line may still reject the item, but never as bad JSON.
            assert!(
                reading.diagnostics.iter().all(|d| !is_json_code(d.code)),
                "{name}: parsed, but read_line reports {:?}",
                reading.diagnostics
            );
            "accepted".to_owned()
        }
        Err(error) => {
            assert!(reading.item.is_none(), "{name}: read_line accepted it");
            let [diagnostic] = reading.diagnostics.as_slice() else {
                panic!(
                    "{name}: expected one diagnostic, got {:?}",
                    reading.diagnostics
                );
            };
            assert!(diagnostic.is_error(), "{name}: {diagnostic:?}");
            assert_eq!(diagnostic.code, error.kind().code(), "{name}");
            assert_eq!(diagnostic.path, error.pointer(), "{name}");
            assert!(!diagnostic.message.is_empty(), "{name}");
            error.kind().code().as_str().to_owned()
        }
    }
}

fn is_json_code(code: Code) -> bool {
    [
        Code::InvalidJson,
        Code::DuplicateKey,
        Code::TooDeeplyNested,
        Code::IntegerTooLarge,
        Code::NumberOutOfRange,
    ]
    .contains(&code)
}

#[test]
fn n_cases_are_rejected_with_a_diagnostic() {
    let mut accepted = Vec::new();
    for (name, bytes) in cases().iter().filter(|(name, _)| name.starts_with("n_")) {
        if verdict(name, bytes) == "accepted" {
            accepted.push(name.clone());
        }
    }
    assert!(accepted.is_empty(), "n_ cases accepted: {accepted:#?}");
}

#[test]
fn y_cases_parse_except_the_documented_ones() {
    for (name, bytes) in cases().iter().filter(|(name, _)| name.starts_with("y_")) {
        let text = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let parsed = json::parse(text);
        match Y_EXCEPTIONS
            .iter()
            .find(|(exception, _, _)| exception == name)
        {
            Some((_, kind, reason)) => {
                let error = parsed.unwrap_err();
                assert_eq!(error.kind(), *kind, "{name} ({reason})");
            }
            None => {
                let value = parsed.unwrap_or_else(|e| panic!("{name}: {e}"));
                // An object is read as an item: whatever the item rules say, not a JSON error.
                if value.is_object() {
                    let reading = read_line(text);
                    assert!(
                        reading.diagnostics.iter().all(|d| !is_json_code(d.code)),
                        "{name}: {:?}",
                        reading.diagnostics
                    );
                }
            }
        }
    }
}

#[test]
fn i_cases_give_the_recorded_verdict() {
    let actual: Vec<(String, String)> = cases()
        .iter()
        .filter(|(name, _)| name.starts_with("i_"))
        .map(|(name, bytes)| (name.clone(), verdict(name, bytes)))
        .collect();
    let expected: Vec<(String, String)> = I_VERDICTS
        .iter()
        .map(|(name, verdict)| ((*name).to_owned(), (*verdict).to_owned()))
        .collect();
    assert_eq!(actual, expected);
}
