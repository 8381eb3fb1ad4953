//! Checking that an item's files are what the item says: an image's format and size from its
//! header, a full decode on request, point clouds read through, context attachments as images.

use std::fmt;
use std::io::{self, BufRead, BufReader, Cursor, Seek, SeekFrom};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use nucleus_model::diagnostic::pointer;
use nucleus_model::pointcloud::check_pointcloud;
use nucleus_model::{Code, DatasetItem, DatasetItemType, Diagnostic, Location, Metadata};
use serde_json::Value;
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;

use crate::mirror::{MediaFile, Resolver, quoted};
use crate::remote::{RemoteConfig, RemoteError, RemoteReader};

/// Bytes read ahead from a media file: enough for every header `imagesize` reads in one go
/// (JPEG segments beyond it are reached by seeking, not read).
const HEADER_BUFFER_BYTES: usize = 16 * 1024;

/// An image file format, from the file's first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ImageFormat {
    /// JPEG.
    Jpeg,
    /// PNG.
    Png,
    /// GIF.
    Gif,
    /// WebP.
    WebP,
    /// BMP.
    Bmp,
    /// TIFF.
    Tiff,
    /// HEIF, HEIC or AVIF.
    Heif,
    /// JPEG XL.
    JpegXl,
    /// ICO.
    Ico,
}

impl ImageFormat {
    /// The format's usual name (`JPEG`, `PNG`, …).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "JPEG",
            ImageFormat::Png => "PNG",
            ImageFormat::Gif => "GIF",
            ImageFormat::WebP => "WebP",
            ImageFormat::Bmp => "BMP",
            ImageFormat::Tiff => "TIFF",
            ImageFormat::Heif => "HEIF",
            ImageFormat::JpegXl => "JPEG XL",
            ImageFormat::Ico => "ICO",
        }
    }

    /// Whether Nucleus displays images of this format: JPEG and PNG, the formats the Python SDK
    /// uploads from a directory (`create_dataset_from_dir` looks for `png`, `jpg`, `jpeg`) and
    /// the only ones its `url` rule types as images.
    #[must_use]
    pub const fn is_displayed(self) -> bool {
        matches!(self, ImageFormat::Jpeg | ImageFormat::Png)
    }

    /// The format a file name's extension says, case-insensitively (`None` for an extension
    /// that names no image format).
    #[must_use]
    pub fn from_extension(extension: &str) -> Option<ImageFormat> {
        let is = |name: &str| extension.eq_ignore_ascii_case(name);
        Some(if is("jpg") || is("jpeg") || is("jpe") {
            ImageFormat::Jpeg
        } else if is("png") {
            ImageFormat::Png
        } else if is("gif") {
            ImageFormat::Gif
        } else if is("webp") {
            ImageFormat::WebP
        } else if is("bmp") {
            ImageFormat::Bmp
        } else if is("tif") || is("tiff") {
            ImageFormat::Tiff
        } else if is("heic") || is("heif") || is("avif") {
            ImageFormat::Heif
        } else if is("jxl") {
            ImageFormat::JpegXl
        } else if is("ico") {
            ImageFormat::Ico
        } else {
            return None;
        })
    }

    fn from_imagesize(kind: imagesize::ImageType) -> Option<ImageFormat> {
        use imagesize::ImageType as T;
        Some(match kind {
            T::Jpeg => ImageFormat::Jpeg,
            T::Png => ImageFormat::Png,
            T::Gif => ImageFormat::Gif,
            T::Webp => ImageFormat::WebP,
            T::Bmp => ImageFormat::Bmp,
            T::Tiff => ImageFormat::Tiff,
            T::Heif(_) => ImageFormat::Heif,
            T::Jxl => ImageFormat::JpegXl,
            T::Ico => ImageFormat::Ico,
            _ => return None,
        })
    }
}

impl fmt::Display for ImageFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What an image file's header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ImageHeader {
    /// The file format.
    pub format: ImageFormat,
    /// Width in pixels.
    pub width: u64,
    /// Height in pixels.
    pub height: u64,
}

/// Why an image header cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderError {
    /// The file ends before the header does.
    #[error("the file ends inside its header (truncated)")]
    Truncated,
    /// The first bytes are not those of an image format this crate knows.
    #[error("not an image: its first bytes are no known image format's")]
    NotAnImage,
    /// The header is damaged (markers out of place, a size of 0).
    #[error("its header is damaged")]
    Damaged,
    /// Reading failed.
    #[error("cannot read it: {0}")]
    Io(#[source] io::Error),
}

