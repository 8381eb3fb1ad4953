//! End-to-end tests of the `nucleus` binary: exit codes, output shapes, line handling.

// Test helpers outside #[test] functions may fail loudly: that is how a test reports.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/mod.rs"]
mod support;

use std::process::{Command, Stdio};

use serde_json::Value;
use support::{json_lines, nucleus, root, temp_dir};

#[test]
fn check_examples_is_clean() {
    let run = nucleus(&["check", "examples/items.jsonl"], b"");
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .starts_with("checked 300 items in 1 file: 300 valid, 0 invalid; 0 errors, 0 warnings"),
        "{}",
        run.stdout
    );
}

/// The expected codes of `examples/mistakes.jsonl`, line by line (see examples/mistakes.md).
const MISTAKES: &[(u64, &str)] = &[
    (2, "multiple-locations"),
    (3, "missing-location"),
    (4, "empty-location"),
    (5, "missing-reference-id"),
    (6, "empty-reference-id"),
    (7, "invalid-reference-id"),
    (8, "metadata-not-an-object"),
    (9, "invalid-dimension"),
    (10, "invalid-dimension"),
    (11, "embedding-on-pointcloud"),
    (12, "invalid-embedding"),
    (13, "invalid-camera-params"),
    (14, "invalid-camera-params"),
    (15, "invalid-camera-params"),
    (16, "invalid-coordinate"),
    (17, "unpaired-coordinate"),
    (18, "invalid-context-attachments"),
    (19, "invalid-context-attachments"),
    (20, "local-pointcloud"),
    (21, "gcs-scheme"),
    (22, "type-conflict"),
    (23, "mixed-kinds"),
    (24, "duplicate-reference-id"),
    (25, "unknown-field"),
    (25, "missing-location"),
    (26, "unknown-field"),
    (27, "invalid-json"),
    (28, "invalid-json"),
    (29, "not-an-object"),
    (30, "duplicate-key"),
    (31, "integer-too-large"),
    (32, "number-out-of-range"),
    (33, "too-deeply-nested"),
    (34, "conflicting-locations"),
    (35, "invalid-location"),
    (36, "unknown-url-extension"),
    (37, "invalid-field"),
    (38, "type-mismatch"),
    (39, "ignored-camera-params"),
];

