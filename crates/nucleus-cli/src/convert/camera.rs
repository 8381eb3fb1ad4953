//! `nucleus convert camera`: one camera calibration converted exactly between ROS CameraInfo,
//! Foxglove CameraCalibration, OpenCV and Nucleus `camera_params`, or refused with the field that
//! cannot be carried over.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use nucleus::camera::CameraParams;
use nucleus::interop::{
    CameraCalibration, CameraInfo, Error as InteropError, ImageSize, OpenCvCalibration, Pose,
    Rectification,
};
use nucleus::model::{Code, Diagnostic};
use serde_json::Value;

use super::{read_text, write_output};
use crate::flags::FormatArg;
use crate::report::Reporter;
use crate::{EXIT_CLEAN, EXIT_FINDINGS};

/// Convert one camera calibration exactly, or refuse and say which field cannot be carried over.
///
/// ROS CameraInfo and Foxglove CameraCalibration hold no pose: give it with --pose (a
/// geometry_msgs/Pose: {"position": {x, y, z}, "orientation": {x, y, z, w}}, camera → world).
/// When converting a camera that has a pose (nucleus, opencv with rvec/tvec) to one of them,
/// --pose-out FILE receives it. OpenCV's rvec/tvec are world → camera; Nucleus's heading and
/// position camera → world. Refusals (skew, k5/k6, a separate rectified camera in R/P,
/// binning) are findings: exit 1, nothing written. Exit 2: unreadable input, a missing pose.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  nucleus convert camera --from ros --to nucleus --pose pose.json camera_info.json camera_params.json
  nucleus convert camera --from nucleus --to opencv camera_params.json -
  nucleus convert camera --from opencv --to foxglove --pose-out pose.json calib.json foxglove.json")]
pub struct CameraArgs {
    /// The format of IN.
    #[arg(long, value_enum)]
    from: CameraFormat,

    /// The format to write.
    #[arg(long, value_enum)]
    to: CameraFormat,

    /// The calibration to read (JSON); `-` reads standard input.
    #[arg(value_name = "IN")]
    input: PathBuf,

    /// Where to write (JSON); `-` or nothing writes standard output.
    #[arg(value_name = "OUT", default_value = "-")]
    output: PathBuf,

    /// The camera pose (camera → world) for an input without one (ros, foxglove, opencv without
    /// rvec/tvec).
    #[arg(long, value_name = "FILE")]
    pose: Option<PathBuf>,

    /// The frame the --pose file describes.
    #[arg(long, value_enum, default_value_t = PoseFrame::Optical)]
    pose_frame: PoseFrame,

    /// Write the pose (optical frame, camera → world) here when the output format has none.
    #[arg(long, value_name = "FILE")]
    pose_out: Option<PathBuf>,

    /// Convert K and D of a ROS/Foxglove calibration whose R or P describe a rectified camera
    /// other than [K | 0], dropping R and P (the raw image is still converted exactly).
    #[arg(long)]
    drop_rectification: bool,

    /// Image width for an input that has none (nucleus camera_params).
    #[arg(long, value_name = "PIXELS", requires = "height")]
    width: Option<u32>,

    /// Image height for an input that has none.
    #[arg(long, value_name = "PIXELS", requires = "width")]
    height: Option<u32>,

    #[command(flatten)]
    findings: FormatArg,
}

/// A calibration format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CameraFormat {
    /// ROS 2 sensor_msgs/CameraInfo as JSON (ROS 1's D, K, R, P are read too).
    Ros,
    /// Foxglove CameraCalibration as JSON.
    Foxglove,
    /// {"camera_matrix", "dist_coeffs", "model", "rvec", "tvec", "image_width", "image_height"}.
    Opencv,
    /// Nucleus camera_params (or a whole item: its metadata.camera_params, width and height).
    Nucleus,
}

/// Which frame a --pose file describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PoseFrame {
    /// The camera's optical frame: x right, y down, z forward (Nucleus, ROS *_optical_frame).
    Optical,
    /// A ROS camera link frame: x forward, y left, z up (camera_link, base of the camera).
    Link,
}

/// A calibration read from any format, in Nucleus terms.
struct Source {
    params: CameraParams,
    /// Whether the pose is real (from the input or --pose) rather than a placeholder.
    pose: Option<Pose>,
    size: Option<ImageSize>,
    frame_id: Option<String>,
}