/// Reads an image's format and size from its first bytes, seeking past what it does not need
/// (JPEG segments before the frame header), never reading the pixels.
///
/// # Errors
///
/// Every [`HeaderError`].
pub fn read_header<R: BufRead + Seek>(mut reader: R) -> Result<ImageHeader, HeaderError> {
    let error = |error: imagesize::ImageError| match error {
        imagesize::ImageError::NotSupported => HeaderError::NotAnImage,
        imagesize::ImageError::CorruptedImage => HeaderError::Damaged,
        imagesize::ImageError::IoError(error) if error.kind() == io::ErrorKind::UnexpectedEof => {
            HeaderError::Truncated
        }
        imagesize::ImageError::IoError(error) => HeaderError::Io(error),
    };
    let kind = imagesize::reader_type(&mut reader).map_err(error)?;
    let format = ImageFormat::from_imagesize(kind).ok_or(HeaderError::NotAnImage)?;
    reader.seek(SeekFrom::Start(0)).map_err(HeaderError::Io)?;
    let size = kind.reader_size(&mut reader).map_err(error)?;
    let (Ok(width), Ok(height)) = (u64::try_from(size.width), u64::try_from(size.height)) else {
        return Err(HeaderError::Damaged);
    };
    if width == 0 || height == 0 {
        return Err(HeaderError::Damaged);
    }
    Ok(ImageHeader {
        format,
        width,
        height,
    })
}

/// Decodes a whole JPEG or PNG image and throws the pixels away: `Err` with the decoder's
/// reason when the data is truncated or damaged. Other formats are not decoded (`Ok`).
///
/// # Errors
///
/// The decoder's message.
pub fn decode_fully<R: BufRead + Seek>(reader: R, format: ImageFormat) -> Result<(), String> {
    let format = match format {
        ImageFormat::Jpeg => image::ImageFormat::Jpeg,
        ImageFormat::Png => image::ImageFormat::Png,
        _ => return Ok(()),
    };
    let mut reader = reader;
    image::ImageReader::with_format(&mut reader, format)
        .decode()
        .map(drop)
        .map_err(|error| error.to_string())?;
    if format == image::ImageFormat::Jpeg {
        // The JPEG decoder fills a truncated scan with grey instead of failing; a complete
        // JPEG ends with its end-of-image marker (FF D9), possibly followed by padding.
        let mut tail = Vec::new();
        reader
            .seek(SeekFrom::End(-1024))
            .or_else(|_| reader.seek(SeekFrom::Start(0)))
            .and_then(|_| reader.read_to_end(&mut tail))
            .map_err(|error| error.to_string())?;
        let end = tail
            .iter()
            .rposition(|&byte| byte != 0)
            .map_or(0, |last| last + 1);
        if !tail
            .get(..end)
            .is_some_and(|data| data.ends_with(&[0xFF, 0xD9]))
        {
            return Err("the data ends before the end-of-image marker (truncated)".to_owned());
        }
    }
    Ok(())
}

/// What [`Prober`] checks beyond the header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProbeConfig {
    /// The longest side an image may have, in pixels (`image-too-large` beyond).
    pub max_side: Option<u64>,
    /// Decode every JPEG and PNG fully, to find truncated or damaged data (`corrupt-image`).
    pub decode: bool,
}

impl ProbeConfig {
    /// Headers only, no size limit.
    #[must_use]
    pub fn new() -> ProbeConfig {
        ProbeConfig::default()
    }

    /// The same, with a limit on an image's longer side.
    #[must_use]
    pub fn max_side(mut self, max_side: Option<u64>) -> ProbeConfig {
        self.max_side = max_side;
        self
    }

    /// The same, decoding images fully.
    #[must_use]
    pub fn decode(mut self, decode: bool) -> ProbeConfig {
        self.decode = decode;
        self
    }
}

/// The first bytes of a remote image read to find its header: enough for a PNG's, and for a
/// JPEG's after the EXIF and other segments most cameras write before the frame header.
const REMOTE_HEADER_BYTES: u64 = 64 * 1024;

