//! Rules across files: annotations against the items they annotate, and against each other.
//!
//! The check runs in two passes, each in bounded memory:
//!
//! 1. **Items** ([`ItemIndex::read`]): item files and scene files (a line with `frames` or
//!    `video_url` is a scene) are streamed, and of each item only what the rules need is kept:
//!    its reference id, its type, its `width`/`height`, and for a point cloud of a lidar scene
//!    the cameras of its frame (the frame's images with a valid `metadata.camera_params`),
//!    stored once per frame. A scene keeps its reference id (scene categories name it). An
//!    item line that cannot be read keeps its reference id when it has one, so its annotations
//!    are not reported as dangling; its own findings are `nucleus check`'s business.
//! 2. **Annotations** ([`check_annotations`]): streamed in line order, each read with every
//!    rule of [`crate::read`] and [`crate::rules`], then checked against the index in
//!    parallel ([`check_against_items`]: the reference resolves, the annotation suits the item's
//!    type, 2D geometry lies inside the image, a camera of the frame sees a cuboid), then
//!    against the annotations before it on one thread ([`AnnotationState`]: `annotation_id`
//!    unique per item, one segmentation per item, one label per `track_reference_id`, labels
//!    that differ only by case or spacing). The state keeps 16-byte fingerprints of
//!    (item, annotation id) and (track) pairs, not the strings, and the distinct labels.
//!
//! With a [`MaskReader`] ([`check_annotations_with`], [`AnnotationCheck::masks`]) each
//! segmentation's mask header is read on the workers too ([`check_mask`]): found, a PNG, of its
//! item's `width`/`height`. This crate opens no file; the CLI reads headers with nucleus-media.
//!
//! Memory is the index (estimated, not yet measured: some 80 bytes per item, the reference id
//! and a 16-byte record in a hash table), the state (some 40 bytes per annotation with an id or
//! a track, plus the distinct labels, at most [`MAX_TRACKED_LABELS`]) and the stream's batches,
//! whatever the size of the annotation files.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;
use std::io::{self, Read};
use std::ops::ControlFlow;

use nucleus_camera::{CameraParams, Cuboid, Pixel, Point3D, Vector3};
use nucleus_lines::{Event, StreamConfig, for_each_line};
use nucleus_model::diagnostic::{Code, Diagnostic};
use nucleus_model::read::quoted;
use nucleus_model::scene::{SceneKind, scene_kind};
use nucleus_model::{DatasetItem, DatasetItemType, Metadata, json, read_item};
use serde_json::{Number, Value};

use crate::read::read_annotation_line;
use crate::types::{Annotation, AnnotationType, Role, Shape};

type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// An item as the index keeps it: reference id, dataset item id, facts.
type Indexed = (Box<str>, Option<Box<str>>, ItemFacts);

/// Distinct labels (after folding case and spacing) the label rules follow; labels first seen
/// after this many are not compared. Real taxonomies have tens to thousands of labels.
pub const MAX_TRACKED_LABELS: usize = 1 << 16;

/// What the check knows of one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemFacts {
    item_type: Option<DatasetItemType>,
    /// 0 when unknown.
    width: u32,
    /// 0 when unknown.
    height: u32,
    /// Index into [`ItemIndex::frames`] for a point cloud in a lidar scene, `u32::MAX` else.
    frame: u32,
}

impl ItemFacts {
    /// Facts of a readable item (its frame, if any, is set when a scene is indexed).
    #[must_use]
    pub fn of(item: &DatasetItem) -> ItemFacts {
        let dimension = |d: Option<std::num::NonZeroU64>| {
            d.and_then(|d| u32::try_from(d.get()).ok()).unwrap_or(0)
        };
        ItemFacts {
            item_type: Some(item.item_type()),
            width: dimension(item.width()),
            height: dimension(item.height()),
            frame: u32::MAX,
        }
    }

    /// Facts of an item whose line could not be read: only that it exists.
    #[must_use]
    pub fn unknown() -> ItemFacts {
        ItemFacts {
            item_type: None,
            width: 0,
            height: 0,
            frame: u32::MAX,
        }
    }

    /// Image or point cloud; `None` when the item's line could not be read.
    #[must_use]
    pub fn item_type(&self) -> Option<DatasetItemType> {
        self.item_type
    }

    /// The image's `width` and `height` in pixels, when both are known.
    #[must_use]
    pub fn dimensions(&self) -> Option<(u32, u32)> {
        (self.width > 0 && self.height > 0).then_some((self.width, self.height))
    }
}

/// A camera of a lidar frame: where it is and how large its image is.
#[derive(Debug, Clone, PartialEq)]
pub struct SceneCamera {
    sensor: Box<str>,
    params: CameraParams,
    width: f64,
    height: f64,
}

impl SceneCamera {
    /// The camera of an image item with valid `metadata.camera_params`, named by its sensor.
    /// The image size is the item's `width`/`height`, else twice the principal point.
    #[must_use]
    pub fn of(sensor: &str, item: &DatasetItem) -> Option<SceneCamera> {
        if item.item_type() != DatasetItemType::Image {
            return None;
        }
        let params = CameraParams::from_json(item.metadata().get(Metadata::CAMERA_PARAMS)?).ok()?;
        let (width, height) = match (item.width(), item.height()) {
            (Some(width), Some(height)) => (width.get() as f64, height.get() as f64),
            _ => (2.0 * params.cx(), 2.0 * params.cy()),
        };
        Some(SceneCamera {
            sensor: sensor.into(),
            params,
            width,
            height,
        })
    }

