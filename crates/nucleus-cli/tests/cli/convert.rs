//! `nucleus convert`: camera calibrations between Nucleus, ROS, OpenCV and Foxglove, and
//! positions to and from GeoJSON; a conversion that would lose information is refused.

use serde_json::Value;

use crate::support::{Cmd, assert_contains, cmd, json_lines, temp_dir};

/// The pose of the example camera's link, for `--pose`.
const LINK_POSE: &str = "examples/interop/front_camera_link_pose.json";

/// `nucleus convert camera --from FROM --to TO`.
fn convert_camera(from: &str, to: &str) -> Cmd {
    cmd(["convert", "camera", "--from", from, "--to", to])
}

#[test]
fn convert_camera_ros_with_a_link_pose_to_nucleus() {
    let run = convert_camera("ros", "nucleus")
        .args([
            "--pose",
            LINK_POSE,
            "--pose-frame",
            "link",
            "examples/interop/ros_camera_info.json",
        ])
        .exits(0);
    let params: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        params,
        serde_json::json!({
            "position": {"x": 1.7, "y": 0.0, "z": 1.55},
            "heading": {"x": -0.5, "y": 0.5, "z": -0.5, "w": 0.5},
            "fx": 1266.42, "fy": 1266.42, "cx": 816.27, "cy": 491.51,
            "k1": -0.2831, "k2": 0.0739, "p1": 0.00019, "p2": 0.00176,
            "camera_model": "brown_conrady",
        })
    );
}

#[test]
fn convert_camera_refuses_a_separate_rectified_camera_unless_told() {
    let convert = convert_camera("ros", "nucleus").args([
        "--pose",
        LINK_POSE,
        "examples/interop/ros_camera_info_calibrator.json",
    ]);
    let run = convert.clone().exits(1);
    assert!(run.stdout.is_empty(), "nothing written: {}", run.stdout);
    assert_contains(
        &run.stderr,
        "error[inexact-conversion]: /p/0: expected 1266.42",
    );
    let run = convert.arg("--drop-rectification").exits(0);
    let params: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(params["fx"], 1266.42);
}

#[test]
fn convert_camera_opencv_to_ros_keeps_the_pose_apart_and_back() {
    let dir = temp_dir("convert-camera");
    let (ros, pose) = (dir.join("ros.json"), dir.join("pose.json"));
    let (ros, pose) = (ros.to_str().unwrap(), pose.to_str().unwrap());
    let opencv = "examples/interop/opencv_calibration.json";
    // The pose has nowhere to go in a CameraInfo: refuse to drop it silently.
    let run = convert_camera("opencv", "ros").args([opencv, ros]).exits(2);
    assert_contains(&run.stderr, "--pose-out");
    convert_camera("opencv", "ros")
        .args(["--pose-out", pose, opencv, ros])
        .exits(0);
    let info: Value = serde_json::from_str(&std::fs::read_to_string(ros).unwrap()).unwrap();
    assert_eq!(info["distortion_model"], "plumb_bob");
    assert_eq!(
        (info["width"].as_u64(), info["height"].as_u64()),
        (Some(1920), Some(1208))
    );
    // ROS + the pose back to Nucleus equals OpenCV straight to Nucleus.
    let via_ros = convert_camera("ros", "nucleus")
        .args(["--pose", pose, ros])
        .exits(0);
    let direct = convert_camera("opencv", "nucleus").arg(opencv).run();
    assert_eq!(via_ros.stdout, direct.stdout);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn convert_camera_reads_stdin_and_names_the_field_it_cannot_write() {
    let fisheye =
        br#"{"position": {"x": 0, "y": 0, "z": 0}, "heading": {"x": 0, "y": 0, "z": 0, "w": 1},
        "fx": 400, "fy": 400, "cx": 320, "cy": 240, "k1": 0.05, "camera_model": "fisheye"}"#;
    let run = convert_camera("nucleus", "foxglove")
        .args(["-", "--pose-out", "/dev/null"])
        .stdin(fisheye)
        .exits(0);
    let calibration: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(calibration["distortion_model"], "kannala_brandt");
    assert_eq!(calibration["D"], serde_json::json!([0.05, 0.0, 0.0, 0.0]));
    let with_p1 = String::from_utf8(fisheye.to_vec())
        .unwrap()
        .replace("\"k1\"", "\"p1\": 0.01, \"k1\"");
    let run = convert_camera("nucleus", "opencv")
        .arg("-")
        .stdin(with_p1)
        .exits(1);
    assert_contains(
        &run.stderr,
        "error[inexact-conversion]: /p1: p1 = 0.01 is not representable",
    );
}

#[test]
fn convert_geojson_exports_and_imports_positions() {
    let run = cmd(["convert", "geojson", "examples/interop/items.jsonl"]).run();
    assert_eq!(
        run.code, 1,
        "an out-of-range latitude is an error: {}",
        run.stderr
    );
    let collection: Value = serde_json::from_str(&run.stdout).unwrap();
    let features = collection["features"].as_array().unwrap();
    assert_eq!(features.len(), 2);
    assert_eq!(
        features[0]["geometry"]["coordinates"],
        serde_json::json!([-122.4194, 37.7749])
    );
    assert_eq!(features[0]["properties"]["weather"], "fog");
    assert!(
        features[0]["properties"].get("tags").is_none(),
        "lists are not searchable"
    );
    assert_contains(
        &run.stderr,
        "items.jsonl:3: error[invalid-coordinate]: /metadata/lat",
    );
    assert_contains(&run.stderr, "items.jsonl:4: warning[unpaired-coordinate]");

    let run = cmd([
        "convert",
        "geojson",
        "--import",
        "examples/interop/positions.geojson",
        "examples/interop/items.jsonl",
    ])
    .exits(0);
    let items = json_lines(&run.stdout);
    assert_eq!(items.len(), 5);
    assert_eq!(items[2]["metadata"]["lat"], 37.7753);
    assert_eq!(items[2]["metadata"]["lon"], -122.4185);
    assert_eq!(items[3]["metadata"]["lon"], -122.4181);
    assert_eq!(
        items[4]["metadata"],
        serde_json::json!({"weather": "clear"})
    );
    assert_contains(&run.stderr, "1 positions matched no item: drive-17-000009");

    // Export of the imported items: every item with a position is on the map now.
    let run = cmd(["convert", "geojson", "-"]).stdin(&run.stdout).exits(0);
    let collection: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(collection["features"].as_array().unwrap().len(), 4);
}
