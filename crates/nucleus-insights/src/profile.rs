//! Insights: what the metadata of a dataset looks like, in bounded memory, shard by shard.
//!
//! [`ProfileState`] observes items one at a time ([`ProfileState::observe`], or
//! [`ProfileState::observe_at`] with the item's line when shards are built in parallel) and
//! merges with another state ([`ProfileState::merge`]). [`ProfileState::finish`] turns it into a
//! [`Profile`], which renders as a terminal table ([`Profile::render_text`]), JSON
//! ([`Profile::to_json`]), the per-key kinds for `nucleus check --schema`
//! ([`Profile::kind_schema`]) and a self-contained HTML report ([`crate::render_html`]). A state
//! travels between processes (a shard profiled on a worker, merged on the driver) as bytes:
//! [`ProfileState::to_bytes`] and [`ProfileState::from_bytes`], exact to the bit.
//!
//! ```
//! use nucleus_insights::ProfileState;
//! use nucleus_model::DatasetItem;
//!
//! let mut state = ProfileState::new();
//! for text in [
//!     r#"{"image_location": "s3://b/1.jpg", "reference_id": "1", "metadata": {"weather": "fog", "speed": 3}}"#,
//!     r#"{"image_location": "s3://b/2.jpg", "reference_id": "2", "metadata": {"weather": "rain", "speed": 4.5}}"#,
//! ] {
//!     state.observe(&DatasetItem::from_json(text)?);
//! }
//! let profile = state.finish();
//! let weather = profile.key("weather").ok_or("no weather")?;
//! assert_eq!(weather.strings.as_ref().map(|s| (s.distinct, s.categorical)), Some((2, true)));
//! let speed = profile.key("speed").and_then(|k| k.numbers.as_ref()).ok_or("no speed")?;
//! assert_eq!((speed.mean, speed.integer_only), (Some(3.75), false));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Merging and order
//!
//! Every item is observed with its line (1-based position in the dataset); the profile keeps,
//! per key and kind, the first line where it was seen (a minimum, so merging is order-free).
//! Keys are listed in the order of their first appearance, and a key's [`KeyProfile::kind`]
//! follows the dataset rule of `check` ([`nucleus_model::settled_kind`]): between strings and
//! numbers the kind held by more items (a tie: the first seen), else the kind held by more
//! items. Observing shards with their global lines and merging them, in any split and any
//! order, gives the same profile as one sequential pass, with two documented exceptions: the
//! mean is a floating-point sum, so it may differ in the last bits, and the approximate top
//! values of free-text keys (more than [`EXACT_DISTINCT_CAP`] distinct values) may differ within
//! their error bound. The file driver ([`profile_into`]) therefore profiles each chunk of its
//! input into a state of its own and merges them in line order: its profile is the same, bit
//! for bit, for any number of jobs.
//!
//! # Memory and accuracy
//!
//! Memory grows with the number of metadata keys, never with the number of items:
//!
//! - Strings: exact value counts while a key has at most [`EXACT_DISTINCT_CAP`] (256) distinct
//!   values, so *categorical* (fewer than 250 distinct values, [`CATEGORICAL_LIMIT`]) is always
//!   decided exactly. Beyond that the distinct count is a HyperLogLog estimate (16 KiB, standard
//!   error 0.81 %, never below 257) and the top values come from a Misra–Gries summary (≤ 512
//!   counters) whose counts are lower bounds, at most [`StringProfile::count_error_bound`] ≤
//!   n/257 below the truth.
//! - Numbers: min, max, integer-only and count are exact; the mean is a compensated (Neumaier)
//!   sum divided by the count. The histogram is exact while a key has at most 256 distinct
//!   values; beyond that it is built from a log-bucketed sketch whose buckets span 2 % of their
//!   values (±1 % around the bucket's middle). A bucket's count is spread evenly over its
//!   interval, so a value within 2 % of a bin edge may be counted, in part, in the neighbouring
//!   bin ([`Histogram::exact`] says which); counts still sum to the number of values.
//! - Map: the count of items with valid `lat` and `lon` ([`nucleus_model::geo::coordinates`]) and their
//!   bounding box are exact; the points drawn are a uniform bottom-k sample of at most 2048
//!   distinct points (chosen by hash, so order-free), each with its exact item count.
//!
//! # JSON shape
//!
//! [`Profile::to_json`] writes (numbers are JSON numbers; `min`/`max` exactly as in the data):
//!
//! ```json
//! {
//!   "n_items": 300, "n_images": 270, "n_pointclouds": 30,
//!   "keys": [
//!     {
//!       "key": "weather", "kind": "string", "n_items": 300, "n_null": 0, "first_line": 1,
//!       "kinds": [{"kind": "string", "count": 300, "first_line": 1}],
//!       "strings": {
//!         "n_values": 300, "distinct": 4, "distinct_exact": true, "categorical": true,
//!         "top": [{"value": "clear", "count": 120}, {"value": "fog", "count": 80}],
//!         "top_exact": true, "count_error_bound": 0
//!       },
//!       "numbers": null
//!     },
//!     {
//!       "key": "speed_mps", "kind": "number", "...": "...", "strings": null,
//!       "numbers": {
//!         "n_values": 270, "min": 0, "max": 31.5, "mean": 14.2, "integer_only": false,
//!         "histogram": {
//!           "exact": true, "method": "freedman-diaconis", "relative_error": 0.0,
//!           "bins": [{"start": 0.0, "end": 3.15, "count": 12}]
//!         }
//!       }
//!     }
//!   ],
//!   "map": {
//!     "n_mappable": 270,
//!     "bounds": {"lat_min": 35.6, "lat_max": 35.7, "lon_min": 139.6, "lon_max": 139.8},
//!     "points": [{"lat": 35.66, "lon": 139.67, "count": 6}],
//!     "points_complete": true
//!   }
//! }
//! ```
//!
//! `top` lists every value of a categorical key and the 20 most frequent otherwise. Histogram
//! bins are `[start, end)`, covering the minimum to the maximum; `method` is `integers` (one
//! bin `[v, v+1)` per integer, for integer keys spanning fewer than 50 values),
//! `freedman-diaconis` (width 2·IQR·n^(−1/3)) or `sturges` (⌈log₂ n⌉ + 1 bins), whichever
//! gives more bins (numpy's `auto` rule), or `single` (all values equal: one bin `[min, max]`). For the last two the width is
//! rounded up to 1, 2, 2.5 or 5 times a power of ten (an integer for integer keys) and the edges
//! are multiples of it, so there are at most about 50 bins with readable edges. `mean` is `null` when the sum overflows f64. `bounds` is `null`
//! without mappable items; `points_complete` says whether every distinct point is drawn.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt::Write as _;
use std::io::{self, Read};
use std::ops::ControlFlow;

