//! The fast path of `check` against the full reader. The fast path may decline any line (then
//! the full reader runs), but a line it calls clean must be one the full reader reads without a
//! single finding, with the same reference id and the same metadata keys, kinds and values; and
//! a dataset checked through the fast path gives exactly the findings of the full reader.

use nucleus_metadata::fast::recognise;
use nucleus_metadata::shard::ShardCheck;
use nucleus_metadata::{CleanItem, DatasetState, ItemRules, LineCheck, Position};
use nucleus_model::{Code, Diagnostic, json};
use nucleus_testdata::{
    EXAMPLE_ITEMS as EXAMPLES, EXAMPLE_MISTAKES as MISTAKES, SDK_CORPUS as CORPUS,
};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use serde_json::Value;

fn all_rules() -> [ItemRules; 4] {
    [
        ItemRules::new(),
        ItemRules::new().remote_only(true),
        ItemRules::new().require_dimensions(true),
        ItemRules::new().remote_only(true).require_dimensions(true),
    ]
}

/// Whether the fast path called `text` clean, after checking that the full reader agrees.
fn agrees(rules: &ItemRules, text: &str) -> Result<bool, TestCaseError> {
    let Ok(clean) = recognise(rules, text) else {
        return Ok(false);
    };
    let reading = rules.check_line(text);
    prop_assert!(
        reading.diagnostics.is_empty(),
        "fast path called clean a line with findings: {text}\n{:#?}",
        reading.diagnostics
    );
    let item = reading.item.expect("no finding, so an item");
    prop_assert_eq!(
        item.reference_id().as_str(),
        clean.reference_id(),
        "{}",
        text
    );
    let full: Vec<(&str, &Value)> = item
        .metadata()
        .iter()
        .filter(|(_, value)| !value.is_null())
        .map(|(key, value)| (key.as_str(), value))
        .collect();
    let fast: Vec<(&str, _, &str)> = clean.metadata_kinds().collect();
    prop_assert_eq!(full.len(), fast.len(), "{}", text);
    for ((key, value), (fast_key, kind, fast_text)) in full.into_iter().zip(fast) {
        prop_assert_eq!(key, fast_key, "{}", text);
        prop_assert_eq!(Some(kind), nucleus_model::Kind::of(value), "{}", text);
        if kind.is_searchable() {
            prop_assert_eq!(&json::parse(fast_text).unwrap(), value, "{}", text);
        } else {
            prop_assert_eq!(fast_text, "");
        }
    }
    Ok(true)
}

fn check_agreement(rules: &ItemRules, text: &str) -> bool {
    match agrees(rules, text) {
        Ok(clean) => clean,
        Err(error) => panic!("{error}"),
    }
}

#[test]
fn clean_means_clean_on_the_sdk_corpus() {
    for (rules, at_least) in all_rules().into_iter().zip([1500, 1000, 300, 200]) {
        let mut n_clean = 0;
        for line in CORPUS.lines() {
            let case: Value = serde_json::from_str(line).unwrap();
            if check_agreement(&rules, case["input"].as_str().unwrap()) {
                n_clean += 1;
            }
        }
        // Not vacuous: the corpus is mostly accepted items (few with dimensions, many local).
        assert!(
            n_clean >= at_least,
            "{rules:?}: only {n_clean} lines took the fast path"
        );
    }
}

#[test]
fn clean_means_valid_json_on_the_json_test_suite() {
    let mut n_files = 0;
    for case in nucleus_testdata::json_test_suite().unwrap() {
        let Ok(text) = String::from_utf8(case.bytes) else {
            continue;
        };
        n_files += 1;
        // As a whole text, and as the metadata of an item.
        check_agreement(&ItemRules::new(), &text);
        let item = format!(
            r#"{{"image_location": "s3://b/a.jpg", "reference_id": "a", "metadata": {{"v": {text}}}}}"#
        );
        check_agreement(&ItemRules::new(), &item);
    }
    assert!(n_files > 250, "{n_files} files of JSONTestSuite");
}

