//! Reading and writing the SDK's `camera_params` and cuboid JSON.

use nucleus_camera::{
    CameraModel, CameraParams, Cuboid, Distortion, Error, Point3D, Quaternion, Vector3,
};
use proptest::prelude::*;
use serde_json::{Value, json};

fn base() -> Value {
    json!({
        "position": {"x": 1.0, "y": 2.0, "z": 3.0},
        "heading": {"x": -0.5, "y": 0.5, "z": -0.5, "w": 0.5},
        "fx": 1000.0, "fy": 1001.0, "cx": 960.0, "cy": 540.0,
    })
}

fn with(edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
    let mut value = base();
    edit(value.as_object_mut().unwrap());
    value
}

/// Reads `input` and checks the error's pointer and message.
fn check_err(input: &Value, pointer: &str, message: &str) {
    let error = CameraParams::from_json(input).unwrap_err();
    assert_eq!(error.pointer(), pointer, "{error}");
    assert_eq!(error.to_string(), message);
}

#[test]
fn reads_minimal_params_as_pinhole() {
    let camera = CameraParams::from_json(&base()).unwrap();
    assert_eq!(camera.position(), Point3D::new(1.0, 2.0, 3.0));
    assert_eq!(camera.heading(), Quaternion::new(-0.5, 0.5, -0.5, 0.5));
    assert_eq!(
        (camera.fx(), camera.fy(), camera.cx(), camera.cy()),
        (1000.0, 1001.0, 960.0, 540.0)
    );
    assert_eq!(camera.model(), CameraModel::Pinhole);
    assert_eq!(camera.declared_model(), None);
    assert_eq!(camera.distortion(), &Distortion::default());
}

#[test]
fn integer_numbers_are_accepted() {
    let input = with(|map| {
        map.insert("fx".into(), json!(1000));
        map.insert("position".into(), json!({"x": 0, "y": 0, "z": 0}));
    });
    assert_eq!(CameraParams::from_json(&input).unwrap().fx(), 1000.0);
}

#[test]
fn coefficients_without_model_mean_brown_conrady() {
    let input = with(|map| {
        map.insert("k1".into(), json!(-0.1));
        map.insert("p2".into(), json!(0.001));
        map.insert("k2".into(), Value::Null);
    });
    let camera = CameraParams::from_json(&input).unwrap();
    assert_eq!(camera.model(), CameraModel::BrownConrady);
    assert_eq!(camera.declared_model(), None);
    assert_eq!(camera.distortion().k1, -0.1);
    assert_eq!(camera.distortion().p2, 0.001);
    assert_eq!(camera.distortion().k2, 0.0);
}

#[test]
fn zero_coefficients_without_model_mean_pinhole() {
    let input = with(|map| {
        map.insert("k1".into(), json!(0));
        map.insert("camera_model".into(), Value::Null);
    });
    assert_eq!(
        CameraParams::from_json(&input).unwrap().model(),
        CameraModel::Pinhole
    );
}

#[test]
fn declared_models_are_kept() {
    for (name, model) in [
        ("brown_conrady", CameraModel::BrownConrady),
        ("fisheye", CameraModel::Fisheye),
    ] {
        let input = with(|map| {
            map.insert("camera_model".into(), json!(name));
        });
        let camera = CameraParams::from_json(&input).unwrap();
        assert_eq!(camera.model(), model);
        assert_eq!(camera.declared_model(), Some(model));
        assert_eq!(camera.to_json()["camera_model"], json!(name));
    }
}

#[test]
fn unknown_keys_are_ignored_and_dropped() {
    let input = with(|map| {
        map.insert("skew".into(), json!(0.5));
    });
    let camera = CameraParams::from_json(&input).unwrap();
    assert!(camera.to_json().get("skew").is_none());
}

