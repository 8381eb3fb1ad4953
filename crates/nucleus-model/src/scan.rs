//! An allocation-free JSON scanner for the fast path of `check`: it accepts a strict subset of
//! what [`crate::json::parse`] accepts and says [`Unsure`] about everything else.
//!
//! [`crate::json::parse`] builds a `serde_json::Value` (a map, a `String` per key and string)
//! and finds every problem with its JSON pointer and message. Most lines of a real dataset have
//! no problem at all, and for them the dataset rules need only a few facts: the reference id,
//! each metadata key and the kind of its value. [`Scanner`] reads those facts straight from the
//! text, in one pass, without allocating. It never reports a problem: on anything it does not
//! handle, or that might be wrong (a syntax error, a duplicate key, a lone surrogate escape, a
//! number that could overflow, deep nesting), it returns [`Unsure`], and the caller reads the line again
//! with the full parser, which gives the finding. So the scanner only has to be *sound*: what it
//! accepts, the full parser accepts with the same keys and kinds; this is checked by property
//! tests on generated and mutated lines (`tests/it/scan.rs` and nucleus-metadata's fast-path
//! tests).
//!
//! What it accepts: the JSON grammar (RFC 8259) with
//! - keys and string values with valid escapes, a surrogate escape (`\ud800`–`\udfff`) only
//!   as a high-low pair (the full parser reads a lone one as a syntax error);
//! - keys unique within their object once their escapes are decoded, as the full parser
//!   compares them (`"a"` and `"\u0061"` are the same key; at most [`MAX_KEYS`] keys in one
//!   object; a 64-bit filter of each object's keys means a key is compared with the others only
//!   when it may repeat one);
//! - integers that fit `i64` or `u64` (`-0` reads as the integer 0, as the full parser reads
//!   it), and
//!   floats of at most 40 digits with an exponent of at most 250 in magnitude (so they are
//!   finite and a non-zero literal never reads as 0);
//! - nesting of at most [`MAX_DEPTH`] arrays and objects.

use std::borrow::Cow;

/// The scanner cannot decide about the text: read it with [`crate::json::parse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsure;

/// A scanner step: the result, or [`Unsure`].
pub type Scan<T> = Result<T, Unsure>;

/// Most keys in one object (duplicate detection is quadratic in the keys of an object).
pub const MAX_KEYS: usize = 512;

/// Deepest nesting of arrays and objects accepted (the full parser allows 127).
pub const MAX_DEPTH: usize = 64;

/// What the next value is, from its first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

/// An object key as written between its quotes, escapes validated: compare it and read it
/// decoded ([`Key::is`], [`Key::chars`]), as the full parser reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key<'a> {
    raw: &'a str,
    escaped: bool,
}

impl<'a> Key<'a> {
    /// The key as written between its quotes (escapes not decoded).
    #[must_use]
    #[inline]
    pub fn raw(self) -> &'a str {
        self.raw
    }

    /// The key, when it is written without escapes (then it is its own text).
    #[must_use]
    #[inline]
    pub fn plain(self) -> Option<&'a str> {
        (!self.escaped).then_some(self.raw)
    }

    /// Whether the decoded key is `name`.
    #[must_use]
    #[inline]
    pub fn is(self, name: &str) -> bool {
        if self.escaped {
            self.chars().eq(name.chars())
        } else {
            self.raw == name
        }
    }

    /// The decoded key's characters.
    #[must_use]
    #[inline]
    pub fn chars(self) -> Unescaped<'a> {
        unescaped(self.raw)
    }

    /// The decoded key (a copy only when it has escapes).
    #[must_use]
    pub fn to_str(self) -> Cow<'a, str> {
        if self.escaped {
            Cow::Owned(self.chars().collect())
        } else {
            Cow::Borrowed(self.raw)
        }
    }

    /// Whether two keys are the same once decoded.
    #[inline]
    fn same(self, other: Key<'_>) -> bool {
        if self.escaped || other.escaped {
            self.chars().eq(other.chars())
        } else {
            self.raw == other.raw
        }
    }

    /// The key's bit in an object's key filter, from its decoded bytes ([`filter_bit`]).
    #[inline]
    fn filter_bit(self) -> u64 {
        if !self.escaped {
            return filter_bit(
                self.raw.len(),
                self.raw.bytes().next(),
                self.raw.bytes().last(),
            );
        }
        let mut buffer = [0u8; 4];
        let (mut len, mut first, mut last) = (0, None, None);
        for char in self.chars() {
            let encoded = char.encode_utf8(&mut buffer).as_bytes();
            first = first.or_else(|| encoded.first().copied());
            last = encoded.last().copied();
            len += encoded.len();
        }
        filter_bit(len, first, last)
    }
}

