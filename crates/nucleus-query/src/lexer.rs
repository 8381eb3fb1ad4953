//! Turns query text into tokens, one at a time, so that an error is reported at the first bad
//! place in reading order.

use std::str::FromStr;

use super::{CmpOp, ParseError};
use nucleus_model::number::Num;

/// One token with its place in the source.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub(crate) kind: TokenKind,
    /// Byte offset of the first byte.
    pub(crate) offset: usize,
    /// Byte offset one past the last byte.
    pub(crate) end: usize,
    /// 1-based column (in characters) of the first character.
    pub(crate) column: usize,
    /// Width in characters (0 for the end of input).
    pub(crate) width: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TokenKind {
    LeftParen,
    RightParen,
    Percent,
    Op(CmpOp),
    And,
    Or,
    Not,
    /// `metadata.<key>`, with the key unquoted and unescaped.
    Field(String),
    /// A string literal, unescaped.
    Str(String),
    /// A number literal.
    Num(Num),
    /// A word that is not a keyword (`true`, `foo`): the parser says what it expected instead.
    Word,
    /// A character that starts no token: the parser says what it expected instead.
    Unknown,
    End,
}

/// Characters that end a bare key (besides whitespace and control characters): the operator
/// characters, parentheses and the quote.
pub(crate) const KEY_STOP_CHARS: &[char] = &['=', '!', '<', '>', '%', '(', ')', '"'];

/// Whether `c` may appear in a bare (unquoted) key.
pub(crate) fn is_bare_key_char(c: char) -> bool {
    !c.is_whitespace() && !c.is_control() && !KEY_STOP_CHARS.contains(&c)
}

/// The longest text of a token quoted in an error message before it is cut.
const MAX_FOUND_CHARS: usize = 40;

/// Describes source text for the "found" part of an error message.
pub(crate) fn describe_found(text: &str) -> String {
    if text.is_empty() {
        return "end of input".to_owned();
    }
    let mut chars = text.chars();
    let shown: String = chars.by_ref().take(MAX_FOUND_CHARS).collect();
    if chars.next().is_some() {
        format!("'{shown}...'")
    } else {
        format!("'{shown}'")
    }
}

pub(crate) struct Lexer<'s> {
    source: &'s str,
    /// Byte offset of the next character.
    offset: usize,
    /// 1-based column of the next character.
    column: usize,
}

impl<'s> Lexer<'s> {
    pub(crate) fn new(source: &'s str) -> Self {
        Lexer {
            source,
            offset: 0,
            column: 1,
        }
    }

    /// A lexer that starts at byte `offset` of `source` (columns still count from the start).
    pub(crate) fn starting_at(source: &'s str, offset: usize) -> Self {
        let column = source
            .get(..offset)
            .map_or(1, |before| before.chars().count() + 1);
        Lexer {
            source,
            offset,
            column,
        }
    }

