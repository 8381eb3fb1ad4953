//! Where a location's file is on this machine: a local path as it is, a remote location's key
//! under a local mirror, and never a file outside that mirror.

use std::fs::{self, File};
use std::io;
use std::path::{Component, Path, PathBuf};

use nucleus_model::{Code, Diagnostic, Location, LocationKind};
use serde_json::Value;

/// Finds the files of locations: local paths as they are (relative to the working directory),
/// remote locations in a local mirror when one is given.
///
/// A mirror is a directory holding a copy of the buckets' (or hosts') contents:
/// `s3://bucket/a/b.jpg`, `gs://bucket/a/b.jpg` and `https://host/a/b.jpg?sig=…` are all
/// `MIRROR/a/b.jpg` (the bucket or host, the query and the fragment are dropped; the key is
/// used as written, without percent-decoding). A key never leads outside the mirror:
///
/// - its segments are taken one by one: empty ones and `.` are skipped, `..` goes up one level
///   and is [`MediaError::KeyOutsideMirror`] when it would go above the mirror. `%2e` counts as
///   a dot, in any case (`%2e%2e`, `.%2E`), as a WHATWG URL parser reads it; `\` separates
///   segments too, as it does in `http(s)://` URLs and on Windows. A segment the platform
///   would read as more than a file name (`C:` on Windows) is outside too;
/// - the file found is resolved (symbolic links followed) and must still be inside the mirror
///   ([`MediaError::LinkOutsideMirror`] otherwise); what is opened is that resolved path, so
///   nothing outside the mirror is ever read through it.
///
/// ```
/// use nucleus_media::{MediaError, Resolver};
/// use nucleus_model::Location;
///
/// let mirror = std::env::temp_dir();
/// let resolver = Resolver::with_mirror(&mirror)?;
/// let path = resolver.path(&Location::new("s3://bucket/a/./b/../c.jpg")?)?;
/// assert_eq!(path, Some(mirror.join("a").join("c.jpg")));
/// let outside = resolver.path(&Location::new("s3://bucket/a/%2e%2e/%2E%2E/etc/passwd")?);
/// assert!(matches!(outside, Err(MediaError::KeyOutsideMirror { .. })));
/// // Without a mirror a remote location has no file here; a local path is itself.
/// assert_eq!(Resolver::new().path(&Location::new("s3://bucket/a.jpg")?)?, None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolver {
    mirror: Option<Mirror>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Mirror {
    /// As given, for messages and mapped paths.
    root: PathBuf,
    /// With symbolic links resolved, to check what a path really is.
    real_root: PathBuf,
}

/// A file found for a location: the path to show (as mapped) and the path to open (resolved).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaFile {
    shown: PathBuf,
    real: PathBuf,
}

impl MediaFile {
    /// The path as the location maps to it (`MIRROR/a/b.jpg`, or the local path as written).
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.shown
    }

    /// Opens the file (for a mirrored one, the resolved path that was checked to be inside).
    ///
    /// # Errors
    ///
    /// Any error of [`File::open`].
    pub fn open(&self) -> io::Result<File> {
        File::open(&self.real)
    }
}

/// Why a location's file cannot be found or opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    /// The key climbs above the mirror with `..` segments (also percent-encoded).
    #[error("its key {key:?} climbs out of the mirror {} with `..` segments", root.display())]
    KeyOutsideMirror {
        /// The key (the location after its bucket or host).
        key: String,
        /// The mirror.
        root: PathBuf,
    },
    /// The mapped path leads outside the mirror through a symbolic link.
    #[error(
        "{} leads to {} through a symbolic link, outside the mirror {}",
        path.display(),
        target.display(),
        root.display()
    )]
    LinkOutsideMirror {
        /// The mapped path.
        path: PathBuf,
        /// Where it really is.
        target: PathBuf,
        /// The mirror.
        root: PathBuf,
    },
    /// A remote location with no key: it names a bucket or a host, not a file.
    #[error("it names a bucket or a host, not a file")]
    NoKey,
    /// There is no file at the path.
    #[error("no such file {}", path.display())]
    Missing {
        /// The path looked at.
        path: PathBuf,
    },
    /// The file is there but cannot be opened or read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: io::Error,
    },
}

impl MediaError {
    /// The finding's code: `location-outside-mirror`, `missing-media` or `unreadable-media`.
    #[must_use]
    pub fn code(&self) -> Code {
        match self {
            MediaError::KeyOutsideMirror { .. } | MediaError::LinkOutsideMirror { .. } => {
                Code::LocationOutsideMirror
            }
            MediaError::NoKey | MediaError::Missing { .. } => Code::MissingMedia,
            MediaError::Io { .. } => Code::UnreadableMedia,
        }
    }

    /// The error finding for the location `location` of the field `field` at `pointer`.
    #[must_use]
    pub fn to_diagnostic(&self, pointer: &str, field: &str, location: &Location) -> Diagnostic {
        let outside = if self.code() == Code::LocationOutsideMirror {
            "; nothing outside the mirror is opened"
        } else {
            ""
        };
        Diagnostic::error(
            self.code(),
            pointer,
            format!("{field} {}: {self}{outside}", quoted(location.as_str())),
        )
    }
}

impl Resolver {
    /// Local paths only: a remote location has no file here.
    #[must_use]
    pub fn new() -> Resolver {
        Resolver::default()
    }

