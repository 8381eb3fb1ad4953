//! `nucleus convert camera` and `nucleus convert geojson`: calibrations and positions to and
//! from the formats teams already have (ROS, Foxglove, OpenCV, GeoJSON).

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{self, BufWriter, Read, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use nucleus::camera::CameraParams;
use nucleus::interop::geojson::{PositionUpdate, read_positions, to_feature};
use nucleus::interop::{
    CameraCalibration, CameraInfo, Error as InteropError, ImageSize, OpenCvCalibration, Pose,
    Rectification,
};
use nucleus::lines::StreamConfig;
use nucleus::model::{Code, Diagnostic, Severity, read_line};
use serde_json::Value;

use crate::input;
use crate::output::AtomicFile;
use crate::report::{Format, Reporter};
use crate::{EXIT_CLEAN, EXIT_FINDINGS, exit_status};

/// Convert camera calibrations and item positions to and from other formats.
#[derive(Debug, Args)]
pub struct InteropArgs {
    #[command(subcommand)]
    command: InteropCommand,
}

#[derive(Debug, Subcommand)]
enum InteropCommand {
    Camera(CameraArgs),
    Geojson(GeojsonArgs),
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
struct CameraArgs {
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

    /// Format of the findings printed on standard error.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Export items' metadata.lat/lon as a GeoJSON FeatureCollection, or (--import) write items
/// with positions taken from a GeoJSON file.
///
/// Export: one Point feature per item with valid, paired coordinates, at [lon, lat] (GeoJSON's
/// order), with id and properties.reference_id the item's reference id and the item's string
/// and number metadata as properties. Items with out-of-range or half-present coordinates are
/// reported (invalid-coordinate, unpaired-coordinate) and left out.
///
/// Import: every item line is written back; an item whose reference id has a Point feature
/// (matched by the feature's id, else properties.reference_id) gets metadata.lat and
/// metadata.lon from it, the rest of the line unchanged in meaning. Exit 1 when any finding is
/// an error.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  nucleus convert geojson items.jsonl items.geojson
  nucleus convert geojson --import positions.geojson items.jsonl updated.jsonl")]
struct GeojsonArgs {
    /// Items (JSON Lines); `-` reads standard input.
    #[arg(value_name = "ITEMS")]
    items: PathBuf,

    /// Where to write (GeoJSON, or JSON Lines with --import); `-` or nothing: standard output.
    #[arg(value_name = "OUT", default_value = "-")]
    output: PathBuf,

    /// Read positions from this GeoJSON FeatureCollection and write the updated items.
    #[arg(long, value_name = "POSITIONS")]
    import: Option<PathBuf>,

    /// Format of the findings printed on standard error.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    /// Print no findings on standard error.
    #[arg(short, long)]
    quiet: bool,
}

pub fn run(args: &InteropArgs) -> anyhow::Result<u8> {
    match &args.command {
        InteropCommand::Camera(args) => camera(args),
        InteropCommand::Geojson(args) => match &args.import {
            Some(positions) => geojson_import(args, positions),
            None => geojson_export(args),
        },
    }
}

/// A calibration read from any format, in Nucleus terms.
struct Source {
    params: CameraParams,
    /// Whether the pose is real (from the input or --pose) rather than a placeholder.
    pose: Option<Pose>,
    size: Option<ImageSize>,
    frame_id: Option<String>,
}

fn camera(args: &CameraArgs) -> anyhow::Result<u8> {
    let name = args.input.display().to_string();
    let text = read_text(&args.input)?;
    let mut reporter = Reporter::new(BufWriter::new(io::stderr().lock()), args.format, false);
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

fn read_text(path: &Path) -> anyhow::Result<String> {
    let mut text = String::new();
    if path.as_os_str() == "-" {
        io::stdin()
            .read_to_string(&mut text)
            .context("cannot read standard input")?;
    } else {
        text =
            fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    }
    Ok(text)
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

fn write_output(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    if path.as_os_str() == "-" {
        let mut out = BufWriter::new(io::stdout().lock());
        write(&mut out)?;
        out.flush()?;
        Ok(())
    } else {
        let mut file = AtomicFile::create(path)?;
        write(&mut file)?;
        file.commit()
    }
}

fn geojson_export(args: &GeojsonArgs) -> anyhow::Result<u8> {
    let mut reporter = Reporter::new(BufWriter::new(io::stderr().lock()), args.format, args.quiet);
    let input = input::open(&args.items)?;
    let name = input.name.clone();
    let (mut n_items, mut n_features) = (0u64, 0u64);
    write_output(&args.output, |out| {
        out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[")?;
        input::stream(
            input,
            &StreamConfig::default(),
            !args.quiet,
            |_, text| {
                let reading = read_line(text);
                let mut diagnostics = reading.diagnostics;
                let feature = reading
                    .item
                    .and_then(|item| to_feature(&item, &mut diagnostics))
                    .and_then(|feature| serde_json::to_vec(&feature).ok());
                (diagnostics, feature)
            },
            |line, result| {
                n_items += 1;
                let (diagnostics, feature) =
                    result.unwrap_or_else(|diagnostic| (vec![diagnostic], None));
                if let Some(feature) = feature {
                    out.write_all(if n_features == 0 { b"\n" } else { b",\n" })?;
                    out.write_all(&feature)?;
                    n_features += 1;
                }
                for diagnostic in diagnostics {
                    reporter.report(&name, &diagnostic.at_line(line))?;
                }
                Ok(ControlFlow::Continue(()))
            },
        )?;
        out.write_all(b"\n]}\n")?;
        Ok(())
    })?;
    if !args.quiet {
        writeln!(
            reporter.out(),
            "exported {n_features} of {n_items} items ({} without valid coordinates)",
            n_items - n_features
        )?;
    }
    reporter.out().flush()?;
    Ok(exit_status(reporter.n_errors > 0))
}

fn geojson_import(args: &GeojsonArgs, positions_path: &Path) -> anyhow::Result<u8> {
    let mut reporter = Reporter::new(BufWriter::new(io::stderr().lock()), args.format, args.quiet);
    let positions_name = positions_path.display().to_string();
    let geojson: Value = match serde_json::from_str(&read_text(positions_path)?) {
        Ok(value) => value,
        Err(error) => {
            let diagnostic = Diagnostic::error(Code::InvalidJson, "", error.to_string());
            reporter.report(&positions_name, &diagnostic)?;
            reporter.out().flush()?;
            return Ok(EXIT_FINDINGS);
        }
    };
    let (updates, diagnostics) = read_positions(&geojson);
    for diagnostic in &diagnostics {
        reporter.report(&positions_name, diagnostic)?;
    }
    let by_id: HashMap<&str, &PositionUpdate> = updates
        .iter()
        .map(|update| (update.reference_id.as_str(), update))
        .collect();
    let input = input::open(&args.items)?;
    let name = input.name.clone();
    let mut matched: HashSet<String> = HashSet::new();
    let mut n_items = 0u64;
    write_output(&args.output, |out| {
        input::stream(
            input,
            &StreamConfig::default(),
            !args.quiet,
            |_, text| {
                let reading = read_line(text);
                let mut diagnostics = reading.diagnostics;
                let update = reading
                    .item
                    .as_ref()
                    .and_then(|item| by_id.get(item.reference_id().as_str()).copied());
                let Some(update) = update else {
                    return (diagnostics, text.as_bytes().to_vec(), None);
                };
                match updated_line(text, update) {
                    Ok(bytes) => (diagnostics, bytes, Some(update.reference_id.clone())),
                    Err(diagnostic) => {
                        diagnostics.push(diagnostic);
                        (diagnostics, text.as_bytes().to_vec(), None)
                    }
                }
            },
            |line, result| {
                n_items += 1;
                let (diagnostics, bytes, id) = match result {
                    Ok(triple) => triple,
                    // A line the reader rejects outright (invalid UTF-8, too long) cannot be
                    // copied as text; report it and write nothing.
                    Err(diagnostic) => (vec![diagnostic], Vec::new(), None),
                };
                if !bytes.is_empty() {
                    out.write_all(&bytes)?;
                    out.write_all(b"\n")?;
                }
                if let Some(id) = id {
                    matched.insert(id);
                }
                for diagnostic in diagnostics {
                    reporter.report(&name, &diagnostic.at_line(line))?;
                }
                Ok(ControlFlow::Continue(()))
            },
        )?;
        Ok(())
    })?;
    let unmatched: Vec<&str> = updates
        .iter()
        .map(|update| update.reference_id.as_str())
        .filter(|id| !matched.contains(*id))
        .collect();
    if !args.quiet {
        writeln!(
            reporter.out(),
            "updated {} of {n_items} items from {} positions",
            matched.len(),
            updates.len()
        )?;
        if !unmatched.is_empty() {
            let shown: Vec<&str> = unmatched.iter().take(5).copied().collect();
            let more = if unmatched.len() > shown.len() {
                ", …"
            } else {
                ""
            };
            writeln!(
                reporter.out(),
                "{positions_name}: {} positions matched no item: {}{more}",
                unmatched.len(),
                shown.join(", ")
            )?;
        }
    }
    reporter.out().flush()?;
    let has_error =
        reporter.n_errors > 0 || diagnostics.iter().any(|d| d.severity == Severity::Error);
    Ok(exit_status(has_error))
}

/// The line with `metadata.lat`/`lon` set, everything else as read.
fn updated_line(text: &str, update: &PositionUpdate) -> Result<Vec<u8>, Diagnostic> {
    let mut value: Value = serde_json::from_str(text)
        .map_err(|error| Diagnostic::error(Code::InvalidJson, "", error.to_string()))?;
    let Some(item) = value.as_object_mut() else {
        return Err(Diagnostic::error(
            Code::NotAnObject,
            "",
            "expected an item object",
        ));
    };
    let metadata = item
        .entry("metadata")
        .or_insert_with(|| Value::Object(serde_json::Map::new()));
    if metadata.is_null() {
        *metadata = Value::Object(serde_json::Map::new());
    }
    let Some(map) = metadata.as_object_mut() else {
        return Err(Diagnostic::error(
            Code::MetadataNotAnObject,
            "/metadata",
            "cannot set lat/lon: metadata is not an object",
        ));
    };
    update.apply(map);
    serde_json::to_vec(&value)
        .map_err(|error| Diagnostic::error(Code::InvalidJson, "", error.to_string()))
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
