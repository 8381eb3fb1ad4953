//! Realistic, valid dataset items for the examples and the benchmarks.
//!
//! Items come in groups of ten that form one frame of a driving scene: six camera images (with
//! `camera_params` posed on the car), one lidar point cloud, then three unrelated photos (web
//! images with captions, EXIF, some embeddings). Five frames make a scene. Item `n` depends only
//! on `n` and the seed, so `examples/items.jsonl` is a prefix of every `gen-large` file.
//!
//! Every item uses the canonical field names and is valid under SPEC.md, and every metadata key
//! keeps one kind across the whole dataset (`tags` is always a list, `lat` always a number...).

use std::f64::consts::PI;

use serde_json::{Map, Value, json};

use crate::rng::{Rng, round_to};

/// Seed of every generated file; changing it rewrites all of them.
pub const SEED: u64 = 0x4E55_434C_4555_5321;

const ITEMS_PER_GROUP: u64 = 10;
const FRAMES_PER_SCENE: u64 = 5;
const PHOTOS_PER_GROUP: u64 = 3;
/// Salt for the per-scene stream, so scene values do not repeat item values.
const SCENE_SALT: u64 = 0x5CE7_E5A1_7000_0001;

#[derive(Debug, Clone, Copy)]
enum CameraModel {
    Pinhole,
    BrownConrady,
    Fisheye,
}

#[derive(Debug)]
struct Camera {
    name: &'static str,
    /// Yaw of the optical axis relative to the car's heading, degrees counter-clockwise.
    yaw_deg: f64,
    /// Mounting point in the car frame (x forward, y left), metres.
    offset: (f64, f64),
    model: CameraModel,
    /// Typical focal length in pixels.
    focal: (f64, f64),
}

const CAMERAS: [Camera; 6] = [
    Camera {
        name: "front",
        yaw_deg: 0.0,
        offset: (1.6, 0.0),
        model: CameraModel::BrownConrady,
        focal: (1800.0, 2000.0),
    },
    Camera {
        name: "front_left",
        yaw_deg: 55.0,
        offset: (1.3, 0.8),
        model: CameraModel::BrownConrady,
        focal: (1200.0, 1400.0),
    },
    Camera {
        name: "front_right",
        yaw_deg: -55.0,
        offset: (1.3, -0.8),
        model: CameraModel::BrownConrady,
        focal: (1200.0, 1400.0),
    },
    Camera {
        name: "left",
        yaw_deg: 90.0,
        offset: (0.4, 0.95),
        model: CameraModel::Fisheye,
        focal: (1000.0, 1100.0),
    },
    Camera {
        name: "right",
        yaw_deg: -90.0,
        offset: (0.4, -0.95),
        model: CameraModel::Fisheye,
        focal: (1000.0, 1100.0),
    },
    Camera {
        name: "rear",
        yaw_deg: 180.0,
        offset: (-1.1, 0.0),
        model: CameraModel::Pinhole,
        focal: (1000.0, 1200.0),
    },
];

const CITIES: [(&str, f64, f64); 6] = [
    ("berlin", 52.520_008, 13.404_954),
    ("san_francisco", 37.774_929, -122.419_416),
    ("tokyo", 35.676_192, 139.650_311),
    ("sao_paulo", -23.550_520, -46.633_309),
    ("sydney", -33.868_820, 151.209_296),
    ("pittsburgh", 40.440_625, -79.995_886),
];
const WEATHER: [&str; 5] = ["sunny", "overcast", "rain", "fog", "snow"];
const DRIVE_TAGS: [&str; 8] = [
    "pedestrian",
    "cyclist",
    "truck",
    "construction",
    "school_zone",
    "parked_cars",
    "traffic_light",
    "roundabout",
];
const PHOTO_TAGS: [&str; 8] = [
    "outdoor",
    "indoor",
    "portrait",
    "street",
    "food",
    "animal",
    "landscape",
    "night",
];
const ADJECTIVES: [&str; 8] = [
    "a small", "a red", "an old", "a busy", "a quiet", "a wet", "a bright", "a blurry",
];
const SUBJECTS: [&str; 8] = [
    "dog",
    "bicycle",
    "market",
    "bus stop",
    "cafe",
    "bridge",
    "crowd",
    "delivery van",
];
const PREPOSITIONS: [&str; 4] = ["near", "behind", "next to", "in front of"];
const PLACES: [&str; 8] = [
    "the station",
    "a park",
    "the harbour",
    "a school",
    "the old town",
    "a parking lot",
    "the river",
    "a crossing",
];
const SOURCES: [&str; 4] = ["flickr", "internal", "partner_a", "synthetic"];
const LICENSES: [&str; 3] = ["cc-by", "cc0", "proprietary"];
const MAKES: [&str; 5] = ["Canon", "Nikon", "Sony", "Fujifilm", "Apple"];
const PHOTO_SIZES: [(u64, u64); 5] = [
    (1024, 768),
    (4032, 3024),
    (1920, 1280),
    (800, 600),
    (3000, 2000),
];

