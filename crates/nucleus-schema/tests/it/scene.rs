//! "The scene schema accepts" equals "`ItemRules::check_scene_value` finds no error" (what
//! `nucleus check --scenes` runs), on chosen edge cases and random scenes, outside what the
//! schema cannot say: point clouds per lidar frame, unique reference ids (the generated scenes
//! keep both right), remote-only locations (every location here is remote) and the spelling of
//! a number.

use nucleus_metadata::ItemRules;
use nucleus_schema::entry;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use serde_json::{Map, Value, json};

/// Whether the schema accepts `value`, whether the Rust reader finds no error, and both reports.
fn verdicts(value: &Value) -> (bool, bool, String) {
    let schema_errors = entry("scene").unwrap().validate(value).unwrap();
    let reading = ItemRules::new().check_scene_value(value.clone());
    let detail = format!(
        "{value}\nschema errors: {schema_errors:#?}\nrust diagnostics: {:#?}",
        reading.diagnostics
    );
    (schema_errors.is_empty(), !reading.has_errors(), detail)
}

/// Both accept `value` (`accepted`) or both reject it.
fn check(value: &Value, accepted: bool) {
    let (schema, rust, detail) = verdicts(value);
    assert_eq!((schema, rust), (accepted, accepted), "{detail}");
}

fn image(id: &str) -> Value {
    json!({"image_location": format!("s3://bucket/{id}.jpg"), "reference_id": id})
}

fn pointcloud(id: &str) -> Value {
    json!({"pointcloud_location": format!("s3://bucket/{id}.json"), "reference_id": id})
}

/// A lidar scene of two frames (a point cloud and an image each) with `extra` fields.
fn lidar(extra: &Value) -> Value {
    let mut scene = json!({
        "reference_id": "lidar-scene",
        "frames": [
            {"lidar": pointcloud("f0-lidar"), "cam": image("f0-cam")},
            {"lidar": pointcloud("f1-lidar"), "cam": image("f1-cam")}
        ]
    });
    merge(&mut scene, extra);
    scene
}

/// A video scene of two image items at 10 frames per second, with `extra` fields (`null` in
/// `extra` removes a field).
fn video_of_items(extra: &Value) -> Value {
    let mut scene = json!({
        "reference_id": "video-scene",
        "frame_rate": 10,
        "frames": [image("v0"), image("v1")]
    });
    merge(&mut scene, extra);
    scene
}

/// A video scene given by a video file, with `extra` fields.
fn video_file(extra: &Value) -> Value {
    let mut scene = json!({"reference_id": "video-file", "video_url": "s3://bucket/v.mp4"});
    merge(&mut scene, extra);
    scene
}

fn merge(scene: &mut Value, extra: &Value) {
    if let (Value::Object(scene), Value::Object(extra)) = (scene, extra) {
        scene.extend(extra.clone());
    }
}

#[test]
fn examples_are_accepted_by_both() {
    for example in entry("scene").unwrap().examples() {
        check(example, true);
    }
    check(&lidar(&json!({})), true);
    check(&video_of_items(&json!({})), true);
    check(&video_file(&json!({})), true);
}

/// `null` means absent for `tracks` (both kinds) and for `upload_to_scale`, `video_url`,
/// `frame_rate` and `frames` in a video scene.
#[test]
fn null_means_absent() {
    check(&lidar(&json!({"tracks": null, "metadata": null})), true);
    check(
        &video_of_items(&json!({"tracks": null, "upload_to_scale": null, "video_url": null})),
        true,
    );
    check(
        &video_file(&json!({"frames": null, "frame_rate": null, "upload_to_scale": null})),
        true,
    );
    check(&json!({"reference_id": "v", "video_url": null}), false);
    check(&video_of_items(&json!({"frame_rate": null})), false);
    check(&lidar(&json!({"tracks": 5})), false);
}

/// A video file may come with an empty frame list and a frame rate of 0; with a frame rate
/// above 0 or any frame it is an error (unless privacy mode, for frames with a rate).
#[test]
fn video_file_or_items() {
    check(&video_file(&json!({"frames": [], "frame_rate": 0})), true);
    check(&video_file(&json!({"frame_rate": 5})), false);
    check(&video_file(&json!({"frame_rate": -1})), false);
    check(&video_file(&json!({"frames": [image("v0")]})), false);
    check(
        &video_file(&json!({"frames": [image("v0")], "frame_rate": 5})),
        false,
    );
    check(
        &video_file(&json!({"frames": [image("v0")], "frame_rate": 5, "upload_to_scale": false})),
        true,
    );
    check(&video_of_items(&json!({"frame_rate": 0})), false);
    check(&video_of_items(&json!({"frames": []})), false);
    check(
        &video_of_items(&json!({"frames": [pointcloud("v0")]})),
        false,
    );
    check(&video_file(&json!({"video_url": ""})), false);
}

