//! Reading annotations and predictions from JSON, as the SDK's `from_json` reads them, and
//! collecting every problem instead of stopping at the first.
//!
//! What the SDK 0.22 does, and where this reader differs (all differences deliberate, SPEC.md
//! section 1 "Stricter than the SDK": never a silent change of data):
//!
//! - **Type.** `type` picks the class: `box`, `line`, `polygon`, `keypoints`, `cuboid`,
//!   `category`, `multicategory` (annotations only); anything else, and no `type`, is read as a
//!   segmentation. Here `mask`, `segmentation` and no `type` are segmentations, and any other
//!   value is `unknown-annotation-type` (the SDK would read a typo such as `bbox` as a
//!   segmentation and reject it for its missing `mask_url`, or upload it as a mask).
//!   `multicategory` in a prediction file is rejected, as the SDK rejects it.
//! - **Defaults the SDK invents.** A missing `label` becomes `0`, a missing box coordinate,
//!   cuboid `yaw` or line `vertices` becomes `0` or `[]`, a missing segment label `""` and
//!   index `null`: each is an error here.
//! - **Types.** The SDK checks no type: a label, id or coordinate may be any JSON value and
//!   is uploaded as given. Here labels and ids are non-empty strings, coordinates numbers,
//!   `metadata` an object or null (the SDK turns `false`, `0`, `""` into `{}`), `visible` a
//!   boolean (the SDK takes its truthiness: `1` and `"false"` are both visible), skeleton
//!   edges pairs of non-negative integers (the SDK accepts `-1`).
//! - **Dropped on upload.** Unknown keys, `metadata` on a segmentation, `annotation_id` on a
//!   category, `task_id` on a prediction, `confidence` or `class_pdf` on an annotation: the
//!   SDK drops them silently; here each is an `unknown-field` warning.
//! - **Rules** on values ([`crate::rules`]) run on every annotation read without error.
//!
//! Everything the SDK rejects is rejected (the differential test in `tests/it/sdk_corpus.rs`).

use nucleus_model::diagnostic::{Code, Diagnostic, pointer};
use nucleus_model::json::{self, JsonError};
use nucleus_model::read::{json_diagnostic, kind_name, quoted};
use nucleus_model::suggest::closest;
use nucleus_model::{Metadata, ReferenceId};
use serde_json::{Map, Number, Value};

use crate::rules;
use crate::types::{
    Annotation, AnnotationType, BoxGeometry, CuboidGeometry, Keypoint, KeypointsGeometry, Point,
    Point3, PredictionFields, Role, Segment, Shape, generated_annotation_id,
};

/// The result of reading one annotation: the annotation when it has no error, and every
/// finding.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AnnotationReading {
    /// The annotation, unless an error was found.
    pub annotation: Option<Annotation>,
    /// Errors and warnings, in the order the fields were checked.
    pub diagnostics: Vec<Diagnostic>,
}

impl AnnotationReading {
    /// Whether any finding is an error.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Reads one JSON Lines line: strict JSON parse (duplicate keys, integers beyond 64 bits and
/// `1e400` are errors), then [`read_annotation`].
#[must_use]
pub fn read_annotation_line(text: &str, role: Role) -> AnnotationReading {
    match json::parse(text) {
        Ok(value) => read_annotation(&value, role),
        Err(error) => json_failure(&error),
    }
}

fn json_failure(error: &JsonError) -> AnnotationReading {
    AnnotationReading {
        annotation: None,
        diagnostics: vec![json_diagnostic(error)],
    }
}

/// Reads an annotation (or, with [`Role::Prediction`], a prediction) from a JSON value, then
/// applies the per-annotation [`rules`].
#[must_use]
pub fn read_annotation(value: &Value, role: Role) -> AnnotationReading {
    let mut diagnostics = Vec::new();
    let annotation = match value {
        Value::Object(object) => Reader {
            object,
            role,
            diagnostics: &mut diagnostics,
        }
        .read(),
        other => {
            diagnostics.push(Diagnostic::error(
                Code::NotAnObject,
                "",
                format!(
                    "expected a JSON object for an {role}, found {}",
                    kind_name(other)
                ),
            ));
            None
        }
    };
    if let Some(annotation) = &annotation {
        rules::check_annotation(annotation, &mut diagnostics);
    }
    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    AnnotationReading {
        annotation: annotation.filter(|_| !has_errors),
        diagnostics,
    }
}

/// The keys the SDK's reader of each type reads.
fn known_keys(annotation_type: AnnotationType, role: Role) -> Vec<&'static str> {
    let mut keys = vec!["type", "reference_id", "dataset_item_id"];
    let object = [
        "label",
        "geometry",
        "annotation_id",
        "metadata",
        "track_reference_id",
    ];
    match annotation_type {
        AnnotationType::Box | AnnotationType::Polygon => {
            keys.extend(object);
            keys.push("embedding_vector");
        }
        AnnotationType::Line | AnnotationType::Keypoints | AnnotationType::Cuboid => {
            keys.extend(object);
        }
        AnnotationType::Category | AnnotationType::SceneCategory => keys.extend([
            "label",
            "geometry",
            "metadata",
            "track_reference_id",
            "taxonomy_name",
        ]),
        AnnotationType::MultiCategory => keys.extend([
            "labels",
            "geometry",
            "metadata",
            "track_reference_id",
            "taxonomy_name",
        ]),
        AnnotationType::Segmentation => keys.extend(["mask_url", "annotations", "annotation_id"]),
    }
    match role {
        Role::Annotation if annotation_type != AnnotationType::Segmentation => keys.push("task_id"),
        Role::Annotation => {}
        Role::Prediction => {
            keys.push("dataset_id");
            if annotation_type != AnnotationType::Segmentation {
                keys.extend(["confidence", "class_pdf"]);
            }
        }
    }
    keys
}