/// The most of a remote image read to find its header (a read that ends inside the header is
/// retried with 16 times as many bytes, up to this).
const REMOTE_HEADER_MAX_BYTES: u64 = 16 * 1024 * 1024;

/// Opens the files an item points to and checks them against it.
///
/// A [`Prober`] is shared by the threads that check lines (it holds no state that changes);
/// each probe reads one file at a time, with a 16 KiB buffer, so memory is bounded by the
/// number of threads (a full decode holds one image's pixels).
///
/// With [`Prober::with_remote`], remote locations that no mirror maps are read where they
/// live, on a runtime the prober owns: [`Prober::probe_items`] starts their reads and returns
/// at once, and [`Probe::wait`] gives the findings; at most `concurrency` requests are under
/// way, each reading an image's first 64 KiB (more only when its header goes on past them).
/// Without it, a remote location that no mirror maps is not probed, only counted
/// ([`Prober::remote_not_probed`]).
#[derive(Debug, Clone, Default)]
pub struct Prober {
    resolver: Resolver,
    config: ProbeConfig,
    remote: Option<Remote>,
    /// Remote locations not probed, in the probes waited for (shared by clones).
    not_probed: Arc<AtomicU64>,
}

/// Remote reading: the reader, and the runtime its reads run on.
#[derive(Debug, Clone)]
struct Remote {
    reader: Arc<RemoteReader>,
    runtime: Arc<Runtime>,
}

/// The findings of [`Prober::probe_items`]: found, or some still being read remotely.
#[derive(Debug, Default)]
#[must_use = "the findings are in the probe"]
pub struct Probe {
    parts: Vec<Part>,
    runtime: Option<Arc<Runtime>>,
    /// Remote locations not probed (no mirror, no remote reading), and the prober's count
    /// they join when the probe is waited for.
    not_probed: u64,
    not_probed_total: Option<Arc<AtomicU64>>,
}

#[derive(Debug)]
enum Part {
    Found(Vec<Diagnostic>),
    /// A remote read under way, and the pointer and field for a finding if it fails.
    Reading(JoinHandle<Vec<Diagnostic>>, String, String),
}

impl Probe {
    /// Whether every finding is found (nothing is being read remotely).
    #[must_use]
    pub fn is_ready(&self) -> bool {
        self.parts.iter().all(|part| matches!(part, Part::Found(_)))
    }

    /// Remote locations among the probed items' that were not probed: no mirror maps them and
    /// the prober does not read remote locations (see [`Prober::with_remote`]).
    #[must_use]
    pub fn remote_not_probed(&self) -> u64 {
        self.not_probed
    }

    /// The findings, in the order of the items and their files, waiting for remote reads; the
    /// remote locations not probed join the prober's [`Prober::remote_not_probed`].
    /// Call it outside the prober's runtime (from any thread that is not one of its own).
    pub fn wait(self) -> Vec<Diagnostic> {
        if let Some(total) = &self.not_probed_total {
            total.fetch_add(self.not_probed, Ordering::Relaxed);
        }
        let mut findings = Vec::new();
        for part in self.parts {
            match part {
                Part::Found(found) => findings.extend(found),
                Part::Reading(task, pointer, field) => {
                    let done = match &self.runtime {
                        Some(runtime) => runtime.block_on(task),
                        None => continue,
                    };
                    match done {
                        Ok(found) => findings.extend(found),
                        Err(error) => findings.push(Diagnostic::error(
                            Code::UnreadableMedia,
                            pointer,
                            format!("{field}: the remote read stopped: {error}"),
                        )),
                    }
                }
            }
        }
        findings
    }

    fn found(&mut self, findings: Vec<Diagnostic>) {
        if findings.is_empty() {
            return;
        }
        match self.parts.last_mut() {
            Some(Part::Found(last)) => last.extend(findings),
            _ => self.parts.push(Part::Found(findings)),
        }
    }
}

/// An item's `width` and `height`, and where the item is, for a remote image's check.
#[derive(Debug, Clone)]
struct Dimensions {
    base: String,
    width: Option<u64>,
    height: Option<u64>,
}

impl Dimensions {
    fn of(item: &DatasetItem, base: &str) -> Dimensions {
        Dimensions {
            base: base.to_owned(),
            width: item.width().map(|width| width.get()),
            height: item.height().map(|height| height.get()),
        }
    }
}

