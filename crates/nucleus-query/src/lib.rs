//! The Nucleus query bar, run locally: parse a metadata query, evaluate it on items, check it
//! against the keys a dataset holds, and sort items by a numeric key. [`QueryRun`] does all of
//! it over a JSON Lines file, on all cores, for `nucleus query` and the Python `query` alike.
//!
//! ```
//! use nucleus_query::Query;
//!
//! let query = Query::parse(r#"metadata.weather = "rain" AND NOT metadata.frame % 10 != 0"#)?;
//! let item = serde_json::json!({ "weather": "rain", "frame": 120 });
//! let serde_json::Value::Object(metadata) = item else { return Ok(()) };
//! assert!(query.matches(&metadata));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Grammar
//!
//! ```text
//! query      := or
//! or         := and ( OR and )*
//! and        := not ( AND not )*
//! not        := NOT not | '(' or ')' | comparison
//! comparison := field op literal | field '%' integer op integer
//! field      := 'metadata.' key
//! key        := bare-key | string
//! op         := '=' | '!=' | '<' | '<=' | '>' | '>='
//! literal    := string | number
//! ```
//!
//! - `NOT` binds tightest, then `AND`, then `OR`, as in SQL. `AND`, `OR`, `NOT` and `metadata`
//!   are case-insensitive; keys are case-sensitive.
//! - A **bare key** is everything after `metadata.` up to whitespace, a control character or
//!   one of `= ! < > % ( ) "`. It may contain dots (`metadata.a.b` is the key `"a.b"`; there
//!   is no nesting), dashes and any other Unicode character. A key with other characters, or
//!   an empty key, is written as a JSON string: `metadata."weird key"`.
//! - A **string** is a JSON string: double-quoted, with the JSON escapes (`\"`, `\\`, `\/`,
//!   `\b`, `\f`, `\n`, `\r`, `\t`, `\uXXXX` with surrogate pairs); raw control characters are
//!   refused, as in JSON.
//! - A **number** is a JSON number (`-12`, `0.5`, `1e-3`). Integers must fit an `i64` or a
//!   `u64` and are kept exactly; larger integers are refused rather than rounded (write
//!   `1e20`). Floats are read the way serde_json reads them from a metadata file.
//! - The modulo form takes integer literals only; the modulus must not be zero. Any of the six
//!   operators may follow it: `metadata.frame % 10 < 3`.
//! - Parentheses and `NOT` nest at most [`MAX_NESTING`] deep.
//!
//! # Semantics
//!
//! - **Two-valued logic.** A comparison is false on an item that lacks the key, holds `null`
//!   there, or holds a value of the other kind (a string compared to a number literal, a
//!   number to a string literal, or a boolean, list or object). `!=` is a comparison too:
//!   `metadata.x != 1` is false on an item without `x`, while `NOT metadata.x = 1` is true.
//! - **Numbers** compare by exact mathematical value across integers and floats:
//!   `4 = 4.0`, and `9007199254740993 > 9007199254740992.0` although both round to the same
//!   `f64`.
//! - **Strings** compare by Unicode code point, lexicographically (`"B" < "a"`, `"a" < "ab"`);
//!   `=` and `!=` are exact (no case folding or normalization).
//! - **Modulo** is the Euclidean remainder, `0 <= r < |m|` for either sign of `m`:
//!   `-3 % 5 = 2` and `-3 % -5 = 2`, `3 % -5 = 3`. A float value with a fractional part
//!   (`2.5`) makes the modulo comparison false; an integral float (`4.0`, `1e30`) counts as
//!   its integer.

mod check;
mod lexer;
mod run;
mod sort;

use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};

use self::lexer::{Lexer, Token, TokenKind, describe_found, is_bare_key_char};
use nucleus_model::Kind;
use nucleus_model::number::Num;
use nucleus_model::read::{self, ScannedValue};
use nucleus_model::scan::{Key, Scan, Unsure};

pub use self::check::{Finding, FindingKind, KeyKind, LiteralKind, Severity};
pub use self::run::{DEFAULT_SORT_MEMORY, QueryEvent, QueryOutcome, QueryRun, RunError};
pub use self::sort::{SortDirection, SortKey, sort_by_key};

/// How deep parentheses and `NOT` may nest; deeper input is a [`ParseError`] instead of a
/// stack overflow.
pub const MAX_NESTING: usize = 64;

