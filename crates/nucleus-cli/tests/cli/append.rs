//! `nucleus append`: a dry-run report, whole-file writes, and refusals that leave the output as
//! it was.

use serde_json::Value;

use crate::support::{assert_contains, cmd, json_lines, temp_dir};

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
    let dry = cmd(["append", b, u, "--update", "--dry-run", "--format", "json"]).exits(0);
    let report: Value = serde_json::from_str(&dry.stdout).unwrap();
    assert_eq!(report["counts"]["n_new"], 1);
    assert_eq!(report["counts"]["n_updated"], 1);
    assert_eq!(report["counts"]["n_kept_image_location"], 1);
    assert!(!out.exists());

    cmd(["append", b, u, "--update", "-o", o]).exits(0);
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
    let refused = cmd(["append", b, u, "-o", o]).exits(1);
    assert_contains(&refused.stderr, "type-conflict");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), before);
    let leftovers = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(leftovers, 3, "a temporary file was left behind");
    std::fs::remove_dir_all(&dir).unwrap();
}
