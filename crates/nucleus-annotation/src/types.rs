//! The annotation types: what each of the SDK's annotation and prediction classes holds.
//!
//! Numbers are kept as the JSON numbers they were read from (`serde_json::Number`), so an
//! integer stays an integer and a float keeps its exact value through a read and a write.

use std::fmt;
use std::str::FromStr;

use nucleus_model::{Metadata, ReferenceId};
use serde_json::{Map, Number, Value};

use crate::python;

/// Which of the SDK's two readers a line is meant for: ground truth (`Annotation.from_json`,
/// uploaded with `dataset.annotate`) or model output (`prediction.from_json`, uploaded with
/// `dataset.upload_predictions`). A file holds one or the other; the line cannot say which.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Ground truth: `reference_id` required; no `confidence`, `class_pdf` or `dataset_id`.
    Annotation,
    /// Model output: `reference_id` or `dataset_item_id`; optional `confidence`, `class_pdf`,
    /// `dataset_id`; no `multicategory`, no `task_id`.
    Prediction,
}

impl Role {
    /// `annotation` or `prediction`, for messages.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Annotation => "annotation",
            Role::Prediction => "prediction",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of an annotation, as its payload `type` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AnnotationType {
    /// An axis-aligned 2D box (`"box"`).
    Box,
    /// An open polyline (`"line"`).
    Line,
    /// A closed polygon (`"polygon"`).
    Polygon,
    /// Named keypoints and the skeleton joining them (`"keypoints"`).
    Keypoints,
    /// A 3D box in a point cloud (`"cuboid"`).
    Cuboid,
    /// One label for a whole item (`"category"`).
    Category,
    /// Several labels for a whole item (`"multicategory"`; annotations only).
    MultiCategory,
    /// One label for a whole scene. Its payload `type` is `"category"` too, so the SDK's readers
    /// (and [`crate::read_annotation`]) read it back as a [`AnnotationType::Category`]; see
    /// [`crate::Annotation::into_scene_category`].
    SceneCategory,
    /// A segmentation mask and the label of each of its pixel values (`"mask"`; the SDK also
    /// reads `"segmentation"` and a line without a `type` as one).
    Segmentation,
}

impl AnnotationType {
    /// Every type, in documentation order.
    pub const ALL: [AnnotationType; 9] = [
        AnnotationType::Box,
        AnnotationType::Line,
        AnnotationType::Polygon,
        AnnotationType::Keypoints,
        AnnotationType::Cuboid,
        AnnotationType::Category,
        AnnotationType::MultiCategory,
        AnnotationType::SceneCategory,
        AnnotationType::Segmentation,
    ];

    /// The payload's `type` value: `box`, `line`, `polygon`, `keypoints`, `cuboid`, `category`
    /// (for scene categories too), `multicategory`, `mask`.
    #[must_use]
    pub const fn wire_name(self) -> &'static str {
        match self {
            AnnotationType::Box => "box",
            AnnotationType::Line => "line",
            AnnotationType::Polygon => "polygon",
            AnnotationType::Keypoints => "keypoints",
            AnnotationType::Cuboid => "cuboid",
            AnnotationType::Category | AnnotationType::SceneCategory => "category",
            AnnotationType::MultiCategory => "multicategory",
            AnnotationType::Segmentation => "mask",
        }
    }

    /// A name for messages: the wire name, but `scene category` and `segmentation`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            AnnotationType::SceneCategory => "scene category",
            AnnotationType::Segmentation => "segmentation",
            other => other.wire_name(),
        }
    }

    /// Whether the annotation draws on an image: box, line, polygon, keypoints, segmentation.
    #[must_use]
    pub const fn is_2d(self) -> bool {
        matches!(
            self,
            AnnotationType::Box
                | AnnotationType::Line
                | AnnotationType::Polygon
                | AnnotationType::Keypoints
                | AnnotationType::Segmentation
        )
    }
}

