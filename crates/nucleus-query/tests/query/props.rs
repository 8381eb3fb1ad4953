//! Property tests: the evaluator against a simple reference, Display/parse round trips, and no
//! panic on arbitrary input.

use std::cmp::Ordering;
use std::collections::HashMap;

use nucleus_lines::StreamConfig;
use nucleus_model::read_line;
use nucleus_model::scan::Scanner;
use nucleus_query::{KeyKind, Query, QueryEvent, QueryRun, SortDirection, SortKey, sort_by_key};
use proptest::prelude::*;
use serde_json::{Map, Number, Value};

/// Keys the generated queries and items draw from, so that they meet often.
const KEYS: &[&str] = &["a", "b", "c.d", "weird key", "é"];

/// Strings the generated literals and values draw from: escapes, non-ASCII, order traps.
const STRINGS: &[&str] = &[
    "",
    "a",
    "ab",
    "B",
    "b",
    "a\"b",
    "back\\slash",
    "é",
    "😀",
    "\u{ffff}",
    "line\nbreak",
    "\u{1}",
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
enum Lit {
    Str(String),
    Int(i128),
    Float(f64),
}

/// The reference AST: plain binary nodes, evaluated by [`reference_matches`].
#[derive(Debug, Clone)]
enum Expr {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Cmp {
        key: &'static str,
        op: Op,
        lit: Lit,
    },
    Mod {
        key: &'static str,
        modulus: i128,
        op: Op,
        remainder: i128,
    },
}

/// How the generated query is written.
#[derive(Debug, Clone, Copy, Default)]
struct Layout {
    /// Parenthesize every binary node instead of only where precedence needs it.
    full_parens: bool,
    /// Which case to write keywords in (0 upper, 1 lower, 2 mixed).
    keyword_case: u8,
    /// Write `metadata."a"` even for keys that could be bare.
    quote_keys: bool,
    /// Spaces around operators (0 none, 1 one, 2 several with a tab).
    spacing: u8,
}

fn op_strategy() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::Eq),
        Just(Op::Ne),
        Just(Op::Lt),
        Just(Op::Le),
        Just(Op::Gt),
        Just(Op::Ge)
    ]
}

const TWO_POW_53: i128 = 1 << 53;

fn int_strategy() -> impl Strategy<Value = i128> {
    prop_oneof![
        4 => -10_i128..10,
        1 => (TWO_POW_53 - 3)..(TWO_POW_53 + 3),
        1 => prop_oneof![
            Just(i128::from(i64::MIN)),
            Just(i128::from(i64::MAX)),
            Just(i128::from(u64::MAX)),
            Just(i128::from(u64::MAX) - 1),
        ],
        1 => any::<i64>().prop_map(i128::from),
    ]
}

/// Floats that values may hold: |f| < 2^100, where the reference evaluator is exact.
fn value_float_strategy() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => (-20_i32..20).prop_map(|half| f64::from(half) / 2.0),
        1 => (-3_i32..3).prop_map(|delta| 9_007_199_254_740_992.0 + f64::from(delta) * 2.0),
        1 => Just(18_446_744_073_709_551_616.0),
        1 => Just(-9_223_372_036_854_775_808.0),
        1 => Just(1e20),
        1 => -1e6_f64..1e6,
    ]
}

/// Float literals: the value floats and any other finite float.
fn literal_float_strategy() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => value_float_strategy(),
        1 => any::<f64>().prop_filter("finite", |float| float.is_finite()),
    ]
}

fn string_strategy() -> impl Strategy<Value = String> {
    prop::sample::select(STRINGS).prop_map(str::to_owned)
}

fn key_strategy() -> impl Strategy<Value = &'static str> {
    prop::sample::select(KEYS)
}

fn literal_strategy() -> impl Strategy<Value = Lit> {
    prop_oneof![
        string_strategy().prop_map(Lit::Str),
        int_strategy().prop_map(Lit::Int),
        literal_float_strategy().prop_map(Lit::Float),
    ]
}

