//! Each conversion, each model, each direction: the source format's own projection (see
//! `reference.rs`) and the converted camera's land on the same pixel; round trips are exact.

use nucleus_camera::{CameraModel, CameraParams, Distortion, Point3D, Quaternion, Vector3};
use nucleus_interop::{
    CameraCalibration, CameraInfo, ImageSize, OpenCvCalibration, OpenCvModel, Pose, Rectification,
};
use proptest::prelude::*;

use crate::reference::{
    Model, assert_same_pixel, mul, project_opencv, project_pose, quaternion_matrix, rodrigues,
    transpose_mul,
};

/// A lens as the wire formats write it: OpenCV-ordered coefficients.
#[derive(Debug, Clone)]
enum Lens {
    /// Five zeros.
    Pinhole,
    PlumbBob([f64; 5]),
    /// k5 = k6 = 0 (Nucleus has no place for them) and k4 ≠ 0.
    Rational([f64; 6]),
    Fisheye([f64; 4]),
}

impl Lens {
    fn coefficients(&self) -> Vec<f64> {
        match self {
            Lens::Pinhole => vec![0.0; 5],
            Lens::PlumbBob(d) => d.to_vec(),
            Lens::Rational(d) => [d.as_slice(), &[0.0, 0.0]].concat(),
            Lens::Fisheye(d) => d.to_vec(),
        }
    }

    fn model(&self) -> Model {
        match self {
            Lens::Fisheye(_) => Model::Fisheye,
            _ => Model::Pinhole,
        }
    }

    fn ros_name(&self, fisheye: &str) -> String {
        match self {
            Lens::Pinhole | Lens::PlumbBob(_) => "plumb_bob".to_owned(),
            Lens::Rational(_) => "rational_polynomial".to_owned(),
            Lens::Fisheye(_) => fisheye.to_owned(),
        }
    }

    /// Nucleus's camera_model and coefficients.
    fn nucleus(&self) -> (Option<CameraModel>, Distortion) {
        match *self {
            Lens::Pinhole => (None, Distortion::default()),
            Lens::PlumbBob([k1, k2, p1, p2, k3]) => (
                Some(CameraModel::BrownConrady),
                Distortion {
                    k1,
                    k2,
                    k3,
                    k4: 0.0,
                    p1,
                    p2,
                },
            ),
            Lens::Rational([k1, k2, p1, p2, k3, k4]) => (
                Some(CameraModel::BrownConrady),
                Distortion {
                    k1,
                    k2,
                    k3,
                    k4,
                    p1,
                    p2,
                },
            ),
            Lens::Fisheye([k1, k2, k3, k4]) => (
                Some(CameraModel::Fisheye),
                Distortion {
                    k1,
                    k2,
                    k3,
                    k4,
                    p1: 0.0,
                    p2: 0.0,
                },
            ),
        }
    }
}

fn lens() -> impl Strategy<Value = Lens> {
    let plumb_bob = (
        -0.3..0.3f64,
        -0.1..0.1f64,
        -0.01..0.01f64,
        -0.01..0.01f64,
        -0.05..0.05f64,
    );
    prop_oneof![
        Just(Lens::Pinhole),
        plumb_bob
            .clone()
            .prop_map(|(k1, k2, p1, p2, k3)| Lens::PlumbBob([k1, k2, p1, p2, k3])),
        (plumb_bob, 0.01..0.3f64)
            .prop_map(|((k1, k2, p1, p2, k3), k4)| Lens::Rational([k1, k2, p1, p2, k3, k4])),
        (
            -0.05..0.05f64,
            -0.05..0.05f64,
            -0.05..0.05f64,
            -0.05..0.05f64
        )
            .prop_map(|(k1, k2, k3, k4)| Lens::Fisheye([k1, k2, k3, k4])),
    ]
}

/// fx, fy, cx, cy.
fn intrinsics() -> impl Strategy<Value = [f64; 4]> {
    (
        100.0..3000.0f64,
        100.0..3000.0f64,
        0.0..2000.0f64,
        0.0..2000.0f64,
    )
        .prop_map(|(fx, fy, cx, cy)| [fx, fy, cx, cy])
}

fn k_of([fx, fy, cx, cy]: [f64; 4]) -> [f64; 9] {
    [fx, 0.0, cx, 0.0, fy, cy, 0.0, 0.0, 1.0]
}

fn pose() -> impl Strategy<Value = Pose> {
    (
        prop::array::uniform3(-50.0..50.0f64),
        prop::array::uniform4(-1.0..1.0f64).prop_filter("a rotation", |q| {
            q.iter().map(|v| v * v).sum::<f64>() > 0.01
        }),
    )
        .prop_map(|([x, y, z], [qx, qy, qz, qw])| Pose {
            position: Vector3::new(x, y, z),
            orientation: Quaternion::new(qx, qy, qz, qw),
        })
}

