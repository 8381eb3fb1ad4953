//! Checks of a parsed query against the keys a dataset holds, so the CLI can tell a typo or a
//! comparison that is always false from a query that simply matches nothing.

use std::collections::HashMap;
use std::fmt;

use nucleus_model::suggest::edit_distance;

use super::{Comparison, Query, Test, render_caret};

/// The kind of values a dataset holds for a metadata key (SPEC section 2), as found by
/// profiling it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyKind {
    /// Only strings (besides `null`).
    String,
    /// Only numbers (besides `null`).
    Number,
    /// Both strings and numbers: the dataset breaks type consistency. The key is searchable
    /// and no comparison on it is reported as always false.
    Mixed,
    /// Only booleans, lists or objects: the key is not searchable.
    Other,
}

/// The kind of a literal in a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LiteralKind {
    /// A string literal.
    String,
    /// A number literal, or the modulo form.
    Number,
}

/// How bad a [`Finding`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Severity {
    /// The query runs but probably does not do what was meant.
    Warning,
    /// The query should not be run.
    Error,
}

/// One problem [`Query::check`] found, with the column (1-based, in characters) it points at.
///
/// The data is kept apart from the message: [`Display`](fmt::Display) on [`FindingKind`] gives
/// the message, [`Finding::render`] the source with a caret.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// 1-based column, in characters, of `metadata.<key>` or of the literal concerned.
    pub column: usize,
    /// Width in characters of the token pointed at.
    pub width: usize,
    /// What was found.
    pub kind: FindingKind,
}

/// What a [`Finding`] is about.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FindingKind {
    /// Error: the dataset holds the key only as booleans, lists or objects, which the query
    /// bar cannot search.
    NotSearchable {
        /// The key.
        key: String,
    },
    /// Warning: no item of the dataset has the key (a typo?), so the comparison is always
    /// false.
    UnknownKey {
        /// The key.
        key: String,
        /// The closest key the dataset has, by edit distance, if one is close.
        suggestion: Option<String>,
    },
    /// Warning: a string key compared to a number (or used with `%`), or a number key compared
    /// to a string; always false.
    KindMismatch {
        /// The key.
        key: String,
        /// What the dataset holds for the key.
        key_kind: KeyKind,
        /// What the query compares it to.
        literal_kind: LiteralKind,
    },
    /// Warning: no remainder of the modulus satisfies the comparison (`% 5 = 7`, `% 5 < 0`),
    /// so it is always false whatever the dataset holds.
    ModuloNeverTrue {
        /// The key.
        key: String,
        /// The modulus as written.
        modulus: i128,
    },
}

impl Query {
    /// Checks the query against the keys of a dataset and the kind of values each holds.
    ///
    /// Reports, for every comparison in the query (in order of appearance): an error when the
    /// dataset holds the key only as booleans, lists or objects; a warning when it never has
    /// the key (with the closest existing key as a suggestion when one is close); a warning
    /// when a string key is compared to a number or a number key to a string; a warning when a
    /// modulo comparison can never hold. An empty result means nothing to report.
    ///
    /// ```
    /// use nucleus_query::{KeyKind, Query, Severity};
    ///
    /// let query = Query::parse(r#"metadata.wether = "rain""#)?;
    /// let findings = query.check([("weather", KeyKind::String), ("frame", KeyKind::Number)]);
    /// assert_eq!(findings.len(), 1);
    /// assert_eq!(findings[0].severity, Severity::Warning);
    /// assert_eq!(
    ///     findings[0].kind.to_string(),
    ///     "the dataset has no key metadata.wether, so this comparison is always false; \
    ///      did you mean metadata.weather?"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn check<K: AsRef<str>>(
        &self,
        dataset_keys: impl IntoIterator<Item = (K, KeyKind)>,
    ) -> Vec<Finding> {
        let owned: Vec<(K, KeyKind)> = dataset_keys.into_iter().collect();
        let kinds: HashMap<&str, KeyKind> = owned
            .iter()
            .map(|(key, kind)| (key.as_ref(), *kind))
            .collect();
        let mut findings = Vec::new();
        self.expr.for_each_comparison(&mut |comparison| {
            check_comparison(comparison, &kinds, &mut findings);
        });
        findings
    }
}