fn modulus_strategy() -> impl Strategy<Value = i128> {
    prop_oneof![
        4 => (1_i128..7).prop_flat_map(|m| prop_oneof![Just(m), Just(-m)]),
        1 => Just(i128::from(u64::MAX)),
        1 => Just(i128::from(i64::MIN)),
        1 => any::<i64>().prop_filter("non-zero", |m| *m != 0).prop_map(i128::from),
    ]
}

fn leaf_strategy() -> impl Strategy<Value = Expr> {
    prop_oneof![
        3 => (key_strategy(), op_strategy(), literal_strategy())
            .prop_map(|(key, op, lit)| Expr::Cmp { key, op, lit }),
        1 => (key_strategy(), modulus_strategy(), op_strategy(), -2_i128..7).prop_map(
            |(key, modulus, op, remainder)| Expr::Mod { key, modulus, op, remainder }
        ),
    ]
}

fn expr_strategy() -> impl Strategy<Value = Expr> {
    leaf_strategy().prop_recursive(5, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(l, r)| Expr::Or(Box::new(l), Box::new(r))),
            (inner.clone(), inner.clone()).prop_map(|(l, r)| Expr::And(Box::new(l), Box::new(r))),
            inner.prop_map(|e| Expr::Not(Box::new(e))),
        ]
    })
}

fn layout_strategy() -> impl Strategy<Value = Layout> {
    (any::<bool>(), 0_u8..3, any::<bool>(), 0_u8..3).prop_map(
        |(full_parens, keyword_case, quote_keys, spacing)| Layout {
            full_parens,
            keyword_case,
            quote_keys,
            spacing,
        },
    )
}

/// A metadata value: missing (`None`), null, another kind, a string or a number.
fn value_strategy() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        1 => Just(None),
        1 => Just(Some(Value::Null)),
        1 => Just(Some(Value::Bool(true))),
        1 => Just(Some(Value::Array(vec![Value::from(1)]))),
        3 => string_strategy().prop_map(|s| Some(Value::String(s))),
        3 => int_strategy().prop_map(|int| Some(int_value(int))),
        3 => value_float_strategy().prop_map(|float| Number::from_f64(float).map(Value::Number)),
    ]
}

fn int_value(int: i128) -> Value {
    match (i64::try_from(int), u64::try_from(int)) {
        (Ok(signed), _) => Value::from(signed),
        (_, Ok(unsigned)) => Value::from(unsigned),
        _ => unreachable!("generated integers fit i64 or u64"),
    }
}

fn item_strategy() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec(value_strategy(), KEYS.len()).prop_map(|values| {
        KEYS.iter()
            .zip(values)
            .filter_map(|(key, value)| Some(((*key).to_owned(), value?)))
            .collect()
    })
}

// ---- Rendering the reference AST as query text ----

fn keyword(word: &str, layout: Layout) -> String {
    match layout.keyword_case {
        0 => word.to_owned(),
        1 => word.to_lowercase(),
        _ => word
            .chars()
            .enumerate()
            .map(|(idx, c)| {
                if idx % 2 == 1 {
                    c.to_ascii_lowercase()
                } else {
                    c
                }
            })
            .collect(),
    }
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

fn render_key(key: &str, layout: Layout) -> String {
    let bare_ok = !key.is_empty() && !key.contains(' ');
    if bare_ok && !layout.quote_keys {
        format!("metadata.{key}")
    } else {
        format!("metadata.{}", json_string(key))
    }
}

fn render_op(op: Op) -> &'static str {
    match op {
        Op::Eq => "=",
        Op::Ne => "!=",
        Op::Lt => "<",
        Op::Le => "<=",
        Op::Gt => ">",
        Op::Ge => ">=",
    }
}

fn render_lit(lit: &Lit) -> String {
    match lit {
        Lit::Str(text) => json_string(text),
        Lit::Int(int) => int.to_string(),
        // `{:e}` always has an exponent, so it reads back as a float (and differs from Display).
        Lit::Float(float) => format!("{float:e}"),
    }
}

