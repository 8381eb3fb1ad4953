//! Findings about an item or a dataset, kept as data so callers can render them as text or JSON.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Error;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a look, but the item can be uploaded.
    Warning,
    /// The item (or the dataset) would be rejected or would lose data.
    Error,
}

impl Severity {
    /// The lowercase name used in text and JSON output.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal, )*) => {
        /// The stable, kebab-case identifier of a rule. Tools may match on it; it never changes
        /// meaning once released.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The kebab-case name, as printed in diagnostics.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( Code::$variant => $name, )*
                }
            }

            /// One sentence on what the rule checks.
            #[must_use]
            pub const fn summary(self) -> &'static str {
                match self {
                    $( Code::$variant => concat!($($doc),*), )*
                }
            }
        }
    };
}

codes! {
    /// The line is not valid JSON (syntax error, `NaN`/`Infinity` token, truncated text).
    InvalidJson = "invalid-json",
    /// The line is not valid UTF-8.
    InvalidUtf8 = "invalid-utf8",
    /// The line is longer than the configured maximum.
    LineTooLong = "line-too-long",
    /// The line is JSON but not an object (an array, a string, a number or null).
    NotAnObject = "not-an-object",
    /// An object has the same key twice; which value would win is ambiguous.
    DuplicateKey = "duplicate-key",
    /// JSON nested deeper than the parser allows.
    TooDeeplyNested = "too-deeply-nested",
    /// An integer does not fit in 64 bits and would be rounded by every JSON reader that uses f64.
    IntegerTooLarge = "integer-too-large",
    /// A number overflows f64 (such as `1e400`) and cannot be written back as JSON, or
    /// underflows it (`1e-400`) and would be read as 0.
    NumberOutOfRange = "number-out-of-range",
    /// The item has neither an image nor a point-cloud location.
    MissingLocation = "missing-location",
    /// The item has both an image and a point-cloud location.
    MultipleLocations = "multiple-locations",
    /// Two spellings of the same location disagree; the first in precedence order is used.
    ConflictingLocations = "conflicting-locations",
    /// A location is an empty string.
    EmptyLocation = "empty-location",
    /// A location is not a string.
    InvalidLocation = "invalid-location",
    /// A `url` whose extension is none of `jpg`, `png`, `json`, so its type is unknown.
    UnknownUrlExtension = "unknown-url-extension",
    /// The item or annotation has no `reference_id` (a prediction: nor `dataset_item_id`).
    MissingReferenceId = "missing-reference-id",
    /// The `reference_id` of an item or annotation is an empty string.
    EmptyReferenceId = "empty-reference-id",
    /// The `reference_id` of an item or annotation is not a string.
    InvalidReferenceId = "invalid-reference-id",
    /// `metadata` is neither an object nor null.
    MetadataNotAnObject = "metadata-not-an-object",
    /// `width` or `height` is not an integer of at least 1.
    InvalidDimension = "invalid-dimension",
    /// `embedding_info` is not `{index_id: string, embedding_vector: [number]}`.
    InvalidEmbedding = "invalid-embedding",
    /// `embedding_info` on a point cloud; embeddings are for images only.
    EmbeddingOnPointcloud = "embedding-on-pointcloud",
    /// A field the item or annotation format knows has a value of the wrong type; the value is
    /// dropped.
    InvalidField = "invalid-field",
    /// A field the item or annotation format does not know (often a typo), or one the SDK reads
    /// but does not upload for this type; it is not uploaded.
    UnknownField = "unknown-field",
    /// The item's `type` disagrees with its location.
    TypeMismatch = "type-mismatch",
    /// A top-level `camera_params` is ignored on reading; it belongs in `metadata.camera_params`.
    IgnoredCameraParams = "ignored-camera-params",
    /// `metadata.camera_params` is not a valid camera.
    InvalidCameraParams = "invalid-camera-params",
    /// `metadata.lat` or `metadata.lon` is not a number in range.
    InvalidCoordinate = "invalid-coordinate",
    /// Only one of `metadata.lat` and `metadata.lon` is set, so the item is not on the map.
    UnpairedCoordinate = "unpaired-coordinate",
    /// `metadata.context_attachments` is not a list of `{attachment: location}` objects.
    InvalidContextAttachments = "invalid-context-attachments",
    /// A point cloud at a local path; point clouds are uploaded by remote URL.
    LocalPointcloud = "local-pointcloud",
    /// A local path where only remote locations are allowed (remote-only mode).
    LocalLocation = "local-location",
    /// A `gcs://` location; `gs://` is the portable spelling (the Python SDK treats `gcs://` as local).
    GcsScheme = "gcs-scheme",
    /// An image without `width` and `height` where dimensions are required (privacy mode).
    MissingDimensions = "missing-dimensions",
    /// A metadata key holds a string on one item and a number on another.
    TypeConflict = "type-conflict",
    /// A metadata key mixes other kinds (say, number and boolean).
    MixedKinds = "mixed-kinds",
    /// A `reference_id` already used earlier in the dataset.
    DuplicateReferenceId = "duplicate-reference-id",
    /// The JSON Schema and the Rust validator disagree about a line (a bug: please report it).
    SchemaDisagreement = "schema-disagreement",
    /// A `nucleus project` line whose `points` or `cuboid` is malformed, a GeoJSON feature
    /// whose geometry is not a `[longitude, latitude]` point, or an annotation whose `geometry`
    /// is not the shape its `type` needs (a missing coordinate, a string where a number belongs).
    InvalidGeometry = "invalid-geometry",
    /// A scene is not `{reference_id, frames: [...]}` as the SDK writes it (no frames, a frame
    /// that is not an object, a video scene with neither or both of `video_url` and frames).
    InvalidScene = "invalid-scene",
    /// A lidar frame without exactly one point cloud, or whose lidar sensor differs from the
    /// scene's other frames.
    InvalidLidarFrame = "invalid-lidar-frame",
    /// A camera image in a lidar scene without `metadata.camera_params`, so cuboids cannot be
    /// projected into it.
    MissingCameraParams = "missing-camera-params",
    /// A point-cloud file is malformed: not `{"points": [...]}`, a point without numbers x, y,
    /// z, an intensity outside [0, 1], a device id or timestamp that is not an integer.
    InvalidPointcloud = "invalid-pointcloud",
    /// A remote location mapped into the local mirror (`--media-dir`) would lead outside it:
    /// its key climbs above the mirror with `..` segments (also percent-encoded, `%2e%2e`), or
    /// the file is a symbolic link (or under one) pointing out. Nothing outside is opened.
    LocationOutsideMirror = "location-outside-mirror",
    /// The file a location names (a local path, or a remote one in the mirror) does not exist.
    MissingMedia = "missing-media",
    /// A media file cannot be read, or its header is truncated, damaged or not an image's.
    UnreadableMedia = "unreadable-media",
    /// An image in a format Nucleus does not display (it displays JPEG and PNG).
    UnsupportedImageFormat = "unsupported-image-format",
    /// An image whose file name says one format and whose header another (a PNG named `.jpg`).
    MislabelledImage = "mislabelled-image",
    /// `width` or `height` disagrees with the pixel size in the image's header.
    DimensionMismatch = "dimension-mismatch",
    /// An image side is longer than the limit given (`--max-side`).
    ImageTooLarge = "image-too-large",
    /// An image's data does not decode (truncated or damaged), found by a full decode (`--decode`).
    CorruptImage = "corrupt-image",
    /// A calibration that cannot be converted exactly to the target format (skew, k5/k6, a
    /// separate rectified camera, binning); `nucleus convert camera` refuses rather than approximate.
    InexactConversion = "inexact-conversion",
    /// An annotation `type` the SDK does not know (it would read the line as a segmentation),
    /// or `multicategory` in a prediction file (the SDK has no multicategory prediction).
    UnknownAnnotationType = "unknown-annotation-type",
    /// An annotation `label` (or a `labels` entry, or a segment's label) that is missing, not a
    /// string or empty, or repeated in a multicategory's `labels`.
    InvalidLabel = "invalid-label",
    /// An annotation field other than the geometry with a value of the wrong type
    /// (`annotation_id`, `track_reference_id`, `taxonomy_name`, `embedding_vector`, ...).
    InvalidAnnotationField = "invalid-annotation-field",
    /// Geometry without extent: a box or cuboid with a size that is not positive, a line with
    /// fewer than 2 vertices, a polygon with fewer than 3, keypoints with no point.
    DegenerateGeometry = "degenerate-geometry",
    /// Keypoints that disagree with their names or skeleton: counts differ, a name repeats, an
    /// edge is not a pair of indexes below the number of keypoints, a visible keypoint without
    /// coordinates.
    InvalidKeypoints = "invalid-keypoints",
    /// A prediction's `confidence` is not a number in [0, 1].
    InvalidConfidence = "invalid-confidence",
    /// A prediction's `class_pdf` is not `{label: probability}` with probabilities in [0, 1]
    /// that sum to 1 (within 0.01).
    InvalidClassPdf = "invalid-class-pdf",
    /// A segmentation without a `mask_url`, without segments, or whose segments are not
    /// `{label, index}` with distinct non-negative integer indexes.
    InvalidSegmentation = "invalid-segmentation",
    /// An annotation's `reference_id` names no item (nor, for a category, a scene) of the items
    /// given.
    UnknownReferenceId = "unknown-reference-id",
    /// An annotation on an item of the wrong kind: a 2D annotation or a mask on a point cloud, a
    /// cuboid on an image.
    WrongItemType = "wrong-item-type",
    /// 2D geometry beyond the image's `width` and `height`.
    OutsideImage = "outside-image",
    /// A cuboid that no camera of its scene frame sees, so Nucleus cannot project it into any
    /// image.
    CuboidNotVisible = "cuboid-not-visible",
    /// An `annotation_id` used twice on one item (Nucleus keeps the first and ignores the
    /// other), or a second segmentation on one item.
    DuplicateAnnotationId = "duplicate-annotation-id",
    /// Labels that differ only by case or spacing (`Car`, `car `), most likely one class.
    SimilarLabels = "similar-labels",
    /// A `track_reference_id` whose annotations carry different labels.
    TrackLabelConflict = "track-label-conflict",
    /// A segmentation's mask whose size differs from its item's image (`width`/`height`), read
    /// from the mask's PNG header when media are probed.
    MaskSizeMismatch = "mask-size-mismatch",
    /// A segmentation's mask file that is not a PNG (Nucleus reads masks as PNG images).
    MaskNotPng = "mask-not-png",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The inverse of [`Code::as_str`].
impl FromStr for Code {
    type Err = Error;

    fn from_str(name: &str) -> Result<Code, Error> {
        Code::ALL
            .iter()
            .copied()
            .find(|code| code.as_str() == name)
            .ok_or_else(|| Error::UnknownCode(name.to_owned()))
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Code, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

/// One finding: what rule, how bad, where in the item, and a message a person can act on.
///
/// `path` is an RFC 6901 JSON pointer into the item's object (`""` for the whole line).
/// `line` is filled in by whoever knows it (the line reader, the dataset checker); it counts
/// from 1. `related_line` names another line the finding refers to, such as the first use of a
/// duplicated reference id.
///
/// It serializes as `{"severity", "code", "line", "path", "message", "related_line"}` (the two
/// lines only when known) and reads back from that form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Diagnostic {
    /// How bad it is.
    pub severity: Severity,
    /// Which rule.
    pub code: Code,
    /// The 1-based line of the item, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// JSON pointer to the offending value inside the item.
    pub path: String,
    /// What is wrong and what was expected.
    pub message: String,
    /// Another line this finding refers to, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related_line: Option<u64>,
}

impl Diagnostic {
    /// An error at `path`.
    pub fn error(code: Code, path: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, path, message)
    }

    /// A warning at `path`.
    pub fn warning(code: Code, path: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, path, message)
    }

    /// A finding of the given severity.
    pub fn new(
        severity: Severity,
        code: Code,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            severity,
            code,
            line: None,
            path: path.into(),
            message: message.into(),
            related_line: None,
        }
    }

    /// The same finding, placed on `line`.
    #[must_use]
    pub fn at_line(mut self, line: u64) -> Diagnostic {
        self.line = Some(line);
        self
    }

    /// The same finding, referring to another line.
    #[must_use]
    pub fn with_related_line(mut self, line: u64) -> Diagnostic {
        self.related_line = Some(line);
        self
    }

    /// Whether this is an error (as opposed to a warning).
    #[must_use]
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// `error[code]: /path: message`, without file or line (the caller adds those).
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]: ", self.severity, self.code)?;
        if !self.path.is_empty() {
            write!(f, "{}: ", TextPointer(&self.path))?;
        }
        f.write_str(&self.message)
    }
}

