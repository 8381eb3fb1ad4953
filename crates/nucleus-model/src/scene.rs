//! Scenes: [`LidarScene`]s (frames of sensor → item) and [`VideoScene`]s (a list of image items
//! or a video URL), read and written in the Python SDK's JSON shapes.
//!
//! - Lidar scene: `{"reference_id", "frames": [{SENSOR: ITEM, ...}, ...], "metadata"?}`. Each
//!   frame has exactly one point cloud and any number of camera images; the point cloud comes
//!   from the same sensor in every frame; reference ids are unique within the scene. Frames are a
//!   list, so they are indexed from 0 without gaps by construction (the SDK's `frames_dict`
//!   check). Camera images should carry `metadata.camera_params` (a warning otherwise: cuboids
//!   cannot be projected into them).
//! - Video scene: `{"reference_id", "frame_rate"?, "video_url"?, "frames"?: [ITEM, ...],
//!   "metadata"?, "upload_to_scale"?}`: either `video_url` alone, or image items with a
//!   `frame_rate` ≥ 1 (plus `video_url` only in privacy mode, `upload_to_scale: false`).
//!
//! Items are read with every alias of [`read_item`]; the payload writes them
//! in the SDK's scene form (`url`, `type`, top-level `camera_params`). Differences from the SDK:
//! `tracks` are kept as given and written back (the SDK drops them when reading without a
//! client), and every problem is reported at once, with a JSON pointer naming the frame and
//! sensor (`/frames/3/front_camera/metadata/camera_params/fx`), instead of the first assertion.

use std::fmt;

use serde_json::{Map, Value};

use crate::diagnostic::{Code, Diagnostic, pointer};
use crate::read::{ItemReading, kind_name, quoted, read_item};
use crate::{DatasetItem, DatasetItemType, Error, Location, Metadata, PayloadForm, ReferenceId};

/// One time step of a lidar scene: sensor names mapped to items, in the order given.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Frame {
    items: Vec<(String, DatasetItem)>,
}

impl Frame {
    /// An empty frame.
    #[must_use]
    pub fn new() -> Frame {
        Frame::default()
    }

    /// The frame with `item` as the data of `sensor` (replacing what the sensor had).
    #[must_use]
    pub fn with_item(mut self, sensor: impl Into<String>, item: DatasetItem) -> Frame {
        self.add_item(sensor, item);
        self
    }

    /// Sets the data of `sensor`, replacing what it had (as the SDK's `Frame.add_item`).
    pub fn add_item(&mut self, sensor: impl Into<String>, item: DatasetItem) {
        let sensor = sensor.into();
        match self.items.iter_mut().find(|(name, _)| *name == sensor) {
            Some(slot) => slot.1 = item,
            None => self.items.push((sensor, item)),
        }
    }

    /// The item of `sensor`.
    #[must_use]
    pub fn item(&self, sensor: &str) -> Option<&DatasetItem> {
        self.items
            .iter()
            .find(|(name, _)| name == sensor)
            .map(|(_, item)| item)
    }

    /// Sensor names and items, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &DatasetItem)> {
        self.items.iter().map(|(name, item)| (name.as_str(), item))
    }

    /// Sensor names, in order.
    pub fn sensors(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(|(name, _)| name.as_str())
    }

    /// The first point cloud of the frame and its sensor (a valid lidar frame has exactly one).
    #[must_use]
    pub fn pointcloud(&self) -> Option<(&str, &DatasetItem)> {
        self.iter()
            .find(|(_, item)| item.item_type() == DatasetItemType::Pointcloud)
    }

    /// Number of sensors.
    #[must_use]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the frame has no sensor.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// `{SENSOR: item payload in the scene form}`, as the SDK's `Frame.to_payload`.
    ///
    /// # Errors
    /// An [`Error`] when an item's payload cannot be written (an invalid `camera_params`).
    pub fn to_payload(&self) -> Result<Value, Error> {
        let mut map = Map::new();
        for (sensor, item) in &self.items {
            map.insert(sensor.clone(), item.to_payload(PayloadForm::Scene)?);
        }
        Ok(Value::Object(map))
    }
}

/// A sequence of lidar frames: the SDK's `LidarScene`.
#[derive(Debug, Clone, PartialEq)]
pub struct LidarScene {
    reference_id: ReferenceId,
    frames: Vec<Frame>,
    metadata: Metadata,
    tracks: Vec<Value>,
}

/// A video as a list of image items, or as one video URL: the SDK's `VideoScene`.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoScene {
    reference_id: ReferenceId,
    frame_rate: Option<u64>,
    video_location: Option<Location>,
    items: Vec<DatasetItem>,
    metadata: Metadata,
    upload_to_scale: Option<bool>,
    tracks: Vec<Value>,
}

/// A lidar scene or a video scene.
#[derive(Debug, Clone, PartialEq)]
pub enum Scene {
    /// A [`LidarScene`].
    Lidar(LidarScene),
    /// A [`VideoScene`].
    Video(VideoScene),
}

