//! GeoJSON export and import: a round trip restores every item's position.

use nucleus_interop::geojson::{feature_collection, read_positions, to_feature};
use nucleus_model::DatasetItem;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn item(reference_id: &str, metadata: Value) -> DatasetItem {
    DatasetItem::from_value(json!({
        "image_location": format!("s3://bucket/{reference_id}.jpg"),
        "reference_id": reference_id,
        "metadata": metadata,
    }))
    .unwrap()
}

proptest! {
    #[test]
    fn export_then_import_restores_positions(
        positions in prop::collection::vec((-90.0..=90.0f64, -180.0..=180.0f64, any::<bool>()), 1..20),
    ) {
        let items: Vec<DatasetItem> = positions
            .iter()
            .enumerate()
            .map(|(index, (lat, lon, integer))| {
                // Integers stay integers through the trip.
                let lat = if *integer { json!(lat.trunc() as i64) } else { json!(lat) };
                item(&format!("item-{index}"), json!({"lat": lat, "lon": lon, "weather": "rain"}))
            })
            .collect();
        let mut diagnostics = Vec::new();
        let features: Vec<Value> =
            items.iter().filter_map(|item| to_feature(item, &mut diagnostics)).collect();
        prop_assert!(diagnostics.is_empty());
        let text = serde_json::to_string(&feature_collection(features)).unwrap();
        let (updates, diagnostics) = read_positions(&serde_json::from_str(&text).unwrap());
        prop_assert!(diagnostics.is_empty(), "{:?}", diagnostics);
        prop_assert_eq!(updates.len(), items.len());
        for (item, update) in items.iter().zip(&updates) {
            prop_assert_eq!(update.reference_id.as_str(), item.reference_id().as_str());
            let mut metadata = Map::new();
            update.apply(&mut metadata);
            prop_assert_eq!(Some(&metadata["lat"]), item.metadata().get("lat"));
            prop_assert_eq!(Some(&metadata["lon"]), item.metadata().get("lon"));
        }
    }
}

#[test]
fn collection_has_lon_lat_order() {
    let items = [
        item(
            "paris",
            json!({"lat": 48.8566, "lon": 2.3522, "city": "Paris", "population": 2_100_000}),
        ),
        item("nowhere", json!({"weather": "rain"})),
    ];
    let mut diagnostics = Vec::new();
    let features = items
        .iter()
        .filter_map(|item| to_feature(item, &mut diagnostics))
        .collect();
    assert_eq!(
        feature_collection(features),
        json!({"type": "FeatureCollection", "features": [{
            "type": "Feature", "id": "paris",
            "geometry": {"type": "Point", "coordinates": [2.3522, 48.8566]},
            "properties": {"reference_id": "paris", "city": "Paris", "population": 2_100_000},
        }]})
    );
}
