//! `JsonSchema` impls for the items this crate reads (feature `schema`). The scene and point
//! cloud impls sit next to their readers, in `scene.rs` and `pointcloud.rs`.
//!
//! The impls are hand-written because the reader is: [`DatasetItem`]'s schema describes what
//! [`crate::read_item`] accepts without an error — the canonical names, the SDK's aliases and
//! their precedence — rule for rule:
//!
//! | reader rule | keyword |
//! |---|---|
//! | a location key holds a string or `null` | `type: ["string", "null"]` on each |
//! | image = first non-empty of `image_location`, `processed_url`, `image_url`, `original_image_url`; point cloud = first non-empty of `pointcloud_location`, `pointcloud_url` | `$defs/ImageLocationSet`, `$defs/PointcloudLocationSet` (`anyOf` of `minLength: 1`) |
//! | only when neither is set, `url` decides by the text after its last `.` (`jpg`, `png`, `json`, exactly) | `$defs/ImageUrl`, `$defs/PointcloudUrl` (`pattern`) |
//! | exactly one location | `oneOf` [`$defs/ImageItem`, `$defs/PointcloudItem`] |
//! | `embedding_info` on images only | `$defs/PointcloudItem` requires it absent or `null` |
//! | `ref_id`, when the key is present (even `null`), wins over `reference_id` | `if`/`then`/`else` |
//! | reference id, locations: non-empty strings | `minLength: 1` |
//! | the location used (first non-empty in precedence order) is a well-formed URL when remote | `$defs/ChosenLocations`, `$defs/Location` (`pattern`; no WHATWG parsing, see below) |
//! | `metadata` an object or `null`; `width`, `height` integers ≥ 1 or `null` | `type`, `minimum` |
//! | `metadata.camera_params` a valid camera or `null` | `if: {type: null}`, `else: $defs/CameraParams` |
//! | unknown keys, a wrong `type`, a top-level `camera_params`, non-string `phash` or `dataset_item_id` are warnings | no constraint |
//!
//! Two things no JSON Schema can see, because they are not in JSON's data model: duplicate keys
//! and the spelling of a number. So `"width": 1920.0` (a float, rejected by the reader, which
//! keeps every number as written) is an integer for JSON Schema. Integers beyond 64 bits and
//! `1e400` are rejected by the reader's strict parser before any rule runs.
//!
//! A pattern cannot run a WHATWG URL parser either: `$defs/Location` rejects what a regular
//! expression can see (a space, an empty host, an unclosed bracket, a bracketed host that is
//! not made of IPv6 characters, a port beyond 65535), but accepts an invalid international
//! domain name (`xn--a.example`), an out-of-range address (`999.1.1.1`, `[1:2:3]`) or a
//! character a host may not hold (`a<b`), which the reader rejects.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::{Value, json};

use crate::{DatasetItem, DatasetItemType, EmbeddingInfo, Location, Metadata, ReferenceId};

/// The pattern of a `url` of `item_type` ([`DatasetItemType::of_url`]): `^` or `.`, then one of
/// the type's extensions, then the end of the text. `(?![\s\S])` is "end of text" in every regex
/// dialect that JSON Schema validators use; `$` also matches before a final newline in Python's
/// `re`, and `\z` is not ECMA-262.
fn url_pattern(item_type: DatasetItemType) -> String {
    match item_type.url_extensions() {
        [extension] => format!(r"(^|\.){extension}(?![\s\S])"),
        extensions => format!(r"(^|\.)({})(?![\s\S])", extensions.join("|")),
    }
}

/// A text that [`LocationKind`](crate::LocationKind) classifies as remote: a known scheme in
/// any ASCII case, then `://`.
const REMOTE_PATTERN: &str = r"^([Hh][Tt][Tt][Pp][Ss]?|[Ss]3|[Gg][Cc]?[Ss])://";