    /// The sensor name of the camera in its frame.
    #[must_use]
    pub fn sensor(&self) -> &str {
        &self.sensor
    }

    /// Whether some edge of `cuboid` projects into this camera's image: an edge clipped at the
    /// near plane and within the lens model's monotonic radius
    /// ([`CameraParams::cuboid_segments`], what a renderer draws) crosses the image rectangle.
    #[must_use]
    pub fn sees(&self, cuboid: &Cuboid) -> bool {
        self.params
            .cuboid_segments(cuboid)
            .iter()
            .any(|&(from, to)| segment_meets_rectangle(from, to, self.width, self.height))
    }
}

/// Liang–Barsky: whether the segment `from`–`to` meets [0, width] × [0, height].
fn segment_meets_rectangle(from: Pixel, to: Pixel, width: f64, height: f64) -> bool {
    let (dx, dy) = (to.x - from.x, to.y - from.y);
    let mut t_min: f64 = 0.0;
    let mut t_max: f64 = 1.0;
    for (p, q) in [
        (-dx, from.x),
        (dx, width - from.x),
        (-dy, from.y),
        (dy, height - from.y),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return false;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t_min = t_min.max(t);
            } else {
                t_max = t_max.min(t);
            }
        }
    }
    t_min <= t_max
}

/// What the check keeps of the items: reference id → [`ItemFacts`], the cameras of each lidar
/// frame, the scenes' reference ids.
#[derive(Debug, Clone, Default)]
pub struct ItemIndex {
    items: FastMap<Box<str>, ItemFacts>,
    by_dataset_item_id: FastMap<Box<str>, ItemFacts>,
    scenes: FastMap<Box<str>, ()>,
    frames: Vec<Box<[SceneCamera]>>,
    n_unreadable: u64,
}

/// What one item or scene line contributes to an [`ItemIndex`] (from [`index_line`]).
#[derive(Debug, Clone, PartialEq)]
pub struct IndexEntry {
    scene: Option<Box<str>>,
    /// Items outside lidar frames.
    items: Vec<Indexed>,
    /// Lidar frames: their items and cameras.
    frames: Vec<FrameEntry>,
    unreadable: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct FrameEntry {
    items: Vec<Indexed>,
    cameras: Vec<SceneCamera>,
}

/// Reads one line of an item or scene file into what the index keeps (the parallel half of
/// [`ItemIndex::read`]).
#[must_use]
pub fn index_line(text: &str) -> IndexEntry {
    let mut entry = IndexEntry {
        scene: None,
        items: Vec::new(),
        frames: Vec::new(),
        unreadable: false,
    };
    let Ok(Value::Object(mut object)) = json::parse(text) else {
        entry.unreadable = true;
        return entry;
    };
    if !object.contains_key("frames") && !object.contains_key("video_url") {
        entry
            .items
            .extend(item_facts(Value::Object(object), &mut entry.unreadable));
        return entry;
    }
    let kind = scene_kind(&object);
    entry.scene = object
        .get("reference_id")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .map(Box::from);
    let Some(Value::Array(frames)) = object.remove("frames") else {
        return entry;
    };
    for frame in frames {
        match (kind, frame) {
            (SceneKind::Lidar, Value::Object(sensors)) => {
                let mut frame_entry = FrameEntry {
                    items: Vec::new(),
                    cameras: Vec::new(),
                };
                for (sensor, value) in sensors {
                    let (item, facts) = read_facts(value);
                    if let Some(camera) = item.and_then(|item| SceneCamera::of(&sensor, &item)) {
                        frame_entry.cameras.push(camera);
                    }
                    entry.unreadable |=
                        facts.is_none() || facts.as_ref().is_some_and(|f| f.2.item_type.is_none());
                    frame_entry.items.extend(facts);
                }
                entry.frames.push(frame_entry);
            }
            (SceneKind::Video, item) => {
                entry.items.extend(item_facts(item, &mut entry.unreadable));
            }
            (SceneKind::Lidar, _) => entry.unreadable = true,
        }
    }
    entry
}

/// The item of one item value, and its reference id, dataset item id and facts (or, when it
/// cannot be read, its reference id alone, if it has one).
fn read_facts(value: Value) -> (Option<DatasetItem>, Option<Indexed>) {
    // As the SDK: `ref_id`, when present, wins over `reference_id`.
    let raw_id = value.as_object().and_then(|object| {
        object
            .get("ref_id")
            .or_else(|| object.get("reference_id"))
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
            .map(Box::<str>::from)
    });
    match read_item(value).item {
        Some(item) => {
            let facts = (
                item.reference_id().as_str().into(),
                item.dataset_item_id().map(Box::from),
                ItemFacts::of(&item),
            );
            (Some(item), Some(facts))
        }
        None => (None, raw_id.map(|id| (id, None, ItemFacts::unknown()))),
    }
}

/// [`read_facts`] of an item outside a lidar frame, noting an unreadable one.
fn item_facts(value: Value, unreadable: &mut bool) -> Option<Indexed> {
    let (item, facts) = read_facts(value);
    *unreadable |= item.is_none();
    facts
}

impl ItemIndex {
    /// An empty index.
    #[must_use]
    pub fn new() -> ItemIndex {
        ItemIndex::default()
    }

