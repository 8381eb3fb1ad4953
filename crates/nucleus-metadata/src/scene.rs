//! Scene-level rules: [`ItemRules::check_scene_line`] reads a lidar or video scene with every
//! item rule applied to every item, as `nucleus check --scenes` does.
//!
//! On top of what [`nucleus_model::scene`] checks (frames, one point cloud per lidar frame, one
//! lidar sensor, unique reference ids, camera images with `camera_params`):
//! - every location must be remote, whatever [`ItemRules::remote_only`] says: the SDK refuses
//!   local paths in scenes (`check_all_scene_paths_remote`), including a local `video_url`;
//! - the scene's own `metadata` follows the item rules for `lat`/`lon` and
//!   `context_attachments` (the SDK documents both for scenes).
//!
//! Dataset rules (kinds per metadata key, reference ids unique across scenes) are the caller's:
//! feed [`Scene::items`](nucleus_model::Scene::items) to [`DatasetState`](crate::DatasetState).

use nucleus_model::geo::check_coordinates;
use nucleus_model::json;
use nucleus_model::scene::{SceneReading, read_scene_line, read_scene_with};
use nucleus_model::{Code, Diagnostic, Location, LocationKind, Metadata};
use serde_json::Value;

use crate::ItemRules;

impl ItemRules {
    /// Reads one JSON Lines line as a scene and applies every rule (see the module docs).
    #[must_use]
    pub fn check_scene_line(&self, text: &str) -> SceneReading {
        match json::parse(text) {
            Ok(value) => self.check_scene_value(value),
            // The model's reader reports the same JSON error.
            Err(_) => read_scene_line(text),
        }
    }

    /// Reads a JSON value as a scene and applies every rule (see the module docs).
    #[must_use]
    pub fn check_scene_value(&self, value: Value) -> SceneReading {
        let item_rules = self.clone().remote_only(true);
        let mut extra = Vec::new();
        if let Value::Object(object) = &value {
            if let Some(Value::Object(map)) = object.get("metadata") {
                let metadata = Metadata::from_map(map.clone());
                check_coordinates(&metadata, &mut extra);
                item_rules.check_context_attachments(&metadata, &mut extra);
            }
            if let Some(Value::String(url)) = object.get("video_url")
                && let Ok(location) = Location::new(url.as_str())
                && location.kind() == LocationKind::Local
            {
                extra.push(Diagnostic::error(
                    Code::LocalLocation,
                    "/video_url",
                    format!(
                        "video_url {} is a local path; the SDK uploads scenes by remote URL only (s3://, gs://, http(s)://)",
                        Value::String(url.clone())
                    ),
                ));
            }
        }
        let mut reading = read_scene_with(value, |item| item_rules.check_value(item));
        reading.diagnostics.extend(extra);
        if reading.has_errors() {
            reading.scene = None;
        }
        reading
    }
}

#[cfg(test)]
mod tests {
    use nucleus_model::Severity::{self, Error as E, Warning as W};

    use super::*;

    fn check(input: &str, expected: &[(Severity, Code, &str)]) {
        let reading = ItemRules::new().check_scene_line(input);
        let actual: Vec<(Severity, Code, &str)> = reading
            .diagnostics
            .iter()
            .map(|d| (d.severity, d.code, d.path.as_str()))
            .collect();
        assert_eq!(actual, expected, "{input}\n{:#?}", reading.diagnostics);
        assert_eq!(
            reading.scene.is_none(),
            expected.iter().any(|(s, _, _)| *s == E)
        );
    }

    #[test]
    fn scene_items_must_be_remote_and_scene_metadata_is_checked() {
        check(
            r#"{"reference_id": "s", "metadata": {"lat": 100, "lon": 1}, "frames": [{"lidar": {"pointcloud_location": "lidar/0.json", "reference_id": "p"}, "cam": {"image_location": "gcs://b/0.jpg", "reference_id": "i", "metadata": {"camera_params": {"position": {"x": 0, "y": 0, "z": 0}, "heading": {"x": 0, "y": 0, "z": 0, "w": 1}, "fx": 1, "fy": 1, "cx": 0, "cy": 0}}}}]}"#,
            &[
                (
                    E,
                    Code::LocalLocation,
                    "/frames/0/lidar/pointcloud_location",
                ),
                (W, Code::GcsScheme, "/frames/0/cam/image_location"),
                (E, Code::InvalidCoordinate, "/metadata/lat"),
            ],
        );
        check(
            r#"{"reference_id": "v", "video_url": "videos/a.mp4"}"#,
            &[(E, Code::LocalLocation, "/video_url")],
        );
        check("{", &[(E, Code::InvalidJson, "")]);
    }
}
