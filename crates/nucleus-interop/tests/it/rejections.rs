//! Every conversion that cannot be exact is a typed error naming the field.

use nucleus_camera::{CameraModel, CameraParams, Distortion, Quaternion, Vector3};
use nucleus_interop::{
    CameraCalibration, CameraInfo, Error, OpenCvCalibration, Pose, Rectification,
};
use serde_json::{Value, json};

fn ros(patch: Value) -> CameraInfo {
    let mut value = json!({
        "width": 640, "height": 480, "distortion_model": "plumb_bob",
        "d": [0.1, 0.01, 0.001, 0.002, 0.0],
        "k": [500, 0, 320, 0, 500, 240, 0, 0, 1],
        "r": [1, 0, 0, 0, 1, 0, 0, 0, 1],
        "p": [500, 0, 320, 0, 0, 500, 240, 0, 0, 0, 1, 0],
    });
    for (key, field) in patch.as_object().unwrap() {
        value[key] = field.clone();
    }
    serde_json::from_value(value).unwrap()
}

fn ros_error(patch: Value) -> Error {
    ros(patch)
        .to_camera_params(&Pose::IDENTITY, Rectification::Strict)
        .unwrap_err()
}

/// (patch, expected pointer, expected variant name)
fn check(patch: Value, pointer: &str, variant: &str) {
    let error = ros_error(patch.clone());
    assert_eq!(error.pointer(), pointer, "{patch}: {error}");
    assert!(
        format!("{error:?}").starts_with(variant),
        "{patch}: {error:?}"
    );
    assert!(error.to_string().starts_with(pointer), "{error}");
}

#[test]
fn ros_rejections_name_the_field() {
    check(
        json!({"k": [500, 0.5, 320, 0, 500, 240, 0, 0, 1]}),
        "/k/1",
        "Skew",
    );
    check(
        json!({"k": [500, 0, 320, 0, 500, 240, 0, 0, 2]}),
        "/k/8",
        "NotAnIntrinsicMatrix",
    );
    check(
        json!({"k": [500, 0, 320, 1, 500, 240, 0, 0, 1]}),
        "/k/3",
        "NotAnIntrinsicMatrix",
    );
    check(
        json!({"k": [0, 0, 0, 0, 0, 0, 0, 0, 1]}),
        "/k/0",
        "NonPositiveFocalLength",
    );
    check(
        json!({"distortion_model": "fisheye"}),
        "/distortion_model",
        "UnknownDistortionModel",
    );
    check(
        json!({"distortion_model": "kannala_brandt", "d": [0, 0, 0, 0]}),
        "/distortion_model",
        "UnknownDistortionModel",
    );
    check(
        json!({"d": [0.1, 0.01, 0.0, 0.0]}),
        "/d",
        "DistortionLength",
    );
    check(
        json!({"distortion_model": "rational_polynomial", "d": [0.1, 0.01, 0, 0, 0, 0.2, 0.003, 0]}),
        "/d/6",
        "NotRepresentable",
    );
    check(
        json!({"distortion_model": "rational_polynomial", "d": [0.1, 0.01, 0, 0, 0, 0.2, 0, 0.001]}),
        "/d/7",
        "NotRepresentable",
    );
    check(
        json!({"r": [1, 0.1, 0, 0, 1, 0, 0, 0, 1]}),
        "/r/1",
        "Rectification",
    );
    check(
        json!({"p": [480, 0, 320, 0, 0, 500, 240, 0, 0, 0, 1, 0]}),
        "/p/0",
        "Rectification",
    );
    check(
        json!({"p": [500, 0, 320, -30, 0, 500, 240, 0, 0, 0, 1, 0]}),
        "/p/3",
        "Rectification",
    );
    check(json!({"binning_x": 2}), "/binning_x", "BinningOrRoi");
    check(
        json!({"roi": {"width": 100, "height": 100}}),
        "/roi/height",
        "BinningOrRoi",
    );
}

#[test]
fn k5_and_k6_name_themselves() {
    let error = ros_error(
        json!({"distortion_model": "rational_polynomial", "d": [0.1, 0.01, 0, 0, 0, 0.2, 0.003, 0]}),
    );
    assert_eq!(
        error.to_string(),
        "/d/6: k5 = 0.003 is not representable in Nucleus camera_params (expected 0)"
    );
}

#[test]
fn unset_or_trivial_rectification_converts_and_drop_accepts_the_rest() {
    let unset =
        ros(json!({"r": [0, 0, 0, 0, 0, 0, 0, 0, 0], "p": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]}));
    assert!(
        unset
            .to_camera_params(&Pose::IDENTITY, Rectification::Strict)
            .is_ok()
    );
    // What ROS's monocular calibrator writes: P from getOptimalNewCameraMatrix.
    let calibrated = ros(json!({"p": [480, 0, 318, 0, 0, 490, 241, 0, 0, 0, 1, 0]}));
    let params = calibrated
        .to_camera_params(&Pose::IDENTITY, Rectification::Drop)
        .unwrap();
    assert_eq!(params.fx(), 500.0);
    assert_eq!(params.distortion().k1, 0.1);
}

