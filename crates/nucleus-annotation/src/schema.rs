//! JSON Schema of the annotations and predictions this crate reads (feature `schema`).
//!
//! Hand-written, because the reader is: each schema accepts a JSON value exactly when
//! [`crate::read_annotation`] finds no error in it, with the role it is written for
//! ([`Role::Annotation`]: [`Annotation`]'s `JsonSchema`, [`union_schema`]; per type:
//! [`type_schema`]), except for what JSON Schema cannot say:
//!
//! - a `class_pdf` whose probabilities do not sum to 1 (within
//!   [`crate::rules::CLASS_PDF_TOLERANCE`]): JSON Schema cannot add;
//! - keypoints whose `names` are not as many as the keypoints, or a skeleton edge naming a
//!   keypoint beyond the last: JSON Schema cannot compare a length with another;
//! - two segments with one `index`: `uniqueItems` compares whole items, not one property;
//! - an index written as an integral float (`"index": 1.0`): an integer for JSON Schema, a
//!   float (rejected) for the reader, which keeps numbers as written;
//! - duplicate keys, integers beyond 64 bits, `NaN`, `1e400`: rejected by the strict JSON
//!   reader before any rule; not in JSON's data model.
//!
//! Keys the reader ignores with a warning (unknown keys, a category's `geometry`, a
//! segmentation's `metadata`, ...) are not constrained.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::{Map, Value, json};

use crate::types::{
    Annotation, AnnotationType, BoxGeometry, CuboidGeometry, Keypoint, Point, Point3, Role, Segment,
};

/// The types a file line may have, by `type` (scene categories are categories), in catalog
/// order.
pub const PUBLISHED_TYPES: [AnnotationType; 8] = [
    AnnotationType::Box,
    AnnotationType::Line,
    AnnotationType::Polygon,
    AnnotationType::Keypoints,
    AnnotationType::Cuboid,
    AnnotationType::Category,
    AnnotationType::MultiCategory,
    AnnotationType::Segmentation,
];

fn non_empty(description: &str) -> Value {
    json!({"description": description, "type": "string", "minLength": 1})
}

fn optional_non_empty(description: &str) -> Value {
    json!({"description": description, "type": ["string", "null"], "minLength": 1})
}

fn definition<T: JsonSchema>(generator: &mut SchemaGenerator) -> Value {
    generator.subschema_for::<T>().to_value()
}

impl JsonSchema for Point {
    fn schema_name() -> Cow<'static, str> {
        "Point".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "nucleus_annotation::Point".into()
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A point in pixels: x to the right, y down, from the image's top-left corner. Other keys are dropped.",
            "type": "object",
            "required": ["x", "y"],
            "properties": {
                "x": {"type": "number"},
                "y": {"type": "number"}
            }
        })
    }
}

impl JsonSchema for Point3 {
    fn schema_name() -> Cow<'static, str> {
        "Point3".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "nucleus_annotation::Point3".into()
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A point in the point cloud's world frame (z up). Other keys are dropped.",
            "type": "object",
            "required": ["x", "y", "z"],
            "properties": {
                "x": {"type": "number"},
                "y": {"type": "number"},
                "z": {"type": "number"}
            }
        })
    }
}

impl JsonSchema for BoxGeometry {
    fn schema_name() -> Cow<'static, str> {
        "BoxGeometry".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "nucleus_annotation::BoxGeometry".into()
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A box: its top-left corner (x, y) and its positive size, in pixels. None is optional (the SDK would upload 0 for a missing one).",
            "type": "object",
            "required": ["x", "y", "width", "height"],
            "properties": {
                "x": {"type": "number"},
                "y": {"type": "number"},
                "width": {"type": "number", "exclusiveMinimum": 0},
                "height": {"type": "number", "exclusiveMinimum": 0}
            }
        })
    }
}

impl JsonSchema for CuboidGeometry {
    fn schema_name() -> Cow<'static, str> {
        "CuboidGeometry".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "nucleus_annotation::CuboidGeometry".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let point = definition::<Point3>(generator);
        json_schema!({
            "description": "A cuboid: its centre, its positive dimensions (x length, y width, z height) and its yaw in radians, counter-clockwise about +z (the length axis is (cos yaw, sin yaw, 0)).",
            "type": "object",
            "required": ["position", "dimensions", "yaw"],
            "properties": {
                "position": point,
                "dimensions": {
                    "description": "Length (x), width (y) and height (z), positive.",
                    "type": "object",
                    "required": ["x", "y", "z"],
                    "properties": {
                        "x": {"type": "number", "exclusiveMinimum": 0},
                        "y": {"type": "number", "exclusiveMinimum": 0},
                        "z": {"type": "number", "exclusiveMinimum": 0}
                    }
                },
                "yaw": {"type": "number"}
            }
        })
    }
}

