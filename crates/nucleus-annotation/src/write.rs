//! Writing annotations: the SDK's upload payload (`to_payload`) and the readable JSON.
//!
//! Key order and presence follow each SDK class's `to_payload` exactly: most types write every
//! key, `null` when unset; a cuboid writes `annotation_id`, `metadata`, `track_reference_id` and
//! `task_id` only when set; a category writes `taxonomy_name` only when set; a prediction adds
//! `confidence` and `class_pdf` when set, then `item_id` (its `dataset_item_id`) and
//! `dataset_id` when set.

use serde_json::{Map, Number, Value};

use crate::types::{
    Annotation, BoxGeometry, CuboidGeometry, Keypoint, KeypointsGeometry, Point, Point3, Segment,
    Shape,
};

impl Annotation {
    /// The SDK's upload payload (`to_payload()` of the SDK class this annotation reads as).
    ///
    /// A prediction's `dataset_item_id` is written as `item_id`, which the SDK's reader does not
    /// read back; an annotation's is not written. [`Annotation::to_json`] keeps both readable.
    #[must_use]
    pub fn to_payload(&self) -> Value {
        Value::Object(self.payload_map())
    }

    /// The payload with `dataset_item_id` under the name the readers read (`dataset_item_id`,
    /// in place of a prediction's `item_id`; appended for an annotation), so that
    /// [`crate::read_annotation`] of it gives an equal annotation.
    #[must_use]
    pub fn to_json(&self) -> Value {
        let mut map = self.payload_map();
        if let Some(id) = &self.dataset_item_id {
            match map.keys().position(|key| key == "item_id") {
                Some(position) => {
                    map.shift_remove("item_id");
                    map.shift_insert(position, "dataset_item_id".to_owned(), string(id));
                }
                None => {
                    map.insert("dataset_item_id".to_owned(), string(id));
                }
            }
        }
        Value::Object(map)
    }