impl fmt::Display for AnnotationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `type` values the SDK's readers dispatch on, and `segmentation`, which its constants
/// list. A scene category has no `type` of its own.
impl FromStr for AnnotationType {
    type Err = crate::Error;

    fn from_str(text: &str) -> Result<AnnotationType, crate::Error> {
        Ok(match text {
            "box" => AnnotationType::Box,
            "line" => AnnotationType::Line,
            "polygon" => AnnotationType::Polygon,
            "keypoints" => AnnotationType::Keypoints,
            "cuboid" => AnnotationType::Cuboid,
            "category" => AnnotationType::Category,
            "multicategory" => AnnotationType::MultiCategory,
            "mask" | "segmentation" => AnnotationType::Segmentation,
            other => return Err(crate::Error::UnknownType(other.to_owned())),
        })
    }
}

/// A 2D point in pixels (`{x, y}`): x to the right, y down, from the image's top-left corner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point {
    /// Column, in pixels.
    pub x: Number,
    /// Row, in pixels.
    pub y: Number,
}

/// A 3D point or size (`{x, y, z}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point3 {
    /// x.
    pub x: Number,
    /// y.
    pub y: Number,
    /// z.
    pub z: Number,
}

/// A box's geometry: the top-left corner and the size, in pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoxGeometry {
    /// Left edge.
    pub x: Number,
    /// Top edge.
    pub y: Number,
    /// Width (positive).
    pub width: Number,
    /// Height (positive).
    pub height: Number,
}

/// One keypoint: coordinates (absent only when not visible) and visibility.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keypoint {
    /// Column, in pixels.
    pub x: Option<Number>,
    /// Row, in pixels.
    pub y: Option<Number>,
    /// Whether the point is visible; a visible point has both coordinates.
    pub visible: bool,
}

/// Keypoints with their names and skeleton (`geometry` of a keypoints annotation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeypointsGeometry {
    /// The points, in the order of `names`.
    pub keypoints: Vec<Keypoint>,
    /// One distinct name per keypoint.
    pub names: Vec<String>,
    /// Edges between keypoints, as pairs of indexes into `keypoints` (`null` when absent).
    pub skeleton: Option<Vec<[u64; 2]>>,
}

/// A cuboid's geometry: centre, size (x length, y width, z height) and yaw in radians.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CuboidGeometry {
    /// The centre, in the point cloud's world frame.
    pub position: Point3,
    /// Length (x), width (y) and height (z), positive.
    pub dimensions: Point3,
    /// Rotation about world +Z, radians, counter-clockwise seen from above.
    pub yaw: Number,
}

/// One pixel value of a segmentation mask and its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The class or instance label.
    pub label: String,
    /// The pixel value in the mask.
    pub index: u64,
    /// Extra data about the segment (written only when given, as the SDK does).
    pub metadata: Option<Map<String, Value>>,
}

/// What an annotation draws or says, by type, with its type-specific fields.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Shape {
    /// A 2D box.
    Box {
        /// The class.
        label: String,
        /// Corner and size.
        geometry: BoxGeometry,
        /// A custom embedding of the object.
        embedding_vector: Option<Vec<Number>>,
    },
    /// An open polyline.
    Line {
        /// The class.
        label: String,
        /// The points, in order.
        vertices: Vec<Point>,
    },
    /// A closed polygon.
    Polygon {
        /// The class.
        label: String,
        /// The points, in order.
        vertices: Vec<Point>,
        /// A custom embedding of the object.
        embedding_vector: Option<Vec<Number>>,
    },
    /// Keypoints and skeleton.
    Keypoints {
        /// The class.
        label: String,
        /// Points, names and skeleton.
        geometry: KeypointsGeometry,
    },
    /// A 3D box.
    Cuboid {
        /// The class.
        label: String,
        /// Centre, size and yaw.
        geometry: CuboidGeometry,
    },
    /// A label for the whole item.
    Category {
        /// The class.
        label: String,
        /// The taxonomy the label belongs to.
        taxonomy_name: Option<String>,
    },
    /// Several labels for the whole item.
    MultiCategory {
        /// The classes.
        labels: Vec<String>,
        /// The taxonomy the labels belong to.
        taxonomy_name: Option<String>,
    },
    /// A label for a whole scene.
    SceneCategory {
        /// The class.
        label: String,
        /// The taxonomy the label belongs to.
        taxonomy_name: Option<String>,
    },
    /// A segmentation mask.
    Segmentation {
        /// Where the mask PNG is (a local path or a remote URL).
        mask_url: String,
        /// The label of each pixel value.
        segments: Vec<Segment>,
    },
}