/// Why a scene is not valid: the frame, sensor or item concerned, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SceneError {
    /// The scene has no frame (or a video scene neither items nor a video URL).
    #[error("a scene needs at least one frame")]
    NoFrames,
    /// A lidar frame without exactly one point cloud.
    #[error(
        "frame {frame}: a lidar frame has exactly one point cloud, found {}",
        describe_sensors(.pointcloud_sensors)
    )]
    PointcloudCount {
        /// Index of the frame.
        frame: usize,
        /// The sensors holding point clouds.
        pointcloud_sensors: Vec<String>,
    },
    /// A frame whose point cloud comes from another sensor than frame 0's.
    #[error(
        "frame {frame}: the point cloud is from sensor {} but frame {first_frame} has it from {}; a lidar scene has exactly one lidar sensor",
        quoted(.sensor),
        quoted(.expected)
    )]
    LidarSensor {
        /// Index of the frame.
        frame: usize,
        /// Its point-cloud sensor.
        sensor: String,
        /// The first frame's point-cloud sensor.
        expected: String,
        /// The frame that set `expected`.
        first_frame: usize,
    },
    /// A reference id used twice in one scene.
    #[error(
        "reference id {} of {} is already used by {}; reference ids are unique within a scene",
        quoted(.reference_id),
        frame_and_sensor(*.frame, .sensor),
        frame_and_sensor(*.first_frame, .first_sensor)
    )]
    DuplicateReferenceId {
        /// The repeated id.
        reference_id: String,
        /// Frame of the repeat (item index for a video scene).
        frame: usize,
        /// Sensor of the repeat (empty for a video scene).
        sensor: String,
        /// Frame of the first use.
        first_frame: usize,
        /// Sensor of the first use.
        first_sensor: String,
    },
    /// A point cloud in a video scene.
    #[error("frame {frame}: every item of a video scene is an image, found a point cloud")]
    VideoPointcloud {
        /// Index of the item.
        frame: usize,
    },
    /// A video scene of items without a frame rate of at least 1.
    #[error("a video scene of items needs a frame_rate of at least 1")]
    MissingFrameRate,
    /// A video scene with a video URL and a frame rate but no items.
    #[error("a video scene given by video_url takes no frame_rate")]
    FrameRateWithVideo,
    /// A video scene with both items and a video URL outside privacy mode.
    #[error(
        "a video scene has either video_url or frames, not both (unless upload_to_scale is false: privacy mode)"
    )]
    VideoAndItems,
}

fn frame_and_sensor(frame: usize, sensor: &str) -> String {
    if sensor.is_empty() {
        format!("frame {frame}")
    } else {
        format!("frame {frame} sensor {}", quoted(sensor))
    }
}