/// The reader tells the kind from the keys (see `scene_kind`): a lidar scene with a
/// `frame_rate` or `video_url` key, or with a first frame that has an item key as a sensor
/// name, is read as a video and rejected.
#[test]
fn the_kind_is_the_readers() {
    check(&lidar(&json!({"frame_rate": null})), false);
    check(&lidar(&json!({"video_url": null})), false);
    check(&lidar(&json!({"upload_to_scale": true})), true);
    check(&json!({"reference_id": "s", "frames": [{}]}), false);
    check(
        &json!({"reference_id": "s", "frames": [{"lidar": {"pointcloud_location": 5, "reference_id": "p"}}]}),
        false,
    );
    let odd_sensor = json!({
        "reference_id": "s",
        "frames": [{"image_url": pointcloud("p"), "cam": image("i")}]
    });
    check(&odd_sensor, false);
    // A sensor named like an item key in a later frame: the reader, which looks at frame 0
    // only, accepts it; the schema forbids such names in every frame (it cannot single out the
    // first element portably). A known gap, in the strict direction.
    let odd_sensor_later = json!({
        "reference_id": "s",
        "frames": [
            {"lidar": pointcloud("p0")},
            {"lidar": pointcloud("p1"), "url": image("i1")}
        ]
    });
    let (schema, rust, detail) = verdicts(&odd_sensor_later);
    assert_eq!((schema, rust), (false, true), "{detail}");
}

/// The known gaps: counting point clouds, unique reference ids, and a float-spelled frame rate.
#[test]
fn known_gaps() {
    let two_pointclouds = json!({
        "reference_id": "s",
        "frames": [{"a": pointcloud("a"), "b": pointcloud("b")}]
    });
    let duplicate_id = json!({
        "reference_id": "s",
        "frames": [{"lidar": pointcloud("p"), "cam": image("p")}]
    });
    let float_rate = video_of_items(&json!({"frame_rate": 10.0}));
    for value in [two_pointclouds, duplicate_id, float_rate] {
        let (schema, rust, detail) = verdicts(&value);
        assert_eq!((schema, rust), (true, false), "{detail}");
    }
}

// ---------------------------------------------------------------------------------------------
// Random scenes: both kinds, with every scene field from a pool of good and bad values.

fn pool(values: Vec<Value>) -> BoxedStrategy<Option<Value>> {
    let n_values = values.len();
    (0..n_values + 2)
        .prop_map(move |idx| values.get(idx).cloned())
        .boxed()
}

fn items(kind: &'static str) -> BoxedStrategy<Value> {
    let entry = prop_oneof![
        12 => Just("image"),
        2 => Just("pointcloud"),
        1 => Just("broken"),
        1 => Just("junk"),
    ];
    proptest::collection::vec(entry, 0..4)
        .prop_map(move |entries| {
            let frames = entries.iter().enumerate().map(|(idx, entry)| {
                let id = format!("{kind}-{idx}");
                match *entry {
                    "image" => image(&id),
                    "pointcloud" => pointcloud(&id),
                    "broken" => json!({"image_location": 5, "reference_id": id}),
                    _ => json!(7),
                }
            });
            Value::Array(frames.collect())
        })
        .boxed()
}

fn lidar_frames() -> BoxedStrategy<Value> {
    let frame = prop_oneof![
        12 => Just("pointcloud and image"),
        3 => Just("pointcloud"),
        1 => Just("item-key sensor"),
        1 => Just("empty"),
        1 => Just("broken item"),
    ];
    proptest::collection::vec(frame, 0..3)
        .prop_map(|frames| {
            let frames = frames.iter().enumerate().map(|(idx, frame)| {
                let lidar = pointcloud(&format!("f{idx}-lidar"));
                let cam = image(&format!("f{idx}-cam"));
                match *frame {
                    "pointcloud and image" => json!({"lidar": lidar, "cam": cam}),
                    "pointcloud" => json!({"lidar": lidar}),
                    "item-key sensor" => json!({"lidar": lidar, "url": cam}),
                    "empty" => json!({}),
                    _ => json!({"lidar": lidar, "cam": {"image_location": "s3://b/x.jpg"}}),
                }
            });
            Value::Array(frames.collect())
        })
        .boxed()
}