pub fn run(args: &CameraArgs) -> anyhow::Result<u8> {
    let name = args.input.display().to_string();
    let text = read_text(&args.input)?;
    let mut reporter = Reporter::new(
        BufWriter::new(io::stderr().lock()),
        args.findings.format,
        false,
    );
    let given_pose = match &args.pose {
        Some(path) => {
            let pose: Pose = serde_json::from_str(&read_text(path)?)
                .with_context(|| format!("{}: expected a pose {{\"position\": {{x, y, z}}, \"orientation\": {{x, y, z, w}}}}", path.display()))?;
            Some(match args.pose_frame {
                PoseFrame::Optical => pose,
                PoseFrame::Link => pose.link_to_optical(),
            })
        }
        None => None,
    };
    let source = match read_source(args, &text, given_pose) {
        Ok(source) => source,
        Err(diagnostic) => {
            reporter.report(&name, &diagnostic)?;
            reporter.out().flush()?;
            return Ok(EXIT_FINDINGS);
        }
    };
    let size = source.size.or_else(|| {
        args.width
            .zip(args.height)
            .and_then(|(width, height)| ImageSize::new(width, height))
    });
    if args.to == CameraFormat::Nucleus && source.pose.is_none() {
        bail!(
            "{name} has no camera pose, which Nucleus camera_params need; give it with --pose FILE"
        );
    }
    let written = match write_target(args, &source, size) {
        Ok(value) => value,
        Err(error) => {
            reporter.report(&name, &conversion_diagnostic(&error, ""))?;
            reporter.out().flush()?;
            return Ok(EXIT_FINDINGS);
        }
    };
    let target_has_pose = matches!(args.to, CameraFormat::Nucleus | CameraFormat::Opencv);
    match (&source.pose, &args.pose_out) {
        (Some(pose), Some(path)) => write_json(path, &serde_json::to_value(pose)?)?,
        (Some(_), None) if !target_has_pose && args.pose.is_none() => bail!(
            "{name} has a camera pose, which {} cannot hold; pass --pose-out FILE to keep it",
            format_name(args.to)
        ),
        (None, Some(path)) => bail!(
            "{name} has no camera pose to write to {}; give one with --pose",
            path.display()
        ),
        _ => {}
    }
    write_json(&args.output, &written)?;
    Ok(EXIT_CLEAN)
}

fn read_source(
    args: &CameraArgs,
    text: &str,
    given_pose: Option<Pose>,
) -> Result<Source, Diagnostic> {
    let value: Value = serde_json::from_str(text)
        .map_err(|error| Diagnostic::error(Code::InvalidJson, "", error.to_string()))?;
    let rectification = if args.drop_rectification {
        Rectification::Drop
    } else {
        Rectification::Strict
    };
    let shape_error = |error: serde_json::Error| {
        Diagnostic::error(
            Code::InvalidCameraParams,
            "",
            format!("not a {} calibration: {error}", format_name(args.from)),
        )
    };
    let placeholder = given_pose.unwrap_or_default();
    let only_given = |own: Option<Pose>| -> Result<Option<Pose>, Diagnostic> {
        match (own, given_pose) {
            (Some(_), Some(_)) => Err(Diagnostic::error(
                Code::InvalidCameraParams,
                "",
                "the input has its own pose; --pose is for inputs without one",
            )),
            (own, given) => Ok(own.or(given)),
        }
    };
    match args.from {
        CameraFormat::Ros => {
            let info: CameraInfo = serde_json::from_value(value).map_err(shape_error)?;
            let params = info
                .to_camera_params(&placeholder, rectification)
                .map_err(|error| conversion_diagnostic(&error, ""))?;
            Ok(Source {
                params,
                pose: given_pose,
                size: info.image_size(),
                frame_id: Some(info.header.frame_id),
            })
        }
        CameraFormat::Foxglove => {
            let calibration: CameraCalibration =
                serde_json::from_value(value).map_err(shape_error)?;
            let params = calibration
                .to_camera_params(&placeholder, rectification)
                .map_err(|error| conversion_diagnostic(&error, ""))?;
            Ok(Source {
                params,
                pose: given_pose,
                size: calibration.image_size(),
                frame_id: Some(calibration.frame_id),
            })
        }
        CameraFormat::Opencv => {
            let calibration: OpenCvCalibration =
                serde_json::from_value(value).map_err(shape_error)?;
            let own = calibration
                .pose()
                .map_err(|error| conversion_diagnostic(&error, ""))?;
            let pose = only_given(own)?;
            let params = calibration
                .to_camera_params(&pose.unwrap_or_default())
                .map_err(|error| conversion_diagnostic(&error, ""))?;
            Ok(Source {
                params,
                pose,
                size: calibration.image_size(),
                frame_id: None,
            })
        }
        CameraFormat::Nucleus => {
            // A whole item is accepted too: its camera_params, width and height.
            let (camera, prefix, size) =
                match value.get("metadata").and_then(|m| m.get("camera_params")) {
                    Some(camera) => {
                        let dimension = |key| {
                            value
                                .get(key)
                                .and_then(Value::as_u64)
                                .and_then(|n| u32::try_from(n).ok())
                        };
                        let size = dimension("width")
                            .zip(dimension("height"))
                            .and_then(|(width, height)| ImageSize::new(width, height));
                        (camera, "/metadata/camera_params", size)
                    }
                    None => (&value, "", None),
                };
            let params = CameraParams::from_json(camera).map_err(|error| {
                Diagnostic::error(
                    Code::InvalidCameraParams,
                    format!("{prefix}{}", error.pointer()),
                    strip_pointer(&error.to_string(), error.pointer()),
                )
            })?;
            only_given(Some(Pose::IDENTITY))?;
            Ok(Source {
                pose: Some(Pose::from_camera_params(&params)),
                params,
                size,
                frame_id: None,
            })
        }
    }
}

