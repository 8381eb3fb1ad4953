//! The example lidar scene of `examples/scene/`: two frames of a lidar point cloud and three
//! cameras, the cuboids annotated on it, and the point clouds its locations name.
//!
//! The files are made by `examples/scene/generate.py` with the Python SDK and OpenCV, so they
//! cannot be generated here, and they are user-facing examples (the README and `nucleus render
//! --help` name them), so they stay where they are. This module is the one place that reads
//! them for tests, at run time (so this crate still builds from its package).

use std::fs;
use std::io;
use std::path::PathBuf;

/// `examples/scene/scene.jsonl`: one scene per line (one scene), as `LidarScene.to_payload`
/// writes it.
///
/// # Errors
///
/// The file cannot be read (outside a checkout of the repository).
pub fn scene() -> io::Result<String> {
    fs::read_to_string(dir().join("scene.jsonl"))
}

/// `examples/scene/cuboids.jsonl`: the SDK's cuboid annotations on the scene, one per line.
///
/// # Errors
///
/// The file cannot be read (outside a checkout of the repository).
pub fn cuboids() -> io::Result<String> {
    fs::read_to_string(dir().join("cuboids.jsonl"))
}

/// The file of the local mirror `examples/scene/media/` for `key` (a remote location
/// `s3://bucket/KEY` is mirrored at `media/KEY`), such as `lidar/000.json`.
///
/// # Errors
///
/// No such file, or a key that would leave the mirror.
pub fn media(key: &str) -> io::Result<Vec<u8>> {
    if key.split('/').any(|part| part == ".." || part.is_empty()) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{key:?} is not a key of the mirror"),
        ));
    }
    fs::read(dir().join("media").join(key))
}

/// `examples/scene/` of the repository this crate is in.
fn dir() -> PathBuf {
    crate::examples_dir().join("scene")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scene_and_its_media_are_there() {
        assert_eq!(scene().unwrap().lines().count(), 1);
        assert!(cuboids().unwrap().lines().count() > 5);
        assert!(media("lidar/000.json").unwrap().starts_with(b"{"));
        assert!(media("../scene.jsonl").is_err());
    }
}
