//! Reading items from JSON: the canonical names, the SDK's aliases, and every problem found.
//!
//! The rules follow the Python SDK's `DatasetItem.from_json` (scale-nucleus 0.22), with the
//! differences SPEC.md asks for:
//!
//! - The canonical names `image_location` and `pointcloud_location` are read first (the SDK
//!   ignores them); then the image location is the first non-empty of `processed_url`,
//!   `image_url`, `original_image_url`, the point cloud is `pointcloud_url`, and only when neither
//!   is set, `url` decides by its final extension (`jpg`, `png` → image; `json` → point cloud;
//!   exactly these, case-sensitive).
//! - `ref_id`, when the key is present, wins over `reference_id`.
//! - Stricter than the SDK: `reference_id` must be a non-empty string (the SDK accepts numbers
//!   and `""`), a location must be a string, `metadata` an object or null (the SDK turns
//!   `false`, `0` and `""` into `{}`), `width` and `height` integers ≥ 1, `embedding_info` well
//!   formed and on images only, `metadata.camera_params` a valid camera (the SDK ignores an empty
//!   `{}`).
//! - Kept, unlike the SDK: `width`, `height` and `embedding_info` (the SDK drops them on reading).

mod scanned;

use std::num::NonZeroU64;

use serde_json::Value;

use crate::diagnostic::{Code, Diagnostic, pointer};
use crate::item::{DatasetItemType, EmbeddingInfo, Metadata, ReferenceId};
use crate::json::{self, JsonError};
use crate::suggest::closest;
use crate::{DatasetItem, Location};

pub use self::scanned::{
    ScannedValue, camera_params, num_of_literal, scan_line, settles_reserved, unescape,
};

/// The result of reading one item: the item when it has no error, and every finding.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ItemReading {
    /// The item, unless an error was found.
    pub item: Option<DatasetItem>,
    /// Errors and warnings, in the order the fields were checked.
    pub diagnostics: Vec<Diagnostic>,
    /// The top-level key the location was read from (`image_url`, `url`, …), so that later
    /// rules can point at it.
    pub location_key: Option<&'static str>,
}

impl ItemReading {
    /// Whether any finding is an error.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Every top-level key the reader understands. Anything else is reported as `unknown-field`.
pub const KNOWN_FIELDS: &[&str] = &[
    "image_location",
    "pointcloud_location",
    "reference_id",
    "metadata",
    "width",
    "height",
    "embedding_info",
    "phash",
    "dataset_item_id",
    // The SDK's aliases and payload keys.
    "processed_url",
    "image_url",
    "original_image_url",
    "pointcloud_url",
    "url",
    "ref_id",
    "type",
    "camera_params",
];

/// The known top-level fields of one item, found in a single pass over its object.
#[derive(Default)]
struct Fields<'a> {
    slots: [Option<&'a Value>; KNOWN_FIELDS.len()],
}

impl<'a> Fields<'a> {
    /// The value of a known field, when present (present and `null` is `Some(Null)`).
    fn get(&self, key: &str) -> Option<&'a Value> {
        field_index(key).and_then(|idx| self.slots.get(idx).copied().flatten())
    }
}

fn field_index(key: &str) -> Option<usize> {
    KNOWN_FIELDS.iter().position(|known| *known == key)
}

/// Reads one JSON Lines line: strict JSON parse, then [`read_item`].
#[must_use]
pub fn read_line(text: &str) -> ItemReading {
    match json::parse(text) {
        Ok(value) => read_item(value),
        Err(error) => ItemReading {
            item: None,
            diagnostics: vec![json_diagnostic(&error)],
            location_key: None,
        },
    }
}

/// The diagnostic for a line that is not acceptable JSON.
#[must_use]
pub fn json_diagnostic(error: &JsonError) -> Diagnostic {
    let message = match error.column() {
        Some(column) => format!("{} (column {column})", error.message()),
        None => error.message().to_owned(),
    };
    Diagnostic::error(error.kind().code(), error.pointer(), message)
}