/// Why a key the reader does not read is worth more than "unknown".
fn dropped_key_hint(key: &str, annotation_type: AnnotationType, role: Role) -> Option<String> {
    let what = format!("a {annotation_type} {role}");
    Some(match key {
        "confidence" | "class_pdf" | "dataset_id" if role == Role::Annotation => format!(
            "{key} belongs to predictions; the SDK's annotation reader drops it (read the file as predictions if it holds model output)"
        ),
        "confidence" | "class_pdf" => {
            format!("{what} has no {key} in the SDK; it is dropped")
        }
        "task_id" if role == Role::Prediction => {
            "the SDK's prediction reader does not read task_id; it is dropped".to_owned()
        }
        "metadata" if annotation_type == AnnotationType::Segmentation => {
            "the SDK does not upload metadata on a segmentation (only on its segments, in annotations); it is dropped".to_owned()
        }
        "item_id" => {
            "item_id is the upload payload's name for dataset_item_id, which is what the SDK reads; it is dropped".to_owned()
        }
        "annotation_id" | "embedding_vector" | "track_reference_id" | "task_id" | "label"
        | "labels" | "geometry" | "taxonomy_name" | "mask_url" | "annotations" => {
            format!("{what} has no {key} in the SDK; it is dropped")
        }
        _ => return None,
    })
}

