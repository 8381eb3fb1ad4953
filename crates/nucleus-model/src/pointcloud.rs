//! Scale's point-cloud JSON: `{"points": [{"x", "y", "z", "i"?, "d"?, "t"?, "is_ground"?}]}`.
//!
//! The reader streams: each point is decoded straight into a [`Point`] (no `serde_json::Value`,
//! no map per point) and handed to a callback, so a file of any size is read in constant memory
//! when the callback keeps nothing ([`for_each_point`], [`for_each_point_in_slice`]). It is about
//! four times faster than parsing the same file into a `serde_json::Value` (see
//! `benches/pointcloud.rs`). [`PointCloud::from_slice`] collects the points when they fit in
//! memory.
//!
//! What is checked, with the point's JSON pointer:
//! - fatal (the file cannot be read further, a [`PointCloudError`]): not JSON, no top-level
//!   `points` list, a point that is not an object, a missing or non-numeric `x`, `y` or `z`,
//!   a number beyond `f64` (`1e400`), a duplicate key in a point;
//! - findings (reading goes on, a [`PointIssue`]): `i` outside [0, 1], a non-finite number
//!   (impossible in JSON, possible in points built by hand), `d` or `t` that is not an integer
//!   (`t` is a timestamp in nanoseconds; integral floats such as `3.0` are accepted),
//!   `is_ground` that is not a boolean.
//!
//! Keys other than these are ignored, but their names are reported ([`PointsRead::unknown_keys`])
//! because a misspelt `intensity` for `i` would otherwise go unnoticed. Top-level keys other than
//! `points` (Scale's frame files also carry `device_position`, `device_heading`, `images`) are
//! skipped without being decoded.

use std::fmt;
use std::io::Read;
use std::ops::ControlFlow;

use nucleus_camera::Point3D;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::diagnostic::{Code, Diagnostic};

/// One lidar point.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Point {
    /// World x, metres.
    pub x: f64,
    /// World y, metres.
    pub y: f64,
    /// World z (up), metres.
    pub z: f64,
    /// Intensity in [0, 1].
    pub i: Option<f64>,
    /// Device (sensor) id.
    pub d: Option<i64>,
    /// Timestamp, nanoseconds.
    pub t: Option<i64>,
    /// Whether the point is on the ground.
    pub is_ground: Option<bool>,
}

impl Point {
    /// A point at `(x, y, z)` with no optional field.
    #[must_use]
    pub const fn new(x: f64, y: f64, z: f64) -> Point {
        Point {
            x,
            y,
            z,
            i: None,
            d: None,
            t: None,
            is_ground: None,
        }
    }

    /// The position as a [`Point3D`].
    #[must_use]
    pub const fn position(&self) -> Point3D {
        Point3D::new(self.x, self.y, self.z)
    }
}

/// A point cloud held in memory.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PointCloud {
    /// The points, in file order.
    pub points: Vec<Point>,
}

impl PointCloud {
    /// Reads a whole point-cloud file from bytes, keeping every point. Findings (such as an
    /// intensity out of range) do not stop reading; see [`check_pointcloud_slice`] for them.
    ///
    /// # Errors
    /// A [`PointCloudError`] when the text is not a readable point cloud.
    pub fn from_slice(bytes: &[u8]) -> Result<PointCloud, PointCloudError> {
        let mut points = Vec::new();
        for_each_point_in_slice(bytes, |point| {
            points.push(point);
            ControlFlow::Continue(())
        })?;
        Ok(PointCloud { points })
    }

    /// The positions of the points, for projection.
    #[must_use]
    pub fn positions(&self) -> Vec<Point3D> {
        self.points.iter().map(Point::position).collect()
    }
}

/// Why a point-cloud file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{pointer}: {message} (line {line}, column {column})")]
#[non_exhaustive]
pub struct PointCloudError {
    /// JSON pointer of the offending value (`""` for the whole file, `/points/17/x`).
    pub pointer: String,
    /// What was wrong, lowercase.
    pub message: String,
    /// 1-based line of the file where reading stopped (0 when unknown).
    pub line: usize,
    /// 1-based column where reading stopped (0 when unknown).
    pub column: usize,
}

