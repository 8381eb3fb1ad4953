//! [`read_line`](super::read_line) without a `serde_json::Value`: whether a line reads as an item
//! without error, and its metadata values as written, in one pass of [`crate::scan`].
//!
//! [`scan_line`] is for the capabilities that need only the metadata of the valid items of a
//! file (the query bar, the profile): most lines of a real dataset are plain items, and building
//! a `Value` for each costs three times the scan. It accepts a strict subset of the items
//! [`read_line`](super::read_line) reads without error (warnings allowed) and returns
//! [`Unsure`] on anything else: an error, or a shape it leaves to the full reader (`ref_id`,
//! several location keys, `embedding_info`, escapes in top-level keys, ...). The caller then reads the line
//! with [`read_line`](super::read_line), so results never differ; property tests hold the two
//! together (`tests/it/scanned.rs`).

use std::borrow::Cow;

use nucleus_camera::{CameraModel, CameraParams, Distortion, Quaternion, Vector3};

use crate::geo::Coordinate;
use crate::item::{DatasetItemType, Metadata};
use crate::kind::Kind;
use crate::location::LocationKind;
use crate::number::Num;
use crate::scan::{Key, NumberLiteral, Scan, Scanner, Token, Unsure};

/// A metadata value as [`scan_line`] read it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScannedValue<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number that reads exactly ([`NumberLiteral`]).
    Number(NumberLiteral<'a>),
    /// A string: its contents as written, escapes not decoded (see [`unescape`]).
    String(&'a str),
    /// An array (not read further).
    List,
    /// An object (not read further).
    Object,
}

impl ScannedValue<'_> {
    /// The value's kind, as [`Kind::of`] gives it for the parsed value; `None` for `null`.
    #[must_use]
    pub fn kind(&self) -> Option<Kind> {
        match self {
            ScannedValue::Null => None,
            ScannedValue::Bool(_) => Some(Kind::Boolean),
            ScannedValue::Number(_) => Some(Kind::Number),
            ScannedValue::String(_) => Some(Kind::String),
            ScannedValue::List => Some(Kind::List),
            ScannedValue::Object => Some(Kind::Object),
        }
    }

    /// The number as [`Num::from_number`] reads the parsed value; `None` for other kinds.
    #[must_use]
    pub fn num(&self) -> Option<Num> {
        match self {
            ScannedValue::Number(literal) => Some(num_of_literal(*literal)),
            _ => None,
        }
    }
}

/// A scanned number as [`Num::from_number`] reads the number `serde_json` parses from the same
/// text: integers (which the scanner accepts only when they fit `i64` or `u64`) exactly, other
/// literals as the correctly rounded `f64`.
#[must_use]
pub fn num_of_literal(literal: NumberLiteral<'_>) -> Num {
    if literal.is_integer {
        if let Ok(int) = literal.text.parse::<i64>() {
            return Num::Int(i128::from(int));
        }
        if let Some(uint) = literal.to_u64() {
            return Num::Int(i128::from(uint));
        }
    }
    Num::Float(literal.to_f64())
}

/// The text of a JSON string's contents as written (escapes decoded).
///
/// # Errors
/// [`Unsure`] when `raw` is not the inside of a valid JSON string.
pub fn unescape(raw: &str) -> Scan<Cow<'_, str>> {
    if raw.contains('\\') {
        serde_json::from_str::<String>(&format!("\"{raw}\""))
            .map(Cow::Owned)
            .map_err(|_| Unsure)
    } else {
        Ok(Cow::Borrowed(raw))
    }
}

