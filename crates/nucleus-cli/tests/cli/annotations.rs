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

/// The codes of each line of one table of `examples/annotations/mistakes.md`.
fn expected_codes(section: &str) -> Vec<Vec<String>> {
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
                .map(|code| code.trim_matches('`').to_owned())
                .collect()
        })
        .collect()
}

#[test]
fn check_reports_each_mistake_with_its_file_and_line() {
    for (flag, file, section) in [
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
    ] {
        let run = cmd([
            "check", "--format", "json", flag, file, "--items", ITEMS, SCENE,
        ])
        .exits(1);
        let findings = json_lines(&run.stdout);
        let (summary, findings) = findings.split_last().unwrap();
        let expected = expected_codes(section);
        let mut found = vec![Vec::new(); expected.len()];
        for finding in findings {
            assert_eq!(finding["file"], file);
            let line = finding["line"].as_u64().unwrap() as usize;
            found[line - 1].push(finding["code"].as_str().unwrap().to_owned());
        }
        assert_eq!(found, expected, "{file}");
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