    /// Streams item and scene files (JSON Lines; a line with `frames` or `video_url` is a
    /// scene) into an index, in parallel.
    ///
    /// # Errors
    ///
    /// The readers' I/O errors.
    pub fn read<R: Read + Send>(
        inputs: impl IntoIterator<Item = R>,
        config: &StreamConfig,
    ) -> io::Result<ItemIndex> {
        let mut index = ItemIndex::new();
        for reader in inputs {
            for_each_line(
                reader,
                config,
                |_, text| index_line(text),
                |event| {
                    match event {
                        Event::Line {
                            result: Ok(entry), ..
                        } => index.insert(entry),
                        Event::Line { result: Err(_), .. } => index.n_unreadable += 1,
                        Event::Progress(_) => {}
                    }
                    ControlFlow::Continue(())
                },
            )?;
        }
        Ok(index)
    }

    /// Adds what one line contributed; the first item of a reference id wins.
    pub fn insert(&mut self, entry: IndexEntry) {
        if entry.unreadable {
            self.n_unreadable += 1;
        }
        if let Some(scene) = entry.scene {
            self.scenes.entry(scene).or_insert(());
        }
        for (reference_id, dataset_item_id, facts) in entry.items {
            self.add(reference_id, dataset_item_id, facts);
        }
        for frame in entry.frames {
            let frame_idx = if frame.cameras.is_empty() {
                u32::MAX
            } else {
                match u32::try_from(self.frames.len()) {
                    Ok(idx) if idx < u32::MAX => {
                        self.frames.push(frame.cameras.into_boxed_slice());
                        idx
                    }
                    _ => u32::MAX,
                }
            };
            for (reference_id, dataset_item_id, mut facts) in frame.items {
                if facts.item_type == Some(DatasetItemType::Pointcloud) {
                    facts.frame = frame_idx;
                }
                self.add(reference_id, dataset_item_id, facts);
            }
        }
    }

    /// Adds one item (the first item of a reference id wins).
    pub fn add_item(&mut self, item: &DatasetItem) {
        self.add(
            item.reference_id().as_str().into(),
            item.dataset_item_id().map(Box::from),
            ItemFacts::of(item),
        );
    }

    fn add(&mut self, reference_id: Box<str>, dataset_item_id: Option<Box<str>>, facts: ItemFacts) {
        if let Some(id) = dataset_item_id {
            self.by_dataset_item_id.entry(id).or_insert(facts);
        }
        self.items.entry(reference_id).or_insert(facts);
    }

    /// The facts of the item `reference_id`.
    #[must_use]
    pub fn item(&self, reference_id: &str) -> Option<&ItemFacts> {
        self.items.get(reference_id)
    }

    /// Whether `reference_id` names a scene.
    #[must_use]
    pub fn is_scene(&self, reference_id: &str) -> bool {
        self.scenes.contains_key(reference_id)
    }

    /// The cameras of the lidar frame of a point cloud (empty when it is in none, or its frame
    /// has no camera).
    #[must_use]
    pub fn cameras(&self, facts: &ItemFacts) -> &[SceneCamera] {
        usize::try_from(facts.frame)
            .ok()
            .and_then(|idx| self.frames.get(idx))
            .map_or(&[], |cameras| cameras)
    }

    /// The facts of the item `annotation` names (by `reference_id`, else `dataset_item_id`).
    #[must_use]
    pub fn facts_of(&self, annotation: &Annotation) -> Option<&ItemFacts> {
        match (&annotation.reference_id, &annotation.dataset_item_id) {
            (Some(reference_id), _) => self.item(reference_id.as_str()),
            (None, Some(dataset_item_id)) => self.by_dataset_item_id.get(dataset_item_id.as_str()),
            (None, None) => None,
        }
    }

    /// Number of distinct items.
    #[must_use]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether no item was indexed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Number of distinct scenes.
    #[must_use]
    pub fn n_scenes(&self) -> usize {
        self.scenes.len()
    }

