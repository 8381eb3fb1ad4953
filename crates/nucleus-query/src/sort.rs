//! Sorting items by a numeric metadata key, as the query bar's sort control does.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};

use super::lexer::{Lexer, TokenKind, describe_found};
use super::{ParseError, write_field};
use nucleus_model::number::Num;

/// Which way a [`SortKey`] sorts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortDirection {
    /// Smallest first.
    #[default]
    Ascending,
    /// Largest first.
    Descending,
}

/// A numeric metadata key to sort items by: `metadata.<key>` ascending, `-metadata.<key>`
/// descending. The key is written as in a query (bare or as a JSON string).
///
/// Values compare by exact numeric value (integers and floats mixed, no rounding). Items that
/// lack the key, hold `null` or a non-number there come last in both directions, in their
/// original order: the sort is stable.
///
/// ```
/// use nucleus_query::{SortKey, sort_by_key};
/// use serde_json::{Map, Value, json};
///
/// let key = SortKey::parse("-metadata.score")?;
/// let mut items: Vec<Map<String, Value>> = [json!({"score": 1}), json!({}), json!({"score": 2.5})]
///     .into_iter()
///     .filter_map(|value| if let Value::Object(map) = value { Some(map) } else { None })
///     .collect();
/// sort_by_key(&mut items, &key, |item| item);
/// assert_eq!(items[0]["score"], json!(2.5));
/// assert!(items[2].is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SortKey {
    key: String,
    direction: SortDirection,
}

impl SortKey {
    /// A sort on `key` (the bare key, without `metadata.`) in `direction`.
    #[must_use]
    pub fn new(key: impl Into<String>, direction: SortDirection) -> Self {
        SortKey {
            key: key.into(),
            direction,
        }
    }

    /// Parses `metadata.<key>` or `-metadata.<key>`, with optional surrounding whitespace.
    ///
    /// # Errors
    ///
    /// A [`ParseError`] when the text is not one optional `-` followed by `metadata.<key>`.
    pub fn parse(source: &str) -> Result<SortKey, ParseError> {
        let expected = "'metadata.<key>' or '-metadata.<key>'";
        let trimmed = source.trim_start();
        let (direction, rest) = match trimmed.strip_prefix('-') {
            Some(rest) => (SortDirection::Descending, rest.trim_start()),
            None => (SortDirection::Ascending, trimmed),
        };
        let start = source.len() - rest.len();
        let mut lexer = Lexer::starting_at(source, start);
        // Only a word can start `metadata.`; anything else (a second '-', a digit) would lex as
        // a confusing bad number.
        if !rest.starts_with(char::is_alphabetic) {
            let found = rest.chars().next().map_or(String::new(), String::from);
            let column = source
                .get(..start)
                .map_or(1, |before| before.chars().count() + 1);
            return Err(ParseError::new(
                start,
                column,
                1,
                expected.to_owned(),
                describe_found(&found),
            ));
        }
        let token = lexer.next_token()?;
        let TokenKind::Field(key) = token.kind else {
            let text = source.get(token.offset..token.end).unwrap_or("");
            return Err(ParseError::new(
                token.offset,
                token.column,
                token.width.max(1),
                expected.to_owned(),
                describe_found(text),
            ));
        };
        let end = lexer.next_token()?;
        if end.kind != TokenKind::End {
            let text = source.get(end.offset..end.end).unwrap_or("");
            return Err(ParseError::new(
                end.offset,
                end.column,
                end.width.max(1),
                "end of input after the sort key".to_owned(),
                describe_found(text),
            ));
        }
        Ok(SortKey { key, direction })
    }

    /// The metadata key.
    #[must_use]
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Ascending or descending.
    #[must_use]
    pub fn direction(&self) -> SortDirection {
        self.direction
    }

    /// The order of two items' metadata under this key: by value in the key's direction,
    /// items without a number for the key after all others (and equal among themselves).
    #[must_use]
    pub fn compare(&self, left: &Map<String, Value>, right: &Map<String, Value>) -> Ordering {
        self.compare_values(self.value(left), self.value(right))
    }

    fn compare_values(&self, left: Option<Num>, right: Option<Num>) -> Ordering {
        match (left, right) {
            (Some(left), Some(right)) => {
                // Numbers read from JSON are finite, so the order is total.
                let ordering = left.cmp_exact(right).unwrap_or(Ordering::Equal);
                match self.direction {
                    SortDirection::Ascending => ordering,
                    SortDirection::Descending => ordering.reverse(),
                }
            }
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
    }

    /// The item's value for the key: a number, or `None` for anything else or nothing.
    pub(crate) fn value(&self, metadata: &Map<String, Value>) -> Option<Num> {
        match metadata.get(&self.key) {
            Some(Value::Number(number)) => Num::from_number(number),
            _ => None,
        }
    }

    /// Sorts `items` stably in this key's order of the values `value` gives them (looked up
    /// once per item, not once per comparison).
    pub(crate) fn sort_by_value<T>(&self, items: &mut [T], value: impl Fn(&T) -> Option<Num>) {
        let mut keyed: Vec<(Option<Num>, usize)> = items
            .iter()
            .enumerate()
            .map(|(item_idx, item)| (value(item), item_idx))
            .collect();
        // Ties broken by the original index make the unstable sort stable.
        keyed.sort_unstable_by(|(left, left_idx), (right, right_idx)| {
            self.compare_values(*left, *right)
                .then(left_idx.cmp(right_idx))
        });
        let mut sources: Vec<usize> = keyed.into_iter().map(|(_, item_idx)| item_idx).collect();
        apply_permutation(items, &mut sources);
    }
}

/// Sorts `items` stably by `key`, reading each item's metadata through `metadata`.
///
/// See [`SortKey`] for the order; it is the order of [`SortKey::compare`]. Each item's value
/// is looked up once, not once per comparison (which made sorting 1,000,000 items ten times
/// slower), at the cost of a temporary allocation of about 56 bytes per item.
pub fn sort_by_key<T, F>(items: &mut [T], key: &SortKey, metadata: F)
where
    F: Fn(&T) -> &Map<String, Value>,
{
    key.sort_by_value(items, |item| key.value(metadata(item)));
}

/// Rearranges `items` so that position `i` holds what was at `sources[i]`, following each
/// cycle of the permutation with swaps. `sources` is left as the identity.
fn apply_permutation<T>(items: &mut [T], sources: &mut [usize]) {
    for start in 0..sources.len() {
        let mut current = start;
        while let Some(source) = sources
            .get_mut(current)
            .map(|slot| std::mem::replace(slot, current))
        {
            if source == start || source == current {
                break;
            }
            // Both indices are below `items.len()`: `sources` is a permutation of them.
            if current < items.len() && source < items.len() {
                items.swap(current, source);
            }
            current = source;
        }
    }
}

impl FromStr for SortKey {
    type Err = ParseError;

    fn from_str(source: &str) -> Result<SortKey, ParseError> {
        SortKey::parse(source)
    }
}

impl fmt::Display for SortKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.direction == SortDirection::Descending {
            f.write_str("-")?;
        }
        write_field(f, &self.key)
    }
}
