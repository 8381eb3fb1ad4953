//! A strict JSON reader: `serde_json` plus the checks that keep data from changing silently.
//!
//! Plain `serde_json::from_str::<Value>` accepts three things that alter data without a word:
//! duplicate keys (the last one wins), integers beyond 64 bits (rounded to the nearest f64) and,
//! for some inputs, nothing else. [`parse`] rejects the first two with an error that names the
//! JSON pointer of the value, and reports `1e400`-style overflow and excessive nesting with their
//! own kinds so callers can give each a stable diagnostic code.

use std::cell::{Cell, RefCell};
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::diagnostic::{Code, TextPointer, push_pointer_token};

/// What kind of problem stopped [`parse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JsonErrorKind {
    /// Not JSON: a syntax error, a truncated text, a `NaN` or `Infinity` token.
    Syntax,
    /// An object has the same key twice.
    DuplicateKey,
    /// Nesting deeper than the parser's limit of 127 arrays and objects (serde_json's
    /// recursion limit of 128 counts the level that fails).
    TooDeep,
    /// An integer literal outside the range of `i64` and `u64`.
    IntegerTooLarge,
    /// A number that overflows `f64`, such as `1e400`.
    NumberOutOfRange,
}

impl JsonErrorKind {
    /// The diagnostic code for this kind of error.
    #[must_use]
    pub const fn code(self) -> Code {
        match self {
            JsonErrorKind::Syntax => Code::InvalidJson,
            JsonErrorKind::DuplicateKey => Code::DuplicateKey,
            JsonErrorKind::TooDeep => Code::TooDeeplyNested,
            JsonErrorKind::IntegerTooLarge => Code::IntegerTooLarge,
            JsonErrorKind::NumberOutOfRange => Code::NumberOutOfRange,
        }
    }
}

/// Why a text is not accepted as JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct JsonError {
    kind: JsonErrorKind,
    message: String,
    /// 1-based column (in bytes) where the parser stopped, 0 when unknown.
    column: usize,
    pointer: String,
}

impl JsonError {
    /// What kind of problem it is.
    #[must_use]
    pub fn kind(&self) -> JsonErrorKind {
        self.kind
    }

    /// The 1-based byte column at which the problem was found, when known.
    #[must_use]
    pub fn column(&self) -> Option<usize> {
        (self.column > 0).then_some(self.column)
    }

    /// The JSON pointer of the offending value (`""` when it is not known or is the whole text).
    #[must_use]
    pub fn pointer(&self) -> &str {
        &self.pointer
    }