fn render(expr: &Expr, layout: Layout) -> String {
    let space = match layout.spacing {
        0 => "",
        1 => " ",
        _ => " \t ",
    };
    // Keywords always need a separator; operators do not.
    let gap = if space.is_empty() { " " } else { space };
    match expr {
        Expr::Cmp { key, op, lit } => {
            format!(
                "{}{space}{}{space}{}",
                render_key(key, layout),
                render_op(*op),
                render_lit(lit)
            )
        }
        Expr::Mod {
            key,
            modulus,
            op,
            remainder,
        } => format!(
            "{}{space}%{space}{modulus}{space}{}{space}{remainder}",
            render_key(key, layout),
            render_op(*op)
        ),
        Expr::Not(child) => {
            let inner = render(child, layout);
            let needs_parens =
                layout.full_parens || matches!(**child, Expr::Or(..) | Expr::And(..));
            if needs_parens {
                format!("{}{gap}({inner})", keyword("NOT", layout))
            } else {
                format!("{}{gap}{inner}", keyword("NOT", layout))
            }
        }
        Expr::And(left, right) | Expr::Or(left, right) => {
            let is_and = matches!(expr, Expr::And(..));
            let word = keyword(if is_and { "AND" } else { "OR" }, layout);
            let operand = |child: &Expr| {
                let inner = render(child, layout);
                let needs_parens = layout.full_parens || (is_and && matches!(child, Expr::Or(..)));
                if needs_parens {
                    format!("({inner})")
                } else {
                    inner
                }
            };
            format!("{}{gap}{word}{gap}{}", operand(left), operand(right))
        }
    }
}

// ---- The reference evaluator ----

/// Exact order of an integer and a float with |float| < 2^100 or beyond every i128 we use.
fn reference_cmp_int_float(int: i128, float: f64) -> Ordering {
    let limit = 2.0_f64.powi(100);
    if float >= limit {
        return Ordering::Less;
    }
    if float <= -limit {
        return Ordering::Greater;
    }
    let floor = float.floor();
    let floor_int = floor as i128;
    if float == floor {
        int.cmp(&floor_int)
    } else if int <= floor_int {
        Ordering::Less
    } else {
        Ordering::Greater
    }
}

#[derive(Debug, Clone, Copy)]
enum RefNum {
    Int(i128),
    Float(f64),
}

fn reference_num(number: &Number) -> RefNum {
    if let Some(int) = number.as_i64() {
        RefNum::Int(int.into())
    } else if let Some(int) = number.as_u64() {
        RefNum::Int(int.into())
    } else {
        RefNum::Float(number.as_f64().unwrap())
    }
}

fn reference_cmp(left: RefNum, right: RefNum) -> Ordering {
    match (left, right) {
        (RefNum::Int(l), RefNum::Int(r)) => l.cmp(&r),
        (RefNum::Float(l), RefNum::Float(r)) => l.partial_cmp(&r).unwrap(),
        (RefNum::Int(l), RefNum::Float(r)) => reference_cmp_int_float(l, r),
        (RefNum::Float(l), RefNum::Int(r)) => reference_cmp_int_float(r, l).reverse(),
    }
}

fn holds(op: Op, ordering: Ordering) -> bool {
    match op {
        Op::Eq => ordering.is_eq(),
        Op::Ne => ordering.is_ne(),
        Op::Lt => ordering.is_lt(),
        Op::Le => ordering.is_le(),
        Op::Gt => ordering.is_gt(),
        Op::Ge => ordering.is_ge(),
    }
}