/// Reads an item from a JSON value, collecting every problem instead of stopping at the first.
#[must_use]
pub fn read_item(value: Value) -> ItemReading {
    let mut diagnostics = Vec::new();
    let mut object = match value {
        Value::Object(object) => object,
        other => {
            diagnostics.push(Diagnostic::error(
                Code::NotAnObject,
                "",
                format!(
                    "expected a JSON object for a dataset item, found {}",
                    kind_name(&other)
                ),
            ));
            return ItemReading {
                item: None,
                diagnostics,
                location_key: None,
            };
        }
    };

    // Metadata is moved out (no copy); every other field is looked up once, in one pass.
    let metadata_value = object.remove("metadata");
    let mut object_fields = Fields::default();
    for (key, value) in &object {
        match field_index(key) {
            Some(idx) => {
                if let Some(slot) = object_fields.slots.get_mut(idx) {
                    *slot = Some(value);
                }
            }
            None => {
                let mut message = format!("unknown field {}; it is not uploaded", quoted(key));
                if let Some(suggestion) = closest(key, KNOWN_FIELDS.iter().copied()) {
                    message.push_str(&format!(" (did you mean {}?)", quoted(suggestion)));
                }
                diagnostics.push(Diagnostic::warning(
                    Code::UnknownField,
                    pointer("", &[key]),
                    message,
                ));
            }
        }
    }
    let object = &object_fields;

    let reference_id = read_reference_id(object, &mut diagnostics);
    let (location, location_key) = match read_location(object, &mut diagnostics) {
        Some((item_type, location, key)) => (Some((item_type, location)), Some(key)),
        None => (None, None),
    };
    let has_location = location.is_some();
    let metadata = read_metadata(metadata_value, &mut diagnostics);
    let width = read_dimension(object, "width", &mut diagnostics);
    let height = read_dimension(object, "height", &mut diagnostics);
    let embedding = read_embedding(object, &mut diagnostics);
    let phash = read_optional_string(object, "phash", &mut diagnostics);
    let dataset_item_id = read_optional_string(object, "dataset_item_id", &mut diagnostics);

    if let Some(metadata) = &metadata {
        check_camera_params(metadata, object, &mut diagnostics);
    }
    if let (Some((item_type, _)), Some(declared)) = (&location, object.get("type")) {
        let matches = declared.as_str() == Some(item_type.value());
        if !matches {
            diagnostics.push(Diagnostic::warning(
                Code::TypeMismatch,
                "/type",
                format!(
                    "type is {declared} but the location makes this item {}; the location wins",
                    quoted(item_type.value())
                ),
            ));
        }
    }
    if let (Some((DatasetItemType::Pointcloud, _)), Some(_)) = (&location, &embedding) {
        diagnostics.push(Diagnostic::error(
            Code::EmbeddingOnPointcloud,
            "/embedding_info",
            "embedding_info is for images only; this item is a point cloud",
        ));
    }

    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    let item = match (reference_id, location, metadata) {
        (Some(reference_id), Some((item_type, location)), Some(metadata)) if !has_errors => {
            let mut item = match item_type {
                DatasetItemType::Image => DatasetItem::image(location, reference_id),
                DatasetItemType::Pointcloud => DatasetItem::pointcloud(location, reference_id),
            }
            .with_metadata(metadata);
            item.set_width(width);
            item.set_height(height);
            item.set_server_fields(phash, dataset_item_id);
            match embedding {
                Some(embedding) => item.with_embedding_info(embedding).ok(),
                None => Some(item),
            }
        }
        _ => None,
    };
    ItemReading {
        item,
        diagnostics,
        location_key: location_key.filter(|_| has_location),
    }
}

fn read_reference_id(
    object: &Fields<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<ReferenceId> {
    // As in the SDK, the backend's `ref_id` wins whenever the key is present, even when null.
    let key = if object.get("ref_id").is_some() {
        "ref_id"
    } else {
        "reference_id"
    };
    let path = pointer("", &[key]);
    match object.get(key) {
        None | Some(Value::Null) => {
            diagnostics.push(Diagnostic::error(
                Code::MissingReferenceId,
                path,
                if key == "ref_id" {
                    "ref_id is null; it takes precedence over reference_id, so the item has no reference id"
                } else {
                    "reference_id is required: a non-empty string that identifies the item in the dataset"
                },
            ));
            None
        }
        Some(Value::String(id)) => match ReferenceId::new(id.as_str()) {
            Ok(id) => Some(id),
            Err(_) => {
                diagnostics.push(Diagnostic::error(
                    Code::EmptyReferenceId,
                    path,
                    format!("{key} is an empty string; use a non-empty id"),
                ));
                None
            }
        },
        Some(other) => {
            diagnostics.push(Diagnostic::error(
                Code::InvalidReferenceId,
                path,
                format!(
                    "{key} must be a string, found {} {other}; quote it (\"{}\") to keep it as an id",
                    kind_name(other),
                    other.as_number().map(ToString::to_string).unwrap_or_default()
                ),
            ));
            None
        }
    }
}

/// The first non-empty string among `keys`; non-string values are reported.
fn first_location<'a>(
    object: &Fields<'a>,
    keys: &[&'static str],
    diagnostics: &mut Vec<Diagnostic>,
) -> (Option<(&'static str, &'a str)>, bool) {
    let mut found: Option<(&'static str, &'a str)> = None;
    let mut saw_empty = false;
    for &key in keys {
        match object.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::String(text)) if text.is_empty() => saw_empty = true,
            Some(Value::String(text)) => match found {
                None => found = Some((key, text)),
                Some((first_key, first)) if first != text => {
                    diagnostics.push(Diagnostic::warning(
                        Code::ConflictingLocations,
                        pointer("", &[key]),
                        format!(
                            "{key} is {} but {first_key} is {}; {first_key} takes precedence",
                            quoted(text),
                            quoted(first)
                        ),
                    ));
                }
                Some(_) => {}
            },
            Some(other) => diagnostics.push(Diagnostic::error(
                Code::InvalidLocation,
                pointer("", &[key]),
                format!(
                    "{key} must be a string (a local path or a remote URL), found {} {other}",
                    kind_name(other)
                ),
            )),
        }
    }
    (found, saw_empty)
}