/// The image of an item's location, found and read: the file, and its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbedImage {
    /// The file.
    pub file: MediaFile,
    /// What its header says.
    pub header: ImageHeader,
}

impl Prober {
    /// A prober that finds files with `resolver` and checks what `config` asks.
    #[must_use]
    pub fn new(resolver: Resolver, config: ProbeConfig) -> Prober {
        Prober {
            resolver,
            config,
            remote: None,
            not_probed: Arc::default(),
        }
    }

    /// The same prober, reading remote locations where they live (with `remote`'s limits and
    /// the environment's credentials) when the resolver has no mirror for them.
    ///
    /// # Errors
    ///
    /// When the runtime or the HTTP client cannot be built.
    pub fn with_remote(mut self, remote: RemoteConfig) -> io::Result<Prober> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("nucleus-fetch")
            .enable_all()
            .build()?;
        self.remote = Some(Remote {
            reader: Arc::new(RemoteReader::new(remote)?),
            runtime: Arc::new(runtime),
        });
        Ok(self)
    }

    /// Whether remote locations are read where they live (see [`Prober::with_remote`]).
    #[must_use]
    pub fn reads_remote(&self) -> bool {
        self.remote.is_some() && self.resolver.mirror_root().is_none()
    }

    /// Remote locations that were not probed (no mirror maps them, and remote locations are
    /// not read: see [`Prober::with_remote`]), in the [`Probe`]s waited for so far by this
    /// prober and its clones: each is counted once its line's findings are taken.
    #[must_use]
    pub fn remote_not_probed(&self) -> u64 {
        self.not_probed.load(Ordering::Relaxed)
    }

    /// Whether `location` is remote and left unprobed: no mirror, no remote reading.
    fn leaves(&self, location: &Location) -> bool {
        location.is_remote() && self.resolver.mirror_root().is_none() && self.remote.is_none()
    }

    /// The remote reading for `location`, when it is remote and read where it lives.
    fn remote_for(&self, location: &Location) -> Option<&Remote> {
        self.remote
            .as_ref()
            .filter(|_| location.is_remote() && self.resolver.mirror_root().is_none())
    }

    /// The resolver.
    #[must_use]
    pub fn resolver(&self) -> &Resolver {
        &self.resolver
    }

    /// Probes every file of `item`: its image (found, header readable, a format Nucleus
    /// displays, named for its format, `width`/`height` as in the header, within `max_side`,
    /// decodable when asked) or its point cloud (found, a valid point-cloud file), and each
    /// context attachment as an image. Remote locations are probed through a mirror, or
    /// where they live with [`Prober::with_remote`] (waiting for them), or not at all.
    ///
    /// `location_key` is the top-level key the location was read from. Findings' paths are
    /// JSON pointers into the item, below `base` (`""` for an item that is the line, the
    /// item's pointer in a scene), except a point cloud's content findings, whose paths point
    /// into the point-cloud file (their message names it).
    pub fn probe_item(
        &self,
        item: &DatasetItem,
        base: &str,
        location_key: &str,
        findings: &mut Vec<Diagnostic>,
    ) {
        findings.extend(self.probe_items([(item, base, location_key)]).wait());
    }

    /// [`Prober::probe_item`] for each `(item, base, location_key)`, without waiting for remote
    /// reads: local files are probed now, remote ones are read on the prober's runtime while
    /// the caller goes on. A remote point cloud is only looked up (its size asked), not read.
    pub fn probe_items<'a>(
        &self,
        items: impl IntoIterator<Item = (&'a DatasetItem, &'a str, &'a str)>,
    ) -> Probe {
        let mut probe = Probe {
            parts: Vec::new(),
            runtime: self
                .remote
                .as_ref()
                .map(|remote| Arc::clone(&remote.runtime)),
            not_probed: 0,
            not_probed_total: None,
        };
        for (item, base, location_key) in items {
            self.probe_into(item, base, location_key, &mut probe);
        }
        if probe.not_probed > 0 {
            probe.not_probed_total = Some(Arc::clone(&self.not_probed));
        }
        probe
    }

    fn probe_into(&self, item: &DatasetItem, base: &str, location_key: &str, probe: &mut Probe) {
        let location_path = pointer(base, &[location_key]);
        let location = item.location();
        probe.not_probed += u64::from(self.leaves(location));
        let mut findings = Vec::new();
        match (item.item_type(), self.remote_for(location)) {
            (DatasetItemType::Image, Some(remote)) => {
                let dimensions = Dimensions::of(item, base);
                self.spawn(
                    probe,
                    remote,
                    location,
                    location_path,
                    location_key,
                    |task| task.image(Some(dimensions)),
                );
            }
            (DatasetItemType::Image, None) => {
                let probed =
                    self.probe_image(location, &location_path, location_key, &mut findings);
                if let Some(probed) = probed {
                    check_dimensions(item, base, &probed, &mut findings);
                }
            }
            (DatasetItemType::Pointcloud, Some(remote)) => {
                self.spawn(
                    probe,
                    remote,
                    location,
                    location_path,
                    location_key,
                    |task| task.exists(),
                );
            }
            (DatasetItemType::Pointcloud, None) => {
                self.probe_pointcloud(location, &location_path, location_key, &mut findings);
            }
        }
        probe.found(findings);
        for (idx, attachment) in attachments(item.metadata()) {
            let path = pointer(
                "/metadata/context_attachments",
                &[&idx.to_string(), "attachment"],
            );
            probe.not_probed += u64::from(self.leaves(&attachment));
            if let Some(remote) = self.remote_for(&attachment) {
                self.spawn(probe, remote, &attachment, path, "attachment", |task| {
                    task.image(None)
                });
            } else {
                let mut findings = Vec::new();
                self.probe_image(&attachment, &path, "attachment", &mut findings);
                probe.found(findings);
            }
        }
    }

    /// Starts `work` on a remote read of `location` (at `pointer`, for the field `field`).
    fn spawn<F, W>(
        &self,
        probe: &mut Probe,
        remote: &Remote,
        location: &Location,
        pointer: String,
        field: &str,
        work: W,
    ) where
        W: FnOnce(RemoteTask) -> F,
        F: Future<Output = Vec<Diagnostic>> + Send + 'static,
    {
        let task = RemoteTask {
            reader: Arc::clone(&remote.reader),
            config: self.config.clone(),
            location: location.clone(),
            pointer: pointer.clone(),
            field: field.to_owned(),
        };
        let handle = remote.runtime.spawn(work(task));
        probe
            .parts
            .push(Part::Reading(handle, pointer, field.to_owned()));
    }

    /// The file and header of an image location, without findings about what they say: `None`
    /// for a remote location without a mirror.
    ///
    /// # Errors
    ///
    /// The finding (`location-outside-mirror`, `missing-media`, `unreadable-media`) that says
    /// why the header cannot be read, at `pointer` for the field `field`.
    pub fn image_header(
        &self,
        location: &Location,
        pointer: &str,
        field: &str,
    ) -> Result<Option<ProbedImage>, Diagnostic> {
        let file = match self.resolver.locate(location) {
            Ok(Some(file)) => file,
            Ok(None) => return Ok(None),
            Err(error) => return Err(error.to_diagnostic(pointer, field, location)),
        };
        let unreadable = |reason: &dyn fmt::Display| {
            Diagnostic::error(
                Code::UnreadableMedia,
                pointer,
                format!(
                    "{field} {}: cannot read the image header of {}: {reason}",
                    quoted(location.as_str()),
                    file.path().display()
                ),
            )
        };
        let opened = file.open().map_err(|error| unreadable(&error))?;
        let header = read_header(BufReader::with_capacity(HEADER_BUFFER_BYTES, opened))
            .map_err(|error| unreadable(&error))?;
        Ok(Some(ProbedImage { file, header }))
    }

    /// Probes one image location; its header when it could be read.
    fn probe_image(
        &self,
        location: &Location,
        pointer: &str,
        field: &str,
        findings: &mut Vec<Diagnostic>,
    ) -> Option<ProbedImage> {
        let probed = match self.image_header(location, pointer, field) {
            Ok(probed) => probed?,
            Err(finding) => {
                findings.push(finding);
                return None;
            }
        };
        let shown = probed.file.path().display().to_string();
        let named = probed
            .file
            .path()
            .extension()
            .and_then(|extension| extension.to_str())
            .and_then(ImageFormat::from_extension);
        let decode = judge_image(
            &self.config,
            &shown,
            named,
            probed.header,
            pointer,
            findings,
        );
        if decode {
            let decoded = probed
                .file
                .open()
                .map_err(|error| error.to_string())
                .and_then(|file| decode_fully(BufReader::new(file), probed.header.format));
            if let Err(reason) = decoded {
                findings.push(corrupt(&shown, pointer, &reason));
            }
        }
        Some(probed)
    }

    fn probe_pointcloud(
        &self,
        location: &Location,
        pointer: &str,
        field: &str,
        findings: &mut Vec<Diagnostic>,
    ) {
        let file = match self.resolver.locate(location) {
            Ok(Some(file)) => file,
            Ok(None) => return,
            Err(error) => {
                findings.push(error.to_diagnostic(pointer, field, location));
                return;
            }
        };
        match file.open() {
            Ok(opened) => {
                for mut finding in check_pointcloud(BufReader::new(opened)).diagnostics {
                    finding.message = format!("in {}: {}", file.path().display(), finding.message);
                    findings.push(finding);
                }
            }
            Err(source) => findings.push(
                crate::MediaError::Io {
                    path: file.path().to_owned(),
                    source,
                }
                .to_diagnostic(pointer, field, location),
            ),
        }
    }
}

