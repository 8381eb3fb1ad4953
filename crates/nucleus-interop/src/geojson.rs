//! Items' `lat`/`lon` to a GeoJSON `FeatureCollection` and positions back.
//!
//! GeoJSON (RFC 7946) writes positions `[longitude, latitude]`, the reverse of the `lat`, `lon`
//! order people say aloud; this module is where that swap happens, once. Numbers are copied as
//! they are (an integer latitude stays an integer), never rounded to the six decimals RFC 7946
//! suggests.

use std::collections::HashMap;

use nucleus_model::geo::{Coordinate, check_coordinates};
use nucleus_model::{Code, DatasetItem, Diagnostic, Metadata};
use serde_json::{Map, Number, Value};

/// The GeoJSON `Feature` of an item with valid, paired coordinates, and the coordinate findings
/// of every item (`invalid-coordinate`, `unpaired-coordinate`, pushed to `diagnostics`).
///
/// The feature is a `Point` at `[lon, lat]`, its `id` the item's reference id, and its
/// `properties` the reference id (`reference_id`) followed by the item's searchable metadata:
/// every string and number value, in the item's key order, except `lat` and `lon` (they are the
/// geometry) and a metadata key named `reference_id` (the item's id takes that name).
#[must_use]
pub fn to_feature(item: &DatasetItem, diagnostics: &mut Vec<Diagnostic>) -> Option<Value> {
    let metadata = item.metadata();
    let n_before = diagnostics.len();
    check_coordinates(metadata, diagnostics);
    if diagnostics.len() > n_before {
        return None;
    }
    let lat = metadata.get(Metadata::LAT)?.as_number()?;
    let lon = metadata.get(Metadata::LON)?.as_number()?;
    let reference_id = Value::from(item.reference_id().as_str());
    let mut properties = Map::new();
    properties.insert("reference_id".to_owned(), reference_id.clone());
    for (key, value) in metadata.iter() {
        let searchable = value.is_string() || value.is_number();
        let skipped = [Metadata::LAT, Metadata::LON, "reference_id"].contains(&key.as_str());
        if searchable && !skipped {
            properties.insert(key.clone(), value.clone());
        }
    }
    let mut geometry = Map::new();
    geometry.insert("type".to_owned(), Value::from("Point"));
    geometry.insert(
        "coordinates".to_owned(),
        Value::Array(vec![Value::Number(lon.clone()), Value::Number(lat.clone())]),
    );
    let mut feature = Map::new();
    feature.insert("type".to_owned(), Value::from("Feature"));
    feature.insert("id".to_owned(), reference_id);
    feature.insert("geometry".to_owned(), Value::Object(geometry));
    feature.insert("properties".to_owned(), Value::Object(properties));
    Some(Value::Object(feature))
}

/// A `FeatureCollection` of `features`.
#[must_use]
pub fn feature_collection(features: Vec<Value>) -> Value {
    let mut collection = Map::new();
    collection.insert("type".to_owned(), Value::from("FeatureCollection"));
    collection.insert("features".to_owned(), Value::Array(features));
    Value::Object(collection)
}

/// A position read from GeoJSON, to be written to an item's `metadata.lat`/`lon`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PositionUpdate {
    /// The item it belongs to.
    pub reference_id: String,
    /// Latitude in degrees, in [-90, 90], as written in the GeoJSON.
    pub lat: Number,
    /// Longitude in degrees, in [-180, 180], as written in the GeoJSON.
    pub lon: Number,
}

impl PositionUpdate {
    /// Sets `lat` and `lon` in an item's metadata object: existing keys keep their place, new
    /// ones are appended.
    pub fn apply(&self, metadata: &mut Map<String, Value>) {
        metadata.insert(Metadata::LAT.to_owned(), Value::Number(self.lat.clone()));
        metadata.insert(Metadata::LON.to_owned(), Value::Number(self.lon.clone()));
    }
}

