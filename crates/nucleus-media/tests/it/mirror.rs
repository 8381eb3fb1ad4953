//! Mirrored locations stay inside the mirror.

use nucleus_media::{MediaError, Resolver};
use nucleus_model::{Code, Location};

use crate::{temp_dir, write};

fn location(text: &str) -> Location {
    Location::new(text).unwrap()
}

#[test]
fn keys_that_climb_out_are_refused_before_any_file_is_touched() {
    let base = temp_dir("climb");
    let mirror = base.join("data/mirror/sub");
    std::fs::create_dir_all(&mirror).unwrap();
    write(&base, "data/secret.json", br#"{"points": []}"#);
    write(&base, "data/mirror/secret.json", br#"{"points": []}"#);
    let resolver = Resolver::with_mirror(&mirror).unwrap();
    for text in [
        "s3://b/../../secret.json",
        "s3://b/../secret.json",
        "s3://b/a/../../secret.json",
        "s3://b/%2e%2e/secret.json",
        "s3://b/%2E%2e/%2e./secret.json",
        "https://h/.%2e/secret.json?x=1",
        "gs://b/a\\..\\..\\secret.json",
    ] {
        let error = resolver.locate(&location(text)).unwrap_err();
        assert!(
            matches!(error, MediaError::KeyOutsideMirror { .. }),
            "{text}: {error:?}"
        );
        assert_eq!(error.code(), Code::LocationOutsideMirror);
        let finding = error.to_diagnostic(
            "/pointcloud_location",
            "pointcloud_location",
            &location(text),
        );
        assert!(
            finding.message.contains("climbs out of the mirror")
                && finding
                    .message
                    .ends_with("nothing outside the mirror is opened"),
            "{}",
            finding.message
        );
    }
}

#[test]
fn absolute_keys_stay_under_the_mirror() {
    let base = temp_dir("absolute");
    let mirror = base.join("mirror");
    write(&mirror, "etc/passwd", b"inside");
    let resolver = Resolver::with_mirror(&mirror).unwrap();
    let file = resolver
        .locate(&location("s3://b//etc/passwd"))
        .unwrap()
        .unwrap();
    assert_eq!(file.path(), mirror.join("etc").join("passwd"));
    let text = std::fs::read_to_string(file.path()).unwrap();
    assert_eq!(text, "inside");
    // Without the copy in the mirror, the absolute key is missing, not /etc/passwd.
    std::fs::remove_file(mirror.join("etc/passwd")).unwrap();
    let error = resolver
        .locate(&location("s3://b//etc/passwd"))
        .unwrap_err();
    assert!(matches!(error, MediaError::Missing { .. }), "{error:?}");
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_pointing_out_is_refused_and_one_inside_is_followed() {
    use std::os::unix::fs::symlink;

    let base = temp_dir("symlink");
    let mirror = base.join("mirror");
    let secret = write(&base, "secret.jpg", b"secret");
    let inside = write(&mirror, "real/a.jpg", b"inside");
    std::fs::create_dir_all(mirror.join("links")).unwrap();
    symlink(&secret, mirror.join("links/out.jpg")).unwrap();
    symlink(&base, mirror.join("up")).unwrap();
    symlink(&inside, mirror.join("links/in.jpg")).unwrap();
    let resolver = Resolver::with_mirror(&mirror).unwrap();
    for text in ["s3://b/links/out.jpg", "s3://b/up/secret.jpg"] {
        let error = resolver.locate(&location(text)).unwrap_err();
        match &error {
            MediaError::LinkOutsideMirror { target, .. } => {
                assert_eq!(target, &std::fs::canonicalize(&secret).unwrap(), "{text}");
            }
            other => panic!("{text}: {other:?}"),
        }
        assert_eq!(error.code(), Code::LocationOutsideMirror);
    }
    let file = resolver
        .locate(&location("s3://b/links/in.jpg"))
        .unwrap()
        .unwrap();
    assert_eq!(file.path(), mirror.join("links/in.jpg"));
    let mut text = String::new();
    std::io::Read::read_to_string(&mut file.open().unwrap(), &mut text).unwrap();
    assert_eq!(text, "inside");
}

#[test]
fn local_paths_are_themselves_and_remote_ones_need_a_mirror() {
    let base = temp_dir("local");
    let path = write(&base, "a.jpg", b"x");
    let local = location(path.to_str().unwrap());
    let file = Resolver::new().locate(&local).unwrap().unwrap();
    assert_eq!(file.path(), path);
    assert!(
        Resolver::new()
            .locate(&location("s3://b/a.jpg"))
            .unwrap()
            .is_none()
    );
    assert!(Resolver::with_mirror(base.join("no-such-dir")).is_err());
    let error = Resolver::with_mirror(&base)
        .unwrap()
        .locate(&location("s3://b"))
        .unwrap_err();
    assert!(matches!(error, MediaError::NoKey), "{error:?}");
    assert_eq!(error.code(), Code::MissingMedia);
}
