//! Hand-computed projections, unprojections and monotonic radii.

use std::f64::consts::FRAC_PI_2;

use nucleus_camera::{
    CameraModel, CameraParams, Cuboid, Distortion, Error, Pixel, Point3D, Quaternion, Vector3,
};

/// The SPEC section 4 worked example: looks along world +X from 1.5 m up.
fn spec_camera() -> CameraParams {
    CameraParams::new(
        Point3D::new(0.0, 0.0, 1.5),
        Quaternion::new(-0.5, 0.5, -0.5, 0.5),
        1000.0,
        1000.0,
        960.0,
        540.0,
    )
    .unwrap()
}

/// Identity heading at the origin: camera axes are world axes, so a = X/Z, b = Y/Z.
fn identity_camera(model: Option<CameraModel>, distortion: Distortion) -> CameraParams {
    CameraParams::new(
        Point3D::ZERO,
        Quaternion::IDENTITY,
        1000.0,
        800.0,
        500.0,
        300.0,
    )
    .unwrap()
    .with_distortion(model, distortion)
    .unwrap()
}

fn check(camera: &CameraParams, world: Point3D, expected: Option<(f64, f64)>) {
    let actual = camera.project(world);
    match (actual, expected) {
        (None, None) => {}
        (Some(pixel), Some((u, v))) => {
            assert!(
                (pixel.x - u).abs() <= 1e-9 * (1.0 + u.abs())
                    && (pixel.y - v).abs() <= 1e-9 * (1.0 + v.abs()),
                "{world:?}: expected ({u}, {v}), found {pixel:?}"
            );
        }
        _ => panic!("{world:?}: expected {expected:?}, found {actual:?}"),
    }
    let mut batch = [Pixel::default()];
    camera.project_into(&[world], &mut batch).unwrap();
    assert_eq!(
        actual.unwrap_or(Pixel::NOT_PROJECTABLE).is_finite(),
        batch[0].is_finite()
    );
    if let Some(pixel) = actual {
        assert_eq!(pixel, batch[0]);
    }
}

#[test]
fn spec_worked_example() {
    let camera = spec_camera();
    assert_eq!(
        camera.project(Point3D::new(10.0, 0.0, 1.5)),
        Some(Pixel::new(960.0, 540.0))
    );
    // World +Y is image left, world +Z is image up.
    check(&camera, Point3D::new(10.0, 1.0, 1.5), Some((860.0, 540.0)));
    check(&camera, Point3D::new(10.0, 0.0, 2.5), Some((960.0, 440.0)));
    check(&camera, Point3D::new(-10.0, 0.0, 1.5), None);
    let cuboid = Cuboid::new(
        Point3D::new(10.0, 0.0, 0.0),
        Vector3::new(4.0, 2.0, 1.5),
        0.0,
    )
    .unwrap();
    assert_eq!(cuboid.corners()[0], Point3D::new(12.0, 1.0, -0.75));
    let pixels = camera.project_cuboid(&cuboid);
    // Corner 0 at (12, 1, −0.75): camera (−1, 2.25, 12).
    let corner = pixels[0].unwrap();
    assert!(
        (corner.x - (960.0 - 1000.0 / 12.0)).abs() < 1e-9
            && (corner.y - (540.0 + 2250.0 / 12.0)).abs() < 1e-9
    );
    assert!(pixels.iter().all(Option::is_some));
}

#[test]
fn identity_heading_is_plain_pinhole() {
    let camera = identity_camera(None, Distortion::default());
    assert_eq!(camera.model(), CameraModel::Pinhole);
    check(&camera, Point3D::new(1.0, 2.0, 10.0), Some((600.0, 460.0)));
    check(&camera, Point3D::new(0.0, 0.0, 1.0), Some((500.0, 300.0)));
    check(&camera, Point3D::new(1.0, 1.0, 0.0), None);
    check(&camera, Point3D::new(1.0, 1.0, -1e-300), None);
    assert_eq!(
        camera.world_to_camera(Point3D::new(1.0, 2.0, 3.0)),
        Vector3::new(1.0, 2.0, 3.0)
    );
}

#[test]
fn tangential_terms_alone() {
    // a = 0.1, b = 0.2, r² = 0.05.
    let p1 = identity_camera(
        None,
        Distortion {
            p1: 0.01,
            ..Distortion::default()
        },
    );
    assert_eq!(p1.model(), CameraModel::BrownConrady);
    // x' = a + 2·p1·a·b = 0.1004; y' = b + p1·(r² + 2b²) = 0.2013.
    check(
        &p1,
        Point3D::new(1.0, 2.0, 10.0),
        Some((600.4, 300.0 + 800.0 * 0.2013)),
    );
    let p2 = identity_camera(
        None,
        Distortion {
            p2: 0.01,
            ..Distortion::default()
        },
    );
    // x' = a + p2·(r² + 2a²) = 0.1007; y' = b + 2·p2·a·b = 0.2004.
    check(
        &p2,
        Point3D::new(1.0, 2.0, 10.0),
        Some((600.7, 300.0 + 800.0 * 0.2004)),
    );
}