/// A problem with one point that does not stop reading.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PointIssue {
    /// Index of the point in `points`.
    pub index: u64,
    /// The field: `x`, `y`, `z`, `i`, `d`, `t` or `is_ground`.
    pub field: &'static str,
    /// What is wrong, lowercase.
    pub message: String,
}

impl PointIssue {
    /// The JSON pointer of the field, `/points/17/i`.
    #[must_use]
    pub fn pointer(&self) -> String {
        format!("/points/{}/{}", self.index, self.field)
    }
}

/// What a streaming read saw besides the points themselves.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct PointsRead {
    /// Points read (and handed to the callback).
    pub n_points: u64,
    /// Whether the callback stopped the read early.
    pub stopped: bool,
    /// The first [`MAX_ISSUES`] findings, in file order.
    pub issues: Vec<PointIssue>,
    /// The number of findings, including those beyond [`MAX_ISSUES`].
    pub n_issues: u64,
    /// Distinct unknown keys seen in points (at most [`MAX_UNKNOWN_KEYS`]), with the index of
    /// the first point that has each.
    pub unknown_keys: Vec<(String, u64)>,
}

/// How many [`PointIssue`]s a read keeps; the rest are only counted.
pub const MAX_ISSUES: usize = 100;
/// How many distinct unknown point keys a read keeps.
pub const MAX_UNKNOWN_KEYS: usize = 16;

/// Streams the points of a point-cloud file from a reader, calling `on_point` for each in order.
///
/// Memory stays constant whatever the file size (the reader is buffered internally in 64 KiB);
/// return [`ControlFlow::Break`] from the callback to stop early. Reading from a slice with
/// [`for_each_point_in_slice`] is about twice as fast when the bytes are already in memory.
///
/// # Errors
/// A [`PointCloudError`] when the text is not a readable point cloud, or when the reader fails
/// (then the message names the I/O error). Points before the error were already handed over.
pub fn for_each_point<R: Read>(
    reader: R,
    on_point: impl FnMut(Point) -> ControlFlow<()>,
) -> Result<PointsRead, PointCloudError> {
    let reader = std::io::BufReader::with_capacity(1 << 16, reader);
    let mut deserializer = serde_json::Deserializer::from_reader(reader);
    run(&mut deserializer, on_point)
}

/// Streams the points of a point-cloud file held in memory; see [`for_each_point`].
///
/// # Errors
/// A [`PointCloudError`] when the text is not a readable point cloud.
pub fn for_each_point_in_slice(
    bytes: &[u8],
    on_point: impl FnMut(Point) -> ControlFlow<()>,
) -> Result<PointsRead, PointCloudError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    run(&mut deserializer, on_point)
}

/// Statistics of a point cloud, built one point at a time ([`PointCloudStats::observe`]).
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct PointCloudStats {
    /// Number of points.
    pub count: u64,
    /// Smallest and largest x, y, z (`None` for an empty cloud).
    pub bounds: Option<Bounds>,
    /// Points that have an intensity.
    pub n_intensity: u64,
    /// Intensity histogram over [0, 1] in [`INTENSITY_BINS`] equal bins (the last includes 1);
    /// intensities outside [0, 1] are not counted here.
    pub intensity_histogram: [u64; INTENSITY_BINS],
    /// Smallest and largest intensity seen (`None` when no point has one).
    pub intensity_range: Option<(f64, f64)>,
    /// Points flagged `is_ground: true`.
    pub n_ground: u64,
    /// Smallest and largest timestamp (`None` when no point has one).
    pub time_range: Option<(i64, i64)>,
    /// Distinct device ids, in order of first appearance (at most 64 are kept).
    pub devices: Vec<i64>,
}

/// Number of bins of [`PointCloudStats::intensity_histogram`].
pub const INTENSITY_BINS: usize = 10;

