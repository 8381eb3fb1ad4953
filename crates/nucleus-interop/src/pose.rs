//! Camera poses: Nucleus heading/position, ROS poses of optical and link frames, OpenCV rvec/tvec.

use nucleus_camera::{CameraParams, Quaternion, Vector3};
use serde::{Deserialize, Serialize};

use crate::Error;

/// Where a camera is and how it is turned, camera → world, in Nucleus's convention: camera axes
/// x right, y down, z forward (the ROS *optical* frame convention, REP 103), `orientation` a
/// Hamilton quaternion rotating camera coordinates into world coordinates, `position` the
/// optical centre in world coordinates.
///
/// The JSON shape is ROS `geometry_msgs/Pose` (`{"position": {x, y, z}, "orientation": {x, y,
/// z, w}}`); `geometry_msgs/Transform` names (`translation`, `rotation`) and Nucleus's
/// `heading` are accepted as well. A ROS transform *from the world frame to the camera's optical
/// frame* (`header.frame_id` = world, `child_frame_id` = `…_optical_frame`) is exactly this pose.
/// A transform to a camera *link* frame (x forward, y left, z up) is not: convert it with
/// [`Pose::link_to_optical`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pose {
    /// The optical centre in world coordinates.
    #[serde(alias = "translation")]
    pub position: Vector3,
    /// Camera → world rotation (need not be of unit length; zero is invalid).
    #[serde(alias = "rotation", alias = "heading")]
    pub orientation: Quaternion,
}

/// A pose as OpenCV writes it: world → camera, `p_cam = R(rvec) · p_world + tvec`, with `rvec`
/// a Rodrigues rotation vector (axis × angle in radians) — what `cv2.solvePnP` and
/// `cv2.calibrateCamera` return.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WorldToCamera {
    /// Rodrigues rotation vector, world → camera.
    pub rvec: [f64; 3],
    /// Translation, world → camera (the world origin in camera coordinates).
    pub tvec: [f64; 3],
}

impl Default for Pose {
    fn default() -> Self {
        Self::IDENTITY
    }
}

impl Pose {
    /// At the world origin, camera axes along the world axes.
    pub const IDENTITY: Self = Self {
        position: Vector3::ZERO,
        orientation: Quaternion::IDENTITY,
    };

    /// The rotation from a ROS camera *optical* frame (x right, y down, z forward) to the camera
    /// *link* frame (x forward, y left, z up): optical x = link −y, optical y = link −z, optical
    /// z = link x. As a heading it is SPEC 4's worked example, a camera looking along world +X.
    pub const OPTICAL_IN_LINK: Quaternion = Quaternion::new(-0.5, 0.5, -0.5, 0.5);

    /// The pose of a camera in Nucleus camera parameters.
    #[must_use]
    pub fn from_camera_params(params: &CameraParams) -> Pose {
        Pose {
            position: params.position(),
            orientation: params.heading(),
        }
    }

    /// The pose of the optical frame of a camera whose *link* frame (ROS body convention: x
    /// forward, y left, z up) has this pose. ROS drivers publish `camera_link →
    /// camera_optical_frame` as exactly this fixed rotation; apply it when the pose you have is
    /// that of the link. The position is unchanged (the two frames share their origin).
    #[must_use]
    pub fn link_to_optical(self) -> Pose {
        Pose {
            position: self.position,
            orientation: self.orientation * Self::OPTICAL_IN_LINK,
        }
    }

    /// The inverse of [`Pose::link_to_optical`]: the pose of the link frame of a camera whose
    /// optical frame has this pose.
    #[must_use]
    pub fn optical_to_link(self) -> Pose {
        Pose {
            position: self.position,
            orientation: self.orientation * conjugate(Self::OPTICAL_IN_LINK),
        }
    }

