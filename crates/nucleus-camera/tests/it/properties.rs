//! Invariants: project ∘ unproject, rigid motions, cuboid boxes.

use nucleus_camera::{CameraModel, CameraParams, Cuboid, Distortion, Point3D, Quaternion, Vector3};
use proptest::prelude::*;

fn vector(range: f64) -> impl Strategy<Value = Vector3> {
    (-range..range, -range..range, -range..range).prop_map(|(x, y, z)| Vector3::new(x, y, z))
}

fn heading() -> impl Strategy<Value = Quaternion> {
    (
        -1.0..1.0f64,
        -1.0..1.0f64,
        -1.0..1.0f64,
        -1.0..1.0f64,
        prop_oneof![0.01..100.0f64, -100.0..-0.01f64],
    )
        .prop_filter("not near zero", |(x, y, z, w, _)| {
            x * x + y * y + z * z + w * w > 1e-3
        })
        .prop_map(|(x, y, z, w, scale)| Quaternion::new(x * scale, y * scale, z * scale, w * scale))
}

fn distortion() -> impl Strategy<Value = (Option<CameraModel>, Distortion)> {
    let brown = (
        -0.4..0.4f64,
        -0.2..0.2f64,
        -0.05..0.05f64,
        prop_oneof![Just(0.0), -0.1..0.3f64],
        -0.01..0.01f64,
        -0.01..0.01f64,
    )
        .prop_map(|(k1, k2, k3, k4, p1, p2)| {
            (
                None,
                Distortion {
                    k1,
                    k2,
                    k3,
                    k4,
                    p1,
                    p2,
                },
            )
        });
    let fisheye = (
        -0.1..0.1f64,
        -0.02..0.02f64,
        -0.005..0.005f64,
        -0.001..0.001f64,
    )
        .prop_map(|(k1, k2, k3, k4)| {
            (
                Some(CameraModel::Fisheye),
                Distortion {
                    k1,
                    k2,
                    k3,
                    k4,
                    ..Distortion::default()
                },
            )
        });
    prop_oneof![Just((None, Distortion::default())), brown, fisheye]
}

prop_compose! {
    fn camera()(
        position in vector(100.0),
        heading in heading(),
        fx in 200.0..3000.0f64,
        fy in 200.0..3000.0f64,
        cx in 0.0..2000.0f64,
        cy in 0.0..1500.0f64,
        (model, distortion) in distortion(),
    ) -> CameraParams {
        CameraParams::new(position, heading, fx, fy, cx, cy).unwrap().with_distortion(model, distortion).unwrap()
    }
}

