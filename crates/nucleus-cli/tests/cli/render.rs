//! `nucleus render`: overlays land where the camera projects them, never from behind it, and
//! what cannot be drawn is an error that writes nothing.

use serde_json::Value;

use crate::support::{Cmd, SPEC_CAMERA, assert_contains, cmd, root, temp_dir};

/// The cuboid colours of `nucleus render`, in turn.
const RENDER_PALETTE: [[u8; 3]; 6] = [
    [0, 255, 80],
    [255, 230, 0],
    [255, 0, 255],
    [0, 255, 255],
    [255, 255, 255],
    [255, 128, 0],
];

/// `nucleus render --scene examples/scene/scene.jsonl`.
fn render_example_scene() -> Cmd {
    cmd(["render", "--scene", "examples/scene/scene.jsonl"])
}

fn read_png(path: &std::path::Path) -> image::RgbImage {
    image::ImageReader::open(path)
        .unwrap()
        .decode()
        .unwrap()
        .to_rgb8()
}

/// A camera projection written from OpenCV's definitions (`cv::projectPoints` and
/// `cv::fisheye::projectPoints`), independent of `nucleus-camera`: the renderer's output is
/// checked against it, not against the library's own `project_cuboid`. `None` behind the camera.
fn reference_projection(camera: &Value, world: [f64; 3]) -> Option<(f64, f64)> {
    let number = |key: &str| camera.get(key).and_then(Value::as_f64).unwrap_or(0.0);
    let q = &camera["heading"];
    let (qx, qy, qz, qw) = (
        q["x"].as_f64().unwrap(),
        q["y"].as_f64().unwrap(),
        q["z"].as_f64().unwrap(),
        q["w"].as_f64().unwrap(),
    );
    let norm = (qx * qx + qy * qy + qz * qz + qw * qw).sqrt();
    let (x, y, z, w) = (qx / norm, qy / norm, qz / norm, qw / norm);
    // Columns of the camera-to-world rotation: the camera's x, y, z axes in the world.
    let axes = [
        [
            1.0 - 2.0 * (y * y + z * z),
            2.0 * (x * y + z * w),
            2.0 * (x * z - y * w),
        ],
        [
            2.0 * (x * y - z * w),
            1.0 - 2.0 * (x * x + z * z),
            2.0 * (y * z + x * w),
        ],
        [
            2.0 * (x * z + y * w),
            2.0 * (y * z - x * w),
            1.0 - 2.0 * (x * x + y * y),
        ],
    ];
    let position = &camera["position"];
    let d = [
        world[0] - position["x"].as_f64().unwrap(),
        world[1] - position["y"].as_f64().unwrap(),
        world[2] - position["z"].as_f64().unwrap(),
    ];
    let [cam_x, cam_y, cam_z] = axes.map(|axis| axis[0] * d[0] + axis[1] * d[1] + axis[2] * d[2]);
    if cam_z <= 0.0 {
        return None;
    }
    let (a, b) = (cam_x / cam_z, cam_y / cam_z);
    let (k1, k2, k3, k4, p1, p2) = (
        number("k1"),
        number("k2"),
        number("k3"),
        number("k4"),
        number("p1"),
        number("p2"),
    );
    let (xd, yd) = match camera.get("camera_model").and_then(Value::as_str) {
        Some("fisheye") => {
            let r = a.hypot(b);
            let theta = r.atan();
            let t2 = theta * theta;
            let theta_d =
                theta * (1.0 + k1 * t2 + k2 * t2 * t2 + k3 * t2 * t2 * t2 + k4 * t2 * t2 * t2 * t2);
            let scale = if r > 0.0 { theta_d / r } else { 1.0 };
            (a * scale, b * scale)
        }
        Some("brown_conrady") => {
            let r2 = a * a + b * b;
            let radial = (1.0 + k1 * r2 + k2 * r2 * r2 + k3 * r2 * r2 * r2) / (1.0 + k4 * r2);
            (
                a * radial + 2.0 * p1 * a * b + p2 * (r2 + 2.0 * a * a),
                b * radial + p1 * (r2 + 2.0 * b * b) + 2.0 * p2 * a * b,
            )
        }
        _ => (a, b),
    };
    Some((
        number("fx") * xd + number("cx"),
        number("fy") * yd + number("cy"),
    ))
}

/// The eight corners of a cuboid annotation's `geometry` (centre, dimensions, yaw about +z).
fn reference_corners(geometry: &Value) -> Vec<[f64; 3]> {
    let get = |object: &str, key: &str| geometry[object][key].as_f64().unwrap();
    let yaw = geometry["yaw"].as_f64().unwrap();
    let (sin, cos) = yaw.sin_cos();
    let mut corners = Vec::new();
    for sx in [-0.5, 0.5] {
        for sy in [-0.5, 0.5] {
            for sz in [-0.5, 0.5] {
                let (dx, dy) = (sx * get("dimensions", "x"), sy * get("dimensions", "y"));
                corners.push([
                    get("position", "x") + cos * dx - sin * dy,
                    get("position", "y") + sin * dx + cos * dy,
                    get("position", "z") + sz * get("dimensions", "z"),
                ]);
            }
        }
    }
    corners
}

