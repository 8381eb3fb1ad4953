//! proptest strategies: valid annotations and predictions of every type, with numbers of every
//! JSON kind (i64, u64 beyond i64, floats of any magnitude).

use nucleus_annotation::{
    Annotation, BoxGeometry, CuboidGeometry, Keypoint, KeypointsGeometry, Point, Point3,
    PredictionFields, Role, Segment, Shape,
};
use nucleus_model::{Metadata, ReferenceId};
use proptest::prelude::*;
use serde_json::{Map, Number, Value};

/// Any finite JSON number: small and huge integers, floats of every magnitude.
pub fn number() -> impl Strategy<Value = Number> {
    prop_oneof![
        (-5000_i64..5000).prop_map(Number::from),
        any::<i64>().prop_map(Number::from),
        (i64::MAX as u64..=u64::MAX).prop_map(Number::from),
        (-5000.0_f64..5000.0).prop_map(|f| Number::from_f64(f).unwrap()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| Number::from_f64(f).unwrap()),
    ]
}

/// A positive number.
pub fn positive() -> impl Strategy<Value = Number> {
    prop_oneof![
        (1_i64..5000).prop_map(Number::from),
        (1e-3_f64..5000.0).prop_map(|f| Number::from_f64(f).unwrap()),
    ]
}

/// A number in [0, 1].
pub fn probability() -> impl Strategy<Value = Number> {
    prop_oneof![
        (0_i64..=1).prop_map(Number::from),
        (0.0_f64..=1.0).prop_map(|f| Number::from_f64(f).unwrap()),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z _]{0,12}",
        Just("Car".to_owned()),
        Just("自転車".to_owned()),
        Just("a/b~c".to_owned()),
    ]
}

fn point() -> impl Strategy<Value = Point> {
    (number(), number()).prop_map(|(x, y)| Point { x, y })
}

fn point3(coordinate: BoxedStrategy<Number>) -> impl Strategy<Value = Point3> {
    (coordinate.clone(), coordinate.clone(), coordinate).prop_map(|(x, y, z)| Point3 { x, y, z })
}

fn keypoints() -> impl Strategy<Value = KeypointsGeometry> {
    (1_usize..8)
        .prop_flat_map(|n| {
            let keypoint = prop_oneof![
                (number(), number()).prop_map(|(x, y)| Keypoint {
                    x: Some(x),
                    y: Some(y),
                    visible: true
                }),
                (
                    proptest::option::of(number()),
                    proptest::option::of(number())
                )
                    .prop_map(|(x, y)| Keypoint {
                        x,
                        y,
                        visible: false
                    }),
            ];
            let edge = (0..n as u64, 0..n as u64).prop_map(|(a, b)| [a, b]);
            (
                proptest::collection::vec(keypoint, n),
                proptest::option::of(proptest::collection::vec(edge, 0..6)),
                Just(n),
            )
        })
        .prop_map(|(keypoints, skeleton, n)| KeypointsGeometry {
            keypoints,
            names: (0..n).map(|idx| format!("point_{idx}")).collect(),
            skeleton,
        })
}

fn shape(role: Role) -> impl Strategy<Value = Shape> {
    let embedding = || proptest::option::of(proptest::collection::vec(number(), 1..4));
    let segments = proptest::collection::btree_map(0_u64..300, (text(), any::<bool>()), 1..5)
        .prop_map(|segments| {
            segments
                .into_iter()
                .map(|(index, (label, with_metadata))| Segment {
                    label,
                    index,
                    metadata: with_metadata.then(|| {
                        let mut map = Map::new();
                        map.insert("area".to_owned(), Value::from(index));
                        map
                    }),
                })
                .collect()
        });
    let mut shapes = vec![
        (
            text(),
            number(),
            number(),
            positive(),
            positive(),
            embedding(),
        )
            .prop_map(
                |(label, x, y, width, height, embedding_vector)| Shape::Box {
                    label,
                    geometry: BoxGeometry {
                        x,
                        y,
                        width,
                        height,
                    },
                    embedding_vector,
                },
            )
            .boxed(),
        (text(), proptest::collection::vec(point(), 2..6))
            .prop_map(|(label, vertices)| Shape::Line { label, vertices })
            .boxed(),
        (
            text(),
            proptest::collection::vec(point(), 3..6),
            embedding(),
        )
            .prop_map(|(label, vertices, embedding_vector)| Shape::Polygon {
                label,
                vertices,
                embedding_vector,
            })
            .boxed(),
        (text(), keypoints())
            .prop_map(|(label, geometry)| Shape::Keypoints { label, geometry })
            .boxed(),
        (
            text(),
            point3(number().boxed()),
            point3(positive().boxed()),
            number(),
        )
            .prop_map(|(label, position, dimensions, yaw)| Shape::Cuboid {
                label,
                geometry: CuboidGeometry {
                    position,
                    dimensions,
                    yaw,
                },
            })
            .boxed(),
        (text(), proptest::option::of(text()))
            .prop_map(|(label, taxonomy_name)| Shape::Category {
                label,
                taxonomy_name,
            })
            .boxed(),
        ("[a-z]{1,8}", segments)
            .prop_map(|(name, segments)| Shape::Segmentation {
                mask_url: format!("s3://masks/{name}.png"),
                segments,
            })
            .boxed(),
    ];
    if role == Role::Annotation {
        shapes.push(
            (
                proptest::collection::btree_set(text(), 1..4),
                proptest::option::of(text()),
            )
                .prop_map(|(labels, taxonomy_name)| Shape::MultiCategory {
                    labels: labels.into_iter().collect(),
                    taxonomy_name,
                })
                .boxed(),
        );
    }
    proptest::strategy::Union::new(shapes)
}

