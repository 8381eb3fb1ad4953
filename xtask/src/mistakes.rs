//! `examples/mistakes.jsonl`: one deliberate mistake per line, and `examples/mistakes.md`,
//! which explains each line (JSON Lines has no comments). Both come from the one table below so
//! they cannot drift apart.

/// Whether the validator should call the line an error or a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
    /// The line is correct; later lines refer to it.
    None,
}

/// One line of the mistakes file.
#[derive(Debug)]
pub struct Mistake {
    pub line: &'static str,
    pub what: &'static str,
    pub severity: Severity,
}

const fn m(line: &'static str, severity: Severity, what: &'static str) -> Mistake {
    Mistake {
        line,
        what,
        severity,
    }
}

use Severity::{Error, None as Fine, Warning};

/// The lines in file order (line `n` of the file is `MISTAKES[n - 1]`).
pub const MISTAKES: &[Mistake] = &[
    m(
        r#"{"image_location":"s3://acme/m/01.jpg","reference_id":"m-01","metadata":{"frame_id":17,"speed":3.5,"weather":"sunny"},"width":1920,"height":1080}"#,
        Fine,
        "No mistake: a valid item. Lines 22, 23 and 24 conflict with it (`frame_id` is a number, `speed` a number, reference id `m-01`).",
    ),
    m(
        r#"{"image_location":"s3://acme/m/02.jpg","pointcloud_location":"s3://acme/m/02.json","reference_id":"m-02"}"#,
        Error,
        "Both `image_location` and `pointcloud_location`: an item is one image or one point cloud.",
    ),
    m(
        r#"{"reference_id":"m-03","metadata":{"weather":"rain"}}"#,
        Error,
        "No location at all.",
    ),
    m(
        r#"{"image_location":"","reference_id":"m-04"}"#,
        Error,
        "Empty `image_location` (the only location).",
    ),
    m(
        r#"{"image_location":"s3://acme/m/05.jpg","metadata":{"weather":"fog"}}"#,
        Error,
        "Missing `reference_id`.",
    ),
    m(
        r#"{"image_location":"s3://acme/m/06.jpg","reference_id":""}"#,
        Error,
        "Empty `reference_id` (the SDK accepts it; we do not).",
    ),
    m(
        r#"{"image_location":"s3://acme/m/07.jpg","reference_id":7}"#,
        Error,
        "Numeric `reference_id` (the SDK accepts it; a reference id is a string).",
    ),
    m(
        r#"{"image_location":"s3://acme/m/08.jpg","reference_id":"m-08","metadata":["weather","sunny"]}"#,
        Error,
        "`metadata` is a list, not an object.",
    ),
    m(
        r#"{"image_location":"s3://acme/m/09.jpg","reference_id":"m-09","width":0,"height":1080}"#,
        Error,
        "`width` is 0; sizes are integers >= 1.",
    ),
    m(
        r#"{"image_location":"s3://acme/m/10.jpg","reference_id":"m-10","width":1920,"height":"1080"}"#,
        Error,
        "`height` is a string.",
    ),
    m(
        r#"{"pointcloud_location":"s3://acme/m/11.json","reference_id":"m-11","embedding_info":{"index_id":"idx_1","embedding_vector":[0.1,0.2,0.3]}}"#,
        Error,
        "`embedding_info` on a point cloud: embeddings are for images only.",
    ),
    m(
        r#"{"image_location":"s3://acme/m/12.jpg","reference_id":"m-12","embedding_info":{"index_id":"idx_1","embedding_vector":"0.1,0.2,0.3"}}"#,
        Error,
        "`embedding_info.embedding_vector` is a string, not a list of numbers.",
    ),
    m(
        r#"{"image_location":"s3://acme/m/13.jpg","reference_id":"m-13","metadata":{"camera_params":{"position":{"x":0,"y":0,"z":1.5},"heading":{"x":-0.5,"y":0.5,"z":-0.5,"w":0.5},"fy":1000,"cx":960,"cy":540}}}"#,
        Error,
        "`metadata.camera_params` has no `fx`.",
    ),
    m(
        r#"{"image_location":"s3://acme/m/14.jpg","reference_id":"m-14","metadata":{"camera_params":{"position":{"x":0,"y":0,"z":1.5},"heading":{"x":-0.5,"y":0.5,"z":-0.5,"w":0.5},"fx":1000,"fy":1000,"cx":960,"cy":540,"camera_model":"pinhole"}}}"#,
        Error,
        "`camera_model` is `pinhole`; the models are `brown_conrady` and `fisheye` (leave it out for a pinhole camera).",
    ),
    m(
        r#"{"image_location":"s3://acme/m/15.jpg","reference_id":"m-15","metadata":{"camera_params":{"position":{"x":0,"y":0,"z":1.5},"heading":{"x":-0.5,"y":0.5,"z":-0.5,"w":0.5},"fx":-1000,"fy":1000,"cx":960,"cy":540}}}"#,
        Error,
        "`camera_params.fx` is negative; focal lengths are > 0.",
    ),
    m(
        r#"{"image_location":"s3://acme/m/16.jpg","reference_id":"m-16","metadata":{"lat":123.4,"lon":13.4}}"#,
        Error,
        "`metadata.lat` is 123.4, outside [-90, 90] (latitude and longitude swapped or scaled?).",
    ),
    m(
        r#"{"image_location":"s3://acme/m/17.jpg","reference_id":"m-17","metadata":{"lat":52.52}}"#,
        Warning,
        "`metadata.lat` without `lon`: the item cannot appear on the map.",
    ),
    m(
        r#"{"image_location":"s3://acme/m/18.jpg","reference_id":"m-18","metadata":{"context_attachments":{"attachment":"https://example.com/18.pdf"}}}"#,
        Error,
        "`metadata.context_attachments` is an object, not a list of objects.",
    ),
    m(
        r#"{"image_location":"s3://acme/m/19.jpg","reference_id":"m-19","metadata":{"context_attachments":[{"url":"https://example.com/19.pdf"}]}}"#,
        Error,
        "A context attachment without its `attachment` key.",
    ),
    m(
        r#"{"pointcloud_location":"lidar/000020.json","reference_id":"m-20"}"#,
        Warning,
        "Local point cloud path: point clouds are remote URLs (an error in remote-only mode).",
    ),
    m(
        r#"{"image_location":"gcs://acme/m/21.jpg","reference_id":"m-21"}"#,
        Warning,
        "`gcs://` scheme: accepted, but `gs://` is the portable spelling (the SDK treats `gcs://` as a local path).",
    ),
    m(
        r#"{"image_location":"s3://acme/m/22.jpg","reference_id":"m-22","metadata":{"frame_id":"17"}}"#,
        Error,
        "Type conflict: `frame_id` is a string here but a number on line 1 (one item each, a tie: the kind seen first decides; with more numbers than strings, the strings would be the findings whatever their place). Reported after the other findings: the decision needs the whole file.",
    ),
    m(
        r#"{"image_location":"s3://acme/m/23.jpg","reference_id":"m-23","metadata":{"speed":true}}"#,
        Warning,
        "Kind mix: `speed` is a boolean here but a number on line 1 (not a string/number conflict, so a warning; reported after the other findings, like type conflicts).",
    ),
    m(
        r#"{"image_location":"s3://acme/m/24.jpg","reference_id":"m-01"}"#,
        Error,
        "Duplicate reference id `m-01`, first seen on line 1.",
    ),
    m(
        r#"{"image_locaton":"s3://acme/m/25.jpg","reference_id":"m-25"}"#,
        Error,
        "Typo `image_locaton`: an unknown-field warning that names the key, and an error because the item has no location.",
    ),
    m(
        r#"{"image_location":"s3://acme/m/26.jpg","reference_id":"m-26","metdata":{"weather":"snow"}}"#,
        Warning,
        "Typo `metdata`: unknown top-level key (ignored, so the item has no metadata).",
    ),
    m(
        r#"{"image_location":"s3://acme/m/27.jpg","reference_id":"m-27","metadata":{"speed":NaN}}"#,
        Error,
        "`NaN` is not JSON (Python writes it; JSON parsers must reject it).",
    ),
    m(
        r#"{"image_location":"s3://acme/m/28.jpg","reference_id":"m-28""#,
        Error,
        "Not JSON: the closing brace is missing.",
    ),
    m(
        r#"["s3://acme/m/29.jpg","m-29"]"#,
        Error,
        "A JSON array, not an object.",
    ),
    m(
        r#"{"image_location":"s3://acme/m/30.jpg","reference_id":"m-30","reference_id":"m-30b"}"#,
        Error,
        "Duplicate key `reference_id` in one object (Python keeps the last silently).",
    ),
    m(
        r#"{"image_location":"s3://acme/m/31.jpg","reference_id":"m-31","metadata":{"big":123456789012345678901234567890}}"#,
        Error,
        "Integer beyond 64 bits: it must be kept exactly or rejected, never rounded (SPEC 2).",
    ),
    m(
        r#"{"image_location":"s3://acme/m/32.jpg","reference_id":"m-32","metadata":{"huge":1e400}}"#,
        Error,
        "`1e400` overflows to infinity: not representable, rejected like `NaN`.",
    ),
    m(
        r#"{"image_location":"s3://acme/m/33.jpg","reference_id":"m-33","metadata":{"deep":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}"#,
        Error,
        "Arrays nested 130 deep in metadata: more than the 127 levels a reader accepts.",
    ),
    m(
        r#"{"processed_url":"s3://acme/m/34-processed.jpg","image_url":"s3://acme/m/34.jpg","reference_id":"m-34"}"#,
        Warning,
        "Two spellings of the image location with different values; `processed_url` wins, as in the SDK.",
    ),
    m(
        r#"{"image_url":34,"reference_id":"m-35"}"#,
        Error,
        "A location that is a number, not a string.",
    ),
    m(
        r#"{"url":"s3://acme/m/36.jpeg","reference_id":"m-36"}"#,
        Error,
        "`url` ending in `.jpeg`: the SDK types a `url` only by `jpg`, `png` or `json`.",
    ),
    m(
        r#"{"image_location":"s3://acme/m/37.jpg","reference_id":"m-37","phash":1234}"#,
        Warning,
        "`phash` (set by the server) is not a string; it is dropped.",
    ),
    m(
        r#"{"url":"s3://acme/m/38.json","type":"image","reference_id":"m-38"}"#,
        Warning,
        "`type` says image but the `.json` url makes it a point cloud.",
    ),
    m(
        r#"{"image_location":"s3://acme/m/39.jpg","reference_id":"m-39","camera_params":{"fx":1000}}"#,
        Warning,
        "A top-level `camera_params` (as in a scene payload) is ignored; it belongs in `metadata.camera_params`.",
    ),
    m(
        r#"{"image_url":"https://[fe80::1/m/40.jpg","reference_id":"m-40"}"#,
        Error,
        "A remote location that is not a well-formed URL (an unclosed `[`): no server can fetch it, and the SDK's `urlparse` raises.",
    ),
];

