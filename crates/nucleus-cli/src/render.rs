//! `nucleus render`: draw a frame's lidar points and cuboids into a camera image.

use std::fs::{self, File};
use std::io::{self, BufReader, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ExtendedColorType, ImageEncoder};
use nucleus::annotation::draw::draw_2d;
use nucleus::annotation::{AnnotationType, Role, read_annotation_line};
use nucleus::camera::overlay::{Canvas, PointStyle, Rgb};
use nucleus::camera::{CameraParams, Cuboid, Point3D};
use nucleus::media::{MediaError, MediaFile, Resolver};
use nucleus::model::pointcloud;
use nucleus::model::scene::{SceneReading, read_scene_line};
use nucleus::model::{DatasetItem, DatasetItemType, Scene, cuboids, json};
use serde_json::Value;

use crate::output::AtomicFile;
use crate::{EXIT_CLEAN, EXIT_FINDINGS};

/// Draw lidar points (coloured by depth), cuboid wireframes and 2D annotations into a camera
/// image.
///
/// From a scene (`--scene`, JSON Lines of lidar scenes as the SDK's `LidarScene.to_payload`
/// writes them): the frame's point cloud and the cuboids annotated on it are projected with the
/// camera's `metadata.camera_params`. Or from one camera item (`--item`) with `--pointcloud` and
/// `--cuboids` given directly. With `--annotations`, the boxes, polygons, lines and keypoints
/// (with their skeleton) on the camera item are drawn too, in its pixel coordinates; an item
/// without `camera_params` can have only these drawn.
///
/// The drawing goes over the camera image when it is a local file (PNG or JPEG; remote URLs are
/// looked up under `--media-dir`), or else on a blank canvas of the camera's size:
/// `--width`/`--height`, else the item's width and height, else twice the principal point. Points behind the
/// camera are never drawn; cuboid edges crossing the camera plane are clipped, not dropped.
/// The output is PNG, or JPEG when the file name ends in .jpg or .jpeg.
///
/// Exit status: 0 drawn, 1 the scene has errors (printed on standard error, nothing drawn),
/// 2 could not run (no such frame or camera, unreadable file).
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  nucleus render --scene examples/scene/scene.jsonl --cuboids examples/scene/cuboids.jsonl \\
      --media-dir examples/scene/media --frame 0 --camera front -o front.png
  nucleus render --item cam.json --pointcloud lidar.json --cuboids boxes.jsonl --blank -o out.png
  nucleus render --item photo.json --annotations boxes.jsonl -o photo-boxes.png")]
pub struct RenderArgs {
    /// Scenes file: JSON Lines of lidar scenes (or one scene as a JSON file).
    #[arg(long, value_name = "FILE", required_unless_present = "item")]
    scene: Option<PathBuf>,

    /// Which scene of the file, by reference id [default: the first].
    #[arg(long, value_name = "ID", requires = "scene")]
    scene_id: Option<String>,

    /// Frame index in the scene.
    #[arg(long, value_name = "N", default_value_t = 0, requires = "scene")]
    frame: usize,

    /// Camera sensor of the frame [default: the first image with camera_params].
    #[arg(long, value_name = "SENSOR", requires = "scene")]
    camera: Option<String>,

    /// Instead of a scene: one camera image item (JSON with metadata.camera_params).
    #[arg(long, value_name = "FILE", conflicts_with = "scene")]
    item: Option<PathBuf>,

    /// Point-cloud file ({"points": [{"x", "y", "z", ...}]}); overrides the scene frame's.
    #[arg(long, value_name = "FILE")]
    pointcloud: Option<PathBuf>,

    /// Cuboids: JSON Lines of the SDK's cuboid annotations ({"type": "cuboid", "geometry":
    /// {position, dimensions, yaw}, "reference_id", ...}) or bare {position, dimensions, yaw}.
    /// With --scene, only cuboids on the frame's point cloud (or without reference_id) are drawn.
    #[arg(long, value_name = "FILE")]
    cuboids: Option<PathBuf>,

    /// 2D annotations: JSON Lines of the SDK's annotations (box, polygon, line, keypoints with
    /// their skeleton); those on the camera item (its reference_id) are drawn, one colour per
    /// label (listed on standard error). Other types and lines with errors are skipped. The
    /// item needs no camera_params for these.
    #[arg(long, value_name = "FILE")]
    annotations: Option<PathBuf>,