    pub(crate) fn source(&self) -> &'s str {
        self.source
    }

    fn rest(&self) -> &'s str {
        self.source.get(self.offset..).unwrap_or("")
    }

    fn peek_char(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn peek_second_char(&self) -> Option<char> {
        self.rest().chars().nth(1)
    }

    fn bump_char(&mut self) -> Option<char> {
        let c = self.peek_char()?;
        self.offset += c.len_utf8();
        self.column += 1;
        Some(c)
    }

    fn bump_while(&mut self, keep: impl Fn(char) -> bool) {
        while self.peek_char().is_some_and(&keep) {
            self.bump_char();
        }
    }

    /// An error pointing at the next character (or the end of input).
    fn error_here(&self, expected: impl Into<String>) -> ParseError {
        let found = self
            .peek_char()
            .map(|c| describe_found(c.encode_utf8(&mut [0; 4])))
            .unwrap_or_else(|| describe_found(""));
        let width = usize::from(self.peek_char().is_some());
        ParseError::new(self.offset, self.column, width, expected.into(), found)
    }

    /// An error covering `offset..self.offset`, which starts at `column`.
    fn error_since(&self, offset: usize, column: usize, expected: impl Into<String>) -> ParseError {
        let text = self.source.get(offset..self.offset).unwrap_or("");
        let width = self.column.saturating_sub(column).max(1);
        ParseError::new(offset, column, width, expected.into(), describe_found(text))
    }

    /// The next token; `TokenKind::End` at (and after) the end of input.
    pub(crate) fn next_token(&mut self) -> Result<Token, ParseError> {
        self.bump_while(char::is_whitespace);
        let offset = self.offset;
        let column = self.column;
        let kind = match self.peek_char() {
            None => TokenKind::End,
            Some('(') => self.single(TokenKind::LeftParen),
            Some(')') => self.single(TokenKind::RightParen),
            Some('%') => self.single(TokenKind::Percent),
            Some('=') => self.single(TokenKind::Op(CmpOp::Eq)),
            Some('!') => {
                self.bump_char();
                if self.peek_char() == Some('=') {
                    self.single(TokenKind::Op(CmpOp::Ne))
                } else {
                    return Err(self.error_here("'=' after '!'"));
                }
            }
            Some('<') => self.one_or_two('=', CmpOp::Lt, CmpOp::Le),
            Some('>') => self.one_or_two('=', CmpOp::Gt, CmpOp::Ge),
            Some('"') => TokenKind::Str(self.string()?),
            Some(c) if c == '-' || c.is_ascii_digit() => TokenKind::Num(self.number()?),
            Some(c) if is_word_char(c) => self.word()?,
            Some(_) => self.single(TokenKind::Unknown),
        };
        Ok(Token {
            kind,
            offset,
            end: self.offset,
            column,
            width: self.column - column,
        })
    }

    fn single(&mut self, kind: TokenKind) -> TokenKind {
        self.bump_char();
        kind
    }

    fn one_or_two(&mut self, second: char, one: CmpOp, two: CmpOp) -> TokenKind {
        self.bump_char();
        if self.peek_char() == Some(second) {
            self.bump_char();
            TokenKind::Op(two)
        } else {
            TokenKind::Op(one)
        }
    }

    /// A keyword, `metadata.<key>`, or an unknown word.
    fn word(&mut self) -> Result<TokenKind, ParseError> {
        let offset = self.offset;
        self.bump_while(is_word_char);
        let word = self.source.get(offset..self.offset).unwrap_or("");
        if word.eq_ignore_ascii_case("metadata") {
            if self.peek_char() != Some('.') {
                return Err(self.error_here("'.' and a key after 'metadata'"));
            }
            self.bump_char();
            return Ok(TokenKind::Field(self.key()?));
        }
        Ok(if word.eq_ignore_ascii_case("and") {
            TokenKind::And
        } else if word.eq_ignore_ascii_case("or") {
            TokenKind::Or
        } else if word.eq_ignore_ascii_case("not") {
            TokenKind::Not
        } else {
            TokenKind::Word
        })
    }

    /// The key after `metadata.`: a quoted JSON string, or a run of bare key characters.
    pub(crate) fn key(&mut self) -> Result<String, ParseError> {
        if self.peek_char() == Some('"') {
            return self.string();
        }
        let offset = self.offset;
        self.bump_while(is_bare_key_char);
        match self.source.get(offset..self.offset) {
            Some(key) if !key.is_empty() => Ok(key.to_owned()),
            _ => Err(self.error_here("a key after 'metadata.'")),
        }
    }

    /// A JSON string literal, starting at the opening quote.
    fn string(&mut self) -> Result<String, ParseError> {
        let offset = self.offset;
        let column = self.column;
        self.bump_char();
        let mut value = String::new();
        loop {
            let Some(c) = self.peek_char() else {
                let mut error = self.error_here("a closing '\"' for the string");
                // Point at the opening quote: that is where the reader has to look.
                error.offset = offset;
                error.column = column;
                error.width = 1;
                return Err(error);
            };
            match c {
                '"' => {
                    self.bump_char();
                    return Ok(value);
                }
                '\\' => value.push(self.escape()?),
                c if u32::from(c) < 0x20 => {
                    let mut error =
                        self.error_here("an escape such as \\n for a control character");
                    error.found = format!("U+{:04X}", u32::from(c));
                    return Err(error);
                }
                c => {
                    self.bump_char();
                    value.push(c);
                }
            }
        }
    }

    /// One JSON escape, starting at the backslash.
    fn escape(&mut self) -> Result<char, ParseError> {
        let offset = self.offset;
        let column = self.column;
        self.bump_char();
        let simple = match self.peek_char() {
            Some('"') => Some('"'),
            Some('\\') => Some('\\'),
            Some('/') => Some('/'),
            Some('b') => Some('\u{8}'),
            Some('f') => Some('\u{c}'),
            Some('n') => Some('\n'),
            Some('r') => Some('\r'),
            Some('t') => Some('\t'),
            _ => None,
        };
        if let Some(c) = simple {
            self.bump_char();
            return Ok(c);
        }
        if self.peek_char() != Some('u') {
            self.bump_char();
            return Err(self.error_since(
                offset,
                column,
                "an escape: \\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX",
            ));
        }
        self.bump_char();
        let first = self.hex4(offset, column)?;
        if (0xDC00..0xE000).contains(&first) {
            return Err(self.error_since(
                offset,
                column,
                "a \\u escape that is not a lone low surrogate",
            ));
        }
        if !(0xD800..0xDC00).contains(&first) {
            return char::from_u32(first)
                .ok_or_else(|| self.error_since(offset, column, "a \\u escape of a character"));
        }
        // A high surrogate: JSON spells characters beyond U+FFFF as a pair of escapes.
        if self.peek_char() != Some('\\') || self.peek_second_char() != Some('u') {
            return Err(self.error_since(
                offset,
                column,
                "a high surrogate escape followed by a \\uDC00-\\uDFFF low surrogate",
            ));
        }
        self.bump_char();
        self.bump_char();
        let second = self.hex4(offset, column)?;
        if !(0xDC00..0xE000).contains(&second) {
            return Err(self.error_since(
                offset,
                column,
                "a high surrogate escape followed by a \\uDC00-\\uDFFF low surrogate",
            ));
        }
        let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
        char::from_u32(code)
            .ok_or_else(|| self.error_since(offset, column, "a \\u escape of a character"))
    }

    /// Four hex digits of a `\u` escape that started at `offset`/`column`.
    fn hex4(&mut self, offset: usize, column: usize) -> Result<u32, ParseError> {
        let mut code = 0;
        for _ in 0..4 {
            let Some(digit) = self.peek_char().and_then(|c| c.to_digit(16)) else {
                if self.peek_char().is_some_and(|c| c != '"') {
                    self.bump_char();
                }
                return Err(self.error_since(offset, column, "four hex digits after \\u"));
            };
            self.bump_char();
            code = code * 16 + digit;
        }
        Ok(code)
    }

    /// A JSON number literal. The run of number-like characters is taken whole so that `1.`,
    /// `01` or `1x` are reported as one bad literal rather than as two odd tokens.
    fn number(&mut self) -> Result<Num, ParseError> {
        let offset = self.offset;
        let column = self.column;
        self.bump_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-' | '_'));
        let text = self.source.get(offset..self.offset).unwrap_or("");
        let Some(is_integer) = json_number_shape(text) else {
            return Err(self.error_since(offset, column, "a number in JSON syntax"));
        };
        if is_integer {
            // Beyond i64/u64 an integer could only be kept as a rounded float: refuse it rather
            // than change its value silently.
            return match i128::from_str(text) {
                Ok(int) if int >= i128::from(i64::MIN) && int <= i128::from(u64::MAX) => {
                    Ok(Num::Int(int))
                }
                _ => Err(self.error_since(
                    offset,
                    column,
                    "an integer from -9223372036854775808 to 18446744073709551615 \
                     (write a float such as 1e20 for larger numbers)",
                )),
            };
        }
        // Parse floats as serde_json does, so a literal equals the value the same text has in
        // a metadata file.
        match serde_json::Number::from_str(text)
            .ok()
            .and_then(|number| number.as_f64())
        {
            Some(float) if float.is_finite() => Ok(Num::Float(float)),
            _ => Err(self.error_since(offset, column, "a finite number")),
        }
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Checks the JSON number grammar
/// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`; returns whether it is an integer
/// (no fraction, no exponent), or `None` if `text` is not a JSON number.
fn json_number_shape(text: &str) -> Option<bool> {
    let bytes = text.as_bytes();
    let mut index = 0;
    let at = |index: usize| bytes.get(index).copied();
    let digits = |mut index: usize| {
        let start = index;
        while at(index).is_some_and(|b| b.is_ascii_digit()) {
            index += 1;
        }
        (index > start).then_some(index)
    };
    if at(index) == Some(b'-') {
        index += 1;
    }
    match at(index) {
        Some(b'0') => index += 1,
        Some(b'1'..=b'9') => index = digits(index)?,
        _ => return None,
    }
    let mut is_integer = true;
    if at(index) == Some(b'.') {
        index = digits(index + 1)?;
        is_integer = false;
    }
    if matches!(at(index), Some(b'e' | b'E')) {
        index += 1;
        if matches!(at(index), Some(b'+' | b'-')) {
            index += 1;
        }
        index = digits(index)?;
        is_integer = false;
    }
    (index == bytes.len()).then_some(is_integer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_number_grammar() {
        for good in ["0", "-0", "12", "1.5", "-1.5e3", "1E+2", "1e-2", "0.0"] {
            assert!(json_number_shape(good).is_some(), "{good}");
        }
        for bad in [
            "", "-", "01", "1.", ".5", "1e", "1e+", "+1", "1x", "0x10", "1.2.3", "--1",
        ] {
            assert!(json_number_shape(bad).is_none(), "{bad}");
        }
        assert_eq!(json_number_shape("-12"), Some(true));
        assert_eq!(json_number_shape("1e2"), Some(false));
    }
}
