//! Fuzzing the camera and cuboid readers on stable Rust: the example items' `camera_params`
//! (and a cuboid) with values retyped, removed, duplicated, swapped and pushed to the extremes
//! of f64. No input may panic; every rejection names a real place by JSON pointer; accepted
//! cameras round-trip and project, unproject and bound distortion without panicking.
//! CI runs 256 cases; `PROPTEST_CASES=100000 cargo test -p nucleus-camera fuzz` for a long run.

use nucleus_testdata::mutate;

use std::sync::LazyLock;

use nucleus_camera::{CameraParams, Cuboid, Pixel, Point3D};
use proptest::prelude::*;
use serde_json::Value;

/// Every distinct camera of the example items, as JSON text.
static CAMERAS: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut cameras: Vec<String> = mutate::example_items()
        .iter()
        .filter_map(|line| {
            let item: Value = serde_json::from_str(line).unwrap();
            item.pointer("/metadata/camera_params")
                .map(Value::to_string)
        })
        .collect();
    cameras.sort();
    cameras.dedup();
    assert!(cameras.len() > 10, "the examples have cameras");
    cameras
});

const CUBOIDS: &[&str] = &[
    r#"{"position":{"x":10,"y":0,"z":0},"dimensions":{"x":4,"y":2,"z":1.5},"yaw":0}"#,
    r#"{"position":{"x":-3.5,"y":12.25,"z":0.8},"dimensions":{"x":0,"y":0.5,"z":1e-9},"yaw":-3.14159}"#,
];

/// Whether `pointer` names a value of `value`, or a missing member of an object that exists.
fn names_a_place(value: &Value, pointer: &str) -> bool {
    value.pointer(pointer).is_some()
        || pointer
            .rsplit_once('/')
            .is_some_and(|(parent, _)| matches!(value.pointer(parent), Some(Value::Object(_))))
}

fn check_camera(value: &Value) {
    match CameraParams::from_json(value) {
        Ok(camera) => {
            let back = CameraParams::from_json(&camera.to_json()).unwrap();
            assert_eq!(back, camera, "{value}");
            let points = [
                Point3D::new(10.0, 0.0, 1.5),
                Point3D::new(-10.0, 1.0, 0.0),
                Point3D::new(1e300, -1e300, 1e-300),
                camera.position(),
            ];
            let mut pixels = vec![Pixel { x: 0.0, y: 0.0 }; points.len()];
            camera.project_into(&points, &mut pixels).unwrap();
            for point in points {
                let _ = camera.project(point);
                let _ = camera.normalized_radius(point);
            }
            let _ = camera.monotonic_radius();
            for pixel in [
                Pixel { x: 0.0, y: 0.0 },
                Pixel { x: 960.0, y: 540.0 },
                Pixel {
                    x: -1e300,
                    y: 1e300,
                },
            ] {
                let _ = camera.unproject(pixel);
                let _ = camera.unproject_to_world(pixel);
            }
            let cuboid = Cuboid::from_json(&serde_json::from_str(CUBOIDS[0]).unwrap()).unwrap();
            let _ = camera.project_cuboid(&cuboid);
        }
        Err(error) => {
            assert!(
                names_a_place(value, error.pointer()),
                "{value}: {} is not a place: {error}",
                error.pointer()
            );
            assert!(!error.to_string().is_empty());
        }
    }
}

fn check_cuboid(value: &Value) {
    match Cuboid::from_json(value) {
        Ok(cuboid) => {
            let back = Cuboid::from_json(&cuboid.to_json()).unwrap();
            assert_eq!(back, cuboid, "{value}");
            let _ = cuboid.corners();
        }
        Err(error) => assert!(
            names_a_place(value, error.pointer()),
            "{value}: {} is not a place: {error}",
            error.pointer()
        ),
    }
}

/// The mutated text, when it is still JSON (only JSON values reach the camera reader).
fn parsed(bytes: &[u8]) -> Option<Value> {
    serde_json::from_slice(bytes).ok()
}

proptest! {
    #[test]
    fn fuzz_mutated_cameras(mutated in mutate::mutated()) {
        if let Some(value) = parsed(&mutated.apply(&CAMERAS)) {
            check_camera(&value);
        }
    }

    #[test]
    fn fuzz_mutated_cuboids(mutated in mutate::mutated()) {
        let seeds: Vec<String> = CUBOIDS.iter().map(|s| (*s).to_owned()).collect();
        if let Some(value) = parsed(&mutated.apply(&seeds)) {
            check_cuboid(&value);
        }
    }

    #[test]
    fn fuzz_any_value_as_camera(value in mutate::odd_value()) {
        check_camera(&value);
        check_cuboid(&value);
    }
}
