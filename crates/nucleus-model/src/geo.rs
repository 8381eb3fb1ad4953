//! An item's place on the map: `metadata.lat` and `metadata.lon`, in degrees.
//!
//! The ranges live here once: the item rules, the fast path of `check`, the profile's map,
//! GeoJSON export and import, and the published JSON Schema all read them from [`Coordinate`].
//!
//! ```
//! use nucleus_model::DatasetItem;
//! use nucleus_model::geo::{Coordinate, check_coordinates, coordinates};
//!
//! let item = DatasetItem::from_json(
//!     r#"{"image_location": "s3://b/1.jpg", "reference_id": "1", "metadata": {"lat": 91, "lon": 13.4}}"#,
//! )?;
//! assert_eq!(coordinates(item.metadata()), None);
//! let mut findings = Vec::new();
//! check_coordinates(item.metadata(), &mut findings);
//! assert_eq!(findings[0].message, "expected a number in [-90, 90] (degrees), found 91");
//! assert!(Coordinate::Lon.contains(-180.0));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::diagnostic::pointer;
use crate::{Code, Diagnostic, Metadata};

/// One of the two numbers that place an item on the map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Coordinate {
    /// `metadata.lat`: degrees north, in [-90, 90].
    Lat,
    /// `metadata.lon`: degrees east, in [-180, 180].
    Lon,
}

impl Coordinate {
    /// Both, latitude first.
    pub const ALL: [Coordinate; 2] = [Coordinate::Lat, Coordinate::Lon];

    /// The metadata key: [`Metadata::LAT`] or [`Metadata::LON`].
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            Coordinate::Lat => Metadata::LAT,
            Coordinate::Lon => Metadata::LON,
        }
    }

    /// The coordinate a metadata key holds, if it is `lat` or `lon`.
    #[must_use]
    pub fn of_key(key: &str) -> Option<Coordinate> {
        Coordinate::ALL.into_iter().find(|c| c.key() == key)
    }

    /// `latitude` or `longitude`, for messages.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Coordinate::Lat => "latitude",
            Coordinate::Lon => "longitude",
        }
    }

    /// The largest magnitude in degrees: valid values are in `[-limit, limit]` (90 for
    /// latitude, 180 for longitude).
    #[must_use]
    pub const fn limit(self) -> u16 {
        match self {
            Coordinate::Lat => 90,
            Coordinate::Lon => 180,
        }
    }

    /// Whether `degrees` is a valid value (`NaN` is not).
    #[must_use]
    pub fn contains(self, degrees: f64) -> bool {
        let limit = f64::from(self.limit());
        (-limit..=limit).contains(&degrees)
    }
}

/// The valid `(lat, lon)` of an item, when it has both: the items that appear on the map.
#[must_use]
pub fn coordinates(metadata: &Metadata) -> Option<(f64, f64)> {
    let lat = metadata.get(Metadata::LAT)?.as_f64()?;
    let lon = metadata.get(Metadata::LON)?.as_f64()?;
    (Coordinate::Lat.contains(lat) && Coordinate::Lon.contains(lon)).then_some((lat, lon))
}

/// The findings about `metadata.lat`/`lon`: `invalid-coordinate` (not a number in range, an
/// error) and `unpaired-coordinate` (one without the other, a warning). `null` counts as
/// absent. Paths are `/metadata/lat` and `/metadata/lon`.
pub fn check_coordinates(metadata: &Metadata, diagnostics: &mut Vec<Diagnostic>) {
    let present = |key| metadata.get(key).filter(|value| !value.is_null());
    let lat = present(Metadata::LAT);
    let lon = present(Metadata::LON);
    for (coordinate, value) in Coordinate::ALL.into_iter().zip([lat, lon]) {
        let Some(value) = value else { continue };
        let in_range = value.as_f64().is_some_and(|v| coordinate.contains(v));
        if !in_range {
            let limit = coordinate.limit();
            diagnostics.push(Diagnostic::error(
                Code::InvalidCoordinate,
                pointer("/metadata", &[coordinate.key()]),
                format!("expected a number in [-{limit}, {limit}] (degrees), found {value}"),
            ));
        }
    }
    let unpaired = match (lat, lon) {
        (Some(_), None) => Some((Metadata::LAT, Metadata::LON)),
        (None, Some(_)) => Some((Metadata::LON, Metadata::LAT)),
        _ => None,
    };
    if let Some((has, lacks)) = unpaired {
        diagnostics.push(Diagnostic::warning(
            Code::UnpairedCoordinate,
            pointer("/metadata", &[has]),
            format!("{has} is set but {lacks} is not, so the item is not on the map"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn metadata(value: serde_json::Value) -> Metadata {
        Metadata::from_map(serde_json::from_value(value).unwrap())
    }

    #[test]
    fn ranges_are_inclusive_and_reject_nan() {
        for (coordinate, limit) in [(Coordinate::Lat, 90.0), (Coordinate::Lon, 180.0)] {
            assert!(coordinate.contains(limit) && coordinate.contains(-limit));
            assert!(!coordinate.contains(limit + 1e-9) && !coordinate.contains(-limit - 1e-9));
            assert!(!coordinate.contains(f64::NAN));
            assert_eq!(Coordinate::of_key(coordinate.key()), Some(coordinate));
        }
        assert_eq!(Coordinate::of_key("latitude"), None);
    }

    #[test]
    fn coordinates_need_both_in_range() {
        assert_eq!(
            coordinates(&metadata(json!({"lat": 1, "lon": 2.5}))),
            Some((1.0, 2.5))
        );
        assert_eq!(coordinates(&metadata(json!({"lat": 91, "lon": 2.5}))), None);
        assert_eq!(coordinates(&metadata(json!({"lat": 1, "lon": -181}))), None);
        assert_eq!(coordinates(&metadata(json!({"lat": 1}))), None);
        assert_eq!(coordinates(&metadata(json!({"lat": "1", "lon": 2}))), None);
    }

    #[test]
    fn findings_name_the_key_and_the_range() {
        let mut findings = Vec::new();
        check_coordinates(
            &metadata(json!({"lat": null, "lon": 200, "x": 1})),
            &mut findings,
        );
        let found: Vec<(Code, &str, &str)> = findings
            .iter()
            .map(|d| (d.code, d.path.as_str(), d.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    Code::InvalidCoordinate,
                    "/metadata/lon",
                    "expected a number in [-180, 180] (degrees), found 200"
                ),
                (
                    Code::UnpairedCoordinate,
                    "/metadata/lon",
                    "lon is set but lat is not, so the item is not on the map"
                ),
            ]
        );
    }
}
