//! Property tests: read → write → read is the identity for both wire forms, numbers keep their
//! kind and value, metadata keeps its key order, and nothing written is outside JSON.

use nucleus_model::{DatasetItem, DatasetItemType, PayloadForm, json, read_line};
use proptest::prelude::*;
use serde_json::{Map, Number, Value};

fn number() -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::from),
        any::<u64>().prop_map(Number::from),
        any::<f64>().prop_filter_map("finite", Number::from_f64),
        (-1000i32..1000).prop_map(|n| Number::from_f64(f64::from(n)).unwrap()),
        Just(Number::from_f64(-0.0).unwrap()),
        Just(Number::from_f64(1e16).unwrap()),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number().prop_map(Value::Number),
        ".{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-z~/]{1,6}", inner), 0..4)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

fn metadata() -> impl Strategy<Value = Map<String, Value>> {
    // Keys in random order, unique; the reserved keys are left to the rules crate's tests.
    prop::collection::vec(("[a-zA-Z_][a-zA-Z0-9_ é]{0,10}", json_value()), 0..8).prop_map(|pairs| {
        pairs
            .into_iter()
            .filter(|(k, _)| {
                !["camera_params", "lat", "lon", "context_attachments"].contains(&k.as_str())
            })
            .collect()
    })
}

/// A location of every kind. Its extension matches the item type: a scene payload's `url` is
/// typed by its extension when read back (the SDK ignores `type`), so only such items can make
/// the payload round trip.
fn location(is_image: bool) -> impl Strategy<Value = String> {
    let base = prop_oneof![
        "s3://[a-z]{3,8}/[a-z0-9/]{1,12}",
        "gs://[a-z]{3,8}/[a-z0-9]{1,12}",
        "https://[a-z]{3,8}\\.example\\.com/[a-z0-9]{1,12}",
        "https://[a-z]{3,8}\\.blob\\.core\\.windows\\.net/[a-z0-9]{1,12}",
        "[a-z0-9_]{1,8}/[a-z0-9]{1,8}",
    ];
    let extension = if is_image {
        prop_oneof![Just(".jpg"), Just(".png")].boxed()
    } else {
        Just(".json").boxed()
    };
    (base, extension).prop_map(|(base, extension)| base + extension)
}

fn item_json() -> impl Strategy<Value = Value> {
    any::<bool>()
        .prop_flat_map(|is_image| (Just(is_image), location(is_image)))
        .prop_flat_map(|(is_image, location)| {
            (
                Just(is_image),
                Just(location),
                "[a-zA-Z0-9_-]{1,12}",
                metadata(),
                proptest::option::of((1u64..10_000, 1u64..10_000)),
                proptest::option::of(("[a-z]{1,6}", prop::collection::vec(number(), 1..5))),
            )
        })
        .prop_map(
            |(is_image, location, reference_id, metadata, size, embedding)| {
                let mut object = Map::new();
                let key = if is_image {
                    "image_location"
                } else {
                    "pointcloud_location"
                };
                object.insert(key.into(), location.into());
                object.insert("reference_id".into(), reference_id.into());
                object.insert("metadata".into(), Value::Object(metadata));
                if let Some((width, height)) = size {
                    object.insert("width".into(), width.into());
                    object.insert("height".into(), height.into());
                }
                if let (true, Some((index_id, vector))) = (is_image, embedding) {
                    object.insert(
                        "embedding_info".into(),
                        serde_json::json!({"index_id": index_id, "embedding_vector": vector}),
                    );
                }
                Value::Object(object)
            },
        )
}

/// Serialises like `nucleus normalize` does and parses back strictly.
fn write_read(value: &Value) -> (String, DatasetItem) {
    let text = serde_json::to_string(value).unwrap();
    assert!(
        json::parse(&text).is_ok(),
        "written text is not strict JSON: {text}"
    );
    let reading = read_line(&text);
    assert!(
        reading.diagnostics.is_empty(),
        "{text}: {:?}",
        reading.diagnostics
    );
    (text, reading.item.unwrap())
}

proptest! {
    #[test]
    fn canonical_form_round_trips(input in item_json()) {
        let (text, item) = write_read(&input);
        let written = item.to_json();
        // Same text: same keys in the same order, same numbers with the same kinds.
        prop_assert_eq!(serde_json::to_string(&written).unwrap(), text);
        let (_, again) = write_read(&written);
        prop_assert_eq!(again, item);
    }

    #[test]
    fn payload_form_round_trips(input in item_json(), scene in any::<bool>()) {
        let (_, item) = write_read(&input);
        let form = if item.item_type() == DatasetItemType::Pointcloud || scene {
            PayloadForm::Scene
        } else {
            PayloadForm::Plain
        };
        let payload = item.to_payload(form).unwrap();
        let (_, again) = write_read(&payload);
        prop_assert_eq!(&again, &item);
        // Metadata is emitted exactly as given, order and number kinds included.
        prop_assert_eq!(
            serde_json::to_string(&payload["metadata"]).unwrap(),
            serde_json::to_string(&input["metadata"]).unwrap()
        );
    }

    #[test]
    fn reader_never_panics_on_arbitrary_json(value in json_value()) {
        let _ = nucleus_model::read_item(value);
    }
}
