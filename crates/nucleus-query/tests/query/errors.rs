//! Parse errors: every message and the column it points at.

use nucleus_query::{MAX_NESTING, Query, SortKey};

/// Asserts that `input` fails to parse with `expected_message` ("expected ..., found ...") at
/// the 1-based character column `expected_column`.
#[track_caller]
fn check_error(input: &str, expected_message: &str, expected_column: usize) {
    let error = match Query::parse(input) {
        Ok(query) => panic!("{input:?} parsed as {query}, expected an error"),
        Err(error) => error,
    };
    let message = format!("expected {}, found {}", error.expected(), error.found());
    assert_eq!(
        (message.as_str(), error.column()),
        (expected_message, expected_column),
        "error for {input:?}\n{}",
        error.render(input)
    );
    assert_eq!(
        error.to_string(),
        format!("column {expected_column}: {expected_message}")
    );
}

const START: &str = "expected 'metadata.<key>', 'NOT' or '('";

#[test]
fn missing_or_unknown_operands() {
    check_error("", &format!("{START}, found end of input"), 1);
    check_error("   ", &format!("{START}, found end of input"), 4);
    check_error("foo = 1", &format!("{START}, found 'foo'"), 1);
    check_error("x.y = 1", &format!("{START}, found 'x'"), 1);
    check_error("= 1", &format!("{START}, found '='"), 1);
    check_error(
        "metadata.x = 1 AND",
        &format!("{START}, found end of input"),
        19,
    );
    check_error(
        "metadata.x = 1 OR OR metadata.y = 1",
        &format!("{START}, found 'OR'"),
        19,
    );
    check_error("NOT", &format!("{START}, found end of input"), 4);
    check_error("()", &format!("{START}, found ')'"), 2);
    check_error(
        "metadata.x = 1 AND & metadata.y = 2",
        &format!("{START}, found '&'"),
        20,
    );
    check_error("metadata.x = 1 AND 5", &format!("{START}, found '5'"), 20);
}

#[test]
fn field_errors() {
    check_error(
        "metadata = 1",
        "expected '.' and a key after 'metadata', found ' '",
        9,
    );
    check_error(
        "metadata",
        "expected '.' and a key after 'metadata', found end of input",
        9,
    );
    check_error(
        "metadata. = 1",
        "expected a key after 'metadata.', found ' '",
        10,
    );
    check_error(
        "metadata.=1",
        "expected a key after 'metadata.', found '='",
        10,
    );
    check_error(
        "metadata.",
        "expected a key after 'metadata.', found end of input",
        10,
    );
    check_error(
        r#"metadata."weird key = 1"#,
        "expected a closing '\"' for the string, found end of input",
        10,
    );
}

#[test]
fn operator_errors() {
    let expected_op = "expected an operator (=, !=, <, <=, >, >=, %) after the key";
    check_error("metadata.x 1", &format!("{expected_op}, found '1'"), 12);
    check_error(
        "metadata.x",
        &format!("{expected_op}, found end of input"),
        11,
    );
    check_error(
        "metadata.x AND metadata.y = 1",
        &format!("{expected_op}, found 'AND'"),
        12,
    );
    check_error("metadata.x ! 1", "expected '=' after '!', found ' '", 13);
    check_error(
        "metadata.x !",
        "expected '=' after '!', found end of input",
        13,
    );
}

#[test]
fn literal_errors() {
    check_error(
        "metadata.x =",
        "expected a string or number after '=', found end of input",
        13,
    );
    check_error(
        "metadata.x != true",
        "expected a string or number after '!=', found 'true'",
        15,
    );
    check_error(
        "metadata.x <= (1)",
        "expected a string or number after '<=', found '('",
        15,
    );
    check_error(
        "metadata.x > AND",
        "expected a string or number after '>', found 'AND'",
        14,
    );
    check_error(
        "metadata.x >= 'a'",
        "expected a string or number after '>=', found '''",
        15,
    );
    check_error(
        "metadata.x < metadata.y",
        "expected a string or number after '<', found 'metadata.y'",
        14,
    );
}