    /// Local mirror of remote media: s3://bucket/a/b.png is read from DIR/a/b.png.
    #[arg(long, value_name = "DIR")]
    media_dir: Option<PathBuf>,

    /// Draw on a blank canvas even when the camera image is available.
    #[arg(long)]
    blank: bool,

    /// Canvas width when there is no image [default: the item's width, else 2·cx].
    #[arg(long, value_name = "PIXELS")]
    width: Option<u32>,

    /// Canvas height when there is no image [default: the item's height, else 2·cy].
    #[arg(long, value_name = "PIXELS")]
    height: Option<u32>,

    /// Points are squares of 2·R+1 pixels.
    #[arg(long, value_name = "R", default_value_t = 1)]
    point_radius: u32,

    /// Width of cuboid edges in pixels.
    #[arg(long, value_name = "PIXELS", default_value_t = 3)]
    line_width: u32,

    /// Depths (metres along the optical axis) mapped to red and blue [default: of the points drawn].
    #[arg(long, value_name = "NEAR,FAR", value_parser = parse_depth_range)]
    depth_range: Option<(f64, f64)>,

    /// Output image (.png, .jpg or .jpeg).
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
}

/// Cuboid colours, one per cuboid in turn: distinct from the red → blue depth scale's middle.
const PALETTE: [Rgb; 6] = [
    [0, 255, 80],
    [255, 230, 0],
    [255, 0, 255],
    [0, 255, 255],
    [255, 255, 255],
    [255, 128, 0],
];

/// Background of a blank canvas.
const BLANK: Rgb = [24, 24, 24];

/// What to draw: the camera, where its image and point cloud are, which cuboids.
struct Plan {
    item: DatasetItem,
    /// The camera's calibration; only 2D annotations are drawn without one.
    camera: Option<CameraParams>,
    sensor: String,
    /// The scene frame's point cloud, when its file is here.
    pointcloud: Option<MediaFile>,
    /// Why the scene frame's point cloud is not drawn, when it is not here.
    pointcloud_note: Option<String>,
    /// Draw only cuboids on this reference id (and those without one).
    cuboid_reference_id: Option<String>,
}

