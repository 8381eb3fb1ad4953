//! `examples/annotations/mistakes.jsonl` (annotations) and `prediction-mistakes.jsonl`
//! (predictions): one deliberate mistake per line, checked against `examples/items.jsonl` and
//! `examples/scene/scene.jsonl`, and `examples/annotations/mistakes.md`, which explains each
//! line. All three come from the tables below so they cannot drift apart; so do the mask files
//! in `examples/annotations/masks/` that two lines point to (found with `--probe-media`).

use std::io::Cursor;

use anyhow::Result;
use image::{GrayImage, ImageFormat, Luma};

/// One line of a mistakes file: the line, the codes it should get (none for a valid line), the
/// codes it gets only when media are probed (`--probe-media`: the mask files), and what is
/// wrong.
#[derive(Debug)]
pub struct Mistake {
    pub line: &'static str,
    pub codes: &'static [&'static str],
    pub probed: &'static [&'static str],
    pub what: &'static str,
}

const fn m(line: &'static str, codes: &'static [&'static str], what: &'static str) -> Mistake {
    Mistake {
        line,
        codes,
        probed: &[],
        what,
    }
}

/// A mistake found only with `--probe-media`, giving `probed`.
const fn probed(
    line: &'static str,
    probed: &'static [&'static str],
    what: &'static str,
) -> Mistake {
    Mistake {
        line,
        codes: &[],
        probed,
        what,
    }
}

/// The note after a code that only `--probe-media` finds, in `mistakes.md`.
pub const WITH_PROBE_MEDIA: &str = " (with `--probe-media`)";

/// A mask of the wrong size: a 400 × 300 PNG (half the size of `photo-0000001`'s 800 × 600
/// image, as a model that works at half resolution writes it), pixel value 1 on the bicycle.
pub const HALF_SIZE_MASK: &str = "examples/annotations/masks/photo-0000001.png";

/// A mask that is no PNG: an 80 × 60 JPEG (whose compression would blur its pixel values).
pub const JPEG_MASK: &str = "examples/annotations/masks/photo-0000003.jpg";

