//! Benchmark input that looks like users' data: the camera frames of a test fleet, written as
//! Python's `json.dumps` writes them, with about 1% mistakes (`Mode::Realistic`) or a mistake on
//! every line (`Mode::Worst`).
//!
//! Sixteen vehicles in six cities drive 20-second logs at 10 Hz; every frame has six camera
//! images, and the calibrated front and rear cameras (a third of the items) carry
//! `camera_params`. Each item has timestamps, a frame number, speed, heading, weather, lat/lon
//! and a handful of telemetry values as a Python logger computes them (full-precision floats,
//! `-0.0` when the car stands still). The German and Japanese teams' place names and notes are
//! non-ASCII, so `ensure_ascii` writes them as `\uXXXX` escapes.
//!
//! With `ascii_escapes` (issue 15) those teams also spell metadata keys and reference ids in
//! their language (escaped the same way), the Japanese team's exporter writes the SDK alias
//! `ref_id`, and every image item carries `"pointcloud_location": null` (an export with one
//! column per location kind). `raw_utf8` writes the same items with `ensure_ascii=False`, so a
//! file with escapes can be compared with the same data unescaped.
//!
//! Item `n` depends only on the seed and `n`.

use std::f64::consts::PI;
use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use crate::items::camera_heading;
use crate::pyjson;
use crate::rng::{Rng, round_to};

/// Default seed of `gen-large`.
pub const DEFAULT_SEED: u64 = 0x0046_4C45_4554_0001;

/// Which lines carry mistakes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// About 1% of the items have one mistake each.
    Realistic,
    /// Every item has one mistake (each line has at least one finding).
    Worst,
}

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub seed: u64,
    pub mode: Mode,
    /// Non-ASCII keys and reference ids for the German and Japanese teams, `ref_id`, null
    /// locations.
    pub ascii_escapes: bool,
    /// Write non-ASCII text as UTF-8 (`ensure_ascii=False`) instead of `\u` escapes.
    pub raw_utf8: bool,
}

const MISTAKE_RATE: f64 = 0.01;
const FRAMES_PER_DRIVE: u64 = 200;
const ITEMS_PER_DRIVE: u64 = FRAMES_PER_DRIVE * CAMERAS.len() as u64;
const DRIVE_SALT: u64 = 0x0D21_5E00_0000_0001;
const MISTAKE_SALT: u64 = 0x0B4D_0000_0000_0002;
const CALIBRATION_SALT: u64 = 0x0CA1_1B00_0000_0003;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Team {
    English,
    German,
    Japanese,
}