    fn payload_map(&self) -> Map<String, Value> {
        let mut map = Map::with_capacity(12);
        let reference_id = self
            .reference_id
            .as_ref()
            .map_or(Value::Null, |id| string(id.as_str()));
        let metadata = Value::Object(self.metadata.as_map().clone());
        match &self.shape {
            Shape::Box {
                label,
                geometry,
                embedding_vector,
            } => {
                head(&mut map, label, "box", box_geometry(geometry));
                self.object_tail(&mut map, reference_id, metadata, Some(embedding_vector));
            }
            Shape::Line { label, vertices } => {
                head(&mut map, label, "line", vertices_geometry(vertices));
                self.object_tail(&mut map, reference_id, metadata, None);
            }
            Shape::Polygon {
                label,
                vertices,
                embedding_vector,
            } => {
                head(&mut map, label, "polygon", vertices_geometry(vertices));
                self.object_tail(&mut map, reference_id, metadata, Some(embedding_vector));
            }
            Shape::Keypoints { label, geometry } => {
                head(&mut map, label, "keypoints", keypoints_geometry(geometry));
                self.object_tail(&mut map, reference_id, metadata, None);
            }
            Shape::Cuboid { label, geometry } => {
                head(&mut map, label, "cuboid", cuboid_geometry(geometry));
                map.insert("reference_id".to_owned(), reference_id);
                // CuboidAnnotation.to_payload writes these only when truthy.
                if let Some(id) = self.annotation_id.as_deref().filter(|id| !id.is_empty()) {
                    map.insert("annotation_id".to_owned(), string(id));
                }
                if !self.metadata.is_empty() {
                    map.insert("metadata".to_owned(), metadata);
                }
                if let Some(track) = self.track_reference_id.as_deref().filter(|t| !t.is_empty()) {
                    map.insert("track_reference_id".to_owned(), string(track));
                }
                if let Some(task) = self.task_id.as_deref().filter(|t| !t.is_empty()) {
                    map.insert("task_id".to_owned(), string(task));
                }
            }
            Shape::Category {
                label,
                taxonomy_name,
            } => {
                head(&mut map, label, "category", Value::Object(Map::new()));
                map.insert("reference_id".to_owned(), reference_id);
                map.insert("metadata".to_owned(), metadata);
                map.insert(
                    "track_reference_id".to_owned(),
                    optional(&self.track_reference_id),
                );
                map.insert("task_id".to_owned(), optional(&self.task_id));
                if let Some(taxonomy) = taxonomy_name {
                    map.insert("taxonomy_name".to_owned(), string(taxonomy));
                }
            }
            Shape::MultiCategory {
                labels,
                taxonomy_name,
            } => {
                map.insert(
                    "labels".to_owned(),
                    Value::Array(labels.iter().map(|label| string(label)).collect()),
                );
                map.insert("type".to_owned(), string("multicategory"));
                map.insert("geometry".to_owned(), Value::Object(Map::new()));
                map.insert("reference_id".to_owned(), reference_id);
                map.insert("metadata".to_owned(), metadata);
                map.insert(
                    "track_reference_id".to_owned(),
                    optional(&self.track_reference_id),
                );
                map.insert("task_id".to_owned(), optional(&self.task_id));
                if let Some(taxonomy) = taxonomy_name {
                    map.insert("taxonomy_name".to_owned(), string(taxonomy));
                }
            }
            Shape::SceneCategory {
                label,
                taxonomy_name,
            } => {
                head(&mut map, label, "category", Value::Object(Map::new()));
                map.insert("reference_id".to_owned(), reference_id);
                map.insert("metadata".to_owned(), metadata);
                map.insert("task_id".to_owned(), optional(&self.task_id));
                if let Some(taxonomy) = taxonomy_name {
                    map.insert("taxonomy_name".to_owned(), string(taxonomy));
                }
            }
            Shape::Segmentation { mask_url, segments } => {
                map.insert("type".to_owned(), string("mask"));
                map.insert("mask_url".to_owned(), string(mask_url));
                map.insert(
                    "annotations".to_owned(),
                    Value::Array(segments.iter().map(segment).collect()),
                );
                map.insert("annotation_id".to_owned(), optional(&self.annotation_id));
                map.insert("reference_id".to_owned(), reference_id);
            }
        }
        if let Some(prediction) = &self.prediction {
            let is_segmentation = matches!(self.shape, Shape::Segmentation { .. });
            if let (Some(confidence), false) = (&prediction.confidence, is_segmentation) {
                map.insert("confidence".to_owned(), Value::Number(confidence.clone()));
            }
            let has_class_pdf = !matches!(
                self.shape,
                Shape::Segmentation { .. } | Shape::SceneCategory { .. }
            );
            if let (Some(class_pdf), true) = (&prediction.class_pdf, has_class_pdf) {
                let pdf: Map<String, Value> = class_pdf
                    .iter()
                    .map(|(label, probability)| (label.clone(), Value::Number(probability.clone())))
                    .collect();
                map.insert("class_pdf".to_owned(), Value::Object(pdf));
            }
            if let Some(id) = &self.dataset_item_id {
                map.insert("item_id".to_owned(), string(id));
            }
            if let Some(dataset_id) = &prediction.dataset_id {
                map.insert("dataset_id".to_owned(), string(dataset_id));
            }
        }
        map
    }

    /// `reference_id`, `annotation_id`, `metadata`, [`embedding_vector`], `track_reference_id`,
    /// `task_id`: the tail of box, line, polygon and keypoints payloads.
    fn object_tail(
        &self,
        map: &mut Map<String, Value>,
        reference_id: Value,
        metadata: Value,
        embedding_vector: Option<&Option<Vec<Number>>>,
    ) {
        map.insert("reference_id".to_owned(), reference_id);
        map.insert("annotation_id".to_owned(), optional(&self.annotation_id));
        map.insert("metadata".to_owned(), metadata);
        if let Some(vector) = embedding_vector {
            let value = vector.as_ref().map_or(Value::Null, |numbers| {
                Value::Array(numbers.iter().cloned().map(Value::Number).collect())
            });
            map.insert("embedding_vector".to_owned(), value);
        }
        map.insert(
            "track_reference_id".to_owned(),
            optional(&self.track_reference_id),
        );
        map.insert("task_id".to_owned(), optional(&self.task_id));
    }
}

