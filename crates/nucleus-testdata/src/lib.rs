//! The test inputs that several crates of the nucleus-rs workspace share, in one place, so that
//! no crate's tests reach into another crate's directory or name a path of the repository.
//!
//! - [`SDK_CORPUS`] and [`ANNOTATION_SDK_CORPUS`]: about 3000 items, and as many annotations and
//!   predictions, judged by the real Python SDK (`scripts/sdk_corpus/`).
//! - [`json_test_suite`]: the JSONTestSuite parsing corpus.
//! - [`EXAMPLE_ITEMS`], [`EXAMPLE_MISTAKES`], [`example`] and [`scene`]: the user-facing
//!   examples of `examples/`, read at run time from the repository (they are generated there by
//!   `cargo xtask gen-examples` and the `generate.py` scripts, and stay where users find them).
//! - [`mutate`]: structure-aware mutations of JSON texts for the proptest fuzz harnesses.
//! - `media_server` (feature `media-server`): a loopback HTTP server and a local S3-compatible
//!   server (moto) for the remote probing tests.
//!
//! A dev-only crate: it depends on no workspace crate, so any crate may use it without an arrow
//! pointing up, and it is never published (the dev-dependencies on it have no version, so
//! `cargo package` drops them from the published manifests).
//!
//! ```
//! use nucleus_testdata::EXAMPLE_ITEMS;
//!
//! assert_eq!(EXAMPLE_ITEMS.lines().count(), 300);
//! ```

#[cfg(feature = "media-server")]
pub mod media_server;
pub mod mutate;
pub mod scene;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// About 3000 dataset items (valid, invalid, every alias and precedence rule), each with the
/// verdict and upload payload of the real Python SDK: one JSON object per line, written by
/// `scripts/sdk_corpus/gen_corpus.py` (its README describes the fields).
pub const SDK_CORPUS: &str = include_str!("../data/sdk_corpus.jsonl");

/// About 3000 annotations and predictions (every type, valid and invalid), each with the
/// verdict and payload of the real Python SDK: one JSON object per line, written by
/// `scripts/sdk_corpus/gen_annotations.py` (its README describes the fields).
pub const ANNOTATION_SDK_CORPUS: &str = include_str!("../data/annotation_sdk_corpus.jsonl");

/// The text of `examples/items.jsonl`: 300 realistic, valid items, one per line.
///
/// Panics on first use outside a checkout of the repository.
pub static EXAMPLE_ITEMS: LazyLock<String> = LazyLock::new(|| example("items.jsonl"));

/// The text of `examples/mistakes.jsonl`: one deliberate mistake per line, explained in
/// `examples/mistakes.md`.
///
/// Panics on first use outside a checkout of the repository.
pub static EXAMPLE_MISTAKES: LazyLock<String> = LazyLock::new(|| example("mistakes.jsonl"));

/// One case of the JSONTestSuite parsing corpus: `y_` must be accepted, `n_` rejected, `i_`
/// is up to the parser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonTestCase {
    /// The file name, such as `n_array_extra_comma.json`.
    pub name: String,
    /// The file's bytes (not always UTF-8).
    pub bytes: Vec<u8>,
}

/// Every case of the JSONTestSuite parsing corpus (`data/jsontestsuite`, MIT), sorted by name.
///
/// # Errors
///
/// The corpus directory of this crate cannot be read.
pub fn json_test_suite() -> io::Result<Vec<JsonTestCase>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/jsontestsuite/test_parsing");
    let mut cases = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        cases.push(JsonTestCase {
            name,
            bytes: fs::read(&path)?,
        });
    }
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(cases)
}

/// `examples/` of the repository this crate is in.
fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// The text of the file `path` under `examples/`, such as `annotations/items.jsonl`.
///
/// # Panics
///
/// When the file cannot be read (outside a checkout of the repository): test support fails the
/// test that needs it.
#[must_use]
#[expect(
    clippy::panic,
    reason = "test support: a missing example fails the test that needs it"
)]
pub fn example(path: &str) -> String {
    let full = examples_dir().join(path);
    fs::read_to_string(&full).unwrap_or_else(|error| {
        panic!(
            "cannot read {}: {error} (run `cargo xtask gen-examples`?)",
            full.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_corpora_are_there() {
        assert!(SDK_CORPUS.lines().count() > 2000);
        assert!(ANNOTATION_SDK_CORPUS.lines().count() > 2000);
        let cases = json_test_suite().unwrap();
        assert_eq!(cases.len(), 318);
        assert!(cases.iter().any(|case| case.name.starts_with("y_")));
        assert!(EXAMPLE_MISTAKES.lines().count() > 30);
    }
}