/// A parsed query, ready to be evaluated on many items.
///
/// Literals are decoded once at parse time, so [`Query::matches`] does no allocation.
/// Two queries are equal when they have the same structure, keys and literals; where they
/// were written (columns) does not count. `a AND (b AND c)` equals `a AND b AND c`.
///
/// [`Display`](fmt::Display) prints a canonical form that parses back to an equal query:
/// upper-case keywords, single spaces, parentheses only where precedence needs them.
#[derive(Debug, Clone)]
pub struct Query {
    expr: Expr,
    /// The distinct keys, in order of first appearance; `Comparison::slot` indexes it.
    keys: Box<[Box<str>]>,
}

/// Why query text could not be parsed: where (column) and what was expected and found.
///
/// ```
/// use nucleus_query::Query;
///
/// let Err(error) = Query::parse("metadata.x =") else { return Ok(()) };
/// assert_eq!(error.column(), 13);
/// assert_eq!(error.to_string(), "column 13: expected a string or number after '=', found end of input");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: expected {expected}, found {found}")]
#[non_exhaustive]
pub struct ParseError {
    offset: usize,
    column: usize,
    width: usize,
    expected: String,
    found: String,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// The expression tree. `And` and `Or` are n-ary and never hold a child of their own kind, so
/// associativity does not show in equality and long chains do not nest deeply.
#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    Cmp(Comparison),
}

#[derive(Debug, Clone)]
struct Comparison {
    key: Box<str>,
    /// Index of `key` in `Query::keys`.
    slot: usize,
    test: Test,
    /// Column and width (in characters) of `metadata.<key>`.
    key_span: (usize, usize),
    /// Column and width of the literal (the remainder in the modulo form).
    literal_span: (usize, usize),
}

#[derive(Debug, Clone, PartialEq)]
enum Test {
    Str {
        op: CmpOp,
        literal: Box<str>,
    },
    Num {
        op: CmpOp,
        literal: Num,
    },
    Mod {
        modulus: i128,
        op: CmpOp,
        remainder: i128,
    },
}

impl Query {
    /// Parses query text (see the [module docs](self) for the grammar).
    ///
    /// # Errors
    ///
    /// A [`ParseError`] at the first place (in reading order) where the text stops being a
    /// query: a bad token, a missing literal or parenthesis, an integer beyond the 64-bit
    /// range, a zero modulus, or nesting deeper than [`MAX_NESTING`].
    pub fn parse(source: &str) -> Result<Query, ParseError> {
        let mut parser = Parser::new(source)?;
        let expr = parser.or()?;
        let token = parser.bump()?;
        if token.kind != TokenKind::End {
            return Err(parser.unexpected(&token, "'AND', 'OR' or end of input"));
        }
        Ok(Query {
            expr,
            keys: parser.keys.into_boxed_slice(),
        })
    }

    /// Whether an item with this metadata matches the query. Does not allocate.
    #[must_use]
    pub fn matches(&self, metadata: &Map<String, Value>) -> bool {
        // Looking every key up first, independently of the others, lets the CPU overlap their
        // cache misses, and looks a key used twice up once; evaluating with short-circuits
        // over direct lookups ran 2x slower on a million items. The extra lookups a
        // short-circuit would have skipped cost less than the misses they overlap.
        let mut values: [Option<&Value>; PREFETCH_KEYS] = [None; PREFETCH_KEYS];
        if self.keys.len() > PREFETCH_KEYS {
            return self.expr.matches(&Lookup::Direct(metadata));
        }
        for (value, key) in values.iter_mut().zip(self.keys.iter()) {
            *value = metadata.get(&**key);
        }
        self.expr.matches(&Lookup::Prefetched(&values))
    }

    /// Whether `text`, a JSON Lines line, is an item that [`read_line`](nucleus_model::read_line)
    /// reads without error and whose metadata matches the query: read in one pass with the
    /// scanner ([`read::scan_line`]), without building a `serde_json::Value`. The same answer
    /// as [`Query::matches`] on the item's metadata.
    ///
    /// ```
    /// use nucleus_query::Query;
    ///
    /// let query = Query::parse("metadata.speed > 5")?;
    /// let line = r#"{"image_location": "s3://b/1.jpg", "reference_id": "1", "metadata": {"speed": 12}}"#;
    /// assert_eq!(query.matches_line(line), Ok(true));
    /// assert!(query.matches_line(r#"{"reference_id": "no location"}"#).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Unsure`] when the line is not such an item, or the scanner leaves it to the full
    /// reader (see [`nucleus_model::scan`]): read it with `read_line` and use
    /// [`Query::matches`].
    pub fn matches_line(&self, text: &str) -> Scan<bool> {
        self.scan_line(text, None, |_, _| {})
            .map(|(matched, _)| matched)
    }