struct City {
    name: &'static str,
    lat: f64,
    lon: f64,
    team: Team,
    districts: [&'static str; 4],
}

const CITIES: [City; 6] = [
    City {
        name: "munich",
        lat: 48.137_154,
        lon: 11.576_124,
        team: Team::German,
        districts: ["Schwabing", "Maxvorstadt", "Au-Haidhausen", "Untergiesing"],
    },
    City {
        name: "cologne",
        lat: 50.937_531,
        lon: 6.960_279,
        team: Team::German,
        districts: ["Ehrenfeld", "Deutz", "Sülz", "Mülheim"],
    },
    City {
        name: "tokyo",
        lat: 35.676_192,
        lon: 139.650_311,
        team: Team::Japanese,
        districts: ["渋谷区", "新宿区", "品川区", "江東区"],
    },
    City {
        name: "osaka",
        lat: 34.693_738,
        lon: 135.502_165,
        team: Team::Japanese,
        districts: ["北区", "中央区", "浪速区", "天王寺区"],
    },
    City {
        name: "pittsburgh",
        lat: 40.440_625,
        lon: -79.995_886,
        team: Team::English,
        districts: ["Strip District", "Oakland", "Lawrenceville", "Downtown"],
    },
    City {
        name: "san_francisco",
        lat: 37.774_929,
        lon: -122.419_416,
        team: Team::English,
        districts: ["Mission", "SoMa", "Sunset", "Richmond"],
    },
];

const N_VEHICLES: u64 = 16;

#[derive(Debug, Clone, Copy)]
enum Lens {
    Pinhole,
    BrownConrady,
    Fisheye,
}

struct FleetCamera {
    name: &'static str,
    yaw_deg: f64,
    /// Calibrated cameras carry `camera_params` (two of six: a third of the items).
    lens: Option<Lens>,
}

const CAMERAS: [FleetCamera; 6] = [
    FleetCamera {
        name: "front",
        yaw_deg: 0.0,
        lens: Some(Lens::BrownConrady),
    },
    FleetCamera {
        name: "front_left",
        yaw_deg: 55.0,
        lens: None,
    },
    FleetCamera {
        name: "front_right",
        yaw_deg: -55.0,
        lens: None,
    },
    FleetCamera {
        name: "left",
        yaw_deg: 90.0,
        lens: None,
    },
    FleetCamera {
        name: "right",
        yaw_deg: -90.0,
        lens: None,
    },
    FleetCamera {
        name: "rear",
        yaw_deg: 180.0,
        lens: Some(Lens::Fisheye),
    },
];

const WEATHER: [&str; 6] = ["clear", "cloudy", "rain", "heavy_rain", "fog", "snow"];
const ROAD_TYPES: [&str; 4] = ["urban", "highway", "rural", "parking"];
const TAGS: [&str; 8] = [
    "pedestrian",
    "cyclist",
    "truck",
    "construction",
    "school_zone",
    "traffic_light",
    "emergency_vehicle",
    "occlusion",
];
const NOTES: [(Team, &str); 6] = [
    (Team::German, "Baustelle, Fahrbahn verengt – Überholverbot"),
    (Team::German, "Straßenbahn kreuzt, Fußgänger auf der Straße"),
    (Team::Japanese, "工事中のため車線減少"),
    (Team::Japanese, "歩行者が横断歩道を横断中"),
    (Team::English, "construction zone, lane closed"),
    (Team::English, "glare from low sun"),
];

/// One metadata key as the English team writes it, and the German and Japanese spellings used
/// with `ascii_escapes`.
#[derive(Clone, Copy)]
struct Key {
    en: &'static str,
    de: &'static str,
    ja: &'static str,
}

const fn key(en: &'static str, de: &'static str, ja: &'static str) -> Key {
    Key { en, de, ja }
}

const K_SPEED: Key = key("speed_kmh", "Geschwindigkeit_km/h", "速度_kmh");
const K_WEATHER: Key = key("weather", "Wetterlage", "天気");
const K_ROAD: Key = key("road_type", "Straßentyp", "道路種別");
const K_PLACE: Key = key("location_name", "Ortsteil", "地区");
const K_NOTE: Key = key("driver_note", "Fahrernotiz", "運転者メモ");
const K_GAIN: Key = key("gain_db", "Verstärkung_dB", "ゲイン_dB");

/// What all items of one 20-second drive share.
struct Drive {
    index: u64,
    vehicle: u64,
    city: &'static City,
    session: String,
    start_ns: u64,
    weather: &'static str,
    road_type: &'static str,
    district: &'static str,
    origin: (f64, f64),
    yaw: f64,
    base_speed: f64,
}

impl Drive {
    fn new(seed: u64, index: u64) -> Self {
        let mut rng = Rng::fork(seed ^ DRIVE_SALT, index);
        let vehicle = (index * 7 + rng.range_u64(0, 3)) % N_VEHICLES;
        let city = CITIES
            .get(usize::try_from(vehicle % 6).unwrap_or(0))
            .unwrap_or(&CITIES[0]);
        let session = rng.hex(8);
        // March to October 2026, daytime mostly.
        let start_ns = 1_772_323_200_000_000_000 + rng.range_u64(0, 240 * 86_400) * 1_000_000_000;
        Self {
            index,
            vehicle,
            city,
            session,
            start_ns,
            weather: rng.pick_str(&WEATHER),
            road_type: rng.pick_str(&ROAD_TYPES),
            district: rng.pick_str(&city.districts),
            origin: (
                rng.range_f64(-4000.0, 4000.0),
                rng.range_f64(-4000.0, 4000.0),
            ),
            yaw: rng.range_f64(-PI, PI),
            base_speed: if rng.chance(0.1) {
                0.0
            } else {
                rng.range_f64(3.0, 30.0)
            },
        }
    }