/// The dataset item with index `index` (0-based), as canonical item JSON.
pub fn item(index: u64) -> Value {
    let group = index / ITEMS_PER_GROUP;
    let slot = index % ITEMS_PER_GROUP;
    let scene = Scene::new(group / FRAMES_PER_SCENE);
    let frame = group % FRAMES_PER_SCENE;
    let mut rng = Rng::fork(SEED, index);
    let camera = usize::try_from(slot)
        .ok()
        .and_then(|slot| CAMERAS.get(slot).map(|camera| (slot, camera)));
    match camera {
        Some((camera_idx, camera)) => camera_item(&scene, frame, camera_idx, camera, &mut rng),
        None if slot == 6 => lidar_item(&scene, frame, &mut rng),
        None => photo_item(group * PHOTOS_PER_GROUP + slot.saturating_sub(7), &mut rng),
    }
}

/// What all items of one scene share.
#[derive(Debug)]
struct Scene {
    index: u64,
    session_id: String,
    city: (&'static str, f64, f64),
    weather: &'static str,
    is_night: bool,
    image_base: String,
    pointcloud_base: String,
    start_ns: u64,
    /// Car position at frame 0 relative to the city centre, metres (x east, y north).
    origin: (f64, f64),
    yaw: f64,
    speed_mps: f64,
}

impl Scene {
    fn new(index: u64) -> Self {
        let mut rng = Rng::fork(SEED ^ SCENE_SALT, index * 8);
        let session_id = uuid_like(&mut rng);
        let city = *rng.pick(&CITIES).unwrap_or(&CITIES[0]);
        let bucket = format!("acme-drive-{}", rng.range_u64(1, 4));
        let image_base = match rng.range_u64(0, 6) {
            0 | 1 => format!("s3://{bucket}/scenes/{session_id}"),
            2 => format!("gs://{bucket}/scenes/{session_id}"),
            3 => format!("https://acmedrive.blob.core.windows.net/scenes/{session_id}"),
            4 => format!("https://data.acme.example/drive/{session_id}"),
            _ => format!("http://nas.acme.internal/drive/{session_id}"),
        };
        let pointcloud_base = match rng.range_u64(0, 3) {
            0 => format!("s3://{bucket}-lidar/{session_id}"),
            1 => format!("gs://{bucket}-lidar/{session_id}"),
            _ => format!("https://lidar.acme.example/{session_id}"),
        };
        Self {
            index,
            session_id,
            city,
            weather: rng.pick_str(&WEATHER),
            is_night: rng.chance(0.25),
            image_base,
            pointcloud_base,
            start_ns: 1_690_000_000_000_000_000 + rng.range_u64(0, 60_000_000_000_000_000),
            origin: (
                rng.range_f64(-3000.0, 3000.0),
                rng.range_f64(-3000.0, 3000.0),
            ),
            yaw: rng.range_f64(-PI, PI),
            speed_mps: rng.range_f64(0.0, 25.0),
        }
    }