use foldhash::{HashMap, HashMapExt};
use nucleus_lines::{ChunkEvent, StreamConfig, StreamStats, fold_chunks};
use nucleus_model::distinct::{Distinct, Hll};
use nucleus_model::geo::{Coordinate, coordinates};
use nucleus_model::read::{ScannedValue, scan_line, settles_reserved};
use nucleus_model::scan::{Key, unescape};
use nucleus_model::{
    DatasetItem, DatasetItemType, Diagnostic, ItemReading, Kind, KindSchema, Metadata, settled_kind,
};
use serde::{Deserialize, Serialize};
use serde_json::{Number, Value};

use crate::Error;

mod saved;
mod sketch;

use saved::{bounds_bits, f64_bits, pairs};
use sketch::{BottomK, HeavyHitters, LogHistogram};

pub use nucleus_model::distinct::{CATEGORICAL_LIMIT, EXACT_DISTINCT_CAP};
/// Top values listed for a key that is not categorical.
pub const TOP_FREE_TEXT: usize = 20;
/// Most histogram bins.
pub const MAX_BINS: usize = 50;

/// The summary of a dataset's metadata; see the module docs for its JSON shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Profile {
    /// Items observed.
    pub n_items: u64,
    /// Image items.
    pub n_images: u64,
    /// Point-cloud items.
    pub n_pointclouds: u64,
    /// One entry per metadata key, in order of first appearance.
    pub keys: Vec<KeyProfile>,
    /// The lat/lon map.
    pub map: MapProfile,
}

/// What one metadata key holds across the dataset.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct KeyProfile {
    /// The key.
    pub key: String,
    /// The key's kind by the dataset rule of `check` ([`nucleus_model::settled_kind`]).
    pub kind: Kind,
    /// Items where the key has a value (not `null`).
    pub n_items: u64,
    /// Items where the key is `null`.
    pub n_null: u64,
    /// The first line where the key appears (with any value, `null` included).
    pub first_line: u64,
    /// Every kind seen, in [`Kind::ALL`] order.
    pub kinds: Vec<KindCount>,
    /// Statistics of the string values, when there are any.
    pub strings: Option<StringProfile>,
    /// Statistics of the number values, when there are any.
    pub numbers: Option<NumberProfile>,
}

/// How often a key holds one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct KindCount {
    /// The kind.
    pub kind: Kind,
    /// Items holding it.
    pub count: u64,
    /// The first line holding it.
    pub first_line: u64,
}

/// String statistics of a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct StringProfile {
    /// String values seen.
    pub n_values: u64,
    /// Distinct values: exact when `distinct_exact`, else a HyperLogLog estimate.
    pub distinct: u64,
    /// Whether `distinct` and `top` are exact.
    pub distinct_exact: bool,
    /// Fewer than [`CATEGORICAL_LIMIT`] distinct values (always decided exactly).
    pub categorical: bool,
    /// Every value of a categorical key, else the [`TOP_FREE_TEXT`] most frequent; largest
    /// count first, ties by value.
    pub top: Vec<ValueCount>,
    /// Whether the counts in `top` are exact.
    pub top_exact: bool,
    /// The largest amount by which a count in `top` may be below the truth (0 when exact).
    pub count_error_bound: u64,
}

/// A value and how many items hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ValueCount {
    /// The value.
    pub value: String,
    /// Items holding it (a lower bound when the top is not exact).
    pub count: u64,
}

/// Number statistics of a key.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct NumberProfile {
    /// Number values seen.
    pub n_values: u64,
    /// The smallest value, exactly as written.
    pub min: Number,
    /// The largest value, exactly as written.
    pub max: Number,
    /// The mean; `None` when the sum overflows f64.
    pub mean: Option<f64>,
    /// Whether every value is written as an integer (`1.0` is not).
    pub integer_only: bool,
    /// The distribution.
    pub histogram: Histogram,
}

/// A histogram of a numeric key.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Histogram {
    /// Whether every value was counted in its exact bin.
    pub exact: bool,
    /// How the bins were chosen: `integers`, `freedman-diaconis`, `sturges` or `single`.
    pub method: &'static str,
    /// Relative accuracy of the sketch the bins come from (0 when exact, 0.01 otherwise: each
    /// bucket spans ±1 % around its middle).
    pub relative_error: f64,
    /// Bins `[start, end)` in increasing order, covering the minimum to the maximum (the one
    /// bin of `single` is `[min, max]`).
    pub bins: Vec<Bin>,
}

/// One histogram bin.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Bin {
    /// Inclusive lower edge.
    pub start: f64,
    /// Exclusive upper edge (inclusive for the last bin).
    pub end: f64,
    /// Values in the bin.
    pub count: u64,
}

/// The items that can be drawn on a map.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct MapProfile {
    /// Items with a valid `lat` and `lon`.
    pub n_mappable: u64,
    /// Their bounding box; `None` without mappable items.
    pub bounds: Option<Bounds>,
    /// A uniform sample of the distinct points (all of them when `points_complete`).
    pub points: Vec<MapPoint>,
    /// Whether `points` holds every distinct point.
    pub points_complete: bool,
}