#[test]
fn every_clean_example_takes_the_fast_path() {
    let rules = ItemRules::new();
    for line in EXAMPLES.lines() {
        assert!(rules.check_line(line).diagnostics.is_empty(), "{line}");
        assert!(
            check_agreement(&rules, line),
            "declined a clean example: {line}"
        );
    }
}

#[test]
fn lines_with_findings_never_take_the_fast_path() {
    for rules in all_rules() {
        for line in MISTAKES.lines() {
            let findings = rules.check_line(line).diagnostics;
            let clean = check_agreement(&rules, line);
            assert!(findings.is_empty() || !clean, "{line}");
        }
    }
}

#[test]
fn malformed_urls_never_take_the_fast_path() {
    let rules = ItemRules::new();
    for line in [
        r#"{"image_location":"https://[fe80::1/x.png","reference_id":"a"}"#,
        r#"{"image_url":"http://[abc]/a.jpg","reference_id":"a"}"#,
        r#"{"pointcloud_location":"s3://b/a b.json","reference_id":"a"}"#,
        r#"{"url":"http:\/\/h:65536\/a.jpg","reference_id":"a"}"#,
        r#"{"image_location":"s3://b/a.jpg","reference_id":"a","metadata":{"context_attachments":[{"attachment":"s3:///x.pdf"}]}}"#,
    ] {
        let findings = rules.check_line(line).diagnostics;
        assert_eq!(
            findings.iter().map(|d| d.code).collect::<Vec<_>>(),
            [Code::InvalidLocation],
            "{line}"
        );
        assert!(!check_agreement(&rules, line), "{line}");
    }
}

/// A dataset through `DatasetState`, every line by the full reader or by the fast path.
fn dataset_findings(rules: &ItemRules, lines: &[String], fast: bool) -> Vec<Diagnostic> {
    let mut state = DatasetState::new();
    let input = state.add_input("items.jsonl");
    let mut out = Vec::new();
    for (line, text) in (1u64..).zip(lines) {
        let position = Position { input, line };
        let check = if fast {
            rules.check_line_fast(text)
        } else {
            LineCheck::Read(Box::new(rules.check_line(text)))
        };
        match check {
            LineCheck::Clean(item) => state.observe_clean(position, &item, &mut out),
            LineCheck::Read(reading) => {
                out.extend(reading.diagnostics.into_iter().map(|d| d.at_line(line)));
                if let Some(item) = reading.item {
                    state.observe(position, &item, &mut out);
                }
            }
        }
    }
    out.extend(state.kind_findings().into_iter().map(|f| f.diagnostic));
    out
}

// --- Generated lines -------------------------------------------------------------------------

/// JSON texts of every kind, with the numbers and strings the fast path must be careful about.
fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("false".to_owned()),
        prop::sample::select(vec![
            "0",
            "-0",
            "-0.0",
            "1",
            "-1",
            "1.5",
            "1.50",
            "2.5e3",
            "1E-5",
            "1e400",
            "1e-400",
            "1e250",
            "1e-250",
            "123456789012345678",
            "1723450402600521014",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "0.1",
            "0.30000000000000004",
            "9007199254740993",
            "35.663723",
            "-122.5",
            "91",
            "-180.0001",
            "1e2",
            "01",
            "1.",
            ".5",
            "+1",
            "NaN",
        ])
        .prop_map(str::to_owned),
        prop::sample::select(vec![
            r#""rain""#,
            r#""""#,
            r#""a\"b""#,
            r#""\u00e9t\u00e9""#,
            r#""\ud83d\ude00""#,
            r#""\ud800""#,
            r#""tab\tx""#,
            "\"tab\tx\"",
            r#""s3://b/k.jpg""#,
            r#""gcs://b/k.jpg""#,
            r#""images/a.jpg""#,
            r#""https://acct.blob.core.windows.net/c/a.png""#,
            // Malformed URLs (`invalid-location` in the full reader).
            r#""https://[fe80::1/x.png""#,
            r#""s3://b/a b.jpg""#,
            r#""http:\/\/h:65536\/a.png""#,
            r#""\/""#,
            r#""\x""#,
            r#""é""#,
        ])
        .prop_map(str::to_owned),
    ]
}