/// The annotation file, in file order (line `n` is `ANNOTATIONS[n - 1]`).
pub const ANNOTATIONS: &[Mistake] = &[
    m(
        r#"{"label":"dog","type":"box","geometry":{"x":100,"y":200,"width":300,"height":250},"reference_id":"photo-0000000","annotation_id":"photo-0000000/dog-0","track_reference_id":"dog-1"}"#,
        &[],
        "No mistake: a box on `photo-0000000` (1920 × 1280). Lines 13, 14 and 15 refer to it.",
    ),
    m(
        r#"{"label":"dog","type":"bbox","geometry":{"x":10,"y":20,"width":30,"height":40},"reference_id":"photo-0000000"}"#,
        &["unknown-annotation-type"],
        "`type` is `bbox`: the SDK would read the line as a segmentation (and reject it for its missing `mask_url`).",
    ),
    m(
        r#"{"type":"box","geometry":{"x":10,"y":20,"width":30,"height":40},"reference_id":"photo-0000000"}"#,
        &["invalid-label"],
        "No `label`: the SDK would upload the label `0`.",
    ),
    m(
        r#"{"label":"dog","type":"box","geometry":{"x":10,"y":20,"width":30,"height":40},"reference_id":"photo-0000000","annotation_id":"","track_reference_id":7}"#,
        &["invalid-annotation-field", "invalid-annotation-field"],
        "An empty `annotation_id` and a numeric `track_reference_id`: ids are non-empty strings.",
    ),
    m(
        r#"{"label":"fence","type":"polygon","geometry":{"vertices":[{"x":10,"y":20},{"x":30,"y":40}]},"reference_id":"photo-0000000"}"#,
        &["degenerate-geometry"],
        "A polygon of 2 vertices has no area; a polygon needs 3 (a line 2).",
    ),
    m(
        r#"{"label":"person","type":"keypoints","geometry":{"keypoints":[{"x":10,"y":20,"visible":true},{"x":12,"y":22,"visible":true},{"visible":false}],"names":["nose","left_eye"],"skeleton":[[0,1]]},"reference_id":"photo-0000000"}"#,
        &["invalid-keypoints"],
        "3 keypoints but 2 names: each keypoint has one name.",
    ),
    m(
        r#"{"type":"mask","mask_url":"s3://acme-masks/photo-0000000.png","annotations":[{"label":"background","index":0},{"label":"dog","index":1},{"label":"cat","index":1}],"reference_id":"photo-0000000"}"#,
        &["invalid-segmentation"],
        "Two segments for pixel value 1 (`dog` and `cat`): each index has one label.",
    ),
    m(
        r#"{"label":"dog","type":"box","geometry":{"x":"10","y":20,"width":30,"height":40},"reference_id":"photo-0000000"}"#,
        &["invalid-geometry"],
        "`x` is a string: the SDK would upload it as is.",
    ),
    m(
        r#"{"label":"dog","type":"box","geometry":{"x":10,"y":20,"width":30,"height":40},"reference_id":"photo-9999999"}"#,
        &["unknown-reference-id"],
        "`photo-9999999` is no item of the items given.",
    ),
    m(
        r#"{"label":"car","type":"box","geometry":{"x":10,"y":20,"width":30,"height":40},"reference_id":"scene-000000/frame-00/lidar_top"}"#,
        &["wrong-item-type"],
        "A box on a point cloud: 2D annotations belong on images (a cuboid on the point cloud, or a box on a camera image).",
    ),
    m(
        r#"{"label":"bicycle","type":"box","geometry":{"x":700,"y":100,"width":200,"height":50},"reference_id":"photo-0000001"}"#,
        &["outside-image"],
        "The box reaches x = 900 on `photo-0000001`, which is 800 pixels wide.",
    ),
    m(
        r#"{"label":"car","type":"cuboid","geometry":{"position":{"x":10,"y":0,"z":40},"dimensions":{"x":4.5,"y":1.9,"z":1.6},"yaw":0},"reference_id":"street-0/lidar/000","annotation_id":"street-0/lidar/000/flying-car"}"#,
        &["cuboid-not-visible"],
        "A cuboid 40 m above the road of the example scene: none of its frame's cameras (front, left, rear) sees it, so Nucleus cannot project it into any image.",
    ),
    m(
        r#"{"label":"dog","type":"box","geometry":{"x":500,"y":600,"width":100,"height":100},"reference_id":"photo-0000000","annotation_id":"photo-0000000/dog-0"}"#,
        &["duplicate-annotation-id"],
        "`annotation_id` `photo-0000000/dog-0` again on the same item (line 1): Nucleus keeps the first and ignores this one.",
    ),
    m(
        r#"{"label":"Dog ","type":"box","geometry":{"x":10,"y":20,"width":30,"height":40},"reference_id":"photo-0000002"}"#,
        &["similar-labels"],
        "`Dog ` and `dog` (line 1) differ only by case and a space: Nucleus would count two classes.",
    ),
    m(
        r#"{"label":"cat","type":"box","geometry":{"x":110,"y":210,"width":300,"height":250},"reference_id":"photo-0000003","track_reference_id":"dog-1"}"#,
        &["track-label-conflict"],
        "Track `dog-1` is a `dog` on line 1 and a `cat` here: a track keeps one label.",
    ),
    m(
        r#"{"label":"dog","type":"box","geometry":{"x":10,"y":20,"width":30,"height":40},"reference_id":"photo-0000000","confidence":0.9,"metadata":"good"}"#,
        &["unknown-field", "metadata-not-an-object"],
        "`confidence` belongs to predictions (the SDK's annotation reader drops it: a warning), and `metadata` is a string.",
    ),
    m(
        r#"{"label":"dog","type":"box","geometry":{"x":10,"y":20,"width":30,"height":40}}"#,
        &["missing-reference-id"],
        "No `reference_id`: an annotation names the item it belongs to.",
    ),
    probed(
        r#"{"type":"segmentation","mask_url":"examples/annotations/masks/photo-0000001.png","annotations":[{"label":"background","index":0},{"label":"bicycle","index":1}],"reference_id":"photo-0000001"}"#,
        &["mask-size-mismatch"],
        "The mask `examples/annotations/masks/photo-0000001.png` is a 400 × 300 PNG, but `photo-0000001` is 800 × 600: a mask has the size of its image (this one was written at half resolution).",
    ),
    probed(
        r#"{"type":"segmentation","mask_url":"examples/annotations/masks/photo-0000003.jpg","annotations":[{"label":"background","index":0},{"label":"dog","index":1}],"reference_id":"photo-0000003"}"#,
        &["mask-not-png"],
        "The mask `examples/annotations/masks/photo-0000003.jpg` is a JPEG: Nucleus reads masks as PNG (and JPEG's compression changes pixel values, so indexes blur).",
    ),
];

