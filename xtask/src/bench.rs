//! `cargo xtask bench`: builds the release binaries and runs `scripts/bench/bench.py`, which
//! times every published figure against its baselines and rewrites the tables of
//! BENCHMARKS.md and README.md. And `cargo xtask kernel …`: the Rust side of the figures that
//! are not a whole `nucleus` command (the `serde_json::Value` baseline, projection, the
//! point-cloud reader), each timing its own work and printing one line
//! `BENCH {"wall_s": …, "cpu_s": …, …}` for the script.
//!
//! xtask uses mimalloc as its global allocator, as the CLI does, so every Rust comparison has
//! the same allocator on both sides.

use std::fs;
use std::hint::black_box;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use nucleus_camera::{CameraModel, CameraParams, Distortion, Pixel, Point3D, Quaternion};
use serde_json::{Value, json};

#[path = "../../crates/nucleus-camera/benches/common/naive.rs"]
mod naive;

use naive::NaiveCamera;

/// `cargo xtask bench ARGS`: release build, then the script with `ARGS`.
pub fn run(root: &Path, args: &[String]) -> Result<()> {
    // Help, --render and --check measure nothing: no build.
    let measures = !args
        .iter()
        .any(|arg| ["-h", "--help", "--render", "--check"].contains(&arg.as_str()));
    if measures {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let status = Command::new(&cargo)
            .current_dir(root)
            .args(["build", "--release", "-p", "nucleus-cli", "-p", "xtask"])
            .stdin(std::process::Stdio::null())
            .status()
            .context("running cargo build --release")?;
        if !status.success() {
            bail!("cargo build --release failed");
        }
    }
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let status = Command::new(&python)
        .current_dir(root)
        .arg(root.join("scripts/bench/bench.py"))
        .stdin(std::process::Stdio::null())
        .args(args)
        .status()
        .with_context(|| format!("running {python} scripts/bench/bench.py"))?;
    if !status.success() {
        bail!("scripts/bench/bench.py failed");
    }
    Ok(())
}

/// CPU time of this process's main thread, from `/proc/self/schedstat` (nanoseconds on the
/// CPU). The kernels run on one thread; Linux only, like the bench. The kernel updates it at
/// context switches and scheduler ticks, so it can lag by a few milliseconds: short work is
/// repeated (`repeated`) until the timed span is long enough for that not to matter.
fn cpu_seconds() -> f64 {
    fs::read_to_string("/proc/self/schedstat")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(f64::NAN, |ns| ns as f64 / 1e9)
}

/// Times `work` (wall and CPU) and prints the `BENCH` line with `extra` fields.
fn timed<T>(work: impl FnOnce() -> T, extra: impl FnOnce(&T) -> Value) -> Result<()> {
    let cpu_started = cpu_seconds();
    let started = Instant::now();
    let result = black_box(work());
    let wall_s = started.elapsed().as_secs_f64();
    let cpu_s = cpu_seconds() - cpu_started;
    let mut report = json!({ "wall_s": wall_s, "cpu_s": cpu_s });
    if let (Value::Object(report), Value::Object(extra)) = (&mut report, extra(&result)) {
        report.extend(extra);
    }
    println!("BENCH {report}");
    Ok(())
}

/// The shortest span a repeated kernel times, so that `cpu_seconds`' lag stays below 2%.
const MIN_TIMED_SECONDS: f64 = 0.25;

/// Times `work` run as often as needed to fill `MIN_TIMED_SECONDS` (at least once) and prints
/// the `BENCH` line with the wall and CPU time of one run, the number of runs and `extra`.
fn repeated(mut work: impl FnMut() -> f64, extra: Value) {
    let cpu_started = cpu_seconds();
    let started = Instant::now();
    let (mut reps, mut checksum) = (0u32, 0.0);
    while reps == 0 || started.elapsed().as_secs_f64() < MIN_TIMED_SECONDS {
        checksum += black_box(work());
        reps += 1;
    }
    let wall_s = started.elapsed().as_secs_f64() / f64::from(reps);
    let cpu_s = (cpu_seconds() - cpu_started) / f64::from(reps);
    let mut report =
        json!({ "wall_s": wall_s, "cpu_s": cpu_s, "reps": reps, "checksum": checksum });
    if let (Value::Object(report), Value::Object(extra)) = (&mut report, extra) {
        report.extend(extra);
    }
    println!("BENCH {report}");
}