/// Mostly `common` (absent when `None`), sometimes absent or one of `rare`.
fn field(common: Option<Value>, rare: Vec<Value>) -> BoxedStrategy<Option<Value>> {
    prop_oneof![6 => Just(common), 1 => pool(rare)].boxed()
}

/// Mostly a lidar scene, a video of items or a video file, each field sometimes replaced by
/// another kind's or a bad value.
fn scene() -> BoxedStrategy<Value> {
    let kinds = prop_oneof![
        Just(("lidar", None, None)),
        Just(("items", Some(json!(30)), None)),
        Just(("file", None, Some(json!("s3://bucket/v.mp4")))),
    ];
    kinds
        .prop_flat_map(|(kind, frame_rate, video_url)| {
            let frames = match kind {
                "lidar" => prop_oneof![
                    8 => lidar_frames().prop_map(Some),
                    1 => items("v").prop_map(Some),
                    1 => pool(vec![Value::Null, json!({}), json!([])]),
                ]
                .boxed(),
                "items" => prop_oneof![
                    8 => items("v").prop_map(Some),
                    1 => lidar_frames().prop_map(Some),
                    1 => pool(vec![Value::Null, json!({}), json!([])]),
                ]
                .boxed(),
                _ => prop_oneof![
                    8 => Just(None),
                    1 => items("v").prop_map(Some),
                    1 => pool(vec![Value::Null, json!({}), json!([])]),
                ]
                .boxed(),
            };
            (
                field(Some(json!("scene")), vec![json!(""), Value::Null, json!(3)]),
                frames,
                field(
                    frame_rate,
                    vec![
                        Value::Null,
                        json!(0),
                        json!(1),
                        json!(-1),
                        json!(1.5),
                        json!("30"),
                    ],
                ),
                field(
                    video_url,
                    vec![Value::Null, json!("s3://bucket/v.mp4"), json!(""), json!(5)],
                ),
                field(
                    None,
                    vec![Value::Null, json!(true), json!(false), json!("no")],
                ),
                field(
                    None,
                    vec![
                        Value::Null,
                        json!({}),
                        json!({"weather": "rain"}),
                        json!({"lat": 100, "lon": 1}),
                        json!([]),
                    ],
                ),
                field(
                    None,
                    vec![Value::Null, json!([]), json!([{"id": 1}]), json!({})],
                ),
            )
        })
        .prop_map(
            |(reference_id, frames, frame_rate, video_url, upload, metadata, tracks)| {
                let mut map = Map::new();
                for (key, value) in [
                    ("reference_id", reference_id),
                    ("frames", frames),
                    ("frame_rate", frame_rate),
                    ("video_url", video_url),
                    ("upload_to_scale", upload),
                    ("metadata", metadata),
                    ("tracks", tracks),
                ] {
                    if let Some(value) = value {
                        map.insert(key.to_owned(), value);
                    }
                }
                Value::Object(map)
            },
        )
        .boxed()
}

/// The known gap the generator can produce: a sensor named `url` after frame 0.
fn item_key_sensor_after_frame_0(value: &Value) -> bool {
    let frames = value.get("frames").and_then(Value::as_array);
    frames.is_some_and(|frames| {
        frames
            .iter()
            .skip(1)
            .any(|frame| frame.get("url").is_some_and(Value::is_object))
    })
}

proptest! {
    /// The schema's verdict is the Rust validator's on every generated scene (the generator
    /// keeps one point cloud per lidar frame, from sensor `lidar`, and unique reference ids),
    /// but for the one known gap it can produce.
    #[test]
    fn schema_verdict_equals_rust_verdict(value in scene()) {
        let (schema, rust, detail) = verdicts(&value);
        if schema != rust {
            prop_assert!(!schema && rust && item_key_sensor_after_frame_0(&value), "{}", detail);
        }
    }
}

/// The generator is not trivial: both verdicts are common.
#[test]
fn random_scenes_cover_both_verdicts() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = scene();
    let (mut accepted, mut rejected) = (0, 0);
    for _ in 0..1024 {
        let value = strategy.new_tree(&mut runner).unwrap().current();
        let (schema, rust, detail) = verdicts(&value);
        assert!(
            schema == rust || item_key_sensor_after_frame_0(&value),
            "{detail}"
        );
        if schema && rust {
            accepted += 1;
        } else {
            rejected += 1;
        }
    }
    assert!(
        accepted > 50 && rejected > 200,
        "{accepted} accepted, {rejected} rejected"
    );
}
