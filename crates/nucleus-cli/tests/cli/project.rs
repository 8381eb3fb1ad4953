//! `nucleus project`: points and cuboids through a camera, one output line per input line.

use crate::support::{SPEC_CAMERA, assert_starts_with, cmd, json_lines};

#[test]
fn project_points_and_cuboids_like_the_spec_example() {
    let input = format!(
        "{{\"camera_params\":{SPEC_CAMERA},\"points\":[[10,0,1.5],[-10,0,1.5],[10,1,1]]}}\n\
         {{\"camera_params\":{SPEC_CAMERA},\"cuboid\":{{\"position\":{{\"x\":10,\"y\":0,\"z\":0}},\"dimensions\":{{\"x\":4,\"y\":2,\"z\":1.5}},\"yaw\":0}}}}\n"
    );
    let run = cmd(["project"]).stdin(input).exits(0);
    let lines = json_lines(&run.stdout);
    // SPEC.md's worked example: straight ahead is the principal point; behind is null; one
    // metre left of the axis (world +y) and half a metre down is 100 px left, 50 px down.
    assert_eq!(
        lines[0],
        serde_json::json!({"uv": [[960.0, 540.0], null, [860.0, 590.0]]})
    );
    assert_eq!(
        lines[1]["corners"][0],
        serde_json::json!([12.0, 1.0, -0.75])
    );
    assert_eq!(lines[1]["corners"][4], serde_json::json!([12.0, 1.0, 0.75]));
    let u0 = lines[1]["uv"][0][0].as_f64().unwrap();
    assert!((u0 - (960.0 - 1000.0 / 12.0)).abs() < 1e-9, "{u0}");
}

#[test]
fn project_reports_bad_lines_and_keeps_going() {
    let input = format!(
        "{{\"camera_params\":{{\"fx\":1}},\"points\":[]}}\n\
         {{\"camera_params\":{SPEC_CAMERA},\"points\":[[1,2]]}}\n\
         {{\"camera_params\":{SPEC_CAMERA}}}\n\
         {{\"camera_params\":{SPEC_CAMERA},\"points\":[]}}\n"
    );
    let run = cmd(["project"]).stdin(input).exits(1);
    assert_eq!(run.stdout, "{\"uv\":[]}\n");
    let codes: Vec<&str> = run
        .stderr
        .lines()
        .map(|l| l.split(": ").nth(1).unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "error[invalid-camera-params]",
            "error[invalid-geometry]",
            "error[invalid-geometry]"
        ]
    );
    assert_starts_with(
        &run.stderr,
        "-:1: error[invalid-camera-params]: /camera_params/position:",
    );
}