impl Shape {
    /// The annotation type of this shape.
    #[must_use]
    pub const fn annotation_type(&self) -> AnnotationType {
        match self {
            Shape::Box { .. } => AnnotationType::Box,
            Shape::Line { .. } => AnnotationType::Line,
            Shape::Polygon { .. } => AnnotationType::Polygon,
            Shape::Keypoints { .. } => AnnotationType::Keypoints,
            Shape::Cuboid { .. } => AnnotationType::Cuboid,
            Shape::Category { .. } => AnnotationType::Category,
            Shape::MultiCategory { .. } => AnnotationType::MultiCategory,
            Shape::SceneCategory { .. } => AnnotationType::SceneCategory,
            Shape::Segmentation { .. } => AnnotationType::Segmentation,
        }
    }

    /// The single `label`, for every type but multicategory and segmentation.
    #[must_use]
    pub fn label(&self) -> Option<&str> {
        match self {
            Shape::Box { label, .. }
            | Shape::Line { label, .. }
            | Shape::Polygon { label, .. }
            | Shape::Keypoints { label, .. }
            | Shape::Cuboid { label, .. }
            | Shape::Category { label, .. }
            | Shape::SceneCategory { label, .. } => Some(label),
            Shape::MultiCategory { .. } | Shape::Segmentation { .. } => None,
        }
    }

    /// Every label with the JSON pointer it sits at: `/label`, `/labels/INDEX` or
    /// `/annotations/INDEX/label`.
    #[must_use]
    pub fn labels_with_pointers(&self) -> Vec<(String, &str)> {
        match self {
            Shape::MultiCategory { labels, .. } => labels
                .iter()
                .enumerate()
                .map(|(idx, label)| (format!("/labels/{idx}"), label.as_str()))
                .collect(),
            Shape::Segmentation { segments, .. } => segments
                .iter()
                .enumerate()
                .map(|(idx, segment)| (format!("/annotations/{idx}/label"), segment.label.as_str()))
                .collect(),
            other => other
                .label()
                .map(|label| ("/label".to_owned(), label))
                .into_iter()
                .collect(),
        }
    }
}

/// The fields only a prediction has.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct PredictionFields {
    /// How sure the model is, in [0, 1].
    pub confidence: Option<Number>,
    /// The probability of each class, summing to 1 (not for scene categories or segmentations).
    pub class_pdf: Option<Vec<(String, Number)>>,
    /// The dataset of a dataset-less model-run upload (written as `dataset_id`).
    pub dataset_id: Option<String>,
}

/// One annotation or prediction, as the SDK's classes hold it.
///
/// Built by [`crate::read_annotation`] (which applies every rule of [`crate::rules`]) or by
/// hand with [`Annotation::new`]; [`crate::rules::check_annotation`] checks a hand-built one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Annotation {
    /// The type and what it draws.
    pub shape: Shape,
    /// The item (or, for a scene category, the scene) annotated. Only a prediction may have
    /// none, and then it has a `dataset_item_id`.
    pub reference_id: Option<ReferenceId>,
    /// The id, unique within the item. Boxes and keypoints without one get the SDK's generated
    /// id (`label-x-y-width-height-reference_id`, `label-reference_id-keypoints`); categories
    /// have none.
    pub annotation_id: Option<String>,
    /// Free-form data (empty when absent; never on a segmentation).
    pub metadata: Metadata,
    /// Groups annotations of one object across items.
    pub track_reference_id: Option<String>,
    /// The Scale task the annotation came from (annotations only).
    pub task_id: Option<String>,
    /// The server's id of the item (`di_…`). Read and not uploaded for an annotation; a
    /// prediction's upload target, written as `item_id`.
    pub dataset_item_id: Option<String>,
    /// `Some` for a prediction.
    pub prediction: Option<PredictionFields>,
}