pub fn run(args: &RenderArgs) -> anyhow::Result<u8> {
    let mut stderr = io::stderr().lock();
    let resolver = match &args.media_dir {
        Some(dir) => Resolver::with_mirror(dir)
            .with_context(|| format!("cannot use --media-dir {}", dir.display()))?,
        None => Resolver::new(),
    };
    let plan = match (&args.scene, &args.item) {
        (Some(path), _) => match plan_from_scene(args, path, &resolver, &mut stderr)? {
            Some(plan) => plan,
            None => return Ok(EXIT_FINDINGS),
        },
        (None, Some(path)) => plan_from_item(args, path)?,
        (None, None) => bail!("give --scene or --item"),
    };

    let image_file = if args.blank {
        None
    } else {
        match resolver.locate(plan.item.location()) {
            Ok(file) => file,
            // No image here: a blank canvas, as for a remote image without --media-dir.
            Err(MediaError::Missing { .. }) => None,
            Err(error) => {
                writeln!(
                    stderr,
                    "nucleus: warning: camera image {}: {error}; drawing on a blank canvas",
                    quoted(plan.item.location().as_str())
                )?;
                None
            }
        }
    };
    let mut canvas = match image_file {
        Some(file) => {
            let path = file.path();
            let opened = file
                .open()
                .with_context(|| format!("cannot open image {}", path.display()))?;
            let image = image::ImageReader::new(BufReader::new(opened))
                .with_guessed_format()?
                .decode()
                .with_context(|| format!("cannot decode image {}", path.display()))?
                .to_rgb8();
            let (width, height) = image.dimensions();
            let expected = (plan.item.width(), plan.item.height());
            if let (Some(w), Some(h)) = expected
                && (w.get() != u64::from(width) || h.get() != u64::from(height))
            {
                writeln!(
                    stderr,
                    "nucleus: warning: image {} is {width}x{height} but the item says {w}x{h}",
                    path.display()
                )?;
            }
            Canvas::from_rgb(width, height, image.into_raw())?
        }
        None => {
            let (width, height) = canvas_size(args, &plan)?;
            Canvas::new(width, height, BLANK)?
        }
    };

    let mut n_points = 0usize;
    let mut n_drawn = 0usize;
    let pointcloud = match (&args.pointcloud, &plan.pointcloud) {
        (Some(path), _) => Some((
            path.clone(),
            File::open(path)
                .with_context(|| format!("cannot open point cloud {}", path.display()))?,
        )),
        (None, Some(file)) => Some((
            file.path().to_owned(),
            file.open()
                .with_context(|| format!("cannot open point cloud {}", file.path().display()))?,
        )),
        (None, None) => None,
    };
    match (pointcloud, &plan.pointcloud_note) {
        (Some((path, file)), _) => {
            let points = read_positions(&path, file)?;
            n_points = points.len();
            let mut style = PointStyle::default().with_radius(args.point_radius);
            if let Some((near, far)) = args.depth_range {
                style = style.with_depth_range(near, far);
            }
            n_drawn =
                needs_camera(&plan, "--pointcloud")?.draw_points(&mut canvas, &points, &style);
        }
        (None, Some(note)) if args.pointcloud.is_none() => {
            writeln!(stderr, "nucleus: warning: {note}; drawing cuboids only")?;
        }
        (None, _) => {}
    }

    let mut n_cuboids = 0usize;
    let mut n_cuboids_drawn = 0usize;
    if let Some(path) = &args.cuboids {
        let cuboids = read_cuboids(path, plan.cuboid_reference_id.as_deref())?;
        let camera = needs_camera(&plan, "--cuboids")?;
        n_cuboids = cuboids.len();
        for (idx, cuboid) in cuboids.iter().enumerate() {
            let color = PALETTE
                .get(idx % PALETTE.len())
                .copied()
                .unwrap_or([0, 255, 0]);
            if camera.draw_cuboid(&mut canvas, cuboid, color, args.line_width) > 0 {
                n_cuboids_drawn += 1;
            }
        }
    }

    let mut n_annotations = 0usize;
    if let Some(path) = &args.annotations {
        n_annotations = draw_annotations(
            path,
            plan.item.reference_id().as_str(),
            &mut canvas,
            args.line_width,
            &mut stderr,
        )?;
    }

    write_image(&args.output, &canvas)?;
    let model = plan.camera.as_ref().map_or_else(
        || "no camera_params".to_owned(),
        |camera| camera.model().to_string(),
    );
    let annotations = if args.annotations.is_some() {
        format!(", {n_annotations} 2D annotations")
    } else {
        String::new()
    };
    writeln!(
        stderr,
        "{}: camera {} ({model}), {}x{}: {n_drawn} of {n_points} points, {n_cuboids_drawn} of {n_cuboids} cuboids in view{annotations}",
        args.output.display(),
        quoted(&plan.sensor),
        canvas.width(),
        canvas.height(),
    )?;
    Ok(EXIT_CLEAN)
}

fn plan_from_scene(
    args: &RenderArgs,
    path: &Path,
    resolver: &Resolver,
    stderr: &mut impl Write,
) -> anyhow::Result<Option<Plan>> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let name = path.display().to_string();
    let readings: Vec<(u64, SceneReading)> = match json::parse(&text) {
        // One scene, possibly pretty-printed over many lines.
        Ok(value) => vec![(1, nucleus::model::read_scene(value))],
        Err(_) => text
            .lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(idx, line)| (idx as u64 + 1, read_scene_line(line)))
            .collect(),
    };
    let wanted = readings
        .into_iter()
        .find(|(_, reading)| match &args.scene_id {
            None => true,
            Some(id) => reading
                .scene
                .as_ref()
                .is_some_and(|scene| scene.reference_id().as_str() == id),
        });
    let Some((line, reading)) = wanted else {
        match &args.scene_id {
            Some(id) => bail!("no valid scene with reference_id {id:?} in {name}"),
            None => bail!("{name} holds no scene"),
        }
    };
    for diagnostic in &reading.diagnostics {
        writeln!(stderr, "{name}:{line}: {diagnostic}")?;
    }
    let Some(scene) = reading.scene else {
        writeln!(stderr, "nucleus: the scene has errors; nothing rendered")?;
        return Ok(None);
    };
    let Scene::Lidar(scene) = scene else {
        bail!(
            "scene {} is a video scene; render needs a lidar scene",
            scene.reference_id()
        );
    };
    let n_frames = scene.frames().len();
    let Some(frame) = scene.frame(args.frame) else {
        bail!(
            "scene {} has {n_frames} frames (0 to {}); there is no frame {}",
            scene.reference_id(),
            n_frames.saturating_sub(1),
            args.frame
        );
    };
    let cameras: Vec<&str> = frame
        .iter()
        .filter(|(_, item)| item.item_type() == DatasetItemType::Image)
        .map(|(sensor, _)| sensor)
        .collect();
    let (sensor, item) = match &args.camera {
        Some(sensor) => match frame.item(sensor) {
            Some(item) if item.item_type() == DatasetItemType::Image => (sensor.as_str(), item),
            Some(_) => bail!(
                "sensor {sensor:?} of frame {} is not a camera image",
                args.frame
            ),
            None => bail!(
                "frame {} has no sensor {sensor:?}; its cameras are {cameras:?}",
                args.frame
            ),
        },
        None => frame
            .iter()
            .find(|(_, item)| {
                item.item_type() == DatasetItemType::Image
                    && matches!(item.camera_params(), Ok(Some(_)))
            })
            .with_context(|| format!("frame {} has no camera with camera_params", args.frame))?,
    };
    let camera = item
        .camera_params()?
        .with_context(|| format!("camera {sensor:?} has no metadata.camera_params"))?;
    let (pointcloud, pointcloud_note, cuboid_reference_id) = match frame.pointcloud() {
        Some((_, cloud)) => {
            let location = quoted(cloud.location().as_str());
            let (file, note) = match resolver.locate(cloud.location()) {
                Ok(Some(file)) => (Some(file), None),
                Ok(None) => (
                    None,
                    Some(format!(
                        "point cloud {location} is not a local file (give --media-dir for remote ones)"
                    )),
                ),
                Err(error) => (None, Some(format!("point cloud {location}: {error}"))),
            };
            (file, note, Some(cloud.reference_id().as_str().to_owned()))
        }
        None => (None, None, None),
    };
    Ok(Some(Plan {
        item: item.clone(),
        camera: Some(camera),
        sensor: sensor.to_owned(),
        pointcloud,
        pointcloud_note,
        cuboid_reference_id,
    }))
}

