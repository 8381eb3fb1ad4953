//! Cuboid annotations as the SDK writes them, one JSON object per line: `{"type": "cuboid",
//! "geometry": {position, dimensions, yaw}, "reference_id": ..., ...}` or a bare
//! `{position, dimensions, yaw}`. The reader takes text; opening the file is the caller's job.
//!
//! ```
//! use nucleus_model::cuboids::read_cuboids;
//!
//! let text = r#"{"type": "cuboid", "reference_id": "lidar/0", "geometry": {"position": {"x": 10, "y": 0, "z": 1}, "dimensions": {"x": 4, "y": 2, "z": 1.5}, "yaw": 0.1}}
//! {"type": "cuboid", "reference_id": "lidar/1", "geometry": {"position": {"x": 5, "y": 1, "z": 1}, "dimensions": {"x": 1, "y": 1, "z": 1}, "yaw": 0}}
//! {"type": "box2d", "reference_id": "front/0", "geometry": {"x": 0, "y": 0, "width": 10, "height": 10}}
//! "#;
//! let on_first_cloud = read_cuboids(text, Some("lidar/0"))?;
//! assert_eq!(on_first_cloud.len(), 1);
//! assert_eq!(read_cuboids(text, None)?.len(), 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use nucleus_camera::Cuboid;
use serde_json::Value;

use crate::json::{self, JsonError};

/// A line of a cuboid annotations text that could not be read: its number and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {error}")]
pub struct CuboidsError {
    /// The line, counted from 1.
    pub line: u64,
    /// What is wrong with it.
    pub error: CuboidLineError,
}

/// What is wrong with a line of a cuboid annotations text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CuboidLineError {
    /// The line is not JSON the strict reader accepts.
    #[error(transparent)]
    Json(#[from] JsonError),
    /// The geometry is not a cuboid (the error's pointer is inside the geometry).
    #[error(transparent)]
    Cuboid(#[from] nucleus_camera::Error),
}

/// The cuboids of `text`, in line order: every line of type `cuboid` (or without a type) whose
/// `reference_id` is `reference_id` or absent, its `geometry` (or the line itself when it has
/// none) read by [`Cuboid::from_json`]. With `reference_id` `None`, every cuboid is kept. Blank
/// lines are skipped.
///
/// # Errors
///
/// The first line that is not JSON or whose geometry is not a cuboid.
pub fn read_cuboids(text: &str, reference_id: Option<&str>) -> Result<Vec<Cuboid>, CuboidsError> {
    let mut cuboids = Vec::new();
    for (line, text) in (1u64..).zip(text.lines()) {
        if text.trim().is_empty() {
            continue;
        }
        let at = |error: CuboidLineError| CuboidsError { line, error };
        let value = json::parse(text).map_err(|error| at(error.into()))?;
        if let Some(kind) = value.get("type").and_then(Value::as_str)
            && kind != "cuboid"
        {
            continue;
        }
        if let (Some(wanted), Some(Value::String(on))) = (reference_id, value.get("reference_id"))
            && on != wanted
        {
            continue;
        }
        let geometry = value.get("geometry").unwrap_or(&value);
        cuboids.push(Cuboid::from_json(geometry).map_err(|error| at(error.into()))?);
    }
    Ok(cuboids)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOX: &str = r#"{"position": {"x": 10, "y": 0, "z": 1}, "dimensions": {"x": 4, "y": 2, "z": 1.5}, "yaw": 0.25}"#;

    #[test]
    fn reads_annotations_and_bare_geometries_on_the_wanted_cloud() {
        let text = format!(
            "{{\"type\": \"cuboid\", \"reference_id\": \"a\", \"geometry\": {BOX}}}\r\n\
             \n  \n\
             {{\"type\": \"cuboid\", \"reference_id\": \"b\", \"geometry\": {BOX}}}\n\
             {{\"type\": \"polygon\", \"geometry\": {{\"vertices\": []}}}}\n\
             {BOX}\n"
        );
        let on_a = read_cuboids(&text, Some("a")).unwrap();
        assert_eq!(on_a.len(), 2, "the line on a and the bare one");
        assert_eq!(on_a[0].yaw(), 0.25);
        assert_eq!(read_cuboids(&text, None).unwrap().len(), 3);
        assert_eq!(read_cuboids(&text, Some("c")).unwrap().len(), 1);
        assert!(read_cuboids("", None).unwrap().is_empty());
    }

    #[test]
    fn names_the_line_that_is_not_a_cuboid() {
        let text = format!("{BOX}\n\n{{\"geometry\": {{\"position\": 1}}}}\n");
        let error = read_cuboids(&text, None).unwrap_err();
        assert_eq!(error.line, 3);
        assert!(
            matches!(error.error, CuboidLineError::Cuboid(_)),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(message.starts_with("line 3: /position: "), "{message}");

        let error = read_cuboids("{\"yaw\": 1,}", None).unwrap_err();
        assert_eq!(error.line, 1);
        assert!(matches!(error.error, CuboidLineError::Json(_)), "{error:?}");
    }
}