/// The characters of the contents of a JSON string as written, escapes decoded: `raw` is text
/// the scanner accepted between quotes ([`Scanner::string`], [`Key::raw`]). (On text it did
/// not accept, a malformed escape reads as U+FFFD.)
#[must_use]
#[inline]
pub fn unescaped(raw: &str) -> Unescaped<'_> {
    Unescaped { rest: raw }
}

/// The contents of a JSON string as written, escapes decoded (a copy only when it has escapes);
/// see [`unescaped`].
#[must_use]
pub fn unescape(raw: &str) -> Cow<'_, str> {
    if raw.contains('\\') {
        Cow::Owned(unescaped(raw).collect())
    } else {
        Cow::Borrowed(raw)
    }
}

/// The iterator of [`unescaped`].
#[derive(Debug, Clone)]
pub struct Unescaped<'a> {
    rest: &'a str,
}

impl Iterator for Unescaped<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        let mut chars = self.rest.chars();
        let first = chars.next()?;
        if first != '\\' {
            self.rest = chars.as_str();
            return Some(first);
        }
        let decoded = match chars.next() {
            Some('b') => '\u{8}',
            Some('f') => '\u{c}',
            Some('n') => '\n',
            Some('r') => '\r',
            Some('t') => '\t',
            Some('u') => {
                let after = chars.as_str();
                let (code, used) = match hex4(after.as_bytes()) {
                    Some(high @ 0xD800..=0xDBFF) => match after.as_bytes().get(4..6) {
                        Some(b"\\u") => match after.get(6..).and_then(|low| hex4(low.as_bytes())) {
                            Some(low @ 0xDC00..=0xDFFF) => {
                                (0x1_0000 + ((high - 0xD800) << 10) + (low - 0xDC00), 10)
                            }
                            _ => (0xFFFD, 4),
                        },
                        _ => (0xFFFD, 4),
                    },
                    Some(code) => (code, 4),
                    None => (0xFFFD, 0),
                };
                self.rest = after.get(used..).unwrap_or_default();
                return Some(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            // `"`, `\` and `/` stand for themselves.
            Some(other) => other,
            None => char::REPLACEMENT_CHARACTER,
        };
        self.rest = chars.as_str();
        Some(decoded)
    }
}

/// The value of four hex digits at the start of `bytes`.
fn hex4(bytes: &[u8]) -> Option<u32> {
    bytes.get(..4)?.iter().try_fold(0u32, |code, &digit| {
        Some(code * 16 + char::from(digit).to_digit(16)?)
    })
}

/// An object being read: pass it to [`Scanner::next_key`] or [`Scanner::next_any_key`] until
/// that returns `None`.
#[derive(Debug)]
pub struct Object {
    first: bool,
    /// Index of this object's first key in the scanner's key stack.
    keys_start: usize,
    /// One bit per key seen in this object, chosen by [`filter_bit`]: a key whose bit is clear
    /// is new without comparing it to the others.
    filter: u64,
}

/// An array being read: pass it to [`Scanner::next_element`] until that returns `false`.
#[derive(Debug)]
pub struct Array {
    first: bool,
}

/// A number literal that reads exactly (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberLiteral<'a> {
    /// The literal as written.
    pub text: &'a str,
    /// Whether it has neither fraction nor exponent.
    pub is_integer: bool,
    /// With the digits read as one integer `d`, the value is `±d × 10^exponent`.
    n_digits: usize,
    exponent: i64,
    negative: bool,
}

/// Powers of ten that are exact in `f64`.
const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