fn plan_from_item(args: &RenderArgs, path: &Path) -> anyhow::Result<Plan> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let first = text
        .lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("");
    let item = DatasetItem::from_json(&text)
        .or_else(|_| DatasetItem::from_json(first))
        .with_context(|| format!("{} is not a dataset item", path.display()))?;
    let camera = item.camera_params()?;
    if camera.is_none() && args.annotations.is_none() {
        bail!("{} has no metadata.camera_params", path.display());
    }
    if args.pointcloud.is_none() && args.cuboids.is_none() && args.annotations.is_none() {
        bail!("nothing to draw: give --pointcloud, --cuboids and/or --annotations with --item");
    }
    Ok(Plan {
        sensor: item.reference_id().as_str().to_owned(),
        item,
        camera,
        pointcloud: None,
        pointcloud_note: None,
        cuboid_reference_id: None,
    })
}

fn canvas_size(args: &RenderArgs, plan: &Plan) -> anyhow::Result<(u32, u32)> {
    let from_item =
        |value: Option<std::num::NonZeroU64>| value.and_then(|v| u32::try_from(v.get()).ok());
    let from_centre = |centre: f64| {
        let size = (2.0 * centre).round();
        // In range, so the conversion is exact.
        (size >= 1.0 && size <= f64::from(u32::MAX)).then_some(size as u32)
    };
    let width = args
        .width
        .or_else(|| from_item(plan.item.width()))
        .or_else(|| {
            plan.camera
                .as_ref()
                .and_then(|camera| from_centre(camera.cx()))
        });
    let height = args
        .height
        .or_else(|| from_item(plan.item.height()))
        .or_else(|| {
            plan.camera
                .as_ref()
                .and_then(|camera| from_centre(camera.cy()))
        });
    match (width, height) {
        (Some(width), Some(height)) if width <= 16384 && height <= 16384 => Ok((width, height)),
        (Some(width), Some(height)) => {
            bail!(
                "canvas {width}x{height} is larger than 16384 pixels a side; give --width and --height"
            )
        }
        _ => bail!("cannot tell the image size: give --width and --height"),
    }
}

/// The camera of `plan`, which `flag` needs.
fn needs_camera<'a>(plan: &'a Plan, flag: &str) -> anyhow::Result<&'a CameraParams> {
    plan.camera.as_ref().with_context(|| {
        format!(
            "{flag} needs the camera's metadata.camera_params, and {} has none",
            quoted(plan.item.reference_id().as_str())
        )
    })
}