    fn vehicle_id(&self) -> String {
        format!("veh-{:02}", self.vehicle)
    }

    /// Speed (m/s), position (metres east/north of the city centre) and yaw at `frame`.
    fn state(&self, frame: u64) -> (f64, (f64, f64), f64) {
        let t = frame as f64 * 0.1;
        let speed = if self.base_speed == 0.0 {
            0.0
        } else {
            (self.base_speed * (1.0 + 0.15 * (t * 0.4 + self.index as f64).sin())).max(0.0)
        };
        let yaw = self.yaw + 0.01 * t * (self.index as f64).cos();
        let distance = self.base_speed * t;
        let x = self.origin.0 + distance * self.yaw.cos();
        let y = self.origin.1 + distance * self.yaw.sin();
        (speed, (x, y), yaw)
    }

    fn lat_lon(&self, position: (f64, f64)) -> (f64, f64) {
        let lat = self.city.lat + position.1 / 111_320.0;
        let lon = self.city.lon + position.0 / (111_320.0 * self.city.lat.to_radians().cos());
        // A GNSS receiver's seven decimals (about 1 cm).
        (round_to(lat, 7), round_to(lon, 7))
    }

    fn reference_id(&self, options: Options, frame: u64, camera: &str) -> String {
        let prefix = match (options.ascii_escapes, self.city.team) {
            (true, Team::German) => "Testflotte-München/",
            (true, Team::Japanese) => "試験車両/",
            _ => "",
        };
        format!(
            "{prefix}{}/{}/{camera}/{:06}",
            self.vehicle_id(),
            self.session,
            frame
        )
    }

    fn key(&self, options: Options, key: Key) -> &'static str {
        match (options.ascii_escapes, self.city.team) {
            (true, Team::German) => key.de,
            (true, Team::Japanese) => key.ja,
            _ => key.en,
        }
    }
}

/// The mistakes a line can carry; each gives at least one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mistake {
    /// `frame_number` written as a string (`"000123"`): a type conflict.
    FrameNumberAsString,
    /// The reference id of an earlier valid line: a duplicate id.
    DuplicateId,
    /// An empty image location (an exporter with no path for the frame).
    BadLocation,
    /// lat/lon swapped, or lat in microdegrees: lat out of range.
    LatOutOfRange,
    /// lat without lon: a warning.
    MissingLon,
    /// `camera_params` with `fx` 0 (a failed calibration).
    BadCamera,
    /// `NaN` speed, which `json.dumps` writes and JSON does not allow.
    NanSpeed,
    /// `width` written as a float (`1920.0`).
    FloatWidth,
    /// A top-level key Nucleus does not know (`capture_time`): a warning.
    UnknownField,
}

const MISTAKES: [Mistake; 9] = [
    Mistake::FrameNumberAsString,
    Mistake::DuplicateId,
    Mistake::BadLocation,
    Mistake::LatOutOfRange,
    Mistake::MissingLon,
    Mistake::BadCamera,
    Mistake::NanSpeed,
    Mistake::FloatWidth,
    Mistake::UnknownField,
];

/// The mistake drawn for item `index`, before the duplicate-id fallback.
fn drawn_mistake(options: Options, index: u64) -> Option<Mistake> {
    let mut rng = Rng::fork(options.seed ^ MISTAKE_SALT, index);
    let has_one = match options.mode {
        Mode::Realistic => rng.chance(MISTAKE_RATE),
        Mode::Worst => true,
    };
    has_one.then(|| *rng.pick(&MISTAKES).unwrap_or(&Mistake::FrameNumberAsString))
}

/// How far back a duplicate id looks for a line to copy.
const DUPLICATE_REACH: u64 = 64;

