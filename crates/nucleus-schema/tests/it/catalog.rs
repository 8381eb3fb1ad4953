use nucleus_schema::{GENERATED_COMMENT, SCHEMA_BASE_URI, catalog, entry};
use serde_json::{Value, json};

#[test]
fn every_schema_has_its_header_and_compiles() {
    for entry in catalog() {
        let value = entry.value();
        assert_eq!(
            value["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert_eq!(
            value["$id"],
            format!("{SCHEMA_BASE_URI}{}.schema.json", entry.name())
        );
        assert_eq!(value["$comment"], GENERATED_COMMENT);
        assert_eq!(value["title"], entry.title());
        assert_eq!(value["description"], entry.description());
        assert!(!entry.examples().is_empty(), "{}", entry.name());
        assert!(entry.json().ends_with("}\n"));
        assert!(entry.json().starts_with("{\n  \"$schema\""));
        entry.compile().unwrap();
    }
}

#[test]
fn every_example_is_valid() {
    for entry in catalog() {
        for example in entry.examples() {
            let errors = entry.validate(example).unwrap();
            assert!(
                errors.is_empty(),
                "{}: {example}\n{errors:#?}",
                entry.name()
            );
        }
    }
}

#[test]
fn item_examples_are_lines_of_examples_items_jsonl() {
    let lines: Vec<Value> = nucleus_testdata::EXAMPLE_ITEMS
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let item = entry("item").unwrap();
    let (from_file, payload_form): (Vec<&Value>, Vec<&Value>) = item
        .examples()
        .iter()
        .partition(|example| example.get("url").is_none());
    assert_eq!(from_file.len(), 3);
    for example in from_file {
        assert!(
            lines.contains(example),
            "item example is no longer a line of examples/items.jsonl; copy the current lines 1, 7 and 10 to crates/nucleus-schema/data/example_items.jsonl: {example}"
        );
    }
    assert_eq!(payload_form.len(), 1);
}

/// Only standard draft 2020-12 keywords, no `format`: other languages' validators read the
/// files as they are (ajv in strict mode rejects unknown formats and keywords).
#[test]
fn schemas_use_only_portable_keywords() {
    const KEYWORDS: &[&str] = &[
        "$schema",
        "$id",
        "$comment",
        "$ref",
        "$defs",
        "title",
        "description",
        "type",
        "enum",
        "const",
        "minimum",
        "exclusiveMinimum",
        "maximum",
        "minLength",
        "pattern",
        "minItems",
        "maxItems",
        "uniqueItems",
        "items",
        "minProperties",
        "required",
        "properties",
        "additionalProperties",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
        "if",
        "then",
        "else",
        "examples",
    ];
    fn walk(schema: &Value, at: &str) {
        match schema {
            Value::Bool(_) => {}
            Value::Object(object) => {
                for (key, value) in object {
                    assert!(KEYWORDS.contains(&key.as_str()), "{at}: keyword {key}");
                    let here = format!("{at}/{key}");
                    match key.as_str() {
                        "properties" | "$defs" => {
                            for (name, child) in value.as_object().unwrap() {
                                walk(child, &format!("{here}/{name}"));
                            }
                        }
                        "items" | "not" | "if" | "then" | "else" | "additionalProperties" => {
                            walk(value, &here);
                        }
                        "allOf" | "anyOf" | "oneOf" => {
                            for (idx, child) in value.as_array().unwrap().iter().enumerate() {
                                walk(child, &format!("{here}/{idx}"));
                            }
                        }
                        _ => {}
                    }
                }
            }
            other => panic!("{at}: a schema must be an object or a boolean, found {other}"),
        }
    }
    for entry in catalog() {
        walk(entry.value(), entry.name());
    }
}

/// One bad value per schema, with where the schema says it is wrong.
#[test]
fn bad_values_are_rejected_with_their_path() {
    let cases = [
        (
            "item",
            json!({"image_location": "a.jpg", "reference_id": ""}),
            "/reference_id",
        ),
        (
            "item",
            json!({"image_location": "a.jpg", "reference_id": "a", "width": 0}),
            "/width",
        ),
        (
            "payload",
            json!({"metadata": {}, "reference_id": "a", "image_url": "a.jpg", "url": "a.jpg"}),
            "",
        ),
        (
            "camera-params",
            json!({"position": {"x": 0, "y": 0, "z": 0}, "heading": {"x": 0, "y": 0, "z": 0, "w": 1}, "fx": 0, "fy": 1, "cx": 0, "cy": 0}),
            "/fx",
        ),
        (
            "camera-params",
            json!({"position": {"x": 0, "y": 0, "z": 0}, "heading": {"x": 0, "y": 0, "z": 0, "w": 0}, "fx": 1, "fy": 1, "cx": 0, "cy": 0}),
            "/heading",
        ),
        (
            "camera-params",
            json!({"position": {"x": 0, "y": 0, "z": 0}, "heading": {"x": 0, "y": 0, "z": 0, "w": 1}, "fx": 1, "fy": 1, "cx": 0, "cy": 0, "camera_model": "pinhole"}),
            "/camera_model",
        ),
        ("metadata", json!({"lat": 91, "lon": 0}), "/lat"),
        (
            "metadata",
            json!({"context_attachments": [{"url": "x"}]}),
            "/context_attachments",
        ),
        ("dataset-item-type", json!("IMAGE"), ""),
        (
            "pointcloud",
            json!({"points": [{"x": 0, "y": 0, "z": 0, "i": 1.5}]}),
            "/points/0/i",
        ),
        ("scene", json!({"reference_id": "s", "frames": []}), ""),
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

#[test]
fn an_unknown_name_lists_the_catalog() {
    let error = entry("items").unwrap_err();
    assert_eq!(
        error.to_string(),
        "unknown schema \"items\"; the catalog has item, payload, camera-params, metadata, dataset-item-type, pointcloud, scene, annotation, prediction, annotation-box, annotation-line, annotation-polygon, annotation-keypoints, annotation-cuboid, annotation-category, annotation-multicategory, annotation-segmentation"
    );
}
