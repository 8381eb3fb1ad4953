//! Reading: what each line gives, with every finding (code and pointer), through one helper.

use nucleus_annotation::{Annotation, AnnotationType, Role, Shape, read_annotation_line};
use nucleus_model::{Code, Severity};
use serde_json::json;

/// Reads `input` as `role` and asserts the findings, in order, as `(severity code, pointer)`
/// with `E` or `W` before the code; returns the annotation when there is no error.
fn check(role: Role, input: &str, expected: &[(&str, &str)]) -> Option<Annotation> {
    let reading = read_annotation_line(input, role);
    let actual: Vec<(String, String)> = reading
        .diagnostics
        .iter()
        .map(|d| {
            let severity = match d.severity {
                Severity::Error => "E",
                Severity::Warning => "W",
            };
            (format!("{severity} {}", d.code), d.path.clone())
        })
        .collect();
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(code, path)| ((*code).to_owned(), (*path).to_owned()))
        .collect();
    assert_eq!(
        actual, expected,
        "findings of {input}\n{:#?}",
        reading.diagnostics
    );
    assert_eq!(reading.annotation.is_some(), !reading.has_errors());
    reading.annotation
}

fn accept(role: Role, input: &str) -> Annotation {
    check(role, input, &[]).unwrap()
}

const A: Role = Role::Annotation;
const P: Role = Role::Prediction;

#[test]
fn generated_ids_use_python_str() {
    let annotation = accept(
        A,
        r#"{"label":"car","type":"box","geometry":{"x":1e16,"y":0.00001,"width":1E2,"height":7},"reference_id":"img-1"}"#,
    );
    assert_eq!(
        annotation.annotation_id.as_deref(),
        Some("car-1e+16-1e-05-100.0-7-img-1")
    );
    let keypoints = accept(
        A,
        r#"{"label":"person","type":"keypoints","geometry":{"keypoints":[{"x":1,"y":2,"visible":true}],"names":["nose"]},"reference_id":"img-1"}"#,
    );
    assert_eq!(
        keypoints.annotation_id.as_deref(),
        Some("person-img-1-keypoints")
    );
    // A prediction aimed by dataset_item_id: the SDK's f-string prints None.
    let prediction = accept(
        P,
        r#"{"label":"car","type":"box","geometry":{"x":1,"y":2,"width":3,"height":4},"dataset_item_id":"di_1"}"#,
    );
    assert_eq!(
        prediction.annotation_id.as_deref(),
        Some("car-1-2-3-4-None")
    );
    assert_eq!(prediction.to_payload()["item_id"], json!("di_1"));
}

#[test]
fn a_degenerate_box_is_an_error() {
    check(
        A,
        r#"{"label":"car","type":"box","geometry":{"x":1,"y":2,"width":-0,"height":0.0},"reference_id":"img-1"}"#,
        &[
            ("E degenerate-geometry", "/geometry/width"),
            ("E degenerate-geometry", "/geometry/height"),
        ],
    );
}

#[test]
fn numbers_never_change() {
    let input = r#"{"label":"car","type":"cuboid","geometry":{"position":{"x":1.0,"y":-0.0,"z":18446744073709551615},"dimensions":{"x":4.5,"y":1,"z":0.30000000000000004},"yaw":5e-324},"reference_id":"pc-1"}"#;
    let annotation = accept(A, input);
    assert_eq!(
        annotation.to_payload().to_string(),
        r#"{"label":"car","type":"cuboid","geometry":{"position":{"x":1.0,"y":-0.0,"z":18446744073709551615},"dimensions":{"x":4.5,"y":1,"z":0.30000000000000004},"yaw":5e-324},"reference_id":"pc-1"}"#
    );
}

#[test]
fn what_the_sdk_would_invent_is_an_error() {
    check(
        A,
        r#"{"type":"box","geometry":{"x":1,"y":2,"width":3},"reference_id":"img-1"}"#,
        &[
            ("E invalid-label", "/label"),
            ("E invalid-geometry", "/geometry/height"),
        ],
    );
    check(
        A,
        r#"{"label":"lane","type":"line","reference_id":"img-1"}"#,
        &[("E invalid-geometry", "/geometry/vertices")],
    );
    check(
        A,
        r#"{"label":"car","type":"cuboid","geometry":{"position":{"x":1,"y":2,"z":3},"dimensions":{"x":1,"y":2,"z":3}},"reference_id":"pc-1"}"#,
        &[("E invalid-geometry", "/geometry/yaw")],
    );
}