fn metadata() -> impl Strategy<Value = Metadata> {
    proptest::collection::vec(("[a-z]{1,6}", number()), 0..3).prop_map(|entries| {
        Metadata::from_map(
            entries
                .into_iter()
                .map(|(key, value)| (key, Value::Number(value)))
                .collect(),
        )
    })
}

fn class_pdf() -> impl Strategy<Value = Vec<(String, Number)>> {
    proptest::collection::btree_set("[a-z]{1,6}", 1..5).prop_map(|labels| {
        let n = labels.len() as f64;
        labels
            .into_iter()
            .map(|label| (label, Number::from_f64(1.0 / n).unwrap()))
            .collect()
    })
}

/// A valid annotation (or, for [`Role::Prediction`], prediction) of any type.
pub fn annotation(role: Role) -> impl Strategy<Value = Annotation> {
    let ids = (
        proptest::option::of("[a-z0-9/_-]{1,12}"),
        proptest::option::of("t[a-z0-9]{1,6}"),
        proptest::option::of("task_[a-z0-9]{4}"),
        proptest::option::of("di_[a-z0-9]{6}"),
        any::<bool>(),
    );
    let prediction = (
        proptest::option::of(probability()),
        proptest::option::of(class_pdf()),
        proptest::option::of("ds_[a-z0-9]{6}"),
    );
    (
        shape(role),
        "[a-z0-9/_-]{1,16}",
        metadata(),
        ids,
        prediction,
    )
        .prop_map(move |(shape, reference_id, metadata, ids, prediction)| {
            let (annotation_id, track, task, dataset_item_id, with_reference) = ids;
            let mut annotation = Annotation::new(shape, ReferenceId::new(reference_id).unwrap());
            if annotation_id.is_some() {
                annotation.annotation_id = annotation_id;
            }
            let kind = annotation.annotation_type();
            if matches!(
                kind,
                nucleus_annotation::AnnotationType::Category
                    | nucleus_annotation::AnnotationType::MultiCategory
            ) {
                annotation.annotation_id = None;
            }
            if kind != nucleus_annotation::AnnotationType::Segmentation {
                annotation.metadata = metadata;
                annotation.track_reference_id = track;
                if role == Role::Annotation {
                    annotation.task_id = task;
                }
            }
            annotation.dataset_item_id = dataset_item_id;
            if role == Role::Prediction {
                let (confidence, class_pdf, dataset_id) = prediction;
                let mut fields = PredictionFields::default();
                if kind != nucleus_annotation::AnnotationType::Segmentation {
                    fields.confidence = confidence;
                    fields.class_pdf = class_pdf;
                }
                fields.dataset_id = dataset_id;
                annotation.prediction = Some(fields);
                // A prediction may be aimed at its item by dataset_item_id alone.
                if !with_reference && annotation.dataset_item_id.is_some() {
                    annotation.reference_id = None;
                }
            }
            annotation
        })
}

/// An annotation or a prediction, with its role.
pub fn any_annotation() -> impl Strategy<Value = (Role, Annotation)> {
    prop_oneof![
        annotation(Role::Annotation).prop_map(|a| (Role::Annotation, a)),
        annotation(Role::Prediction).prop_map(|a| (Role::Prediction, a)),
    ]
}
