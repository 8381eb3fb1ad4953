//! "The pointcloud schema accepts" equals "`check_pointcloud_slice` finds no error", on chosen
//! edge cases and random point clouds: the schema is written next to the reader, and these tests
//! hold them together.

use nucleus_model::Diagnostic;
use nucleus_model::pointcloud::check_pointcloud_slice;
use nucleus_schema::entry;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use serde_json::{Map, Value, json};

/// Whether the schema accepts `value`, and whether the Rust reader reads it without an error.
fn verdicts(value: &Value) -> (bool, bool, String) {
    let schema_errors = entry("pointcloud").unwrap().validate(value).unwrap();
    let report = check_pointcloud_slice(value.to_string().as_bytes());
    let rust_accepts = !report.diagnostics.iter().any(Diagnostic::is_error);
    let detail = format!(
        "{value}\nschema errors: {schema_errors:#?}\nrust diagnostics: {:#?}",
        report.diagnostics
    );
    (schema_errors.is_empty(), rust_accepts, detail)
}

/// Both accept `value` (`accepted`) or both reject it.
fn check(value: &Value, accepted: bool) {
    let (schema, rust, detail) = verdicts(value);
    assert_eq!((schema, rust), (accepted, accepted), "{detail}");
}

/// A cloud of one point: `x`, `y`, `z` and `extra`.
fn one_point(extra: &Value) -> Value {
    let mut point = json!({"x": 1, "y": 2.5, "z": -3});
    if let (Value::Object(point), Value::Object(extra)) = (&mut point, extra) {
        point.extend(extra.clone());
    }
    json!({"points": [point]})
}

#[test]
fn examples_are_accepted_by_both() {
    for example in entry("pointcloud").unwrap().examples() {
        check(example, true);
    }
}

#[test]
fn file_shape() {
    check(&json!({"points": []}), true);
    check(&json!({"points": [], "device_position": {"x": 0}}), true);
    check(&json!({}), false);
    check(&json!({"points": null}), false);
    check(&json!({"points": {}}), false);
    check(&json!([]), false);
    check(&json!(null), false);
    check(&json!({"points": [1]}), false);
    check(&json!({"points": [null]}), false);
}

#[test]
fn positions_are_required_numbers() {
    check(&json!({"points": [{"x": 1, "y": 2}]}), false);
    check(&json!({"points": [{"x": null, "y": 2, "z": 3}]}), false);
    check(&json!({"points": [{"x": "1", "y": 2, "z": 3}]}), false);
    check(
        &json!({"points": [{"x": u64::MAX, "y": i64::MIN, "z": 1e300}]}),
        true,
    );
}

/// The reader takes `null` for every optional field as "absent".
#[test]
fn optional_fields_may_be_null() {
    check(
        &one_point(&json!({"i": null, "d": null, "t": null, "is_ground": null})),
        true,
    );
}

#[test]
fn intensity_is_a_number_in_0_1() {
    for (i, accepted) in [
        (json!(0), true),
        (json!(1), true),
        (json!(0.37), true),
        (json!(1.5), false),
        (json!(-0.1), false),
        (json!(u64::MAX), false),
        (json!("0.5"), false),
        (json!(true), false),
    ] {
        check(&one_point(&json!({"i": i})), accepted);
    }
}

/// `d` and `t` are integers that fit in an `i64`; integral floats up to 2^53 count as integers.
#[test]
fn device_and_timestamp_are_64_bit_integers() {
    for field in ["d", "t"] {
        for (value, accepted) in [
            (json!(0), true),
            (json!(1_723_450_402_600_521_014_i64), true),
            (json!(i64::MAX), true),
            (json!(i64::MIN), true),
            (json!(3.0), true),
            (json!(-0.0), true),
            (json!(9_007_199_254_740_992.0), true),
            (json!(i64::MAX as u64 + 1), false),
            (json!(u64::MAX), false),
            (json!(1.5), false),
            (json!("3"), false),
            (json!(false), false),
            (json!([1]), false),
        ] {
            check(&one_point(&json!({field: value})), accepted);
        }
    }
}

#[test]
fn is_ground_is_a_boolean() {
    check(&one_point(&json!({"is_ground": false})), true);
    check(&one_point(&json!({"is_ground": 0})), false);
    check(&one_point(&json!({"is_ground": "true"})), false);
}