fn head(map: &mut Map<String, Value>, label: &str, wire_type: &str, geometry: Value) {
    map.insert("label".to_owned(), string(label));
    map.insert("type".to_owned(), string(wire_type));
    map.insert("geometry".to_owned(), geometry);
}

fn string(text: &str) -> Value {
    Value::String(text.to_owned())
}

fn optional(text: &Option<String>) -> Value {
    text.as_deref().map_or(Value::Null, string)
}

fn number(number: &Number) -> Value {
    Value::Number(number.clone())
}

fn box_geometry(geometry: &BoxGeometry) -> Value {
    let mut map = Map::with_capacity(4);
    map.insert("x".to_owned(), number(&geometry.x));
    map.insert("y".to_owned(), number(&geometry.y));
    map.insert("width".to_owned(), number(&geometry.width));
    map.insert("height".to_owned(), number(&geometry.height));
    Value::Object(map)
}

fn point(point: &Point) -> Value {
    let mut map = Map::with_capacity(2);
    map.insert("x".to_owned(), number(&point.x));
    map.insert("y".to_owned(), number(&point.y));
    Value::Object(map)
}

fn point3(point: &Point3) -> Value {
    let mut map = Map::with_capacity(3);
    map.insert("x".to_owned(), number(&point.x));
    map.insert("y".to_owned(), number(&point.y));
    map.insert("z".to_owned(), number(&point.z));
    Value::Object(map)
}

fn vertices_geometry(vertices: &[Point]) -> Value {
    let mut map = Map::with_capacity(1);
    map.insert(
        "vertices".to_owned(),
        Value::Array(vertices.iter().map(point).collect()),
    );
    Value::Object(map)
}

fn keypoint(keypoint: &Keypoint) -> Value {
    let mut map = Map::with_capacity(3);
    let coordinate = |c: &Option<Number>| c.as_ref().map_or(Value::Null, number);
    map.insert("x".to_owned(), coordinate(&keypoint.x));
    map.insert("y".to_owned(), coordinate(&keypoint.y));
    map.insert("visible".to_owned(), Value::Bool(keypoint.visible));
    Value::Object(map)
}

fn keypoints_geometry(geometry: &KeypointsGeometry) -> Value {
    let mut map = Map::with_capacity(3);
    map.insert(
        "keypoints".to_owned(),
        Value::Array(geometry.keypoints.iter().map(keypoint).collect()),
    );
    map.insert(
        "names".to_owned(),
        Value::Array(geometry.names.iter().map(|name| string(name)).collect()),
    );
    let skeleton = geometry.skeleton.as_ref().map_or(Value::Null, |edges| {
        Value::Array(
            edges
                .iter()
                .map(|[from, to]| Value::Array(vec![Value::from(*from), Value::from(*to)]))
                .collect(),
        )
    });
    map.insert("skeleton".to_owned(), skeleton);
    Value::Object(map)
}

fn cuboid_geometry(geometry: &CuboidGeometry) -> Value {
    let mut map = Map::with_capacity(3);
    map.insert("position".to_owned(), point3(&geometry.position));
    map.insert("dimensions".to_owned(), point3(&geometry.dimensions));
    map.insert("yaw".to_owned(), number(&geometry.yaw));
    Value::Object(map)
}

fn segment(segment: &Segment) -> Value {
    let mut map = Map::with_capacity(3);
    map.insert("label".to_owned(), string(&segment.label));
    map.insert("index".to_owned(), Value::from(segment.index));
    if let Some(metadata) = &segment.metadata {
        map.insert("metadata".to_owned(), Value::Object(metadata.clone()));
    }
    Value::Object(map)
}