#[test]
fn foxglove_names_its_own_fields() {
    let calibration: CameraCalibration = serde_json::from_value(json!({
        "width": 640, "height": 480, "distortion_model": "equidistant",
        "D": [0, 0, 0, 0], "K": [500, 0.1, 320, 0, 500, 240, 0, 0, 1],
        "R": [1, 0, 0, 0, 1, 0, 0, 0, 1], "P": [500, 0, 320, 0, 0, 500, 240, 0, 0, 0, 1, 0],
    }))
    .unwrap();
    let error = calibration
        .to_camera_params(&Pose::IDENTITY, Rectification::Strict)
        .unwrap_err();
    assert_eq!(error.pointer(), "/K/1");
    let mut fixed = calibration.clone();
    fixed.k[1] = 0.0;
    let error = fixed
        .to_camera_params(&Pose::IDENTITY, Rectification::Strict)
        .unwrap_err();
    assert_eq!(error.pointer(), "/distortion_model");
    assert!(error.to_string().contains("kannala_brandt"), "{error}");
}

fn opencv(patch: Value) -> OpenCvCalibration {
    let mut value = json!({
        "camera_matrix": [[500, 0, 320], [0, 500, 240], [0, 0, 1]],
        "dist_coeffs": [0.1, 0.01, 0.0, 0.0, 0.0],
    });
    for (key, field) in patch.as_object().unwrap() {
        value[key] = field.clone();
    }
    serde_json::from_value(value).unwrap()
}

#[test]
fn opencv_rejections_name_the_field() {
    for (patch, pointer) in [
        (
            json!({"camera_matrix": [[500, 2, 320], [0, 500, 240], [0, 0, 1]]}),
            "/camera_matrix/0/1",
        ),
        (
            json!({"dist_coeffs": [0.1, 0.01, 0, 0, 0, 0]}),
            "/dist_coeffs",
        ),
        (json!({"model": "fisheye"}), "/dist_coeffs"),
        (
            json!({"dist_coeffs": [0.1, 0.01, 0, 0, 0, 0, 0, 0, 0.001, 0, 0, 0]}),
            "/dist_coeffs/8",
        ),
        (
            json!({"dist_coeffs": [0.1, 0.01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.01]}),
            "/dist_coeffs/13",
        ),
    ] {
        let error = opencv(patch.clone())
            .to_camera_params(&Pose::IDENTITY)
            .unwrap_err();
        assert_eq!(error.pointer(), pointer, "{patch}: {error}");
    }
    let error = opencv(json!({"rvec": [0, 0, 0]})).pose().unwrap_err();
    assert_eq!(error.pointer(), "/tvec");
    // Thin-prism and tilt coefficients that are zero convert exactly.
    let long = opencv(json!({"dist_coeffs": [0.1, 0.01, 0, 0, 0, 0.2, 0, 0, 0, 0, 0, 0, 0, 0]}));
    let params = long.to_camera_params(&Pose::IDENTITY).unwrap();
    assert_eq!(params.distortion().k4, 0.2);
    // distortion_coefficients is the other common spelling.
    let aliased: OpenCvCalibration = serde_json::from_value(json!({
        "camera_matrix": [[500, 0, 320], [0, 500, 240], [0, 0, 1]],
        "distortion_coefficients": [0.1, 0.01, 0, 0],
    }))
    .unwrap();
    assert_eq!(aliased.dist_coeffs, [0.1, 0.01, 0.0, 0.0]);
}

#[test]
fn fisheye_with_tangential_terms_cannot_be_written() {
    let params = CameraParams::new(
        Vector3::ZERO,
        Quaternion::IDENTITY,
        500.0,
        500.0,
        320.0,
        240.0,
    )
    .unwrap()
    .with_distortion(
        Some(CameraModel::Fisheye),
        Distortion {
            k1: 0.1,
            p2: 0.01,
            ..Distortion::default()
        },
    )
    .unwrap();
    for error in [
        CameraInfo::from_camera_params(&params, None).unwrap_err(),
        CameraCalibration::from_camera_params(&params, None).unwrap_err(),
        OpenCvCalibration::from_camera_params(&params, None).unwrap_err(),
    ] {
        assert_eq!(error.pointer(), "/p2", "{error}");
    }
}

#[test]
fn a_zero_orientation_names_the_pose_field() {
    let pose = Pose {
        position: Vector3::ZERO,
        orientation: Quaternion::new(0.0, 0.0, 0.0, 0.0),
    };
    let error = ros(json!({}))
        .to_camera_params(&pose, Rectification::Strict)
        .unwrap_err();
    assert_eq!(error.pointer(), "/orientation", "{error}");
    let pose = Pose {
        position: Vector3::new(f64::NAN, 0.0, 0.0),
        orientation: Quaternion::IDENTITY,
    };
    let error = ros(json!({}))
        .to_camera_params(&pose, Rectification::Strict)
        .unwrap_err();
    assert_eq!(error.pointer(), "/position/x", "{error}");
}