fn value() -> impl Strategy<Value = String> {
    scalar().prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec((key(), inner), 0..4).prop_map(|members| object(&members)),
        ]
    })
}

fn key() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "weather",
        "speed",
        "tags",
        "a",
        "b",
        "lat",
        "lon",
        "camera_params",
        "context_attachments",
        "x",
        "y",
        "z",
        "w",
        "attachment",
        "fx",
        "k1",
        "camera_model",
        "position",
        "heading",
        "we\\u0061ther",
        // Escaped keys as Python's `json.dumps` writes them: reserved keys in disguise, the
        // same key twice once decoded, a surrogate pair, lone surrogates.
        "l\\u0061t",
        "\\u006con",
        "camera\\u005fparams",
        "\\u0061",
        "\\u5929\\u6c17",
        "\\ud83d\\ude00",
        "\\ud83d",
        "\\ude00x",
        "",
    ])
    .prop_map(str::to_owned)
}

fn object(members: &[(String, String)]) -> String {
    let members: Vec<String> = members
        .iter()
        .map(|(k, v)| format!("\"{k}\":{v}"))
        .collect();
    format!("{{{}}}", members.join(","))
}

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        (-1000.0..1000.0f64).prop_map(|v| v.to_string()),
        (-200i64..200).prop_map(|v| v.to_string()),
        scalar(),
    ]
}

fn camera() -> impl Strategy<Value = String> {
    let vector = |names: &'static [&'static str]| {
        prop::collection::vec(number(), names.len()).prop_map(move |values| {
            let members: Vec<(String, String)> =
                names.iter().map(|n| (*n).to_owned()).zip(values).collect();
            object(&members)
        })
    };
    (
        vector(&["x", "y", "z"]),
        vector(&["x", "y", "z", "w"]),
        prop::collection::vec(number(), 4),
        prop::option::of(prop::sample::select(vec![
            r#""brown_conrady""#,
            r#""fisheye""#,
            r#""pinhole""#,
            r#""kb""#,
            "null",
            "3",
        ])),
        prop::collection::vec(
            (
                prop::sample::select(vec!["k1", "k2", "k3", "k4", "p1", "p2", "extra"]),
                number(),
            ),
            0..4,
        ),
        prop::sample::subsequence(vec![0usize, 1, 2, 3, 4, 5], 4..=6),
    )
        .prop_map(
            |(position, heading, intrinsics, model, coefficients, keep)| {
                let mut members = vec![
                    ("position".to_owned(), position),
                    ("heading".to_owned(), heading),
                ];
                for (name, value) in ["fx", "fy", "cx", "cy"].iter().zip(intrinsics) {
                    members.push(((*name).to_owned(), value));
                }
                let mut members: Vec<(String, String)> = keep
                    .into_iter()
                    .filter_map(|idx| members.get(idx).cloned())
                    .collect();
                if let Some(model) = model {
                    members.push(("camera_model".to_owned(), model.to_owned()));
                }
                members.extend(coefficients.into_iter().map(|(k, v)| (k.to_owned(), v)));
                object(&members)
            },
        )
}

fn metadata_value(key: String) -> BoxedStrategy<(String, String)> {
    let value = match key.as_str() {
        "lat" | "lon" => number().boxed(),
        "camera_params" => prop_oneof![3 => camera(), 1 => value()].boxed(),
        "context_attachments" => prop_oneof![
            prop::collection::vec(
                prop_oneof![
                    scalar().prop_map(|location| format!(r#"{{"attachment":{location}}}"#)),
                    value(),
                ],
                0..3
            )
            .prop_map(|entries| format!("[{}]", entries.join(","))),
            value(),
        ]
        .boxed(),
        _ => value().boxed(),
    };
    value.prop_map(move |value| (key.clone(), value)).boxed()
}

fn metadata() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just("null".to_owned()),
        1 => scalar(),
        8 => prop::collection::vec(key().prop_flat_map(metadata_value), 0..6)
            .prop_map(|members| object(&members)),
    ]
}

