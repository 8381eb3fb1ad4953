//! "The annotation (prediction) schema accepts" equals "read_annotation finds no error", on the
//! SDK's annotation corpus, the examples, and random annotations, except for the documented
//! gaps.

use nucleus_annotation::Role;
use nucleus_schema::{AnnotationGap, ItemVerdict, compare_annotation, entry};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// The common verdict on `text`, or the gap that explains the difference; fails otherwise.
fn verdict(text: &str, role: Role) -> Result<ItemVerdict, AnnotationGap> {
    match compare_annotation(text, role).unwrap() {
        Ok(verdict) => Ok(verdict),
        Err(disagreement) if disagreement.known_gap.is_some() => {
            assert!(disagreement.schema_accepts && !disagreement.rust_accepts);
            Err(disagreement.known_gap.unwrap())
        }
        Err(disagreement) => panic!(
            "{role}: {text}\nschema accepts: {}, rust accepts: {}\nschema errors: {:#?}\nrust diagnostics: {:#?}",
            disagreement.schema_accepts,
            disagreement.rust_accepts,
            disagreement.schema_errors,
            disagreement.rust_diagnostics
        ),
    }
}

fn role_of(name: &str) -> Role {
    match name {
        "annotation" => Role::Annotation,
        "prediction" => Role::Prediction,
        other => panic!("role {other}"),
    }
}

#[test]
fn sdk_annotation_corpus_agrees() {
    let corpus = nucleus_testdata::ANNOTATION_SDK_CORPUS;
    let (mut accepted, mut rejected, mut not_json, mut gaps) = (0, 0, 0, 0);
    for line in corpus.lines() {
        let case: Value = serde_json::from_str(line).unwrap();
        let input = case["input"].as_str().unwrap();
        match verdict(input, role_of(case["role"].as_str().unwrap())) {
            Ok(ItemVerdict::Accepted) => accepted += 1,
            Ok(ItemVerdict::Rejected) => rejected += 1,
            Ok(ItemVerdict::NotJson) => not_json += 1,
            Ok(other) => panic!("{other:?}"),
            Err(_) => gaps += 1,
        }
    }
    eprintln!(
        "annotation corpus: {accepted} accepted, {rejected} rejected, {not_json} not JSON, {gaps} known gaps"
    );
    assert!(accepted > 1500 && rejected > 1000, "{accepted} {rejected}");
    assert!(gaps > 0);
}

#[test]
fn example_annotations_are_accepted_and_are_the_schema_examples() {
    for (file, role, schema) in [
        (
            "examples/annotations/items.jsonl",
            Role::Annotation,
            "annotation",
        ),
        (
            "examples/annotations/scene.jsonl",
            Role::Annotation,
            "annotation",
        ),
        (
            "examples/scene/cuboids.jsonl",
            Role::Annotation,
            "annotation",
        ),
        (
            "examples/annotations/predictions.jsonl",
            Role::Prediction,
            "prediction",
        ),
    ] {
        let text = nucleus_testdata::example(file.strip_prefix("examples/").unwrap());
        for line in text.lines() {
            assert_eq!(verdict(line, role), Ok(ItemVerdict::Accepted), "{line}");
        }
        let lines: Vec<Value> = text
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        if file.ends_with("cuboids.jsonl") || file.ends_with("scene.jsonl") {
            continue;
        }
        for example in entry(schema).unwrap().examples() {
            assert!(
                lines.contains(example),
                "{schema} example is no longer a line of {file}; copy the first line of each type to crates/nucleus-schema/data/: {example}"
            );
        }
    }
}

