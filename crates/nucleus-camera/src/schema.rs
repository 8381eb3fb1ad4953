//! `JsonSchema` impls for the JSON shapes this crate reads (feature `schema`).
//!
//! [`CameraParams`] and [`CameraModel`] have hand-written impls because their JSON is read by
//! hand ([`CameraParams::from_json`]); each rule of that reader has its keyword here:
//!
//! | reader rule | keyword |
//! |---|---|
//! | `position` `{x,y,z}`, `heading` `{x,y,z,w}`, `fx`, `fy`, `cx`, `cy` required numbers | `required`, `type` |
//! | `fx`, `fy` > 0 | `exclusiveMinimum: 0` |
//! | coefficients missing or `null` = 0 | `type: ["number", "null"]` |
//! | `camera_model` is `brown_conrady`, `fisheye` or `null` | `if: {type: null}`, `else`: `enum` |
//! | the heading is not the zero quaternion | `not` {every component `const: 0`} |
//! | unknown keys are ignored | no `additionalProperties` |
//!
//! Every number being finite needs no keyword: JSON has no `NaN` or `Infinity`. "X or null" is
//! written `{"if": {"type": "null"}, "else": X}` rather than `anyOf`, so that validators report
//! an error inside X at its own path instead of "not valid under any of the schemas".

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use crate::{CameraModel, CameraParams, Quaternion, Vector3};

impl JsonSchema for CameraModel {
    fn schema_name() -> Cow<'static, str> {
        "CameraModel".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "nucleus_camera::CameraModel".into()
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "The lens model: OpenCV's plumb-bob (`brown_conrady`, with `k4` as the rational term) or Kannala–Brandt (`fisheye`). Leave it out (or null) for a pinhole camera, or for Brown–Conrady when coefficients are given.",
            "type": "string",
            "enum": ["brown_conrady", "fisheye"]
        })
    }
}

impl JsonSchema for CameraParams {
    fn schema_name() -> Cow<'static, str> {
        "CameraParams".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "nucleus_camera::CameraParams".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        // `$ref` with sibling keywords is plain draft 2020-12.
        let mut position = generator.subschema_for::<Vector3>();
        position.insert(
            "description".to_owned(),
            "The optical centre in world coordinates.".into(),
        );
        let mut heading = generator.subschema_for::<Quaternion>();
        heading.insert(
            "description".to_owned(),
            "Orientation, camera → world: any non-zero quaternion (normalised before use).".into(),
        );
        heading.insert(
            "not".to_owned(),
            serde_json::json!({
                "description": "the zero quaternion has no orientation",
                "required": ["x", "y", "z", "w"],
                "properties": {
                    "x": {"const": 0},
                    "y": {"const": 0},
                    "z": {"const": 0},
                    "w": {"const": 0}
                }
            }),
        );
        let model = generator.subschema_for::<CameraModel>();
        let focal = |axis: &str| {
            json_schema!({
                "description": format!("Focal length along {axis}, in pixels (> 0)."),
                "type": "number",
                "exclusiveMinimum": 0
            })
        };
        let principal = |axis: &str| {
            json_schema!({
                "description": format!("Principal point {axis}, in pixels."),
                "type": "number"
            })
        };
        let coefficient = |what: &str| {
            json_schema!({
                "description": format!("Distortion coefficient: {what}. Missing or null means 0."),
                "type": ["number", "null"]
            })
        };
        json_schema!({
            "description": "A camera's pose in the scene's world frame (z-up) and its intrinsics, as stored under `metadata.camera_params`. `heading` is a Hamilton quaternion rotating camera coordinates (x right, y down, z forward) into world coordinates; it is normalised before use and must not be zero. Unknown keys are ignored.",
            "type": "object",
            "required": ["position", "heading", "fx", "fy", "cx", "cy"],
            "properties": {
                "position": position,
                "heading": heading,
                "fx": focal("x"),
                "fy": focal("y"),
                "cx": principal("column (x)"),
                "cy": principal("row (y)"),
                "camera_model": {
                    "if": {"type": "null"},
                    "else": model
                },
                "k1": coefficient("radial, r² (fisheye: θ³)"),
                "k2": coefficient("radial, r⁴ (fisheye: θ⁵)"),
                "k3": coefficient("radial, r⁶ (fisheye: θ⁷)"),
                "k4": coefficient("Brown–Conrady rational denominator, r² (fisheye: θ⁹)"),
                "p1": coefficient("first tangential"),
                "p2": coefficient("second tangential")
            }
        })
    }
}
