//! Probing images where they live: an HTTP server on 127.0.0.1 started here (files with byte
//! ranges, 403, 404, an answer that never comes) and a local S3-compatible server (moto).

use std::time::Duration;

use image::ImageFormat as Encode;
use nucleus_media::{ProbeConfig, Prober, RemoteConfig, Resolver};
use nucleus_model::{Code, DatasetItem, Diagnostic};
use nucleus_testdata::media_server::{MediaServer, Route, S3Server};

use crate::{encoded, temp_dir};

/// `(code, path)` of the findings of probing each item, per item.
fn probe_all(prober: &Prober, items: &[String]) -> Vec<Vec<Diagnostic>> {
    let items: Vec<DatasetItem> = items
        .iter()
        .map(|text| DatasetItem::from_json(text).unwrap())
        .collect();
    // All reads start before any is waited for, as `check` does.
    let probes: Vec<_> = items
        .iter()
        .map(|item| prober.probe_items([(item, "", "image_location")]))
        .collect();
    probes.into_iter().map(|probe| probe.wait()).collect()
}

fn codes(findings: &[Diagnostic]) -> Vec<(Code, &str)> {
    findings.iter().map(|d| (d.code, d.path.as_str())).collect()
}

fn image_item(url: &str, extra: &str) -> String {
    format!(r#"{{"image_location": "{url}", "reference_id": "r"{extra}}}"#)
}

/// Pixels that do not compress: a PNG of them is about as large as the pixels.
fn noise_png(side: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(side, side, |x, y| {
        let n =
            (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)).wrapping_mul(2_246_822_519);
        image::Rgb([(n >> 24) as u8, (n >> 16) as u8, (n >> 8) as u8])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, Encode::Png).unwrap();
    bytes.into_inner()
}

/// A JPEG whose frame header comes after 128 KiB of application segments (as a camera's EXIF
/// thumbnail can push it): its header is not within the first read.
fn deep_jpeg() -> Vec<u8> {
    let jpeg = encoded(64, 48, Encode::Jpeg);
    let mut deep = vec![0xFF, 0xD8];
    for _ in 0..2 {
        deep.extend([0xFF, 0xE1, 0xFF, 0xFF]);
        deep.extend(std::iter::repeat_n(0u8, 0xFFFF - 2));
    }
    deep.extend(&jpeg[2..]);
    deep
}

#[test]
fn http_images_are_probed_from_their_first_bytes() {
    let big = noise_png(400);
    assert!(big.len() > 400_000);
    let jpeg = encoded(64, 48, Encode::Jpeg);
    let png = encoded(40, 30, Encode::Png);
    let deep = deep_jpeg();
    let server = MediaServer::start(vec![
        ("/big.png".into(), Route::File(big.clone())),
        ("/photo.jpg".into(), Route::File(jpeg.clone())),
        ("/deep.jpg".into(), Route::File(deep.clone())),
        ("/signed.jpg".into(), Route::File(jpeg.clone())),
        ("/png.jpg".into(), Route::File(png.clone())),
        ("/short.png".into(), Route::File(png[..16].to_vec())),
        ("/empty.png".into(), Route::File(Vec::new())),
        ("/secret.png".into(), Route::Status(403)),
        ("/slow.png".into(), Route::Hang),
    ]);
    let prober = Prober::new(Resolver::new(), ProbeConfig::new())
        .with_remote(
            RemoteConfig::new()
                .concurrency(4)
                .timeout(Duration::from_secs(1))
                .retries(1),
        )
        .unwrap();
    assert!(prober.reads_remote());
    let items = [
        image_item(&server.url("/big.png"), r#", "width": 400, "height": 400"#),
        image_item(&server.url("/photo.jpg"), r#", "width": 64, "height": 40"#),
        image_item(&server.url("/deep.jpg"), r#", "width": 64, "height": 48"#),
        image_item(&server.url("/signed.jpg?X-Amz-Signature=abc&e=1"), ""),
        image_item(&server.url("/png.jpg"), ""),
        image_item(&server.url("/short.png"), ""),
        image_item(&server.url("/empty.png"), ""),
        image_item(&server.url("/secret.png"), ""),
        image_item(&server.url("/gone.png"), ""),
        image_item(&server.url("/slow.png"), ""),
    ];
    let found = probe_all(&prober, &items);
    let at = "/image_location";
    let expected: Vec<Vec<(Code, &str)>> = vec![
        vec![],
        vec![(Code::DimensionMismatch, "/height")],
        vec![],
        vec![],
        vec![(Code::MislabelledImage, at)],
        vec![(Code::UnreadableMedia, at)],
        vec![(Code::UnreadableMedia, at)],
        vec![(Code::UnreadableMedia, at)],
        vec![(Code::MissingMedia, at)],
        vec![(Code::UnreadableMedia, at)],
    ];
    let actual: Vec<Vec<(Code, &str)>> = found.iter().map(|f| codes(f)).collect();
    assert_eq!(actual, expected, "{found:#?}");
    let message = |idx: usize| found[idx][0].message.clone();
    assert!(
        message(1).contains(&format!("{} is 64x48 pixels", server.url("/photo.jpg"))),
        "{}",
        message(1)
    );
    assert!(message(5).contains("truncated"), "{}", message(5));
    assert!(message(6).contains("truncated"), "{}", message(6));
    assert!(
        message(7).contains("access denied (HTTP 403)"),
        "{}",
        message(7)
    );
    assert!(
        message(8).contains("no such object (HTTP 404)"),
        "{}",
        message(8)
    );
    assert!(
        message(9).contains("no answer within the timeout of 1 s, in 2 attempts"),
        "{}",
        message(9)
    );

    // Only first bytes were asked for and sent: one range request per image, a second (larger)
    // one where the header goes on past the first 64 KiB.
    let served = server.served();
    let gets = |path: &str| -> Vec<(Option<String>, u64)> {
        served
            .iter()
            .filter(|s| s.url.split('?').next() == Some(path) && s.method == "GET")
            .map(|s| (s.range.clone(), s.bytes))
            .collect()
    };
    assert_eq!(
        gets("/big.png"),
        [(Some("bytes=0-65535".to_owned()), 65_536)]
    );
    assert_eq!(
        gets("/deep.jpg"),
        [
            (Some("bytes=0-65535".to_owned()), 65_536),
            (Some("bytes=0-1048575".to_owned()), deep.len() as u64),
        ]
    );
    assert!(
        served
            .iter()
            .all(|s| s.method == "HEAD" || s.range.is_some())
    );
    // A signed URL keeps its query.
    assert!(
        served
            .iter()
            .any(|s| s.url == "/signed.jpg?X-Amz-Signature=abc&e=1")
    );
}

#[test]
fn http_decode_reads_whole_images_and_point_clouds_are_only_looked_up() {
    let jpeg = encoded(64, 48, Encode::Jpeg);
    let server = MediaServer::start(vec![
        ("/whole.jpg".into(), Route::File(jpeg.clone())),
        (
            "/half.jpg".into(),
            Route::File(jpeg[..jpeg.len() / 2].to_vec()),
        ),
        (
            "/cloud.json".into(),
            Route::File(br#"{"points": "not read"}"#.to_vec()),
        ),
    ]);
    let remote = RemoteConfig::new().timeout(Duration::from_secs(5));
    let decode = Prober::new(Resolver::new(), ProbeConfig::new().decode(true))
        .with_remote(remote.clone())
        .unwrap();
    let items = [
        image_item(&server.url("/whole.jpg"), ""),
        image_item(&server.url("/half.jpg"), ""),
    ];
    let found = probe_all(&decode, &items);
    assert_eq!(codes(&found[0]), []);
    assert_eq!(codes(&found[1]), [(Code::CorruptImage, "/image_location")]);

    let prober = Prober::new(Resolver::new(), ProbeConfig::new())
        .with_remote(remote)
        .unwrap();
    let mut findings = Vec::new();
    for (url, key) in [
        ("/cloud.json", "pointcloud_location"),
        ("/none.json", "pointcloud_location"),
    ] {
        let item = DatasetItem::from_json(&format!(
            r#"{{"{key}": "{}", "reference_id": "p"}}"#,
            server.url(url)
        ))
        .unwrap();
        prober.probe_item(&item, "", key, &mut findings);
    }
    assert_eq!(
        codes(&findings),
        [(Code::MissingMedia, "/pointcloud_location")]
    );
    let cloud: Vec<_> = server
        .served()
        .into_iter()
        .filter(|s| s.url == "/cloud.json")
        .collect();
    assert_eq!(cloud.len(), 1);
    assert_eq!((cloud[0].method.as_str(), cloud[0].bytes), ("HEAD", 0));
}

#[test]
fn a_mirror_is_read_instead_of_the_network() {
    let mirror = temp_dir("remote-mirror");
    let prober = Prober::new(Resolver::with_mirror(&mirror).unwrap(), ProbeConfig::new())
        .with_remote(RemoteConfig::new())
        .unwrap();
    assert!(!prober.reads_remote());
    // Nothing listens on port 9 of 127.0.0.1: had it gone to the network, the finding would
    // be another.
    let found = probe_all(&prober, &[image_item("http://127.0.0.1:9/a/b.jpg", "")]);
    assert_eq!(codes(&found[0]), [(Code::MissingMedia, "/image_location")]);
    assert!(
        found[0][0].message.contains("no such file"),
        "{}",
        found[0][0].message
    );
}

#[test]
fn s3_objects_are_probed_where_they_live() {
    let Some(s3) = S3Server::start() else {
        return;
    };
    let bucket = format!("nucleus-media-it-{}", std::process::id());
    s3.create_bucket(&bucket);
    let jpeg = encoded(64, 48, Encode::Jpeg);
    let png = encoded(40, 30, Encode::Png);
    s3.put(&bucket, "cam/front.jpg", &jpeg);
    s3.put(&bucket, "cam/side.jpg", &png);
    s3.put(&bucket, "cam/short.png", &png[..16]);
    let prober = Prober::new(Resolver::new(), ProbeConfig::new())
        .with_remote(
            RemoteConfig::new()
                .timeout(Duration::from_secs(10))
                .s3_option("aws_endpoint", s3.endpoint())
                .s3_option("aws_access_key_id", "test")
                .s3_option("aws_secret_access_key", "test")
                .s3_option("aws_region", "us-east-1"),
        )
        .unwrap();
    let s3_item = |key: &str, extra: &str| image_item(&format!("s3://{bucket}/{key}"), extra);
    let items = [
        s3_item("cam/front.jpg", r#", "width": 64, "height": 48"#),
        s3_item("cam/front.jpg", r#", "width": 48, "height": 64"#),
        s3_item("cam/side.jpg", ""),
        s3_item("cam/short.png", ""),
        s3_item("cam/missing.jpg", ""),
        image_item("s3://no-such-bucket-nucleus/a.jpg", ""),
    ];
    let found = probe_all(&prober, &items);
    let at = "/image_location";
    let actual: Vec<Vec<(Code, &str)>> = found.iter().map(|f| codes(f)).collect();
    assert_eq!(
        actual,
        vec![
            vec![],
            vec![
                (Code::DimensionMismatch, "/width"),
                (Code::DimensionMismatch, "/height")
            ],
            vec![(Code::MislabelledImage, at)],
            vec![(Code::UnreadableMedia, at)],
            vec![(Code::MissingMedia, at)],
            vec![(Code::MissingMedia, at)],
        ]
    );
    assert!(
        found[1][0].message.contains("swapped"),
        "{}",
        found[1][0].message
    );
    assert!(
        found[4][0].message.contains("no such object (HTTP 404)"),
        "{}",
        found[4][0].message
    );
}

/// `with_probing` adds each line's findings after those of the hooks added before it, local
/// ones at once and remote ones when read, in line order.
#[test]
fn a_check_with_probing_keeps_line_order_and_the_hooks_before() {
    use nucleus_metadata::ItemRules;
    use nucleus_metadata::check::{Check, CheckEvent, HookFindings};
    use std::ops::ControlFlow;

    let server = MediaServer::start(vec![(
        "/photo.jpg".into(),
        Route::File(encoded(64, 48, Encode::Jpeg)),
    )]);
    let prober = Prober::new(Resolver::new(), ProbeConfig::new())
        .with_remote(RemoteConfig::new().timeout(Duration::from_secs(5)))
        .unwrap();
    let dir = temp_dir("check-hook");
    let line = |location: &str, id: &str, extra: &str| {
        format!(r#"{{"image_location": "{location}", "reference_id": "{id}"{extra}}}"#)
    };
    let lines = [
        line(&server.url("/gone.jpg"), "a", ""),
        line(&dir.join("missing.jpg").display().to_string(), "b", ""),
        line(
            &server.url("/photo.jpg"),
            "c",
            r#", "width": 64, "height": 40"#,
        ),
    ];
    let check = Check::new(ItemRules::new()).with_hook(|_, _| {
        HookFindings::Ready(vec![Diagnostic::warning(Code::UnknownField, "/before", "")])
    });
    let mut check = nucleus_media::with_probing(check, &prober);
    let mut found = Vec::new();
    check.read_lines(
        "lines",
        lines.iter().map(String::as_str),
        &nucleus_lines::StreamConfig::default(),
        |event| {
            if let CheckEvent::Finding(d) = event {
                found.push((d.line.unwrap(), d.code, d.path.clone()));
            }
            ControlFlow::Continue(())
        },
    );
    let at = "/image_location".to_owned();
    let before = "/before".to_owned();
    assert_eq!(
        found,
        [
            (1, Code::UnknownField, before.clone()),
            (1, Code::MissingMedia, at.clone()),
            (2, Code::UnknownField, before.clone()),
            (2, Code::MissingMedia, at),
            (3, Code::UnknownField, before),
            (3, Code::DimensionMismatch, "/height".to_owned()),
        ]
    );
}

/// Without remote reading and a mirror, remote locations are counted, not read: the item's
/// and each attachment's, once their probe is waited for.
#[test]
fn remote_locations_left_unprobed_are_counted_when_waited_for() {
    let item = DatasetItem::from_json(
        r#"{"image_location": "http://127.0.0.1:9/a.jpg", "reference_id": "a", "metadata": {"context_attachments": [{"attachment": "s3://b/c.png"}, {"attachment": "local/c.png"}]}}"#,
    )
    .unwrap();
    let prober = Prober::new(Resolver::new(), ProbeConfig::new());
    let probe = prober.probe_items([(&item, "", "image_location")]);
    assert_eq!(probe.remote_not_probed(), 2);
    assert_eq!(prober.remote_not_probed(), 0);
    // The local attachment is probed (and missing); the remote ones give nothing.
    let found = probe.wait();
    assert_eq!(
        codes(&found),
        [(
            Code::MissingMedia,
            "/metadata/context_attachments/1/attachment"
        )]
    );
    assert_eq!(prober.remote_not_probed(), 2);
    drop(prober.probe_items([(&item, "", "image_location")]));
    assert_eq!(prober.remote_not_probed(), 2);
    // A mirror maps them: nothing is left.
    let mirror = temp_dir("count-mirror");
    let mirrored = Prober::new(Resolver::with_mirror(&mirror).unwrap(), ProbeConfig::new());
    assert_eq!(
        mirrored
            .probe_items([(&item, "", "image_location")])
            .remote_not_probed(),
        0
    );
}
