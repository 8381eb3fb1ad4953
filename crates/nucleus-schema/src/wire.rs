//! Types that exist only to describe a JSON shape: the upload payload, Scale's point cloud JSON
//! and the SDK's scene JSON. No Rust code reads these shapes yet; when one does, its own types
//! should carry the `JsonSchema` impls and these go away.

use std::borrow::Cow;
use std::collections::BTreeMap;

use nucleus_camera::CameraParams;
use nucleus_model::{DatasetItem, DatasetItemType, EmbeddingInfo, Location, Metadata, ReferenceId};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::{Value, json};

/// The SDK's upload payload (`DatasetItem.to_payload(is_scene)`), as `DatasetItem::to_payload`
/// writes it.
pub(crate) struct UploadPayload;

/// The plain form: an image uploaded on its own.
struct PlainPayload;

/// The scene form: every item inside a scene frame, and every point cloud.
struct ScenePayload;

fn dimension(axis: &str) -> Value {
    json!({
        "description": format!("Pixel {axis} of the image."),
        "type": "integer",
        "minimum": 1
    })
}

impl JsonSchema for PlainPayload {
    fn schema_name() -> Cow<'static, str> {
        "PlainPayload".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "The plain upload payload of an image outside a scene (`to_payload(is_scene=False)`).",
            "type": "object",
            "required": ["metadata", "reference_id", "image_url"],
            "properties": {
                "metadata": generator.subschema_for::<Metadata>(),
                "reference_id": generator.subschema_for::<ReferenceId>(),
                "embedding_info": generator.subschema_for::<EmbeddingInfo>(),
                "width": dimension("width"),
                "height": dimension("height"),
                "image_url": generator.subschema_for::<Location>()
            },
            "additionalProperties": false
        })
    }
}

impl JsonSchema for ScenePayload {
    fn schema_name() -> Cow<'static, str> {
        "ScenePayload".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut camera = generator.subschema_for::<CameraParams>();
        camera.insert(
            "description".to_owned(),
            "metadata.camera_params normalised as the SDK writes it: position, heading, fx, fy, cx, cy, the non-zero coefficients, then camera_model; unknown keys dropped.".into(),
        );
        json_schema!({
            "description": "The scene upload payload (`to_payload(is_scene=True)`): every item inside a scene frame, and every point cloud.",
            "type": "object",
            "required": ["metadata", "reference_id", "url", "type"],
            "properties": {
                "metadata": generator.subschema_for::<Metadata>(),
                "reference_id": generator.subschema_for::<ReferenceId>(),
                "embedding_info": generator.subschema_for::<EmbeddingInfo>(),
                "width": dimension("width"),
                "height": dimension("height"),
                "url": generator.subschema_for::<Location>(),
                "type": generator.subschema_for::<DatasetItemType>(),
                "camera_params": camera
            },
            "additionalProperties": false,
            "if": {
                "required": ["type"],
                "properties": {"type": {"const": "pointcloud"}}
            },
            "then": {
                "description": "embeddings are for images only",
                "not": {"required": ["embedding_info"]}
            }
        })
    }
}

impl JsonSchema for UploadPayload {
    fn schema_name() -> Cow<'static, str> {
        "UploadPayload".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "oneOf": [
                generator.subschema_for::<PlainPayload>(),
                generator.subschema_for::<ScenePayload>()
            ]
        })
    }
}

/// A point cloud file in Scale's JSON format: `{"points": [{"x", "y", "z", …}]}`.
#[derive(JsonSchema)]
#[schemars(rename = "PointCloud")]
#[expect(dead_code, reason = "describes a JSON shape; never built")]
pub(crate) struct PointCloud {
    /// The points, in any order.
    points: Vec<LidarPoint>,
}

/// One lidar point: its position in the scene's world frame (metres) and optional extras.
#[derive(JsonSchema)]
#[expect(dead_code, reason = "describes a JSON shape; never built")]
struct LidarPoint {
    /// World x (metres).
    x: f64,
    /// World y (metres).
    y: f64,
    /// World z (metres; z is up).
    z: f64,
    /// Intensity in [0, 1].
    #[schemars(with = "f64", range(min = 0, max = 1))]
    #[serde(default)]
    i: Option<f64>,
    /// Device id: which lidar took the point, when several did.
    #[schemars(with = "i64")]
    #[serde(default)]
    d: Option<i64>,
    /// Timestamp in nanoseconds.
    #[schemars(with = "f64")]
    #[serde(default)]
    t: Option<f64>,
    /// Whether the point is on the ground.
    #[schemars(with = "bool")]
    #[serde(default)]
    is_ground: Option<bool>,
}

