//! `nucleus payload`: the upload payload of each accepted line, findings on standard error.

use crate::support::{cmd, json_lines};

#[test]
fn payload_writes_accepted_lines_and_reports_the_rest() {
    let input = "\u{feff}{\"image_url\":\"s3://b/1.jpg\",\"ref_id\":\"1\",\"metadata\":{\"n\":1,\"x\":1.0}}\r\n\
        \r\n\
        {\"pointcloud_url\":\"s3://b/2.json\",\"reference_id\":\"2\"}\n\
        {\"image_url\":\"s3://b/3.jpg\"}\n\
        {\"url\":\"s3://b/4.png\",\"reference_id\":\"4\",\"width\":640,\"height\":480}";
    let run = cmd(["payload"]).stdin(input).exits(1);
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
    let json = cmd(["payload", "--format", "json"]).stdin(input).run();
    let diagnostics = json_lines(&json.stderr);
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(
        diagnostics[0],
        serde_json::json!({"severity": "error", "code": "missing-reference-id", "file": "-", "line": 4, "path": "/reference_id", "message": "reference_id is required: a non-empty string that identifies the item in the dataset"})
    );
}
