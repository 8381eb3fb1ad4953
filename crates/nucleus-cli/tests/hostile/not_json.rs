//! Lines that are not acceptable JSON, between valid lines.

use crate::{Case, Line, finding_on, raw};

const ID: &str = r#""image_location":"s3://b/x.jpg","reference_id":"x""#;

/// A hostile line between two valid ones.
fn between(bad: Line, code: &str) -> Vec<serde_json::Value> {
    Case::new(vec![Line::Valid(1), bad, Line::Valid(3)], vec![(2, code)]).assert_everywhere()
}

#[test]
fn invalid_utf8_mid_file_names_the_byte_column() {
    let diagnostics = between(
        raw(b"{\"image_location\":\"\xff.jpg\",\"reference_id\":\"2\"}"),
        "invalid-utf8",
    );
    let message = finding_on(&diagnostics, 2)["message"].as_str().unwrap();
    assert!(message.contains("byte column 20"), "{message}");
    // A truncated multi-byte character at the end of a line, then the next line is read.
    between(raw(b"{\"reference_id\":\"\xc3\"}"), "invalid-utf8");
}

#[test]
fn nul_bytes_inside_and_outside_strings() {
    let diagnostics = between(
        raw(format!("{{{ID},\"metadata\":{{\"a\":\"x\0y\"}}}}")),
        "invalid-json",
    );
    let message = finding_on(&diagnostics, 2)["message"].as_str().unwrap();
    assert!(message.contains("control character"), "{message}");
    between(raw(format!("\0{{{ID}}}")), "invalid-json");
    between(raw(b"\0\0\0\0"), "invalid-json");
}

#[test]
fn nan_and_infinity_tokens() {
    for token in ["NaN", "Infinity", "-Infinity", "nan", "inf"] {
        between(
            raw(format!("{{{ID},\"metadata\":{{\"x\":{token}}}}}")),
            "invalid-json",
        );
    }
}

#[test]
fn truncated_last_line() {
    let cut = crate::item(3);
    let case = Case {
        final_newline: false,
        ..Case::new(
            vec![Line::Valid(1), Line::Valid(2), raw(&cut[..cut.len() / 2])],
            vec![(3, "invalid-json")],
        )
    };
    let diagnostics = case.assert_everywhere();
    let message = finding_on(&diagnostics, 3)["message"].as_str().unwrap();
    assert!(message.contains("EOF while parsing"), "{message}");
}

#[test]
fn lines_that_are_not_objects() {
    let bad = ["[1, 2]", "null", "42", "\"text\"", "true", "[]"];
    let mut lines = vec![Line::Valid(1)];
    lines.extend(bad.iter().map(raw));
    lines.push(Line::Valid(8));
    let findings = (2..=7).map(|line| (line, "not-an-object")).collect();
    let diagnostics = Case::new(lines, findings).assert_everywhere();
    let message = finding_on(&diagnostics, 2)["message"].as_str().unwrap();
    assert_eq!(
        message,
        "expected a JSON object for a dataset item, found an array"
    );
}

#[test]
fn lone_surrogate_escapes() {
    for escape in [r"\ud800", r"\udc00", r"\ud800\u0041", r"\udbff\ud800"] {
        let diagnostics = between(
            raw(format!(
                r#"{{"image_location":"s3://b/2.jpg","reference_id":"a{escape}b"}}"#
            )),
            "invalid-json",
        );
        let message = finding_on(&diagnostics, 2)["message"].as_str().unwrap();
        assert!(message.contains("surrogate"), "{escape}: {message}");
    }
    // A proper pair is a character like any other.
    let pair = r#"{"image_location":"s3://b/2.jpg","reference_id":"\ud83d\ude00"}"#;
    let run = crate::support::nucleus(&["normalize", "-"], pair.as_bytes());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("\"reference_id\":\"\u{1f600}\""),
        "{}",
        run.stdout
    );
}