    /// The message without position, lowercase.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Parses one JSON text strictly.
///
/// # Errors
///
/// Returns a [`JsonError`] for invalid JSON, duplicate object keys, integers that do not fit in
/// 64 bits, numbers that overflow or underflow `f64`, and nesting deeper than 127 levels.
pub fn parse(text: &str) -> Result<Value, JsonError> {
    let saw_special_float = Cell::new(false);
    let duplicate = RefCell::new(None);
    let context = Context {
        saw_special_float: &saw_special_float,
        duplicate: &duplicate,
    };
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let seed = ValueSeed {
        context: &context,
        path: Path::Root,
    };
    let value = match seed.deserialize(&mut deserializer).and_then(|value| {
        deserializer.end()?;
        Ok(value)
    }) {
        Ok(value) => value,
        Err(error) => return Err(classify(&error, duplicate.into_inner())),
    };
    // serde_json turns an integer literal too large for 64 bits into the nearest f64, reads
    // the integer `-0` as the float `-0.0`, and a float literal below the smallest f64 (`1e-400`)
    // as 0. The first gives an integral float of at least 2^63 in magnitude, the others a zero;
    // only then is the text scanned for such literals, so the common case costs nothing.
    let mut value = value;
    if saw_special_float.get() {
        for special in find_special_numbers(text) {
            match special.kind {
                SpecialNumber::NegativeZero => {
                    // -0 is the integer 0 (as Python reads it); keep it an integer.
                    if let Some(slot) = value.pointer_mut(&special.pointer) {
                        *slot = Value::from(0);
                    }
                }
                SpecialNumber::BigInteger => {
                    return Err(JsonError {
                        kind: JsonErrorKind::IntegerTooLarge,
                        message: format!(
                            "integer {} does not fit in 64 bits and would be rounded; \
                             write it as a string to keep every digit",
                            special.literal
                        ),
                        column: special.column,
                        pointer: special.pointer,
                    });
                }
                SpecialNumber::Underflow => {
                    return Err(JsonError {
                        kind: JsonErrorKind::NumberOutOfRange,
                        message: format!(
                            "number out of range: {} is too small for a 64-bit float and \
                             would be read as 0; write 0 or keep it as a string",
                            special.literal
                        ),
                        column: special.column,
                        pointer: special.pointer,
                    });
                }
            }
        }
    }
    Ok(value)
}

/// Turns serde_json's error into ours. `duplicate` is what the object visitor recorded when it
/// stopped at a duplicate key: the pointer and the key travel beside the error, never inside its
/// message, because a key may contain any character that could separate them there.
fn classify(error: &serde_json::Error, duplicate: Option<Duplicate>) -> JsonError {
    if let Some(Duplicate { pointer, key }) = duplicate {
        let place = if pointer.is_empty() {
            "the top level".to_owned()
        } else {
            TextPointer(&pointer).to_string()
        };
        return JsonError {
            kind: JsonErrorKind::DuplicateKey,
            message: format!(
                "duplicate key {} in the object at {place}; which value wins is ambiguous",
                Value::String(key)
            ),
            column: error.column(),
            pointer,
        };
    }
    let full = error.to_string();
    // serde_json appends " at line L column C"; the caller adds its own position.
    let message = match full.rfind(" at line ") {
        Some(idx) => full.get(..idx).unwrap_or(&full).to_owned(),
        None => full,
    };
    let kind = if message == "number out of range" {
        JsonErrorKind::NumberOutOfRange
    } else if message == "recursion limit exceeded" {
        JsonErrorKind::TooDeep
    } else {
        JsonErrorKind::Syntax
    };
    let message = match kind {
        JsonErrorKind::NumberOutOfRange => {
            "number out of range: it overflows a 64-bit float and cannot be written back as JSON"
                .to_owned()
        }
        JsonErrorKind::TooDeep => {
            "too deeply nested: more than 127 levels of arrays and objects".to_owned()
        }
        // serde_json's words for `"\ud800"` followed by anything but a low surrogate escape.
        _ if message.contains("surrogate") || message == "unexpected end of hex escape" => {
            format!(
                "invalid JSON: {message}: a lone UTF-16 surrogate escape (\\ud800-\\udfff) is \
                 not a character; a surrogate must be followed by its pair"
            )
        }
        _ => format!("invalid JSON: {message}"),
    };
    JsonError {
        kind,
        message,
        column: error.column(),
        pointer: String::new(),
    }
}

struct Context<'a> {
    /// Set when a float may stand for an integer literal that serde_json could not keep.
    saw_special_float: &'a Cell<bool>,
    /// Set by the object visitor when it stops at a duplicate key.
    duplicate: &'a RefCell<Option<Duplicate>>,
}

/// A duplicate key and the JSON pointer of its object.
struct Duplicate {
    pointer: String,
    key: String,
}

/// Where a value sits, as a linked list on the stack: rendered only when an error needs it.
#[derive(Clone, Copy)]
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut pointer = String::new();
        self.render(&mut pointer);
        f.write_str(&pointer)
    }
}

impl Path<'_> {
    fn render(&self, out: &mut String) {
        match self {
            Path::Root => {}
            Path::Key(parent, key) => {
                parent.render(out);
                push_pointer_token(out, key);
            }
            Path::Index(parent, idx) => {
                parent.render(out);
                push_pointer_token(out, &idx.to_string());
            }
        }
    }
}

struct ValueSeed<'c, 'p> {
    context: &'c Context<'c>,
    path: Path<'p>,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
        // A zero may be `-0` or an underflow such as `1e-400`.
        if v == 0.0 || (v.abs() >= TWO_POW_63 && v.fract() == 0.0) {
            self.context.saw_special_float.set(true);
        }
        match Number::from_f64(v) {
            Some(number) => Ok(Value::Number(number)),
            None => Err(E::custom("number out of range")),
        }
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut values = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        loop {
            let seed = ValueSeed {
                context: self.context,
                path: Path::Index(&self.path, values.len()),
            };
            match seq.next_element_seed(seed)? {
                Some(value) => values.push(value),
                None => break,
            }
        }
        Ok(Value::Array(values))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            let value = access.next_value_seed(ValueSeed {
                context: self.context,
                path: Path::Key(&self.path, &key),
            })?;
            // One hash lookup per key: `entry` both detects the duplicate and inserts.
            match map.entry(key) {
                serde_json::map::Entry::Vacant(slot) => {
                    slot.insert(value);
                }
                serde_json::map::Entry::Occupied(slot) => {
                    *self.context.duplicate.borrow_mut() = Some(Duplicate {
                        pointer: self.path.to_string(),
                        key: slot.key().clone(),
                    });
                    return Err(de::Error::custom("duplicate key"));
                }
            }
        }
        Ok(Value::Object(map))
    }
}

