//! The profile of annotations: counts per type, label and item, and box sizes.

use nucleus_annotation::profile::ProfileState;
use nucleus_annotation::{Annotation, Role};

fn annotation(line: &str) -> Annotation {
    Annotation::from_json(line, Role::Annotation).unwrap()
}

fn bx(reference_id: &str, label: &str, width: f64, height: f64) -> Annotation {
    annotation(&format!(
        r#"{{"type":"box","label":"{label}","reference_id":"{reference_id}","geometry":{{"x":0,"y":0,"width":{width},"height":{height}}}}}"#
    ))
}

#[test]
fn the_profile_counts_types_labels_items_and_box_sizes() {
    let mut state = ProfileState::new();
    // Sizes sqrt(w·h): 2 (bin [0, 4)), 4 ([4, 8)), 100 ([64, 128)), 3000 (≥ 2048).
    for annotation in [
        bx("a", "car", 1.0, 4.0),
        bx("a", "car", 4.0, 4.0),
        bx("b", "truck", 100.0, 100.0),
        bx("c", "car", 3000.0, 3000.0),
        annotation(
            r#"{"type":"multicategory","labels":["night","car"],"reference_id":"a","taxonomy_name":"t"}"#,
        ),
        annotation(
            r#"{"type":"polygon","label":"road","reference_id":"a","geometry":{"vertices":[{"x":0,"y":0},{"x":1,"y":0},{"x":0,"y":1}]}}"#,
        ),
    ] {
        state.observe(&annotation);
    }
    let profile = state.finish();
    assert_eq!(profile.n_annotations, 6);
    assert_eq!(
        profile
            .types
            .iter()
            .map(|(k, v)| (*k, *v))
            .collect::<Vec<_>>(),
        [("box", 4), ("multicategory", 1), ("polygon", 1)]
    );
    let labels: Vec<(&str, u64)> = profile
        .labels
        .iter()
        .map(|l| (l.label.as_str(), l.count))
        .collect();
    assert_eq!(
        labels,
        [("car", 4), ("night", 1), ("road", 1), ("truck", 1)]
    );
    // Item a has 4 annotations, b and c one each.
    assert_eq!(profile.per_item.n_items, 3);
    assert_eq!(profile.per_item.max, 4);
    assert!((profile.per_item.mean - 2.0).abs() < 1e-12);
    let histogram: Vec<(f64, u64)> = profile
        .per_item
        .histogram
        .iter()
        .map(|bin| (bin.from, bin.count))
        .collect();
    assert_eq!(histogram, [(1.0, 2), (2.0, 0), (4.0, 1)]);
    let boxes = &profile.boxes;
    assert_eq!(boxes.n_boxes, 4);
    assert_eq!((boxes.width.min, boxes.width.max), (1.0, 3000.0));
    assert!((boxes.height.mean - (4.0 + 4.0 + 100.0 + 3000.0) / 4.0).abs() < 1e-9);
    let counts: Vec<u64> = boxes.size_histogram.iter().map(|bin| bin.count).collect();
    assert_eq!(counts, [1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    assert_eq!(boxes.size_histogram.last().unwrap().to, None);
    let json = serde_json::to_value(&profile).unwrap();
    assert_eq!(
        json["labels"][0],
        serde_json::json!({"label": "car", "count": 4})
    );
    assert_eq!(
        json["boxes"]["size_histogram"][10]["to"],
        serde_json::Value::Null
    );
    let text = profile.render_text();
    assert!(text.starts_with("6 annotations\n"), "{text}");
    assert!(text.contains("  \"car\""), "{text}");
}

#[test]
fn an_empty_profile_has_empty_counts() {
    let profile = ProfileState::new().finish();
    assert_eq!(profile.n_annotations, 0);
    assert_eq!(profile.per_item.mean, 0.0);
    assert_eq!(profile.boxes.size_histogram.len(), 11);
    assert!(!profile.render_text().contains("boxes:"));
}
