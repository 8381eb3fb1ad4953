//! The rules across files, through one helper: items (and scenes) first, then annotations.

use std::ops::ControlFlow;

use nucleus_annotation::Role;
use nucleus_annotation::check::{CheckConfig, ItemIndex, check_annotations};
use nucleus_lines::StreamConfig;

const ITEMS: &str = r#"{"image_location":"s3://b/1.jpg","reference_id":"img-1","width":640,"height":400}
{"image_location":"s3://b/2.jpg","reference_id":"img-2","dataset_item_id":"di_2"}
{"pointcloud_location":"s3://b/3.json","reference_id":"pc-3"}
{"image_location":"s3://b/4.jpg","reference_id":"img-4","width":0}
"#;

/// A lidar scene with one camera 1.5 m up looking along +X (fx 400, 640 × 400 image).
const SCENE: &str = r#"{"reference_id":"scene-1","frames":[{"lidar":{"pointcloud_location":"s3://b/l0.json","reference_id":"scene-1/lidar/0"},"front":{"image_location":"s3://b/f0.jpg","reference_id":"scene-1/front/0","width":640,"height":400,"metadata":{"camera_params":{"position":{"x":0,"y":0,"z":1.5},"heading":{"x":-0.5,"y":0.5,"z":-0.5,"w":0.5},"fx":400,"fy":400,"cx":320,"cy":200}}}}]}
"#;