/// An axis-aligned box: the smallest and largest coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// Smallest x, y and z.
    pub min: Point3D,
    /// Largest x, y and z.
    pub max: Point3D,
}

impl PointCloudStats {
    /// Adds one point.
    pub fn observe(&mut self, point: &Point) {
        self.count += 1;
        let position = point.position();
        if position.is_finite() {
            self.bounds = Some(match self.bounds {
                None => Bounds {
                    min: position,
                    max: position,
                },
                Some(b) => Bounds {
                    min: Point3D::new(
                        b.min.x.min(position.x),
                        b.min.y.min(position.y),
                        b.min.z.min(position.z),
                    ),
                    max: Point3D::new(
                        b.max.x.max(position.x),
                        b.max.y.max(position.y),
                        b.max.z.max(position.z),
                    ),
                },
            });
        }
        if let Some(i) = point.i.filter(|i| i.is_finite()) {
            self.n_intensity += 1;
            if (0.0..=1.0).contains(&i) {
                // i is in [0, 1], so the bin is in [0, 10]; `as` saturates and cannot panic.
                let bin = ((i * INTENSITY_BINS as f64) as usize).min(INTENSITY_BINS - 1);
                if let Some(slot) = self.intensity_histogram.get_mut(bin) {
                    *slot += 1;
                }
            }
            self.intensity_range = Some(match self.intensity_range {
                None => (i, i),
                Some((lo, hi)) => (lo.min(i), hi.max(i)),
            });
        }
        if point.is_ground == Some(true) {
            self.n_ground += 1;
        }
        if let Some(t) = point.t {
            self.time_range = Some(match self.time_range {
                None => (t, t),
                Some((lo, hi)) => (lo.min(t), hi.max(t)),
            });
        }
        if let Some(d) = point.d
            && self.devices.len() < 64
            && !self.devices.contains(&d)
        {
            self.devices.push(d);
        }
    }
}

/// Statistics and findings of a point-cloud file.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct PointCloudReport {
    /// Statistics of every point read (up to a fatal error).
    pub stats: PointCloudStats,
    /// Findings: `invalid-pointcloud` errors (a fatal problem, or one per [`PointIssue`], the
    /// rest summed up in one more) and `unknown-field` warnings for unknown point keys.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads a whole point-cloud file from a reader in constant memory and returns its statistics
/// and findings (never an `Err`: a fatal problem is an `invalid-pointcloud` finding).
#[must_use]
pub fn check_pointcloud<R: Read>(reader: R) -> PointCloudReport {
    let mut stats = PointCloudStats::default();
    let result = for_each_point(reader, |point| {
        stats.observe(&point);
        ControlFlow::Continue(())
    });
    report(stats, result)
}

/// [`check_pointcloud`] for bytes already in memory.
#[must_use]
pub fn check_pointcloud_slice(bytes: &[u8]) -> PointCloudReport {
    let mut stats = PointCloudStats::default();
    let result = for_each_point_in_slice(bytes, |point| {
        stats.observe(&point);
        ControlFlow::Continue(())
    });
    report(stats, result)
}

fn report(stats: PointCloudStats, result: Result<PointsRead, PointCloudError>) -> PointCloudReport {
    let mut diagnostics = Vec::new();
    match result {
        Ok(read) => {
            for issue in &read.issues {
                diagnostics.push(Diagnostic::error(
                    Code::InvalidPointcloud,
                    issue.pointer(),
                    issue.message.clone(),
                ));
            }
            let kept = u64::try_from(read.issues.len()).unwrap_or(u64::MAX);
            if read.n_issues > kept {
                diagnostics.push(Diagnostic::error(
                    Code::InvalidPointcloud,
                    "/points",
                    format!(
                        "{} more points have problems (only the first {MAX_ISSUES} are listed)",
                        read.n_issues - kept
                    ),
                ));
            }
            for (key, index) in &read.unknown_keys {
                diagnostics.push(Diagnostic::warning(
                    Code::UnknownField,
                    crate::diagnostic::pointer(&format!("/points/{index}"), &[key]),
                    format!(
                        "unknown point field {}; a point has x, y, z and optionally i, d, t, is_ground",
                        crate::read::quoted(key)
                    ),
                ));
            }
        }
        Err(error) => diagnostics.push(Diagnostic::error(
            Code::InvalidPointcloud,
            error.pointer.clone(),
            format!(
                "{} (line {}, column {}); the rest of the file was not read",
                error.message, error.line, error.column
            ),
        )),
    }
    PointCloudReport { stats, diagnostics }
}

