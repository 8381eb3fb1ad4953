//! "The item schema accepts" equals "ItemRules::new() finds no error", on the SDK corpus, the
//! examples, chosen edge cases and random items.

use nucleus_model::{DatasetItem, DatasetItemType, PayloadForm};
use nucleus_schema::{ItemVerdict, KnownGap, compare_item, entry};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use serde_json::{Map, Value, json};

/// The common verdict on `text`; fails with both verdicts and every diagnostic otherwise.
fn verdict(text: &str) -> ItemVerdict {
    match compare_item(text).unwrap() {
        Ok(verdict) => verdict,
        Err(disagreement) => panic!(
            "{text}\nschema accepts: {}, rust accepts: {}\nschema errors: {:#?}\nrust diagnostics: {:#?}",
            disagreement.schema_accepts,
            disagreement.rust_accepts,
            disagreement.schema_errors,
            disagreement.rust_diagnostics
        ),
    }
}

fn check(text: &str, expected: ItemVerdict) {
    assert_eq!(verdict(text), expected, "{text}");
}

#[test]
fn examples_items_are_all_accepted() {
    for line in nucleus_testdata::EXAMPLE_ITEMS.lines() {
        check(line, ItemVerdict::Accepted);
    }
}

#[test]
fn examples_mistakes_agree_line_by_line() {
    let mut verdicts = Vec::new();
    for line in nucleus_testdata::EXAMPLE_MISTAKES.lines() {
        verdicts.push(verdict(line));
    }
    let count = |wanted| verdicts.iter().filter(|v| **v == wanted).count();
    // Lines 1, 17, 20, 21, 22, 23, 24, 26, 34, 37, 38, 39 are fine item by item (dataset-level
    // mistakes or warnings); 27, 28, 30, 31, 32, 33 are not JSON the reader accepts; the rest
    // are item errors.
    assert_eq!(
        (
            count(ItemVerdict::Accepted),
            count(ItemVerdict::NotJson),
            count(ItemVerdict::Rejected)
        ),
        (12, 6, 22)
    );
}

#[test]
fn sdk_corpus_agrees() {
    let corpus = nucleus_testdata::SDK_CORPUS;
    let (mut accepted, mut rejected, mut not_json, mut gaps) = (0, 0, 0, 0);
    for line in corpus.lines() {
        let case: Value = serde_json::from_str(line).unwrap();
        let input = case["input"].as_str().unwrap();
        if let Err(disagreement) = compare_item(input).unwrap()
            && disagreement.is_known_gap()
        {
            // `"width": 1e3`: the documented gap, only in these cases.
            assert_eq!(case["case"], "dimensions-invalid", "{line}");
            gaps += 1;
            continue;
        }
        match verdict(input) {
            ItemVerdict::Accepted => accepted += 1,
            ItemVerdict::Rejected => rejected += 1,
            ItemVerdict::NotJson => not_json += 1,
            other => panic!("{other:?}"),
        }
    }
    eprintln!(
        "sdk corpus: {accepted} accepted, {rejected} rejected, {not_json} not JSON, {gaps} float-spelled dimensions"
    );
    assert!(accepted > 1000 && rejected > 500, "{accepted} {rejected}");
    assert!(gaps > 0);
}