/// Whether [`read_line`](super::read_line) reads `text` as an item without error, and its type,
/// calling `visit` with each metadata key (as written: [`Key::is`] and [`Key::to_str`] read it
/// decoded, as `serde_json` does) and its value in order (also when the line turns out
/// [`Unsure`] later: keep what `visit` gathered only on `Ok`).
///
/// # Errors
/// [`Unsure`] when the line has an error or a shape left to the full reader (see the module
/// docs); never a finding.
pub fn scan_line<'a>(
    text: &'a str,
    mut visit: impl FnMut(Key<'a>, ScannedValue<'a>),
) -> Scan<DatasetItemType> {
    let mut scanner = Scanner::new(text);
    let mut top = scanner.begin_object()?;
    let mut has_reference_id = false;
    let mut location: Option<(&str, &str)> = None;
    while let Some(key) = scanner.next_key(&mut top)? {
        match key {
            // A non-empty string (escapes decode to at least one character).
            "reference_id" => has_reference_id = !scanner.string()?.is_empty(),
            "metadata" => metadata(&mut scanner, &mut visit)?,
            "width" | "height" => {
                if !scanner.take_null()? {
                    scanner
                        .number()?
                        .to_u64()
                        .filter(|&v| v >= 1)
                        .ok_or(Unsure)?;
                }
            }
            // `ref_id` wins over `reference_id` whenever present, even null.
            "ref_id" => return Err(Unsure),
            // Embeddings have rules of their own.
            "embedding_info" => {
                if !scanner.take_null()? {
                    return Err(Unsure);
                }
            }
            _ if key == DatasetItemType::URL_KEY
                || DatasetItemType::of_location_key(key).is_some() =>
            {
                // A null location is no location; several (precedence, conflicts) take the
                // full reader.
                if scanner.take_null()? {
                    continue;
                }
                if location.is_some() {
                    return Err(Unsure);
                }
                location = Some((key, scanner.string()?));
            }
            // `type`, `phash`, `dataset_item_id`, a top-level `camera_params` and unknown
            // fields draw warnings at most.
            _ => {
                scanner.skip()?;
            }
        }
    }
    scanner.end()?;
    let (key, raw) = location.ok_or(Unsure)?;
    if !has_reference_id || raw.is_empty() {
        return Err(Unsure);
    }
    let location = unescape(raw)?;
    let item_type = if key == DatasetItemType::URL_KEY {
        DatasetItemType::of_url(&location)
    } else {
        DatasetItemType::of_location_key(key)
    };
    let item_type = item_type.ok_or(Unsure)?;
    LocationKind::checked(&location).map_err(|_| Unsure)?;
    Ok(item_type)
}

/// Whether a scanned metadata value leaves the item-level rules on reserved keys without an
/// error under any location policy: `lat` and `lon` null or a number in range (the rule of
/// [`crate::geo::check_coordinates`]), `context_attachments` null (its rules depend on the
/// location policy: a value there takes the full reader). Any other key: `true`. With
/// [`scan_line`], this is what reading a line with the default item rules of `nucleus check`
/// (no remote-only, no required dimensions) accepts without the full reader.
#[must_use]
pub fn settles_reserved(key: Key<'_>, value: &ScannedValue<'_>) -> bool {
    if key.is(Metadata::CONTEXT_ATTACHMENTS) {
        return matches!(value, ScannedValue::Null);
    }
    let coordinate = if key.is(Metadata::LAT) {
        Coordinate::Lat
    } else if key.is(Metadata::LON) {
        Coordinate::Lon
    } else {
        return true;
    };
    match value {
        ScannedValue::Null => true,
        ScannedValue::Number(literal) => coordinate.contains(literal.to_f64()),
        _ => false,
    }
}

/// The metadata: null, or an object whose `camera_params`, when not null, is a valid camera.
fn metadata<'a>(
    scanner: &mut Scanner<'a>,
    visit: &mut impl FnMut(Key<'a>, ScannedValue<'a>),
) -> Scan<()> {
    if scanner.take_null()? {
        return Ok(());
    }
    let mut object = scanner.begin_object()?;
    while let Some(key) = scanner.next_any_key(&mut object)? {
        let is_camera = key.is(Metadata::CAMERA_PARAMS);
        let value = match scanner.peek()? {
            Token::Null => {
                scanner.null()?;
                ScannedValue::Null
            }
            Token::Bool => {
                let start = scanner.position();
                scanner.skip()?;
                ScannedValue::Bool(scanner.since(start) == "true")
            }
            Token::Number => ScannedValue::Number(scanner.number()?),
            Token::String => ScannedValue::String(scanner.string()?),
            Token::Array => {
                scanner.skip()?;
                ScannedValue::List
            }
            Token::Object if is_camera => {
                camera_params(scanner)?;
                ScannedValue::Object
            }
            Token::Object => {
                scanner.skip()?;
                ScannedValue::Object
            }
        };
        if is_camera && !matches!(value, ScannedValue::Null | ScannedValue::Object) {
            return Err(Unsure);
        }
        visit(key, value);
    }
    Ok(())
}

