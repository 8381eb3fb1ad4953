//! `nucleus render`: overlays land where the camera projects them, never from behind it, and
//! what cannot be drawn is an error that writes nothing.

use nucleus::camera::{Canvas, Cuboid};
use nucleus::model::Scene;
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

/// Every projected corner of every example cuboid of frame 0 that falls on the 640×400 image
/// of `camera` is painted in a cuboid colour, over the image and on a blank canvas alike.
#[test]
fn render_draws_the_example_cuboid_corners_where_they_project() {
    let scene_text = std::fs::read_to_string(root().join("examples/scene/scene.jsonl")).unwrap();
    let Scene::Lidar(scene) = Scene::from_json(scene_text.lines().next().unwrap()).unwrap() else {
        panic!("the example is a lidar scene");
    };
    let frame = scene.frame(0).unwrap();
    let lidar_ref = frame
        .pointcloud()
        .unwrap()
        .1
        .reference_id()
        .as_str()
        .to_owned();
    let cuboids: Vec<Cuboid> = std::fs::read_to_string(root().join("examples/scene/cuboids.jsonl"))
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|value| value["reference_id"] == lidar_ref.as_str())
        .map(|value| Cuboid::from_json(&value["geometry"]).unwrap())
        .collect();
    assert_eq!(cuboids.len(), 6);

    let dir = temp_dir("render-test");
    let mut n_checked = 0;
    for camera_name in ["front", "left", "rear"] {
        let camera = frame
            .item(camera_name)
            .unwrap()
            .camera_params()
            .unwrap()
            .unwrap();
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
                for corner in camera.project_cuboid(cuboid).into_iter().flatten() {
                    let (x, y) = Canvas::cell(corner);
                    if !(0..640).contains(&x) || !(0..400).contains(&y) {
                        continue;
                    }
                    let pixel = image.get_pixel(x as u32, y as u32).0;
                    assert!(
                        RENDER_PALETTE.contains(&pixel),
                        "{camera_name} (blank: {blank}): cuboid {idx} corner at {corner:?} is {pixel:?}"
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