impl NumberLiteral<'_> {
    /// The value, correctly rounded (as `serde_json` with `float_roundtrip` reads it).
    #[must_use]
    #[inline]
    pub fn to_f64(self) -> f64 {
        // Clinger's fast path: at most 15 digits (below 2^53) and a power of ten that is exact
        // make one correctly rounded multiplication or division. Coordinates and camera
        // numbers are almost always such literals.
        if self.n_digits <= 15 {
            let power = usize::try_from(self.exponent.unsigned_abs())
                .ok()
                .and_then(|idx| EXACT_POWERS_OF_TEN.get(idx));
            if let Some(&power) = power {
                let digits = self
                    .text
                    .bytes()
                    .take_while(|byte| !matches!(byte, b'e' | b'E'))
                    .filter(u8::is_ascii_digit)
                    .fold(0u64, |value, digit| value * 10 + u64::from(digit - b'0'));
                #[allow(clippy::cast_precision_loss)] // below 10^15 < 2^53: exact
                let digits = digits as f64;
                let value = if self.exponent < 0 {
                    digits / power
                } else {
                    digits * power
                };
                return if self.negative { -value } else { value };
            }
        }
        // The literal is valid JSON, which `f64::from_str` accepts; NaN never happens.
        self.text.parse().unwrap_or(f64::NAN)
    }

    /// The value as an unsigned integer, when it is a non-negative integer literal.
    #[must_use]
    #[inline]
    pub fn to_u64(self) -> Option<u64> {
        match (self.is_integer, self.negative) {
            // 19 digits always fit (below 10^19 < 2^64).
            (true, false) if self.n_digits <= 19 => Some(
                self.text
                    .bytes()
                    .filter(u8::is_ascii_digit)
                    .fold(0, |value, digit| value * 10 + u64::from(digit - b'0')),
            ),
            (true, false) => self.text.parse().ok(),
            _ => None,
        }
    }
}

/// A strict, allocation-free pull scanner over one JSON text; see the module docs.
pub struct Scanner<'a> {
    text: &'a str,
    pos: usize,
    depth: usize,
    /// The keys of the objects open around the current value.
    keys: Vec<Key<'a>>,
}

impl<'a> Scanner<'a> {
    /// A scanner at the start of `text`.
    #[must_use]
    #[inline]
    pub fn new(text: &'a str) -> Scanner<'a> {
        Scanner {
            text,
            pos: 0,
            depth: 0,
            // Room for a typical item's keys (top level, metadata, camera) in one allocation.
            keys: Vec::with_capacity(64),
        }
    }

    /// The byte offset of the next unread byte.
    #[must_use]
    #[inline]
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The byte offset in the text of `part`, a slice this scanner returned (a key or a plain
    /// string); `None` for any other string.
    #[must_use]
    pub fn offset_of(&self, part: &str) -> Option<usize> {
        let offset = (part.as_ptr() as usize).checked_sub(self.text.as_ptr() as usize)?;
        (offset + part.len() <= self.text.len()).then_some(offset)
    }

    /// The text between byte offset `start` and the current position.
    #[must_use]
    #[inline]
    pub fn since(&self, start: usize) -> &'a str {
        self.text.get(start..self.pos).unwrap_or_default()
    }

    #[inline]
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    #[inline]
    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes().get(self.pos) {
            self.pos += 1;
        }
    }

    #[inline]
    fn expect(&mut self, byte: u8) -> Scan<()> {
        self.skip_whitespace();
        if self.bytes().get(self.pos) == Some(&byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(Unsure)
        }
    }

    /// What the next value is (after whitespace), without consuming it.
    ///
    /// # Errors
    /// [`Unsure`] at the end of the text or before a byte that starts no value.
    #[inline]
    pub fn peek(&mut self) -> Scan<Token> {
        self.skip_whitespace();
        match self.bytes().get(self.pos) {
            Some(b'n') => Ok(Token::Null),
            Some(b't' | b'f') => Ok(Token::Bool),
            Some(b'-' | b'0'..=b'9') => Ok(Token::Number),
            Some(b'"') => Ok(Token::String),
            Some(b'[') => Ok(Token::Array),
            Some(b'{') => Ok(Token::Object),
            _ => Err(Unsure),
        }
    }

    /// Checks that only whitespace is left.
    ///
    /// # Errors
    /// [`Unsure`] when anything else follows.
    #[inline]
    pub fn end(&mut self) -> Scan<()> {
        self.skip_whitespace();
        if self.pos == self.text.len() {
            Ok(())
        } else {
            Err(Unsure)
        }
    }

