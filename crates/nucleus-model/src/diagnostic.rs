//! Findings about an item or a dataset, kept as data so callers can render them as text or JSON.

use std::fmt;

use serde::Serialize;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
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
    /// The item has no `reference_id`.
    MissingReferenceId = "missing-reference-id",
    /// The `reference_id` is an empty string.
    EmptyReferenceId = "empty-reference-id",
    /// The `reference_id` is not a string.
    InvalidReferenceId = "invalid-reference-id",
    /// `metadata` is neither an object nor null.
    MetadataNotAnObject = "metadata-not-an-object",
    /// `width` or `height` is not an integer of at least 1.
    InvalidDimension = "invalid-dimension",
    /// `embedding_info` is not `{index_id: string, embedding_vector: [number]}`.
    InvalidEmbedding = "invalid-embedding",
    /// `embedding_info` on a point cloud; embeddings are for images only.
    EmbeddingOnPointcloud = "embedding-on-pointcloud",
    /// A field the item format knows has a value of the wrong type; the value is dropped.
    InvalidField = "invalid-field",
    /// A top-level field the item format does not know (often a typo); it is not uploaded.
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
    /// A `nucleus project` line whose `points` or `cuboid` is malformed, or a GeoJSON feature
    /// whose geometry is not a `[longitude, latitude]` point.
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
    /// A calibration that cannot be converted exactly to the target format (skew, k5/k6, a
    /// separate rectified camera, binning); `nucleus convert camera` refuses rather than approximate.
    InexactConversion = "inexact-conversion",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One finding: what rule, how bad, where in the item, and a message a person can act on.
///
/// `path` is an RFC 6901 JSON pointer into the item's object (`""` for the whole line).
/// `line` is filled in by whoever knows it (the line reader, the dataset checker); it counts
/// from 1. `related_line` names another line the finding refers to, such as the first use of a
/// duplicated reference id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