/// The findings of an image's header at `pointer`, shown as `shown`, whose name says `named`:
/// a format Nucleus does not display, a name that says another format, a side over
/// `max_side`. Whether it is to be decoded (asked, displayed, not too large).
fn judge_image(
    config: &ProbeConfig,
    shown: &str,
    named: Option<ImageFormat>,
    header: ImageHeader,
    pointer: &str,
    findings: &mut Vec<Diagnostic>,
) -> bool {
    let ImageHeader {
        format,
        width,
        height,
    } = header;
    if !format.is_displayed() {
        findings.push(Diagnostic::warning(
            Code::UnsupportedImageFormat,
            pointer,
            format!("{shown} is a {format} image; Nucleus displays JPEG and PNG, so convert it"),
        ));
    } else if let Some(named) = named.filter(|named| *named != format) {
        findings.push(Diagnostic::warning(
            Code::MislabelledImage,
            pointer,
            format!(
                "{shown} is a {format} image, not the {named} its name says; a server that sets the content type from the name will serve it wrongly"
            ),
        ));
    }
    let too_large = config.max_side.filter(|max| width.max(height) > *max);
    if let Some(max_side) = too_large {
        findings.push(Diagnostic::error(
            Code::ImageTooLarge,
            pointer,
            format!("{shown} is {width}x{height} pixels; a side is over --max-side {max_side}"),
        ));
    }
    config.decode && too_large.is_none() && format.is_displayed()
}