/// Every corner of every example cuboid of frame 0 that falls on the 640×400 image of `camera`
/// (projected by the reference above) is painted in a cuboid colour, over the image and on a
/// blank canvas alike.
#[test]
fn render_draws_the_example_cuboid_corners_where_they_project() {
    let scene_text = std::fs::read_to_string(root().join("examples/scene/scene.jsonl")).unwrap();
    let scene: Value = serde_json::from_str(scene_text.lines().next().unwrap()).unwrap();
    let frame = &scene["frames"][0];
    let lidar_ref = frame["lidar"]["reference_id"].as_str().unwrap();
    let cuboids: Vec<Value> = std::fs::read_to_string(root().join("examples/scene/cuboids.jsonl"))
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|value| value["reference_id"] == lidar_ref)
        .map(|value| value["geometry"].clone())
        .collect();
    assert_eq!(cuboids.len(), 6);

    let dir = temp_dir("render-test");
    let mut n_checked = 0;
    for camera_name in ["front", "left", "rear"] {
        let camera = &frame[camera_name]["metadata"]["camera_params"];
        for blank in [false, true] {
            let out = dir.join(format!("{camera_name}-{blank}.png"));
            let run = render_example_scene()
                .args([
                    "--cuboids",
                    "examples/scene/cuboids.jsonl",
                    "--media-dir",
                    "examples/scene/media",
                    "--camera",
                    camera_name,
                    "-o",
                ])
                .arg(&out)
                .args(blank.then_some("--blank"))
                .exits(0);
            assert_contains(&run.stderr, "of 4");
            let image = read_png(&out);
            assert_eq!(image.dimensions(), (640, 400));
            for (idx, cuboid) in cuboids.iter().enumerate() {
                for corner in reference_corners(cuboid) {
                    let Some((u, v)) = reference_projection(camera, corner) else {
                        continue;
                    };
                    let (x, y) = (u.floor(), v.floor());
                    if !(0.0..640.0).contains(&x) || !(0.0..400.0).contains(&y) {
                        continue;
                    }
                    let pixel = image.get_pixel(x as u32, y as u32).0;
                    assert!(
                        RENDER_PALETTE.contains(&pixel),
                        "{camera_name} (blank: {blank}): cuboid {idx} corner {corner:?} at ({u}, {v}) is {pixel:?}"
                    );
                    n_checked += 1;
                }
            }
        }
    }
    // Enough corners land on the images for the test to mean something.
    assert!(n_checked >= 40, "{n_checked} corners checked");
}

#[test]
fn render_never_draws_points_behind_the_camera() {
    let dir = temp_dir("render-behind");
    let item = dir.join("camera.json");
    std::fs::write(
        &item,
        format!(r#"{{"image_location": "s3://b/cam.png", "reference_id": "cam", "metadata": {{"camera_params": {SPEC_CAMERA}}}}}"#),
    )
    .unwrap();
    // The camera looks along +X from (0, 0, 1.5): every point has x <= 0.
    let points: Vec<String> = (0..500)
        .map(|idx| {
            let x = -(idx as f64) * 0.1;
            let y = (idx % 37) as f64 - 18.0;
            let z = (idx % 11) as f64 - 5.0;
            format!(r#"{{"x": {x}, "y": {y}, "z": {z}}}"#)
        })
        .collect();
    let cloud = dir.join("behind.json");
    std::fs::write(&cloud, format!(r#"{{"points": [{}]}}"#, points.join(", "))).unwrap();
    let out = dir.join("out.png");
    let run = cmd(["render", "--item"])
        .arg(&item)
        .arg("--pointcloud")
        .arg(&cloud)
        .arg("-o")
        .arg(&out)
        .exits(0);
    assert_contains(&run.stderr, "1920x1080: 0 of 500 points");
    let image = read_png(&out);
    assert!(image.pixels().all(|p| p.0 == [24, 24, 24]));
}

#[test]
fn render_reports_what_it_cannot_do() {
    let run = render_example_scene()
        .args(["--frame", "7", "-o", "/tmp/x.png"])
        .exits(2);
    assert_contains(&run.stderr, "has 2 frames (0 to 1); there is no frame 7");
    let run = render_example_scene()
        .args(["--camera", "lidar", "-o", "/tmp/x.png"])
        .exits(2);
    assert_contains(&run.stderr, "not a camera image");

    // An invalid scene: its findings, exit 1, nothing written.
    let dir = temp_dir("render-invalid");
    let scene = dir.join("scene.jsonl");
    std::fs::write(&scene, "{\"reference_id\": \"s\", \"frames\": []}\n").unwrap();
    let out = dir.join("out.png");
    let run = cmd(["render", "--scene"])
        .arg(&scene)
        .arg("-o")
        .arg(&out)
        .exits(1);
    assert_contains(
        &run.stderr,
        ":1: error[invalid-scene]: /frames: a scene needs at least one frame",
    );
    assert!(!out.exists());
}
