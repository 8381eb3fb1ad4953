//! JSON text as Python's `json.dumps` writes it, so generated inputs look like what most
//! Nucleus users upload: `", "` and `": "` separators, floats as `repr` spells them (`1.0`,
//! `1e-05`, `1e+16`, shortest round trip), and with `ensure_ascii` (Python's default) every
//! non-ASCII character as a lowercase `\uXXXX` escape (a surrogate pair beyond the BMP).

use serde_json::{Number, Value};

/// Appends `value` to `out` as `json.dumps(value, ensure_ascii=ensure_ascii)` writes it.
pub fn write(out: &mut String, value: &Value, ensure_ascii: bool) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(number) => write_number(out, number),
        Value::String(text) => write_string(out, text, ensure_ascii),
        Value::Array(values) => {
            out.push('[');
            for (idx, element) in values.iter().enumerate() {
                if idx > 0 {
                    out.push_str(", ");
                }
                write(out, element, ensure_ascii);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (idx, (key, element)) in map.iter().enumerate() {
                if idx > 0 {
                    out.push_str(", ");
                }
                write_string(out, key, ensure_ascii);
                out.push_str(": ");
                write(out, element, ensure_ascii);
            }
            out.push('}');
        }
    }
}

fn write_number(out: &mut String, number: &Number) {
    if let Some(value) = number.as_i64() {
        out.push_str(&value.to_string());
    } else if let Some(value) = number.as_u64() {
        out.push_str(&value.to_string());
    } else if let Some(value) = number.as_f64() {
        out.push_str(&float_repr(value));
    }
}

/// `repr(value)` of a finite Python float: the shortest digits that round-trip, in positional
/// notation when the decimal exponent is in `[-4, 16)` (always with a fraction: `1.0`), else in
/// scientific notation with a sign and at least two exponent digits (`1e-05`, `1.5e+16`).
pub fn float_repr(value: f64) -> String {
    // `{:e}` gives the shortest round-trip digits: "-1.2345e-5", "1e16", "0e0".
    let scientific = format!("{value:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if !(-4..16).contains(&exponent) {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        let fraction = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        return format!(
            "{sign}{first}{fraction}e{exponent_sign}{:02}",
            exponent.unsigned_abs()
        );
    }
    let n_digits = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    let point = exponent + 1; // digits before the decimal point
    if point <= 0 {
        let zeros = "0".repeat(usize::try_from(-point).unwrap_or(0));
        format!("{sign}0.{zeros}{digits}")
    } else if point >= n_digits {
        let zeros = "0".repeat(usize::try_from(point - n_digits).unwrap_or(0));
        format!("{sign}{digits}{zeros}.0")
    } else {
        let (whole, fraction) = digits.split_at(usize::try_from(point).unwrap_or(0));
        format!("{sign}{whole}.{fraction}")
    }
}

fn write_string(out: &mut String, text: &str, ensure_ascii: bool) {
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ch if u32::from(ch) < 0x20 || (ensure_ascii && !ch.is_ascii()) => {
                let mut units = [0u16; 2];
                for unit in ch.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            ch => out.push(ch),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn dumps(value: &Value, ensure_ascii: bool) -> String {
        let mut out = String::new();
        write(&mut out, value, ensure_ascii);
        out
    }

    #[test]
    fn floats_are_spelled_as_python_repr() {
        // Each right-hand side is `repr(float(x))` from CPython 3.11.
        let cases = [
            (1.0, "1.0"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (0.1, "0.1"),
            (1e-4, "0.0001"),
            (1e-5, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (123.456, "123.456"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.2345e22, "1.2345e+22"),
            (48.137_154_123_456_78, "48.13715412345678"),
            (-122.419_416, "-122.419416"),
            (5e-324, "5e-324"),
            (1.797_693_134_862_315_7e308, "1.7976931348623157e+308"),
        ];
        for (value, expected) in cases {
            assert_eq!(float_repr(value), expected, "{value:e}");
        }
    }

    #[test]
    fn separators_and_escapes_are_pythons() {
        let value = json!({"Straße": "東京 🚗", "n": [1, 2.5, null, true], "q": "a\"b\\c\n\u{1}"});
        assert_eq!(
            dumps(&value, true),
            r#"{"Stra\u00dfe": "\u6771\u4eac \ud83d\ude97", "n": [1, 2.5, null, true], "q": "a\"b\\c\n\u0001"}"#
        );
        assert_eq!(
            dumps(&value, false),
            "{\"Straße\": \"東京 🚗\", \"n\": [1, 2.5, null, true], \"q\": \"a\\\"b\\\\c\\n\\u0001\"}"
        );
    }

    #[test]
    fn written_text_reads_back_as_the_same_value() {
        let value =
            json!({"lat": 35.676_192_123, "x": 1e-7, "big": 12_345_678_901_234_u64, "s": "Grüße"});
        for ensure_ascii in [true, false] {
            let text = dumps(&value, ensure_ascii);
            assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), value);
        }
    }
}