impl JsonSchema for Keypoint {
    fn schema_name() -> Cow<'static, str> {
        "Keypoint".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "nucleus_annotation::Keypoint".into()
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "One keypoint: visible (a boolean; the SDK would read 1 or \"false\" as true) and its coordinates in pixels, which a visible keypoint must have.",
            "type": "object",
            "required": ["visible"],
            "properties": {
                "x": {"type": ["number", "null"]},
                "y": {"type": ["number", "null"]},
                "visible": {"type": "boolean"}
            },
            "if": {"properties": {"visible": {"const": true}}},
            "then": {
                "required": ["x", "y"],
                "properties": {"x": {"type": "number"}, "y": {"type": "number"}}
            }
        })
    }
}

impl JsonSchema for Segment {
    fn schema_name() -> Cow<'static, str> {
        "Segment".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "nucleus_annotation::Segment".into()
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "The label of one pixel value of the mask. The indexes of a segmentation's segments are distinct (not expressed here).",
            "type": "object",
            "required": ["label", "index"],
            "properties": {
                "label": non_empty("The class or instance label."),
                "index": {"description": "The pixel value in the mask.", "type": "integer", "minimum": 0},
                "metadata": {"description": "Extra data about the segment.", "type": ["object", "null"]}
            }
        })
    }
}

impl JsonSchema for AnnotationType {
    fn schema_name() -> Cow<'static, str> {
        "AnnotationType".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "nucleus_annotation::AnnotationType".into()
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An annotation's type. A scene category's payload says \"category\"; a segmentation is \"mask\" (the SDK also reads \"segmentation\" and a missing type as one).",
            "type": "string",
            "enum": ["box", "line", "polygon", "keypoints", "cuboid", "category", "multicategory", "mask", "segmentation"]
        })
    }
}

impl JsonSchema for Annotation {
    fn schema_name() -> Cow<'static, str> {
        "Annotation".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "nucleus_annotation::Annotation".into()
    }

    /// The annotation union ([`union_schema`] for [`Role::Annotation`]).
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        union_schema(generator, Role::Annotation)
    }
}

/// The name of the `$defs` entry of a type's schema: `BoxAnnotation`, `CuboidPrediction`, ...
#[must_use]
pub fn definition_name(annotation_type: AnnotationType, role: Role) -> String {
    let kind = match annotation_type {
        AnnotationType::Box => "Box",
        AnnotationType::Line => "Line",
        AnnotationType::Polygon => "Polygon",
        AnnotationType::Keypoints => "Keypoints",
        AnnotationType::Cuboid => "Cuboid",
        AnnotationType::Category | AnnotationType::SceneCategory => "Category",
        AnnotationType::MultiCategory => "MultiCategory",
        AnnotationType::Segmentation => "Segmentation",
    };
    let role = match role {
        Role::Annotation => "Annotation",
        Role::Prediction => "Prediction",
    };
    format!("{kind}{role}")
}

/// The `type` values a line of `role` may have, `null` (a segmentation) included.
fn type_values(role: Role) -> Vec<Value> {
    let mut values = vec![Value::Null];
    for annotation_type in PUBLISHED_TYPES {
        if role == Role::Prediction && annotation_type == AnnotationType::MultiCategory {
            continue;
        }
        values.push(Value::from(annotation_type.wire_name()));
    }
    values.push(Value::from("segmentation"));
    values
}