/// Unknown point keys are warnings for the reader and allowed by the schema.
#[test]
fn unknown_point_keys_are_allowed() {
    check(&one_point(&json!({"intensity": "high", "ring": 3})), true);
}

/// The known gap: an integral float beyond 2^53 in `d` or `t` (`1e18`) is an integer for JSON
/// Schema, but the reader, which keeps numbers as written, rejects a float it cannot hold
/// exactly. The same gap as a float-spelled item `width`.
#[test]
fn a_float_spelled_timestamp_beyond_2_53_is_the_known_gap() {
    for field in ["d", "t"] {
        let (schema, rust, detail) = verdicts(&one_point(&json!({field: 1e18})));
        assert_eq!((schema, rust), (true, false), "{detail}");
    }
}

// ---------------------------------------------------------------------------------------------
// Random point clouds.

fn any_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(json!(0)),
        Just(json!(1)),
        Just(json!(-1)),
        Just(json!(0.5)),
        Just(json!(1.0)),
        Just(json!(-0.0)),
        Just(json!(3.0)),
        Just(json!(1.5)),
        Just(json!(-2.25)),
        Just(json!(1e-300)),
        Just(json!(i64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!(i64::MAX as u64 + 1)),
        Just(json!(u64::MAX)),
        Just(json!(9_007_199_254_740_992.0)),
        Just(json!(1_723_450_402_600_521_014_i64)),
        (-1e6..1e6f64).prop_map(|v| json!(v)),
        (0.0..=1.0f64).prop_map(|v| json!(v)),
        Just(json!(true)),
        Just(json!(false)),
        Just(json!("1")),
        Just(json!([])),
        Just(json!({})),
    ]
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(0)),
        Just(json!(-0.0)),
        Just(json!(u64::MAX)),
        Just(json!(i64::MIN)),
        (-1e6..1e6f64).prop_map(|v| json!(v)),
    ]
}

fn field(strategy: BoxedStrategy<Value>, weight_absent: u32) -> BoxedStrategy<Option<Value>> {
    prop_oneof![weight_absent => Just(None), 4 => strategy.prop_map(Some)].boxed()
}

fn point() -> BoxedStrategy<Value> {
    let position = || field(prop_oneof![12 => number(), 1 => any_value()].boxed(), 0);
    let extra = || field(any_value().boxed(), 3);
    let required = || prop_oneof![20 => position(), 1 => Just(None).boxed()];
    (
        required(),
        required(),
        required(),
        extra(),
        extra(),
        extra(),
        extra(),
        extra(),
    )
        .prop_map(|(x, y, z, i, d, t, is_ground, unknown)| {
            let mut map = Map::new();
            for (key, value) in [
                ("x", x),
                ("y", y),
                ("z", z),
                ("i", i),
                ("d", d),
                ("t", t),
                ("is_ground", is_ground),
                ("intensity", unknown),
            ] {
                if let Some(value) = value {
                    map.insert(key.to_owned(), value);
                }
            }
            Value::Object(map)
        })
        .boxed()
}

fn cloud() -> BoxedStrategy<Value> {
    let points = prop_oneof![
        20 => proptest::collection::vec(prop_oneof![30 => point(), 1 => any_value()], 0..4)
            .prop_map(Value::Array),
        1 => any_value(),
    ];
    (points, proptest::option::of(any_value()))
        .prop_map(|(points, other)| {
            let mut map = Map::new();
            map.insert("points".to_owned(), points);
            if let Some(other) = other {
                map.insert("device_heading".to_owned(), other);
            }
            Value::Object(map)
        })
        .boxed()
}

proptest! {
    /// The schema's verdict is the reader's on every generated point cloud.
    #[test]
    fn schema_verdict_equals_reader_verdict(value in cloud()) {
        let (schema, rust, detail) = verdicts(&value);
        prop_assert_eq!(schema, rust, "{}", detail);
    }
}

/// The generator is not trivial: both verdicts are common.
#[test]
fn random_clouds_cover_both_verdicts() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = cloud();
    let (mut accepted, mut rejected) = (0, 0);
    for _ in 0..512 {
        let value = strategy.new_tree(&mut runner).unwrap().current();
        let (schema, rust, detail) = verdicts(&value);
        assert_eq!(schema, rust, "{detail}");
        if rust {
            accepted += 1;
        } else {
            rejected += 1;
        }
    }
    assert!(
        accepted > 100 && rejected > 100,
        "{accepted} accepted, {rejected} rejected"
    );
}