    /// Local paths, and remote locations under the mirror `root` (see the type's docs).
    ///
    /// # Errors
    ///
    /// When `root` does not exist or cannot be resolved ([`fs::canonicalize`]).
    pub fn with_mirror(root: impl Into<PathBuf>) -> io::Result<Resolver> {
        let root = root.into();
        let real_root = fs::canonicalize(&root)?;
        if !real_root.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::NotADirectory,
                format!("{} is not a directory", root.display()),
            ));
        }
        Ok(Resolver {
            mirror: Some(Mirror { root, real_root }),
        })
    }

    /// The mirror, as given, when there is one.
    #[must_use]
    pub fn mirror_root(&self) -> Option<&Path> {
        self.mirror.as_ref().map(|mirror| mirror.root.as_path())
    }

    /// Where `location`'s file would be, without looking at the file system: the local path,
    /// the mirrored path, or `None` for a remote location without a mirror.
    ///
    /// # Errors
    ///
    /// [`MediaError::KeyOutsideMirror`] and [`MediaError::NoKey`].
    pub fn path(&self, location: &Location) -> Result<Option<PathBuf>, MediaError> {
        if location.kind() == LocationKind::Local {
            return Ok(Some(PathBuf::from(location.as_str())));
        }
        let Some(mirror) = &self.mirror else {
            return Ok(None);
        };
        map_key(&mirror.root, location).map(Some)
    }

    /// The file of `location`, checked to exist and, when mirrored, to be inside the mirror
    /// once symbolic links are followed; `None` for a remote location without a mirror.
    ///
    /// # Errors
    ///
    /// Every [`MediaError`]: the key or a link leads outside the mirror, the location names no
    /// file, there is no file, or the path cannot be resolved.
    pub fn locate(&self, location: &Location) -> Result<Option<MediaFile>, MediaError> {
        let Some(shown) = self.path(location)? else {
            return Ok(None);
        };
        let real = match fs::canonicalize(&shown) {
            Ok(real) => real,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return Err(MediaError::Missing { path: shown });
            }
            Err(source) => {
                return Err(MediaError::Io {
                    path: shown,
                    source,
                });
            }
        };
        if let Some(mirror) = self.mirror.as_ref().filter(|_| location.is_remote())
            && !real.starts_with(&mirror.real_root)
        {
            return Err(MediaError::LinkOutsideMirror {
                path: shown,
                target: real,
                root: mirror.root.clone(),
            });
        }
        Ok(Some(MediaFile { shown, real }))
    }
}

/// A remote location's key (after `SCHEME://BUCKET/`, before `?` or `#`) under `root`.
fn map_key(root: &Path, location: &Location) -> Result<PathBuf, MediaError> {
    let text = location.as_str();
    let rest = text.split_once("://").map_or(text, |(_, rest)| rest);
    let key = rest
        .split_once(['/', '\\'])
        .map_or("", |(_, key)| key)
        .split(['?', '#'])
        .next()
        .unwrap_or_default();
    let outside = || MediaError::KeyOutsideMirror {
        key: key.to_owned(),
        root: root.to_owned(),
    };
    let mut segments: Vec<&str> = Vec::new();
    for segment in key.split(['/', '\\']) {
        if segment.is_empty() || is_single_dot(segment) {
            continue;
        }
        if is_double_dot(segment) {
            segments.pop().ok_or_else(outside)?;
            continue;
        }
        // One plain file name, nothing the platform reads as a root, a prefix or a separator.
        let mut components = Path::new(segment).components();
        if !matches!(
            (components.next(), components.next()),
            (Some(Component::Normal(_)), None)
        ) {
            return Err(outside());
        }
        segments.push(segment);
    }
    if segments.is_empty() {
        return Err(MediaError::NoKey);
    }
    let mut path = root.to_owned();
    path.extend(segments);
    Ok(path)
}

/// `.` or `%2e`, as the WHATWG URL standard defines a single-dot segment.
fn is_single_dot(segment: &str) -> bool {
    segment == "." || segment.eq_ignore_ascii_case("%2e")
}

/// `..`, `.%2e`, `%2e.` or `%2e%2e`, as the WHATWG URL standard defines a double-dot segment.
fn is_double_dot(segment: &str) -> bool {
    ["..", ".%2e", "%2e.", "%2e%2e"]
        .iter()
        .any(|dots| segment.eq_ignore_ascii_case(dots))
}

pub(crate) fn quoted(text: &str) -> String {
    Value::String(text.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapped(text: &str) -> Result<PathBuf, MediaError> {
        map_key(Path::new("/m"), &Location::new(text).unwrap())
    }

    #[test]
    fn keys_map_under_the_root_and_never_above_it() {
        for (text, expected) in [
            ("s3://b/a/b.jpg", "/m/a/b.jpg"),
            ("gs://b/a//./b.jpg", "/m/a/b.jpg"),
            ("https://h/x/../a.jpg?sig=1#f", "/m/a.jpg"),
            ("s3://b/a/%2E/b/.%2e/c.jpg", "/m/a/c.jpg"),
            ("s3://b//etc/passwd", "/m/etc/passwd"),
            ("s3://b/a%2fb.jpg", "/m/a%2fb.jpg"),
        ] {
            assert_eq!(mapped(text).unwrap(), PathBuf::from(expected), "{text}");
        }
        for text in [
            "s3://b/../x.jpg",
            "s3://b/a/../../x.jpg",
            "s3://b/%2e%2e/x.jpg",
            "s3://b/a/%2E%2e/.%2E/x.jpg",
            "https://h/..\\x.jpg",
            "s3://b/a\\..\\..\\x.jpg",
        ] {
            assert!(
                matches!(mapped(text), Err(MediaError::KeyOutsideMirror { .. })),
                "{text}: {:?}",
                mapped(text)
            );
        }
        for text in ["s3://b", "s3://b/", "s3://b/a/..", "https://h/?x"] {
            assert!(matches!(mapped(text), Err(MediaError::NoKey)), "{text}");
        }
    }
}