/// A point in front of the camera, in camera coordinates, within a 90° half-angle.
fn camera_point() -> impl Strategy<Value = [f64; 3]> {
    (-1.0..1.0f64, -1.0..1.0f64, 0.5..100.0f64).prop_map(|(a, b, z)| [a * z, b * z, z])
}

fn pose_parts(pose: &Pose) -> ([f64; 3], [f64; 4]) {
    let (p, q) = (pose.position, pose.orientation);
    ([p.x, p.y, p.z], [q.x, q.y, q.z, q.w])
}

/// The world point of a camera-frame point, by the reference math.
fn to_world(pose: &Pose, camera: [f64; 3]) -> [f64; 3] {
    let (position, orientation) = pose_parts(pose);
    let rotated = mul(&quaternion_matrix(orientation), camera);
    [0, 1, 2].map(|i| rotated[i] + position[i])
}

fn nucleus_pixel(params: &CameraParams, world: [f64; 3]) -> [f64; 2] {
    let pixel = params
        .project(Point3D::new(world[0], world[1], world[2]))
        .expect("a point in front of the camera projects");
    [pixel.x, pixel.y]
}

fn camera_params(intrinsics: [f64; 4], lens: &Lens, pose: &Pose) -> CameraParams {
    let [fx, fy, cx, cy] = intrinsics;
    let (model, distortion) = lens.nucleus();
    CameraParams::new(pose.position, pose.orientation, fx, fy, cx, cy)
        .unwrap()
        .with_distortion(model, distortion)
        .unwrap()
}

fn camera_info(intrinsics: [f64; 4], lens: &Lens) -> CameraInfo {
    let k = k_of(intrinsics);
    serde_json::from_value(serde_json::json!({
        "header": {"frame_id": "camera_optical_frame"},
        "width": 1920, "height": 1080,
        "distortion_model": lens.ros_name("equidistant"),
        "d": lens.coefficients(),
        "k": k,
        "r": [1, 0, 0, 0, 1, 0, 0, 0, 1],
        "p": [k[0], 0, k[2], 0, 0, k[4], k[5], 0, 0, 0, 1, 0],
    }))
    .unwrap()
}

fn foxglove(info: &CameraInfo) -> CameraCalibration {
    serde_json::from_value(serde_json::json!({
        "frame_id": info.header.frame_id,
        "width": info.width, "height": info.height,
        "distortion_model": info.distortion_model.replace("equidistant", "kannala_brandt"),
        "D": info.d, "K": info.k, "R": info.r, "P": info.p,
    }))
    .unwrap()
}

fn model_of(name: &str) -> Model {
    match name {
        "equidistant" | "kannala_brandt" => Model::Fisheye,
        _ => Model::Pinhole,
    }
}