/// A scene: a `LidarScene` or a `VideoScene`, in the SDK's JSON form
/// (`LidarScene.to_payload()`, `VideoScene.to_payload()`, read back by `from_json`).
pub(crate) struct Scene;

impl JsonSchema for Scene {
    fn schema_name() -> Cow<'static, str> {
        "Scene".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "oneOf": [
                generator.subschema_for::<LidarScene>(),
                generator.subschema_for::<VideoScene>()
            ]
        })
    }
}

/// Metadata or null (absent or null means `{}`).
#[derive(Default)]
struct OptionalMetadata;

impl JsonSchema for OptionalMetadata {
    fn schema_name() -> Cow<'static, str> {
        "OptionalMetadata".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "if": {"type": "null"},
            "else": generator.subschema_for::<Metadata>()
        })
    }
}

/// A sequence of lidar point clouds and camera images over time.
///
/// Frames are indexed from 0 without gaps (their position in the list); each maps sensor names
/// to items and holds exactly one point cloud (from the same lidar sensor in every frame) and
/// any number of images. Reference ids are unique within the scene.
#[derive(JsonSchema)]
#[expect(dead_code, reason = "describes a JSON shape; never built")]
struct LidarScene {
    /// The scene's reference id.
    reference_id: ReferenceId,
    /// The frames, in time order: at least one.
    #[schemars(length(min = 1))]
    frames: Vec<Frame>,
    /// The scene's metadata (lat/lon and context_attachments are shown as for items).
    #[serde(default)]
    metadata: OptionalMetadata,
    /// Annotation tracks (read only with a client; not checked here).
    #[serde(default)]
    tracks: Vec<Value>,
}

/// One time step of a lidar scene: sensor name → item (in the scene payload form or any form
/// the item reader accepts).
#[derive(JsonSchema)]
#[schemars(extend("minProperties" = 1))]
#[expect(dead_code, reason = "describes a JSON shape; never built")]
struct Frame(BTreeMap<String, DatasetItem>);

/// A video: either a video file (`video_url`) or a list of image items as frames with a
/// `frame_rate`.
#[derive(JsonSchema)]
#[schemars(extend(
    "anyOf" = [
        {
            "description": "a video made of image items: frames and a frame_rate, no video_url (unless privacy mode: upload_to_scale false)",
            "required": ["frames", "frame_rate"],
            "anyOf": [
                {"not": {"required": ["video_url"]}},
                {"required": ["upload_to_scale"], "properties": {"upload_to_scale": {"const": false}}}
            ]
        },
        {
            "description": "a video file: video_url, no frames and no frame_rate",
            "required": ["video_url"],
            "not": {"anyOf": [{"required": ["frames"]}, {"required": ["frame_rate"]}]}
        }
    ]
))]
#[expect(dead_code, reason = "describes a JSON shape; never built")]
struct VideoScene {
    /// The scene's reference id.
    reference_id: ReferenceId,
    /// Frames per second, required with `frames`.
    #[schemars(with = "u32", range(min = 1))]
    #[serde(default)]
    frame_rate: Option<u32>,
    /// The remote URL of the video file (MP4).
    #[schemars(with = "Location")]
    #[serde(default)]
    video_url: Option<Location>,
    /// The frames as image items, in time order: at least one.
    #[schemars(with = "Vec<VideoFrame>", length(min = 1))]
    #[serde(default)]
    frames: Option<Vec<VideoFrame>>,
    /// The scene's metadata.
    #[serde(default)]
    metadata: OptionalMetadata,
    /// `false` in privacy mode (the SDK writes `not use_privacy_mode`).
    #[schemars(with = "bool")]
    #[serde(default)]
    upload_to_scale: Option<bool>,
    /// Annotation tracks (read only with a client; not checked here).
    #[serde(default)]
    tracks: Vec<Value>,
}

/// One frame of a video scene: an image item.
struct VideoFrame;

impl JsonSchema for VideoFrame {
    fn schema_name() -> Cow<'static, str> {
        "VideoFrame".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let item = generator.subschema_for::<DatasetItem>();
        json_schema!({
            "description": "A frame of a video scene: an image item.",
            "allOf": [item, {"$ref": "#/$defs/ImageItem"}]
        })
    }
}