/// What JSON Schema can say of a well-formed remote URL (see [`Location`]): no space or control
/// character; a non-empty host after any `user@`, either an IPv6 address in brackets (only its
/// characters, at least two colons: no zone, nothing after `]`) or without brackets, `:` or
/// `@`; an optional port
/// of at most 65535. Every URL the Rust check accepts matches, and every text that does not
/// match the Rust check rejects. What a pattern cannot see (IDNA, IPv4 and IPv6 addresses that
/// are out of range, characters a host may not hold) is a documented gap of the schema's
/// agreement check.
const WELL_FORMED_URL_PATTERN: &str = concat!(
    r"^([Hh][Tt][Tt][Pp][Ss]?|[Ss]3|[Gg][Cc]?[Ss])://",
    r"([^/\\?#\x00-\x20\x7f]*@)?",
    r"(\[[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*\]|[^/\\?#@\[\]:\x00-\x20\x7f]+)",
    r"(:(0*(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4}))?)?",
    r"([/\\?#][^\x00-\x20\x7f]*)?(?![\s\S])",
);

impl JsonSchema for DatasetItemType {
    fn schema_name() -> Cow<'static, str> {
        "DatasetItemType".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "nucleus_model::DatasetItemType".into()
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Whether an item is an image or a point cloud (the SDK's `DatasetItemType`: `IMAGE` = \"image\", `POINTCLOUD` = \"pointcloud\"); derived from which location an item has.",
            "type": "string",
            "enum": [DatasetItemType::Image.value(), DatasetItemType::Pointcloud.value()]
        })
    }
}

impl JsonSchema for ReferenceId {
    fn schema_name() -> Cow<'static, str> {
        "ReferenceId".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "nucleus_model::ReferenceId".into()
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A user-chosen identifier, unique within a dataset: a non-empty string.",
            "type": "string",
            "minLength": 1
        })
    }
}

impl JsonSchema for Location {
    fn schema_name() -> Cow<'static, str> {
        "Location".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "nucleus_model::Location".into()
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A local path or a remote URI (http://, https://, s3://, gs://, gcs://, Azure blob https://<account>.blob.core.windows.net/…): a non-empty string. A remote URI must be a well-formed URL: no space or control character (write %20), a non-empty host, an IPv6 host in brackets, a port from 0 to 65535. (The Rust reader also runs a WHATWG URL parser, which rejects invalid international domain names and IP addresses; a pattern cannot.)",
            "type": "string",
            "minLength": 1,
            // `type` beside each `pattern`: strict validators (ajv's strictTypes) want it there.
            "if": {"type": "string", "pattern": REMOTE_PATTERN},
            "then": {"type": "string", "pattern": WELL_FORMED_URL_PATTERN}
        })
    }
}

impl JsonSchema for EmbeddingInfo {
    fn schema_name() -> Cow<'static, str> {
        "EmbeddingInfo".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "nucleus_model::EmbeddingInfo".into()
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An embedding to add to an image: the embedding index it belongs to and the vector. Other keys are ignored.",
            "type": "object",
            "required": ["index_id", "embedding_vector"],
            "properties": {
                "index_id": {
                    "description": "The embedding index id.",
                    "type": "string",
                    "minLength": 1
                },
                "embedding_vector": {
                    "description": "The vector: a non-empty list of numbers.",
                    "type": "array",
                    "minItems": 1,
                    "items": {"type": "number"}
                }
            }
        })
    }
}

impl JsonSchema for Metadata {
    fn schema_name() -> Cow<'static, str> {
        "Metadata".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "nucleus_model::Metadata".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let camera = generator.subschema_for::<nucleus_camera::CameraParams>();
        json_schema!({
            "description": "Free-form metadata: string keys, any JSON values. `null` means \"no value\". The reserved key `camera_params` holds the camera of a 3D scene's image item.",
            "type": "object",
            "properties": {
                (Metadata::CAMERA_PARAMS): {
                    "description": "The camera of a 3D scene's image item; null means none.",
                    "if": {"type": "null"},
                    "else": camera
                }
            }
        })
    }
}

