//! Types that exist only to describe a JSON shape: the upload payload.
//!
//! The payload is the one published shape nucleus-rs writes but never reads: `write.rs` builds
//! it as a `serde_json::Value` from a `DatasetItem`, so there is no wire type to carry the
//! impl. Its parts (`Metadata`, `ReferenceId`, `EmbeddingInfo`, `Location`, `DatasetItemType`,
//! `CameraParams`) are the model's and camera's own schemas; only the envelope is described
//! here. The point cloud and scene schemas live on the readers' types in `nucleus-model`.

use std::borrow::Cow;

use nucleus_camera::CameraParams;
use nucleus_model::{DatasetItemType, EmbeddingInfo, Location, Metadata, ReferenceId};
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
