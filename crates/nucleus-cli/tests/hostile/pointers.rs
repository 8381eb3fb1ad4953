//! Keys that a JSON pointer must carry exactly (issue 20): NUL (which once separated a duplicate
//! key's pointer from the key, so a key holding it cut the pointer short), `/` and `~` (escaped
//! as `~1` and `~0` by RFC 6901), quotes and characters beyond the BMP. Each subcommand that
//! reports pointers is run with every key; JSON output carries the pointer exactly, text output
//! shows its control characters as `\u0000`.

use std::path::Path;

use serde_json::Value;

use crate::support::{SPEC_CAMERA, cmd, json_lines, temp_dir};

/// `(key as written in JSON, its RFC 6901 reference token, the token as printed in text)`.
const KEYS: [(&str, &str, &str); 7] = [
    (r"\u0000cam", "\u{0}cam", r"\u0000cam"),
    (r"x\u0000y", "x\u{0}y", r"x\u0000y"),
    ("a/b~c", "a~1b~0c", "a~1b~0c"),
    ("~1/0", "~01~10", "~01~10"),
    (r#"say \"hi\""#, r#"say "hi""#, r#"say "hi""#),
    (r"🦀\ud83e\udd80", "🦀🦀", "🦀🦀"),
    (
        r#"\u0000/~\"\u001b🦀"#,
        "\u{0}~1~0\"\u{1b}🦀",
        r#"\u0000~1~0"\u001b🦀"#,
    ),
];

/// A line per key: `line(index, key)` with the key as written in JSON.
fn input(line: impl Fn(usize, &str) -> String) -> String {
    KEYS.iter()
        .enumerate()
        .map(|(idx, (key, _, _))| line(idx, key) + "\n")
        .collect()
}

/// An object whose key `p` repeats: the duplicate every line below holds.
const DUPLICATE: &str = r#"{"p":1,"p":2}"#;

/// The JSON findings of a run (a `check` summary skipped).
fn findings(text: &str) -> Vec<Value> {
    json_lines(text)
        .into_iter()
        .filter(|d| d.get("summary").is_none())
        .collect()
}

/// Asserts that each key's line has the one finding `code` at `pointer(token)`, with the
/// duplicate key `p` and the object's pointer in its message when it is a duplicate.
#[track_caller]
fn assert_pointers(findings: &[Value], code: &str, pointer: impl Fn(&str) -> String) {
    assert_eq!(findings.len(), KEYS.len(), "{findings:#?}");
    for (idx, ((_, token, text), finding)) in KEYS.iter().zip(findings).enumerate() {
        let expected = pointer(token);
        assert_eq!(finding["line"], idx + 1, "{finding}");
        assert_eq!(finding["code"], code, "{finding}");
        assert_eq!(finding["path"], expected.as_str(), "{finding}");
        if code == "duplicate-key" {
            let message = format!(
                "duplicate key \"p\" in the object at {}; which value wins is ambiguous",
                pointer(text)
            );
            assert!(
                finding["message"].as_str().unwrap().starts_with(&message),
                "{finding}"
            );
        }
    }
}

/// The text output's pointers: `file:line: severity[code]: POINTER: ...`.
#[track_caller]
fn assert_text_pointers(text: &str, pointer: impl Fn(&str) -> String) {
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("-:")).collect();
    assert_eq!(lines.len(), KEYS.len(), "{text}");
    for (idx, ((_, _, shown), line)) in KEYS.iter().zip(lines).enumerate() {
        let prefix = format!("-:{}: ", idx + 1);
        let after_code = line.split_once("]: ").map(|(_, rest)| rest).unwrap_or("");
        assert!(line.starts_with(&prefix), "{line}");
        assert!(
            after_code.starts_with(&format!("{}: ", pointer(shown))),
            "{line:?}"
        );
        assert!(!line.contains(['\u{0}', '\u{1b}']), "{line:?}");
    }
}

fn item_line(idx: usize, key: &str) -> String {
    format!(
        r#"{{"image_location":"s3://b/{idx}.jpg","reference_id":"{idx}","metadata":{{"{key}":{DUPLICATE}}}}}"#
    )
}

#[test]
fn check_reports_a_duplicate_under_any_key_at_its_object() {
    let items = input(item_line);
    let run = cmd(["check", "--format", "json", "-"])
        .stdin(&items)
        .exits(1);
    assert_pointers(&findings(&run.stdout), "duplicate-key", |token| {
        format!("/metadata/{token}")
    });
    let run = cmd(["check", "-"]).stdin(&items).exits(1);
    assert_text_pointers(&run.stdout, |token| format!("/metadata/{token}"));
}