/// The JSON Lines file.
pub fn jsonl() -> String {
    MISTAKES
        .iter()
        .map(|mistake| format!("{}\n", mistake.line))
        .collect()
}

/// The Markdown explanation, one table row per line.
pub fn markdown() -> String {
    let mut text = String::from(
        "# examples/mistakes.jsonl, line by line\n\
         \n\
         Generated by `cargo xtask gen-examples` from `xtask/src/mistakes.rs`; do not edit.\n\
         Each line holds one deliberate mistake (line 1 is a valid item that later lines refer\n\
         to). \"Expected\" is the finding a validator should report for the line.\n\
         \n\
         | line | expected | mistake |\n\
         |---:|---|---|\n",
    );
    for (line_idx, mistake) in MISTAKES.iter().enumerate() {
        let severity = match mistake.severity {
            Error => "error",
            Warning => "warning",
            Fine => "none",
        };
        text.push_str(&format!(
            "| {} | {severity} | {} |\n",
            line_idx + 1,
            mistake.what
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_by_line_number_point_at_the_right_line() {
        // Lines 22-24 refer to line 1; keep the table order in step with the text.
        assert!(MISTAKES[0].line.contains(r#""frame_id":17"#));
        assert!(MISTAKES[21].line.contains(r#""frame_id":"17""#));
        assert!(MISTAKES[22].line.contains(r#""speed":true"#));
        assert!(MISTAKES[23].line.contains(r#""reference_id":"m-01""#));
    }

    #[test]
    fn lines_are_single_lines() {
        assert!(MISTAKES.iter().all(|mistake| !mistake.line.contains('\n')));
        assert_eq!(jsonl().lines().count(), MISTAKES.len());
    }

    #[test]
    fn only_the_intended_lines_fail_to_parse() {
        let unparsable: Vec<usize> = MISTAKES
            .iter()
            .enumerate()
            .filter(|(_, mistake)| serde_json::from_str::<serde_json::Value>(mistake.line).is_err())
            .map(|(idx, _)| idx + 1)
            .collect();
        // NaN, truncated object, 1e400, nesting beyond serde_json's limit. (The array, the duplicate key and the 30-digit
        // integer parse with serde_json's defaults; the validator must catch them itself.)
        assert_eq!(unparsable, [27, 28, 32, 33]);
    }
}