    /// [`Query::matches_line`], also giving the number under `sort_key` (when it holds one) and
    /// telling `observe` each metadata key with the kind of its non-null value.
    pub(crate) fn scan_line<'a>(
        &self,
        text: &'a str,
        sort_key: Option<&str>,
        mut observe: impl FnMut(Key<'a>, Kind),
    ) -> Scan<(bool, Option<Num>)> {
        if self.keys.len() > PREFETCH_KEYS {
            return Err(Unsure);
        }
        let mut operands: [Operand<'a>; PREFETCH_KEYS] = Default::default();
        let mut sort_value = None;
        let mut undecodable = false;
        read::scan_line(text, |key, value| {
            if let Some(kind) = value.kind() {
                observe(key, kind);
            }
            if let Some(slot) = self.keys.iter().position(|wanted| key.is(wanted))
                && let Some(operand) = operands.get_mut(slot)
            {
                match Operand::of_scanned(value) {
                    Ok(read) => *operand = read,
                    Err(Unsure) => undecodable = true,
                }
            }
            if sort_key.is_some_and(|sort_key| key.is(sort_key)) {
                sort_value = value.num();
            }
        })?;
        if undecodable {
            return Err(Unsure);
        }
        let matched = self.expr.matches(&Lookup::Scanned(&operands));
        Ok((matched, sort_value))
    }

    /// The metadata keys the query reads, each once, in order of first appearance.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.keys.iter().map(|key| &**key)
    }
}

/// Queries with at most this many distinct keys look them all up before evaluating.
const PREFETCH_KEYS: usize = 8;

/// Where a comparison finds its value.
enum Lookup<'v> {
    /// Values looked up in advance, by `Comparison::slot`.
    Prefetched(&'v [Option<&'v Value>]),
    /// The metadata map itself.
    Direct(&'v Map<String, Value>),
    /// Operands read by the scanner, by `Comparison::slot`.
    Scanned(&'v [Operand<'v>]),
}

/// A metadata value as a comparison reads it: a string, a number, or anything else (missing,
/// `null`, a boolean, a list, an object), on which every comparison is false.
#[derive(Debug, Clone, Default)]
pub(crate) enum Operand<'a> {
    Str(std::borrow::Cow<'a, str>),
    Num(Num),
    #[default]
    Other,
}

impl<'a> Operand<'a> {
    /// The operand of a scanned value; `Unsure` for a string whose escapes do not decode.
    pub(crate) fn of_scanned(value: ScannedValue<'a>) -> Scan<Operand<'a>> {
        Ok(match value {
            ScannedValue::String(raw) => Operand::Str(read::unescape(raw)?),
            ScannedValue::Number(literal) => Operand::Num(read::num_of_literal(literal)),
            _ => Operand::Other,
        })
    }
}

impl PartialEq for Query {
    /// `keys` follows from `expr`.
    fn eq(&self, other: &Self) -> bool {
        self.expr == other.expr
    }
}

impl FromStr for Query {
    type Err = ParseError;

    fn from_str(source: &str) -> Result<Query, ParseError> {
        Query::parse(source)
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.expr.fmt(f)
    }
}

impl ParseError {
    fn new(offset: usize, column: usize, width: usize, expected: String, found: String) -> Self {
        ParseError {
            offset,
            column,
            width,
            expected,
            found,
        }
    }

    /// 1-based column, in characters (Unicode scalar values), of the bad token.
    #[must_use]
    pub fn column(&self) -> usize {
        self.column
    }

    /// Byte offset of the bad token in the source.
    #[must_use]
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// What the parser expected, e.g. `a string or number after '='`.
    #[must_use]
    pub fn expected(&self) -> &str {
        &self.expected
    }

    /// What it found instead, e.g. `end of input` or `'foo'`.
    #[must_use]
    pub fn found(&self) -> &str {
        &self.found
    }

