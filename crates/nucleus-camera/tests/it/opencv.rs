//! Every row of `tests/data/opencv_reference.json` (made by `gen_opencv_reference.py` with
//! `cv2.projectPoints` / `cv2.fisheye.projectPoints`) agrees with our projection.

use std::collections::BTreeMap;

use nucleus_camera::{CameraParams, Pixel, Point3D};
use serde_json::Value;

const REFERENCE: &str = include_str!("../data/opencv_reference.json");

/// The tolerance: 1e-6 px plus 1e-9 of the value.
fn within_tolerance(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() <= 1e-6 + 1e-9 * expected.abs()
}

#[test]
fn every_reference_row_matches_opencv() {
    let document: Value = serde_json::from_str(REFERENCE).unwrap();
    let cases = document["cases"].as_array().unwrap();
    assert!(
        cases.len() >= 30,
        "reference table too small: {}",
        cases.len()
    );
    let mut max_error_by_model: BTreeMap<String, (f64, f64, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let camera = CameraParams::from_json(&case["camera_params"]).unwrap();
        let rows = case["points"].as_array().unwrap();
        let worlds: Vec<Point3D> = rows
            .iter()
            .map(|row| {
                let world = row["world"].as_array().unwrap();
                Point3D::new(
                    world[0].as_f64().unwrap(),
                    world[1].as_f64().unwrap(),
                    world[2].as_f64().unwrap(),
                )
            })
            .collect();
        let mut batch = vec![Pixel::default(); worlds.len()];
        camera.project_into(&worlds, &mut batch).unwrap();
        for ((row, world), batch_pixel) in rows.iter().zip(&worlds).zip(&batch) {
            let actual = camera.project(*world);
            // The batch API gives the same bits, with NaN for "not projectable".
            match actual {
                Some(pixel) => assert_eq!(pixel, *batch_pixel, "{name}: batch differs"),
                None => assert!(!batch_pixel.is_finite(), "{name}: batch {batch_pixel:?}"),
            }
            match (&row["pixel"], actual) {
                (Value::Null, None) => {}
                (Value::Array(expected), Some(pixel)) => {
                    let (u, v) = (expected[0].as_f64().unwrap(), expected[1].as_f64().unwrap());
                    let entry = max_error_by_model
                        .entry(camera.model().to_string())
                        .or_default();
                    entry.0 = entry.0.max((pixel.x - u).abs()).max((pixel.y - v).abs());
                    let budget = |expected: f64| 1e-6 + 1e-9 * expected.abs();
                    entry.1 = entry
                        .1
                        .max((pixel.x - u).abs() / budget(u))
                        .max((pixel.y - v).abs() / budget(v));
                    entry.2 += 1;
                    if !within_tolerance(pixel.x, u) || !within_tolerance(pixel.y, v) {
                        failures.push(format!(
                            "{name}: {world:?}: expected ({u}, {v}), found {pixel:?}"
                        ));
                    }
                }
                (expected, actual) => failures.push(format!(
                    "{name}: {world:?}: expected {expected}, found {actual:?}"
                )),
            }
        }
    }
    for (model, (max_error, max_share, n_rows)) in &max_error_by_model {
        eprintln!(
            "{model}: {n_rows} rows, max |Δ| = {max_error:.3e} px, max share of tolerance {max_share:.2e}"
        );
    }
    assert!(
        failures.is_empty(),
        "{} rows differ from OpenCV:\n{}",
        failures.len(),
        failures.join("\n")
    );
    for model in ["pinhole", "brown_conrady", "fisheye"] {
        assert!(
            max_error_by_model
                .get(model)
                .is_some_and(|(_, _, n)| *n > 100),
            "few {model} rows"
        );
    }
}