#[test]
fn types_are_checked() {
    check(
        A,
        r#"{"label":7,"type":"box","geometry":{"x":"1","y":2,"width":3,"height":4},"reference_id":5,"annotation_id":"","metadata":"x","track_reference_id":[1],"embedding_vector":[0.1,"a"]}"#,
        &[
            ("E invalid-reference-id", "/reference_id"),
            ("E invalid-label", "/label"),
            ("E invalid-geometry", "/geometry/x"),
            ("E invalid-annotation-field", "/annotation_id"),
            ("E metadata-not-an-object", "/metadata"),
            ("E invalid-annotation-field", "/embedding_vector"),
            ("E invalid-annotation-field", "/track_reference_id"),
        ],
    );
}

#[test]
fn the_type_decides_the_class() {
    check(
        A,
        r#"{"label":"car","type":"bbox","reference_id":"img-1"}"#,
        &[("E unknown-annotation-type", "/type")],
    );
    let reading = read_annotation_line(r#"{"label":"car","type":"bbox","reference_id":"i"}"#, A);
    assert!(
        reading.diagnostics[0]
            .message
            .contains("did you mean \"box\"?")
    );
    check(
        P,
        r#"{"labels":["car"],"type":"multicategory","reference_id":"img-1"}"#,
        &[("E unknown-annotation-type", "/type")],
    );
    // No type: a segmentation, as in the SDK.
    let mask = accept(
        A,
        r#"{"mask_url":"s3://m/1.png","annotations":[{"label":"road","index":1}],"reference_id":"img-1"}"#,
    );
    assert_eq!(mask.annotation_type(), AnnotationType::Segmentation);
    let reading = read_annotation_line(r#"{"label":"car","reference_id":"img-1"}"#, A);
    assert_eq!(reading.diagnostics[0].code, Code::InvalidSegmentation);
    assert!(reading.diagnostics[0].message.contains("has no type"));
}

#[test]
fn dropped_fields_are_warnings() {
    check(
        A,
        r#"{"label":"car","type":"category","geometry":{"x":1},"annotation_id":"a","confidence":0.5,"reference_id":"img-1","lable":"x"}"#,
        &[
            ("W unknown-field", "/annotation_id"),
            ("W unknown-field", "/confidence"),
            ("W unknown-field", "/lable"),
            ("W unknown-field", "/geometry"),
        ],
    );
    check(
        P,
        r#"{"type":"mask","mask_url":"m.png","annotations":[{"label":"road","index":0,"color":"red"}],"metadata":{"a":1},"reference_id":"img-1","task_id":"t","item_id":"di_1"}"#,
        &[
            ("W unknown-field", "/metadata"),
            ("W unknown-field", "/task_id"),
            ("W unknown-field", "/item_id"),
            ("W unknown-field", "/annotations/0/color"),
        ],
    );
    // The SDK's own prediction payloads carry task_id: null.
    accept(
        P,
        r#"{"label":"car","type":"category","reference_id":"img-1","task_id":null}"#,
    );
}

#[test]
fn keypoints_agree_with_names_and_skeleton() {
    check(
        A,
        r#"{"label":"person","type":"keypoints","geometry":{"keypoints":[{"x":1,"y":2,"visible":1},{"x":null,"visible":true},{"visible":false}],"names":["a","b","a","d"],"skeleton":[[0,5],[0,-1],[1]]},"reference_id":"img-1"}"#,
        &[
            ("E invalid-geometry", "/geometry/keypoints/0/visible"),
            ("E invalid-keypoints", "/geometry/skeleton/1"),
            ("E invalid-keypoints", "/geometry/skeleton/2"),
        ],
    );
    check(
        A,
        r#"{"label":"person","type":"keypoints","geometry":{"keypoints":[{"x":1,"y":2,"visible":true},{"x":null,"visible":true},{"visible":false}],"names":["a","b","a","d"],"skeleton":[[0,5]]},"reference_id":"img-1"}"#,
        &[
            ("E invalid-keypoints", "/geometry/names"),
            ("E invalid-keypoints", "/geometry/names/2"),
            ("E invalid-keypoints", "/geometry/keypoints/1"),
            ("E invalid-keypoints", "/geometry/skeleton/0/1"),
        ],
    );
    check(
        P,
        r#"{"label":"person","type":"keypoints","geometry":{"keypoints":[{"x":1,"y":2,"visible":true}],"names":["a"]},"reference_id":"img-1"}"#,
        &[("E invalid-keypoints", "/geometry/skeleton")],
    );
}

#[test]
fn predictions_carry_probabilities() {
    check(
        P,
        r#"{"label":"car","type":"box","geometry":{"x":1,"y":2,"width":3,"height":4},"reference_id":"img-1","confidence":1.5,"class_pdf":{"car":0.5,"bus":0.2}}"#,
        &[
            ("E invalid-confidence", "/confidence"),
            ("E invalid-class-pdf", "/class_pdf"),
        ],
    );
    check(
        P,
        r#"{"label":"car","type":"box","geometry":{"x":1,"y":2,"width":3,"height":4},"reference_id":"img-1","class_pdf":{"car":1.2,"a/b":-0.2}}"#,
        &[
            ("E invalid-class-pdf", "/class_pdf/car"),
            ("E invalid-class-pdf", "/class_pdf/a~1b"),
        ],
    );
    // Within the tolerance of 0.01.
    accept(
        P,
        r#"{"label":"car","type":"box","geometry":{"x":1,"y":2,"width":3,"height":4},"reference_id":"img-1","class_pdf":{"car":0.333,"bus":0.333,"van":0.333}}"#,
    );
    check(
        P,
        r#"{"label":"car","type":"box","geometry":{"x":1,"y":2,"width":3,"height":4}}"#,
        &[("E missing-reference-id", "/reference_id")],
    );
}

#[test]
fn segmentations_map_distinct_pixel_values() {
    check(
        A,
        r#"{"type":"mask","mask_url":"","annotations":[{"label":"road","index":1},{"label":"car","index":1},{"index":"2"},{"label":"x","index":3,"metadata":5}],"reference_id":"img-1"}"#,
        &[
            ("E invalid-segmentation", "/mask_url"),
            ("E invalid-label", "/annotations/2/label"),
            ("E invalid-segmentation", "/annotations/2/index"),
            ("E metadata-not-an-object", "/annotations/3/metadata"),
        ],
    );
    check(
        A,
        r#"{"type":"mask","mask_url":"m.png","annotations":[{"label":"road","index":1},{"label":"car","index":1}],"reference_id":"img-1"}"#,
        &[("E invalid-segmentation", "/annotations/1/index")],
    );
    check(
        A,
        r#"{"type":"segmentation","mask_url":"m.png","reference_id":"img-1"}"#,
        &[("E invalid-segmentation", "/annotations")],
    );
}

#[test]
fn multicategory_labels_are_distinct() {
    check(
        A,
        r#"{"labels":["car","bus","car"],"type":"multicategory","reference_id":"img-1"}"#,
        &[("E invalid-label", "/labels/2")],
    );
    check(
        A,
        r#"{"labels":[],"type":"multicategory","reference_id":"img-1"}"#,
        &[("E invalid-label", "/labels")],
    );
}

#[test]
fn json_problems_are_reported_with_their_codes() {
    check(
        A,
        r#"{"label":"car","label":"bus"}"#,
        &[("E duplicate-key", "")],
    );
    check(A, r#"[1,2]"#, &[("E not-an-object", "")]);
    check(A, r#"{"confidence":NaN}"#, &[("E invalid-json", "")]);
}

#[test]
fn the_readable_json_reads_back_to_the_same_annotation() {
    let inputs = [
        (
            P,
            r#"{"label":"car","type":"box","geometry":{"x":1,"y":2,"width":3,"height":4},"dataset_item_id":"di_1","dataset_id":"ds_1","confidence":0.5}"#,
        ),
        (
            A,
            r#"{"label":"car","type":"polygon","geometry":{"vertices":[{"x":1,"y":2},{"x":3.5,"y":4},{"x":0,"y":9}]},"reference_id":"img-1","dataset_item_id":"di_2","metadata":{"a":[1,2.0]}}"#,
        ),
    ];
    for (role, input) in inputs {
        let annotation = accept(role, input);
        let again = accept(role, &annotation.to_json().to_string());
        assert_eq!(again, annotation);
    }
}

#[test]
fn a_category_of_a_scene_writes_the_scene_category_payload() {
    let category = accept(
        P,
        r#"{"label":"rainy","type":"category","reference_id":"scene-1","taxonomy_name":"weather","confidence":0.8}"#,
    );
    let scene = category.into_scene_category().unwrap();
    assert!(matches!(scene.shape, Shape::SceneCategory { .. }));
    assert_eq!(
        scene.to_payload().to_string(),
        r#"{"label":"rainy","type":"category","geometry":{},"reference_id":"scene-1","metadata":{},"task_id":null,"taxonomy_name":"weather","confidence":0.8}"#
    );
    let tracked = accept(
        A,
        r#"{"label":"car","type":"category","reference_id":"img-1","track_reference_id":"t1"}"#,
    );
    assert!(tracked.into_scene_category().is_err());
}