    /// The source on one line and, under it, carets under the bad token followed by the
    /// message:
    ///
    /// ```text
    /// metadata.x = AND
    ///              ^^^ expected a string or number after '=', found 'AND'
    /// ```
    ///
    /// Tabs and line breaks in the source are shown as spaces so the caret stays aligned
    /// (wide characters such as CJK may still shift it in a terminal).
    #[must_use]
    pub fn render(&self, source: &str) -> String {
        render_caret(
            source,
            self.column,
            self.width,
            &format!("expected {}, found {}", self.expected, self.found),
        )
    }
}

/// The source on one line, then carets from `column` over `width` characters and `message`.
fn render_caret(source: &str, column: usize, width: usize, message: &str) -> String {
    let shown: String = source
        .chars()
        .map(|c| {
            if c.is_whitespace() || c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect();
    // Clamped to the source so that a hand-made position cannot ask for a huge string.
    let n_chars = shown.chars().count();
    let padding = " ".repeat(column.saturating_sub(1).min(n_chars));
    let carets = "^".repeat(width.clamp(1, n_chars + 1));
    format!("{}\n{padding}{carets} {message}", shown.trim_end())
}

impl CmpOp {
    #[inline]
    fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self {
            CmpOp::Eq => ordering == Equal,
            CmpOp::Ne => ordering != Equal,
            CmpOp::Lt => ordering == Less,
            CmpOp::Le => ordering != Greater,
            CmpOp::Gt => ordering == Greater,
            CmpOp::Ge => ordering != Less,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

impl Expr {
    fn matches(&self, lookup: &Lookup<'_>) -> bool {
        match self {
            Expr::Or(children) => children.iter().any(|child| child.matches(lookup)),
            Expr::And(children) => children.iter().all(|child| child.matches(lookup)),
            Expr::Not(child) => !child.matches(lookup),
            Expr::Cmp(comparison) => {
                let value = match lookup {
                    Lookup::Prefetched(values) => values.get(comparison.slot).copied().flatten(),
                    Lookup::Direct(metadata) => metadata.get(&*comparison.key),
                    Lookup::Scanned(operands) => {
                        return operands
                            .get(comparison.slot)
                            .is_some_and(|operand| comparison.test.holds_operand(operand));
                    }
                };
                value.is_some_and(|value| comparison.test.holds(value))
            }
        }
    }

    fn for_each_comparison<'q>(&'q self, visit: &mut impl FnMut(&'q Comparison)) {
        match self {
            Expr::Or(children) | Expr::And(children) => {
                for child in children {
                    child.for_each_comparison(visit);
                }
            }
            Expr::Not(child) => child.for_each_comparison(visit),
            Expr::Cmp(comparison) => visit(comparison),
        }
    }

    /// Joins `left` and `right` under `And` (or `Or`), splicing in children of the same kind so
    /// the tree stays canonical.
    fn join(left: Expr, right: Expr, is_and: bool) -> Expr {
        // Reuse the left child list: a chain of n operators then costs O(n), not O(n^2).
        let mut children = match left {
            Expr::And(children) if is_and => children,
            Expr::Or(children) if !is_and => children,
            other => vec![other],
        };
        match right {
            Expr::And(inner) if is_and => children.extend(inner),
            Expr::Or(inner) if !is_and => children.extend(inner),
            other => children.push(other),
        }
        if is_and {
            Expr::And(children)
        } else {
            Expr::Or(children)
        }
    }

    /// Writes `self` as an operand of an operator of the given binding strength, adding
    /// parentheses when `self` binds more loosely.
    fn fmt_operand(&self, f: &mut fmt::Formatter<'_>, context: Strength) -> fmt::Result {
        if self.strength() < context {
            write!(f, "({self})")
        } else {
            write!(f, "{self}")
        }
    }

    fn strength(&self) -> Strength {
        match self {
            Expr::Or(_) => Strength::Or,
            Expr::And(_) => Strength::And,
            Expr::Not(_) | Expr::Cmp(_) => Strength::Not,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Strength {
    Or,
    And,
    Not,
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (children, keyword, strength) = match self {
            Expr::Or(children) => (children, " OR ", Strength::And),
            Expr::And(children) => (children, " AND ", Strength::Not),
            Expr::Not(child) => {
                f.write_str("NOT ")?;
                return child.fmt_operand(f, Strength::Not);
            }
            Expr::Cmp(comparison) => return comparison.fmt(f),
        };
        for (child_idx, child) in children.iter().enumerate() {
            if child_idx > 0 {
                f.write_str(keyword)?;
            }
            child.fmt_operand(f, strength)?;
        }
        Ok(())
    }
}

impl PartialEq for Comparison {
    /// Columns are where the comparison was written, not what it means: they do not count.
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key && self.test == other.test
    }
}

impl Test {
    /// Whether `value` passes the test; false for a value of another kind.
    #[inline]
    fn holds(&self, value: &Value) -> bool {
        match value {
            Value::String(string) => self.holds_str(string),
            Value::Number(number) => {
                Num::from_number(number).is_some_and(|number| self.holds_num(number))
            }
            _ => false,
        }
    }

    /// Whether an operand read by the scanner passes the test.
    #[inline]
    fn holds_operand(&self, operand: &Operand<'_>) -> bool {
        match operand {
            Operand::Str(string) => self.holds_str(string),
            Operand::Num(number) => self.holds_num(*number),
            Operand::Other => false,
        }
    }

    /// Whether a string value passes the test; false for a number test.
    #[inline]
    fn holds_str(&self, string: &str) -> bool {
        match self {
            Test::Str { op, literal } => match op {
                // `==` compares lengths first and so usually skips reading the value's heap
                // buffer: a cache miss per item saved, 5x on a million items.
                CmpOp::Eq => string == &**literal,
                CmpOp::Ne => string != &**literal,
                // `str` order is byte order of UTF-8, which is code point order.
                _ => op.holds(string.cmp(literal)),
            },
            Test::Num { .. } | Test::Mod { .. } => false,
        }
    }

    /// Whether a number value passes the test; false for a string test.
    #[inline]
    fn holds_num(&self, number: Num) -> bool {
        match self {
            Test::Num { op, literal } => number
                .cmp_exact(*literal)
                .is_some_and(|ordering| op.holds(ordering)),
            Test::Mod {
                modulus,
                op,
                remainder,
            } => number
                .rem_euclid(*modulus)
                .is_some_and(|value| op.holds(value.cmp(remainder))),
            Test::Str { .. } => false,
        }
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_field(f, &self.key)?;
        match &self.test {
            Test::Str { op, literal } => {
                write!(f, " {} ", op.as_str())?;
                write_json_string(f, literal)
            }
            Test::Num { op, literal } => {
                write!(f, " {} ", op.as_str())?;
                write_num(f, *literal)
            }
            Test::Mod {
                modulus,
                op,
                remainder,
            } => {
                write!(f, " % {modulus} {} {remainder}", op.as_str())
            }
        }
    }
}

/// Writes `metadata.<key>`, bare when the key allows it, else quoted.
fn write_field(f: &mut fmt::Formatter<'_>, key: &str) -> fmt::Result {
    f.write_str("metadata.")?;
    if !key.is_empty() && key.chars().all(is_bare_key_char) {
        f.write_str(key)
    } else {
        write_json_string(f, key)
    }
}

/// Writes a number so that it reads back as the same `Num`: integers plainly, floats through
/// `Debug`, which keeps a `.0` or an exponent (`1.0`, `1e300`) and so stays a float.
fn write_num(f: &mut fmt::Formatter<'_>, num: Num) -> fmt::Result {
    match num {
        Num::Int(int) => write!(f, "{int}"),
        Num::Float(float) => write!(f, "{float:?}"),
    }
}

/// Writes `text` as a JSON string literal.
fn write_json_string(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    use fmt::Write as _;
    f.write_char('"')?;
    for c in text.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if u32::from(c) < 0x20 => write!(f, "\\u{:04x}", u32::from(c))?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

/// Recursive descent over the lexer with one token of lookahead.
struct Parser<'s> {
    lexer: Lexer<'s>,
    peeked: Token,
    depth: usize,
    /// Distinct keys seen so far, in order.
    keys: Vec<Box<str>>,
}

impl<'s> Parser<'s> {
    fn new(source: &'s str) -> Result<Self, ParseError> {
        let mut lexer = Lexer::new(source);
        let peeked = lexer.next_token()?;
        Ok(Parser {
            lexer,
            peeked,
            depth: 0,
            keys: Vec::new(),
        })
    }

    fn peek(&self) -> &TokenKind {
        &self.peeked.kind
    }

    /// Takes the current token and lexes the next one.
    fn bump(&mut self) -> Result<Token, ParseError> {
        let next = if self.peeked.kind == TokenKind::End {
            self.peeked.clone()
        } else {
            self.lexer.next_token()?
        };
        Ok(std::mem::replace(&mut self.peeked, next))
    }

    fn unexpected(&self, token: &Token, expected: impl Into<String>) -> ParseError {
        let text = self
            .lexer
            .source()
            .get(token.offset..token.end)
            .unwrap_or("");
        ParseError::new(
            token.offset,
            token.column,
            token.width.max(1),
            expected.into(),
            describe_found(text),
        )
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut expr = self.and()?;
        while *self.peek() == TokenKind::Or {
            self.bump()?;
            let right = self.and()?;
            expr = Expr::join(expr, right, false);
        }
        Ok(expr)
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut expr = self.not()?;
        while *self.peek() == TokenKind::And {
            self.bump()?;
            let right = self.not()?;
            expr = Expr::join(expr, right, true);
        }
        Ok(expr)
    }

    fn not(&mut self) -> Result<Expr, ParseError> {
        let token = self.bump()?;
        match token.kind {
            TokenKind::Not => {
                let child = self.nested(&token, Self::not)?;
                Ok(Expr::Not(Box::new(child)))
            }
            TokenKind::LeftParen => {
                let expr = self.nested(&token, Self::or)?;
                let close = self.bump()?;
                if close.kind != TokenKind::RightParen {
                    let expected = format!(
                        "'AND', 'OR' or ')' closing the '(' at column {}",
                        token.column
                    );
                    return Err(self.unexpected(&close, expected));
                }
                Ok(expr)
            }
            TokenKind::Field(key) => self.comparison(key, (token.column, token.width)),
            _ => Err(self.unexpected(&token, "'metadata.<key>', 'NOT' or '('")),
        }
    }

    /// Runs `inner` one nesting level deeper, refusing to go beyond [`MAX_NESTING`].
    fn nested(
        &mut self,
        opener: &Token,
        inner: fn(&mut Self) -> Result<Expr, ParseError>,
    ) -> Result<Expr, ParseError> {
        if self.depth >= MAX_NESTING {
            let expected = format!("at most {MAX_NESTING} nested parentheses and 'NOT's");
            let mut error = self.unexpected(opener, expected);
            error.found = "one more".to_owned();
            return Err(error);
        }
        self.depth += 1;
        let expr = inner(self);
        self.depth -= 1;
        expr
    }

    fn comparison(&mut self, key: String, key_span: (usize, usize)) -> Result<Expr, ParseError> {
        let token = self.bump()?;
        let (test, literal_span) = match token.kind {
            TokenKind::Op(op) => {
                let literal = self.bump()?;
                let literal_span = (literal.column, literal.width);
                let test = match literal.kind {
                    TokenKind::Str(text) => Test::Str {
                        op,
                        literal: text.into_boxed_str(),
                    },
                    TokenKind::Num(num) => Test::Num { op, literal: num },
                    _ => {
                        let expected = format!("a string or number after '{}'", op.as_str());
                        return Err(self.unexpected(&literal, expected));
                    }
                };
                (test, literal_span)
            }
            TokenKind::Percent => {
                let modulus = self.integer("an integer modulus after '%'")?;
                if modulus.0 == 0 {
                    let mut error = self.unexpected(&modulus.1, "a non-zero modulus");
                    error.found = "0".to_owned();
                    return Err(error);
                }
                let op_token = self.bump()?;
                let TokenKind::Op(op) = op_token.kind else {
                    return Err(self.unexpected(
                        &op_token,
                        "a comparison operator (=, !=, <, <=, >, >=) after the modulus",
                    ));
                };
                let expected = format!("an integer remainder after '{}'", op.as_str());
                let remainder = self.integer(&expected)?;
                let span = (remainder.1.column, remainder.1.width);
                (
                    Test::Mod {
                        modulus: modulus.0,
                        op,
                        remainder: remainder.0,
                    },
                    span,
                )
            }
            _ => {
                return Err(
                    self.unexpected(&token, "an operator (=, !=, <, <=, >, >=, %) after the key")
                );
            }
        };
        let slot = match self.keys.iter().position(|seen| **seen == *key) {
            Some(slot) => slot,
            None => {
                self.keys.push(key.clone().into_boxed_str());
                self.keys.len() - 1
            }
        };
        Ok(Expr::Cmp(Comparison {
            key: key.into_boxed_str(),
            slot,
            test,
            key_span,
            literal_span,
        }))
    }

    /// An integer literal token, with the token for error positions.
    fn integer(&mut self, expected: &str) -> Result<(i128, Token), ParseError> {
        let token = self.bump()?;
        match token.kind {
            TokenKind::Num(Num::Int(int)) => Ok((int, token)),
            _ => Err(self.unexpected(&token, expected)),
        }
    }
}