#[test]
fn the_gaps_are_what_the_docs_say() {
    let cases = [
        (
            Role::Prediction,
            r#"{"label":"car","type":"category","reference_id":"a","class_pdf":{"car":0.5,"bus":0.2}}"#,
            AnnotationGap::ClassPdfSum,
        ),
        (
            Role::Annotation,
            r#"{"label":"p","type":"keypoints","geometry":{"keypoints":[{"x":1,"y":2,"visible":true}],"names":["a","b"]},"reference_id":"a"}"#,
            AnnotationGap::KeypointCounts,
        ),
        (
            Role::Annotation,
            r#"{"label":"p","type":"keypoints","geometry":{"keypoints":[{"x":1,"y":2,"visible":true}],"names":["a"],"skeleton":[[0,1]]},"reference_id":"a"}"#,
            AnnotationGap::KeypointCounts,
        ),
        (
            Role::Annotation,
            r#"{"label":"p","type":"keypoints","geometry":{"keypoints":[{"x":1,"y":2,"visible":true},{"x":1,"y":2,"visible":true}],"names":["a","b"],"skeleton":[[0,1.0]]},"reference_id":"a"}"#,
            AnnotationGap::FloatSpelledInteger,
        ),
        (
            Role::Annotation,
            r#"{"type":"mask","mask_url":"m.png","annotations":[{"label":"a","index":1},{"label":"b","index":1}],"reference_id":"a"}"#,
            AnnotationGap::DuplicateSegmentIndex,
        ),
        (
            Role::Annotation,
            r#"{"type":"mask","mask_url":"m.png","annotations":[{"label":"a","index":1.0}],"reference_id":"a"}"#,
            AnnotationGap::FloatSpelledInteger,
        ),
    ];
    for (role, text, gap) in cases {
        assert_eq!(verdict(text, role), Err(gap), "{text}");
    }
}

#[test]
fn bad_annotations_are_rejected_where_they_are_wrong() {
    let cases = [
        (
            "annotation",
            json!({"label": "car", "type": "bbox", "reference_id": "a"}),
            "/type",
        ),
        (
            "annotation-box",
            json!({"label": "car", "type": "box", "geometry": {"x": 0, "y": 0, "width": 0, "height": 1}, "reference_id": "a"}),
            "/geometry/width",
        ),
        (
            "annotation-polygon",
            json!({"label": "car", "type": "polygon", "geometry": {"vertices": [{"x": 0, "y": 0}]}, "reference_id": "a"}),
            "/geometry/vertices",
        ),
        (
            "annotation-keypoints",
            json!({"label": "p", "type": "keypoints", "geometry": {"keypoints": [{"x": 1, "y": 2, "visible": 1}], "names": ["a"]}, "reference_id": "a"}),
            "/geometry/keypoints/0/visible",
        ),
        (
            "annotation-cuboid",
            json!({"label": "car", "type": "cuboid", "geometry": {"position": {"x": 0, "y": 0, "z": 0}, "dimensions": {"x": 1, "y": -1, "z": 1}, "yaw": 0}, "reference_id": "a"}),
            "/geometry/dimensions/y",
        ),
        (
            "annotation-category",
            json!({"label": "", "type": "category", "reference_id": "a"}),
            "/label",
        ),
        (
            "annotation-multicategory",
            json!({"labels": ["a", "a"], "type": "multicategory", "reference_id": "a"}),
            "/labels",
        ),
        (
            "annotation-segmentation",
            json!({"type": "mask", "mask_url": "", "annotations": [{"label": "a", "index": 0}], "reference_id": "a"}),
            "/mask_url",
        ),
        (
            "prediction",
            json!({"label": "car", "type": "category", "reference_id": "a", "confidence": 1.5}),
            "/confidence",
        ),
    ];
    for (name, value, path) in cases {
        let errors = entry(name).unwrap().validate(&value).unwrap();
        assert!(
            errors
                .iter()
                .any(|error| error.instance_path.starts_with(path)),
            "{name}: {value}: expected an error at {path:?}, got {errors:#?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Random annotations: each type with its fields mostly valid, sometimes missing or wrong.

fn junk() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        Just(json!(0)),
        Just(json!(-1.5)),
        Just(json!(true)),
        Just(json!([])),
        Just(json!(["a"])),
        Just(json!({})),
        Just(json!({"a": 1})),
        Just(json!("")),
        Just(json!("x")),
    ]
    .boxed()
}

/// Usually `valid`, sometimes junk.
fn mostly(valid: impl Strategy<Value = Value> + 'static) -> BoxedStrategy<Value> {
    prop_oneof![12 => valid, 1 => junk()].boxed()
}

/// Present (nearly always) with a mostly valid value.
fn required(valid: impl Strategy<Value = Value> + 'static) -> BoxedStrategy<Option<Value>> {
    prop_oneof![1 => Just(None), 20 => mostly(valid).prop_map(Some)].boxed()
}

/// Absent half the time, else a mostly valid value.
fn optional(valid: impl Strategy<Value = Value> + 'static) -> BoxedStrategy<Option<Value>> {
    prop_oneof![1 => Just(None), 1 => mostly(valid).prop_map(Some)].boxed()
}

/// Absent nearly always.
fn rare(strategy: impl Strategy<Value = Value> + 'static) -> BoxedStrategy<Option<Value>> {
    prop_oneof![12 => Just(None), 1 => strategy.prop_map(Some)].boxed()
}

fn coordinate() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(json!(0)),
        Just(json!(-0.0)),
        Just(json!(1.0)),
        Just(json!(-3)),
        Just(json!(u64::MAX)),
        Just(json!(5e-324)),
        (-100.0..100.0f64).prop_map(|v| json!(v)),
    ]
    .boxed()
}