/// A latitude/longitude bounding box, in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Bounds {
    /// Southernmost latitude.
    pub lat_min: f64,
    /// Northernmost latitude.
    pub lat_max: f64,
    /// Westernmost longitude.
    pub lon_min: f64,
    /// Easternmost longitude.
    pub lon_max: f64,
}

/// A point on the map and the number of items there.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct MapPoint {
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Items at exactly this point.
    pub count: u64,
}

/// The mergeable state behind a [`Profile`]; see the module docs. [`ProfileState::to_bytes`]
/// and [`ProfileState::from_bytes`] send it between processes.
#[derive(Debug, Clone, Default)]
pub struct ProfileState {
    n_items: u64,
    n_images: u64,
    n_pointclouds: u64,
    keys: HashMap<Box<str>, KeyState>,
    map: MapState,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeyState {
    /// (line, index in the item's metadata) of the first appearance.
    first: (u64, usize),
    n_null: u64,
    /// Per kind in [`Kind::ALL`] order: (count, first line).
    kinds: [(u64, u64); 5],
    strings: Option<StringState>,
    numbers: Option<NumberState>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum StringState {
    Exact(#[serde(with = "pairs")] HashMap<Box<str>, u64>),
    Sketch { hll: Box<Hll>, heavy: HeavyHitters },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct NumberState {
    n_values: u64,
    min: Number,
    max: Number,
    sum: Neumaier,
    integer_only: bool,
    values: NumberValues,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum NumberValues {
    /// Value (as f64 bits, `-0.0` normalised) → count.
    Exact(#[serde(with = "pairs")] HashMap<u64, u64>),
    Sketch(LogHistogram),
}

/// A compensated sum (Neumaier's improvement of Kahan summation).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
struct Neumaier {
    #[serde(with = "f64_bits")]
    sum: f64,
    #[serde(with = "f64_bits")]
    compensation: f64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct MapState {
    n_mappable: u64,
    #[serde(with = "bounds_bits")]
    bounds: Option<Bounds>,
    sample: BottomK,
}

/// A scanned metadata value as the profile reads it: strings decoded, numbers as `serde_json`
/// parses them (so min, max and sums are those of the `Value`).
enum Scanned<'a> {
    Null,
    String(Cow<'a, str>),
    Number(Number),
    /// A boolean, list or object: only its kind counts.
    Other(Kind),
}

impl<'a> Scanned<'a> {
    /// `None` for a number `serde_json` would not read as the scanner did (never expected).
    fn of(value: ScannedValue<'a>) -> Option<Scanned<'a>> {
        Some(match value {
            ScannedValue::Null => Scanned::Null,
            ScannedValue::String(raw) => Scanned::String(unescape(raw)),
            ScannedValue::Number(literal) => Scanned::Number(number_of(literal.text)?),
            other => Scanned::Other(other.kind()?),
        })
    }
}

/// The number `serde_json` reads from `text`, a JSON number literal: plain integers directly,
/// anything else (fractions, exponents, `-0`, beyond 64 bits) by `serde_json` itself.
fn number_of(text: &str) -> Option<Number> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let plain_integer = digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.is_empty()
        && !(digits.starts_with('0') && text.starts_with('-'));
    if plain_integer {
        if let Ok(int) = text.parse::<i64>() {
            return Some(Number::from(int));
        }
        if let Ok(uint) = text.parse::<u64>() {
            return Some(Number::from(uint));
        }
    }
    text.parse::<Number>().ok()
}

impl ProfileState {
    /// An empty profile.
    #[must_use]
    pub fn new() -> ProfileState {
        ProfileState::default()
    }

    /// Items observed so far.
    #[must_use]
    pub fn n_items(&self) -> u64 {
        self.n_items
    }

    /// Observes the next item of a sequential pass: its line is the number of items observed
    /// so far plus one. Use [`ProfileState::observe_at`] for shards.
    pub fn observe(&mut self, item: &DatasetItem) {
        self.observe_at(self.n_items + 1, item);
    }

    /// Observes an item at `line` (1-based position in the dataset; it orders keys and decides
    /// each key's kind, see the module docs).
    pub fn observe_at(&mut self, line: u64, item: &DatasetItem) {
        self.n_items += 1;
        match item.item_type() {
            DatasetItemType::Image => self.n_images += 1,
            DatasetItemType::Pointcloud => self.n_pointclouds += 1,
        }
        for (position, (key, value)) in item.metadata().iter().enumerate() {
            let state = match self.keys.get_mut(key.as_str()) {
                Some(state) => state,
                None => self
                    .keys
                    .entry(key.as_str().into())
                    .or_insert_with(|| KeyState::new((line, position))),
            };
            state.observe(line, position, value);
        }
        if let Some((lat, lon)) = coordinates(item.metadata()) {
            self.map.observe(lat, lon);
        }
    }

    /// Observes the item of `text`, a JSON Lines line, at `line` when the scanner
    /// ([`nucleus_model::read::scan_line`]) is sure of it, without building a `Value`: the
    /// same as [`ProfileState::observe_at`] on the item [`nucleus_model::read_line`] reads.
    /// Returns `false`, observing nothing, for a line it leaves to the full reader: not an item
    /// without error, a shape the scanner leaves to it, or a reserved metadata key whose item
    /// rules the scanned value does not settle
    /// ([`nucleus_model::read::settles_reserved`]); so every line it observes is one the
    /// default item rules of `nucleus check` accept too.
    pub fn observe_line_at(&mut self, line: u64, text: &str) -> bool {
        let mut entries: Vec<(Key<'_>, Scanned<'_>)> = Vec::with_capacity(32);
        let mut settled = true;
        let scanned = scan_line(text, |key, value| {
            if !settled {
                return;
            }
            settled = settles_reserved(key, &value);
            match Scanned::of(value) {
                Some(value) => entries.push((key, value)),
                None => settled = false,
            }
        });
        let Ok(item_type) = scanned else {
            return false;
        };
        if !settled {
            return false;
        }
        self.n_items += 1;
        match item_type {
            DatasetItemType::Image => self.n_images += 1,
            DatasetItemType::Pointcloud => self.n_pointclouds += 1,
        }
        let (mut lat, mut lon) = (None, None);
        for (position, (key, value)) in entries.iter().enumerate() {
            let name = key.to_str();
            let state = match self.keys.get_mut(&*name) {
                Some(state) => state,
                None => self
                    .keys
                    .entry(name.as_ref().into())
                    .or_insert_with(|| KeyState::new((line, position))),
            };
            state.observe_scanned(line, position, value);
            if let Scanned::Number(number) = value {
                if name == Metadata::LAT {
                    lat = number.as_f64();
                } else if name == Metadata::LON {
                    lon = number.as_f64();
                }
            }
        }
        if let (Some(lat), Some(lon)) = (lat, lon)
            && Coordinate::Lat.contains(lat)
            && Coordinate::Lon.contains(lon)
        {
            self.map.observe(lat, lon);
        }
        true
    }

    /// Moves every line this state has seen `offset` lines later: for a shard observed with
    /// lines counted from its own start, before merging it after `offset` earlier lines.
    pub fn shift_lines(&mut self, offset: u64) {
        for state in self.keys.values_mut() {
            state.first.0 = state.first.0.saturating_add(offset);
            for (count, first_line) in &mut state.kinds {
                if *count > 0 {
                    *first_line = first_line.saturating_add(offset);
                }
            }
        }
    }

    /// Adds everything `other` observed.
    pub fn merge(&mut self, other: ProfileState) {
        self.n_items += other.n_items;
        self.n_images += other.n_images;
        self.n_pointclouds += other.n_pointclouds;
        for (key, theirs) in other.keys {
            match self.keys.get_mut(&key) {
                Some(mine) => mine.merge(theirs),
                None => {
                    self.keys.insert(key, theirs);
                }
            }
        }
        self.map.merge(other.map);
    }

    /// The state as bytes, to send a shard's profile from a worker process to the one that
    /// merges (pickling in Spark, Dask and Ray). [`ProfileState::from_bytes`] reads them back
    /// into a state that merges and finishes exactly as this one: every float is kept bit for
    /// bit. The format is versioned JSON; equal states give equal bytes. Size: about 40 KB for
    /// a key whose strings went to sketches (mostly the HyperLogLog), about 10 bytes per bucket
    /// used of a number sketch, and a few bytes per distinct value of a key counted exactly.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        saved::to_bytes(self)
    }

    /// Reads a state written by [`ProfileState::to_bytes`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidProfileState`] when the bytes are not such a state: not JSON of its
    /// shape, another format version, or a summary larger than this version builds (so a state
    /// read back keeps the memory bounds in the module docs).
    pub fn from_bytes(bytes: &[u8]) -> Result<ProfileState, Error> {
        saved::from_bytes(bytes)
    }

    /// The profile of everything observed.
    #[must_use]
    pub fn finish(&self) -> Profile {
        let mut keys: Vec<(&str, &KeyState)> =
            self.keys.iter().map(|(k, s)| (k.as_ref(), s)).collect();
        keys.sort_by(|a, b| a.1.first.cmp(&b.1.first).then_with(|| a.0.cmp(b.0)));
        Profile {
            n_items: self.n_items,
            n_images: self.n_images,
            n_pointclouds: self.n_pointclouds,
            keys: keys
                .into_iter()
                .map(|(key, state)| state.finish(key))
                .collect(),
            map: self.map.finish(),
        }
    }
}

impl KeyState {
    fn new(first: (u64, usize)) -> KeyState {
        KeyState {
            first,
            n_null: 0,
            kinds: [(0, u64::MAX); 5],
            strings: None,
            numbers: None,
        }
    }

    fn observe(&mut self, line: u64, position: usize, value: &Value) {
        self.first = self.first.min((line, position));
        let Some(kind) = Kind::of(value) else {
            self.n_null += 1;
            return;
        };
        if let Some((count, first_line)) = self.kinds.get_mut(kind as usize) {
            *count += 1;
            *first_line = (*first_line).min(line);
        }
        match value {
            Value::String(text) => self
                .strings
                .get_or_insert_with(|| StringState::Exact(HashMap::new()))
                .insert(text, 1),
            Value::Number(number) => match &mut self.numbers {
                Some(numbers) => numbers.observe(number),
                None => self.numbers = Some(NumberState::new(number)),
            },
            _ => {}
        }
    }

    /// [`KeyState::observe`] for a scanned value.
    fn observe_scanned(&mut self, line: u64, position: usize, value: &Scanned<'_>) {
        self.first = self.first.min((line, position));
        let kind = match value {
            Scanned::Null => {
                self.n_null += 1;
                return;
            }
            Scanned::Other(kind) => *kind,
            Scanned::String(_) => Kind::String,
            Scanned::Number(_) => Kind::Number,
        };
        if let Some((count, first_line)) = self.kinds.get_mut(kind as usize) {
            *count += 1;
            *first_line = (*first_line).min(line);
        }
        match value {
            Scanned::String(text) => self
                .strings
                .get_or_insert_with(|| StringState::Exact(HashMap::new()))
                .insert(text, 1),
            Scanned::Number(number) => match &mut self.numbers {
                Some(numbers) => numbers.observe(number),
                None => self.numbers = Some(NumberState::new(number)),
            },
            Scanned::Null | Scanned::Other(_) => {}
        }
    }

    fn merge(&mut self, other: KeyState) {
        self.first = self.first.min(other.first);
        self.n_null += other.n_null;
        for (mine, theirs) in self.kinds.iter_mut().zip(other.kinds) {
            mine.0 += theirs.0;
            mine.1 = mine.1.min(theirs.1);
        }
        match (&mut self.strings, other.strings) {
            (Some(mine), Some(theirs)) => mine.merge(theirs),
            (mine @ None, theirs) => *mine = theirs,
            (Some(_), None) => {}
        }
        match (&mut self.numbers, other.numbers) {
            (Some(mine), Some(theirs)) => mine.merge(theirs),
            (mine @ None, theirs) => *mine = theirs,
            (Some(_), None) => {}
        }
    }

    fn kind_counts(&self) -> Vec<KindCount> {
        Kind::ALL
            .into_iter()
            .zip(self.kinds)
            .filter(|(_, (count, _))| *count > 0)
            .map(|(kind, (count, first_line))| KindCount {
                kind,
                count,
                first_line,
            })
            .collect()
    }

    fn finish(&self, key: &str) -> KeyProfile {
        let kinds = self.kind_counts();
        let kind = settled_kind(kinds.iter().map(|c| (c.kind, c.count, c.first_line)))
            // A key only ever null: "no value" conflicts with nothing; call it a string, the
            // kind Nucleus gives a key it has not typed yet.
            .unwrap_or(Kind::String);
        KeyProfile {
            key: key.to_owned(),
            kind,
            n_items: kinds.iter().map(|c| c.count).sum(),
            n_null: self.n_null,
            first_line: self.first.0,
            kinds,
            strings: self
                .strings
                .as_ref()
                .map(|strings| strings.finish(self.kinds[Kind::String as usize].0)),
            numbers: self.numbers.as_ref().map(NumberState::finish),
        }
    }
}

impl StringState {
    fn insert(&mut self, value: &str, count: u64) {
        match self {
            StringState::Exact(counts) => {
                if let Some(counter) = counts.get_mut(value) {
                    *counter += count;
                    return;
                }
                counts.insert(value.into(), count);
                if counts.len() > EXACT_DISTINCT_CAP {
                    self.switch_to_sketch();
                }
            }
            StringState::Sketch { hll, heavy } => {
                hll.insert(value);
                heavy.insert(value, count);
            }
        }
    }

    fn switch_to_sketch(&mut self) {
        if let StringState::Exact(counts) = self {
            let mut hll = Box::<Hll>::default();
            let mut heavy = HeavyHitters::default();
            // Sorted, so that the summary does not depend on hash-map iteration order.
            let mut pairs: Vec<(Box<str>, u64)> = std::mem::take(counts).into_iter().collect();
            pairs.sort_unstable();
            for (value, count) in pairs {
                hll.insert(&value);
                heavy.insert(&value, count);
            }
            *self = StringState::Sketch { hll, heavy };
        }
    }

    fn merge(&mut self, other: StringState) {
        match other {
            StringState::Exact(counts) => {
                let mut pairs: Vec<(Box<str>, u64)> = counts.into_iter().collect();
                pairs.sort_unstable();
                for (value, count) in pairs {
                    self.insert(&value, count);
                }
            }
            StringState::Sketch {
                hll: their_hll,
                heavy: their_heavy,
            } => {
                self.switch_to_sketch();
                if let StringState::Sketch { hll, heavy } = self {
                    hll.merge(&their_hll);
                    heavy.merge(their_heavy);
                }
            }
        }
    }

    fn finish(&self, n_values: u64) -> StringProfile {
        let (distinct, top, error_bound) = match self {
            StringState::Exact(counts) => {
                let distinct = Distinct::exact(counts.len() as u64);
                let n = if distinct.categorical() {
                    counts.len()
                } else {
                    TOP_FREE_TEXT
                };
                let top = sketch::top_of(counts.iter().map(|(v, &c)| (v.as_ref(), c)), n);
                (distinct, top, 0)
            }
            StringState::Sketch { hll, heavy } => (
                Distinct::of_sketch(hll),
                heavy.top(TOP_FREE_TEXT),
                heavy.error_bound(),
            ),
        };
        StringProfile {
            n_values,
            distinct: distinct.count,
            distinct_exact: distinct.exact,
            categorical: distinct.categorical(),
            top: top
                .into_iter()
                .map(|(value, count)| ValueCount { value, count })
                .collect(),
            top_exact: distinct.exact,
            count_error_bound: error_bound,
        }
    }
}

impl NumberState {
    fn new(number: &Number) -> NumberState {
        let mut state = NumberState {
            n_values: 0,
            min: number.clone(),
            max: number.clone(),
            sum: Neumaier::default(),
            integer_only: true,
            values: NumberValues::Exact(HashMap::new()),
        };
        state.observe(number);
        state
    }

    fn observe(&mut self, number: &Number) {
        self.n_values += 1;
        if replaces(number, &self.min, Ordering::Less) {
            self.min = number.clone();
        }
        if replaces(number, &self.max, Ordering::Greater) {
            self.max = number.clone();
        }
        self.integer_only &= !number.is_f64();
        let value = number.as_f64().unwrap_or(0.0);
        self.sum.add(value);
        self.values.insert(value, 1);
    }

    fn merge(&mut self, other: NumberState) {
        self.n_values += other.n_values;
        if replaces(&other.min, &self.min, Ordering::Less) {
            self.min = other.min;
        }
        if replaces(&other.max, &self.max, Ordering::Greater) {
            self.max = other.max;
        }
        self.integer_only &= other.integer_only;
        self.sum.merge(other.sum);
        match other.values {
            NumberValues::Exact(counts) => {
                let mut pairs: Vec<(u64, u64)> = counts.into_iter().collect();
                pairs.sort_unstable();
                for (bits, count) in pairs {
                    self.values.insert(f64::from_bits(bits), count);
                }
            }
            NumberValues::Sketch(theirs) => {
                self.values.switch_to_sketch();
                if let NumberValues::Sketch(mine) = &mut self.values {
                    mine.merge(theirs);
                }
            }
        }
    }

    fn finish(&self) -> NumberProfile {
        let mean = self.sum.total() / self.n_values.max(1) as f64;
        NumberProfile {
            n_values: self.n_values,
            min: self.min.clone(),
            max: self.max.clone(),
            mean: mean.is_finite().then_some(mean),
            integer_only: self.integer_only,
            histogram: self.histogram(),
        }
    }

    fn histogram(&self) -> Histogram {
        let min = self.min.as_f64().unwrap_or(0.0);
        let max = self.max.as_f64().unwrap_or(0.0);
        let (values, exact): (Vec<(f64, u64)>, bool) = match &self.values {
            NumberValues::Exact(counts) => {
                let mut values: Vec<(f64, u64)> = counts
                    .iter()
                    .map(|(&bits, &c)| (f64::from_bits(bits), c))
                    .collect();
                values.sort_by(|a, b| a.0.total_cmp(&b.0));
                (values, true)
            }
            NumberValues::Sketch(sketch) => (
                sketch
                    .buckets()
                    .into_iter()
                    .map(|(value, count)| (value.clamp(min, max), count))
                    .collect(),
                false,
            ),
        };
        let relative_error = if exact { 0.0 } else { sketch::LOG_ALPHA };
        let n = self.n_values;
        if min >= max {
            return Histogram {
                exact,
                method: "single",
                relative_error,
                bins: vec![Bin {
                    start: min,
                    end: max,
                    count: n,
                }],
            };
        }
        let span = max / 2.0 - min / 2.0;
        let (method, n_bins) = if self.integer_only && span < (MAX_BINS as f64) / 2.0 {
            // One bin per integer: [v, v+1) for v in min..=max.
            ("integers", (span * 2.0) as usize + 1)
        } else {
            // numpy's "auto": the larger of Freedman–Diaconis (robust, good for large n) and
            // Sturges (good for small n), so small samples are not drawn with two bars.
            let iqr = quantile(&values, n, 0.75) - quantile(&values, n, 0.25);
            let fd = (span * (n as f64).cbrt() / iqr).ceil();
            let fd = if iqr > 0.0 && fd.is_finite() {
                fd as usize
            } else {
                0
            };
            let sturges = (n as f64).log2().ceil() as usize + 1;
            if fd > sturges {
                ("freedman-diaconis", fd.min(MAX_BINS))
            } else {
                ("sturges", sturges.min(MAX_BINS))
            }
        };
        let n_bins = n_bins.max(1);
        let bins = if method == "integers" {
            equal_bins(min, max + 1.0, n_bins)
        } else {
            nice_bins(min, max, n_bins, self.integer_only)
                .unwrap_or_else(|| equal_bins(min, max, n_bins))
        };
        let mut bins = bins;
        match &self.values {
            NumberValues::Exact(_) => {
                for (value, count) in values {
                    let idx = bin_index(&bins, value);
                    if let Some(bin) = bins.get_mut(idx) {
                        bin.count += count;
                    }
                }
            }
            NumberValues::Sketch(sketch) => spread(&mut bins, &sketch.intervals(), min, max),
        }
        Histogram {
            exact,
            method,
            relative_error,
            bins,
        }
    }
}

/// The last bin whose start is at or below `value` (the first bin for smaller values).
fn bin_index(bins: &[Bin], value: f64) -> usize {
    bins.partition_point(|bin| bin.start <= value)
        .saturating_sub(1)
}

/// Counts sketch buckets into `bins`, each bucket's count spread evenly over its value interval
/// (clamped to `[min, max]`), so that bins narrower than a bucket are not alternately full and
/// empty. Fractions are rounded by largest remainder, so the counts still sum to the total.
fn spread(bins: &mut [Bin], intervals: &[(f64, f64, u64)], min: f64, max: f64) {
    let mut shares = vec![0.0f64; bins.len()];
    for &(lo, hi, count) in intervals {
        let (lo, hi) = (lo.clamp(min, max), hi.clamp(min, max));
        let first = bin_index(bins, lo);
        let last = bin_index(bins, hi);
        let width = hi - lo;
        if first == last || width.is_nan() || width <= 0.0 || !width.is_finite() {
            if let Some(share) = shares.get_mut(first) {
                *share += count as f64;
            }
            continue;
        }
        for idx in first..=last {
            let (Some(bin), Some(share)) = (bins.get(idx), shares.get_mut(idx)) else {
                continue;
            };
            let overlap = hi.min(bin.end) - lo.max(bin.start);
            if overlap > 0.0 {
                *share += count as f64 * overlap / width;
            }
        }
    }
    let total: f64 = intervals.iter().map(|i| i.2 as f64).sum();
    let mut order: Vec<(usize, f64)> = Vec::with_capacity(bins.len());
    let mut assigned = 0u64;
    for ((idx, bin), share) in bins.iter_mut().enumerate().zip(&shares) {
        let whole = share.floor();
        bin.count = whole as u64;
        assigned += bin.count;
        order.push((idx, share - whole));
    }
    order.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let missing = (total.round() as u64).saturating_sub(assigned);
    for &(idx, _) in order
        .iter()
        .cycle()
        .take(usize::try_from(missing).unwrap_or(0))
    {
        if let Some(bin) = bins.get_mut(idx) {
            bin.count += 1;
        }
    }
}

/// `n` equal bins from `start` to `end`.
fn equal_bins(start: f64, end: f64, n: usize) -> Vec<Bin> {
    (0..n)
        .map(|idx| Bin {
            start: lerp(start, end, idx as f64 / n as f64),
            end: lerp(start, end, (idx + 1) as f64 / n as f64),
            count: 0,
        })
        .collect()
}

/// About `n` bins covering `[min, max]` whose width is 1, 2, 2.5 or 5 times a power of ten
/// (an integer for integer keys) and whose edges are multiples of the width; `None` when the
/// range is too wide for f64 arithmetic.
fn nice_bins(min: f64, max: f64, n: usize, integer_only: bool) -> Option<Vec<Bin>> {
    let raw = (max - min) / n as f64;
    if !raw.is_finite() || raw <= 0.0 {
        return None;
    }
    let scale = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|factor| factor * scale)
        .find(|&step| step >= raw * (1.0 - 1e-12))
        .unwrap_or(10.0 * scale);
    let step = if integer_only {
        step.ceil().max(1.0)
    } else {
        step
    };
    let start = (min / step).floor() * step;
    let count = ((max - start) / step).floor() + 1.0;
    if !start.is_finite()
        || !count.is_finite()
        || count > (2 * MAX_BINS) as f64
        || !(start + step * count).is_finite()
    {
        return None;
    }
    let count = count as usize;
    Some(
        (0..count)
            .map(|idx| Bin {
                start: start + step * idx as f64,
                end: start + step * (idx + 1) as f64,
                count: 0,
            })
            .collect(),
    )
}

/// `a + (b − a)·t` without overflowing when `b − a` exceeds f64.
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    if t >= 1.0 { b } else { a * (1.0 - t) + b * t }
}

/// The value at quantile `q` of sorted `(value, count)` pairs totalling `n`.
fn quantile(values: &[(f64, u64)], n: u64, q: f64) -> f64 {
    let rank = (q * n.saturating_sub(1) as f64).round() as u64;
    let mut seen = 0;
    for &(value, count) in values {
        seen += count;
        if seen > rank {
            return value;
        }
    }
    values.last().map_or(0.0, |v| v.0)
}

impl NumberValues {
    fn insert(&mut self, value: f64, count: u64) {
        match self {
            NumberValues::Exact(counts) => {
                *counts.entry((value + 0.0).to_bits()).or_insert(0) += count;
                if counts.len() > EXACT_DISTINCT_CAP {
                    self.switch_to_sketch();
                }
            }
            NumberValues::Sketch(sketch) => sketch.insert(value, count),
        }
    }

    fn switch_to_sketch(&mut self) {
        if let NumberValues::Exact(counts) = self {
            let mut sketch = LogHistogram::default();
            for (&bits, &count) in counts.iter() {
                sketch.insert(f64::from_bits(bits), count);
            }
            *self = NumberValues::Sketch(sketch);
        }
    }
}

impl Neumaier {
    fn add(&mut self, value: f64) {
        let sum = self.sum + value;
        if self.sum.abs() >= value.abs() {
            self.compensation += (self.sum - sum) + value;
        } else {
            self.compensation += (value - sum) + self.sum;
        }
        self.sum = sum;
    }

    fn merge(&mut self, other: Neumaier) {
        self.add(other.sum);
        self.compensation += other.compensation;
    }

    fn total(&self) -> f64 {
        self.sum + self.compensation
    }
}

/// Whether `candidate` should replace the extreme `current` (`wanted` is `Less` for a minimum):
/// when it is beyond it, or equal and written as an integer where `current` is a float, so the
/// result does not depend on the order of equal values such as `19` and `19.0`.
fn replaces(candidate: &Number, current: &Number, wanted: Ordering) -> bool {
    match nucleus_model::number::compare(candidate, current) {
        Ordering::Equal => current.is_f64() && !candidate.is_f64(),
        ordering => ordering == wanted,
    }
}

impl MapState {
    fn observe(&mut self, lat: f64, lon: f64) {
        self.n_mappable += 1;
        self.bounds = Some(match self.bounds {
            None => Bounds {
                lat_min: lat,
                lat_max: lat,
                lon_min: lon,
                lon_max: lon,
            },
            Some(b) => Bounds {
                lat_min: b.lat_min.min(lat),
                lat_max: b.lat_max.max(lat),
                lon_min: b.lon_min.min(lon),
                lon_max: b.lon_max.max(lon),
            },
        });
        self.sample.insert(lat, lon, 1);
    }

    fn merge(&mut self, other: MapState) {
        self.n_mappable += other.n_mappable;
        self.bounds = match (self.bounds, other.bounds) {
            (Some(a), Some(b)) => Some(Bounds {
                lat_min: a.lat_min.min(b.lat_min),
                lat_max: a.lat_max.max(b.lat_max),
                lon_min: a.lon_min.min(b.lon_min),
                lon_max: a.lon_max.max(b.lon_max),
            }),
            (a, b) => a.or(b),
        };
        self.sample.merge(other.sample);
    }

    fn finish(&self) -> MapProfile {
        let points: Vec<MapPoint> = self
            .sample
            .points()
            .into_iter()
            .map(|(lat, lon, count)| MapPoint { lat, lon, count })
            .collect();
        let sampled: u64 = points.iter().map(|p| p.count).sum();
        MapProfile {
            n_mappable: self.n_mappable,
            bounds: self.bounds,
            points_complete: sampled == self.n_mappable,
            points,
        }
    }
}

impl Profile {
    /// The profile of one key.
    #[must_use]
    pub fn key(&self, key: &str) -> Option<&KeyProfile> {
        self.keys.iter().find(|k| k.key == key)
    }

    /// The per-key kinds, for `nucleus profile --emit-schema` and `nucleus check --schema`.
    /// Keys only ever `null` are left out: they have no kind yet.
    #[must_use]
    pub fn kind_schema(&self) -> KindSchema {
        KindSchema {
            comment: None,
            keys: self
                .keys
                .iter()
                .filter(|k| !k.kinds.is_empty())
                .map(|k| (k.key.clone(), k.kind))
                .collect(),
        }
    }

    /// The profile as pretty JSON with a final newline (shape in the module docs).
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// A readable summary for a terminal: totals, one table row per key, then the values of
    /// categorical keys and the histograms of numeric keys as text bars. User strings are
    /// shown with control characters escaped, so a value cannot move the cursor.
    #[must_use]
    pub fn render_text(&self) -> String {
        text::render(self)
    }
}

mod text;

/// The result of [`profile_reader`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ProfileRun {
    /// The profile of the valid items.
    pub profile: Profile,
    /// Non-blank lines read.
    pub n_lines: u64,
    /// Lines skipped because they are not valid items.
    pub n_invalid: u64,
    /// The errors of the first [`ProfileRun::MAX_ERRORS`] invalid lines, with their lines.
    pub errors: Vec<Diagnostic>,
}

impl ProfileRun {
    /// Invalid lines whose errors are kept.
    pub const MAX_ERRORS: usize = 20;
}

/// Profiles JSON Lines from `reader` on `config.jobs` threads. Invalid lines are skipped and
/// counted, and the profile covers the valid ones; see [`profile_into`] for how lines are read
/// and what `read_line` must be.
///
/// # Errors
///
/// The reader's I/O errors.
pub fn profile_reader<R, F>(
    reader: R,
    config: &StreamConfig,
    read_line: F,
) -> io::Result<ProfileRun>
where
    R: Read + Send,
    F: Fn(&str) -> ItemReading + Sync,
{
    let mut state = ProfileState::new();
    let mut n_invalid = 0;
    let mut errors = Vec::new();
    profile_into(&mut state, 0, reader, config, read_line, |event| {
        if let ProfileEvent::Invalid { line, error } = event {
            n_invalid += 1;
            if errors.len() < ProfileRun::MAX_ERRORS
                && let Some(error) = error
            {
                errors.push(error.at_line(line));
            }
        }
        ControlFlow::Continue(())
    })?;
    Ok(ProfileRun {
        n_lines: state.n_items() + n_invalid,
        n_invalid,
        errors,
        profile: state.finish(),
    })
}

/// What [`profile_into`] reports besides the profile, in line order.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ProfileEvent {
    /// A non-blank line that is not a valid item.
    Invalid {
        /// 1-based line number in the input (before `line_offset`).
        line: u64,
        /// The first error about it, without its line.
        error: Option<Diagnostic>,
    },
    /// Bytes of input consumed so far, for a progress bar.
    Progress(u64),
}

/// One chunk's share of a profile: the state of its valid items and its invalid lines.
struct ChunkProfile {
    state: ProfileState,
    invalid: Vec<(u64, Option<Diagnostic>)>,
}

/// Profiles JSON Lines from `reader` into `state`, each line observed at its line plus
/// `line_offset` (the lines of earlier inputs of the same dataset), and tells `on_event` about
/// invalid lines and progress, in line order; it may return `ControlFlow::Break` to stop.
///
/// Lines are read on `config.jobs` threads without a `serde_json::Value` when the scanner is
/// sure of them ([`ProfileState::observe_line_at`]); `read_line` reads the others and decides
/// whether they are valid. Since the scanner accepts only lines the default item rules of
/// `nucleus check` accept, `read_line` must accept at least those: `ItemRules::check_line` of
/// `nucleus-metadata` with its default rules (what `nucleus profile` uses), or
/// [`nucleus_model::read_line`] (what the model alone accepts).
///
/// Each chunk of the input ([`nucleus_lines::fold_chunks`]) is profiled into a state of its
/// own, and the states are merged into `state` in line order, so the profile is the same for
/// any number of jobs, bit for bit (chunks depend on `config.chunk_bytes` only).
///
/// # Errors
///
/// The reader's I/O errors.
pub fn profile_into<R, F, E>(
    state: &mut ProfileState,
    line_offset: u64,
    reader: R,
    config: &StreamConfig,
    read_line: F,
    mut on_event: E,
) -> io::Result<StreamStats>
where
    R: Read + Send,
    F: Fn(&str) -> ItemReading + Sync,
    E: FnMut(ProfileEvent) -> ControlFlow<()>,
{
    fold_chunks(
        reader,
        config,
        || ChunkProfile {
            state: ProfileState::new(),
            invalid: Vec::new(),
        },
        |chunk, line, text| {
            let diagnostics = match text {
                Ok(text) => {
                    if chunk.state.observe_line_at(line, text) {
                        return;
                    }
                    let reading = read_line(text);
                    match reading.item {
                        Some(item) => {
                            chunk.state.observe_at(line, &item);
                            return;
                        }
                        None => reading.diagnostics,
                    }
                }
                Err(diagnostic) => vec![diagnostic],
            };
            let first = diagnostics.into_iter().find(Diagnostic::is_error);
            chunk.invalid.push((line, first));
        },
        |event| match event {
            ChunkEvent::Chunk(mut chunk) => {
                chunk.state.shift_lines(line_offset);
                if state.keys.is_empty() && state.n_items == 0 {
                    *state = chunk.state;
                } else {
                    state.merge(chunk.state);
                }
                for (line, error) in chunk.invalid {
                    on_event(ProfileEvent::Invalid { line, error })?;
                }
                ControlFlow::Continue(())
            }
            ChunkEvent::Progress(bytes) => on_event(ProfileEvent::Progress(bytes)),
        },
    )
}

/// Writes `number` the way JSON does (for text output).
pub(crate) fn format_number(value: f64) -> String {
    let mut out = String::new();
    if value == value.trunc() && value.abs() < 1e15 {
        let _ = write!(out, "{value:.0}");
    } else {
        let magnitude = value.abs();
        if (1e-3..1e15).contains(&magnitude) {
            let digits = 4 - (magnitude.log10().floor() as i32).clamp(-3, 4);
            let digits = usize::try_from(digits.max(0)).unwrap_or(0);
            let _ = write!(out, "{value:.digits$}");
            if out.contains('.') {
                while out.ends_with('0') {
                    out.pop();
                }
                if out.ends_with('.') {
                    out.pop();
                }
            }
        } else {
            let _ = write!(out, "{value:.3e}");
        }
    }
    out
}

#[cfg(test)]
mod tests;
