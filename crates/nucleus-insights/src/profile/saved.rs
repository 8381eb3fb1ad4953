//! The byte format of [`ProfileState::to_bytes`]: versioned JSON, so that a state can travel
//! from a worker process to the one that merges (pickling in Spark, Dask and Ray).
//!
//! Every float is kept exactly: the compensated sum and the map bounds are written as their
//! IEEE 754 bits (the sum may be infinite or NaN after an overflow, which JSON cannot hold),
//! number values as the bits the state already keys them by, and `min`/`max` as the JSON
//! numbers they were read as (the workspace parses floats correctly rounded, so they read back
//! bit for bit). Hash maps are written as `[key, value]` pairs sorted by key, so equal states
//! give equal bytes whatever the hash seeds.

use serde::{Deserialize, Serialize};

use super::{KeyState, MapState, NumberValues, ProfileState, StringState};
use crate::Error;

/// The version of [`ProfileState::to_bytes`]'s format; bump it when the format changes.
pub(super) const FORMAT_VERSION: u32 = 1;

/// Read first, so that a state of another version is reported as such rather than as whatever
/// field it lacks.
#[derive(Deserialize)]
#[serde(expecting = "a JSON object with a format version")]
struct Header {
    version: u32,
}

/// What [`ProfileState::to_bytes`] writes.
#[derive(Serialize)]
struct SavedRef<'a> {
    version: u32,
    n_items: u64,
    n_images: u64,
    n_pointclouds: u64,
    keys: Vec<(&'a str, &'a KeyState)>,
    map: &'a MapState,
}

/// What [`ProfileState::from_bytes`] reads.
#[derive(Deserialize)]
#[serde(expecting = "a profile state")]
struct Saved {
    n_items: u64,
    n_images: u64,
    n_pointclouds: u64,
    keys: Vec<(Box<str>, KeyState)>,
    map: MapState,
}

pub(super) fn to_bytes(state: &ProfileState) -> Vec<u8> {
    let mut keys: Vec<(&str, &KeyState)> =
        state.keys.iter().map(|(k, s)| (k.as_ref(), s)).collect();
    keys.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let saved = SavedRef {
        version: FORMAT_VERSION,
        n_items: state.n_items,
        n_images: state.n_images,
        n_pointclouds: state.n_pointclouds,
        keys,
        map: &state.map,
    };
    // Cannot fail: every map is written as pairs (no non-string JSON keys) and nothing has a
    // fallible `Serialize`. An empty result would be rejected by `from_bytes`, not misread.
    serde_json::to_vec(&saved).unwrap_or_default()
}

pub(super) fn from_bytes(bytes: &[u8]) -> Result<ProfileState, Error> {
    let invalid = |message: String| Error::InvalidProfileState(message);
    let header: Header = serde_json::from_slice(bytes).map_err(|e| invalid(e.to_string()))?;
    if header.version != FORMAT_VERSION {
        return Err(invalid(format!(
            "format version {}, expected {FORMAT_VERSION}",
            header.version
        )));
    }
    let saved: Saved = serde_json::from_slice(bytes).map_err(|e| invalid(e.to_string()))?;
    for (key, state) in &saved.keys {
        check_key(state).map_err(|message| invalid(format!("key {key:?}: {message}")))?;
    }
    saved
        .map
        .sample
        .check()
        .map_err(|message| invalid(format!("map: {message}")))?;
    let n_keys = saved.keys.len();
    let keys: foldhash::HashMap<Box<str>, KeyState> = saved.keys.into_iter().collect();
    if keys.len() != n_keys {
        return Err(invalid("a key is listed twice".to_owned()));
    }
    Ok(ProfileState {
        n_items: saved.n_items,
        n_images: saved.n_images,
        n_pointclouds: saved.n_pointclouds,
        keys,
        map: saved.map,
    })
}

/// The bounds a key's state keeps while it is built, so a state read back stays as small and
/// merges as exactly as one built here.
fn check_key(state: &KeyState) -> Result<(), String> {
    use super::sketch::bounded;
    use super::{EXACT_DISTINCT_CAP, NumberState};
    match &state.strings {
        Some(StringState::Exact(counts)) => {
            bounded("exact string values", counts.len(), EXACT_DISTINCT_CAP)?;
        }
        Some(StringState::Sketch { hll, heavy }) => {
            hll.check()?;
            heavy.check()?;
        }
        None => {}
    }
    match state
        .numbers
        .as_ref()
        .map(|numbers: &NumberState| &numbers.values)
    {
        Some(NumberValues::Exact(counts)) => {
            bounded("exact number values", counts.len(), EXACT_DISTINCT_CAP)?;
        }
        Some(NumberValues::Sketch(sketch)) => sketch.check()?,
        None => {}
    }
    Ok(())
}

/// `#[serde(with = "pairs")]`: a map as a sequence of `[key, value]` pairs sorted by key, for
/// keys JSON objects cannot hold (numbers, tuples) and hash maps whose order would vary.
pub(super) mod pairs {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(crate) fn serialize<'a, M, K, V, S>(map: &'a M, serializer: S) -> Result<S::Ok, S::Error>
    where
        &'a M: IntoIterator<Item = (&'a K, &'a V)>,
        K: Ord + Serialize + 'a,
        V: Serialize + 'a,
        S: Serializer,
    {
        let mut entries: Vec<(&K, &V)> = map.into_iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        serializer.collect_seq(entries)
    }

    pub(crate) fn deserialize<'de, M, K, V, D>(deserializer: D) -> Result<M, D::Error>
    where
        M: FromIterator<(K, V)>,
        K: Deserialize<'de>,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Ok(Vec::<(K, V)>::deserialize(deserializer)?
            .into_iter()
            .collect())
    }
}

/// `#[serde(with = "f64_bits")]`: a float as its IEEE 754 bits, exact and NaN- and
/// infinity-safe.
pub(super) mod f64_bits {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(value.to_bits())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
        u64::deserialize(deserializer).map(f64::from_bits)
    }
}

/// `#[serde(with = "bounds_bits")]`: a map's bounding box as the bits of
/// `[lat_min, lat_max, lon_min, lon_max]`.
pub(super) mod bounds_bits {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::super::Bounds;

    pub(crate) fn serialize<S: Serializer>(
        bounds: &Option<Bounds>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        bounds
            .map(|b| [b.lat_min, b.lat_max, b.lon_min, b.lon_max].map(f64::to_bits))
            .serialize(serializer)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Bounds>, D::Error> {
        Ok(Option::<[u64; 4]>::deserialize(deserializer)?.map(|bits| {
            let [lat_min, lat_max, lon_min, lon_max] = bits.map(f64::from_bits);
            Bounds {
                lat_min,
                lat_max,
                lon_min,
                lon_max,
            }
        }))
    }
}