    /// Lines that could not be read (entirely or in part): their items have no facts beyond
    /// the reference id.
    #[must_use]
    pub fn n_unreadable(&self) -> u64 {
        self.n_unreadable
    }
}

/// Appends the findings of `annotation` against the items: its reference resolves, it suits
/// its item's type, its 2D geometry lies inside the image, a camera of its frame sees a cuboid.
pub fn check_against_items(
    index: &ItemIndex,
    annotation: &Annotation,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let annotation_type = annotation.annotation_type();
    let facts = match (&annotation.reference_id, &annotation.dataset_item_id) {
        (Some(reference_id), _) => {
            let reference_id = reference_id.as_str();
            match index.item(reference_id) {
                Some(facts) => facts,
                None => {
                    let names_scene = index.is_scene(reference_id);
                    let is_category = matches!(
                        annotation_type,
                        AnnotationType::Category | AnnotationType::SceneCategory
                    );
                    if names_scene && is_category {
                        // A scene category: nothing more to check.
                        return;
                    }
                    let message = if names_scene {
                        format!(
                            "reference_id {} names a scene; only a category may annotate a scene, a {annotation_type} annotates one of its items",
                            quoted(reference_id)
                        )
                    } else {
                        let count = |n: usize, noun: &str| {
                            format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
                        };
                        format!(
                            "reference_id {} names no item of the items given ({} and {})",
                            quoted(reference_id),
                            count(index.len(), "item"),
                            count(index.n_scenes(), "scene")
                        )
                    };
                    diagnostics.push(Diagnostic::error(
                        Code::UnknownReferenceId,
                        "/reference_id",
                        message,
                    ));
                    return;
                }
            }
        }
        (None, Some(dataset_item_id)) => {
            // Items carry the server's ids only when exported from Nucleus; without any, a
            // prediction aimed by dataset_item_id cannot be checked.
            if index.by_dataset_item_id.is_empty() {
                return;
            }
            match index.by_dataset_item_id.get(dataset_item_id.as_str()) {
                Some(facts) => facts,
                None => {
                    diagnostics.push(Diagnostic::error(
                        Code::UnknownReferenceId,
                        "/dataset_item_id",
                        format!(
                            "dataset_item_id {} names no item of the items given",
                            quoted(dataset_item_id)
                        ),
                    ));
                    return;
                }
            }
        }
        (None, None) => return,
    };
    let reference = annotation
        .reference_id
        .as_ref()
        .map(|id| quoted(id.as_str()))
        .or_else(|| annotation.dataset_item_id.as_deref().map(quoted))
        .unwrap_or_default();
    match (annotation_type, facts.item_type) {
        (kind, Some(DatasetItemType::Pointcloud)) if kind.is_2d() => {
            diagnostics.push(Diagnostic::error(
                Code::WrongItemType,
                "/type",
                format!("a {kind} annotates an image, but item {reference} is a point cloud"),
            ));
            return;
        }
        (AnnotationType::Cuboid, Some(DatasetItemType::Image)) => {
            diagnostics.push(Diagnostic::error(
                Code::WrongItemType,
                "/type",
                format!(
                    "a cuboid annotates a point cloud, but item {reference} is an image; annotate the scene's lidar item"
                ),
            ));
            return;
        }
        _ => {}
    }
    if let Some((width, height)) = facts.dimensions() {
        check_inside_image(annotation, width, height, &reference, diagnostics);
    }
    if let Shape::Cuboid { geometry, .. } = &annotation.shape {
        let cameras = index.cameras(facts);
        let cuboid = Cuboid::new(
            Point3D::new(
                float(&geometry.position.x),
                float(&geometry.position.y),
                float(&geometry.position.z),
            ),
            Vector3::new(
                float(&geometry.dimensions.x),
                float(&geometry.dimensions.y),
                float(&geometry.dimensions.z),
            ),
            float(&geometry.yaw),
        );
        if let (Ok(cuboid), false) = (cuboid, cameras.is_empty())
            && !cameras.iter().any(|camera| camera.sees(&cuboid))
        {
            let names: Vec<&str> = cameras.iter().map(SceneCamera::sensor).collect();
            diagnostics.push(Diagnostic::warning(
                Code::CuboidNotVisible,
                "/geometry",
                format!(
                    "no camera of the frame of {reference} sees this cuboid ({}), so Nucleus cannot project it into any image",
                    names.join(", ")
                ),
            ));
        }
    }
}

fn float(number: &Number) -> f64 {
    number.as_f64().unwrap_or(f64::NAN)
}

fn check_inside_image(
    annotation: &Annotation,
    width: u32,
    height: u32,
    reference: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let (w, h) = (f64::from(width), f64::from(height));
    let inside = |x: f64, y: f64| (0.0..=w).contains(&x) && (0.0..=h).contains(&y);
    let image = format!("the {width} × {height} image of item {reference}");
    let mut outside = |path: String, what: String, n_more: usize| {
        let more = if n_more > 0 {
            format!(" (and {n_more} more)")
        } else {
            String::new()
        };
        diagnostics.push(Diagnostic::error(
            Code::OutsideImage,
            path,
            format!("{what} lies outside {image}{more}"),
        ));
    };
    match &annotation.shape {
        Shape::Box { geometry, .. } => {
            let (x, y) = (float(&geometry.x), float(&geometry.y));
            let (right, bottom) = (x + float(&geometry.width), y + float(&geometry.height));
            if !(inside(x, y) && inside(right, bottom)) {
                outside(
                    "/geometry".to_owned(),
                    format!(
                        "the box from ({}, {}) to ({right}, {bottom})",
                        geometry.x, geometry.y
                    ),
                    0,
                );
            }
        }
        Shape::Line { vertices, .. } | Shape::Polygon { vertices, .. } => {
            let mut offending = vertices
                .iter()
                .enumerate()
                .filter(|(_, point)| !inside(float(&point.x), float(&point.y)));
            if let Some((idx, point)) = offending.next() {
                outside(
                    format!("/geometry/vertices/{idx}"),
                    format!("vertex {idx} ({}, {})", point.x, point.y),
                    offending.count(),
                );
            }
        }
        Shape::Keypoints { geometry, .. } => {
            let mut offending = geometry
                .keypoints
                .iter()
                .enumerate()
                .filter_map(|(idx, keypoint)| match (&keypoint.x, &keypoint.y) {
                    (Some(x), Some(y)) if keypoint.visible => Some((idx, x, y)),
                    _ => None,
                })
                .filter(|(_, x, y)| !inside(float(x), float(y)));
            if let Some((idx, x, y)) = offending.next() {
                let name = geometry
                    .names
                    .get(idx)
                    .map(|name| format!(" {}", quoted(name)))
                    .unwrap_or_default();
                outside(
                    format!("/geometry/keypoints/{idx}"),
                    format!("visible keypoint {idx}{name} ({x}, {y})"),
                    offending.count(),
                );
            }
        }
        _ => {}
    }
}

/// What a segmentation mask's file header says, as a [`MaskReader`] reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct MaskHeader {
    /// The file format's name (`PNG`, `JPEG`, ...), for messages.
    pub format: &'static str,
    /// Whether the file is a PNG.
    pub is_png: bool,
    /// Width in pixels.
    pub width: u64,
    /// Height in pixels.
    pub height: u64,
}