#[test]
fn radial_and_rational_terms() {
    let k1 = identity_camera(
        Some(CameraModel::BrownConrady),
        Distortion {
            k1: -0.1,
            ..Distortion::default()
        },
    );
    // radial = 1 − 0.1·0.05 = 0.995.
    check(
        &k1,
        Point3D::new(1.0, 2.0, 10.0),
        Some((500.0 + 99.5, 300.0 + 800.0 * 0.199)),
    );
    let all = Distortion {
        k1: 0.2,
        k2: -0.3,
        k3: 0.4,
        ..Distortion::default()
    };
    let radial = 1.0 + 0.2 * 0.05 - 0.3 * 0.0025 + 0.4 * 0.000125;
    check(
        &identity_camera(None, all),
        Point3D::new(1.0, 2.0, 10.0),
        Some((500.0 + 100.0 * radial, 300.0 + 160.0 * radial)),
    );
    // k4 divides the radial factor by 1 + k4·r².
    let rational = Distortion {
        k1: 0.2,
        k4: 0.5,
        ..Distortion::default()
    };
    let radial = (1.0 + 0.2 * 0.05) / (1.0 + 0.5 * 0.05);
    check(
        &identity_camera(None, rational),
        Point3D::new(1.0, 2.0, 10.0),
        Some((500.0 + 100.0 * radial, 300.0 + 160.0 * radial)),
    );
}

#[test]
fn fisheye_on_axis_and_grazing() {
    let plain = identity_camera(Some(CameraModel::Fisheye), Distortion::default());
    assert_eq!(plain.model(), CameraModel::Fisheye);
    check(&plain, Point3D::new(0.0, 0.0, 5.0), Some((500.0, 300.0)));
    // r ≤ 1e-8: scale 1, the pinhole projection.
    check(
        &plain,
        Point3D::new(1e-9, 0.0, 1.0),
        Some((500.0 + 1e-6, 300.0)),
    );
    // Equidistant without coefficients: distance from the centre is fx·θ.
    for degrees in [30.0_f64, 80.0, 89.0, 89.9, 89.999] {
        let theta = degrees.to_radians();
        let world = Point3D::new(theta.sin() * 3.0, 0.0, theta.cos() * 3.0);
        check(&plain, world, Some((500.0 + 1000.0 * theta, 300.0)));
        let world = Point3D::new(0.0, -theta.sin(), theta.cos());
        check(&plain, world, Some((500.0, 300.0 - 800.0 * theta)));
    }
    // A ray a hair short of 90° keeps full precision (no overflow of r = ρ/Z).
    check(
        &plain,
        Point3D::new(1.0, 0.0, 1e-300),
        Some((500.0 + 1000.0 * FRAC_PI_2, 300.0)),
    );
    check(&plain, Point3D::new(1.0, 0.0, 0.0), None);
    let coefficients = Distortion {
        k1: 0.05,
        k2: -0.01,
        k3: 0.002,
        k4: -0.0004,
        ..Distortion::default()
    };
    let distorted = identity_camera(Some(CameraModel::Fisheye), coefficients);
    let theta = 85.0_f64.to_radians();
    let theta_d = theta
        * (1.0 + 0.05 * theta.powi(2) - 0.01 * theta.powi(4) + 0.002 * theta.powi(6)
            - 0.0004 * theta.powi(8));
    check(
        &distorted,
        Point3D::new(theta.sin(), 0.0, theta.cos()),
        Some((500.0 + 1000.0 * theta_d, 300.0)),
    );
}

#[test]
fn non_unit_heading_is_normalised() {
    let unit = spec_camera();
    for factor in [1e-6, 0.5, 7.0, -3.0, 1e9] {
        let q = Quaternion::new(-0.5 * factor, 0.5 * factor, -0.5 * factor, 0.5 * factor);
        let scaled = CameraParams::new(unit.position(), q, 1000.0, 1000.0, 960.0, 540.0).unwrap();
        for world in [
            Point3D::new(10.0, 0.0, 1.5),
            Point3D::new(8.0, -3.0, 0.2),
            Point3D::new(30.0, 5.0, 4.0),
        ] {
            let (a, b) = (unit.project(world).unwrap(), scaled.project(world).unwrap());
            assert!(
                (a.x - b.x).abs() < 1e-9 && (a.y - b.y).abs() < 1e-9,
                "{factor}: {a:?} vs {b:?}"
            );
        }
    }
}

#[test]
fn intrinsic_matrix_and_rotation() {
    let camera = spec_camera();
    assert_eq!(
        camera.intrinsic_matrix(),
        [[1000.0, 0.0, 960.0], [0.0, 1000.0, 540.0], [0.0, 0.0, 1.0]]
    );
    // Columns are the camera axes in the world: right = −Y, down = −Z, forward = +X.
    assert_eq!(
        camera.camera_to_world_rotation(),
        [[0.0, 0.0, 1.0], [-1.0, 0.0, 0.0], [0.0, -1.0, 0.0]]
    );
    let world = Point3D::new(3.0, -2.0, 7.0);
    assert_eq!(camera.camera_to_world(camera.world_to_camera(world)), world);
}