fn corrupt(shown: &str, pointer: &str, reason: &str) -> Diagnostic {
    Diagnostic::error(
        Code::CorruptImage,
        pointer,
        format!("{shown} does not decode: {reason}"),
    )
}

/// `width` and `height` of `item` against its image's header: a `dimension-mismatch` error per
/// field that is set and differs (fields that are not set are not findings), below `base`.
pub fn check_dimensions(
    item: &DatasetItem,
    base: &str,
    probed: &ProbedImage,
    findings: &mut Vec<Diagnostic>,
) {
    let dimensions = Dimensions::of(item, base);
    let shown = probed.file.path().display().to_string();
    dimension_findings(&dimensions, &shown, probed.header, findings);
}

/// `check_dimensions` for an item's `dimensions` and the header of the image shown as `shown`.
fn dimension_findings(
    dimensions: &Dimensions,
    shown: &str,
    header: ImageHeader,
    findings: &mut Vec<Diagnostic>,
) {
    let ImageHeader { width, height, .. } = header;
    let base = dimensions.base.as_str();
    for (key, given, actual) in [
        ("width", dimensions.width, width),
        ("height", dimensions.height, height),
    ] {
        if let Some(given) = given.filter(|given| *given != actual) {
            let swapped = dimensions.width == Some(height) && dimensions.height == Some(width);
            findings.push(Diagnostic::error(
                Code::DimensionMismatch,
                pointer(base, &[key]),
                format!(
                    "{key} is {given} but {shown} is {width}x{height} pixels (its header){}",
                    if swapped {
                        "; width and height are swapped (a rotated photo?)"
                    } else {
                        ""
                    }
                ),
            ));
        }
    }
}