    /// This pose as OpenCV's world → camera `rvec`/`tvec`.
    ///
    /// The rotation angle is in [0, π]; at exactly π the axis sign is the quaternion's.
    ///
    /// # Errors
    /// [`Error::NonFinite`] for a non-finite component and [`Error::Camera`] (a zero
    /// quaternion) at `/orientation`.
    pub fn to_world_to_camera(&self) -> Result<WorldToCamera, Error> {
        check_vector(self.position, "/position")?;
        let unit = unit(self.orientation, "/orientation")?;
        // World → camera is the inverse (conjugate) rotation; keep w ≥ 0 so the angle is ≤ π.
        let (mut vx, mut vy, mut vz, mut w) = (-unit.x, -unit.y, -unit.z, unit.w);
        if w < 0.0 {
            (vx, vy, vz, w) = (-vx, -vy, -vz, -w);
        }
        let sin_half = (vx * vx + vy * vy + vz * vz).sqrt();
        let rvec = if sin_half == 0.0 {
            [0.0; 3]
        } else {
            let scale = 2.0 * sin_half.atan2(w) / sin_half;
            [vx * scale, vy * scale, vz * scale]
        };
        let camera_to_world = rotation(unit);
        // tvec = −Rᵀ_cw · position, with Rᵀ_cw the world → camera rotation.
        let p = self.position;
        let tvec = [0, 1, 2].map(|row| {
            let column = |i: usize| camera_to_world[i][row];
            -(column(0) * p.x + column(1) * p.y + column(2) * p.z)
        });
        Ok(WorldToCamera { rvec, tvec })
    }

    /// The camera → world pose of OpenCV's world → camera `rvec`/`tvec`.
    ///
    /// # Errors
    /// [`Error::NonFinite`] at `/rvec/i` or `/tvec/i` for a non-finite component.
    pub fn from_world_to_camera(pose: &WorldToCamera) -> Result<Pose, Error> {
        for (name, values) in [("rvec", pose.rvec), ("tvec", pose.tvec)] {
            for (index, value) in values.into_iter().enumerate() {
                if !value.is_finite() {
                    return Err(Error::NonFinite {
                        pointer: format!("/{name}/{index}"),
                        found: value,
                    });
                }
            }
        }
        let [rx, ry, rz] = pose.rvec;
        let angle = (rx * rx + ry * ry + rz * rz).sqrt();
        let world_to_camera = if angle == 0.0 {
            Quaternion::IDENTITY
        } else {
            let (sin_half, cos_half) = (angle / 2.0).sin_cos();
            let scale = sin_half / angle;
            Quaternion::new(rx * scale, ry * scale, rz * scale, cos_half)
        };
        let orientation = conjugate(world_to_camera);
        // position = −R_cw · tvec.
        let camera_to_world = rotation(orientation);
        let [tx, ty, tz] = pose.tvec;
        let [x, y, z] = camera_to_world.map(|row| -(row[0] * tx + row[1] * ty + row[2] * tz));
        Ok(Pose {
            position: Vector3::new(x, y, z),
            orientation,
        })
    }
}

/// The conjugate (the inverse rotation of a unit quaternion).
#[must_use]
pub(crate) fn conjugate(q: Quaternion) -> Quaternion {
    Quaternion::new(-q.x, -q.y, -q.z, q.w)
}

