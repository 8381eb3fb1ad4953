//! Python's `str()` of a JSON number, for the annotation ids the SDK generates with f-strings.

use serde_json::Number;

/// The text Python's `str()` gives for the number `json.loads` reads from this JSON number: an
/// integer in decimal, a float as `repr` prints it (the shortest digits that read back to the
/// same float; exponent form below 1e-4 and from 1e16 on, `e+16`, `e-05`; `.0` on integral
/// floats).
#[must_use]
pub fn str(number: &Number) -> String {
    if let Some(int) = number.as_i64() {
        return int.to_string();
    }
    if let Some(uint) = number.as_u64() {
        return uint.to_string();
    }
    match number.as_f64() {
        Some(float) => float_repr(float),
        None => number.to_string(),
    }
}

/// Python's `repr(float)`, from Rust's shortest round-trip digits (`{:e}`).
#[must_use]
pub fn float_repr(float: f64) -> String {
    if float.is_nan() {
        return "nan".to_owned();
    }
    if float.is_infinite() {
        return if float > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    // `{:e}` prints the shortest digits that round-trip: `-1.2345e-7`, `1e16`, `0e0`.
    let scientific = format!("{float:e}");
    let (sign, unsigned) = match scientific.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", scientific.as_str()),
    };
    let Some((mantissa, exponent)) = unsigned.split_once('e') else {
        return scientific;
    };
    let Ok(exponent) = exponent.parse::<i32>() else {
        return scientific;
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    // Python writes exponent form when the decimal point would sit more than 16 places after
    // the first digit or 4 or more places before it (`format_float_short`, mode 'r').
    let mut out = String::from(sign);
    if !(-4..16).contains(&exponent) {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        out.push_str(&format!("e{exponent_sign}{:02}", exponent.unsigned_abs()));
        return out;
    }
    let n_digits = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    // The decimal point goes after `point` digits (negative: zeros before the digits).
    let point = exponent + 1;
    if point <= 0 {
        out.push_str("0.");
        for _ in 0..-point {
            out.push('0');
        }
        out.push_str(&digits);
    } else if point >= n_digits {
        out.push_str(&digits);
        for _ in 0..(point - n_digits) {
            out.push('0');
        }
        out.push_str(".0");
    } else {
        let split = usize::try_from(point).unwrap_or(0);
        let (whole, fraction) = digits.split_at(split.min(digits.len()));
        out.push_str(whole);
        out.push('.');
        out.push_str(fraction);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_python_repr() {
        // Each pair checked against CPython 3.11's repr.
        let cases = [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (10.5, "10.5"),
            (0.1, "0.1"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (0.000012345, "1.2345e-05"),
            (123_456_789.123_456_79, "123456789.12345679"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (2.5e-308, "2.5e-308"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (1234.5, "1234.5"),
            (-3.25, "-3.25"),
            (100.0, "100.0"),
            (9999999999999998.0, "9999999999999998.0"),
        ];
        for (float, expected) in cases {
            assert_eq!(float_repr(float), expected, "{float:e}");
        }
    }

    #[test]
    fn integers_stay_integers() {
        let n = |text: &str| serde_json::from_str::<Number>(text).unwrap();
        assert_eq!(str(&n("10")), "10");
        assert_eq!(str(&n("-7")), "-7");
        assert_eq!(str(&n("18446744073709551615")), "18446744073709551615");
        assert_eq!(str(&n("10.0")), "10.0");
        assert_eq!(str(&n("1e2")), "100.0");
    }
}