    fn enter(&mut self) -> Scan<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            Err(Unsure)
        } else {
            Ok(())
        }
    }

    /// Consumes `{`.
    ///
    /// # Errors
    /// [`Unsure`] when the next value is not an object, or nesting is too deep.
    #[inline]
    pub fn begin_object(&mut self) -> Scan<Object> {
        self.expect(b'{')?;
        self.enter()?;
        Ok(Object {
            first: true,
            keys_start: self.keys.len(),
            filter: 0,
        })
    }

    /// The next key of `object` (its `:` consumed), or `None` after its closing `}`, when it is
    /// written without escapes; [`Scanner::next_any_key`] takes any key.
    ///
    /// # Errors
    /// [`Unsure`] on a syntax error, a key with an escape, a key seen before in this object, or
    /// too many keys open.
    #[inline]
    pub fn next_key(&mut self, object: &mut Object) -> Scan<Option<&'a str>> {
        match self.next_any_key(object)? {
            Some(key) => key.plain().map(Some).ok_or(Unsure),
            None => Ok(None),
        }
    }

    /// The next key of `object` (its `:` consumed), or `None` after its closing `}`.
    ///
    /// # Errors
    /// [`Unsure`] on a syntax error, an invalid or lone surrogate escape in the key, a key seen
    /// before in this object (compared decoded), or too many keys open.
    #[inline]
    pub fn next_any_key(&mut self, object: &mut Object) -> Scan<Option<Key<'a>>> {
        self.skip_whitespace();
        match (self.bytes().get(self.pos), object.first) {
            (Some(b'}'), _) => {
                self.pos += 1;
                self.depth -= 1;
                self.keys.truncate(object.keys_start);
                return Ok(None);
            }
            (Some(b'"'), true) => {}
            (Some(b','), false) => self.pos += 1,
            _ => return Err(Unsure),
        }
        object.first = false;
        let (raw, escaped) = self.string_body()?;
        let key = Key { raw, escaped };
        let bit = key.filter_bit();
        let open = self.keys.get(object.keys_start..).unwrap_or_default();
        if open.len() >= MAX_KEYS
            || (object.filter & bit != 0 && open.iter().any(|other| other.same(key)))
        {
            return Err(Unsure);
        }
        object.filter |= bit;
        self.keys.push(key);
        self.expect(b':')?;
        Ok(Some(key))
    }

    /// Consumes `[`.
    ///
    /// # Errors
    /// [`Unsure`] when the next value is not an array, or nesting is too deep.
    #[inline]
    pub fn begin_array(&mut self) -> Scan<Array> {
        self.expect(b'[')?;
        self.enter()?;
        Ok(Array { first: true })
    }

    /// Whether `array` has another element (positioned before it), `false` after its `]`.
    ///
    /// # Errors
    /// [`Unsure`] on a syntax error.
    #[inline]
    pub fn next_element(&mut self, array: &mut Array) -> Scan<bool> {
        self.skip_whitespace();
        match (self.bytes().get(self.pos), array.first) {
            (Some(b']'), _) => {
                self.pos += 1;
                self.depth -= 1;
                Ok(false)
            }
            (Some(b','), false) => {
                self.pos += 1;
                Ok(true)
            }
            (Some(_), true) => {
                array.first = false;
                Ok(true)
            }
            _ => Err(Unsure),
        }
    }

    /// A string without escapes, returned without its quotes.
    ///
    /// # Errors
    /// [`Unsure`] when the next value is not a string, has an escape or a control character.
    #[inline]
    pub fn plain_string(&mut self) -> Scan<&'a str> {
        self.expect(b'"')?;
        let start = self.pos;
        let end = self.find_string_special(start);
        match self.bytes().get(end) {
            Some(b'"') => {
                self.pos = end + 1;
                self.text.get(start..end).ok_or(Unsure)
            }
            _ => Err(Unsure),
        }
    }

    /// A string, escapes allowed (and validated); returns the text between the quotes as
    /// written ([`unescape`] decodes it).
    ///
    /// # Errors
    /// [`Unsure`] when the next value is not a valid string, or has a lone surrogate escape.
    #[inline]
    pub fn string(&mut self) -> Scan<&'a str> {
        self.string_body().map(|(raw, _)| raw)
    }

    /// A string as [`Scanner::string`] reads it, and whether it has an escape.
    #[inline(always)]
    fn string_body(&mut self) -> Scan<(&'a str, bool)> {
        self.expect(b'"')?;
        let start = self.pos;
        // Most strings and nearly all keys have no escape: one search finds their end.
        let end = self.find_string_special(start);
        if self.bytes().get(end) == Some(&b'"') {
            self.pos = end + 1;
            return Ok((self.text.get(start..end).ok_or(Unsure)?, false));
        }
        self.escaped_string_body(start, end)
    }

    /// [`Scanner::string_body`] from the first special byte at `pos` on.
    #[cold]
    fn escaped_string_body(&mut self, start: usize, mut pos: usize) -> Scan<(&'a str, bool)> {
        loop {
            match self.bytes().get(pos) {
                Some(b'"') => break,
                Some(b'\\') => pos = self.escape(pos + 1)?,
                _ => return Err(Unsure),
            }
            pos = self.find_string_special(pos);
        }
        self.pos = pos + 1;
        Ok((self.text.get(start..pos).ok_or(Unsure)?, true))
    }

    /// After a backslash at `pos - 1`: the position after a valid escape, a surrogate escape
    /// only as a high-low pair (as serde_json reads a `String`: a lone one is an error).
    fn escape(&self, pos: usize) -> Scan<usize> {
        let bytes = self.bytes();
        match bytes.get(pos) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(pos + 1),
            Some(b'u') => {
                let code = hex4(bytes.get(pos + 1..).unwrap_or_default()).ok_or(Unsure)?;
                match code {
                    0xD800..=0xDBFF => {
                        let low = match bytes.get(pos + 5..pos + 7) {
                            Some(b"\\u") => hex4(bytes.get(pos + 7..).unwrap_or_default()),
                            _ => None,
                        };
                        match low {
                            Some(0xDC00..=0xDFFF) => Ok(pos + 11),
                            _ => Err(Unsure),
                        }
                    }
                    0xDC00..=0xDFFF => Err(Unsure),
                    _ => Ok(pos + 5),
                }
            }
            _ => Err(Unsure),
        }
    }

    /// The first position at or after `pos` holding `"`, `\` or a control character (or the
    /// text's length). Eight bytes at a time: a string is most of an item's bytes.
    fn find_string_special(&self, mut pos: usize) -> usize {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGHS: u64 = 0x8080_8080_8080_8080;
        let bytes = self.bytes();
        while pos + 8 <= bytes.len() {
            let word = word_at(bytes, pos);
            // Classic "has zero byte" tricks: the lowest flagged byte is always exact.
            let quote = word ^ (ONES * u64::from(b'"'));
            let backslash = word ^ (ONES * u64::from(b'\\'));
            let flags = (quote.wrapping_sub(ONES) & !quote)
                | (backslash.wrapping_sub(ONES) & !backslash)
                | (word.wrapping_sub(ONES * 0x20) & !word);
            let flags = flags & HIGHS;
            if flags != 0 {
                return pos + (flags.trailing_zeros() / 8) as usize;
            }
            pos += 8;
        }
        while let Some(&byte) = bytes.get(pos) {
            if byte == b'"' || byte == b'\\' || byte < 0x20 {
                return pos;
            }
            pos += 1;
        }
        pos
    }

    /// A number literal that reads exactly (see the module docs).
    ///
    /// # Errors
    /// [`Unsure`] when the next value is not a number, or is one the scanner leaves to the full
    /// parser.
    #[inline]
    pub fn number(&mut self) -> Scan<NumberLiteral<'a>> {
        self.skip_whitespace();
        let bytes = self.bytes();
        let start = self.pos;
        let negative = bytes.get(start) == Some(&b'-');
        let int_start = start + usize::from(negative);
        let mut pos = match bytes.get(int_start) {
            Some(b'0') => int_start + 1,
            Some(b'1'..=b'9') => digit_run(bytes, int_start + 1),
            _ => return Err(Unsure),
        };
        let int_digits = pos - int_start;
        let mut frac_digits = 0;
        if bytes.get(pos) == Some(&b'.') {
            let end = digit_run(bytes, pos + 1);
            frac_digits = end - (pos + 1);
            if frac_digits == 0 {
                return Err(Unsure);
            }
            pos = end;
        }
        let mut exponent = 0i64;
        let mut has_exponent = false;
        if let Some(b'e' | b'E') = bytes.get(pos) {
            has_exponent = true;
            pos += 1;
            let sign = match bytes.get(pos) {
                Some(b'-') => -1,
                _ => 1,
            };
            if let Some(b'+' | b'-') = bytes.get(pos) {
                pos += 1;
            }
            let end = digit_run(bytes, pos);
            // At most three digits, at most 250: finite, and never a non-zero that reads as 0.
            if end == pos || end - pos > 3 {
                return Err(Unsure);
            }
            let written = bytes
                .get(pos..end)
                .unwrap_or_default()
                .iter()
                .fold(0i64, |value, digit| value * 10 + i64::from(digit - b'0'));
            if written > 250 {
                return Err(Unsure);
            }
            exponent = sign * written;
            pos = end;
        }
        let text = self.text.get(start..pos).ok_or(Unsure)?;
        let is_integer = frac_digits == 0 && !has_exponent;
        let digits = int_digits + frac_digits;
        let safe = if is_integer {
            // 19 and 20 digits (nanosecond timestamps, ids) are common: those that fit
            // `i64` or `u64` read exactly.
            digits <= 18
                || (digits <= 20 && (text.parse::<i64>().is_ok() || text.parse::<u64>().is_ok()))
        } else {
            digits <= 40
        };
        // A number runs into the next structural byte or whitespace, nothing else (`1x`, `01`).
        let next_ok = matches!(
            bytes.get(pos),
            None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
        );
        if !safe || !next_ok {
            return Err(Unsure);
        }
        self.pos = pos;
        Ok(NumberLiteral {
            text,
            is_integer,
            n_digits: digits,
            exponent: exponent - frac_digits as i64,
            // The integer `-0` is the integer 0 (as the full parser reads it); `-0.0` stays
            // the float -0.0.
            negative: negative && text != "-0",
        })
    }

    fn keyword(&mut self, word: &str) -> Scan<()> {
        self.skip_whitespace();
        let end = self.pos + word.len();
        if self.text.get(self.pos..end) == Some(word) {
            self.pos = end;
            Ok(())
        } else {
            Err(Unsure)
        }
    }

    /// Consumes `null`.
    ///
    /// # Errors
    /// [`Unsure`] when the next value is not `null`.
    #[inline]
    pub fn null(&mut self) -> Scan<()> {
        self.keyword("null")
    }

    /// Consumes the next value when it is `null`: whether it was (many fields read `null` as
    /// absent).
    ///
    /// # Errors
    /// [`Unsure`] at the end of the text or before a byte that starts no value.
    #[inline]
    pub fn take_null(&mut self) -> Scan<bool> {
        if self.peek()? == Token::Null {
            self.null()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// Consumes and validates the next value, whatever it is (nested keys checked for
    /// duplicates too), and says what it was.
    ///
    /// # Errors
    /// [`Unsure`] as for the other methods, anywhere inside the value.
    #[inline]
    pub fn skip(&mut self) -> Scan<Token> {
        let token = self.peek()?;
        match token {
            Token::Null => self.keyword("null")?,
            Token::Bool => {
                if self.bytes().get(self.pos) == Some(&b't') {
                    self.keyword("true")?;
                } else {
                    self.keyword("false")?;
                }
            }
            Token::Number => {
                self.number()?;
            }
            Token::String => {
                self.string()?;
            }
            Token::Array => {
                let mut array = self.begin_array()?;
                while self.next_element(&mut array)? {
                    self.skip()?;
                }
            }
            Token::Object => {
                let mut object = self.begin_object()?;
                while self.next_any_key(&mut object)?.is_some() {
                    self.skip()?;
                }
            }
        }
        Ok(token)
    }
}

/// The first position at or after `pos` that is not an ASCII digit (or the length), eight
/// bytes at a time.
fn digit_run(bytes: &[u8], mut pos: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    while pos + 8 <= bytes.len() {
        let word = word_at(bytes, pos);
        // A byte's high bit ends up set when it is below '0' (the subtraction wraps), above '9'
        // (the addition reaches 0x80) or not ASCII. Borrows and carries only move up from a
        // flagged byte, so the lowest flag is exact.
        let flags =
            (word.wrapping_sub(ONES * 0x30) | word.wrapping_add(ONES * 0x46) | word) & HIGHS;
        if flags != 0 {
            return pos + (flags.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    while bytes.get(pos).is_some_and(u8::is_ascii_digit) {
        pos += 1;
    }
    pos
}

/// The bit of a key in an object's 64-bit key filter: from the length and the first and last
/// bytes of the decoded key, which tell apart most keys of one object (`frame_number`,
/// `frame_id`, `lat`, `lon`).
fn filter_bit(len: usize, first: Option<u8>, last: Option<u8>) -> u64 {
    let first = first.unwrap_or(0);
    let last = last.unwrap_or(0);
    let mixed = (len as u32)
        .wrapping_mul(31)
        .wrapping_add(u32::from(first).wrapping_mul(7))
        .wrapping_add(u32::from(last));
    1 << (mixed % 64)
}

/// The eight bytes at `pos` as a little-endian word (0 past the end).
fn word_at(bytes: &[u8], pos: usize) -> u64 {
    bytes
        .get(pos..pos + 8)
        .and_then(|word| <[u8; 8]>::try_from(word).ok())
        .map_or(0, u64::from_le_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skips(text: &str) -> Scan<Token> {
        let mut scanner = Scanner::new(text);
        let token = scanner.skip()?;
        scanner.end()?;
        Ok(token)
    }

    #[test]
    fn accepts_plain_json_of_every_kind() {
        assert_eq!(skips("null"), Ok(Token::Null));
        assert_eq!(skips(" true "), Ok(Token::Bool));
        assert_eq!(skips("false"), Ok(Token::Bool));
        assert_eq!(skips("-12.5e3"), Ok(Token::Number));
        assert_eq!(skips(r#""a\"\\\/\b\f\n\r\t\u00e9 é""#), Ok(Token::String));
        assert_eq!(skips("[1, [], {}, \"x\"]"), Ok(Token::Array));
        assert_eq!(
            skips(r#"{"a": {"a": 1, "b": [{"a": null}]}, "b": 2}"#),
            Ok(Token::Object)
        );
    }

    #[test]
    fn is_unsure_about_what_the_full_parser_must_judge() {
        for text in [
            "",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "[,1]",
            "{,\"a\":1}",
            "{\"a\" 1}",
            "{\"a\":1 \"b\":2}",
            "[1 2]",
            "01",
            "1.",
            "1e",
            "-",
            "1x",
            "nul",
            "truex",
            "18446744073709551616",
            "-9223372036854775809",
            "1e251",
            "1e-400",
            // Lone surrogates, which the full parser rejects in any string or key.
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud800\\u0041\"",
            "\"\\ud800\\ud800\\udc00\"",
            "\"\\ud800\\n\"",
            "\"\\udc00\\ud800\"",
            "{\"\\ud800\":1}",
            "\"\\x\"",
            "\"\\u12\"",
            "\"tab\there\"",
            "{\"a\":1,\"a\":2}",
            "{\"a\\u0062\":1,\"ab\":2}",
            "{\"a\":1,\"\\u0061\":2}",
            "{\"\\u00e9\":1,\"é\":2}",
            "{\"\\ud83d\\ude00\":1,\"😀\":2}",
            "{\"\\/\":1,\"/\":2}",
            "{} {}",
            "NaN",
        ] {
            assert_eq!(skips(text), Err(Unsure), "{text:?}");
        }
    }

    #[test]
    fn values_and_keys_are_found_in_the_text() {
        let text = r#"{"a": [1, {"b": "x"}], "c": -2.5e3 }"#;
        let mut scanner = Scanner::new(text);
        let mut object = scanner.begin_object().unwrap();
        let key = scanner.next_key(&mut object).unwrap().unwrap();
        assert_eq!((key, scanner.offset_of(key)), ("a", Some(2)));
        scanner.peek().unwrap();
        let start = scanner.position();
        assert_eq!(scanner.skip(), Ok(Token::Array));
        assert_eq!(scanner.since(start), r#"[1, {"b": "x"}]"#);
        assert_eq!(scanner.next_key(&mut object), Ok(Some("c")));
        assert_eq!(scanner.number().map(|n| n.to_f64()), Ok(-2500.0));
        assert_eq!(scanner.next_key(&mut object), Ok(None));
        assert_eq!(scanner.end(), Ok(()));
        let mut nothing = Scanner::new(" null , 1");
        assert_eq!(nothing.take_null(), Ok(true));
        assert_eq!(nothing.position(), 5);
        let mut something = Scanner::new("1");
        assert_eq!(something.take_null(), Ok(false));
        assert_eq!(something.number().map(|n| n.is_integer), Ok(true));
        let elsewhere = String::from("a");
        assert_eq!(
            scanner.offset_of(&elsewhere),
            None,
            "not a slice of the text"
        );
    }

    #[test]
    fn escaped_keys_and_surrogate_pairs_read_decoded() {
        assert_eq!(skips(r#""\ud83d\ude00 \uD83D\uDE00""#), Ok(Token::String));
        assert_eq!(skips("-0"), Ok(Token::Number));
        let text = r#"{"l\u0061t": 1, "\u8a66\u9a13": {"\ud83d\ude00\n": 2}, "\u0000": 3}"#;
        assert_eq!(skips(text), Ok(Token::Object));
        let mut scanner = Scanner::new(text);
        let mut object = scanner.begin_object().unwrap();
        let key = scanner.next_any_key(&mut object).unwrap().unwrap();
        assert!(key.is("lat") && !key.is("la") && !key.is("latx"));
        assert_eq!((key.plain(), key.raw()), (None, r"l\u0061t"));
        assert_eq!(key.to_str(), "lat");
        scanner.skip().unwrap();
        let key = scanner.next_any_key(&mut object).unwrap().unwrap();
        assert_eq!(key.to_str(), "試験");
        let mut inner = scanner.begin_object().unwrap();
        let key = scanner.next_any_key(&mut inner).unwrap().unwrap();
        assert_eq!(key.to_str(), "😀\n");
        // `next_key` takes plain keys only.
        let mut plain = Scanner::new(r#"{"a": 1, "\u0062": 2}"#);
        let mut object = plain.begin_object().unwrap();
        assert_eq!(plain.next_key(&mut object), Ok(Some("a")));
        plain.skip().unwrap();
        assert_eq!(plain.next_key(&mut object), Err(Unsure));
        assert_eq!(
            unescape(r#"a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"#),
            "a\"\\/\u{8}\u{c}\n\r\té😀"
        );
        assert!(matches!(unescape("plain"), Cow::Borrowed("plain")));
        let mut zero = Scanner::new("-0");
        let zero = zero.number().unwrap();
        assert_eq!(
            (zero.to_f64().to_bits(), zero.to_u64()),
            (0.0f64.to_bits(), Some(0))
        );
        let mut float_zero = Scanner::new("-0.0");
        assert!(float_zero.number().unwrap().to_f64().is_sign_negative());
    }

    #[test]
    fn a_key_may_repeat_in_another_object() {
        assert_eq!(
            skips(r#"{"a": {"b": 1}, "b": {"a": 1, "b": 2}, "c": [{"a": 1}, {"a": 2}]}"#),
            Ok(Token::Object)
        );
    }

    #[test]
    fn depth_and_key_limits_are_unsure() {
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert_eq!(skips(&deep), Err(Unsure));
        let fits = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(skips(&fits), Ok(Token::Array));
        let keys: Vec<String> = (0..=MAX_KEYS).map(|i| format!("\"k{i}\":{i}")).collect();
        assert_eq!(skips(&format!("{{{}}}", keys.join(","))), Err(Unsure));
    }

    #[test]
    fn numbers_read_exactly() {
        let mut scanner = Scanner::new("0.1");
        let literal = scanner.number().unwrap();
        assert_eq!(literal.to_f64(), 0.1);
        assert_eq!(literal.to_u64(), None);
        let mut scanner = Scanner::new("1920");
        assert_eq!(scanner.number().unwrap().to_u64(), Some(1920));
        for fits in [
            "18446744073709551615",
            "-9223372036854775808",
            "1723450402600521014",
        ] {
            assert!(Scanner::new(fits).number().is_ok(), "{fits}");
        }
    }

    #[test]
    fn finds_string_specials_across_word_boundaries() {
        for len in 0..24 {
            let text = format!("\"{}\"", "é".repeat(len / 2) + &"a".repeat(len % 2));
            let mut scanner = Scanner::new(&text);
            assert!(scanner.plain_string().is_ok(), "{text}");
            for special in ["\\n", "\u{1}"] {
                let text = format!("\"{}{special}\"", "a".repeat(len));
                let mut scanner = Scanner::new(&text);
                assert_eq!(scanner.plain_string(), Err(Unsure), "{text:?}");
            }
        }
    }
}