#[test]
fn writes_the_sdk_shape_in_order() {
    let input = json!({
        "camera_model": "brown_conrady",
        "p1": 0.01, "k2": 0.0, "k1": -0.2, "k4": 0.3,
        "cy": 540, "cx": 960, "fy": 1000, "fx": 1000,
        "heading": {"w": 1, "z": 0, "y": 0, "x": 0},
        "position": {"z": 1.5, "y": 0, "x": 0},
    });
    let written = CameraParams::from_json(&input).unwrap().to_json();
    assert_eq!(
        serde_json::to_string(&written).unwrap(),
        r#"{"position":{"x":0.0,"y":0.0,"z":1.5},"heading":{"x":0.0,"y":0.0,"z":0.0,"w":1.0},"fx":1000.0,"fy":1000.0,"cx":960.0,"cy":540.0,"k1":-0.2,"k4":0.3,"p1":0.01,"camera_model":"brown_conrady"}"#
    );
}

#[test]
fn serde_matches_from_json_and_to_json() {
    let camera = CameraParams::from_json(&base()).unwrap();
    let text = serde_json::to_string(&camera).unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap(),
        camera.to_json()
    );
    assert_eq!(serde_json::from_str::<CameraParams>(&text).unwrap(), camera);
    let error = serde_json::from_str::<CameraParams>(r#"{"position": 3}"#).unwrap_err();
    assert_eq!(error.to_string(), "/position: expected an object, found 3");
}

#[test]
fn errors_name_the_field() {
    check_err(&json!([1]), "", "(root): expected an object, found [1]");
    check_err(
        &with(|map| {
            map.remove("fx");
        }),
        "/fx",
        "/fx: missing required field `fx`",
    );
    check_err(
        &with(|map| {
            map.remove("position");
        }),
        "/position",
        "/position: missing required field `position`",
    );
    check_err(
        &with(|map| {
            map.insert("heading".into(), json!({"x": 0, "y": 0, "z": 0}));
        }),
        "/heading/w",
        "/heading/w: missing required field `w`",
    );
    check_err(
        &with(|map| {
            map.insert("position".into(), json!(null));
        }),
        "/position",
        "/position: expected an object, found null",
    );
    check_err(
        &with(|map| {
            map.insert("fx".into(), json!("1000"));
        }),
        "/fx",
        "/fx: expected a number, found \"1000\"",
    );
    check_err(
        &with(|map| {
            map.insert("cy".into(), json!(null));
        }),
        "/cy",
        "/cy: expected a number, found null",
    );
    check_err(
        &with(|map| {
            map.insert("k3".into(), json!(true));
        }),
        "/k3",
        "/k3: expected a number, found true",
    );
    check_err(
        &with(|map| {
            map.insert("fy".into(), json!(0));
        }),
        "/fy",
        "/fy: expected a focal length > 0, found 0",
    );
    check_err(
        &with(|map| {
            map.insert("fx".into(), json!(-5.5));
        }),
        "/fx",
        "/fx: expected a focal length > 0, found -5.5",
    );
    check_err(
        &with(|map| {
            map.insert("camera_model".into(), json!("pinhole"));
        }),
        "/camera_model",
        "/camera_model: unknown camera model \"pinhole\", expected \"brown_conrady\" or \"fisheye\"",
    );
    check_err(
        &with(|map| {
            map.insert("camera_model".into(), json!(1));
        }),
        "/camera_model",
        "/camera_model: expected \"brown_conrady\", \"fisheye\" or null, found 1",
    );
    check_err(
        &with(|map| {
            map.insert(
                "heading".into(),
                json!({"x": 0, "y": 0.0, "z": 0, "w": -0.0}),
            );
        }),
        "/heading",
        "/heading: the quaternion 0, 0, 0, -0 has no orientation (norm 0)",
    );
}

#[test]
fn rust_constructors_reject_non_finite_values() {
    let error = CameraParams::new(
        Point3D::new(0.0, f64::NAN, 0.0),
        Quaternion::IDENTITY,
        1.0,
        1.0,
        0.0,
        0.0,
    )
    .unwrap_err();
    assert_eq!(error.pointer(), "/position/y");
    let error = CameraParams::new(
        Point3D::ZERO,
        Quaternion::new(0.0, 0.0, 0.0, f64::INFINITY),
        1.0,
        1.0,
        0.0,
        0.0,
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "/heading/w: expected a finite number, found inf"
    );
    let camera =
        CameraParams::new(Point3D::ZERO, Quaternion::IDENTITY, 1.0, 1.0, 0.0, 0.0).unwrap();
    let error = camera
        .clone()
        .with_distortion(
            None,
            Distortion {
                p2: f64::NEG_INFINITY,
                ..Distortion::default()
            },
        )
        .unwrap_err();
    assert_eq!(error.pointer(), "/p2");
    let error = camera
        .with_distortion(
            Some(CameraModel::Pinhole),
            Distortion {
                k3: 0.5,
                ..Distortion::default()
            },
        )
        .unwrap_err();
    assert_eq!(
        error,
        Error::PinholeWithDistortion {
            pointer: "/k3".into(),
            field: "k3",
            found: 0.5
        }
    );
}