proptest! {
    #[test]
    fn ros_and_foxglove_to_nucleus_project_the_same(
        intrinsics in intrinsics(), lens in lens(), pose in pose(), point in camera_point(),
    ) {
        let info = camera_info(intrinsics, &lens);
        let world = to_world(&pose, point);
        let (position, orientation) = pose_parts(&pose);
        let expected =
            project_pose(&info.k, model_of(&info.distortion_model), &info.d, position, orientation, world)
                .unwrap();
        let from_ros = info.to_camera_params(&pose, Rectification::Strict).unwrap();
        assert_same_pixel(expected, nucleus_pixel(&from_ros, world), "ros → nucleus");
        let from_foxglove = foxglove(&info).to_camera_params(&pose, Rectification::Strict).unwrap();
        assert_same_pixel(expected, nucleus_pixel(&from_foxglove, world), "foxglove → nucleus");
    }

    #[test]
    fn nucleus_to_ros_and_foxglove_project_the_same(
        intrinsics in intrinsics(), lens in lens(), pose in pose(), point in camera_point(),
    ) {
        let params = camera_params(intrinsics, &lens, &pose);
        let world = to_world(&pose, point);
        let expected = nucleus_pixel(&params, world);
        let (position, orientation) = pose_parts(&Pose::from_camera_params(&params));
        let size = ImageSize::new(1920, 1080);
        let info = CameraInfo::from_camera_params(&params, size).unwrap();
        let ros = project_pose(&info.k, model_of(&info.distortion_model), &info.d, position, orientation, world)
            .unwrap();
        assert_same_pixel(ros, expected, "nucleus → ros");
        let calibration = CameraCalibration::from_camera_params(&params, size).unwrap();
        let fox = project_pose(
            &calibration.k, model_of(&calibration.distortion_model), &calibration.d, position, orientation, world,
        )
        .unwrap();
        assert_same_pixel(fox, expected, "nucleus → foxglove");
    }

    #[test]
    fn opencv_to_nucleus_projects_the_same(
        intrinsics in intrinsics(),
        lens in lens(),
        short in any::<bool>(),
        rvec in prop::array::uniform3(-3.0..3.0f64),
        tvec in prop::array::uniform3(-50.0..50.0f64),
        point in camera_point(),
    ) {
        let mut dist = lens.coefficients();
        // OpenCV also takes 4 coefficients (k3 = 0) for its pinhole model.
        if short && lens.model() == Model::Pinhole && dist.len() == 5 {
            dist[4] = 0.0;
            dist.truncate(4);
        }
        let calibration = OpenCvCalibration {
            camera_matrix: [[intrinsics[0], 0.0, intrinsics[2]], [0.0, intrinsics[1], intrinsics[3]], [0.0, 0.0, 1.0]],
            dist_coeffs: dist.clone(),
            model: if lens.model() == Model::Fisheye { OpenCvModel::Fisheye } else { OpenCvModel::Pinhole },
            image_width: None,
            image_height: None,
            rvec: Some(rvec),
            tvec: Some(tvec),
        };
        // world = Rᵀ(p_cam − t)
        let relative = [0, 1, 2].map(|i| point[i] - tvec[i]);
        let world = transpose_mul(&rodrigues(rvec), relative);
        let expected = project_opencv(&k_of(intrinsics), lens.model(), &dist, rvec, tvec, world).unwrap();
        let pose = calibration.pose().unwrap().unwrap();
        let params = calibration.to_camera_params(&pose).unwrap();
        assert_same_pixel(expected, nucleus_pixel(&params, world), "opencv → nucleus");
    }

    #[test]
    fn nucleus_to_opencv_projects_the_same(
        intrinsics in intrinsics(), lens in lens(), pose in pose(), point in camera_point(),
    ) {
        let params = camera_params(intrinsics, &lens, &pose);
        let world = to_world(&pose, point);
        let expected = nucleus_pixel(&params, world);
        let calibration = OpenCvCalibration::from_camera_params(&params, None).unwrap();
        let [a, b, c] = calibration.camera_matrix;
        let k = [a[0], a[1], a[2], b[0], b[1], b[2], c[0], c[1], c[2]];
        let model = match calibration.model {
            OpenCvModel::Fisheye => Model::Fisheye,
            _ => Model::Pinhole,
        };
        let opencv = project_opencv(
            &k, model, &calibration.dist_coeffs, calibration.rvec.unwrap(), calibration.tvec.unwrap(), world,
        )
        .unwrap();
        assert_same_pixel(opencv, expected, "nucleus → opencv");
    }

    #[test]
    fn nucleus_ros_nucleus_is_the_identity(intrinsics in intrinsics(), lens in lens(), pose in pose()) {
        let params = camera_params(intrinsics, &lens, &pose);
        let pose = Pose::from_camera_params(&params);
        let info = CameraInfo::from_camera_params(&params, None).unwrap();
        prop_assert_eq!(&info.to_camera_params(&pose, Rectification::Strict).unwrap(), &params);
        let calibration = CameraCalibration::from_camera_params(&params, None).unwrap();
        prop_assert_eq!(&calibration.to_camera_params(&pose, Rectification::Strict).unwrap(), &params);
    }

    #[test]
    fn ros_nucleus_ros_is_the_identity(intrinsics in intrinsics(), lens in lens(), pose in pose()) {
        let info = camera_info(intrinsics, &lens);
        let params = info.to_camera_params(&pose, Rectification::Strict).unwrap();
        let mut back = CameraInfo::from_camera_params(&params, info.image_size()).unwrap();
        back.header = info.header.clone();
        prop_assert_eq!(&back, &info);
        let calibration = foxglove(&info);
        let params = calibration.to_camera_params(&pose, Rectification::Strict).unwrap();
        let mut back = CameraCalibration::from_camera_params(&params, calibration.image_size()).unwrap();
        back.frame_id = calibration.frame_id.clone();
        prop_assert_eq!(&back, &calibration);
    }

    #[test]
    fn nucleus_opencv_nucleus_is_the_identity_within_1e_12(
        intrinsics in intrinsics(), lens in lens(), pose in pose(),
    ) {
        let params = camera_params(intrinsics, &lens, &pose);
        let calibration = OpenCvCalibration::from_camera_params(&params, None).unwrap();
        let back = calibration.to_camera_params(&calibration.pose().unwrap().unwrap()).unwrap();
        prop_assert_eq!(back.intrinsic_matrix(), params.intrinsic_matrix());
        prop_assert_eq!(back.distortion(), params.distortion());
        prop_assert_eq!(back.model(), params.model());
        let (r0, r1) = (params.camera_to_world_rotation(), back.camera_to_world_rotation());
        for i in 0..3 {
            for j in 0..3 {
                prop_assert!((r0[i][j] - r1[i][j]).abs() <= 1e-12, "{:?} vs {:?}", r0, r1);
            }
        }
        let (p0, p1) = (params.position(), back.position());
        let scale = p0.norm().max(1.0);
        prop_assert!((p0 - p1).norm() <= 1e-12 * scale, "{:?} vs {:?}", p0, p1);
    }

    #[test]
    fn opencv_nucleus_opencv_is_the_identity_within_1e_12(
        intrinsics in intrinsics(),
        lens in lens(),
        rvec in prop::array::uniform3(-1.5..1.5f64),
        tvec in prop::array::uniform3(-50.0..50.0f64),
    ) {
        let calibration = OpenCvCalibration {
            camera_matrix: [[intrinsics[0], 0.0, intrinsics[2]], [0.0, intrinsics[1], intrinsics[3]], [0.0, 0.0, 1.0]],
            dist_coeffs: lens.coefficients(),
            model: if lens.model() == Model::Fisheye { OpenCvModel::Fisheye } else { OpenCvModel::Pinhole },
            image_width: Some(640),
            image_height: Some(480),
            rvec: Some(rvec),
            tvec: Some(tvec),
        };
        let params = calibration.to_camera_params(&calibration.pose().unwrap().unwrap()).unwrap();
        let back = OpenCvCalibration::from_camera_params(&params, calibration.image_size()).unwrap();
        prop_assert_eq!(back.camera_matrix, calibration.camera_matrix);
        prop_assert_eq!(&back.dist_coeffs, &calibration.dist_coeffs);
        prop_assert_eq!(back.model, calibration.model);
        prop_assert_eq!(back.image_size(), calibration.image_size());
        for (a, b) in back.rvec.unwrap().into_iter().zip(rvec) {
            prop_assert!((a - b).abs() <= 1e-12, "{:?} vs {:?}", back.rvec, rvec);
        }
        for (a, b) in back.tvec.unwrap().into_iter().zip(tvec) {
            prop_assert!((a - b).abs() <= 1e-12 * 50.0, "{:?} vs {:?}", back.tvec, tvec);
        }
    }
}