#[test]
fn duplicate_keys_name_their_object() {
    let diagnostics = between(
        raw(r#"{"image_location":"s3://b/2.jpg","reference_id":"2","reference_id":"3"}"#),
        "duplicate-key",
    );
    assert_eq!(finding_on(&diagnostics, 2)["path"], "");
    let diagnostics = between(
        raw(
            r#"{"image_location":"s3://b/2.jpg","reference_id":"2","metadata":{"a/b":{"k":1,"k":1}}}"#,
        ),
        "duplicate-key",
    );
    assert_eq!(finding_on(&diagnostics, 2)["path"], "/metadata/a~1b");
}

#[test]
fn extreme_nesting_is_an_error_not_a_stack_overflow() {
    between(raw("[".repeat(100_000)), "too-deeply-nested");
    between(raw("{\"a\":".repeat(100_000)), "too-deeply-nested");
    let deep_metadata = format!(
        "{{{ID},\"metadata\":{{\"x\":{}1{}}}}}",
        "[".repeat(200),
        "]".repeat(200)
    );
    let diagnostics = between(raw(deep_metadata), "too-deeply-nested");
    let message = finding_on(&diagnostics, 2)["message"].as_str().unwrap();
    assert!(message.contains("more than 127 levels"), "{message}");
    // 125 levels inside the item (127 with the item and metadata objects) are fine.
    let allowed = format!(
        r#"{{"image_location":"s3://b/2.jpg","reference_id":"2","metadata":{{"k":1,"x":{}1{}}}}}"#,
        "[".repeat(125),
        "]".repeat(125)
    );
    let case = Case::new(vec![Line::Valid(1), raw(allowed)], vec![]);
    let check = crate::support::nucleus(
        &["check", "-"],
        &crate::render(&case.lines, "\n", true, false),
    );
    assert_eq!(check.code, 0, "{}", check.stdout);
}

#[test]
fn numbers_beyond_f64_are_rejected() {
    for number in ["1e400", "-1e400", "1.5e308999", "1e-400", "-2.5e-350"] {
        let diagnostics = between(
            raw(format!("{{{ID},\"metadata\":{{\"x\":{number}}}}}")),
            "number-out-of-range",
        );
        let message = finding_on(&diagnostics, 2)["message"].as_str().unwrap();
        assert!(
            message.starts_with("number out of range"),
            "{number}: {message}"
        );
    }
}

#[test]
fn integers_beyond_64_bits_are_rejected_not_rounded() {
    for number in [
        "18446744073709551616",
        "-9223372036854775809",
        "123456789012345678901234567890",
    ] {
        let diagnostics = between(
            raw(format!("{{{ID},\"metadata\":{{\"list\":[0,{number}]}}}}")),
            "integer-too-large",
        );
        assert_eq!(finding_on(&diagnostics, 2)["path"], "/metadata/list/1");
    }
    // At the limits, integers are kept exactly; the integer -0 stays an integer; floats keep
    // their value (the exponent may be spelled differently).
    let line = r#"{"image_location":"s3://b/1.jpg","reference_id":"1","metadata":{"a":18446744073709551615,"b":-9223372036854775808,"c":-0,"d":-0.0,"e":5e-324,"f":1.7976931348623157e308}}"#;
    let run = crate::support::nucleus(&["normalize"], line.as_bytes());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "{\"image_location\":\"s3://b/1.jpg\",\"reference_id\":\"1\",\"metadata\":{\"a\":18446744073709551615,\"b\":-9223372036854775808,\"c\":0,\"d\":-0.0,\"e\":5e-324,\"f\":1.7976931348623157e+308}}\n"
    );
}

#[test]
fn a_huge_line_is_skipped_in_bounded_memory() {
    // 4 MB in a line, with a limit of 1 MB: reported with its length and skipped.
    let huge = format!(
        "{{{ID},\"metadata\":{{\"x\":\"{}\"}}}}",
        "x".repeat(4 << 20)
    );
    let case = Case {
        args: vec!["--max-line-bytes", "1048576"],
        ..Case::new(
            vec![Line::Valid(1), raw(&huge), Line::Valid(3)],
            vec![(2, "line-too-long")],
        )
    };
    let diagnostics = case.assert_everywhere();
    let message = finding_on(&diagnostics, 2)["message"].as_str().unwrap();
    assert_eq!(
        message,
        format!(
            "line is {} bytes long, more than the limit of 1048576; raise --max-line-bytes to read it",
            huge.len()
        )
    );

    // Memory: a 128 MiB line is skipped without being held. Other tests of this binary run
    // their own `nucleus` children at the same time, and getrusage(RUSAGE_CHILDREN) reports the
    // largest child, so the measurement runs in a child test process that runs only it.
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "not_json::peak_rss_of_checking_a_128_mib_line",
            "--exact",
            "--test-threads=1",
            "--nocapture",
        ])
        .env(PEAK_RSS_CHILD_ENV, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let peak_kib: u64 = stdout
        .lines()
        .find_map(|line| line.split("peak_rss_kib=").nth(1))
        .unwrap_or_else(|| panic!("no peak in the child's output: {stdout}"))
        .parse()
        .unwrap();
    // About 25 MB when the line is skipped; holding it would take more than 128 MiB.
    assert!(
        peak_kib < 64 * 1024,
        "nucleus check peaked at {} MiB on a 128 MiB line with a limit of 1 MiB",
        peak_kib / 1024
    );
}

/// Set in the child test process that measures one `nucleus check` run alone.
const PEAK_RSS_CHILD_ENV: &str = "NUCLEUS_CLI_PEAK_RSS_CHILD";

/// Runs `nucleus check` on a file with a 128 MiB line and prints its peak RSS; only as the
/// child of `a_huge_line_is_skipped_in_bounded_memory` (elsewhere it returns at once).
#[test]
fn peak_rss_of_checking_a_128_mib_line() {
    use std::io::Write;

    if std::env::var_os(PEAK_RSS_CHILD_ENV).is_none() {
        return;
    }
    let dir = crate::support::temp_dir("huge-line-memory");
    let path = dir.join("huge.jsonl");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(file, "{}", crate::item(1)).unwrap();
    write!(file, "{{{ID},\"metadata\":{{\"x\":\"").unwrap();
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..128 {
        file.write_all(&chunk).unwrap();
    }
    writeln!(file, "\"}}}}").unwrap();
    writeln!(file, "{}", crate::item(3)).unwrap();
    drop(file);
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_nucleus"))
        .args(["check", "-j1", "--max-line-bytes", "1048576"])
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains(":2: error[line-too-long]"), "{stdout}");
    assert!(stdout.contains("checked 3 items"), "{stdout}");
    let usage =
        nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN).unwrap();
    // Linux reports ru_maxrss in KiB.
    println!("peak_rss_kib={}", usage.max_rss());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_line_beyond_the_default_limit_of_64_mib() {
    let mut input = crate::item(1).into_bytes();
    input.push(b'\n');
    input.extend(std::iter::repeat_n(b' ', (64 << 20) + 1));
    input.extend(b"\n");
    input.extend(crate::item(3).as_bytes());
    let run = crate::support::nucleus(&["check", "-"], &input);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.starts_with(
            "-:2: error[line-too-long]: line is 67108865 bytes long, more than the limit of 67108864"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("checked 3 items in 1 file: 2 valid, 1 invalid"),
        "{}",
        run.stdout
    );
}