/// Whether a line with this mistake (or none) is a valid item, whose id the dataset records.
fn is_valid_item(mistake: Option<Mistake>) -> bool {
    matches!(
        mistake,
        None | Some(Mistake::MissingLon | Mistake::UnknownField)
    )
}

/// The mistake of item `index`, and for a duplicate id the index of the earlier item whose id
/// it repeats: the nearest valid item (an invalid item's id is not recorded, so repeating it is
/// no finding). Without one within reach, the line gets a type conflict instead.
fn mistake_and_target(options: Options, index: u64) -> (Option<Mistake>, u64) {
    let drawn = drawn_mistake(options, index);
    if drawn != Some(Mistake::DuplicateId) {
        return (drawn, index);
    }
    let target = (index.saturating_sub(DUPLICATE_REACH)..index)
        .rev()
        .find(|&earlier| is_valid_item(drawn_mistake(options, earlier)));
    match target {
        Some(target) => (drawn, target),
        None => (Some(Mistake::FrameNumberAsString), index),
    }
}

#[cfg(test)]
fn mistake(options: Options, index: u64) -> Option<Mistake> {
    mistake_and_target(options, index).0
}

/// Line `index` of the file (no newline).
pub fn line(options: Options, index: u64) -> String {
    let drive = Drive::new(options.seed, index / ITEMS_PER_DRIVE);
    let within = index % ITEMS_PER_DRIVE;
    let frame = within / CAMERAS.len() as u64;
    let camera_idx = usize::try_from(within % CAMERAS.len() as u64).unwrap_or(0);
    let camera = CAMERAS.get(camera_idx).unwrap_or(&CAMERAS[0]);
    let mut rng = Rng::fork(options.seed, index);
    let (mistake, id_index) = mistake_and_target(options, index);

    let (speed_mps, position, yaw) = drive.state(frame);
    let (mut lat, mut lon) = drive.lat_lon(position);
    // A logger rounds to 0.01 km/h; a car standing still with a tiny negative drift gives -0.0.
    let speed_kmh = if speed_mps == 0.0 {
        if rng.chance(0.5) { -0.0 } else { 0.0 }
    } else {
        (speed_mps * 3.6 * 100.0).round() / 100.0
    };
    let timestamp_ns = drive.start_ns + frame * 100_000_000 + rng.range_u64(0, 2_000_000);

    let mut metadata = Map::new();
    metadata.insert("vehicle_id".into(), drive.vehicle_id().into());
    metadata.insert("camera".into(), camera.name.into());
    let frame_number = drive.index % 50 * FRAMES_PER_DRIVE + frame;
    metadata.insert(
        "frame_number".into(),
        if mistake == Some(Mistake::FrameNumberAsString) {
            format!("{frame_number:06}").into()
        } else {
            frame_number.into()
        },
    );
    metadata.insert("timestamp".into(), iso_timestamp(timestamp_ns).into());
    metadata.insert(drive.key(options, K_SPEED).into(), speed_kmh.into());
    metadata.insert(
        "heading_deg".into(),
        round_to(yaw.to_degrees().rem_euclid(360.0), 2).into(),
    );
    metadata.insert(drive.key(options, K_WEATHER).into(), drive.weather.into());
    metadata.insert(drive.key(options, K_ROAD).into(), drive.road_type.into());
    metadata.insert(drive.key(options, K_PLACE).into(), drive.district.into());
    match mistake {
        Some(Mistake::LatOutOfRange) if lon.abs() > 90.0 => std::mem::swap(&mut lat, &mut lon),
        Some(Mistake::LatOutOfRange) => lat = (lat * 1e6).round(),
        _ => {}
    }
    metadata.insert("lat".into(), lat.into());
    if mistake != Some(Mistake::MissingLon) {
        metadata.insert("lon".into(), lon.into());
    }
    metadata.insert(
        drive.key(options, K_GAIN).into(),
        round_to(rng.range_f64(0.0, 18.0), 1).into(),
    );
    let n_tags = rng.range_u64(0, 4);
    let tags: Vec<Value> = (0..n_tags)
        .map(|_| rng.pick_str(&TAGS))
        .fold(Vec::new(), |mut chosen, tag| {
            if !chosen.contains(&tag) {
                chosen.push(tag);
            }
            chosen
        })
        .into_iter()
        .map(Value::from)
        .collect();
    metadata.insert("tags".into(), Value::Array(tags));
    if rng.chance(0.03) {
        let notes: Vec<&str> = NOTES
            .iter()
            .filter(|(team, _)| *team == drive.city.team)
            .map(|(_, note)| *note)
            .collect();
        metadata.insert(
            drive.key(options, K_NOTE).into(),
            rng.pick_str(&notes).into(),
        );
    }
    if let Some(lens) = camera.lens {
        // A third of the vehicles have a pinhole (rectified) rear camera.
        let lens = match lens {
            Lens::Fisheye if drive.vehicle.is_multiple_of(3) => Lens::Pinhole,
            lens => lens,
        };
        let mut params = camera_params(&drive, frame, camera_idx, camera, lens, options.seed);
        if mistake == Some(Mistake::BadCamera)
            && let Value::Object(map) = &mut params
        {
            map.insert("fx".into(), 0.0.into());
        }
        metadata.insert("camera_params".into(), params);
    } else if mistake == Some(Mistake::BadCamera) {
        // An uncalibrated camera exported with an empty calibration.
        metadata.insert("camera_params".into(), json!({ "fx": 0.0, "fy": 0.0 }));
    }

    let mut item = Map::new();
    let day = iso_timestamp(drive.start_ns);
    let location = if mistake == Some(Mistake::BadLocation) {
        String::new()
    } else {
        format!(
            "s3://fleet-raw/{}/{}/{}/{}/{:06}.jpg",
            drive.city.name,
            day.get(..10).unwrap_or(&day),
            drive.session,
            camera.name,
            frame
        )
    };
    item.insert("image_location".into(), location.into());
    if options.ascii_escapes {
        item.insert("pointcloud_location".into(), Value::Null);
    }
    let id = reference_id_of(options, id_index);
    let id_key = if options.ascii_escapes && drive.city.team == Team::Japanese {
        "ref_id"
    } else {
        "reference_id"
    };
    item.insert(id_key.into(), id.into());
    item.insert("metadata".into(), Value::Object(metadata));
    // A few uploads forget the size.
    let forgot_size = rng.chance(0.03);
    if !forgot_size || mistake == Some(Mistake::FloatWidth) {
        item.insert(
            "width".into(),
            if mistake == Some(Mistake::FloatWidth) {
                1920.0.into()
            } else {
                1920.into()
            },
        );
        item.insert("height".into(), 1080.into());
    }
    if mistake == Some(Mistake::UnknownField) {
        item.insert("capture_time".into(), iso_timestamp(timestamp_ns).into());
    }

    let mut text = String::with_capacity(1024);
    pyjson::write(&mut text, &Value::Object(item), !options.raw_utf8);
    if mistake == Some(Mistake::NanSpeed) {
        let mut speed_key = String::new();
        pyjson::write(
            &mut speed_key,
            &Value::from(drive.key(options, K_SPEED)),
            !options.raw_utf8,
        );
        let written = format!("{speed_key}: {}", pyjson::float_repr(speed_kmh));
        text = text.replacen(&written, &format!("{speed_key}: NaN"), 1);
    }
    text
}