/// The rotation matrix of a unit, finite quaternion.
fn rotation(q: Quaternion) -> [[f64; 3]; 3] {
    q.to_rotation_matrix()
        .unwrap_or([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
}

/// The normalised quaternion, or an error naming `pointer`.
fn unit(q: Quaternion, pointer: &str) -> Result<Quaternion, Error> {
    for (name, value) in [("x", q.x), ("y", q.y), ("z", q.z), ("w", q.w)] {
        if !value.is_finite() {
            return Err(Error::NonFinite {
                pointer: format!("{pointer}/{name}"),
                found: value,
            });
        }
    }
    let norm = q.norm();
    if norm == 0.0 {
        return Err(Error::Camera {
            pointer: pointer.to_owned(),
            source: Box::new(nucleus_camera::Error::ZeroQuaternion {
                pointer: "/heading".to_owned(),
                x: q.x,
                y: q.y,
                z: q.z,
                w: q.w,
            }),
        });
    }
    Ok(Quaternion::new(
        q.x / norm,
        q.y / norm,
        q.z / norm,
        q.w / norm,
    ))
}

pub(crate) fn check_vector(vector: Vector3, pointer: &str) -> Result<(), Error> {
    for (name, value) in [("x", vector.x), ("y", vector.y), ("z", vector.z)] {
        if !value.is_finite() {
            return Err(Error::NonFinite {
                pointer: format!("{pointer}/{name}"),
                found: value,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12
    }

    #[test]
    fn link_to_optical_of_identity_looks_along_world_x() {
        let optical = Pose::IDENTITY.link_to_optical();
        let forward = optical
            .orientation
            .rotate(Vector3::new(0.0, 0.0, 1.0))
            .unwrap();
        let right = optical
            .orientation
            .rotate(Vector3::new(1.0, 0.0, 0.0))
            .unwrap();
        let down = optical
            .orientation
            .rotate(Vector3::new(0.0, 1.0, 0.0))
            .unwrap();
        assert!(close(forward.x, 1.0) && close(forward.y, 0.0) && close(forward.z, 0.0));
        assert!(close(right.y, -1.0), "image right is link -y: {right:?}");
        assert!(close(down.z, -1.0), "image down is link -z: {down:?}");
        let back = optical.optical_to_link();
        let r = back.orientation.to_rotation_matrix().unwrap();
        for (i, row) in r.iter().enumerate() {
            for (j, value) in row.iter().enumerate() {
                assert!(close(*value, f64::from(u8::from(i == j))), "{r:?}");
            }
        }
    }

    #[test]
    fn world_to_camera_of_a_half_turn() {
        // Camera → world: 180° about world z, at (1, 2, 3).
        let pose = Pose {
            position: Vector3::new(1.0, 2.0, 3.0),
            orientation: Quaternion::new(0.0, 0.0, 1.0, 0.0),
        };
        let opencv = pose.to_world_to_camera().unwrap();
        assert!(
            close(opencv.rvec[2].abs(), std::f64::consts::PI),
            "{opencv:?}"
        );
        // The world origin seen from the camera: R_wc · (0 − position) = (1, 2, −3).
        assert!(close(opencv.tvec[0], 1.0) && close(opencv.tvec[1], 2.0));
        assert!(close(opencv.tvec[2], -3.0), "{opencv:?}");
        let back = Pose::from_world_to_camera(&opencv).unwrap();
        assert!(close(back.position.x, 1.0) && close(back.position.y, 2.0));
        assert!(close(back.position.z, 3.0), "{back:?}");
    }

    #[test]
    fn zero_orientation_is_an_error_naming_it() {
        let pose = Pose {
            position: Vector3::ZERO,
            orientation: Quaternion::new(0.0, 0.0, 0.0, 0.0),
        };
        let error = pose.to_world_to_camera().unwrap_err();
        assert_eq!(error.pointer(), "/orientation");
    }

    #[test]
    fn reads_pose_transform_and_heading_names() {
        for text in [
            r#"{"position": {"x": 1, "y": 2, "z": 3}, "orientation": {"x": 0, "y": 0, "z": 0, "w": 1}}"#,
            r#"{"translation": {"x": 1, "y": 2, "z": 3}, "rotation": {"x": 0, "y": 0, "z": 0, "w": 1}}"#,
            r#"{"position": {"x": 1, "y": 2, "z": 3}, "heading": {"x": 0, "y": 0, "z": 0, "w": 1}}"#,
        ] {
            let pose: Pose = serde_json::from_str(text).unwrap();
            assert_eq!(pose.position, Vector3::new(1.0, 2.0, 3.0));
            assert_eq!(pose.orientation, Quaternion::IDENTITY);
        }
    }
}