fn size() -> BoxedStrategy<Value> {
    prop_oneof![
        12 => prop_oneof![Just(json!(1)), Just(json!(2.5)), Just(json!(5e-324)), (0.1..100.0f64).prop_map(|v| json!(v))],
        1 => Just(json!(0)),
        1 => Just(json!(-0.0)),
        1 => Just(json!(-2)),
    ]
    .boxed()
}

fn name() -> BoxedStrategy<Value> {
    prop_oneof![10 => Just(json!("car")), 2 => Just(json!("Bus")), 1 => Just(json!(""))].boxed()
}

fn id() -> BoxedStrategy<Value> {
    prop_oneof![10 => Just(json!("x-1")), 1 => Just(json!("")), 1 => Just(Value::Null)].boxed()
}

fn object(fields: Vec<(&'static str, BoxedStrategy<Option<Value>>)>) -> BoxedStrategy<Value> {
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

fn point(coordinate: fn() -> BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    mostly(object(vec![
        ("x", required(coordinate())),
        ("y", required(coordinate())),
        ("z", required(coordinate())),
        ("extra", rare(junk())),
    ]))
}

fn vertices() -> BoxedStrategy<Value> {
    let point2 = mostly(object(vec![
        ("x", required(coordinate())),
        ("y", required(coordinate())),
    ]));
    proptest::collection::vec(point2, 1..6)
        .prop_map(Value::Array)
        .boxed()
}

fn keypoints_geometry() -> BoxedStrategy<Value> {
    let keypoint = mostly(prop_oneof![
        3 => object(vec![
            ("x", required(coordinate())),
            ("y", required(coordinate())),
            ("visible", required(Just(json!(true)))),
        ]),
        1 => object(vec![
            ("x", optional(prop_oneof![coordinate(), Just(Value::Null)])),
            ("y", optional(prop_oneof![coordinate(), Just(Value::Null)])),
            ("visible", required(Just(json!(false)))),
        ]),
    ]);
    let index = prop_oneof![
        12 => (0..3u64).prop_map(|v| json!(v)),
        1 => Just(json!(1.0)),
        1 => Just(json!(-1)),
        1 => Just(json!(7)),
    ];
    let edge = mostly(prop_oneof![
        12 => (index.clone(), index).prop_map(|(a, b)| json!([a, b])),
        1 => Just(json!([0])),
        1 => Just(json!([0, 1, 2])),
    ]);
    (1..4usize)
        .prop_flat_map(move |n| {
            let names: Vec<Value> = ["a", "b", "c", "d"][..n].iter().map(|s| json!(s)).collect();
            let names = prop_oneof![
                12 => Just(Value::Array(names.clone())),
                1 => Just(json!(["a", "a", "b"][..n.min(3)].to_vec())),
                1 => Just(json!(["a", "b", "c", "d", "e"])),
                1 => Just(json!(["a", ""])),
            ];
            object(vec![
                (
                    "keypoints",
                    required(
                        proptest::collection::vec(keypoint.clone(), n..=n).prop_map(Value::Array),
                    ),
                ),
                ("names", required(names)),
                (
                    "skeleton",
                    optional(prop_oneof![
                        4 => proptest::collection::vec(edge.clone(), 0..3).prop_map(Value::Array),
                        1 => Just(Value::Null),
                    ]),
                ),
            ])
        })
        .boxed()
}

fn segments() -> BoxedStrategy<Value> {
    let segment = mostly(object(vec![
        ("label", required(name())),
        (
            "index",
            required(prop_oneof![
                12 => (0..4u64).prop_map(|v| json!(v)),
                1 => Just(json!(1.0)),
                1 => Just(json!(-1)),
            ]),
        ),
        ("metadata", rare(mostly(Just(json!({"area": 3}))))),
        ("color", rare(junk())),
    ]));
    proptest::collection::vec(segment, 0..4)
        .prop_map(Value::Array)
        .boxed()
}

fn pdf() -> BoxedStrategy<Value> {
    prop_oneof![
        6 => Just(json!({"car": 0.5, "bus": 0.5})),
        3 => Just(json!({"car": 1})),
        1 => Just(json!({"car": 0.3})),
        1 => Just(json!({"car": 1.5, "bus": -0.5})),
        1 => Just(json!({"car": "0.5"})),
        1 => Just(json!({})),
    ]
    .boxed()
}

fn annotation() -> BoxedStrategy<Value> {
    let geometry = prop_oneof![
        (
            "box",
            object(vec![
                ("x", required(coordinate())),
                ("y", required(coordinate())),
                ("width", required(size())),
                ("height", required(size())),
            ])
        ),
        ("line", object(vec![("vertices", required(vertices()))])),
        ("polygon", object(vec![("vertices", required(vertices()))])),
        ("keypoints", keypoints_geometry()),
        (
            "cuboid",
            object(vec![
                ("position", required(point(coordinate))),
                ("dimensions", required(point(size))),
                ("yaw", required(coordinate())),
            ])
        ),
        ("category", prop_oneof![Just(json!({})), junk()].boxed()),
        ("multicategory", Just(json!({})).boxed()),
        ("mask", Just(json!({})).boxed()),
    ];
    (
        geometry,
        object(vec![
            ("label", required(name())),
            ("reference_id", required(id())),
            ("dataset_item_id", rare(id())),
            ("annotation_id", optional(id())),
            ("track_reference_id", optional(id())),
            ("task_id", rare(id())),
            ("taxonomy_name", optional(id())),
            ("dataset_id", rare(id())),
            ("metadata", optional(Just(json!({"a": 1})))),
            ("embedding_vector", rare(mostly(Just(json!([0.5, 1]))))),
            ("confidence", optional(prop_oneof![6 => (0.0..=1.0f64).prop_map(|v| json!(v)), 1 => Just(json!(1.5)), 1 => Just(json!(-0.1))])),
            ("class_pdf", rare(pdf())),
            ("labels", required(prop_oneof![
                8 => Just(json!(["car", "bus"])),
                1 => Just(json!([])),
                1 => Just(json!(["car", "car"])),
            ])),
            ("mask_url", required(Just(json!("m.png")))),
            ("annotations", required(segments())),
            ("type_override", rare(prop_oneof![Just(json!("bbox")), Just(Value::Null), junk()])),
        ]),
    )
        .prop_map(|((kind, geometry), mut fields)| {
            let object = fields.as_object_mut().unwrap();
            let type_value = object
                .remove("type_override")
                .unwrap_or_else(|| json!(kind));
            object.insert("type".to_owned(), type_value);
            object.insert("geometry".to_owned(), geometry);
            fields
        })
        .boxed()
}

proptest! {
    #[test]
    fn random_annotations_get_one_verdict(value in annotation(), prediction in any::<bool>()) {
        let role = if prediction { Role::Prediction } else { Role::Annotation };
        let _ = verdict(&value.to_string(), role);
    }
}