impl MaskHeader {
    /// The header of a `format` file (a PNG when `is_png`) of `width` × `height` pixels.
    #[must_use]
    pub fn new(format: &'static str, is_png: bool, width: u64, height: u64) -> MaskHeader {
        MaskHeader {
            format,
            is_png,
            width,
            height,
        }
    }
}

/// Reads the header of a segmentation's mask. This crate opens no file: the caller implements
/// it (the CLI with `nucleus-media`: local paths, remote ones in a mirror, the header only).
pub trait MaskReader: Send + Sync {
    /// The header of the mask at `mask_url`: `Ok(None)` when its file is not on this machine
    /// (a remote location without a mirror).
    ///
    /// # Errors
    ///
    /// A finding at `pointer` saying why the file cannot be found or its header read.
    fn read_mask(&self, mask_url: &str, pointer: &str) -> Result<Option<MaskHeader>, Diagnostic>;
}

/// Appends the findings of a segmentation's mask (nothing for other annotations): its file is
/// found and its header read, it is a PNG, and it has the size of its item's image when
/// `image` (width, height) is known.
pub fn check_mask(
    reader: &dyn MaskReader,
    annotation: &Annotation,
    image: Option<(u32, u32)>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    const POINTER: &str = "/mask_url";
    let Shape::Segmentation { mask_url, .. } = &annotation.shape else {
        return;
    };
    let header = match reader.read_mask(mask_url, POINTER) {
        Ok(Some(header)) => header,
        Ok(None) => return,
        Err(finding) => {
            diagnostics.push(finding);
            return;
        }
    };
    let size = format!("{} × {}", header.width, header.height);
    if !header.is_png {
        diagnostics.push(Diagnostic::error(
            Code::MaskNotPng,
            POINTER,
            format!(
                "mask_url {} is a {size} {} image, not a PNG; Nucleus reads masks as PNG",
                quoted(mask_url),
                header.format
            ),
        ));
        return;
    }
    if let Some((width, height)) = image
        && (header.width, header.height) != (u64::from(width), u64::from(height))
    {
        let reference = annotation
            .reference_id
            .as_ref()
            .map(|id| quoted(id.as_str()))
            .or_else(|| annotation.dataset_item_id.as_deref().map(quoted))
            .unwrap_or_default();
        diagnostics.push(Diagnostic::error(
            Code::MaskSizeMismatch,
            POINTER,
            format!(
                "mask_url {} is a {size} PNG, but the image of item {reference} is {width} × {height}; a mask has the size of its image",
                quoted(mask_url)
            ),
        ));
    }
}

/// Where an annotation was read: the index of its file among the inputs and its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// Index of the file in the order the inputs were given.
    pub file: u32,
    /// 1-based line.
    pub line: u64,
}

/// The rules between annotations, applied in line order: `annotation_id` unique per item, one
/// segmentation per item, one label per `track_reference_id`, labels that differ only by case
/// or spacing.
#[derive(Debug, Clone, Default)]
pub struct AnnotationState {
    files: Vec<String>,
    ids: FastMap<u128, Place>,
    tracks: FastMap<u128, (u32, Place)>,
    /// Folded label → the spellings seen (index into `labels`).
    folded: FastMap<String, Vec<u32>>,
    /// Every distinct label seen, with its first place.
    labels: Vec<(String, Place)>,
    label_index: FastMap<String, u32>,
}

const SEED_LOW: u64 = 0x6e75_636c_6575_7331;
const SEED_HIGH: u64 = 0x616e_6e6f_7461_7465;

/// A 128-bit fingerprint of a tagged pair of strings. Two fixed seeds make it the same in every
/// run; a collision, which would merge two keys, has a probability near n² / 2¹²⁹.
fn fingerprint(tag: u8, first: &str, second: &str) -> u128 {
    let low = foldhash::quality::FixedState::with_seed(SEED_LOW).hash_one((tag, first, second));
    let high = foldhash::quality::FixedState::with_seed(SEED_HIGH).hash_one((tag, first, second));
    (u128::from(high) << 64) | u128::from(low)
}

