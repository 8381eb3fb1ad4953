//! Edge files: empty, only blank lines, no final newline, byte order mark, CRLF, mixed endings.

use crate::{Case, Line, raw};

#[test]
fn empty_input() {
    Case::new(vec![], vec![]).assert_everywhere();
}

#[test]
fn only_blank_lines() {
    for ending in ["\n", "\r\n"] {
        Case {
            ending,
            ..Case::new(
                vec![raw(""), raw("  "), raw("\t"), raw(""), raw(" \t ")],
                vec![],
            )
        }
        .assert_everywhere();
    }
}

#[test]
fn no_final_newline() {
    Case {
        final_newline: false,
        ..Case::new(
            vec![Line::Valid(1), raw("[]"), Line::Valid(3)],
            vec![(2, "not-an-object")],
        )
    }
    .assert_everywhere();
}

#[test]
fn byte_order_mark_at_the_start() {
    // The mark is not part of line 1, which is read as a valid item.
    Case {
        bom: true,
        ..Case::new(
            vec![Line::Valid(1), raw("null"), Line::Valid(3)],
            vec![(2, "not-an-object")],
        )
    }
    .assert_everywhere();
    // A mark inside the file (two files concatenated) is not JSON on its line.
    let mut second = b"\xEF\xBB\xBF".to_vec();
    second.extend(crate::item(2).as_bytes());
    Case::new(
        vec![Line::Valid(1), Line::Raw(second), Line::Valid(3)],
        vec![(2, "invalid-json")],
    )
    .assert_everywhere();
}

#[test]
fn crlf_endings() {
    Case {
        ending: "\r\n",
        ..Case::new(
            vec![Line::Valid(1), raw(""), raw("{"), Line::Valid(4)],
            vec![(3, "invalid-json")],
        )
    }
    .assert_everywhere();
}

#[test]
fn mixed_endings_keep_line_numbers() {
    // Lines end with \n, \r\n, a blank \r\n, \n; a bare \r is not a line ending.
    let lines = vec![
        Line::Valid(1),
        Line::ValidCr(2),
        raw("\r"),
        raw("{\"a\"\r:"),
        Line::ValidCr(5),
        Line::Valid(6),
    ];
    Case::new(lines, vec![(4, "invalid-json")]).assert_everywhere();
}