const ANNOTATION_SALT: u64 = 0x0A77_0000_0000_0004;
const BOX_LABELS: [&str; 6] = [
    "car",
    "truck",
    "bus",
    "pedestrian",
    "cyclist",
    "traffic_light",
];

/// Line `index` of the box annotations that go with the items of `line` (`gen-large
/// --annotations`): one box on the image of item `index`, as the SDK's `to_payload()` writes
/// it through `json.dumps`. About 1% carry a mistake that `check --annotations --items` finds:
/// a box past the image's right edge, a label differing only by case (`Car`), a reference id
/// that names no item, a box of zero width. Items with a duplicate-id mistake have another id,
/// so their annotation names no item either (as an exporter that trusted the id would).
pub fn box_annotation(options: Options, index: u64) -> String {
    let mut rng = Rng::fork(options.seed ^ ANNOTATION_SALT, index);
    let mistake = if rng.chance(MISTAKE_RATE) {
        rng.range_u64(0, 4)
    } else {
        u64::MAX
    };
    let mut reference_id = reference_id_of(options, index);
    let mut label = rng.pick_str(&BOX_LABELS).to_owned();
    let width = round_to(rng.range_f64(8.0, 400.0), 1);
    let height = round_to(rng.range_f64(8.0, 300.0), 1);
    let mut x = round_to(rng.range_f64(0.0, 1920.0 - width), 1);
    let y = round_to(rng.range_f64(0.0, 1080.0 - height), 1);
    let mut box_width = width;
    match mistake {
        0 => x = round_to(1920.0 - width / 2.0, 1),
        1 => label = label.to_uppercase(),
        2 => reference_id.push_str("/missing"),
        3 => box_width = 0.0,
        _ => {}
    }
    let annotation = json!({
        "label": label,
        "type": "box",
        "geometry": {"x": x, "y": y, "width": box_width, "height": height},
        "reference_id": reference_id,
        "annotation_id": format!("{reference_id}/box-0"),
        "metadata": {"occluded": rng.chance(0.2)},
    });
    let mut text = String::with_capacity(256);
    pyjson::write(&mut text, &annotation, !options.raw_utf8);
    text
}

