//! `nucleus profile`: the key table, JSON, an HTML report and a schema that `check` reads.

use serde_json::Value;

use crate::support::{assert_contains, assert_starts_with, cmd, temp_dir};

#[test]
fn profile_reports_keys_and_emits_a_schema_that_check_reads() {
    let text = cmd(["profile", "examples/items.jsonl"]).exits(0);
    assert_starts_with(&text.stdout, "300 items: 270 images, 30 point clouds;");
    assert_contains(&text.stdout, "weather              string         210");
    let json = cmd(["profile", "--format", "json", "examples/items.jsonl"]).run();
    let profile: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(profile["n_items"], 300);

    let dir = temp_dir("profile");
    let kinds = dir.join("kinds.json");
    let html = dir.join("report.html");
    let run = cmd(["profile", "--format", "none", "--emit-schema"])
        .arg(&kinds)
        .arg("--html")
        .arg(&html)
        .arg("examples/items.jsonl")
        .exits(0);
    assert_eq!(run.stdout, "", "{}", run.stderr);
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
    let check = cmd(["check", "--schema"])
        .arg(&kinds)
        .arg("-")
        .stdin(new_item)
        .exits(1);
    assert_contains(&check.stdout, "error[type-conflict]: /metadata/weather");
    std::fs::remove_dir_all(&dir).unwrap();
}