/// Lowercase, with runs of whitespace made one space and the ends trimmed.
fn fold_label(label: &str) -> String {
    label
        .split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

impl AnnotationState {
    /// An empty state; `files` names the inputs for messages about another file.
    #[must_use]
    pub fn new(files: Vec<String>) -> AnnotationState {
        AnnotationState {
            files,
            ..AnnotationState::default()
        }
    }

    fn describe(&self, first: Place, now: Place) -> (String, Option<u64>) {
        if first.file == now.file {
            (format!("line {}", first.line), Some(first.line))
        } else {
            let file = usize::try_from(first.file)
                .ok()
                .and_then(|idx| self.files.get(idx))
                .map_or("another file", String::as_str);
            (format!("{file}:{}", first.line), None)
        }
    }

    fn finding(&self, diagnostic: Diagnostic, first: Place, now: Place) -> Diagnostic {
        let (_, related) = self.describe(first, now);
        let diagnostic = diagnostic.at_line(now.line);
        match related {
            Some(line) => diagnostic.with_related_line(line),
            None => diagnostic,
        }
    }

    /// The findings of `annotation`, read at `place`, against the annotations observed before.
    pub fn observe(&mut self, annotation: &Annotation, place: Place) -> Vec<Diagnostic> {
        let mut findings = Vec::new();
        let item = match (&annotation.reference_id, &annotation.dataset_item_id) {
            (Some(reference_id), _) => Some((0_u8, reference_id.as_str())),
            (None, Some(dataset_item_id)) => Some((1_u8, dataset_item_id.as_str())),
            (None, None) => None,
        };
        if let Some((tag, item)) = item {
            let key = match (&annotation.shape, &annotation.annotation_id) {
                (Shape::Segmentation { .. }, _) => Some(fingerprint(tag + 2, item, "")),
                (_, Some(id)) => Some(fingerprint(tag, item, id)),
                (_, None) => None,
            };
            if let Some(key) = key {
                if let Some(&first) = self.ids.get(&key) {
                    let (where_first, _) = self.describe(first, place);
                    let message = match (&annotation.shape, &annotation.annotation_id) {
                        (Shape::Segmentation { .. }, _) => format!(
                            "a second segmentation of item {} (the first is at {where_first}); Nucleus keeps one per item and ignores the other",
                            quoted(item)
                        ),
                        (_, id) => format!(
                            "annotation_id {} is used on item {} already (at {where_first}); Nucleus keeps the first and ignores this one{}",
                            quoted(id.as_deref().unwrap_or_default()),
                            quoted(item),
                            if annotation.annotation_type() == AnnotationType::Box {
                                " (a box without annotation_id gets one from its label and geometry, so identical boxes collide)"
                            } else {
                                ""
                            }
                        ),
                    };
                    let path = match annotation.shape {
                        Shape::Segmentation { .. } => "/reference_id",
                        _ => "/annotation_id",
                    };
                    findings.push(self.finding(
                        Diagnostic::error(Code::DuplicateAnnotationId, path, message),
                        first,
                        place,
                    ));
                } else {
                    self.ids.insert(key, place);
                }
            }
        }
        for (path, label) in annotation.shape.labels_with_pointers() {
            if let Some(finding) = self.observe_label(label, &path, place) {
                findings.push(finding);
            }
        }
        if let (Some(track), Some(label)) =
            (&annotation.track_reference_id, annotation.shape.label())
        {
            let key = fingerprint(4, track, "");
            match (self.tracks.get(&key), self.label_index.get(label)) {
                (Some(&(first_label, first)), now_label) if now_label != Some(&first_label) => {
                    let first_text = usize::try_from(first_label)
                        .ok()
                        .and_then(|idx| self.labels.get(idx))
                        .map_or("?", |(text, _)| text.as_str());
                    let (where_first, _) = self.describe(first, place);
                    let message = format!(
                        "track {} is labelled {} here but {} at {where_first}; a track keeps one label",
                        quoted(track),
                        quoted(label),
                        quoted(first_text)
                    );
                    findings.push(self.finding(
                        Diagnostic::error(Code::TrackLabelConflict, "/label", message),
                        first,
                        place,
                    ));
                }
                (Some(_), _) => {}
                (None, Some(&label_idx)) => {
                    self.tracks.insert(key, (label_idx, place));
                }
                // The label was not tracked (over MAX_TRACKED_LABELS): neither is the track.
                (None, None) => {}
            }
        }
        findings
    }

    fn observe_label(&mut self, label: &str, path: &str, place: Place) -> Option<Diagnostic> {
        if self.label_index.contains_key(label) || self.labels.len() >= MAX_TRACKED_LABELS {
            return None;
        }
        let idx = u32::try_from(self.labels.len()).ok()?;
        self.labels.push((label.to_owned(), place));
        self.label_index.insert(label.to_owned(), idx);
        let spellings = self.folded.entry(fold_label(label)).or_default();
        let first = spellings.first().copied();
        spellings.push(idx);
        let (first_label, first_place) = usize::try_from(first?)
            .ok()
            .and_then(|first| self.labels.get(first))?;
        let (where_first, _) = self.describe(*first_place, place);
        let message = format!(
            "label {} differs from {} (first at {where_first}) only by case or spacing; Nucleus counts them as two classes",
            quoted(label),
            quoted(first_label)
        );
        Some(self.finding(
            Diagnostic::warning(Code::SimilarLabels, path, message),
            *first_place,
            place,
        ))
    }
}

/// How to check annotation files.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CheckConfig {
    /// Whether the files hold annotations or predictions.
    pub role: Role,
    /// How to stream the files.
    pub stream: StreamConfig,
}

impl CheckConfig {
    /// Checking files of `role` with the default stream settings.
    #[must_use]
    pub fn new(role: Role) -> CheckConfig {
        CheckConfig {
            role,
            stream: StreamConfig::default(),
        }
    }