proptest! {
    /// A ray inside the monotonic region projects to a pixel that unprojects to the same ray.
    #[test]
    fn unproject_inverts_project(camera in camera(), azimuth in 0.0..std::f64::consts::TAU, share in 0.0..0.95f64, depth in 0.1..100.0f64) {
        let max_radius = match camera.model() {
            CameraModel::Fisheye => camera.monotonic_radius().min(85.0_f64.to_radians().tan()),
            _ => camera.monotonic_radius().min(3.0),
        };
        let radius = share * max_radius;
        let ray = Vector3::new(radius * azimuth.cos(), radius * azimuth.sin(), 1.0);
        let ray = ray * (1.0 / ray.norm());
        let pixel = camera.project_camera(ray * depth).unwrap();
        let back = camera.unproject(pixel).unwrap();
        prop_assert!((back - ray).norm() < 1e-9, "{ray:?} → {pixel:?} → {back:?}");
        let again = camera.project_camera(back).unwrap();
        prop_assert!((again.x - pixel.x).abs() < 1e-6 && (again.y - pixel.y).abs() < 1e-6, "{pixel:?} vs {again:?}");
        // The world ray from the camera centre passes through the same point.
        let world_ray = camera.unproject_to_world(pixel).unwrap();
        let world = camera.camera_to_world(ray * depth);
        let reprojected = camera.project(camera.position() + world_ray * depth).unwrap();
        prop_assert!((reprojected.x - pixel.x).abs() < 1e-6 && (reprojected.y - pixel.y).abs() < 1e-6);
        prop_assert!((world - (camera.position() + world_ray * depth)).norm() < 1e-9 * (1.0 + depth));
    }

    /// World → camera is a rigid motion: distances are kept and camera → world inverts it.
    #[test]
    fn world_to_camera_is_rigid(camera in camera(), a in vector(1000.0), b in vector(1000.0)) {
        let (ca, cb) = (camera.world_to_camera(a), camera.world_to_camera(b));
        prop_assert!(((ca - cb).norm() - (a - b).norm()).abs() < 1e-9 * (1.0 + (a - b).norm()));
        prop_assert!((camera.camera_to_world(ca) - a).norm() < 1e-9 * (1.0 + a.norm() + camera.position().norm()));
    }

    /// Moving camera and points by the same rigid motion changes no pixel; so does negating or
    /// scaling the heading (q and −q·s are the same rotation).
    #[test]
    fn pixels_are_invariant_under_a_common_rigid_motion(
        camera in camera(), motion in heading(), shift in vector(100.0), point in vector(100.0), scale in prop_oneof![0.1..10.0f64, -10.0..-0.1f64],
    ) {
        let rotate = |v: Vector3| motion.rotate(v).unwrap();
        let h = camera.heading();
        let unit = 1.0 / motion.norm();
        let moved = CameraParams::new(
            rotate(camera.position()) + shift,
            Quaternion::new(motion.x * unit, motion.y * unit, motion.z * unit, motion.w * unit) * h,
            camera.fx(), camera.fy(), camera.cx(), camera.cy(),
        ).unwrap().with_distortion(camera.declared_model(), *camera.distortion()).unwrap();
        let rescaled = CameraParams::new(
            camera.position(), Quaternion::new(h.x * scale, h.y * scale, h.z * scale, h.w * scale),
            camera.fx(), camera.fy(), camera.cx(), camera.cy(),
        ).unwrap().with_distortion(camera.declared_model(), *camera.distortion()).unwrap();
        // Keep clear of the image plane's edge case z ≈ 0 and of overflowing distortion.
        let depth = camera.world_to_camera(point).z;
        prop_assume!(depth.abs() > 1e-3 * (1.0 + (point - camera.position()).norm()));
        let original = camera.project(point);
        for other in [moved.project(rotate(point) + shift), rescaled.project(point)] {
            match (original, other) {
                (None, None) => {}
                (Some(a), Some(b)) => prop_assert!(
                    (a.x - b.x).abs() <= 1e-6 * (1.0 + a.x.abs()) && (a.y - b.y).abs() <= 1e-6 * (1.0 + a.y.abs()),
                    "{a:?} vs {b:?}"
                ),
                (a, b) => prop_assert!(false, "{a:?} vs {b:?}"),
            }
        }
    }

    /// The corners form a box of the given dimensions, centred on the position, yawed about +Z.
    #[test]
    fn corners_form_the_box(position in vector(1000.0), dimensions in vector(50.0).prop_map(|v| Vector3::new(v.x.abs(), v.y.abs(), v.z.abs())), yaw in -10.0..10.0f64) {
        let cuboid = Cuboid::new(position, dimensions, yaw).unwrap();
        let c = cuboid.corners();
        let tolerance = 1e-9 * (1.0 + position.norm() + dimensions.norm());
        let centroid = c.iter().fold(Vector3::ZERO, |sum, corner| sum + *corner) * (1.0 / 8.0);
        prop_assert!((centroid - position).norm() < tolerance);
        let length_axis = Vector3::new(yaw.cos(), yaw.sin(), 0.0);
        let width_axis = Vector3::new(-yaw.sin(), yaw.cos(), 0.0);
        for face in [0, 4] {
            // front (0, 1) minus rear (3, 2) is the length along the length axis, left minus right the width.
            prop_assert!((c[face] - c[face + 3] - length_axis * dimensions.x).norm() < tolerance);
            prop_assert!((c[face + 1] - c[face + 2] - length_axis * dimensions.x).norm() < tolerance);
            prop_assert!((c[face] - c[face + 1] - width_axis * dimensions.y).norm() < tolerance);
            prop_assert!((c[face + 3] - c[face + 2] - width_axis * dimensions.y).norm() < tolerance);
        }
        for i in 0..4 {
            prop_assert!((c[i + 4] - c[i] - Vector3::new(0.0, 0.0, dimensions.z)).norm() < tolerance);
        }
        let diagonal = Vector3::new(dimensions.x, dimensions.y, dimensions.z).norm();
        prop_assert!(((c[6] - c[0]).norm() - diagonal).abs() < tolerance);
    }

    /// The flat-buffer API gives the same bits as the batch API (NaN where it is not finite).
    #[test]
    fn flat_equals_batch(camera in camera(), points in proptest::collection::vec(vector(200.0), 0..40)) {
        let mut pixels = vec![nucleus_camera::Pixel::default(); points.len()];
        camera.project_into(&points, &mut pixels).unwrap();
        let xyz: Vec<f64> = points.iter().flat_map(|p| [p.x, p.y, p.z]).collect();
        let mut uv = vec![0.0; points.len() * 2];
        camera.project_flat_into(&xyz, &mut uv).unwrap();
        for (pixel, flat) in pixels.iter().zip(uv.chunks_exact(2)) {
            prop_assert_eq!(pixel.x.to_bits(), flat[0].to_bits());
            prop_assert_eq!(pixel.y.to_bits(), flat[1].to_bits());
        }
    }

    /// The batch API gives the same bits as one call per point.
    #[test]
    fn batch_equals_single(camera in camera(), points in proptest::collection::vec(vector(200.0), 0..40)) {
        let mut pixels = vec![nucleus_camera::Pixel::default(); points.len()];
        camera.project_into(&points, &mut pixels).unwrap();
        for (point, pixel) in points.iter().zip(&pixels) {
            match camera.project(*point) {
                Some(single) => prop_assert_eq!(single, *pixel),
                None => prop_assert!(!pixel.is_finite() || camera.world_to_camera(*point).z > 0.0),
            }
        }
    }
}

#[test]
fn negative_zero_point_is_not_in_front() {
    let camera =
        CameraParams::new(Point3D::ZERO, Quaternion::IDENTITY, 1.0, 1.0, 0.0, 0.0).unwrap();
    assert_eq!(camera.project(Point3D::new(0.0, 0.0, -0.0)), None);
}