struct Reader<'a> {
    object: &'a Map<String, Value>,
    role: Role,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl<'a> Reader<'a> {
    fn error(&mut self, code: Code, path: impl Into<String>, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::error(code, path, message));
    }

    fn warning(&mut self, code: Code, path: impl Into<String>, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::warning(code, path, message));
    }

    fn read(mut self) -> Option<Annotation> {
        let annotation_type = self.read_type()?;
        if !self.object.contains_key("type") && !self.object.contains_key("mask_url") {
            // Most likely not a segmentation at all: say what is missing, not which of its
            // keys a segmentation would drop.
            self.error(
                Code::InvalidSegmentation,
                "/mask_url",
                "the line has no type, so the SDK reads it as a segmentation, but it has no mask_url; set type (box, polygon, ...)",
            );
            return None;
        }
        self.check_keys(annotation_type);
        let reference_id = self.read_reference_id();
        let dataset_item_id = self.read_dataset_item_id();
        if self.role == Role::Prediction
            && reference_id == Some(None)
            && dataset_item_id == Some(None)
        {
            self.error(
                Code::MissingReferenceId,
                "/reference_id",
                "a prediction needs a reference_id (or a dataset_item_id): a non-empty string naming the item it predicts",
            );
        }
        let shape = self.read_shape(annotation_type);
        let known = known_keys(annotation_type, self.role);
        let has = |key: &str| known.contains(&key);
        let annotation_id = if has("annotation_id") {
            self.optional_string("annotation_id")
        } else {
            Some(None)
        };
        let metadata = if has("metadata") {
            self.read_metadata()
        } else {
            Some(Metadata::new())
        };
        let embedding = if has("embedding_vector") {
            self.read_embedding_vector()
        } else {
            Some(None)
        };
        let track_reference_id = if has("track_reference_id") {
            self.optional_string("track_reference_id")
        } else {
            Some(None)
        };
        let task_id = if has("task_id") {
            self.optional_string("task_id")
        } else {
            Some(None)
        };
        let prediction = match self.role {
            Role::Annotation => Some(None),
            Role::Prediction => self.read_prediction(annotation_type).map(Some),
        };
        let reference_id = reference_id?;
        let mut shape = shape?;
        if let Shape::Box {
            embedding_vector, ..
        }
        | Shape::Polygon {
            embedding_vector, ..
        } = &mut shape
        {
            *embedding_vector = embedding?;
        }
        let annotation_id =
            annotation_id?.or_else(|| generated_annotation_id(&shape, reference_id.as_ref()));
        Some(Annotation {
            shape,
            reference_id,
            annotation_id,
            metadata: metadata?,
            track_reference_id: track_reference_id?,
            task_id: task_id?,
            dataset_item_id: dataset_item_id?,
            prediction: prediction?,
        })
    }

    fn read_type(&mut self) -> Option<AnnotationType> {
        let value = match self.object.get("type") {
            None | Some(Value::Null) => return Some(AnnotationType::Segmentation),
            Some(value) => value,
        };
        let names = [
            "box",
            "line",
            "polygon",
            "keypoints",
            "cuboid",
            "category",
            "multicategory",
            "mask",
            "segmentation",
        ];
        let message = match value {
            Value::String(name) => match name.parse::<AnnotationType>() {
                Ok(AnnotationType::MultiCategory) if self.role == Role::Prediction => {
                    "type is \"multicategory\", which predictions do not have in the SDK (its prediction reader would read the line as a segmentation)".to_owned()
                }
                Ok(annotation_type) => return Some(annotation_type),
                Err(_) => {
                    let mut message = format!(
                        "unknown annotation type {}; expected one of box, line, polygon, keypoints, cuboid, category, multicategory, mask (the SDK would read the line as a segmentation)",
                        quoted(name)
                    );
                    if let Some(suggestion) = closest(name, names) {
                        message.push_str(&format!(" (did you mean {}?)", quoted(suggestion)));
                    }
                    message
                }
            },
            other => format!(
                "type must be a string such as \"box\" or \"cuboid\", found {} {other}",
                kind_name(other)
            ),
        };
        self.error(Code::UnknownAnnotationType, "/type", message);
        None
    }

    fn check_keys(&mut self, annotation_type: AnnotationType) {
        let known = known_keys(annotation_type, self.role);
        for (key, value) in self.object {
            if known.contains(&key.as_str()) {
                continue;
            }
            // The SDK's own payloads carry `task_id: null` on predictions.
            if key == "task_id" && value.is_null() {
                continue;
            }
            let message = match dropped_key_hint(key, annotation_type, self.role) {
                Some(hint) => hint,
                None => {
                    let mut message = format!(
                        "unknown field {} for a {annotation_type} {}; it is not uploaded",
                        quoted(key),
                        self.role
                    );
                    if let Some(suggestion) = closest(key, known.iter().copied()) {
                        message.push_str(&format!(" (did you mean {}?)", quoted(suggestion)));
                    }
                    message
                }
            };
            self.warning(Code::UnknownField, pointer("", &[key]), message);
        }
    }

    /// `Some(Some(id))`, `Some(None)` when absent (allowed for a prediction), `None` on error.
    fn read_reference_id(&mut self) -> Option<Option<ReferenceId>> {
        match self.object.get("reference_id") {
            None | Some(Value::Null) if self.role == Role::Prediction => Some(None),
            None => {
                self.error(
                    Code::MissingReferenceId,
                    "/reference_id",
                    "reference_id is required: the reference id of the item the annotation belongs to",
                );
                None
            }
            Some(Value::Null) => {
                self.error(
                    Code::MissingReferenceId,
                    "/reference_id",
                    "reference_id is null; give the reference id of the item the annotation belongs to",
                );
                None
            }
            Some(Value::String(id)) => match ReferenceId::new(id.as_str()) {
                Ok(id) => Some(Some(id)),
                Err(_) => {
                    self.error(
                        Code::EmptyReferenceId,
                        "/reference_id",
                        "reference_id is an empty string; give the reference id of the item",
                    );
                    None
                }
            },
            Some(other) => {
                self.error(
                    Code::InvalidReferenceId,
                    "/reference_id",
                    format!(
                        "reference_id must be a string, found {} {other}",
                        kind_name(other)
                    ),
                );
                None
            }
        }
    }

    fn read_dataset_item_id(&mut self) -> Option<Option<String>> {
        match self.object.get("dataset_item_id") {
            None | Some(Value::Null) => Some(None),
            Some(Value::String(id)) if !id.is_empty() => Some(Some(id.clone())),
            Some(other) if self.role == Role::Annotation => {
                // Server-assigned and never uploaded with an annotation: nothing is lost.
                self.warning(
                    Code::InvalidField,
                    "/dataset_item_id",
                    format!(
                        "dataset_item_id is set by the server and should be a non-empty string, found {other}; it is dropped"
                    ),
                );
                Some(None)
            }
            Some(other) => {
                self.error(
                    Code::InvalidAnnotationField,
                    "/dataset_item_id",
                    format!(
                        "dataset_item_id must be a non-empty string (the server's item id, di_…), found {other}"
                    ),
                );
                None
            }
        }
    }

    /// A field that is absent, null or a non-empty string.
    fn optional_string(&mut self, key: &str) -> Option<Option<String>> {
        match self.object.get(key) {
            None | Some(Value::Null) => Some(None),
            Some(Value::String(text)) if !text.is_empty() => Some(Some(text.clone())),
            Some(other) => {
                self.error(
                    Code::InvalidAnnotationField,
                    pointer("", &[key]),
                    format!("{key} must be a non-empty string or null, found {other}"),
                );
                None
            }
        }
    }

    fn read_metadata(&mut self) -> Option<Metadata> {
        match self.object.get("metadata") {
            None | Some(Value::Null) => Some(Metadata::new()),
            Some(Value::Object(map)) => Some(Metadata::from_map(map.clone())),
            Some(other) => {
                self.error(
                    Code::MetadataNotAnObject,
                    "/metadata",
                    format!(
                        "metadata must be an object or null, found {} {other}",
                        kind_name(other)
                    ),
                );
                None
            }
        }
    }

    /// `Some(None)` when absent or null, `None` (after an error) when malformed.
    fn read_embedding_vector(&mut self) -> Option<Option<Vec<Number>>> {
        match self.object.get("embedding_vector") {
            None | Some(Value::Null) => Some(None),
            Some(Value::Array(values)) if !values.is_empty() => {
                let numbers: Vec<Number> = values
                    .iter()
                    .filter_map(|value| value.as_number().cloned())
                    .collect();
                if numbers.len() == values.len() {
                    return Some(Some(numbers));
                }
                self.error(
                    Code::InvalidAnnotationField,
                    "/embedding_vector",
                    "embedding_vector must be a non-empty list of numbers; it has an entry that is not a number",
                );
                None
            }
            Some(other) => {
                self.error(
                    Code::InvalidAnnotationField,
                    "/embedding_vector",
                    format!("embedding_vector must be a non-empty list of numbers, found {other}"),
                );
                None
            }
        }
    }

    fn read_label(&mut self) -> Option<String> {
        match self.object.get("label") {
            Some(Value::String(label)) if !label.is_empty() => Some(label.clone()),
            Some(Value::String(_)) => {
                self.error(Code::InvalidLabel, "/label", "label is an empty string");
                None
            }
            None => {
                self.error(
                    Code::InvalidLabel,
                    "/label",
                    "label is missing (the SDK would upload the label 0); give the class name",
                );
                None
            }
            Some(other) => {
                self.error(
                    Code::InvalidLabel,
                    "/label",
                    format!(
                        "label must be a non-empty string, found {} {other}",
                        kind_name(other)
                    ),
                );
                None
            }
        }
    }

    fn read_shape(&mut self, annotation_type: AnnotationType) -> Option<Shape> {
        match annotation_type {
            AnnotationType::Box => {
                let label = self.read_label();
                let geometry = self.geometry().and_then(|geometry| {
                    let mut reader = Fields::new(geometry, "/geometry", self.diagnostics);
                    let x = reader.number("x");
                    let y = reader.number("y");
                    let width = reader.number("width");
                    let height = reader.number("height");
                    reader.unknown_keys(&["x", "y", "width", "height"]);
                    Some(BoxGeometry {
                        x: x?,
                        y: y?,
                        width: width?,
                        height: height?,
                    })
                });
                Some(Shape::Box {
                    label: label?,
                    geometry: geometry?,
                    embedding_vector: None,
                })
            }
            AnnotationType::Line | AnnotationType::Polygon => {
                let label = self.read_label();
                let vertices = self.geometry().and_then(|geometry| {
                    let mut reader = Fields::new(geometry, "/geometry", self.diagnostics);
                    reader.unknown_keys(&["vertices"]);
                    reader.points("vertices")
                });
                let (label, vertices) = (label?, vertices?);
                Some(if annotation_type == AnnotationType::Line {
                    Shape::Line { label, vertices }
                } else {
                    Shape::Polygon {
                        label,
                        vertices,
                        embedding_vector: None,
                    }
                })
            }
            AnnotationType::Keypoints => {
                let label = self.read_label();
                let role = self.role;
                let geometry = self
                    .geometry()
                    .and_then(|geometry| read_keypoints(geometry, role, self.diagnostics));
                Some(Shape::Keypoints {
                    label: label?,
                    geometry: geometry?,
                })
            }
            AnnotationType::Cuboid => {
                let label = self.read_label();
                let geometry = self.geometry().and_then(|geometry| {
                    let mut reader = Fields::new(geometry, "/geometry", self.diagnostics);
                    let position = reader.point3("position");
                    let dimensions = reader.point3("dimensions");
                    let yaw = reader.number("yaw");
                    reader.unknown_keys(&["position", "dimensions", "yaw"]);
                    Some(CuboidGeometry {
                        position: position?,
                        dimensions: dimensions?,
                        yaw: yaw?,
                    })
                });
                Some(Shape::Cuboid {
                    label: label?,
                    geometry: geometry?,
                })
            }
            AnnotationType::Category | AnnotationType::SceneCategory => {
                let label = self.read_label();
                self.ignored_geometry();
                let taxonomy_name = self.optional_string("taxonomy_name");
                Some(Shape::Category {
                    label: label?,
                    taxonomy_name: taxonomy_name?,
                })
            }
            AnnotationType::MultiCategory => {
                let labels = self.read_labels();
                self.ignored_geometry();
                let taxonomy_name = self.optional_string("taxonomy_name");
                Some(Shape::MultiCategory {
                    labels: labels?,
                    taxonomy_name: taxonomy_name?,
                })
            }
            AnnotationType::Segmentation => self.read_segmentation(),
        }
    }

    /// The `geometry` object of a drawn annotation (the SDK fails on anything else, and reads
    /// a missing one as `{}`, whose missing fields are reported one by one).
    fn geometry(&mut self) -> Option<&'a Map<String, Value>> {
        static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);
        let object: &'a Map<String, Value> = self.object;
        match object.get("geometry") {
            Some(Value::Object(geometry)) => Some(geometry),
            None => Some(&EMPTY),
            Some(other) => {
                self.error(
                    Code::InvalidGeometry,
                    "/geometry",
                    format!(
                        "geometry must be an object, found {} {other}",
                        kind_name(other)
                    ),
                );
                None
            }
        }
    }

    fn ignored_geometry(&mut self) {
        match self.object.get("geometry") {
            None | Some(Value::Null) => {}
            Some(Value::Object(geometry)) if geometry.is_empty() => {}
            Some(other) => self.warning(
                Code::UnknownField,
                "/geometry",
                format!(
                    "a category has no geometry; the SDK uploads {{}} instead of {}",
                    compact(other)
                ),
            ),
        }
    }

    fn read_labels(&mut self) -> Option<Vec<String>> {
        let values = match self.object.get("labels") {
            Some(Value::Array(values)) => values,
            None => {
                self.error(
                    Code::InvalidLabel,
                    "/labels",
                    "labels is missing: a multicategory needs a list of labels",
                );
                return None;
            }
            Some(other) => {
                self.error(
                    Code::InvalidLabel,
                    "/labels",
                    format!("labels must be a list of strings, found {other}"),
                );
                return None;
            }
        };
        let mut labels = Vec::with_capacity(values.len());
        for (idx, value) in values.iter().enumerate() {
            match value {
                Value::String(label) if !label.is_empty() => labels.push(label.clone()),
                other => self.error(
                    Code::InvalidLabel,
                    format!("/labels/{idx}"),
                    format!("each label must be a non-empty string, found {other}"),
                ),
            }
        }
        (labels.len() == values.len()).then_some(labels)
    }

    fn read_segmentation(&mut self) -> Option<Shape> {
        let mask_url = match self.object.get("mask_url") {
            Some(Value::String(url)) if !url.is_empty() => Some(url.clone()),
            None => {
                self.error(
                    Code::InvalidSegmentation,
                    "/mask_url",
                    "mask_url is missing: a segmentation is a mask PNG (mask_url) and the label of each pixel value",
                );
                None
            }
            Some(other) => {
                self.error(
                    Code::InvalidSegmentation,
                    "/mask_url",
                    format!("mask_url must be a non-empty string (a path or URL of a PNG), found {other}"),
                );
                None
            }
        };
        let segments = match self.object.get("annotations") {
            None => Some(Vec::new()),
            Some(Value::Array(values)) => {
                let mut segments = Vec::with_capacity(values.len());
                for (idx, value) in values.iter().enumerate() {
                    if let Some(segment) = read_segment(value, idx, self.diagnostics) {
                        segments.push(segment);
                    }
                }
                (segments.len() == values.len()).then_some(segments)
            }
            Some(other) => {
                self.error(
                    Code::InvalidSegmentation,
                    "/annotations",
                    format!(
                        "annotations must be a list of segments {{label, index}}, found {} {other}",
                        kind_name(other)
                    ),
                );
                None
            }
        };
        Some(Shape::Segmentation {
            mask_url: mask_url?,
            segments: segments?,
        })
    }

    fn read_prediction(&mut self, annotation_type: AnnotationType) -> Option<PredictionFields> {
        let dataset_id = self.optional_string("dataset_id");
        if annotation_type == AnnotationType::Segmentation {
            return Some(PredictionFields {
                dataset_id: dataset_id?,
                ..PredictionFields::default()
            });
        }
        let confidence = match self.object.get("confidence") {
            None | Some(Value::Null) => Some(None),
            Some(Value::Number(number)) => Some(Some(number.clone())),
            Some(other) => {
                self.error(
                    Code::InvalidConfidence,
                    "/confidence",
                    format!("confidence must be a number in [0, 1], found {other}"),
                );
                None
            }
        };
        let class_pdf = match self.object.get("class_pdf") {
            None | Some(Value::Null) => Some(None),
            Some(Value::Object(map)) => {
                let mut pdf = Vec::with_capacity(map.len());
                for (label, value) in map {
                    match value {
                        Value::Number(number) => pdf.push((label.clone(), number.clone())),
                        other => self.error(
                            Code::InvalidClassPdf,
                            pointer("/class_pdf", &[label]),
                            format!(
                                "a class probability must be a number in [0, 1], found {other}"
                            ),
                        ),
                    }
                }
                (pdf.len() == map.len()).then_some(Some(pdf))
            }
            Some(other) => {
                self.error(
                    Code::InvalidClassPdf,
                    "/class_pdf",
                    format!(
                        "class_pdf must be an object {{label: probability}}, found {} {other}",
                        kind_name(other)
                    ),
                );
                None
            }
        };
        Some(PredictionFields {
            confidence: confidence?,
            class_pdf: class_pdf?,
            dataset_id: dataset_id?,
        })
    }
}