    /// The same configuration with other stream settings.
    #[must_use]
    pub fn with_stream(mut self, stream: StreamConfig) -> CheckConfig {
        self.stream = stream;
        self
    }
}

/// Counts of a check.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CheckSummary {
    /// Non-blank lines read.
    pub n_annotations: u64,
    /// Lines with no error.
    pub n_valid: u64,
    /// Errors found.
    pub n_errors: u64,
    /// Warnings found.
    pub n_warnings: u64,
    /// Whether the sink stopped the check early.
    pub stopped: bool,
}

/// Checks annotation (or prediction) files: each line read with every rule, against `items`
/// when given, and against the lines before it in every file (in the order given). `sink`
/// receives each finding with its file's name, in line order; it may stop the check.
///
/// # Errors
///
/// The readers' I/O errors.
pub fn check_annotations<R, S>(
    items: Option<&ItemIndex>,
    inputs: impl IntoIterator<Item = (String, R)>,
    config: &CheckConfig,
    sink: S,
) -> io::Result<CheckSummary>
where
    R: Read + Send,
    S: FnMut(&str, Diagnostic) -> ControlFlow<()>,
{
    check_annotations_with(items, None, inputs, config, sink)
}

/// [`check_annotations`], with each segmentation's mask read by `masks` ([`check_mask`]).
///
/// # Errors
///
/// The readers' I/O errors.
pub fn check_annotations_with<R, S>(
    items: Option<&ItemIndex>,
    masks: Option<&dyn MaskReader>,
    inputs: impl IntoIterator<Item = (String, R)>,
    config: &CheckConfig,
    mut sink: S,
) -> io::Result<CheckSummary>
where
    R: Read + Send,
    S: FnMut(&str, Diagnostic) -> ControlFlow<()>,
{
    let inputs: Vec<(String, R)> = inputs.into_iter().collect();
    let mut state = AnnotationState::new(inputs.iter().map(|(name, _)| name.clone()).collect());
    let mut summary = CheckSummary::default();
    let role = config.role;
    for (file_idx, (name, reader)) in inputs.into_iter().enumerate() {
        let file = u32::try_from(file_idx).unwrap_or(u32::MAX);
        let mut emit = |diagnostic: Diagnostic, summary: &mut CheckSummary| {
            if diagnostic.is_error() {
                summary.n_errors += 1;
            } else {
                summary.n_warnings += 1;
            }
            sink(&name, diagnostic)
        };
        let stats = for_each_line(
            reader,
            &config.stream,
            |_, text| {
                let reading = read_annotation_line(text, role);
                let mut diagnostics = reading.diagnostics;
                if let (Some(index), Some(annotation)) = (items, &reading.annotation) {
                    check_against_items(index, annotation, &mut diagnostics);
                }
                if let (Some(masks), Some(annotation)) = (masks, &reading.annotation) {
                    let image = items
                        .and_then(|index| index.facts_of(annotation))
                        .filter(|facts| facts.item_type == Some(DatasetItemType::Image))
                        .and_then(ItemFacts::dimensions);
                    check_mask(masks, annotation, image, &mut diagnostics);
                }
                (diagnostics, reading.annotation)
            },
            |event| {
                let Event::Line { line, result } = event else {
                    return ControlFlow::Continue(());
                };
                summary.n_annotations += 1;
                let mut diagnostics = match result {
                    Ok((diagnostics, annotation)) => {
                        let mut diagnostics: Vec<Diagnostic> = diagnostics
                            .into_iter()
                            .map(|diagnostic| diagnostic.at_line(line))
                            .collect();
                        if let Some(annotation) = annotation {
                            diagnostics.extend(state.observe(&annotation, Place { file, line }));
                        }
                        diagnostics
                    }
                    Err(diagnostic) => vec![diagnostic.at_line(line)],
                };
                if !diagnostics.iter().any(Diagnostic::is_error) {
                    summary.n_valid += 1;
                }
                for diagnostic in diagnostics.drain(..) {
                    emit(diagnostic, &mut summary)?;
                }
                ControlFlow::Continue(())
            },
        )?;
        if stats.stopped {
            summary.stopped = true;
            break;
        }
    }
    Ok(summary)
}

/// The summary of a check of annotation and prediction files ([`AnnotationCheck`]): the
/// object `nucleus check --annotations --format json` prints under `summary`, and
/// `nucleus_rs.check_annotations` returns.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct AnnotationSummary {
    /// Non-blank lines read, over every file.
    pub annotations: u64,
    /// Lines with no error.
    pub valid: u64,
    /// Lines with an error.
    pub invalid: u64,
    /// Errors found.
    pub errors: u64,
    /// Warnings found.
    pub warnings: u64,
    /// Findings per code.
    pub codes: BTreeMap<&'static str, u64>,
    /// The names of the annotation and prediction files, in the order read.
    pub files: Vec<String>,
    /// Distinct items of the index (0 without items).
    pub items: usize,
    /// Distinct scenes of the index.
    pub scenes: usize,
    /// Item and scene lines that could not be read in full.
    pub unreadable_item_lines: u64,
    /// Whether the check stopped at `max_errors` (or because the sink said so).
    pub stopped_early: bool,
}