/// The reference id item `index` has when it has no duplicate-id mistake.
fn reference_id_of(options: Options, index: u64) -> String {
    let drive = Drive::new(options.seed, index / ITEMS_PER_DRIVE);
    let within = index % ITEMS_PER_DRIVE;
    let frame = within / CAMERAS.len() as u64;
    let camera = CAMERAS
        .get(usize::try_from(within % CAMERAS.len() as u64).unwrap_or(0))
        .unwrap_or(&CAMERAS[0]);
    drive.reference_id(options, frame, camera.name)
}

/// Pose and intrinsics of a calibrated camera: the pose follows the car, the intrinsics are
/// fixed per vehicle and camera.
fn camera_params(
    drive: &Drive,
    frame: u64,
    camera_idx: usize,
    camera: &FleetCamera,
    lens: Lens,
    seed: u64,
) -> Value {
    let stream = drive.vehicle * 8 + u64::try_from(camera_idx).unwrap_or(0);
    let mut rng = Rng::fork(seed ^ CALIBRATION_SALT, stream);
    let (_, (x, y), yaw) = drive.state(frame);
    let mount = if camera.yaw_deg == 0.0 { 1.7 } else { -1.0 };
    let heading = camera_heading(yaw + camera.yaw_deg.to_radians());
    let fx = rng.range_f64(1150.0, 1450.0);
    let mut params = Map::new();
    params.insert(
        "position".into(),
        json!({
            "x": round_to(x + mount * yaw.cos(), 4),
            "y": round_to(y + mount * yaw.sin(), 4),
            "z": round_to(1.55 + rng.range_f64(0.0, 0.1), 4),
        }),
    );
    params.insert(
        "heading".into(),
        json!({ "x": heading[0], "y": heading[1], "z": heading[2], "w": heading[3] }),
    );
    params.insert("fx".into(), round_to(fx, 3).into());
    let fy = fx * rng.range_f64(0.998, 1.002);
    params.insert("fy".into(), round_to(fy, 3).into());
    let cx = 960.0 + rng.range_f64(-8.0, 8.0);
    params.insert("cx".into(), round_to(cx, 3).into());
    let cy = 540.0 + rng.range_f64(-6.0, 6.0);
    params.insert("cy".into(), round_to(cy, 3).into());
    let coefficients: &[(&str, f64, f64)] = match lens {
        Lens::Pinhole => &[],
        Lens::BrownConrady => &[
            ("k1", -0.35, -0.2),
            ("k2", 0.05, 0.15),
            ("p1", -0.001, 0.001),
            ("p2", -0.001, 0.001),
            ("k3", -0.02, 0.0),
        ],
        Lens::Fisheye => &[
            ("k1", 0.01, 0.05),
            ("k2", -0.01, 0.01),
            ("k3", -0.005, 0.005),
            ("k4", -0.001, 0.001),
        ],
    };
    for (name, low, high) in coefficients {
        params.insert((*name).into(), rng.range_f64(*low, *high).into());
    }
    match lens {
        Lens::Pinhole => {}
        Lens::BrownConrady => {
            params.insert("camera_model".into(), "brown_conrady".into());
        }
        Lens::Fisheye => {
            params.insert("camera_model".into(), "fisheye".into());
        }
    }
    Value::Object(params)
}