/// `metadata.camera_params`: the fields [`CameraParams::from_json`] reads, every one a number
/// (or a string for `camera_model`), then the same constructor, which validates.
///
/// # Errors
/// [`Unsure`] when the next value is not a camera [`CameraParams::from_json`] accepts, or has a
/// shape left to it.
pub fn camera_params(scanner: &mut Scanner<'_>) -> Scan<()> {
    let mut position = None;
    let mut heading = None;
    let (mut fx, mut fy, mut cx, mut cy) = (None, None, None, None);
    let mut model = None;
    let mut distortion = Distortion::default();
    let mut object = scanner.begin_object()?;
    while let Some(key) = scanner.next_any_key(&mut object)? {
        let key = key.to_str();
        match &*key {
            "position" => {
                let [x, y, z] = components(scanner, ["x", "y", "z"])?;
                position = Some(Vector3::new(x, y, z));
            }
            "heading" => heading = Some(components(scanner, ["x", "y", "z", "w"])?),
            "fx" => fx = Some(scanner.number()?.to_f64()),
            "fy" => fy = Some(scanner.number()?.to_f64()),
            "cx" => cx = Some(scanner.number()?.to_f64()),
            "cy" => cy = Some(scanner.number()?.to_f64()),
            "camera_model" => {
                if !scanner.take_null()? {
                    let name = scanner.plain_string()?;
                    model = Some(CameraModel::from_wire_name(name).ok_or(Unsure)?);
                }
            }
            "k1" | "k2" | "k3" | "k4" | "p1" | "p2" => {
                // Absent or null reads as 0, as in `CameraParams::from_json`.
                let value = if scanner.take_null()? {
                    0.0
                } else {
                    scanner.number()?.to_f64()
                };
                let slot = match &*key {
                    "k1" => &mut distortion.k1,
                    "k2" => &mut distortion.k2,
                    "k3" => &mut distortion.k3,
                    "k4" => &mut distortion.k4,
                    "p1" => &mut distortion.p1,
                    _ => &mut distortion.p2,
                };
                *slot = value;
            }
            // Unknown keys are ignored, as the SDK and `CameraParams::from_json` do.
            _ => {
                scanner.skip()?;
            }
        }
    }
    let (Some(position), Some([x, y, z, w]), Some(fx), Some(fy), Some(cx), Some(cy)) =
        (position, heading, fx, fy, cx, cy)
    else {
        return Err(Unsure);
    };
    let heading = Quaternion::new(x, y, z, w);
    CameraParams::new(position, heading, fx, fy, cx, cy)
        .and_then(|camera| camera.with_distortion(model, distortion))
        .map(drop)
        .map_err(|_| Unsure)
}

/// An object with the number fields `names` (other keys ignored), each required.
fn components<const N: usize>(scanner: &mut Scanner<'_>, names: [&str; N]) -> Scan<[f64; N]> {
    let mut values = [None; N];
    let mut object = scanner.begin_object()?;
    while let Some(key) = scanner.next_any_key(&mut object)? {
        match names.iter().position(|name| key.is(name)) {
            Some(idx) => *values.get_mut(idx).ok_or(Unsure)? = Some(scanner.number()?.to_f64()),
            None => {
                scanner.skip()?;
            }
        }
    }
    let mut out = [0.0; N];
    for (slot, value) in out.iter_mut().zip(values) {
        *slot = value.ok_or(Unsure)?;
    }
    Ok(out)
}