#[test]
fn location_rules() {
    use ItemVerdict::{Accepted, Rejected};
    let cases = [
        (r#"{"url":"jpg","reference_id":"a"}"#, Accepted),
        (r#"{"url":"json","reference_id":"a"}"#, Accepted),
        (r#"{"url":"a.tar.json","reference_id":"a"}"#, Accepted),
        (r#"{"url":"s3://b/jpg","reference_id":"a"}"#, Rejected),
        (r#"{"url":"a.jpeg","reference_id":"a"}"#, Rejected),
        (r#"{"url":"a.JPG","reference_id":"a"}"#, Rejected),
        (r#"{"url":"a.jpg?sig=1","reference_id":"a"}"#, Rejected),
        (r#"{"url":"a.jpg\n","reference_id":"a"}"#, Rejected),
        (r#"{"url":"x\njpg","reference_id":"a"}"#, Rejected),
        (
            r#"{"url":"a.png","reference_id":"a","embedding_info":{"index_id":"i","embedding_vector":[1]}}"#,
            Accepted,
        ),
        (
            r#"{"url":"a.json","reference_id":"a","embedding_info":{"index_id":"i","embedding_vector":[1]}}"#,
            Rejected,
        ),
        (
            r#"{"url":"a.json","reference_id":"a","embedding_info":null}"#,
            Accepted,
        ),
        (r#"{"url":5,"reference_id":"a"}"#, Rejected),
        (r#"{"url":5,"image_url":"a","reference_id":"a"}"#, Accepted),
        (r#"{"url":"","reference_id":"a"}"#, Rejected),
        (
            r#"{"image_location":"","image_url":"b","reference_id":"a"}"#,
            Accepted,
        ),
        (
            r#"{"image_location":"","url":"b.png","reference_id":"a"}"#,
            Accepted,
        ),
        (
            r#"{"image_url":"a","pointcloud_url":"b","reference_id":"a"}"#,
            Rejected,
        ),
        (
            r#"{"image_url":"a","pointcloud_url":"","reference_id":"a"}"#,
            Accepted,
        ),
        (
            r#"{"image_url":"a","pointcloud_url":null,"reference_id":"a"}"#,
            Accepted,
        ),
        (
            r#"{"image_url":"a","pointcloud_url":5,"reference_id":"a"}"#,
            Rejected,
        ),
        (
            r#"{"image_url":"a","ref_id":null,"reference_id":"a"}"#,
            Rejected,
        ),
        (
            r#"{"image_url":"a","ref_id":"b","reference_id":5}"#,
            Accepted,
        ),
        (
            r#"{"image_url":"a","ref_id":"","reference_id":"a"}"#,
            Rejected,
        ),
        (
            r#"{"image_url":"a","reference_id":"a","type":"pointcloud","camera_params":1,"x":1}"#,
            Accepted,
        ),
    ];
    for (text, expected) in cases {
        check(text, expected);
    }
}

#[test]
fn zero_quaternion_in_every_spelling_is_rejected_by_both() {
    for (zero, verdict) in [
        ("0", ItemVerdict::Rejected),
        ("0.0", ItemVerdict::Rejected),
        ("-0", ItemVerdict::Rejected),
        ("-0.0", ItemVerdict::Rejected),
        ("0e5", ItemVerdict::Rejected),
        // An underflowing literal is rejected by the reader before any rule.
        ("1e-400", ItemVerdict::NotJson),
    ] {
        let text = format!(
            r#"{{"image_url":"a.jpg","reference_id":"a","metadata":{{"camera_params":{{"position":{{"x":0,"y":0,"z":0}},"heading":{{"x":{zero},"y":0,"z":-0.0,"w":0.0}},"fx":1,"fy":1,"cx":0,"cy":0}}}}}}"#
        );
        check(&text, verdict);
    }
    let tiny = r#"{"image_url":"a.jpg","reference_id":"a","metadata":{"camera_params":{"position":{"x":0,"y":0,"z":0},"heading":{"x":0,"y":0,"z":0,"w":5e-324},"fx":5e-324,"fy":1,"cx":0,"cy":0}}}"#;
    check(tiny, ItemVerdict::Accepted);
}

#[test]
fn a_float_spelled_width_is_the_one_known_gap() {
    let text = r#"{"image_url":"a.jpg","reference_id":"a","width":1920.0,"height":1080}"#;
    let disagreement = compare_item(text).unwrap().unwrap_err();
    assert!(disagreement.schema_accepts && !disagreement.rust_accepts);
    assert_eq!(
        disagreement.known_gaps,
        [KnownGap::FloatSpelledInteger {
            paths: vec!["/width".to_owned()]
        }]
    );
    let diagnostic = disagreement.diagnostic();
    assert_eq!(diagnostic.code.as_str(), "schema-disagreement");
    assert!(!diagnostic.is_error());
    assert_eq!(
        diagnostic.message,
        "the item schema accepts this item but the Rust validator rejects it (/width: an integral float is an integer for JSON Schema; a known limitation); rust: error[invalid-dimension]: /width: width must be an integer of at least 1 (pixels), found 1920.0"
    );
    // With another error as well, both reject: no gap to explain.
    check(
        r#"{"image_url":"a.jpg","reference_id":"","width":1920.0}"#,
        ItemVerdict::Rejected,
    );
}

/// Remote locations: what a pattern can see, both reject; what only the WHATWG parser sees is
/// the documented `UrlSyntax` gap; well-formed ones both accept. In every location field.
#[test]
fn url_syntax_agrees_or_is_the_documented_gap() {
    let well_formed = [
        "https://[::1]:8080/x.png",
        "https://münchen.example/a.jpg",
        "https://host/a%20b.jpg",
        "https://acct.blob.core.windows.net/c/a.jpg?sv=1&sig=x%2F",
        "s3://bucket.with.dots/a.jpg",
        "http://host:0/a.jpg",
        "http://host:0065535/a.jpg",
        "http://host:/a.jpg",
        "https://u:p@h/a.jpg",
        "HTTP://H/a.jpg",
    ];
    let pattern_sees = [
        "https://[fe80::1/x.png",
        "http://[abc]/a.jpg",
        "https://[fe80::1%25eth0]:8080/x.png",
        "http://[::1]x/a.jpg",
        "http://host:65536/a.jpg",
        "http://host:99999/a.jpg",
        "http://host:8o/a.jpg",
        "https://host/a b.jpg",
        "s3://b/a.jpg\t",
        "http:///a.jpg",
        "s3://",
        "http://u@/a.jpg",
        "http://:80/a.jpg",
        "http://a[b/a.jpg",
        "http://[1.2.3.4]/a.jpg",
    ];
    let parser_only = [
        "http://xn--a.example/a.jpg",
        "http://999.1.1.1/a.jpg",
        "http://[::1::2]/a.jpg",
        "http://[1:2:3]/a.jpg",
        "http://a<b/a.jpg",
        "s3://b|c/a.jpg",
        "s3://b\\c/a.jpg",
    ];
    let items = |url: &str| {
        let url = Value::from(url);
        [
            json!({"image_location": url, "reference_id": "a"}),
            json!({"processed_url": url, "image_url": "s3://b/ok.jpg", "reference_id": "a"}),
            json!({"pointcloud_url": url, "reference_id": "a"}),
            json!({"url": format!("{}/x.json", url.as_str().unwrap_or_default()), "reference_id": "a"}),
            json!({"image_url": "a.jpg", "reference_id": "a",
                   "metadata": {"context_attachments": [{"attachment": url}]}}),
        ]
    };
    for url in well_formed {
        for item in items(url) {
            check(&item.to_string(), ItemVerdict::Accepted);
        }
    }
    for url in pattern_sees {
        for item in items(url) {
            check(&item.to_string(), ItemVerdict::Rejected);
        }
    }
    for url in parser_only {
        for item in items(url) {
            let text = item.to_string();
            let disagreement = compare_item(&text).unwrap().unwrap_err();
            assert!(
                matches!(
                    disagreement.known_gaps.as_slice(),
                    [KnownGap::UrlSyntax { .. }]
                ),
                "{text}\n{disagreement}"
            );
            assert!(!disagreement.diagnostic().is_error(), "{text}");
        }
    }
    // A malformed location that the reader does not use is no error for either (a warning).
    check(
        r#"{"image_location":"s3://b/a.jpg","image_url":"http://[abc]/a.jpg","reference_id":"a"}"#,
        ItemVerdict::Accepted,
    );
}

/// URL-like text built from the characters that matter: the pattern never rejects what the
/// reader accepts, and every disagreement is the `UrlSyntax` gap.
fn url_like() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec![
            "http://", "HTTPS://", "s3://", "gs://", "gcs://", "ftp://",
        ]),
        "([a-z]{0,3}@)?",
        "(\\[[0-9a-fA-F:.%]{0,8}\\]?|[a-zA-Z0-9.\\-_%<|é ]{0,10})",
        "(:[0-9a]{0,6})?",
        "(/[a-z %.]{0,6})?",
    )
        .prop_map(|(scheme, user, host, port, path)| format!("{scheme}{user}{host}{port}{path}"))
}

proptest! {
    #[test]
    fn url_like_locations_agree_or_are_the_gap(url in url_like()) {
        let text = json!({"image_location": url, "reference_id": "a"}).to_string();
        if let Err(disagreement) = compare_item(&text).unwrap() {
            prop_assert!(
                matches!(disagreement.known_gaps.as_slice(), [KnownGap::UrlSyntax { .. }]),
                "{text}\n{disagreement}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Random items: valid ones and mutations of every field.

fn text_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("s3://bucket/a.jpg")),
        Just(json!("images/0001.png")),
        Just(json!("gs://b/cloud.json")),
        Just(json!("gcs://b/x.jpg")),
        Just(json!("clouds/1.json")),
        Just(json!("https://acct.blob.core.windows.net/c/a.jpg")),
        Just(json!("jpg")),
        Just(json!("json")),
        Just(json!("a.jpeg")),
        Just(json!("a.JPG")),
        Just(json!("s3://b/no_extension")),
        Just(json!("a.jpg\n")),
        Just(json!("a.json#x")),
        Just(json!("dir.v2/file")),
        Just(json!("")),
        Just(json!("é.png")),
        Just(json!("https://[fe80::1/x.png")),
        Just(json!("http://[abc]/a.jpg")),
        Just(json!("s3://b/a b.json")),
    ]
}

fn junk() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(json!(0)),
        Just(json!(5)),
        Just(json!(-1.5)),
        Just(json!(true)),
        Just(json!(false)),
        Just(json!([])),
        Just(json!(["a"])),
        Just(json!({})),
        Just(json!({"a": 1})),
        Just(json!("")),
        Just(json!("x")),
    ]
}

fn location_value() -> impl Strategy<Value = Value> {
    prop_oneof![4 => text_value(), 1 => junk()]
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(0)),
        Just(json!(0.0)),
        Just(json!(-0.0)),
        Just(json!(1)),
        Just(json!(-1)),
        Just(json!(1e-300)),
        Just(json!(5e-324)),
        Just(json!(1000)),
        Just(json!(1825.832)),
        Just(json!(-90)),
        Just(json!(90)),
        Just(json!(90.0000001)),
        Just(json!(-180)),
        Just(json!(180.5)),
        Just(json!(u64::MAX)),
        Just(json!(i64::MIN)),
        (-200.0..200.0f64).prop_map(|v| json!(v)),
    ]
}

fn numberish() -> impl Strategy<Value = Value> {
    prop_oneof![12 => number(), 1 => junk()]
}

fn object_of(fields: Vec<(&'static str, BoxedStrategy<Option<Value>>)>) -> BoxedStrategy<Value> {
    fields
        .into_iter()
        .map(|(key, strategy)| strategy.prop_map(move |value| (key, value)))
        .collect::<Vec<_>>()
        .prop_map(|entries| {
            let mut map = Map::new();
            for (key, value) in entries {
                if let Some(value) = value {
                    map.insert(key.to_owned(), value);
                }
            }
            Value::Object(map)
        })
        .boxed()
}

/// Present (mostly) with a value from `strategy`.
fn usually<S: Strategy<Value = Value> + 'static>(strategy: S) -> BoxedStrategy<Option<Value>> {
    prop_oneof![1 => Just(None), 8 => strategy.prop_map(Some)].boxed()
}

/// Absent (nearly always), or a value from `strategy`.
fn rarely<S: Strategy<Value = Value> + 'static>(strategy: S) -> BoxedStrategy<Option<Value>> {
    prop_oneof![7 => Just(None), 1 => strategy.prop_map(Some)].boxed()
}

/// Absent (mostly), or a value from `strategy`.
fn sometimes<S: Strategy<Value = Value> + 'static>(strategy: S) -> BoxedStrategy<Option<Value>> {
    prop_oneof![3 => Just(None), 1 => strategy.prop_map(Some)].boxed()
}

fn vector(keys: &'static [&'static str]) -> BoxedStrategy<Value> {
    let fields = keys
        .iter()
        .map(|key| (*key, usually(numberish())))
        .collect();
    prop_oneof![8 => object_of(fields), 1 => junk()].boxed()
}

fn camera() -> BoxedStrategy<Value> {
    let coefficient = || sometimes(prop_oneof![4 => number(), 1 => junk()]);
    let fields = vec![
        ("position", usually(vector(&["x", "y", "z"]))),
        ("heading", usually(vector(&["x", "y", "z", "w"]))),
        ("fx", usually(numberish())),
        ("fy", usually(numberish())),
        ("cx", usually(numberish())),
        ("cy", usually(numberish())),
        (
            "camera_model",
            sometimes(prop_oneof![
                Just(json!("brown_conrady")),
                Just(json!("fisheye")),
                Just(json!("pinhole")),
                Just(json!("")),
                junk(),
            ]),
        ),
        ("k1", coefficient()),
        ("k2", coefficient()),
        ("k3", coefficient()),
        ("k4", coefficient()),
        ("p1", coefficient()),
        ("p2", coefficient()),
        ("extra", sometimes(junk())),
    ];
    prop_oneof![12 => object_of(fields), 1 => junk()].boxed()
}

fn attachments() -> BoxedStrategy<Value> {
    let entry = prop_oneof![
        6 => object_of(vec![
            ("attachment", usually(location_value())),
            ("kind", sometimes(junk())),
        ]),
        1 => junk(),
    ];
    prop_oneof![
        6 => proptest::collection::vec(entry, 0..3).prop_map(Value::Array),
        1 => junk(),
    ]
    .boxed()
}

fn metadata() -> BoxedStrategy<Value> {
    let fields = vec![
        ("lat", sometimes(numberish())),
        ("lon", sometimes(numberish())),
        ("camera_params", sometimes(camera())),
        ("context_attachments", sometimes(attachments())),
        ("speed", sometimes(numberish())),
        ("weather", sometimes(junk())),
    ];
    prop_oneof![16 => object_of(fields), 1 => junk()].boxed()
}

fn embedding() -> BoxedStrategy<Value> {
    let fields = vec![
        (
            "index_id",
            usually(prop_oneof![3 => Just(json!("index-1")), 1 => junk()]),
        ),
        (
            "embedding_vector",
            usually(prop_oneof![
                3 => proptest::collection::vec(number(), 1..4).prop_map(Value::Array),
                1 => proptest::collection::vec(numberish(), 0..3).prop_map(Value::Array),
                1 => junk(),
            ]),
        ),
        ("extra", sometimes(junk())),
    ];
    prop_oneof![6 => object_of(fields), 1 => junk()].boxed()
}

fn dimension() -> impl Strategy<Value = Value> {
    prop_oneof![
        16 => (1..5000u64).prop_map(|v| json!(v)),
        1 => Just(json!(0)),
        1 => Just(json!(-3)),
        1 => Just(json!(1.5)),
        1 => Just(json!(u64::MAX)),
        1 => junk(),
    ]
}

fn reference_id() -> impl Strategy<Value = Value> {
    prop_oneof![12 => Just(json!("ref-1")), 1 => Just(json!("")), 1 => junk()]
}

/// A well-formed location under one of its names, so that most items get past the location
/// rules and the other fields decide.
fn primary_location() -> impl Strategy<Value = Option<(&'static str, Value)>> {
    let key = prop_oneof![
        Just("image_location"),
        Just("pointcloud_location"),
        Just("image_url"),
        Just("processed_url"),
        Just("pointcloud_url"),
        Just("url"),
    ];
    let text = prop_oneof![
        Just(json!("s3://bucket/a.jpg")),
        Just(json!("gs://b/cloud.json")),
        Just(json!("https://h/x.png")),
    ];
    prop_oneof![1 => Just(None), 4 => (key, text).prop_map(Some)]
}

fn item() -> BoxedStrategy<Value> {
    (primary_location(), fields())
        .prop_map(|(primary, mut value)| {
            if let (Some((key, text)), Value::Object(map)) = (primary, &mut value) {
                map.entry(key).or_insert(text);
            }
            value
        })
        .boxed()
}

fn fields() -> BoxedStrategy<Value> {
    object_of(vec![
        ("image_location", rarely(location_value())),
        ("processed_url", rarely(location_value())),
        ("image_url", rarely(location_value())),
        ("original_image_url", rarely(location_value())),
        ("pointcloud_location", rarely(location_value())),
        ("pointcloud_url", rarely(location_value())),
        ("url", rarely(location_value())),
        ("reference_id", usually(reference_id())),
        ("ref_id", sometimes(reference_id())),
        ("metadata", usually(metadata())),
        ("width", sometimes(dimension())),
        ("height", sometimes(dimension())),
        ("embedding_info", sometimes(embedding())),
        ("phash", sometimes(junk())),
        ("dataset_item_id", sometimes(junk())),
        ("type", sometimes(junk())),
        ("camera_params", sometimes(camera())),
        ("image_locaton", sometimes(junk())),
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { max_shrink_iters: 4096, ..ProptestConfig::default() })]

    /// The schema's verdict is the Rust validator's on every generated item.
    #[test]
    fn schema_verdict_equals_rust_verdict(value in item()) {
        let text = value.to_string();
        verdict(&text);
    }

    /// Every payload the writer produces for an accepted item is valid against the payload
    /// schema, in both forms.
    #[test]
    fn payloads_of_accepted_items_are_valid(value in item()) {
        let text = value.to_string();
        if verdict(&text) == ItemVerdict::Accepted {
            let item = DatasetItem::from_json(&text).unwrap();
            let payload_schema = entry("payload").unwrap();
            for form in [PayloadForm::Plain, PayloadForm::Scene] {
                if form == PayloadForm::Plain && item.item_type() == DatasetItemType::Pointcloud {
                    continue;
                }
                let payload = item.to_payload(form).unwrap();
                let errors = payload_schema.validate(&payload).unwrap();
                prop_assert!(errors.is_empty(), "{payload}\n{errors:#?}");
            }
        }
    }
}

/// A float-spelled width or height (`1920.0`) is the only way to make them disagree; with
/// integral floats allowed, every disagreement is that known gap.
#[test]
fn with_float_spelled_dimensions_every_disagreement_is_the_known_gap() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = (item(), prop_oneof![Just(json!(1920.0)), Just(json!(1.0))]);
    let mut n_gaps = 0;
    for _ in 0..256 {
        let (mut value, float) = strategy.new_tree(&mut runner).unwrap().current();
        if let Value::Object(map) = &mut value {
            map.insert("width".to_owned(), float);
        }
        let text = value.to_string();
        if let Err(disagreement) = compare_item(&text).unwrap() {
            assert!(disagreement.is_known_gap(), "{text}\n{disagreement}");
            n_gaps += 1;
        }
    }
    assert!(n_gaps > 0);
}

/// The generator is not trivial: both verdicts are common.
#[test]
fn random_items_cover_both_verdicts() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = item();
    let (mut accepted, mut rejected) = (0, 0);
    for _ in 0..512 {
        let value = strategy.new_tree(&mut runner).unwrap().current();
        match verdict(&value.to_string()) {
            ItemVerdict::Accepted => accepted += 1,
            _ => rejected += 1,
        }
    }
    eprintln!("random items: {accepted} accepted, {rejected} rejected");
    assert!(
        accepted > 100 && rejected > 100,
        "{accepted} accepted, {rejected} rejected"
    );
}

/// Found by `cargo xtask fuzz`: one item can hit both gaps; together they explain it.
#[test]
fn a_float_width_and_an_invalid_domain_in_one_item_are_both_known_gaps() {
    let text = r#"{"image_location":"https://a.wind\ufffdws.net/1.jpg","reference_id":"a","width":3e000,"height":2000}"#;
    let disagreement = compare_item(text).unwrap().unwrap_err();
    assert!(disagreement.schema_accepts && !disagreement.rust_accepts);
    assert_eq!(
        disagreement.known_gaps,
        [
            KnownGap::FloatSpelledInteger {
                paths: vec!["/width".to_owned()]
            },
            KnownGap::UrlSyntax {
                paths: vec!["/image_location".to_owned()]
            }
        ]
    );
    assert!(!disagreement.diagnostic().is_error());
}

/// `with_cross_check` adds a `schema-disagreement` to the lines where the verdicts differ (here
/// the known gap, a warning), after the line's own findings and the hooks added before it.
#[test]
fn the_cross_check_hook_finds_disagreements_on_their_lines() {
    use nucleus_metadata::ItemRules;
    use nucleus_metadata::check::{Check, CheckEvent, HookFindings};
    use nucleus_model::{Code, Diagnostic};
    use std::ops::ControlFlow;

    let lines = [
        r#"{"image_url":"s3://b/a.jpg","reference_id":"a"}"#,
        r#"{"image_url":"s3://b/b.jpg","reference_id":"b","width":1920.0,"height":1080}"#,
    ];
    let check = Check::new(ItemRules::new()).with_hook(|_, _| {
        HookFindings::Ready(vec![Diagnostic::warning(Code::UnknownField, "/before", "")])
    });
    let mut check = nucleus_schema::with_cross_check(check);
    let mut found = Vec::new();
    check.read_lines(
        "lines",
        lines,
        &nucleus_lines::StreamConfig::default(),
        |event| {
            if let CheckEvent::Finding(d) = event {
                found.push((d.line, d.code.as_str(), d.severity.to_string()));
            }
            ControlFlow::Continue(())
        },
    );
    assert_eq!(
        found,
        [
            (Some(1), "unknown-field", "warning".to_owned()),
            (Some(2), "invalid-dimension", "error".to_owned()),
            (Some(2), "unknown-field", "warning".to_owned()),
            (Some(2), "schema-disagreement", "warning".to_owned()),
        ]
    );
    assert!(nucleus_schema::cross_check(lines[0]).is_none());
}
