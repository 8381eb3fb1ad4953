//! The rules of one annotation on its own: geometry with extent, keypoints that agree with
//! their names and skeleton, a confidence and a class distribution that are probabilities.
//!
//! [`crate::read_annotation`] applies them to every annotation it reads; call
//! [`check_annotation`] on one built by hand. The rules that need the items (the reference
//! resolves, the geometry lies inside the image, a camera sees the cuboid) and the other
//! annotations (ids unique per item, one label per track, labels that differ only by case) are
//! in [`crate::check`].
//!
//! Numbers are finite by construction (the strict JSON reader rejects `NaN`, `Infinity` and
//! `1e400`).

use nucleus_model::diagnostic::{Code, Diagnostic, pointer};
use serde_json::Number;

use crate::types::{Annotation, Shape};

/// How far from 1 the probabilities of a `class_pdf` may sum: 0.01. Rounding each of a few
/// dozen softmax outputs to 3 or 4 decimals, or summing them in 32-bit floats, drifts by less;
/// a distribution that lost a class (top-k) misses by more.
pub const CLASS_PDF_TOLERANCE: f64 = 0.01;

/// Appends a diagnostic for every rule `annotation` breaks.
pub fn check_annotation(annotation: &Annotation, diagnostics: &mut Vec<Diagnostic>) {
    let mut error = |code: Code, path: String, message: String| {
        diagnostics.push(Diagnostic::error(code, path, message));
    };
    match &annotation.shape {
        Shape::Box { geometry, .. } => {
            for (key, number) in [("width", &geometry.width), ("height", &geometry.height)] {
                if !is_positive(number) {
                    error(
                        Code::DegenerateGeometry,
                        format!("/geometry/{key}"),
                        format!("a box's {key} must be positive, found {number}"),
                    );
                }
            }
        }
        Shape::Line { vertices, .. } if vertices.len() < 2 => error(
            Code::DegenerateGeometry,
            "/geometry/vertices".to_owned(),
            format!("a line needs at least 2 vertices, found {}", vertices.len()),
        ),
        Shape::Polygon { vertices, .. } if vertices.len() < 3 => error(
            Code::DegenerateGeometry,
            "/geometry/vertices".to_owned(),
            format!(
                "a polygon needs at least 3 vertices, found {}",
                vertices.len()
            ),
        ),
        Shape::Keypoints { geometry, .. } => {
            let n_keypoints = geometry.keypoints.len();
            if n_keypoints == 0 {
                error(
                    Code::DegenerateGeometry,
                    "/geometry/keypoints".to_owned(),
                    "keypoints is empty: a keypoints annotation needs at least one point"
                        .to_owned(),
                );
            }
            if geometry.names.len() != n_keypoints {
                error(
                    Code::InvalidKeypoints,
                    "/geometry/names".to_owned(),
                    format!(
                        "there are {} names for {n_keypoints} keypoints; give one name per keypoint",
                        geometry.names.len()
                    ),
                );
            }
            for (idx, name) in geometry.names.iter().enumerate() {
                if let Some(first) = geometry.names.iter().position(|other| other == name)
                    && first < idx
                {
                    error(
                        Code::InvalidKeypoints,
                        format!("/geometry/names/{idx}"),
                        format!(
                            "keypoint name {name:?} repeats name {first}; names must be distinct"
                        ),
                    );
                }
            }
            for (idx, keypoint) in geometry.keypoints.iter().enumerate() {
                if keypoint.visible && (keypoint.x.is_none() || keypoint.y.is_none()) {
                    error(
                        Code::InvalidKeypoints,
                        format!("/geometry/keypoints/{idx}"),
                        "a visible keypoint needs both x and y; set visible to false for a point that is not labelled".to_owned(),
                    );
                }
            }
            for (edge_idx, edge) in geometry.skeleton.iter().flatten().enumerate() {
                for (end, index) in edge.iter().enumerate() {
                    let in_range = usize::try_from(*index).is_ok_and(|index| index < n_keypoints);
                    if !in_range {
                        error(
                            Code::InvalidKeypoints,
                            format!("/geometry/skeleton/{edge_idx}/{end}"),
                            format!(
                                "skeleton edge {edge_idx} names keypoint {index}, but there are {n_keypoints} keypoints (indexes 0 to {})",
                                n_keypoints.saturating_sub(1)
                            ),
                        );
                    }
                }
            }
        }
        Shape::Cuboid { geometry, .. } => {
            let dimensions = &geometry.dimensions;
            for (key, number) in [
                ("x", &dimensions.x),
                ("y", &dimensions.y),
                ("z", &dimensions.z),
            ] {
                if !is_positive(number) {
                    error(
                        Code::DegenerateGeometry,
                        format!("/geometry/dimensions/{key}"),
                        format!(
                            "a cuboid's dimensions must be positive (x length, y width, z height), found {key} = {number}"
                        ),
                    );
                }
            }
        }
        Shape::MultiCategory { labels, .. } => {
            if labels.is_empty() {
                error(
                    Code::InvalidLabel,
                    "/labels".to_owned(),
                    "labels is empty: a multicategory needs at least one label".to_owned(),
                );
            }
            for (idx, label) in labels.iter().enumerate() {
                if let Some(first) = labels.iter().position(|other| other == label)
                    && first < idx
                {
                    error(
                        Code::InvalidLabel,
                        format!("/labels/{idx}"),
                        format!("label {label:?} repeats label {first}"),
                    );
                }
            }
        }
        Shape::Segmentation { segments, .. } => {
            if segments.is_empty() {
                error(
                    Code::InvalidSegmentation,
                    "/annotations".to_owned(),
                    "a segmentation needs at least one segment {label, index} saying what its pixel values mean".to_owned(),
                );
            }
            for (idx, segment) in segments.iter().enumerate() {
                if let Some(first) = segments
                    .iter()
                    .position(|other| other.index == segment.index)
                    && first < idx
                {
                    error(
                        Code::InvalidSegmentation,
                        format!("/annotations/{idx}/index"),
                        format!(
                            "pixel value {} is already labelled by segment {first}; each index has one label",
                            segment.index
                        ),
                    );
                }
            }
        }
        Shape::Line { .. }
        | Shape::Polygon { .. }
        | Shape::Category { .. }
        | Shape::SceneCategory { .. } => {}
    }
    let Some(prediction) = &annotation.prediction else {
        return;
    };
    if let Some(confidence) = &prediction.confidence
        && !is_probability(confidence)
    {
        error(
            Code::InvalidConfidence,
            "/confidence".to_owned(),
            format!("confidence must be in [0, 1], found {confidence}"),
        );
    }
    if let Some(class_pdf) = &prediction.class_pdf {
        if class_pdf.is_empty() {
            error(
                Code::InvalidClassPdf,
                "/class_pdf".to_owned(),
                "class_pdf is empty: give the probability of each class".to_owned(),
            );
        }
        let mut sum = 0.0;
        let mut all_probabilities = true;
        for (label, probability) in class_pdf {
            if is_probability(probability) {
                sum += value(probability);
            } else {
                all_probabilities = false;
                error(
                    Code::InvalidClassPdf,
                    pointer("/class_pdf", &[label]),
                    format!("the probability of {label:?} must be in [0, 1], found {probability}"),
                );
            }
        }
        if all_probabilities && !class_pdf.is_empty() && (sum - 1.0).abs() > CLASS_PDF_TOLERANCE {
            error(
                Code::InvalidClassPdf,
                "/class_pdf".to_owned(),
                format!(
                    "the probabilities of class_pdf sum to {sum}, not 1 (within {CLASS_PDF_TOLERANCE}); give the complete distribution"
                ),
            );
        }
    }
}

fn value(number: &Number) -> f64 {
    number.as_f64().unwrap_or(f64::NAN)
}

/// Positive (and so not NaN, which a hand-built number could hold).
fn is_positive(number: &Number) -> bool {
    value(number) > 0.0
}

fn is_probability(number: &Number) -> bool {
    (0.0..=1.0).contains(&value(number))
}