/// The `$defs` of the item schema that are rules rather than types; named so that error
/// messages and readers can refer to them.
struct ImageLocationSet;
struct PointcloudLocationSet;
struct ImageUrl;
struct PointcloudUrl;
pub(crate) struct ImageItem;
struct PointcloudItem;
struct ChosenLocations;

/// `{"anyOf": [{"required": [key], "properties": {key: non-empty string}}, …]}`.
fn any_non_empty(keys: &[&str]) -> Value {
    let branches: Vec<Value> = keys
        .iter()
        .map(|key| {
            json!({
                "required": [key],
                "properties": {*key: {"type": "string", "minLength": 1}}
            })
        })
        .collect();
    json!(branches)
}

macro_rules! rule_schema {
    ($type:ident, |$generator:ident| $body:expr) => {
        impl JsonSchema for $type {
            fn schema_name() -> Cow<'static, str> {
                stringify!($type).into()
            }

            fn schema_id() -> Cow<'static, str> {
                concat!("nucleus_model::schema::", stringify!($type)).into()
            }

            fn json_schema($generator: &mut SchemaGenerator) -> Schema {
                $body
            }
        }
    };
}

rule_schema!(ImageLocationSet, |_generator| json_schema!({
    "description": "One of the image location keys is a non-empty string.",
    "anyOf": any_non_empty(DatasetItemType::Image.location_keys())
}));

rule_schema!(PointcloudLocationSet, |_generator| json_schema!({
    "description": "One of the point cloud location keys is a non-empty string.",
    "anyOf": any_non_empty(DatasetItemType::Pointcloud.location_keys())
}));

rule_schema!(ImageUrl, |generator| {
    let location = generator.subschema_for::<Location>();
    json_schema!({
        "description": "`url` is a location whose text after the last '.' (the whole string when it has none) is exactly `jpg` or `png`, as in the SDK.",
        "required": ["url"],
        "properties": {"url": {"type": "string", "pattern": url_pattern(DatasetItemType::Image), "allOf": [location]}}
    })
});

rule_schema!(PointcloudUrl, |generator| {
    let location = generator.subschema_for::<Location>();
    json_schema!({
        "description": "`url` is a location whose text after the last '.' (the whole string when it has none) is exactly `json`, as in the SDK.",
        "required": ["url"],
        "properties": {"url": {"type": "string", "pattern": url_pattern(DatasetItemType::Pointcloud), "allOf": [location]}}
    })
});

/// `if KEY is a non-empty string then KEY is a Location else (the same for the next key)`, so
/// only the location the reader uses is judged (the others are at most a warning).
fn first_non_empty_is_a_location(keys: &[&str], location: &Schema) -> Value {
    keys.iter().rev().fold(json!(true), |otherwise, key| {
        json!({
            "if": {
                "required": [key],
                "properties": {*key: {"type": "string", "minLength": 1}}
            },
            "then": {"properties": {*key: location}},
            "else": otherwise
        })
    })
}

rule_schema!(ChosenLocations, |generator| {
    let location = generator.subschema_for::<Location>();
    json_schema!({
        "description": "The image location and the point cloud location the reader uses (the first non-empty in precedence order) are well-formed locations; `url` is judged by `ImageUrl` and `PointcloudUrl`.",
        "allOf": [
            first_non_empty_is_a_location(DatasetItemType::Image.location_keys(), &location),
            first_non_empty_is_a_location(DatasetItemType::Pointcloud.location_keys(), &location)
        ]
    })
});

rule_schema!(ImageItem, |generator| {
    let image = generator.subschema_for::<ImageLocationSet>();
    let pointcloud = generator.subschema_for::<PointcloudLocationSet>();
    let url = generator.subschema_for::<ImageUrl>();
    json_schema!({
        "description": "An image item: an image location and no point cloud location, or, when neither is set, an image `url`.",
        "not": pointcloud,
        "anyOf": [image, url]
    })
});

