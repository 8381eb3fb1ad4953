//! Dataset-aware checks of a query.

use nucleus_query::{FindingKind, KeyKind, LiteralKind, Query, Severity};

const DATASET: &[(&str, KeyKind)] = &[
    ("weather", KeyKind::String),
    ("frame", KeyKind::Number),
    ("lat", KeyKind::Number),
    ("lon", KeyKind::Number),
    ("tags", KeyKind::Other),
    ("id", KeyKind::Mixed),
    ("camera id", KeyKind::String),
];

/// The findings for `query` on [`DATASET`], rendered as `severity column: message`.
fn check(query: &str) -> Vec<String> {
    Query::parse(query)
        .unwrap()
        .check(DATASET.iter().copied())
        .iter()
        .map(|finding| {
            let severity = match finding.severity {
                Severity::Error => "error",
                _ => "warning",
            };
            format!("{severity} {}", finding)
        })
        .collect()
}

#[test]
fn clean_queries_have_no_findings() {
    let clean = r#"metadata.weather = "rain" AND metadata.frame % 10 = 0 OR metadata.lat > 1.5
        OR metadata.id = 3 OR metadata.id = "3" OR metadata."camera id" != "front""#;
    assert_eq!(check(clean), Vec::<String>::new());
}

#[test]
fn keys_held_only_as_other_kinds_are_errors() {
    assert_eq!(
        check("metadata.tags = 1"),
        [
            "error column 1: metadata.tags is not searchable: the dataset holds it only as \
          booleans, lists or objects"
        ]
    );
}

#[test]
fn unknown_keys_are_warnings_with_a_suggestion() {
    assert_eq!(
        check(r#"metadata.frame = 1 AND metadata.wether = "rain""#),
        [
            "warning column 24: the dataset has no key metadata.wether, so this comparison is \
          always false; did you mean metadata.weather?"
        ]
    );
    assert_eq!(
        check("metadata.Frame = 1"),
        [
            "warning column 1: the dataset has no key metadata.Frame, so this comparison is always \
          false; did you mean metadata.frame?"
        ]
    );
    assert_eq!(
        check(r#"metadata.camera_id = "x""#),
        [
            "warning column 1: the dataset has no key metadata.camera_id, so this comparison is \
          always false; did you mean metadata.\"camera id\"?"
        ]
    );
    // Too far from every key: no suggestion.
    assert_eq!(
        check("metadata.altitude = 1"),
        [
            "warning column 1: the dataset has no key metadata.altitude, so this comparison is \
          always false"
        ]
    );
    // One character away from a one-character key is not a suggestion.
    let findings = Query::parse("metadata.x = 1")
        .unwrap()
        .check([("y", KeyKind::Number)]);
    assert_eq!(
        findings[0].kind,
        FindingKind::UnknownKey {
            key: "x".to_owned(),
            suggestion: None
        }
    );
    // Keys that cannot be searched are not suggested.
    let findings = Query::parse("metadata.tag = 1")
        .unwrap()
        .check(DATASET.iter().copied());
    assert_eq!(
        findings[0].kind,
        FindingKind::UnknownKey {
            key: "tag".to_owned(),
            suggestion: None
        }
    );
}

#[test]
fn suggestions_do_not_depend_on_input_order() {
    let query = Query::parse("metadata.ab = 1").unwrap();
    let forward = query.check([("abc", KeyKind::Number), ("abd", KeyKind::Number)]);
    let backward = query.check([("abd", KeyKind::Number), ("abc", KeyKind::Number)]);
    assert_eq!(forward, backward);
    assert_eq!(
        forward[0].kind,
        FindingKind::UnknownKey {
            key: "ab".to_owned(),
            suggestion: Some("abc".to_owned())
        }
    );
}

#[test]
fn kind_mismatches_are_warnings_at_the_literal() {
    assert_eq!(
        check("metadata.weather = 1"),
        [
            "warning column 20: metadata.weather holds strings in the dataset but is compared to \
          a number, so this comparison is always false"
        ]
    );
    assert_eq!(
        check(r#"metadata.frame >= "10""#),
        [
            "warning column 19: metadata.frame holds numbers in the dataset but is compared to \
          a string, so this comparison is always false"
        ]
    );
    assert_eq!(
        check("metadata.weather % 2 = 0"),
        [
            "warning column 24: metadata.weather holds strings in the dataset but is compared to \
          a number, so this comparison is always false"
        ]
    );
    let findings = Query::parse("NOT metadata.lat = \"north\"")
        .unwrap()
        .check(DATASET.iter().copied());
    let [finding] = findings.as_slice() else {
        panic!("one finding expected: {findings:?}")
    };
    assert_eq!(
        (
            finding.severity,
            finding.column,
            finding.width,
            &finding.kind
        ),
        (
            Severity::Warning,
            20,
            7,
            &FindingKind::KindMismatch {
                key: "lat".to_owned(),
                key_kind: KeyKind::Number,
                literal_kind: LiteralKind::String,
            }
        )
    );
}

#[test]
fn unsatisfiable_modulo_comparisons_are_warnings() {
    assert_eq!(
        check("metadata.frame % 5 = 5 OR metadata.frame % -5 < 0 OR metadata.frame % 5 <= 4"),
        [
            "warning column 22: metadata.frame % 5 is always in 0..5, so this comparison is \
             always false",
            "warning column 49: metadata.frame % -5 is always in 0..5, so this comparison is \
             always false",
        ]
    );
}

#[test]
fn every_occurrence_is_reported_in_order() {
    assert_eq!(
        check(r#"metadata.tags = 1 OR metadata.nope = 2 OR metadata.tags = "a""#),
        [
            "error column 1: metadata.tags is not searchable: the dataset holds it only as \
             booleans, lists or objects",
            "warning column 22: the dataset has no key metadata.nope, so this comparison is \
             always false",
            "error column 43: metadata.tags is not searchable: the dataset holds it only as \
             booleans, lists or objects",
        ]
    );
}

#[test]
fn findings_render_with_a_caret() {
    let source = "metadata.weather = 1";
    let findings = Query::parse(source).unwrap().check(DATASET.iter().copied());
    assert_eq!(
        findings[0].render(source),
        format!(
            "{source}\n{}^ warning: metadata.weather holds strings in the dataset but is \
             compared to a number, so this comparison is always false",
            " ".repeat(19)
        )
    );
    let source = "metadata.tags = 1";
    let findings = Query::parse(source).unwrap().check(DATASET.iter().copied());
    assert!(findings[0].render(source).ends_with("\n^^^^^^^^^^^^^ error: metadata.tags is not searchable: the dataset holds it only as booleans, lists or objects"));
}

#[test]
fn check_accepts_owned_keys() {
    let keys: std::collections::BTreeMap<String, KeyKind> =
        [("weather".to_owned(), KeyKind::String)]
            .into_iter()
            .collect();
    let query = Query::parse(r#"metadata.weather = "sun""#).unwrap();
    assert!(
        query
            .check(keys.iter().map(|(key, kind)| (key, *kind)))
            .is_empty()
    );
}
