//! Where an item's file lives: a local path or a remote URI, classified by scheme, and for a
//! remote one, whether it is a well-formed URL (see [`Location`]).

use std::fmt;
use std::str::FromStr;

use crate::Error;
use crate::diagnostic::{Code, Diagnostic};
use crate::read::quoted;

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

    /// The kind of the location `text`, and for a remote kind, whether it is a well-formed URL
    /// (see the [`Location`] docs). This is the check [`Location::new`] makes, without
    /// building a [`Location`] (an empty text is [`LocationKind::Local`]).
    ///
    /// # Errors
    ///
    /// Returns why, when `text` is a remote location but not a well-formed URL.
    pub fn checked(text: &str) -> Result<LocationKind, MalformedUrl> {
        let kind = classify(text);
        if kind.is_remote() {
            check_url(text, kind)?;
        }
        Ok(kind)
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
///
/// # Well-formed URLs
///
/// A remote location is judged by a WHATWG URL parser (the `url` crate), as the server that
/// fetches it would parse it, plus two rules the parser would otherwise paper over by rewriting
/// the text: no space or control character anywhere (the parser percent-encodes or strips them,
/// so the fetched object would not be the one named), and a non-empty host as written (the
/// parser reads `http:///a.jpg` as the host `a.jpg`). So `https://[fe80::1/x.png` (unclosed
/// bracket), `http://[abc]/a.jpg` (a bracketed host that is no IPv6 address),
/// `https://[fe80::1%25eth0]/x.png` (a zone, which names an interface of the client, not a
/// host), `http://host:65536/a.jpg`, `http://ho st/a.jpg` and `s3:///a.jpg` are malformed;
/// `http://[::1]:8080/a.jpg`, `https://münchen.example/a.jpg`, `https://h/a%20b.jpg` and
/// `s3://bucket.with.dots/a.jpg` are well formed. Local paths are not URLs and are not judged.
///
/// The Python SDK (scale-nucleus 0.22.3) runs `urllib.parse.urlparse` on image locations only:
/// it raises for an unclosed bracket and a bracketed host that is no IP address, and accepts
/// spaces, empty hosts, bad ports, zones and `[v1.x]`; it does not look at point-cloud
/// locations or attachments at all. Every remote location it rejects is rejected here too; so
/// is every image location it rejects, except a text that is a local path here but has an
/// authority Python cannot split (`ftp://[x/a.jpg`, `//[x/a.jpg`), accepted as a local path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    text: String,
    kind: LocationKind,
}

impl Location {
    /// Classifies `text` as a location; a remote one must be a well-formed URL.
    ///
    /// # Errors
    ///
    /// Returns [`Error::EmptyLocation`] when `text` is empty, and [`Error::MalformedUrl`] when
    /// it is a remote location but not a well-formed URL (see the [`Location`] docs).
    pub fn new(text: impl Into<String>) -> Result<Location, Error> {
        let text = text.into();
        if text.is_empty() {
            return Err(Error::EmptyLocation);
        }
        match LocationKind::checked(&text) {
            Ok(kind) => Ok(Location { text, kind }),
            Err(reason) => Err(Error::MalformedUrl {
                location: text,
                reason,
            }),
        }
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

/// Why a remote location is not a well-formed URL: the URL parser's reason, or one of the two
/// rules it would paper over (a space or control character, an empty host).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MalformedUrl {
    reason: &'static str,
}

impl MalformedUrl {
    /// The reason, lowercase (`invalid IPv6 address`, `empty host`, …).
    #[must_use]
    pub const fn reason(self) -> &'static str {
        self.reason
    }

    /// The `invalid-location` error for the location `text` of the field `field` at `path`.
    #[must_use]
    pub fn to_diagnostic(self, path: impl Into<String>, field: &str, text: &str) -> Diagnostic {
        Diagnostic::error(
            Code::InvalidLocation,
            path,
            format!(
                "{field} {} is not a well-formed URL ({}), so it cannot be fetched",
                quoted(text),
                self.reason
            ),
        )
    }

    fn from_parser(error: url::ParseError) -> MalformedUrl {
        use url::ParseError as P;
        let reason = match error {
            P::EmptyHost => "empty host",
            P::IdnaError => "invalid international domain name",
            P::InvalidPort => "invalid port number: expected an integer from 0 to 65535",
            P::InvalidIpv4Address => "invalid IPv4 address",
            P::InvalidIpv6Address => {
                "invalid IPv6 address: a host in brackets must be an IPv6 address, without a zone"
            }
            P::InvalidDomainCharacter => "invalid character in the host",
            P::Overflow => "longer than 4 GiB",
            _ => "not a URL",
        };
        MalformedUrl { reason }
    }
}

impl fmt::Display for MalformedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason)
    }
}