/// The prediction file, in file order.
pub const PREDICTIONS: &[Mistake] = &[
    m(
        r#"{"label":"dog","type":"box","geometry":{"x":100,"y":200,"width":300,"height":250},"reference_id":"photo-0000002","confidence":0.87,"class_pdf":{"dog":0.87,"cat":0.13}}"#,
        &[],
        "No mistake: a box prediction with its confidence and class distribution.",
    ),
    m(
        r#"{"label":"dog","type":"box","geometry":{"x":100,"y":200,"width":300,"height":250},"reference_id":"photo-0000003","confidence":87}"#,
        &["invalid-confidence"],
        "`confidence` is 87: a confidence is in [0, 1] (a percentage?).",
    ),
    m(
        r#"{"label":"dog","type":"category","reference_id":"photo-0000003","class_pdf":{"dog":0.5,"cat":0.2}}"#,
        &["invalid-class-pdf"],
        "The probabilities of `class_pdf` sum to 0.7, not 1 (within 0.01): a class is missing.",
    ),
    m(
        r#"{"labels":["dog","outdoor"],"type":"multicategory","reference_id":"photo-0000003"}"#,
        &["unknown-annotation-type"],
        "A multicategory prediction: the SDK has none (its prediction reader would read the line as a segmentation).",
    ),
    m(
        r#"{"label":"person","type":"keypoints","geometry":{"keypoints":[{"x":10,"y":20,"visible":true}],"names":["nose"]},"reference_id":"photo-0000003"}"#,
        &["invalid-keypoints"],
        "No `skeleton`: the SDK's keypoints prediction requires the key (`null` is allowed).",
    ),
    m(
        r#"{"label":"dog","type":"box","geometry":{"x":10,"y":20,"width":30,"height":40},"confidence":0.5}"#,
        &["missing-reference-id"],
        "Neither `reference_id` nor `dataset_item_id`: a prediction names the item it predicts.",
    ),
];

fn jsonl(mistakes: &[Mistake]) -> String {
    mistakes
        .iter()
        .map(|mistake| format!("{}\n", mistake.line))
        .collect()
}

/// `examples/annotations/mistakes.jsonl`.
pub fn annotations_jsonl() -> String {
    jsonl(ANNOTATIONS)
}

/// `examples/annotations/prediction-mistakes.jsonl`.
pub fn predictions_jsonl() -> String {
    jsonl(PREDICTIONS)
}

fn table(text: &mut String, mistakes: &[Mistake]) {
    text.push_str("| line | expected | mistake |\n|---:|---|---|\n");
    for (line_idx, mistake) in mistakes.iter().enumerate() {
        let expected = if mistake.codes.is_empty() && mistake.probed.is_empty() {
            "none".to_owned()
        } else {
            mistake
                .codes
                .iter()
                .map(|code| format!("`{code}`"))
                .chain(
                    mistake
                        .probed
                        .iter()
                        .map(|code| format!("`{code}`{WITH_PROBE_MEDIA}")),
                )
                .collect::<Vec<_>>()
                .join(", ")
        };
        text.push_str(&format!(
            "| {} | {expected} | {} |\n",
            line_idx + 1,
            mistake.what
        ));
    }
}

