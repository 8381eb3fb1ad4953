//! `read::scan_line` against `read_line`: a line the scanner is sure of reads as an item without
//! error, and the scanner saw its metadata exactly (keys in order, kinds, strings, numbers).

use nucleus_model::number::Num;
use nucleus_model::read::{ScannedValue, scan_line, unescape};
use nucleus_model::{Kind, read_line};
use nucleus_testdata::mutate;
use proptest::prelude::*;
use serde_json::{Map, Value};

/// What `scan_line` saw of a line's metadata: each key with its kind, decoded string and number.
type Seen = Vec<(String, Option<Kind>, Option<String>, Option<Num>)>;

fn scanned(text: &str) -> Option<Seen> {
    let mut seen = Seen::new();
    let result = scan_line(text, |key, value| {
        let string = match value {
            ScannedValue::String(raw) => Some(unescape(raw).unwrap().into_owned()),
            _ => None,
        };
        seen.push((key.to_str().into_owned(), value.kind(), string, value.num()));
    });
    result.ok().map(|_| seen)
}

fn expected(metadata: &Map<String, Value>) -> Seen {
    metadata
        .iter()
        .map(|(key, value)| {
            let number = match value {
                Value::Number(number) => Num::from_number(number),
                _ => None,
            };
            (
                key.clone(),
                Kind::of(value),
                value.as_str().map(str::to_owned),
                number,
            )
        })
        .collect()
}

/// Asserts that a line the scanner is sure of is an item with exactly the metadata it saw.
fn check_line(text: &str) -> Result<bool, TestCaseError> {
    let Some(seen) = scanned(text) else {
        return Ok(false);
    };
    let reading = read_line(text);
    let item = reading.item.as_ref();
    prop_assert!(
        item.is_some(),
        "scanned as an item, but read with {:?}: {text}",
        reading.diagnostics
    );
    prop_assert!(!reading.has_errors(), "{text}");
    if let Some(item) = item {
        prop_assert_eq!(seen, expected(item.metadata().as_map()), "{}", text);
    }
    Ok(true)
}

/// Metadata values of every kind, with escapes, large and exotic numbers.
fn metadata_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |v| serde_json::Number::from_f64(v)
            .map(Value::Number)),
        "[a-z\"\\\\é\n\u{1}😀]{0,6}".prop_map(Value::String),
        Just(Value::Array(vec![Value::from(1), Value::Null])),
        Just(serde_json::json!({"a": {"b": [1, "x"]}})),
        Just(serde_json::json!({"position": {"x": 0, "y": 0, "z": 1}})),
    ]
}