fn reference_matches(expr: &Expr, item: &Map<String, Value>) -> bool {
    match expr {
        Expr::Or(l, r) => reference_matches(l, item) || reference_matches(r, item),
        Expr::And(l, r) => reference_matches(l, item) && reference_matches(r, item),
        Expr::Not(e) => !reference_matches(e, item),
        Expr::Cmp { key, op, lit } => match (item.get(*key), lit) {
            (Some(Value::String(value)), Lit::Str(lit)) => {
                holds(*op, value.chars().cmp(lit.chars()))
            }
            (Some(Value::Number(value)), Lit::Int(lit)) => {
                holds(*op, reference_cmp(reference_num(value), RefNum::Int(*lit)))
            }
            (Some(Value::Number(value)), Lit::Float(lit)) => holds(
                *op,
                reference_cmp(reference_num(value), RefNum::Float(*lit)),
            ),
            _ => false,
        },
        Expr::Mod {
            key,
            modulus,
            op,
            remainder,
        } => {
            let Some(Value::Number(value)) = item.get(*key) else {
                return false;
            };
            let int = match reference_num(value) {
                RefNum::Int(int) => int,
                RefNum::Float(float) if float.fract() == 0.0 => float as i128,
                RefNum::Float(_) => return false,
            };
            let magnitude = modulus.abs();
            let mut rem = int % magnitude;
            if rem < 0 {
                rem += magnitude;
            }
            holds(*op, rem.cmp(remainder))
        }
    }
}

// ---- Properties ----

proptest! {
    #[test]
    fn evaluation_matches_the_reference(
        expr in expr_strategy(),
        layout in layout_strategy(),
        items in prop::collection::vec(item_strategy(), 1..8),
    ) {
        let text = render(&expr, layout);
        let query = Query::parse(&text).map_err(|error| {
            TestCaseError::fail(format!("{}\n{expr:?}", error.render(&text)))
        })?;
        for item in &items {
            prop_assert_eq!(
                query.matches(item),
                reference_matches(&expr, item),
                "query {} on {:?}",
                text,
                item
            );
        }
    }

    #[test]
    fn display_parses_back_to_an_equal_query(expr in expr_strategy(), layout in layout_strategy()) {
        let text = render(&expr, layout);
        let query = Query::parse(&text).unwrap();
        let canonical = query.to_string();
        let reparsed = Query::parse(&canonical).map_err(|error| {
            TestCaseError::fail(error.render(&canonical))
        })?;
        prop_assert_eq!(&reparsed, &query, "{} -> {}", text, canonical);
        prop_assert_eq!(reparsed.to_string(), canonical);
    }

    #[test]
    fn arbitrary_input_never_panics(input in any::<String>()) {
        check_total(&input)?;
    }

    #[test]
    fn query_like_input_never_panics(input in r#"([mM]etadata\.|AND|or|NOT|[a-z.é ()"\\=!<>%0-9eE+-]|\\u[0-9a-fA-F]{0,4}){0,24}"#) {
        check_total(&input)?;
    }

    #[test]
    fn mutated_queries_never_panic(
        expr in expr_strategy(),
        layout in layout_strategy(),
        cut in any::<prop::sample::Index>(),
        insert in prop::sample::select(vec!["", "(", ")", "\"", "\\", "-", "%", "=", "!", " ", "é", "NOT ", "metadata."]),
    ) {
        let text = render(&expr, layout);
        let boundaries: Vec<usize> = text.char_indices().map(|(idx, _)| idx).chain([text.len()]).collect();
        let at = *cut.get(&boundaries);
        let mutated = format!("{}{insert}{}", &text[..at], text.get(at + 1..).unwrap_or(""));
        if mutated.is_char_boundary(at) {
            check_total(&mutated)?;
        }
    }

    #[test]
    fn sort_orders_exactly_and_stably(
        items in prop::collection::vec(item_strategy(), 0..20),
        key in key_strategy(),
        descending in any::<bool>(),
    ) {
        let direction = if descending { SortDirection::Descending } else { SortDirection::Ascending };
        let sort_key = SortKey::new(key, direction);
        let mut sorted: Vec<(usize, Map<String, Value>)> = items.iter().cloned().enumerate().collect();
        sort_by_key(&mut sorted, &sort_key, |(_, metadata)| metadata);
        // Reference: an insertion sort (stable by construction) with the reference order.
        let number = |metadata: &Map<String, Value>| match metadata.get(key) {
            Some(Value::Number(number)) => Some(reference_num(number)),
            _ => None,
        };
        let before = |left: &Map<String, Value>, right: &Map<String, Value>| match (number(left), number(right)) {
            (Some(l), Some(r)) => {
                let ordering = reference_cmp(l, r);
                if descending { ordering.is_gt() } else { ordering.is_lt() }
            }
            (Some(_), None) => true,
            _ => false,
        };
        let mut expected: Vec<(usize, Map<String, Value>)> = Vec::new();
        for (idx, item) in items.iter().cloned().enumerate() {
            let position = expected
                .iter()
                .rposition(|(_, placed)| !before(&item, placed))
                .map_or(0, |found| found + 1);
            expected.insert(position, (idx, item));
        }
        let sorted_ids: Vec<usize> = sorted.iter().map(|(idx, _)| *idx).collect();
        let expected_ids: Vec<usize> = expected.iter().map(|(idx, _)| *idx).collect();
        prop_assert_eq!(sorted_ids, expected_ids);
    }
}

