//! Showing user text (metadata keys and values, messages quoting them) on a terminal or in a
//! report: control characters are escaped, so a value cannot move the cursor or hide itself.

/// `text` with every control character written as its Rust escape (`\n`, `\u{1b}`, ...).
///
/// ```
/// use nucleus_model::display::escape_controls;
///
/// assert_eq!(escape_controls("a\tb\u{1b}[2J"), "a\\tb\\u{1b}[2J");
/// ```
#[must_use]
pub fn escape_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if ch.is_control() {
            out.extend(ch.escape_default());
        } else {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_control_characters_change() {
        assert_eq!(
            escape_controls("plain ünïcode ✓ \"q\" \\"),
            "plain ünïcode ✓ \"q\" \\"
        );
        assert_eq!(
            escape_controls("\r\n\0\u{7f}\u{85}"),
            "\\r\\n\\u{0}\\u{7f}\\u{85}"
        );
        assert_eq!(escape_controls(""), "");
    }
}
