//! Probing items' images, point clouds and attachments on generated files.

use std::io::Cursor;
use std::path::Path;

use image::ImageFormat as Encode;
use nucleus_media::{HeaderError, ImageFormat, ProbeConfig, Prober, Resolver, read_header};
use nucleus_model::{Code, DatasetItem, Severity};

use crate::{encoded, temp_dir, write};

/// Expected findings: `(severity, code, path)`.
type Findings = Vec<(Severity, Code, String)>;

/// The findings of probing `item_json` (its location key given) as `(severity, code, path)`.
fn probe(prober: &Prober, item_json: &str, key: &str) -> Findings {
    let item = DatasetItem::from_json(item_json).unwrap();
    let mut findings = Vec::new();
    prober.probe_item(&item, "", key, &mut findings);
    findings
        .iter()
        .map(|d| (d.severity, d.code, d.path.clone()))
        .collect()
}

fn item(location: &Path, extra: &str) -> String {
    format!(
        r#"{{"image_location": {}, "reference_id": "a"{extra}}}"#,
        serde_json::Value::from(location.to_str().unwrap())
    )
}

#[test]
fn headers_give_format_and_size() {
    for (format, expected) in [
        (Encode::Png, ImageFormat::Png),
        (Encode::Jpeg, ImageFormat::Jpeg),
    ] {
        let header = read_header(Cursor::new(encoded(64, 48, format))).unwrap();
        assert_eq!(
            (header.format, header.width, header.height),
            (expected, 64, 48)
        );
    }
    // A GIF and a WebP header, written by hand: recognised, not displayed by Nucleus.
    let gif = b"GIF89a\x20\x00\x10\x00\x00\x00\x00;";
    let header = read_header(Cursor::new(&gif[..])).unwrap();
    assert_eq!(
        (header.format, header.width, header.height),
        (ImageFormat::Gif, 32, 16)
    );
    assert!(!header.format.is_displayed());
}

#[test]
fn truncated_and_foreign_headers_are_errors() {
    let png = encoded(64, 48, Encode::Png);
    let jpeg = encoded(64, 48, Encode::Jpeg);
    for (bytes, truncated) in [
        (&png[..20], true),
        (&jpeg[..10], true),
        (&b"not an image at all"[..], false),
        (&b""[..], true),
    ] {
        let error = read_header(Cursor::new(bytes)).unwrap_err();
        let expected = if truncated {
            matches!(error, HeaderError::Truncated)
        } else {
            matches!(error, HeaderError::NotAnImage)
        };
        assert!(expected, "{} bytes: {error:?}", bytes.len());
    }
}