// ---------------------------------------------------------------------------------------------
// The serde machinery: a seed per level, so no value is built that the caller does not get.

/// Shared state of one read: where we are (for error pointers) and what was seen.
struct ReadState<F> {
    on_point: F,
    read: PointsRead,
    /// Index of the point being read.
    index: u64,
    /// The field being read (`""` between fields).
    field: &'static str,
    /// Inside the `points` list.
    in_points: bool,
    /// Set when an error was raised on purpose to stop at the caller's request.
    stopped: bool,
}

fn run<'de, D, F>(deserializer: D, on_point: F) -> Result<PointsRead, PointCloudError>
where
    D: de::Deserializer<'de, Error = serde_json::Error>,
    F: FnMut(Point) -> ControlFlow<()>,
{
    let mut state = ReadState {
        on_point,
        read: PointsRead::default(),
        index: 0,
        field: "",
        in_points: false,
        stopped: false,
    };
    let result = CloudSeed { state: &mut state }.deserialize(deserializer);
    match result {
        Ok(()) => Ok(state.read),
        Err(_) if state.stopped => {
            state.read.stopped = true;
            Ok(state.read)
        }
        Err(error) => {
            let pointer = match (state.in_points, state.field) {
                (false, _) => String::new(),
                (true, "") => format!("/points/{}", state.index),
                (true, field) => format!("/points/{}/{field}", state.index),
            };
            let full = error.to_string();
            let message = match full.rsplit_once(" at line ") {
                Some((message, _)) => message.to_owned(),
                None => full,
            };
            Err(PointCloudError {
                pointer,
                message,
                line: error.line(),
                column: error.column(),
            })
        }
    }
}

/// The error a callback's `Break` is turned into, to unwind the parser.
const STOP: &str = "stopped by the caller";

struct CloudSeed<'s, F> {
    state: &'s mut ReadState<F>,
}

impl<'de, F: FnMut(Point) -> ControlFlow<()>> DeserializeSeed<'de> for CloudSeed<'_, F> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, F: FnMut(Point) -> ControlFlow<()>> Visitor<'de> for CloudSeed<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object {\"points\": [...]}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen_points = false;
        while let Some(key) = map.next_key::<TopKey>()? {
            match key {
                TopKey::Points if seen_points => {
                    return Err(de::Error::custom("duplicate key \"points\""));
                }
                TopKey::Points => {
                    seen_points = true;
                    self.state.in_points = true;
                    map.next_value_seed(PointsSeed {
                        state: &mut *self.state,
                    })?;
                    self.state.in_points = false;
                    if self.state.stopped {
                        return Err(de::Error::custom(STOP));
                    }
                }
                TopKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if seen_points {
            Ok(())
        } else {
            Err(de::Error::custom(
                "missing key \"points\": a point cloud is {\"points\": [{\"x\", \"y\", \"z\", ...}]}",
            ))
        }
    }
}

enum TopKey {
    Points,
    Other,
}

impl<'de> de::Deserialize<'de> for TopKey {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = TopKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<TopKey, E> {
                Ok(if key == "points" {
                    TopKey::Points
                } else {
                    TopKey::Other
                })
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

struct PointsSeed<'s, F> {
    state: &'s mut ReadState<F>,
}

impl<'de, F: FnMut(Point) -> ControlFlow<()>> DeserializeSeed<'de> for PointsSeed<'_, F> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(Point) -> ControlFlow<()>> Visitor<'de> for PointsSeed<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of points")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            let point = seq.next_element_seed(PointSeed {
                state: &mut *self.state,
            })?;
            let Some(point) = point else {
                return Ok(());
            };
            self.state.read.n_points += 1;
            self.state.index += 1;
            if (self.state.on_point)(point).is_break() {
                self.state.stopped = true;
                return Err(de::Error::custom(STOP));
            }
        }
    }
}