/// `cargo xtask kernel NAME ARGS`.
pub fn kernel(args: &[String]) -> Result<()> {
    match args {
        [name, path] if name == "parse-value" => parse_value(Path::new(path)),
        [name, model, implementation, n_points] if name == "project" => {
            project(model, implementation, parse_count(n_points)?)
        }
        [name, n_points, path] if name == "write-pointcloud" => {
            write_pointcloud(parse_count(n_points)?, Path::new(path))
        }
        [name, implementation, path] if name == "pointcloud" => {
            pointcloud(implementation, Path::new(path))
        }
        _ => bail!(
            "usage: cargo xtask kernel parse-value FILE | project MODEL batch|naive N | \
             write-pointcloud N FILE | pointcloud stream|value FILE"
        ),
    }
}

fn parse_count(text: &str) -> Result<usize> {
    text.replace('_', "")
        .parse()
        .with_context(|| format!("`{text}`: expected a whole number"))
}

/// The baseline of `check`: read the file line by line (as `check` streams it) and parse each
/// line with `serde_json::from_str::<Value>`; a line that is not JSON is counted, not fatal.
pub fn parse_value(path: &Path) -> Result<()> {
    let file = fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    timed(
        || -> Result<(u64, u64, usize)> {
            let mut reader = BufReader::with_capacity(1 << 20, file);
            let mut line = String::new();
            let (mut n_lines, mut n_invalid, mut n_keys) = (0u64, 0u64, 0usize);
            while reader.read_line(&mut line)? > 0 {
                let text = line.trim_end_matches(['\n', '\r']);
                if !text.trim().is_empty() {
                    n_lines += 1;
                    match serde_json::from_str::<Value>(text) {
                        Ok(value) => n_keys += value.as_object().map_or(0, serde_json::Map::len),
                        Err(_) => n_invalid += 1,
                    }
                }
                line.clear();
            }
            Ok((n_lines, n_invalid, n_keys))
        },
        |result| match result {
            Ok((lines, invalid, keys)) => {
                json!({ "items": lines, "invalid": invalid, "keys": keys })
            }
            Err(error) => json!({ "error": error.to_string() }),
        },
    )
}

/// One thread projects `n_points` deterministic points in front of a camera at the origin
/// looking along world +x (x in [5, 50] m, y in [-10, 10], z in [-2, 5]: the distribution of
/// the Python side), with `project_into` (`batch`) or the fair straightforward baseline
/// (`naive`). The points are made before the clock starts; the output buffer too. The checksum
/// of the pixels is summed in the timed span on both sides, so neither can be optimised away.
fn project(model: &str, implementation: &str, n_points: usize) -> Result<()> {
    let camera = bench_camera(model)?;
    let mut uniform = xorshift(0x9E37_79B9_7F4A_7C15);
    let points: Vec<Point3D> = (0..n_points)
        .map(|_| {
            Point3D::new(
                5.0 + 45.0 * uniform(),
                -10.0 + 20.0 * uniform(),
                -2.0 + 7.0 * uniform(),
            )
        })
        .collect();
    let mut pixels = vec![Pixel::default(); n_points];
    // One untimed pass, so page faults on the output are not timed on either side.
    camera.project_into(&points, &mut pixels)?;
    let checksum = |pixels: &[Pixel]| pixels.iter().map(|p| p.x + p.y).sum::<f64>();
    match implementation {
        "batch" => repeated(
            || match camera.project_into(black_box(&points), &mut pixels) {
                Ok(()) => checksum(&pixels),
                Err(_) => f64::NAN,
            },
            json!({ "items": n_points }),
        ),
        "naive" => repeated(
            || {
                let naive = NaiveCamera::new(black_box(&camera));
                for (point, pixel) in points.iter().zip(pixels.iter_mut()) {
                    *pixel = naive.project(*point).unwrap_or(Pixel::NOT_PROJECTABLE);
                }
                checksum(&pixels)
            },
            json!({ "items": n_points }),
        ),
        other => bail!("project: `{other}`: expected batch or naive"),
    }
    Ok(())
}