#[test]
fn the_spec_example_camera_from_a_ros_link_pose() {
    // SPEC 4: heading (−0.5, 0.5, −0.5, 0.5) at (0, 0, 1.5) looks along world +X: that is the
    // optical frame of a camera link at (0, 0, 1.5) with identity orientation.
    let link = Pose {
        position: Vector3::new(0.0, 0.0, 1.5),
        orientation: Quaternion::IDENTITY,
    };
    let info = camera_info([1000.0, 1000.0, 960.0, 540.0], &Lens::Pinhole);
    let params = info
        .to_camera_params(&link.link_to_optical(), Rectification::Strict)
        .unwrap();
    assert_eq!(params.heading(), Quaternion::new(-0.5, 0.5, -0.5, 0.5));
    let pixel = params.project(Point3D::new(10.0, 0.0, 1.5)).unwrap();
    assert_eq!((pixel.x, pixel.y), (960.0, 540.0));
}

#[test]
fn zero_coefficients_are_written_explicitly() {
    let pose = Pose::IDENTITY;
    let pinhole = camera_params([500.0, 500.0, 320.0, 240.0], &Lens::Pinhole, &pose);
    let info = CameraInfo::from_camera_params(&pinhole, None).unwrap();
    assert_eq!(
        (info.distortion_model.as_str(), info.d.as_slice()),
        ("plumb_bob", &[0.0; 5][..])
    );
    assert_eq!((info.width, info.height), (0, 0));
    let opencv = OpenCvCalibration::from_camera_params(&pinhole, None).unwrap();
    assert_eq!(opencv.dist_coeffs, [0.0; 5]);
    let fisheye = camera_params(
        [500.0, 500.0, 320.0, 240.0],
        &Lens::Fisheye([0.0; 4]),
        &pose,
    );
    let calibration = CameraCalibration::from_camera_params(&fisheye, None).unwrap();
    assert_eq!(calibration.distortion_model, "kannala_brandt");
    assert_eq!(calibration.d, [0.0; 4]);
    // A fisheye with zero coefficients stays fisheye (equidistant), not pinhole.
    let back = calibration
        .to_camera_params(&pose, Rectification::Strict)
        .unwrap();
    assert_eq!(back.model(), CameraModel::Fisheye);
}