struct PointSeed<'s, F> {
    state: &'s mut ReadState<F>,
}

impl<'de, F> DeserializeSeed<'de> for PointSeed<'_, F> {
    type Value = Point;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Point, D::Error> {
        deserializer.deserialize_map(self)
    }
}

#[derive(Clone, Copy)]
enum PointKey {
    X,
    Y,
    Z,
    I,
    D,
    T,
    IsGround,
    Other,
}

impl PointKey {
    const fn name(self) -> &'static str {
        match self {
            PointKey::X => "x",
            PointKey::Y => "y",
            PointKey::Z => "z",
            PointKey::I => "i",
            PointKey::D => "d",
            PointKey::T => "t",
            PointKey::IsGround => "is_ground",
            PointKey::Other => "",
        }
    }

    const fn bit(self) -> u8 {
        match self {
            PointKey::X => 1,
            PointKey::Y => 2,
            PointKey::Z => 4,
            PointKey::I => 8,
            PointKey::D => 16,
            PointKey::T => 32,
            PointKey::IsGround => 64,
            PointKey::Other => 0,
        }
    }
}

/// Reads a point key; remembers the name of an unknown one (allocating only for a new name).
struct PointKeySeed<'s> {
    unknown_keys: &'s mut Vec<(String, u64)>,
    index: u64,
}

impl<'de> DeserializeSeed<'de> for PointKeySeed<'_> {
    type Value = PointKey;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<PointKey, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl Visitor<'_> for PointKeySeed<'_> {
    type Value = PointKey;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a point field")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<PointKey, E> {
        Ok(match key {
            "x" => PointKey::X,
            "y" => PointKey::Y,
            "z" => PointKey::Z,
            "i" => PointKey::I,
            "d" => PointKey::D,
            "t" => PointKey::T,
            "is_ground" => PointKey::IsGround,
            _ => {
                if self.unknown_keys.len() < MAX_UNKNOWN_KEYS
                    && !self.unknown_keys.iter().any(|(k, _)| k == key)
                {
                    self.unknown_keys.push((key.to_owned(), self.index));
                }
                PointKey::Other
            }
        })
    }
}