/// The mask files the mistakes point to: `(path, bytes)`.
///
/// # Errors
///
/// When an image cannot be encoded (a bug).
pub fn masks() -> Result<Vec<(&'static str, Vec<u8>)>> {
    let encode = |image: &GrayImage, format: ImageFormat| -> Result<Vec<u8>> {
        let mut bytes = Cursor::new(Vec::new());
        image.write_to(&mut bytes, format)?;
        Ok(bytes.into_inner())
    };
    // Pixel value 1 (the bicycle) in a rectangle, 0 (the background) around it.
    let half = GrayImage::from_fn(400, 300, |x, y| {
        Luma([u8::from((175..225).contains(&x) && (50..75).contains(&y))])
    });
    let jpeg = GrayImage::from_fn(80, 60, |x, y| {
        Luma([u8::from((20..60).contains(&x) && (10..50).contains(&y))])
    });
    Ok(vec![
        (HALF_SIZE_MASK, encode(&half, ImageFormat::Png)?),
        (JPEG_MASK, encode(&jpeg, ImageFormat::Jpeg)?),
    ])
}

/// `examples/annotations/mistakes.md`: both files, line by line.
pub fn markdown() -> String {
    let mut text = String::from(
        "# examples/annotations/*mistakes.jsonl, line by line\n\
         \n\
         Generated by `cargo xtask gen-examples` from `xtask/src/annotation_mistakes.rs`; do not\n\
         edit. Each line holds one deliberate mistake (line 1 of each file is valid). \"Expected\"\n\
         lists the codes of the findings for the line; those marked \"with `--probe-media`\" are\n\
         found when the mask files (in `examples/annotations/masks/`, paths from the repository's\n\
         root) are opened. Check them against the example items and scene:\n\
         \n\
         ```console\n\
         $ nucleus check --annotations examples/annotations/mistakes.jsonl \\\n\
         \x20   --items examples/items.jsonl examples/scene/scene.jsonl\n\
         $ nucleus check --probe-media --annotations examples/annotations/mistakes.jsonl \\\n\
         \x20   --items examples/items.jsonl examples/scene/scene.jsonl\n\
         $ nucleus check --predictions examples/annotations/prediction-mistakes.jsonl \\\n\
         \x20   --items examples/items.jsonl\n\
         ```\n\
         \n\
         ## mistakes.jsonl (annotations)\n\
         \n",
    );
    table(&mut text, ANNOTATIONS);
    text.push_str("\n## prediction-mistakes.jsonl (predictions)\n\n");
    table(&mut text, PREDICTIONS);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_single_json_objects() {
        for mistake in ANNOTATIONS.iter().chain(PREDICTIONS) {
            assert!(!mistake.line.contains('\n'));
            let value: serde_json::Value = serde_json::from_str(mistake.line).unwrap();
            assert!(value.is_object(), "{}", mistake.line);
        }
        assert_eq!(annotations_jsonl().lines().count(), ANNOTATIONS.len());
    }

    #[test]
    fn references_by_line_number_point_at_the_right_line() {
        assert!(
            ANNOTATIONS[0]
                .line
                .contains(r#""annotation_id":"photo-0000000/dog-0""#)
        );
        assert!(
            ANNOTATIONS[12]
                .line
                .contains(r#""annotation_id":"photo-0000000/dog-0""#)
        );
        assert!(ANNOTATIONS[13].line.contains(r#""label":"Dog ""#));
        assert!(
            ANNOTATIONS[14]
                .line
                .contains(r#""track_reference_id":"dog-1""#)
        );
    }
}
