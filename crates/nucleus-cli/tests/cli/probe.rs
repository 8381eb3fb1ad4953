//! `nucleus check --probe-media` on generated JPEG and PNG files, truncated copies, a PNG named
//! `.jpg`, a missing file; and locations that try to leave the `--media-dir` mirror, in `check`
//! and in `render`.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::{ImageFormat, RgbImage};
use serde_json::{Value, json};

use crate::support::{assert_contains, cmd, json_lines, root, temp_dir};

/// A `width` × `height` image with some structure, encoded.
fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([
            (x * 5 % 256) as u8,
            (y * 11 % 256) as u8,
            ((x + y) % 256) as u8,
        ])
    });
    let mut bytes = Cursor::new(Vec::new());
    image.write_to(&mut bytes, format).unwrap();
    bytes.into_inner()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, bytes).unwrap();
    path
}

fn image_item(path: &Path, id: &str, size: Option<(u32, u32)>) -> String {
    let mut item = json!({"image_location": path.to_str().unwrap(), "reference_id": id});
    if let Some((width, height)) = size {
        item["width"] = json!(width);
        item["height"] = json!(height);
    }
    item.to_string()
}

/// `(line, code, path)` of every finding of `check --format json ARGS -` on `input`.
fn findings(args: &[&str], input: &str) -> Vec<(u64, String, String)> {
    let run = cmd(["check", "--format", "json"])
        .args(args)
        .arg("-")
        .stdin(input)
        .run();
    let mut lines = json_lines(&run.stdout);
    lines.pop();
    lines
        .iter()
        .map(|d| {
            (
                d["line"].as_u64().unwrap(),
                d["code"].as_str().unwrap().to_owned(),
                d["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn expected(rows: &[(u64, &str, &str)]) -> Vec<(u64, String, String)> {
    rows.iter()
        .map(|(line, code, path)| (*line, (*code).to_owned(), (*path).to_owned()))
        .collect()
}

#[test]
fn probe_media_finds_each_broken_file_on_its_line() {
    let dir = temp_dir("probe-files");
    let jpeg = encoded(64, 48, ImageFormat::Jpeg);
    let png = encoded(40, 30, ImageFormat::Png);
    let lines = [
        image_item(&write(&dir, "good.jpg", &jpeg), "good-jpg", Some((64, 48))),
        image_item(&write(&dir, "good.png", &png), "good-png", None),
        image_item(&write(&dir, "half.jpg", &jpeg[..jpeg.len() / 2]), "half", None),
        image_item(&write(&dir, "short.png", &png[..16]), "short", None),
        image_item(&write(&dir, "png.jpg", &png), "png-named-jpg", None),
        image_item(&dir.join("missing.jpg"), "missing", None),
        image_item(&write(&dir, "sized.png", &png), "wrong-size", Some((40, 31))),
        // Attachments are probed like images.
        json!({"image_location": dir.join("good.png").to_str().unwrap(), "reference_id": "att",
               "metadata": {"context_attachments": [{"attachment": dir.join("gone.png").to_str().unwrap()}]}})
            .to_string(),
    ];
    let input = lines.join("\n");
    let headers = expected(&[
        (4, "unreadable-media", "/image_location"),
        (5, "mislabelled-image", "/image_location"),
        (6, "missing-media", "/image_location"),
        (7, "dimension-mismatch", "/height"),
        (
            8,
            "missing-media",
            "/metadata/context_attachments/0/attachment",
        ),
    ]);
    assert_eq!(findings(&["--probe-media"], &input), headers);
    assert_eq!(findings(&["--open-local"], &input), headers);
    let with_decode = expected(&[
        (3, "corrupt-image", "/image_location"),
        (4, "unreadable-media", "/image_location"),
        (5, "mislabelled-image", "/image_location"),
        (6, "missing-media", "/image_location"),
        (7, "dimension-mismatch", "/height"),
        (
            8,
            "missing-media",
            "/metadata/context_attachments/0/attachment",
        ),
    ]);
    assert_eq!(
        findings(&["--probe-media", "--decode"], &input),
        with_decode
    );
    // The same findings whatever the thread count.
    assert_eq!(
        findings(&["--probe-media", "--decode", "--jobs", "1"], &input),
        with_decode
    );
    let large = findings(&["--probe-media", "--max-side", "50"], &input);
    let too_large: Vec<u64> = large
        .iter()
        .filter(|(_, code, _)| code == "image-too-large")
        .map(|(line, _, _)| *line)
        .collect();
    assert_eq!(too_large, [1, 3]);
    // Without --probe-media nothing is opened.
    assert_eq!(findings(&[], &input), []);
}

#[test]
fn probe_media_text_output_names_files_and_the_help_teaches() {
    let dir = temp_dir("probe-text");
    let path = write(&dir, "a.png", &encoded(40, 30, ImageFormat::Png));
    let run = cmd(["check", "--probe-media", "-"])
        .stdin(image_item(&path, "a", Some((30, 40))))
        .exits(1);
    assert_contains(
        &run.stdout,
        &format!(
            "-:1: error[dimension-mismatch]: /width: width is 30 but {} is 40x30 pixels (its header); width and height are swapped (a rotated photo?)",
            path.display()
        ),
    );
    let help = cmd(["check", "--help"]).exits(0);
    for needle in [
        "--probe-media",
        "--probe-remote",
        "~/.aws/credentials",
        "--media-dir",
        "--max-side",
        "--decode",
        "DIR/a/b.jpg",
    ] {
        assert_contains(&help.stdout, needle);
    }
    // The mirror options mean nothing without --probe-media.
    cmd(["check", "--decode", "-"]).stdin("").exits(2);
}

/// A mirror `base/mirror/sub` with `base/secret.json` and `base/mirror/secret.json` outside it,
/// both invalid point clouds: opening either would add an `invalid-pointcloud` finding.
fn mirror_with_secrets(name: &str) -> (PathBuf, PathBuf) {
    let base = temp_dir(name);
    let mirror = base.join("mirror/sub");
    std::fs::create_dir_all(&mirror).unwrap();
    let secret = br#"{"points": [{"x": "secret"}]}"#;
    write(&base, "secret.json", secret);
    write(&base, "mirror/secret.json", secret);
    write(
        &mirror,
        "etc/cloud.json",
        br#"{"points": [{"x": 1, "y": 2, "z": 3}]}"#,
    );
    (base, mirror)
}

#[test]
fn check_never_opens_a_file_outside_the_mirror() {
    let (base, mirror) = mirror_with_secrets("probe-mirror");
    let cloud = |url: &str| json!({"pointcloud_location": url, "reference_id": url}).to_string();
    let mut lines = vec![
        cloud("s3://b/../../secret.json"),
        cloud("s3://b/../secret.json"),
        cloud("s3://b/%2e%2e/%2E%2e/secret.json"),
        cloud("s3://b/a/.%2e/../secret.json"),
        // An absolute key stays under the mirror.
        cloud("s3://b//etc/cloud.json"),
    ];
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(base.join("secret.json"), mirror.join("link.json")).unwrap();
        std::os::unix::fs::symlink(&base, mirror.join("up")).unwrap();
        lines.push(cloud("s3://b/link.json"));
        lines.push(cloud("gs://b/up/secret.json"));
    }
    let mirror_arg = mirror.to_str().unwrap();
    let found = findings(
        &["--probe-media", "--media-dir", mirror_arg],
        &lines.join("\n"),
    );
    let mut rows = vec![
        (1, "location-outside-mirror", "/pointcloud_location"),
        (2, "location-outside-mirror", "/pointcloud_location"),
        (3, "location-outside-mirror", "/pointcloud_location"),
        (4, "location-outside-mirror", "/pointcloud_location"),
    ];
    if cfg!(unix) {
        rows.push((6, "location-outside-mirror", "/pointcloud_location"));
        rows.push((7, "location-outside-mirror", "/pointcloud_location"));
    }
    assert_eq!(found, expected(&rows));
    let run = cmd(["check", "--probe-media", "--media-dir", mirror_arg, "-"])
        .stdin(lines[0].clone())
        .exits(1);
    assert_contains(
        &run.stdout,
        "its key \"../../secret.json\" climbs out of the mirror",
    );
    assert_contains(&run.stdout, "nothing outside the mirror is opened");
    cmd(["check", "--probe-media", "--media-dir", "no/such/dir", "-"])
        .stdin("")
        .exits(2);
}

#[test]
fn check_probes_the_example_scene_through_its_mirror() {
    let run = cmd([
        "check",
        "--scenes",
        "--probe-media",
        "--media-dir",
        "examples/scene/media",
        "--decode",
        "examples/scene/scene.jsonl",
    ])
    .exits(0);
    assert_contains(
        &run.stdout,
        "checked 1 scene in 1 file: 1 valid, 0 invalid; 0 errors",
    );
    // A scene item's finding is under its pointer in the scene.
    let scene = std::fs::read_to_string(root().join("examples/scene/scene.jsonl")).unwrap();
    let mut value: Value = serde_json::from_str(scene.lines().next().unwrap()).unwrap();
    value["frames"][0]["front"]["width"] = json!(641);
    let run = cmd([
        "check",
        "--scenes",
        "--format",
        "json",
        "--probe-media",
        "--media-dir",
        "examples/scene/media",
        "-",
    ])
    .stdin(value.to_string())
    .exits(1);
    let first = &json_lines(&run.stdout)[0];
    assert_eq!(first["code"], "dimension-mismatch");
    assert_eq!(first["path"], "/frames/0/front/width");
}

#[test]
fn render_never_draws_a_file_outside_the_mirror() {
    let base = temp_dir("render-mirror");
    let mirror = base.join("mirror/sub");
    std::fs::create_dir_all(&mirror).unwrap();
    // The real camera image sits outside the mirror; the scene reaches for it with `..`.
    let media = root().join("examples/scene/media");
    std::fs::copy(media.join("front/000.png"), base.join("secret.png")).unwrap();
    let scene = std::fs::read_to_string(root().join("examples/scene/scene.jsonl")).unwrap();
    let line = scene.lines().next().unwrap().replace(
        "s3://nucleus-rs-examples/front/000.png",
        "s3://nucleus-rs-examples/../../secret.png",
    );
    let scene_path = write(&base, "scene.jsonl", line.as_bytes());
    let out = base.join("out.png");
    let run = cmd(["render", "--scene"])
        .arg(&scene_path)
        .args(["--camera", "front", "--media-dir"])
        .arg(&mirror)
        .arg("-o")
        .arg(&out)
        .exits(0);
    assert_contains(&run.stderr, "climbs out of the mirror");
    assert_contains(&run.stderr, "drawing on a blank canvas");
    // Blank: the corner pixel is the blank canvas colour, not the photo's.
    let drawn = image::ImageReader::open(&out)
        .unwrap()
        .decode()
        .unwrap()
        .to_rgb8();
    assert_eq!(drawn.get_pixel(0, 0).0, [24, 24, 24]);
}

/// `(line, code, path)` and messages of `check --format json ARGS -` on `input`, with `envs`.
fn remote_findings(
    args: &[&str],
    envs: &[(&str, &str)],
    input: &str,
) -> (Vec<(u64, String, String)>, Vec<String>) {
    let (found, messages, _) = remote_run(args, envs, input);
    (found, messages)
}

/// [`remote_findings`] and the summary.
fn remote_run(
    args: &[&str],
    envs: &[(&str, &str)],
    input: &str,
) -> (Vec<(u64, String, String)>, Vec<String>, serde_json::Value) {
    let mut command = cmd(["check", "--format", "json"])
        .args(args)
        .arg("-")
        .stdin(input);
    for (key, value) in envs {
        command = command.env(key, value);
    }
    let run = command.run();
    let mut lines = json_lines(&run.stdout);
    let summary = lines.pop().unwrap()["summary"].clone();
    let found = lines
        .iter()
        .map(|d| {
            (
                d["line"].as_u64().unwrap(),
                d["code"].as_str().unwrap().to_owned(),
                d["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let messages = lines
        .iter()
        .map(|d| d["message"].as_str().unwrap().to_owned())
        .collect();
    (found, messages, summary)
}

fn remote_item(url: &str, id: &str, extra: &str) -> String {
    format!(r#"{{"image_location": "{url}", "reference_id": "{id}"{extra}}}"#)
}

#[test]
fn probe_media_reads_remote_images_where_they_live() {
    use nucleus_testdata::media_server::{MediaServer, Route};
    let jpeg = encoded(64, 48, ImageFormat::Jpeg);
    let png = encoded(40, 30, ImageFormat::Png);
    let server = MediaServer::start(vec![
        ("/cam/a.jpg".into(), Route::File(jpeg.clone())),
        ("/cam/b.jpg".into(), Route::File(png.clone())),
        ("/cam/secret.jpg".into(), Route::Status(403)),
        ("/cam/slow.jpg".into(), Route::Hang),
    ]);
    let lines = [
        remote_item(
            &server.url("/cam/a.jpg"),
            "a",
            r#", "width": 64, "height": 48"#,
        ),
        remote_item(
            &server.url("/cam/a.jpg"),
            "a2",
            r#", "width": 60, "height": 48"#,
        ),
        remote_item(&server.url("/cam/b.jpg"), "b", ""),
        remote_item(&server.url("/cam/secret.jpg"), "secret", ""),
        remote_item(&server.url("/cam/gone.jpg"), "gone", ""),
        remote_item(&server.url("/cam/slow.jpg"), "slow", ""),
        // Attachments are read where they live too.
        format!(
            r#"{{"image_location": "{}", "reference_id": "att", "metadata": {{"context_attachments": [{{"attachment": "{}"}}]}}}}"#,
            server.url("/cam/a.jpg"),
            server.url("/cam/none.png")
        ),
    ];
    let input = lines.join("\n");
    let at = "/image_location";
    let expected_codes = expected(&[
        (2, "dimension-mismatch", "/width"),
        (3, "mislabelled-image", at),
        (4, "unreadable-media", at),
        (5, "missing-media", at),
        (6, "unreadable-media", at),
        (
            7,
            "missing-media",
            "/metadata/context_attachments/0/attachment",
        ),
    ]);
    let args = [
        "--probe-remote",
        "--timeout",
        "1",
        "--retries",
        "0",
        "--concurrency",
        "3",
    ];
    for jobs in ["1", "2"] {
        let mut with_jobs = args.to_vec();
        with_jobs.extend(["--jobs", jobs]);
        let (found, messages) = remote_findings(&with_jobs, &[], &input);
        assert_eq!(found, expected_codes, "--jobs {jobs}");
        assert!(
            messages[2].contains("access denied (HTTP 403)"),
            "{}",
            messages[2]
        );
        assert!(
            messages[3].contains("no such object (HTTP 404)"),
            "{}",
            messages[3]
        );
        assert!(
            messages[4].contains("no answer within the timeout of 1 s, in 1 attempt"),
            "{}",
            messages[4]
        );
    }
    // Every read asked for the first bytes only.
    let served = server.served();
    assert!(!served.is_empty());
    assert!(
        served
            .iter()
            .all(|s| s.range.as_deref() == Some("bytes=0-65535")),
        "{served:?}"
    );

    // --probe-media (--open-local), and --media-dir, never go to the network: the remote
    // locations left are counted (seven images and an attachment).
    let before = server.served().len();
    for probe in ["--probe-media", "--open-local"] {
        let (found, _, summary) = remote_run(&[probe], &[], &input);
        assert_eq!(found, []);
        assert_eq!(summary["remote_not_probed"], 8);
    }
    let run = cmd(["check", "--probe-media", "-"]).stdin(&input).exits(0);
    assert_contains(
        &run.stdout,
        "\n8 remote locations not probed: --probe-remote reads them where they live, --media-dir DIR in a local copy\n",
    );
    let (_, _, summary) = remote_run(&[], &[], &input);
    assert_eq!(summary.get("remote_not_probed"), None);
    let mirror = temp_dir("remote-mirror");
    write(&mirror, "cam/a.jpg", &jpeg);
    let (found, _) = remote_findings(
        &["--probe-media", "--media-dir", mirror.to_str().unwrap()],
        &[],
        &lines[..2].join("\n"),
    );
    assert_eq!(found, expected(&[(2, "dimension-mismatch", "/width")]));
    let (found, _, summary) = remote_run(
        &["--probe-remote", "--media-dir", mirror.to_str().unwrap()],
        &[],
        &lines[..2].join("\n"),
    );
    assert_eq!(found, expected(&[(2, "dimension-mismatch", "/width")]));
    assert_eq!(summary["remote_not_probed"], 0);
    assert_eq!(server.served().len(), before);

    // The remote options need --probe-remote, which implies --probe-media.
    cmd(["check", "--concurrency", "4", "-"]).stdin("").exits(2);
    cmd(["check", "--probe-media", "--timeout", "4", "-"])
        .stdin("")
        .exits(2);
    cmd(["check", "--probe-remote", "--max-side", "4", "-"])
        .stdin("")
        .exits(0);
    cmd(["check", "--probe-media", "--probe-remote", "-"])
        .stdin("")
        .exits(0);
}

#[test]
fn probe_media_reads_s3_with_the_environment_s_credentials_and_endpoint() {
    use nucleus_testdata::media_server::S3Server;
    let Some(s3) = S3Server::start() else {
        return;
    };
    let bucket = format!("nucleus-cli-it-{}", std::process::id());
    s3.create_bucket(&bucket);
    s3.put(&bucket, "front/0.jpg", &encoded(64, 48, ImageFormat::Jpeg));
    let input = [
        remote_item(
            &format!("s3://{bucket}/front/0.jpg"),
            "a",
            r#", "width": 64, "height": 48"#,
        ),
        remote_item(
            &format!("s3://{bucket}/front/0.jpg"),
            "b",
            r#", "width": 64, "height": 50"#,
        ),
        remote_item(&format!("s3://{bucket}/front/1.jpg"), "c", ""),
    ]
    .join("\n");
    let envs = [
        ("AWS_ENDPOINT_URL", s3.endpoint()),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_REGION", "us-east-1"),
    ];
    let (found, messages) = remote_findings(&["--probe-remote", "--timeout", "10"], &envs, &input);
    assert_eq!(
        found,
        expected(&[
            (2, "dimension-mismatch", "/height"),
            (3, "missing-media", "/image_location"),
        ])
    );
    assert!(
        messages[0].contains(&format!("s3://{bucket}/front/0.jpg is 64x48 pixels")),
        "{}",
        messages[0]
    );
}

/// The variables that would say where S3 is and who reads it, unset so that only the files
/// under the temporary `HOME` speak.
const AWS_VARIABLES: [&str; 10] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_PROFILE",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
];

#[test]
fn probe_remote_reads_s3_with_the_credentials_and_endpoint_of_the_aws_files() {
    use nucleus_testdata::media_server::S3Server;
    let Some(s3) = S3Server::start() else {
        return;
    };
    let bucket = format!("nucleus-cli-aws-files-{}", std::process::id());
    s3.create_bucket(&bucket);
    s3.put(&bucket, "front/0.jpg", &encoded(64, 48, ImageFormat::Jpeg));
    let input = [
        remote_item(
            &format!("s3://{bucket}/front/0.jpg"),
            "a",
            r#", "width": 64, "height": 50"#,
        ),
        remote_item(&format!("s3://{bucket}/front/1.jpg"), "b", ""),
    ]
    .join("\n");
    let home = temp_dir("aws-home");
    write(
        &home,
        ".aws/credentials",
        b"[default]\naws_access_key_id = nobody\naws_secret_access_key = nothing\n[moto]\naws_access_key_id = test\naws_secret_access_key = test\n",
    );
    write(
        &home,
        ".aws/config",
        format!(
            "[default]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:9\n[profile moto]\nregion = us-east-1\ns3 =\n  endpoint_url = {}\n",
            s3.endpoint()
        )
        .as_bytes(),
    );
    let run = |envs: &[(&str, &str)]| {
        let mut command = cmd(["check", "--format", "json", "--probe-remote"])
            .args(["--timeout", "10", "--retries", "0", "-"])
            .stdin(&input);
        for key in AWS_VARIABLES {
            command = command.env_remove(key);
        }
        command = command.env("HOME", &home);
        for (key, value) in envs {
            command = command.env(key, value);
        }
        let run = command.run();
        let mut lines = json_lines(&run.stdout);
        lines.pop();
        (
            lines
                .iter()
                .map(|d| {
                    (
                        d["line"].as_u64().unwrap(),
                        d["code"].as_str().unwrap().to_owned(),
                    )
                })
                .collect::<Vec<_>>(),
            run,
        )
    };
    // The profile AWS_PROFILE names: its keys, region and s3 endpoint.
    let (found, _) = run(&[("AWS_PROFILE", "moto")]);
    assert_eq!(
        found,
        [
            (1, "dimension-mismatch".to_owned()),
            (2, "missing-media".to_owned())
        ]
    );
    // Without AWS_PROFILE, the default profile; the environment's endpoint wins over its
    // endpoint_url (nothing listens on port 9): the same findings.
    let (found, _) = run(&[("AWS_ENDPOINT_URL", s3.endpoint())]);
    assert_eq!(
        found,
        [
            (1, "dimension-mismatch".to_owned()),
            (2, "missing-media".to_owned())
        ]
    );
    // Files named by the variables, not under HOME: here the config has no endpoint, so the
    // endpoint comes from the environment.
    let elsewhere = temp_dir("aws-elsewhere");
    let credentials = write(
        &elsewhere,
        "creds",
        b"[default]\naws_access_key_id = test\naws_secret_access_key = test\n",
    );
    let config = write(&elsewhere, "conf", b"[default]\nregion = us-east-1\n");
    let (found, _) = run(&[
        ("AWS_SHARED_CREDENTIALS_FILE", credentials.to_str().unwrap()),
        ("AWS_CONFIG_FILE", config.to_str().unwrap()),
        ("AWS_ENDPOINT_URL", s3.endpoint()),
    ]);
    assert_eq!(
        found,
        [
            (1, "dimension-mismatch".to_owned()),
            (2, "missing-media".to_owned())
        ]
    );
    // A profile that no file holds cannot be used: the run stops before reading anything.
    let (found, failed) = run(&[("AWS_PROFILE", "nope")]);
    assert_eq!(found, []);
    assert_eq!(failed.code, 2);
    assert_contains(&failed.stderr, "AWS_PROFILE names the profile \"nope\"");
}