#[test]
fn check_reports_dataset_findings_under_any_key() {
    // The first line gives each key a number, the second a string: `type-conflict` on line 2
    // at each key.
    let numbers = KEYS
        .iter()
        .map(|(key, _, _)| format!(r#""{key}":1"#))
        .collect::<Vec<_>>()
        .join(",");
    let strings = numbers.replace(":1", r#":"s""#);
    let items = format!(
        "{{\"image_location\":\"s3://b/1.jpg\",\"reference_id\":\"1\",\"metadata\":{{{numbers}}}}}\n\
         {{\"image_location\":\"s3://b/2.jpg\",\"reference_id\":\"2\",\"metadata\":{{{strings}}}}}\n"
    );
    let run = cmd(["check", "--format", "json", "-"])
        .stdin(&items)
        .exits(1);
    let paths: Vec<String> = findings(&run.stdout)
        .iter()
        .filter(|d| d["code"] == "type-conflict")
        .map(|d| d["path"].as_str().unwrap().to_owned())
        .collect();
    let expected: Vec<String> = KEYS
        .iter()
        .map(|(_, token, _)| format!("/metadata/{token}"))
        .collect();
    assert_eq!(paths, expected);
    // In text, the control characters of the pointers are escaped, never written raw.
    let run = cmd(["check", "-"]).stdin(&items).exits(1);
    let shown: Vec<&str> = run
        .stdout
        .lines()
        .filter_map(|line| line.strip_prefix("-:2: error[type-conflict]: "))
        .filter_map(|rest| rest.split_once(": ").map(|(pointer, _)| pointer))
        .collect();
    let expected: Vec<String> = KEYS
        .iter()
        .map(|(_, _, text)| format!("/metadata/{text}"))
        .collect();
    assert_eq!(shown, expected, "{}", run.stdout);
}

#[test]
fn payload_and_normalize_report_a_duplicate_under_any_key_at_its_object() {
    let items = input(item_line);
    for subcommand in ["payload", "normalize"] {
        let run = cmd([subcommand, "--format", "json", "-"])
            .stdin(&items)
            .exits(1);
        assert_eq!(run.stdout, "", "{subcommand}");
        assert_pointers(&findings(&run.stderr), "duplicate-key", |token| {
            format!("/metadata/{token}")
        });
        let run = cmd([subcommand, "-"]).stdin(&items).exits(1);
        assert_text_pointers(&run.stderr, |token| format!("/metadata/{token}"));
    }
}

#[test]
fn project_reports_a_duplicate_under_any_key_at_its_object() {
    let camera = SPEC_CAMERA.trim_end_matches('}');
    let lines = input(|_, key| {
        format!(r#"{{"camera_params":{camera},"{key}":{DUPLICATE}}},"points":[[10,0,1.5]]}}"#)
    });
    let run = cmd(["project", "--format", "json", "-"])
        .stdin(&lines)
        .exits(1);
    assert_eq!(run.stdout, "");
    assert_pointers(&findings(&run.stderr), "duplicate-key", |token| {
        format!("/camera_params/{token}")
    });
    let run = cmd(["project", "-"]).stdin(&lines).exits(1);
    assert_text_pointers(&run.stderr, |token| format!("/camera_params/{token}"));
}

#[test]
fn scenes_report_a_duplicate_under_any_sensor_and_key_at_its_object() {
    // The key names both the sensor and the metadata key of its item.
    let scenes = input(|idx, key| {
        format!(
            r#"{{"reference_id":"s{idx}","frames":[{{"{key}":{{"pointcloud_location":"s3://b/{idx}.json","reference_id":"s{idx}/0","metadata":{{"{key}":{DUPLICATE}}}}}}}]}}"#
        )
    });
    let run = cmd(["check", "--scenes", "--format", "json", "-"])
        .stdin(&scenes)
        .exits(1);
    assert_pointers(&findings(&run.stdout), "duplicate-key", |token| {
        format!("/frames/0/{token}/metadata/{token}")
    });
    let run = cmd(["check", "--scenes", "-"]).stdin(&scenes).exits(1);
    assert_text_pointers(&run.stdout, |token| {
        format!("/frames/0/{token}/metadata/{token}")
    });
}

#[test]
fn point_cloud_items_and_files_report_any_key_at_its_place() {
    let items = input(|idx, key| {
        format!(
            r#"{{"pointcloud_location":"s3://b/{idx}.json","reference_id":"{idx}","metadata":{{"{key}":{DUPLICATE}}}}}"#
        )
    });
    let run = cmd(["check", "--format", "json", "-"])
        .stdin(&items)
        .exits(1);
    assert_pointers(&findings(&run.stdout), "duplicate-key", |token| {
        format!("/metadata/{token}")
    });

    // A local point cloud whose point has an unknown field under each key.
    let dir = temp_dir("pointer-clouds");
    let cloud = |idx: usize, key: &str| -> String {
        let path = dir.join(format!("{idx}.json"));
        std::fs::write(
            &path,
            format!(r#"{{"points":[{{"x":1,"y":2,"z":3}},{{"x":1,"y":2,"z":3,"{key}":0}}]}}"#),
        )
        .unwrap();
        format!(
            r#"{{"pointcloud_location":"{}","reference_id":"{idx}"}}"#,
            file_name(&path)
        )
    };
    let items = input(cloud);
    let run = cmd(["check", "--open-local", "--format", "json", "-"])
        .stdin(&items)
        .run();
    let unknown: Vec<Value> = findings(&run.stdout)
        .into_iter()
        .filter(|d| d["code"] == "unknown-field")
        .collect();
    assert_pointers(&unknown, "unknown-field", |token| {
        format!("/points/1/{token}")
    });
    std::fs::remove_dir_all(&dir).unwrap();
}

fn file_name(path: &Path) -> String {
    path.to_str().unwrap().to_owned()
}