/// Draws the 2D annotations of `path` on `reference_id` (one palette colour per label, in the
/// order labels first appear; the legend goes to `stderr`); lines with errors are skipped with
/// a warning. Returns how many were drawn.
fn draw_annotations(
    path: &Path,
    reference_id: &str,
    canvas: &mut Canvas,
    line_width: u32,
    stderr: &mut impl Write,
) -> anyhow::Result<usize> {
    let text = fs::read_to_string(path)
        .with_context(|| format!("cannot read annotations {}", path.display()))?;
    let mut labels: Vec<String> = Vec::new();
    let mut n_drawn = 0usize;
    for (idx, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let reading = read_annotation_line(line, Role::Annotation);
        let Some(annotation) = reading.annotation else {
            if let Some(error) = reading.diagnostics.iter().find(|d| d.is_error()) {
                writeln!(
                    stderr,
                    "nucleus: warning: {}:{}: not drawn: {error}",
                    path.display(),
                    idx + 1
                )?;
            }
            continue;
        };
        let drawable = matches!(
            annotation.annotation_type(),
            AnnotationType::Box
                | AnnotationType::Line
                | AnnotationType::Polygon
                | AnnotationType::Keypoints
        );
        if !drawable || annotation.reference_id.as_ref().map(|id| id.as_str()) != Some(reference_id)
        {
            continue;
        }
        let label = annotation.shape.label().unwrap_or_default();
        let slot = match labels.iter().position(|seen| seen == label) {
            Some(slot) => slot,
            None => {
                labels.push(label.to_owned());
                labels.len() - 1
            }
        };
        let color = PALETTE
            .get(slot % PALETTE.len())
            .copied()
            .unwrap_or([0, 255, 0]);
        if draw_2d(canvas, &annotation, color, line_width) {
            n_drawn += 1;
        }
    }
    for (slot, label) in labels.iter().enumerate() {
        let [r, g, b] = PALETTE
            .get(slot % PALETTE.len())
            .copied()
            .unwrap_or([0, 255, 0]);
        writeln!(stderr, "  #{r:02x}{g:02x}{b:02x} {}", quoted(label))?;
    }
    Ok(n_drawn)
}

/// The point positions of a point-cloud file, streamed (the file is never held whole).
fn read_positions(path: &Path, file: File) -> anyhow::Result<Vec<Point3D>> {
    let mut positions = Vec::new();
    pointcloud::for_each_point(file, |point| {
        positions.push(point.position());
        ControlFlow::Continue(())
    })
    .with_context(|| format!("cannot read point cloud {}", path.display()))?;
    Ok(positions)
}

/// Cuboids of a JSON Lines file, keeping those on `reference_id` (and those without one).
fn read_cuboids(path: &Path, reference_id: Option<&str>) -> anyhow::Result<Vec<Cuboid>> {
    let text = fs::read_to_string(path)
        .with_context(|| format!("cannot read cuboids {}", path.display()))?;
    cuboids::read_cuboids(&text, reference_id).map_err(|error| {
        anyhow::Error::new(error.error).context(format!("{}:{}", path.display(), error.line))
    })
}

/// Encodes the canvas into `path` (whole or not at all, like every file the CLI writes).
fn write_image(path: &Path, canvas: &Canvas) -> anyhow::Result<()> {
    let mut out = AtomicFile::create(path)?;
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let (width, height, rgb) = (canvas.width(), canvas.height(), canvas.as_rgb());
    match extension.as_deref() {
        Some("jpg" | "jpeg") => JpegEncoder::new_with_quality(&mut out, 90).write_image(
            rgb,
            width,
            height,
            ExtendedColorType::Rgb8,
        ),
        _ => PngEncoder::new_with_quality(&mut out, CompressionType::Best, FilterType::Adaptive)
            .write_image(rgb, width, height, ExtendedColorType::Rgb8),
    }
    .with_context(|| format!("cannot write {}", path.display()))?;
    out.commit()
}

fn parse_depth_range(text: &str) -> Result<(f64, f64), String> {
    let (near, far) = text
        .split_once(',')
        .ok_or_else(|| format!("expected NEAR,FAR in metres, found {text:?}"))?;
    let near: f64 = near
        .trim()
        .parse()
        .map_err(|e| format!("near {near:?}: {e}"))?;
    let far: f64 = far
        .trim()
        .parse()
        .map_err(|e| format!("far {far:?}: {e}"))?;
    if near.is_finite() && far.is_finite() && near < far {
        Ok((near, far))
    } else {
        Err(format!("expected finite NEAR < FAR, found {near},{far}"))
    }
}

fn quoted(text: &str) -> String {
    Value::String(text.to_owned()).to_string()
}