fn read_keypoints(
    geometry: &Map<String, Value>,
    role: Role,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<KeypointsGeometry> {
    let mut reader = Fields::new(geometry, "/geometry", diagnostics);
    reader.unknown_keys(&["keypoints", "names", "skeleton"]);
    let keypoints = match geometry.get("keypoints") {
        Some(Value::Array(values)) => {
            let mut keypoints = Vec::with_capacity(values.len());
            for (idx, value) in values.iter().enumerate() {
                let path = format!("/geometry/keypoints/{idx}");
                let Value::Object(object) = value else {
                    diagnostics.push(Diagnostic::error(
                        Code::InvalidGeometry,
                        path,
                        format!("a keypoint must be an object {{x, y, visible}}, found {value}"),
                    ));
                    continue;
                };
                let mut fields = Fields::new(object, &path, diagnostics);
                let x = fields.optional_number("x");
                let y = fields.optional_number("y");
                fields.unknown_keys(&["x", "y", "visible"]);
                let visible = match object.get("visible") {
                    Some(Value::Bool(visible)) => Some(*visible),
                    None => {
                        diagnostics.push(Diagnostic::error(
                            Code::InvalidGeometry,
                            format!("{path}/visible"),
                            "visible is missing; give true or false",
                        ));
                        None
                    }
                    Some(other) => {
                        diagnostics.push(Diagnostic::error(
                            Code::InvalidGeometry,
                            format!("{path}/visible"),
                            format!(
                                "visible must be true or false, found {other} (the SDK would read it by truthiness: 1, 2 and \"false\" all become true)"
                            ),
                        ));
                        None
                    }
                };
                if let (Some(x), Some(y), Some(visible)) = (x, y, visible) {
                    keypoints.push(Keypoint { x, y, visible });
                }
            }
            (keypoints.len() == values.len()).then_some(keypoints)
        }
        None => {
            diagnostics.push(Diagnostic::error(
                Code::InvalidGeometry,
                "/geometry/keypoints",
                "keypoints is missing: a list of {x, y, visible}",
            ));
            None
        }
        Some(other) => {
            diagnostics.push(Diagnostic::error(
                Code::InvalidGeometry,
                "/geometry/keypoints",
                format!("keypoints must be a list of {{x, y, visible}}, found {other}"),
            ));
            None
        }
    };
    let names = match geometry.get("names") {
        Some(Value::Array(values)) => {
            let mut names = Vec::with_capacity(values.len());
            for (idx, value) in values.iter().enumerate() {
                match value {
                    Value::String(name) if !name.is_empty() => names.push(name.clone()),
                    other => diagnostics.push(Diagnostic::error(
                        Code::InvalidKeypoints,
                        format!("/geometry/names/{idx}"),
                        format!("a keypoint name must be a non-empty string, found {other}"),
                    )),
                }
            }
            (names.len() == values.len()).then_some(names)
        }
        None => {
            diagnostics.push(Diagnostic::error(
                Code::InvalidKeypoints,
                "/geometry/names",
                "names is missing: one name per keypoint",
            ));
            None
        }
        Some(other) => {
            diagnostics.push(Diagnostic::error(
                Code::InvalidKeypoints,
                "/geometry/names",
                format!("names must be a list of strings, one per keypoint, found {other}"),
            ));
            None
        }
    };
    let skeleton = match geometry.get("skeleton") {
        None if role == Role::Prediction => {
            diagnostics.push(Diagnostic::error(
                Code::InvalidKeypoints,
                "/geometry/skeleton",
                "skeleton is missing; the SDK's keypoints prediction requires it (null or a list of [from, to] index pairs)",
            ));
            None
        }
        None | Some(Value::Null) => Some(None),
        Some(Value::Array(edges)) => {
            let mut pairs = Vec::with_capacity(edges.len());
            for (idx, edge) in edges.iter().enumerate() {
                let pair = match edge.as_array().map(Vec::as_slice) {
                    Some([from, to]) => from.as_u64().zip(to.as_u64()),
                    _ => None,
                };
                match pair {
                    Some((from, to)) => pairs.push([from, to]),
                    None => diagnostics.push(Diagnostic::error(
                        Code::InvalidKeypoints,
                        format!("/geometry/skeleton/{idx}"),
                        format!("a skeleton edge must be a pair [from, to] of keypoint indexes (integers from 0), found {edge}"),
                    )),
                }
            }
            (pairs.len() == edges.len()).then_some(Some(pairs))
        }
        Some(other) => {
            diagnostics.push(Diagnostic::error(
                Code::InvalidKeypoints,
                "/geometry/skeleton",
                format!("skeleton must be null or a list of [from, to] index pairs, found {other}"),
            ));
            None
        }
    };
    Some(KeypointsGeometry {
        keypoints: keypoints?,
        names: names?,
        skeleton: skeleton?,
    })
}

fn read_segment(value: &Value, idx: usize, diagnostics: &mut Vec<Diagnostic>) -> Option<Segment> {
    let path = format!("/annotations/{idx}");
    let Value::Object(object) = value else {
        diagnostics.push(Diagnostic::error(
            Code::InvalidSegmentation,
            path,
            format!("a segment must be an object {{label, index}}, found {value}"),
        ));
        return None;
    };
    Fields::new(object, &path, diagnostics).unknown_keys(&["label", "index", "metadata"]);
    let label = match object.get("label") {
        Some(Value::String(label)) if !label.is_empty() => Some(label.clone()),
        other => {
            diagnostics.push(Diagnostic::error(
                Code::InvalidLabel,
                format!("{path}/label"),
                match other {
                    None => "a segment's label is missing (the SDK would upload \"\")".to_owned(),
                    Some(other) => {
                        format!("a segment's label must be a non-empty string, found {other}")
                    }
                },
            ));
            None
        }
    };
    let index = match object.get("index") {
        Some(value) if value.as_u64().is_some() => value.as_u64(),
        other => {
            diagnostics.push(Diagnostic::error(
                Code::InvalidSegmentation,
                format!("{path}/index"),
                match other {
                    None | Some(Value::Null) => "a segment's index is missing: the pixel value of this label in the mask".to_owned(),
                    Some(other) => format!("a segment's index must be an integer from 0 (a pixel value of the mask), found {other}"),
                },
            ));
            None
        }
    };
    let metadata = match object.get("metadata") {
        None | Some(Value::Null) => Some(None),
        Some(Value::Object(map)) => Some(Some(map.clone())),
        Some(other) => {
            diagnostics.push(Diagnostic::error(
                Code::MetadataNotAnObject,
                format!("{path}/metadata"),
                format!(
                    "a segment's metadata must be an object or null, found {} {other}",
                    kind_name(other)
                ),
            ));
            None
        }
    };
    Some(Segment {
        label: label?,
        index: index?,
        metadata: metadata?,
    })
}

/// Typed fields of one JSON object at `base`, reporting `invalid-geometry`.
struct Fields<'a, 'd> {
    object: &'a Map<String, Value>,
    base: &'a str,
    diagnostics: &'d mut Vec<Diagnostic>,
}

impl<'a, 'd> Fields<'a, 'd> {
    fn new(
        object: &'a Map<String, Value>,
        base: &'a str,
        diagnostics: &'d mut Vec<Diagnostic>,
    ) -> Fields<'a, 'd> {
        Fields {
            object,
            base,
            diagnostics,
        }
    }

    fn invalid(&mut self, key: &str, message: String) {
        self.diagnostics.push(Diagnostic::error(
            Code::InvalidGeometry,
            pointer(self.base, &[key]),
            message,
        ));
    }

    fn number(&mut self, key: &str) -> Option<Number> {
        match self.object.get(key) {
            Some(Value::Number(number)) => Some(number.clone()),
            None => {
                self.invalid(
                    key,
                    format!("{key} is missing (the SDK would upload 0); give a number"),
                );
                None
            }
            Some(other) => {
                self.invalid(
                    key,
                    format!("{key} must be a number, found {} {other}", kind_name(other)),
                );
                None
            }
        }
    }

    /// A number, or `None` inside `Some` when absent or null.
    fn optional_number(&mut self, key: &str) -> Option<Option<Number>> {
        match self.object.get(key) {
            None | Some(Value::Null) => Some(None),
            Some(Value::Number(number)) => Some(Some(number.clone())),
            Some(other) => {
                self.invalid(
                    key,
                    format!(
                        "{key} must be a number or null, found {} {other}",
                        kind_name(other)
                    ),
                );
                None
            }
        }
    }

    fn point3(&mut self, key: &str) -> Option<Point3> {
        let path = pointer(self.base, &[key]);
        match self.object.get(key) {
            Some(Value::Object(object)) => {
                let mut fields = Fields::new(object, &path, self.diagnostics);
                let x = fields.number("x");
                let y = fields.number("y");
                let z = fields.number("z");
                fields.unknown_keys(&["x", "y", "z"]);
                Some(Point3 {
                    x: x?,
                    y: y?,
                    z: z?,
                })
            }
            None => {
                self.invalid(key, format!("{key} is missing: an object {{x, y, z}}"));
                None
            }
            Some(other) => {
                self.invalid(
                    key,
                    format!(
                        "{key} must be an object {{x, y, z}}, found {} {other}",
                        kind_name(other)
                    ),
                );
                None
            }
        }
    }

    fn points(&mut self, key: &str) -> Option<Vec<Point>> {
        let values = match self.object.get(key) {
            Some(Value::Array(values)) => values,
            None => {
                self.invalid(key, format!("{key} is missing: a list of points {{x, y}}"));
                return None;
            }
            Some(other) => {
                self.invalid(
                    key,
                    format!(
                        "{key} must be a list of points {{x, y}}, found {} {other}",
                        kind_name(other)
                    ),
                );
                return None;
            }
        };
        let mut points = Vec::with_capacity(values.len());
        for (idx, value) in values.iter().enumerate() {
            let path = pointer(self.base, &[key, &idx.to_string()]);
            match value {
                Value::Object(object) => {
                    let mut fields = Fields::new(object, &path, self.diagnostics);
                    let x = fields.number("x");
                    let y = fields.number("y");
                    fields.unknown_keys(&["x", "y"]);
                    if let (Some(x), Some(y)) = (x, y) {
                        points.push(Point { x, y });
                    }
                }
                other => self.diagnostics.push(Diagnostic::error(
                    Code::InvalidGeometry,
                    path,
                    format!(
                        "a point must be an object {{x, y}}, found {} {other}",
                        kind_name(other)
                    ),
                )),
            }
        }
        (points.len() == values.len()).then_some(points)
    }

    fn unknown_keys(&mut self, known: &[&str]) {
        for key in self.object.keys() {
            if known.contains(&key.as_str()) {
                continue;
            }
            let mut message = format!("unknown field {}; it is not uploaded", quoted(key));
            if let Some(suggestion) = closest(key, known.iter().copied()) {
                message.push_str(&format!(" (did you mean {}?)", quoted(suggestion)));
            }
            self.diagnostics.push(Diagnostic::warning(
                Code::UnknownField,
                pointer(self.base, &[key]),
                message,
            ));
        }
    }
}

/// A value for a message, shortened past 60 characters.
fn compact(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= 60 {
        return text;
    }
    let mut short: String = text.chars().take(57).collect();
    short.push_str("...");
    short
}