fn describe_sensors(sensors: &[String]) -> String {
    match sensors {
        [] => "none".to_owned(),
        _ => format!(
            "{} (sensors {})",
            sensors.len(),
            sensors
                .iter()
                .map(|s| quoted(s))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

impl SceneError {
    /// The diagnostic code of this error.
    #[must_use]
    pub fn code(&self) -> Code {
        match self {
            SceneError::PointcloudCount { .. } | SceneError::LidarSensor { .. } => {
                Code::InvalidLidarFrame
            }
            SceneError::DuplicateReferenceId { .. } => Code::DuplicateReferenceId,
            _ => Code::InvalidScene,
        }
    }

    /// The JSON pointer of the offending value inside the scene object.
    #[must_use]
    pub fn pointer(&self) -> String {
        match self {
            SceneError::NoFrames => "/frames".to_owned(),
            SceneError::PointcloudCount { frame, .. } => format!("/frames/{frame}"),
            SceneError::LidarSensor { frame, sensor, .. } => {
                pointer("/frames", &[&frame.to_string(), sensor])
            }
            SceneError::DuplicateReferenceId { frame, sensor, .. } => {
                let mut tokens = vec![frame.to_string()];
                if !sensor.is_empty() {
                    tokens.push(sensor.clone());
                }
                tokens.push("reference_id".to_owned());
                let tokens: Vec<&str> = tokens.iter().map(String::as_str).collect();
                pointer("/frames", &tokens)
            }
            SceneError::VideoPointcloud { frame } => format!("/frames/{frame}"),
            SceneError::MissingFrameRate | SceneError::FrameRateWithVideo => {
                "/frame_rate".to_owned()
            }
            SceneError::VideoAndItems => "/video_url".to_owned(),
        }
    }

    /// This error as an error diagnostic.
    #[must_use]
    pub fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic::error(self.code(), self.pointer(), self.to_string())
    }
}

impl LidarScene {
    /// A lidar scene, checked as the SDK's `LidarScene.validate` does.
    ///
    /// # Errors
    /// Every [`SceneError`] found (never empty): no frames, a frame without exactly one point
    /// cloud, point clouds from two sensors, a reference id used twice.
    pub fn new(
        reference_id: ReferenceId,
        frames: Vec<Frame>,
    ) -> Result<LidarScene, Vec<SceneError>> {
        let errors = lidar_errors(&frames);
        if errors.is_empty() {
            Ok(LidarScene {
                reference_id,
                frames,
                metadata: Metadata::new(),
                tracks: Vec::new(),
            })
        } else {
            Err(errors)
        }
    }

    /// The same scene with `metadata`.
    #[must_use]
    pub fn with_metadata(mut self, metadata: Metadata) -> LidarScene {
        self.metadata = metadata;
        self
    }

    /// The scene's reference id.
    #[must_use]
    pub fn reference_id(&self) -> &ReferenceId {
        &self.reference_id
    }

    /// The frames, from index 0.
    #[must_use]
    pub fn frames(&self) -> &[Frame] {
        &self.frames
    }

    /// The frame at `index`.
    #[must_use]
    pub fn frame(&self, index: usize) -> Option<&Frame> {
        self.frames.get(index)
    }

    /// The scene's metadata.
    #[must_use]
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// Tracks as given (raw JSON).
    #[must_use]
    pub fn tracks(&self) -> &[Value] {
        &self.tracks
    }

    /// The sensor that holds the point clouds.
    #[must_use]
    pub fn lidar_sensor(&self) -> Option<&str> {
        self.frames.first()?.pointcloud().map(|(sensor, _)| sensor)
    }

    /// Every sensor name, in order of first appearance.
    #[must_use]
    pub fn sensors(&self) -> Vec<&str> {
        let mut sensors: Vec<&str> = Vec::new();
        for sensor in self.frames.iter().flat_map(Frame::sensors) {
            if !sensors.contains(&sensor) {
                sensors.push(sensor);
            }
        }
        sensors
    }

    /// The SDK's `LidarScene.to_payload`: `reference_id`, `frames` (items in the scene form),
    /// `tracks` when any, `metadata` when not empty.
    ///
    /// # Errors
    /// An [`Error`] when an item's payload cannot be written.
    pub fn to_payload(&self) -> Result<Value, Error> {
        let mut map = Map::new();
        map.insert(
            "reference_id".to_owned(),
            Value::from(self.reference_id.as_str()),
        );
        let frames = self
            .frames
            .iter()
            .map(Frame::to_payload)
            .collect::<Result<Vec<Value>, Error>>()?;
        map.insert("frames".to_owned(), Value::Array(frames));
        if !self.tracks.is_empty() {
            map.insert("tracks".to_owned(), Value::Array(self.tracks.clone()));
        }
        if !self.metadata.is_empty() {
            map.insert(
                "metadata".to_owned(),
                Value::Object(self.metadata.as_map().clone()),
            );
        }
        Ok(Value::Object(map))
    }
}

impl VideoScene {
    /// A video scene of image items at `frame_rate` frames per second.
    ///
    /// # Errors
    /// Every [`SceneError`] found: no items, a frame rate of 0, a point cloud among the items,
    /// a reference id used twice.
    pub fn from_items(
        reference_id: ReferenceId,
        frame_rate: u64,
        items: Vec<DatasetItem>,
    ) -> Result<VideoScene, Vec<SceneError>> {
        VideoScene {
            reference_id,
            frame_rate: Some(frame_rate),
            video_location: None,
            items,
            metadata: Metadata::new(),
            upload_to_scale: None,
            tracks: Vec::new(),
        }
        .validated()
    }

    /// A video scene given by the URL of a video file.
    #[must_use]
    pub fn from_video(reference_id: ReferenceId, video_location: Location) -> VideoScene {
        VideoScene {
            reference_id,
            frame_rate: None,
            video_location: Some(video_location),
            items: Vec::new(),
            metadata: Metadata::new(),
            upload_to_scale: None,
            tracks: Vec::new(),
        }
    }

    fn validated(self) -> Result<VideoScene, Vec<SceneError>> {
        let errors = video_errors(
            &self.items,
            self.frame_rate,
            self.video_location.is_some(),
            self.upload_to_scale,
        );
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }

    /// The same scene with `metadata`.
    #[must_use]
    pub fn with_metadata(mut self, metadata: Metadata) -> VideoScene {
        self.metadata = metadata;
        self
    }

    /// The scene's reference id.
    #[must_use]
    pub fn reference_id(&self) -> &ReferenceId {
        &self.reference_id
    }

    /// Frames per second, for a scene of items.
    #[must_use]
    pub fn frame_rate(&self) -> Option<u64> {
        self.frame_rate
    }

    /// The video URL, for a scene given by a video file.
    #[must_use]
    pub fn video_location(&self) -> Option<&Location> {
        self.video_location.as_ref()
    }

    /// The image items, from index 0.
    #[must_use]
    pub fn items(&self) -> &[DatasetItem] {
        &self.items
    }

    /// The scene's metadata.
    #[must_use]
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// The SDK's `VideoScene.to_payload`: `reference_id`, `frame_rate`, `metadata` when not
    /// empty, `video_url`, `upload_to_scale` (true unless privacy mode), `frames`, `tracks`.
    ///
    /// # Errors
    /// An [`Error`] when an item's payload cannot be written.
    pub fn to_payload(&self) -> Result<Value, Error> {
        let mut map = Map::new();
        map.insert(
            "reference_id".to_owned(),
            Value::from(self.reference_id.as_str()),
        );
        if let Some(rate) = self.frame_rate {
            map.insert("frame_rate".to_owned(), Value::from(rate));
        }
        if !self.metadata.is_empty() {
            map.insert(
                "metadata".to_owned(),
                Value::Object(self.metadata.as_map().clone()),
            );
        }
        if let Some(location) = &self.video_location {
            map.insert("video_url".to_owned(), Value::from(location.as_str()));
        }
        map.insert(
            "upload_to_scale".to_owned(),
            Value::Bool(self.upload_to_scale.unwrap_or(true)),
        );
        if !self.items.is_empty() {
            let items = self
                .items
                .iter()
                .map(|item| item.to_payload(PayloadForm::Scene))
                .collect::<Result<Vec<Value>, Error>>()?;
            map.insert("frames".to_owned(), Value::Array(items));
        }
        if !self.tracks.is_empty() {
            map.insert("tracks".to_owned(), Value::Array(self.tracks.clone()));
        }
        Ok(Value::Object(map))
    }
}

impl Scene {
    /// The scene's reference id.
    #[must_use]
    pub fn reference_id(&self) -> &ReferenceId {
        match self {
            Scene::Lidar(scene) => scene.reference_id(),
            Scene::Video(scene) => scene.reference_id(),
        }
    }

    /// Every item of the scene, frame by frame.
    #[must_use]
    pub fn items(&self) -> Vec<&DatasetItem> {
        match self {
            Scene::Lidar(scene) => scene
                .frames
                .iter()
                .flat_map(|frame| frame.iter().map(|(_, item)| item))
                .collect(),
            Scene::Video(scene) => scene.items.iter().collect(),
        }
    }

    /// Every item with the JSON pointer of its object inside the scene (`/frames/3/front` in a
    /// lidar scene, `/frames/3` in a video scene), frame by frame: prefix an item finding's path
    /// with it to point into the scene's line.
    #[must_use]
    pub fn items_with_pointers(&self) -> Vec<(String, &DatasetItem)> {
        match self {
            Scene::Lidar(scene) => scene
                .frames
                .iter()
                .enumerate()
                .flat_map(|(idx, frame)| {
                    frame.iter().map(move |(sensor, item)| {
                        (pointer("/frames", &[&idx.to_string(), sensor]), item)
                    })
                })
                .collect(),
            Scene::Video(scene) => scene
                .items
                .iter()
                .enumerate()
                .map(|(idx, item)| (format!("/frames/{idx}"), item))
                .collect(),
        }
    }

    /// The SDK's payload of the scene.
    ///
    /// # Errors
    /// An [`Error`] when an item's payload cannot be written.
    pub fn to_payload(&self) -> Result<Value, Error> {
        match self {
            Scene::Lidar(scene) => scene.to_payload(),
            Scene::Video(scene) => scene.to_payload(),
        }
    }

    /// Reads a scene from one JSON text; see [`read_scene`] for how the kind is told.
    ///
    /// # Errors
    /// [`Error::Json`] for text that is not acceptable JSON, [`Error::Invalid`] with every error
    /// found otherwise.
    pub fn from_json(text: &str) -> Result<Scene, Error> {
        let reading = read_scene(crate::json::parse(text)?);
        match reading.scene {
            Some(scene) => Ok(scene),
            None => Err(Error::Invalid(
                reading
                    .diagnostics
                    .into_iter()
                    .filter(Diagnostic::is_error)
                    .collect(),
            )),
        }
    }
}

impl fmt::Display for SceneKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SceneKind::Lidar => "lidar",
            SceneKind::Video => "video",
        })
    }
}

