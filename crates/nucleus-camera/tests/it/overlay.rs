//! Overlays: cuboid corners land where the projection says, points behind the camera are never
//! drawn, edges crossing the camera plane are clipped rather than dropped.

use nucleus_camera::overlay::{CUBOID_EDGES, Canvas, PointStyle};
use nucleus_camera::{CameraParams, Cuboid, Distortion, Point3D, Vector3};
use proptest::prelude::*;

use crate::fixtures::{Intrinsics, camera, cameras};

const BLACK: [u8; 3] = [0, 0, 0];
const GREEN: [u8; 3] = [0, 255, 0];

/// A 640×400 sensor, small enough to draw on quickly.
const SMALL: Intrinsics = Intrinsics {
    fx: 300.0,
    fy: 300.0,
    cx: 320.0,
    cy: 200.0,
};

fn pinhole() -> CameraParams {
    camera(SMALL, None, Distortion::default())
}

fn car() -> Cuboid {
    Cuboid::new(
        Point3D::new(10.0, 1.0, 0.75),
        Vector3::new(4.0, 2.0, 1.5),
        0.3,
    )
    .unwrap()
}

#[test]
fn cuboid_corners_are_drawn_where_they_project() {
    for (name, camera) in cameras(SMALL) {
        let mut canvas = Canvas::new(640, 400, BLACK).unwrap();
        let n_segments = camera.draw_cuboid(&mut canvas, &car(), GREEN, 1);
        assert!(n_segments >= 12, "{name}: {n_segments} segments");
        for (idx, corner) in camera.project_cuboid(&car()).iter().enumerate() {
            let pixel = corner.unwrap();
            let (x, y) = Canvas::cell(pixel);
            assert_eq!(
                canvas.get(x as u32, y as u32),
                Some(GREEN),
                "{name}: corner {idx} at {pixel:?}"
            );
        }
        // The box's centre is inside the wireframe, not on it.
        let centre = camera.project(car().position()).unwrap();
        let (x, y) = Canvas::cell(centre);
        assert_eq!(canvas.get(x as u32, y as u32), Some(BLACK), "{name}");
    }
}

#[test]
fn edges_crossing_the_camera_plane_are_clipped_not_dropped() {
    let camera = pinhole();
    // A long box from 5 m behind the camera to 15 m ahead: every corner behind has no pixel,
    // yet the part of each long edge in front is drawn.
    let cuboid = Cuboid::new(
        Point3D::new(5.0, 0.0, 1.5),
        Vector3::new(20.0, 3.0, 2.0),
        0.0,
    )
    .unwrap();
    let projected = camera.project_cuboid(&cuboid);
    assert_eq!(projected.iter().filter(|p| p.is_none()).count(), 4);
    let segments = camera.cuboid_segments(&cuboid);
    // Front face (4 edges) and the 4 length edges clipped; the rear face is behind: dropped.
    assert_eq!(segments.len(), 8, "{segments:?}");
    let mut canvas = Canvas::new(640, 400, BLACK).unwrap();
    camera.draw_cuboid(&mut canvas, &cuboid, GREEN, 1);
    // The length edge at the left bottom runs from the image corner region towards the far face.
    let n_green = canvas.as_rgb().chunks(3).filter(|p| *p == GREEN).count();
    assert!(n_green > 500, "{n_green} pixels drawn");

    // Entirely behind: nothing.
    let behind = Cuboid::new(
        Point3D::new(-10.0, 0.0, 1.5),
        Vector3::new(4.0, 2.0, 1.5),
        0.0,
    )
    .unwrap();
    assert!(camera.cuboid_segments(&behind).is_empty());
    assert_eq!(CUBOID_EDGES.len(), 12);
}

#[test]
fn nearer_points_win_and_colour_runs_red_to_blue() {
    let camera = pinhole();
    // Two points on the optical axis: same pixel, 5 m and 50 m away; the far one drawn last.
    let points = [Point3D::new(5.0, 0.0, 1.5), Point3D::new(50.0, 0.0, 1.5)];
    let mut canvas = Canvas::new(640, 400, BLACK).unwrap();
    let n = camera.draw_points(&mut canvas, &points, &PointStyle::default().with_radius(0));
    assert_eq!(n, 2);
    let near = canvas.get(320, 200).unwrap();
    assert!(near[0] > near[2], "near point should be red: {near:?}");
}

proptest! {
    /// Whatever the camera model and wherever behind the camera the points are, nothing is drawn.
    #[test]
    fn points_behind_the_camera_are_never_drawn(
        camera_idx in 0usize..3,
        behind in proptest::collection::vec(
            (-50.0..50.0f64, -50.0..50.0f64, -100.0..=0.0f64),
            1..200,
        ),
        radius in 0u32..3,
    ) {
        let (_, camera) = cameras(SMALL).swap_remove(camera_idx);
        let points: Vec<Point3D> = behind
            .iter()
            .map(|&(x, y, z)| camera.camera_to_world(Vector3::new(x, y, z)))
            .collect();
        let mut canvas = Canvas::new(64, 40, BLACK).unwrap();
        let camera = CameraParams::new(camera.position(), camera.heading(), 30.0, 30.0, 32.0, 20.0)
            .and_then(|c| c.with_distortion(camera.declared_model(), *camera.distortion()))
            .unwrap();
        let n = camera.draw_points(&mut canvas, &points, &PointStyle::default().with_radius(radius));
        prop_assert_eq!(n, 0);
        prop_assert!(canvas.as_rgb().iter().all(|&b| b == 0));
    }

    /// Lines never write outside the canvas and never panic, wherever their ends are.
    #[test]
    fn lines_stay_on_the_canvas(
        ax in -1e9..1e9f64, ay in -1e9..1e9f64, bx in -1e9..1e9f64, by in -1e9..1e9f64,
        thickness in 1u32..4,
    ) {
        let mut canvas = Canvas::new(50, 30, BLACK).unwrap();
        canvas.draw_line(
            nucleus_camera::Pixel::new(ax, ay),
            nucleus_camera::Pixel::new(bx, by),
            GREEN,
            thickness,
        );
        prop_assert_eq!(canvas.as_rgb().len(), 50 * 30 * 3);
    }
}

#[test]
fn canvas_sizes_are_checked() {
    assert!(Canvas::new(0, 10, BLACK).is_err());
    assert!(Canvas::from_rgb(2, 2, vec![0; 11]).is_err());
    let canvas = Canvas::from_rgb(2, 2, vec![7; 12]).unwrap();
    assert_eq!(canvas.get(1, 1), Some([7, 7, 7]));
    assert_eq!(canvas.get(2, 0), None);
}
