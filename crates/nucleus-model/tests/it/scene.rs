//! Scenes: reading the SDK's payloads back to the same text, and every scene rule.

use nucleus_model::{Code, LidarScene, Scene, SceneKind, Severity, read_scene_line};

/// Payloads written by the Python SDK 0.22.3 (`LidarScene.to_payload`, `VideoScene.to_payload`).
const SDK_LIDAR: &str = r#"{"reference_id":"scene-0","frames":[{"lidar":{"metadata":{"n":1},"reference_id":"lidar-0","url":"s3://b/000.json","type":"pointcloud"},"front":{"metadata":{"camera_params":{"position":{"x":0,"y":0,"z":1.5},"heading":{"x":-0.5,"y":0.5,"z":-0.5,"w":0.5},"fx":1000,"fy":1000,"cx":960,"cy":540}},"reference_id":"front-0","url":"s3://b/front-0.jpg","type":"image","camera_params":{"position":{"x":0,"y":0,"z":1.5},"heading":{"x":-0.5,"y":0.5,"z":-0.5,"w":0.5},"fx":1000,"fy":1000,"cx":960,"cy":540}}}],"metadata":{"weather":"rain"}}"#;
const SDK_VIDEO_ITEMS: &str = r#"{"reference_id":"video-0","frame_rate":10,"upload_to_scale":true,"frames":[{"metadata":{},"reference_id":"v0","url":"s3://b/v0.jpg","type":"image"},{"metadata":{},"reference_id":"v1","url":"s3://b/v1.jpg","type":"image"}]}"#;
const SDK_VIDEO_URL: &str =
    r#"{"reference_id":"video-1","video_url":"s3://b/v.mp4","upload_to_scale":true}"#;

/// Reads `input` and asserts the exact `(severity, code, path)` findings; a scene exactly when
/// there is no error.
fn check_scene(input: &str, expected: &[(Severity, Code, &str)]) {
    let reading = read_scene_line(input);
    crate::assert_findings(
        input,
        &reading.diagnostics,
        reading.scene.is_some(),
        expected,
    );
}

#[test]
fn sdk_payloads_read_back_to_the_same_text() {
    for (text, kind) in [
        (SDK_LIDAR, SceneKind::Lidar),
        (SDK_VIDEO_ITEMS, SceneKind::Video),
        (SDK_VIDEO_URL, SceneKind::Video),
    ] {
        let reading = read_scene_line(text);
        assert_eq!(reading.kind, Some(kind));
        assert!(reading.diagnostics.is_empty(), "{:#?}", reading.diagnostics);
        let scene = reading.scene.unwrap();
        assert_eq!(scene.to_payload().unwrap().to_string(), text);
    }
}

#[test]
fn lidar_scene_accessors() {
    let Scene::Lidar(scene) = Scene::from_json(SDK_LIDAR).unwrap() else {
        panic!("not a lidar scene");
    };
    assert_eq!(scene.reference_id().as_str(), "scene-0");
    assert_eq!(scene.lidar_sensor(), Some("lidar"));
    assert_eq!(scene.sensors(), ["lidar", "front"]);
    let frame = scene.frame(0).unwrap();
    assert_eq!(
        frame.pointcloud().unwrap().1.reference_id().as_str(),
        "lidar-0"
    );
    assert!(
        frame
            .item("front")
            .unwrap()
            .camera_params()
            .unwrap()
            .is_some()
    );
    assert!(scene.frame(1).is_none());
}

