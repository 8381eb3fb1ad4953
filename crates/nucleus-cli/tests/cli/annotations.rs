//! `--annotations` and `--predictions` of `check`, `payload` and `normalize`.

use crate::support::{cmd, json_lines, root};

const ITEMS: &str = "examples/items.jsonl";
const SCENE: &str = "examples/scene/scene.jsonl";

#[test]
fn the_example_annotations_check_clean() {
    let run = cmd([
        "check",
        "--annotations",
        "examples/annotations/items.jsonl",
        "--predictions",
        "examples/annotations/predictions.jsonl",
        "--items",
        ITEMS,
    ])
    .exits(0);
    assert_eq!(
        run.stdout,
        "checked 291 annotations in 2 files against 300 items and 0 scenes: 291 valid, 0 invalid; 0 errors, 0 warnings\n"
    );
    cmd([
        "check",
        "--annotations",
        "examples/scene/cuboids.jsonl",
        "examples/annotations/scene.jsonl",
        "--items",
        SCENE,
    ])
    .exits(0);
}

/// The codes of each line of one table of `examples/annotations/mistakes.md`, with those marked
/// "(with `--probe-media`)" when `probing`.
fn expected_codes(section: &str, probing: bool) -> Vec<Vec<String>> {
    let markdown =
        std::fs::read_to_string(root().join("examples/annotations/mistakes.md")).unwrap();
    let table = markdown
        .split("\n## ")
        .find(|part| part.starts_with(section))
        .unwrap();
    table
        .lines()
        .filter(|line| line.starts_with("| ") && !line.starts_with("| line"))
        .map(|line| {
            let expected = line.split(" | ").nth(1).unwrap();
            expected
                .split(", ")
                .filter(|code| *code != "none")
                .filter_map(|code| match code.strip_suffix(" (with `--probe-media`)") {
                    Some(code) => probing.then_some(code),
                    None => Some(code),
                })
                .map(|code| code.trim_matches('`').to_owned())
                .collect()
        })
        .collect()
}

#[test]
fn check_reports_each_mistake_with_its_file_and_line() {
    for (probing, (flag, file, section)) in [false, true].into_iter().flat_map(|probing| {
        [
            (
                "--annotations",
                "examples/annotations/mistakes.jsonl",
                "mistakes.jsonl",
            ),
            (
                "--predictions",
                "examples/annotations/prediction-mistakes.jsonl",
                "prediction-mistakes.jsonl",
            ),
        ]
        .map(|case| (probing, case))
    }) {
        // The mask files are found from the repository's root, where the runs start.
        let probe: &[&str] = if probing { &["--probe-media"] } else { &[] };
        let run = cmd([
            "check", "--format", "json", flag, file, "--items", ITEMS, SCENE,
        ])
        .args(probe)
        .exits(1);
        let findings = json_lines(&run.stdout);
        let (summary, findings) = findings.split_last().unwrap();
        let expected = expected_codes(section, probing);
        let mut found = vec![Vec::new(); expected.len()];
        for finding in findings {
            assert_eq!(finding["file"], file);
            let line = finding["line"].as_u64().unwrap() as usize;
            found[line - 1].push(finding["code"].as_str().unwrap().to_owned());
        }
        assert_eq!(found, expected, "{file}, probing: {probing}");
        assert_eq!(summary["summary"]["annotations"], expected.len());
    }
}

#[test]
fn without_items_only_the_rules_between_annotations_apply() {
    let run = cmd([
        "check",
        "--annotations",
        "examples/annotations/mistakes.jsonl",
    ])
    .exits(1);
    assert!(!run.stdout.contains("unknown-reference-id"));
    assert!(run.stdout.contains("duplicate-annotation-id"));
    assert!(
        run.stdout
            .contains("(no --items: references, image bounds and cameras not checked)")
    );
}