fn read_location(
    object: &Fields<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(DatasetItemType, Location, &'static str)> {
    let (image, image_empty) =
        first_location(object, DatasetItemType::Image.location_keys(), diagnostics);
    let (pointcloud, pointcloud_empty) = first_location(
        object,
        DatasetItemType::Pointcloud.location_keys(),
        diagnostics,
    );
    let mut saw_empty = image_empty || pointcloud_empty;
    let (item_type, text, key) = match (image, pointcloud) {
        (Some((image_key, image)), Some((pointcloud_key, pointcloud))) => {
            diagnostics.push(Diagnostic::error(
                Code::MultipleLocations,
                pointer("", &[pointcloud_key]),
                format!(
                    "an item has exactly one location, but it has both {image_key} {} and {pointcloud_key} {}",
                    quoted(image),
                    quoted(pointcloud)
                ),
            ));
            return None;
        }
        (Some((key, image)), None) => (DatasetItemType::Image, image, key),
        (None, Some((key, pointcloud))) => (DatasetItemType::Pointcloud, pointcloud, key),
        (None, None) => match object.get(DatasetItemType::URL_KEY) {
            Some(Value::String(url)) if !url.is_empty() => match DatasetItemType::of_url(url) {
                Some(item_type) => (item_type, url.as_str(), DatasetItemType::URL_KEY),
                None => {
                    diagnostics.push(Diagnostic::error(
                        Code::UnknownUrlExtension,
                        "/url",
                        format!(
                            "cannot tell the type of url {}: its extension must be exactly {} (image) or {} (point cloud), and `type` is ignored as in the SDK; use image_location or pointcloud_location instead",
                            quoted(url),
                            DatasetItemType::Image.url_extensions().join(" or "),
                            DatasetItemType::Pointcloud.url_extensions().join(" or "),
                        ),
                    ));
                    return None;
                }
            },
            Some(Value::String(_)) => {
                saw_empty = true;
                return missing_location(diagnostics, saw_empty);
            }
            None | Some(Value::Null) => return missing_location(diagnostics, saw_empty),
            Some(other) => {
                diagnostics.push(Diagnostic::error(
                    Code::InvalidLocation,
                    "/url",
                    format!("url must be a string, found {} {other}", kind_name(other)),
                ));
                return None;
            }
        },
    };
    match Location::new(text) {
        Ok(location) => Some((item_type, location, key)),
        Err(crate::Error::MalformedUrl { reason, .. }) => {
            diagnostics.push(reason.to_diagnostic(pointer("", &[key]), key, text));
            None
        }
        Err(_) => None,
    }
}

fn missing_location<T>(diagnostics: &mut Vec<Diagnostic>, saw_empty: bool) -> Option<T> {
    // Errors about non-string locations already explain why there is none.
    if !diagnostics
        .iter()
        .any(|d| d.code == Code::InvalidLocation && d.is_error())
    {
        diagnostics.push(if saw_empty {
            Diagnostic::error(
                Code::EmptyLocation,
                "",
                "every location field is an empty string; set image_location or pointcloud_location",
            )
        } else {
            Diagnostic::error(
                Code::MissingLocation,
                "",
                "the item has no location; set image_location (an image) or pointcloud_location (a point cloud)",
            )
        });
    }
    None
}

fn read_metadata(value: Option<Value>, diagnostics: &mut Vec<Diagnostic>) -> Option<Metadata> {
    match value {
        None | Some(Value::Null) => Some(Metadata::new()),
        Some(Value::Object(map)) => Some(Metadata::from_map(map)),
        Some(other) => {
            diagnostics.push(Diagnostic::error(
                Code::MetadataNotAnObject,
                "/metadata",
                format!(
                    "metadata must be an object or null, found {} {other}",
                    kind_name(&other)
                ),
            ));
            None
        }
    }
}

fn read_dimension(
    object: &Fields<'_>,
    key: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<NonZeroU64> {
    match object.get(key) {
        None | Some(Value::Null) => None,
        Some(value) => {
            let dimension = value.as_u64().and_then(NonZeroU64::new);
            if dimension.is_none() {
                diagnostics.push(Diagnostic::error(
                    Code::InvalidDimension,
                    pointer("", &[key]),
                    format!("{key} must be an integer of at least 1 (pixels), found {value}"),
                ));
            }
            dimension
        }
    }
}

fn read_embedding(object: &Fields<'_>, diagnostics: &mut Vec<Diagnostic>) -> Option<EmbeddingInfo> {
    let value = match object.get("embedding_info") {
        None | Some(Value::Null) => return None,
        Some(value) => value,
    };
    let mut invalid = |path: &str, message: String| {
        diagnostics.push(Diagnostic::error(Code::InvalidEmbedding, path, message));
    };
    let Value::Object(embedding) = value else {
        invalid(
            "/embedding_info",
            format!(
                "embedding_info must be an object {{index_id: string, embedding_vector: [number]}}, found {} {value}",
                kind_name(value)
            ),
        );
        return None;
    };
    let index_id = match embedding.get("index_id") {
        Some(Value::String(id)) if !id.is_empty() => Some(id.clone()),
        Some(other) => {
            invalid(
                "/embedding_info/index_id",
                format!("index_id must be a non-empty string, found {other}"),
            );
            None
        }
        None => {
            invalid("/embedding_info/index_id", "index_id is missing".to_owned());
            None
        }
    };
    let vector = match embedding.get("embedding_vector") {
        Some(Value::Array(values)) if !values.is_empty() => {
            let mut numbers = Vec::with_capacity(values.len());
            for (idx, value) in values.iter().enumerate() {
                match value {
                    Value::Number(number) => numbers.push(number.clone()),
                    other => invalid(
                        &pointer("/embedding_info/embedding_vector", &[&idx.to_string()]),
                        format!("embedding_vector entries must be numbers, found {other}"),
                    ),
                }
            }
            (numbers.len() == values.len()).then_some(numbers)
        }
        Some(other) => {
            invalid(
                "/embedding_info/embedding_vector",
                format!("embedding_vector must be a non-empty list of numbers, found {other}"),
            );
            None
        }
        None => {
            invalid(
                "/embedding_info/embedding_vector",
                "embedding_vector is missing".to_owned(),
            );
            None
        }
    };
    for key in embedding.keys() {
        if key != "index_id" && key != "embedding_vector" {
            diagnostics.push(Diagnostic::warning(
                Code::UnknownField,
                pointer("/embedding_info", &[key]),
                format!(
                    "unknown field {} in embedding_info; it is not uploaded",
                    quoted(key)
                ),
            ));
        }
    }
    EmbeddingInfo::new(index_id?, vector?).ok()
}

fn read_optional_string(
    object: &Fields<'_>,
    key: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<String> {
    match object.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text.clone()),
        Some(other) => {
            diagnostics.push(Diagnostic::warning(
                Code::InvalidField,
                pointer("", &[key]),
                format!(
                    "{key} is set by the server and should be a string, found {} {other}; it is dropped",
                    kind_name(other)
                ),
            ));
            None
        }
    }
}

fn check_camera_params(
    metadata: &Metadata,
    object: &Fields<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    match metadata.get(Metadata::CAMERA_PARAMS) {
        None | Some(Value::Null) => {
            if object.get("camera_params").is_some_and(|v| !v.is_null()) {
                diagnostics.push(Diagnostic::warning(
                    Code::IgnoredCameraParams,
                    "/camera_params",
                    "a top-level camera_params is ignored when reading an item; move it to metadata.camera_params",
                ));
            }
        }
        Some(value) => {
            if let Err(error) = nucleus_camera::CameraParams::from_json(value) {
                diagnostics.push(Diagnostic::error(
                    Code::InvalidCameraParams,
                    format!("/metadata/camera_params{}", error.pointer()),
                    format!("camera_params: {}", error.message()),
                ));
            }
        }
    }
}

/// `"text"` with JSON escapes, for messages.
#[must_use]
pub fn quoted(text: &str) -> String {
    Value::String(text.to_owned()).to_string()
}

/// The JSON kind of a value, for messages (`a number`, `an array`, …).
#[must_use]
pub fn kind_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_location_key_is_a_known_field() {
        let location_keys = DatasetItemType::ALL
            .iter()
            .flat_map(|item_type| item_type.location_keys())
            .chain([&DatasetItemType::URL_KEY]);
        for key in location_keys {
            assert!(KNOWN_FIELDS.contains(key), "{key}");
        }
    }
}
