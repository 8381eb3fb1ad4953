//! `nucleus dimensions`: fills width and height from image headers and changes nothing else.

use std::io::Cursor;
use std::path::Path;

use image::{ImageFormat, RgbImage};
use serde_json::Value;

use crate::support::{assert_contains, cmd, json_lines, temp_dir};

fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut bytes = Cursor::new(Vec::new());
    image.write_to(&mut bytes, format).unwrap();
    bytes.into_inner()
}

fn quoted(path: &Path) -> String {
    Value::from(path.to_str().unwrap()).to_string()
}

/// `text` with `inserted` just before its last `}`.
fn inserted(text: &str, inserted: &str) -> String {
    let close = text.rfind('}').unwrap();
    format!("{}{inserted}{}", &text[..close], &text[close..])
}

#[test]
fn dimensions_fills_what_is_missing_and_changes_nothing_else() {
    let dir = temp_dir("dimensions");
    let jpg = dir.join("a.jpg");
    let png = dir.join("b.png");
    std::fs::write(&jpg, encoded(64, 48, ImageFormat::Jpeg)).unwrap();
    std::fs::write(&png, encoded(20, 10, ImageFormat::Png)).unwrap();
    let (jpg, png) = (quoted(&jpg), quoted(&png));
    let missing = quoted(&dir.join("gone.jpg"));
    let input = [
        // Numbers spelled oddly, escapes, unknown keys, key order: all kept byte for byte.
        format!(
            r#"{{"image_location":{jpg},"reference_id":"a","metadata":{{"x":1E2,"y":1.0,"z":-0,"k":"caf\u00e9","big":18446744073709551615}},"zzz":true}}"#
        ),
        format!(r#"{{"image_url":{png},"reference_id":"b","width":20,"height":10}}"#),
        format!(r#"{{"image_url":{png},"reference_id":"c","width":21,"height":10}}"#),
        format!(r#"{{ "image_url" : {png}, "reference_id" : "d", "width" : 20 }}   "#),
        format!(
            r#"{{"image_location":{jpg},"reference_id":"e","width":null,"metadata":{{"n":1E2}}}}"#
        ),
        r#"{"pointcloud_location":"s3://b/c.json","reference_id":"f"}"#.to_owned(),
        r#"{"image_location":"s3://b/remote.jpg","reference_id":"g"}"#.to_owned(),
        format!(r#"{{"image_location":{missing},"reference_id":"h"}}"#),
        r#"{"image_location": "x.jpg", "reference_id": }"#.to_owned(),
    ];
    let input_path = dir.join("items.jsonl");
    std::fs::write(&input_path, input.join("\n") + "\n").unwrap();
    let out = dir.join("sized.jsonl");
    let run = cmd(["dimensions"])
        .arg(&input_path)
        .arg("-o")
        .arg(&out)
        .exits(1);
    assert_contains(&run.stdout, "wrote ");
    assert_contains(
        &run.stdout,
        ": 9 items; filled 3, checked 2 (1 disagree), could not read 1, skipped 2 (point clouds, remote without --media-dir), invalid 1",
    );
    assert_contains(
        &run.stdout,
        ":3: error[dimension-mismatch]: /width: width is 21 but ",
    );
    assert_contains(&run.stdout, ":8: error[missing-media]: /image_location: ");
    assert_contains(&run.stdout, ":9: error[invalid-json]");

    let written = std::fs::read_to_string(&out).unwrap();
    let written: Vec<&str> = written.lines().collect();
    assert_eq!(written.len(), input.len());
    let expected = [
        inserted(&input[0], r#","width":64,"height":48"#),
        input[1].clone(),
        input[2].clone(),
        inserted(&input[3], r#","height":10"#),
        // `null` is replaced in place; this one line is rewritten by serde_json (1E2 → 100.0).
        format!(
            r#"{{"image_location":{jpg},"reference_id":"e","width":64,"metadata":{{"n":100.0}},"height":48}}"#
        ),
        input[5].clone(),
        input[6].clone(),
        input[7].clone(),
        input[8].clone(),
    ];
    for (idx, (written, expected)) in written.iter().zip(&expected).enumerate() {
        assert_eq!(written, expected, "line {}", idx + 1);
    }

    // What was filled is what `check --probe-media` reads, and privacy mode is satisfied
    // (but for the remote image and the missing file). `--open-local`: the remote locations
    // here name no real bucket, so they are not looked up.
    let codes = |args: &[&str]| -> Vec<(u64, String)> {
        let check = cmd(["check", "--format", "json"])
            .args(args)
            .arg(&out)
            .run();
        json_lines(&check.stdout)
            .iter()
            .filter(|d| d.get("code").is_some())
            .map(|d| {
                (
                    d["line"].as_u64().unwrap(),
                    d["code"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let expected = |rows: &[(u64, &str)]| -> Vec<(u64, String)> {
        rows.iter()
            .map(|(line, code)| (*line, (*code).to_owned()))
            .collect()
    };
    assert_eq!(
        codes(&["--open-local"]),
        expected(&[
            (1, "unknown-field"),
            (3, "dimension-mismatch"),
            (8, "missing-media"),
            (9, "invalid-json"),
        ])
    );
    assert_eq!(
        codes(&["--require-dimensions"]),
        expected(&[
            (1, "unknown-field"),
            (7, "missing-dimensions"),
            (8, "missing-dimensions"),
            (9, "invalid-json"),
        ])
    );

    // Run again on its own output: everything that could be filled is now checked.
    let again = dir.join("again.jsonl");
    let run = cmd(["dimensions", "--format", "json"])
        .arg(&out)
        .arg("-o")
        .arg(&again)
        .exits(1);
    let summary = &json_lines(&run.stdout).pop().unwrap()["summary"];
    assert_eq!(summary["filled"], 0);
    assert_eq!(summary["checked"], 5);
    assert_eq!(std::fs::read(&again).unwrap(), std::fs::read(&out).unwrap());
}

#[test]
fn dimensions_writes_nothing_when_it_cannot_run() {
    let dir = temp_dir("dimensions-fail");
    let out = dir.join("out.jsonl");
    cmd(["dimensions", "no/such/input.jsonl", "-o"])
        .arg(&out)
        .exits(2);
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "a temporary file was left"
    );
    cmd(["dimensions", "-", "--media-dir", "no/such/dir", "-o"])
        .arg(&out)
        .stdin("")
        .exits(2);
    assert!(!out.exists());
}