fn write_target(
    args: &CameraArgs,
    source: &Source,
    size: Option<ImageSize>,
) -> Result<Value, InteropError> {
    let params = &source.params;
    let value = match args.to {
        CameraFormat::Nucleus => params.to_json(),
        CameraFormat::Ros => {
            let mut info = CameraInfo::from_camera_params(params, size)?;
            info.header.frame_id = source.frame_id.clone().unwrap_or_default();
            serde_json::to_value(info).unwrap_or(Value::Null)
        }
        CameraFormat::Foxglove => {
            let mut calibration = CameraCalibration::from_camera_params(params, size)?;
            calibration.frame_id = source.frame_id.clone().unwrap_or_default();
            serde_json::to_value(calibration).unwrap_or(Value::Null)
        }
        CameraFormat::Opencv => {
            let mut calibration = OpenCvCalibration::from_camera_params(params, size)?;
            if source.pose.is_none() {
                calibration.rvec = None;
                calibration.tvec = None;
            }
            serde_json::to_value(calibration).unwrap_or(Value::Null)
        }
    };
    Ok(value)
}

/// Refusals to approximate are `inexact-conversion`; malformed calibrations
/// `invalid-camera-params`.
fn conversion_diagnostic(error: &InteropError, prefix: &str) -> Diagnostic {
    let code = match error {
        InteropError::Skew { .. }
        | InteropError::NotRepresentable { .. }
        | InteropError::Rectification { .. }
        | InteropError::BinningOrRoi { .. } => Code::InexactConversion,
        _ => Code::InvalidCameraParams,
    };
    Diagnostic::error(
        code,
        format!("{prefix}{}", error.pointer()),
        strip_pointer(&error.to_string(), error.pointer()),
    )
}

/// Messages start with their pointer, which the diagnostic prints already.
fn strip_pointer(message: &str, pointer: &str) -> String {
    message
        .strip_prefix(pointer)
        .and_then(|rest| rest.strip_prefix(": "))
        .unwrap_or(message)
        .to_owned()
}

fn format_name(format: CameraFormat) -> &'static str {
    match format {
        CameraFormat::Ros => "ROS CameraInfo",
        CameraFormat::Foxglove => "Foxglove CameraCalibration",
        CameraFormat::Opencv => "OpenCV",
        CameraFormat::Nucleus => "Nucleus camera_params",
    }
}

/// Two-space pretty JSON with lists of numbers on one line (a 3×4 `P` stays readable) and a
/// final newline, to a file (whole or not at all) or stdout.
fn write_json(path: &Path, value: &Value) -> anyhow::Result<()> {
    let mut text = String::new();
    pretty(value, 0, &mut text);
    text.push('\n');
    write_output(path, |out| {
        out.write_all(text.as_bytes()).map_err(Into::into)
    })
}

fn pretty(value: &Value, depth: usize, out: &mut String) {
    let indent = |out: &mut String, depth: usize| out.push_str(&"  ".repeat(depth));
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push_str("{\n");
            for (index, (key, child)) in map.iter().enumerate() {
                indent(out, depth + 1);
                out.push_str(&Value::String(key.clone()).to_string());
                out.push_str(": ");
                pretty(child, depth + 1, out);
                out.push_str(if index + 1 < map.len() { ",\n" } else { "\n" });
            }
            indent(out, depth);
            out.push('}');
        }
        Value::Array(list) if list.iter().any(|v| v.is_array() || v.is_object()) => {
            out.push_str("[\n");
            for (index, child) in list.iter().enumerate() {
                indent(out, depth + 1);
                pretty(child, depth + 1, out);
                out.push_str(if index + 1 < list.len() { ",\n" } else { "\n" });
            }
            indent(out, depth);
            out.push(']');
        }
        Value::Array(list) => {
            let items: Vec<String> = list.iter().map(Value::to_string).collect();
            out.push('[');
            out.push_str(&items.join(", "));
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}
