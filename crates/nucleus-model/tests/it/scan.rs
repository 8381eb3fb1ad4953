//! The fast scanner against the strict parser: what the scanner accepts, `json::parse` accepts
//! with the same kind of value, and every number the scanner reads has the parser's value.

use nucleus_model::json;
use nucleus_model::scan::{Scanner, Token};
use proptest::prelude::*;
use serde_json::Value;

fn token_of(value: &Value) -> Token {
    match value {
        Value::Null => Token::Null,
        Value::Bool(_) => Token::Bool,
        Value::Number(_) => Token::Number,
        Value::String(_) => Token::String,
        Value::Array(_) => Token::Array,
        Value::Object(_) => Token::Object,
    }
}

/// Texts built from JSON's tokens, so that many are valid and the rest are near misses.
fn jsonish() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        " ",
        "\t",
        "\"a\"",
        "\"b\"",
        "\"a\\u0062\"",
        "\"ab\"",
        "\"\\u0061\"",
        "\"\\u0061b\"",
        "\"\\ud83d\\ude00\"",
        "\"😀\"",
        "\"\\ud800\"",
        "\"\\udc00\"",
        "\"\\ud800\\u0041\"",
        "\"\\ud800\\\\\"",
        "\"\\n\"",
        "\"é\"",
        "\"\u{1}\"",
        "0",
        "-0",
        "1",
        "-1.5",
        "1e5",
        "1e400",
        "1e-400",
        "2.",
        "01",
        "123456789012345678901",
        "18446744073709551615",
        "true",
        "false",
        "null",
        "nul",
    ]);
    prop::collection::vec(piece, 1..16).prop_map(|pieces| pieces.concat())
}

fn number_literal() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<f64>()
            .prop_filter("finite", |v| v.is_finite())
            .prop_map(|v| v.to_string()),
        any::<f64>()
            .prop_filter("finite", |v| v.is_finite())
            .prop_map(|v| format!("{v:e}")),
        any::<i64>().prop_map(|v| v.to_string()),
        any::<u64>().prop_map(|v| v.to_string()),
        (
            "-?[1-9][0-9]{0,20}",
            "[0-9]{1,20}",
            prop::option::of(-300i32..300)
        )
            .prop_map(|(int, frac, exp)| match exp {
                Some(exp) => format!("{int}.{frac}e{exp}"),
                None => format!("{int}.{frac}"),
            }),
    ]
}

/// Objects whose keys are written in several ways, some the same once decoded.
fn object_with_escaped_keys() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "a",
        "\\u0061",
        "ab",
        "a\\u0062",
        "\\u0061\\u0062",
        "é",
        "\\u00e9",
        "\\u00E9",
        "😀",
        "\\ud83d\\ude00",
        "\\uD83D\\uDE00",
        "\\ud83d",
        "\\ude00",
        "/",
        "\\/",
        "\\n",
        "\\u000a",
        "\\u0000",
        "\\\\",
        "\\\"",
        "",
    ]);
    prop::collection::vec(
        (
            key,
            prop::sample::select(vec!["1", "-0", "{}", "{\"\\u0061\":1,\"a\":2}"]),
        ),
        0..5,
    )
    .prop_map(|members| {
        let members: Vec<String> = members
            .iter()
            .map(|(key, value)| format!("\"{key}\":{value}"))
            .collect();
        format!("{{{}}}", members.join(","))
    })
}

fn scan(text: &str) -> Option<Token> {
    let mut scanner = Scanner::new(text);
    let token = scanner.skip().ok()?;
    scanner.end().ok()?;
    Some(token)
}

proptest! {
    #[test]
    fn what_the_scanner_accepts_the_parser_accepts(text in jsonish()) {
        if let Some(token) = scan(&text) {
            let value = json::parse(&text);
            prop_assert!(value.is_ok(), "{text:?}: {value:?}");
            prop_assert_eq!(token_of(&value.unwrap()), token);
        }
    }

    #[test]
    fn keys_read_decoded_as_the_parser_reads_them(text in object_with_escaped_keys()) {
        let parsed = json::parse(&text);
        let mut scanner = Scanner::new(&text);
        let mut keys = Vec::new();
        let scanned = (|| {
            let mut object = scanner.begin_object()?;
            while let Some(key) = scanner.next_any_key(&mut object)? {
                keys.push(key.to_str().into_owned());
                scanner.skip()?;
            }
            scanner.end()
        })();
        match (scanned, parsed) {
            (Ok(()), Ok(Value::Object(map))) => {
                let expected: Vec<&String> = map.keys().collect();
                prop_assert_eq!(keys.iter().collect::<Vec<_>>(), expected, "{}", text);
            }
            (Ok(()), other) => prop_assert!(false, "{text}: scanner accepted, parser gave {other:?}"),
            // Unsure is always allowed, but only duplicates and lone surrogates need it here.
            (Err(_), Ok(_)) => prop_assert!(false, "{text}: scanner unsure of valid JSON"),
            (Err(_), Err(_)) => {}
        }
    }

    #[test]
    fn numbers_read_as_the_parser_reads_them(text in number_literal()) {
        let mut scanner = Scanner::new(&text);
        if let Ok(number) = scanner.number() {
            let Value::Number(parsed) = json::parse(&text).unwrap() else {
                panic!("{text} is not a number");
            };
            let expected = parsed.as_f64().unwrap();
            prop_assert_eq!(number.to_f64().to_bits(), expected.to_bits(), "{}", text);
            prop_assert_eq!(number.to_u64(), parsed.as_u64().filter(|_| number.is_integer));
        }
    }
}

#[test]
fn every_valid_json_test_suite_text_the_scanner_accepts_is_valid() {
    let (mut n_accepted, mut n_files) = (0, 0);
    for case in nucleus_testdata::json_test_suite().unwrap() {
        let Ok(text) = String::from_utf8(case.bytes) else {
            continue;
        };
        n_files += 1;
        if let Some(token) = scan(&text) {
            n_accepted += 1;
            let value = json::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", case.name));
            assert_eq!(token_of(&value), token, "{}", case.name);
        }
    }
    assert!(
        n_files > 250 && n_accepted > 50,
        "{n_accepted} of {n_files}"
    );
}