#[test]
fn cuboid_reads_and_writes() {
    let input = json!({"position": {"x": 10, "y": 0, "z": 0}, "dimensions": {"x": 4, "y": 2, "z": 1.5}, "yaw": 0, "label": "car"});
    let cuboid = Cuboid::from_json(&input).unwrap();
    assert_eq!(cuboid.dimensions(), Vector3::new(4.0, 2.0, 1.5));
    assert_eq!(Cuboid::from_json(&cuboid.to_json()).unwrap(), cuboid);
    let text = serde_json::to_string(&cuboid).unwrap();
    assert_eq!(serde_json::from_str::<Cuboid>(&text).unwrap(), cuboid);

    let error = Cuboid::from_json(&json!({"position": {"x": 0, "y": 0, "z": 0}, "dimensions": {"x": 1, "y": -2, "z": 1}, "yaw": 0})).unwrap_err();
    assert_eq!(
        error.to_string(),
        "/dimensions/y: expected a dimension >= 0, found -2"
    );
    let error = Cuboid::from_json(
        &json!({"position": {"x": 0, "y": 0, "z": 0}, "dimensions": {"x": 1, "y": 2, "z": 1}}),
    )
    .unwrap_err();
    assert_eq!(error.to_string(), "/yaw: missing required field `yaw`");
    let error = Cuboid::from_json(&json!({"position": {"x": 0, "y": 0, "z": 0}, "dimensions": {"x": 1, "y": 2, "z": "1"}, "yaw": 0})).unwrap_err();
    assert_eq!(error.pointer(), "/dimensions/z");
}

fn finite_number() -> impl Strategy<Value = f64> {
    prop_oneof![
        -1e6..1e6f64,
        Just(0.0),
        Just(-0.0),
        any::<f64>().prop_filter("finite", |value| value.is_finite()),
    ]
}

fn coefficient() -> impl Strategy<Value = f64> {
    prop_oneof![Just(0.0), -2.0..2.0f64, finite_number()]
}

prop_compose! {
    fn camera_params()(
        position in (finite_number(), finite_number(), finite_number()),
        heading in (finite_number(), finite_number(), finite_number(), finite_number())
            .prop_filter("non-zero", |(x, y, z, w)| *x != 0.0 || *y != 0.0 || *z != 0.0 || *w != 0.0),
        focal in (1e-3..1e5f64, 1e-3..1e5f64),
        centre in (finite_number(), finite_number()),
        model in prop_oneof![Just(None), Just(Some(CameraModel::BrownConrady)), Just(Some(CameraModel::Fisheye))],
        k in (coefficient(), coefficient(), coefficient(), coefficient(), coefficient(), coefficient()),
    ) -> CameraParams {
        CameraParams::new(
            Point3D::new(position.0, position.1, position.2),
            Quaternion::new(heading.0, heading.1, heading.2, heading.3),
            focal.0, focal.1, centre.0, centre.1,
        )
        .unwrap()
        .with_distortion(model, Distortion { k1: k.0, k2: k.1, k3: k.2, k4: k.3, p1: k.4, p2: k.5 })
        .unwrap()
    }
}

proptest! {
    #[test]
    fn to_json_reads_back_equal(camera in camera_params()) {
        let written = camera.to_json();
        prop_assert_eq!(&CameraParams::from_json(&written).unwrap(), &camera);
        // Through text too: serde_json prints f64 so that it parses back exactly.
        let text = serde_json::to_string(&camera).unwrap();
        prop_assert_eq!(serde_json::from_str::<CameraParams>(&text).unwrap(), camera);
    }
}