#[test]
fn number_errors() {
    let json = "expected a number in JSON syntax";
    check_error("metadata.x = 1.", &format!("{json}, found '1.'"), 14);
    check_error("metadata.x = 01", &format!("{json}, found '01'"), 14);
    check_error("metadata.x = 1x", &format!("{json}, found '1x'"), 14);
    check_error("metadata.x = -", &format!("{json}, found '-'"), 14);
    check_error("metadata.x = --1", &format!("{json}, found '--1'"), 14);
    check_error("metadata.x = 1e", &format!("{json}, found '1e'"), 14);
    check_error(
        "metadata.x = 1ANDmetadata.y=1",
        &format!("{json}, found '1ANDmetadata.y'"),
        14,
    );
    let range = "expected an integer from -9223372036854775808 to 18446744073709551615 \
                 (write a float such as 1e20 for larger numbers)";
    check_error(
        "metadata.x = 18446744073709551616",
        &format!("{range}, found '18446744073709551616'"),
        14,
    );
    check_error(
        "metadata.x = -9223372036854775809",
        &format!("{range}, found '-9223372036854775809'"),
        14,
    );
    check_error(
        "metadata.x = 1234567890123456789012345678901234567890123",
        &format!("{range}, found '1234567890123456789012345678901234567890...'"),
        14,
    );
    check_error(
        "metadata.x = 1e400",
        "expected a finite number, found '1e400'",
        14,
    );
    check_error(
        "metadata.x = -1e400",
        "expected a finite number, found '-1e400'",
        14,
    );
}

