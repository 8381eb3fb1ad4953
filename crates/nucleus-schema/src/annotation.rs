//! Comparing the `annotation` and `prediction` schemas' verdicts with the Rust reader's.

use nucleus_annotation::{Role, read_annotation};
use nucleus_model::{Code, Diagnostic, json};
use serde_json::Value;

use crate::{Error, ItemVerdict, SchemaError, entry};

/// What the annotation schemas cannot say (see `nucleus_annotation::schema`): a disagreement
/// they explain is a documented limitation, not a bug.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AnnotationGap {
    /// The probabilities of a `class_pdf` do not sum to 1: JSON Schema cannot add.
    ClassPdfSum,
    /// Names and keypoints are not as many, or a skeleton edge names a keypoint beyond the
    /// last: JSON Schema cannot compare lengths.
    KeypointCounts,
    /// Two segments share an index: `uniqueItems` compares whole items.
    DuplicateSegmentIndex,
    /// An index written as an integral float (`1.0`): an integer for JSON Schema, a float for
    /// the reader, which keeps numbers as written.
    FloatSpelledInteger,
}

/// The schema and the Rust reader disagree about one annotation or prediction.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AnnotationDisagreement {
    /// Whether the schema accepts the line.
    pub schema_accepts: bool,
    /// Whether the Rust reader finds no error.
    pub rust_accepts: bool,
    /// The schema's errors.
    pub schema_errors: Vec<SchemaError>,
    /// Every Rust finding, errors and warnings.
    pub rust_diagnostics: Vec<Diagnostic>,
    /// Set when every Rust error is one the schema cannot express.
    pub known_gap: Option<AnnotationGap>,
}

/// Runs one JSON Lines line through the `annotation` (or, for [`Role::Prediction`], the
/// `prediction`) schema and through [`read_annotation`]; returns the common verdict, or the
/// [`AnnotationDisagreement`].
///
/// # Errors
///
/// [`Error::Compile`] when the schema does not compile (a bug; tested).
pub fn compare_annotation(
    text: &str,
    role: Role,
) -> Result<Result<ItemVerdict, AnnotationDisagreement>, Error> {
    let Ok(value) = json::parse(text) else {
        return Ok(Ok(ItemVerdict::NotJson));
    };
    let name = match role {
        Role::Annotation => "annotation",
        Role::Prediction => "prediction",
    };
    let schema_errors = entry(name)?.validate(&value)?;
    let reading = read_annotation(&value, role);
    let schema_accepts = schema_errors.is_empty();
    let rust_accepts = !reading.has_errors();
    if schema_accepts == rust_accepts {
        return Ok(Ok(if rust_accepts {
            ItemVerdict::Accepted
        } else {
            ItemVerdict::Rejected
        }));
    }
    let known_gap = if schema_accepts {
        explain(&value, &reading.diagnostics)
    } else {
        None
    };
    Ok(Err(AnnotationDisagreement {
        schema_accepts,
        rust_accepts,
        schema_errors,
        rust_diagnostics: reading.diagnostics,
        known_gap,
    }))
}

/// The gap that explains every Rust error of a value the schema accepts, if one does: each
/// error must be one the schema cannot express, checked on the value itself, so that a real
/// disagreement is never taken for a gap.
fn explain(value: &Value, diagnostics: &[Diagnostic]) -> Option<AnnotationGap> {
    let mut gap = None;
    for diagnostic in diagnostics.iter().filter(|d| d.is_error()) {
        let this = gap_of(value, diagnostic)?;
        gap.get_or_insert(this);
    }
    gap
}

fn is_integral_float(value: &Value) -> bool {
    value.as_number().is_some_and(|number| {
        number.is_f64()
            && number
                .as_f64()
                .is_some_and(|f| f >= 0.0 && f.fract() == 0.0)
    })
}

fn gap_of(value: &Value, diagnostic: &Diagnostic) -> Option<AnnotationGap> {
    let path = diagnostic.path.as_str();
    let at = value.pointer(path)?;
    let n_keypoints = value
        .pointer("/geometry/keypoints")
        .and_then(Value::as_array)
        .map(Vec::len);
    match diagnostic.code {
        Code::InvalidClassPdf if path == "/class_pdf" => {
            let pdf = at.as_object()?;
            let probabilities: Option<Vec<f64>> = pdf.values().map(Value::as_f64).collect();
            let probabilities = probabilities?;
            let all_in_range = probabilities.iter().all(|p| (0.0..=1.0).contains(p));
            let sum: f64 = probabilities.iter().sum();
            let off = (sum - 1.0).abs() > nucleus_annotation::rules::CLASS_PDF_TOLERANCE;
            (!pdf.is_empty() && all_in_range && off).then_some(AnnotationGap::ClassPdfSum)
        }
        Code::InvalidKeypoints if path == "/geometry/names" => {
            let n_names = at.as_array()?.len();
            (Some(n_names) != n_keypoints).then_some(AnnotationGap::KeypointCounts)
        }
        Code::InvalidKeypoints if path.starts_with("/geometry/skeleton/") => match at {
            // `/geometry/skeleton/EDGE`: not a pair of integers; a gap only for an integral float.
            Value::Array(ends) => ends
                .iter()
                .any(is_integral_float)
                .then_some(AnnotationGap::FloatSpelledInteger),
            // `/geometry/skeleton/EDGE/END`: an index beyond the last keypoint.
            end => {
                let index = usize::try_from(end.as_u64()?).ok()?;
                (index >= n_keypoints?).then_some(AnnotationGap::KeypointCounts)
            }
        },
        Code::InvalidSegmentation if path.ends_with("/index") => {
            if is_integral_float(at) {
                return Some(AnnotationGap::FloatSpelledInteger);
            }
            let index = at.as_u64()?;
            let segments = value.pointer("/annotations").and_then(Value::as_array)?;
            let n_same = segments
                .iter()
                .filter(|segment| segment.get("index").and_then(Value::as_u64) == Some(index))
                .count();
            (n_same > 1).then_some(AnnotationGap::DuplicateSegmentIndex)
        }
        _ => None,
    }
}
