//! Every alias, precedence rule and rejection of the reader.

use nucleus_model::Severity::{Error as E, Warning as W};
use nucleus_model::{Code, DatasetItem, DatasetItemType, Error, LocationKind, PayloadForm};

use crate::{check_findings, check_payload};

fn item(input: &str) -> DatasetItem {
    DatasetItem::from_json(input).unwrap_or_else(|e| panic!("{input}: {e}"))
}

#[test]
fn canonical_names() {
    let image = item(r#"{"image_location":"s3://b/a.jpg","reference_id":"a"}"#);
    assert_eq!(image.item_type(), DatasetItemType::Image);
    assert_eq!(image.location().kind(), LocationKind::S3);
    let cloud = item(r#"{"pointcloud_location":"gs://b/a.json","reference_id":"a"}"#);
    assert_eq!(cloud.item_type(), DatasetItemType::Pointcloud);
    assert_eq!(
        cloud.pointcloud_location().unwrap().as_str(),
        "gs://b/a.json"
    );
}

#[test]
fn image_aliases_in_sdk_precedence() {
    let first = |input: &str| item(input).location().as_str().to_owned();
    assert_eq!(
        first(r#"{"image_url":"i.jpg","reference_id":"a"}"#),
        "i.jpg"
    );
    assert_eq!(
        first(r#"{"original_image_url":"o.jpg","reference_id":"a"}"#),
        "o.jpg"
    );
    assert_eq!(
        first(r#"{"processed_url":"p.jpg","reference_id":"a"}"#),
        "p.jpg"
    );
    // Empty strings and nulls fall through to the next spelling, as `a or b or c` does.
    assert_eq!(
        first(
            r#"{"processed_url":"","image_url":null,"original_image_url":"o.jpg","reference_id":"a"}"#
        ),
        "o.jpg"
    );
    check_findings(
        r#"{"processed_url":"p.jpg","image_url":"i.jpg","reference_id":"a"}"#,
        &[(W, Code::ConflictingLocations, "/image_url")],
    );
    assert_eq!(
        first(r#"{"processed_url":"p.jpg","image_url":"i.jpg","reference_id":"a"}"#),
        "p.jpg"
    );
    // The canonical name comes first.
    assert_eq!(
        first(r#"{"image_location":"c.jpg","image_url":"c.jpg","reference_id":"a"}"#),
        "c.jpg"
    );
}

#[test]
fn pointcloud_alias() {
    let cloud = item(r#"{"pointcloud_url":"s3://b/c.json","reference_id":"a"}"#);
    assert_eq!(cloud.item_type(), DatasetItemType::Pointcloud);
}

#[test]
fn url_decides_by_exact_extension_only_when_nothing_else_is_set() {
    let kind = |url: &str| item(&format!(r#"{{"url":"{url}","reference_id":"a"}}"#)).item_type();
    assert_eq!(kind("s3://b/a.jpg"), DatasetItemType::Image);
    assert_eq!(kind("s3://b/a.png"), DatasetItemType::Image);
    assert_eq!(kind("s3://b/a.json"), DatasetItemType::Pointcloud);
    for url in [
        "s3://b/a.jpeg",
        "s3://b/a.JPG",
        "s3://b/a",
        "s3://b/a.json.gz",
    ] {
        check_findings(
            &format!(r#"{{"url":"{url}","reference_id":"a"}}"#),
            &[(E, Code::UnknownUrlExtension, "/url")],
        );
    }
    // url is ignored when another location is set (reading back a scene payload).
    let image = item(
        r#"{"image_url":"s3://b/x.jpg","url":"s3://b/y.json","reference_id":"a","type":"image"}"#,
    );
    assert_eq!(image.location().as_str(), "s3://b/x.jpg");
}

#[test]
fn ref_id_wins_whenever_present() {
    assert_eq!(
        item(r#"{"image_url":"a.jpg","reference_id":"long","ref_id":"short"}"#)
            .reference_id()
            .as_str(),
        "short"
    );
    check_findings(
        r#"{"image_url":"a.jpg","reference_id":"long","ref_id":null}"#,
        &[(E, Code::MissingReferenceId, "/ref_id")],
    );
}

#[test]
fn location_rejections() {
    check_findings(
        r#"{"image_url":"a.jpg","pointcloud_url":"b.json","reference_id":"a"}"#,
        &[(E, Code::MultipleLocations, "/pointcloud_url")],
    );
    check_findings(r#"{"reference_id":"a"}"#, &[(E, Code::MissingLocation, "")]);
    check_findings(
        r#"{"image_location":"","reference_id":"a"}"#,
        &[(E, Code::EmptyLocation, "")],
    );
    check_findings(
        r#"{"image_location":42,"reference_id":"a"}"#,
        &[(E, Code::InvalidLocation, "/image_location")],
    );
    check_findings(
        r#"{"url":"","reference_id":"a"}"#,
        &[(E, Code::EmptyLocation, "")],
    );
}

/// The location the reader uses must be a well-formed URL when remote (the table of URLs is in
/// `location.rs`); the other spellings are at most a `conflicting-locations` warning.
#[test]
fn malformed_urls_are_invalid_locations() {
    check_findings(
        r#"{"image_url":"https://[fe80::1/x.png","reference_id":"a"}"#,
        &[(E, Code::InvalidLocation, "/image_url")],
    );
    check_findings(
        r#"{"pointcloud_location":"s3:///a.json","reference_id":"a"}"#,
        &[(E, Code::InvalidLocation, "/pointcloud_location")],
    );
    check_findings(
        r#"{"url":"http://h:65536/a.jpg","reference_id":"a"}"#,
        &[(E, Code::InvalidLocation, "/url")],
    );
    check_findings(
        r#"{"processed_url":"s3://b/a.jpg","image_url":"http://[abc]/a.jpg","reference_id":"a"}"#,
        &[(W, Code::ConflictingLocations, "/image_url")],
    );
    check_findings(r#"{"image_url":"a b.jpg","reference_id":"a"}"#, &[]);
    let reading =
        nucleus_model::read_line(r#"{"image_url":"http://[abc]/a.jpg","reference_id":"a"}"#);
    assert_eq!(
        reading.diagnostics[0].message,
        "image_url \"http://[abc]/a.jpg\" is not a well-formed URL (invalid IPv6 address: a host in brackets must be an IPv6 address, without a zone), so it cannot be fetched"
    );
    assert!(matches!(
        DatasetItem::from_json(r#"{"image_url":"http://ho st/a.jpg","reference_id":"a"}"#),
        Err(Error::Invalid(_))
    ));
}

#[test]
fn reference_id_rejections() {
    check_findings(
        r#"{"image_url":"a.jpg"}"#,
        &[(E, Code::MissingReferenceId, "/reference_id")],
    );
    check_findings(
        r#"{"image_url":"a.jpg","reference_id":null}"#,
        &[(E, Code::MissingReferenceId, "/reference_id")],
    );
    check_findings(
        r#"{"image_url":"a.jpg","reference_id":""}"#,
        &[(E, Code::EmptyReferenceId, "/reference_id")],
    );
    check_findings(
        r#"{"image_url":"a.jpg","reference_id":17}"#,
        &[(E, Code::InvalidReferenceId, "/reference_id")],
    );
}

#[test]
fn metadata_must_be_an_object_or_null() {
    assert!(
        item(r#"{"image_url":"a.jpg","reference_id":"a","metadata":null}"#)
            .metadata()
            .is_empty()
    );
    for bad in ["false", "0", "\"\"", "[1]", "\"x\""] {
        check_findings(
            &format!(r#"{{"image_url":"a.jpg","reference_id":"a","metadata":{bad}}}"#),
            &[(E, Code::MetadataNotAnObject, "/metadata")],
        );
    }
}

#[test]
fn dimensions_must_be_positive_integers_and_are_kept() {
    let image = item(r#"{"image_url":"a.jpg","reference_id":"a","width":1920,"height":1080}"#);
    assert_eq!(image.width().map(|w| w.get()), Some(1920));
    assert_eq!(image.height().map(|h| h.get()), Some(1080));
    for bad in ["0", "-1", "1.5", "1920.0", "\"1920\"", "true"] {
        check_findings(
            &format!(r#"{{"image_url":"a.jpg","reference_id":"a","width":{bad}}}"#),
            &[(E, Code::InvalidDimension, "/width")],
        );
    }
}

#[test]
fn embedding_info_is_checked_and_kept() {
    let input = r#"{"image_url":"a.jpg","reference_id":"a","embedding_info":{"index_id":"idx","embedding_vector":[1,0.5]}}"#;
    let image = item(input);
    assert_eq!(image.embedding_info().unwrap().index_id(), "idx");
    check_payload(
        input,
        PayloadForm::Plain,
        r#"{"metadata":{},"reference_id":"a","embedding_info":{"index_id":"idx","embedding_vector":[1,0.5]},"image_url":"a.jpg"}"#,
    );
    check_findings(
        r#"{"pointcloud_url":"a.json","reference_id":"a","embedding_info":{"index_id":"idx","embedding_vector":[1]}}"#,
        &[(E, Code::EmbeddingOnPointcloud, "/embedding_info")],
    );
    check_findings(
        r#"{"image_url":"a.jpg","reference_id":"a","embedding_info":[1,2]}"#,
        &[(E, Code::InvalidEmbedding, "/embedding_info")],
    );
    check_findings(
        r#"{"image_url":"a.jpg","reference_id":"a","embedding_info":{"embedding_vector":[1]}}"#,
        &[(E, Code::InvalidEmbedding, "/embedding_info/index_id")],
    );
    check_findings(
        r#"{"image_url":"a.jpg","reference_id":"a","embedding_info":{"index_id":"i","embedding_vector":[1,"x"]}}"#,
        &[(
            E,
            Code::InvalidEmbedding,
            "/embedding_info/embedding_vector/1",
        )],
    );
    check_findings(
        r#"{"image_url":"a.jpg","reference_id":"a","embedding_info":{"index_id":"i","embedding_vector":[]}}"#,
        &[(
            E,
            Code::InvalidEmbedding,
            "/embedding_info/embedding_vector",
        )],
    );
}

#[test]
fn camera_params_must_be_a_camera() {
    check_findings(
        r#"{"image_url":"a.jpg","reference_id":"a","metadata":{"camera_params":{}}}"#,
        &[(
            E,
            Code::InvalidCameraParams,
            "/metadata/camera_params/position",
        )],
    );
    check_findings(
        r#"{"image_url":"a.jpg","reference_id":"a","metadata":{"camera_params":null}}"#,
        &[],
    );
    check_findings(
        r#"{"image_url":"a.jpg","reference_id":"a","camera_params":{"fx":1}}"#,
        &[(W, Code::IgnoredCameraParams, "/camera_params")],
    );
}

#[test]
fn unknown_fields_are_warnings_with_suggestions() {
    let reading = nucleus_model::read_line(
        r#"{"image_locaton":"a.jpg","image_url":"a.jpg","reference_id":"a"}"#,
    );
    assert_eq!(reading.diagnostics.len(), 1);
    let warning = &reading.diagnostics[0];
    assert_eq!(
        (warning.code, warning.path.as_str()),
        (Code::UnknownField, "/image_locaton")
    );
    assert!(
        warning.message.contains("did you mean \"image_location\""),
        "{}",
        warning.message
    );
    assert!(reading.item.is_some());
}

#[test]
fn type_field_is_checked_against_the_location() {
    check_findings(
        r#"{"url":"s3://b/a.json","reference_id":"a","type":"image"}"#,
        &[(W, Code::TypeMismatch, "/type")],
    );
    check_findings(
        r#"{"url":"s3://b/a.json","reference_id":"a","type":"pointcloud"}"#,
        &[],
    );
}

#[test]
fn several_problems_are_all_reported() {
    check_findings(
        r#"{"reference_id":5,"metadata":[],"width":0}"#,
        &[
            (E, Code::InvalidReferenceId, "/reference_id"),
            (E, Code::MissingLocation, ""),
            (E, Code::MetadataNotAnObject, "/metadata"),
            (E, Code::InvalidDimension, "/width"),
        ],
    );
}

#[test]
fn json_level_problems() {
    check_findings("[1,2]", &[(E, Code::NotAnObject, "")]);
    check_findings("null", &[(E, Code::NotAnObject, "")]);
    check_findings(r#"{"a":NaN}"#, &[(E, Code::InvalidJson, "")]);
    check_findings(r#"{"a":1e400}"#, &[(E, Code::NumberOutOfRange, "")]);
    check_findings(
        r#"{"image_url":"a.jpg","reference_id":"a","metadata":{"n":123456789012345678901234567890}}"#,
        &[(E, Code::IntegerTooLarge, "/metadata/n")],
    );
    check_findings(
        r#"{"image_url":"a.jpg","reference_id":"a","reference_id":"b"}"#,
        &[(E, Code::DuplicateKey, "")],
    );
}

#[test]
fn errors_render_the_first_error() {
    let error = DatasetItem::from_json(r#"{"reference_id":""}"#).unwrap_err();
    assert!(matches!(error, Error::Invalid(ref d) if d.len() == 2));
    assert_eq!(
        error.to_string(),
        "error[empty-reference-id]: /reference_id: reference_id is an empty string; use a non-empty id (and 1 more errors)"
    );
}

#[test]
fn payload_forms() {
    let image = r#"{"image_location":"s3://b/a.jpg","reference_id":"a","metadata":{"z":1,"a":[true]},"width":640,"height":480}"#;
    check_payload(
        image,
        PayloadForm::Plain,
        r#"{"metadata":{"z":1,"a":[true]},"reference_id":"a","width":640,"height":480,"image_url":"s3://b/a.jpg"}"#,
    );
    check_payload(
        image,
        PayloadForm::Scene,
        r#"{"metadata":{"z":1,"a":[true]},"reference_id":"a","width":640,"height":480,"url":"s3://b/a.jpg","type":"image"}"#,
    );
    let cloud = item(r#"{"pointcloud_location":"s3://b/a.json","reference_id":"a"}"#);
    assert_eq!(
        cloud.to_payload(PayloadForm::Plain),
        Err(Error::PointcloudPlainPayload)
    );
}

#[test]
fn scene_payload_normalises_camera_params_like_the_sdk() {
    let input = r#"{"image_location":"s3://b/a.jpg","reference_id":"a","metadata":{"camera_params":{"camera_model":"brown_conrady","k1":0.1,"k2":0,"p1":null,"extra":1,"cy":540,"cx":960.5,"fy":1000,"fx":1000,"heading":{"w":1,"x":0,"y":0,"z":0,"q":9},"position":{"z":1.5,"y":0,"x":0,"t":1}}}}"#;
    let expected_camera = r#"{"position":{"x":0,"y":0,"z":1.5},"heading":{"x":0,"y":0,"z":0,"w":1},"fx":1000,"fy":1000,"cx":960.5,"cy":540,"k1":0.1,"camera_model":"brown_conrady"}"#;
    let payload = item(input).into_payload(PayloadForm::Scene).unwrap();
    assert_eq!(payload["camera_params"].to_string(), expected_camera);
    // metadata.camera_params itself is emitted exactly as given.
    let metadata_camera =
        serde_json::from_str::<serde_json::Value>(input).unwrap()["metadata"]["camera_params"]
            .clone();
    assert_eq!(payload["metadata"]["camera_params"], metadata_camera);
    assert_eq!(
        payload["metadata"]["camera_params"].to_string(),
        metadata_camera.to_string()
    );
}
