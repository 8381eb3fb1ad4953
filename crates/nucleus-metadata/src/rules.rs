//! Item-level rules: everything `nucleus-model` checks when reading, plus the reserved metadata
//! keys and the location policies of SPEC.md sections 1 and 2.

use nucleus_model::diagnostic::pointer;
use nucleus_model::geo::check_coordinates;
use nucleus_model::read::{ItemReading, kind_name};
use nucleus_model::{
    Code, DatasetItem, DatasetItemType, Diagnostic, Location, LocationKind, Metadata, read_item,
    read_line,
};
use serde_json::Value;

/// What the item-level rules enforce beyond the defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ItemRules {
    /// Every location must be remote (the SDK requires it for asynchronous uploads and scenes):
    /// a local path is an error instead of being accepted.
    pub remote_only: bool,
    /// Every image needs `width` and `height` (privacy mode).
    pub require_dimensions: bool,
}

impl ItemRules {
    /// The default rules: local paths allowed, dimensions optional.
    #[must_use]
    pub fn new() -> ItemRules {
        ItemRules::default()
    }

    /// The same rules, with remote-only locations.
    #[must_use]
    pub fn remote_only(mut self, remote_only: bool) -> ItemRules {
        self.remote_only = remote_only;
        self
    }

    /// The same rules, requiring dimensions on images.
    #[must_use]
    pub fn require_dimensions(mut self, require_dimensions: bool) -> ItemRules {
        self.require_dimensions = require_dimensions;
        self
    }

    /// Reads one JSON Lines line and applies every item-level rule.
    #[must_use]
    pub fn check_line(&self, text: &str) -> ItemReading {
        self.finish(read_line(text))
    }

    /// Reads a JSON value as an item and applies every item-level rule.
    #[must_use]
    pub fn check_value(&self, value: Value) -> ItemReading {
        self.finish(read_item(value))
    }

    fn finish(&self, mut reading: ItemReading) -> ItemReading {
        if let Some(item) = &reading.item {
            let location_key = reading.location_key.unwrap_or(match item.item_type() {
                DatasetItemType::Image => "image_location",
                DatasetItemType::Pointcloud => "pointcloud_location",
            });
            self.check(item, location_key, &mut reading.diagnostics);
            if reading.diagnostics.iter().any(Diagnostic::is_error) {
                reading.item = None;
            }
        }
        reading
    }

    /// Applies the rules that go beyond reading to an item, appending findings.
    ///
    /// `location_key` is the top-level key the location came from, for the JSON pointer.
    pub fn check(&self, item: &DatasetItem, location_key: &str, diagnostics: &mut Vec<Diagnostic>) {
        let location_path = pointer("", &[location_key]);
        self.check_location(item.location(), &location_path, diagnostics);
        if item.item_type() == DatasetItemType::Pointcloud
            && !item.location().is_remote()
            && !self.remote_only
        {
            diagnostics.push(Diagnostic::warning(
                Code::LocalPointcloud,
                location_path,
                format!(
                    "point cloud at a local path {}; point clouds are uploaded by remote URL (s3://, gs://, https://)",
                    quoted(item.location().as_str())
                ),
            ));
        }
        if self.require_dimensions
            && item.item_type() == DatasetItemType::Image
            && (item.width().is_none() || item.height().is_none())
        {
            let missing = match (item.width(), item.height()) {
                (None, None) => "width and height are",
                (None, Some(_)) => "width is",
                _ => "height is",
            };
            diagnostics.push(Diagnostic::error(
                Code::MissingDimensions,
                "",
                format!("privacy mode needs the pixel size of every image, but {missing} missing"),
            ));
        }
        check_coordinates(item.metadata(), diagnostics);
        self.check_context_attachments(item.metadata(), diagnostics);
    }