/// A finding with the name of the file it is in: the one form in which findings are printed
/// (`nucleus check` and the other commands, text or `--format json`) and handed to Python.
///
/// Text (`Display`): `items.jsonl:17: error[code]: /path: message` (no `:17` without a line).
/// JSON (`Serialize`): the [`Diagnostic`]'s fields with `file` after `code`:
///
/// ```
/// use nucleus_model::{Code, Diagnostic, FileDiagnostic};
///
/// let diagnostic = Diagnostic::error(Code::InvalidCoordinate, "/metadata/lat", "too far").at_line(17);
/// let found = FileDiagnostic::new("items.jsonl", &diagnostic);
/// assert_eq!(found.to_string(), "items.jsonl:17: error[invalid-coordinate]: /metadata/lat: too far");
/// assert_eq!(
///     serde_json::to_string(&found)?,
///     r#"{"severity":"error","code":"invalid-coordinate","file":"items.jsonl","line":17,"path":"/metadata/lat","message":"too far"}"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileDiagnostic<'a> {
    /// The file's name as the user gave it (`-` for standard input).
    pub file: &'a str,
    /// The finding.
    pub diagnostic: &'a Diagnostic,
}

impl<'a> FileDiagnostic<'a> {
    /// `diagnostic`, found in `file`.
    #[must_use]
    pub const fn new(file: &'a str, diagnostic: &'a Diagnostic) -> FileDiagnostic<'a> {
        FileDiagnostic { file, diagnostic }
    }
}