/// A JSON number as it was written: kept apart so that `d` and `t` can be checked for integers.
enum RawNumber {
    Integer(i64),
    Unsigned(u64),
    Float(f64),
    Null,
    Other(&'static str),
}

impl<'de> de::Deserialize<'de> for RawNumber {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NumberVisitor;
        impl<'de> Visitor<'de> for NumberVisitor {
            type Value = RawNumber;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawNumber, E> {
                Ok(RawNumber::Integer(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawNumber, E> {
                Ok(i64::try_from(v).map_or(RawNumber::Unsigned(v), RawNumber::Integer))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawNumber, E> {
                Ok(RawNumber::Float(v))
            }
            fn visit_unit<E: de::Error>(self) -> Result<RawNumber, E> {
                Ok(RawNumber::Null)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<RawNumber, E> {
                Ok(RawNumber::Other("a boolean"))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<RawNumber, E> {
                Ok(RawNumber::Other("a string"))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawNumber, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(RawNumber::Other("an array"))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawNumber, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(RawNumber::Other("an object"))
            }
        }
        deserializer.deserialize_any(NumberVisitor)
    }
}

/// The largest integer an f64 holds exactly (2^53).
const EXACT_F64_INTEGER: f64 = 9_007_199_254_740_992.0;

impl<F> ReadState<F> {
    fn issue(&mut self, field: &'static str, message: String) {
        self.read.n_issues += 1;
        if self.read.issues.len() < MAX_ISSUES {
            self.read.issues.push(PointIssue {
                index: self.index,
                field,
                message,
            });
        }
    }

    /// An integer field (`d`, `t`): integers and integral floats below 2^53 are accepted.
    fn integer(&mut self, field: &'static str, raw: RawNumber, what: &str) -> Option<i64> {
        match raw {
            RawNumber::Integer(v) => Some(v),
            RawNumber::Null => None,
            RawNumber::Float(v) if v.fract() == 0.0 && v.abs() <= EXACT_F64_INTEGER => {
                // Integral and within ±2^53: the conversion is exact.
                Some(v as i64)
            }
            RawNumber::Float(v) => {
                self.issue(
                    field,
                    format!("{field} must be an integer ({what}), found {v}"),
                );
                None
            }
            RawNumber::Unsigned(v) => {
                self.issue(
                    field,
                    format!("{field} must be an integer ({what}) that fits in 64 bits, found {v}"),
                );
                None
            }
            RawNumber::Other(kind) => {
                self.issue(
                    field,
                    format!("{field} must be an integer ({what}), found {kind}"),
                );
                None
            }
        }
    }
}

impl<'de, F> Visitor<'de> for PointSeed<'_, F> {
    type Value = Point;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a point {\"x\", \"y\", \"z\", ...}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Point, A::Error> {
        let state = self.state;
        let mut point = Point::default();
        let mut seen = 0u8;
        loop {
            state.field = "";
            let key = map.next_key_seed(PointKeySeed {
                unknown_keys: &mut state.read.unknown_keys,
                index: state.index,
            })?;
            let Some(key) = key else { break };
            if seen & key.bit() != 0 {
                state.field = key.name();
                return Err(de::Error::custom(format_args!(
                    "duplicate key {:?} in a point",
                    key.name()
                )));
            }
            seen |= key.bit();
            state.field = key.name();
            match key {
                PointKey::X => point.x = map.next_value()?,
                PointKey::Y => point.y = map.next_value()?,
                PointKey::Z => point.z = map.next_value()?,
                PointKey::I => {
                    point.i = match map.next_value::<RawNumber>()? {
                        RawNumber::Integer(v) => Some(v as f64),
                        RawNumber::Unsigned(v) => Some(v as f64),
                        RawNumber::Float(v) => Some(v),
                        RawNumber::Null => None,
                        RawNumber::Other(kind) => {
                            state.issue("i", format!("i must be a number in [0, 1], found {kind}"));
                            None
                        }
                    };
                }
                PointKey::D => {
                    let raw = map.next_value::<RawNumber>()?;
                    point.d = state.integer("d", raw, "a device id");
                }
                PointKey::T => {
                    let raw = map.next_value::<RawNumber>()?;
                    point.t = state.integer("t", raw, "a timestamp in nanoseconds");
                }
                PointKey::IsGround => {
                    point.is_ground = match map.next_value::<serde_json::Value>()? {
                        serde_json::Value::Bool(b) => Some(b),
                        serde_json::Value::Null => None,
                        other => {
                            state.issue(
                                "is_ground",
                                format!("is_ground must be a boolean, found {other}"),
                            );
                            None
                        }
                    };
                }
                PointKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        state.field = "";
        for (bit, name) in [(1u8, "x"), (2, "y"), (4, "z")] {
            if seen & bit == 0 {
                return Err(de::Error::custom(format_args!(
                    "point {} has no {name}; every point needs numbers x, y and z",
                    state.index
                )));
            }
        }
        for (field, value) in [("x", point.x), ("y", point.y), ("z", point.z)] {
            if !value.is_finite() {
                state.issue(
                    field,
                    format!("{field} must be a finite number, found {value}"),
                );
            }
        }
        if let Some(i) = point.i
            && !(0.0..=1.0).contains(&i)
        {
            state.issue("i", format!("intensity i must be in [0, 1], found {i}"));
        }
        Ok(point)
    }
}

/// `JsonSchema` for [`PointCloud`] and [`Point`] (feature `schema`): what [`for_each_point`]
/// reads, published by `nucleus-schema` as `schemas/pointcloud.schema.json`.
///
/// | reader rule | keyword |
/// |---|---|
/// | the file is an object with a `points` list; other top-level keys are skipped | `required: [points]`, `points: {type: array}` |
/// | a point is an object with numbers `x`, `y`, `z` | `required`, `type: number` |
/// | `null` in `i`, `d`, `t` or `is_ground` means absent | `type: [..., "null"]` |
/// | `i` a number in [0, 1] | `minimum`, `maximum` |
/// | `d`, `t` integers that fit in an `i64` (integral floats up to 2^53 included) | `type: integer`, `minimum: -2^63`, `maximum: 2^63 - 1` |
/// | `is_ground` a boolean | `type: boolean` |
/// | unknown point keys are warnings | no constraint |
///
/// Outside JSON's data model, so not in the schema: a duplicate key, `1e400`, and the spelling
/// of a number: `"t": 1e18` is an integer for JSON Schema but a float beyond 2^53 for the reader,
/// which rejects it (the known gap `nucleus-schema`'s tests pin down).
#[cfg(feature = "schema")]
mod schema {
    use std::borrow::Cow;

    use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

    use super::{Point, PointCloud};

    /// An optional integer field (`d`, `t`): what the reader's `i64` holds, or `null`.
    fn integer(description: &str) -> serde_json::Value {
        serde_json::json!({
            "description": description,
            "type": ["integer", "null"],
            "minimum": i64::MIN,
            "maximum": i64::MAX
        })
    }

    impl JsonSchema for PointCloud {
        fn schema_name() -> Cow<'static, str> {
            "PointCloud".into()
        }

        fn schema_id() -> Cow<'static, str> {
            "nucleus_model::pointcloud::PointCloud".into()
        }

        fn json_schema(generator: &mut SchemaGenerator) -> Schema {
            let point = generator.subschema_for::<Point>();
            json_schema!({
                "description": "A point cloud file in Scale's JSON format: `{\"points\": [{\"x\", \"y\", \"z\", …}]}`.",
                "type": "object",
                "required": ["points"],
                "properties": {
                    "points": {
                        "description": "The points, in any order.",
                        "type": "array",
                        "items": point
                    }
                }
            })
        }
    }

    impl JsonSchema for Point {
        // The published name since the first schemas; `$defs` names are part of the files.
        fn schema_name() -> Cow<'static, str> {
            "LidarPoint".into()
        }

        fn schema_id() -> Cow<'static, str> {
            "nucleus_model::pointcloud::Point".into()
        }

        fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "description": "One lidar point: its position in the scene's world frame (metres) and optional extras.",
                "type": "object",
                "required": ["x", "y", "z"],
                "properties": {
                    "x": {"description": "World x (metres).", "type": "number"},
                    "y": {"description": "World y (metres).", "type": "number"},
                    "z": {"description": "World z (metres; z is up).", "type": "number"},
                    "i": {
                        "description": "Intensity in [0, 1]; null means none.",
                        "type": ["number", "null"],
                        "minimum": 0,
                        "maximum": 1
                    },
                    "d": integer("Device id: which lidar took the point, when several did; null means none."),
                    "t": integer("Timestamp in nanoseconds; null means none."),
                    "is_ground": {
                        "description": "Whether the point is on the ground; null means unknown.",
                        "type": ["boolean", "null"]
                    }
                }
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Vec<Point>, Result<PointsRead, PointCloudError>) {
        let mut points = Vec::new();
        let result = for_each_point_in_slice(text.as_bytes(), |p| {
            points.push(p);
            ControlFlow::Continue(())
        });
        (points, result)
    }

    #[test]
    fn reads_every_field() {
        let (points, result) = read(
            r#"{"device_position": {"x": 0}, "points": [{"x": 1, "y": 2.5, "z": -3, "i": 0.5, "d": 2, "t": 1700000000000000000, "is_ground": true}, {"x": 0, "y": 0, "z": 0}]}"#,
        );
        let read = result.unwrap();
        assert_eq!(read.n_points, 2);
        assert!(read.issues.is_empty());
        assert_eq!(
            points[0],
            Point {
                x: 1.0,
                y: 2.5,
                z: -3.0,
                i: Some(0.5),
                d: Some(2),
                t: Some(1_700_000_000_000_000_000),
                is_ground: Some(true),
            }
        );
        assert_eq!(points[1], Point::new(0.0, 0.0, 0.0));
    }

    #[test]
    fn fatal_errors_name_the_point_and_field() {
        let (_, result) =
            read(r#"{"points": [{"x": 1, "y": 2, "z": 3}, {"x": 1, "y": "2", "z": 3}]}"#);
        let error = result.unwrap_err();
        assert_eq!(error.pointer, "/points/1/y");
        assert!(error.message.contains("invalid type: string"), "{error}");
        assert_eq!((error.line, error.column), (1, 55));

        let (_, result) = read(r#"{"points": [{"x": 1, "y": 2}]}"#);
        let error = result.unwrap_err();
        assert_eq!(error.pointer, "/points/0");
        assert!(error.message.contains("has no z"), "{error}");

        let (_, result) = read(r#"{"points": [{"x": 1, "x": 2, "y": 2, "z": 0}]}"#);
        assert_eq!(result.unwrap_err().pointer, "/points/0/x");

        let (_, result) = read(r#"{"pts": []}"#);
        assert!(
            result
                .unwrap_err()
                .message
                .contains("missing key \"points\"")
        );

        let (_, result) = read(r#"{"points": [{"x": 1e400, "y": 2, "z": 0}]}"#);
        assert_eq!(result.unwrap_err().pointer, "/points/0/x");
    }

    #[test]
    fn issues_do_not_stop_reading() {
        let (points, result) = read(
            r#"{"points": [{"x": 1, "y": 2, "z": 3, "i": 1.5}, {"x": 0, "y": 0, "z": 0, "d": 1.5, "t": 3.0, "intensity": 0.2}]}"#,
        );
        let read = result.unwrap();
        assert_eq!(points.len(), 2);
        let pointers: Vec<String> = read.issues.iter().map(PointIssue::pointer).collect();
        assert_eq!(pointers, ["/points/0/i", "/points/1/d"]);
        assert_eq!(points[1].t, Some(3));
        assert_eq!(read.unknown_keys, vec![("intensity".to_owned(), 1)]);
    }

    #[test]
    fn the_callback_can_stop_early() {
        let mut n = 0;
        let read = for_each_point_in_slice(
            br#"{"points": [{"x": 1, "y": 2, "z": 3}, {"x": 1, "y": 2, "z": 3}, {"oops"}]}"#,
            |_| {
                n += 1;
                ControlFlow::Break(())
            },
        )
        .unwrap();
        assert!(read.stopped);
        assert_eq!((n, read.n_points), (1, 1));
    }

    #[test]
    fn stats() {
        let mut stats = PointCloudStats::default();
        for (x, i) in [
            (1.0, Some(0.0)),
            (-2.0, Some(1.0)),
            (5.0, Some(0.55)),
            (0.0, None),
        ] {
            stats.observe(&Point {
                i,
                ..Point::new(x, x * 2.0, 0.5)
            });
        }
        assert_eq!(stats.count, 4);
        let bounds = stats.bounds.unwrap();
        assert_eq!(bounds.min, Point3D::new(-2.0, -4.0, 0.5));
        assert_eq!(bounds.max, Point3D::new(5.0, 10.0, 0.5));
        assert_eq!(stats.n_intensity, 3);
        assert_eq!(stats.intensity_histogram, [1, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
        assert_eq!(stats.intensity_range, Some((0.0, 1.0)));
    }
}