fn lidar(frames: &str) -> String {
    format!(r#"{{"reference_id": "s", "frames": {frames}}}"#)
}

const CAMERA: &str = r#"{"position":{"x":0,"y":0,"z":1.5},"heading":{"x":-0.5,"y":0.5,"z":-0.5,"w":0.5},"fx":1000,"fy":1000,"cx":960,"cy":540}"#;

fn image(reference_id: &str) -> String {
    format!(
        r#"{{"image_location": "s3://b/{reference_id}.jpg", "reference_id": "{reference_id}", "metadata": {{"camera_params": {CAMERA}}}}}"#
    )
}

fn cloud(reference_id: &str) -> String {
    format!(
        r#"{{"pointcloud_location": "s3://b/{reference_id}.json", "reference_id": "{reference_id}"}}"#
    )
}

#[test]
fn lidar_rules_name_the_frame_and_sensor() {
    use Severity::{Error, Warning};
    // Two point clouds in frame 0, none in frame 1.
    check_scene(
        &lidar(&format!(
            r#"[{{"a": {}, "b": {}}}, {{"cam": {}}}]"#,
            cloud("p0"),
            cloud("p1"),
            image("i1")
        )),
        &[
            (Error, Code::InvalidLidarFrame, "/frames/0"),
            (Error, Code::InvalidLidarFrame, "/frames/1"),
        ],
    );
    // The lidar sensor changes name; a reference id repeats; an image lacks camera_params.
    check_scene(
        &lidar(&format!(
            r#"[{{"lidar": {}, "cam": {}}}, {{"top": {}, "cam": {}}}, {{"lidar": {}, "cam": {}}}]"#,
            cloud("p0"),
            image("i0"),
            cloud("p1"),
            image("i0"),
            cloud("p2"),
            r#"{"image_location": "s3://b/x.jpg", "reference_id": "x"}"#
        )),
        &[
            (Warning, Code::MissingCameraParams, "/frames/2/cam/metadata"),
            (Error, Code::InvalidLidarFrame, "/frames/1/top"),
            (
                Error,
                Code::DuplicateReferenceId,
                "/frames/1/cam/reference_id",
            ),
        ],
    );
    // Item findings are placed below their frame and sensor.
    check_scene(
        &lidar(&format!(
            r#"[{{"lidar": {}, "cam": {{"image_location": "s3://b/1.jpg", "reference_id": "c", "metadata": {{"camera_params": {{"fx": 1}}}}}}}}]"#,
            cloud("p0")
        )),
        &[(
            Error,
            Code::InvalidCameraParams,
            "/frames/0/cam/metadata/camera_params/position",
        )],
    );
    check_scene(&lidar("[]"), &[(Error, Code::InvalidScene, "/frames")]);
    check_scene(&lidar("[7]"), &[(Error, Code::InvalidScene, "/frames/0")]);
    check_scene(
        r#"{"frames": [], "referenceid": 1}"#,
        &[
            (Warning, Code::UnknownField, "/referenceid"),
            (Error, Code::MissingReferenceId, "/reference_id"),
            (Error, Code::InvalidScene, "/frames"),
        ],
    );
    check_scene("[1]", &[(Error, Code::NotAnObject, "")]);
}

#[test]
fn video_rules() {
    use Severity::Error;
    let items = format!("[{}, {}]", image("v0"), image("v1"));
    check_scene(
        &format!(r#"{{"reference_id": "v", "frames": {items}}}"#),
        &[(Error, Code::InvalidScene, "/frame_rate")],
    );
    check_scene(
        &format!(
            r#"{{"reference_id": "v", "frame_rate": 5, "video_url": "s3://b/v.mp4", "frames": {items}}}"#
        ),
        &[(Error, Code::InvalidScene, "/video_url")],
    );
    check_scene(
        &format!(
            r#"{{"reference_id": "v", "frame_rate": 5, "video_url": "s3://b/v.mp4", "upload_to_scale": false, "frames": {items}}}"#
        ),
        &[],
    );
    check_scene(
        &format!(
            r#"{{"reference_id": "v", "frame_rate": 5, "frames": [{}, {}]}}"#,
            image("v0"),
            cloud("v0")
        ),
        &[
            (Error, Code::InvalidScene, "/frames/1"),
            (Error, Code::DuplicateReferenceId, "/frames/1/reference_id"),
        ],
    );
    check_scene(
        r#"{"reference_id": "v", "frame_rate": 5, "video_url": "s3://b/v.mp4"}"#,
        &[(Error, Code::InvalidScene, "/frame_rate")],
    ); // A malformed video_url is that finding alone (the scene still has a video_url).
    check_scene(
        r#"{"reference_id": "v", "video_url": "https://[fe80::1/v.mp4"}"#,
        &[(Error, Code::InvalidLocation, "/video_url")],
    );
}

#[test]
fn constructors_check_like_the_sdk() {
    use nucleus_model::{DatasetItem, Frame, Location, ReferenceId, SceneError};
    let item = |kind: &str, id: &str| {
        let location = Location::new(format!("s3://b/{id}")).unwrap();
        let reference_id = ReferenceId::new(id).unwrap();
        if kind == "pc" {
            DatasetItem::pointcloud(location, reference_id)
        } else {
            DatasetItem::image(location, reference_id)
        }
    };
    let errors = LidarScene::new(ReferenceId::new("s").unwrap(), vec![]).unwrap_err();
    assert_eq!(errors, [SceneError::NoFrames]);
    let frames = vec![
        Frame::new()
            .with_item("lidar", item("pc", "p0"))
            .with_item("cam", item("im", "i0")),
        Frame::new().with_item("cam", item("im", "i1")),
    ];
    let errors = LidarScene::new(ReferenceId::new("s").unwrap(), frames).unwrap_err();
    assert_eq!(
        errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["frame 1: a lidar frame has exactly one point cloud, found none"]
    );
}

mod properties {
    use nucleus_model::{
        DatasetItem, Frame, LidarScene, Location, Metadata, ReferenceId, Scene, read_scene,
    };
    use proptest::prelude::*;
    use serde_json::json;

    fn item(kind: u8, id: String, n: i64) -> DatasetItem {
        let reference_id = ReferenceId::new(id.clone()).unwrap();
        let mut metadata = serde_json::Map::new();
        metadata.insert("n".to_owned(), json!(n));
        if kind == 0 {
            DatasetItem::pointcloud(Location::new(format!("s3://b/{id}.json")).unwrap(), reference_id)
        } else {
            metadata.insert(
                "camera_params".to_owned(),
                json!({"position": {"x": n, "y": 0, "z": 1.5}, "heading": {"x": -0.5, "y": 0.5, "z": -0.5, "w": 0.5}, "fx": 1000.0, "fy": 1000, "cx": 960, "cy": 540.5, "k1": 0.0}),
            );
            DatasetItem::image(Location::new(format!("gs://b/{id}.jpg")).unwrap(), reference_id)
                .with_dimensions(1920, 1080)
                .unwrap()
        }
        .with_metadata(Metadata::from_map(metadata))
    }

    prop_compose! {
        fn lidar_scene()(n_frames in 1usize..5, n_cameras in 0usize..4, n in any::<i64>(), weather in "[a-z]{0,8}") -> LidarScene {
            let frames = (0..n_frames)
                .map(|f| {
                    let mut frame = Frame::new().with_item("lidar", item(0, format!("lidar/{f}"), n));
                    for c in 0..n_cameras {
                        frame.add_item(format!("cam~{c}/x"), item(1, format!("cam{c}/{f}"), n));
                    }
                    frame
                })
                .collect();
            let mut metadata = serde_json::Map::new();
            if !weather.is_empty() {
                metadata.insert("weather".to_owned(), json!(weather));
            }
            LidarScene::new(ReferenceId::new("scene").unwrap(), frames)
                .unwrap()
                .with_metadata(Metadata::from_map(metadata))
        }
    }

    proptest! {
        /// read → write → read is the identity, and writing again gives the same text.
        #[test]
        fn lidar_scenes_round_trip_through_the_payload(scene in lidar_scene()) {
            let scene = Scene::Lidar(scene);
            let payload = scene.to_payload().unwrap();
            let reading = read_scene(payload.clone());
            prop_assert!(reading.diagnostics.is_empty(), "{:#?}", reading.diagnostics);
            let again = reading.scene.unwrap();
            prop_assert_eq!(&again, &scene);
            prop_assert_eq!(again.to_payload().unwrap(), payload);
            // Every item pointer resolves to that item's object in the payload.
            let payload = scene.to_payload().unwrap();
            for (pointer, item) in scene.items_with_pointers() {
                let object = payload.pointer(&pointer).unwrap();
                prop_assert_eq!(object["reference_id"].as_str(), Some(item.reference_id().as_str()));
            }
        }
    }
}