#[test]
fn every_broken_file_has_its_finding() {
    let dir = temp_dir("broken");
    let png = encoded(64, 48, Encode::Png);
    let jpeg = encoded(64, 48, Encode::Jpeg);
    let good_jpeg = write(&dir, "good.jpg", &jpeg);
    let good_png = write(&dir, "good.png", &png);
    let png_named_jpg = write(&dir, "really-png.jpg", &png);
    let short_header = write(&dir, "short.png", &png[..20]);
    let half_jpeg = write(&dir, "half.jpg", &jpeg[..jpeg.len() / 2]);
    let half_png = write(&dir, "half.png", &png[..png.len() / 2]);
    let gif = write(&dir, "anim.gif", b"GIF89a\x20\x00\x10\x00\x00\x00\x00;");
    let text = write(&dir, "notes.jpg", b"these are notes, not pixels");
    let missing = dir.join("missing.jpg");

    use Severity::{Error as E, Warning as W};
    let headers = Prober::new(Resolver::new(), ProbeConfig::new());
    let decode = Prober::new(Resolver::new(), ProbeConfig::new().decode(true));
    let at_location = |code| vec![(E, code, "/image_location".to_owned())];
    let cases: Vec<(&Path, &str, Findings, Findings)> = vec![
        (&good_jpeg, r#","width":64,"height":48"#, vec![], vec![]),
        (&good_png, "", vec![], vec![]),
        (
            &png_named_jpg,
            "",
            vec![(W, Code::MislabelledImage, "/image_location".to_owned())],
            vec![(W, Code::MislabelledImage, "/image_location".to_owned())],
        ),
        (
            &short_header,
            "",
            at_location(Code::UnreadableMedia),
            at_location(Code::UnreadableMedia),
        ),
        // The header of half a file is whole: only a full decode sees the truncation.
        (&half_jpeg, "", vec![], at_location(Code::CorruptImage)),
        (&half_png, "", vec![], at_location(Code::CorruptImage)),
        (
            &gif,
            "",
            vec![(
                W,
                Code::UnsupportedImageFormat,
                "/image_location".to_owned(),
            )],
            vec![(
                W,
                Code::UnsupportedImageFormat,
                "/image_location".to_owned(),
            )],
        ),
        (
            &text,
            "",
            at_location(Code::UnreadableMedia),
            at_location(Code::UnreadableMedia),
        ),
        (
            &missing,
            "",
            at_location(Code::MissingMedia),
            at_location(Code::MissingMedia),
        ),
        (
            &good_png,
            r#","width":48,"height":48"#,
            vec![(E, Code::DimensionMismatch, "/width".to_owned())],
            vec![(E, Code::DimensionMismatch, "/width".to_owned())],
        ),
    ];
    for (path, extra, with_headers, with_decode) in cases {
        let json = item(path, extra);
        assert_eq!(
            probe(&headers, &json, "image_location"),
            with_headers,
            "headers only: {json}"
        );
        assert_eq!(
            probe(&decode, &json, "image_location"),
            with_decode,
            "with --decode: {json}"
        );
    }
}

#[test]
fn a_truncated_jpeg_is_caught_by_the_decoder_or_its_missing_end_marker() {
    let jpeg = encoded(64, 48, Encode::Jpeg);
    for cut in [jpeg.len() / 2, jpeg.len() - 2] {
        let error =
            nucleus_media::decode_fully(Cursor::new(&jpeg[..cut]), ImageFormat::Jpeg).unwrap_err();
        assert!(!error.is_empty());
    }
    // Padding after the end marker is fine.
    let mut padded = jpeg.clone();
    padded.extend([0; 100]);
    nucleus_media::decode_fully(Cursor::new(&padded), ImageFormat::Jpeg).unwrap();
}

#[test]
fn messages_name_the_file_and_what_is_wrong() {
    let dir = temp_dir("messages");
    let png = write(&dir, "a.png", &encoded(64, 48, Encode::Png));
    let prober = Prober::new(Resolver::new(), ProbeConfig::new().max_side(Some(50)));
    let item = DatasetItem::from_json(&item(&png, r#","width":48,"height":64"#)).unwrap();
    let mut findings = Vec::new();
    prober.probe_item(&item, "", "image_location", &mut findings);
    let messages: Vec<String> = findings.iter().map(ToString::to_string).collect();
    let shown = png.display();
    assert_eq!(
        messages,
        [
            format!(
                "error[image-too-large]: /image_location: {shown} is 64x48 pixels; a side is over --max-side 50"
            ),
            format!(
                "error[dimension-mismatch]: /width: width is 48 but {shown} is 64x48 pixels (its header); width and height are swapped (a rotated photo?)"
            ),
            format!(
                "error[dimension-mismatch]: /height: height is 64 but {shown} is 64x48 pixels (its header); width and height are swapped (a rotated photo?)"
            ),
        ]
    );
}

#[test]
fn attachments_are_probed_as_images_and_point_clouds_are_read() {
    let dir = temp_dir("attachments");
    let mirror = dir.join("mirror");
    write(&mirror, "ctx/ok.png", &encoded(8, 8, Encode::Png));
    write(
        &mirror,
        "clouds/bad.json",
        br#"{"points": [{"x": 1, "y": 2}]}"#,
    );
    write(
        &mirror,
        "clouds/good.json",
        br#"{"points": [{"x": 1, "y": 2, "z": 3}]}"#,
    );
    let prober = Prober::new(Resolver::with_mirror(&mirror).unwrap(), ProbeConfig::new());
    let with_attachments = r#"{"image_location": "s3://b/ctx/ok.png", "reference_id": "a", "metadata": {"context_attachments": [{"attachment": "s3://b/ctx/ok.png"}, {"attachment": "s3://b/ctx/gone.png"}, {"attachment": "s3://b/../x.png"}]}}"#;
    use Severity::Error as E;
    assert_eq!(
        probe(&prober, with_attachments, "image_location"),
        [
            (
                E,
                Code::MissingMedia,
                "/metadata/context_attachments/1/attachment".to_owned()
            ),
            (
                E,
                Code::LocationOutsideMirror,
                "/metadata/context_attachments/2/attachment".to_owned()
            ),
        ]
    );
    let bad = r#"{"pointcloud_location": "s3://b/clouds/bad.json", "reference_id": "p"}"#;
    let findings = probe(&prober, bad, "pointcloud_location");
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].1, Code::InvalidPointcloud);
    let good = r#"{"pointcloud_location": "s3://b/clouds/good.json", "reference_id": "p"}"#;
    assert_eq!(probe(&prober, good, "pointcloud_location"), []);
    let outside = r#"{"pointcloud_location": "s3://b/../../secret.json", "reference_id": "p"}"#;
    assert_eq!(
        probe(&prober, outside, "pointcloud_location"),
        [(
            E,
            Code::LocationOutsideMirror,
            "/pointcloud_location".to_owned()
        )]
    );
    // Remote locations are not probed without a mirror.
    assert_eq!(probe(&Prober::default(), good, "pointcloud_location"), []);
}

#[test]
fn findings_of_an_item_inside_a_scene_are_under_its_pointer() {
    let dir = temp_dir("scene");
    let png = write(&dir, "a.png", &encoded(8, 8, Encode::Png));
    let item = DatasetItem::from_json(&item(&png, r#","height":9"#)).unwrap();
    let mut findings = Vec::new();
    Prober::default().probe_item(&item, "/frames/0/cam", "url", &mut findings);
    let paths: Vec<&str> = findings.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(paths, ["/frames/0/cam/height"]);
    let item = DatasetItem::from_json(r#"{"url": "gone.png", "reference_id": "a"}"#).unwrap();
    let mut findings = Vec::new();
    Prober::default().probe_item(&item, "/frames/0/cam", "url", &mut findings);
    assert_eq!(findings[0].path, "/frames/0/cam/url");
}