/// The positions of a GeoJSON `FeatureCollection` by reference id (the feature's `id`, else
/// `properties.reference_id`), and the findings about it.
///
/// Each feature with a `Point` geometry gives one update. Features with a `null` geometry are
/// skipped. Findings, with pointers into the GeoJSON: a malformed collection, feature or
/// geometry, a non-`Point` geometry (`invalid-geometry`, an error; an altitude, which has no
/// place in metadata, a warning); a coordinate out of range (`invalid-coordinate`); no, an
/// empty or a non-string reference id; a reference id given twice (`duplicate-reference-id`,
/// the first one is kept). Features with an error give no update.
#[must_use]
pub fn read_positions(geojson: &Value) -> (Vec<PositionUpdate>, Vec<Diagnostic>) {
    let mut updates = Vec::new();
    let mut diagnostics = Vec::new();
    if geojson.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        diagnostics.push(geometry_error(
            "/type",
            "expected a GeoJSON FeatureCollection",
        ));
        return (updates, diagnostics);
    }
    let Some(features) = geojson.get("features").and_then(Value::as_array) else {
        diagnostics.push(geometry_error("/features", "expected a list of features"));
        return (updates, diagnostics);
    };
    let mut first_index: HashMap<String, usize> = HashMap::new();
    for (index, feature) in features.iter().enumerate() {
        let path = format!("/features/{index}");
        let n_before = diagnostics.len();
        let Some(update) = read_feature(feature, &path, &mut diagnostics) else {
            continue;
        };
        let has_error = diagnostics.get(n_before..).is_some_and(|new| {
            new.iter()
                .any(|d| d.severity == nucleus_model::Severity::Error)
        });
        if has_error {
            continue;
        }
        if let Some(first) = first_index.get(&update.reference_id) {
            diagnostics.push(Diagnostic::error(
                Code::DuplicateReferenceId,
                format!("{path}/id"),
                format!(
                    "reference id {:?} already has a position at /features/{first}; the first is kept",
                    update.reference_id
                ),
            ));
            continue;
        }
        first_index.insert(update.reference_id.clone(), index);
        updates.push(update);
    }
    (updates, diagnostics)
}