/// Every annotation (or prediction) type in one schema, discriminated by `type`: each type's
/// schema ([`type_schema`]) sits in `$defs` under [`definition_name`] and applies when `type`
/// names it (`mask`, `segmentation`, `null` or no `type`: a segmentation).
pub fn union_schema(generator: &mut SchemaGenerator, role: Role) -> Schema {
    let mut branches = Vec::new();
    for annotation_type in PUBLISHED_TYPES {
        if role == Role::Prediction && annotation_type == AnnotationType::MultiCategory {
            continue;
        }
        let name = definition_name(annotation_type, role);
        let schema = type_schema(generator, annotation_type, role).to_value();
        generator.definitions_mut().insert(name.clone(), schema);
        let condition = if annotation_type == AnnotationType::Segmentation {
            json!({"properties": {"type": {"enum": [null, "mask", "segmentation"]}}})
        } else {
            json!({
                "required": ["type"],
                "properties": {"type": {"const": annotation_type.wire_name()}}
            })
        };
        branches.push(json!({"if": condition, "then": {"$ref": format!("#/$defs/{name}")}}));
    }
    let description = match role {
        Role::Annotation => {
            "One line of an annotation file (ground truth), as the SDK's Annotation.from_json reads it: the `type` picks the schema."
        }
        Role::Prediction => {
            "One line of a prediction file (model output), as the SDK's prediction.from_json reads it: the `type` picks the schema. Predictions have no multicategory."
        }
    };
    let schema = json!({
        "description": description,
        "type": "object",
        "properties": {"type": {"enum": type_values(role)}},
        "allOf": branches
    });
    Schema::try_from(schema).unwrap_or_default()
}

