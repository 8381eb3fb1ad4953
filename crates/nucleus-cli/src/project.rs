//! `nucleus project`: project points and cuboids with a Nucleus camera.

use std::io::{self, BufWriter, Write};
use std::ops::ControlFlow;

use clap::Args;
use nucleus::camera::{CameraParams, Cuboid, Pixel, Point3D};
use nucleus::model::diagnostic::pointer;
use nucleus::model::json;
use nucleus::model::read::{json_diagnostic, kind_name};
use nucleus::model::{Code, Diagnostic};
use serde_json::{Value, json};

use crate::exit_status;
use crate::flags::{FormatArg, QuietArg};
use crate::input::{self, InputArgs};
use crate::report::Reporter;

/// Project 3D points or a cuboid to pixels with a camera, exactly as OpenCV does.
///
/// Each input line is either
///   {"camera_params": {...}, "points": [[x, y, z], ...]}
/// or
///   {"camera_params": {...}, "cuboid": {"position": {x,y,z}, "dimensions": {x,y,z}, "yaw": r}}
/// with `camera_params` in the Nucleus SDK's shape (position, heading, fx, fy, cx, cy, optional
/// camera_model brown_conrady|fisheye and k1..k4, p1, p2). World coordinates, z up.
///
/// Output, one line per accepted input line: {"uv": [[u, v] or null, ...]} for points and
/// {"corners": [[x, y, z] x 8], "uv": [[u, v] or null x 8]} for a cuboid. `null` marks a point
/// behind the camera (camera-frame z <= 0). Numbers round-trip exactly (shortest f64 form).
/// Rejected lines write nothing to standard output and findings to standard error.
#[derive(Debug, Args)]
// Verbatim: the examples above keep their lines and alignment in `--help`.
#[command(
    verbatim_doc_comment,
    after_help = "Example:
  echo '{\"camera_params\":{\"position\":{\"x\":0,\"y\":0,\"z\":1.5},\"heading\":{\"x\":-0.5,\"y\":0.5,\"z\":-0.5,\"w\":0.5},\"fx\":1000,\"fy\":1000,\"cx\":960,\"cy\":540},\"points\":[[10,0,1.5]]}' | nucleus project
  {\"uv\":[[960.0,540.0]]}"
)]
pub struct ProjectArgs {
    #[command(flatten)]
    input: InputArgs,

    #[command(flatten)]
    findings: FormatArg,

    #[command(flatten)]
    quiet: QuietArg,
}

pub fn run(args: &ProjectArgs) -> anyhow::Result<u8> {
    let config = args.input.stream_config();
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let mut reporter = Reporter::new(
        BufWriter::new(io::stderr().lock()),
        args.findings.format,
        args.quiet.quiet,
    );
    let mut n_rejected = 0u64;
    for path in args.input.inputs() {
        let input = input::open(&path)?;
        let name = input.name.clone();
        input::stream(
            input,
            &config,
            !args.quiet.quiet,
            |_, text| project_line(text),
            |line, result| {
                let result = result
                    .and_then(|inner| inner)
                    .map(|text| (Vec::new(), Some(text)));
                if reporter.rewritten_line(&mut out, &name, line, result)? {
                    n_rejected += 1;
                }
                Ok(ControlFlow::Continue(()))
            },
        )?;
    }
    out.flush()?;
    reporter.out().flush()?;
    Ok(exit_status(n_rejected > 0))
}

/// One input line to one output line, or the first problem found.
fn project_line(text: &str) -> Result<String, Diagnostic> {
    let value = json::parse(text).map_err(|error| json_diagnostic(&error))?;
    let Value::Object(object) = &value else {
        return Err(Diagnostic::error(
            Code::NotAnObject,
            "",
            format!(
                "expected an object with camera_params and points or cuboid, found {}",
                kind_name(&value)
            ),
        ));
    };
    let camera = match object.get("camera_params") {
        Some(raw) => CameraParams::from_json(raw).map_err(|error| {
            Diagnostic::error(
                Code::InvalidCameraParams,
                format!("/camera_params{}", error.pointer()),
                error.message(),
            )
        })?,
        None => {
            return Err(Diagnostic::error(
                Code::InvalidCameraParams,
                "/camera_params",
                "camera_params is missing",
            ));
        }
    };
    match (object.get("points"), object.get("cuboid")) {
        (Some(points), None) => {
            let points = read_points(points)?;
            let mut pixels = vec![Pixel { x: 0.0, y: 0.0 }; points.len()];
            camera.project_into(&points, &mut pixels).map_err(|error| {
                Diagnostic::error(Code::InvalidGeometry, "/points", error.to_string())
            })?;
            let uv: Vec<Value> = pixels.iter().map(pixel_json).collect();
            Ok(json!({ "uv": uv }).to_string())
        }
        (None, Some(raw)) => {
            let cuboid = Cuboid::from_json(raw).map_err(|error| {
                Diagnostic::error(
                    Code::InvalidGeometry,
                    format!("/cuboid{}", error.pointer()),
                    error.to_string(),
                )
            })?;
            let corners = cuboid.corners();
            let uv: Vec<Value> = camera
                .project_cuboid(&cuboid)
                .iter()
                .map(|pixel| pixel.as_ref().map_or(Value::Null, pixel_json))
                .collect();
            let corners: Vec<Value> = corners.iter().map(|c| json!([c.x, c.y, c.z])).collect();
            Ok(json!({ "corners": corners, "uv": uv }).to_string())
        }
        (Some(_), Some(_)) => Err(Diagnostic::error(
            Code::InvalidGeometry,
            "",
            "give either points or cuboid, not both",
        )),
        (None, None) => Err(Diagnostic::error(
            Code::InvalidGeometry,
            "",
            "nothing to project: add \"points\": [[x, y, z], ...] or \"cuboid\": {...}",
        )),
    }
}

fn read_points(value: &Value) -> Result<Vec<Point3D>, Diagnostic> {
    let Value::Array(entries) = value else {
        return Err(Diagnostic::error(
            Code::InvalidGeometry,
            "/points",
            format!(
                "points must be a list of [x, y, z], found {}",
                kind_name(value)
            ),
        ));
    };
    entries
        .iter()
        .enumerate()
        .map(|(idx, entry)| {
            let xyz: Option<Vec<f64>> = entry
                .as_array()
                .filter(|a| a.len() == 3)
                .and_then(|a| a.iter().map(Value::as_f64).collect());
            match xyz.as_deref() {
                Some(&[x, y, z]) => Ok(Point3D::new(x, y, z)),
                _ => Err(Diagnostic::error(
                    Code::InvalidGeometry,
                    pointer("/points", &[&idx.to_string()]),
                    format!("expected [x, y, z] with three numbers, found {entry}"),
                )),
            }
        })
        .collect()
}

fn pixel_json(pixel: &Pixel) -> Value {
    if pixel.x.is_finite() && pixel.y.is_finite() {
        json!([pixel.x, pixel.y])
    } else {
        Value::Null
    }
}