/// Which kind of scene a JSON object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SceneKind {
    /// `frames` are objects of sensor → item.
    Lidar,
    /// `frames` are items, or there is a `video_url` or `frame_rate`.
    Video,
}

/// The result of reading one scene: the scene when it has no error, and every finding.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SceneReading {
    /// The scene, unless an error was found.
    pub scene: Option<Scene>,
    /// The kind the reader settled on (`None` when the value is not an object).
    pub kind: Option<SceneKind>,
    /// Errors and warnings; item findings have pointers below `/frames/INDEX[/SENSOR]`.
    pub diagnostics: Vec<Diagnostic>,
    /// Items read (valid or not).
    pub n_items: usize,
}

impl SceneReading {
    /// Whether any finding is an error.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Every top-level key a scene may have.
pub const SCENE_FIELDS: &[&str] = &[
    "reference_id",
    "frames",
    "metadata",
    "tracks",
    "frame_rate",
    "video_url",
    "upload_to_scale",
];

/// Keys that make a frame entry an item (video scene) rather than a sensor map (lidar scene):
/// the reference id and the location keys (a test holds them to `DatasetItemType`'s), in the
/// order of the published scene schema.
const ITEM_KEYS: &[&str] = &[
    "reference_id",
    "ref_id",
    "url",
    "image_url",
    "image_location",
    "processed_url",
    "original_image_url",
    "pointcloud_url",
    "pointcloud_location",
];

/// Tells a lidar scene from a video scene: a video scene has `video_url` or `frame_rate`, or
/// frames that look like items (with a `reference_id` or a location key); anything else is a
/// lidar scene.
#[must_use]
pub fn scene_kind(object: &Map<String, Value>) -> SceneKind {
    if object.contains_key("video_url") || object.contains_key("frame_rate") {
        return SceneKind::Video;
    }
    let first_frame = object
        .get("frames")
        .and_then(Value::as_array)
        .and_then(|frames| frames.first())
        .and_then(Value::as_object);
    match first_frame {
        Some(frame) if ITEM_KEYS.iter().any(|key| frame.contains_key(*key)) => SceneKind::Video,
        _ => SceneKind::Lidar,
    }
}

/// Reads one JSON Lines line as a scene (strict JSON, then [`read_scene`]).
#[must_use]
pub fn read_scene_line(text: &str) -> SceneReading {
    match crate::json::parse(text) {
        Ok(value) => read_scene(value),
        Err(error) => SceneReading {
            scene: None,
            kind: None,
            diagnostics: vec![crate::read::json_diagnostic(&error)],
            n_items: 0,
        },
    }
}

/// Reads a scene from a JSON value with the default item reader, collecting every problem.
#[must_use]
pub fn read_scene(value: Value) -> SceneReading {
    read_scene_with(value, read_item)
}

/// Reads a scene, reading each item with `read_item` (so that callers can apply more item
/// rules, such as remote-only locations) and collecting every problem.
pub fn read_scene_with(
    value: Value,
    mut read_item: impl FnMut(Value) -> ItemReading,
) -> SceneReading {
    let mut diagnostics = Vec::new();
    let Value::Object(mut object) = value else {
        diagnostics.push(Diagnostic::error(
            Code::NotAnObject,
            "",
            format!(
                "expected a JSON object for a scene ({{\"reference_id\", \"frames\": [...]}}), found {}",
                kind_name(&value)
            ),
        ));
        return SceneReading {
            scene: None,
            kind: None,
            diagnostics,
            n_items: 0,
        };
    };
    let kind = scene_kind(&object);
    for key in object.keys() {
        if !SCENE_FIELDS.contains(&key.as_str()) {
            let mut message = format!("unknown scene field {}; it is not uploaded", quoted(key));
            if let Some(suggestion) = crate::suggest::closest(key, SCENE_FIELDS.iter().copied()) {
                message.push_str(&format!(" (did you mean {}?)", quoted(suggestion)));
            }
            diagnostics.push(Diagnostic::warning(
                Code::UnknownField,
                pointer("", &[key]),
                message,
            ));
        }
    }
    let reference_id = read_scene_reference_id(&object, &mut diagnostics);
    let metadata = match object.remove("metadata") {
        None | Some(Value::Null) => Some(Metadata::new()),
        Some(Value::Object(map)) => Some(Metadata::from_map(map)),
        Some(other) => {
            diagnostics.push(Diagnostic::error(
                Code::MetadataNotAnObject,
                "/metadata",
                format!(
                    "scene metadata must be an object or null, found {} {other}",
                    kind_name(&other)
                ),
            ));
            None
        }
    };
    let tracks = match object.remove("tracks") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(tracks)) => tracks,
        Some(other) => {
            diagnostics.push(Diagnostic::error(
                Code::InvalidScene,
                "/tracks",
                format!("tracks must be a list, found {} {other}", kind_name(&other)),
            ));
            Vec::new()
        }
    };
    let frames = match object.remove("frames") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(frames)) => frames,
        Some(other) => {
            diagnostics.push(Diagnostic::error(
                Code::InvalidScene,
                "/frames",
                format!("frames must be a list, found {} {other}", kind_name(&other)),
            ));
            Vec::new()
        }
    };
    let mut n_items = 0;
    let scene = match kind {
        SceneKind::Lidar => {
            let mut read_frames = Vec::with_capacity(frames.len());
            for (frame_idx, frame) in frames.into_iter().enumerate() {
                let base = format!("/frames/{frame_idx}");
                let Value::Object(sensors) = frame else {
                    diagnostics.push(Diagnostic::error(
                        Code::InvalidScene,
                        base,
                        format!(
                            "a lidar frame is an object of sensor name → item, found {} {frame}",
                            kind_name(&frame)
                        ),
                    ));
                    read_frames.push(None);
                    continue;
                };
                let mut items = Frame::new();
                let mut complete = true;
                for (sensor, value) in sensors {
                    n_items += 1;
                    let prefix = pointer(&base, &[&sensor]);
                    let reading = read_item(value);
                    diagnostics.extend(reading.diagnostics.into_iter().map(|mut d| {
                        d.path = format!("{prefix}{}", d.path);
                        d
                    }));
                    match reading.item {
                        Some(item) => {
                            if item.item_type() == DatasetItemType::Image
                                && item
                                    .metadata()
                                    .get(Metadata::CAMERA_PARAMS)
                                    .is_none_or(Value::is_null)
                            {
                                diagnostics.push(Diagnostic::warning(
                                    Code::MissingCameraParams,
                                    format!("{prefix}/metadata"),
                                    format!(
                                        "camera image {} of frame {frame_idx} has no metadata.camera_params, so cuboids cannot be projected into it",
                                        quoted(&sensor)
                                    ),
                                ));
                            }
                            items.add_item(sensor, item);
                        }
                        None => complete = false,
                    }
                }
                read_frames.push(complete.then_some(items));
            }
            // Scene rules only on frames whose items all read: a broken item already has its
            // finding, and counting its frame's point clouds without it would add a false one.
            let complete: Option<Vec<Frame>> = read_frames.iter().cloned().collect();
            let checkable: Vec<(usize, &Frame)> = read_frames
                .iter()
                .enumerate()
                .filter_map(|(idx, frame)| frame.as_ref().map(|frame| (idx, frame)))
                .collect();
            if read_frames.is_empty() {
                diagnostics.push(SceneError::NoFrames.to_diagnostic());
            }
            diagnostics.extend(
                lidar_errors_indexed(&checkable)
                    .iter()
                    .map(SceneError::to_diagnostic),
            );
            match (reference_id, metadata, complete) {
                (Some(reference_id), Some(metadata), Some(frames)) => {
                    Some(Scene::Lidar(LidarScene {
                        reference_id,
                        frames,
                        metadata,
                        tracks,
                    }))
                }
                _ => None,
            }
        }
        SceneKind::Video => {
            let frame_rate = match object.get("frame_rate") {
                None | Some(Value::Null) => None,
                Some(value) => match value.as_u64() {
                    Some(rate) => Some(rate),
                    None => {
                        diagnostics.push(Diagnostic::error(
                            Code::InvalidScene,
                            "/frame_rate",
                            format!("frame_rate must be an integer of at least 1, found {value}"),
                        ));
                        Some(0)
                    }
                },
            };
            let video_location = match object.get("video_url") {
                None | Some(Value::Null) => None,
                Some(Value::String(url)) if !url.is_empty() => Location::new(url.as_str()).ok(),
                Some(other) => {
                    diagnostics.push(Diagnostic::error(
                        Code::InvalidLocation,
                        "/video_url",
                        format!("video_url must be a non-empty string (a remote URL of an MP4), found {other}"),
                    ));
                    None
                }
            };
            let upload_to_scale = match object.get("upload_to_scale") {
                None | Some(Value::Null) => None,
                Some(Value::Bool(flag)) => Some(*flag),
                Some(other) => {
                    diagnostics.push(Diagnostic::error(
                        Code::InvalidScene,
                        "/upload_to_scale",
                        format!("upload_to_scale must be a boolean, found {other}"),
                    ));
                    None
                }
            };
            let mut items = Vec::with_capacity(frames.len());
            let mut complete = true;
            for (idx, value) in frames.into_iter().enumerate() {
                n_items += 1;
                let prefix = format!("/frames/{idx}");
                let reading = read_item(value);
                diagnostics.extend(reading.diagnostics.into_iter().map(|mut d| {
                    d.path = format!("{prefix}{}", d.path);
                    d
                }));
                match reading.item {
                    Some(item) => items.push(item),
                    None => complete = false,
                }
            }
            let errors = video_errors(
                &items,
                frame_rate,
                video_location.is_some(),
                upload_to_scale,
            );
            diagnostics.extend(errors.iter().map(SceneError::to_diagnostic));
            match (reference_id, metadata) {
                (Some(reference_id), Some(metadata)) if complete && errors.is_empty() => {
                    Some(Scene::Video(VideoScene {
                        reference_id,
                        frame_rate,
                        video_location,
                        items,
                        metadata,
                        upload_to_scale,
                        tracks,
                    }))
                }
                _ => None,
            }
        }
    };
    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    SceneReading {
        scene: scene.filter(|_| !has_errors),
        kind: Some(kind),
        diagnostics,
        n_items,
    }
}