/// `2026-03-14T08:12:33.412345+00:00`, as Python's `datetime.isoformat()` writes a UTC time.
fn iso_timestamp(ns: u64) -> String {
    let seconds = ns / 1_000_000_000;
    let micros = ns % 1_000_000_000 / 1_000;
    let days = i64::try_from(seconds / 86_400).unwrap_or(0);
    let (year, month, day) = civil_from_days(days);
    let rest = seconds % 86_400;
    let mut text = String::with_capacity(32);
    let _ = write!(
        text,
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{micros:06}+00:00",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    );
    text
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to (year, month, day).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn options(mode: Mode) -> Options {
        Options {
            seed: DEFAULT_SEED,
            mode,
            ascii_escapes: false,
            raw_utf8: false,
        }
    }

    #[test]
    fn box_annotations_name_the_items_of_the_same_index() {
        let options = options(Mode::Realistic);
        let (mut matching, mut mistakes) = (0, 0);
        for index in 0..5_000 {
            let annotation: Value = serde_json::from_str(&box_annotation(options, index)).unwrap();
            let item: Value = serde_json::from_str(&line(options, index)).unwrap_or(Value::Null);
            assert_eq!(annotation["type"], "box");
            let geometry = &annotation["geometry"];
            let inside = geometry["x"].as_f64().unwrap() + geometry["width"].as_f64().unwrap()
                <= 1920.0
                && geometry["width"].as_f64().unwrap() > 0.0;
            let lower_label = annotation["label"]
                .as_str()
                .unwrap()
                .chars()
                .all(|c| !c.is_uppercase());
            let id = annotation["reference_id"].as_str().unwrap();
            if id == reference_id_of(options, index) && inside && lower_label {
                matching += 1;
                if !item.is_null() && mistake(options, index).is_none() {
                    assert_eq!(item["reference_id"], id);
                }
            } else {
                mistakes += 1;
            }
        }
        // About 1% of the annotations carry a mistake.
        assert!((20..100).contains(&mistakes), "{mistakes} mistakes");
        assert_eq!(matching + mistakes, 5_000);
    }

    #[test]
    fn timestamps_are_iso_8601() {
        assert_eq!(iso_timestamp(0), "1970-01-01T00:00:00.000000+00:00");
        // 2026-03-01T00:00:00Z
        assert_eq!(
            iso_timestamp(1_772_323_200_000_000_000 + 1_500),
            "2026-03-01T00:00:00.000001+00:00"
        );
        assert_eq!(
            iso_timestamp(951_782_400_000_000_000),
            "2000-02-29T00:00:00.000000+00:00"
        );
    }

    #[test]
    fn realistic_lines_are_ascii_json_with_about_one_percent_mistakes() {
        let options = options(Mode::Realistic);
        let n = 20_000;
        let mut with_mistake = 0;
        let mut with_params = 0;
        let mut bytes = 0;
        for index in 0..n {
            let text = line(options, index);
            assert!(text.is_ascii(), "{text}");
            assert!(text.starts_with("{\"image_location\": \""), "{text}");
            bytes += text.len() + 1;
            with_mistake += usize::from(mistake(options, index).is_some());
            if text.contains("\"camera_params\"") {
                with_params += 1;
            }
            if mistake(options, index) != Some(Mistake::NanSpeed) {
                serde_json::from_str::<Value>(&text).unwrap();
            }
        }
        assert!((120..300).contains(&with_mistake), "{with_mistake}");
        // Two calibrated cameras of six, plus the rare bad calibration on another camera.
        assert!((6_600..6_900).contains(&with_params), "{with_params}");
        // About 600 MB per million lines.
        let per_line = bytes / n as usize;
        assert!((550..650).contains(&per_line), "{per_line} bytes a line");
    }

    #[test]
    fn worst_case_lines_all_have_a_mistake_and_duplicates_have_a_target() {
        let options = options(Mode::Worst);
        for index in 0..5_000 {
            let (drawn, target) = mistake_and_target(options, index);
            assert!(drawn.is_some());
            if drawn == Some(Mistake::DuplicateId) {
                assert!(target < index);
                assert!(is_valid_item(mistake(options, target)));
                let text = line(options, index);
                assert!(text.contains(&reference_id_of(options, target)));
            }
        }
    }

    #[test]
    fn reference_ids_are_unique_without_duplicate_mistakes() {
        let options = options(Mode::Realistic);
        let mut ids = HashSet::new();
        for index in 0..(3 * ITEMS_PER_DRIVE) {
            assert!(ids.insert(reference_id_of(options, index)));
        }
    }

    #[test]
    fn ascii_escapes_put_escapes_in_keys_and_ids() {
        let escaped = Options {
            ascii_escapes: true,
            ..options(Mode::Realistic)
        };
        let raw = Options {
            raw_utf8: true,
            ..escaped
        };
        let (mut escaped_keys, mut japanese) = (0, 0);
        for index in (0..20 * ITEMS_PER_DRIVE).step_by(97) {
            let text = line(escaped, index);
            assert!(text.is_ascii());
            if text.contains("\"\\u5929\\u6c17\": ") || text.contains("\"Wetterlage\"") {
                escaped_keys += 1;
            }
            if text.contains("\"ref_id\": \"\\u8a66") {
                japanese += 1;
            }
            assert!(text.contains("\"pointcloud_location\": null"));
            if mistake(escaped, index) != Some(Mistake::NanSpeed) {
                let a: Value = serde_json::from_str(&text).unwrap();
                let b: Value = serde_json::from_str(&line(raw, index)).unwrap();
                assert_eq!(a, b);
            }
        }
        assert!(
            escaped_keys > 0 && japanese > 0,
            "{escaped_keys} {japanese}"
        );
    }

    #[test]
    fn check_takes_the_fast_path_on_every_line_without_item_findings() {
        // The point of `--ascii-escapes` (issue 15): escaped keys and ids, `ref_id`, null
        // locations and `-0.0` must not send a line to the full reader.
        use nucleus_metadata::{ItemRules, LineCheck};
        let rules = ItemRules::new();
        for ascii_escapes in [true, false] {
            let options = Options {
                ascii_escapes,
                ..options(Mode::Realistic)
            };
            let (mut n_clean, mut n_fast) = (0, 0);
            for index in (0..20 * ITEMS_PER_DRIVE).step_by(7) {
                let text = line(options, index);
                if !rules.check_line(&text).diagnostics.is_empty() {
                    continue;
                }
                n_clean += 1;
                if matches!(rules.check_line_fast(&text), LineCheck::Clean(_)) {
                    n_fast += 1;
                } else {
                    panic!("the fast path declined a line without findings: {text}");
                }
            }
            assert!(n_clean > 3000, "{n_clean}");
            assert_eq!(n_fast, n_clean);
        }
    }

    #[test]
    fn generation_is_deterministic_by_seed() {
        let options = options(Mode::Realistic);
        assert_eq!(line(options, 4321), line(options, 4321));
        let other = Options { seed: 7, ..options };
        assert_ne!(line(options, 4321), line(other, 4321));
    }
}