/// Parsing `input` returns; an error points inside the input (or just past it) and renders;
/// an accepted query round-trips through its canonical form.
pub fn check_total(input: &str) -> Result<(), TestCaseError> {
    match Query::parse(input) {
        Ok(query) => {
            let canonical = query.to_string();
            let reparsed = Query::parse(&canonical)
                .map_err(|error| TestCaseError::fail(error.render(&canonical)))?;
            prop_assert_eq!(reparsed, query, "{:?} -> {:?}", input, canonical);
        }
        Err(error) => {
            prop_assert!(error.column() >= 1);
            prop_assert!(error.column() <= input.chars().count() + 1);
            prop_assert!(input.is_char_boundary(error.offset()));
            prop_assert_eq!(
                input[..error.offset()].chars().count() + 1,
                error.column(),
                "column and offset disagree"
            );
            let _ = error.render(input);
        }
    }
    let _ = SortKey::parse(input);
    Ok(())
}

// ---- The scanner against the value ----

/// An item line holding `metadata`, written by serde, or with every non-ASCII character as a
/// `\u` escape (so that keys and strings have escapes).
fn item_line(metadata: &Map<String, Value>, ascii: bool, extra: &str) -> String {
    let metadata = serde_json::to_string(metadata).unwrap();
    let line = format!(
        r#"{{"reference_id": "r", "image_location": "s3://b/a.jpg", "metadata": {metadata}{extra}}}"#
    );
    if !ascii {
        return line;
    }
    let mut escaped = String::new();
    for c in line.chars() {
        if c.is_ascii() {
            escaped.push(c);
        } else {
            for unit in c.encode_utf16(&mut [0; 2]) {
                escaped.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    escaped
}

/// Whether the plain JSON scanner is sure of `text` (it refuses escapes in keys, surrogate
/// escapes and numbers that may not read exactly).
fn json_scanner_is_sure(text: &str) -> bool {
    let mut scanner = Scanner::new(text);
    scanner.skip().is_ok() && scanner.end().is_ok()
}

/// Lines of a generated file: items with random metadata, some with escapes or a shape left to
/// the full reader, and lines that are no item.
fn file_line() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (item_strategy(), any::<bool>()).prop_map(|(metadata, ascii)| item_line(&metadata, ascii, "")),
        1 => item_strategy().prop_map(|metadata| item_line(&metadata, false, r#", "ref_id": "s""#)),
        1 => item_strategy().prop_map(|metadata| item_line(&metadata, false, r#", "width": 0"#)),
        1 => Just("{not json".to_owned()),
        1 => Just(r#"{"image_location": "s3://b/1.jpg", "metadata": {"a": 1}}"#.to_owned()),
        1 => Just(String::new()),
    ]
}

/// What a run gives, by the `Value` of each line: matches (line numbers, in output order),
/// unreadable lines and the findings, computed from `read_line` alone.
fn reference_run(
    query: &Query,
    sort: Option<&SortKey>,
    lines: &[String],
) -> (Vec<u64>, Vec<u64>, Vec<nucleus_query::Finding>) {
    let mut matches: Vec<(u64, Map<String, Value>)> = Vec::new();
    let mut unreadable = Vec::new();
    let mut kinds: HashMap<String, (bool, bool)> = HashMap::new();
    for (idx, line) in lines.iter().enumerate() {
        let number = idx as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let reading = read_line(line);
        let Some(item) = reading.item else {
            if reading.has_errors() {
                unreadable.push(number);
            }
            continue;
        };
        let metadata = item.metadata().as_map();
        for (key, value) in metadata {
            if !value.is_null() {
                let seen = kinds.entry(key.clone()).or_default();
                seen.0 |= value.is_string();
                seen.1 |= value.is_number();
            }
        }
        if query.matches(metadata) {
            matches.push((number, metadata.clone()));
        }
    }
    if let Some(sort) = sort {
        sort_by_key(&mut matches, sort, |(_, metadata)| metadata);
    }
    let key_kinds = kinds.into_iter().map(|(key, (string, number))| {
        let kind = match (string, number) {
            (true, true) => KeyKind::Mixed,
            (true, false) => KeyKind::String,
            (false, true) => KeyKind::Number,
            (false, false) => KeyKind::Other,
        };
        (key, kind)
    });
    let findings = query.check(key_kinds);
    (
        matches.into_iter().map(|(line, _)| line).collect(),
        unreadable,
        findings,
    )
}

proptest! {
    #[test]
    fn scanned_lines_match_as_their_values(
        expr in expr_strategy(),
        layout in layout_strategy(),
        items in prop::collection::vec(item_strategy(), 1..8),
        ascii in any::<bool>(),
    ) {
        let text = render(&expr, layout);
        let query = Query::parse(&text).unwrap();
        for metadata in &items {
            let line = item_line(metadata, ascii, "");
            let item = read_line(&line).item.unwrap();
            let by_value = query.matches(item.metadata().as_map());
            match query.matches_line(&line) {
                Ok(by_scan) => prop_assert_eq!(by_scan, by_value, "query {} on {}", text, line),
                // A valid item is left to the full reader only for its JSON (escaped keys are
                // read, decoded).
                Err(_) => prop_assert!(
                    !json_scanner_is_sure(&line),
                    "unsure of {}",
                    line
                ),
            }
        }
    }

    #[test]
    fn a_run_selects_what_the_values_select(
        expr in expr_strategy(),
        lines in prop::collection::vec(file_line(), 0..24),
        sort in prop::option::of((key_strategy(), any::<bool>())),
        jobs in 1_usize..4,
        count in any::<bool>(),
        sort_memory in prop_oneof![Just(usize::MAX), 0_usize..400],
    ) {
        let query = Query::parse(&render(&expr, Layout::default())).unwrap();
        let sort = sort.map(|(key, descending)| {
            let direction = if descending { SortDirection::Descending } else { SortDirection::Ascending };
            SortKey::new(key, direction)
        });
        let (expected, expected_unreadable, expected_findings) = reference_run(&query, sort.as_ref(), &lines);
        let input = lines.join("\n");
        // A small memory budget for the sort sends matches through a temporary file.
        let run = QueryRun::new(query)
            .sorted_by(sort)
            .count_only(count)
            .sort_memory(sort_memory);
        // Small chunks, so that several workers share the lines.
        let config = StreamConfig::default().jobs(jobs).chunk_bytes(64);
        let (mut matched, mut unreadable) = (Vec::new(), Vec::new());
        let outcome = run.run(input.as_bytes(), &config, |event| {
            match event {
                QueryEvent::Match { line, text } => {
                    assert_eq!(text, lines[usize::try_from(line).unwrap() - 1]);
                    matched.push(line);
                }
                QueryEvent::Unreadable(diagnostic) => unreadable.push(diagnostic.line.unwrap()),
                _ => {}
            }
            Ok::<(), std::convert::Infallible>(())
        }).unwrap();
        prop_assert_eq!(outcome.n_selected, expected.len());
        prop_assert_eq!(matched, if count { Vec::new() } else { expected });
        prop_assert_eq!(unreadable, expected_unreadable);
        prop_assert_eq!(outcome.findings, expected_findings);
    }
}