/// The check of annotation and prediction files against an optional [`ItemIndex`], as
/// `nucleus check --annotations ... --predictions ... --items ...` and
/// `nucleus_rs.check_annotations` run it: each [`read`](AnnotationCheck::read) checks the files
/// of one role with [`check_annotations`] (the rules between annotations hold within a role:
/// predictions are not compared with the ground truth), and the counts add up in an
/// [`AnnotationSummary`].
pub struct AnnotationCheck {
    index: Option<ItemIndex>,
    masks: Option<Box<dyn MaskReader>>,
    stream: StreamConfig,
    max_errors: Option<u64>,
    summary: AnnotationSummary,
}

impl std::fmt::Debug for AnnotationCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnnotationCheck")
            .field("index", &self.index)
            .field("masks", &self.masks.is_some())
            .field("stream", &self.stream)
            .field("max_errors", &self.max_errors)
            .field("summary", &self.summary)
            .finish()
    }
}

impl AnnotationCheck {
    /// A check against `index` (`None`: references, image bounds and cameras are not
    /// checked), streaming with `stream`.
    #[must_use]
    pub fn new(index: Option<ItemIndex>, stream: StreamConfig) -> AnnotationCheck {
        AnnotationCheck {
            index,
            masks: None,
            stream,
            max_errors: None,
            summary: AnnotationSummary::default(),
        }
    }

    /// Stops after `max_errors` errors (`None`: never).
    #[must_use]
    pub fn max_errors(mut self, max_errors: Option<u64>) -> AnnotationCheck {
        self.max_errors = max_errors;
        self
    }

    /// Reads each segmentation's mask with `masks` ([`check_mask`]: found, a PNG, of its
    /// image's size).
    #[must_use]
    pub fn masks(mut self, masks: Box<dyn MaskReader>) -> AnnotationCheck {
        self.masks = Some(masks);
        self
    }

    /// The item index the annotations are checked against.
    #[must_use]
    pub fn index(&self) -> Option<&ItemIndex> {
        self.index.as_ref()
    }

    /// Checks the files of one `role` (names and readers, in order) and hands each finding to
    /// `sink` with its file's name, in line order; `sink` may stop the check. Once stopped
    /// (by `sink` or `max_errors`), later calls read nothing.
    ///
    /// # Errors
    ///
    /// The readers' I/O errors.
    pub fn read<R, S>(
        &mut self,
        role: Role,
        inputs: impl IntoIterator<Item = (String, R)>,
        mut sink: S,
    ) -> io::Result<()>
    where
        R: Read + Send,
        S: FnMut(&str, &Diagnostic) -> ControlFlow<()>,
    {
        let inputs: Vec<(String, R)> = inputs.into_iter().collect();
        if inputs.is_empty() || self.summary.stopped_early {
            return Ok(());
        }
        self.summary
            .files
            .extend(inputs.iter().map(|(name, _)| name.clone()));
        let config = CheckConfig::new(role).with_stream(self.stream.clone());
        let (summary, max_errors) = (&mut self.summary, self.max_errors);
        let masks = self.masks.as_deref();
        let counts = check_annotations_with(
            self.index.as_ref(),
            masks,
            inputs,
            &config,
            |file, diagnostic| {
                if diagnostic.is_error() {
                    summary.errors += 1;
                } else {
                    summary.warnings += 1;
                }
                *summary.codes.entry(diagnostic.code.as_str()).or_default() += 1;
                sink(file, &diagnostic)?;
                match max_errors {
                    Some(max) if summary.errors >= max => ControlFlow::Break(()),
                    _ => ControlFlow::Continue(()),
                }
            },
        )?;
        self.summary.annotations += counts.n_annotations;
        self.summary.valid += counts.n_valid;
        self.summary.stopped_early |= counts.stopped;
        Ok(())
    }

    /// The summary of every file read.
    #[must_use]
    pub fn finish(self) -> AnnotationSummary {
        let mut summary = self.summary;
        summary.invalid = summary.annotations.saturating_sub(summary.valid);
        if let Some(index) = &self.index {
            summary.items = index.len();
            summary.scenes = index.n_scenes();
            summary.unreadable_item_lines = index.n_unreadable();
        }
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_meet_the_rectangle_when_they_cross_it() {
        let p = Pixel::new;
        assert!(segment_meets_rectangle(
            p(10.0, 10.0),
            p(20.0, 20.0),
            100.0,
            50.0
        ));
        assert!(segment_meets_rectangle(
            p(-10.0, 25.0),
            p(200.0, 25.0),
            100.0,
            50.0
        ));
        assert!(!segment_meets_rectangle(
            p(-10.0, -5.0),
            p(200.0, -1.0),
            100.0,
            50.0
        ));
        assert!(!segment_meets_rectangle(
            p(150.0, 0.0),
            p(150.0, 50.0),
            100.0,
            50.0
        ));
        // Crossing a corner region without entering.
        assert!(!segment_meets_rectangle(
            p(90.0, -20.0),
            p(120.0, 10.0),
            100.0,
            50.0
        ));
        assert!(segment_meets_rectangle(
            p(100.0, 50.0),
            p(100.0, 50.0),
            100.0,
            50.0
        ));
    }

    #[test]
    fn labels_fold_case_and_spacing() {
        assert_eq!(fold_label(" Traffic  Light\t"), "traffic light");
        assert_eq!(fold_label("CAR"), fold_label("car "));
        assert_ne!(fold_label("traffic_light"), fold_label("traffic light"));
    }
}