#[test]
fn payload_writes_what_the_sdk_writes() {
    // The example files are the SDK's own payloads.
    for (flag, file) in [
        ("--annotations", "examples/annotations/items.jsonl"),
        ("--predictions", "examples/annotations/predictions.jsonl"),
        ("--annotations", "examples/scene/cuboids.jsonl"),
    ] {
        let run = cmd(["payload", flag, file]).exits(0);
        let original = std::fs::read_to_string(root().join(file)).unwrap();
        assert!(run.stdout == original, "{file}");
    }
    let input = r#"{"label":"car","type":"box","geometry":{"x":1,"y":2,"width":3,"height":4},"dataset_item_id":"di_1","confidence":0.5}
{"label":"car","type":"box","geometry":{"x":1,"y":2,"width":0,"height":4},"reference_id":"a"}
"#;
    let run = cmd(["payload", "--predictions", "-"]).stdin(input).exits(1);
    assert_eq!(
        run.stdout,
        "{\"label\":\"car\",\"type\":\"box\",\"geometry\":{\"x\":1,\"y\":2,\"width\":3,\"height\":4},\"reference_id\":null,\"annotation_id\":\"car-1-2-3-4-None\",\"metadata\":{},\"embedding_vector\":null,\"track_reference_id\":null,\"task_id\":null,\"confidence\":0.5,\"item_id\":\"di_1\"}\n"
    );
    assert!(
        run.stderr
            .starts_with("-:2: error[degenerate-geometry]: /geometry/width")
    );
    // normalize keeps dataset_item_id under the name the reader reads.
    let run = cmd(["normalize", "--predictions", "-"])
        .stdin(input)
        .exits(1);
    assert!(
        run.stdout.contains("\"dataset_item_id\":\"di_1\""),
        "{}",
        run.stdout
    );
}

#[test]
fn misused_flags_are_usage_errors() {
    cmd(["check", "--items", ITEMS]).exits(2);
    cmd([
        "check",
        ITEMS,
        "--annotations",
        "examples/annotations/items.jsonl",
    ])
    .exits(2);
    cmd([
        "check",
        "--scenes",
        "--annotations",
        "examples/annotations/items.jsonl",
    ])
    .exits(2);
    cmd(["check", "--annotations", "does/not/exist.jsonl"]).exits(2);
}