fn top_level() -> impl Strategy<Value = Vec<(String, String)>> {
    let location = prop::sample::select(vec![
        r#""s3://b/k.jpg""#,
        r#""gs://b/k.json""#,
        r#""gcs://b/k.jpg""#,
        r#""images/a.jpg""#,
        r#""https://h/a.png""#,
        r#""http://[abc]/a.jpg""#,
        r#""s3:///k.json""#,
        r#""https://h/a.png ""#,
        r#""""#,
        "null",
        "3",
    ]);
    let field = prop_oneof![
        4 => (prop::sample::select(vec!["image_location", "image_url", "pointcloud_location", "pointcloud_url", "processed_url", "url"]), location)
            .prop_map(|(k, v)| (k.to_owned(), v.to_owned())),
        4 => (
                prop::sample::select(vec!["reference_id", "ref_id", "reference\\u005fid", "ref\\u005fid"]),
                prop_oneof![
                    scalar(),
                    prop::sample::select(vec![
                        r#""id-1""#,
                        r#""id-2""#,
                        // "id-1" again, and ids with non-ASCII text.
                        r#""id\u002d1""#,
                        r#""\u8a66\u9a13/1""#,
                        r#""\ud83d\ude00""#,
                        r#""\ud83d-1""#,
                    ])
                    .prop_map(str::to_owned),
                ],
            )
            .prop_map(|(k, v)| (k.to_owned(), v)),
        6 => metadata().prop_map(|v| ("metadata".to_owned(), v)),
        2 => (prop::sample::select(vec!["width", "height"]), number())
            .prop_map(|(k, v)| (k.to_owned(), v)),
        1 => (prop::sample::select(vec!["type", "phash", "dataset_item_id", "ref_id", "embedding_info", "camera_params", "wdith", "metad\\u0061ta"]), value())
            .prop_map(|(k, v)| (k.to_owned(), v)),
        1 => (prop::sample::select(vec![r#""image""#, r#""pointcloud""#]))
            .prop_map(|v| ("type".to_owned(), v.to_owned())),
        1 => prop_oneof![
                Just(r#"{"index_id":"i","embedding_vector":[0.5,1]}"#.to_owned()),
                Just(r#"{"index_id":"","embedding_vector":[1]}"#.to_owned()),
                Just(r#"{"index_id":"i","embedding_vector":[]}"#.to_owned()),
                Just(r#"{"index_id":"i","embedding_vector":[1],"x":1}"#.to_owned()),
            ]
            .prop_map(|v| ("embedding_info".to_owned(), v)),
    ];
    prop::collection::vec(field, 1..7)
}

/// An item-like line, often valid; sometimes with a byte inserted, deleted or repeated.
fn line() -> impl Strategy<Value = String> {
    let item = top_level().prop_map(|members| {
        // The usual item: a location and a reference id up front.
        let mut all = vec![
            ("image_location".to_owned(), r#""s3://b/k.jpg""#.to_owned()),
            ("reference_id".to_owned(), r#""id-0""#.to_owned()),
        ];
        all.extend(members);
        all
    });
    let spaced = prop::bool::ANY;
    (
        item,
        spaced,
        prop::option::of((
            any::<prop::sample::Index>(),
            0..4usize,
            prop::sample::select(vec![
                "\"", "\\", ",", ":", "}", "]", " ", "0", "e", "-", "{", "\u{1}",
            ]),
        )),
    )
        .prop_map(|(members, spaced, mutation)| {
            let mut text = object(&members);
            if spaced {
                text = text.replace(',', " ,\t").replace(':', ": ");
            }
            if let Some((at, op, byte)) = mutation {
                let idx = at.index(text.len() + 1);
                if text.is_char_boundary(idx) {
                    match op {
                        0 => text.insert_str(idx, byte),
                        1 if idx < text.len() && text.is_char_boundary(idx + 1) => {
                            text.remove(idx);
                        }
                        // Repeat a piece: `{..."a":1` + `"a":1,...}` (duplicate keys, stray tails).
                        2 => {
                            let tail = text.get(idx / 2..).unwrap_or_default().to_owned();
                            text.truncate(idx);
                            text.push_str(&tail);
                        }
                        _ => {}
                    }
                }
            }
            text
        })
}

/// Values a clean item holds: the fast path must accept most of these lines, or the property
/// above would say little.
/// `text` as a JSON string the way Python's `json.dumps` writes it by default: every non-ASCII
/// character as `\uXXXX` escapes (a surrogate pair above U+FFFF).
fn ascii_json(text: &str) -> String {
    let mut out = String::from("\"");
    for char in text.chars() {
        match char {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(char),
            _ => {
                for unit in char.encode_utf16(&mut [0; 2]) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
    out
}

fn good_scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("-0".to_owned()),
        "\\PC{0,6}".prop_map(|v| ascii_json(&v)),
        (-1e6..1e6f64).prop_map(|v| v.to_string()),
        any::<i64>().prop_map(|v| v.to_string()),
        any::<u64>().prop_map(|v| v.to_string()),
        "[a-z ]{0,12}".prop_map(|v| format!("\"{v}\"")),
        "\\PC{0,6}".prop_map(|v| serde_json::to_string(&v).unwrap()),
        Just("true".to_owned()),
        Just("null".to_owned()),
    ]
}

fn good_value() -> impl Strategy<Value = String> {
    good_scalar().prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::btree_map("[a-c]", inner, 0..3)
                .prop_map(|m| object(&m.into_iter().collect::<Vec<_>>())),
        ]
    })
}

fn good_camera() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(-1e3..1e3f64, 7),
        prop::collection::vec(1.0..2e3f64, 4),
        prop::option::of(prop::sample::select(vec!["brown_conrady", "fisheye"])),
        prop::collection::vec(-0.5..0.5f64, 0..=4),
    )
        .prop_map(|(pose, intrinsics, model, coefficients)| {
            let mut text = format!(
                r#"{{"position":{{"x":{},"y":{},"z":{}}},"heading":{{"x":{},"y":{},"z":{},"w":{}}},"fx":{},"fy":{},"cx":{},"cy":{}"#,
                pose[0], pose[1], pose[2], pose[3], pose[4], pose[5], pose[6] + 1e4,
                intrinsics[0], intrinsics[1], intrinsics[2], intrinsics[3]
            );
            if let Some(model) = model {
                text.push_str(&format!(r#","camera_model":"{model}""#));
            }
            for (name, value) in ["k1", "k2", "p1", "p2"].iter().zip(coefficients) {
                text.push_str(&format!(r#","{name}":{value}"#));
            }
            text.push('}');
            text
        })
}

fn good_line() -> impl Strategy<Value = String> {
    let location = prop::sample::select(vec![
        ("image_location", "s3://b/k.jpg"),
        ("image_url", "https://h/a.png"),
        ("processed_url", "images/a.jpg"),
        ("pointcloud_location", "gs://b/k.json"),
        ("url", "s3://b/k.jpg"),
        ("url", "https:\\/\\/h\\/k.json"),
    ]);
    // Plain keys, and keys with non-ASCII text written escaped (never equal to a plain one).
    let metadata_key = prop_oneof![
        3 => "[a-e]{1,2}",
        1 => "\\PC{1,4}".prop_map(|v| {
            let key = ascii_json(&format!("k-{v}"));
            key.get(1..key.len() - 1).unwrap_or_default().to_owned()
        }),
    ];
    let metadata = (
        prop::collection::btree_map(metadata_key, good_value(), 0..6),
        prop::option::of((-90.0..90.0f64, -180.0..180.0f64)),
        prop::option::of(good_camera()),
    )
        .prop_map(|(map, coordinates, camera)| {
            let mut members: Vec<(String, String)> = map.into_iter().collect();
            if let Some((lat, lon)) = coordinates {
                members.push(("lat".to_owned(), lat.to_string()));
                members.push(("lon".to_owned(), lon.to_string()));
            }
            if let Some(camera) = camera {
                members.push(("camera_params".to_owned(), camera));
            }
            object(&members)
        });
    let id = prop_oneof![
        "[a-z0-9/-]{1,8}".prop_map(|id| format!("\"{id}\"")),
        "\\PC{1,6}".prop_map(|id| ascii_json(&id)),
    ];
    (
        location,
        (prop::sample::select(vec!["reference_id", "ref_id"]), id),
        metadata,
        prop::option::of((1u32..5000, 1u32..5000)),
        prop::sample::subsequence(
            vec!["pointcloud_location", "image_url", "url", "pointcloud_url"],
            0..=2,
        ),
    )
        .prop_map(
            |((key, location), (id_key, id), metadata, size, null_locations)| {
                let mut members = vec![
                    (key.to_owned(), format!("\"{location}\"")),
                    (id_key.to_owned(), id),
                    ("metadata".to_owned(), metadata),
                ];
                // Exports with a column per location kind write the others as null.
                for null_key in null_locations
                    .into_iter()
                    .filter(|null_key| *null_key != key)
                {
                    members.push((null_key.to_owned(), "null".to_owned()));
                }
                if let Some((width, height)) = size {
                    members.push(("width".to_owned(), width.to_string()));
                    members.push(("height".to_owned(), height.to_string()));
                }
                object(&members)
            },
        )
}

fn any_line() -> impl Strategy<Value = String> {
    prop_oneof![good_line(), line()]
}

fn rules() -> impl Strategy<Value = ItemRules> {
    (any::<bool>(), any::<bool>()).prop_map(|(remote, dims)| {
        ItemRules::new()
            .remote_only(remote)
            .require_dimensions(dims)
    })
}

proptest! {
    #[test]
    fn clean_means_clean_on_generated_lines(rules in rules(), text in any_line()) {
        agrees(&rules, &text)?;
    }

    #[test]
    fn a_dataset_through_the_fast_path_has_the_full_readers_findings(
        rules in rules(),
        lines in prop::collection::vec(any_line(), 1..12),
    ) {
        prop_assert_eq!(
            dataset_findings(&rules, &lines, true),
            dataset_findings(&rules, &lines, false)
        );
    }

    #[test]
    fn a_shard_check_gives_the_same_report_through_the_fast_path(
        lines in prop::collection::vec(any_line(), 1..12),
    ) {
        // ShardCheck always takes the fast path; the CLI-equivalent DatasetState run above
        // covers the other side, so compare the shard to the full reader's DatasetState.
        let mut shard = ShardCheck::new(ItemRules::new());
        shard.update(lines.iter().map(String::as_str));
        let mut report = shard.finish().diagnostics;
        let mut expected = dataset_findings(&ItemRules::new(), &lines, false);
        let key = |d: &Diagnostic| (d.line, d.code.as_str(), d.path.clone(), d.message.clone());
        report.sort_by_key(key);
        expected.sort_by_key(key);
        prop_assert_eq!(report, expected);
    }
}

#[test]
fn most_generated_clean_items_take_the_fast_path() {
    // The properties above are only as strong as the share of lines the fast path accepts.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let rules = ItemRules::new();
    let (mut n_clean, mut n_valid) = (0, 0);
    for _ in 0..500 {
        let text = good_line().new_tree(&mut runner).unwrap().current();
        if rules.check_line(&text).diagnostics.is_empty() {
            n_valid += 1;
            if check_agreement(&rules, &text) {
                n_clean += 1;
            }
        }
    }
    assert!(n_valid > 400, "{n_valid}");
    assert_eq!(n_clean, n_valid, "valid lines the fast path declined");
}

#[test]
fn a_type_conflict_quotes_the_value_as_the_full_reader_does() {
    let lines: Vec<String> = [
        r#"{"image_location": "s3://b/1.jpg", "reference_id": "1", "metadata": {"w": 1.50}}"#,
        r#"{"image_location": "s3://b/2.jpg", "reference_id": "2", "metadata": {"w": "caf\u00e9 \"x\""}}"#,
    ]
    .map(str::to_owned)
    .to_vec();
    let rules = ItemRules::new();
    assert!(matches!(
        rules.check_line_fast(&lines[1]),
        LineCheck::Clean(_)
    ));
    let fast = dataset_findings(&rules, &lines, true);
    assert_eq!(fast, dataset_findings(&rules, &lines, false));
    assert_eq!(fast.len(), 1);
    assert!(
        fast[0].message.contains(r#"a string "café \"x\"""#),
        "{}",
        fast[0].message
    );
}

#[test]
fn a_clean_item_keeps_keys_kinds_and_values_in_order() {
    let text = r#"{"reference_id": "r", "metadata": {"b": 1e2, "a": null, "c": [1], "lat": 1, "lon": 2}, "image_url": "s3://b/k.jpg", "width": 3, "height": 4}"#;
    let LineCheck::Clean(item) = ItemRules::new().check_line_fast(text) else {
        panic!("not clean");
    };
    let item: CleanItem = item;
    assert_eq!(item.reference_id(), "r");
    let kinds: Vec<(&str, &str, &str)> = item
        .metadata_kinds()
        .map(|(key, kind, value)| (key, kind.as_str(), value))
        .collect();
    assert_eq!(
        kinds,
        [
            ("b", "number", "1e2"),
            ("c", "list", ""),
            ("lat", "number", "1"),
            ("lon", "number", "2")
        ]
    );
}

#[test]
fn a_line_as_python_writes_it_takes_the_fast_path() {
    // `json.dumps` escapes non-ASCII keys and ids; exporters write `ref_id`, a null per other
    // location kind, and `-0`.
    let text = r#"{"image_location": "s3://b/k.jpg", "pointcloud_location": null, "pointcloud_url": null, "ref_id": "\u8a66\u9a13\u8eca\u4e21/1", "reference_id": 7, "metadata": {"\u5929\u6c17": "\u6674\u308c", "Geschwindigkeit_km\/h": -0, "l\u0061t": 35.6, "lon": 139.7, "\ud83d\ude00": [1]}}"#;
    let rules = ItemRules::new();
    assert!(check_agreement(&rules, text), "declined");
    let LineCheck::Clean(item) = rules.check_line_fast(text) else {
        panic!("not clean");
    };
    assert_eq!(item.reference_id(), "試験車両/1");
    let kinds: Vec<(&str, &str, &str)> = item
        .metadata_kinds()
        .map(|(key, kind, value)| (key, kind.as_str(), value))
        .collect();
    assert_eq!(
        kinds,
        [
            ("天気", "string", r#""\u6674\u308c""#),
            ("Geschwindigkeit_km/h", "number", "-0"),
            ("lat", "number", "35.6"),
            ("lon", "number", "139.7"),
            ("😀", "list", ""),
        ]
    );
    // A key is the same key however it is written: the dataset rules see one key and one id.
    let lines: Vec<String> = [
        text,
        r#"{"image_location": "s3://b/2.jpg", "reference_id": "試験車両/1", "metadata": {"天気": 3, "l\u0061t": 91}}"#,
        r#"{"image_location": "s3://b/3.jpg", "reference_id": "\u8a66\u9a13\u8eca\u4e21/1", "metadata": {"\u5929\u6c17": 1, "lat": 1, "lon": 2}}"#,
        r#"{"image_location": "s3://b/4.jpg", "reference_id": "y", "metadata": {"a": 1, "\u0061": 2}}"#,
    ]
    .map(str::to_owned)
    .to_vec();
    let fast = dataset_findings(&rules, &lines, true);
    assert_eq!(fast, dataset_findings(&rules, &lines, false));
    let codes: Vec<(Option<u64>, &str)> = fast.iter().map(|d| (d.line, d.code.as_str())).collect();
    assert_eq!(
        codes,
        [
            (Some(2), "invalid-coordinate"),
            (Some(2), "unpaired-coordinate"),
            (Some(3), "duplicate-reference-id"),
            (Some(4), "duplicate-key"),
            // Line 2 has an error, so its number is not counted: one string (line 1) against
            // one number (line 3), a tie the string, seen first, wins; after the streamed ones.
            (Some(3), "type-conflict"),
        ],
        "{fast:#?}"
    );
}
