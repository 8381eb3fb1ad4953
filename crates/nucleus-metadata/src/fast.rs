//! The fast path of `check`: a line that passes every item rule is recognised in one pass over
//! its text, without building a `serde_json::Value` or a [`nucleus_model::DatasetItem`].
//!
//! [`ItemRules::check_line_fast`] first runs [`recognise`] with [`nucleus_model::scan`]: when
//! the line is an item whose reading would have no finding at all, it returns a [`CleanItem`]
//! holding what the dataset rules need (the reference id, and each metadata key with the kind
//! of its value). On anything else (a finding, or a shape the fast path does not handle: SDK
//! aliases other than `image_url`/`pointcloud_url`, `embedding_info`, `context_attachments`,
//! several non-null locations, ...) it falls back to [`ItemRules::check_line`], so findings, their order
//! and their messages are exactly those of the full reader. The recogniser duplicates a small
//! part of `read.rs` and `rules.rs` (which fields, which locations, the coordinate and camera
//! rules); property tests (`tests/it/fast.rs`) check on generated and mutated lines that what it
//! calls clean, the full reader reads without finding, with the same reference id, keys and
//! kinds.

use nucleus_model::geo::Coordinate;
use nucleus_model::read::ItemReading;
use nucleus_model::scan::{self, Scan, Scanner, Token, Unsure};
use nucleus_model::{DatasetItemType, LocationKind, Metadata};

use crate::ItemRules;
use nucleus_model::Kind;

/// What checking one line gave: a clean item (no finding), or the full reading.
#[derive(Debug, Clone, PartialEq)]
pub enum LineCheck {
    /// The line is an item without any finding.
    Clean(CleanItem),
    /// The full reader's result (findings, and the item when it has no error). Boxed: results
    /// wait in batches, and most lines are clean.
    Read(Box<ItemReading>),
}

/// An item that passed every item rule without a finding, reduced to what the dataset rules
/// read: the reference id and, per metadata key in order, the kind of its value (and the value
/// as written, for strings and numbers, to quote in a `type-conflict` message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanItem {
    /// The line (one copy: cheaper than a copy per key).
    line: Box<str>,
    /// The keys and the reference id written with escapes, decoded one after the other (empty,
    /// so not allocated, when none has an escape).
    decoded: String,
    reference_id: Span,
    keys: Vec<CleanKey>,
}

/// A byte range of the line, or of the item's decoded text when the top bit of `start` is set
/// (lines of 2 GiB and more take the full reader). Eight bytes: a clean item holds many.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Span {
    start: u32,
    end: u32,
}

impl Span {
    const DECODED: u32 = 1 << 31;

    /// A range of the line.
    fn of(range: std::ops::Range<usize>) -> Scan<Span> {
        let end = u32::try_from(range.end).map_err(|_| Unsure)?;
        if end >= Span::DECODED || range.start > range.end {
            return Err(Unsure);
        }
        Ok(Span {
            start: u32::try_from(range.start).map_err(|_| Unsure)?,
            end,
        })
    }

    /// A range of the decoded text.
    fn of_decoded(range: std::ops::Range<usize>) -> Scan<Span> {
        Span::of(range).map(|span| Span {
            start: span.start | Span::DECODED,
            ..span
        })
    }

    fn get<'s>(self, line: &'s str, decoded: &'s str) -> &'s str {
        let (text, start) = if self.start & Span::DECODED == 0 {
            (line, self.start)
        } else {
            (decoded, self.start & !Span::DECODED)
        };
        text.get(start as usize..self.end as usize)
            .unwrap_or_default()
    }
}