#[test]
fn flat_batch_checks_lengths() {
    let camera = spec_camera();
    let mut uv = [0.0; 4];
    let error = camera.project_flat_into(&[0.0; 9], &mut uv).unwrap_err();
    assert_eq!(
        error,
        Error::BufferLength {
            n_points: 3,
            n_pixels: 2
        }
    );
    assert_eq!(uv, [0.0; 4]);
    assert!(camera.project_flat_into(&[0.0; 4], &mut uv[..2]).is_err());
}

#[test]
fn batch_checks_lengths() {
    let camera = spec_camera();
    let mut pixels = [Pixel::default(); 2];
    let error = camera
        .project_into(&[Point3D::ZERO; 3], &mut pixels)
        .unwrap_err();
    assert_eq!(
        error,
        Error::BufferLength {
            n_points: 3,
            n_pixels: 2
        }
    );
    assert_eq!(
        error.to_string(),
        "batch projection: 3 points but room for 2 pixels"
    );
    assert_eq!(pixels, [Pixel::default(); 2]);
}

#[test]
fn monotonic_radius() {
    let close = |a: f64, b: f64| (a - b).abs() < 1e-12 * (1.0 + b.abs());
    assert_eq!(spec_camera().monotonic_radius(), f64::INFINITY);
    // r + k1·r³ has slope 1 + 3k1·r², zero at r² = −1/(3k1).
    let barrel = identity_camera(
        None,
        Distortion {
            k1: -0.5,
            ..Distortion::default()
        },
    );
    assert!(
        close(barrel.monotonic_radius(), (2.0_f64 / 3.0).sqrt()),
        "{}",
        barrel.monotonic_radius()
    );
    assert_eq!(
        identity_camera(
            None,
            Distortion {
                k1: 0.1,
                k2: 0.01,
                ..Distortion::default()
            }
        )
        .monotonic_radius(),
        f64::INFINITY
    );
    // k4 < 0 alone: r/(1 + k4·r²) rises to its pole at r² = −1/k4 = 4.
    let pole = identity_camera(
        None,
        Distortion {
            k4: -0.25,
            ..Distortion::default()
        },
    );
    assert!(
        close(pole.monotonic_radius(), 2.0),
        "{}",
        pole.monotonic_radius()
    );
    // Fisheye: θ + k1·θ³ has slope 1 + 3k1·θ², zero at θ² = 5/3 (below (π/2)²).
    let fisheye = identity_camera(
        Some(CameraModel::Fisheye),
        Distortion {
            k1: -0.2,
            ..Distortion::default()
        },
    );
    assert!(close(
        fisheye.monotonic_radius(),
        (5.0_f64 / 3.0).sqrt().tan()
    ));
    let gentle = identity_camera(
        Some(CameraModel::Fisheye),
        Distortion {
            k1: -0.05,
            ..Distortion::default()
        },
    );
    assert_eq!(gentle.monotonic_radius(), f64::INFINITY);
    let world = Point3D::new(3.0, 4.0, 10.0);
    assert_eq!(barrel.normalized_radius(world), Some(0.5));
    assert_eq!(barrel.normalized_radius(-world), None);
}

#[test]
fn unproject_hand_cases() {
    let camera = identity_camera(None, Distortion::default());
    let ray = camera.unproject(Pixel::new(600.0, 460.0)).unwrap();
    let expected = Vector3::new(0.1, 0.2, 1.0) * (1.0 / 1.05_f64.sqrt());
    assert!((ray - expected).norm() < 1e-15, "{ray:?}");
    let world_ray = spec_camera()
        .unproject_to_world(Pixel::new(960.0, 540.0))
        .unwrap();
    assert_eq!(world_ray, Vector3::new(1.0, 0.0, 0.0));
    // A fisheye pixel beyond the image of the 90° cone has no ray in front of the camera.
    let fisheye = identity_camera(Some(CameraModel::Fisheye), Distortion::default());
    assert_eq!(
        fisheye.unproject(Pixel::new(500.0 + 1000.0 * 1.6, 300.0)),
        None
    );
    let ray = fisheye
        .unproject(Pixel::new(500.0 + 1000.0 * 1.5, 300.0))
        .unwrap();
    assert!(
        (ray - Vector3::new(1.5_f64.sin(), 0.0, 1.5_f64.cos())).norm() < 1e-14,
        "{ray:?}"
    );
    assert_eq!(
        fisheye.unproject(Pixel::new(500.0, 300.0)),
        Some(Vector3::new(0.0, 0.0, 1.0))
    );
    // Beyond the monotonic radius of a strong barrel lens the pixel is ambiguous.
    let barrel = identity_camera(
        None,
        Distortion {
            k1: -0.5,
            ..Distortion::default()
        },
    );
    let peak = (2.0_f64 / 3.0).sqrt();
    let peak_distorted = peak * (1.0 - 0.5 * peak * peak);
    assert!(
        barrel
            .unproject(Pixel::new(500.0 + 1000.0 * peak_distorted * 0.99, 300.0))
            .is_some()
    );
    assert_eq!(
        barrel.unproject(Pixel::new(500.0 + 1000.0 * peak_distorted * 1.01, 300.0)),
        None
    );
}