    /// Car position (metres from the city centre) and yaw at `frame`; frames are 0.1 s apart.
    fn pose(&self, frame: u64) -> ((f64, f64), f64) {
        let t = frame as f64 * 0.1;
        let yaw = self.yaw + 0.02 * frame as f64;
        let x = self.origin.0 + self.speed_mps * t * self.yaw.cos();
        let y = self.origin.1 + self.speed_mps * t * self.yaw.sin();
        ((x, y), yaw)
    }

    fn lat_lon(&self, frame: u64) -> (f64, f64) {
        let ((x, y), _) = self.pose(frame);
        let (_, lat0, lon0) = self.city;
        let lat = lat0 + y / 111_320.0;
        let lon = lon0 + x / (111_320.0 * lat0.to_radians().cos());
        (round_to(lat, 6), round_to(lon, 6))
    }

    fn frame_number(&self, frame: u64) -> u64 {
        // Frames of a scene follow the scene's place in a longer drive log.
        (self.index % 40) * 100 + frame
    }

    fn reference_id(&self, frame: u64, sensor: &str) -> String {
        format!("scene-{:06}/frame-{frame:02}/{sensor}", self.index)
    }
}

fn camera_item(
    scene: &Scene,
    frame: u64,
    camera_idx: usize,
    camera: &Camera,
    rng: &mut Rng,
) -> Value {
    let (lat, lon) = scene.lat_lon(frame);
    let mut metadata = Map::new();
    metadata.insert("capture_id".into(), uuid_like(rng).into());
    metadata.insert("session_id".into(), scene.session_id.clone().into());
    metadata.insert("frame_number".into(), scene.frame_number(frame).into());
    metadata.insert("camera".into(), camera.name.into());
    metadata.insert("weather".into(), scene.weather.into());
    metadata.insert("is_night".into(), scene.is_night.into());
    metadata.insert("speed_mps".into(), round_to(scene.speed_mps, 2).into());
    let exposure = if scene.is_night {
        rng.range_f64(8.0, 33.0)
    } else {
        rng.range_f64(0.2, 4.0)
    };
    metadata.insert("exposure_ms".into(), round_to(exposure, 3).into());
    metadata.insert("n_objects".into(), rng.range_u64(0, 40).into());
    metadata.insert("tags".into(), tags(rng, &DRIVE_TAGS, 3));
    metadata.insert("lat".into(), lat.into());
    metadata.insert("lon".into(), lon.into());
    metadata.insert(
        "camera_params".into(),
        camera_params(scene, frame, camera_idx, camera),
    );

    let mut item = Map::new();
    let location = format!("{}/{}/{frame:03}.jpg", scene.image_base, camera.name);
    item.insert("image_location".into(), location.into());
    item.insert(
        "reference_id".into(),
        scene.reference_id(frame, camera.name).into(),
    );
    item.insert("metadata".into(), Value::Object(metadata));
    // A few uploads forget the size; privacy mode would need it.
    if !rng.chance(0.05) {
        item.insert("width".into(), 1920.into());
        item.insert("height".into(), 1080.into());
    }
    Value::Object(item)
}

/// The camera's pose in the world and its intrinsics; constant per scene and camera.
fn camera_params(scene: &Scene, frame: u64, camera_idx: usize, camera: &Camera) -> Value {
    let stream = scene.index * 8 + 1 + u64::try_from(camera_idx).unwrap_or(0);
    let mut rng = Rng::fork(SEED ^ SCENE_SALT, stream);

    // World frame: the city-centred plane, z up. Car at `pose`, camera mounted at `offset`.
    let ((car_x, car_y), car_yaw) = scene.pose(frame);
    let (dx, dy) = camera.offset;
    let x = car_x + dx * car_yaw.cos() - dy * car_yaw.sin();
    let y = car_y + dx * car_yaw.sin() + dy * car_yaw.cos();
    let z = 1.55 + rng.range_f64(0.0, 0.1);
    let heading = camera_heading(car_yaw + camera.yaw_deg.to_radians());

    let fx = round_to(rng.range_f64(camera.focal.0, camera.focal.1), 3);
    let fy = round_to(fx * rng.range_f64(0.998, 1.002), 3);
    let cx = round_to(960.0 + rng.range_f64(-8.0, 8.0), 3);
    let cy = round_to(540.0 + rng.range_f64(-6.0, 6.0), 3);
    let mut params = json!({
        "position": { "x": round_to(x, 4), "y": round_to(y, 4), "z": round_to(z, 4) },
        "heading": { "x": heading[0], "y": heading[1], "z": heading[2], "w": heading[3] },
        "fx": fx,
        "fy": fy,
        "cx": cx,
        "cy": cy,
    });
    let coefficients: Vec<(&str, f64)> = match camera.model {
        CameraModel::Pinhole => Vec::new(),
        CameraModel::BrownConrady => vec![
            ("k1", rng.range_f64(-0.35, -0.2)),
            ("k2", rng.range_f64(0.05, 0.15)),
            ("p1", rng.range_f64(-0.001, 0.001)),
            ("p2", rng.range_f64(-0.001, 0.001)),
            ("k3", rng.range_f64(-0.02, 0.0)),
        ],
        CameraModel::Fisheye => vec![
            ("k1", rng.range_f64(0.01, 0.05)),
            ("k2", rng.range_f64(-0.01, 0.01)),
            ("k3", rng.range_f64(-0.005, 0.005)),
            ("k4", rng.range_f64(-0.001, 0.001)),
        ],
    };
    if let Value::Object(map) = &mut params {
        match camera.model {
            CameraModel::Pinhole => {}
            CameraModel::BrownConrady => {
                map.insert("camera_model".into(), "brown_conrady".into());
            }
            CameraModel::Fisheye => {
                map.insert("camera_model".into(), "fisheye".into());
            }
        }
        for (name, value) in coefficients {
            map.insert(name.into(), round_to(value, 6).into());
        }
    }
    params
}

/// Unit quaternion `[x, y, z, w]` of a camera whose optical axis points at `yaw` radians
/// (counter-clockwise from world +x) in the horizontal plane.
///
/// The base orientation `(-0.5, 0.5, -0.5, 0.5)` looks along world +x with image-down = world
/// -z (SPEC 4's worked example); the yaw about world +z is applied on the left:
/// `q = q_yaw ⊗ q_base`.
pub(crate) fn camera_heading(yaw: f64) -> [f64; 4] {
    let (s, c) = (yaw / 2.0).sin_cos();
    // q_yaw = (w = c, x = 0, y = 0, z = s); q_base = (w, x, y, z) = (0.5, -0.5, 0.5, -0.5).
    let (bw, bx, by, bz) = (0.5, -0.5, 0.5, -0.5);
    let w = c * bw - s * bz;
    let x = c * bx - s * by;
    let y = c * by + s * bx;
    let z = c * bz + s * bw;
    [x, y, z, w]
}

fn lidar_item(scene: &Scene, frame: u64, rng: &mut Rng) -> Value {
    let (lat, lon) = scene.lat_lon(frame);
    let mut metadata = Map::new();
    metadata.insert("capture_id".into(), uuid_like(rng).into());
    metadata.insert("session_id".into(), scene.session_id.clone().into());
    metadata.insert("frame_number".into(), scene.frame_number(frame).into());
    metadata.insert("sensor".into(), "lidar_top".into());
    metadata.insert("weather".into(), scene.weather.into());
    metadata.insert("is_night".into(), scene.is_night.into());
    metadata.insert("n_points".into(), rng.range_u64(90_000, 130_000).into());
    metadata.insert(
        "timestamp_ns".into(),
        (scene.start_ns + frame * 100_000_000).into(),
    );
    metadata.insert("lat".into(), lat.into());
    metadata.insert("lon".into(), lon.into());

    let mut item = Map::new();
    let location = format!("{}/lidar/{frame:03}.json", scene.pointcloud_base);
    item.insert("pointcloud_location".into(), location.into());
    item.insert(
        "reference_id".into(),
        scene.reference_id(frame, "lidar_top").into(),
    );
    item.insert("metadata".into(), Value::Object(metadata));
    Value::Object(item)
}

fn photo_item(photo: u64, rng: &mut Rng) -> Value {
    let extension = if rng.chance(0.2) { "png" } else { "jpg" };
    let location = match rng.range_u64(0, 10) {
        0..=3 => format!("https://images.example.com/photos/{photo:07}.{extension}"),
        4 | 5 => format!("https://acmephotos.blob.core.windows.net/uploads/{photo:07}.{extension}"),
        6 => format!("http://legacy.example.org/img/{photo}.{extension}"),
        7 => format!("gs://acme-photos/{photo:07}.{extension}"),
        8 => format!("s3://acme-photos/{}/{photo:07}.{extension}", photo % 16),
        _ => format!("images/{photo:04}.{extension}"),
    };

    let mut metadata = Map::new();
    metadata.insert("capture_id".into(), uuid_like(rng).into());
    let caption = format!(
        "{} {} {} {}",
        rng.pick_str(&ADJECTIVES),
        rng.pick_str(&SUBJECTS),
        rng.pick_str(&PREPOSITIONS),
        rng.pick_str(&PLACES)
    );
    metadata.insert("caption".into(), caption.into());
    metadata.insert("source".into(), rng.pick_str(&SOURCES).into());
    metadata.insert("license".into(), rng.pick_str(&LICENSES).into());
    metadata.insert("tags".into(), tags(rng, &PHOTO_TAGS, 4));
    metadata.insert(
        "aesthetic_score".into(),
        round_to(rng.range_f64(0.0, 10.0), 2).into(),
    );
    metadata.insert("n_faces".into(), rng.range_u64(0, 6).into());
    metadata.insert("is_grayscale".into(), rng.chance(0.1).into());
    let exif = json!({
        "make": rng.pick_str(&MAKES),
        "iso": rng.pick(&[100, 200, 400, 800, 1600, 3200]).copied().unwrap_or(100),
        "f_number": rng.pick(&[1.8, 2.8, 4.0, 5.6, 8.0, 11.0]).copied().unwrap_or(4.0),
        "exposure_s": round_to(1.0 / rng.range_f64(30.0, 4000.0), 6),
    });
    metadata.insert("exif".into(), exif);
    if rng.chance(0.4) {
        let (_, lat, lon) = *rng.pick(&CITIES).unwrap_or(&CITIES[0]);
        metadata.insert(
            "lat".into(),
            round_to(lat + rng.range_f64(-0.05, 0.05), 6).into(),
        );
        metadata.insert(
            "lon".into(),
            round_to(lon + rng.range_f64(-0.05, 0.05), 6).into(),
        );
    }
    if rng.chance(0.15) {
        let mut attachments = vec![
            json!({ "attachment": format!("https://docs.example.com/photos/{photo}/consent.pdf") }),
        ];
        if rng.chance(0.5) {
            attachments
                .push(json!({ "attachment": format!("s3://acme-photos/raw/{photo:07}.cr2") }));
        }
        metadata.insert("context_attachments".into(), Value::Array(attachments));
    }

    let mut item = Map::new();
    item.insert("image_location".into(), location.into());
    item.insert("reference_id".into(), format!("photo-{photo:07}").into());
    item.insert("metadata".into(), Value::Object(metadata));
    if rng.chance(0.9) {
        let (width, height) = *rng.pick(&PHOTO_SIZES).unwrap_or(&PHOTO_SIZES[0]);
        item.insert("width".into(), width.into());
        item.insert("height".into(), height.into());
    }
    if rng.chance(0.2) {
        let vector: Vec<Value> = (0..8)
            .map(|_| round_to(rng.range_f64(-1.0, 1.0), 4).into())
            .collect();
        item.insert(
            "embedding_info".into(),
            json!({ "index_id": "idx_clip_vit_b32", "embedding_vector": vector }),
        );
    }
    // Items read back from the server carry these two fields.
    if photo % 45 == 7 {
        let phash: String = (0..64)
            .map(|_| if rng.chance(0.5) { '1' } else { '0' })
            .collect();
        item.insert("phash".into(), phash.into());
        item.insert(
            "dataset_item_id".into(),
            format!("di_{}", rng.hex(20)).into(),
        );
    }
    Value::Object(item)
}

fn tags(rng: &mut Rng, vocabulary: &[&'static str], max: u64) -> Value {
    let n_tags = rng.range_u64(0, max + 1);
    let mut chosen: Vec<&str> = Vec::new();
    for _ in 0..n_tags {
        let tag = rng.pick_str(vocabulary);
        if !chosen.contains(&tag) {
            chosen.push(tag);
        }
    }
    chosen.into()
}

fn uuid_like(rng: &mut Rng) -> String {
    let variant = rng.pick_str(&["8", "9", "a", "b"]);
    format!(
        "{}-{}-4{}-{variant}{}-{}",
        rng.hex(8),
        rng.hex(4),
        rng.hex(3),
        rng.hex(3),
        rng.hex(12)
    )
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;

    fn kind(value: &Value) -> &'static str {
        match value {
            Value::String(_) => "string",
            Value::Number(_) => "number",
            Value::Null => "null",
            _ => "other",
        }
    }

    #[test]
    fn reference_ids_are_unique_and_kinds_consistent() {
        let mut ids = HashSet::new();
        let mut kinds: HashMap<String, &str> = HashMap::new();
        for index in 0..5_000 {
            let item = item(index);
            let id = item["reference_id"].as_str().unwrap().to_owned();
            assert!(ids.insert(id.clone()), "duplicate reference id {id}");
            for (key, value) in item["metadata"].as_object().unwrap() {
                let first = *kinds.entry(key.clone()).or_insert(kind(value));
                assert_eq!(first, kind(value), "key {key} changes kind at {id}");
            }
        }
    }

    #[test]
    fn exactly_one_location_and_point_clouds_are_remote() {
        for index in 0..1_000 {
            let item = item(index);
            let image = item.get("image_location").and_then(Value::as_str);
            let pointcloud = item.get("pointcloud_location").and_then(Value::as_str);
            assert!(image.is_some() != pointcloud.is_some(), "{item}");
            if let Some(location) = pointcloud {
                assert!(
                    ["s3://", "gs://", "https://"]
                        .iter()
                        .any(|s| location.starts_with(s)),
                    "{location}"
                );
                assert!(location.ends_with(".json"));
                assert!(item.get("embedding_info").is_none());
            }
        }
    }

    #[test]
    fn headings_are_unit_and_latitudes_in_range() {
        for index in 0..1_000 {
            let metadata = &item(index)["metadata"];
            if let Some(heading) = metadata.get("camera_params").map(|c| &c["heading"]) {
                let norm: f64 = ["x", "y", "z", "w"]
                    .iter()
                    .map(|k| heading[k].as_f64().unwrap().powi(2))
                    .sum();
                assert!((norm - 1.0).abs() < 1e-12, "{heading}");
            }
            if let Some(lat) = metadata.get("lat") {
                assert!((-90.0..=90.0).contains(&lat.as_f64().unwrap()));
                assert!((-180.0..=180.0).contains(&metadata["lon"].as_f64().unwrap()));
            }
        }
    }

    #[test]
    fn front_camera_looks_along_the_car() {
        // Heading for yaw 0 is SPEC 4's worked example.
        let q = camera_heading(0.0);
        assert_eq!(q, [-0.5, 0.5, -0.5, 0.5]);
        // Yaw 90 degrees: the optical axis (third column of R) is world +y.
        let [x, y, z, w] = camera_heading(PI / 2.0);
        let axis = [
            2.0 * (x * z + w * y),
            2.0 * (y * z - w * x),
            1.0 - 2.0 * (x * x + y * y),
        ];
        assert!(
            (axis[0]).abs() < 1e-12 && (axis[1] - 1.0).abs() < 1e-12 && axis[2].abs() < 1e-12,
            "{axis:?}"
        );
    }

    #[test]
    fn generation_is_deterministic() {
        assert_eq!(item(1234), item(1234));
        assert_ne!(item(1234), item(1235));
    }
}