/// A number literal that serde_json reads into something else than what it says.
enum SpecialNumber {
    /// The integer `-0`, read as the float `-0.0`.
    NegativeZero,
    /// An integer beyond `i64` and `u64`, read as a rounded float.
    BigInteger,
    /// A float that is not zero but below the smallest `f64`, read as 0.
    Underflow,
}

struct Special {
    kind: SpecialNumber,
    literal: String,
    pointer: String,
    /// 1-based byte column.
    column: usize,
}

/// Every integer literal (no fraction, no exponent) that fits neither `i64` nor `u64` or is
/// `-0`, and every non-zero float literal that reads as 0, with its JSON pointer and column.
/// `text` is known to be valid JSON.
fn find_special_numbers(text: &str) -> Vec<Special> {
    let mut found = Vec::new();
    enum Frame {
        Object { key: Option<String> },
        Array { idx: usize },
    }
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut pos = 0;
    while let Some(&byte) = bytes.get(pos) {
        match byte {
            b'{' => stack.push(Frame::Object { key: None }),
            b'[' => stack.push(Frame::Array { idx: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array { idx }) => *idx += 1,
                Some(Frame::Object { key }) => *key = None,
                None => {}
            },
            b'"' => {
                let start = pos;
                pos += 1;
                while let Some(&b) = bytes.get(pos) {
                    match b {
                        b'\\' => pos += 2,
                        b'"' => break,
                        _ => pos += 1,
                    }
                }
                // A string directly followed by ':' is an object key.
                let mut after = pos + 1;
                while bytes.get(after).is_some_and(u8::is_ascii_whitespace) {
                    after += 1;
                }
                if bytes.get(after) == Some(&b':')
                    && let Some(Frame::Object { key }) = stack.last_mut()
                {
                    *key = text
                        .get(start..=pos)
                        .and_then(|raw| serde_json::from_str::<String>(raw).ok());
                }
            }
            b'-' | b'0'..=b'9' => {
                let start = pos;
                while bytes
                    .get(pos + 1)
                    .is_some_and(|b| matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
                {
                    pos += 1;
                }
                let literal = text.get(start..=pos).unwrap_or_default();
                let kind = if literal.contains(['.', 'e', 'E']) {
                    let mantissa = literal.split(['e', 'E']).next().unwrap_or_default();
                    let is_zero = literal.parse::<f64>().is_ok_and(|v| v == 0.0);
                    (is_zero && mantissa.contains(['1', '2', '3', '4', '5', '6', '7', '8', '9']))
                        .then_some(SpecialNumber::Underflow)
                } else if literal == "-0" {
                    Some(SpecialNumber::NegativeZero)
                } else if literal.parse::<i64>().is_err() && literal.parse::<u64>().is_err() {
                    Some(SpecialNumber::BigInteger)
                } else {
                    None
                };
                if let Some(kind) = kind {
                    let mut pointer = String::new();
                    for frame in &stack {
                        match frame {
                            Frame::Object { key } => {
                                push_pointer_token(&mut pointer, key.as_deref().unwrap_or(""));
                            }
                            Frame::Array { idx } => {
                                push_pointer_token(&mut pointer, &idx.to_string());
                            }
                        }
                    }
                    found.push(Special {
                        kind,
                        literal: literal.to_owned(),
                        pointer,
                        column: start + 1,
                    });
                }
            }
            _ => {}
        }
        pos += 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_err(text: &str, kind: JsonErrorKind, pointer: &str, message_part: &str) {
        let error = parse(text).unwrap_err();
        assert_eq!(error.kind(), kind, "{error}");
        assert_eq!(error.pointer(), pointer, "{error}");
        assert!(
            error.message().contains(message_part),
            "{:?} does not contain {message_part:?}",
            error.message()
        );
    }

    #[test]
    fn accepts_plain_json_and_keeps_order_and_number_kinds() {
        let value = parse(r#"{"b":1,"a":1.0,"c":[-5,1e16,18446744073709551615]}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&value).unwrap(),
            r#"{"b":1,"a":1.0,"c":[-5,1e+16,18446744073709551615]}"#
        );
    }

    #[test]
    fn duplicate_keys_are_rejected_with_their_object() {
        check_err(
            r#"{"metadata":{"a":1,"a":2}}"#,
            JsonErrorKind::DuplicateKey,
            "/metadata",
            r#"duplicate key "a""#,
        );
        check_err(
            r#"{"x":1,"x":1}"#,
            JsonErrorKind::DuplicateKey,
            "",
            "the top level",
        );
    }

    #[test]
    fn duplicate_keys_below_keys_of_any_character_keep_pointer_and_key_apart() {
        // Keys holding NUL (once the separator of pointer and key), `/`, `~`, a quote and a
        // non-BMP character: the pointer is the object's, RFC 6901 escaped; the key is the
        // duplicate alone.
        for (text, pointer, key) in [
            (
                r#"{"m":{"\u0000cam":{"p":1,"p":2}}}"#,
                "/m/\u{0}cam",
                r#""p""#,
            ),
            (
                r#"{"m":{"x\u0000y":{"p":1,"p":2}}}"#,
                "/m/x\u{0}y",
                r#""p""#,
            ),
            (
                r#"{"m":{"a":{"\u0000":1,"\u0000":2}}}"#,
                "/m/a",
                r#""\u0000""#,
            ),
            (
                r#"{"a/b~c\"d🦀":{"k\u0000":1,"k\u0000":2}}"#,
                "/a~1b~0c\"d🦀",
                r#""k\u0000""#,
            ),
            (r#"{"\u0000":[{"~/":1,"~/":2}]}"#, "/\u{0}/0", r#""~/""#),
        ] {
            let error = parse(text).unwrap_err();
            assert_eq!(error.kind(), JsonErrorKind::DuplicateKey, "{text}");
            assert_eq!(error.pointer(), pointer, "{text}");
            assert!(
                error
                    .message()
                    .starts_with(&format!("duplicate key {key} in the object at ")),
                "{text}: {}",
                error.message()
            );
            assert!(!error.message().contains('\u{0}'), "{:?}", error.message());
        }
    }

    #[test]
    fn big_integers_are_rejected_with_their_pointer() {
        check_err(
            r#"{"metadata":{"list":[1, 2, 123456789012345678901234567890]}}"#,
            JsonErrorKind::IntegerTooLarge,
            "/metadata/list/2",
            "123456789012345678901234567890",
        );
        check_err(
            r#"{"a": -9223372036854775809}"#,
            JsonErrorKind::IntegerTooLarge,
            "/a",
            "-9223372036854775809",
        );
        // A float written as such is fine, even when it is huge and integral.
        assert!(parse(r#"{"a": 1e19, "b": 18446744073709551616.0}"#).is_ok());
        // Keys and strings that look like numbers are skipped.
        assert!(
            parse(r#"{"123456789012345678901234": "99999999999999999999999", "x": 1e30}"#).is_ok()
        );
    }

    #[test]
    fn negative_zero_integer_stays_an_integer() {
        let value = parse(r#"{"a": -0, "b": [-0.0, -0], "c": {"x/y": -0}}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&value).unwrap(),
            r#"{"a":0,"b":[-0.0,0],"c":{"x/y":0}}"#
        );
    }

    #[test]
    fn overflow_depth_and_syntax_have_their_kinds() {
        check_err(
            r#"{"a": 1e400}"#,
            JsonErrorKind::NumberOutOfRange,
            "",
            "out of range",
        );
        // Below the smallest f64 (5e-324), a non-zero literal would be read as 0.
        check_err(
            r#"{"a": [0.0, 1e-400]}"#,
            JsonErrorKind::NumberOutOfRange,
            "/a/1",
            "1e-400 is too small for a 64-bit float",
        );
        check_err(
            &format!(r#"{{"a": -0.{}1}}"#, "0".repeat(400)),
            JsonErrorKind::NumberOutOfRange,
            "/a",
            "too small",
        );
        let zeros = parse(r#"{"a": 0.0, "b": -0.0, "c": 0e-400, "d": 0.000e5, "e": 5e-324}"#);
        assert_eq!(
            serde_json::to_string(&zeros.unwrap()).unwrap(),
            r#"{"a":0.0,"b":-0.0,"c":0.0,"d":0.0,"e":5e-324}"#
        );
        check_err(r#"{"a": NaN}"#, JsonErrorKind::Syntax, "", "invalid JSON");
        check_err(r#"{"a": 1"#, JsonErrorKind::Syntax, "", "invalid JSON");
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        check_err(&deep, JsonErrorKind::TooDeep, "", "too deeply nested");
        assert!(parse(&format!("{}{}", "[".repeat(127), "]".repeat(127))).is_ok());
        let limit = format!("{}{}", "[".repeat(128), "]".repeat(128));
        check_err(&limit, JsonErrorKind::TooDeep, "", "more than 127 levels");
        for lone in [
            r#"{"a": "\ud800"}"#,
            r#"{"a": "\udc00"}"#,
            r#"{"a": "\ud800\u0041"}"#,
        ] {
            check_err(lone, JsonErrorKind::Syntax, "", "lone UTF-16 surrogate");
        }
        check_err(r#"{} {}"#, JsonErrorKind::Syntax, "", "trailing");
    }
}