impl fmt::Display for FileDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.diagnostic.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.diagnostic),
            None => write!(f, "{}: {}", self.file, self.diagnostic),
        }
    }
}

impl Serialize for FileDiagnostic<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// The JSON shape, field by field in output order.
        #[derive(Serialize)]
        struct Json<'a> {
            severity: Severity,
            code: Code,
            file: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            line: Option<u64>,
            path: &'a str,
            message: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            related_line: Option<u64>,
        }
        let diagnostic = self.diagnostic;
        Json {
            severity: diagnostic.severity,
            code: diagnostic.code,
            file: self.file,
            line: diagnostic.line,
            path: &diagnostic.path,
            message: &diagnostic.message,
            related_line: diagnostic.related_line,
        }
        .serialize(serializer)
    }
}

/// A JSON pointer as printed in text: control characters (which a key may hold, U+0000
/// included) are shown as JSON escapes (`\u0000`) instead of being written to the terminal.
/// The pointer itself is unchanged; JSON output carries it exactly.
#[derive(Debug, Clone, Copy)]
pub struct TextPointer<'a>(pub &'a str);

impl fmt::Display for TextPointer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for ch in self.0.chars() {
            if ch.is_control() {
                write!(f, "\\u{:04x}", u32::from(ch))?;
            } else {
                fmt::Write::write_char(f, ch)?;
            }
        }
        Ok(())
    }
}