/// The schema of one annotation type for `role`.
pub fn type_schema(
    generator: &mut SchemaGenerator,
    annotation_type: AnnotationType,
    role: Role,
) -> Schema {
    let mut properties = Map::new();
    let mut required: Vec<&str> = Vec::new();
    let mut insert = |key: &str, value: Value| {
        properties.insert(key.to_owned(), value);
    };
    let type_value = match annotation_type {
        AnnotationType::Segmentation => json!({
            "description": "mask (as the SDK writes it), segmentation, or absent.",
            "enum": [null, "mask", "segmentation"]
        }),
        other => json!({"const": other.wire_name()}),
    };
    insert("type", type_value);
    match role {
        Role::Annotation => {
            required.push("reference_id");
            insert(
                "reference_id",
                non_empty(
                    "The reference id of the annotated item (for a scene category: of the scene).",
                ),
            );
        }
        Role::Prediction => {
            insert(
                "reference_id",
                optional_non_empty(
                    "The reference id of the predicted item; a prediction has it or a dataset_item_id.",
                ),
            );
            insert(
                "dataset_item_id",
                optional_non_empty("The server's id of the item (di_…), uploaded as item_id."),
            );
            insert(
                "dataset_id",
                optional_non_empty("The dataset, for a dataset-less model run upload."),
            );
        }
    }
    let has_label = !matches!(
        annotation_type,
        AnnotationType::MultiCategory | AnnotationType::Segmentation
    );
    if has_label {
        required.push("label");
        insert("label", non_empty("The class."));
    }
    let drawn = matches!(
        annotation_type,
        AnnotationType::Box
            | AnnotationType::Line
            | AnnotationType::Polygon
            | AnnotationType::Keypoints
            | AnnotationType::Cuboid
    );
    if drawn {
        required.push("geometry");
    }
    if drawn || annotation_type == AnnotationType::Segmentation {
        insert(
            "annotation_id",
            optional_non_empty(
                "Unique within the item. A box or keypoints without one gets the SDK's generated id.",
            ),
        );
    }
    if annotation_type != AnnotationType::Segmentation {
        insert(
            "metadata",
            json!({"description": "Free-form data about the annotation.", "type": ["object", "null"]}),
        );
        insert(
            "track_reference_id",
            optional_non_empty(
                "Groups the annotations of one object across items; a track keeps one label.",
            ),
        );
        if role == Role::Annotation {
            insert(
                "task_id",
                optional_non_empty("The Scale task the annotation came from."),
            );
        }
        if role == Role::Prediction {
            insert(
                "confidence",
                json!({"description": "How sure the model is.", "type": ["number", "null"], "minimum": 0, "maximum": 1}),
            );
            insert(
                "class_pdf",
                json!({
                    "description": "The probability of each class. The probabilities sum to 1 within 0.01 (not expressed here).",
                    "type": ["object", "null"],
                    "minProperties": 1,
                    "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1}
                }),
            );
        }
    }
    if matches!(
        annotation_type,
        AnnotationType::Box | AnnotationType::Polygon
    ) {
        insert(
            "embedding_vector",
            json!({
                "description": "A custom embedding of the object.",
                "type": ["array", "null"],
                "minItems": 1,
                "items": {"type": "number"}
            }),
        );
    }
    let description = match annotation_type {
        AnnotationType::Box => "A 2D box on an image.",
        AnnotationType::Line => "An open polyline on an image: at least 2 vertices.",
        AnnotationType::Polygon => "A polygon on an image: at least 3 vertices.",
        AnnotationType::Keypoints => {
            "Named keypoints on an image and the skeleton joining them: one distinct name per keypoint, skeleton edges naming existing keypoints (the counts are not expressed here)."
        }
        AnnotationType::Cuboid => {
            "A 3D box in a point cloud (a cuboid on a lidar item of a scene is projected into the frame's camera images)."
        }
        AnnotationType::Category | AnnotationType::SceneCategory => {
            "One label for a whole item, or, when reference_id names a scene, for the scene (a scene category: its payload is the same without track_reference_id). geometry is ignored."
        }
        AnnotationType::MultiCategory => {
            "Several distinct labels for a whole item. geometry is ignored."
        }
        AnnotationType::Segmentation => {
            "A segmentation mask (a PNG of the image's size) and the label of each of its pixel values. metadata is not uploaded."
        }
    };
    match annotation_type {
        AnnotationType::Box => insert("geometry", definition::<BoxGeometry>(generator)),
        AnnotationType::Line | AnnotationType::Polygon => {
            let min_items = if annotation_type == AnnotationType::Line {
                2
            } else {
                3
            };
            let point = definition::<Point>(generator);
            insert(
                "geometry",
                json!({
                    "type": "object",
                    "required": ["vertices"],
                    "properties": {
                        "vertices": {"type": "array", "minItems": min_items, "items": point}
                    }
                }),
            );
        }
        AnnotationType::Keypoints => {
            let keypoint = definition::<Keypoint>(generator);
            let mut geometry_required = vec!["keypoints", "names"];
            if role == Role::Prediction {
                geometry_required.push("skeleton");
            }
            insert(
                "geometry",
                json!({
                    "type": "object",
                    "required": geometry_required,
                    "properties": {
                        "keypoints": {"type": "array", "minItems": 1, "items": keypoint},
                        "names": {
                            "description": "One distinct name per keypoint.",
                            "type": "array",
                            "uniqueItems": true,
                            "items": {"type": "string", "minLength": 1}
                        },
                        "skeleton": {
                            "description": "Edges [from, to] between keypoints, by index.",
                            "type": ["array", "null"],
                            "items": {
                                "type": "array",
                                "minItems": 2,
                                "maxItems": 2,
                                "items": {"type": "integer", "minimum": 0}
                            }
                        }
                    }
                }),
            );
        }
        AnnotationType::Cuboid => insert("geometry", definition::<CuboidGeometry>(generator)),
        AnnotationType::Category | AnnotationType::SceneCategory => {
            insert(
                "taxonomy_name",
                optional_non_empty("The taxonomy the label belongs to."),
            );
        }
        AnnotationType::MultiCategory => {
            required.push("labels");
            insert(
                "labels",
                json!({
                    "type": "array",
                    "minItems": 1,
                    "uniqueItems": true,
                    "items": {"type": "string", "minLength": 1}
                }),
            );
            insert(
                "taxonomy_name",
                optional_non_empty("The taxonomy the labels belong to."),
            );
        }
        AnnotationType::Segmentation => {
            required.push("mask_url");
            required.push("annotations");
            insert(
                "mask_url",
                non_empty("Where the mask PNG is: a local path or a remote URL."),
            );
            let segment = definition::<Segment>(generator);
            insert(
                "annotations",
                json!({
                    "description": "The segments: the label of each pixel value.",
                    "type": "array",
                    "minItems": 1,
                    "items": segment
                }),
            );
        }
    }
    let mut schema = json!({
        "description": description,
        "type": "object",
        "required": required,
        "properties": properties
    });
    if role == Role::Prediction
        && let Some(object) = schema.as_object_mut()
    {
        object.insert(
            "anyOf".to_owned(),
            json!([
                {"required": ["reference_id"], "properties": {"reference_id": {"type": "string"}}},
                {"required": ["dataset_item_id"], "properties": {"dataset_item_id": {"type": "string"}}}
            ]),
        );
    }
    Schema::try_from(schema).unwrap_or_default()
}