#[test]
fn check_mistakes_reports_each_line_in_json() {
    let run = nucleus(
        &["check", "--format", "json", "examples/mistakes.jsonl"],
        b"",
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut lines = json_lines(&run.stdout);
    let summary = lines.pop().unwrap();
    let actual: Vec<(u64, String)> = lines
        .iter()
        .map(|d| {
            assert_eq!(d["file"], "examples/mistakes.jsonl");
            assert!(d["path"].is_string() && d["message"].is_string());
            assert!(d["severity"] == "error" || d["severity"] == "warning");
            (
                d["line"].as_u64().unwrap(),
                d["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(u64, String)> = MISTAKES
        .iter()
        .map(|(l, c)| (*l, (*c).to_owned()))
        .collect();
    assert_eq!(actual, expected);
    let summary = &summary["summary"];
    assert_eq!(summary["items"], 39);
    assert_eq!(summary["invalid"], 29);
    assert_eq!(summary["codes"]["invalid-camera-params"], 3);
    // The type conflict names the line that set the first kind.
    let conflict = lines.iter().find(|d| d["code"] == "type-conflict").unwrap();
    assert_eq!(conflict["related_line"], 1);
    assert_eq!(conflict["path"], "/metadata/frame_id");
}

#[test]
fn check_output_does_not_depend_on_jobs() {
    let one = nucleus(
        &[
            "check",
            "-j1",
            "--format",
            "json",
            "examples/mistakes.jsonl",
            "examples/items.jsonl",
        ],
        b"",
    );
    let two = nucleus(
        &[
            "check",
            "-j2",
            "--format",
            "json",
            "examples/mistakes.jsonl",
            "examples/items.jsonl",
        ],
        b"",
    );
    let strip = |text: &str| -> Vec<Value> {
        json_lines(text)
            .into_iter()
            .filter(|v| v.get("summary").is_none())
            .collect()
    };
    assert_eq!(strip(&one.stdout), strip(&two.stdout));
    assert_eq!(one.code, 1);
}

#[test]
fn check_across_files_names_the_other_file() {
    let run = nucleus(
        &["check", "examples/items.jsonl", "examples/items.jsonl"],
        b"",
    );
    assert_eq!(run.code, 1);
    let first = run.stdout.lines().next().unwrap();
    assert!(
        first.starts_with("examples/items.jsonl:1: error[duplicate-reference-id]"),
        "{first}"
    );
    assert!(
        first.contains("at line 1 of examples/items.jsonl"),
        "{first}"
    );
}

#[test]
fn check_max_errors_and_quiet() {
    let run = nucleus(
        &["check", "--max-errors", "2", "examples/mistakes.jsonl"],
        b"",
    );
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout
            .lines()
            .filter(|l| l.contains(": error["))
            .count(),
        2
    );
    assert!(
        run.stdout.contains("stopped after 2 errors"),
        "{}",
        run.stdout
    );
    let quiet = nucleus(&["check", "-q", "examples/mistakes.jsonl"], b"");
    assert_eq!((quiet.code, quiet.stdout.as_str()), (1, ""));
}

#[test]
fn check_against_an_existing_schema() {
    let dir = temp_dir("schema-file");
    let schema = dir.join("kinds.json");
    std::fs::write(&schema, r#"{"keys": {"weather": "number"}}"#).unwrap();
    let item =
        br#"{"image_location":"s3://b/1.jpg","reference_id":"1","metadata":{"weather":"rain"}}"#;
    let run = nucleus(&["check", "--schema", schema.to_str().unwrap(), "-"], item);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("-:1: error[type-conflict]"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("existing dataset"), "{}", run.stdout);
    std::fs::write(&schema, r#"{"keys": {"weather": "float"}}"#).unwrap();
    let bad = nucleus(&["check", "--schema", schema.to_str().unwrap(), "-"], item);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("unknown variant `float`"),
        "{}",
        bad.stderr
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn could_not_run_is_exit_2() {
    let run = nucleus(&["check", "does/not/exist.jsonl"], b"");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("nucleus: error: cannot open does/not/exist.jsonl"),
        "{}",
        run.stderr
    );
    assert_eq!(nucleus(&["check", "--no-such-flag"], b"").code, 2);
}

#[test]
fn payload_writes_accepted_lines_and_reports_the_rest() {
    let input = "\u{feff}{\"image_url\":\"s3://b/1.jpg\",\"ref_id\":\"1\",\"metadata\":{\"n\":1,\"x\":1.0}}\r\n\
        \r\n\
        {\"pointcloud_url\":\"s3://b/2.json\",\"reference_id\":\"2\"}\n\
        {\"image_url\":\"s3://b/3.jpg\"}\n\
        {\"url\":\"s3://b/4.png\",\"reference_id\":\"4\",\"width\":640,\"height\":480}";
    let run = nucleus(&["payload"], input.as_bytes());
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        "{\"metadata\":{\"n\":1,\"x\":1.0},\"reference_id\":\"1\",\"image_url\":\"s3://b/1.jpg\"}\n\
         {\"metadata\":{},\"reference_id\":\"2\",\"url\":\"s3://b/2.json\",\"type\":\"pointcloud\"}\n\
         {\"metadata\":{},\"reference_id\":\"4\",\"width\":640,\"height\":480,\"image_url\":\"s3://b/4.png\"}\n"
    );
    assert_eq!(
        run.stderr,
        "-:4: error[missing-reference-id]: /reference_id: reference_id is required: a non-empty string that identifies the item in the dataset\n"
    );
    let json = nucleus(&["payload", "--format", "json"], input.as_bytes());
    let diagnostics = json_lines(&json.stderr);
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(
        diagnostics[0],
        serde_json::json!({"severity": "error", "code": "missing-reference-id", "file": "-", "line": 4, "path": "/reference_id", "message": "reference_id is required: a non-empty string that identifies the item in the dataset"})
    );
}

#[test]
fn normalize_writes_canonical_items_that_check_clean() {
    let run = nucleus(&["normalize", "examples/items.jsonl"], b"");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let original = std::fs::read_to_string(root().join("examples/items.jsonl")).unwrap();
    // The examples are canonical already, so normalising changes nothing.
    assert!(
        run.stdout == original,
        "normalize changed the canonical examples"
    );
    let payload = nucleus(&["payload", "examples/items.jsonl"], b"");
    assert_eq!(payload.code, 0, "{}", payload.stderr);
    let back = nucleus(&["normalize", "-"], payload.stdout.as_bytes());
    assert_eq!(back.code, 0, "{}", back.stderr);
    // payload → normalize is the identity, except for the server's fields, which the upload
    // payload does not carry (as in the SDK).
    let back_lines: Vec<&str> = back.stdout.lines().collect();
    let original_lines: Vec<&str> = original.lines().collect();
    assert_eq!(back_lines.len(), original_lines.len());
    for (idx, (ours, theirs)) in back_lines.iter().zip(&original_lines).enumerate() {
        let mut expected: Value = serde_json::from_str(theirs).unwrap();
        expected.as_object_mut().unwrap().shift_remove("phash");
        expected
            .as_object_mut()
            .unwrap()
            .shift_remove("dataset_item_id");
        let expected = expected.to_string();
        assert!(*ours == expected, "line {}: {ours}", idx + 1);
    }
}

#[test]
fn invalid_utf8_and_long_lines_do_not_stop_the_run() {
    let mut input = b"{\"image_url\":\"a.jpg\",\"reference_id\":\"1\"}\n".to_vec();
    input.extend(b"{\"image_url\":\"\xff.jpg\",\"reference_id\":\"2\"}\n");
    input.extend(
        format!(
            "{{\"image_url\":\"a.jpg\",\"reference_id\":\"{}\"}}\n",
            "x".repeat(300)
        )
        .as_bytes(),
    );
    input.extend(b"{\"image_url\":\"b.jpg\",\"reference_id\":\"4\"}");
    let run = nucleus(&["check", "--max-line-bytes", "200", "-"], &input);
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines[0].starts_with("-:2: error[invalid-utf8]: line is not valid UTF-8 at byte column 15"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("-:3: error[line-too-long]"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("checked 4 items in 1 file: 2 valid, 2 invalid"),
        "{}",
        lines[2]
    );
}

#[test]
fn closed_pipe_exits_quietly() {
    // `head -c 1` closes the pipe after one byte; the writer must not complain.
    let mut child = Command::new(env!("CARGO_BIN_EXE_nucleus"))
        .args([
            "normalize",
            "examples/items.jsonl",
            "examples/items.jsonl",
            "examples/items.jsonl",
        ])
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    assert_eq!(output.status.code(), Some(0));
}

const SPEC_CAMERA: &str = r#"{"position":{"x":0,"y":0,"z":1.5},"heading":{"x":-0.5,"y":0.5,"z":-0.5,"w":0.5},"fx":1000,"fy":1000,"cx":960,"cy":540}"#;

#[test]
fn project_points_and_cuboids_like_the_spec_example() {
    let input = format!(
        "{{\"camera_params\":{SPEC_CAMERA},\"points\":[[10,0,1.5],[-10,0,1.5],[10,1,1]]}}\n\
         {{\"camera_params\":{SPEC_CAMERA},\"cuboid\":{{\"position\":{{\"x\":10,\"y\":0,\"z\":0}},\"dimensions\":{{\"x\":4,\"y\":2,\"z\":1.5}},\"yaw\":0}}}}\n"
    );
    let run = nucleus(&["project"], input.as_bytes());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines = json_lines(&run.stdout);
    // SPEC.md's worked example: straight ahead is the principal point; behind is null; one
    // metre left of the axis (world +y) and half a metre down is 100 px left, 50 px down.
    assert_eq!(
        lines[0],
        serde_json::json!({"uv": [[960.0, 540.0], null, [860.0, 590.0]]})
    );
    assert_eq!(
        lines[1]["corners"][0],
        serde_json::json!([12.0, 1.0, -0.75])
    );
    assert_eq!(lines[1]["corners"][4], serde_json::json!([12.0, 1.0, 0.75]));
    let u0 = lines[1]["uv"][0][0].as_f64().unwrap();
    assert!((u0 - (960.0 - 1000.0 / 12.0)).abs() < 1e-9, "{u0}");
}

#[test]
fn project_reports_bad_lines_and_keeps_going() {
    let input = format!(
        "{{\"camera_params\":{{\"fx\":1}},\"points\":[]}}\n\
         {{\"camera_params\":{SPEC_CAMERA},\"points\":[[1,2]]}}\n\
         {{\"camera_params\":{SPEC_CAMERA}}}\n\
         {{\"camera_params\":{SPEC_CAMERA},\"points\":[]}}\n"
    );
    let run = nucleus(&["project"], input.as_bytes());
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "{\"uv\":[]}\n");
    let codes: Vec<&str> = run
        .stderr
        .lines()
        .map(|l| l.split(": ").nth(1).unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "error[invalid-camera-params]",
            "error[invalid-geometry]",
            "error[invalid-geometry]"
        ]
    );
    assert!(
        run.stderr
            .starts_with("-:1: error[invalid-camera-params]: /camera_params/position:"),
        "{}",
        run.stderr
    );
}

#[test]
fn readme_lists_every_code() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let missing: Vec<&str> = nucleus::model::Code::ALL
        .iter()
        .map(|code| code.as_str())
        .filter(|code| !readme.contains(&format!("| `{code}` |")))
        .collect();
    assert!(
        missing.is_empty(),
        "README.md's code table lacks {missing:?}"
    );
}

#[test]
fn query_selects_sorts_and_counts() {
    let all = nucleus(
        &[
            "query",
            "examples/items.jsonl",
            "metadata.sensor = \"lidar_top\"",
        ],
        b"",
    );
    assert_eq!(all.code, 0, "{}", all.stderr);
    let items = json_lines(&all.stdout);
    assert_eq!(items.len(), 30);
    assert!(items.iter().all(|i| i["metadata"]["sensor"] == "lidar_top"));
    let count = nucleus(
        &[
            "query",
            "examples/items.jsonl",
            "metadata.sensor = \"lidar_top\"",
            "--count",
        ],
        b"",
    );
    assert_eq!(count.stdout, "30\n");
    // Modulo with the mathematical remainder, combined with NOT and parentheses.
    let modulo = nucleus(
        &[
            "query",
            "examples/items.jsonl",
            "metadata.frame_number % 2 = 1 AND NOT (metadata.camera = \"front\" OR metadata.camera = \"rear\")",
            "--count",
        ],
        b"",
    );
    let expected = items_matching(|i| {
        i["metadata"]["frame_number"]
            .as_i64()
            .is_some_and(|n| n.rem_euclid(2) == 1)
            && i["metadata"]["camera"] != "front"
            && i["metadata"]["camera"] != "rear"
    });
    assert_eq!(modulo.stdout, format!("{expected}\n"));
    let sorted = nucleus(
        &[
            "query",
            "examples/items.jsonl",
            "metadata.n_points > 0",
            "--sort",
            "-metadata.n_points",
            "--limit",
            "5",
        ],
        b"",
    );
    let values: Vec<i64> = json_lines(&sorted.stdout)
        .iter()
        .map(|i| i["metadata"]["n_points"].as_i64().unwrap())
        .collect();
    assert_eq!(values.len(), 5);
    assert!(values.windows(2).all(|w| w[0] >= w[1]), "{values:?}");
}

fn items_matching(predicate: impl Fn(&Value) -> bool) -> usize {
    std::fs::read_to_string(root().join("examples/items.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|i| predicate(i))
        .count()
}

#[test]
fn query_reports_typos_non_searchable_keys_and_bad_expressions() {
    let run = nucleus(
        &[
            "query",
            "examples/items.jsonl",
            "metadata.wether = \"rain\" OR metadata.tags = \"x\"",
        ],
        b"",
    );
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains("did you mean metadata.weather?"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("error: metadata.tags is not searchable"),
        "{}",
        run.stderr
    );
    let bad = nucleus(
        &["query", "examples/items.jsonl", "metadata.weather = "],
        b"",
    );
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains(
            "                   ^ expected a string or number after '=', found end of input"
        ),
        "{}",
        bad.stderr
    );
}

#[test]
fn profile_reports_keys_and_emits_a_schema_that_check_reads() {
    let text = nucleus(&["profile", "examples/items.jsonl"], b"");
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(
        text.stdout
            .starts_with("300 items: 270 images, 30 point clouds;"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("weather              string         210"),
        "{}",
        text.stdout
    );
    let json = nucleus(
        &["profile", "--format", "json", "examples/items.jsonl"],
        b"",
    );
    let profile: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(profile["n_items"], 300);

    let dir = temp_dir("profile");
    let kinds = dir.join("kinds.json");
    let html = dir.join("report.html");
    let run = nucleus(
        &[
            "profile",
            "--format",
            "none",
            "--emit-schema",
            kinds.to_str().unwrap(),
            "--html",
            html.to_str().unwrap(),
            "examples/items.jsonl",
        ],
        b"",
    );
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
    let report = std::fs::read_to_string(&html).unwrap();
    assert!(
        report.starts_with("<!DOCTYPE html>") && report.contains("<svg"),
        "not an HTML report"
    );
    assert!(
        !report.contains("<script"),
        "the report must need no script"
    );
    // An append whose weather is a number conflicts with the profiled dataset.
    let new_item =
        br#"{"image_location":"s3://b/new.jpg","reference_id":"new","metadata":{"weather":3}}"#;
    let check = nucleus(
        &["check", "--schema", kinds.to_str().unwrap(), "-"],
        new_item,
    );
    assert_eq!(check.code, 1, "{}", check.stdout);
    assert!(
        check
            .stdout
            .contains("error[type-conflict]: /metadata/weather"),
        "{}",
        check.stdout
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn append_reports_writes_whole_files_and_refuses_conflicts() {
    let dir = temp_dir("append");
    let base = dir.join("base.jsonl");
    let update = dir.join("update.jsonl");
    let out = dir.join("merged.jsonl");
    std::fs::write(
        &base,
        "{\"image_location\":\"s3://b/1.jpg\",\"reference_id\":\"1\",\"metadata\":{\"w\":\"sun\",\"n\":1}}\n\
         {\"image_location\":\"s3://b/2.jpg\",\"reference_id\":\"2\",\"metadata\":{\"w\":\"fog\"}}\n",
    )
    .unwrap();
    std::fs::write(
        &update,
        "{\"image_location\":\"s3://b/1.jpg\",\"reference_id\":\"1\",\"metadata\":{\"w\":\"rain\"}}\n\
         {\"image_location\":\"s3://b/3.jpg\",\"reference_id\":\"3\",\"metadata\":{}}\n",
    )
    .unwrap();
    let (b, u, o) = (
        base.to_str().unwrap(),
        update.to_str().unwrap(),
        out.to_str().unwrap(),
    );
    let dry = nucleus(
        &["append", b, u, "--update", "--dry-run", "--format", "json"],
        b"",
    );
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    let report: Value = serde_json::from_str(&dry.stdout).unwrap();
    assert_eq!(report["counts"]["n_new"], 1);
    assert_eq!(report["counts"]["n_updated"], 1);
    assert_eq!(report["counts"]["n_kept_image_location"], 1);
    assert!(!out.exists());

    let run = nucleus(&["append", b, u, "--update", "-o", o], b"");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let merged: Vec<Value> = json_lines(&std::fs::read_to_string(&out).unwrap());
    let ids: Vec<&str> = merged
        .iter()
        .map(|i| i["reference_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["1", "2", "3"]);
    // Update replaces metadata wholesale: "n" is gone.
    assert_eq!(merged[0]["metadata"], serde_json::json!({"w": "rain"}));

    // A conflicting append writes nothing and leaves the previous output as it was.
    std::fs::write(
        &update,
        "{\"image_location\":\"s3://b/4.jpg\",\"reference_id\":\"4\",\"metadata\":{\"w\":4}}\n",
    )
    .unwrap();
    let before = std::fs::read_to_string(&out).unwrap();
    let refused = nucleus(&["append", b, u, "-o", o], b"");
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.contains("kind-conflict"),
        "{}",
        refused.stderr
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), before);
    let leftovers = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(leftovers, 3, "a temporary file was left behind");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn schema_lists_and_prints_the_committed_files() {
    let list = nucleus(&["schema", "--list"], b"");
    assert_eq!(list.code, 0);
    let names: Vec<&str> = list
        .stdout
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(names.len(), 7);
    for name in names {
        let printed = nucleus(&["schema", name], b"");
        let committed =
            std::fs::read_to_string(root().join(format!("schemas/{name}.schema.json"))).unwrap();
        assert!(
            printed.stdout == committed,
            "schema {name} differs from schemas/"
        );
    }
    assert_eq!(nucleus(&["schema", "nope"], b"").code, 2);
}

#[test]
fn check_via_schema_finds_no_disagreement_on_the_examples() {
    for file in ["examples/items.jsonl", "examples/mistakes.jsonl"] {
        let run = nucleus(&["check", "--via-schema", file], b"");
        assert!(
            !run.stdout.contains("error[schema-disagreement]"),
            "{file}:\n{}",
            run.stdout
        );
    }
}

/// The cuboid colours of `nucleus render`, in turn.
const RENDER_PALETTE: [[u8; 3]; 6] = [
    [0, 255, 80],
    [255, 230, 0],
    [255, 0, 255],
    [0, 255, 255],
    [255, 255, 255],
    [255, 128, 0],
];

fn read_png(path: &std::path::Path) -> image::RgbImage {
    image::ImageReader::open(path)
        .unwrap()
        .decode()
        .unwrap()
        .to_rgb8()
}

/// Every projected corner of every example cuboid of frame 0 that falls on the 640×400 image
/// of `camera` is painted in a cuboid colour, over the image and on a blank canvas alike.
#[test]
fn render_draws_the_example_cuboid_corners_where_they_project() {
    use nucleus::camera::{Canvas, Cuboid};
    use nucleus::model::Scene;

    let scene_text = std::fs::read_to_string(root().join("examples/scene/scene.jsonl")).unwrap();
    let Scene::Lidar(scene) = Scene::from_json(scene_text.lines().next().unwrap()).unwrap() else {
        panic!("the example is a lidar scene");
    };
    let frame = scene.frame(0).unwrap();
    let lidar_ref = frame
        .pointcloud()
        .unwrap()
        .1
        .reference_id()
        .as_str()
        .to_owned();
    let cuboids: Vec<Cuboid> = std::fs::read_to_string(root().join("examples/scene/cuboids.jsonl"))
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|value| value["reference_id"] == lidar_ref.as_str())
        .map(|value| Cuboid::from_json(&value["geometry"]).unwrap())
        .collect();
    assert_eq!(cuboids.len(), 6);

    let dir = temp_dir("render-test");
    let mut n_checked = 0;
    for camera_name in ["front", "left", "rear"] {
        let camera = frame
            .item(camera_name)
            .unwrap()
            .camera_params()
            .unwrap()
            .unwrap();
        for blank in [false, true] {
            let out = dir.join(format!("{camera_name}-{blank}.png"));
            let mut args = vec![
                "render",
                "--scene",
                "examples/scene/scene.jsonl",
                "--cuboids",
                "examples/scene/cuboids.jsonl",
                "--media-dir",
                "examples/scene/media",
                "--camera",
                camera_name,
                "-o",
                out.to_str().unwrap(),
            ];
            if blank {
                args.push("--blank");
            }
            let run = nucleus(&args, b"");
            assert_eq!(run.code, 0, "{}", run.stderr);
            assert!(run.stderr.contains("of 4"), "{}", run.stderr);
            let image = read_png(&out);
            assert_eq!(image.dimensions(), (640, 400));
            for (idx, cuboid) in cuboids.iter().enumerate() {
                for corner in camera.project_cuboid(cuboid).into_iter().flatten() {
                    let (x, y) = Canvas::cell(corner);
                    if !(0..640).contains(&x) || !(0..400).contains(&y) {
                        continue;
                    }
                    let pixel = image.get_pixel(x as u32, y as u32).0;
                    assert!(
                        RENDER_PALETTE.contains(&pixel),
                        "{camera_name} (blank: {blank}): cuboid {idx} corner at {corner:?} is {pixel:?}"
                    );
                    n_checked += 1;
                }
            }
        }
    }
    // Enough corners land on the images for the test to mean something.
    assert!(n_checked >= 40, "{n_checked} corners checked");
}

#[test]
fn render_never_draws_points_behind_the_camera() {
    let dir = temp_dir("render-behind");
    let item = dir.join("camera.json");
    std::fs::write(
        &item,
        format!(r#"{{"image_location": "s3://b/cam.png", "reference_id": "cam", "metadata": {{"camera_params": {SPEC_CAMERA}}}}}"#),
    )
    .unwrap();
    // The camera looks along +X from (0, 0, 1.5): every point has x <= 0.
    let points: Vec<String> = (0..500)
        .map(|idx| {
            let x = -(idx as f64) * 0.1;
            let y = (idx % 37) as f64 - 18.0;
            let z = (idx % 11) as f64 - 5.0;
            format!(r#"{{"x": {x}, "y": {y}, "z": {z}}}"#)
        })
        .collect();
    let cloud = dir.join("behind.json");
    std::fs::write(&cloud, format!(r#"{{"points": [{}]}}"#, points.join(", "))).unwrap();
    let out = dir.join("out.png");
    let run = nucleus(
        &[
            "render",
            "--item",
            item.to_str().unwrap(),
            "--pointcloud",
            cloud.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("1920x1080: 0 of 500 points"),
        "{}",
        run.stderr
    );
    let image = read_png(&out);
    assert!(image.pixels().all(|p| p.0 == [24, 24, 24]));
}

#[test]
fn render_reports_what_it_cannot_do() {
    let run = nucleus(
        &[
            "render",
            "--scene",
            "examples/scene/scene.jsonl",
            "--frame",
            "7",
            "-o",
            "/tmp/x.png",
        ],
        b"",
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("has 2 frames (0 to 1); there is no frame 7"),
        "{}",
        run.stderr
    );
    let run = nucleus(
        &[
            "render",
            "--scene",
            "examples/scene/scene.jsonl",
            "--camera",
            "lidar",
            "-o",
            "/tmp/x.png",
        ],
        b"",
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not a camera image"), "{}", run.stderr);

    // An invalid scene: its findings, exit 1, nothing written.
    let dir = temp_dir("render-invalid");
    let scene = dir.join("scene.jsonl");
    std::fs::write(&scene, "{\"reference_id\": \"s\", \"frames\": []}\n").unwrap();
    let out = dir.join("out.png");
    let run = nucleus(
        &[
            "render",
            "--scene",
            scene.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains(":1: error[invalid-scene]: /frames: a scene needs at least one frame"),
        "{}",
        run.stderr
    );
    assert!(!out.exists());
}

#[test]
fn check_scenes_runs_dataset_rules_across_scenes_and_opens_local_clouds() {
    let run = nucleus(&["check", "--scenes", "examples/scene/scene.jsonl"], b"");
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout
            .starts_with("checked 1 scenes in 1 file: 1 valid"),
        "{}",
        run.stdout
    );
    // The same scene twice: every item id repeats, reported inside the second scene.
    let scene = std::fs::read_to_string(root().join("examples/scene/scene.jsonl")).unwrap();
    let twice = format!(
        "{scene}{}",
        scene.replacen(
            "\"reference_id\":\"street-0\"",
            "\"reference_id\":\"street-1\"",
            1
        )
    );
    let run = nucleus(
        &["check", "--scenes", "--format", "json", "-"],
        twice.as_bytes(),
    );
    assert_eq!(run.code, 1);
    let findings = json_lines(&run.stdout);
    let duplicate = findings
        .iter()
        .find(|d| d["code"] == "duplicate-reference-id")
        .unwrap();
    assert_eq!(duplicate["line"], 2);
    assert_eq!(duplicate["related_line"], 1);
    assert!(
        duplicate["path"]
            .as_str()
            .unwrap()
            .starts_with("/frames/0/"),
        "{duplicate}"
    );

    let dir = temp_dir("open-local");
    let cloud = dir.join("cloud.json");
    std::fs::write(
        &cloud,
        r#"{"points": [{"x": 1, "y": 2, "z": 3, "i": 0.5}, {"x": 1, "y": 2, "z": 3, "i": 2}]}"#,
    )
    .unwrap();
    let item = format!(
        r#"{{"pointcloud_location":"{}","reference_id":"c"}}"#,
        cloud.display()
    );
    let run = nucleus(&["check", "--open-local", "-"], item.as_bytes());
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("error[invalid-pointcloud]: /points/1/i: in "),
        "{}",
        run.stdout
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn convert_camera_ros_with_a_link_pose_to_nucleus() {
    let run = nucleus(
        &[
            "convert",
            "camera",
            "--from",
            "ros",
            "--to",
            "nucleus",
            "--pose",
            "examples/interop/front_camera_link_pose.json",
            "--pose-frame",
            "link",
            "examples/interop/ros_camera_info.json",
        ],
        b"",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let params: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        params,
        serde_json::json!({
            "position": {"x": 1.7, "y": 0.0, "z": 1.55},
            "heading": {"x": -0.5, "y": 0.5, "z": -0.5, "w": 0.5},
            "fx": 1266.42, "fy": 1266.42, "cx": 816.27, "cy": 491.51,
            "k1": -0.2831, "k2": 0.0739, "p1": 0.00019, "p2": 0.00176,
            "camera_model": "brown_conrady",
        })
    );
}

#[test]
fn convert_camera_refuses_a_separate_rectified_camera_unless_told() {
    let args = [
        "convert",
        "camera",
        "--from",
        "ros",
        "--to",
        "nucleus",
        "--pose",
        "examples/interop/front_camera_link_pose.json",
        "examples/interop/ros_camera_info_calibrator.json",
    ];
    let run = nucleus(&args, b"");
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.is_empty(), "nothing written: {}", run.stdout);
    assert!(
        run.stderr
            .contains("error[inexact-conversion]: /p/0: expected 1266.42"),
        "{}",
        run.stderr
    );
    let run = nucleus(&[&args[..], &["--drop-rectification"]].concat(), b"");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let params: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(params["fx"], 1266.42);
}

#[test]
fn convert_camera_opencv_to_ros_keeps_the_pose_apart_and_back() {
    let dir = temp_dir("convert-camera");
    let (ros, pose) = (dir.join("ros.json"), dir.join("pose.json"));
    let (ros, pose) = (ros.to_str().unwrap(), pose.to_str().unwrap());
    let opencv = "examples/interop/opencv_calibration.json";
    // The pose has nowhere to go in a CameraInfo: refuse to drop it silently.
    let run = nucleus(
        &[
            "convert", "camera", "--from", "opencv", "--to", "ros", opencv, ros,
        ],
        b"",
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--pose-out"), "{}", run.stderr);
    let run = nucleus(
        &[
            "convert",
            "camera",
            "--from",
            "opencv",
            "--to",
            "ros",
            "--pose-out",
            pose,
            opencv,
            ros,
        ],
        b"",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let info: Value = serde_json::from_str(&std::fs::read_to_string(ros).unwrap()).unwrap();
    assert_eq!(info["distortion_model"], "plumb_bob");
    assert_eq!(
        (info["width"].as_u64(), info["height"].as_u64()),
        (Some(1920), Some(1208))
    );
    // ROS + the pose back to Nucleus equals OpenCV straight to Nucleus.
    let via_ros = nucleus(
        &[
            "convert", "camera", "--from", "ros", "--to", "nucleus", "--pose", pose, ros,
        ],
        b"",
    );
    let direct = nucleus(
        &[
            "convert", "camera", "--from", "opencv", "--to", "nucleus", opencv,
        ],
        b"",
    );
    assert_eq!(via_ros.code, 0, "{}", via_ros.stderr);
    assert_eq!(via_ros.stdout, direct.stdout);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn convert_camera_reads_stdin_and_names_the_field_it_cannot_write() {
    let fisheye =
        br#"{"position": {"x": 0, "y": 0, "z": 0}, "heading": {"x": 0, "y": 0, "z": 0, "w": 1},
        "fx": 400, "fy": 400, "cx": 320, "cy": 240, "k1": 0.05, "camera_model": "fisheye"}"#;
    let run = nucleus(
        &[
            "convert",
            "camera",
            "--from",
            "nucleus",
            "--to",
            "foxglove",
            "-",
            "--pose-out",
            "/dev/null",
        ],
        fisheye,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let calibration: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(calibration["distortion_model"], "kannala_brandt");
    assert_eq!(calibration["D"], serde_json::json!([0.05, 0.0, 0.0, 0.0]));
    let with_p1 = String::from_utf8(fisheye.to_vec())
        .unwrap()
        .replace("\"k1\"", "\"p1\": 0.01, \"k1\"");
    let run = nucleus(
        &[
            "convert", "camera", "--from", "nucleus", "--to", "opencv", "-",
        ],
        with_p1.as_bytes(),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("error[inexact-conversion]: /p1: p1 = 0.01 is not representable"),
        "{}",
        run.stderr
    );
}

#[test]
fn convert_geojson_exports_and_imports_positions() {
    let run = nucleus(&["convert", "geojson", "examples/interop/items.jsonl"], b"");
    assert_eq!(
        run.code, 1,
        "an out-of-range latitude is an error: {}",
        run.stderr
    );
    let collection: Value = serde_json::from_str(&run.stdout).unwrap();
    let features = collection["features"].as_array().unwrap();
    assert_eq!(features.len(), 2);
    assert_eq!(
        features[0]["geometry"]["coordinates"],
        serde_json::json!([-122.4194, 37.7749])
    );
    assert_eq!(features[0]["properties"]["weather"], "fog");
    assert!(
        features[0]["properties"].get("tags").is_none(),
        "lists are not searchable"
    );
    assert!(
        run.stderr
            .contains("items.jsonl:3: error[invalid-coordinate]: /metadata/lat"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("items.jsonl:4: warning[unpaired-coordinate]"),
        "{}",
        run.stderr
    );

    let run = nucleus(
        &[
            "convert",
            "geojson",
            "--import",
            "examples/interop/positions.geojson",
            "examples/interop/items.jsonl",
        ],
        b"",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let items = json_lines(&run.stdout);
    assert_eq!(items.len(), 5);
    assert_eq!(items[2]["metadata"]["lat"], 37.7753);
    assert_eq!(items[2]["metadata"]["lon"], -122.4185);
    assert_eq!(items[3]["metadata"]["lon"], -122.4181);
    assert_eq!(
        items[4]["metadata"],
        serde_json::json!({"weather": "clear"})
    );
    assert!(
        run.stderr
            .contains("1 positions matched no item: drive-17-000009"),
        "{}",
        run.stderr
    );

    // Export of the imported items: every item with a position is on the map now.
    let run = nucleus(&["convert", "geojson", "-"], run.stdout.as_bytes());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let collection: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(collection["features"].as_array().unwrap().len(), 4);
}
