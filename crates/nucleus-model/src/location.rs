//! Where an item's file lives: a local path or a remote URI, classified by scheme.

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// The kind of a [`Location`], from its scheme (and host, for Azure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum LocationKind {
    /// A path on the machine that runs the upload (anything without a remote scheme).
    Local,
    /// `http://`.
    Http,
    /// `https://` (other than Azure blob storage).
    Https,
    /// `s3://bucket/key` (AWS S3).
    S3,
    /// `gs://bucket/object` (Google Cloud Storage).
    Gs,
    /// `gcs://bucket/object`: documented by Nucleus, but the Python SDK treats it as a local
    /// path; `gs://` is the portable spelling.
    Gcs,
    /// `https://<account>.blob.core.windows.net/…` (Azure blob storage).
    Azure,
}

impl LocationKind {
    /// The kind of the location `text` (an empty text is [`LocationKind::Local`]), as
    /// [`Location::new`] classifies it, without building a [`Location`].
    #[must_use]
    pub fn of(text: &str) -> LocationKind {
        classify(text)
    }

    /// Whether the file is fetched by Nucleus rather than uploaded from this machine.
    #[must_use]
    pub const fn is_remote(self) -> bool {
        !matches!(self, LocationKind::Local)
    }

    /// A short lowercase name (`local`, `s3`, `azure`, …).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            LocationKind::Local => "local",
            LocationKind::Http => "http",
            LocationKind::Https => "https",
            LocationKind::S3 => "s3",
            LocationKind::Gs => "gs",
            LocationKind::Gcs => "gcs",
            LocationKind::Azure => "azure",
        }
    }
}

impl fmt::Display for LocationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A non-empty location string with its classification. The text is kept exactly as given.
///
/// ```
/// use nucleus_model::{Location, LocationKind};
///
/// let location: Location = "s3://bucket/images/0001.jpg".parse()?;
/// assert_eq!(location.kind(), LocationKind::S3);
/// assert!(location.is_remote());
///
/// let azure: Location = "https://acct.blob.core.windows.net/c/0001.jpg".parse()?;
/// assert_eq!(azure.kind(), LocationKind::Azure);
///
/// let local: Location = "images/0001.jpg".parse()?;
/// assert_eq!(local.kind(), LocationKind::Local);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    text: String,
    kind: LocationKind,
}

impl Location {
    /// Classifies `text` as a location.
    ///
    /// # Errors
    ///
    /// Returns [`Error::EmptyLocation`] when `text` is empty.
    pub fn new(text: impl Into<String>) -> Result<Location, Error> {
        let text = text.into();
        if text.is_empty() {
            return Err(Error::EmptyLocation);
        }
        let kind = classify(&text);
        Ok(Location { text, kind })
    }

    /// The location exactly as given.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The kind of location.
    #[must_use]
    pub fn kind(&self) -> LocationKind {
        self.kind
    }

    /// Whether Nucleus fetches the file itself (every kind but [`LocationKind::Local`]).
    #[must_use]
    pub fn is_remote(&self) -> bool {
        self.kind.is_remote()
    }

    /// The location's text, consuming it.
    #[must_use]
    pub fn into_string(self) -> String {
        self.text
    }
}

impl FromStr for Location {
    type Err = Error;