/// Where a key or string of the line reads decoded: its range of the line when written without
/// escapes, else of `decoded`, where it is decoded to.
fn decoded_span(
    scanner: &Scanner<'_>,
    raw: &str,
    escaped: bool,
    chars: impl Iterator<Item = char>,
    decoded: &mut String,
) -> Scan<Span> {
    if escaped {
        let start = decoded.len();
        // Decoded text is never longer than its escaped form: one reservation, no regrowth
        // while the characters are pushed one by one.
        decoded.reserve(raw.len());
        decoded.extend(chars);
        Span::of_decoded(start..decoded.len())
    } else {
        let start = scanner.offset_of(raw).ok_or(Unsure)?;
        Span::of(start..start + raw.len())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CleanKey {
    kind: Kind,
    key: Span,
    /// Empty unless the value is a string or a number.
    value: Span,
}

impl CleanItem {
    /// The item's reference id.
    #[must_use]
    pub fn reference_id(&self) -> &str {
        self.reference_id.get(&self.line, &self.decoded)
    }

    /// Each metadata key with a non-null value, in order: the key, the value's kind and, for
    /// strings and numbers, the value's JSON text as written (empty for the other kinds).
    pub fn metadata_kinds(&self) -> impl Iterator<Item = (&str, Kind, &str)> {
        self.keys.iter().map(|key| {
            (
                key.key.get(&self.line, &self.decoded),
                key.kind,
                key.value.get(&self.line, &self.decoded),
            )
        })
    }
}

impl ItemRules {
    /// Reads one JSON Lines line and applies every item-level rule, like
    /// [`ItemRules::check_line`], but returns a [`CleanItem`] without building the item when
    /// the line has no finding (see the module docs).
    #[must_use]
    pub fn check_line_fast(&self, text: &str) -> LineCheck {
        match recognise(self, text) {
            Ok(clean) => LineCheck::Clean(clean),
            Err(Unsure) => LineCheck::Read(Box::new(self.check_line(text))),
        }
    }
}

/// The item's clean facts, or [`Unsure`] when the line may have a finding or a shape this path
/// leaves to the full reader.
///
/// # Errors
/// [`Unsure`]; never a finding.
pub fn recognise(rules: &ItemRules, text: &str) -> Scan<CleanItem> {
    let mut scanner = Scanner::new(text);
    let mut keys = Vec::with_capacity(32);
    let mut decoded = String::new();
    let mut top = scanner.begin_object()?;
    // As written; `ref_id`, when present, wins (the full reader then ignores `reference_id`,
    // which is `None` when it is not a string).
    let mut reference_id = None;
    let mut ref_id = None;
    let mut location: Option<(Option<DatasetItemType>, &str)> = None;
    let mut declared_type = None;
    let (mut width, mut height) = (None, None);
    let mut has_embedding = false;
    while let Some(key) = scanner.next_any_key(&mut top)? {
        // Top-level keys are rarely written with escapes: a copy then is cheap enough.
        let key = key.to_str();
        match &*key {
            "reference_id" => {
                reference_id = if scanner.peek()? == Token::String {
                    Some(scanner.string()?)
                } else {
                    scanner.skip()?;
                    None
                };
            }
            "ref_id" => ref_id = Some(scanner.string()?),
            "width" => width = dimension(&mut scanner)?,
            "height" => height = dimension(&mut scanner)?,
            "type" => declared_type = Some(scanner.plain_string()?),
            "embedding_info" => has_embedding = embedding(&mut scanner)?,
            // Set by the server; kept when a string.
            "phash" | "dataset_item_id" => {
                if !scanner.take_null()? {
                    scanner.string()?;
                }
            }
            "metadata" => metadata(&mut scanner, rules, &mut keys, &mut decoded)?,
            // One non-null location key (several take the full reader: precedence,
            // conflicts). `url` says its type by its extension.
            _ => {
                let item_type = location_key(&key).ok_or(Unsure)?;
                // A null location is no location (exports with one column per kind).
                if scanner.take_null()? {
                    continue;
                }
                if location.is_some() {
                    return Err(Unsure);
                }
                location = Some((item_type, scanner.string()?));
            }
        }
    }
    scanner.end()?;

    let reference_id = match ref_id {
        Some(ref_id) => ref_id,
        None => reference_id.ok_or(Unsure)?,
    };
    // An escape always stands for a character: an id with one is not empty.
    if reference_id.is_empty() {
        return Err(Unsure);
    }
    let (item_type, location) = location.ok_or(Unsure)?;
    let location = scan::unescape(location);
    if location.is_empty() {
        return Err(Unsure);
    }
    let item_type = match item_type {
        Some(item_type) => item_type,
        None => DatasetItemType::of_url(&location).ok_or(Unsure)?,
    };
    if declared_type.is_some_and(|declared| declared != item_type.value())
        || (has_embedding && item_type != DatasetItemType::Image)
    {
        return Err(Unsure);
    }
    let kind = location_kind(rules, &location)?;
    if item_type == DatasetItemType::Pointcloud && !kind.is_remote() {
        return Err(Unsure);
    }
    if rules.require_dimensions
        && item_type == DatasetItemType::Image
        && (width.is_none() || height.is_none())
    {
        return Err(Unsure);
    }
    let reference_id = decoded_span(
        &scanner,
        reference_id,
        reference_id.contains('\\'),
        scan::unescaped(reference_id),
        &mut decoded,
    )?;
    Ok(CleanItem {
        line: text.into(),
        decoded,
        reference_id,
        keys,
    })
}

/// Whether `key` holds the item's location, and if so of which type: `Some(None)` for `url`,
/// which says its type by its extension.
fn location_key(key: &str) -> Option<Option<DatasetItemType>> {
    if key == DatasetItemType::URL_KEY {
        return Some(None);
    }
    DatasetItemType::of_location_key(key).map(Some)
}

/// The kind of a location that draws no finding under `rules` (a well-formed URL when remote,
/// not `gcs://`, remote when required).
fn location_kind(rules: &ItemRules, location: &str) -> Scan<LocationKind> {
    let kind = LocationKind::checked(location).map_err(|_| Unsure)?;
    if kind == LocationKind::Gcs || (rules.remote_only && !kind.is_remote()) {
        Err(Unsure)
    } else {
        Ok(kind)
    }
}

/// `metadata.context_attachments`: a list of objects whose `attachment` is a non-empty
/// location drawing no finding (other keys of an entry are ignored, as the SDK does).
fn attachments(scanner: &mut Scanner<'_>, rules: &ItemRules) -> Scan<()> {
    let mut array = scanner.begin_array()?;
    while scanner.next_element(&mut array)? {
        let mut attachment = None;
        let mut object = scanner.begin_object()?;
        while let Some(key) = scanner.next_any_key(&mut object)? {
            if key.is("attachment") {
                attachment = Some(scan::unescape(scanner.string()?));
            } else {
                scanner.skip()?;
            }
        }
        let location = attachment.filter(|text| !text.is_empty()).ok_or(Unsure)?;
        location_kind(rules, &location)?;
    }
    Ok(())
}

/// `width` or `height`: null (absent) or an integer of at least 1.
fn dimension(scanner: &mut Scanner<'_>) -> Scan<Option<u64>> {
    if scanner.take_null()? {
        return Ok(None);
    }
    let value = scanner.number()?.to_u64().filter(|&v| v >= 1);
    value.map(Some).ok_or(Unsure)
}

/// `embedding_info`: null, or exactly `{"index_id": non-empty string, "embedding_vector":
/// non-empty list of numbers}`. Whether there is one.
fn embedding(scanner: &mut Scanner<'_>) -> Scan<bool> {
    if scanner.take_null()? {
        return Ok(false);
    }
    let (mut index_id, mut vector) = (false, false);
    let mut object = scanner.begin_object()?;
    while let Some(key) = scanner.next_any_key(&mut object)? {
        match &*key.to_str() {
            "index_id" => index_id = !scanner.plain_string()?.is_empty(),
            "embedding_vector" => {
                let mut array = scanner.begin_array()?;
                while scanner.next_element(&mut array)? {
                    scanner.number()?;
                    vector = true;
                }
            }
            _ => return Err(Unsure),
        }
    }
    if index_id && vector {
        Ok(true)
    } else {
        Err(Unsure)
    }
}

/// Reads the metadata (an object or null) into `keys`, applying the reserved keys' rules; keys
/// written with escapes are decoded into `decoded`.
fn metadata(
    scanner: &mut Scanner<'_>,
    rules: &ItemRules,
    keys: &mut Vec<CleanKey>,
    decoded: &mut String,
) -> Scan<()> {
    if scanner.take_null()? {
        return Ok(());
    }
    let mut object = scanner.begin_object()?;
    let (mut lat, mut lon) = (false, false);
    while let Some(key) = scanner.next_any_key(&mut object)? {
        let kind = match scanner.peek()? {
            // No kind; `null` coordinates, cameras and attachments count as absent.
            Token::Null => {
                scanner.null()?;
                continue;
            }
            Token::Bool => Kind::Boolean,
            Token::Number => Kind::Number,
            Token::String => Kind::String,
            Token::Array => Kind::List,
            Token::Object => Kind::Object,
        };
        let start = scanner.position();
        // A key written with escapes is decoded into `decoded`, which it then reads from.
        let key_span = decoded_span(
            scanner,
            key.raw(),
            key.plain().is_none(),
            key.chars(),
            decoded,
        )?;
        let name = key.plain().unwrap_or_else(|| key_span.get("", decoded));
        match name {
            Metadata::LAT | Metadata::LON => {
                let coordinate = Coordinate::of_key(name).ok_or(Unsure)?;
                if !coordinate.contains(scanner.number()?.to_f64()) {
                    return Err(Unsure);
                }
                match coordinate {
                    Coordinate::Lat => lat = true,
                    Coordinate::Lon => lon = true,
                }
            }
            Metadata::CAMERA_PARAMS => nucleus_model::read::camera_params(scanner)?,
            Metadata::CONTEXT_ATTACHMENTS => attachments(scanner, rules)?,
            _ => {
                scanner.skip()?;
            }
        }
        keys.push(CleanKey {
            kind,
            key: key_span,
            value: if kind.is_searchable() {
                Span::of(start..scanner.position())?
            } else {
                Span::default()
            },
        });
    }
    if lat == lon { Ok(()) } else { Err(Unsure) }
}
