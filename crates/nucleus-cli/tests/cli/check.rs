//! `nucleus check`: the examples, every code of the mistakes file, jobs, several files, limits,
//! an existing dataset's schema, scenes and the schema cross-check.

use serde_json::Value;

use crate::support::{assert_contains, assert_starts_with, cmd, json_lines, root, temp_dir};

#[test]
fn check_examples_is_clean() {
    let run = cmd(["check", "examples/items.jsonl"]).exits(0);
    assert_starts_with(
        &run.stdout,
        "checked 300 items in 1 file: 300 valid, 0 invalid; 0 errors, 0 warnings",
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
    (40, "invalid-location"),
    // Type conflicts and mixed kinds need the whole file: they come last, in line order.
    (22, "type-conflict"),
    (23, "mixed-kinds"),
];

#[test]
fn check_mistakes_reports_each_line_in_json() {
    let run = cmd(["check", "--format", "json", "examples/mistakes.jsonl"]).exits(1);
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
    assert_eq!(summary["items"], 40);
    assert_eq!(summary["invalid"], 30);
    assert_eq!(summary["codes"]["invalid-camera-params"], 3);
    // The type conflict names the line that set the first kind.
    let conflict = lines.iter().find(|d| d["code"] == "type-conflict").unwrap();
    assert_eq!(conflict["related_line"], 1);
    assert_eq!(conflict["path"], "/metadata/frame_id");
}

#[test]
fn check_output_does_not_depend_on_jobs() {
    let with_jobs = |jobs: &str| {
        cmd([
            "check",
            jobs,
            "--format",
            "json",
            "examples/mistakes.jsonl",
            "examples/items.jsonl",
        ])
        .run()
    };
    let one = with_jobs("-j1");
    let two = with_jobs("-j2");
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
    let run = cmd(["check", "examples/items.jsonl", "examples/items.jsonl"]).exits(1);
    let first = run.stdout.lines().next().unwrap();
    assert_starts_with(
        first,
        "examples/items.jsonl:1: error[duplicate-reference-id]",
    );
    assert_contains(first, "at line 1 of examples/items.jsonl");
}

#[test]
fn check_max_errors_and_quiet() {
    let run = cmd(["check", "--max-errors", "2", "examples/mistakes.jsonl"]).exits(1);
    assert_eq!(
        run.stdout
            .lines()
            .filter(|l| l.contains(": error["))
            .count(),
        2
    );
    assert_contains(&run.stdout, "stopped after 2 errors");
    let quiet = cmd(["check", "-q", "examples/mistakes.jsonl"]).exits(1);
    assert_eq!(quiet.stdout, "");
}

#[test]
fn check_against_an_existing_schema() {
    let dir = temp_dir("schema-file");
    let schema = dir.join("kinds.json");
    std::fs::write(&schema, r#"{"keys": {"weather": "number"}}"#).unwrap();
    let item =
        br#"{"image_location":"s3://b/1.jpg","reference_id":"1","metadata":{"weather":"rain"}}"#;
    let check = || cmd(["check", "--schema"]).arg(&schema).arg("-").stdin(item);
    let run = check().exits(1);
    assert_contains(&run.stdout, "-:1: error[type-conflict]");
    assert_contains(&run.stdout, "existing dataset");
    std::fs::write(&schema, r#"{"keys": {"weather": "float"}}"#).unwrap();
    let bad = check().exits(2);
    assert_contains(&bad.stderr, "unknown variant `float`");
    std::fs::remove_dir_all(&dir).unwrap();
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
    let run = cmd(["check", "--max-line-bytes", "200", "-"])
        .stdin(input)
        .exits(1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_starts_with(
        lines[0],
        "-:2: error[invalid-utf8]: line is not valid UTF-8 at byte column 15",
    );
    assert_starts_with(lines[1], "-:3: error[line-too-long]");
    assert_starts_with(lines[2], "checked 4 items in 1 file: 2 valid, 2 invalid");
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
fn check_scenes_runs_dataset_rules_across_scenes_and_opens_local_clouds() {
    let run = cmd(["check", "--scenes", "examples/scene/scene.jsonl"]).exits(0);
    assert_starts_with(&run.stdout, "checked 1 scene in 1 file: 1 valid");
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
    let run = cmd(["check", "--scenes", "--format", "json", "-"])
        .stdin(twice)
        .exits(1);
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
    let run = cmd(["check", "--open-local", "-"]).stdin(item).exits(1);
    assert_contains(&run.stdout, "error[invalid-pointcloud]: /points/1/i: in ");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn check_via_schema_finds_no_disagreement_on_the_examples() {
    for file in ["examples/items.jsonl", "examples/mistakes.jsonl"] {
        let run = cmd(["check", "--via-schema", file]).run();
        assert!(
            !run.stdout.contains("error[schema-disagreement]"),
            "{file}:\n{}",
            run.stdout
        );
    }
}

#[test]
fn check_blames_the_minority_and_names_the_key_in_the_summary() {
    let items: String = ["\"0\"", "1", "2"]
        .iter()
        .enumerate()
        .map(|(idx, value)| {
            format!(
                "{{\"image_location\":\"s3://b/{idx}.jpg\",\"reference_id\":\"{idx}\",\"metadata\":{{\"frame_number\":{value}}}}}\n"
            )
        })
        .collect();
    let run = cmd(["check", "-"]).stdin(items.as_bytes()).exits(1);
    let findings: Vec<&str> = run
        .stdout
        .lines()
        .filter(|line| line.starts_with("-:"))
        .collect();
    assert_eq!(
        findings,
        [
            r#"-:1: error[type-conflict]: /metadata/frame_number: metadata key "frame_number" holds a string "0" here, but numbers decide: 2 items hold a number (the first at line 2) and 1 holds a string; Nucleus rejects an upload that mixes strings and numbers on one key"#
        ]
    );
    assert_contains(
        &run.stdout,
        "\ntype conflict on metadata key \"frame_number\": 2 numbers, the first at line 2 (held by more items) against 1 string\n",
    );
}