rule_schema!(PointcloudItem, |generator| {
    let image = generator.subschema_for::<ImageLocationSet>();
    let pointcloud = generator.subschema_for::<PointcloudLocationSet>();
    let url = generator.subschema_for::<PointcloudUrl>();
    json_schema!({
        "description": "A point cloud item: a point cloud location and no image location, or, when neither is set, a point cloud `url`. Embeddings are for images only.",
        "not": image,
        "anyOf": [pointcloud, url],
        "properties": {
            "embedding_info": {"type": "null"}
        }
    })
});

impl JsonSchema for DatasetItem {
    fn schema_name() -> Cow<'static, str> {
        "DatasetItem".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "nucleus_model::DatasetItem".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let reference_id = generator.subschema_for::<ReferenceId>();
        let metadata = generator.subschema_for::<Metadata>();
        let embedding = generator.subschema_for::<EmbeddingInfo>();
        let image_item = generator.subschema_for::<ImageItem>();
        let pointcloud_item = generator.subschema_for::<PointcloudItem>();
        let chosen_locations = generator.subschema_for::<ChosenLocations>();
        let location = |text: &str| json!({"description": text, "type": ["string", "null"]});
        let dimension =
            |text: &str| json!({"description": text, "type": ["integer", "null"], "minimum": 1});
        json_schema!({
            "description": "A dataset item as the reader accepts it: one image or one point cloud, a reference id and metadata, under the canonical names or the Python SDK's aliases. Exactly one location: an image (the first non-empty of image_location, processed_url, image_url, original_image_url), a point cloud (pointcloud_location, then pointcloud_url) or, only when none of those is set, `url`, typed by its extension. Unknown keys are allowed (`nucleus check` warns about them; they are not uploaded).",
            "type": "object",
            "properties": {
                "image_location": location("The image's local path or remote URL (canonical name)."),
                "pointcloud_location": location("The remote URL of a point cloud JSON file (canonical name)."),
                "processed_url": location("SDK alias of the image location; first in precedence."),
                "image_url": location("SDK alias of the image location (the plain upload payload's name)."),
                "original_image_url": location("SDK alias of the image location; last in precedence."),
                "pointcloud_url": location("SDK alias of the point cloud location."),
                "url": {
                    "description": "The scene upload payload's location, used only when no other location is set: a string ending in .jpg or .png (image) or .json (point cloud). Ignored otherwise."
                },
                "reference_id": {
                    "description": "Required unless `ref_id` is present: a non-empty string, unique within the dataset."
                },
                "ref_id": {
                    "description": "The backend's name for the reference id; when the key is present (even as null) it wins over `reference_id` and must be a non-empty string."
                },
                "metadata": {
                    "description": "Free-form metadata; absent or null means {}.",
                    "if": {"type": "null"},
                    "else": metadata
                },
                "width": dimension("Pixel width of an image (privacy mode needs it)."),
                "height": dimension("Pixel height of an image (privacy mode needs it)."),
                "embedding_info": {
                    "description": "An embedding for an image item.",
                    "if": {"type": "null"},
                    "else": embedding
                },
                "phash": {
                    "description": "Perceptual hash set by the server; read and kept (a non-string is dropped with a warning)."
                },
                "dataset_item_id": {
                    "description": "The server's item id (di_…); read and kept (a non-string is dropped with a warning)."
                },
                "type": {
                    "description": "The scene payload's item type; ignored on reading (the location decides), a mismatch is a warning."
                },
                "camera_params": {
                    "description": "The scene payload's normalised camera; ignored on reading (the camera is read from metadata.camera_params)."
                }
            },
            "oneOf": [image_item, pointcloud_item],
            "allOf": [chosen_locations],
            "if": {"required": ["ref_id"]},
            "then": {"properties": {"ref_id": reference_id.clone()}},
            "else": {
                "required": ["reference_id"],
                "properties": {"reference_id": reference_id}
            }
        })
    }
}