/// Runs the check of `files` (name, text) against `ITEMS` and `SCENE` (or no items) and
/// returns each finding as `file:line code path`.
fn run(role: Role, with_items: bool, files: &[(&str, &str)]) -> Vec<String> {
    let stream = StreamConfig::default().jobs(2).chunk_bytes(64);
    let index = ItemIndex::read([ITEMS.as_bytes(), SCENE.as_bytes()], &stream).unwrap();
    let inputs = files
        .iter()
        .map(|(name, text)| ((*name).to_owned(), text.as_bytes()));
    let mut findings = Vec::new();
    let config = CheckConfig::new(role).with_stream(stream);
    let summary = check_annotations(with_items.then_some(&index), inputs, &config, |file, d| {
        let related = d
            .related_line
            .map(|l| format!(" (see {l})"))
            .unwrap_or_default();
        findings.push(format!(
            "{file}:{} {} {}{related}",
            d.line.unwrap(),
            d.code,
            d.path
        ));
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!(
        summary.n_errors + summary.n_warnings,
        findings.len() as u64,
        "{findings:#?}"
    );
    findings
}

fn check(role: Role, annotations: &str, expected: &[&str]) {
    let actual = run(role, true, &[("a.jsonl", annotations)]);
    assert_eq!(actual, expected, "{actual:#?}");
}

fn bx(reference_id: &str, x: f64, y: f64, w: f64, h: f64) -> String {
    format!(
        r#"{{"label":"car","type":"box","geometry":{{"x":{x},"y":{y},"width":{w},"height":{h}}},"reference_id":"{reference_id}"}}"#
    )
}

#[test]
fn the_index_keeps_items_scenes_and_cameras() {
    let stream = StreamConfig::default();
    let index = ItemIndex::read([ITEMS.as_bytes(), SCENE.as_bytes()], &stream).unwrap();
    assert_eq!(index.len(), 6);
    assert_eq!(index.n_scenes(), 1);
    // img-4 has width 0: its line is unreadable, yet its reference id is known.
    assert_eq!(index.n_unreadable(), 1);
    assert_eq!(index.item("img-4").unwrap().item_type(), None);
    assert_eq!(index.item("img-1").unwrap().dimensions(), Some((640, 400)));
    let lidar = index.item("scene-1/lidar/0").unwrap();
    assert_eq!(index.cameras(lidar).len(), 1);
    assert_eq!(index.cameras(lidar)[0].sensor(), "front");
    assert!(index.cameras(index.item("img-1").unwrap()).is_empty());
}

#[test]
fn references_resolve_to_items_of_the_right_type() {
    let lines = [
        bx("img-1", 10.0, 10.0, 5.0, 5.0),
        bx("img-9", 10.0, 10.0, 5.0, 5.0),
        bx("pc-3", 10.0, 10.0, 5.0, 5.0),
        bx("img-4", 10.0, 10.0, 5.0, 5.0),
        bx("scene-1", 10.0, 10.0, 5.0, 5.0),
        r#"{"label":"car","type":"cuboid","geometry":{"position":{"x":1,"y":2,"z":3},"dimensions":{"x":1,"y":2,"z":3},"yaw":0},"reference_id":"img-2"}"#.to_owned(),
        r#"{"label":"rainy","type":"category","reference_id":"scene-1"}"#.to_owned(),
        r#"{"label":"rainy","type":"category","reference_id":"pc-3"}"#.to_owned(),
    ];
    check(
        Role::Annotation,
        &lines.join("\n"),
        &[
            "a.jsonl:2 unknown-reference-id /reference_id",
            "a.jsonl:3 wrong-item-type /type",
            "a.jsonl:5 unknown-reference-id /reference_id",
            "a.jsonl:6 wrong-item-type /type",
        ],
    );
}

#[test]
fn predictions_resolve_by_dataset_item_id() {
    let lines = [
        r#"{"label":"car","type":"box","geometry":{"x":1,"y":2,"width":3,"height":4},"dataset_item_id":"di_2"}"#,
        r#"{"label":"car","type":"box","geometry":{"x":1,"y":2,"width":3,"height":4},"dataset_item_id":"di_9"}"#,
    ];
    check(
        Role::Prediction,
        &lines.join("\n"),
        &["a.jsonl:2 unknown-reference-id /dataset_item_id"],
    );
}

#[test]
fn geometry_lies_inside_the_image() {
    let lines = [
        bx("img-1", 0.0, 0.0, 640.0, 400.0),
        bx("img-1", 600.0, 10.0, 50.0, 5.0),
        bx("img-1", -0.5, 10.0, 50.0, 5.0),
        // No width or height: nothing to check against.
        bx("img-2", 6000.0, 10.0, 50.0, 5.0),
        r#"{"label":"road","type":"polygon","geometry":{"vertices":[{"x":0,"y":0},{"x":640,"y":0},{"x":700,"y":400},{"x":0,"y":401}]},"reference_id":"img-1"}"#.to_owned(),
        r#"{"label":"p","type":"keypoints","geometry":{"keypoints":[{"x":1,"y":1,"visible":true},{"x":-5,"y":-5,"visible":false},{"x":10,"y":500,"visible":true}],"names":["a","b","c"]},"reference_id":"img-1"}"#.to_owned(),
    ];
    check(
        Role::Annotation,
        &lines.join("\n"),
        &[
            "a.jsonl:2 outside-image /geometry",
            "a.jsonl:3 outside-image /geometry",
            "a.jsonl:5 outside-image /geometry/vertices/2",
            "a.jsonl:6 outside-image /geometry/keypoints/2",
        ],
    );
}

#[test]
fn a_cuboid_is_seen_by_a_camera_of_its_frame() {
    let cuboid = |x: f64, y: f64| {
        format!(
            r#"{{"label":"car","type":"cuboid","geometry":{{"position":{{"x":{x},"y":{y},"z":0.8}},"dimensions":{{"x":4,"y":2,"z":1.6}},"yaw":0}},"reference_id":"scene-1/lidar/0","annotation_id":"c{x}{y}"}}"#
        )
    };
    let lines = [
        cuboid(10.0, 0.0),  // ahead
        cuboid(-10.0, 0.0), // behind the only camera
        cuboid(10.0, 60.0), // far to the left of a 77° field of view
        cuboid(3.0, 5.0),   // partly in view: a corner enters the image
    ];
    check(
        Role::Annotation,
        &lines.join("\n"),
        &[
            "a.jsonl:2 cuboid-not-visible /geometry",
            "a.jsonl:3 cuboid-not-visible /geometry",
        ],
    );
    // A point cloud outside any scene has no camera: nothing to say.
    check(
        Role::Annotation,
        r#"{"label":"car","type":"cuboid","geometry":{"position":{"x":-10,"y":0,"z":0},"dimensions":{"x":1,"y":1,"z":1},"yaw":0},"reference_id":"pc-3"}"#,
        &[],
    );
}

#[test]
fn annotation_ids_are_unique_per_item() {
    let with_id = |reference_id: &str, id: &str| {
        format!(
            r#"{{"label":"lane","type":"line","geometry":{{"vertices":[{{"x":1,"y":1}},{{"x":2,"y":2}}]}},"reference_id":"{reference_id}","annotation_id":"{id}"}}"#
        )
    };
    let mask = r#"{"type":"mask","mask_url":"m.png","annotations":[{"label":"road","index":1}],"reference_id":"img-1"}"#;
    let lines = [
        with_id("img-1", "a"),
        with_id("img-2", "a"),
        with_id("img-1", "b"),
        with_id("img-1", "a"),
        // Identical boxes get the same generated id.
        bx("img-1", 1.0, 1.0, 2.0, 2.0),
        bx("img-1", 1.0, 1.0, 2.0, 2.0),
        mask.to_owned(),
        mask.to_owned(),
    ];
    check(
        Role::Annotation,
        &lines.join("\n"),
        &[
            "a.jsonl:4 duplicate-annotation-id /annotation_id (see 1)",
            "a.jsonl:6 duplicate-annotation-id /annotation_id (see 5)",
            "a.jsonl:8 duplicate-annotation-id /reference_id (see 7)",
        ],
    );
    // Across files: the second file's line names the first file.
    let findings = run(
        Role::Annotation,
        false,
        &[
            ("a.jsonl", &with_id("img-1", "a")),
            ("b.jsonl", &with_id("img-1", "a")),
        ],
    );
    assert_eq!(
        findings,
        ["b.jsonl:1 duplicate-annotation-id /annotation_id"]
    );
}

#[test]
fn labels_and_tracks() {
    let labelled = |label: &str, track: &str| {
        format!(
            r#"{{"label":"{label}","type":"category","reference_id":"img-1","track_reference_id":"{track}"}}"#
        )
    };
    let lines = [
        labelled("Car", "t1"),
        labelled("car ", "t2"),
        labelled("car ", "t2"),
        labelled("CAR", "t3"),
        labelled("truck", "t1"),
        r#"{"labels":["bus","Bus"],"type":"multicategory","reference_id":"img-1"}"#.to_owned(),
    ];
    check(
        Role::Annotation,
        &lines.join("\n"),
        &[
            "a.jsonl:2 similar-labels /label (see 1)",
            "a.jsonl:4 similar-labels /label (see 1)",
            "a.jsonl:5 track-label-conflict /label (see 1)",
            "a.jsonl:6 similar-labels /labels/1 (see 6)",
        ],
    );
}

#[test]
fn reading_findings_come_with_their_lines_and_stop_nothing() {
    let lines = [
        "not json".to_owned(),
        bx("img-1", 1.0, 1.0, 0.0, 2.0),
        String::new(),
        bx("img-9", 1.0, 1.0, 2.0, 2.0),
    ];
    check(
        Role::Annotation,
        &lines.join("\n"),
        &[
            "a.jsonl:1 invalid-json ",
            "a.jsonl:2 degenerate-geometry /geometry/width",
            "a.jsonl:4 unknown-reference-id /reference_id",
        ],
    );
    // Without items, only the rules between annotations apply.
    assert!(
        run(
            Role::Annotation,
            false,
            &[("a.jsonl", &bx("img-9", 1.0, 1.0, 2.0, 2.0))]
        )
        .is_empty()
    );
}

#[test]
fn findings_do_not_depend_on_threads_or_chunks() {
    let mut lines = Vec::new();
    for idx in 0..200 {
        lines.push(bx(
            &format!("img-{}", idx % 5),
            f64::from(idx % 7) * 100.0,
            1.0,
            2.0,
            2.0,
        ));
    }
    let text = lines.join("\n");
    let index = ItemIndex::read([ITEMS.as_bytes()], &StreamConfig::default()).unwrap();
    let findings = |stream: StreamConfig| {
        let mut out = Vec::new();
        let config = CheckConfig::new(Role::Annotation).with_stream(stream);
        check_annotations(
            Some(&index),
            [("a".to_owned(), text.as_bytes())],
            &config,
            |_, d| {
                out.push(d);
                ControlFlow::Continue(())
            },
        )
        .unwrap();
        out
    };
    let sequential = findings(StreamConfig::default().jobs(1));
    assert!(sequential.len() > 100);
    assert_eq!(
        findings(StreamConfig::default().jobs(3).chunk_bytes(100)),
        sequential
    );
}

#[test]
fn the_driver_adds_up_both_roles_and_stops_at_max_errors() {
    use nucleus_annotation::check::AnnotationCheck;

    let stream = StreamConfig::default().jobs(2).chunk_bytes(64);
    let index = ItemIndex::read([ITEMS.as_bytes(), SCENE.as_bytes()], &stream).unwrap();
    let annotations = [
        bx("img-1", 1.0, 1.0, 2.0, 2.0),
        bx("img-1", 630.0, 1.0, 20.0, 2.0),
        bx("img-9", 1.0, 1.0, 2.0, 2.0),
    ]
    .join("\n");
    let predictions = r#"{"label":"car","type":"box","geometry":{"x":1,"y":1,"width":2,"height":2},"reference_id":"img-1","confidence":2}"#;
    let run = |max_errors: Option<u64>| {
        let mut check =
            AnnotationCheck::new(Some(index.clone()), stream.clone()).max_errors(max_errors);
        let mut findings = Vec::new();
        for (role, name, text) in [
            (Role::Annotation, "a.jsonl", annotations.as_str()),
            (Role::Prediction, "p.jsonl", predictions),
        ] {
            check
                .read(role, [(name.to_owned(), text.as_bytes())], |file, d| {
                    findings.push(format!("{file}:{} {}", d.line.unwrap(), d.code));
                    ControlFlow::Continue(())
                })
                .unwrap();
        }
        (findings, check.finish())
    };
    let (findings, summary) = run(None);
    assert_eq!(
        findings,
        [
            "a.jsonl:2 outside-image",
            "a.jsonl:3 unknown-reference-id",
            "p.jsonl:1 invalid-confidence"
        ]
    );
    assert_eq!(
        (summary.annotations, summary.valid, summary.invalid),
        (4, 1, 3)
    );
    assert_eq!((summary.errors, summary.warnings), (3, 0));
    assert_eq!(summary.codes.get("outside-image"), Some(&1));
    assert_eq!(summary.files, ["a.jsonl", "p.jsonl"]);
    assert_eq!((summary.items, summary.scenes), (index.len(), 1));
    assert!(!summary.stopped_early);
    // Stopped at the second error: the predictions are not read.
    let (findings, summary) = run(Some(2));
    assert_eq!(
        findings,
        ["a.jsonl:2 outside-image", "a.jsonl:3 unknown-reference-id"]
    );
    assert!(summary.stopped_early);
    assert_eq!(summary.files, ["a.jsonl"]);
    let json = serde_json::to_value(&summary).unwrap();
    assert_eq!(json["stopped_early"], true);
    assert_eq!(json["codes"]["unknown-reference-id"], 1);
}

/// Masks of known sizes by name; `jpeg.png` is a JPEG, `remote` is not here, others are missing.
struct FakeMasks;

impl nucleus_annotation::check::MaskReader for FakeMasks {
    fn read_mask(
        &self,
        mask_url: &str,
        pointer: &str,
    ) -> Result<Option<nucleus_annotation::check::MaskHeader>, nucleus_model::Diagnostic> {
        use nucleus_annotation::check::MaskHeader;
        match mask_url {
            "640x400.png" => Ok(Some(MaskHeader::new("PNG", true, 640, 400))),
            "640x401.png" => Ok(Some(MaskHeader::new("PNG", true, 640, 401))),
            "jpeg.png" => Ok(Some(MaskHeader::new("JPEG", false, 640, 400))),
            "s3://b/remote.png" => Ok(None),
            _ => Err(nucleus_model::Diagnostic::error(
                nucleus_model::Code::MissingMedia,
                pointer,
                format!("no such file {mask_url}"),
            )),
        }
    }
}

#[test]
fn a_mask_is_a_png_of_its_image_size() {
    use nucleus_annotation::check::AnnotationCheck;

    let mask = |reference_id: &str, url: &str| {
        format!(
            r#"{{"type":"segmentation","mask_url":"{url}","annotations":[{{"label":"road","index":1}}],"reference_id":"{reference_id}"}}"#
        )
    };
    let lines = [
        mask("img-1", "640x400.png"),
        mask("img-1", "640x401.png"),
        mask("img-1", "jpeg.png"),
        mask("img-1", "s3://b/remote.png"),
        mask("img-1", "missing.png"),
        // No width/height on img-2: the file is read, its size not compared.
        mask("img-2", "640x401.png"),
        mask("img-2", "missing.png"),
        // A mask on a point cloud is wrong-item-type; its file is still read.
        mask("pc-3", "640x401.png"),
    ];
    let text = lines.join("\n");
    let stream = StreamConfig::default().jobs(2).chunk_bytes(64);
    let index = ItemIndex::read([ITEMS.as_bytes()], &stream).unwrap();
    let run = |index: Option<ItemIndex>, masks: bool| {
        let mut check = AnnotationCheck::new(index, stream.clone());
        if masks {
            check = check.masks(Box::new(FakeMasks));
        }
        let mut findings = Vec::new();
        check
            .read(
                Role::Annotation,
                [("a".to_owned(), text.as_bytes())],
                |_, d| {
                    findings.push((
                        d.line.unwrap(),
                        d.code.as_str(),
                        d.path.clone(),
                        d.message.clone(),
                    ));
                    ControlFlow::Continue(())
                },
            )
            .unwrap();
        findings
    };
    let findings = run(Some(index.clone()), true);
    let codes: Vec<(u64, &str)> = findings
        .iter()
        .filter(|(_, code, _, _)| *code != "duplicate-annotation-id")
        .map(|(line, code, _, _)| (*line, *code))
        .collect();
    assert_eq!(
        codes,
        [
            (2, "mask-size-mismatch"),
            (3, "mask-not-png"),
            (5, "missing-media"),
            (7, "missing-media"),
            (8, "wrong-item-type"),
        ]
    );
    let (_, _, path, message) = findings.iter().find(|(line, _, _, _)| *line == 2).unwrap();
    assert_eq!(path, "/mask_url");
    assert_eq!(
        message,
        "mask_url \"640x401.png\" is a 640 × 401 PNG, but the image of item \"img-1\" is 640 × 400; a mask has the size of its image"
    );
    // Without items, files are read but sizes not compared; without a reader, nothing is read.
    let alone: Vec<(u64, &str)> = run(None, true)
        .iter()
        .filter(|(_, code, _, _)| *code != "duplicate-annotation-id")
        .map(|(line, code, _, _)| (*line, *code))
        .collect();
    assert_eq!(
        alone,
        [
            (3, "mask-not-png"),
            (5, "missing-media"),
            (7, "missing-media")
        ]
    );
    assert!(
        run(Some(index), false)
            .iter()
            .all(|(_, code, _, _)| !code.starts_with("mask") && *code != "missing-media")
    );
}