/// A grey `width` × `height` image encoded as `format`.
fn encoded_mask(width: u32, height: u32, format: image::ImageFormat) -> Vec<u8> {
    let mask = image::GrayImage::from_fn(width, height, |x, _| image::Luma([(x % 3) as u8]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    mask.write_to(&mut bytes, format).unwrap();
    bytes.into_inner()
}

#[test]
fn probe_media_reads_each_mask_header_against_its_image() {
    let dir = crate::support::temp_dir("annotation-masks");
    let mirror = dir.join("mirror");
    std::fs::create_dir_all(mirror.join("masks")).unwrap();
    let local = |name: &str, bytes: Vec<u8>| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let right = local("right.png", encoded_mask(32, 24, image::ImageFormat::Png));
    let wrong = local("wrong.png", encoded_mask(24, 32, image::ImageFormat::Png));
    let jpeg = local("jpeg.png", encoded_mask(32, 24, image::ImageFormat::Jpeg));
    let truncated = local(
        "cut.png",
        encoded_mask(32, 24, image::ImageFormat::Png)[..12].to_vec(),
    );
    std::fs::write(
        mirror.join("masks/remote.png"),
        encoded_mask(31, 24, image::ImageFormat::Png),
    )
    .unwrap();
    let items = dir.join("items.jsonl");
    std::fs::write(
        &items,
        (0..7)
            .map(|idx| {
                format!(
                    r#"{{"image_location":"s3://b/{idx}.jpg","reference_id":"img-{idx}","width":32,"height":24}}"#
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
    )
    .unwrap();
    let masks = [
        right.as_str(),
        wrong.as_str(),
        jpeg.as_str(),
        truncated.as_str(),
        "missing.png",
        "s3://bucket/masks/remote.png",
        "s3://bucket/masks/absent.png",
    ];
    let annotations = dir.join("masks.jsonl");
    std::fs::write(
        &annotations,
        masks
            .iter()
            .enumerate()
            .map(|(idx, url)| {
                serde_json::json!({
                    "type": "segmentation", "mask_url": url, "reference_id": format!("img-{idx}"),
                    "annotations": [{"label": "road", "index": 1}],
                })
                .to_string()
            })
            .collect::<Vec<_>>()
            .join("\n"),
    )
    .unwrap();
    let args = |extra: &[&str]| {
        let mut args = vec![
            "check".to_owned(),
            "--format".to_owned(),
            "json".to_owned(),
            "--annotations".to_owned(),
            annotations.to_str().unwrap().to_owned(),
            "--items".to_owned(),
            items.to_str().unwrap().to_owned(),
        ];
        args.extend(extra.iter().map(|arg| (*arg).to_owned()));
        args
    };
    let findings = |run: crate::support::Run| -> Vec<(u64, String, String)> {
        json_lines(&run.stdout)
            .iter()
            .filter(|record| record.get("code").is_some())
            .map(|record| {
                (
                    record["line"].as_u64().unwrap(),
                    record["code"].as_str().unwrap().to_owned(),
                    record["message"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    // Without --probe-media no mask is opened.
    assert!(findings(cmd(args(&[])).exits(0)).is_empty());
    let mirror_arg = mirror.to_str().unwrap();
    let found = findings(cmd(args(&["--probe-media", "--media-dir", mirror_arg])).exits(1));
    let codes: Vec<(u64, &str)> = found
        .iter()
        .map(|(line, code, _)| (*line, code.as_str()))
        .collect();
    assert_eq!(
        codes,
        [
            (2, "mask-size-mismatch"),
            (3, "mask-not-png"),
            (4, "unreadable-media"),
            (5, "missing-media"),
            (6, "mask-size-mismatch"),
            (7, "missing-media"),
        ],
        "{found:#?}"
    );
    assert_eq!(
        found[0].2,
        format!(
            "mask_url \"{wrong}\" is a 24 × 32 PNG, but the image of item \"img-1\" is 32 × 24; a mask has the size of its image"
        )
    );
    assert_eq!(
        found[1].2,
        format!(
            "mask_url \"{jpeg}\" is a 32 × 24 JPEG image, not a PNG; Nucleus reads masks as PNG"
        )
    );
    assert!(found[4].2.contains("31 × 24 PNG"), "{}", found[4].2);
    // Without a mirror, remote masks are not looked for.
    let local_only = findings(cmd(args(&["--probe-media"])).exits(1));
    assert_eq!(
        local_only
            .iter()
            .map(|(line, _, _)| *line)
            .collect::<Vec<_>>(),
        [2, 3, 4, 5]
    );
}

#[test]
fn render_draws_the_2d_annotations_of_the_item() {
    let dir = crate::support::temp_dir("render-annotations");
    let item = dir.join("item.json");
    // A remote image without --media-dir: a blank canvas of the item's size.
    std::fs::write(
        &item,
        r#"{"image_location":"s3://bucket/photo.jpg","reference_id":"photo","width":120,"height":90}"#,
    )
    .unwrap();
    let lines = [
        r#"{"type":"box","label":"car","reference_id":"photo","geometry":{"x":10,"y":20,"width":30,"height":40}}"#,
        r#"{"type":"polygon","label":"road","reference_id":"photo","geometry":{"vertices":[{"x":60,"y":10},{"x":100,"y":10},{"x":80,"y":40}]}}"#,
        r#"{"type":"line","label":"lane","reference_id":"photo","geometry":{"vertices":[{"x":5,"y":85},{"x":115,"y":85}]}}"#,
        r#"{"type":"keypoints","label":"person","reference_id":"photo","geometry":{"keypoints":[{"x":70,"y":60,"visible":true},{"x":100,"y":60,"visible":true},{"x":90,"y":75,"visible":false}],"names":["a","b","c"],"skeleton":[[0,1],[1,2]]}}"#,
        r#"{"type":"box","label":"car","reference_id":"other","geometry":{"x":50,"y":50,"width":5,"height":5}}"#,
        r#"{"type":"box","label":"car","reference_id":"photo","geometry":{"x":1,"y":1,"width":0,"height":1}}"#,
    ];
    let annotations = dir.join("annotations.jsonl");
    std::fs::write(&annotations, lines.join("\n")).unwrap();
    let out = dir.join("out.png");
    let run = cmd([
        "render",
        "--item",
        item.to_str().unwrap(),
        "--annotations",
        annotations.to_str().unwrap(),
        "--line-width",
        "1",
        "-o",
        out.to_str().unwrap(),
    ])
    .exits(0);
    assert!(run.stderr.contains("4 2D annotations"), "{}", run.stderr);
    assert!(run.stderr.contains(":6: not drawn"), "{}", run.stderr);
    let image = image::open(&out).unwrap().to_rgb8();
    assert_eq!(image.dimensions(), (120, 90));
    let blank = *image.get_pixel(0, 0);
    let at = |x: f64, y: f64| *image.get_pixel(x.floor() as u32, y.floor() as u32);
    let number = |value: &serde_json::Value| value.as_f64().unwrap();
    let parsed: Vec<serde_json::Value> = lines
        .iter()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    // The box: its four corners and the middle of each edge are drawn, its centre is not.
    let g = &parsed[0]["geometry"];
    let (x, y) = (number(&g["x"]), number(&g["y"]));
    let (right, bottom) = (x + number(&g["width"]), y + number(&g["height"]));
    let car = at(x, y);
    assert_ne!(car, blank);
    for (px, py) in [
        (right, y),
        (right, bottom),
        (x, bottom),
        ((x + right) / 2.0, y),
        (x, (y + bottom) / 2.0),
    ] {
        assert_eq!(at(px, py), car, "box pixel ({px}, {py})");
    }
    assert_eq!(at((x + right) / 2.0, (y + bottom) / 2.0), blank);
    // The polygon: its vertices in another colour (another label), closed (the last edge's
    // middle is drawn), empty inside.
    let vertices: Vec<(f64, f64)> = parsed[1]["geometry"]["vertices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (number(&v["x"]), number(&v["y"])))
        .collect();
    let road = at(vertices[0].0, vertices[0].1);
    assert!(road != blank && road != car);
    for &(vx, vy) in &vertices {
        assert_eq!(at(vx, vy), road);
    }
    let (first, last) = (vertices[0], vertices[2]);
    assert_eq!(at((first.0 + last.0) / 2.0, (first.1 + last.1) / 2.0), road);
    let centroid = vertices
        .iter()
        .fold((0.0, 0.0), |acc, v| (acc.0 + v.0 / 3.0, acc.1 + v.1 / 3.0));
    assert_eq!(at(centroid.0, centroid.1), blank);
    // The line: both ends and its middle, and nothing past its ends.
    let ends: Vec<(f64, f64)> = parsed[2]["geometry"]["vertices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (number(&v["x"]), number(&v["y"])))
        .collect();
    let lane = at(ends[0].0, ends[0].1);
    assert!(![blank, car, road].contains(&lane));
    assert_eq!(at(ends[1].0, ends[1].1), lane);
    assert_eq!(at((ends[0].0 + ends[1].0) / 2.0, ends[0].1), lane);
    assert_eq!(at(ends[0].0 - 2.0, ends[0].1), blank);
    // Keypoints: squares of 3 pixels (line width 1) at the visible ones, the skeleton edge
    // between them; the invisible keypoint and its edges are not drawn.
    let keypoints = parsed[3]["geometry"]["keypoints"].as_array().unwrap();
    let (ax, ay) = (number(&keypoints[0]["x"]), number(&keypoints[0]["y"]));
    let (bx, by) = (number(&keypoints[1]["x"]), number(&keypoints[1]["y"]));
    let (cx, cy) = (number(&keypoints[2]["x"]), number(&keypoints[2]["y"]));
    let person = at(ax, ay);
    assert!(![blank, car, road, lane].contains(&person));
    for (px, py) in [
        (ax + 1.0, ay + 1.0),
        (bx - 1.0, by - 1.0),
        ((ax + bx) / 2.0, ay),
    ] {
        assert_eq!(at(px, py), person, "keypoint pixel ({px}, {py})");
    }
    assert_eq!(at(ax + 1.0, ay + 3.0), blank);
    assert_eq!(at(cx, cy), blank);
    assert_eq!(at((bx + cx) / 2.0, (by + cy) / 2.0), blank);
    // The box of another item is not drawn.
    let other = &parsed[4]["geometry"];
    assert_eq!(at(number(&other["x"]), number(&other["y"])), blank);
}

#[test]
fn profile_counts_the_annotations_and_skips_invalid_lines() {
    let run = cmd([
        "profile",
        "--annotations",
        "examples/annotations/scene.jsonl",
        "--format",
        "json",
    ])
    .exits(0);
    let profile: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    // Counted from the file itself.
    let text = std::fs::read_to_string(root().join("examples/annotations/scene.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let n_boxes = lines.iter().filter(|line| line["type"] == "box").count();
    assert_eq!(profile["n_annotations"], lines.len());
    assert_eq!(profile["types"]["box"], n_boxes);
    assert_eq!(profile["boxes"]["n_boxes"], n_boxes);
    let cars = lines.iter().filter(|line| line["label"] == "car").count();
    let car = profile["labels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|label| label["label"] == "car")
        .unwrap();
    assert_eq!(car["count"], cars);
    // Invalid lines are reported and make the exit status 1; the text form lists the types.
    let run = cmd([
        "profile",
        "--annotations",
        "examples/annotations/mistakes.jsonl",
    ])
    .exits(1);
    assert!(run.stdout.contains("\ntypes:\n"), "{}", run.stdout);
    assert!(
        run.stderr.contains("skipped 9 invalid lines"),
        "{}",
        run.stderr
    );
    cmd([
        "profile",
        "--annotations",
        "examples/annotations/scene.jsonl",
        "--html",
        "x.html",
    ])
    .exits(2);
}