/// An item line with random metadata, sometimes other fields, as serde writes it.
fn item_line() -> impl Strategy<Value = String> {
    let keys = prop::sample::select(vec!["a", "b", "c.d", "é", "camera_params", "lat", ""]);
    (
        prop::collection::vec((keys, metadata_value()), 0..6),
        prop::sample::select(vec![
            r#""image_location": "s3://bucket/a.jpg""#,
            r#""pointcloud_location": "https://h/a.json""#,
            r#""url": "local/a.png""#,
            r#""url": "local/a.txt""#,
            r#""image_location": "http://[bad""#,
            r#""image_location": "", "image_url": "s3://b/x.jpg""#,
            r#""image_location": null, "image_url": "s3://b\/x.jpg""#,
        ]),
        prop::sample::select(vec![
            "",
            r#", "width": 10, "height": 1"#,
            r#", "width": 0"#,
            r#", "type": "pointcloud", "phash": 3, "unknown": [1]"#,
            r#", "ref_id": "r""#,
            r#", "embedding_info": null"#,
            r#", "metadata": 1"#,
        ]),
    )
        .prop_map(|(entries, location, extra)| {
            let metadata: Map<String, Value> = entries
                .into_iter()
                .map(|(key, value)| (key.to_owned(), value))
                .collect();
            let metadata = serde_json::to_string(&metadata).unwrap();
            format!(r#"{{"reference_id": "id", {location}, "metadata": {metadata}{extra}}}"#)
        })
}

proptest! {
    #[test]
    fn scanned_items_read_the_same(text in item_line()) {
        check_line(&text)?;
    }

    #[test]
    fn scanned_mutated_items_read_the_same(mutated in mutate::mutated()) {
        let seeds = mutate::example_items();
        if let Ok(text) = String::from_utf8(mutated.apply(&seeds)) {
            check_line(&text)?;
        }
    }
}

#[test]
fn plain_example_items_are_scanned() {
    let items = mutate::example_items();
    let n_scanned = items
        .iter()
        .map(|line| check_line(line).unwrap())
        .filter(|&sure| sure)
        .count();
    // Every example item has a single location, no `ref_id` and no embedding.
    let n_plain = items
        .iter()
        .filter(|line| read_line(line).item.is_some())
        .filter(|line| !line.contains("\"embedding_info\":{") && !line.contains("ref_id"))
        .count();
    assert_eq!(n_scanned, n_plain);
    assert!(n_scanned > 0);
}

#[test]
fn lines_the_full_reader_must_judge_are_unsure() {
    for text in [
        r#"{"reference_id": "a", "image_location": "s3://b/a.jpg", "metadata": {"camera_params": {}}}"#,
        r#"{"reference_id": "a", "image_location": "s3://b/a.jpg", "metadata": {"camera_params": 1}}"#,
        r#"{"reference_id": "", "image_location": "s3://b/a.jpg"}"#,
        r#"{"reference_id": "a", "ref_id": null, "image_location": "s3://b/a.jpg"}"#,
        r#"{"reference_id": "a", "url": "s3://b/a.txt"}"#,
        r#"{"reference_id": "a", "image_location": "s3://b/a.jpg", "width": 1.0}"#,
        r#"{"reference_id": "a", "image_location": "s3://b/a.jpg", "metadata": []}"#,
        r#"{"reference_id": "a", "image_location": "s3://b/a.jpg"} x"#,
    ] {
        assert!(scanned(text).is_none(), "{text}");
    }
    let plain = r#"{"reference_id": "a", "image_location": "s3://b/a.jpg", "metadata": {"x": "\u00e9", "n": 1e2, "t": true}, "type": 1}"#;
    assert_eq!(
        scanned(plain),
        Some(vec![
            (
                "x".to_owned(),
                Some(Kind::String),
                Some("é".to_owned()),
                None
            ),
            (
                "n".to_owned(),
                Some(Kind::Number),
                None,
                Some(Num::Float(100.0))
            ),
            ("t".to_owned(), Some(Kind::Boolean), None, None),
        ])
    );
}

#[test]
fn escaped_metadata_keys_read_decoded() {
    // As Python's json.dumps writes non-ASCII keys; a reserved key is recognised decoded.
    let line = r#"{"reference_id": "a", "image_location": "s3://b/a.jpg", "metadata": {"caf\u00e9": 1, "\u0061": null}}"#;
    assert_eq!(
        scanned(line),
        Some(vec![
            (
                "café".to_owned(),
                Some(Kind::Number),
                None,
                Some(Num::Int(1))
            ),
            ("a".to_owned(), None, None, None),
        ])
    );
    let camera = r#"{"reference_id": "a", "image_location": "s3://b/a.jpg", "metadata": {"camera_p\u0061rams": 1}}"#;
    assert!(scanned(camera).is_none());
    let duplicate = r#"{"reference_id": "a", "image_location": "s3://b/a.jpg", "metadata": {"a": 1, "\u0061": 2}}"#;
    assert!(scanned(duplicate).is_none());
}

#[test]
fn the_item_type_comes_from_the_location() {
    use nucleus_model::DatasetItemType;
    let of = |line: &str| scan_line(line, |_, _| {}).ok();
    assert_eq!(
        of(r#"{"reference_id": "a", "image_location": "s3://b/a.jpg"}"#),
        Some(DatasetItemType::Image)
    );
    assert_eq!(
        of(r#"{"reference_id": "a", "pointcloud_location": "s3://b/a.json"}"#),
        Some(DatasetItemType::Pointcloud)
    );
    assert_eq!(
        of(r#"{"reference_id": "a", "url": "s3://b/a.json"}"#),
        Some(DatasetItemType::Pointcloud)
    );
}

#[test]
fn reserved_keys_are_settled_only_when_plainly_valid() {
    use nucleus_model::read::settles_reserved;
    let settled = |metadata: &str| {
        let line = format!(
            r#"{{"reference_id": "a", "image_location": "s3://b/a.jpg", "metadata": {metadata}}}"#
        );
        let mut all = true;
        scan_line(&line, |key, value| all &= settles_reserved(key, &value)).unwrap();
        all
    };
    assert!(settled(r#"{"lat": 90, "lon": -180.0, "x": [1]}"#));
    assert!(settled(r#"{"lat": null, "context_attachments": null}"#));
    assert!(!settled(r#"{"lat": 90.5}"#));
    assert!(!settled(r#"{"l\u0061t": "1"}"#));
    assert!(!settled(r#"{"context_attachments": []}"#));
}