fn check_comparison(
    comparison: &Comparison,
    kinds: &HashMap<&str, KeyKind>,
    findings: &mut Vec<Finding>,
) {
    let key = &*comparison.key;
    let (key_column, key_width) = comparison.key_span;
    let (literal_column, literal_width) = comparison.literal_span;
    if let Test::Mod {
        modulus,
        op,
        remainder,
    } = comparison.test
        && !modulo_can_hold(modulus, op, remainder)
    {
        findings.push(Finding {
            severity: Severity::Warning,
            column: literal_column,
            width: literal_width,
            kind: FindingKind::ModuloNeverTrue {
                key: key.to_owned(),
                modulus,
            },
        });
    }
    let literal_kind = match comparison.test {
        Test::Str { .. } => LiteralKind::String,
        Test::Num { .. } | Test::Mod { .. } => LiteralKind::Number,
    };
    match kinds.get(key) {
        None => findings.push(Finding {
            severity: Severity::Warning,
            column: key_column,
            width: key_width,
            kind: FindingKind::UnknownKey {
                key: key.to_owned(),
                suggestion: closest_key(key, kinds).map(str::to_owned),
            },
        }),
        Some(KeyKind::Other) => findings.push(Finding {
            severity: Severity::Error,
            column: key_column,
            width: key_width,
            kind: FindingKind::NotSearchable {
                key: key.to_owned(),
            },
        }),
        Some(&key_kind @ (KeyKind::String | KeyKind::Number))
            if (key_kind == KeyKind::String) != (literal_kind == LiteralKind::String) =>
        {
            findings.push(Finding {
                severity: Severity::Warning,
                column: literal_column,
                width: literal_width,
                kind: FindingKind::KindMismatch {
                    key: key.to_owned(),
                    key_kind,
                    literal_kind,
                },
            });
        }
        Some(_) => {}
    }
}

/// Whether some remainder in `0..|modulus|` satisfies `remainder op literal`.
fn modulo_can_hold(modulus: i128, op: super::CmpOp, literal: i128) -> bool {
    use super::CmpOp;
    let largest = modulus.unsigned_abs().saturating_sub(1);
    let largest = i128::try_from(largest).unwrap_or(i128::MAX);
    match op {
        CmpOp::Eq => (0..=largest).contains(&literal),
        CmpOp::Ne => largest > 0 || literal != 0,
        CmpOp::Lt => literal > 0,
        CmpOp::Le => literal >= 0,
        CmpOp::Gt => literal < largest,
        CmpOp::Ge => literal <= largest,
    }
}

/// The searchable dataset key nearest to `key` by edit distance, if it is close: at most a
/// third of the key's length (at least 1) and less than its whole length. Ties go to the
/// smaller key so the suggestion does not depend on hash order.
fn closest_key<'k>(key: &str, kinds: &HashMap<&'k str, KeyKind>) -> Option<&'k str> {
    let n_chars = key.chars().count();
    let threshold = (n_chars / 3).max(1);
    kinds
        .iter()
        .filter(|(_, kind)| **kind != KeyKind::Other)
        .map(|(candidate, _)| (edit_distance(key, candidate), *candidate))
        .filter(|(distance, _)| *distance <= threshold && *distance < n_chars)
        .min()
        .map(|(_, candidate)| candidate)
}

impl Finding {
    /// The source on one line with carets under the token this finding points at, followed
    /// by the severity and message (see [`ParseError::render`](super::ParseError::render)).
    #[must_use]
    pub fn render(&self, source: &str) -> String {
        let severity = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        render_caret(
            source,
            self.column,
            self.width,
            &format!("{severity}: {}", self.kind),
        )
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.kind)
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FindingKind::NotSearchable { key } => write!(
                f,
                "{} is not searchable: the dataset holds it only as booleans, lists or objects",
                Field(key)
            ),
            FindingKind::UnknownKey { key, suggestion } => {
                write!(
                    f,
                    "the dataset has no key {}, so this comparison is always false",
                    Field(key)
                )?;
                match suggestion {
                    Some(suggestion) => write!(f, "; did you mean {}?", Field(suggestion)),
                    None => Ok(()),
                }
            }
            FindingKind::KindMismatch {
                key,
                key_kind,
                literal_kind,
            } => {
                let held = match key_kind {
                    KeyKind::String => "strings",
                    KeyKind::Number => "numbers",
                    KeyKind::Mixed => "strings and numbers",
                    KeyKind::Other => "booleans, lists or objects",
                };
                let compared = match literal_kind {
                    LiteralKind::String => "a string",
                    LiteralKind::Number => "a number",
                };
                write!(
                    f,
                    "{} holds {held} in the dataset but is compared to {compared}, \
                     so this comparison is always false",
                    Field(key)
                )
            }
            FindingKind::ModuloNeverTrue { key, modulus } => write!(
                f,
                "{} % {modulus} is always in 0..{}, so this comparison is always false",
                Field(key),
                modulus.unsigned_abs()
            ),
        }
    }
}

/// Displays a key the way the query spells it: `metadata.key` or `metadata."weird key"`.
struct Field<'k>(&'k str);

impl fmt::Display for Field<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        super::write_field(f, self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modulo_satisfiability() {
        use super::super::CmpOp;
        assert!(modulo_can_hold(5, CmpOp::Eq, 4));
        assert!(!modulo_can_hold(5, CmpOp::Eq, 5));
        assert!(!modulo_can_hold(-5, CmpOp::Eq, -1));
        assert!(!modulo_can_hold(1, CmpOp::Ne, 0));
        assert!(modulo_can_hold(1, CmpOp::Ne, 3));
        assert!(!modulo_can_hold(5, CmpOp::Lt, 0));
        assert!(modulo_can_hold(5, CmpOp::Le, 0));
        assert!(!modulo_can_hold(5, CmpOp::Gt, 4));
        assert!(modulo_can_hold(5, CmpOp::Ge, 4));
        assert!(!modulo_can_hold(5, CmpOp::Ge, 5));
    }
}