fn read_feature(
    feature: &Value,
    path: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<PositionUpdate> {
    if feature.get("type").and_then(Value::as_str) != Some("Feature") {
        diagnostics.push(geometry_error(path, "expected a GeoJSON Feature"));
        return None;
    }
    let geometry = feature.get("geometry")?;
    if geometry.is_null() {
        return None;
    }
    if geometry.get("type").and_then(Value::as_str) != Some("Point") {
        diagnostics.push(geometry_error(
            &format!("{path}/geometry/type"),
            format!(
                "expected a Point geometry, found {}",
                geometry.get("type").unwrap_or(&Value::Null)
            ),
        ));
        return None;
    }
    let coordinates_path = format!("{path}/geometry/coordinates");
    let coordinates = match geometry.get("coordinates").and_then(Value::as_array) {
        Some(list) if list.len() >= 2 && list.iter().all(Value::is_number) => list,
        _ => {
            diagnostics.push(geometry_error(
                &coordinates_path,
                "expected [longitude, latitude] numbers",
            ));
            return None;
        }
    };
    if coordinates.len() > 2 {
        diagnostics.push(Diagnostic::warning(
            Code::InvalidGeometry,
            format!("{coordinates_path}/2"),
            "the altitude is ignored: items have only metadata.lat and metadata.lon",
        ));
    }
    let mut position = [None, None];
    for (slot, index, coordinate) in [(0, 1, Coordinate::Lat), (1, 0, Coordinate::Lon)] {
        let number = coordinates.get(index).and_then(Value::as_number);
        let in_range = number
            .and_then(Number::as_f64)
            .is_some_and(|value| coordinate.contains(value));
        if let (Some(number), true) = (number, in_range) {
            if let Some(entry) = position.get_mut(slot) {
                *entry = Some(number.clone());
            }
        } else {
            diagnostics.push(Diagnostic::error(
                Code::InvalidCoordinate,
                format!("{coordinates_path}/{index}"),
                format!(
                    "expected a {} in [-{limit}, {limit}] (degrees; GeoJSON is [longitude, latitude]), found {}",
                    coordinate.name(),
                    coordinates.get(index).unwrap_or(&Value::Null),
                    limit = coordinate.limit(),
                ),
            ));
        }
    }
    let reference_id = reference_id(feature, path, diagnostics)?;
    let [Some(lat), Some(lon)] = position else {
        return None;
    };
    Some(PositionUpdate {
        reference_id,
        lat,
        lon,
    })
}

fn reference_id(feature: &Value, path: &str, diagnostics: &mut Vec<Diagnostic>) -> Option<String> {
    let (value, value_path) = match feature.get("id") {
        Some(id) => (id, format!("{path}/id")),
        None => match feature
            .get("properties")
            .and_then(|p| p.get("reference_id"))
        {
            Some(id) => (id, format!("{path}/properties/reference_id")),
            None => {
                diagnostics.push(Diagnostic::error(
                    Code::MissingReferenceId,
                    format!("{path}/id"),
                    "the feature has neither an id nor properties.reference_id",
                ));
                return None;
            }
        },
    };
    match value {
        Value::String(id) if !id.is_empty() => Some(id.clone()),
        Value::String(_) => {
            diagnostics.push(Diagnostic::error(
                Code::EmptyReferenceId,
                value_path,
                "the reference id is empty",
            ));
            None
        }
        other => {
            diagnostics.push(Diagnostic::error(
                Code::InvalidReferenceId,
                value_path,
                format!("expected the reference id as a string, found {other}"),
            ));
            None
        }
    }
}

fn geometry_error(path: &str, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::InvalidGeometry, path, message)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn item(text: &str) -> DatasetItem {
        DatasetItem::from_json(text).unwrap()
    }

    #[test]
    fn feature_puts_longitude_first_and_keeps_searchable_metadata() {
        let item = item(
            r#"{"image_location": "s3://b/1.jpg", "reference_id": "1", "metadata": {"weather": "rain", "lat": 37, "lon": -122.41, "tags": ["a"], "speed": 3.5}}"#,
        );
        let mut diagnostics = Vec::new();
        let feature = to_feature(&item, &mut diagnostics).unwrap();
        assert!(diagnostics.is_empty());
        assert_eq!(
            feature,
            json!({
                "type": "Feature",
                "id": "1",
                "geometry": {"type": "Point", "coordinates": [-122.41, 37]},
                "properties": {"reference_id": "1", "weather": "rain", "speed": 3.5},
            })
        );
        assert!(
            feature["geometry"]["coordinates"][1].is_i64(),
            "integer kept"
        );
    }

    #[test]
    fn items_with_bad_or_half_coordinates_are_reported_not_exported() {
        for (text, code) in [
            (r#"{"lat": 91, "lon": 0}"#, Code::InvalidCoordinate),
            (r#"{"lat": 1}"#, Code::UnpairedCoordinate),
            (r#"{"lat": "1", "lon": 2}"#, Code::InvalidCoordinate),
        ] {
            let item = item(&format!(
                r#"{{"image_location": "a.jpg", "reference_id": "1", "metadata": {text}}}"#
            ));
            let mut diagnostics = Vec::new();
            assert_eq!(to_feature(&item, &mut diagnostics), None, "{text}");
            assert_eq!(diagnostics.first().map(|d| d.code), Some(code), "{text}");
        }
        let without = item(r#"{"image_location": "a.jpg", "reference_id": "1"}"#);
        let mut diagnostics = Vec::new();
        assert_eq!(to_feature(&without, &mut diagnostics), None);
        assert!(diagnostics.is_empty());
    }

    #[test]
    fn positions_are_read_by_id_with_findings_for_the_rest() {
        let geojson = json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "id": "a", "geometry": {"type": "Point", "coordinates": [2.35, 48.85]}, "properties": {}},
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [2, 1, 30]}, "properties": {"reference_id": "b"}},
            {"type": "Feature", "id": "c", "geometry": {"type": "Point", "coordinates": [48.85, 200]}},
            {"type": "Feature", "id": "d", "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}},
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [0, 0]}},
            {"type": "Feature", "id": "a", "geometry": {"type": "Point", "coordinates": [0, 0]}},
            {"type": "Feature", "id": "e", "geometry": null},
            {"type": "Feature", "id": 7, "geometry": {"type": "Point", "coordinates": [0, 0]}},
        ]});
        let (updates, diagnostics) = read_positions(&geojson);
        let found: Vec<(&str, String, String)> = updates
            .iter()
            .map(|u| {
                (
                    u.reference_id.as_str(),
                    u.lat.to_string(),
                    u.lon.to_string(),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                ("a", "48.85".to_owned(), "2.35".to_owned()),
                ("b", "1".to_owned(), "2".to_owned())
            ]
        );
        let codes: Vec<(Code, &str)> = diagnostics
            .iter()
            .map(|d| (d.code, d.path.as_str()))
            .collect();
        assert_eq!(
            codes,
            [
                (Code::InvalidGeometry, "/features/1/geometry/coordinates/2"),
                (
                    Code::InvalidCoordinate,
                    "/features/2/geometry/coordinates/1"
                ),
                (Code::InvalidGeometry, "/features/3/geometry/type"),
                (Code::MissingReferenceId, "/features/4/id"),
                (Code::DuplicateReferenceId, "/features/5/id"),
                (Code::InvalidReferenceId, "/features/7/id"),
            ]
        );
    }

    #[test]
    fn apply_keeps_key_order() {
        let mut metadata = json!({"lat": 1, "weather": "rain"})
            .as_object()
            .unwrap()
            .clone();
        let update = PositionUpdate {
            reference_id: "a".to_owned(),
            lat: Number::from(5),
            lon: Number::from_f64(6.5).unwrap(),
        };
        update.apply(&mut metadata);
        assert_eq!(
            Value::Object(metadata).to_string(),
            r#"{"lat":5,"weather":"rain","lon":6.5}"#
        );
    }
}