/// The well-formed attachment locations of `metadata.context_attachments`, with their index
/// (malformed ones have their finding from the item rules).
fn attachments(metadata: &Metadata) -> impl Iterator<Item = (usize, Location)> + '_ {
    metadata
        .get(Metadata::CONTEXT_ATTACHMENTS)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(idx, entry)| {
            let text = entry.get("attachment")?.as_str()?;
            Location::new(text).ok().map(|location| (idx, location))
        })
}

/// One remote read of a location and what is judged from it, run on the prober's runtime.
struct RemoteTask {
    reader: Arc<RemoteReader>,
    config: ProbeConfig,
    location: Location,
    pointer: String,
    field: String,
}

/// Why a remote image's header was not read.
enum RemoteHeaderError {
    Remote(RemoteError),
    Header(HeaderError),
}

impl RemoteTask {
    /// The findings of a remote image: read, judged, decoded when asked, and its `width` and
    /// `height` checked when it is the item's image.
    async fn image(self, dimensions: Option<Dimensions>) -> Vec<Diagnostic> {
        let mut findings = Vec::new();
        let header = match self.header().await {
            Ok(header) => header,
            Err(RemoteHeaderError::Remote(error)) => {
                findings.push(error.to_diagnostic(&self.pointer, &self.field, &self.location));
                return findings;
            }
            Err(RemoteHeaderError::Header(error)) => {
                findings.push(Diagnostic::error(
                    Code::UnreadableMedia,
                    &self.pointer,
                    format!(
                        "{} {}: cannot read its image header: {error}",
                        self.field,
                        quoted(self.location.as_str())
                    ),
                ));
                return findings;
            }
        };
        let shown = self.location.as_str();
        let named = url_extension(shown).and_then(ImageFormat::from_extension);
        let decode = judge_image(
            &self.config,
            shown,
            named,
            header,
            &self.pointer,
            &mut findings,
        );
        if decode {
            match self.reader.all(&self.location).await {
                Ok(bytes) => {
                    let format = header.format;
                    let decoded = tokio::task::spawn_blocking(move || {
                        decode_fully(Cursor::new(bytes), format)
                    })
                    .await
                    .unwrap_or_else(|error| Err(error.to_string()));
                    if let Err(reason) = decoded {
                        findings.push(corrupt(shown, &self.pointer, &reason));
                    }
                }
                Err(error) => {
                    findings.push(error.to_diagnostic(&self.pointer, &self.field, &self.location));
                }
            }
        }
        if let Some(dimensions) = dimensions {
            dimension_findings(&dimensions, shown, header, &mut findings);
        }
        findings
    }

    /// A remote point cloud: there, and readable (its content is not read).
    async fn exists(self) -> Vec<Diagnostic> {
        match self.reader.size(&self.location).await {
            Ok(_) => Vec::new(),
            Err(error) => vec![error.to_diagnostic(&self.pointer, &self.field, &self.location)],
        }
    }

    /// The image's header from its first bytes: 64 KiB, then 16 times more while the header
    /// goes on past what was read, up to 16 MiB.
    async fn header(&self) -> Result<ImageHeader, RemoteHeaderError> {
        let mut len = REMOTE_HEADER_BYTES;
        loop {
            let prefix = self
                .reader
                .prefix(&self.location, len)
                .await
                .map_err(RemoteHeaderError::Remote)?;
            let read = u64::try_from(prefix.bytes.len()).unwrap_or(u64::MAX);
            match read_header(Cursor::new(prefix.bytes)) {
                Err(HeaderError::Truncated) if read < prefix.size => {
                    if len >= REMOTE_HEADER_MAX_BYTES {
                        return Err(RemoteHeaderError::Header(HeaderError::Io(
                            io::Error::other("the header goes on past its first 16 MiB"),
                        )));
                    }
                    len = len.saturating_mul(16).min(REMOTE_HEADER_MAX_BYTES);
                }
                other => return other.map_err(RemoteHeaderError::Header),
            }
        }
    }
}

/// The extension of a URL's last path segment (before its query and fragment).
fn url_extension(url: &str) -> Option<&str> {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let after_scheme = path.split_once("://").map_or(path, |(_, rest)| rest);
    let (_, key) = after_scheme.split_once('/')?;
    let name = key.rsplit('/').next().unwrap_or_default();
    name.rsplit_once('.').map(|(_, extension)| extension)
}
