//! Checking that an item's files are what the item says: an image's format and size from its
//! header, a full decode on request, point clouds read through, context attachments as images.

use std::fmt;
use std::io::{self, BufRead, BufReader, Seek, SeekFrom};

use nucleus_model::diagnostic::pointer;
use nucleus_model::pointcloud::check_pointcloud;
use nucleus_model::{Code, DatasetItem, DatasetItemType, Diagnostic, Location, Metadata};
use serde_json::Value;

use crate::mirror::{MediaFile, Resolver, quoted};

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

/// Opens the files an item points to and checks them against it.
///
/// A [`Prober`] is shared by the threads that check lines (it holds no state that changes);
/// each probe reads one file at a time, with a 16 KiB buffer, so memory is bounded by the
/// number of threads (a full decode holds one image's pixels).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prober {
    resolver: Resolver,
    config: ProbeConfig,
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
        Prober { resolver, config }
    }

    /// The resolver.
    #[must_use]
    pub fn resolver(&self) -> &Resolver {
        &self.resolver
    }

    /// Probes every file of `item`: its image (found, header readable, a format Nucleus
    /// displays, named for its format, `width`/`height` as in the header, within `max_side`,
    /// decodable when asked) or its point cloud (found, a valid point-cloud file), and each
    /// context attachment as an image. Remote locations are probed only through a mirror.
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
        let location_path = pointer(base, &[location_key]);
        match item.item_type() {
            DatasetItemType::Image => {
                let probed =
                    self.probe_image(item.location(), &location_path, location_key, findings);
                if let Some(probed) = probed {
                    check_dimensions(item, base, &probed, findings);
                }
            }
            DatasetItemType::Pointcloud => {
                self.probe_pointcloud(item.location(), &location_path, location_key, findings);
            }
        }
        for (idx, attachment) in attachments(item.metadata()) {
            let path = pointer(
                "/metadata/context_attachments",
                &[&idx.to_string(), "attachment"],
            );
            self.probe_image(&attachment, &path, "attachment", findings);
        }
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
        let ImageHeader {
            format,
            width,
            height,
        } = probed.header;
        let shown = probed.file.path().display();
        let named = probed
            .file
            .path()
            .extension()
            .and_then(|extension| extension.to_str())
            .and_then(ImageFormat::from_extension);
        if !format.is_displayed() {
            findings.push(Diagnostic::warning(
                Code::UnsupportedImageFormat,
                pointer,
                format!(
                    "{shown} is a {format} image; Nucleus displays JPEG and PNG, so convert it"
                ),
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
        let too_large = self.config.max_side.filter(|max| width.max(height) > *max);
        if let Some(max_side) = too_large {
            findings.push(Diagnostic::error(
                Code::ImageTooLarge,
                pointer,
                format!("{shown} is {width}x{height} pixels; a side is over --max-side {max_side}"),
            ));
        }
        if self.config.decode && too_large.is_none() && format.is_displayed() {
            let decoded = probed
                .file
                .open()
                .map_err(|error| error.to_string())
                .and_then(|file| decode_fully(BufReader::new(file), format));
            if let Err(reason) = decoded {
                findings.push(Diagnostic::error(
                    Code::CorruptImage,
                    pointer,
                    format!("{shown} does not decode: {reason}"),
                ));
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

/// `width` and `height` of `item` against its image's header: a `dimension-mismatch` error per
/// field that is set and differs (fields that are not set are not findings), below `base`.
pub fn check_dimensions(
    item: &DatasetItem,
    base: &str,
    probed: &ProbedImage,
    findings: &mut Vec<Diagnostic>,
) {
    let ImageHeader { width, height, .. } = probed.header;
    let shown = probed.file.path().display();
    for (key, given, actual) in [
        ("width", item.width(), width),
        ("height", item.height(), height),
    ] {
        if let Some(given) = given.filter(|given| given.get() != actual) {
            let swapped = item.width().map(|w| w.get()) == Some(height)
                && item.height().map(|h| h.get()) == Some(width);
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