/// The cameras of the projection figures, the same as `scripts/bench/python_side.py`'s.
fn bench_camera(model: &str) -> Result<CameraParams> {
    let base = CameraParams::new(
        Point3D::new(0.0, 0.0, 1.5),
        Quaternion::new(-0.5, 0.5, -0.5, 0.5),
        1000.0,
        1000.0,
        960.0,
        540.0,
    )?;
    let camera = match model {
        "pinhole" => base,
        "brown_conrady" => base.with_distortion(
            Some(CameraModel::BrownConrady),
            Distortion {
                k1: -0.1,
                k2: 0.01,
                k3: -0.001,
                p1: 0.001,
                p2: -0.0005,
                ..Distortion::default()
            },
        )?,
        "fisheye" => base.with_distortion(
            Some(CameraModel::Fisheye),
            Distortion {
                k1: 0.052,
                k2: -0.011,
                k3: 0.0021,
                k4: -0.00041,
                ..Distortion::default()
            },
        )?,
        other => bail!("`{other}`: expected pinhole, brown_conrady or fisheye"),
    };
    Ok(camera)
}

fn xorshift(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed;
    move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A lidar sweep of `n_points` in Scale's point-cloud JSON, as `json.dumps` of float64 writes
/// it (the generator of `crates/nucleus-model/benches/pointcloud.rs`).
fn write_pointcloud(n_points: usize, path: &Path) -> Result<()> {
    let mut uniform = xorshift(0x9E37_79B9_7F4A_7C15);
    let file = fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = BufWriter::new(file);
    write!(
        out,
        "{{\"device_position\": {{\"x\": 0.0, \"y\": 0.0, \"z\": 1.8}}, \"points\": ["
    )?;
    for idx in 0..n_points {
        let range = 2.0 + 78.0 * uniform();
        let azimuth = uniform() * std::f64::consts::TAU;
        let z = -1.8 + 4.0 * uniform();
        if idx > 0 {
            write!(out, ", ")?;
        }
        write!(
            out,
            "{{\"x\": {}, \"y\": {}, \"z\": {}, \"i\": {}, \"d\": 0, \"t\": {}, \"is_ground\": {}}}",
            crate::pyjson::float_repr(range * azimuth.cos()),
            crate::pyjson::float_repr(range * azimuth.sin()),
            crate::pyjson::float_repr(z),
            crate::pyjson::float_repr((uniform() * 1000.0).round() / 1000.0),
            1_700_000_000_000_000_000u64 + idx as u64 * 1000,
            z < -1.7,
        )?;
    }
    write!(out, "]}}")?;
    out.flush()?;
    Ok(())
}

/// Reads a point-cloud file the way `nucleus render` does (`stream`: `for_each_point` on the
/// open file) or as `serde_json::Value` (`value`: the whole file read, then `from_slice`).
fn pointcloud(implementation: &str, path: &Path) -> Result<()> {
    let n_bytes = fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .len();
    match implementation {
        "stream" => timed(
            || -> Result<usize> {
                // As `render` does: the open file, each point's position kept.
                let file = fs::File::open(path)?;
                let mut positions = Vec::new();
                nucleus_model::pointcloud::for_each_point(file, |point| {
                    positions.push(point.position());
                    std::ops::ControlFlow::Continue(())
                })?;
                Ok(positions.len())
            },
            |result| match result {
                Ok(points) => json!({ "items": points, "bytes": n_bytes }),
                Err(error) => json!({ "error": error.to_string() }),
            },
        ),
        "value" => timed(
            || -> Result<usize> {
                let bytes = fs::read(path)?;
                let value: Value = serde_json::from_slice(&bytes)?;
                Ok(value
                    .get("points")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len))
            },
            |result| match result {
                Ok(points) => json!({ "items": points, "bytes": n_bytes }),
                Err(error) => json!({ "error": error.to_string() }),
            },
        ),
        other => bail!("pointcloud: `{other}`: expected stream or value"),
    }
}
