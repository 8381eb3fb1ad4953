//! What every calibration format shares: an intrinsic matrix, a lens model and its coefficients,
//! and how they map to Nucleus's `CameraModel` and `Distortion`.

use nucleus_camera::{CameraModel, CameraParams, Distortion};

use crate::pose::check_vector;
use crate::{Error, Pose};

/// The lens models the formats share, by OpenCV's definitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lens {
    /// `k1, k2, p1, p2, k3` (ROS/Foxglove `plumb_bob`, Nucleus `brown_conrady` without k4).
    PlumbBob,
    /// `k1, k2, p1, p2, k3, k4, k5, k6` (`rational_polynomial`; Nucleus holds k4 but not k5, k6).
    Rational,
    /// `k1, k2, k3, k4` (OpenCV `fisheye`, ROS `equidistant`, Foxglove `kannala_brandt`).
    Fisheye,
}

/// `fx, fy, cx, cy` of a row-major 3×3 intrinsic matrix; `pointer(i)` names entry `i`.
pub(crate) fn intrinsics(
    k: &[f64; 9],
    pointer: impl Fn(usize) -> String,
) -> Result<[f64; 4], Error> {
    for (index, value) in k.iter().enumerate() {
        if !value.is_finite() {
            return Err(Error::NonFinite {
                pointer: pointer(index),
                found: *value,
            });
        }
    }
    let [fx, skew, cx, k10, fy, cy, k20, k21, k22] = *k;
    if skew != 0.0 {
        return Err(Error::Skew {
            pointer: pointer(1),
            found: skew,
        });
    }
    for (index, found, expected) in [(3, k10, 0.0), (6, k20, 0.0), (7, k21, 0.0), (8, k22, 1.0)] {
        if found != expected {
            return Err(Error::NotAnIntrinsicMatrix {
                pointer: pointer(index),
                found,
                expected,
            });
        }
    }
    for (index, found) in [(0, fx), (4, fy)] {
        // `!(found > 0.0)` is not needed: NaN was rejected above.
        if found <= 0.0 {
            return Err(Error::NonPositiveFocalLength {
                pointer: pointer(index),
                found,
            });
        }
    }
    Ok([fx, fy, cx, cy])
}

/// The row-major intrinsic matrix of `params`.
pub(crate) fn intrinsic_entries(params: &CameraParams) -> [f64; 9] {
    let [a, b, c] = params.intrinsic_matrix();
    [a[0], a[1], a[2], b[0], b[1], b[2], c[0], c[1], c[2]]
}

/// Nucleus's model and coefficients for OpenCV-ordered coefficients `d` of `lens` (missing
/// trailing entries read as 0). Entries beyond what Nucleus holds must be 0.
pub(crate) fn distortion(
    lens: Lens,
    d: &[f64],
    pointer: impl Fn(usize) -> String,
) -> Result<(Option<CameraModel>, Distortion), Error> {
    for (index, value) in d.iter().enumerate() {
        if !value.is_finite() {
            return Err(Error::NonFinite {
                pointer: pointer(index),
                found: *value,
            });
        }
    }
    let at = |index: usize| d.get(index).copied().unwrap_or(0.0);
    match lens {
        Lens::Fisheye => {
            for (index, value) in d.iter().enumerate().skip(4) {
                not_representable(*value, pointer(index), "coefficient")?;
            }
            let distortion = Distortion {
                k1: at(0),
                k2: at(1),
                k3: at(2),
                k4: at(3),
                ..Distortion::default()
            };
            // A fisheye with zero coefficients is the equidistant projection, not a pinhole.
            Ok((Some(CameraModel::Fisheye), distortion))
        }
        Lens::PlumbBob | Lens::Rational => {
            // OpenCV's order after k6: s1, s2, s3, s4 (thin prism), τx, τy (tilt).
            const NAMES: [&str; 8] = ["k5", "k6", "s1", "s2", "s3", "s4", "tau_x", "tau_y"];
            for (index, value) in d.iter().enumerate().skip(6) {
                let name = NAMES.get(index - 6).copied().unwrap_or("coefficient");
                not_representable(*value, pointer(index), name)?;
            }
            let distortion = Distortion {
                k1: at(0),
                k2: at(1),
                p1: at(2),
                p2: at(3),
                k3: at(4),
                k4: at(5),
            };
            // All zero reads as Nucleus's pinhole (no camera_model), which projects the same.
            let model = (!distortion.is_zero()).then_some(CameraModel::BrownConrady);
            Ok((model, distortion))
        }
    }
}

fn not_representable(value: f64, pointer: String, name: &'static str) -> Result<(), Error> {
    if value == 0.0 {
        Ok(())
    } else {
        Err(Error::NotRepresentable {
            pointer,
            name,
            found: value,
            target: "Nucleus camera_params",
        })
    }
}

/// The lens and OpenCV-ordered coefficients of `params`, zeros explicit: pinhole and
/// Brown–Conrady without k4 as plumb-bob (5), with k4 as rational (8), fisheye as 4.
///
/// `target` names the format for the error on a fisheye with p1/p2 (which Nucleus keeps but
/// its fisheye projection ignores, and no fisheye format can hold).
pub(crate) fn coefficients(
    params: &CameraParams,
    target: &'static str,
) -> Result<(Lens, Vec<f64>), Error> {
    let d = params.distortion();
    match params.model() {
        CameraModel::Fisheye => {
            for (name, value) in [("p1", d.p1), ("p2", d.p2)] {
                if value != 0.0 {
                    return Err(Error::NotRepresentable {
                        pointer: format!("/{name}"),
                        name,
                        found: value,
                        target,
                    });
                }
            }
            Ok((Lens::Fisheye, vec![d.k1, d.k2, d.k3, d.k4]))
        }
        _ if d.k4 != 0.0 => Ok((
            Lens::Rational,
            vec![d.k1, d.k2, d.p1, d.p2, d.k3, d.k4, 0.0, 0.0],
        )),
        _ => Ok((Lens::PlumbBob, vec![d.k1, d.k2, d.p1, d.p2, d.k3])),
    }
}

/// Camera parameters from checked parts, with the pose's errors named in the pose.
pub(crate) fn build(
    pose: &Pose,
    [fx, fy, cx, cy]: [f64; 4],
    model: Option<CameraModel>,
    distortion: Distortion,
) -> Result<CameraParams, Error> {
    check_vector(pose.position, "/position")?;
    let camera_error = |source: nucleus_camera::Error| {
        let pointer = match source.pointer() {
            heading if heading.starts_with("/heading") => {
                heading.replacen("/heading", "/orientation", 1)
            }
            other => other.to_owned(),
        };
        Error::Camera {
            pointer,
            source: Box::new(source),
        }
    };
    CameraParams::new(pose.position, pose.orientation, fx, fy, cx, cy)
        .and_then(|params| params.with_distortion(model, distortion))
        .map_err(camera_error)
}