#[test]
fn string_errors() {
    check_error(
        r#"metadata.x = "abc"#,
        "expected a closing '\"' for the string, found end of input",
        14,
    );
    let escape = r#"expected an escape: \", \\, \/, \b, \f, \n, \r, \t or \uXXXX"#;
    check_error(
        r#"metadata.x = "a\q""#,
        &format!(r"{escape}, found '\q'"),
        16,
    );
    check_error(r#"metadata.x = "a\"#, &format!(r"{escape}, found '\'"), 16);
    check_error(
        "metadata.x = \"a\nb\"",
        "expected an escape such as \\n for a control character, found U+000A",
        16,
    );
    check_error(
        "metadata.x = \"\u{1}\"",
        "expected an escape such as \\n for a control character, found U+0001",
        15,
    );
    check_error(
        r#"metadata.x = "\u12G4""#,
        r"expected four hex digits after \u, found '\u12G'",
        15,
    );
    check_error(
        r#"metadata.x = "\u12""#,
        r"expected four hex digits after \u, found '\u12'",
        15,
    );
    check_error(
        r#"metadata.x = "\udc00""#,
        r"expected a \u escape that is not a lone low surrogate, found '\udc00'",
        15,
    );
    let pair = r"expected a high surrogate escape followed by a \uDC00-\uDFFF low surrogate";
    check_error(
        r#"metadata.x = "\ud83d x""#,
        &format!(r"{pair}, found '\ud83d'"),
        15,
    );
    check_error(
        r#"metadata.x = "\ud83d\u0041""#,
        &format!(r"{pair}, found '\ud83d\u0041'"),
        15,
    );
    check_error(
        r#"metadata."\x" = 1"#,
        &format!(r"{escape}, found '\x'"),
        11,
    );
}

#[test]
fn modulo_errors() {
    check_error(
        "metadata.x % = 1",
        "expected an integer modulus after '%', found '='",
        14,
    );
    check_error(
        "metadata.x % 2.5 = 1",
        "expected an integer modulus after '%', found '2.5'",
        14,
    );
    check_error(
        r#"metadata.x % "2" = 1"#,
        "expected an integer modulus after '%', found '\"2\"'",
        14,
    );
    check_error(
        "metadata.x % 0 = 1",
        "expected a non-zero modulus, found 0",
        14,
    );
    check_error(
        "metadata.x % -0 = 1",
        "expected a non-zero modulus, found 0",
        14,
    );
    check_error(
        "metadata.x % 2 1",
        "expected a comparison operator (=, !=, <, <=, >, >=) after the modulus, found '1'",
        16,
    );
    check_error(
        "metadata.x % 2 % 3 = 1",
        "expected a comparison operator (=, !=, <, <=, >, >=) after the modulus, found '%'",
        16,
    );
    check_error(
        "metadata.x % 2 = 1.0",
        "expected an integer remainder after '=', found '1.0'",
        18,
    );
    check_error(
        "metadata.x % 2 >=",
        "expected an integer remainder after '>=', found end of input",
        18,
    );
}

#[test]
fn structure_errors() {
    check_error(
        "(metadata.x = 1",
        "expected 'AND', 'OR' or ')' closing the '(' at column 1, found end of input",
        16,
    );
    check_error(
        "metadata.y = 2 AND ((metadata.x = 1) metadata.z = 3)",
        "expected 'AND', 'OR' or ')' closing the '(' at column 20, found 'metadata.z'",
        38,
    );
    check_error(
        "metadata.x = 1)",
        "expected 'AND', 'OR' or end of input, found ')'",
        15,
    );
    check_error(
        "metadata.x = 1 metadata.y = 2",
        "expected 'AND', 'OR' or end of input, found 'metadata.y'",
        16,
    );
    check_error(
        "metadata.x = 1 NOT metadata.y = 2",
        "expected 'AND', 'OR' or end of input, found 'NOT'",
        16,
    );
    check_error(
        "metadata.x = 1 ANDNOT metadata.y = 2",
        "expected 'AND', 'OR' or end of input, found 'ANDNOT'",
        16,
    );
}

#[test]
fn nesting_is_limited() {
    let ok = format!(
        "{}metadata.x = 1{}",
        "(".repeat(MAX_NESTING),
        ")".repeat(MAX_NESTING)
    );
    assert!(Query::parse(&ok).is_ok());
    let deep = format!(
        "{}metadata.x = 1{}",
        "(".repeat(MAX_NESTING + 1),
        ")".repeat(MAX_NESTING + 1)
    );
    let message =
        format!("expected at most {MAX_NESTING} nested parentheses and 'NOT's, found one more");
    check_error(&deep, &message, MAX_NESTING + 1);
    let nots = format!("{}metadata.x = 1", "NOT ".repeat(MAX_NESTING + 1));
    check_error(&nots, &message, 4 * MAX_NESTING + 1);
    // Far deeper input still returns an error instead of overflowing the stack.
    let very_deep = "(".repeat(1_000_000);
    check_error(&very_deep, &message, MAX_NESTING + 1);
    // Long flat chains are not nesting.
    let chain = vec!["metadata.x = 1"; 100_000].join(" OR ");
    assert!(Query::parse(&chain).is_ok());
}

#[test]
fn columns_count_characters_not_bytes() {
    check_error(
        "metadata.größe = ",
        "expected a string or number after '=', found end of input",
        18,
    );
    check_error(
        r#"metadata.x = "😀😀" AND"#,
        &format!("{START}, found end of input"),
        22,
    );
    check_error(
        "metadata.é = 1 ü",
        "expected 'AND', 'OR' or end of input, found 'ü'",
        16,
    );
}

#[test]
fn long_tokens_are_cut_in_messages() {
    let long = format!("metadata.x = 1 {}", "a".repeat(100));
    let found = format!("'{}...'", "a".repeat(40));
    check_error(
        &long,
        &format!("expected 'AND', 'OR' or end of input, found {found}"),
        16,
    );
}

#[test]
fn render_puts_carets_under_the_bad_token() {
    let input = "metadata.x = 1 AND metadata.y = AND";
    let error = Query::parse(input).unwrap_err();
    assert_eq!(
        error.render(input),
        format!(
            "{input}\n{}^^^ expected a string or number after '=', found 'AND'",
            " ".repeat(32)
        )
    );
    let input = "metadata.x =";
    assert_eq!(
        Query::parse(input).unwrap_err().render(input),
        format!(
            "{input}\n{}^ expected a string or number after '=', found end of input",
            " ".repeat(12)
        )
    );
    // Tabs and line breaks are shown as spaces so the caret lines up.
    let input = "metadata.x = 1\n\tOR x";
    assert_eq!(
        Query::parse(input).unwrap_err().render(input),
        format!(
            "metadata.x = 1  OR x\n{}^ expected 'metadata.<key>', 'NOT' or '(', found 'x'",
            " ".repeat(19)
        )
    );
}

#[test]
fn error_offsets_are_bytes() {
    let error = Query::parse("metadata.é = x").unwrap_err();
    assert_eq!((error.offset(), error.column()), (14, 14));
    let error = Query::parse("metadata.éé = x").unwrap_err();
    assert_eq!((error.offset(), error.column()), (16, 15));
}

/// Asserts that `input` fails to parse as a sort key with `expected_message` at `column`.
#[track_caller]
fn check_sort_error(input: &str, expected_message: &str, expected_column: usize) {
    let error = SortKey::parse(input).unwrap_err();
    assert_eq!(
        (error.to_string(), error.column()),
        (
            format!("column {expected_column}: {expected_message}"),
            expected_column
        ),
        "sort key {input:?}"
    );
}

#[test]
fn sort_key_errors() {
    let expected = "expected 'metadata.<key>' or '-metadata.<key>'";
    check_sort_error("", &format!("{expected}, found end of input"), 1);
    check_sort_error("-", &format!("{expected}, found end of input"), 2);
    check_sort_error("--metadata.x", &format!("{expected}, found '-'"), 2);
    check_sort_error("+metadata.x", &format!("{expected}, found '+'"), 1);
    check_sort_error("score", &format!("{expected}, found 'score'"), 1);
    check_sort_error(
        "metadata.",
        "expected a key after 'metadata.', found end of input",
        10,
    );
    check_sort_error(
        "metadata.x desc",
        "expected end of input after the sort key, found 'desc'",
        12,
    );
    check_sort_error(
        "metadata.x = 1",
        "expected end of input after the sort key, found '='",
        12,
    );
}