impl Annotation {
    /// An annotation (a ground truth) of `reference_id` with no optional field, and the SDK's
    /// generated `annotation_id` for a box or keypoints. Set `prediction` to make it a
    /// prediction.
    #[must_use]
    pub fn new(shape: Shape, reference_id: ReferenceId) -> Annotation {
        let annotation_id = generated_annotation_id(&shape, Some(&reference_id));
        Annotation {
            shape,
            reference_id: Some(reference_id),
            annotation_id,
            metadata: Metadata::new(),
            track_reference_id: None,
            task_id: None,
            dataset_item_id: None,
            prediction: None,
        }
    }

    /// The annotation type.
    #[must_use]
    pub fn annotation_type(&self) -> AnnotationType {
        self.shape.annotation_type()
    }

    /// Whether this is an annotation or a prediction.
    #[must_use]
    pub fn role(&self) -> Role {
        if self.prediction.is_some() {
            Role::Prediction
        } else {
            Role::Annotation
        }
    }

    /// The same category as a scene category (the SDK's `SceneCategoryAnnotation` or
    /// `SceneCategoryPrediction`, whose payload has no `track_reference_id` and no `class_pdf`).
    ///
    /// The SDK's readers cannot tell the two apart (both payloads say `"type": "category"`), so
    /// every category is read as an item category; convert those whose `reference_id` names a
    /// scene.
    ///
    /// # Errors
    ///
    /// [`crate::Error::NotASceneCategory`] when the annotation is not a category, or has a
    /// `track_reference_id` or a `class_pdf`, which a scene category would lose.
    pub fn into_scene_category(self) -> Result<Annotation, crate::Error> {
        let has_class_pdf = self
            .prediction
            .as_ref()
            .is_some_and(|prediction| prediction.class_pdf.is_some());
        let why = match &self.shape {
            Shape::Category { .. } if self.track_reference_id.is_some() => {
                "it has a track_reference_id"
            }
            Shape::Category { .. } if has_class_pdf => "it has a class_pdf",
            Shape::Category { .. } => "",
            _ => "it is not a category",
        };
        if !why.is_empty() {
            return Err(crate::Error::NotASceneCategory(why));
        }
        let Annotation {
            shape,
            reference_id,
            metadata,
            task_id,
            dataset_item_id,
            prediction,
            ..
        } = self;
        let Shape::Category {
            label,
            taxonomy_name,
        } = shape
        else {
            return Err(crate::Error::NotASceneCategory("it is not a category"));
        };
        Ok(Annotation {
            shape: Shape::SceneCategory {
                label,
                taxonomy_name,
            },
            reference_id,
            annotation_id: None,
            metadata,
            track_reference_id: None,
            task_id,
            dataset_item_id,
            prediction,
        })
    }
}

/// The id the SDK generates when none is given: `{label}-{x}-{y}-{width}-{height}-{reference_id}`
/// for a box, `{label}-{reference_id}-keypoints` for keypoints, numbers as Python's `str`
/// prints them and a missing reference id as `None`. Other types get none.
#[must_use]
pub fn generated_annotation_id(
    shape: &Shape,
    reference_id: Option<&ReferenceId>,
) -> Option<String> {
    let reference_id = reference_id.map_or("None", ReferenceId::as_str);
    match shape {
        Shape::Box {
            label, geometry, ..
        } => Some(format!(
            "{label}-{}-{}-{}-{}-{reference_id}",
            python::str(&geometry.x),
            python::str(&geometry.y),
            python::str(&geometry.width),
            python::str(&geometry.height),
        )),
        Shape::Keypoints { label, .. } => Some(format!("{label}-{reference_id}-keypoints")),
        _ => None,
    }
}