    fn from_str(text: &str) -> Result<Location, Error> {
        Location::new(text)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl AsRef<str> for Location {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

/// Schemes compare case-insensitively, as URL schemes do (and as Python's `urlparse` does).
/// Allocation-free: it runs for every item of every check.
fn classify(text: &str) -> LocationKind {
    const AZURE_SUFFIX: &str = ".blob.core.windows.net";
    // Every known scheme is at most 5 letters without ':', so only a ':' among the first six
    // bytes followed by "//" can start one; `split_once("://")` over the whole text found the
    // same scheme, at several times the cost.
    let Some(colon) = text.bytes().take(6).position(|byte| byte == b':') else {
        return LocationKind::Local;
    };
    let (Some(scheme), Some(rest)) = (text.get(..colon), text.get(colon + 1..)) else {
        return LocationKind::Local;
    };
    let Some(rest) = rest.strip_prefix("//") else {
        return LocationKind::Local;
    };
    let is = |name: &str| scheme.eq_ignore_ascii_case(name);
    if is("http") || is("https") {
        // The authority ends at the first '/', '?' or '#'; the host follows its last '@' and
        // ends at a ':' (byte searches: a generic char-set split was most of this function).
        let end = rest
            .bytes()
            .position(|byte| matches!(byte, b'/' | b'?' | b'#'))
            .unwrap_or(rest.len());
        let authority = rest.get(..end).unwrap_or_default();
        let host = authority
            .rfind('@')
            .and_then(|at| authority.get(at + 1..))
            .unwrap_or(authority);
        let host = host.split_once(':').map_or(host, |(host, _)| host);
        let is_azure = host
            .len()
            .checked_sub(AZURE_SUFFIX.len())
            .and_then(|start| host.get(start..))
            .is_some_and(|suffix| suffix.eq_ignore_ascii_case(AZURE_SUFFIX));
        if is_azure {
            LocationKind::Azure
        } else if is("http") {
            LocationKind::Http
        } else {
            LocationKind::Https
        }
    } else if is("s3") {
        LocationKind::S3
    } else if is("gs") {
        LocationKind::Gs
    } else if is("gcs") {
        LocationKind::Gcs
    } else {
        LocationKind::Local
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, kind: LocationKind) {
        let location = Location::new(text).unwrap();
        assert_eq!(location.kind(), kind, "{text}");
        assert_eq!(location.as_str(), text);
    }

    #[test]
    fn classifies_every_kind() {
        check("images/a.jpg", LocationKind::Local);
        check("/abs/a.jpg", LocationKind::Local);
        check("C:\\data\\a.jpg", LocationKind::Local);
        check("file:///tmp/a.jpg", LocationKind::Local);
        check("ftp://host/a.jpg", LocationKind::Local);
        check("http://host/a.jpg", LocationKind::Http);
        check("https://host/a.jpg", LocationKind::Https);
        check("HTTPS://host/a.jpg", LocationKind::Https);
        check("s3://bucket/a.jpg", LocationKind::S3);
        check("gs://bucket/a.jpg", LocationKind::Gs);
        check("gcs://bucket/a.jpg", LocationKind::Gcs);
        check(
            "https://acct.blob.core.windows.net/container/a.jpg",
            LocationKind::Azure,
        );
        check(
            "https://user@ACCT.blob.core.windows.net:443/c/a.jpg?sig=1",
            LocationKind::Azure,
        );
        check(
            "https://example.com/acct.blob.core.windows.net/a.jpg",
            LocationKind::Https,
        );
    }

    /// The classification as first written: the scheme is whatever precedes the first "://".
    fn reference(text: &str) -> LocationKind {
        let Some((scheme, rest)) = text.split_once("://") else {
            return LocationKind::Local;
        };
        let scheme = scheme.to_ascii_lowercase();
        match scheme.as_str() {
            "http" | "https" => {
                let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
                let host = authority.rsplit('@').next().unwrap_or_default();
                let host = host
                    .split(':')
                    .next()
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                if host.ends_with(".blob.core.windows.net") {
                    LocationKind::Azure
                } else if scheme == "http" {
                    LocationKind::Http
                } else {
                    LocationKind::Https
                }
            }
            "s3" => LocationKind::S3,
            "gs" => LocationKind::Gs,
            "gcs" => LocationKind::Gcs,
            _ => LocationKind::Local,
        }
    }

    proptest::proptest! {
        #[test]
        fn classifies_as_the_plain_reference(
            text in "(|[hH][tT][tT][pP][sS]?|[sS]3|[gG][cC]?[sS]|C|x:y|https:/)(|:|://|:///)(|[a-z.@:]{0,12}|acct[.]BLOB[.]core[.]windows[.]net)(|[/?#][a-zé:/]{0,8})",
        ) {
            proptest::prop_assert_eq!(classify(&text), reference(&text), "{}", text);
        }
    }

    #[test]
    fn empty_is_an_error() {
        assert_eq!(Location::new(""), Err(Error::EmptyLocation));
    }
}