/// Appends an RFC 6901 reference token (escaping `~` and `/`) to a JSON pointer.
pub fn push_pointer_token(pointer: &mut String, token: &str) {
    pointer.push('/');
    for ch in token.chars() {
        match ch {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            _ => pointer.push(ch),
        }
    }
}

/// The JSON pointer of `tokens` below `base`.
#[must_use]
pub fn pointer(base: &str, tokens: &[&str]) -> String {
    let mut out = String::from(base);
    for token in tokens {
        push_pointer_token(&mut out, token);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let name = code.as_str();
            assert!(seen.insert(name), "duplicate code {name}");
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{name} is not kebab-case"
            );
            assert!(code.summary().len() > 10, "{name} has no summary");
        }
    }

    #[test]
    fn every_code_parses_back_from_its_name() {
        for &code in Code::ALL {
            assert_eq!(code.as_str().parse::<Code>(), Ok(code));
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(serde_json::from_str::<Code>(&json).unwrap(), code);
        }
        assert_eq!(
            "kind-conflict".parse::<Code>(),
            Err(Error::UnknownCode("kind-conflict".to_owned()))
        );
        assert!(serde_json::from_str::<Code>(r#""Type-Conflict""#).is_err());
    }

    #[test]
    fn diagnostics_read_back() {
        let diagnostics = [
            Diagnostic::error(Code::InvalidCoordinate, "/metadata/lat", "too far").at_line(17),
            Diagnostic::warning(Code::MixedKinds, "", "mix")
                .at_line(3)
                .with_related_line(1),
            Diagnostic::error(Code::InvalidJson, "", "bad"),
        ];
        for diagnostic in diagnostics {
            let json = serde_json::to_string(&diagnostic).unwrap();
            assert_eq!(
                serde_json::from_str::<Diagnostic>(&json).unwrap(),
                diagnostic,
                "{json}"
            );
        }
        let unknown = r#"{"severity":"fatal","code":"invalid-json","path":"","message":"m"}"#;
        assert!(serde_json::from_str::<Diagnostic>(unknown).is_err());
    }

    #[test]
    fn file_diagnostics_without_lines() {
        let diagnostic = Diagnostic::warning(Code::UnknownField, "/x", "unknown");
        let found = FileDiagnostic::new("-", &diagnostic);
        assert_eq!(found.to_string(), "-: warning[unknown-field]: /x: unknown");
        assert_eq!(
            serde_json::to_string(&found).unwrap(),
            r#"{"severity":"warning","code":"unknown-field","file":"-","path":"/x","message":"unknown"}"#
        );
        let related = diagnostic.clone().at_line(4).with_related_line(2);
        assert_eq!(
            serde_json::to_string(&FileDiagnostic::new("a.jsonl", &related)).unwrap(),
            r#"{"severity":"warning","code":"unknown-field","file":"a.jsonl","line":4,"path":"/x","message":"unknown","related_line":2}"#
        );
    }

    #[test]
    fn pointer_tokens_are_escaped() {
        assert_eq!(pointer("/metadata", &["a/b", "c~d"]), "/metadata/a~1b/c~0d");
        assert_eq!(pointer("", &[]), "");
    }

    #[test]
    fn display_and_json_shape() {
        let diagnostic =
            Diagnostic::error(Code::InvalidCoordinate, "/metadata/lat", "too far").at_line(17);
        assert_eq!(
            diagnostic.to_string(),
            "error[invalid-coordinate]: /metadata/lat: too far"
        );
        let json = serde_json::to_string(&diagnostic).unwrap();
        assert_eq!(
            json,
            r#"{"severity":"error","code":"invalid-coordinate","line":17,"path":"/metadata/lat","message":"too far"}"#
        );
    }

    #[test]
    fn text_shows_control_characters_of_a_pointer_escaped() {
        let diagnostic = Diagnostic::error(Code::DuplicateKey, "/m/\u{0}c\u{1b}~1🦀", "x");
        assert_eq!(
            diagnostic.to_string(),
            r"error[duplicate-key]: /m/\u0000c\u001b~1🦀: x"
        );
        assert_eq!(diagnostic.path, "/m/\u{0}c\u{1b}~1🦀");
    }
}