fn read_scene_reference_id(
    object: &Map<String, Value>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<ReferenceId> {
    match object.get("reference_id") {
        None | Some(Value::Null) => {
            diagnostics.push(Diagnostic::error(
                Code::MissingReferenceId,
                "/reference_id",
                "a scene needs a reference_id: a non-empty string that identifies it in the dataset",
            ));
            None
        }
        Some(Value::String(id)) => match ReferenceId::new(id.as_str()) {
            Ok(id) => Some(id),
            Err(_) => {
                diagnostics.push(Diagnostic::error(
                    Code::EmptyReferenceId,
                    "/reference_id",
                    "the scene's reference_id is an empty string; use a non-empty id",
                ));
                None
            }
        },
        Some(other) => {
            diagnostics.push(Diagnostic::error(
                Code::InvalidReferenceId,
                "/reference_id",
                format!(
                    "the scene's reference_id must be a string, found {} {other}",
                    kind_name(other)
                ),
            ));
            None
        }
    }
}

fn lidar_errors(frames: &[Frame]) -> Vec<SceneError> {
    let mut errors = Vec::new();
    if frames.is_empty() {
        errors.push(SceneError::NoFrames);
    }
    let indexed: Vec<(usize, &Frame)> = frames.iter().enumerate().collect();
    errors.extend(lidar_errors_indexed(&indexed));
    errors
}

/// Point clouds per frame, one lidar sensor, unique reference ids; frames given with their index.
fn lidar_errors_indexed(frames: &[(usize, &Frame)]) -> Vec<SceneError> {
    let mut errors = Vec::new();
    let mut lidar: Option<(usize, &str)> = None;
    let mut seen: Vec<(&str, usize, &str)> = Vec::new();
    for &(frame_idx, frame) in frames {
        let pointcloud_sensors: Vec<&str> = frame
            .iter()
            .filter(|(_, item)| item.item_type() == DatasetItemType::Pointcloud)
            .map(|(sensor, _)| sensor)
            .collect();
        if let [sensor] = pointcloud_sensors.as_slice() {
            match lidar {
                None => lidar = Some((frame_idx, sensor)),
                Some((first_frame, expected)) if expected != *sensor => {
                    errors.push(SceneError::LidarSensor {
                        frame: frame_idx,
                        sensor: (*sensor).to_owned(),
                        expected: expected.to_owned(),
                        first_frame,
                    });
                }
                Some(_) => {}
            }
        } else {
            errors.push(SceneError::PointcloudCount {
                frame: frame_idx,
                pointcloud_sensors: pointcloud_sensors.iter().map(|s| (*s).to_owned()).collect(),
            });
        }
        for (sensor, item) in frame.iter() {
            let id = item.reference_id().as_str();
            match seen.iter().find(|(seen_id, _, _)| *seen_id == id) {
                Some(&(_, first_frame, first_sensor)) => {
                    errors.push(SceneError::DuplicateReferenceId {
                        reference_id: id.to_owned(),
                        frame: frame_idx,
                        sensor: sensor.to_owned(),
                        first_frame,
                        first_sensor: first_sensor.to_owned(),
                    })
                }
                None => seen.push((id, frame_idx, sensor)),
            }
        }
    }
    errors
}

fn video_errors(
    items: &[DatasetItem],
    frame_rate: Option<u64>,
    has_video: bool,
    upload_to_scale: Option<bool>,
) -> Vec<SceneError> {
    let mut errors = Vec::new();
    if items.is_empty() {
        if !has_video {
            errors.push(SceneError::NoFrames);
        } else if frame_rate.is_some_and(|rate| rate > 0) {
            errors.push(SceneError::FrameRateWithVideo);
        }
        return errors;
    }
    if frame_rate.is_none_or(|rate| rate < 1) {
        errors.push(SceneError::MissingFrameRate);
    }
    if has_video && upload_to_scale != Some(false) {
        errors.push(SceneError::VideoAndItems);
    }
    let mut seen: Vec<(&str, usize)> = Vec::new();
    for (idx, item) in items.iter().enumerate() {
        if item.item_type() == DatasetItemType::Pointcloud {
            errors.push(SceneError::VideoPointcloud { frame: idx });
        }
        let id = item.reference_id().as_str();
        match seen.iter().find(|(seen_id, _)| *seen_id == id) {
            Some(&(_, first_frame)) => errors.push(SceneError::DuplicateReferenceId {
                reference_id: id.to_owned(),
                frame: idx,
                sensor: String::new(),
                first_frame,
                first_sensor: String::new(),
            }),
            None => seen.push((id, idx)),
        }
    }
    errors
}

/// `JsonSchema` for [`Scene`], [`LidarScene`], [`VideoScene`] and [`Frame`] (feature `schema`):
/// the JSON [`read_scene`] reads, published by `nucleus-schema` as `schemas/scene.schema.json`.
/// Items are [`DatasetItem`]'s schema, so an item rule has one definition.
///
/// | reader rule | keyword |
/// |---|---|
/// | a scene is an object with a non-empty `reference_id` | `required`, `$defs/ReferenceId` |
/// | `metadata` an object or `null`; `tracks` a list or `null` | `if: {type: null}`, `type` |
/// | [`scene_kind`]: a `video_url` or `frame_rate` key (even `null`), or a first frame with an item key ([`ITEM_KEYS`]), makes a video scene | `$defs/LidarScene`: `not` those keys; `$defs/Frame`: `not` an item key in any frame (stricter: `prefixItems` for the first frame alone is not portable, ajv's strict mode rejects an open tuple) |
/// | lidar: at least one frame, each an object of sensor name → item | `minItems: 1`, `$defs/Frame` (`minProperties: 1`, `additionalProperties: $defs/DatasetItem`) |
/// | video: `null` in `frame_rate`, `video_url`, `frames`, `upload_to_scale` means absent | `type: [..., "null"]`, `if: {type: null}` |
/// | video of items: at least one image item and a `frame_rate` ≥ 1; a `video_url` too only with `upload_to_scale: false` | `$defs/VideoScene` `anyOf/0`; `$defs/VideoFrame` = `$defs/DatasetItem` and `$defs/ImageItem` |
/// | video file: a `video_url`, no items, no `frame_rate` above 0 | `$defs/VideoScene` `anyOf/1` (`maxItems: 0`, `maximum: 0`) |
///
/// Not expressible, and checked only in Rust: one point cloud per lidar frame, from the same
/// sensor in every frame, and reference ids unique within the scene (`nucleus-schema`'s scene
/// description says so); the spelling of a number (`"frame_rate": 30.0` is an integer for JSON
/// Schema, a float the reader rejects).
#[cfg(feature = "schema")]
mod schema {
    use std::borrow::Cow;

    use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
    use serde_json::{Value, json};

    use super::{Frame, ITEM_KEYS, LidarScene, Scene, VideoScene};
    use crate::schema::ImageItem;
    use crate::{DatasetItem, Location, Metadata, ReferenceId};

    /// `metadata` of a scene: an object or `null` (absent or `null` means `{}`).
    fn optional_metadata(generator: &mut SchemaGenerator, description: &str) -> Value {
        let metadata = generator.subschema_for::<Metadata>();
        json!({
            "description": description,
            "if": {"type": "null"},
            "else": metadata
        })
    }

    /// `tracks` of a scene: kept as given, not checked.
    fn tracks() -> Value {
        json!({
            "description": "Annotation tracks (read only with a client; not checked here); null means none.",
            "type": ["array", "null"],
            "items": true
        })
    }

    /// A field that holds `T` with its own description next to the `$ref`.
    fn described<T: JsonSchema>(generator: &mut SchemaGenerator, description: &str) -> Value {
        let mut schema = generator.subschema_for::<T>();
        schema.insert("description".to_owned(), description.into());
        schema.to_value()
    }

    /// `{"anyOf": [{"required": [key]}, …], "description": …}`: the object has one of `keys`.
    fn has_any(keys: &[&str], description: &str) -> Value {
        let branches: Vec<Value> = keys.iter().map(|key| json!({"required": [key]})).collect();
        json!({"anyOf": branches, "description": description})
    }

    impl JsonSchema for Scene {
        fn schema_name() -> Cow<'static, str> {
            "Scene".into()
        }

        fn schema_id() -> Cow<'static, str> {
            "nucleus_model::scene::Scene".into()
        }

        fn json_schema(generator: &mut SchemaGenerator) -> Schema {
            let lidar = generator.subschema_for::<LidarScene>();
            let video = generator.subschema_for::<VideoScene>();
            json_schema!({
                "description": "A scene: a `LidarScene` or a `VideoScene`, in the SDK's JSON form (`LidarScene.to_payload()`, `VideoScene.to_payload()`, read back by `from_json`).",
                "oneOf": [lidar, video]
            })
        }
    }

    impl JsonSchema for LidarScene {
        fn schema_name() -> Cow<'static, str> {
            "LidarScene".into()
        }

        fn schema_id() -> Cow<'static, str> {
            "nucleus_model::scene::LidarScene".into()
        }

        fn json_schema(generator: &mut SchemaGenerator) -> Schema {
            let reference_id = described::<ReferenceId>(generator, "The scene's reference id.");
            let frame = generator.subschema_for::<Frame>();
            let metadata = optional_metadata(
                generator,
                "The scene's metadata (lat/lon and context_attachments are shown as for items).",
            );
            let video_keys = has_any(
                &["video_url", "frame_rate"],
                "a video_url or frame_rate key, even null, makes the scene a video",
            );
            json_schema!({
                "description": "A sequence of lidar point clouds and camera images over time.\n\nFrames are indexed from 0 without gaps (their position in the list); each maps sensor names to items and holds exactly one point cloud (from the same lidar sensor in every frame) and any number of images. Reference ids are unique within the scene.",
                "type": "object",
                "required": ["reference_id", "frames"],
                "properties": {
                    "reference_id": reference_id,
                    "frames": {
                        "description": "The frames, in time order: at least one.",
                        "type": "array",
                        "minItems": 1,
                        "items": frame
                    },
                    "metadata": metadata,
                    "tracks": tracks()
                },
                "not": video_keys
            })
        }
    }

    impl JsonSchema for Frame {
        fn schema_name() -> Cow<'static, str> {
            "Frame".into()
        }

        fn schema_id() -> Cow<'static, str> {
            "nucleus_model::scene::Frame".into()
        }

        fn json_schema(generator: &mut SchemaGenerator) -> Schema {
            let item = generator.subschema_for::<DatasetItem>();
            let item_keys = has_any(
                ITEM_KEYS,
                "a sensor named like an item key (reference_id, ref_id or a location key) makes the first frame read as an item, so the scene as a video",
            );
            json_schema!({
                "description": "One time step of a lidar scene: sensor name → item (in the scene payload form or any form the item reader accepts).",
                "type": "object",
                "minProperties": 1,
                "additionalProperties": item,
                "not": item_keys
            })
        }
    }

    /// One frame of a video scene: an image item. A rule rather than a type, as
    /// [`ImageItem`] is.
    struct VideoFrame;

    impl JsonSchema for VideoFrame {
        fn schema_name() -> Cow<'static, str> {
            "VideoFrame".into()
        }

        fn schema_id() -> Cow<'static, str> {
            "nucleus_model::scene::schema::VideoFrame".into()
        }

        fn json_schema(generator: &mut SchemaGenerator) -> Schema {
            let item = generator.subschema_for::<DatasetItem>();
            let image = generator.subschema_for::<ImageItem>();
            json_schema!({
                "description": "A frame of a video scene: an image item.",
                "allOf": [item, image]
            })
        }
    }

    impl JsonSchema for VideoScene {
        fn schema_name() -> Cow<'static, str> {
            "VideoScene".into()
        }

        fn schema_id() -> Cow<'static, str> {
            "nucleus_model::scene::VideoScene".into()
        }

        fn json_schema(generator: &mut SchemaGenerator) -> Schema {
            let reference_id = described::<ReferenceId>(generator, "The scene's reference id.");
            let location = generator.subschema_for::<Location>();
            let frame = generator.subschema_for::<VideoFrame>();
            let metadata = optional_metadata(generator, "The scene's metadata.");
            json_schema!({
                "description": "A video: either a video file (`video_url`) or a list of image items as frames with a `frame_rate`.",
                "type": "object",
                "required": ["reference_id"],
                "properties": {
                    "reference_id": reference_id,
                    "frame_rate": {
                        "description": "Frames per second, at least 1, required with `frames`; null means none.",
                        "type": ["integer", "null"],
                        "minimum": 0
                    },
                    "video_url": {
                        "description": "The remote URL of the video file (MP4); null means none.",
                        "if": {"type": "null"},
                        "else": location
                    },
                    "frames": {
                        "description": "The frames as image items, in time order; null means none.",
                        "type": ["array", "null"],
                        "items": frame
                    },
                    "metadata": metadata,
                    "upload_to_scale": {
                        "description": "`false` in privacy mode (the SDK writes `not use_privacy_mode`); null means true.",
                        "type": ["boolean", "null"]
                    },
                    "tracks": tracks()
                },
                "anyOf": [
                    {
                        "description": "a video made of image items: at least one frame and a frame_rate of at least 1, no video_url (unless privacy mode: upload_to_scale false)",
                        "required": ["frames", "frame_rate"],
                        "properties": {
                            "frames": {"type": "array", "minItems": 1},
                            "frame_rate": {"type": "integer", "minimum": 1}
                        },
                        "anyOf": [
                            {"properties": {"video_url": {"type": "null"}}},
                            {"required": ["upload_to_scale"], "properties": {"upload_to_scale": {"const": false}}}
                        ]
                    },
                    {
                        "description": "a video file: a video_url, no frames (absent, null or empty) and no frame_rate (absent, null or 0)",
                        "required": ["video_url"],
                        "properties": {
                            "video_url": {"type": "string"},
                            "frames": {"type": ["array", "null"], "maxItems": 0},
                            "frame_rate": {"type": ["integer", "null"], "maximum": 0}
                        }
                    }
                ]
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DatasetItemType;

    #[test]
    fn item_keys_are_the_reference_id_and_location_keys() {
        let mut expected: Vec<&str> = DatasetItemType::ALL
            .iter()
            .flat_map(|item_type| item_type.location_keys().iter().copied())
            .chain([DatasetItemType::URL_KEY, "reference_id", "ref_id"])
            .collect();
        let mut item_keys = ITEM_KEYS.to_vec();
        expected.sort_unstable();
        item_keys.sort_unstable();
        assert_eq!(item_keys, expected);
    }
}