    fn check_location(&self, location: &Location, path: &str, diagnostics: &mut Vec<Diagnostic>) {
        match location.kind() {
            LocationKind::Local if self.remote_only => diagnostics.push(Diagnostic::error(
                Code::LocalLocation,
                path,
                format!(
                    "{} is a local path, but only remote locations are allowed here (s3://, gs://, http(s)://, Azure)",
                    quoted(location.as_str())
                ),
            )),
            LocationKind::Gcs => diagnostics.push(Diagnostic::warning(
                Code::GcsScheme,
                path,
                format!(
                    "{} uses gcs://, which the Python SDK treats as a local path; write gs:// instead",
                    quoted(location.as_str())
                ),
            )),
            _ => {}
        }
    }

    pub(crate) fn check_context_attachments(
        &self,
        metadata: &Metadata,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let base = "/metadata/context_attachments";
        let attachments = match metadata.get(Metadata::CONTEXT_ATTACHMENTS) {
            None | Some(Value::Null) => return,
            Some(Value::Array(attachments)) => attachments,
            Some(other) => {
                diagnostics.push(Diagnostic::error(
                    Code::InvalidContextAttachments,
                    base,
                    format!(
                        "context_attachments must be a list of {{\"attachment\": location}} objects, found {} {other}",
                        kind_name(other)
                    ),
                ));
                return;
            }
        };
        for (idx, entry) in attachments.iter().enumerate() {
            let entry_path = pointer(base, &[&idx.to_string()]);
            let attachment = match entry {
                Value::Object(entry) => entry.get("attachment"),
                other => {
                    diagnostics.push(Diagnostic::error(
                        Code::InvalidContextAttachments,
                        entry_path,
                        format!(
                            "each context attachment must be an object {{\"attachment\": location}}, found {} {other}",
                            kind_name(other)
                        ),
                    ));
                    continue;
                }
            };
            let attachment_path = pointer(&entry_path, &["attachment"]);
            match attachment.map(|value| (value, value.as_str().map(Location::new))) {
                Some((_, Some(Ok(location)))) => {
                    self.check_location(&location, &attachment_path, diagnostics);
                }
                Some((_, Some(Err(_)))) => diagnostics.push(Diagnostic::error(
                    Code::InvalidContextAttachments,
                    attachment_path,
                    "attachment is an empty string; give a local path or a remote URL",
                )),
                Some((value, None)) => diagnostics.push(Diagnostic::error(
                    Code::InvalidContextAttachments,
                    attachment_path,
                    format!(
                        "attachment must be a location string, found {} {value}",
                        kind_name(value)
                    ),
                )),
                None => diagnostics.push(Diagnostic::error(
                    Code::InvalidContextAttachments,
                    entry_path,
                    "context attachment has no \"attachment\" key",
                )),
            }
        }
    }
}