/// The rules of the [`Location`] docs for a text already classified as remote (so it starts
/// with `SCHEME://`).
fn check_url(text: &str, kind: LocationKind) -> Result<(), MalformedUrl> {
    // Branch-free, so the compiler can vectorise it: this runs for every remote location.
    let has_control = text
        .bytes()
        .fold(false, |found, byte| found | (byte <= b' ') | (byte == 0x7f));
    if has_control {
        let reason = if text.contains(' ') {
            "it holds a space; write it as %20"
        } else {
            "it holds a control character such as a tab or a line break"
        };
        return Err(MalformedUrl { reason });
    }
    // The host as written: after "://" and any "user@", up to the path, query or fragment,
    // and before the port. (A parsed URL cannot tell: `http:///a.jpg` parses with host `a.jpg`.)
    let rest = text.split_once("://").map_or("", |(_, rest)| rest);
    let end = rest
        .bytes()
        .position(|byte| matches!(byte, b'/' | b'\\' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let authority = rest.get(..end).unwrap_or_default();
    let host = authority
        .rfind('@')
        .and_then(|at| authority.get(at + 1..))
        .unwrap_or(authority);
    if host.is_empty() || host.starts_with(':') {
        return Err(MalformedUrl {
            reason: "empty host",
        });
    }
    // A plain host followed by nothing or a path.
    let plain = matches!(rest.as_bytes().get(end), None | Some(b'/'))
        && plainly_well_formed(authority, kind);
    if plain {
        return Ok(());
    }
    url::Url::parse(text)
        .map(drop)
        .map_err(MalformedUrl::from_parser)
}

/// Whether `authority` (of a remote location without space or control character, followed by
/// nothing or a path) is of a shape the URL parser always accepts: a plain host. Most
/// locations are; the parser costs about 30 times the classification (IDNA processing and an
/// allocation per URL), which is more than the whole fast path of `check` per line.
///
/// The host is ASCII letters, digits, `-` and `.` (`_` too for `s3://`, `gs://`, `gcs://`,
/// whose hosts the parser does not map through IDNA), without `@` or a port; for `http(s)://`
/// its labels are non-empty, none starts with `xn--` (punycode, which can fail to decode) and
/// the last starts with a letter (else the parser reads it as an IPv4 address, which can fail).
/// A path never fails to parse. A property test holds this to the parser.
fn plainly_well_formed(host: &str, kind: LocationKind) -> bool {
    if host.is_empty() {
        return false;
    }
    match kind {
        LocationKind::Http | LocationKind::Https | LocationKind::Azure => {
            let mut labels = host.split('.');
            let plain_labels = labels.clone().all(|label| {
                !label.is_empty()
                    && label
                        .bytes()
                        .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-')
                    && !label
                        .get(..4)
                        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("xn--"))
            });
            plain_labels
                && labels
                    .next_back()
                    .and_then(|last| last.bytes().next())
                    .is_some_and(|first| first.is_ascii_alphabetic())
        }
        _ => host
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_')),
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

    /// Well-formed remote locations, with their kind.
    const WELL_FORMED: &[(&str, LocationKind)] = &[
        ("https://[::1]:8080/x.png", LocationKind::Https),
        ("http://[2001:db8::7]/a.jpg", LocationKind::Http),
        ("https://münchen.example/a.jpg", LocationKind::Https),
        ("https://xn--mnchen-3ya.example/a.jpg", LocationKind::Https),
        ("https://host/a%20b.jpg", LocationKind::Https),
        ("https://host/%E2%82%AC/%zz.jpg", LocationKind::Https),
        ("https://host/café.jpg?x=1#frag", LocationKind::Https),
        (
            "https://acct.blob.core.windows.net/c/a.jpg?sv=2024&sig=x%2Fy%3D",
            LocationKind::Azure,
        ),
        ("s3://bucket.with.dots/", LocationKind::S3),
        ("s3://bucket.with.dots/a/b.jpg", LocationKind::S3),
        ("S3://Bucket_Name/a.jpg", LocationKind::S3),
        ("gs://b/a.jpg", LocationKind::Gs),
        ("gcs://b/a.jpg", LocationKind::Gcs),
        ("http://host:0/a.jpg", LocationKind::Http),
        ("http://host:65535/a.jpg", LocationKind::Http),
        ("http://host:/a.jpg", LocationKind::Http),
        ("http://1.2.3.4/a.jpg", LocationKind::Http),
        ("https://user:pw@host/a.jpg", LocationKind::Https),
        ("s3://b/../x.jpg", LocationKind::S3),
    ];

    /// Malformed remote locations, with a part of the reason.
    const MALFORMED: &[(&str, &str)] = &[
        ("https://[fe80::1/x.png", "invalid IPv6 address"),
        ("http://[abc]/a.jpg", "invalid IPv6 address"),
        ("http://[1.2.3.4]/a.jpg", "invalid IPv6 address"),
        ("https://[v1.x]/a.png", "invalid IPv6 address"),
        ("https://[fe80::1%25eth0]:8080/x.png", "without a zone"),
        ("s3://[abc]/a.jpg", "invalid IPv6 address"),
        ("http://host:65536/a.jpg", "invalid port number"),
        ("s3://bucket:99999/a.jpg", "invalid port number"),
        ("http://host:abc/a.jpg", "invalid port number"),
        ("http://host:-1/a.jpg", "invalid port number"),
        ("http://ho st/a.jpg", "space"),
        ("https://host/a b.jpg", "space"),
        ("s3://b/a b.jpg", "space"),
        ("https://host/a.jpg ", "space"),
        ("https://host/a\tb.jpg", "control character"),
        ("http:///a.jpg", "empty host"),
        ("https://", "empty host"),
        ("s3:///a.jpg", "empty host"),
        ("gs://", "empty host"),
        ("http://user@/a.jpg", "empty host"),
        ("http://:80/a.jpg", "empty host"),
        ("http://xn--a.example/a.jpg", "international domain name"),
        ("http://999.1.1.1/a.jpg", "invalid IPv4 address"),
        ("http://a<b/a.jpg", "international domain name"),
        ("s3://b|c/a.jpg", "invalid character in the host"),
    ];

    #[test]
    fn remote_locations_are_well_formed_urls() {
        let mut wrong = Vec::new();
        for &(text, kind) in WELL_FORMED {
            match Location::new(text) {
                Ok(location) if location.kind() == kind => {}
                other => wrong.push(format!("{text}: expected {kind}, found {other:?}")),
            }
        }
        for &(text, reason) in MALFORMED {
            match Location::new(text) {
                Err(Error::MalformedUrl {
                    location,
                    reason: actual,
                }) if location == text && actual.reason().contains(reason) => {
                    assert_eq!(LocationKind::checked(text), Err(actual));
                }
                other => wrong.push(format!("{text}: expected {reason:?}, found {other:?}")),
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn local_paths_are_not_judged_as_urls() {
        for text in ["a b.jpg", "dir/[x.jpg", "ftp://[x/a.jpg", "C:\\a\tb.jpg"] {
            assert_eq!(
                LocationKind::checked(text),
                Ok(LocationKind::Local),
                "{text}"
            );
        }
    }

    #[test]
    fn the_message_names_field_value_and_reason() {
        let reason = LocationKind::checked("http://[abc]/a.jpg").unwrap_err();
        let diagnostic = reason.to_diagnostic("/image_url", "image_url", "http://[abc]/a.jpg");
        assert_eq!(
            diagnostic.to_string(),
            "error[invalid-location]: /image_url: image_url \"http://[abc]/a.jpg\" is not a well-formed URL (invalid IPv6 address: a host in brackets must be an IPv6 address, without a zone), so it cannot be fetched"
        );
    }

    /// `check_url` without the shortcut: the rules, then always the parser.
    fn reference_check(text: &str) -> bool {
        let rest = text.split_once("://").map_or("", |(_, rest)| rest);
        let authority = rest.split(['/', '\\', '?', '#']).next().unwrap_or_default();
        let host = authority.rsplit('@').next().unwrap_or_default();
        !text.bytes().any(|byte| byte <= b' ' || byte == 0x7f)
            && !host.is_empty()
            && !host.starts_with(':')
            && url::Url::parse(text).is_ok()
    }

    proptest::proptest! {
        /// The shortcut for plain hosts gives the parser's verdict.
        #[test]
        fn the_shortcut_agrees_with_the_parser(
            text in r"(http|HTTPS|s3|gs|gcs)://[a-zA-Z0-9._:@%\[\]-]{0,12}([/?#\\][a-z.% ]{0,6})?",
        ) {
            let kind = classify(&text);
            proptest::prop_assert_eq!(check_url(&text, kind).is_ok(), reference_check(&text), "{}", text);
        }
    }

    #[test]
    fn plain_hosts_skip_the_parser_and_others_do_not() {
        for (host, kind, plain) in [
            ("bucket.with.dots", LocationKind::S3, true),
            ("Bucket_1", LocationKind::Gs, true),
            ("acct.blob.core.windows.net", LocationKind::Azure, true),
            ("Example.COM", LocationKind::Https, true),
            ("1.2.3.4", LocationKind::Http, false),
            ("host.0x1", LocationKind::Http, false),
            ("xn--a.example", LocationKind::Http, false),
            ("a..b", LocationKind::Http, false),
            ("host.", LocationKind::Http, false),
            ("host:80", LocationKind::Http, false),
            ("u@host", LocationKind::Http, false),
            ("host_1", LocationKind::Http, false),
            ("", LocationKind::S3, false),
        ] {
            assert_eq!(plainly_well_formed(host, kind), plain, "{host}");
        }
    }

    #[test]
    fn empty_is_an_error() {
        assert_eq!(Location::new(""), Err(Error::EmptyLocation));
    }
}