fn quoted(text: &str) -> String {
    Value::String(text.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use nucleus_model::Severity::{self, Error as E, Warning as W};

    use super::*;

    fn check(rules: &ItemRules, input: &str, expected: &[(Severity, Code, &str)]) {
        let reading = rules.check_line(input);
        let actual: Vec<(Severity, Code, &str)> = reading
            .diagnostics
            .iter()
            .map(|d| (d.severity, d.code, d.path.as_str()))
            .collect();
        assert_eq!(actual, expected, "{input}\n{:#?}", reading.diagnostics);
        let has_error = expected.iter().any(|(s, _, _)| *s == E);
        assert_eq!(reading.item.is_none(), has_error);
    }

    fn with_metadata(metadata: &str) -> String {
        format!(r#"{{"image_location":"s3://b/a.jpg","reference_id":"a","metadata":{metadata}}}"#)
    }

    #[test]
    fn coordinates_must_be_in_range_and_paired() {
        let rules = ItemRules::new();
        check(&rules, &with_metadata(r#"{"lat":52.5,"lon":13.3}"#), &[]);
        check(&rules, &with_metadata(r#"{"lat":-90,"lon":180}"#), &[]);
        check(&rules, &with_metadata(r#"{"lat":null,"lon":null}"#), &[]);
        check(
            &rules,
            &with_metadata(r#"{"lat":90.5,"lon":13.3}"#),
            &[(E, Code::InvalidCoordinate, "/metadata/lat")],
        );
        check(
            &rules,
            &with_metadata(r#"{"lat":"52.5","lon":-181}"#),
            &[
                (E, Code::InvalidCoordinate, "/metadata/lat"),
                (E, Code::InvalidCoordinate, "/metadata/lon"),
            ],
        );
        check(
            &rules,
            &with_metadata(r#"{"lat":52.5}"#),
            &[(W, Code::UnpairedCoordinate, "/metadata/lat")],
        );
        check(
            &rules,
            &with_metadata(r#"{"lon":13.3,"lat":null}"#),
            &[(W, Code::UnpairedCoordinate, "/metadata/lon")],
        );
    }

    #[test]
    fn context_attachments_are_lists_of_locations() {
        let rules = ItemRules::new();
        check(
            &rules,
            &with_metadata(
                r#"{"context_attachments":[{"attachment":"s3://b/x.jpg"},{"attachment":"local.png"}]}"#,
            ),
            &[],
        );
        check(
            &rules,
            &with_metadata(r#"{"context_attachments":"s3://b/x.jpg"}"#),
            &[(
                E,
                Code::InvalidContextAttachments,
                "/metadata/context_attachments",
            )],
        );
        check(
            &rules,
            &with_metadata(
                r#"{"context_attachments":[{"attachment":""},{"url":"x"},7,{"attachment":3}]}"#,
            ),
            &[
                (
                    E,
                    Code::InvalidContextAttachments,
                    "/metadata/context_attachments/0/attachment",
                ),
                (
                    E,
                    Code::InvalidContextAttachments,
                    "/metadata/context_attachments/1",
                ),
                (
                    E,
                    Code::InvalidContextAttachments,
                    "/metadata/context_attachments/2",
                ),
                (
                    E,
                    Code::InvalidContextAttachments,
                    "/metadata/context_attachments/3/attachment",
                ),
            ],
        );
        check(
            &rules.clone().remote_only(true),
            &with_metadata(r#"{"context_attachments":[{"attachment":"local.png"}]}"#),
            &[(
                E,
                Code::LocalLocation,
                "/metadata/context_attachments/0/attachment",
            )],
        );
    }

    #[test]
    fn location_policies() {
        let rules = ItemRules::new();
        check(
            &rules,
            r#"{"pointcloud_url":"clouds/1.json","reference_id":"a"}"#,
            &[(W, Code::LocalPointcloud, "/pointcloud_url")],
        );
        check(
            &rules,
            r#"{"image_url":"gcs://b/1.jpg","reference_id":"a"}"#,
            &[(W, Code::GcsScheme, "/image_url")],
        );
        let remote = ItemRules::new().remote_only(true);
        check(
            &remote,
            r#"{"pointcloud_url":"clouds/1.json","reference_id":"a"}"#,
            &[(E, Code::LocalLocation, "/pointcloud_url")],
        );
        check(
            &remote,
            r#"{"url":"images/1.jpg","reference_id":"a"}"#,
            &[(E, Code::LocalLocation, "/url")],
        );
        check(
            &remote,
            r#"{"image_location":"https://x.org/1.jpg","reference_id":"a"}"#,
            &[],
        );
    }

    #[test]
    fn privacy_mode_requires_dimensions_on_images() {
        let rules = ItemRules::new().require_dimensions(true);
        check(
            &rules,
            r#"{"image_location":"s3://b/1.jpg","reference_id":"a","width":10}"#,
            &[(E, Code::MissingDimensions, "")],
        );
        check(
            &rules,
            r#"{"image_location":"s3://b/1.jpg","reference_id":"a","width":10,"height":5}"#,
            &[],
        );
        check(
            &rules,
            r#"{"pointcloud_location":"s3://b/1.json","reference_id":"a"}"#,
            &[],
        );
    }
}
